/* SPDX-License-Identifier: MIT */
/*
 * Transform feedback resumed from counter buffers on a host that trusts the counter's word
 * (pv_vk_physdev.trusts_xfb_counters: lavapipe). Its vkCmdBeginTransformFeedbackEXT reads the
 * 32-bit word when the command runs and makes it llvmpipe's write offset, bounded only by a
 * 32-bit sum of it and the bytes to write (draw_pt_so_emit.c), which wraps: a word near 2^32
 * wrote about 4 GiB past the buffer. The word is guest memory, which the guest may change at any
 * time, so no check when the command is recorded can see it.
 *
 * So such a host never reads the guest's word. Each device has a small buffer of its own, never
 * mapped to the guest, with a 4-byte slot per counter buffer binding; before the begin, the
 * command buffer fills each slot with 0 and copies the low 3 bytes of the guest's counter into
 * it, and the begin reads the slot instead. A counter is then below 2^24, and that plus any
 * write's size cannot wrap the bound: an offset past the bound range only makes llvmpipe write
 * nothing, as Vulkan has it for a full buffer. A legal counter above 16 MiB (a resume deeper
 * than that into a transform feedback buffer) resumes at the wrong offset, inside the range.
 * lavapipe runs a device's command buffers one command at a time on one queue thread, so one
 * slot per binding serves every command buffer; the fill and copy inside a render pass
 * instance, which Vulkan does not allow an application, are a memset and a memcpy to lavapipe,
 * and so is the copy from a counter buffer made without TRANSFER_SRC usage. The server's
 * --validate run reports them as this workaround's, not as the guest's or as errors
 * (instance.c, pv_vk_xfb_own_call): e2e `ours-*-pv-xfb-counter`.
 * vkCmdEndTransformFeedbackEXT still writes the guest's own counters (their range is checked,
 * guard_buffer.c).
 */
#include <string.h>

#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* a slot per counter buffer binding; lavapipe has 4 (maxTransformFeedbackBuffers) */
#define SLOTS 16u
#define SLOT_BYTES 4u
/* the bytes of a guest counter copied: the slot's high one stays 0 */
#define COPIED 3u

/* The slots' memory: any type the buffer takes (each begin writes its slots first). */
static bool
shadow_memory(struct pv_vk_device *d, VkBuffer buffer, VkDeviceMemory *out)
{
   VkMemoryRequirements req;
   d->vk.GetBufferMemoryRequirements(d->host, buffer, &req);
   const VkMemoryAllocateInfo info = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req.size,
      .memoryTypeIndex = (uint32_t)__builtin_ctz(req.memoryTypeBits ? req.memoryTypeBits : 1)};
   if (!req.memoryTypeBits || d->AllocateMemory(d->host, &info, NULL, out) != VK_SUCCESS)
      return false;
   if (d->vk.BindBufferMemory(d->host, buffer, *out, 0) == VK_SUCCESS)
      return true;
   d->FreeMemory(d->host, *out, NULL);
   return false;
}

void
pv_vk_xfb_shadow_create(struct pv_vk_device *d)
{
   const struct pv_vk_dispatch *vk = &d->vk;
   if (!d->pd->trusts_xfb_counters || !vk->CreateBuffer || !vk->GetBufferMemoryRequirements ||
       !vk->BindBufferMemory || !vk->DestroyBuffer || !vk->CmdCopyBuffer || !vk->CmdFillBuffer)
      return;
   const VkBufferCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = SLOTS * SLOT_BYTES,
      .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT |
               VK_BUFFER_USAGE_TRANSFORM_FEEDBACK_COUNTER_BUFFER_BIT_EXT,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
   };
   VkBuffer buffer;
   VkDeviceMemory memory;
   if (vk->CreateBuffer(d->host, &info, NULL, &buffer) != VK_SUCCESS)
      return;
   if (!shadow_memory(d, buffer, &memory)) {
      vk->DestroyBuffer(d->host, buffer, NULL);
      return;
   }
   d->xfb_shadow = buffer;
   d->xfb_shadow_memory = memory;
}

static void
destroy_buffer(pv_host_fn fn, uint64_t device, uint64_t buffer)
{
   ((PFN_vkDestroyBuffer)fn)(PV_TO_HANDLE(VkDevice, device), PV_TO_HANDLE(VkBuffer, buffer), NULL);
}

