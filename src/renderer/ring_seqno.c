/* SPDX-License-Identifier: MIT */
/*
 * Wire 1 round trips between the context path and the rings (venus-wire.md §8):
 *   vkSubmitVirtqueueSeqnoMESA(ring, seqno)  context path: "everything before this was done"
 *   vkWaitVirtqueueSeqnoMESA(seqno)          ring: block until the context path got that far
 *   vkWaitRingSeqnoMESA(ring, seqno)         context path: block until the ring's head got there
 * The guest uses the first pair instead of 22.3.6's vkWriteRingExtraMESA polling, the third before
 * signaling a sync that depends on ring work. A guest that makes the two sides wait for each
 * other (or that waits on the context path for ring work it has not published to the ring) would
 * hang both forever; that is detected and makes the context lost instead.
 */
#include <time.h>

#include "renderer/context.h"
#include "renderer/ring.h"
#include "renderer/ring_internal.h"
#include "util/os.h"

static struct pv_ring *
find_ring(struct pv_context *ctx, uint64_t id)
{
   pthread_mutex_lock(&ctx->rings_lock);
   struct pv_ring *ring = pv_ring_find_locked(ctx, id);
   pthread_mutex_unlock(&ctx->rings_lock);
   /* Rings are destroyed only by vkDestroyRingMESA on the context path (the thread running these
    * handlers; ring.c refuses it on a ring) or at context teardown, so the pointer stays valid
    * for this command. */
   return ring;
}

void
pv_ring_handle_submit_virtqueue_seqno(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkSubmitVirtqueueSeqnoMESA *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   if (pv_exec_from(c)->ring) {
      pv_venus_fatal(c, "vkSubmitVirtqueueSeqnoMESA sent on a ring");
      return;
   }
   struct pv_ring *ring = find_ring(ctx, a->ring);
   if (!ring) {
      pv_venus_fatal(c, "vkSubmitVirtqueueSeqnoMESA: unknown ring 0x%llx",
                     (unsigned long long)a->ring);
      return;
   }
   pthread_mutex_lock(&ring->lock);
   if (a->seqno > ring->virtqueue_seqno)
      ring->virtqueue_seqno = a->seqno;
   pthread_cond_broadcast(&ring->cond);
   pthread_mutex_unlock(&ring->lock);
}

void
pv_ring_handle_wait_virtqueue_seqno(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkWaitVirtqueueSeqnoMESA *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_ring *ring = pv_exec_from(c)->ring;
   if (!ring) {
      /* On the context path it could only ever wait for itself. */
      pv_venus_fatal(c, "vkWaitVirtqueueSeqnoMESA sent on the context path");
      return;
   }
   pthread_mutex_lock(&ring->lock);
   ring->virtqueue_waiting = true;
   ring->virtqueue_wait_seqno = a->seqno;
   pthread_cond_broadcast(&ring->cond); /* a context path in vkWaitRingSeqnoMESA rechecks */
   while (ring->virtqueue_seqno < a->seqno && !ring->stop && !pv_venus_should_stop(ctx))
      pthread_cond_wait(&ring->cond, &ring->lock);
   ring->virtqueue_waiting = false;
   pthread_mutex_unlock(&ring->lock);
}

/* Head published after a single command does not fence against a waiter registering (ring.c
 * command_done), so a waiter re-checks at least this often even without a wake-up. */
#define PV_RING_SEQNO_RECHECK_NS 1000000L

static void
timed_wait(struct pv_ring *ring)
{
   struct timespec ts = pv_os_cond_deadline(PV_RING_SEQNO_RECHECK_NS);
   pthread_cond_timedwait(&ring->cond, &ring->lock, &ts);
}

/* A sleeping ring (caller holds its lock) has bytes the guest published after the last it read.
 * Its thread wrote cur before it took the lock to sleep, so cur is stable and visible here. */
static bool
unread(struct pv_ring *ring)
{
   return atomic_load_explicit(ring->tail, memory_order_seq_cst) != ring->cur;
}

/* Wrap-aware: head has reached `seqno` (both free-running 32-bit byte counters). */
static bool
reached(uint32_t head, uint32_t seqno)
{
   return (int32_t)(head - seqno) >= 0;
}

void
pv_ring_handle_wait_ring_seqno(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkWaitRingSeqnoMESA *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   if (pv_exec_from(c)->ring) {
      pv_venus_fatal(c, "vkWaitRingSeqnoMESA sent on a ring");
      return;
   }
   struct pv_ring *ring = find_ring(ctx, a->ring);
   if (!ring) {
      pv_venus_fatal(c, "vkWaitRingSeqnoMESA: unknown ring 0x%llx", (unsigned long long)a->ring);
      return;
   }
   uint32_t seqno = (uint32_t)a->seqno;
   bool deadlock = false;
   pthread_mutex_lock(&ring->lock);
   atomic_fetch_add(&ring->seqno_waiters, 1);
   while (!reached(atomic_load(&ring->done), seqno) && !ring->stop && !pv_venus_should_stop(ctx)) {
      /* Only this thread can release a ring waiting for a virtqueue seqno, or send the notify a
       * sleeping ring needs before it reads more (a seqno it has not reached yet needs more).
       * A ring whose seqno has already been submitted, or that has already been notified, is
       * merely not running yet (its thread has not woken): not a deadlock. Under load (valgrind)
       * that window was long enough to make Mesa 25.0.7 guests lost. */
      bool vq_blocked =
         ring->virtqueue_waiting && ring->virtqueue_seqno < ring->virtqueue_wait_seqno;
      if (!vq_blocked && ring->sleeping && !ring->notified && unread(ring)) {
         /* The guest published more without notifying (Mesa 25 sends at most one notify per
          * millisecond, ring.c idle_wait): wake the ring, as virglrenderer does here. */
         ring->notified = true;
         pthread_cond_broadcast(&ring->cond);
      }
      if (vq_blocked || (ring->sleeping && !ring->notified)) {
         deadlock = true;
         break;
      }
      timed_wait(ring);
   }
   atomic_fetch_sub(&ring->seqno_waiters, 1);
   pthread_mutex_unlock(&ring->lock);
   if (deadlock)
      pv_venus_fatal(c, "vkWaitRingSeqnoMESA: ring 0x%llx waits for the context path, which "
                        "waits for the ring", (unsigned long long)a->ring);
}
