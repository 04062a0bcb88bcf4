/* SPDX-License-Identifier: MIT */
/*
 * Quiescent-state reclamation of what leaves a context's object table (reclaim.h).
 *
 * Why it is safe: a reader announces an epoch with a sequentially consistent store and fence
 * before its first lookup (pv_reclaim_enter), and a removal makes its entry unreachable (the
 * table's lock, the lookup caches' generation) before it bumps the epoch and reads the readers,
 * also behind a fence. So either the removal sees the reader inside a command with an older
 * epoch (and keeps the entry), or the reader's lookups see the entry gone. A reader that moves
 * to a newer epoch at a command boundary has let go of everything its earlier commands found.
 */
#include "renderer/reclaim.h"

#include <sched.h>
#include <stddef.h>

/* The reader the calling thread runs (pv_reclaim_poll_quota). */
static _Thread_local struct pv_reclaim_reader *current;

void
pv_reclaim_init(struct pv_reclaim *r, struct pv_context *ctx)
{
   pthread_mutex_init(&r->lock, NULL);
   atomic_init(&r->epoch, 1);
   atomic_init(&r->pending, 0);
   r->readers = NULL;
   r->head = r->tail = NULL;
   r->running = false;
   r->ctx = ctx;
}

static void
run_list(struct pv_context *ctx, struct pv_reclaim_item *it)
{
   while (it) {
      struct pv_reclaim_item *next = it->next;
      it->free(ctx, it);
      it = next;
   }
}

void
pv_reclaim_fini(struct pv_reclaim *r, bool run)
{
   /* No reader is left, but the last one to leave may still be running items (the runner). */
   pthread_mutex_lock(&r->lock);
   while (r->running) {
      pthread_mutex_unlock(&r->lock);
      sched_yield();
      pthread_mutex_lock(&r->lock);
   }
   r->running = true;
   /* until none is left: an item may hand itself over again (pv_reclaim_defer) */
   for (struct pv_reclaim_item *it; (it = r->head);) {
      r->head = r->tail = NULL;
      atomic_store(&r->pending, 0);
      pthread_mutex_unlock(&r->lock);
      if (run)
         run_list(r->ctx, it);
      pthread_mutex_lock(&r->lock);
   }
   pthread_mutex_unlock(&r->lock);
   pthread_mutex_destroy(&r->lock);
}

void
pv_reclaim_join(struct pv_reclaim *r, struct pv_reclaim_reader *rd)
{
   atomic_init(&rd->seen, 0);
   rd->outer = NULL;
   pthread_mutex_lock(&r->lock);
   rd->next = r->readers;
   r->readers = rd;
   pthread_mutex_unlock(&r->lock);
}

void
pv_reclaim_leave(struct pv_reclaim *r, struct pv_reclaim_reader *rd)
{
   pthread_mutex_lock(&r->lock);
   for (struct pv_reclaim_reader **p = &r->readers; *p; p = &(*p)->next)
      if (*p == rd) {
         *p = rd->next;
         break;
      }
   pthread_mutex_unlock(&r->lock);
   if (atomic_load_explicit(&r->pending, memory_order_relaxed))
      pv_reclaim_poll(r);
}

void
pv_reclaim_enter(struct pv_reclaim *r, struct pv_reclaim_reader *rd)
{
   rd->outer = current;
   current = rd;
   atomic_store(&rd->seen, atomic_load(&r->epoch));
   atomic_thread_fence(memory_order_seq_cst); /* before any lookup (the file comment) */
}

void
pv_reclaim_exit(struct pv_reclaim *r, struct pv_reclaim_reader *rd)
{
   atomic_store_explicit(&rd->seen, 0, memory_order_release);
   current = rd->outer;
   if (atomic_load_explicit(&r->pending, memory_order_relaxed))
      pv_reclaim_poll(r);
}

/* The oldest epoch a reader inside a command may still hold things of; UINT64_MAX: none.
 * The caller holds the lock. */
