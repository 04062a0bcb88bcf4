/* SPDX-License-Identifier: MIT */
/* The recording thread of a stream path (recorder.h). */
#include "renderer/recorder.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/crash_guard.h"
#include "util/os.h"

/*
 * How long each side polls before it sleeps. The recording thread stays awake a little past the
 * last call, since a command buffer's next command is usually a decode (~100 ns) away; the ring
 * thread's wait is short by construction (at most the calls it just pushed).
 */
#define PV_RECORDER_IDLE_SPIN_NS 20000ull
#define PV_RECORDER_WAIT_SPIN_NS 50000ull
/* Both sleeps re-check by themselves: a missed wake-up costs at most this. */
#define PV_RECORDER_SLEEP_NS 1000000ull
/* The recording thread stores `done` once per this many calls (and at the end of each batch):
 * a ring thread waiting in pv_recorder_settle polls that line, and a store per call took it
 * back across the cores at every call (perf on the H100 machine: the waiting ring thread 21 %
 * of its time in settle while the recording thread was the one behind). */
#define PV_RECORDER_PUBLISH_EVERY 16u
/* How many calls ahead the recording thread fetches a call's slot and arguments: both were
 * just written by the ring thread's core, so a call that reads them cold waits for the line. */
#define PV_RECORDER_AHEAD 4u

uint32_t
pv_recorder_policy_for(const char *setting, unsigned cpus)
{
   if (!setting || !*setting || !strcmp(setting, "0") || !strcmp(setting, "off"))
      return PV_RECORDER_OFF;
   if (!strcmp(setting, "auto"))
      return cpus >= PV_RECORDER_MIN_CPUS ? PV_RECORDER_MIN_RUN : PV_RECORDER_OFF;
   return strcmp(setting, "all") ? PV_RECORDER_MIN_RUN : 0;
}

uint32_t
pv_recorder_policy(void)
{
   return pv_recorder_policy_for(getenv("PEARVISOR_RECORD_THREAD"), pv_os_cpus_usable());
}

uint8_t *
pv_recorder_kinds(const struct pv_protocol_table *t)
{
   uint8_t *kinds = calloc(t->count ? t->count : 1, 1);
   for (uint32_t i = 0; kinds && i < t->count; i++) {
      const char *n = t->entries[i].name;
      if (!n)
         continue;
      if (pv_command_name_starts_with(n, "vkCmd"))
         kinds[i] = PV_RECORD_DEFERS;
      /* What another ring's pending calls may name: an object, or a command buffer (the
       * host's recording into one must not run beside a reset, a free of its pool or a
       * submission of it). */
      else if (pv_command_name_starts_with(n, "vkDestroy") ||
               pv_command_name_starts_with(n, "vkFree") ||
               pv_command_name_starts_with(n, "vkResetCommand") ||
               pv_command_name_starts_with(n, "vkBeginCommandBuffer") ||
               pv_command_name_starts_with(n, "vkResetDescriptorPool") ||
               pv_command_name_starts_with(n, "vkTrimCommandPool") ||
               pv_command_name_starts_with(n, "vkQueueSubmit"))
         kinds[i] = PV_RECORD_SETTLES;
   }
   return kinds;
}

static inline void
relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
   __builtin_ia32_pause();
#elif defined(__aarch64__)
   __asm__ volatile("yield");
#endif
}

static void
wake_waiters(struct pv_recorder *r)
{
   if (atomic_load(&r->waiters) == 0)
      return;
   pthread_mutex_lock(&r->lock);
   pthread_cond_broadcast(&r->cond);
   pthread_mutex_unlock(&r->lock);
}

typedef bool (*pv_recorder_pred)(struct pv_recorder *r, uint64_t arg);

/* Polls `ok(r, arg)` for about `spin_ns`; whether it came true. */
static bool
spin_until(struct pv_recorder *r, pv_recorder_pred ok, uint64_t arg, uint64_t spin_ns)
{
   uint64_t start = pv_os_time_ns();
   do {
      for (int i = 0; i < 64; i++) {
         if (ok(r, arg))
            return true;
         relax();
      }
   } while (pv_os_time_ns() - start < spin_ns);
   return false;
}

/* Sleeps on the condition until `ok(r, arg)`; the caller holds the lock. */
static void
sleep_until(struct pv_recorder *r, pv_recorder_pred ok, uint64_t arg)
{
   while (!ok(r, arg)) {
      struct timespec ts = pv_os_cond_deadline(PV_RECORDER_SLEEP_NS);
      pthread_cond_timedwait(&r->cond, &r->lock, &ts);
   }
}

