/* SPDX-License-Identifier: MIT */
/*
 * The recording thread of a stream path (a ring, or the context path) (issue 16: record-only
 * throughput), opt-in. A ring thread that decodes a command buffer's commands hands each vkCmd*'s
 * host call, after every check passed, to this thread, and goes on decoding the next command while
 * the host driver records this one, so the driver's recording and our decoding overlap instead of
 * adding up. Measured on the H200 machine it does not pay (pv_recorder_policy): per command, the
 * decoded arguments and the slot cross from one core to the other, which costs about what the
 * NVIDIA driver's recording saves.
 *
 * Order is kept: calls are made in the order they were pushed, and the ring thread waits for
 * all of them (pv_recorder_wait) before any command that is not a vkCmd*, before a ring
 * publishes head past them, and at the end of every stream. So the host sees exactly the
 * sequence of calls it saw without the thread, never two of them at once for one ring, and a
 * guest (or another ring waiting on this one's seqno) never sees a command done before its host
 * call was made. The calls read their arguments from the ring's decode arena, which the ring
 * thread keeps until the wait (pv_dispatch_ctx.arena_held).
 *
 * One producer (the ring thread), one consumer (this thread); other threads only wait for what
 * was pushed before they looked (pv_recorder_settle: destroys on another ring).
 */
#ifndef PV_RENDERER_RECORDER_H
#define PV_RENDERER_RECORDER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "protocol/pv_protocol.h"

#define PV_RECORDER_SLOTS 1024u

struct pv_recorder_call {
   pv_host_call_fn call;
   const struct pv_vk_dispatch *vk;
   void *args;
};

/* A cache line of its own: each counter is written by one thread only, and a line shared with the
 * other thread's counter (or a flag read at every push) moved between the cores at every call.
 * On the H200 machine that made the record-only stream 40 % slower than without the thread. */
#define PV_RECORDER_LINE 64

struct pv_recorder {
   struct pv_recorder_call slots[PV_RECORDER_SLOTS];
   /* The ring thread's: what it pushed, and what it last saw done (it reads `done` again only
    * when the slots look full). */
   _Alignas(PV_RECORDER_LINE) _Atomic uint64_t pushed;
   uint64_t seen_done;
   /* The recording thread's. */
   _Alignas(PV_RECORDER_LINE) _Atomic uint64_t done;
   /* Written rarely, read often. */
   _Alignas(PV_RECORDER_LINE) _Atomic bool sleeping; /* waits on `cond` for a push */
   _Atomic int waiters; /* threads waiting on `cond` for `done` to move */
   /* The signal of a host-driver crash on the recording thread (crash_guard.h), or 0. Calls
    * after it are dropped, not made: the driver's state is unknown. */
   _Atomic int crashed;
   _Atomic bool stop;
   bool guard_crashes; /* arm crash_guard on the recording thread */
   pthread_mutex_t lock;
   pthread_cond_t cond;
   pthread_t thread;
};

/*
 * How many vkCmd* in a row a ring makes itself before it hands the rest of the run to its
 * recording thread, or PV_RECORDER_OFF. A short command buffer would only pay the hand-off (and
 * the thread's wake-up) in its submission's latency; a long one gains the overlap.
 * PEARVISOR_RECORD_THREAD=1 (or "on"): PV_RECORDER_MIN_RUN; "all": 0 (every vkCmd*, for tests);
 * unset, 0 or "off": never. Off by default because it did not pay on the H200 machine: record-only
 * commands at 4.92 M/s with it against 4.15 M/s without (Mesa 22.3.6), 5.30 M against 6.18 M
 * (25.0.7), 5 interleaved repetitions each, spreads overlapping (bench/notes-h200-recorder.md):
 * the driver records a command in less time than its hand-off between two cores costs.
 */
#define PV_RECORDER_OFF UINT32_MAX
#define PV_RECORDER_MIN_RUN 32u
uint32_t pv_recorder_policy(void);

/* What a command type means to a path's recording thread. */
enum pv_record_kind {
   PV_RECORD_WAITS = 0,   /* not a vkCmd*: the ring thread waits for its recorder first */
   PV_RECORD_DEFERS = 1,  /* a vkCmd*: its host call may be made on the recording thread */
   PV_RECORD_SETTLES = 2, /* frees objects, resets or submits command buffers: every ring's
                           * recorder of the context settles first */
};
/* PV_RECORD_* for every command of `t` (calloc'ed; NULL without memory). */
uint8_t *pv_recorder_kinds(const struct pv_protocol_table *t);

/* A recorder with its thread started; NULL when it cannot be had. */
struct pv_recorder *pv_recorder_start(bool guard_crashes);
/* Makes every pushed call, then stops and joins the thread, and frees `r`. */
void pv_recorder_stop(struct pv_recorder *r);

/* Queues one call (the ring thread only); waits while all slots are taken. */
void pv_recorder_push(struct pv_recorder *r, pv_host_call_fn call, const struct pv_vk_dispatch *vk,
                      void *args);

/* Calls pushed and not yet made (the ring thread only). */
static inline bool
pv_recorder_pending(const struct pv_recorder *r)
{
   return atomic_load_explicit(&r->pushed, memory_order_relaxed) !=
          atomic_load_explicit(&r->done, memory_order_acquire);
}

/* Waits until every call pushed so far was made (or dropped after a crash). Returns the crash
 * signal, or 0. */
int pv_recorder_wait(struct pv_recorder *r);

/* From any thread: waits until the calls pushed before this was called were made. */
void pv_recorder_settle(struct pv_recorder *r);

#endif
