/* SPDX-License-Identifier: MIT */
/*
 * Queue timelines (vtest-and-vkr.md 2.6, venus-wire.md §8). A wire 1 guest binds each queue to a
 * fence timeline with VkDeviceQueueTimelineInfoMESA.ringIdx in vkGetDeviceQueue2; a transport
 * fence on that ring index (pv_context_submit_fence) must retire only after everything submitted
 * to the queue before it. Each bound queue gets a host VkFence per transport fence, submitted
 * empty behind the guest's work, and one sync thread that waits for them in order and reports
 * each through the context's fence callback.
 *
 * Our empty submits run on the transport thread while ring threads submit the guest's work to the
 * same VkQueue; Vulkan wants queue access externally synchronized, so every queue command of a
 * bound queue takes the timeline's queue_lock (the overrides below).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

#include "renderer/context.h"
#include "util/log.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

struct pv_vk_fence_wait {
   struct pv_vk_fence_wait *next;
   VkFence fence;
   uint64_t fence_id;
};

/* Retired fences a timeline keeps for reuse. */
#define PV_TIMELINE_SPARE 8u

struct pv_vk_timeline {
   struct pv_context *ctx;
   uint32_t ring_idx;
   VkDevice device;
   VkQueue queue;
   PFN_vkQueueSubmit QueueSubmit;
   PFN_vkCreateFence CreateFence;
   PFN_vkDestroyFence DestroyFence;
   PFN_vkWaitForFences WaitForFences;
   PFN_vkResetFences ResetFences;
   /* Retired fences, reset and kept for the next ones (under lock): NVIDIA's vkCreateFence takes
    * about 0.27 ms, on the guest's submission path (bench/notes-h200-fence-pool.md). */
   VkFence spare[PV_TIMELINE_SPARE];
   unsigned spare_count;
   pthread_mutex_t queue_lock; /* external synchronization of the host queue */
   pthread_mutex_t lock;       /* the list and stop */
   pthread_cond_t cond;
   bool stop;
   /* The context went away after a host-driver crash (pv_vk_timelines_abandon): the thread
    * must not touch the context or the driver again, and frees the timeline itself. Set under
    * retire_lock and lock; retire_lock is held around every retire, so no retire runs on a
    * freed context. */
   _Atomic bool abandoned;
   pthread_mutex_t retire_lock;
   struct pv_vk_fence_wait *first, **last;
   unsigned pending; /* entries in the list */
   pthread_t thread;
   /* Unbound with its device while another ring's submission may hold its queue lock
    * (queue_lock below): the memory goes once every path has left that command (reclaim.h). */
   struct pv_reclaim_item unbound;
};

/* Waits in slices so a stop request is noticed; a lost host device retires everything (the
 * guest learns of the loss through its own calls, and must not wait forever on our fences). */
#define PV_TIMELINE_WAIT_NS PV_WAIT_SLICE_NS
/* Each pending fence is a host VkFence; more than this on one queue is a guest flooding us. */
#define PV_TIMELINE_MAX_PENDING 4096u

static void
retire(struct pv_vk_timeline *t, uint64_t fence_id)
{
   pv_venus_fence_retired(t->ctx, t->ring_idx, fence_id);
}

static void
timeline_destroy_locks(struct pv_vk_timeline *t)
{
   pthread_mutex_destroy(&t->queue_lock);
   pthread_mutex_destroy(&t->lock);
   pthread_mutex_destroy(&t->retire_lock);
   pthread_cond_destroy(&t->cond);
}

/* The abandoned thread's end: its fences are left to the process exit with the driver's
 * state; nobody else holds the timeline any more. */
static void *
timeline_abandoned_exit(struct pv_vk_timeline *t)
{
   pthread_mutex_lock(&t->retire_lock); /* the abandoning thread is done with the timeline */
   pthread_mutex_unlock(&t->retire_lock);
   while (t->first) {
      struct pv_vk_fence_wait *w = t->first;
      t->first = w->next;
      free(w);
   }
   timeline_destroy_locks(t);
   free(t);
   return NULL;
}