static uint64_t
oldest_seen_locked(const struct pv_reclaim *r, const struct pv_reclaim_reader *skip)
{
   atomic_thread_fence(memory_order_seq_cst); /* the removal is visible before we look */
   uint64_t oldest = UINT64_MAX;
   for (const struct pv_reclaim_reader *rd = r->readers; rd; rd = rd->next) {
      uint64_t s = atomic_load(&rd->seen);
      if (rd != skip && s != 0 && s < oldest)
         oldest = s;
   }
   return oldest;
}

/* Takes the items no reader inside a command may hold any more off the list, oldest first. */
static struct pv_reclaim_item *
take_ready_locked(struct pv_reclaim *r)
{
   uint64_t oldest = oldest_seen_locked(r, NULL);
   struct pv_reclaim_item *ready = NULL, **end = &ready;
   uint64_t n = 0;
   /* Items are in epoch order: the first one someone may hold ends the run. */
   while (r->head && r->head->epoch < oldest) {
      *end = r->head;
      end = &r->head->next;
      r->head = r->head->next;
      n++;
   }
   *end = NULL;
   if (!r->head)
      r->tail = NULL;
   atomic_fetch_sub_explicit(&r->pending, n, memory_order_relaxed);
   return ready;
}

/*
 * One thread at a time runs items (the runner), so they run in the order they were handed over
 * even when several paths poll at once: a device's destroy must not run on one thread while its
 * wait for the GPU or its children's destroys still run on another. A poll that finds a runner
 * leaves the work to it: the runner looks at the list again, under the lock, after each batch.
 */
void
pv_reclaim_poll(struct pv_reclaim *r)
{
   pthread_mutex_lock(&r->lock);
   if (r->running) {
      pthread_mutex_unlock(&r->lock);
      return;
   }
   r->running = true;
   for (struct pv_reclaim_item *ready; (ready = take_ready_locked(r));) {
      pthread_mutex_unlock(&r->lock);
      run_list(r->ctx, ready);
      pthread_mutex_lock(&r->lock);
   }
   r->running = false;
   pthread_mutex_unlock(&r->lock);
}

void
pv_reclaim_defer(struct pv_reclaim *r, struct pv_reclaim_item *item)
{
   pthread_mutex_lock(&r->lock);
   /* Under the lock, so the list stays in epoch order. */
   item->epoch = atomic_fetch_add(&r->epoch, 1);
   item->next = NULL;
   if (r->tail)
      r->tail->next = item;
   else
      r->head = item;
   r->tail = item;
   atomic_fetch_add_explicit(&r->pending, 1, memory_order_relaxed);
   /* Always through the list, never at once: an item taken off by a runner may still be running
    * (it may be this item's own earlier round: pv_reclaim_defer from an item's free). */
   bool ready = oldest_seen_locked(r, NULL) > item->epoch;
   pthread_mutex_unlock(&r->lock);
   if (ready)
      pv_reclaim_poll(r);
}

void
pv_reclaim_poll_quota(struct pv_reclaim *r)
{
   pthread_mutex_lock(&r->lock);
   if (r->running) { /* not beside the runner: the caller's allocation fails as over quota */
      pthread_mutex_unlock(&r->lock);
      return;
   }
   r->running = true;
   uint64_t oldest = oldest_seen_locked(r, current);
   struct pv_reclaim_item *ready = NULL, **end = &ready, *prev = NULL;
   uint64_t n = 0;
   for (struct pv_reclaim_item *it = r->head, *next; it && it->epoch < oldest; it = next) {
      next = it->next;
      if (!it->quota) {
         prev = it;
         continue;
      }
      if (prev)
         prev->next = next;
      else
         r->head = next;
      if (r->tail == it)
         r->tail = prev;
      *end = it;
      end = &it->next;
      n++;
   }
   *end = NULL;
   atomic_fetch_sub_explicit(&r->pending, n, memory_order_relaxed);
   pthread_mutex_unlock(&r->lock);
   run_list(r->ctx, ready);
   pthread_mutex_lock(&r->lock);
   r->running = false; /* what became ready meanwhile runs at the next poll */
   pthread_mutex_unlock(&r->lock);
}
