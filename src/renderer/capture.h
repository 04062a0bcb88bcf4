/* SPDX-License-Identifier: MIT */
/*
 * Capture and replay (docs/CAPTURE.md). A context with ctx->capture set either records what it
 * runs to a file (pv_context_start_capture) or is being replayed from one (pv_replay_file). The
 * renderer calls the hooks below at the points where guest input enters or guest-visible output
 * leaves; each caller tests ctx->capture first, so a context without capture pays one
 * predictable branch per stream or command and nothing else.
 */
#ifndef PV_RENDERER_CAPTURE_H
#define PV_RENDERER_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pv_capture;
struct pv_context;
struct pv_exec;

/* Whether ctx records or is replayed: the one test on the decode path. -Dcapture_hooks=false
 * (PV_NO_CAPTURE_HOOKS) compiles the hooks out, only to measure what they cost (bench/cost-ab);
 * such a build refuses to record or replay. */
#ifdef PV_NO_CAPTURE_HOOKS
#define pv_capture_active(ctx) ((void)(ctx), 0)
#else
#define pv_capture_active(ctx) __builtin_expect((ctx)->capture != NULL, 0)
#endif

/* Recording or replaying (replay rings run no threads of their own: ring.c). */
bool pv_capture_is_replay(const struct pv_capture *cap);

/* A top-level stream on x's path (a transport submission or a ring batch) starts / ended. */
void pv_capture_stream_begin(struct pv_exec *x, const void *data, size_t size);
void pv_capture_stream_end(struct pv_exec *x);
/* A vkExecuteCommandStreamsMESA stream at [data, +size) of resource res_id. Replay writes the
 * captured bytes there first. False: replay diverged (the caller stops the stream). */
bool pv_capture_nested(struct pv_exec *x, uint32_t res_id, uint64_t offset, void *data,
                       size_t size);
/* One command's reply was written to [begin, end). */
void pv_capture_reply(struct pv_exec *x, const uint8_t *begin, const uint8_t *end);
/* Before and after every command of type `type` (a command id of the context's table). */
void pv_capture_before_command(struct pv_exec *x, int32_t type);
void pv_capture_after_command(struct pv_exec *x, int32_t type);

/* Transport calls (the public API). */
void pv_capture_blob_create(struct pv_context *ctx, uint32_t res_id, uint64_t blob_id,
                            uint64_t size, uint32_t flags, int result);
void pv_capture_blob_destroy(struct pv_context *ctx, uint32_t res_id);
void pv_capture_fence(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id);
void pv_capture_lost(struct pv_context *ctx, const char *reason);
void pv_capture_stop(struct pv_context *ctx);
/* The context is being destroyed, its rings already stopped: final memory, END, close. */
void pv_capture_finish(struct pv_context *ctx);

/* Host-visible memory the renderer maps (the memory family calls these). */
void pv_capture_memory_mapped(struct pv_context *ctx, uint64_t memory_id, void *map, uint64_t size);
void pv_capture_memory_unmapped(struct pv_context *ctx, uint64_t memory_id, const void *map);

/* ----- shared by capture.c and capture_replay.c ------------------------------------------- */

/* One host-visible allocation the context maps, with (recording) the contents last recorded. */
struct pv_capture_mapping {
   uint64_t id;
   uint8_t *map;
   uint64_t size;
   uint8_t *shadow; /* the contents last recorded (replay: last restored or compared) */
};

struct pv_capture_mappings {
   struct pv_capture_mapping *items;
   uint32_t count, cap;
};

struct pv_capture_mapping *pv_capture_mappings_find(struct pv_capture_mappings *m, uint64_t id);
bool pv_capture_mappings_add(struct pv_capture_mappings *m, uint64_t id, void *map, uint64_t size,
                             bool shadow);
void pv_capture_mappings_remove(struct pv_capture_mappings *m, uint64_t id);
void pv_capture_mappings_fini(struct pv_capture_mappings *m);

/* Whether command `type` of the context's table submits to a queue, or frees memory. */
bool pv_capture_is_queue_submit(const struct pv_context *ctx, int32_t type);
bool pv_capture_is_free_memory(const struct pv_context *ctx, int32_t type);
/* A queue submission of no batches (Mesa's vkQueueWaitIdle is one, with a fence): it reads no
 * memory, and a snapshot there would make the GPU's finished output memory to restore instead
 * of a read-back to compare. Peeks at the command x is about to run. */
bool pv_capture_submit_is_empty(const struct pv_exec *x);
/* ... or waits for GPU work on the host (vkWaitForFences, vkQueueWaitIdle, ...). */
bool pv_capture_is_host_wait(const struct pv_context *ctx, int32_t type);
/* ... or asks how far GPU work got without waiting (vkGetFenceStatus,
 * vkGetSemaphoreCounterValue, ...): its answer depends on timing unless the device is idle. */
bool pv_capture_is_status_query(const struct pv_context *ctx, int32_t type);

/* The path of an executor: 0 for the context path, the ring id for a ring. */
uint64_t pv_capture_path(const struct pv_exec *x);

#endif
