/* SPDX-License-Identifier: MIT */
/*
 * The libvirglrenderer front end: what the exported virgl_renderer_* functions share.
 *
 * Threading. Like virglrenderer, the exported functions expect their caller to serialize them
 * (QEMU calls them from its main thread under the BQL): the context and resource tables are
 * touched only by that thread. Everything our own threads touch (worker link threads, ring
 * threads in in-process mode, the async fence thread) goes through fences.c, under its lock.
 *
 * A guest context is a backend: a worker process by default (backend_worker.c), or the renderer
 * in this process (backend_local.c, PEARVISOR_VIRGL_INPROCESS=1). Backends report completed
 * submissions, retired context fences and their own death to fences.c, from any thread.
 */
#ifndef PV_VIRGL_FRONTEND_H
#define PV_VIRGL_FRONTEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pearvisor/pearvisor.h"
#include "util/id_table.h"
#include "util/os.h"
#include "virgl/virgl_abi.h"

struct vg_backend;

/* Global-fence bookkeeping of one backend; owned by fences.c, under its lock. */
struct vg_track {
   bool attached;             /* events from a detached backend are dropped */
   uint64_t submitted;        /* the last submission sequence number given to this backend */
   uint64_t done;             /* the last one it completed */
   struct vg_marker *markers; /* global fences waiting for this backend, oldest first */
   struct vg_track *next;     /* in the list of attached backends */
   struct vg_backend *backend;
   struct pv_os_event poll_event; /* THREAD_SYNC: the context's poll fd, else {-1, -1} */
};

struct vg_backend_ops {
   /* Queues `size` bytes for execution; completion is reported with vg_fences_submit_done. */
   void (*submit)(struct vg_backend *b, const void *data, size_t size, uint64_t seq);
   /* Returns 0 and fills `out` (the fd is the caller's), or a negative errno value. */
   int (*create_blob)(struct vg_backend *b, uint32_t res_id, uint64_t blob_id, uint64_t size,
                      uint32_t flags, struct pv_blob *out);
   void (*destroy_blob)(struct vg_backend *b, uint32_t res_id);
   /* Retirement is reported with vg_fences_context_retired, in order per ring. */
   void (*fence)(struct vg_backend *b, uint32_t ring_idx, uint64_t fence_id);
   /* Optional, on the VMM's thread from virgl_renderer_poll: reports what completed since (the
    * worker's fence page), without a system call and without waiting for anything. */
   void (*poll)(struct vg_backend *b);
   /* Called after vg_fences_detach; frees the backend now or once its threads are done. */
   void (*destroy)(struct vg_backend *b);
};

struct vg_backend {
   const struct vg_backend_ops *ops;
   uint32_t ctx_id;
   struct vg_track track;
};

struct vg_config {
   uint32_t wire_format;      /* PEARVISOR_VIRGL_WIRE, default 1 (VM guests are Mesa >= 23.1) */
   bool in_process;           /* PEARVISOR_VIRGL_INPROCESS=1 */
   uint32_t reply_timeout_ms; /* PEARVISOR_VIRGL_REPLY_TIMEOUT_MS: a worker's blob answer */
   uint32_t close_grace_ms;   /* PEARVISOR_VIRGL_CLOSE_GRACE_MS: teardown before a kill */
   uint32_t max_contexts;     /* PEARVISOR_VIRGL_MAX_CONTEXTS: live contexts, and workers */
   uint32_t fence_grace_us;   /* PEARVISOR_VIRGL_FENCE_GRACE_US: the poll's wait (fences.c) */
   bool spare_worker;         /* PEARVISOR_VIRGL_SPARE_WORKER=0: no worker started ahead */
   char worker_path[4096];    /* PEARVISOR_VIRGL_WORKER or next to this library */
};

/* Reads the environment once (the first capset query or init). */
const struct vg_config *vg_config_get(void);

/* Backends. Return NULL when the context cannot be created at all. */
struct vg_backend *vg_backend_local_create(uint32_t ctx_id, const char *name);
struct vg_backend *vg_backend_worker_create(uint32_t ctx_id, const char *name);
/* Kills every worker still closing and waits for its threads (cleanup only). */
void vg_backend_worker_reap_all(void);
/* worker_spawn.c: a worker waiting for PVW_INIT on *sock (the spare when there is one: the
 * caller refills it once the worker has its work); false when none could be started. */
