/* SPDX-License-Identifier: MIT */
/*
 * Buffers and images that may be bound to host-visible memory. That memory is a host pointer
 * import (memory.c), and Vulkan wants a resource bound to imported memory to have been created
 * with the import's handle type (VUID-vkBindBufferMemory-memory-02727, ...-02729 for images).
 * Where every memory type of the device is host-visible (lavapipe, some integrated GPUs) every
 * bind is to imported memory, so we chain VkExternalMemory{Buffer,Image}CreateInfo with
 * HOST_ALLOCATION into creation and into the create-info memory-requirement queries (so both
 * agree), whenever the host says that combination is importable.
 * On devices with other memory types we leave resources alone: the chained info could steer
 * them away from device-local memory. There a host-visible bind bends the spec, as the
 * reference renderer does on purpose (Mesa docs/drivers/venus.rst).
 */
#include "vk/guard.h"
#include "vk/pv_vk.h"

#define PV_HOST_ALLOC VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT

static bool
importable(const VkExternalMemoryProperties *p)
{
   return (p->externalMemoryFeatures & VK_EXTERNAL_MEMORY_FEATURE_IMPORTABLE_BIT) &&
          (p->compatibleHandleTypes & PV_HOST_ALLOC);
}

static bool
buffer_wants_host_alloc(struct pv_context *ctx, const struct pv_vk_device *d,
                        const VkBufferCreateInfo *ci)
{
   const struct pv_vk_dispatch *vk = &pv_venus_host(ctx)->vk;
   if (!d->external_resources || !vk->GetPhysicalDeviceExternalBufferProperties ||
       pv_vk_chain_find(ci->pNext, VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO))
      return false;
   const VkPhysicalDeviceExternalBufferInfo info = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_BUFFER_INFO,
      .flags = ci->flags,
      .usage = ci->usage,
      .handleType = PV_HOST_ALLOC,
   };
   VkExternalBufferProperties props = {.sType = VK_STRUCTURE_TYPE_EXTERNAL_BUFFER_PROPERTIES};
   vk->GetPhysicalDeviceExternalBufferProperties(d->pd->host, &info, &props);
   return importable(&props.externalMemoryProperties);
}

static bool
image_wants_host_alloc(struct pv_context *ctx, const struct pv_vk_device *d,
                       const VkImageCreateInfo *ci)
{
   const struct pv_vk_dispatch *vk = &pv_venus_host(ctx)->vk;
   /* external images must start UNDEFINED (VUID-VkImageCreateInfo-pNext-01443); modifier
    * tiling needs its own query structs */
   if (!d->external_resources || !vk->GetPhysicalDeviceImageFormatProperties2 ||
       ci->initialLayout != VK_IMAGE_LAYOUT_UNDEFINED ||
       ci->tiling == VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT ||
       pv_vk_chain_find(ci->pNext, VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO))
      return false;
   VkPhysicalDeviceExternalImageFormatInfo ext = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO,
      .handleType = PV_HOST_ALLOC,
   };
   const VkPhysicalDeviceImageFormatInfo2 info = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2,
      .pNext = &ext,
      .format = ci->format,
      .type = ci->imageType,
      .tiling = ci->tiling,
      .usage = ci->usage,
      .flags = ci->flags,
   };
   VkExternalImageFormatProperties eprops = {.sType =
                                                VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES};
   VkImageFormatProperties2 props = {.sType = VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2,
                                     .pNext = &eprops};
   if (vk->GetPhysicalDeviceImageFormatProperties2(d->pd->host, &info, &props) != VK_SUCCESS)
      return false;
   return importable(&eprops.externalMemoryProperties);
}

/* The info the host sees: the guest's, or a copy with the external info in front. */
static const VkBufferCreateInfo *
buffer_info(struct pv_dispatch_ctx *c, VkDevice device, const VkBufferCreateInfo *ci,
            VkBufferCreateInfo *copy, VkExternalMemoryBufferCreateInfo *ext)
{
   struct pv_context *ctx = pv_venus_from(c);
   const struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   if (!d || !ci || !buffer_wants_host_alloc(ctx, d, ci))
      return ci;
   *ext = (VkExternalMemoryBufferCreateInfo){
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
      .pNext = ci->pNext,
      .handleTypes = PV_HOST_ALLOC,
   };
   *copy = *ci;
   copy->pNext = ext;
   return copy;
}

static const VkImageCreateInfo *
image_info(struct pv_dispatch_ctx *c, VkDevice device, const VkImageCreateInfo *ci,
           VkImageCreateInfo *copy, VkExternalMemoryImageCreateInfo *ext)
{
   struct pv_context *ctx = pv_venus_from(c);
   const struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   if (!d || !ci || !image_wants_host_alloc(ctx, d, ci))
      return ci;
   *ext = (VkExternalMemoryImageCreateInfo){
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO,
      .pNext = ci->pNext,
      .handleTypes = PV_HOST_ALLOC,
   };
   *copy = *ci;
   copy->pNext = ext;
   return copy;
}

