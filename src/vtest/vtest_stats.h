/* SPDX-License-Identifier: MIT */
/*
 * Where the server keeps its clients' statistics for the control socket (control.h).
 *
 * Each client has a slot with a seqlock: the client's side (its process, or its thread with
 * --threads) is the one writer and publishes a whole record a few times a second from its
 * hang-up watcher (vtest_watch.h), never from the path that decodes guest commands; the server's
 * control socket reads slots without stopping anyone. In process-per-client mode the slot lives
 * in the page the parent already shares with each child (vtest_children.h), so a child that dies
 * leaves its last record readable: the parent keeps it, with why the client left, among the
 * recently departed ones.
 */
#ifndef PV_VTEST_STATS_H
#define PV_VTEST_STATS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vtest/stats_record.h"

#define VTEST_STATS_WORDS (sizeof(struct vtest_stats_record) / sizeof(uint64_t))

struct vtest_stats_slot {
   _Atomic uint64_t seq; /* odd while the writer is inside */
   _Atomic uint64_t words[VTEST_STATS_WORDS];
};

/* Departed clients the server still shows (the most recent ones). */
#define VTEST_STATS_DEPARTED 32u

/* The one writer of `slot` publishes `r`. */
void vtest_stats_slot_write(struct vtest_stats_slot *slot, const struct vtest_stats_record *r);
/* A consistent copy of the slot's record; false when the writer never finished one (it died
 * inside a write): `r` is then the best copy read. */
bool vtest_stats_slot_read(const struct vtest_stats_slot *slot, struct vtest_stats_record *r);

/* A new client's first record (id, start time, "connecting"), written before its writer runs. */
void vtest_stats_slot_start(struct vtest_stats_slot *slot);

/* The registry (server side). The slot stays the caller's; the registry only reads it. */
void vtest_stats_track(struct vtest_stats_slot *slot, pid_t pid);
/* The tracked client's state as shown, whatever its writer says (NULL: the writer's again), for a
 * client its writer no longer describes (a VMM's context being torn down: "closing"). */
void vtest_stats_mark(struct vtest_stats_slot *slot, const char *state);
/* The client left: keeps its last record among the departed with `state` ("hung up", ...). */
void vtest_stats_untrack(struct vtest_stats_slot *slot, const char *state);
/* In a freshly forked client process: drops the parent's registry copy. */
void vtest_stats_forget_in_child(void);
/* Every tracked client, then the departed, newest last; *out is malloc'ed (free it). Returns the
 * count (0 with *out NULL when none or out of memory). */
size_t vtest_stats_collect(struct vtest_stats_record **out);

/* CLOCK_REALTIME in ns (uptime across processes). */
uint64_t vtest_stats_wall_ns(void);

#endif
