/* SPDX-License-Identifier: MIT */
/*
 * Replaying the vtest messages a capture holds (TRANSPORT records, docs/CAPTURE.md) that the
 * renderer never saw: sync objects. `pearvisor-gpu replay` hands them here
 * (pv_replay_config.transport) in their place on the context path, and the replay's fences
 * (pv_replay_config.fence). Syncs are created, written and unreferenced as the server did, a
 * SUBMIT_CMD2's syncs are set when its batch's fence retires now (or at once on the CPU
 * timeline), and a SYNC_WAIT holds the context path until its syncs are reached, as the guest
 * waited on the fd before it went on: so the replay keeps "after the GPU finished that" where
 * the guest relied on it. The handshake and queries are counted only. A capture comes from
 * anywhere: every message is checked as the server checks a guest's.
 */
#ifndef PV_VTEST_REPLAY_H
#define PV_VTEST_REPLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtest/vtest_protocol.h"
#include "vtest/vtest_sync.h"

/* The longest a replayed SYNC_WAIT holds the context path (the guest's own timeout if less),
 * unless wait_max_ms says otherwise (the fuzzer's 10 ms). */
#define VTEST_REPLAY_WAIT_MAX_MS 10000u

struct vtest_replay_timeline_entry;

struct vtest_replay {
   pthread_mutex_t lock; /* everything below: the fence callback comes from renderer threads */
   pthread_cond_t cond;
   struct vtest_sync_table syncs;
   struct vtest_replay_timeline_entry *pending[VTEST_MAX_TIMELINES];
   uint64_t retired[VTEST_MAX_TIMELINES]; /* the latest fence each timeline retired */
   uint64_t next_fence_id;                /* numbered as the server numbers them (vtest_submit.c) */
   uint32_t wait_max_ms;                  /* VTEST_REPLAY_WAIT_MAX_MS after vtest_replay_init */
   /* What was replayed, for the report. */
   uint64_t messages, sync_messages, waits, waits_unmet, malformed;
};

void vtest_replay_init(struct vtest_replay *r);
void vtest_replay_fini(struct vtest_replay *r);
/* pv_replay_config.transport and .fence, with data = the struct vtest_replay. */
void vtest_replay_message(void *data, uint32_t wire_format, uint32_t protocol, const void *msg,
                          size_t size);
void vtest_replay_fence(void *data, uint32_t ring_idx, uint64_t fence_id);

#endif