bool vg_worker_start(int *sock, pid_t *pid, bool *from_server);
/* Ends a worker (SIGKILL, or the render server's kill for one it started: `from_server`, as
 * vg_worker_start said). */
void vg_worker_kill(pid_t pid, bool from_server);
/* Reaps a worker that ended (waiting up to a second first when `wait_first`, then killing it);
 * returns its wait status, or -1 when not known, and sets *killed (NULL: not asked) when the
 * reap had to kill it. A render server's worker is reaped by the server, which is asked how it
 * ended (the same waits, its kill asked of the server). */
int vg_worker_reap(pid_t pid, bool from_server, bool wait_first, bool *killed);
/* Starts the spare worker if there is none (init, and after each context's start). */
void vg_worker_spare_fill(void);
/* Ends the spare (cleanup). */
void vg_worker_spare_drop(void);

/* ----- fences.c: events from any thread, delivery on the VMM's terms ----------------------- */

struct vg_callbacks {
   void *cookie;
   void (*write_fence)(void *cookie, uint32_t fence);
   void (*write_context_fence)(void *cookie, uint32_t ctx_id, uint32_t ring_idx, uint64_t fence_id);
};

/* `thread_sync`: keep a poll fd; `async`: deliver from our own thread instead of poll. */
int vg_fences_init(const struct vg_callbacks *cbs, bool thread_sync, bool async);
void vg_fences_fini(void);
/* Drops pending global fences and undelivered events (device reset). */
void vg_fences_reset(void);
void vg_fences_poll(void);
int vg_fences_poll_fd(void);
/* One context's fences only (virgl_renderer_context_poll), and its own poll fd (-1 unless
 * THREAD_SYNC without ASYNC_FENCE_CB). */
void vg_fences_context_poll(struct vg_backend *b);
int vg_fences_context_poll_fd(struct vg_backend *b);

void vg_fences_attach(struct vg_backend *b);
/* The context is gone: nothing from `b` is delivered any more. */
void vg_fences_detach(struct vg_backend *b);
/* Returns the new submission's sequence number. */
uint64_t vg_fences_next_submit(struct vg_backend *b);
void vg_fences_submit_done(struct vg_backend *b, uint64_t seq);
void vg_fences_context_retired(struct vg_backend *b, uint32_t ring_idx, uint64_t fence_id);
/* The backend will complete nothing more (its worker died): global fences stop waiting for it. */
void vg_fences_backend_dead(struct vg_backend *b);
/* A global fence: retires once every context completed what was submitted before it. */
void vg_fences_create_global(uint32_t fence_id);
/* A context fence is about to be handed to `b` (before its ops->fence: it may retire at once). */
void vg_fences_context_created(struct vg_backend *b, uint64_t fence_id);

/* What virgl_renderer_export_fence may say about a fence id (either timeline). */
enum vg_fence_state {
   VG_FENCE_UNKNOWN,   /* never created, or created after the last reset and not seen yet */
   VG_FENCE_PENDING,   /* created and not retired (on some timeline, if ids repeat) */
   VG_FENCE_SIGNALLED, /* retired, or below a retired id and not pending */
};
enum vg_fence_state vg_fences_state(uint64_t fence_id);

/* ----- sync_file.c: the OS's sync files (Linux only; elsewhere every call fails) ---------- */

/* A new sync file that is already signalled, or a negative errno value where no kernel source of
 * one is reachable from this process. */
int vg_sync_file_signalled(void);
/* Closes what vg_sync_file_signalled keeps open (cleanup). */
void vg_sync_file_fini(void);

/* ----- contexts and resources (virgl_context.c, virgl_resource.c) ------------------------ */

struct vg_ctx {
   uint32_t ctx_id;
   struct vg_backend *backend;
};

struct vg_ctx *vg_ctx_lookup(uint32_t ctx_id);
void vg_contexts_destroy_all(void);
void vg_resources_destroy_all(void);
/* Resources owned by a context go with it (virtio-gpu keeps the ids; their backing is gone). */
void vg_resources_forget_context(uint32_t ctx_id);
bool vg_resource_exists(uint32_t res_id);

#endif
