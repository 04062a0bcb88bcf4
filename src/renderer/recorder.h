/* SPDX-License-Identifier: MIT */
/*
 * The recording thread of a stream path (a ring, or the context path) (issue 16: record-only
 * throughput). A ring thread that decodes a command buffer's commands hands each vkCmd*'s host
 * call, after every check passed, to this thread, and goes on decoding the next command while
 * the host driver records this one, so the driver's recording and our decoding overlap instead of
 * adding up. On the H100 machine (16 CPUs) it recorded 1.27x and 1.29x the commands per second
 * of the ring thread alone with the two guests (16 interleaved repetitions, rank test p = 0.002
 * and 0.0001; bench/notes-h200-recorder.md, run 6), but a real application paid for it: llama.cpp
 * generated tokens 2.6-8 % slower with it than without (two runs, bench/notes-llama.md), and
 * GPU-bound streams end to end 0-9 %. So it is off unless asked for (pv_recorder_policy).
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
   /* The recording thread's: published every few calls (recorder.c, make_calls), since each
    * store takes the line from a ring thread that polls it. */
   _Alignas(PV_RECORDER_LINE) _Atomic uint64_t done;
   /* The recording thread's alone: the call it is making, which a crash inside it counts as
    * made (serve_guarded); `done` may not have been published up to it yet. */
   _Alignas(PV_RECORDER_LINE) uint64_t making;
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
 * "auto": PV_RECORDER_MIN_RUN where the process may use at least PV_RECORDER_MIN_CPUS CPUs, else
 * never (on two CPUs the ring thread, the recording thread and a CPU driver's own threads took
 * turns on the cores: half the rate on lavapipe); unset, "0" or "off": never.
 */
#define PV_RECORDER_OFF UINT32_MAX
#define PV_RECORDER_MIN_RUN 32u
#define PV_RECORDER_MIN_CPUS 4u
uint32_t pv_recorder_policy(void);
/* The policy for a PEARVISOR_RECORD_THREAD value (NULL: unset) and a number of usable CPUs. */
uint32_t pv_recorder_policy_for(const char *setting, unsigned cpus);

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
