/* SPDX-License-Identifier: MIT */
/*
 * A command buffer pending twice. Vulkan lets a command buffer begun without SIMULTANEOUS_USE be
 * submitted again only once its earlier submission has finished (VUID-vkQueueSubmit-
 * pCommandBuffers-00071; for the secondaries a primary executes, -00072). What a driver does
 * with one pending twice is its own business: lavapipe's queue thread only reads the recorded
 * commands, but a GPU driver may patch a submission's own values into what it runs or reuse its
 * memory when the first submission ends. So before the host sees a submission, each such
 * command buffer (and each such secondary its primaries execute) whose last submission may
 * still run is waited for, as a reset of it waits (lifetime.c), and the submission claims them
 * under the device's track lock, all at once, until pv_vk_queue_end_submit has marked them: a
 * submission of one on another ring meanwhile waits for the claim, then for the work. One named
 * twice in one submission cannot be waited for and is refused. Before the claims, under the same
 * submit lock, the command buffers' references are looked at again (pv_vk_cmdbufs_still_alive):
 * a secondary reset, freed or begun on another ring since its primary recorded it is refused
 * there, or its change waits for this submission's marks (lifetime.h). A submission that binds
 * a descriptor set the host is writing at that moment waits for that write (set_writes.c).
 *
 * Nothing is held while waiting (no claim, no lock), so two rings' submissions never wait for
 * each other. A legal guest pays one lock and a look per command buffer: it has seen the earlier
 * submission finish, and so has our tracking when the guest said so through its fence (a wait, a
 * reset). A guest that learnt it from a timeline semaphore the batch signals (Mesa 25's Venus
 * submits its semaphore feedback command buffers again that way, and Zink its own) is believed
 * through the host's counter of that semaphore: one vkGetSemaphoreCounterValue instead of a wait
 * for the whole queue at every such submission (piglit through Zink: 12 waits instead of 1). The
 * counter is believed only while every signal of the semaphore came from submissions to one queue
 * in increasing values (struct pv_vk_semaphore), and only here: a signal from a second queue that
 * the host ran before we marked it could still say a batch finished that runs, which costs no
 * more than a command buffer pending twice, never a reset, free or destroy under running work
 * (those wait for what the tracking knows, lifetime.c).
 */
#include <pthread.h>
#include <stdlib.h>

#include "renderer/context.h"
#include "util/os.h"
#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* How long a submission waits before it looks again at a command buffer that another ring's
 * submission is making (a host vkQueueSubmit and its marks, microseconds). */
#define PV_RESUBMIT_CLAIM_RETRY_NS 20000ull

enum claim_result {
   CLAIMED, /* every command buffer that needs it is ours until the marks */
   NAMED_TWICE,
   BUSY,  /* `busy` may still run: wait for it, then try again */
   TAKEN, /* another ring's submission is making one: try again shortly */
};

struct claim {
   struct pv_context *ctx;
   const struct pv_vk_device *d;
   const void *me;
   enum claim_result result; /* of the secondaries looked at */
   struct pv_vk_cmdbuf *busy;
   uint64_t busy_value; /* busy's last submission when it was found busy */
};

static struct pv_vk_cmdbuf *
state_of(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf)
{
   return pv_vk_named_state(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbuf));
}

/* Whether the host's counter of the timeline semaphore the command buffer's last batch signals
 * has reached that signal's value (the semaphore still the guest's, never one destroyed since). */
static bool
signal_reached(struct claim *k, const struct pv_vk_cmdbuf *cb)
{
   const struct pv_vk_batch_signal *s = &cb->signal;
   if (!s->id || !k->d->GetSemaphoreCounterValue)
      return false;
   struct pv_object *o = pv_object_find(k->ctx, s->id, VK_OBJECT_TYPE_SEMAPHORE);
   const struct pv_vk_semaphore *st = o && o->serial == s->serial ? o->data : NULL;
   uint64_t counter = 0;
   return st && !atomic_load(&st->foreign) && o->host &&
          k->d->GetSemaphoreCounterValue(k->d->host, PV_TO_HANDLE(VkSemaphore, o->host),
                                         &counter) == VK_SUCCESS &&
          counter >= s->value;
}

/* A command buffer without SIMULTANEOUS_USE (a primary of the submission or a secondary one of
 * them executes): claimed, unless it is claimed already or may still run. */
