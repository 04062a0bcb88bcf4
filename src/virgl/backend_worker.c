/* SPDX-License-Identifier: MIT */
/*
 * The default backend: each guest context runs in its own pearvisor-virgl-worker process
 * (worker_main.c), started with posix_spawn (fork without exec is not safe in a multi-threaded
 * VMM, and would leave the guest's RAM mapped in the worker), usually ahead of time
 * (worker_spawn.c: the spare). The front end speaks the worker
 * protocol over a socketpair through two threads per worker:
 *  - the sender writes queued requests, so a worker busy with guest work never blocks the VMM
 *    (submissions, fences and blob destruction are fire-and-forget);
 *  - the reader receives completions, retired fences and blob answers, and notices the worker's
 *    death (EOF), which loses the context: its pending fences retire, global fences stop waiting
 *    for it, and the VMM and every other context go on.
 * Blob creation is the one request the VMM waits for (it needs the fd to map); the wait is
 * bounded by PEARVISOR_VIRGL_REPLY_TIMEOUT_MS, after which the worker is killed.
 *
 * Fence latency. QEMU delivers fences only from virgl_renderer_poll: right after each control
 * command, then from a 10 ms timer. Two shortcuts let the poll right after the command see a
 * fence an idle worker retires at once: a request is written straight from the VMM's thread,
 * without blocking (MSG_DONTWAIT), when nothing is queued before it (the sender thread writes
 * the rest of one that does not fit); and the worker stores completions and retired fences in
 * the context's fence page (worker_protocol.h), which worker_poll reads without a system call.
 * What the page says is checked like a message: a fence never given kills the worker.
 */
/* F_ADD_SEALS */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/os.h"
#include "virgl/frontend.h"
#include "virgl/virgl_stats.h"
#include "virgl/worker_io.h"

/* Requests queued for a worker that has not taken them: past this the worker is stuck. */
#define MAX_QUEUED_BYTES (256ull << 20)

struct out_msg {
   uint32_t type;
   size_t size;
   size_t sent; /* header and body bytes already written */
   int fd;      /* passed with the first byte, then closed; -1: none */
   struct out_msg *next;
   uint8_t body[];
};

/* A shared-memory blob of the context (where its rings live), kept to tell the guest of the
 * worker's death. */
struct shm_blob {
   uint32_t res_id;
   int fd;
   struct shm_blob *next;
};

/* A wire 1 ring's status word, as the worker reported it. */
struct ring_status {
   uint32_t res_id;
   uint64_t offset;
   struct ring_status *next;
};

/* More rings than the renderer allows per context would be a worker lying. */
#define MAX_RING_STATUS 256

struct pending_fence {
   uint32_t ring_idx;
   uint64_t fence_id; /* the guest's */
   uint64_t seqno;    /* ours, in its ring's bucket: what the worker sees and reports */
   struct pending_fence *next;
};

/* Fence numbering buckets: one per ring index the fence page has, and one for every index above
 * (the worker refuses those at once, in order, and reports them by message only). */
#define FENCE_BUCKETS (PVW_FENCE_RINGS + 1)

static uint32_t
bucket_of(uint32_t ring_idx)
{
   return ring_idx < PVW_FENCE_RINGS ? ring_idx : PVW_FENCE_RINGS;
}

struct link {
   struct vg_backend base;
   int sock;
   pid_t pid;
   bool from_server; /* the VMM's render server started the worker (only it signals it) */
   pthread_t sender, reader;
   pthread_mutex_t lock;
   pthread_cond_t cond; /* queue, death, blob answers */
   struct out_msg *queue, **queue_tail;
   uint64_t queued_bytes;
   bool closing;  /* the context was destroyed: drain, then let the worker go */
   bool dead;     /* EOF from the worker */
   bool finished; /* the reader is done: the link may be joined and freed */
   bool sending;  /* the sender thread is writing a request outside the lock */
   uint64_t close_deadline;
   struct pending_fence *fences;
   uint64_t fence_given[FENCE_BUCKETS];   /* the last seqno sent per bucket */
   uint64_t fence_retired[FENCE_BUCKETS]; /* the last seqno retired per bucket */
   struct pvw_fence_page *page;           /* NULL: fences by message only */
   uint64_t page_done_seen;               /* the page's submit_done at the last poll */
   struct shm_blob *shm;
   struct ring_status *rings;
   uint32_t ring_count;
   uint32_t next_request, waiting_request;
   bool answer_ready;
   struct pvw_blob answer;
   int answer_fd;
   struct link *next_closing;
   bool tracked;           /* the page's statistics slot is listed (virgl_stats.h) */
   const char *killed_why; /* why the front end killed the worker, if it did */
   bool hung_up;           /* a request found the worker's socket closed (send_failed_locked) */
};

