/* SPDX-License-Identifier: MIT */
/*
 * Sparse binding withheld where the host would bind guest values unchecked (guard.h,
 * pv_vk_physdev.binds_sparse_unchecked).
 *
 * lavapipe 25 offers a sparse binding queue and binds through llvmpipe's page tables
 * (lvp_image.c, lp_texture.c resource_bind_backing): it checks only that a bind's offset is
 * below the resource's size, then mmaps `size` bytes there with MAP_FIXED, so a larger size
 * (or an unbind, anonymous memory) replaced whatever host mappings follow the resource; a
 * resourceOffset past the resource made the resource's data pointer point wherever the guest
 * chose; memory the renderer imported as a host pointer has no fd, and a bind mapped fd 0 (read
 * by a helper in Mesa 25.0.7, 2026-12-07; not run: lavapipe 22.3 has no sparse support). Rather
 * than re-deriving llvmpipe's page table rules, on such a host the guest sees no sparse binding:
 * its queue families lose VK_QUEUE_SPARSE_BINDING_BIT, the sparse features read false, sparse
 * create flags are refused (guard_limits.c pv_vk_sparse_ok) and so is vkQueueBindSparse
 * (queue.c).
 */
#include "vk/guard.h"

#include "renderer/context.h"

bool
pv_vk_physdev_hides_sparse(struct pv_dispatch_ctx *c, VkPhysicalDevice physical)
{
   const struct pv_vk_physdev *pd = pv_vk_physdev_from_host(pv_venus_from(c), physical);
   return pd && pd->binds_sparse_unchecked;
}

void
pv_vk_hide_sparse_features(VkPhysicalDeviceFeatures *f)
{
   f->sparseBinding = f->sparseResidencyBuffer = f->sparseResidencyImage2D = VK_FALSE;
   f->sparseResidencyImage3D = f->sparseResidency2Samples = f->sparseResidency4Samples = VK_FALSE;
   f->sparseResidency8Samples = f->sparseResidency16Samples = VK_FALSE;
   f->sparseResidencyAliased = VK_FALSE;
}

void
pv_guard_GetPhysicalDeviceFeatures(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceFeatures *a = args;
   pv_handle_vkGetPhysicalDeviceFeatures(c, args);
   if (a->pFeatures && pv_vk_physdev_hides_sparse(c, a->physicalDevice))
      pv_vk_hide_sparse_features(a->pFeatures);
}

void
pv_guard_GetPhysicalDeviceQueueFamilyProperties(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceQueueFamilyProperties *a = args;
   pv_handle_vkGetPhysicalDeviceQueueFamilyProperties(c, args);
   if (!a->pQueueFamilyPropertyCount || !a->pQueueFamilyProperties ||
       !pv_vk_physdev_hides_sparse(c, a->physicalDevice))
      return;
   for (uint32_t i = 0; i < *a->pQueueFamilyPropertyCount; i++)
      a->pQueueFamilyProperties[i].queueFlags &= ~(VkQueueFlags)VK_QUEUE_SPARSE_BINDING_BIT;
}

void
pv_guard_GetPhysicalDeviceQueueFamilyProperties2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceQueueFamilyProperties2 *a = args;
   pv_handle_vkGetPhysicalDeviceQueueFamilyProperties2(c, args);
   if (!a->pQueueFamilyPropertyCount || !a->pQueueFamilyProperties ||
       !pv_vk_physdev_hides_sparse(c, a->physicalDevice))
      return;
   for (uint32_t i = 0; i < *a->pQueueFamilyPropertyCount; i++)
      a->pQueueFamilyProperties[i].queueFamilyProperties.queueFlags &=
         ~(VkQueueFlags)VK_QUEUE_SPARSE_BINDING_BIT;
}
