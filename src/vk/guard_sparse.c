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

/* ----- the binds of vkQueueBindSparse, on every host ----------------------------------------- */

/*
 * Where sparse binding is offered, each bind lies inside its resource and its memory (VkSparse-
 * MemoryBind VUIDs resourceOffset-01099, size-01100, memoryOffset-01101, size-01102), its
 * resource was made sparse (VkSparseBufferMemoryBindInfo and VkSparseImage*MemoryBindInfo VUIDs),
 * and an image bind names a subresource and box of the image. What a host driver does with a
 * bind past them was read only for lavapipe (above, where sparse is withheld); elsewhere these
 * are Vulkan's rules, checked so no driver has to.
 */
static bool
memory_side_ok(struct pv_dispatch_ctx *c, VkDeviceMemory memory, uint64_t offset, uint64_t size)
{
   if (memory == VK_NULL_HANDLE)
      return true; /* an unbind */
   uint64_t m = pv_vk_memory_size(c, memory);
   if (m && offset <= m && size <= m - offset)
      return true;
   pv_venus_refuse(c, "vkQueueBindSparse: %llu bytes at %llu outside their memory (%llu bytes)",
                   (unsigned long long)size, (unsigned long long)offset, (unsigned long long)m);
   return false;
}

static bool
buffer_binds_ok(struct pv_dispatch_ctx *c, const VkSparseBufferMemoryBindInfo *bi)
{
   const struct pv_vk_buffer *b = pv_vk_buffer_get(c, bi->buffer);
   if (!b || !b->sparse) {
      pv_venus_refuse(c, "vkQueueBindSparse: a buffer not made sparse");
      return false;
   }
   for (uint32_t j = 0; bi->pBinds && j < bi->bindCount; j++) {
      const VkSparseMemoryBind *m = &bi->pBinds[j];
      if (!m->size || m->resourceOffset >= b->size || m->size > b->size - m->resourceOffset) {
         pv_venus_refuse(c, "vkQueueBindSparse: %llu bytes at %llu outside the buffer (%llu bytes)",
                         (unsigned long long)m->size, (unsigned long long)m->resourceOffset,
                         (unsigned long long)b->size);
         return false;
      }
      if (!memory_side_ok(c, m->memory, m->memoryOffset, m->size))
         return false;
   }
   return true;
}

static const struct pv_vk_image *
sparse_image(struct pv_dispatch_ctx *c, VkImage image)
{
   const struct pv_vk_image *im = pv_vk_image_get(c, image);
   if (!im || !im->sparse)
      pv_venus_refuse(c, "vkQueueBindSparse: an image not made sparse");
   return im && im->sparse ? im : NULL;
}

static bool
opaque_binds_ok(struct pv_dispatch_ctx *c, const VkSparseImageOpaqueMemoryBindInfo *bi)
{
   if (!sparse_image(c, bi->image))
      return false;
   for (uint32_t j = 0; bi->pBinds && j < bi->bindCount; j++) {
      const VkSparseMemoryBind *m = &bi->pBinds[j];
      if (!m->size || m->resourceOffset + m->size < m->resourceOffset) {
         pv_venus_refuse(c, "vkQueueBindSparse: an opaque image bind of %llu bytes at %llu",
                         (unsigned long long)m->size, (unsigned long long)m->resourceOffset);
         return false;
      }
      if (!memory_side_ok(c, m->memory, m->memoryOffset, m->size))
         return false;
   }
   return true;
}

static bool
image_binds_ok(struct pv_dispatch_ctx *c, const VkSparseImageMemoryBindInfo *bi)
{
   const struct pv_vk_image *im = sparse_image(c, bi->image);
   if (!im)
      return false;
   for (uint32_t j = 0; bi->pBinds && j < bi->bindCount; j++) {
      const VkSparseImageMemoryBind *m = &bi->pBinds[j];
      const VkImageSubresource *s = &m->subresource;
      if (s->mipLevel >= im->mips || s->arrayLayer >= im->layers || !s->aspectMask) {
         pv_venus_refuse(c, "vkQueueBindSparse: mip %u / layer %u outside the image", s->mipLevel,
                         s->arrayLayer);
         return false;
      }
      if (!pv_guard_image_box(c, "vkQueueBindSparse", im, s->mipLevel, m->offset, m->extent))
         return false;
   }
   return true;
}

bool
pv_vk_sparse_binds_ok(struct pv_dispatch_ctx *c, uint32_t n, const VkBindSparseInfo *b)
{
   for (uint32_t i = 0; b && i < n; i++) {
      for (uint32_t k = 0; b[i].pBufferBinds && k < b[i].bufferBindCount; k++)
         if (!buffer_binds_ok(c, &b[i].pBufferBinds[k]))
            return false;
      for (uint32_t k = 0; b[i].pImageOpaqueBinds && k < b[i].imageOpaqueBindCount; k++)
         if (!opaque_binds_ok(c, &b[i].pImageOpaqueBinds[k]))
            return false;
      for (uint32_t k = 0; b[i].pImageBinds && k < b[i].imageBindCount; k++)
         if (!image_binds_ok(c, &b[i].pImageBinds[k]))
            return false;
   }
   return true;
}