/* Destroyed links whose worker is still finishing; joined and freed later. */
static pthread_mutex_t closing_lock = PTHREAD_MUTEX_INITIALIZER;
static struct link *closing_links;
/* Worker processes that exist, closing ones included (under closing_lock). */
static uint32_t worker_count;

/* ----- the send queue ------------------------------------------------------------------------ */

static void
kill_worker_locked(struct link *l, const char *why)
{
   if (!l->dead) {
      pv_err("virgl: context %u: %s; its worker (pid %d) is killed, the context is lost",
             l->base.ctx_id, why, (int)l->pid);
      if (!l->killed_why)
         l->killed_why = why;
      vg_worker_kill(l->pid, l->from_server);
   }
}

/*
 * A request the worker's socket refused (`err`, a negative errno). EPIPE or ECONNRESET: the worker
 * hung up, so it ended (or closed its socket). It is not killed here: the reader gets its EOF at
 * once (our end is shut down too) and on_death tells how it ended, so a worker that crashed is
 * reported crashed rather than killed by us; one that lives on is killed by its reap. Any other
 * error: killed.
 */
static void
send_failed_locked(struct link *l, int err)
{
   if (err != -EPIPE && err != -ECONNRESET) {
      kill_worker_locked(l, "a request could not be sent");
      return;
   }
   if (!l->hung_up && !l->dead && !l->killed_why)
      pv_err("virgl: context %u: its worker (pid %d) hung up; the context is lost", l->base.ctx_id,
             (int)l->pid);
   l->hung_up = true;
   shutdown(l->sock, SHUT_RDWR);
}

static void
free_out_msg(struct out_msg *m)
{
   if (m->fd >= 0)
      close(m->fd);
   free(m);
}

/*
 * Writes what is left of `m`: its header, its body, its fd with the first byte. With
 * `nonblock`, stops where the socket is full (m->sent says how far it got). Returns 0, or a
 * negative errno when the worker cannot take it.
 */
static int
send_out_msg(int sock, struct out_msg *m, bool nonblock)
{
   const struct pvw_header hdr = {.type = m->type, .size = (uint32_t)m->size};
   const size_t total = sizeof(hdr) + m->size;
   while (m->sent < total) {
      struct iovec iov[2];
      int n = 0;
      if (m->sent < sizeof(hdr)) {
         iov[n++] = (struct iovec){(char *)&hdr + m->sent, sizeof(hdr) - m->sent};
         iov[n++] = (struct iovec){m->body, m->size};
      } else {
         iov[n++] = (struct iovec){m->body + (m->sent - sizeof(hdr)), total - m->sent};
      }
      union pvw_fd_control cm;
      struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n};
      if (m->fd >= 0 && m->sent == 0)
         pvw_attach_fd(&msg, &cm, m->fd);
      ssize_t w = sendmsg(sock, &msg, MSG_NOSIGNAL | (nonblock ? MSG_DONTWAIT : 0));
      if (w < 0 && errno == EINTR)
         continue;
      if (w < 0 && nonblock && (errno == EAGAIN || errno == EWOULDBLOCK))
         return 0;
      if (w <= 0)
         return w < 0 ? -errno : -EPIPE;
      m->sent += (size_t)w;
   }
   return 0;
}

/*
 * The VMM's thread writes a request itself when nothing is ahead of it, so an idle worker has
 * it without waiting for the sender thread to be scheduled; never blocking: what does not fit
 * is left to the sender. Returns true when `m` was written whole (and freed).
 */
static bool
send_direct_locked(struct link *l, struct out_msg *m)
{
   if (l->queue || l->sending || l->closing || m->fd >= 0)
      return false;
   int err = send_out_msg(l->sock, m, true);
   if (err != 0) {
      /* the reader sees its EOF; the request is dropped as the sender would drop it */
      send_failed_locked(l, err);
      m->sent = sizeof(struct pvw_header) + m->size;
   }
   if (m->sent < sizeof(struct pvw_header) + m->size)
      return false;
   free_out_msg(m);
   return true;
}

/* Queues a request (with `fd` to pass, which it takes); false when the worker is dead or
 * stuck. `extra` follows `body`. */
