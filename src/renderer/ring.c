/* SPDX-License-Identifier: MIT */
/* Rings: layout validation, the ring thread, notify and round trips (ring.h). */
#include "renderer/ring.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "renderer/capture.h"
#include "renderer/context.h"
#include "renderer/recorder.h"
#include "renderer/renderer.h"
#include "renderer/ring_internal.h"
#include "util/log.h"
#include "util/os.h"

/* A larger ring is no ring a guest needs; the reference caps it the same way. */
#define PV_RING_BUFFER_MAX ((uint64_t)16 << 20)

/* Venus-only sTypes chained into VkRingCreateInfoMESA by wire 1 guests (venus-wire.md §8). */
#define PV_STYPE_RING_MONITOR_INFO_MESA 1000384006
#define PV_STYPE_RING_PRIORITY_INFO_MESA 1000384007
/* The guest's watchdog aborts when ALIVE stays clear for about its period; a period below this
 * would only make the monitor thread spin. */
#define PV_RING_MONITOR_MIN_US 1000u
/* The longest idle timeout a guest may set (Mesa 22.3.6 asks for 50 ms, 25.0.7 for 1 ms): a ring
 * that never goes idle wakes its thread about a thousand times a second while the guest does
 * nothing, so 256 of them kept cores busy. */
#define PV_RING_IDLE_TIMEOUT_MAX_NS 50000000ull

/* Region [off, off + size) of the ring area, checked against it (all values guest-chosen). */
static bool
region_ok(const VkRingCreateInfoMESA *ci, uint64_t off, uint64_t size)
{
   return (off & 3) == 0 && off <= ci->size && size <= ci->size - off;
}

static bool
disjoint(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
   return a + as <= b || b + bs <= a;
}

static const char *
check_layout(const VkRingCreateInfoMESA *ci, const struct pv_resource *res)
{
   if (!res || !res->map)
      return "no such shared-memory resource";
   if (ci->offset > res->size || ci->size > res->size - ci->offset || (ci->offset & 3))
      return "ring area outside its resource";
   if (ci->bufferSize == 0 || ci->bufferSize > PV_RING_BUFFER_MAX ||
       (ci->bufferSize & (ci->bufferSize - 1)))
      return "buffer size is not a power of two up to 16 MiB";
   uint64_t r[4][2] = {{ci->headOffset, 4}, {ci->tailOffset, 4}, {ci->statusOffset, 4},
                       {ci->bufferOffset, ci->bufferSize}};
   for (int i = 0; i < 4; i++) {
      if (!region_ok(ci, r[i][0], r[i][1]))
         return "a control word or the buffer lies outside the ring area";
      for (int j = 0; j < i; j++)
         if (!disjoint(r[i][0], r[i][1], r[j][0], r[j][1]))
            return "ring regions overlap";
   }
   if (ci->extraSize && !region_ok(ci, ci->extraOffset, ci->extraSize))
      return "extra region outside the ring area";
   return NULL;
}

/*
 * How the ring thread waits for the guest's next command, by the time since the last one: first
 * it only yields the core between looks, then sleeps in steps that grow with the quiet time (about
 * 110 wake-ups until the guest's 50 ms idle timeout), and finally sets IDLE and sleeps until
 * notified, looking at tail now and then (idle_wait). It never busy-polls without yielding: on a
 * small machine the guest's thread may be waiting for this very core.
 *
 * How long it only yields depends on what it just did:
 *  - Usually a guest in a round trip (a synchronous call; on a CPU device such as lavapipe,
 *    whose work is done within microseconds, also submit, wait for the fence, submit again)
 *    comes back within microseconds. A thread asleep by
 *    then adds a sleep step and a timer wake-up to the round trip, and that was enough to push a
 *    Mesa 25 guest's fence past its own short busy wait into its 160 us sleep (submit+wait
 *    250 us against 12 us with the window below; bench/notes-h200-ringwait.md). So the window
 *    follows the guest: after each quiet time that ended in new work it becomes twice that time
 *    if below PV_RING_YIELD_MAX_NS, and otherwise drops back to the minimum (a guest that comes
 *    back later loses little to a sleep step, and a ring never spins for a guest gone quiet). It
 *    shrinks by an eighth per batch, so one slow round trip does not keep it wide.
 *  - Right after it handed work to a GPU (pv_context.on_gpu, pv_exec.host_submitted) the thread
 *    sleeps at once. Measured on an H200 (NVIDIA 580): any spinning after a submission, for
 *    10 us or following the guest, delayed the GPU's execution of that submission by 10-25 us;
 *    sleeping at once made a Mesa 22.3.6 guest's submit+wait 22.9 us against 48.5 us with the
 *    10 us yield before (same notes). Why the driver needs the submitting thread's core is not
 *    known. After other commands (a synchronous query the guest follows with the next one
 *    within microseconds) the window above applies on a GPU too: sleeping at once there made
 *    such a round trip 15.9 us against 1.6 us.
 */
