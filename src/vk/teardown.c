/* SPDX-License-Identifier: MIT */
/*
 * Destroying what the guest left: on vkDestroyDevice, vkDestroyInstance and context teardown
 * (a guest that crashed or disconnected). Children go before what they were made from, memory
 * last, then the device, then the instance, so the host driver (and the validation layer)
 * sees a well-ordered, leak-free shutdown.
 */
#if defined(__SANITIZE_ADDRESS__) && defined(__linux__)
#define _GNU_SOURCE /* dl_iterate_phdr, RTLD_NODELETE: sanitizer builds only (below) */
#endif
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "vk/pv_vk.h"

/* Destruction order of device children. Command buffers and descriptor sets are children of
 * their pools and go with them. */
static const int32_t pv_teardown_order[] = {
   VK_OBJECT_TYPE_COMMAND_POOL,
   VK_OBJECT_TYPE_DESCRIPTOR_POOL,
   VK_OBJECT_TYPE_QUERY_POOL,
   VK_OBJECT_TYPE_PIPELINE,
   VK_OBJECT_TYPE_PIPELINE_CACHE,
   VK_OBJECT_TYPE_PIPELINE_LAYOUT,
   VK_OBJECT_TYPE_DESCRIPTOR_UPDATE_TEMPLATE,
   VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT,
   VK_OBJECT_TYPE_FRAMEBUFFER,
   VK_OBJECT_TYPE_RENDER_PASS,
   VK_OBJECT_TYPE_IMAGE_VIEW,
   VK_OBJECT_TYPE_BUFFER_VIEW,
   VK_OBJECT_TYPE_SAMPLER,
   VK_OBJECT_TYPE_SAMPLER_YCBCR_CONVERSION,
   VK_OBJECT_TYPE_IMAGE,
   VK_OBJECT_TYPE_BUFFER,
   VK_OBJECT_TYPE_SHADER_MODULE,
   VK_OBJECT_TYPE_EVENT,
   VK_OBJECT_TYPE_FENCE,
   VK_OBJECT_TYPE_SEMAPHORE,
   VK_OBJECT_TYPE_PRIVATE_DATA_SLOT,
   VK_OBJECT_TYPE_DEVICE_MEMORY,
};

#define PV_DESTROY(fn, T)                                                                          \
   do {                                                                                            \
      if (vk->fn)                                                                                  \
         vk->fn(dev, PV_TO_HANDLE(T, h), NULL);                                                    \
   } while (0)

/* Destroys one host object of a device; false for a type we do not know how to destroy. */
static bool
destroy_host_object(const struct pv_vk_dispatch *vk, VkDevice dev, int32_t type, uint64_t h)
{
   switch (type) {
   case VK_OBJECT_TYPE_COMMAND_POOL:
      PV_DESTROY(DestroyCommandPool, VkCommandPool);
      break;
   case VK_OBJECT_TYPE_DESCRIPTOR_POOL:
      PV_DESTROY(DestroyDescriptorPool, VkDescriptorPool);
      break;
   case VK_OBJECT_TYPE_QUERY_POOL:
      PV_DESTROY(DestroyQueryPool, VkQueryPool);
      break;
   case VK_OBJECT_TYPE_PIPELINE:
      PV_DESTROY(DestroyPipeline, VkPipeline);
      break;
   case VK_OBJECT_TYPE_PIPELINE_CACHE:
      PV_DESTROY(DestroyPipelineCache, VkPipelineCache);
      break;
   case VK_OBJECT_TYPE_PIPELINE_LAYOUT:
      PV_DESTROY(DestroyPipelineLayout, VkPipelineLayout);
      break;
   case VK_OBJECT_TYPE_DESCRIPTOR_UPDATE_TEMPLATE:
      PV_DESTROY(DestroyDescriptorUpdateTemplate, VkDescriptorUpdateTemplate);
      break;
   case VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT:
      PV_DESTROY(DestroyDescriptorSetLayout, VkDescriptorSetLayout);
      break;
   case VK_OBJECT_TYPE_FRAMEBUFFER:
      PV_DESTROY(DestroyFramebuffer, VkFramebuffer);
      break;
   case VK_OBJECT_TYPE_RENDER_PASS:
      PV_DESTROY(DestroyRenderPass, VkRenderPass);
      break;
   case VK_OBJECT_TYPE_IMAGE_VIEW:
      PV_DESTROY(DestroyImageView, VkImageView);
      break;
   case VK_OBJECT_TYPE_BUFFER_VIEW:
      PV_DESTROY(DestroyBufferView, VkBufferView);
      break;
   case VK_OBJECT_TYPE_SAMPLER:
      PV_DESTROY(DestroySampler, VkSampler);
      break;
   case VK_OBJECT_TYPE_SAMPLER_YCBCR_CONVERSION:
      PV_DESTROY(DestroySamplerYcbcrConversion, VkSamplerYcbcrConversion);
      break;
   case VK_OBJECT_TYPE_IMAGE:
      PV_DESTROY(DestroyImage, VkImage);
      break;
   case VK_OBJECT_TYPE_BUFFER:
      PV_DESTROY(DestroyBuffer, VkBuffer);
      break;
   case VK_OBJECT_TYPE_SHADER_MODULE:
      PV_DESTROY(DestroyShaderModule, VkShaderModule);
      break;
   case VK_OBJECT_TYPE_EVENT:
      PV_DESTROY(DestroyEvent, VkEvent);
      break;
   case VK_OBJECT_TYPE_FENCE:
      PV_DESTROY(DestroyFence, VkFence);
      break;
   case VK_OBJECT_TYPE_SEMAPHORE:
      PV_DESTROY(DestroySemaphore, VkSemaphore);
      break;
   case VK_OBJECT_TYPE_PRIVATE_DATA_SLOT:
      PV_DESTROY(DestroyPrivateDataSlot, VkPrivateDataSlot);
      break;
   case VK_OBJECT_TYPE_DEVICE_MEMORY:
      PV_DESTROY(FreeMemory, VkDeviceMemory);
      break;
   default:
      return false;
   }
   return true;
}