static void *
timeline_thread(void *arg)
{
   struct pv_vk_timeline *t = arg;
   pthread_mutex_lock(&t->lock);
   for (;;) {
      while (!t->first && !t->stop && !atomic_load(&t->abandoned))
         pthread_cond_wait(&t->cond, &t->lock);
      struct pv_vk_fence_wait *w = t->first;
      if (!w || atomic_load(&t->abandoned))
         break; /* stopped, nothing pending; or abandoned */
      pthread_mutex_unlock(&t->lock);
      VkResult r;
      do {
         r = t->WaitForFences(t->device, 1, &w->fence, VK_TRUE, PV_TIMELINE_WAIT_NS);
      } while (r == VK_TIMEOUT && !atomic_load(&t->abandoned));
      pthread_mutex_lock(&t->retire_lock);
      bool gone = atomic_load(&t->abandoned);
      if (!gone && r != VK_SUCCESS)
         pv_warn_limited(
            "context '%s': timeline %u: waiting for a queue fence failed (%d); retiring it",
            pv_venus_name(t->ctx), t->ring_idx, r);
      if (!gone)
         retire(t, w->fence_id);
      pthread_mutex_unlock(&t->retire_lock);
      if (gone) {
         pthread_mutex_lock(&t->lock);
         break;
      }
      bool keep =
         r == VK_SUCCESS && t->ResetFences && t->ResetFences(t->device, 1, &w->fence) == VK_SUCCESS;
      pthread_mutex_lock(&t->lock);
      keep = keep && t->spare_count < PV_TIMELINE_SPARE;
      if (keep)
         t->spare[t->spare_count++] = w->fence;
      pthread_mutex_unlock(&t->lock);
      if (!keep)
         t->DestroyFence(t->device, w->fence, NULL);
      pthread_mutex_lock(&t->lock);
      t->first = w->next;
      if (!t->first)
         t->last = &t->first;
      t->pending--;
      free(w);
   }
   pthread_mutex_unlock(&t->lock);
   return atomic_load(&t->abandoned) ? timeline_abandoned_exit(t) : NULL;
}

static struct pv_vk_timeline *
timeline_new(struct pv_context *ctx, uint32_t ring_idx, VkDevice device, VkQueue queue)
{
   struct pv_vk_timeline *t = calloc(1, sizeof(*t));
   if (!t)
      return NULL;
   t->ctx = ctx;
   t->ring_idx = ring_idx;
   t->device = device;
   t->queue = queue;
   t->QueueSubmit = (PFN_vkQueueSubmit)pv_vk_device_proc(ctx, device, "vkQueueSubmit");
   t->CreateFence = (PFN_vkCreateFence)pv_vk_device_proc(ctx, device, "vkCreateFence");
   t->DestroyFence = (PFN_vkDestroyFence)pv_vk_device_proc(ctx, device, "vkDestroyFence");
   t->WaitForFences = (PFN_vkWaitForFences)pv_vk_device_proc(ctx, device, "vkWaitForFences");
   t->ResetFences = (PFN_vkResetFences)pv_vk_device_proc(ctx, device, "vkResetFences");
   t->last = &t->first;
   pthread_mutex_init(&t->queue_lock, NULL);
   pthread_mutex_init(&t->lock, NULL);
   pthread_mutex_init(&t->retire_lock, NULL);
   pthread_cond_init(&t->cond, NULL);
   atomic_init(&t->abandoned, false);
   if (!t->QueueSubmit || !t->CreateFence || !t->DestroyFence || !t->WaitForFences ||
       pthread_create(&t->thread, NULL, timeline_thread, t)) {
      timeline_destroy_locks(t);
      free(t);
      return NULL;
   }
   return t;
}

/* Waits for every pending fence (reporting it) and stops the thread: the timeline is done with
 * the host driver. */
static void
timeline_stop(struct pv_vk_timeline *t)
{
   pthread_mutex_lock(&t->lock);
   t->stop = true;
   pthread_cond_broadcast(&t->cond);
   pthread_mutex_unlock(&t->lock);
   pthread_join(t->thread, NULL);
   for (unsigned i = 0; i < t->spare_count; i++)
      t->DestroyFence(t->device, t->spare[i], NULL);
   t->spare_count = 0;
}

static void
timeline_free(struct pv_vk_timeline *t)
{
   timeline_stop(t);
   timeline_destroy_locks(t);
   free(t);
}

static void
timeline_reclaimed(struct pv_context *ctx, struct pv_reclaim_item *item)
{
   (void)ctx;
   struct pv_vk_timeline *t =
      (struct pv_vk_timeline *)((char *)item - offsetof(struct pv_vk_timeline, unbound));
   timeline_destroy_locks(t);
   free(t);
}