#define PV_RING_YIELD_MIN_NS 10000ull
#define PV_RING_YIELD_MAX_NS 250000ull
#define PV_RING_SLEEP_MIN_NS 10000ull
#define PV_RING_SLEEP_MAX_NS 1000000ull

static void
relax(const struct pv_ring *ring, uint64_t quiet_ns)
{
   if (quiet_ns < ring->yield_ns && !ring->sleep_at_once) {
      sched_yield();
   } else {
      uint64_t step = quiet_ns / 8;
      step = step < PV_RING_SLEEP_MIN_NS ? PV_RING_SLEEP_MIN_NS : step;
      pv_os_sleep_ns(step > PV_RING_SLEEP_MAX_NS ? PV_RING_SLEEP_MAX_NS : step);
   }
}

uint64_t
pv_ring_next_yield_ns(uint64_t yield_ns, uint64_t gap_ns)
{
   if (gap_ns >= PV_RING_YIELD_MAX_NS)
      return PV_RING_YIELD_MIN_NS;
   uint64_t want = 2 * gap_ns > PV_RING_YIELD_MAX_NS ? PV_RING_YIELD_MAX_NS : 2 * gap_ns;
   uint64_t kept = yield_ns - yield_ns / 8;
   uint64_t next = want > kept ? want : kept;
   return next < PV_RING_YIELD_MIN_NS ? PV_RING_YIELD_MIN_NS : next;
}

static void
copy_out(struct pv_ring *ring, uint32_t n)
{
   uint32_t mask = ring->buffer_size - 1;
   uint32_t start = ring->cur & mask;
   uint32_t first = ring->buffer_size - start < n ? ring->buffer_size - start : n;
   memcpy(ring->chunk, ring->buffer + start, first);
   memcpy(ring->chunk + first, ring->buffer, n - first);
}

/* Publishes head: the guest's seqno for everything before it (venus-wire.md 4.3). */
static void
publish_head(struct pv_ring *ring, uint32_t head)
{
   atomic_store_explicit(ring->head, head, memory_order_release);
   atomic_store_explicit(&ring->done, head, memory_order_seq_cst);
   if (atomic_load_explicit(&ring->seqno_waiters, memory_order_seq_cst))
      pv_ring_wake(ring);
}

/*
 * After every command, so a guest waiting on an earlier command of the batch (or a context path
 * waiting in vkWaitRingSeqnoMESA) is answered even while a later command blocks. Without a
 * store-load fence: that full fence made the ring thread wait, after every command, for the
 * head's cache line to come back from the polling guest. Without it a context-path waiter that
 * registers just as head moves can miss this wake-up; it re-checks by itself within
 * PV_RING_SEQNO_RECHECK_NS (ring_seqno.c), and the batch's end publishes with the fence.
 */
static void
command_done(struct pv_exec *x, size_t consumed)
{
   struct pv_ring *ring = x->ring;
   uint32_t head = ring->batch_start + (uint32_t)consumed;
   atomic_store_explicit(ring->head, head, memory_order_release);
   atomic_store_explicit(&ring->done, head, memory_order_release);
   if (atomic_load_explicit(&ring->seqno_waiters, memory_order_relaxed))
      pv_ring_wake(ring);
}

