/* SPDX-License-Identifier: MIT */
/*
 * The stream executor: the one place guest command bytes enter, whatever carried them (a
 * transport submission, a ring, a vkExecuteCommandStreamsMESA stream). One pv_exec per path,
 * each with its own decoder, arena and fatal status, so paths run concurrently.
 */
#ifndef PV_RENDERER_EXEC_H
#define PV_RENDERER_EXEC_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/pv_cs.h"
#include "protocol/pv_protocol.h"
#include "renderer/holds.h"
#include "renderer/objects.h"
#include "renderer/stats.h"

struct pv_context;
struct pv_recorder;
struct pv_ring;
struct pv_resource;

/* Where replies go (venus-wire.md 3.1). Wire 0: one per context, shared by the context path and
 * the rings, because Mesa 22.3.6 sets it on the context path and then only seeks on the ring.
 * Wire 1: one per path, because newer Mesa sets it on the ring before every reply command and
 * several rings (one per guest thread) run at once (§8). */
struct pv_reply_stream {
   pthread_mutex_t lock;
   struct pv_resource *res; /* referenced; NULL: none set */
   uint8_t *base;           /* mapped start of the stream inside the resource */
   uint64_t size;
   uint64_t pos;
};

struct pv_exec {
   /* The objects the running command named, in decode order, so a handler's bounds checks
    * (src/vk/guard*.c) reach their state without a second lookup by host handle. First: the
    * inline pv_venus_object (venus.h) reads it through pv_dispatch_ctx.user. */
   struct pv_venus_named named;
   struct pv_context *ctx;
   struct pv_ring *ring; /* NULL for the context path */
   struct pv_cs_arena arena;
   struct pv_cs_arena nested_arena; /* for vkExecuteCommandStreamsMESA streams */
   struct pv_cs_status status;
   struct pv_cs_hooks hooks;
   struct pv_cs_decoder dec;
   struct pv_cs_encoder reply_enc;
   struct pv_dispatch_ctx dispatch;
   struct pv_reply_stream *reply; /* the context's (wire 0) or own_reply (wire 1) */
   struct pv_reply_stream own_reply;
   struct pv_resource *reply_res; /* referenced while a reply is being written */
   uint8_t *reply_start;          /* ... from here (capture.h) */
   /* Called after each top-level command with the bytes consumed so far, so a ring publishes
    * head per command (wire 1 guests wait on it mid-batch). NULL for the context path. */
   void (*command_done)(struct pv_exec *x, size_t consumed);
   const uint8_t *run_start; /* start of the top-level stream being run */
   const uint8_t *run_end;   /* ... and its end */
   const uint8_t *cmd_start; /* the top-level command being run */
   bool nested;              /* inside vkExecuteCommandStreamsMESA: nesting again is fatal */
   bool host_submitted;      /* a command handed work to a host queue; the ring thread clears it */
   /* Objects the running command named, so new objects get their parent (objects.c). */
   uint64_t last_device, last_command_pool, last_descriptor_pool, last_physical_device;
   struct pv_object_cache lookups; /* this stream's recent id lookups (objects.h) */
   const uint8_t *named_min; /* the context's pv_overrides.named_min; NULL: no command_named */
   bool named_incomplete;    /* no memory to remember one: the command is refused */
   /* Lost mode: every id the running command named, known or not, in decode order. Objects
    * the guest makes after the loss have no host handle (they all decode as 0), so the lost
    * handlers (src/vk/lost.c) tell them apart this way (pv_venus_lost_named). */
   struct pv_lost_ref {
      int32_t type;
      struct pv_object *obj; /* NULL: an id the table does not know */
   } * lost_named;
   uint32_t lost_count, lost_cap;
   struct pv_exec_stats stats; /* written by this path's thread only (stats.h) */
   /* This path's recording thread (recorder.h); NULL: every host call is made inline. */
   struct pv_recorder *recorder;
   bool records;        /* the renderer's policy has recording threads (before_command runs) */
   bool may_defer;      /* the running command's vkCmd* host call may go to the recorder */
   uint32_t record_run; /* vkCmd* in a row, this one included (recorder.h policy) */
   /* Bytes of the top-level stream consumed whose head is published only once the recorder
    * made their calls (command_done). */
   size_t unpublished;
   bool has_unpublished;
   /* This path as a reader of the context's removed objects: inside a stream, what it looked
    * up is not freed under it by another path until its next command (reclaim.h). */
   struct pv_reclaim_reader reader;
   /* Command buffers and descriptor sets the running command holds (holds.h). */
   struct pv_hold *holds;
   uint32_t hold_count, hold_cap;
   /* Past a few dozen holds, an open-addressing index of holds[0, hold_indexed) by object
    * (slots hold an index + 1; holds.c), so naming an object again costs no walk of them all. */
   uint32_t *hold_index;
   uint32_t hold_index_cap, hold_indexed;
   /* Holds of ended commands whose host calls the recording thread has yet to make: let go
    * when it has made them (pv_exec_settle_recorder). */
   struct pv_hold *deferred;
   uint32_t deferred_count, deferred_cap;
   uint32_t cmd_hold_mark; /* the running command's holds start here (nested: the inner one's) */
   struct pv_hold parked;  /* kept from the last vkCmd* (pv_holds_end_command); obj NULL: none */
   struct pv_hold parked_pool; /* its command pool's hold, kept with it; obj NULL: none */
   bool parked_used;       /* the running command names it */
   uint32_t cmdbufs_held;  /* command buffers the running command named so far, this one too */
};

/* The context's shared budget for decode temporaries (struct pv_cs_arena_budget). */
void pv_exec_budget_init(struct pv_cs_arena_budget *b, uint64_t blob_quota);
void pv_exec_init(struct pv_exec *x, struct pv_context *ctx, struct pv_ring *ring);
void pv_exec_fini(struct pv_exec *x);
/* Executes every command in [data, data + size). False when the context is (now) lost. */
bool pv_exec_run(struct pv_exec *x, const void *data, size_t size);
/* Executes a nested stream with the current dispatch state (vkExecuteCommandStreamsMESA). */
bool pv_exec_run_nested(struct pv_exec *x, const void *data, size_t size);
/* Waits until this path's recording thread (recorder.h) made every call handed to it, then lets
 * go of the holds of the commands they came from (this path's thread only). */
void pv_exec_settle_recorder(struct pv_exec *x);

static inline struct pv_exec *
pv_exec_from(struct pv_dispatch_ctx *c)
{
   return c->user;
}

#endif
