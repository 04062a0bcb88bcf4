/* SPDX-License-Identifier: MIT */
/*
 * Fences of the virgl front end: events arrive from any thread (worker links, ring threads), are
 * queued in order, and reach the VMM the way it asked at init:
 *  - default: from virgl_renderer_poll, on the VMM's thread (QEMU: calling it back from another
 *    thread would deadlock, see qemu-venus.md §5);
 *  - THREAD_SYNC: the same, and virgl_renderer_get_poll_fd() becomes readable when something is
 *    queued, so the VMM knows when to poll; each context also has an fd of its own
 *    (virgl_renderer_context_get_poll_fd), readable when one of its fences is queued, and
 *    virgl_renderer_context_poll delivers only that context's (VMMs that watch contexts apart);
 *  - THREAD_SYNC | ASYNC_FENCE_CB (libkrun): from our own fence thread, never from inside a call
 *    the VMM made, one callback at a time.
 * Global (ctx 0) fences retire once every context has completed the submissions made before the
 * fence; they are delivered in id order because the VMM retires every fence up to the id it gets.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"
#include "util/os.h"
#include "virgl/frontend.h"

struct vg_global_fence {
   uint32_t id;
   uint32_t waiting; /* backends that still have to complete earlier work */
   struct vg_global_fence *next;
};

struct vg_marker {
   uint64_t target;
   struct vg_global_fence *fence;
   struct vg_marker *next;
};

/* A fence created and not retired yet, for virgl_renderer_export_fence (in creation order). */
struct vg_pending {
   uint64_t id;
   struct vg_backend *from; /* NULL for global fences */
   struct vg_pending *next;
};

struct vg_event {
   bool global;
   uint32_t ctx_id;
   uint32_t ring_idx;
   uint64_t fence_id;
   struct vg_backend *from; /* NULL for global fences */
   struct vg_event *next;
};

static struct {
   pthread_mutex_t lock;
   pthread_cond_t wake; /* the async thread waits here */
   bool initialized;
   struct vg_callbacks cbs;
   bool async;
   bool stop;
   pthread_t thread;
   struct pv_os_event poll_event;
   struct vg_track *tracks;
   struct vg_global_fence *globals, **globals_tail;
   struct vg_event *events, **events_tail;
   /* the export ledger: what is pending, the highest id retired since the last reset, and
    * whether a pending fence could not be recorded (then no fence is called signalled) */
   struct vg_pending *pending, **pending_tail;
   uint64_t max_retired;
   bool any_retired;
   bool ledger_lost;
   /* the newest fence created, for the poll's grace (wait_for_newest) */
   struct vg_pending newest;
   uint64_t newest_created_ns;
   bool newest_pending, newest_waited;
   pthread_cond_t newest_retired; /* broadcast when newest_pending turns false */
   unsigned grace_misses, grace_skips;
} F = {.lock = PTHREAD_MUTEX_INITIALIZER,
       .wake = PTHREAD_COND_INITIALIZER,
       .newest_retired = PTHREAD_COND_INITIALIZER,
       .poll_event = {-1, -1}};

static void
newest_done_locked(void)
{
   F.newest_pending = false;
   pthread_cond_broadcast(&F.newest_retired);
}

/* ----- the event queue (lock held) --------------------------------------------------------- */

static void
push_event_locked(struct vg_event *e)
{
   e->next = NULL;
   *F.events_tail = e;
   F.events_tail = &e->next;
   if (F.async) {
      pthread_cond_signal(&F.wake);
      return;
   }
   if (F.poll_event.poll_fd >= 0)
      pv_os_event_signal(&F.poll_event);
   if (e->from && e->from->track.poll_event.poll_fd >= 0)
      pv_os_event_signal(&e->from->track.poll_event);
}

/* Empties an event's fd (THREAD_SYNC): readable again only when something new is queued. */
static void
drain_event(struct pv_os_event *ev)
{
   if (ev->poll_fd < 0)
      return;
   uint64_t drain;
   while (read(ev->poll_fd, &drain, sizeof(drain)) > 0)
      continue;
}

static struct vg_event *
take_events_locked(void)
{
   struct vg_event *list = F.events;
   F.events = NULL;
   F.events_tail = &F.events;
   return list;
}

/* Unlinks the events `b` queued, in their order; the others keep theirs. */
static struct vg_event *
take_events_from_locked(const struct vg_backend *b)
{
   struct vg_event *taken = NULL, **taken_tail = &taken;
   struct vg_event **p = &F.events;
   F.events_tail = &F.events;
   while (*p) {
      struct vg_event *e = *p;
      if (e->from == b) {
         *p = e->next;
         e->next = NULL;
         *taken_tail = e;
         taken_tail = &e->next;
      } else {
         F.events_tail = &e->next;
         p = &e->next;
      }
   }
   return taken;
}

