/* SPDX-License-Identifier: MIT */
/*
 * Destruction against GPU work (lifetime.h): the host destroys an object the device may still
 * be using only once the device's queues finished what was submitted so far: later, for objects
 * nothing else reaches (graveyard.c), else after waiting for them. Vulkan makes destroying
 * an object in use the application's error; lavapipe would then read or write freed host
 * memory. Resetting or freeing command buffers, or resetting or destroying their pool, waits
 * only for their own last submissions.
 */
#include "vk/lifetime.h"

#include "renderer/context.h"

/* Waits for the device's queues, then destroys what was kept for after them (graveyard.c):
 * memory freed next goes after the buffers and images bound to it. */
static void
quiesce(struct pv_dispatch_ctx *c, VkDevice device)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   pv_vk_device_quiesce(ctx, d);
   pv_vk_graveyard_reap(ctx, d);
}

/* Objects nothing else reaches (PV_VK_KEPT_OBJECTS): destroyed on the host once the submissions
 * made so far are finished (graveyard.c), without waiting here; now, after a wait, when they
 * cannot be kept. */
#define PV_KEPT_GUARD(name, objtype, T, member)                                                    \
   void pv_guard_Destroy##name(struct pv_dispatch_ctx *c, void *args)                              \
   {                                                                                               \
      struct pv_args_vkDestroy##name *a = args;                                                    \
      if (pv_vk_destroy_later(c, a->device, objtype, PV_FROM_HANDLE(a->member)))                   \
         return;                                                                                   \
      quiesce(c, a->device);                                                                       \
      pv_handle_vkDestroy##name(c, args);                                                          \
   }
PV_VK_KEPT_OBJECTS(PV_KEPT_GUARD)
#undef PV_KEPT_GUARD

/* Memory and query pools are kept the same way, with their state: their quota stays charged
 * (and memory's mapping stays) until the host handle goes. */
void
pv_guard_FreeMemory(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkFreeMemory *a = args;
   if (pv_vk_destroy_later(c, a->device, VK_OBJECT_TYPE_DEVICE_MEMORY, PV_FROM_HANDLE(a->memory)))
      return;
   quiesce(c, a->device);
   pv_handle_vkFreeMemory(c, args);
}

void
pv_guard_DestroyQueryPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkDestroyQueryPool *a = args;
   if (pv_vk_destroy_later(c, a->device, VK_OBJECT_TYPE_QUERY_POOL, PV_FROM_HANDLE(a->queryPool)))
      return;
   quiesce(c, a->device);
   pv_handle_vkDestroyQueryPool(c, args);
}

/* Sets wait for their pool's submissions (pool_uses.c). */
void
pv_guard_FreeDescriptorSets(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkFreeDescriptorSets *a = args;
   pv_vk_descpool_wait(c, a->device, a->descriptorPool);
   pv_handle_vkFreeDescriptorSets(c, args);
}

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
