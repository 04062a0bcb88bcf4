/* SPDX-License-Identifier: MIT */
/* Live statistics of a VMM's guest contexts (virgl_stats.h). */
#include "virgl/virgl_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/log.h"

/* Four records a second, as the vtest server's clients publish theirs (vtest_watch.c). */
#define VG_STATS_PERIOD_NS 250000000ull

bool
vg_stats_enabled(void)
{
   const char *v = getenv("PEARVISOR_VIRGL_CONTROL");
   return v && *v;
}

void
vg_stats_slot_init(struct vtest_stats_slot *slot, uint32_t ctx_id, const char *name,
                   uint32_t wire_format)
{
   struct vtest_stats_record r;
   vtest_stats_slot_start(slot);
   vtest_stats_slot_read(slot, &r);
   r.id = ctx_id;
   r.wire_format = wire_format;
   snprintf(r.name, sizeof(r.name), "%s", name);
   snprintf(r.state, sizeof(r.state), "starting");
   vtest_stats_slot_write(slot, &r);
}

static void *
publisher_main(void *arg)
{
   struct vg_stats *s = arg;
   pthread_mutex_lock(&s->lock);
   while (!s->stop) {
      struct timespec until;
      clock_gettime(CLOCK_MONOTONIC, &until);
      uint64_t ns = (uint64_t)until.tv_nsec + VG_STATS_PERIOD_NS;
      until.tv_sec += (time_t)(ns / 1000000000ull);
      until.tv_nsec = (long)(ns % 1000000000ull);
      pthread_cond_timedwait(&s->cond, &s->lock, &until);
      if (s->stop)
         break;
      pthread_mutex_unlock(&s->lock);
      vtest_client_stats_publish(&s->cs, s->ctx);
      pthread_mutex_lock(&s->lock);
   }
   pthread_mutex_unlock(&s->lock);
   return NULL;
}

void
vg_stats_start(struct vg_stats *s, struct vtest_stats_slot *shared, struct pv_context *ctx,
               uint32_t ctx_id, const char *name, uint32_t wire_format)
{
   memset(s, 0, sizeof(*s));
   if (!vg_stats_enabled() || !ctx)
      return;
   s->ctx = ctx;
   vtest_client_stats_begin(&s->cs, shared);
   if (!s->cs.slot)
      return;   /* no memory for a slot: served, only not shown */
   if (!shared) /* a shared slot's id is the front end's (vg_stats_slot_init) */
      s->cs.rec.id = ctx_id;
   vtest_client_stats_named(&s->cs, name, wire_format);
   vtest_client_stats_publish(&s->cs, ctx);
   pthread_mutex_init(&s->lock, NULL);
   pthread_condattr_t attr;
   pthread_condattr_init(&attr);
   pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
   pthread_cond_init(&s->cond, &attr);
   pthread_condattr_destroy(&attr);
   s->running = pthread_create(&s->thread, NULL, publisher_main, s) == 0;
   if (!s->running)
      pv_warn("virgl: context %u: no statistics thread; its record stays as it started", ctx_id);
}

void
vg_stats_stop(struct vg_stats *s, const char *state)
{
   if (!s->cs.slot)
      return;
   if (s->running) {
      pthread_mutex_lock(&s->lock);
      s->stop = true;
      pthread_cond_signal(&s->cond);
      pthread_mutex_unlock(&s->lock);
      pthread_join(s->thread, NULL);
      s->running = false;
   }
   pthread_cond_destroy(&s->cond);
   pthread_mutex_destroy(&s->lock);
   vtest_client_stats_end(&s->cs, s->ctx, state);
}