/* After a host-driver crash the context is freed without joining: the thread may be stuck in
 * the driver. It is detached and told to end without retiring anything or calling the driver,
 * and frees its timeline; a retire already running finishes before this returns. */
static void
timeline_abandon(struct pv_vk_timeline *t)
{
   pthread_detach(t->thread);
   pthread_mutex_lock(&t->retire_lock);
   pthread_mutex_lock(&t->lock);
   atomic_store(&t->abandoned, true);
   pthread_cond_broadcast(&t->cond);
   pthread_mutex_unlock(&t->lock);
   pthread_mutex_unlock(&t->retire_lock); /* the thread may free t from here on */
}

const char *
pv_vk_timeline_bind(struct pv_context *ctx, uint32_t ring_idx, struct pv_vk_device *d,
                    VkQueue queue)
{
   if (ring_idx == 0 || ring_idx >= PV_MAX_RING_IDX)
      return "ring index out of range (1..63)";
   const VkDevice device = d->host;
   pthread_mutex_lock(&pv_vk_state(ctx)->timelines_lock);
   struct pv_vk_timeline *old = pv_vk_state(ctx)->timelines[ring_idx];
   const char *why = NULL;
   if (d->timelines_closed) /* another ring is destroying the device: nothing may bind now */
      why = "its device is being destroyed";
   else if (old && (old->device != device || old->queue != queue))
      why = "ring index already bound to another queue";
   else if (!old &&
            !(pv_vk_state(ctx)->timelines[ring_idx] = timeline_new(ctx, ring_idx, device, queue)))
      why = "cannot start the queue's sync thread";
   pthread_mutex_unlock(&pv_vk_state(ctx)->timelines_lock);
   return why;
}

const char *
pv_vk_timeline_submit(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id)
{
   if (ring_idx >= PV_MAX_RING_IDX)
      return "ring index out of range";
   pthread_mutex_lock(&pv_vk_state(ctx)->timelines_lock);
   struct pv_vk_timeline *t = pv_vk_state(ctx)->timelines[ring_idx];
   const char *why = t ? NULL : "no queue is bound to it";
   if (t) {
      pthread_mutex_lock(&t->lock);
      if (t->pending >= PV_TIMELINE_MAX_PENDING)
         why = "too many fences pending on the queue";
      pthread_mutex_unlock(&t->lock);
   }
   struct pv_vk_fence_wait *w = t && !why ? calloc(1, sizeof(*w)) : NULL;
   if (t && !why && !w)
      why = "out of memory";
   if (w) {
      pthread_mutex_lock(&t->lock);
      w->fence = t->spare_count ? t->spare[--t->spare_count] : VK_NULL_HANDLE;
      pthread_mutex_unlock(&t->lock);
      const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
      VkResult r = w->fence ? VK_SUCCESS : t->CreateFence(t->device, &fci, NULL, &w->fence);
      if (r == VK_SUCCESS) {
         /* An empty submit signals its fence after all earlier submits to the queue. */
         pthread_mutex_lock(&t->queue_lock);
         r = t->QueueSubmit(t->queue, 0, NULL, w->fence);
         pthread_mutex_unlock(&t->queue_lock);
         if (r != VK_SUCCESS)
            t->DestroyFence(t->device, w->fence, NULL);
      }
      if (r != VK_SUCCESS) {
         free(w);
         why = "the host queue refused the fence";
      } else {
         w->fence_id = fence_id;
         pthread_mutex_lock(&t->lock);
         *t->last = w;
         t->last = &w->next;
         t->pending++;
         pthread_cond_signal(&t->cond);
         pthread_mutex_unlock(&t->lock);
      }
   }
   pthread_mutex_unlock(&pv_vk_state(ctx)->timelines_lock);
   return why;
}