static bool
enqueue_fd(struct link *l, uint32_t type, const void *body, size_t size, const void *extra,
           size_t extra_size, int fd)
{
   struct out_msg *m = malloc(sizeof(*m) + size + extra_size);
   if (!m) {
      if (fd >= 0)
         close(fd);
      return false;
   }
   m->type = type;
   m->size = size + extra_size;
   m->sent = 0;
   m->fd = fd;
   m->next = NULL;
   memcpy(m->body, body, size);
   if (extra_size)
      memcpy(m->body + size, extra, extra_size);
   pthread_mutex_lock(&l->lock);
   if (l->dead || l->queued_bytes + m->size > MAX_QUEUED_BYTES) {
      if (!l->dead)
         kill_worker_locked(l, "more than 256 MiB of requests are waiting for it");
      pthread_mutex_unlock(&l->lock);
      free_out_msg(m);
      return false;
   }
   if (send_direct_locked(l, m)) {
      pthread_mutex_unlock(&l->lock);
      return true;
   }
   *l->queue_tail = m;
   l->queue_tail = &m->next;
   l->queued_bytes += m->size;
   pthread_cond_broadcast(&l->cond);
   pthread_mutex_unlock(&l->lock);
   return true;
}

static bool
enqueue(struct link *l, uint32_t type, const void *body, size_t size, const void *extra,
        size_t extra_size)
{
   return enqueue_fd(l, type, body, size, extra, extra_size, -1);
}

static void *
sender_main(void *arg)
{
   struct link *l = arg;
   pthread_mutex_lock(&l->lock);
   for (;;) {
      while (!l->queue && !l->closing && !l->dead)
         pthread_cond_wait(&l->cond, &l->lock);
      if (l->dead)
         break;
      if (!l->queue) { /* closing and drained: EOF tells the worker to tear down */
         shutdown(l->sock, SHUT_WR);
         break;
      }
      struct out_msg *m = l->queue;
      l->queue = m->next;
      if (!l->queue)
         l->queue_tail = &l->queue;
      l->sending = true;
      pthread_mutex_unlock(&l->lock);
      int ret = send_out_msg(l->sock, m, false);
      pthread_mutex_lock(&l->lock);
      l->sending = false;
      l->queued_bytes -= m->size;
      free_out_msg(m);
      if (ret != 0) {
         /* a worker that cannot take requests is of no use; the reader then sees its EOF */
         send_failed_locked(l, ret);
         break;
      }
   }
   while (l->queue) {
      struct out_msg *m = l->queue;
      l->queue = m->next;
      free_out_msg(m);
   }
   l->queue_tail = &l->queue;
   pthread_mutex_unlock(&l->lock);
   return NULL;
}

/* ----- what the worker sends ------------------------------------------------------------------ */

/*
 * Retires the pending fences of `bucket` up to `seqno`, in order; the fence page and the message
 * both report a fence, so one already retired is no news. Returns false for a fence never given:
 * only fences the VMM asked for are passed on, so a worker cannot make the VMM's queue grow.
 * Delivered under the link's lock (the order is link, then fences.c's), so that the page's
 * reader (the VMM's thread) and the message's (the reader thread) cannot swap two fences.
 */
static bool
retire_locked(struct link *l, uint32_t bucket, uint64_t seqno)
{
   if (seqno > l->fence_given[bucket])
      return false;
   if (seqno <= l->fence_retired[bucket])
      return true;
   l->fence_retired[bucket] = seqno;
   struct pending_fence **p = &l->fences;
   while (*p) {
      struct pending_fence *f = *p;
      if (bucket_of(f->ring_idx) == bucket && f->seqno <= seqno) {
         *p = f->next;
         vg_fences_context_retired(&l->base, f->ring_idx, f->fence_id);
         free(f);
      } else {
         p = &f->next;
      }
   }
   return true;
}

static void
on_fence_retired(struct link *l, const struct pvw_fence *f)
{
   pthread_mutex_lock(&l->lock);
   if (!retire_locked(l, bucket_of(f->ring_idx), f->fence_id))
      kill_worker_locked(l, "the worker retired a fence it was never given");
   pthread_mutex_unlock(&l->lock);
}

static void
on_blob(struct link *l, const struct pvw_blob *b, int fd)
{
   pthread_mutex_lock(&l->lock);
   if (l->waiting_request && b->request == l->waiting_request && !l->answer_ready) {
      l->answer = *b;
      l->answer_fd = fd;
      l->answer_ready = true;
      fd = -1;
      pthread_cond_broadcast(&l->cond);
   }
   pthread_mutex_unlock(&l->lock);
   if (fd >= 0)
      close(fd); /* an answer nobody waits for any more (timed out) */
}