static void
free_events(struct vg_event *e)
{
   while (e) {
      struct vg_event *next = e->next;
      free(e);
      e = next;
   }
}

/* Calls the VMM without our lock: a callback may call back into the library. */
static void
deliver(const struct vg_callbacks *cbs, struct vg_event *e)
{
   while (e) {
      struct vg_event *next = e->next;
      if (e->global && cbs->write_fence)
         cbs->write_fence(cbs->cookie, (uint32_t)e->fence_id);
      else if (!e->global && cbs->write_context_fence)
         cbs->write_context_fence(cbs->cookie, e->ctx_id, e->ring_idx, e->fence_id);
      free(e);
      e = next;
   }
}

/* ----- the export ledger (lock held) --------------------------------------------------------- */

static void
ledger_add_locked(struct vg_backend *from, uint64_t id)
{
   struct vg_pending *p = calloc(1, sizeof(*p));
   if (!p) {
      F.ledger_lost = true;
      return;
   }
   p->id = id;
   p->from = from;
   F.newest = *p;
   F.newest_created_ns = pv_os_time_ns();
   F.newest_pending = true;
   F.newest_waited = false;
   if (!F.pending_tail)
      F.pending_tail = &F.pending;
   *F.pending_tail = p;
   F.pending_tail = &p->next;
}

/* Unlinks *p (lock held), keeping the tail right. */
static void
ledger_unlink_locked(struct vg_pending **p)
{
   struct vg_pending *gone = *p;
   *p = gone->next;
   if (!*p)
      F.pending_tail = p;
   free(gone);
}

/* Fences retire in creation order per timeline, so the entry is found near the head. */
static void
ledger_retire_locked(const struct vg_backend *from, uint64_t id)
{
   for (struct vg_pending **p = &F.pending; *p; p = &(*p)->next) {
      if ((*p)->from == from && (*p)->id == id) {
         ledger_unlink_locked(p);
         break;
      }
   }
   if (F.newest.from == from && F.newest.id == id)
      newest_done_locked();
   if (!F.any_retired || id > F.max_retired)
      F.max_retired = id;
   F.any_retired = true;
}

/* A destroyed context's fences never retire; nothing will signal them later either. */
static void
ledger_drop_locked(const struct vg_backend *from)
{
   struct vg_pending **p = &F.pending;
   if (F.newest.from == from)
      newest_done_locked();
   while (*p) {
      if ((*p)->from == from)
         ledger_unlink_locked(p);
      else
         p = &(*p)->next;
   }
}

static void
ledger_clear_locked(void)
{
   while (F.pending) {
      struct vg_pending *next = F.pending->next;
      free(F.pending);
      F.pending = next;
   }
   F.pending_tail = &F.pending;
   newest_done_locked();
   F.max_retired = 0;
   F.any_retired = false;
   F.ledger_lost = false;
}

enum vg_fence_state
vg_fences_state(uint64_t fence_id)
{
   enum vg_fence_state st = VG_FENCE_UNKNOWN;
   pthread_mutex_lock(&F.lock);
   for (struct vg_pending *p = F.pending; p; p = p->next)
      if (p->id == fence_id)
         st = VG_FENCE_PENDING;
   if (st == VG_FENCE_UNKNOWN && !F.ledger_lost && F.any_retired && fence_id <= F.max_retired)
      st = VG_FENCE_SIGNALLED;
   pthread_mutex_unlock(&F.lock);
   return st;
}

void
vg_fences_context_created(struct vg_backend *b, uint64_t fence_id)
{
   pthread_mutex_lock(&F.lock);
   if (b->track.attached)
      ledger_add_locked(b, fence_id);
   pthread_mutex_unlock(&F.lock);
}

/* ----- global fences (lock held) ----------------------------------------------------------- */

static void
release_ready_globals_locked(void)
{
   while (F.globals && F.globals->waiting == 0) {
      struct vg_global_fence *g = F.globals;
      F.globals = g->next;
      if (!F.globals)
         F.globals_tail = &F.globals;
      ledger_retire_locked(NULL, g->id);
      struct vg_event *e = calloc(1, sizeof(*e));
      if (e) {
         e->global = true;
         e->fence_id = g->id;
         push_event_locked(e);
      } else {
         pv_err("virgl: out of memory: global fence %u is not delivered", g->id);
      }
      free(g);
   }
}

