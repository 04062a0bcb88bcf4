/* SPDX-License-Identifier: MIT */
/*
 * Freeing what another stream path may still hold. A context's paths (its rings and the context
 * path) run on threads of their own and look objects up in one table; a lookup returns the
 * entry itself, which the running command uses until it ends. A guest that destroys an object
 * on one ring while another ring's command names it made that entry (and its state: a memory's
 * fd and mapping, a device's queues) freed under the other thread. So what leaves the table is
 * freed only once every path, the remover's too, has finished the command it was running then.
 *
 * Quiescent-state based: each path is a reader that says "between commands" at every command
 * boundary by copying the domain's epoch (one load and compare while nothing is removed);
 * a removal bumps the epoch and is freed at once when no reader is inside a command that began
 * before it, else kept until every such reader has moved on. Nobody ever waits for a reader: a path
 * blocked in a wait (a ring waiting for another ring's seqno) only delays frees, which the
 * object quota bounds (hook_admit counts them).
 */
#ifndef PV_RENDERER_RECLAIM_H
#define PV_RENDERER_RECLAIM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct pv_context;

/* Something to free later; embedded in what it frees (no allocation at the removal). */
struct pv_reclaim_item {
   struct pv_reclaim_item *next;
   uint64_t epoch; /* the domain's epoch when it was handed over */
   void (*free)(struct pv_context *ctx, struct pv_reclaim_item *item);
   bool quota; /* gives back quota: pv_reclaim_poll_quota may free it */
};

/* One path (a thread while it runs commands). seen is 0 while it is between streams, else the
 * last epoch it saw at a command boundary. */
struct pv_reclaim_reader {
   _Atomic uint64_t seen;
   struct pv_reclaim_reader *next;  /* the domain's list, under its lock */
   struct pv_reclaim_reader *outer; /* the thread's reader before this one entered */
};

struct pv_reclaim {
   pthread_mutex_t lock;
   _Atomic uint64_t epoch;              /* starts at 1: a seen of 0 means "holds nothing" */
   struct pv_reclaim_reader *readers;   /* under lock */
   struct pv_reclaim_item *head, *tail; /* under lock, oldest first */
   _Atomic uint64_t pending;            /* items kept; read without the lock */
   bool running;                        /* under lock: a thread runs items (pv_reclaim_poll) */
   struct pv_context *ctx;              /* passed to the items' free */
};

void pv_reclaim_init(struct pv_reclaim *r, struct pv_context *ctx);
/* Frees everything kept (`run`) or drops it unfreed (a context whose host driver crashed keeps
 * what the driver may still use); no reader may be registered any more. */
void pv_reclaim_fini(struct pv_reclaim *r, bool run);

void pv_reclaim_join(struct pv_reclaim *r, struct pv_reclaim_reader *rd);
void pv_reclaim_leave(struct pv_reclaim *r, struct pv_reclaim_reader *rd);
/* The reader starts looking objects up (a stream begins); the calling thread runs it. */
void pv_reclaim_enter(struct pv_reclaim *r, struct pv_reclaim_reader *rd);
/* ... and stops: it holds nothing now. Frees what only it held. */
void pv_reclaim_exit(struct pv_reclaim *r, struct pv_reclaim_reader *rd);

/* Frees what no reader inside a command may hold any more; safe from any thread. Items run on
 * one thread at a time, in order: while another thread runs them, it returns at once and that
 * thread runs these too. */
void pv_reclaim_poll(struct pv_reclaim *r);

/* A command boundary of an entered reader: it holds nothing from earlier commands. */
static inline void
pv_reclaim_quiesce(struct pv_reclaim *r, struct pv_reclaim_reader *rd)
{
   uint64_t e = atomic_load_explicit(&r->epoch, memory_order_acquire);
   if (__builtin_expect(e == atomic_load_explicit(&rd->seen, memory_order_relaxed), 1))
      return;
   /* release: what this path did with entries it saw before is done before anyone reads this */
   atomic_store_explicit(&rd->seen, e, memory_order_release);
   if (atomic_load_explicit(&r->pending, memory_order_relaxed))
      pv_reclaim_poll(r);
}

/* Hands over `item`, already unreachable for new lookups: freed now when no reader inside a
 * command may hold it (on this thread, or on one already running items), else by whichever reader
 * moves past it last; never before, or beside, an item handed over earlier (except by
 * pv_reclaim_poll_quota). The calling thread's own command counts too: it may still hold the
 * entry (the objects it named). An item's free may hand it over again. */
void pv_reclaim_defer(struct pv_reclaim *r, struct pv_reclaim_item *item);
/* For an allocation that finds its quota full (src/vk pv_vk_charge), whose command holds no
 * destroyed object's state: frees the items marked `quota` that only the calling thread's own
 * command has not moved past yet; nothing while another thread runs items (they may include the
 * destroy of the device those items belong to). */
void pv_reclaim_poll_quota(struct pv_reclaim *r);

/* Items kept now (the object quota counts them). */
static inline uint64_t
pv_reclaim_pending(struct pv_reclaim *r)
{
   return r ? atomic_load_explicit(&r->pending, memory_order_relaxed) : 0;
}

#endif