static enum claim_result
claim_cmdbuf(struct claim *k, struct pv_vk_cmdbuf *cb)
{
   if (cb->submitting == k->me)
      return NAMED_TWICE;
   if (cb->submitting)
      return TAKEN;
   if (pv_vk_cmdbuf_busy_locked(k->d, cb) && !signal_reached(k, cb)) {
      k->busy = cb;
      k->busy_value = cb->value;
      return BUSY;
   }
   cb->submitting = k->me;
   return CLAIMED;
}

/* A secondary the primary executes (still the recording it executed: the look under the same
 * submit lock made sure). */
static bool
claim_secondary(struct pv_vk_cmdbuf *s, void *data)
{
   struct claim *k = data;
   k->result = !s || s->scope.simultaneous ? CLAIMED : claim_cmdbuf(k, s);
   return k->result == CLAIMED;
}

/* One command buffer of the submission: claims it, and the secondaries it executes, where they
 * need a claim. */
static enum claim_result
claim_one(struct claim *k, struct pv_vk_cmdbuf *cb)
{
   k->result = CLAIMED;
   if (!pv_vk_cmdbuf_each_secondary(k->ctx, cb, claim_secondary, k))
      return k->result;
   return cb->scope.simultaneous ? CLAIMED : claim_cmdbuf(k, cb);
}

/* All or none; the caller holds the device's track lock. */
static enum claim_result
claim_all(struct pv_dispatch_ctx *c, struct claim *k, uint32_t count, const VkCommandBuffer *cbs)
{
   for (uint32_t i = 0; i < count; i++) {
      struct pv_vk_cmdbuf *cb = state_of(c, cbs[i]);
      enum claim_result r = cb ? claim_one(k, cb) : CLAIMED;
      if (r != CLAIMED) {
         pv_vk_cmdbufs_unclaim_locked(c, i + 1, cbs); /* the secondaries it claimed too */
         return r;
      }
   }
   return CLAIMED;
}

static bool
unclaim(struct pv_vk_cmdbuf *cb, void *me)
{
   if (cb && cb->submitting == me)
      cb->submitting = NULL;
   return true;
}

void
pv_vk_cmdbufs_unclaim_locked(struct pv_dispatch_ctx *c, uint32_t count,
                             const VkCommandBuffer *cmdbufs)
{
   struct pv_context *ctx = pv_venus_from(c);
   for (uint32_t i = 0; cmdbufs && i < count; i++) {
      struct pv_vk_cmdbuf *cb = state_of(c, cmdbufs[i]);
      if (cb) {
         unclaim(cb, c->user);
         pv_vk_cmdbuf_each_secondary(ctx, cb, unclaim, c->user);
      }
   }
}

/* Waits for k->busy (nothing held); false when the submission it was found busy with may still
 * run after the wait (its queue is closed, or the context stops). Submitted again meanwhile (by
 * another ring), it is looked at again. */
static bool
wait_for(struct pv_context *ctx, struct pv_vk_device *d, const struct claim *k)
{
   pv_vk_cmdbuf_wait_state(ctx, d, k->busy);
   if (pv_venus_stopping(ctx))
      return false;
   pthread_mutex_lock(&d->track_lock);
   bool stuck = k->busy->value == k->busy_value && pv_vk_cmdbuf_busy_locked(d, k->busy);
   pthread_mutex_unlock(&d->track_lock);
   return !stuck;
}

