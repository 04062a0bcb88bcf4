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
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "vk/pv_vk.h"

/* Destruction order of device children, with each type's host destroy. Command buffers and
 * descriptor sets are children of their pools and go with them. */
#define PV_TEARDOWN_TYPES(X)                                                                       \
   X(COMMAND_POOL, DestroyCommandPool, VkCommandPool)                                              \
   X(DESCRIPTOR_POOL, DestroyDescriptorPool, VkDescriptorPool)                                     \
   X(QUERY_POOL, DestroyQueryPool, VkQueryPool)                                                    \
   X(PIPELINE, DestroyPipeline, VkPipeline)                                                        \
   X(PIPELINE_CACHE, DestroyPipelineCache, VkPipelineCache)                                        \
   X(PIPELINE_LAYOUT, DestroyPipelineLayout, VkPipelineLayout)                                     \
   X(DESCRIPTOR_UPDATE_TEMPLATE, DestroyDescriptorUpdateTemplate, VkDescriptorUpdateTemplate)      \
   X(DESCRIPTOR_SET_LAYOUT, DestroyDescriptorSetLayout, VkDescriptorSetLayout)                     \
   X(FRAMEBUFFER, DestroyFramebuffer, VkFramebuffer)                                               \
   X(RENDER_PASS, DestroyRenderPass, VkRenderPass)                                                 \
   X(IMAGE_VIEW, DestroyImageView, VkImageView)                                                    \
   X(BUFFER_VIEW, DestroyBufferView, VkBufferView)                                                 \
   X(SAMPLER, DestroySampler, VkSampler)                                                           \
   X(SAMPLER_YCBCR_CONVERSION, DestroySamplerYcbcrConversion, VkSamplerYcbcrConversion)            \
   X(IMAGE, DestroyImage, VkImage)                                                                 \
   X(BUFFER, DestroyBuffer, VkBuffer)                                                              \
   X(SHADER_MODULE, DestroyShaderModule, VkShaderModule)                                           \
   X(EVENT, DestroyEvent, VkEvent)                                                                 \
   X(FENCE, DestroyFence, VkFence)                                                                 \
   X(SEMAPHORE, DestroySemaphore, VkSemaphore)                                                     \
   X(PRIVATE_DATA_SLOT, DestroyPrivateDataSlot, VkPrivateDataSlot)                                 \
   X(DEVICE_MEMORY, FreeMemory, VkDeviceMemory)

/* Each type's host destroy as a pv_host_destroy_fn, so it can wait for the other paths. */
#define PV_HOST_DESTROY(type, fn, T)                                                               \
   static void destroy_host_##T(pv_host_fn f, uint64_t device, uint64_t handle)                    \
   {                                                                                               \
      ((PFN_vk##fn)f)(PV_TO_HANDLE(VkDevice, device), PV_TO_HANDLE(T, handle), NULL);              \
   }
PV_TEARDOWN_TYPES(PV_HOST_DESTROY)
#undef PV_HOST_DESTROY

struct pv_teardown_type {
   int32_t type;
   pv_host_destroy_fn destroy;
   size_t fn; /* the host destroy's offset in struct pv_vk_dispatch */
};

#define PV_TEARDOWN_TYPE(type, fn, T)                                                              \
   {VK_OBJECT_TYPE_##type, destroy_host_##T, offsetof(struct pv_vk_dispatch, fn)},
static const struct pv_teardown_type pv_teardown_order[] = {PV_TEARDOWN_TYPES(PV_TEARDOWN_TYPE)};
#undef PV_TEARDOWN_TYPE

/* Destroys every child of one type of device `d` (on the host once the commands other paths run
 * now have ended: one of them may still name it); returns how many there were. `claim`: a guest's
 * command while other paths run, so a child another ring's vkDestroy* claimed is left to it. */
static size_t
destroy_children_of_type(struct pv_context *ctx, struct pv_vk_device *d,
                         const struct pv_teardown_type *t, bool claim)
{
   pv_host_fn fn;
   memcpy(&fn, (const char *)&d->vk + t->fn, sizeof(fn));
   uint64_t *ids = NULL;
   size_t n = pv_object_list_children(ctx, d->id, t->type, &ids);
   for (size_t i = 0; i < n; i++) {
      struct pv_object *obj = pv_object_find(ctx, ids[i], t->type);
      /* claimed: another ring's vkDestroy* of it runs now and hands its destroy over before
       * the device's (pv_vk_device_destroy). At the context's teardown no command runs, and a
       * claim is one a command left when it failed. */
      if (!obj || (claim && !pv_object_claim(obj)))
         continue;
      if (obj->host && fn) /* host 0: kept by a lost context for itself (lost.c) */
         pv_venus_host_destroy_later(ctx, t->destroy, fn, PV_FROM_HANDLE(d->host), obj->host,
                                     false);
      pv_object_remove_children(ctx, ids[i], -1); /* command buffers, descriptor sets */
      pv_object_remove(ctx, ids[i]);
   }
   free(ids);
   return n;
}

void
pv_vk_device_destroy_children(struct pv_context *ctx, struct pv_vk_device *d, bool claim)
{
   size_t left = 0;
   for (size_t i = 0; i < sizeof(pv_teardown_order) / sizeof(pv_teardown_order[0]); i++)
      left += destroy_children_of_type(ctx, d, &pv_teardown_order[i], claim);
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

/* `by_guest`: the guest's vkDestroyInstance, while other paths may run commands. */
static void
teardown(struct pv_context *ctx, bool by_guest)
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
   for (size_t i = 0; i < n; i++) {
      /* claimed: another ring's vkDestroyDevice of it runs now (it goes before the instance) */
      struct pv_object *obj = pv_object_find(ctx, ids[i], VK_OBJECT_TYPE_DEVICE);
      if (obj && (!by_guest || pv_object_claim(obj)))
         pv_vk_device_destroy(ctx, ids[i], by_guest);
   }
   free(ids);
   pv_object_remove_children(ctx, instance_id, -1); /* physical devices */

   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (inst)
      pv_vk_instance_destroy_host(ctx, inst, host->instance);
   pv_object_remove(ctx, instance_id);
   host->instance = VK_NULL_HANDLE;
   host->instance_id = 0;
   /* A command another ring runs now may be about to call through the instance's entry points
    * (the dispatch's default table): they stay until the context goes. Nothing new reaches them
    * (the instance and its physical devices left the table), and a later vkCreateInstance loads
    * the same loader entry points again. */
   if (!by_guest)
      memset(&host->vk, 0, sizeof(host->vk));
   remove_orphans(ctx);
}

void
pv_vk_context_teardown(struct pv_context *ctx)
{
   teardown(ctx, false);
}

void
pv_vk_instance_teardown(struct pv_context *ctx)
{
   teardown(ctx, true);
}