void
pv_vk_timelines_unbind_device(struct pv_context *ctx, struct pv_vk_device *d)
{
   struct pv_vk_timeline *unbound[PV_MAX_RING_IDX];
   uint32_t n = 0;
   pthread_mutex_lock(&pv_vk_state(ctx)->timelines_lock);
   d->timelines_closed = true;
   for (uint32_t i = 0; i < PV_MAX_RING_IDX; i++) {
      struct pv_vk_timeline *t = pv_vk_state(ctx)->timelines[i];
      if (t && t->device == d->host) {
         pv_vk_state(ctx)->timelines[i] = NULL;
         unbound[n++] = t;
      }
   }
   pthread_mutex_unlock(&pv_vk_state(ctx)->timelines_lock);
   for (uint32_t i = 0; i < n; i++) {
      timeline_stop(unbound[i]);
      unbound[i]->unbound.free = timeline_reclaimed;
      pv_reclaim_defer(&ctx->reclaim, &unbound[i]->unbound);
   }
}

void
pv_vk_timelines_release(struct pv_context *ctx)
{
   for (uint32_t i = 0; i < PV_MAX_RING_IDX; i++) {
      struct pv_vk_timeline *t = pv_vk_state(ctx)->timelines[i];
      pv_vk_state(ctx)->timelines[i] = NULL;
      if (t)
         timeline_free(t);
   }
}

void
pv_vk_timelines_abandon(struct pv_context *ctx)
{
   struct pv_vk_context_state *state = pv_vk_state(ctx);
   if (!state)
      return;
   for (uint32_t i = 0; i < PV_MAX_RING_IDX; i++) {
      pthread_mutex_lock(&state->timelines_lock);
      struct pv_vk_timeline *t = state->timelines[i];
      state->timelines[i] = NULL;
      pthread_mutex_unlock(&state->timelines_lock);
      if (t)
         timeline_abandon(t);
   }
}

/* The queue lock of a bound host queue, or NULL (unbound queues see only the guest's submits). */
static pthread_mutex_t *
queue_lock(struct pv_context *ctx, VkQueue queue)
{
   pthread_mutex_t *m = NULL;
   pthread_mutex_lock(&pv_vk_state(ctx)->timelines_lock);
   for (uint32_t i = 1; i < PV_MAX_RING_IDX && !m; i++)
      if (pv_vk_state(ctx)->timelines[i] && pv_vk_state(ctx)->timelines[i]->queue == queue)
         m = &pv_vk_state(ctx)->timelines[i]->queue_lock;
   pthread_mutex_unlock(&pv_vk_state(ctx)->timelines_lock);
   /* The lock outlives this command: a timeline unbound meanwhile is freed only once every
    * path has left the command it is running (pv_vk_timelines_unbind_device). */
   return m;
}

/* ----- submissions: references checked, tracking semaphore signalled (lifetime.h) ---------- */

/* The command buffers of a submission, gathered into the command's arena. */
static VkCommandBuffer *
submit_cmdbufs(struct pv_dispatch_ctx *c, const struct pv_args_vkQueueSubmit *a1,
               const struct pv_args_vkQueueSubmit2 *a2, uint32_t *count)
{
   uint64_t n = 0;
   uint32_t submits = a1 ? a1->submitCount : a2->submitCount;
   for (uint32_t i = 0; i < submits; i++)
      n += a1 ? a1->pSubmits[i].commandBufferCount : a2->pSubmits[i].commandBufferInfoCount;
   VkCommandBuffer *v = n ? pv_cs_alloc(c->dec, n, sizeof(*v)) : NULL;
   uint32_t k = 0;
   for (uint32_t i = 0; v && i < submits; i++) {
      if (a1) {
         for (uint32_t j = 0; j < a1->pSubmits[i].commandBufferCount; j++)
            v[k++] = a1->pSubmits[i].pCommandBuffers[j];
      } else {
         for (uint32_t j = 0; j < a2->pSubmits[i].commandBufferInfoCount; j++)
            v[k++] = a2->pSubmits[i].pCommandBufferInfos[j].commandBuffer;
      }
   }
   *count = v ? k : 0;
   return v;
}

static void
locked_submit(struct pv_dispatch_ctx *c, VkQueue queue, pv_handler_fn fn, void *args)
{
   pthread_mutex_t *m = queue_lock(pv_venus_from(c), queue);
   if (m)
      pthread_mutex_lock(m);
   pv_venus_note_host_submit(c);
   fn(c, args);
   if (m)
      pthread_mutex_unlock(m);
}