/* Releases the markers of `t` whose target is done (all of them when `all`). */
static void
release_markers_locked(struct vg_track *t, bool all)
{
   while (t->markers && (all || t->markers->target <= t->done)) {
      struct vg_marker *m = t->markers;
      t->markers = m->next;
      m->fence->waiting--;
      free(m);
   }
   release_ready_globals_locked();
}

static void
unlink_track_locked(struct vg_track *t)
{
   for (struct vg_track **p = &F.tracks; *p; p = &(*p)->next) {
      if (*p == t) {
         *p = t->next;
         break;
      }
   }
   t->next = NULL;
}

/* ----- the async delivery thread ------------------------------------------------------------- */

static void *
fence_thread(void *arg)
{
   (void)arg;
   pthread_mutex_lock(&F.lock);
   while (!F.stop) {
      if (!F.events) {
         pthread_cond_wait(&F.wake, &F.lock);
         continue;
      }
      struct vg_event *list = take_events_locked();
      struct vg_callbacks cbs = F.cbs;
      pthread_mutex_unlock(&F.lock);
      deliver(&cbs, list);
      pthread_mutex_lock(&F.lock);
   }
   pthread_mutex_unlock(&F.lock);
   return NULL;
}

/* ----- lifecycle ----------------------------------------------------------------------------- */

int
vg_fences_init(const struct vg_callbacks *cbs, bool thread_sync, bool async)
{
   pthread_mutex_lock(&F.lock);
   F.cbs = *cbs;
   F.async = async;
   F.stop = false;
   F.events = NULL;
   F.events_tail = &F.events;
   F.globals = NULL;
   F.globals_tail = &F.globals;
   F.grace_misses = F.grace_skips = 0;
   int ret = 0;
   if (thread_sync && !async) {
      if (pv_os_event_init(&F.poll_event) != 0) {
         ret = -errno;
      } else {
         int fl = fcntl(F.poll_event.poll_fd, F_GETFL);
         fcntl(F.poll_event.poll_fd, F_SETFL, fl | O_NONBLOCK);
      }
   }
   if (ret == 0 && async && pthread_create(&F.thread, NULL, fence_thread, NULL) != 0)
      ret = -EAGAIN;
   F.initialized = ret == 0;
   pthread_mutex_unlock(&F.lock);
   return ret;
}

void
vg_fences_reset(void)
{
   pthread_mutex_lock(&F.lock);
   struct vg_event *list = take_events_locked();
   while (F.globals) {
      struct vg_global_fence *g = F.globals;
      F.globals = g->next;
      free(g);
   }
   F.globals_tail = &F.globals;
   ledger_clear_locked();
   pthread_mutex_unlock(&F.lock);
   free_events(list);
}

void
vg_fences_fini(void)
{
   pthread_mutex_lock(&F.lock);
   bool had_thread = F.initialized && F.async;
   F.stop = true;
   pthread_cond_broadcast(&F.wake);
   pthread_mutex_unlock(&F.lock);
   if (had_thread)
      pthread_join(F.thread, NULL);
   vg_fences_reset();
   pthread_mutex_lock(&F.lock);
   pv_os_event_fini(&F.poll_event);
   F.initialized = false;
   F.async = false;
   pthread_mutex_unlock(&F.lock);
}

/*
 * Lets each backend report what its fence page shows before the queue is taken, so a fence the
 * worker retired since QEMU's command is delivered by the poll that follows the command, not by
 * the 10 ms timer. Without our lock: a backend reports through the functions below. The list of
 * tracks changes only in attach/detach, on the VMM's thread, which is this one.
 */
static void
poll_backends(void)
{
   for (struct vg_track *t = F.tracks; t; t = t->next)
      if (t->backend->ops->poll)
         t->backend->ops->poll(t->backend);
}

/*
 * The poll's grace. QEMU 10.0 without init flags polls right after each batch of control
 * commands, a microsecond after the command that created a fence, and then only every 10 ms. A
 * worker process cannot even be woken in that microsecond, so without waiting every fence,
 * however little work it covers, is delivered by the timer: 10 ms per fence on a quiet machine
 * (virglrenderer 1.1.1's ring fences too; BENCHMARKS.md, VM fences). So the first poll after a
 * fence is created waits for it (wait_for_newest says how), at most
 * PEARVISOR_VIRGL_FENCE_GRACE_US after its creation; it ends as soon as the fence retires. That
 * bounds what a guest's work can cost the VMM's thread per fence. A guest whose fences keep
 * outlasting the grace (heavy work behind each) would make every wait time out, so after
 * PV_GRACE_MISSES timeouts in a row only one fence in PV_GRACE_RETRY is waited for, until one
 * retires within its grace again. Only for a VMM that has no other way to learn of a fence:
 * THREAD_SYNC's poll fd and ASYNC_FENCE_CB need none.
 */