/* Executes what the guest published; false when there was nothing. */
static bool
drain(struct pv_ring *ring)
{
   uint32_t tail = atomic_load_explicit(ring->tail, memory_order_acquire);
   uint32_t n = tail - ring->cur;
   if (n == 0)
      return false;
   ring->batch_start = ring->cur;
   if (n > ring->buffer_size) {
      pv_context_set_lost(ring->ctx, "ring 0x%llx: tail moved %u bytes past head, ring holds %u",
                          (unsigned long long)ring->id, n, ring->buffer_size);
   } else {
      copy_out(ring, n);
      pv_exec_run(&ring->exec, ring->chunk, n);
   }
   /* Even a lost context advances head, so the guest never waits forever. */
   ring->cur = tail;
   publish_head(ring, tail);
   return true;
}

void
pv_ring_wake(struct pv_ring *ring)
{
   pthread_mutex_lock(&ring->lock);
   pthread_cond_broadcast(&ring->cond);
   pthread_mutex_unlock(&ring->lock);
}

/*
 * How long an idle ring sleeps before it looks at tail by itself: first, then doubling up to the
 * most. A guest may publish work to a ring that says IDLE without notifying it: Mesa 25.0.7 sends
 * at most one notify per ring and millisecond of its own clock (vn_ring.c,
 * VN_RING_IDLE_TIMEOUT_NS), and stores tail with release order only before it reads IDLE. A
 * submission that lands as the ring goes idle, just after the guest's previous notify (a TCG
 * guest's clock need not agree with ours on what a millisecond is), then finds the ring asleep
 * with no notify on the way, and the guest waits for a fence forever (seen in tests/vm crash:
 * a bystander context stuck in its fence wait). The look bounds that stall; a ring idle for long
 * wakes once a second.
 */
#define PV_RING_RECHECK_MIN_NS 1000000ull
#define PV_RING_RECHECK_MAX_NS 1000000000ull

/* Waits on the ring's condition for at most `ns`. */
static void
wait_at_most(struct pv_ring *ring, uint64_t ns)
{
   struct timespec ts = pv_os_cond_deadline(ns);
   pthread_cond_timedwait(&ring->cond, &ring->lock, &ts);
}

/* IDLE, then sleep until notified or until tail moves; re-checks tail after publishing IDLE so a
 * guest that stored tail just before reading status is never missed (venus-wire.md 4.4). */
static void
idle_wait(struct pv_ring *ring)
{
   pthread_mutex_lock(&ring->lock);
   ring->notified = false;
   pthread_mutex_unlock(&ring->lock);
   pv_ring_status_set(ring, PV_RING_STATUS_IDLE);
   if (atomic_load_explicit(ring->tail, memory_order_seq_cst) == ring->cur) {
      pv_stat_add(&ring->exec.stats.idle, 1);
      pthread_mutex_lock(&ring->lock);
      /* A vkNotifyRingMESA on the context path wakes us (ring_seqno.c relies on this), or our
       * own look at tail. */
      ring->sleeping = true;
      pthread_cond_broadcast(&ring->cond);
      uint64_t step = PV_RING_RECHECK_MIN_NS, slept = 0;
      while (!ring->notified && !ring->stop &&
             atomic_load_explicit(ring->tail, memory_order_seq_cst) == ring->cur) {
         wait_at_most(ring, step);
         slept += step;
         step = step * 2 > PV_RING_RECHECK_MAX_NS ? PV_RING_RECHECK_MAX_NS : step * 2;
      }
      if (!ring->notified && !ring->stop)
         pv_dbg("ring 0x%llx: work published without a notify, seen within %llu ms of idle",
                (unsigned long long)ring->id, (unsigned long long)(slept / 1000000u));
      if (ring->notified)
         pv_stat_add(&ring->exec.stats.wakeups, 1);
      ring->sleeping = false;
      pthread_mutex_unlock(&ring->lock);
   }
   pv_ring_status_clear(ring, PV_RING_STATUS_IDLE);
}