/* Its fence signals when the binds are done, not a submission we count: never evidence. */
void
pv_vk_handle_QueueBindSparse(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkQueueBindSparse *a = args;
   if (!pv_vk_bind_sparse_chains_ok(c, a->bindInfoCount, a->pBindInfo) ||
       !pv_vk_sparse_binds_ok(c, a->bindInfoCount, a->pBindInfo)) {
      pv_vk_tell_lost(c);
      return;
   }
   pv_vk_fence_submitted(c, a->fence, NULL, 0);
   for (uint32_t i = 0; a->pBindInfo && i < a->bindInfoCount; i++)
      pv_vk_semaphores_foreign(c, a->pBindInfo[i].signalSemaphoreCount,
                               a->pBindInfo[i].pSignalSemaphores);
   struct pv_vk_device *d;
   /* under the submit lock like a submission: it takes waited semaphores' payloads (sync.c) */
   struct pv_vk_queue *q = pv_vk_queue_begin_submit(c, a->queue, &d);
   if (d && d->pd && d->pd->binds_sparse_unchecked) {
      pv_venus_refuse(c, "vkQueueBindSparse: sparse binding is withheld on this host");
      if (q)
         pthread_mutex_unlock(&q->submit_lock);
      pv_vk_tell_lost(c);
      return;
   }
   locked_submit(c, a->queue, pv_handle_vkQueueBindSparse, args);
   if (q)
      pthread_mutex_unlock(&q->submit_lock);
}

VkResult
pv_vk_queue_submit_locked(struct pv_context *ctx, VkQueue queue, PFN_vkQueueSubmit submit,
                          VkFence fence)
{
   pthread_mutex_t *m = queue_lock(ctx, queue);
   if (m)
      pthread_mutex_lock(m);
   VkResult r = submit(queue, 0, NULL, fence);
   if (m)
      pthread_mutex_unlock(m);
   return r;
}

void
pv_vk_handle_QueueSubmit(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkQueueSubmit *a = args;
   uint32_t n;
   VkCommandBuffer *cbs = submit_cmdbufs(c, a, NULL, &n);
   if (pv_cs_fatal(c->dec))
      return;
   if (!pv_vk_submit_chains_ok(c, "vkQueueSubmit", a->submitCount, a->pSubmits) ||
       !pv_vk_submit_on_one_device(c, "vkQueueSubmit", a->queue, n, cbs, a->fence) ||
       !pv_vk_cmdbufs_alive(c, "vkQueueSubmit", n, cbs)) {
      pv_vk_tell_lost(c);
      return;
   }
   struct pv_vk_device *d;
   struct pv_vk_queue *q;
   if (!pv_vk_queue_begin_submit_cmdbufs(c, "vkQueueSubmit", a->queue, n, cbs, &q, &d)) {
      pv_vk_tell_lost(c);
      return;
   }
   locked_submit(c, a->queue, pv_handle_vkQueueSubmit, args);
   if (a->ret == VK_SUCCESS)
      pv_vk_semaphores_signalled(c, d, q, a, NULL);
   bool ok = a->ret == VK_SUCCESS;
   pv_vk_queue_end_submit(c, q, d, ok, n, cbs, ok ? pv_vk_batch_signals(c, a, NULL, n) : NULL,
                          a->fence);
}

void
pv_vk_handle_QueueSubmit2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkQueueSubmit2 *a = args;
   uint32_t n;
   VkCommandBuffer *cbs = submit_cmdbufs(c, NULL, a, &n);
   if (pv_cs_fatal(c->dec))
      return;
   if (!pv_vk_submit_on_one_device(c, "vkQueueSubmit2", a->queue, n, cbs, a->fence) ||
       !pv_vk_cmdbufs_alive(c, "vkQueueSubmit2", n, cbs)) {
      pv_vk_tell_lost(c);
      return;
   }
   struct pv_vk_device *d;
   struct pv_vk_queue *q;
   if (!pv_vk_queue_begin_submit_cmdbufs(c, "vkQueueSubmit2", a->queue, n, cbs, &q, &d)) {
      pv_vk_tell_lost(c);
      return;
   }
   locked_submit(c, a->queue, pv_handle_vkQueueSubmit2, args);
   if (a->ret == VK_SUCCESS)
      pv_vk_semaphores_signalled(c, d, q, NULL, a);
   bool ok = a->ret == VK_SUCCESS;
   pv_vk_queue_end_submit(c, q, d, ok, n, cbs, ok ? pv_vk_batch_signals(c, NULL, a, n) : NULL,
                          a->fence);
}