bool
pv_vk_queue_begin_submit_cmdbufs(struct pv_dispatch_ctx *c, const char *what, VkQueue queue,
                                 uint32_t count, const VkCommandBuffer *cmdbufs,
                                 struct pv_vk_queue **q, struct pv_vk_device **d)
{
   struct pv_context *ctx = pv_venus_from(c);
   for (;;) {
      *q = pv_vk_queue_begin_submit(c, queue, d);
      if (!*q || !*d || !count || pv_vk_bench_unchecked)
         return true; /* untracked: nothing to wait for (nor to mark) */
      if (!pv_vk_cmdbufs_still_alive(c, count, cmdbufs)) {
         pthread_mutex_unlock(&(*q)->submit_lock);
         pv_venus_refuse(c,
                         "%s: a command buffer names an object destroyed, a secondary reset, "
                         "recorded again or executed elsewhere, or a set rewritten since it was "
                         "checked",
                         what);
         return false;
      }
      if (pv_vk_cmdbufs_bind_set_written(c, count, cmdbufs)) {
         /* after the host's write of a set it binds (set_writes.c): a host call, never guest
          * work, so this cannot wait for itself */
         pthread_mutex_unlock(&(*q)->submit_lock);
         if (pv_venus_stopping(ctx))
            return false;
         pv_os_sleep_ns(PV_RESUBMIT_CLAIM_RETRY_NS);
         continue;
      }
      struct claim k = {.ctx = ctx, .d = *d, .me = c->user};
      pthread_mutex_lock(&(*d)->track_lock);
      enum claim_result r = claim_all(c, &k, count, cmdbufs);
      pthread_mutex_unlock(&(*d)->track_lock);
      if (r == CLAIMED)
         return true;
      pthread_mutex_unlock(&(*q)->submit_lock);
      if (r == NAMED_TWICE) {
         pv_venus_refuse(c, "%s: a command buffer without SIMULTANEOUS_USE is named twice", what);
         return false;
      }
      if (r == BUSY && !wait_for(ctx, *d, &k)) {
         pv_venus_refuse(c, "%s: a command buffer without SIMULTANEOUS_USE is still pending", what);
         return false;
      }
      if (r == TAKEN) {
         if (pv_venus_stopping(ctx))
            return false;
         pv_os_sleep_ns(PV_RESUBMIT_CLAIM_RETRY_NS);
      }
   }
}

/* ----- timeline semaphores a batch signals --------------------------------------------------- */

/* A VkSubmitInfo's signal values (VkTimelineSemaphoreSubmitInfo), one per signalled semaphore,
 * or NULL. */
static const uint64_t *
signal_values(const VkSubmitInfo *b)
{
   const VkTimelineSemaphoreSubmitInfo *t =
      pv_vk_chain_find(b->pNext, VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO);
   bool complete =
      t && t->pSignalSemaphoreValues && t->signalSemaphoreValueCount == b->signalSemaphoreCount;
   return complete ? t->pSignalSemaphoreValues : NULL;
}

void
pv_guard_CreateSemaphore(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateSemaphore *a = args;
   pv_handle_vkCreateSemaphore(c, args);
   struct pv_object *o = a->ret == VK_SUCCESS && a->pSemaphore && !pv_cs_fatal(c->dec)
                            ? pv_object_find(pv_venus_from(c), PV_FROM_HANDLE(*a->pSemaphore),
                                             VK_OBJECT_TYPE_SEMAPHORE)
                            : NULL;
   const VkSemaphoreTypeCreateInfo *type =
      a->pCreateInfo
         ? pv_vk_chain_find(a->pCreateInfo->pNext, VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO)
         : NULL;
   if (!o || o->data || !type || type->semaphoreType != VK_SEMAPHORE_TYPE_TIMELINE)
      return;
   /* Without it a semaphore is never looked at: safe, only slower. */
   struct pv_vk_semaphore *st = calloc(1, sizeof(*st));
   if (!st)
      return;
   st->last_value = type->initialValue;
   o->data = st;
   o->free_data = pv_vk_state_free;
}

/* The first timeline semaphore among `n` signalled ones (value i of `values`), or none. */
static struct pv_vk_batch_signal
first_timeline(struct pv_dispatch_ctx *c, uint32_t n, const VkSemaphore *sems,
               const uint64_t *values, const VkSemaphoreSubmitInfo *infos)
{
   for (uint32_t i = 0; i < n; i++) {
      VkSemaphore sem = infos ? infos[i].semaphore : sems[i];
      struct pv_object *o =
         sem ? pv_venus_object(c, VK_OBJECT_TYPE_SEMAPHORE, PV_FROM_HANDLE(sem)) : NULL;
      const struct pv_vk_semaphore *st = o ? o->data : NULL;
      if (st)
         return (struct pv_vk_batch_signal){o->id, o->serial, infos ? infos[i].value : values[i]};
   }
   return (struct pv_vk_batch_signal){0};
}

static struct pv_vk_batch_signal
batch_signal(struct pv_dispatch_ctx *c, const VkSubmitInfo *b1, const VkSubmitInfo2 *b2)
{
   if (b2)
      return first_timeline(c, b2->signalSemaphoreInfoCount, NULL, NULL, b2->pSignalSemaphoreInfos);
   const uint64_t *values = signal_values(b1);
   if (!values)
      return (struct pv_vk_batch_signal){0};
   return first_timeline(c, b1->signalSemaphoreCount, b1->pSignalSemaphores, values, NULL);
}