static void *
ring_thread(void *arg)
{
   struct pv_ring *ring = arg;
   pv_os_thread_precise_sleeps();
   uint64_t last_work = pv_os_time_ns();
   ring->yield_ns = PV_RING_YIELD_MIN_NS;
   while (!atomic_load_explicit(&ring->stop, memory_order_acquire)) {
      uint64_t now = pv_os_time_ns();
      if (drain(ring)) {
         ring->yield_ns = pv_ring_next_yield_ns(ring->yield_ns, now - last_work);
         ring->sleep_at_once = ring->exec.host_submitted &&
                               atomic_load_explicit(&ring->ctx->on_gpu, memory_order_relaxed);
         ring->exec.host_submitted = false;
         last_work = pv_os_time_ns();
         continue;
      }
      uint64_t quiet = now - last_work;
      if (quiet < ring->idle_timeout_ns) {
         relax(ring, quiet);
         continue;
      }
      idle_wait(ring);
      ring->yield_ns = PV_RING_YIELD_MIN_NS; /* the guest went quiet: learn its pace again */
      last_work = pv_os_time_ns();
   }
   return NULL;
}

static void
ring_free(struct pv_ring *ring)
{
   if (ring->charged)
      pv_venus_uncharge(ring->ctx, PV_QUOTA_BLOB_BYTES, ring->buffer_size);
   pv_exec_fini(&ring->exec);
   pv_resource_put(ring->res);
   pthread_mutex_destroy(&ring->lock);
   pthread_cond_destroy(&ring->cond);
   free(ring->chunk);
   free(ring);
}

static struct pv_ring *
ring_new(struct pv_context *ctx, uint64_t id, const VkRingCreateInfoMESA *ci,
         struct pv_resource *res)
{
   struct pv_ring *ring = calloc(1, sizeof(*ring));
   uint8_t *chunk = malloc(ci->bufferSize);
   if (!ring || !chunk) {
      free(ring);
      free(chunk);
      return NULL;
   }
   uint8_t *base = (uint8_t *)res->map + ci->offset;
   ring->id = id;
   ring->ctx = ctx;
   ring->res = res;
   ring->head = (_Atomic uint32_t *)(base + ci->headOffset);
   ring->tail = (_Atomic uint32_t *)(base + ci->tailOffset);
   ring->status = (_Atomic uint32_t *)(base + ci->statusOffset);
   ring->buffer = base + ci->bufferOffset;
   ring->buffer_size = (uint32_t)ci->bufferSize;
   ring->extra = ci->extraSize ? base + ci->extraOffset : NULL;
   ring->extra_size = ci->extraSize;
   ring->idle_timeout_ns =
      ci->idleTimeout < PV_RING_IDLE_TIMEOUT_MAX_NS ? ci->idleTimeout : PV_RING_IDLE_TIMEOUT_MAX_NS;
   ring->chunk = chunk;
   ring->cur = atomic_load(ring->head);
   atomic_init(&ring->done, ring->cur);
   atomic_init(&ring->seqno_waiters, 0);
   pthread_mutex_init(&ring->lock, NULL);
   pthread_cond_init(&ring->cond, NULL);
   pv_exec_init(&ring->exec, ctx, ring);
   ring->exec.command_done = command_done;
   return ring;
}

struct pv_ring *
pv_ring_find_locked(struct pv_context *ctx, uint64_t id)
{
   for (struct pv_ring *r = ctx->rings; r; r = r->next)
      if (r->id == id)
         return r;
   return NULL;
}

/*
 * Wire 1 chain: VkRingMonitorInfoMESA asks for ALIVE reports; VkRingPriorityInfoMESA carries the
 * guest thread's nice value. Priority is accepted and not applied: raising a thread's priority
 * needs privileges the server should not have, and lowering it would only slow the guest.
 */
static const char *
read_chain(struct pv_ring *ring, const VkRingCreateInfoMESA *ci)
{
   for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
      if (s->sType == (VkStructureType)PV_STYPE_RING_MONITOR_INFO_MESA) {
         uint32_t us = ((const VkRingMonitorInfoMESA *)s)->maxReportingPeriodMicroseconds;
         if (us == 0)
            return "ring monitor with a zero reporting period";
         ring->monitor_period_us = us < PV_RING_MONITOR_MIN_US ? PV_RING_MONITOR_MIN_US : us;
      } else if (s->sType != (VkStructureType)PV_STYPE_RING_PRIORITY_INFO_MESA) {
         return "unknown struct in the create chain";
      }
   }
   return NULL;
}

