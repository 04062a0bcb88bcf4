/* SPDX-License-Identifier: MIT */
/*
 * Guest fences as completion evidence (lifetime.h). A guest fence the host reports signalled
 * lets the lifetime tracking take its last submission, and every one before it on that queue,
 * as finished, so freeing their command buffers needs no drain. That holds only while the
 * fence's signal can come from nothing but that submission. A fence whose signal may come from
 * elsewhere is marked foreign for good and never taken as evidence:
 *   - created signalled (then submitted, against VUID-vkQueueSubmit-fence-00063: fuzz inputs
 *     c155e8a3 and 6d818b2d, where the guest's wait returned at once and vkFreeCommandBuffers
 *     freed commands lavapipe's queue thread was running);
 *   - reset while its submission may still run: the host's signal can land after the reset.
 *     Mesa's Venus does this legally from its view: it waits on its own feedback slot, which the
 *     submission writes before the host signals the fence, then resets the fence;
 *   - submitted again before a reset, or given to vkQueueBindSparse (not a noted submission).
 * Refusing such fences instead was wrong: under load the Venus reset above races the host's
 * signal, and a later submission then met a fence signalled on the host (CI, --threads).
 *
 * That race is short, and losing it is costly: with its feedback on, a Venus guest never asks
 * the host about a fence, so the reset is the only time the host hears of it, and a fence made
 * foreign there leaves its queue "maybe busy" for good. Every vkBeginCommandBuffer or
 * vkResetCommandBuffer of a submitted command buffer then drained the whole queue (lifetime.c),
 * waiting for the submissions queued after it as well: a guest keeping two command buffers in
 * flight got no overlap of the renderer's recording with the GPU (bench-stream end to end 0.82x
 * native on an H200, where it had been 0.99x). So vkResetFences first waits, briefly and with a
 * bound per call, for the host to signal a fence whose submission may still run; signalled, the
 * fence is evidence and the host's reset no longer races its signal
 * (VUID-vkResetFences-pFences-01123 on the host). A fence that is not signalled by then is
 * marked foreign as before.
 */
#include "vk/lifetime.h"

#include <stdlib.h>

#include "renderer/context.h"
#include "util/os.h"
#include "vk/guard.h"
#include "vk/pv_vk.h"

/* pv_object.data of a VkFence. */
struct pv_vk_fence {
   struct pv_vk_queue *queue; /* its submission since the last reset, NULL if none */
   uint64_t value;            /* that submission's count on the queue */
   bool foreign;              /* its signal may not be that submission's: never evidence */
   bool unreset;              /* created signalled and not reset since */
   bool plain;                /* no pNext, not created signalled: may be kept (fence_pool.c) */
};

/* What one vkResetFences may wait in all for its fences' signals (see the top). A legal Venus
 * guest's fence signals microseconds after the feedback it saw; a guest resetting fences of
 * work still running only delays its own ring, by at most this much per call. */
#define PV_FENCE_RESET_WAIT_NS 1000000ull

static struct pv_vk_fence *
fence_state(struct pv_dispatch_ctx *c, VkFence fence)
{
   return pv_vk_named_state(c, VK_OBJECT_TYPE_FENCE, PV_FROM_HANDLE(fence));
}

/* vkCreateFence of a plain fence from the device's kept ones (fence_pool.c), as the generated
 * handler would register a new one; false: none kept, the handler creates it. */
static bool
create_from_pool(struct pv_dispatch_ctx *c, struct pv_args_vkCreateFence *a)
{
   if (!a->device || !a->pFence || !pv_vk_fence_is_plain(a->pCreateInfo))
      return false;
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   uint64_t id = PV_FROM_HANDLE(*a->pFence);
   VkFence host = d && id ? pv_vk_fence_pool_take(d) : VK_NULL_HANDLE;
   if (!host)
      return false;
   if (!pv_cs_admit(c->dec, VK_OBJECT_TYPE_FENCE, 1)) {
      a->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      d->DestroyFence(d->host, host, NULL);
      return true;
   }
   a->ret = VK_SUCCESS;
   if (!pv_cs_created(c->dec, VK_OBJECT_TYPE_FENCE, id, PV_FROM_HANDLE(host)))
      d->DestroyFence(d->host, host, NULL); /* refused (the id in use): the context is lost */
   return true; /* *a->pFence still holds the guest id: the reply echoes it */
}

void
pv_guard_CreateFence(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateFence *a = args;
   if (!create_from_pool(c, a))
      pv_handle_vkCreateFence(c, args);
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *o = a->ret == VK_SUCCESS && a->pFence && !pv_cs_fatal(c->dec)
                            ? pv_object_find(ctx, PV_FROM_HANDLE(*a->pFence), VK_OBJECT_TYPE_FENCE)
                            : NULL;
   if (!o || o->data)
      return;
   struct pv_vk_fence *f = calloc(1, sizeof(*f));
   if (!f) {
      /* Without its state a fence is never evidence (fence_state NULL): safe, only slower. */
      return;
   }
   f->unreset = a->pCreateInfo && (a->pCreateInfo->flags & VK_FENCE_CREATE_SIGNALED_BIT);
   f->plain = pv_vk_fence_is_plain(a->pCreateInfo);
   o->data = f;
   o->free_data = pv_vk_state_free;
}