void
pv_vk_handle_CreateBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateBuffer *a = args;
   const VkBufferCreateInfo *orig = a->pCreateInfo;
   VkBufferCreateInfo copy;
   VkExternalMemoryBufferCreateInfo ext;
   const uint32_t sparse = VK_BUFFER_CREATE_SPARSE_BINDING_BIT |
                           VK_BUFFER_CREATE_SPARSE_RESIDENCY_BIT |
                           VK_BUFFER_CREATE_SPARSE_ALIASED_BIT;
   if (orig && !pv_vk_sparse_ok(c, "vkCreateBuffer", a->device, orig->flags & sparse))
      return;
   a->pCreateInfo = buffer_info(c, a->device, orig, &copy, &ext);
   pv_handle_vkCreateBuffer(c, args);
   a->pCreateInfo = orig;
   /* a refused or fatal command leaves ret at 0: only a created buffer has an id to track */
   if (a->ret == VK_SUCCESS && orig && a->pBuffer && !pv_cs_fatal(c->dec))
      pv_vk_buffer_track(c, PV_FROM_HANDLE(*a->pBuffer), orig);
}

void
pv_vk_handle_CreateImage(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateImage *a = args;
   const VkImageCreateInfo *orig = a->pCreateInfo;
   VkImageCreateInfo copy;
   VkExternalMemoryImageCreateInfo ext;
   const uint32_t sparse = VK_IMAGE_CREATE_SPARSE_BINDING_BIT |
                           VK_IMAGE_CREATE_SPARSE_RESIDENCY_BIT |
                           VK_IMAGE_CREATE_SPARSE_ALIASED_BIT;
   if (!pv_guard_image_create(c, "vkCreateImage", a->device, orig) ||
       !pv_vk_sparse_ok(c, "vkCreateImage", a->device, orig->flags & sparse))
      return;
   a->pCreateInfo = image_info(c, a->device, orig, &copy, &ext);
   pv_handle_vkCreateImage(c, args);
   a->pCreateInfo = orig;
   if (a->ret == VK_SUCCESS && a->pImage && !pv_cs_fatal(c->dec))
      pv_vk_image_track(c, PV_FROM_HANDLE(*a->pImage), orig);
}

void
pv_vk_handle_GetDeviceBufferMemoryRequirements(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetDeviceBufferMemoryRequirements *a = args;
   const VkDeviceBufferMemoryRequirements *orig = a->pInfo;
   VkDeviceBufferMemoryRequirements info;
   VkBufferCreateInfo copy;
   VkExternalMemoryBufferCreateInfo ext;
   if (orig) {
      info = *orig;
      info.pCreateInfo = buffer_info(c, a->device, orig->pCreateInfo, &copy, &ext);
      a->pInfo = &info;
   }
   pv_handle_vkGetDeviceBufferMemoryRequirements(c, args);
   a->pInfo = orig;
}

/* The create-info queries make an image on the host as vkCreateImage does (lavapipe: a whole
 * llvmpipe texture layout, whose per-level arrays a mip count past 15 overruns), so they are
 * checked as vkCreateImage is. */
void
pv_vk_handle_GetDeviceImageMemoryRequirements(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetDeviceImageMemoryRequirements *a = args;
   const VkDeviceImageMemoryRequirements *orig = a->pInfo;
   VkDeviceImageMemoryRequirements info;
   VkImageCreateInfo copy;
   VkExternalMemoryImageCreateInfo ext;
   if (!pv_guard_image_create(c, "vkGetDeviceImageMemoryRequirements", a->device,
                              orig ? orig->pCreateInfo : NULL))
      return;
   info = *orig;
   info.pCreateInfo = image_info(c, a->device, orig->pCreateInfo, &copy, &ext);
   a->pInfo = &info;
   pv_handle_vkGetDeviceImageMemoryRequirements(c, args);
   a->pInfo = orig;
}

void
pv_vk_handle_GetDeviceImageSparseMemoryRequirements(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetDeviceImageSparseMemoryRequirements *a = args;
   if (pv_guard_image_create(c, "vkGetDeviceImageSparseMemoryRequirements", a->device,
                             a->pInfo ? a->pInfo->pCreateInfo : NULL))
      pv_handle_vkGetDeviceImageSparseMemoryRequirements(c, args);
}

void
pv_vk_handle_GetDeviceImageSubresourceLayoutKHR(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetDeviceImageSubresourceLayoutKHR *a = args;
   if (pv_guard_device_image_subresource(c, a->device, a->pInfo))
      pv_handle_vkGetDeviceImageSubresourceLayoutKHR(c, args);
}