static void
on_ring(struct link *l, const struct pvw_ring *r)
{
   struct ring_status *rs = calloc(1, sizeof(*rs));
   pthread_mutex_lock(&l->lock);
   if (rs && l->ring_count < MAX_RING_STATUS) {
      rs->res_id = r->res_id;
      rs->offset = r->offset;
      rs->next = l->rings;
      l->rings = rs;
      l->ring_count++;
      rs = NULL;
   }
   pthread_mutex_unlock(&l->lock);
   free(rs);
}

static void
dispatch(struct link *l, const struct pvw_header *hdr, const void *body, int fd)
{
   if (hdr->type == PVW_SUBMIT_DONE && hdr->size == sizeof(struct pvw_submit_done)) {
      struct pvw_submit_done d;
      memcpy(&d, body, sizeof(d));
      vg_fences_submit_done(&l->base, d.seq);
   } else if (hdr->type == PVW_FENCE_RETIRED && hdr->size == sizeof(struct pvw_fence)) {
      struct pvw_fence f;
      memcpy(&f, body, sizeof(f));
      on_fence_retired(l, &f);
   } else if (hdr->type == PVW_RING && hdr->size == sizeof(struct pvw_ring)) {
      struct pvw_ring r;
      memcpy(&r, body, sizeof(r));
      on_ring(l, &r);
   } else if (hdr->type == PVW_BLOB && hdr->size == sizeof(struct pvw_blob)) {
      struct pvw_blob b;
      memcpy(&b, body, sizeof(b));
      on_blob(l, &b, fd);
      fd = -1;
   } else {
      pthread_mutex_lock(&l->lock);
      kill_worker_locked(l, "malformed message from the worker");
      pthread_mutex_unlock(&l->lock);
   }
   if (fd >= 0)
      close(fd);
}

/* Waits for the next message; kills a closing worker that outstays its grace period. The
 * deadline is checked before every wait, not only when one times out: a worker that keeps
 * sending harmless messages after its context was destroyed must not outlive it. */
static void
wait_readable(struct link *l)
{
   for (;;) {
      pthread_mutex_lock(&l->lock);
      if (l->closing && !l->killed_why && pv_os_time_ns() > l->close_deadline)
         kill_worker_locked(l, "teardown takes too long");
      pthread_mutex_unlock(&l->lock);
      struct pollfd p = {.fd = l->sock, .events = POLLIN};
      if (poll(&p, 1, 100) > 0)
         return;
   }
}

/* Sets FATAL in one ring's status word through the context's own blob: what the renderer would
 * have done had it lived to see the context lost (pearvisor.h, pv_context_set_ring_callback). */
static void
set_ring_fatal(const struct shm_blob *b, uint64_t offset)
{
   const uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
   /* the file's size now, not what the worker claimed: touching past its end would be SIGBUS */
   struct stat st;
   if (fstat(b->fd, &st) != 0 || st.st_size < 0)
      return;
   const uint64_t size = (uint64_t)st.st_size;
   if (offset % 4 || offset > size || size - offset < 4)
      return;
   const uint64_t start = offset - offset % page;
   void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, b->fd, (off_t)start);
   if (p == MAP_FAILED)
      return;
   _Atomic uint32_t *status = (_Atomic uint32_t *)((uint8_t *)p + (offset - start));
   atomic_fetch_or(status, PV_RING_STATUS_FATAL_BIT);
   munmap(p, (size_t)page);
}

static void
tell_guest_locked(struct link *l)
{
   for (const struct ring_status *r = l->rings; r; r = r->next)
      for (const struct shm_blob *b = l->shm; b; b = b->next)
         if (b->res_id == r->res_id)
            set_ring_fatal(b, r->offset);
}

/* How the worker left, as the log and the context's record say it. */
static void
describe_end(char *state, size_t size, bool expected, const char *killed_why, bool reap_killed,
             int status)
{
   if (expected)
      snprintf(state, size, "destroyed");
   else if (killed_why)
      snprintf(state, size, "killed");
   else if (reap_killed) /* its socket closed, yet it lived on */
      snprintf(state, size, "killed after hanging up");
   else if (status != -1 && WIFSIGNALED(status))
      snprintf(state, size, "crashed (signal %d)", WTERMSIG(status));
   else if (status != -1 && WIFEXITED(status))
      snprintf(state, size, "exited (status %d)", WEXITSTATUS(status));
   else
      snprintf(state, size, "ended");
}

/* Files the context's record among the departed with why it left. The worker is gone, so the
 * front end may write the slot: a worker that died or was killed has its context shown lost. */
