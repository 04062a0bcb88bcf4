/* SPDX-License-Identifier: MIT */
/*
 * Host drivers that drop a pipeline barrier at either end of a command buffer (pv_vk.h
 * drops_edge_barriers): lavapipe of Mesa 22.3 (Debian 12, our default host driver) skips a
 * vkCmdPipelineBarrier that is the first or the last command of a command buffer, on the belief
 * that every command buffer ends with a flush. It does not: llvmpipe still rasterizes the draws
 * of the previous command buffer (or submission) on its own threads, and a transfer on memory
 * those draws do not use runs at once, before them. Mesa 25.0's lavapipe skips only a barrier
 * right after another one.
 *
 * Mesa >= 23.1 Venus guests depend on that leading barrier: the command buffer that reports a
 * semaphore or fence to the guest through memory it polls ("feedback") starts with a barrier
 * from all commands to transfer, then copies the value. Without the barrier the value landed
 * before the submission's draws, so a guest saw its timeline semaphore reach a value while the
 * rendering it waited for was still running: Zink's pbo-getteximage read zeros (issue 16).
 *
 * The workaround: a vkCmdSetLineWidth(1.0) right after vkBeginCommandBuffer and right before
 * vkEndCommandBuffer, so no guest barrier is ever first or last and lavapipe runs it (as a full
 * wait). Line width 1.0 is valid without wideLines, before any pipeline is bound (a pipeline with
 * a static width overrides it, one with a dynamic width needs the guest's own
 * vkCmdSetLineWidth before a draw anyway) and after the last draw; it needs a graphics queue
 * family, which every queue family of an affected device has (physical_device.c).
 */
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* The device a command buffer was allocated on: command buffer -> pool -> device (exec.c
 * parent_of_new). */
static const struct pv_vk_device *
device_of_cmdbuf(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbuf));
   struct pv_object *pool = o ? pv_object_find(ctx, o->parent, VK_OBJECT_TYPE_COMMAND_POOL) : NULL;
   struct pv_object *dev = pool ? pv_object_find(ctx, pool->parent, VK_OBJECT_TYPE_DEVICE) : NULL;
   return dev ? dev->data : NULL;
}

/* Records the harmless command that keeps a guest barrier off the command buffer's edge. */
static void
edge_command(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf)
{
   const struct pv_vk_device *d = device_of_cmdbuf(c, cmdbuf);
   if (d && d->pd && d->pd->drops_edge_barriers && c->vk && c->vk->CmdSetLineWidth)
      c->vk->CmdSetLineWidth(cmdbuf, 1.0f);
}

void
pv_vk_edge_barriers_begin(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf)
{
   edge_command(c, cmdbuf);
}

void
pv_vk_handle_EndCommandBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEndCommandBuffer *a = args;
   if (a->commandBuffer != VK_NULL_HANDLE)
      edge_command(c, a->commandBuffer);
   pv_handle_vkEndCommandBuffer(c, args);
}