#define PV_GRACE_MISSES 3u
#define PV_GRACE_RETRY 8u

static bool
grace_begin_locked(uint64_t *deadline)
{
   uint64_t grace = (uint64_t)vg_config_get()->fence_grace_us * 1000u;
   if (!grace || F.newest_waited || F.poll_event.poll_fd >= 0)
      return false;
   F.newest_waited = true;
   if (!F.newest_pending) {
      /* retired before its first poll, so within its grace: the back-off ends as when a
       * waited-for one retires (virgl-fence-grace failed now and then when the worker was
       * that quick right after a skipped fence) */
      F.grace_misses = 0;
      return false;
   }
   if (F.grace_misses >= PV_GRACE_MISSES && ++F.grace_skips % PV_GRACE_RETRY)
      return false;
   *deadline = F.newest_created_ns + grace;
   return true;
}

/* Sleeps on newest_retired until the newest fence retires or `deadline` (lock held). */
static void
sleep_for_newest_locked(uint64_t deadline)
{
   uint64_t now = pv_os_time_ns();
   if (now >= deadline)
      return;
   struct timespec ts = pv_os_cond_deadline(deadline - now);
   while (F.newest_pending && pthread_cond_timedwait(&F.newest_retired, &F.lock, &ts) != ETIMEDOUT)
      continue;
}

/*
 * First looks at the fence pages while yielding the core, for a worker that is awake; then
 * sleeps until the worker's message retires the fence. Sleeping frees the core: on a machine
 * with few cores a sleeping worker may be queued behind the VMM's other threads, and a core
 * going idle is what lets the scheduler move it there (yielding it for the whole grace left
 * global fences, which wake the worker after the guest's pause, missing it in a few per cent).
 */
#define PV_GRACE_SPIN_NS 20000ull

static void
wait_for_newest(void)
{
   uint64_t deadline;
   pthread_mutex_lock(&F.lock);
   bool wait = grace_begin_locked(&deadline);
   pthread_mutex_unlock(&F.lock);
   if (!wait)
      return;
   uint64_t spin_end = pv_os_time_ns() + PV_GRACE_SPIN_NS;
   bool pending = true;
   while (pending && pv_os_time_ns() < (spin_end < deadline ? spin_end : deadline)) {
      sched_yield();
      poll_backends();
      pthread_mutex_lock(&F.lock);
      pending = F.newest_pending;
      pthread_mutex_unlock(&F.lock);
   }
   if (pending) {
      pthread_mutex_lock(&F.lock);
      sleep_for_newest_locked(deadline);
      pthread_mutex_unlock(&F.lock);
      poll_backends(); /* the page may be ahead of the messages */
   }
   pthread_mutex_lock(&F.lock);
   F.grace_misses = F.newest_pending ? F.grace_misses + 1 : 0;
   pthread_mutex_unlock(&F.lock);
}

void
vg_fences_poll(void)
{
   pthread_mutex_lock(&F.lock);
   bool async = F.async;
   pthread_mutex_unlock(&F.lock);
   if (async)
      return; /* the fence thread delivers */
   poll_backends();
   wait_for_newest();
   pthread_mutex_lock(&F.lock);
   drain_event(&F.poll_event);
   for (struct vg_track *t = F.tracks; t; t = t->next)
      drain_event(&t->poll_event); /* every context's events go now */
   struct vg_event *list = take_events_locked();
   struct vg_callbacks cbs = F.cbs;
   pthread_mutex_unlock(&F.lock);
   deliver(&cbs, list);
}

int
vg_fences_poll_fd(void)
{
   pthread_mutex_lock(&F.lock);
   int fd = F.poll_event.poll_fd;
   pthread_mutex_unlock(&F.lock);
   return fd;
}

/* virgl_renderer_context_poll: only `b`'s fences, in order; the grace of vg_fences_poll is not
 * for this call (a VMM that watches a context's fd polls when it turns readable). */
void
vg_fences_context_poll(struct vg_backend *b)
{
   pthread_mutex_lock(&F.lock);
   bool async = F.async;
   pthread_mutex_unlock(&F.lock);
   if (async)
      return; /* the fence thread delivers */
   if (b->ops->poll)
      b->ops->poll(b);
   pthread_mutex_lock(&F.lock);
   drain_event(&b->track.poll_event);
   struct vg_event *list = take_events_from_locked(b);
   struct vg_callbacks cbs = F.cbs;
   pthread_mutex_unlock(&F.lock);
   deliver(&cbs, list);
}

