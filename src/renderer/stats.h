/* SPDX-License-Identifier: MIT */
/*
 * Live statistics (pv_context_get_stats): counters on the paths that decode guest bytes.
 *
 * Cost is the point: each pv_exec (the context path, each ring) has its own counters, written
 * only by the one thread that runs that path, so an increment is a plain load and store (relaxed
 * atomics compile to ordinary moves on x86 and arm64: no lock prefix, no fence, no shared cache
 * line with another writer). Readers (any thread) load them relaxed: each value is exact, values
 * of different counters may be a moment apart, which monitoring does not mind.
 */
#ifndef PV_RENDERER_STATS_H
#define PV_RENDERER_STATS_H

#include <stdatomic.h>
#include <stdint.h>

struct pv_exec_stats {
   _Atomic uint64_t commands; /* top-level and nested commands decoded */
   _Atomic uint64_t bytes;    /* stream bytes handed to the decoder */
   _Atomic uint64_t replies;  /* replies written */
   _Atomic uint64_t wakeups;  /* rings: woken from IDLE by a notify */
   _Atomic uint64_t idle;     /* rings: IDLE set, thread asleep */
   _Atomic uint64_t recorded; /* rings: host calls handed to the recording thread */
   _Atomic int32_t last_command;
   /* The context's run counter when this path last began a stream: the path with the highest
    * value ran most recently (its last_command is the context's last command). */
   _Atomic uint64_t last_run;
};

/* Single-writer increment: only the thread that owns the counter calls it. -Dstats_counters=false
 * (PV_NO_STATS_COUNTERS) compiles every counter out, only to measure what they cost
 * (bench/cost-ab). */
static inline void
pv_stat_add(_Atomic uint64_t *counter, uint64_t n)
{
#ifdef PV_NO_STATS_COUNTERS
   (void)counter;
   (void)n;
#else
   atomic_store_explicit(counter, atomic_load_explicit(counter, memory_order_relaxed) + n,
                         memory_order_relaxed);
#endif
}

static inline uint64_t
pv_stat_get(const _Atomic uint64_t *counter)
{
   return atomic_load_explicit((_Atomic uint64_t *)counter, memory_order_relaxed);
}

static inline void
pv_exec_stats_init(struct pv_exec_stats *s)
{
   atomic_init(&s->commands, 0);
   atomic_init(&s->bytes, 0);
   atomic_init(&s->replies, 0);
   atomic_init(&s->wakeups, 0);
   atomic_init(&s->idle, 0);
   atomic_init(&s->recorded, 0);
   atomic_init(&s->last_command, -1);
   atomic_init(&s->last_run, 0);
}

/* Adds a finished path's counters to `into` (the context's total of destroyed rings); the caller
 * serialises writers of `into`. */
void pv_exec_stats_retire(struct pv_exec_stats *into, const struct pv_exec_stats *from);

#endif