static void
free_memory(pv_host_fn fn, uint64_t device, uint64_t memory)
{
   ((PFN_vkFreeMemory)fn)(PV_TO_HANDLE(VkDevice, device), PV_TO_HANDLE(VkDeviceMemory, memory),
                          NULL);
}

void
pv_vk_xfb_shadow_destroy(struct pv_context *ctx, struct pv_vk_device *d)
{
   if (!d->xfb_shadow)
      return;
   uint64_t device = PV_FROM_HANDLE(d->host);
   pv_venus_host_destroy_later(ctx, destroy_buffer, (pv_host_fn)d->vk.DestroyBuffer, device,
                               PV_FROM_HANDLE(d->xfb_shadow), false);
   pv_venus_host_destroy_later(ctx, free_memory, (pv_host_fn)d->FreeMemory, device,
                               PV_FROM_HANDLE(d->xfb_shadow_memory), false);
   d->xfb_shadow = VK_NULL_HANDLE;
   d->xfb_shadow_memory = VK_NULL_HANDLE;
}

/* The command buffer's device: its pool's parent. */
static const struct pv_vk_device *
cmdbuf_device(struct pv_dispatch_ctx *c, VkCommandBuffer cmd)
{
   struct pv_object *cb = pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmd));
   return cb ? pv_vk_pool_device(
                  c, pv_object_find(pv_venus_from(c), cb->parent, VK_OBJECT_TYPE_COMMAND_POOL))
             : NULL;
}

/* Set while this thread makes the fill and copy below. They are never deferred to a recording
 * thread (their arguments are not the decoded command's: exec.c defer_call makes them at once),
 * so the validation layer reports what it finds in them on this thread, during the call. */
static _Thread_local bool in_own_call;

bool
pv_vk_xfb_own_call(void)
{
   return in_own_call;
}

/* Copies each guest counter's low bytes into its slot, then points the begin at the slots:
 * arrays of the command's own arena, so a recording thread that makes the begin later reads
 * them. False: refused (no slots on this device, or no memory). */
bool
pv_vk_xfb_resume_from_shadow(struct pv_dispatch_ctx *c,
                             struct pv_args_vkCmdBeginTransformFeedbackEXT *a)
{
   const struct pv_vk_device *d = cmdbuf_device(c, a->commandBuffer);
   uint32_t n = a->counterBufferCount;
   VkBuffer *bufs = pv_cs_alloc(c->dec, n, sizeof(*bufs));
   VkDeviceSize *offsets = pv_cs_alloc(c->dec, n, sizeof(*offsets));
   if (!d || !d->xfb_shadow || a->firstCounterBuffer > SLOTS || n > SLOTS - a->firstCounterBuffer ||
       !bufs || !offsets) {
      pv_venus_refuse(c, "vkCmdBeginTransformFeedbackEXT: counter buffers on a host that "
                         "writes at their word's offset unchecked (lavapipe), without the "
                         "device's own copy of them");
      return false;
   }
   for (uint32_t i = 0; i < n; i++) {
      bufs[i] = a->pCounterBuffers[i] ? d->xfb_shadow : VK_NULL_HANDLE;
      offsets[i] = (VkDeviceSize)(a->firstCounterBuffer + i) * SLOT_BYTES;
      if (!a->pCounterBuffers[i])
         continue;
      const VkBufferCopy region = {
         .srcOffset = a->pCounterBufferOffsets ? a->pCounterBufferOffsets[i] : 0,
         .dstOffset = offsets[i],
         .size = COPIED,
      };
      struct pv_args_vkCmdFillBuffer zero = {a->commandBuffer, d->xfb_shadow, offsets[i],
                                             SLOT_BYTES, 0};
      struct pv_args_vkCmdCopyBuffer copy = {a->commandBuffer, a->pCounterBuffers[i], d->xfb_shadow,
                                             1, &region};
      in_own_call = true;
      pv_handle_vkCmdFillBuffer(c, &zero);
      pv_handle_vkCmdCopyBuffer(c, &copy);
      in_own_call = false;
   }
   a->pCounterBuffers = bufs;
   a->pCounterBufferOffsets = offsets;
   return true;
}
