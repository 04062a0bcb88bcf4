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

bool
pv_vk_keep_or_quiesce(struct pv_dispatch_ctx *c, VkDevice device, int32_t type, uint64_t handle)
{
   if (pv_vk_destroy_later(c, device, type, handle))
      return true;
   quiesce(c, device);
   return false;
}

/* Objects nothing else reaches (PV_VK_KEPT_OBJECTS, and memory and query pools with their
 * state, PV_VK_KEPT_WITH_STATE): destroyed on the host once the submissions made so far are
 * finished (graveyard.c), without waiting here; now, after a wait, when they cannot be kept. */
#define PV_LATER_GUARD(cmd, objtype, T, member)                                                    \
   void pv_guard_##cmd(struct pv_dispatch_ctx *c, void *args)                                      \
   {                                                                                               \
      struct pv_args_vk##cmd *a = args;                                                            \
      if (!pv_vk_keep_or_quiesce(c, a->device, objtype, PV_FROM_HANDLE(a->member)))                \
         pv_handle_vk##cmd(c, args);                                                               \
   }
#define PV_KEPT_GUARD(name, objtype, T, member) PV_LATER_GUARD(Destroy##name, objtype, T, member)
PV_VK_KEPT_OBJECTS(PV_KEPT_GUARD)
PV_VK_KEPT_WITH_STATE(PV_LATER_GUARD)
#undef PV_KEPT_GUARD
#undef PV_LATER_GUARD

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
   struct pv_object *pool =
      pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_POOL, PV_FROM_HANDLE(a->commandPool));
   if (pool && !pv_venus_hold_children(c, pool->id, VK_OBJECT_TYPE_COMMAND_BUFFER))
      return;
   if (!pv_vk_cmdpool_wait(c, a->device, a->commandPool))
      return;
   pv_handle_vkResetCommandPool(c, args);
   if (a->ret == VK_SUCCESS)
      pv_vk_cmdpool_reset(c, a->commandPool);
}

void
pv_guard_BeginCommandBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkBeginCommandBuffer *a = args;
   if (!pv_vk_inheritance_ok(c, a->commandBuffer, a->pBeginInfo))
      return;
   pv_vk_cmdbuf_wait(c, a->commandBuffer); /* an implicit reset */
   pv_handle_vkBeginCommandBuffer(c, args);
   pv_vk_cmdbuf_begun(c, a->commandBuffer, a->pBeginInfo, a->ret);
   if (a->ret == VK_SUCCESS)
      pv_vk_edge_barriers_begin(c, a->commandBuffer);
}