int
vg_fences_context_poll_fd(struct vg_backend *b)
{
   pthread_mutex_lock(&F.lock);
   int fd = b->track.poll_event.poll_fd;
   pthread_mutex_unlock(&F.lock);
   return fd;
}

/* ----- backend events ------------------------------------------------------------------------ */

void
vg_fences_attach(struct vg_backend *b)
{
   pthread_mutex_lock(&F.lock);
   struct vg_track *t = &b->track;
   t->backend = b;
   t->attached = true;
   t->submitted = t->done = 0;
   t->markers = NULL;
   t->poll_event = (struct pv_os_event){-1, -1};
   /* THREAD_SYNC without ASYNC_FENCE_CB: the context's own fd, as virglrenderer makes one per
    * context in that mode (none in the others) */
   if (F.poll_event.poll_fd >= 0 && pv_os_event_init(&t->poll_event) == 0) {
      int fl = fcntl(t->poll_event.poll_fd, F_GETFL);
      fcntl(t->poll_event.poll_fd, F_SETFL, fl | O_NONBLOCK);
   }
   t->next = F.tracks;
   F.tracks = t;
   pthread_mutex_unlock(&F.lock);
}

void
vg_fences_detach(struct vg_backend *b)
{
   pthread_mutex_lock(&F.lock);
   struct vg_track *t = &b->track;
   if (t->attached) {
      t->attached = false;
      unlink_track_locked(t);
      t->done = t->submitted;
      release_markers_locked(t, true);
      pv_os_event_fini(&t->poll_event); /* set up by attach: never a backend's zeroed fds */
   }
   struct vg_event *dropped = take_events_from_locked(b);
   ledger_drop_locked(b);
   pthread_mutex_unlock(&F.lock);
   free_events(dropped);
}

uint64_t
vg_fences_next_submit(struct vg_backend *b)
{
   static uint64_t seq;
   pthread_mutex_lock(&F.lock);
   uint64_t s = ++seq;
   b->track.submitted = s;
   pthread_mutex_unlock(&F.lock);
   return s;
}

void
vg_fences_submit_done(struct vg_backend *b, uint64_t seq)
{
   pthread_mutex_lock(&F.lock);
   struct vg_track *t = &b->track;
   if (t->attached && seq > t->done && seq <= t->submitted) {
      t->done = seq;
      release_markers_locked(t, false);
   }
   pthread_mutex_unlock(&F.lock);
}

void
vg_fences_backend_dead(struct vg_backend *b)
{
   pthread_mutex_lock(&F.lock);
   struct vg_track *t = &b->track;
   t->done = t->submitted;
   release_markers_locked(t, true);
   pthread_mutex_unlock(&F.lock);
}

void
vg_fences_context_retired(struct vg_backend *b, uint32_t ring_idx, uint64_t fence_id)
{
   struct vg_event *e = calloc(1, sizeof(*e));
   pthread_mutex_lock(&F.lock);
   if (!e) {
      pv_err("virgl: out of memory: context %u fence %llu is not delivered", b->ctx_id,
             (unsigned long long)fence_id);
   } else if (!b->track.attached) {
      free(e); /* the context was destroyed: its fences go with it */
   } else {
      ledger_retire_locked(b, fence_id);
      e->ctx_id = b->ctx_id;
      e->ring_idx = ring_idx;
      e->fence_id = fence_id;
      e->from = b;
      push_event_locked(e);
   }
   pthread_mutex_unlock(&F.lock);
}

void
vg_fences_create_global(uint32_t fence_id)
{
   struct vg_global_fence *g = calloc(1, sizeof(*g));
   if (!g) {
      pv_err("virgl: out of memory: global fence %u is not delivered", fence_id);
      return;
   }
   g->id = fence_id;
   pthread_mutex_lock(&F.lock);
   ledger_add_locked(NULL, fence_id);
   for (struct vg_track *t = F.tracks; t; t = t->next) {
      if (t->done >= t->submitted)
         continue;
      struct vg_marker *m = calloc(1, sizeof(*m));
      if (!m)
         continue; /* cannot wait for it: retire earlier rather than never */
      m->target = t->submitted;
      m->fence = g;
      struct vg_marker **p = &t->markers;
      while (*p)
         p = &(*p)->next;
      *p = m;
      g->waiting++;
   }
   *F.globals_tail = g;
   F.globals_tail = &g->next;
   release_ready_globals_locked();
   pthread_mutex_unlock(&F.lock);
}
