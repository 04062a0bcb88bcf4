/* SPDX-License-Identifier: MIT */
/*
 * The wire 1 ring monitor (venus-wire.md §8): a guest ring created with VkRingMonitorInfoMESA
 * clears the ALIVE status bit from its watchdog and aborts if the renderer has not set it again
 * within about maxReportingPeriodMicroseconds. A ring thread can legitimately sit for longer in a
 * host wait (vkWaitForFences), so the reports come from this separate thread, one per context,
 * which sets ALIVE on every monitored ring at half its period.
 */
#include <stdlib.h>
#include <time.h>

#include "renderer/context.h"
#include "renderer/ring_internal.h"
#include "util/os.h"

struct pv_ring_monitor {
   pthread_t thread;
   pthread_mutex_t lock;
   pthread_cond_t cond; /* CLOCK_MONOTONIC */
   bool stop;
};

/* Longest sleep when no ring is monitored, so a new ring is picked up soon enough. */
#define PV_MONITOR_IDLE_NS 100000000ull

/* Sets ALIVE where due; returns the next time something is due. */
static uint64_t
report(struct pv_context *ctx, uint64_t now)
{
   uint64_t next = now + PV_MONITOR_IDLE_NS;
   pthread_mutex_lock(&ctx->rings_lock);
   for (struct pv_ring *r = ctx->rings; r; r = r->next) {
      if (!r->monitor_period_us)
         continue;
      if (now >= r->next_report_ns) {
         pv_ring_status_set(r, PV_RING_STATUS_ALIVE);
         r->next_report_ns = now + (uint64_t)r->monitor_period_us * 1000u / 2;
      }
      if (r->next_report_ns < next)
         next = r->next_report_ns;
   }
   pthread_mutex_unlock(&ctx->rings_lock);
   return next;
}

static void *
monitor_thread(void *arg)
{
   struct pv_context *ctx = arg;
   struct pv_ring_monitor *m = ctx->monitor;
   pthread_mutex_lock(&m->lock);
   while (!m->stop) {
      pthread_mutex_unlock(&m->lock);
      uint64_t next = report(ctx, pv_os_time_ns());
      pthread_mutex_lock(&m->lock);
      if (m->stop)
         break;
      struct timespec ts = {(time_t)(next / 1000000000u), (long)(next % 1000000000u)};
      int r = pthread_cond_timedwait(&m->cond, &m->lock, &ts);
      (void)r; /* timeout or wake-up: either way report again */
   }
   pthread_mutex_unlock(&m->lock);
   return NULL;
}

bool
pv_ring_monitor_start(struct pv_context *ctx)
{
   /* Caller holds ctx->rings_lock: a ring thread may create rings too. */
   if (ctx->monitor)
      return true;
   struct pv_ring_monitor *m = calloc(1, sizeof(*m));
   if (!m)
      return false;
   pthread_condattr_t attr;
   pthread_condattr_init(&attr);
   pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* the clock of pv_os_time_ns */
   pthread_cond_init(&m->cond, &attr);
   pthread_condattr_destroy(&attr);
   pthread_mutex_init(&m->lock, NULL);
   ctx->monitor = m;
   if (pthread_create(&m->thread, NULL, monitor_thread, ctx)) {
      ctx->monitor = NULL;
      pthread_cond_destroy(&m->cond);
      pthread_mutex_destroy(&m->lock);
      free(m);
      return false;
   }
   return true;
}

void
pv_ring_monitor_stop(struct pv_context *ctx)
{
   struct pv_ring_monitor *m = ctx->monitor;
   if (!m)
      return;
   pthread_mutex_lock(&m->lock);
   m->stop = true;
   pthread_cond_broadcast(&m->cond);
   pthread_mutex_unlock(&m->lock);
   pthread_join(m->thread, NULL);
   ctx->monitor = NULL;
   pthread_cond_destroy(&m->cond);
   pthread_mutex_destroy(&m->lock);
   free(m);
}