static unsigned
ring_count_locked(struct pv_context *ctx)
{
   unsigned n = 0;
   for (struct pv_ring *r = ctx->rings; r; r = r->next)
      n++;
   return n;
}

_Static_assert(PV_RING_STATUS_FATAL == PV_RING_STATUS_FATAL_BIT, "the public FATAL bit");

void
pv_ring_handle_create(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateRingMESA *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   const VkRingCreateInfoMESA *ci = a->pCreateInfo;
   if (!ci || a->ring == 0) {
      pv_venus_fatal(c, "vkCreateRingMESA without create info or with ring id 0");
      return;
   }
   struct pv_resource *res = pv_context_resource_get(ctx, ci->resourceId);
   const char *why = check_layout(ci, res);
   pthread_mutex_lock(&ctx->rings_lock);
   /* A ring's own commands may create rings: one still executing while the context is torn down
    * must not add a ring whose thread nobody would join (it would run on the freed context). */
   if (!why && ctx->rings_closed)
      why = "the context is being destroyed";
   if (!why && pv_ring_find_locked(ctx, a->ring))
      why = "ring id already in use";
   if (!why && ring_count_locked(ctx) >= ctx->max_rings)
      why = "too many rings (--max-rings)";
   /* The private copy of the buffer is host memory the guest makes us hold: charged like a
    * blob, so many rings over one blob cannot multiply it past the quota. */
   bool charged = !why && pv_venus_charge(ctx, PV_QUOTA_BLOB_BYTES, ci->bufferSize);
   if (!why && !charged)
      why = "its copy buffer is over the blob quota";
   struct pv_ring *ring = why ? NULL : ring_new(ctx, a->ring, ci, res);
   if (!why && !ring) {
      pv_venus_uncharge(ctx, PV_QUOTA_BLOB_BYTES, ci->bufferSize);
      why = "out of memory";
   }
   if (ring)
      ring->charged = true;
   if (ring && (why = read_chain(ring, ci)) != NULL) {
      ring->res = NULL; /* still ours to put below */
      ring_free(ring);
      ring = NULL;
   }
   if (ring && ring->monitor_period_us) {
      /* Reported from the start: the guest's watchdog may look before the first period ends. */
      pv_ring_status_set(ring, PV_RING_STATUS_ALIVE);
      ring->next_report_ns = 0;
   }
   if (ring && ctx->wire_format == 1 && pv_context_is_lost(ctx))
      pv_ring_status_set(ring, PV_RING_STATUS_FATAL);
   /* A replayed ring's batches come from the capture, in its order (pv_ring_replay_batch). */
   bool own_thread = !ctx->capture || !pv_capture_is_replay(ctx->capture);
   if (ring && own_thread && pthread_create(&ring->thread, NULL, ring_thread, ring) != 0) {
      ring->res = NULL; /* still ours to put below */
      ring_free(ring);
      ring = NULL;
      why = "cannot start the ring thread";
   }
   if (ring) {
      ring->has_thread = own_thread;
      ring->next = ctx->rings;
      ctx->rings = ring;
   }
   /* Started under rings_lock too: rings_closed then also means no monitor starts after
    * pv_ring_destroy_all, and two paths creating monitored rings start one monitor. */
   bool monitor_failed = ring && ring->monitor_period_us && !pv_ring_monitor_start(ctx);
   pthread_mutex_unlock(&ctx->rings_lock);
   if (ring && !own_thread)
      pv_replay_ring_created(ctx); /* its first batch may already wait for it */
   if (why) {
      pv_resource_put(res);
      pv_venus_fatal(c, "vkCreateRingMESA 0x%llx: %s", (unsigned long long)a->ring, why);
      return;
   }
   if (monitor_failed)
      pv_venus_fatal(c, "vkCreateRingMESA 0x%llx: cannot start the ring monitor",
                     (unsigned long long)a->ring);
   /* check_layout kept the status word inside the resource: no overflow here */
   if (ctx->ring_cb && ctx->wire_format == 1)
      ctx->ring_cb(ctx->ring_cb_data, ci->resourceId, ci->offset + ci->statusOffset);
}

