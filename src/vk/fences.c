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
 */
#include "vk/lifetime.h"

#include <stdlib.h>

#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/pv_vk.h"

/* pv_object.data of a VkFence. */
struct pv_vk_fence {
   struct pv_vk_queue *queue; /* its submission since the last reset, NULL if none */
   uint64_t value;            /* that submission's count on the queue */
   bool foreign;              /* its signal may not be that submission's: never evidence */
};

static struct pv_vk_fence *
fence_state(struct pv_dispatch_ctx *c, VkFence fence)
{
   struct pv_object *o =
      fence ? pv_venus_object(c, VK_OBJECT_TYPE_FENCE, PV_FROM_HANDLE(fence)) : NULL;
   return o ? o->data : NULL;
}

void
pv_guard_CreateFence(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateFence *a = args;
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
   f->foreign = a->pCreateInfo && (a->pCreateInfo->flags & VK_FENCE_CREATE_SIGNALED_BIT);
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
      f->queue = NULL;
   }
}

void
pv_guard_ResetFences(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkResetFences *a = args;
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
   if (f->queue || !q)
      f->foreign = true; /* a second submission before a reset, or not one we count */
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
