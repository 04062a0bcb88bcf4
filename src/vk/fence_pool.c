/* SPDX-License-Identifier: MIT */
/*
 * Host fences kept for reuse. On the H200 (NVIDIA 580) vkCreateFence takes about 270 us and
 * vkDestroyFence about 250 us, where resetting a signalled fence takes 0.2 us
 * (bench/notes-h200-fence-pool.md). An application pays them outside the work it times; through
 * Venus they are asynchronous, so they run on the ring right in front of the submission that
 * follows them: a guest that makes a fence per submission (vkpeak's copies, ncnn, bench-copy)
 * had each submission reach the GPU about half a millisecond late.
 *
 * A plain fence (no pNext, not created signalled) destroyed with the device that made it, while
 * the host says it is signalled or while no tracked submission may still signal it, is reset and
 * kept, up to PV_FENCE_POOL per device; vkCreateFence of a plain fence takes one. A fence that
 * may still be signalled by a submission (tracked as in flight, or foreign: fences.c) is
 * destroyed as before.
 */
#include <string.h>

#include "vk/pv_vk.h"

static void
destroy_host_fence(pv_host_fn fn, uint64_t device, uint64_t fence)
{
   ((PFN_vkDestroyFence)fn)(PV_TO_HANDLE(VkDevice, device), PV_TO_HANDLE(VkFence, fence), NULL);
}

void
pv_vk_destroy_fence_later(struct pv_context *ctx, struct pv_vk_device *d, VkFence fence)
{
   if (fence != VK_NULL_HANDLE)
      pv_venus_host_destroy_later(ctx, destroy_host_fence, (pv_host_fn)d->DestroyFence,
                                  PV_FROM_HANDLE(d->host), PV_FROM_HANDLE(fence), false);
}

void
pv_vk_fence_pool_empty(struct pv_context *ctx, struct pv_vk_device *d)
{
   VkFence fences[PV_FENCE_POOL];
   pthread_mutex_lock(&d->fence_pool.lock);
   uint32_t n = d->fence_pool.count;
   memcpy(fences, d->fence_pool.fences, sizeof(VkFence) * n);
   d->fence_pool.count = 0;
   d->fence_pool.closed = true; /* a fence another ring destroys now is destroyed by it */
   pthread_mutex_unlock(&d->fence_pool.lock);
   for (uint32_t i = 0; i < n; i++)
      pv_vk_destroy_fence_later(ctx, d, fences[i]);
}

bool
pv_vk_fence_is_plain(const VkFenceCreateInfo *info)
{
   return info && !info->pNext && !info->flags;
}

VkFence
pv_vk_fence_pool_take(struct pv_vk_device *d)
{
   VkFence f = VK_NULL_HANDLE;
   pthread_mutex_lock(&d->fence_pool.lock);
   if (d->fence_pool.count)
      f = d->fence_pool.fences[--d->fence_pool.count];
   pthread_mutex_unlock(&d->fence_pool.lock);
   return f;
}

/* Keeps an unsignalled host fence; false (the caller destroys it) when the pool is full. A
 * fence the pool holds already (destroyed on two rings at once) stays there once: two entries
 * would hand it to two vkCreateFence calls. */
static bool
keep(struct pv_vk_device *d, VkFence fence)
{
   pthread_mutex_lock(&d->fence_pool.lock);
   bool kept = false;
   for (uint32_t i = 0; i < d->fence_pool.count && !kept; i++)
      kept = d->fence_pool.fences[i] == fence;
   if (!kept && !d->fence_pool.closed && d->fence_pool.count < PV_FENCE_POOL) {
      d->fence_pool.fences[d->fence_pool.count++] = fence;
      kept = true;
   }
   pthread_mutex_unlock(&d->fence_pool.lock);
   return kept;
}

bool
pv_vk_fence_pool_give(struct pv_vk_device *d, VkFence fence, bool submitted)
{
   VkResult status = d->GetFenceStatus(d->host, fence);
   if (status != VK_SUCCESS && (status != VK_NOT_READY || submitted))
      return false; /* a submission may still signal it, or the device is lost */
   /* unsignalled too: a reset also drops a payload imported for a while */
   return d->ResetFences(d->host, 1, &fence) == VK_SUCCESS && keep(d, fence);
}