/* Waits until `ok(r, arg)`: polls for `spin_ns`, then sleeps on the condition. */
static void
wait_until(struct pv_recorder *r, pv_recorder_pred ok, uint64_t arg, uint64_t spin_ns)
{
   if (spin_until(r, ok, arg, spin_ns))
      return;
   pthread_mutex_lock(&r->lock);
   atomic_fetch_add(&r->waiters, 1);
   sleep_until(r, ok, arg);
   atomic_fetch_sub(&r->waiters, 1);
   pthread_mutex_unlock(&r->lock);
}

static bool
done_reaches(struct pv_recorder *r, uint64_t upto)
{
   return atomic_load(&r->done) >= upto;
}

static bool
work_or_stop(struct pv_recorder *r, uint64_t done)
{
   return atomic_load(&r->pushed) != done || atomic_load(&r->stop);
}

/* A prefetch the compiler keeps: GCC 12 at -O2 dropped __builtin_prefetch calls that sit under
 * two conditions, as prefetch_ahead's do (found with objdump after a benchmark run). Never
 * faults, whatever the address. */
static inline void
prefetch_line(uintptr_t p)
{
#if defined(__x86_64__) || defined(__i386__)
   __asm__ volatile("prefetcht0 (%0)" : : "r"(p));
#else
   __builtin_prefetch((const void *)p);
#endif
}

/* Starts fetching the slot two steps ahead and the arguments of the call one step ahead, of
 * those already pushed (a slot past `pushed` is the ring thread's to write: fetching it would
 * only take its line away). Addresses as integers: a call's args may be NULL. */
static inline void
prefetch_ahead(const struct pv_recorder *r, uint64_t done, uint64_t pushed)
{
   uint64_t left = pushed - done;
   if (left > 2 * PV_RECORDER_AHEAD)
      prefetch_line((uintptr_t)&r->slots[(done + 2 * PV_RECORDER_AHEAD) % PV_RECORDER_SLOTS]);
   if (left > PV_RECORDER_AHEAD) {
      uintptr_t args = (uintptr_t)r->slots[(done + PV_RECORDER_AHEAD) % PV_RECORDER_SLOTS].args;
      prefetch_line(args);
      prefetch_line(args + PV_RECORDER_LINE);
   }
}

/* Makes the calls pushed so far; false when there were none. */
static bool
make_calls(struct pv_recorder *r)
{
   uint64_t done = atomic_load_explicit(&r->done, memory_order_relaxed);
   uint64_t pushed = atomic_load_explicit(&r->pushed, memory_order_acquire);
   if (done == pushed)
      return false;
   bool skip = atomic_load_explicit(&r->crashed, memory_order_relaxed) != 0;
   for (; done != pushed; done++) {
      prefetch_ahead(r, done, pushed);
      const struct pv_recorder_call *c = &r->slots[done % PV_RECORDER_SLOTS];
      r->making = done;
      if (!skip)
         c->call(c->vk, c->args);
      if ((done + 1) % PV_RECORDER_PUBLISH_EVERY == 0)
         atomic_store_explicit(&r->done, done + 1, memory_order_release);
   }
   atomic_store_explicit(&r->done, pushed, memory_order_release);
   /* Store-load: a waiter counts itself in `waiters`, then looks at `done` (wait_until). */
   atomic_thread_fence(memory_order_seq_cst);
   wake_waiters(r);
   return true;
}

/* Nothing to do: poll a little, then sleep until a push (or stop) wakes us. */
static void
idle(struct pv_recorder *r)
{
   uint64_t done = atomic_load_explicit(&r->done, memory_order_relaxed);
   if (spin_until(r, work_or_stop, done, PV_RECORDER_IDLE_SPIN_NS))
      return;
   pthread_mutex_lock(&r->lock);
   atomic_store(&r->sleeping, true);
   sleep_until(r, work_or_stop, done);
   atomic_store(&r->sleeping, false);
   pthread_mutex_unlock(&r->lock);
}

static void
serve(struct pv_recorder *r)
{
   while (!atomic_load_explicit(&r->stop, memory_order_acquire) || make_calls(r))
      if (!make_calls(r))
         idle(r);
}

