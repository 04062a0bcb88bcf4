/* SPDX-License-Identifier: MIT */
/* What the vtest command handlers, split over several files, share about one client. */
#ifndef PV_VTEST_CLIENT_INTERNAL_H
#define PV_VTEST_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"
#include "util/id_table.h"
#include "vtest/vtest_client_stats.h"
#include "vtest/vtest_protocol.h"
#include "vtest/vtest_record.h"
#include "vtest/vtest_sync.h"
#include "vtest/vtest_watch.h"

struct vtest_pending_fence;

struct vtest_client {
   int sock;
   char name[64];
   const struct pv_renderer_config *config;
   struct pv_renderer *renderer;
   struct pv_context *ctx;
   struct vtest_watch *watch; /* stops ctx when the client hangs up */
   uint32_t ctx_capset;
   uint32_t last_cmd; /* the last vtest command read, for the disconnect diagnosis */
   bool lost;
   /* The syncs are also written by renderer threads when a queue timeline retires a fence
    * (vtest_fence_retired), so every access takes sync_lock, held only around table calls. */
   pthread_mutex_t sync_lock;
   struct vtest_sync_table syncs;
   /* Per ring_idx: SUBMIT_CMD2 batches whose syncs wait for their queue's fence, oldest first;
    * under sync_lock. */
   struct vtest_pending_fence *pending[VTEST_MAX_TIMELINES];
   uint64_t next_fence_id;
   struct pv_id_table resources; /* res_id -> (void *)1: ids handed out, for UNREF checks */
   uint32_t next_res_id;
   uint32_t *payload;
   size_t payload_cap; /* dwords */
   struct vtest_client_stats stats; /* see vtest_client_stats.h for who writes it when */
   struct vtest_record_early early; /* the handshake, until the context records */
};

/* Return values of handlers. */
#define VTEST_OK 0
#define VTEST_DISCONNECT (-1)

/* Marks the client and its context lost (once, logged); the connection stays open. */
void vtest_client_set_lost(struct vtest_client *c, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

/* Sends the "failed" form of `cmd`'s reply, for commands the guest waits on. */
int vtest_client_reply_failure(struct vtest_client *c, uint32_t cmd);

static inline uint64_t
vtest_u64(const uint32_t *lo_hi)
{
   return (uint64_t)lo_hi[0] | ((uint64_t)lo_hi[1] << 32);
}

int vtest_handle_submit_cmd2(struct vtest_client *c, const uint32_t *payload, uint32_t dwords);
/* The renderer's fence callback (pv_fence_retired_fn): any thread. */
void vtest_fence_retired(void *client, uint32_t ring_idx, uint64_t fence_id);
/* Frees fences still pending (after the context is gone, so no callback can come). */
void vtest_timelines_fini(struct vtest_client *c);

#endif
