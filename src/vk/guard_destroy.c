/* SPDX-License-Identifier: MIT */
/*
 * Destruction against GPU work (lifetime.h): before the host destroys an object the device may
 * still be using, the device's queues finish what was submitted so far. Vulkan makes destroying
 * an object in use the application's error; lavapipe would then read or write freed host
 * memory. Resetting or freeing command buffers, or resetting or destroying their pool, waits
 * only for their own last submissions.
 */
#include "vk/lifetime.h"

#include "renderer/context.h"

static void
quiesce(struct pv_dispatch_ctx *c, VkDevice device)
{
   struct pv_context *ctx = pv_venus_from(c);
   pv_vk_device_quiesce(ctx, pv_vk_device_from_host(ctx, device));
}

/* Every such command's args start with the VkDevice. */
#define PV_QUIESCE_GUARD(name)                                                                     \
   void pv_guard_##name(struct pv_dispatch_ctx *c, void *args)                                     \
   {                                                                                               \
      quiesce(c, *(VkDevice *)args);                                                               \
      pv_handle_vk##name(c, args);                                                                 \
   }

PV_QUIESCE_GUARD(DestroyBuffer)
PV_QUIESCE_GUARD(DestroyImage)
PV_QUIESCE_GUARD(FreeMemory)
PV_QUIESCE_GUARD(DestroyBufferView)
PV_QUIESCE_GUARD(DestroyImageView)
PV_QUIESCE_GUARD(DestroySampler)
PV_QUIESCE_GUARD(DestroyPipeline)
PV_QUIESCE_GUARD(DestroyQueryPool)
PV_QUIESCE_GUARD(DestroyFramebuffer)
PV_QUIESCE_GUARD(DestroyRenderPass)
PV_QUIESCE_GUARD(DestroyEvent)
PV_QUIESCE_GUARD(DestroySamplerYcbcrConversion)
PV_QUIESCE_GUARD(FreeDescriptorSets)

/* Command buffers wait for their own submissions (and those of primaries that execute them):
 * a pool reset each frame, with the next frame's work queued behind, must not wait for that. */
void
pv_guard_FreeCommandBuffers(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkFreeCommandBuffers *a = args;
   pv_vk_cmdbufs_wait(c, a->commandBufferCount, a->pCommandBuffers);
   pv_handle_vkFreeCommandBuffers(c, args);
}

void
pv_vk_quiesce_for(struct pv_dispatch_ctx *c, VkDevice device)
{
   quiesce(c, device);
}

void
pv_guard_ResetCommandBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkResetCommandBuffer *a = args;
   pv_vk_cmdbuf_wait(c, a->commandBuffer);
   pv_handle_vkResetCommandBuffer(c, args);
   if (a->ret == VK_SUCCESS)
      pv_vk_cmdbuf_reset(c, a->commandBuffer);
}

void
pv_guard_ResetCommandPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkResetCommandPool *a = args;
   pv_vk_cmdpool_wait(c, a->device, a->commandPool);
   pv_handle_vkResetCommandPool(c, args);
   if (a->ret == VK_SUCCESS)
      pv_vk_cmdpool_reset(c, a->commandPool);
}

void
pv_guard_BeginCommandBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkBeginCommandBuffer *a = args;
   if (!pv_vk_inheritance_ok(c, a->pBeginInfo))
      return;
   pv_vk_cmdbuf_wait(c, a->commandBuffer); /* an implicit reset */
   pv_handle_vkBeginCommandBuffer(c, args);
   pv_vk_cmdbuf_begun(c, a->commandBuffer, a->pBeginInfo, a->ret);
   if (a->ret == VK_SUCCESS)
      pv_vk_edge_barriers_begin(c, a->commandBuffer);
}