static void
ring_stop(struct pv_ring *ring)
{
   pthread_mutex_lock(&ring->lock);
   ring->stop = true;
   pthread_cond_broadcast(&ring->cond);
   pthread_mutex_unlock(&ring->lock);
   /* A ring blocked in a host wait finishes that command first (the wait has the guest's own
    * timeout). */
   if (ring->has_thread)
      pthread_join(ring->thread, NULL);
   /* Its counts stay in the context's totals (pv_context_get_stats). */
   pthread_mutex_lock(&ring->ctx->rings_lock);
   pv_exec_stats_retire(&ring->ctx->retired, &ring->exec.stats);
   pthread_mutex_unlock(&ring->ctx->rings_lock);
   ring_free(ring);
}

void
pv_ring_handle_destroy(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkDestroyRingMESA *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   /* Replay: the ring's recorded batches all ran before its thread was joined; wait for them. */
   if (ctx->capture && pv_capture_is_replay(ctx->capture))
      pv_replay_ring_done(ctx, a->ring);
   pthread_mutex_lock(&ctx->rings_lock);
   struct pv_ring **link = &ctx->rings;
   while (*link && (*link)->id != a->ring)
      link = &(*link)->next;
   struct pv_ring *ring = *link;
   /* Only the context path destroys rings (Mesa submits it there): a ring destroying another
    * could free it under a context-path vkWaitRingSeqnoMESA (ring_seqno.c keeps the pointer),
    * and two rings destroying each other would each wait for the other's thread forever. */
   const char *why = pv_exec_from(c)->ring ? "sent on a ring" : !ring ? "unknown ring" : NULL;
   if (!why)
      *link = ring->next;
   pthread_mutex_unlock(&ctx->rings_lock);
   if (why) {
      pv_venus_fatal(c, "vkDestroyRingMESA 0x%llx: %s", (unsigned long long)a->ring, why);
      return;
   }
   ring_stop(ring);
}

void
pv_ring_settle_recorders(struct pv_context *ctx)
{
   if (ctx->renderer->record_min_run == PV_RECORDER_OFF)
      return;
   if (ctx->exec.recorder)
      pv_recorder_settle(ctx->exec.recorder); /* the context path's */
   /* Under rings_lock: a ring destroyed meanwhile is off the list before its recorder stops. */
   pthread_mutex_lock(&ctx->rings_lock);
   for (struct pv_ring *r = ctx->rings; r; r = r->next)
      if (r->exec.recorder)
         pv_recorder_settle(r->exec.recorder);
   pthread_mutex_unlock(&ctx->rings_lock);
}

void
pv_ring_handle_notify(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkNotifyRingMESA *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   pthread_mutex_lock(&ctx->rings_lock);
   struct pv_ring *ring = pv_ring_find_locked(ctx, a->ring);
   if (ring) {
      pthread_mutex_lock(&ring->lock);
      ring->notified = true;
      pthread_cond_broadcast(&ring->cond);
      pthread_mutex_unlock(&ring->lock);
   }
   pthread_mutex_unlock(&ctx->rings_lock);
   if (!ring)
      pv_venus_fatal(c, "vkNotifyRingMESA: unknown ring 0x%llx", (unsigned long long)a->ring);
}

void
pv_ring_handle_write_extra(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkWriteRingExtraMESA *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   pthread_mutex_lock(&ctx->rings_lock);
   struct pv_ring *ring = pv_ring_find_locked(ctx, a->ring);
   bool ok = ring && ring->extra && (a->offset & 3) == 0 && a->offset <= ring->extra_size &&
             ring->extra_size - a->offset >= 4;
   if (ok)
      atomic_store_explicit((_Atomic uint32_t *)(ring->extra + a->offset), a->value,
                            memory_order_release);
   pthread_mutex_unlock(&ctx->rings_lock);
   if (!ok)
      pv_venus_fatal(c, "vkWriteRingExtraMESA: ring 0x%llx offset %zu is not valid",
                     (unsigned long long)a->ring, a->offset);
}