/*
 * A host-driver crash inside a call jumps back here (crash_guard.h): the call counts as made,
 * later ones are dropped, and the ring thread loses the context at its next wait.
 */
static void
serve_guarded(struct pv_recorder *r)
{
   sigjmp_buf jb;
   pv_crash_guard_arm(&jb);
   int sig = sigsetjmp(jb, 0);
   if (sig == 0) {
      serve(r);
      pv_crash_guard_arm(NULL);
      return;
   }
   /* The handler disarmed us: from here on calls are dropped, no host code runs. */
   atomic_store(&r->crashed, sig);
   atomic_store(&r->done, r->making + 1);
   atomic_thread_fence(memory_order_seq_cst);
   wake_waiters(r);
   serve(r);
}

static void *
recorder_thread(void *arg)
{
   struct pv_recorder *r = arg;
   if (r->guard_crashes)
      serve_guarded(r);
   else
      serve(r);
   return NULL;
}

struct pv_recorder *
pv_recorder_start(bool guard_crashes)
{
   /* aligned: the counters' cache lines (PV_RECORDER_LINE) */
   struct pv_recorder *r = aligned_alloc(PV_RECORDER_LINE, sizeof(*r));
   if (!r)
      return NULL;
   atomic_init(&r->pushed, 0);
   r->seen_done = 0;
   atomic_init(&r->done, 0);
   r->making = 0;
   atomic_init(&r->crashed, 0);
   atomic_init(&r->stop, false);
   atomic_init(&r->sleeping, false);
   atomic_init(&r->waiters, 0);
   r->guard_crashes = guard_crashes;
   pthread_mutex_init(&r->lock, NULL);
   pthread_cond_init(&r->cond, NULL);
   if (pthread_create(&r->thread, NULL, recorder_thread, r) != 0) {
      pthread_cond_destroy(&r->cond);
      pthread_mutex_destroy(&r->lock);
      free(r);
      return NULL;
   }
   return r;
}

static void
wake_recorder(struct pv_recorder *r)
{
   pthread_mutex_lock(&r->lock);
   pthread_cond_broadcast(&r->cond);
   pthread_mutex_unlock(&r->lock);
}

/* Wakes the recording thread if it went to sleep without seeing our last push: the store-load
 * fence pairs with its store of `sleeping` before it looks at `pushed` (idle). */
static void
kick(struct pv_recorder *r)
{
   atomic_thread_fence(memory_order_seq_cst);
   if (atomic_load(&r->sleeping))
      wake_recorder(r);
}

void
pv_recorder_stop(struct pv_recorder *r)
{
   atomic_store(&r->stop, true);
   wake_recorder(r);
   pthread_join(r->thread, NULL);
   pthread_cond_destroy(&r->cond);
   pthread_mutex_destroy(&r->lock);
   free(r);
}

void
pv_recorder_push(struct pv_recorder *r, pv_host_call_fn call, const struct pv_vk_dispatch *vk,
                 void *args)
{
   uint64_t pushed = atomic_load_explicit(&r->pushed, memory_order_relaxed);
   if (pushed - r->seen_done >= PV_RECORDER_SLOTS) {
      r->seen_done = atomic_load_explicit(&r->done, memory_order_acquire);
      if (pushed - r->seen_done >= PV_RECORDER_SLOTS) {
         kick(r);
         wait_until(r, done_reaches, pushed - PV_RECORDER_SLOTS + 1, PV_RECORDER_WAIT_SPIN_NS);
         r->seen_done = atomic_load_explicit(&r->done, memory_order_acquire);
      }
   }
   r->slots[pushed % PV_RECORDER_SLOTS] = (struct pv_recorder_call){call, vk, args};
   atomic_store_explicit(&r->pushed, pushed + 1, memory_order_release);
   /* No store-load fence per command: a wake-up missed here is made up by kick() in every
    * wait, and the thread re-checks by itself within PV_RECORDER_SLEEP_NS. */
   if (atomic_load_explicit(&r->sleeping, memory_order_relaxed))
      wake_recorder(r);
}

void
pv_recorder_settle(struct pv_recorder *r)
{
   uint64_t pushed = atomic_load(&r->pushed);
   if (atomic_load(&r->done) != pushed) {
      kick(r);
      wait_until(r, done_reaches, pushed, PV_RECORDER_WAIT_SPIN_NS);
   }
}

int
pv_recorder_wait(struct pv_recorder *r)
{
   pv_recorder_settle(r);
   return atomic_load(&r->crashed);
}
