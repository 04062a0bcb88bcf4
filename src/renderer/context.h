/* SPDX-License-Identifier: MIT */
#ifndef PV_RENDERER_CONTEXT_H
#define PV_RENDERER_CONTEXT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>

#include "pearvisor/pearvisor.h"
#include "renderer/exec.h"
#include "renderer/objects.h"
#include "renderer/venus.h"
#include "util/id_table.h"

/* A blob resource as the renderer sees it: host shared memory it can read and write. */
struct pv_resource {
   atomic_int refs; /* the table's, plus one per user (reply stream, ring, running stream) */
   uint32_t res_id;
   uint64_t size;
   int fd;    /* -1: handed to the transport at creation (shmem), or device memory exports */
   void *map; /* MAP_SHARED view of the whole resource, NULL when not ours to map */
   struct pv_context *charged_to; /* blob quota to give back, or NULL */
};

struct pv_ring;
struct pv_ring_monitor;

struct pv_context {
   struct pv_renderer *renderer;
   char name[64];
   uint32_t wire_format;                  /* 0 or 1 */
   const struct pv_protocol_table *table; /* wire dialect */
   const pv_handler_fn *overrides;        /* from the renderer, per dialect */
   const pv_handler_fn *lost_handlers;
   const uint8_t *check_classes; /* pv_family.command_check's, per dialect */
   const uint8_t *named_min;     /* pv_family.command_named's, per dialect */
   const uint8_t *record_kinds;  /* PV_RECORD_* per command type (recorder.h) */
   const uint8_t *hold_kinds;    /* PV_HOLD_* per command type (holds.h) */
   /* Sticky: once set, commands are decoded but not executed (DESIGN.md decision 6). */
   atomic_bool lost;
   /* Why, from the first pv_context_set_lost (pv_context_lost_reason). */
   char lost_reason[256];
   atomic_bool lost_reason_set;
   /* Set once the transport's peer is gone (pv_context_stop): waits end, executors stop. */
   atomic_bool stopping;
   /* The host driver crashed in a call for this context (crash_guard.h): never call it again. */
   atomic_bool host_crashed;
   /* The context created a device on a GPU: a ring thread that just submitted work to it sleeps
    * right after instead of yielding the core first (ring.c says why). */
   atomic_bool on_gpu;
   pthread_mutex_t resources_lock;
   struct pv_id_table resources; /* res_id -> struct pv_resource */
   struct pv_object_table objects;
   struct pv_reclaim reclaim; /* removed objects wait here for the paths (reclaim.h) */
   /* Wire 0: the one reply stream of the context path and every ring (exec.h). */
   struct pv_reply_stream reply;
   struct pv_vk_host host;
   struct pv_exec exec; /* the context path (transport submissions) */
   pthread_mutex_t rings_lock;
   struct pv_ring *rings; /* singly linked */
   /* Set by pv_ring_destroy_all, under rings_lock: no ring is made after (ring.c). */
   bool rings_closed;
   struct pv_ring_monitor *monitor; /* wire 1: sets ALIVE on monitored rings (monitor.c) */
   /* Queue timelines: who hears that a fence retired (pv_context_set_fence_callback). */
   pv_fence_retired_fn fence_cb;
   void *fence_cb_data;
   /* The family's per-context state (pv_family.context_init; e.g. the Vulkan families' queue
    * timelines), opaque here. */
   void *family_state;
   /* Who hears where each ring's status word is (pv_context_set_ring_callback). */
   pv_ring_created_fn ring_cb;
   void *ring_cb_data;
   /* quotas (pv_venus_charge) */
   uint64_t quota_limit[PV_QUOTA_COUNT];
   _Atomic uint64_t quota_used[PV_QUOTA_COUNT];
   uint64_t max_objects;
   uint64_t max_rings;
   /* Statistics (stats.c): what destroyed rings counted, under rings_lock; the stream counter
    * that orders paths by their last run. */
   struct pv_exec_stats retired;
   _Atomic uint64_t run_counter;
   /* Waits for everything a queue had been given (lifetime.c): rare when the lifetime tracking
    * works, each one a stall of the guest's pipeline when it does not. */
   _Atomic uint64_t queue_drains;
   /* Destroys kept until their submissions finished instead of a drain (graveyard.c). */
   _Atomic uint64_t destroys_deferred;
   /* Host handles kept now (graveyard.c), and the device-memory quota kept memory and query
    * pools still hold. */
   _Atomic uint64_t kept_objects;
   _Atomic uint64_t kept_device_memory;
   /* Liveness marks dropped without a removal from the object table (src/vk/lifetime.c: a
    * descriptor set given a dead descriptor): with the table's generation, the epoch that
    * cached "everything this names is alive" answers are valid for. */
   _Atomic uint64_t liveness_drops;
   /* Host writes of descriptor sets under way (src/vk/set_writes.c): while there are any, a
    * submission looks whether it binds one of those sets. */
   _Atomic uint32_t set_writers;
   /* Recording or replaying this context (capture.h); NULL almost always. */
   struct pv_capture *capture;
   /* Decode temporaries of every path of this context together (exec.c). */
   struct pv_cs_arena_budget arena_budget;
};

/* The resource with this id with a reference taken, or NULL. */
struct pv_resource *pv_context_resource_get(struct pv_context *ctx, uint32_t res_id);
/* Takes another reference on a resource the caller already holds or reaches under a lock. */
void pv_resource_ref(struct pv_resource *res);
/* Drops a reference (NULL is fine); the last one unmaps and closes. */
void pv_resource_put(struct pv_resource *res);
/* Transport handlers that still run in a lost context (transport.c). */
void pv_transport_register_lost(struct pv_overrides *o);

/* Marks the context lost and logs why, once. */
void pv_context_set_lost(struct pv_context *ctx, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

#endif