bool
pv_ring_exists(struct pv_context *ctx, uint64_t ring_id)
{
   pthread_mutex_lock(&ctx->rings_lock);
   bool found = pv_ring_find_locked(ctx, ring_id) != NULL;
   pthread_mutex_unlock(&ctx->rings_lock);
   return found;
}

bool
pv_ring_replay_batch(struct pv_context *ctx, uint64_t ring_id, const void *data, uint32_t size)
{
   pthread_mutex_lock(&ctx->rings_lock);
   struct pv_ring *ring = pv_ring_find_locked(ctx, ring_id);
   pthread_mutex_unlock(&ctx->rings_lock);
   /* Only this thread runs the ring's batches, and vkDestroyRingMESA waits for it to finish
    * them (pv_replay_ring_done), so the ring stays while we use it. */
   if (!ring || ring->has_thread || size > ring->buffer_size)
      return false;
   ring->batch_start = ring->cur;
   memcpy(ring->chunk, data, size);
   pv_exec_run(&ring->exec, ring->chunk, size);
   ring->cur += size;
   publish_head(ring, ring->cur);
   return true;
}

void
pv_ring_context_lost(struct pv_context *ctx)
{
   pthread_mutex_lock(&ctx->rings_lock);
   for (struct pv_ring *r = ctx->rings; r; r = r->next) {
      /* Wire 1 guests abort on FATAL instead of waiting for answers that mean nothing now. */
      if (ctx->wire_format == 1)
         pv_ring_status_set(r, PV_RING_STATUS_FATAL);
      pv_ring_wake(r); /* out of vkWaitVirtqueueSeqnoMESA / vkWaitRingSeqnoMESA */
   }
   pthread_mutex_unlock(&ctx->rings_lock);
}

void
pv_ring_wake_all(struct pv_context *ctx)
{
   pthread_mutex_lock(&ctx->rings_lock);
   for (struct pv_ring *r = ctx->rings; r; r = r->next)
      pv_ring_wake(r);
   pthread_mutex_unlock(&ctx->rings_lock);
}

/* Every ring has run what its guest published (woken first: it may be asleep); false if some
 * still has work after `ms` milliseconds or the context is stopping. */
bool
pv_ring_wait_caught_up(struct pv_context *ctx, uint32_t ms)
{
   for (uint32_t waited = 0;; waited++) {
      bool behind = false;
      pthread_mutex_lock(&ctx->rings_lock);
      for (struct pv_ring *r = ctx->rings; r; r = r->next) {
         uint32_t tail = atomic_load_explicit(r->tail, memory_order_acquire);
         if (atomic_load_explicit(&r->done, memory_order_acquire) != tail) {
            behind = true;
            pthread_mutex_lock(&r->lock);
            r->notified = true;
            pthread_cond_broadcast(&r->cond);
            pthread_mutex_unlock(&r->lock);
         }
      }
      pthread_mutex_unlock(&ctx->rings_lock);
      if (!behind)
         return true;
      if (waited >= ms || atomic_load(&ctx->stopping))
         return false;
      pv_os_sleep_ns(1000000);
   }
}

void
pv_ring_destroy_all(struct pv_context *ctx)
{
   /* Closed in the same step as the list is taken: a ring thread in vkCreateRingMESA either
    * added its ring before (it is in the list, stopped and joined below) or is refused. */
   pthread_mutex_lock(&ctx->rings_lock);
   ctx->rings_closed = true;
   struct pv_ring *list = ctx->rings;
   ctx->rings = NULL;
   pthread_mutex_unlock(&ctx->rings_lock);
   while (list) {
      struct pv_ring *next = list->next;
      ring_stop(list);
      list = next;
   }
   /* Last: until every ring thread is joined, one of them may still start the monitor. */
   pv_ring_monitor_stop(ctx);
}