/* A signal operation's first synchronization scope holds every command earlier in submission
 * order, so a batch's command buffers have finished once a timeline signal of it or of a later
 * batch of the submission has happened (Mesa 25's Venus puts a submission's signals in a batch of
 * their own after the command buffers'). */
struct pv_vk_batch_signal *
pv_vk_batch_signals(struct pv_dispatch_ctx *c, const struct pv_args_vkQueueSubmit *a1,
                    const struct pv_args_vkQueueSubmit2 *a2, uint32_t count)
{
   if (!count)
      return NULL;
   struct pv_vk_batch_signal *v = pv_cs_alloc(c->dec, count, sizeof(*v));
   uint32_t batches = a1 ? a1->submitCount : a2->submitCount, k = count;
   struct pv_vk_batch_signal later = {0};
   for (uint32_t i = batches; v && i-- > 0;) {
      const VkSubmitInfo *b1 = a1 ? &a1->pSubmits[i] : NULL;
      const VkSubmitInfo2 *b2 = a2 ? &a2->pSubmits[i] : NULL;
      struct pv_vk_batch_signal s = batch_signal(c, b1, b2);
      if (s.id)
         later = s;
      uint32_t n = b1 ? b1->commandBufferCount : b2->commandBufferInfoCount;
      for (uint32_t j = 0; j < n && k > 0; j++)
         v[--k] = later;
   }
   return v;
}

static struct pv_vk_semaphore *
semaphore_state(struct pv_dispatch_ctx *c, VkSemaphore sem)
{
   return pv_vk_named_state(c, VK_OBJECT_TYPE_SEMAPHORE, PV_FROM_HANDLE(sem));
}

void
pv_vk_semaphores_foreign(struct pv_dispatch_ctx *c, uint32_t count, const VkSemaphore *sems)
{
   for (uint32_t i = 0; sems && i < count; i++) {
      struct pv_vk_semaphore *st = semaphore_state(c, sems[i]);
      if (st)
         atomic_store(&st->foreign, true);
   }
}

void
pv_guard_SignalSemaphore(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkSignalSemaphore *a = args;
   if (a->pSignalInfo)
      pv_vk_semaphores_foreign(c, 1, &a->pSignalInfo->semaphore);
   pv_handle_vkSignalSemaphore(c, args);
}

/* One signal the host took; the caller holds the device's track lock. */
static void
signalled(struct pv_dispatch_ctx *c, const struct pv_vk_device *d, const struct pv_vk_queue *q,
          VkSemaphore sem, uint64_t value)
{
   struct pv_object *o =
      sem ? pv_venus_object(c, VK_OBJECT_TYPE_SEMAPHORE, PV_FROM_HANDLE(sem)) : NULL;
   struct pv_vk_semaphore *st = o ? o->data : NULL;
   if (!st || atomic_load(&st->foreign))
      return;
   if (o->parent != d->id || (st->queue && st->queue != q) || value <= st->last_value) {
      atomic_store(&st->foreign, true);
      return;
   }
   st->queue = q;
   st->last_value = value;
}

void
pv_vk_semaphores_signalled(struct pv_dispatch_ctx *c, struct pv_vk_device *d,
                           const struct pv_vk_queue *q, const struct pv_args_vkQueueSubmit *a1,
                           const struct pv_args_vkQueueSubmit2 *a2)
{
   if (!d || !q)
      return;
   pthread_mutex_lock(&d->track_lock);
   uint32_t batches = a1 ? a1->submitCount : a2->submitCount;
   for (uint32_t i = 0; i < batches; i++) {
      if (a2) {
         const VkSubmitInfo2 *b = &a2->pSubmits[i];
         for (uint32_t j = 0; j < b->signalSemaphoreInfoCount; j++)
            signalled(c, d, q, b->pSignalSemaphoreInfos[j].semaphore,
                      b->pSignalSemaphoreInfos[j].value);
         continue;
      }
      const VkSubmitInfo *b = &a1->pSubmits[i];
      const uint64_t *values = signal_values(b);
      for (uint32_t j = 0; j < b->signalSemaphoreCount; j++) {
         if (values)
            signalled(c, d, q, b->pSignalSemaphores[j], values[j]);
         else /* a timeline one without its value: the host refuses or makes one up */
            pv_vk_semaphores_foreign(c, 1, &b->pSignalSemaphores[j]);
      }
   }
   pthread_mutex_unlock(&d->track_lock);
}
