/* SPDX-License-Identifier: MIT */
/* What ring.c, ring_seqno.c and ring_monitor.c share about one ring. */
#ifndef PV_RENDERER_RING_INTERNAL_H
#define PV_RENDERER_RING_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "renderer/exec.h"

/* Status bits (VkRingStatusFlagBitsMESA). Wire 0 guests know only IDLE. */
#define PV_RING_STATUS_IDLE 1u
#define PV_RING_STATUS_FATAL 2u
#define PV_RING_STATUS_ALIVE 4u

struct pv_ring {
   struct pv_ring *next;
   uint64_t id;
   struct pv_context *ctx;
   struct pv_resource *res; /* referenced while the ring lives */
   _Atomic uint32_t *head, *tail, *status;
   const uint8_t *buffer;
   uint32_t buffer_size; /* power of two */
   uint8_t *extra;
   uint64_t extra_size;
   uint64_t idle_timeout_ns;
   uint8_t *chunk; /* private copy of the bytes being executed */
   bool charged;   /* buffer_size bytes of the context's blob quota are ours */
   uint32_t cur;         /* ring thread only: tail of the batch being executed */
   uint32_t batch_start; /* ring thread only: head when the batch began */
   uint64_t yield_ns;    /* ring thread only: how long it only yields after work (ring.c) */
   bool sleep_at_once;   /* ring thread only: its last batch submitted work to a GPU (ring.c) */
   /* Last head published; guest-writable memory is never read back for our own decisions. */
   atomic_uint done;
   atomic_int seqno_waiters; /* context-path threads in vkWaitRingSeqnoMESA */
   /* Wire 1 ring monitor: 0 = not monitored. next_report_ns is the monitor thread's. */
   uint32_t monitor_period_us;
   uint64_t next_report_ns;
   pthread_t thread;
   bool has_thread; /* false in a replayed context: the replayer runs the batches (capture.h) */
   pthread_mutex_t lock;
   pthread_cond_t cond; /* notify, virtqueue seqnos, head progress, stop, loss: broadcast */
   bool notified;
   atomic_bool stop; /* polled by the ring thread without the lock */
   bool sleeping;            /* idle until notified, under lock */
   uint64_t virtqueue_seqno; /* highest vkSubmitVirtqueueSeqnoMESA seen, under lock */
   bool virtqueue_waiting;   /* the ring thread sits in vkWaitVirtqueueSeqnoMESA, under lock */
   uint64_t virtqueue_wait_seqno; /* ... waiting for this seqno, under lock */
   struct pv_exec exec;
};

/* Status bits change atomically: with wire 1 the guest clears ALIVE in the same word. */
static inline void
pv_ring_status_set(struct pv_ring *ring, uint32_t bits)
{
   atomic_fetch_or_explicit(ring->status, bits, memory_order_seq_cst);
}

static inline void
pv_ring_status_clear(struct pv_ring *ring, uint32_t bits)
{
   atomic_fetch_and_explicit(ring->status, ~bits, memory_order_seq_cst);
}

/* Wakes everything waiting on the ring's condition. */
void pv_ring_wake(struct pv_ring *ring);
/* The ring with this id; caller holds ctx->rings_lock. */
struct pv_ring *pv_ring_find_locked(struct pv_context *ctx, uint64_t id);
/* How long the ring thread only yields after work, from its window so far and the quiet time
 * that just ended in new work (ring.c says why; 10-250 us). */
uint64_t pv_ring_next_yield_ns(uint64_t yield_ns, uint64_t gap_ns);

/* Ring monitor (ring_monitor.c): starts the context's monitor thread if not running yet. */
bool pv_ring_monitor_start(struct pv_context *ctx);
void pv_ring_monitor_stop(struct pv_context *ctx);

#endif