static void
untrack_stats(struct link *l, bool expected, const char *killed_why, const char *state)
{
   if (!l->tracked)
      return;
   struct vtest_stats_slot *slot = &l->page->stats;
   if (!expected) {
      struct vtest_stats_record r;
      vtest_stats_slot_read(slot, &r);
      if (!r.lost || !r.lost_reason[0])
         snprintf(r.lost_reason, sizeof(r.lost_reason), "its worker process %s%s%s", state,
                  killed_why ? ": " : "", killed_why ? killed_why : "");
      r.lost = 1;
      vtest_stats_slot_write(slot, &r);
   }
   vtest_stats_untrack(slot, state);
   l->tracked = false;
}

/* The worker is gone: the context is lost, and nothing the guest waits for may stay pending. */
static void
on_death(struct link *l)
{
   pthread_mutex_lock(&l->lock);
   l->dead = true;
   pthread_cond_broadcast(&l->cond);
   struct pending_fence *f = l->fences;
   l->fences = NULL;
   bool expected = l->closing;
   const char *killed_why = l->killed_why;
   if (!expected)
      tell_guest_locked(l);
   pthread_mutex_unlock(&l->lock);
   while (f) {
      struct pending_fence *next = f->next;
      vg_fences_context_retired(&l->base, f->ring_idx, f->fence_id);
      free(f);
      f = next;
   }
   vg_fences_backend_dead(&l->base);
   char state[64];
   bool reap_killed = false;
   /* EOF (or a request that found its socket closed) means the worker exited: it holds its end
    * of the socket until then. So it is reaped, not killed: a VMM that ignores SIGCHLD reaps it
    * itself (ECHILD here), and a pid we no longer own must never get a signal. Only a worker
    * that closed its socket and lives on is killed (reap_killed). */
   int status = vg_worker_reap(l->pid, l->from_server, true, &reap_killed);
   describe_end(state, sizeof(state), expected, killed_why, reap_killed, status);
   if (!expected)
      pv_err("virgl: context %u: worker %d %s; the context is lost", l->base.ctx_id, (int)l->pid,
             state);
   else if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 0)
      pv_warn("virgl: context %u: worker %d exited with status %d", l->base.ctx_id, (int)l->pid,
              WEXITSTATUS(status));
   untrack_stats(l, expected, killed_why, state);
}

/* One message of the worker's, once wait_readable saw its first byte. The worker may be hostile:
 * a message it has begun must be whole within the reply timeout and no larger than any message
 * a worker sends, else it counts as a broken socket (the reader then handles the worker as
 * dead: on_death reaps it, killing it if it lives on). Without the deadline, half a header
 * would hold the reader in a blocking read forever, and with it the context's teardown and the
 * VMM's cleanup. */
static int
recv_from_worker(struct link *l, struct pvw_header *hdr, void **body, int *fd)
{
   return pvw_recv_bounded(l->sock, hdr, body, fd, PVW_MAX_WORKER_MESSAGE,
                           vg_config_get()->reply_timeout_ms);
}

/* Whether the readable socket is at its end (the worker ended or closed it; or we shut it down,
 * send_failed_locked) rather than holding a message: on_death then says how the worker ended,
 * where a message that never comes whole is the worker's fault and gets it killed. */