/* Destroys every child of type `type` of device `d`; returns how many there were. */
static size_t
destroy_children_of_type(struct pv_context *ctx, struct pv_vk_device *d, int32_t type)
{
   const struct pv_vk_dispatch *vk = &pv_venus_host(ctx)->vk;
   uint64_t *ids = NULL;
   size_t n = pv_object_list_children(ctx, d->id, type, &ids);
   for (size_t i = 0; i < n; i++) {
      struct pv_object *obj = pv_object_find(ctx, ids[i], type);
      if (!obj)
         continue;
      if (obj->host) /* 0: kept by a lost context for itself, no host object (lost.c) */
         destroy_host_object(vk, d->host, type, obj->host);
      pv_object_remove_children(ctx, ids[i], -1); /* command buffers, descriptor sets */
      pv_object_remove(ctx, ids[i]);
   }
   free(ids);
   return n;
}

void
pv_vk_device_destroy_children(struct pv_context *ctx, struct pv_vk_device *d)
{
   size_t left = 0;
   for (size_t i = 0; i < sizeof(pv_teardown_order) / sizeof(pv_teardown_order[0]); i++)
      left += destroy_children_of_type(ctx, d, pv_teardown_order[i]);
   if (left)
      pv_dbg("%s: destroyed %zu objects the guest left on device 0x%llx", pv_venus_name(ctx), left,
             (unsigned long long)d->id);
}

/* Objects whose parent chain does not reach the instance (there should be none). */
static void
remove_orphans(struct pv_context *ctx)
{
   uint64_t *ids = NULL;
   size_t n = pv_object_list_children(ctx, 0, -1, &ids);
   for (size_t i = 0; i < n; i++) {
      pv_object_remove_children(ctx, ids[i], -1);
      pv_object_remove(ctx, ids[i]);
   }
   free(ids);
   if (n)
      pv_warn("%s: %zu untracked objects dropped at teardown", pv_venus_name(ctx), n);
}

/*
 * Sanitizer builds only: the loader unloads the host driver at vkDestroyInstance, and a leak the
 * driver makes is then reported with "<unknown module>" frames that no suppression can match,
 * while our own leaks must stay visible. Pinning every loaded module (RTLD_NODELETE) keeps the
 * driver's frames named, so tests/e2e/lsan.supp can suppress exactly the driver's.
 */
#if defined(__SANITIZE_ADDRESS__) && defined(__linux__)
#include <dlfcn.h>
#include <link.h>

static int
pin_module(struct dl_phdr_info *info, size_t size, void *data)
{
   (void)size;
   (void)data;
   if (info->dlpi_name && info->dlpi_name[0])
      dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
   return 0;
}

static void
pin_host_driver_modules(void)
{
   dl_iterate_phdr(pin_module, NULL);
}
#else
static void
pin_host_driver_modules(void)
{
}
#endif

void
pv_vk_context_teardown(struct pv_context *ctx)
{
   pin_host_driver_modules();
   struct pv_vk_host *host = pv_venus_host(ctx);
   if (!host || !host->instance) {
      remove_orphans(ctx);
      return;
   }
   uint64_t instance_id = host->instance_id;
   uint64_t *ids = NULL;
   size_t n = pv_object_list_children(ctx, instance_id, VK_OBJECT_TYPE_DEVICE, &ids);
   for (size_t i = 0; i < n; i++)
      pv_vk_device_destroy(ctx, ids[i]);
   free(ids);
   pv_object_remove_children(ctx, instance_id, -1); /* physical devices */

   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (inst)
      pv_vk_instance_destroy_host(ctx, inst, host->instance);
   pv_object_remove(ctx, instance_id);
   host->instance = VK_NULL_HANDLE;
   host->instance_id = 0;
   memset(&host->vk, 0, sizeof(host->vk));
   remove_orphans(ctx);
}
