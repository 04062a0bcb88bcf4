/* SPDX-License-Identifier: MIT */
/*
 * One vtest client's side of the live statistics (vtest_stats.h): the writer of its slot. It
 * publishes from the client's hang-up watcher a few times a second (vtest_watch.h) and once more
 * when the client is done, reading the renderer's counters with pv_context_get_stats; the thread
 * that serves the guest never publishes while the watcher may, so the slot has one writer at a
 * time.
 */
#ifndef PV_VTEST_CLIENT_STATS_H
#define PV_VTEST_CLIENT_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"
#include "vtest/vtest_stats.h"

struct vtest_client_stats {
   struct vtest_stats_slot *slot; /* NULL: nothing published */
   bool owned;                    /* ours (--threads, --once), tracked by us */
   struct vtest_stats_record rec; /* what was last published */
   uint64_t rate_start_ns, rate_start_commands;
};

/* `shared`: the slot the server's parent made for this client process (its first record is
 * written); NULL: make and track one in this process. */
void vtest_client_stats_begin(struct vtest_client_stats *s, struct vtest_stats_slot *shared);
/* The guest said its name (CREATE_RENDERER). */
void vtest_client_stats_named(struct vtest_client_stats *s, const char *name, uint32_t wire);
/* Publishes the context's counters now (ctx may be NULL: none yet). */
void vtest_client_stats_publish(struct vtest_client_stats *s, struct pv_context *ctx);
/* The client is done: the last record says `state`; an owned slot is untracked and freed. */
void vtest_client_stats_end(struct vtest_client_stats *s, struct pv_context *ctx,
                            const char *state);

#endif