static bool
worker_hung_up(struct link *l)
{
   char c;
   ssize_t n = recv(l->sock, &c, 1, MSG_PEEK | MSG_DONTWAIT);
   return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void *
reader_main(void *arg)
{
   struct link *l = arg;
   for (;;) {
      struct pvw_header hdr;
      void *body;
      int fd;
      wait_readable(l);
      if (worker_hung_up(l))
         break;
      if (recv_from_worker(l, &hdr, &body, &fd) != 0) {
         pthread_mutex_lock(&l->lock);
         if (!l->closing) /* a closing one is the reap's, as before */
            kill_worker_locked(l, "a message from the worker was malformed or incomplete");
         pthread_mutex_unlock(&l->lock);
         break;
      }
      dispatch(l, &hdr, body, fd);
      free(body);
   }
   on_death(l);
   pthread_mutex_lock(&l->lock);
   l->finished = true;
   pthread_cond_broadcast(&l->cond);
   pthread_mutex_unlock(&l->lock);
   return NULL;
}

/* ----- backend operations (the VMM's thread) ----------------------------------------------------
 */

static void
worker_submit(struct vg_backend *b, const void *data, size_t size, uint64_t seq)
{
   struct link *l = (struct link *)b;
   const struct pvw_submit s = {.seq = seq};
   if (size > PVW_MAX_BODY - sizeof(s)) {
      pthread_mutex_lock(&l->lock);
      kill_worker_locked(l, "a submission larger than 64 MiB");
      pthread_mutex_unlock(&l->lock);
      vg_fences_submit_done(b, seq);
      return;
   }
   if (!enqueue(l, PVW_SUBMIT, &s, sizeof(s), data, size))
      vg_fences_submit_done(b, seq); /* nothing will run it: do not hold global fences */
}

static int
wait_answer_locked(struct link *l, struct pv_blob *out)
{
   const uint32_t ms = vg_config_get()->reply_timeout_ms;
   struct timespec deadline;
   clock_gettime(CLOCK_MONOTONIC, &deadline);
   deadline.tv_sec += ms / 1000;
   deadline.tv_nsec += (long)(ms % 1000) * 1000000;
   if (deadline.tv_nsec >= 1000000000) {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000;
   }
   while (!l->answer_ready && !l->dead) {
      if (pthread_cond_timedwait(&l->cond, &l->lock, &deadline) == ETIMEDOUT) {
         kill_worker_locked(l, "no answer to a blob creation in time");
         return -ETIMEDOUT;
      }
   }
   if (!l->answer_ready)
      return -ENODEV;
   if (l->answer.result != 0)
      return l->answer.result < 0 ? l->answer.result : -EINVAL;
   if (l->answer_fd < 0)
      return -EPROTO;
   out->fd = l->answer_fd;
   out->fd_type = (enum pv_blob_fd_type)l->answer.fd_type;
   out->size = l->answer.size;
   l->answer_fd = -1;
   return 0;
}

/*
 * The worker keeps its own copy of a blob's fd: were it a memfd the worker could still shrink,
 * the size the front end checks (virgl_resource.c) would go stale, and the guest's next access
 * past the new end, through the VMM's mapping, a SIGBUS in the VMM. So a shared-memory file is
 * sealed against shrinking before anything maps it (the worker's memfds allow sealing,
 * util/os.c), and one that cannot be is refused. A file that takes no seals at all is fine
 * when it is not a regular file: a dma-buf, whose size never changes.
 */
static bool
blob_size_fixed(int fd)
{
#ifdef F_ADD_SEALS
   int seals = fcntl(fd, F_GET_SEALS);
   if (seals < 0) {
      struct stat st;
      return errno == EINVAL && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode);
   }
   if (!(seals & F_SEAL_SHRINK) && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) != 0)
      return false;
   seals = fcntl(fd, F_GET_SEALS);
   return seals >= 0 && (seals & F_SEAL_SHRINK);
#else
   (void)fd;
   return true;
#endif
}

static void
keep_shm_locked(struct link *l, uint32_t res_id, const struct pv_blob *blob)
{
   struct shm_blob *b = calloc(1, sizeof(*b));
   if (!b)
      return;
   b->fd = fcntl(blob->fd, F_DUPFD_CLOEXEC, 0);
   if (b->fd < 0) {
      free(b);
      return;
   }
   b->res_id = res_id;
   b->next = l->shm;
   l->shm = b;
}

static void
free_shm(struct shm_blob *b)
{
   close(b->fd);
   free(b);
}

static int
worker_create_blob(struct vg_backend *b, uint32_t res_id, uint64_t blob_id, uint64_t size,
                   uint32_t flags, struct pv_blob *out)
{
   struct link *l = (struct link *)b;
   pthread_mutex_lock(&l->lock);
   uint32_t request = ++l->next_request ? l->next_request : ++l->next_request;
   l->waiting_request = request;
   l->answer_ready = false;
   l->answer_fd = -1;
   pthread_mutex_unlock(&l->lock);
   const struct pvw_create_blob c = {
      .request = request, .res_id = res_id, .blob_id = blob_id, .size = size, .flags = flags};
   if (!enqueue(l, PVW_CREATE_BLOB, &c, sizeof(c), NULL, 0))
      return -ENODEV;
   pthread_mutex_lock(&l->lock);
   int ret = wait_answer_locked(l, out);
   if (ret == 0 && !blob_size_fixed(out->fd)) {
      kill_worker_locked(l, "a blob whose file it could still shrink");
      close(out->fd);
      out->fd = -1;
      ret = -EINVAL;
   }
   if (ret == 0 && blob_id == 0)
      keep_shm_locked(l, res_id, out);
   if (l->answer_fd >= 0)
      close(l->answer_fd);
   l->answer_fd = -1;
   l->waiting_request = 0;
   pthread_mutex_unlock(&l->lock);
   return ret;
}

static void
worker_destroy_blob(struct vg_backend *b, uint32_t res_id)
{
   struct link *l = (struct link *)b;
   pthread_mutex_lock(&l->lock);
   for (struct shm_blob **p = &l->shm; *p; p = &(*p)->next) {
      if ((*p)->res_id == res_id) {
         struct shm_blob *gone = *p;
         *p = gone->next;
         free_shm(gone);
         break;
      }
   }
   pthread_mutex_unlock(&l->lock);
   const struct pvw_destroy_blob d = {.res_id = res_id};
   enqueue(l, PVW_DESTROY_BLOB, &d, sizeof(d), NULL, 0);
}