void
pv_vk_fences_reset(struct pv_dispatch_ctx *c, uint32_t count, const VkFence *fences, bool done)
{
   for (uint32_t i = 0; fences && i < count; i++) {
      struct pv_vk_fence *f = fence_state(c, fences[i]);
      if (!f)
         continue;
      if (!done || (f->queue && pv_vk_queue_busy(f->queue, f->value)))
         f->foreign = true;
      else
         f->unreset = false; /* unsignalled on the host, nothing pending can signal it */
      f->queue = NULL;
   }
}

/* Waits, until deadline_ns at most, for the host to signal a fence whose submission the tracking
 * does not know finished; signalled, that submission and all before it are. */
static void
settle_before_reset(struct pv_dispatch_ctx *c, const struct pv_vk_device *d, VkFence fence,
                    uint64_t deadline_ns)
{
   struct pv_vk_fence *f = fence_state(c, fence);
   if (!f || !f->queue || f->foreign || !pv_vk_queue_busy(f->queue, f->value))
      return;
   /* Only through the device its submission went to: a fence of another device is never
    * handed to this one's driver. */
   uint32_t i = 0;
   while (i < d->queue_count && &d->queues[i] != f->queue)
      i++;
   if (i == d->queue_count)
      return;
   uint64_t now = pv_os_time_ns();
   uint64_t left = now < deadline_ns ? deadline_ns - now : 0;
   if (d->WaitForFences(d->host, 1, &fence, VK_TRUE, left) == VK_SUCCESS)
      pv_vk_queue_completed_at_least(f->queue, f->value);
}

void
pv_guard_ResetFences(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkResetFences *a = args;
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   if (d && d->WaitForFences && a->pFences) {
      uint64_t deadline = pv_os_time_ns() + PV_FENCE_RESET_WAIT_NS;
      for (uint32_t i = 0; i < a->fenceCount; i++)
         settle_before_reset(c, d, a->pFences[i], deadline);
   }
   pv_handle_vkResetFences(c, args);
   pv_vk_fences_reset(c, a->fenceCount, a->pFences, a->ret == VK_SUCCESS);
}

void
pv_vk_fence_submitted(struct pv_dispatch_ctx *c, VkFence fence, struct pv_vk_queue *q,
                      uint64_t value)
{
   struct pv_vk_fence *f = fence_state(c, fence);
   if (!f)
      return;
   if (f->queue || !q || f->unreset)
      f->foreign = true; /* a second submission before a reset, not one we count, or signalled */
   f->queue = q;
   f->value = value;
}

void
pv_vk_fences_signalled(struct pv_dispatch_ctx *c, uint32_t count, const VkFence *fences)
{
   for (uint32_t i = 0; fences && i < count; i++) {
      struct pv_vk_fence *f = fence_state(c, fences[i]);
      if (f && f->queue && !f->foreign)
         pv_vk_queue_completed_at_least(f->queue, f->value); /* and all before it */
   }
}

/* A fence the host reports signalled finishes its submission (and all before it). */
void
pv_guard_GetFenceStatus(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetFenceStatus *a = args;
   pv_handle_vkGetFenceStatus(c, args);
   if (a->ret == VK_SUCCESS)
      pv_vk_fences_signalled(c, 1, &a->fence);
}

/* A plain fence no submission can still signal is reset and kept for the next vkCreateFence
 * (fence_pool.c) instead of destroyed: the host driver's destroy and create are slow. Any other
 * one is destroyed on the host once the submissions made so far are finished (graveyard.c): one
 * may still signal it. */
void
pv_guard_DestroyFence(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkDestroyFence *a = args;
   struct pv_object *o =
      a->fence ? pv_venus_object(c, VK_OBJECT_TYPE_FENCE, PV_FROM_HANDLE(a->fence)) : NULL;
   struct pv_vk_fence *f = o ? o->data : NULL;
   struct pv_vk_device *d =
      f && a->device ? pv_vk_device_from_host(pv_venus_from(c), a->device) : NULL;
   /* only into the pool of the device that made it: another device's driver never sees it */
   if (d && o->parent == d->id && f->plain && !f->foreign && !f->unreset) {
      bool submitted = f->queue && pv_vk_queue_busy(f->queue, f->value);
      if (pv_vk_fence_pool_give(d, a->fence, submitted)) {
         pv_cs_destroyed(c->dec, VK_OBJECT_TYPE_FENCE, PV_FROM_HANDLE(a->fence));
         return;
      }
   }
   if (!pv_vk_keep_or_quiesce(c, a->device, VK_OBJECT_TYPE_FENCE, PV_FROM_HANDLE(a->fence)))
      pv_handle_vkDestroyFence(c, args);
}
