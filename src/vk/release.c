/* SPDX-License-Identifier: MIT */
/*
 * Releasing what the graveyard kept, off the ring thread (issue 16). Once a tomb's submissions
 * are finished its handles go, and on NVIDIA that is slow: vkFreeMemory takes 0.3-0.65 ms (a
 * 4 KiB host-visible allocation, a 64 KiB device-local one; H200, 580.159.04), which the ring
 * thread paid for every allocation a guest freed, between two of its commands. A per-device
 * thread destroys finished tombs in order instead; frees on another thread do not hold up the
 * device's allocations (the same H200: 200 allocations took 42 ms with the frees on a second
 * thread, 138 ms with each freed in turn). The ring thread gives the released quota back to the
 * context when it next looks (graveyard.c): this thread never touches the context, so a context
 * torn down after a host-driver crash can leave it behind (pv_vk_release_abandon).
 *
 * A host crash on this thread (crash_guard.h, where armed) stops it: nothing more is released
 * and the graveyard makes the context lost when it takes the signal.
 */
#include <setjmp.h>
#include <stdlib.h>

#include "renderer/crash_guard.h"
#include "vk/graveyard_internal.h"
#include "vk/lifetime.h"

/* Releases `t`; the signal of a host crash during it, else 0 (then `t` is left to the process). */
static int
release_guarded(struct pv_vk_device *d, struct pv_vk_tomb *t, struct pv_vk_released *out)
{
   if (!pv_crash_guard_active()) {
      pv_vk_tomb_release(d, t, out);
      return 0;
   }
   sigjmp_buf jb;
   sigjmp_buf *prev = pv_crash_guard_arm(&jb);
   int sig = sigsetjmp(jb, 0);
   if (sig == 0)
      pv_vk_tomb_release(d, t, out);
   pv_crash_guard_arm(prev); /* after a crash the handler disarmed us: no host code runs */
   return sig;
}

static void
add_released(struct pv_vk_released *to, const struct pv_vk_released *r)
{
   to->bytes += r->bytes;
   to->fds += r->fds;
   to->states += r->states;
   to->graves += r->graves;
}

static void *
release_thread(void *arg)
{
   struct pv_vk_device *d = arg;
   struct pv_vk_release *q = &d->release;
   pthread_mutex_lock(&q->lock);
   for (;;) {
      while (!q->head && !q->stop && !q->abandoned)
         pthread_cond_wait(&q->cond, &q->lock);
      struct pv_vk_tomb *t = q->head;
      if (!t || q->abandoned || q->crashed)
         break;
      q->head = t->next;
      if (!q->head)
         q->tail = NULL;
      q->busy = true;
      pthread_mutex_unlock(&q->lock);
      struct pv_vk_released r = {0};
      int sig = release_guarded(d, t, &r);
      pthread_mutex_lock(&q->lock);
      q->busy = false;
      add_released(&q->done, &r);
      if (sig)
         q->crashed = sig;
      pthread_cond_broadcast(&q->cond); /* pv_vk_release_settle */
   }
   pthread_mutex_unlock(&q->lock);
   return NULL;
}

bool
pv_vk_release_later(struct pv_vk_device *d, struct pv_vk_tomb *t)
{
   struct pv_vk_release *q = &d->release;
   pthread_mutex_lock(&q->lock);
   bool ok = !q->stop && !q->abandoned && !q->crashed;
   if (ok && !q->started)
      ok = q->started = pthread_create(&q->thread, NULL, release_thread, d) == 0;
   if (ok) {
      t->next = NULL;
      if (q->tail)
         q->tail->next = t;
      else
         q->head = t;
      q->tail = t;
      pthread_cond_broadcast(&q->cond);
   }
   pthread_mutex_unlock(&q->lock);
   return ok;
}

void
pv_vk_release_settle(struct pv_vk_device *d)
{
   struct pv_vk_release *q = &d->release;
   pthread_mutex_lock(&q->lock);
   while ((q->head || q->busy) && !q->crashed && !q->abandoned)
      pthread_cond_wait(&q->cond, &q->lock);
   pthread_mutex_unlock(&q->lock);
}

int
pv_vk_release_take(struct pv_vk_device *d, struct pv_vk_released *out)
{
   struct pv_vk_release *q = &d->release;
   pthread_mutex_lock(&q->lock);
   *out = q->done;
   q->done = (struct pv_vk_released){0};
   int sig = q->crashed;
   pthread_mutex_unlock(&q->lock);
   return sig;
}

void
pv_vk_release_init(struct pv_vk_device *d)
{
   pthread_mutex_init(&d->release.lock, NULL);
   pthread_cond_init(&d->release.cond, NULL);
}

void
pv_vk_release_stop(struct pv_vk_device *d)
{
   struct pv_vk_release *q = &d->release;
   pthread_mutex_lock(&q->lock);
   q->stop = true;
   bool started = q->started;
   pthread_cond_broadcast(&q->cond);
   pthread_mutex_unlock(&q->lock);
   if (started)
      pthread_join(q->thread, NULL);
   pthread_mutex_lock(&q->lock);
   q->started = false;
   pthread_mutex_unlock(&q->lock);
}

void
pv_vk_release_abandon(struct pv_vk_device *d)
{
   struct pv_vk_release *q = &d->release;
   pthread_mutex_lock(&q->lock);
   q->abandoned = true;
   bool started = q->started;
   q->started = false;
   pthread_cond_broadcast(&q->cond);
   pthread_mutex_unlock(&q->lock);
   if (started)
      pthread_detach(q->thread); /* may be stuck in the crashed driver; the device stays */
}

void
pv_vk_release_fini(struct pv_vk_device *d)
{
   if (d->release.abandoned)
      return; /* its thread may still hold the device: both are left to the process */
   pv_vk_release_stop(d);
   struct pv_vk_tomb *t = d->release.head;
   while (t) { /* only after a crash stopped the thread: host handles left to the process */
      struct pv_vk_tomb *next = t->next;
      free(t->graves);
      free(t);
      t = next;
   }
   pthread_cond_destroy(&d->release.cond);
   pthread_mutex_destroy(&d->release.lock);
}