static void
worker_fence(struct vg_backend *b, uint32_t ring_idx, uint64_t fence_id)
{
   struct link *l = (struct link *)b;
   struct pending_fence *p = calloc(1, sizeof(*p));
   struct pvw_fence f = {.ring_idx = ring_idx};
   pthread_mutex_lock(&l->lock);
   bool alive = p && !l->dead;
   if (alive) {
      p->ring_idx = ring_idx;
      p->fence_id = fence_id;
      p->seqno = f.fence_id = ++l->fence_given[bucket_of(ring_idx)];
      struct pending_fence **tail = &l->fences;
      while (*tail)
         tail = &(*tail)->next;
      *tail = p;
   }
   pthread_mutex_unlock(&l->lock);
   if (!alive) {
      free(p);
      vg_fences_context_retired(b, ring_idx, fence_id); /* lost: release the guest at once */
      return;
   }
   /* a dead worker retires its pending list itself (on_death), this one included */
   enqueue(l, PVW_FENCE, &f, sizeof(f), NULL, 0);
}

/* The fence page, on the VMM's thread (virgl_renderer_poll): no system call, no waiting. */
static void
worker_poll(struct vg_backend *b)
{
   struct link *l = (struct link *)b;
   if (!l->page)
      return;
   const uint64_t done = atomic_load_explicit(&l->page->submit_done, memory_order_acquire);
   if (done != l->page_done_seen) {
      l->page_done_seen = done;
      vg_fences_submit_done(b, done); /* checked there against what was submitted */
   }
   pthread_mutex_lock(&l->lock);
   for (uint32_t r = 0; r < PVW_FENCE_RINGS && l->fences && !l->dead; r++) {
      if (l->fence_retired[r] == l->fence_given[r])
         continue;
      const uint64_t s = atomic_load_explicit(&l->page->ring_seqno[r], memory_order_acquire);
      if (!retire_locked(l, r, s))
         kill_worker_locked(l, "the worker's fence page names a fence it was never given");
   }
   pthread_mutex_unlock(&l->lock);
}

static void
link_free(struct link *l)
{
   worker_count--; /* closing_lock held */
   pthread_join(l->sender, NULL);
   pthread_join(l->reader, NULL);
   close(l->sock);
   while (l->fences) {
      struct pending_fence *next = l->fences->next;
      free(l->fences);
      l->fences = next;
   }
   while (l->shm) {
      struct shm_blob *next = l->shm->next;
      free_shm(l->shm);
      l->shm = next;
   }
   while (l->rings) {
      struct ring_status *next = l->rings->next;
      free(l->rings);
      l->rings = next;
   }
   if (l->page)
      munmap(l->page, PVW_FENCE_PAGE_SIZE);
   pthread_cond_destroy(&l->cond);
   pthread_mutex_destroy(&l->lock);
   free(l);
}

/* Frees closing links whose reader is done; with `wait`, waits for every one of them. */
static void
reap_closing(bool wait)
{
   pthread_mutex_lock(&closing_lock);
   struct link **p = &closing_links;
   while (*p) {
      struct link *l = *p;
      pthread_mutex_lock(&l->lock);
      while (wait && !l->finished)
         pthread_cond_wait(&l->cond, &l->lock);
      bool done = l->finished;
      pthread_mutex_unlock(&l->lock);
      if (done) {
         *p = l->next_closing;
         link_free(l);
      } else {
         p = &l->next_closing;
      }
   }
   pthread_mutex_unlock(&closing_lock);
}

void
vg_backend_worker_reap_all(void)
{
   reap_closing(true);
}

static void
worker_destroy(struct vg_backend *b)
{
   struct link *l = (struct link *)b;
   /* shown until the worker has freed what the guest left and exited (a slot no longer
    * listed, its worker already gone, is not found) */
   if (l->page)
      vtest_stats_mark(&l->page->stats, "closing");
   pthread_mutex_lock(&l->lock);
   l->closing = true;
   l->close_deadline = pv_os_time_ns() + (uint64_t)vg_config_get()->close_grace_ms * 1000000;
   pthread_cond_broadcast(&l->cond);
   pthread_mutex_unlock(&l->lock);
   pthread_mutex_lock(&closing_lock);
   l->next_closing = closing_links;
   closing_links = l;
   pthread_mutex_unlock(&closing_lock);
   reap_closing(false);
}

