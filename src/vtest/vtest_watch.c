/* SPDX-License-Identifier: MIT */
/* The hang-up watcher of one vtest client (vtest_watch.h). */
#define _GNU_SOURCE /* POLLRDHUP */
#include "vtest/vtest_watch.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/log.h"

static bool g_single_client_process;

void
vtest_watch_set_single_client_process(bool on)
{
   g_single_client_process = on;
}

bool
vtest_watch_single_client_process(void)
{
   return g_single_client_process;
}

/* Waits for `fd` to be readable; false on timeout. timeout_ms -1: forever. */
static bool
wait_readable(int fd, int timeout_ms)
{
   struct pollfd p = {.fd = fd, .events = POLLIN};
   int r;
   while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
      ;
   return r > 0;
}

static void *
watch_thread(void *arg)
{
   struct vtest_watch *w = arg;
   /* POLLRDHUP only: data arriving does not wake us, a hang-up (or error) does. */
   struct pollfd p[2] = {{.fd = w->sock, .events = POLLRDHUP},
                         {.fd = w->done.poll_fd, .events = POLLIN}};
   for (;;) {
      int r = poll(p, 2, VTEST_WATCH_TICK_MS);
      if (r < 0 && errno == EINTR)
         continue;
      if (r == 0) {
         pthread_mutex_lock(&w->lock);
         if (w->tick && w->ctx)
            w->tick(w->tick_data, w->ctx);
         pthread_mutex_unlock(&w->lock);
         continue;
      }
      if (r < 0 || p[1].revents)
         return NULL; /* served to the end */
      if (p[0].revents)
         break;
   }
   pthread_mutex_lock(&w->lock);
   w->gone = true;
   if (w->ctx)
      pv_context_stop(w->ctx);
   pthread_mutex_unlock(&w->lock);
   if (w->exit_when_stuck && !wait_readable(w->done.poll_fd, PV_WATCH_GRACE_MS)) {
      pv_warn("client process still busy %d ms after its client hung up (a host call that does "
              "not return); exiting, the kernel releases the rest",
              PV_WATCH_GRACE_MS);
      _exit(0);
   }
   return NULL;
}

bool
vtest_watch_start(struct vtest_watch *w, int sock, bool exit_when_stuck)
{
   *w = (struct vtest_watch){.sock = sock, .exit_when_stuck = exit_when_stuck};
   pthread_mutex_init(&w->lock, NULL);
   if (pv_os_event_init(&w->done)) {
      w->done.poll_fd = w->done.signal_fd = -1;
      return false;
   }
   w->running = pthread_create(&w->thread, NULL, watch_thread, w) == 0;
   if (!w->running)
      pv_warn("cannot start a hang-up watcher; a stuck host wait may outlive its client");
   return w->running;
}

void
vtest_watch_set_context(struct vtest_watch *w, struct pv_context *ctx)
{
   pthread_mutex_lock(&w->lock);
   w->ctx = ctx;
   if (ctx && w->gone)
      pv_context_stop(ctx);
   pthread_mutex_unlock(&w->lock);
}

bool
vtest_watch_gone(struct vtest_watch *w)
{
   pthread_mutex_lock(&w->lock);
   bool gone = w->gone;
   pthread_mutex_unlock(&w->lock);
   return gone;
}

void
vtest_watch_set_tick(struct vtest_watch *w, void (*tick)(void *data, struct pv_context *ctx),
                     void *data)
{
   pthread_mutex_lock(&w->lock);
   w->tick = tick;
   w->tick_data = data;
   pthread_mutex_unlock(&w->lock);
}

void
vtest_watch_finish(struct vtest_watch *w)
{
   if (w->running) {
      pv_os_event_signal(&w->done);
      pthread_join(w->thread, NULL);
      w->running = false;
   }
   if (w->done.poll_fd >= 0 || w->done.signal_fd >= 0)
      pv_os_event_fini(&w->done);
   pthread_mutex_destroy(&w->lock);
}