static const struct vg_backend_ops worker_ops = {
   .submit = worker_submit,
   .create_blob = worker_create_blob,
   .destroy_blob = worker_destroy_blob,
   .fence = worker_fence,
   .poll = worker_poll,
   .destroy = worker_destroy,
};

/* ----- start-up ----------------------------------------------------------------------------- */

/*
 * The context's fence page: a memfd sealed at one page, so a worker cannot shrink it under the
 * VMM's mapping (a read past the end would be SIGBUS in the VMM). Returns its fd for the worker,
 * or -1: fences then go by message only.
 */
static int
create_fence_page(struct link *l, const char *name)
{
#ifdef F_ADD_SEALS
   int fd = pv_os_create_shm("pearvisor-virgl-fences", PVW_FENCE_PAGE_SIZE);
   if (fd < 0)
      return -1;
   void *p = MAP_FAILED;
   if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) == 0)
      p = mmap(NULL, PVW_FENCE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   if (p == MAP_FAILED) {
      close(fd);
      return -1;
   }
   l->page = p;
   if (vg_stats_enabled())
      vg_stats_slot_init(&l->page->stats, l->base.ctx_id, name, vg_config_get()->wire_format);
   return fd;
#else
   (void)l, (void)name; /* no seals: a worker could shrink the page under the VMM's mapping */
   return -1;
#endif
}

static struct link *
link_alloc(uint32_t ctx_id)
{
   struct link *l = calloc(1, sizeof(*l));
   if (!l)
      return NULL;
   l->base.ops = &worker_ops;
   l->base.ctx_id = ctx_id;
   l->queue_tail = &l->queue;
   l->answer_fd = -1;
   pthread_mutex_init(&l->lock, NULL);
   pthread_condattr_t attr;
   pthread_condattr_init(&attr);
   pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
   pthread_cond_init(&l->cond, &attr);
   pthread_condattr_destroy(&attr);
   return l;
}

/* Counts a new worker unless there are too many: a worker still tearing down a destroyed
 * context is a process too, so a guest cannot pile them up by creating and destroying. */
static bool
worker_count_take(void)
{
   pthread_mutex_lock(&closing_lock);
   bool ok = worker_count < vg_config_get()->max_contexts;
   worker_count += ok;
   pthread_mutex_unlock(&closing_lock);
   return ok;
}

static void
worker_count_give(void)
{
   pthread_mutex_lock(&closing_lock);
   worker_count--;
   pthread_mutex_unlock(&closing_lock);
}

struct vg_backend *
vg_backend_worker_create(uint32_t ctx_id, const char *name)
{
   reap_closing(false);
   if (!worker_count_take()) {
      pv_dbg("virgl: context %u refused: workers of destroyed contexts are still ending", ctx_id);
      return NULL;
   }
   struct link *l = link_alloc(ctx_id);
   if (!l || !vg_worker_start(&l->sock, &l->pid, &l->from_server)) {
      free(l);
      worker_count_give();
      return NULL;
   }
   const struct pvw_init init = {.wire_format = vg_config_get()->wire_format,
                                 .capset_id = PV_CAPSET_VENUS};
   /* queued before the threads start: the worker's first message */
   if (!enqueue_fd(l, PVW_INIT, &init, sizeof(init), name, strlen(name),
                   create_fence_page(l, name)))
      goto fail_kill;
   /* listed before the reader can see the worker die (it files the record) */
   if (l->page && vg_stats_enabled()) {
      vtest_stats_track(&l->page->stats, l->pid);
      l->tracked = true;
   }
   if (pthread_create(&l->sender, NULL, sender_main, l) != 0)
      goto fail_kill;
   if (pthread_create(&l->reader, NULL, reader_main, l) != 0) {
      pthread_mutex_lock(&l->lock);
      l->dead = true;
      pthread_cond_broadcast(&l->cond);
      pthread_mutex_unlock(&l->lock);
      pthread_join(l->sender, NULL);
      goto fail_kill;
   }
   /* the next context's worker, started once this one has its first message and threads */
   vg_worker_spare_fill();
   return &l->base;
fail_kill:
   vg_worker_reap(l->pid, l->from_server, false, NULL);
   if (l->tracked)
      vtest_stats_untrack(&l->page->stats, "failed to start");
   close(l->sock);
   while (l->queue) {
      struct out_msg *m = l->queue;
      l->queue = m->next;
      free_out_msg(m);
   }
   if (l->page)
      munmap(l->page, PVW_FENCE_PAGE_SIZE);
   pthread_cond_destroy(&l->cond);
   pthread_mutex_destroy(&l->lock);
   free(l);
   worker_count_give();
   return NULL;
}
