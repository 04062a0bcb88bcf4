/* SPDX-License-Identifier: MIT */
/*
 * The shared half of the bounds checks (guard.h): state lookups, the range primitives every
 * command check is built from, and the one table of guarded commands with a reason per entry.
 */
#include "vk/guard.h"

#include <stdlib.h>

#include "renderer/context.h"

void
pv_vk_state_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   free(obj->data);
   obj->data = NULL;
}

void *
pv_vk_state_publish(struct pv_object *o, void *state,
                    void (*free_data)(struct pv_context *ctx, struct pv_object *obj))
{
   /* every maker stores the same function; it runs only at the object's removal */
   __atomic_store_n(&o->free_data, free_data, __ATOMIC_RELAXED);
   void *none = NULL;
   if (__atomic_compare_exchange_n(&o->data, &none, state, false, __ATOMIC_ACQ_REL,
                                   __ATOMIC_ACQUIRE))
      return state;
   return none; /* the winner's */
}

/* ----- state lookups ------------------------------------------------------------------------ */

const void *
pv_vk_find_chained(const void *pnext, VkStructureType type)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext)
      if (s->sType == type)
         return s;
   return NULL;
}

static void *
state_of(struct pv_dispatch_ctx *c, int32_t type, uint64_t host)
{
   struct pv_object *o = host ? pv_venus_object(c, type, host) : NULL;
   return o ? o->data : NULL;
}

struct pv_vk_buffer *
pv_vk_buffer_get(struct pv_dispatch_ctx *c, VkBuffer buffer)
{
   return state_of(c, VK_OBJECT_TYPE_BUFFER, PV_FROM_HANDLE(buffer));
}

struct pv_vk_image *
pv_vk_image_get(struct pv_dispatch_ctx *c, VkImage image)
{
   return state_of(c, VK_OBJECT_TYPE_IMAGE, PV_FROM_HANDLE(image));
}

struct pv_vk_query_pool *
pv_vk_query_pool_get(struct pv_dispatch_ctx *c, VkQueryPool pool)
{
   return state_of(c, VK_OBJECT_TYPE_QUERY_POOL, PV_FROM_HANDLE(pool));
}

uint64_t
pv_vk_memory_size(struct pv_dispatch_ctx *c, VkDeviceMemory memory)
{
   struct pv_vk_memory *m = state_of(c, VK_OBJECT_TYPE_DEVICE_MEMORY, PV_FROM_HANDLE(memory));
   return m ? m->alloc_size : 0;
}

/* The memory a resource was bound to is still the same live object. */
static bool
memory_alive(struct pv_dispatch_ctx *c, struct pv_vk_ref ref)
{
   struct pv_object *o = pv_venus_find(c, ref.id, VK_OBJECT_TYPE_DEVICE_MEMORY);
   return o && o->serial == ref.serial;
}

/* ----- buffers ------------------------------------------------------------------------------ */

static struct pv_vk_buffer *
usable_buffer(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer)
{
   struct pv_vk_buffer *b = pv_vk_buffer_get(c, buffer);
   if (!b) {
      pv_venus_refuse(c, "%s: unknown buffer", what);
      return NULL;
   }
   if (!b->sparse && !(b->bound && memory_alive(c, b->memory))) {
      pv_venus_refuse(c, "%s: buffer not bound to live memory", what);
      return NULL;
   }
   return b;
}

bool
pv_guard_buffer_range(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer, uint64_t offset,
                      uint64_t size)
{
   struct pv_vk_buffer *b = usable_buffer(c, what, buffer);
   if (!b)
      return false;
   if (offset > b->size || size > b->size - offset) {
      pv_venus_refuse(c, "%s: range 0x%llx+0x%llx outside the buffer (0x%llx bytes)", what,
                      (unsigned long long)offset, (unsigned long long)size,
                      (unsigned long long)b->size);
      return false;
   }
   return true;
}

bool
pv_guard_buffer_range_whole(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer,
                            uint64_t offset, uint64_t size)
{
   if (size != VK_WHOLE_SIZE)
      return pv_guard_buffer_range(c, what, buffer, offset, size);
   struct pv_vk_buffer *b = usable_buffer(c, what, buffer);
   if (b && offset >= b->size) {
      pv_venus_refuse(c, "%s: offset 0x%llx outside the buffer (0x%llx bytes)", what,
                      (unsigned long long)offset, (unsigned long long)b->size);
      return false;
   }
   return b != NULL;
}

bool
pv_guard_buffer_records(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer,
                        uint64_t offset, uint64_t count, uint64_t stride, uint64_t record)
{
   if (count == 0)
      return usable_buffer(c, what, buffer) != NULL;
   uint64_t span;
   if (__builtin_mul_overflow(count - 1, stride, &span) ||
       __builtin_add_overflow(span, record, &span)) {
      pv_venus_refuse(c, "%s: %llu records of stride %llu overflow", what,
                      (unsigned long long)count, (unsigned long long)stride);
      return false;
   }
   return pv_guard_buffer_range(c, what, buffer, offset, span);
}

bool
pv_guard_bind_fits(struct pv_dispatch_ctx *c, const char *what, const VkMemoryRequirements *req,
                   uint64_t offset, uint64_t mem_size)
{
   if (offset < mem_size && req->size <= mem_size - offset &&
       (!req->alignment || offset % req->alignment == 0))
      return true;
   pv_venus_refuse(c,
                   "%s: 0x%llx bytes at 0x%llx (alignment 0x%llx) outside the memory "
                   "(0x%llx bytes)",
                   what, (unsigned long long)req->size, (unsigned long long)offset,
                   (unsigned long long)req->alignment, (unsigned long long)mem_size);
   return false;
}

bool
pv_guard_bind_claim(struct pv_dispatch_ctx *c, const char *what, uint32_t *claimed, uint32_t bit)
{
   if (!(__atomic_fetch_or(claimed, bit, __ATOMIC_ACQ_REL) & bit))
      return true;
   pv_venus_refuse(c, "%s: already bound, or being bound by another command", what);
   return false;
}

void
pv_guard_bind_unclaim(uint32_t *claimed, uint32_t bit)
{
   __atomic_fetch_and(claimed, ~bit, __ATOMIC_ACQ_REL);
}

/* ----- images ------------------------------------------------------------------------------- */

/* Every plane's memory: a disjoint image's planes may be bound to different allocations, and
 * one of them freed is as gone as the memory of a plain image. */
bool
pv_vk_image_memory_alive(const struct pv_vk_image *im,
                         bool (*alive)(const void *arg, struct pv_vk_ref memory), const void *arg)
{
   if (!im->bound)
      return false;
   for (uint32_t p = 0; p < PV_VK_IMAGE_PLANES; p++)
      if ((im->planes_needed >> p & 1u) && !alive(arg, im->memory[p]))
         return false;
   return true;
}

static bool
memory_alive_ctx(const void *c, struct pv_vk_ref ref)
{
   return memory_alive((struct pv_dispatch_ctx *)c, ref);
}

bool
pv_guard_image_bound(struct pv_dispatch_ctx *c, const char *what, VkImage image,
                     struct pv_vk_image **out)
{
   struct pv_vk_image *im = pv_vk_image_get(c, image);
   if (!im) {
      pv_venus_refuse(c, "%s: unknown image", what);
      return false;
   }
   if (!im->sparse && !pv_vk_image_memory_alive(im, memory_alive_ctx, c)) {
      pv_venus_refuse(c, "%s: image not bound to live memory", what);
      return false;
   }
   *out = im;
   return true;
}

static bool
layers_fit(const struct pv_vk_image *im, uint32_t base, uint32_t count)
{
   if (count == VK_REMAINING_ARRAY_LAYERS)
      return base < im->layers;
   return count > 0 && base < im->layers && count <= im->layers - base;
}

/*
 * VK_REMAINING_ARRAY_LAYERS in a VkImageSubresourceLayers is valid only with maintenance5, and a
 * host driver without it takes the count literally: lavapipe of Mesa 22.3 copied 2^32-1 layers
 * of an 8x8 image into guest memory past it (fuzz input c275c309). The count is resolved here,
 * in the decoded command the host is given (the decoder's own arena), so every host reads the
 * layers the guest meant.
 */
bool
pv_guard_image_layers(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
                      const VkImageSubresourceLayers *sub)
{
   if (sub->mipLevel < im->mips && layers_fit(im, sub->baseArrayLayer, sub->layerCount)) {
      if (sub->layerCount == VK_REMAINING_ARRAY_LAYERS)
         ((VkImageSubresourceLayers *)sub)->layerCount = im->layers - sub->baseArrayLayer;
      return true;
   }
   pv_venus_refuse(c, "%s: mip %u / layers %u+%u outside the image (%u mips, %u layers)", what,
                   sub->mipLevel, sub->baseArrayLayer, sub->layerCount, im->mips, im->layers);
   return false;
}

bool
pv_guard_image_range(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
                     const VkImageSubresourceRange *r)
{
   bool mips_ok = r->levelCount == VK_REMAINING_MIP_LEVELS
                     ? r->baseMipLevel < im->mips
                     : r->levelCount > 0 && r->baseMipLevel < im->mips &&
                          r->levelCount <= im->mips - r->baseMipLevel;
   if (mips_ok && layers_fit(im, r->baseArrayLayer, r->layerCount))
      return true;
   pv_venus_refuse(c, "%s: mips %u+%u / layers %u+%u outside the image (%u mips, %u layers)", what,
                   r->baseMipLevel, r->levelCount, r->baseArrayLayer, r->layerCount, im->mips,
                   im->layers);
   return false;
}

uint32_t
pv_vk_mip_dim(uint32_t dim, uint32_t level)
{
   uint32_t v = level < 32 ? dim >> level : 0;
   return v ? v : 1;
}

static bool
axis_fits(int32_t offset, uint32_t size, uint32_t limit)
{
   return offset >= 0 && (uint32_t)offset <= limit && size <= limit - (uint32_t)offset;
}

bool
pv_guard_image_box(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
                   uint32_t level, VkOffset3D offset, VkExtent3D extent)
{
   uint32_t w = pv_vk_mip_dim(im->extent.width, level), h = pv_vk_mip_dim(im->extent.height, level);
   uint32_t d = pv_vk_mip_dim(im->extent.depth, level);
   if (level < im->mips && axis_fits(offset.x, extent.width, w) &&
       axis_fits(offset.y, extent.height, h) && axis_fits(offset.z, extent.depth, d))
      return true;
   pv_venus_refuse(c, "%s: box (%d,%d,%d)+(%u,%u,%u) outside mip %u (%ux%ux%u)", what, offset.x,
                   offset.y, offset.z, extent.width, extent.height, extent.depth, level, w, h, d);
   return false;
}

/*
 * A box in a 1D image lies in row 0, one row high; in a 1D or 2D image at slice 0, one slice
 * deep (vkCmdCopyImage VUIDs srcImage-01785..01790, vkCmdResolveImage srcImage-04446,
 * dstImage-04447, vkCmdCopyBufferToImage dstImage-07979/07980). The box check above let a 2D
 * box at z 1 of depth 0 through, and lavapipe resolves into the slice at offset.z +
 * baseArrayLayer (lvp_execute.c handle_resolve_image, box depth the layer count): one whole
 * layer past the destination image, 16 KiB of a 64x64 RGBA8 image in a helper's native run
 * (lavapipe 22.3.6, 2026-12-07; the same code in 25.0.7).
 */
bool
pv_guard_flat_box(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
                  VkOffset3D offset, VkExtent3D extent)
{
   bool flat_y = im->type != VK_IMAGE_TYPE_1D || (offset.y == 0 && extent.height == 1);
   bool flat_z = im->type == VK_IMAGE_TYPE_3D || (offset.z == 0 && extent.depth == 1);
   if (flat_y && flat_z)
      return true;
   pv_venus_refuse(c, "%s: box (%d,%d,%d)+(%u,%u,%u) is not flat in a %uD image", what, offset.x,
                   offset.y, offset.z, extent.width, extent.height, extent.depth,
                   im->type == VK_IMAGE_TYPE_1D ? 1u : 2u);
   return false;
}

/* ----- queries ------------------------------------------------------------------------------ */

bool
pv_guard_queries(struct pv_dispatch_ctx *c, const char *what, VkQueryPool pool, uint32_t first,
                 uint32_t count, struct pv_vk_query_pool **out)
{
   struct pv_vk_query_pool *q = pv_vk_query_pool_get(c, pool);
   if (!q) {
      pv_venus_refuse(c, "%s: unknown query pool", what);
      return false;
   }
   if (first > q->count || count > q->count - first) {
      pv_venus_refuse(c, "%s: queries %u+%u outside the pool (%u)", what, first, count, q->count);
      return false;
   }
   if (out)
      *out = q;
   return true;
}

/* ----- the table ---------------------------------------------------------------------------- */

/* Every guarded command, with what its check keeps the host driver from doing. Names are the
 * canonical command names of codegen/data/wire{0,1}/command_ids.txt; one a dialect lacks is
 * skipped at registration (families.c). */
#define G(name, reason)                                                                            \
   {                                                                                               \
      "vk" #name, pv_guard_##name, reason                                                          \
   }
const struct pv_vk_guard_entry pv_vk_guards[] = {
   /* transfers: lavapipe runs them as memcpy in our process */
   G(CmdCopyBuffer, "regions inside both buffers: an offset past the buffer reads/writes the "
                    "server's own memory"),
   G(CmdCopyBuffer2, "as vkCmdCopyBuffer"),
   G(CmdFillBuffer, "range inside the buffer: a fill past it writes guest-chosen words into "
                    "host memory"),
   G(CmdUpdateBuffer, "range inside the buffer and at most 65536 bytes"),
   G(CmdCopyBufferToImage, "buffer bytes the region covers (from the format's texel block) "
                           "inside the buffer; box, mip and layers inside the image"),
   G(CmdCopyImageToBuffer, "as vkCmdCopyBufferToImage"),
   G(CmdCopyBufferToImage2, "as vkCmdCopyBufferToImage"),
   G(CmdCopyImageToBuffer2, "as vkCmdCopyBufferToImage"),
   G(CmdCopyImage, "both boxes, mips and layers inside their images, flat in 1D/2D images; "
                   "texel blocks of one size (guard_image.c copy_formats_ok)"),
   G(CmdCopyImage2, "as vkCmdCopyImage"),
   G(CmdResolveImage, "as vkCmdCopyImage"),
   G(CmdResolveImage2, "as vkCmdCopyImage"),
   G(CmdBlitImage, "all four corners, mips and layers inside their images"),
   G(CmdBlitImage2, "as vkCmdBlitImage"),
   G(CmdClearColorImage, "mip and layer ranges inside the image; a plain color format "
                         "(lavapipe packs the color with the format's functions)"),
   G(CmdClearDepthStencilImage, "as vkCmdClearColorImage, of a depth/stencil format and "
                                "aspects it has"),
   /* buffers the device reads by itself */
   G(CmdBindVertexBuffers, "offsets (and sizes) inside each buffer; fetches past them are "
                           "bounded by robustBufferAccess; the bindings noted: on lavapipe a "
                           "draw fetches only from bindings its command buffer bound "
                           "(guard_vertex.c)"),
   G(CmdBindVertexBuffers2, "as vkCmdBindVertexBuffers"),
   G(CmdBindIndexBuffer, "offset inside the buffer"),
   G(CmdBeginConditionalRenderingEXT,
     "the 32-bit condition inside the buffer, 4-byte aligned, not already active: lavapipe "
     "reads it at buffer + offset before every draw, clear and dispatch (guard_cmdbuf.c)"),
   G(CmdEndConditionalRenderingEXT, "active in this command buffer, which may not end with it "
                                    "active: lavapipe's context would keep the buffer past the "
                                    "command buffer, and read it freed"),
   G(CmdBindIndexBuffer2KHR, "offset and size inside the buffer"),
   G(CmdDrawIndirect, "every draw record inside the buffer"),
   G(CmdDrawIndexedIndirect, "every draw record inside the buffer; an index buffer bound"),
   G(CmdDispatchIndirect, "the dispatch record inside the buffer"),
   G(CmdDispatch, "group counts inside maxComputeWorkGroupCount: a CPU driver runs every "
                  "workgroup, 2^32 of them hang the client's process"),
   G(CmdDispatchBase, "base + count inside maxComputeWorkGroupCount, as vkCmdDispatch"),
   G(CmdDrawIndirectCount, "the count word and maxDrawCount records inside their buffers"),
   G(CmdDrawIndexedIndirectCount, "as vkCmdDrawIndirectCount; an index buffer bound"),
   G(CmdDrawIndirectByteCountEXT, "the counter word inside its buffer; vertexStride inside "
                                  "1..maxTransformFeedbackBufferDataStride: lavapipe divides "
                                  "by it"),
   /* descriptors and views: what shaders can reach */
   G(UpdateDescriptorSets, "buffer ranges inside their buffers; the room dynamic offsets have; "
                           "writes and copies inside the set's layout with its types (the "
                           "host writes at the binding's offset), the array the type reads "
                           "present, inline uniform bytes inside the block and as many as "
                           "descriptorCount; marks written elements, a never-written one never "
                           "copied over a written one"),
   G(CmdPushDescriptorSetKHR, "the set inside the layout's set count; buffer ranges inside "
                              "their buffers; writes as vkUpdateDescriptorSets's, into the "
                              "command buffer's pushed set's written map"),
   G(CmdBindDescriptorSets, "sets inside the layout's set count (the host indexes its bound "
                            "sets with them); dynamic offsets keep every dynamic range inside "
                            "its buffer"),
   G(CreatePipelineLayout, "push constant ranges inside the device's maxPushConstantsSize; "
                           "each stage's descriptors of every kind inside the device's "
                           "per-stage limits (lavapipe 22.3 keeps them in fixed arrays of "
                           "those sizes); records the set count and where the ranges end"),
   G(CmdPushConstants, "offset and size 4-aligned, inside the layout's push constant ranges: "
                       "lavapipe copies them into a fixed block at the guest's offset"),
   G(CreateBufferView, "texel range inside the buffer"),
   G(CreateImageView, "mip and layer range inside the image; a format that can view its "
                      "texels (the image's own, or one of the same block size on a mutable "
                      "image, never undefined nor a reinterpreted depth/stencil format)"),
   /* memory binding: what every later check relies on */
   G(BindBufferMemory, "the buffer's whole requirement inside the memory, aligned, bound once"),
   G(BindBufferMemory2, "as vkBindBufferMemory, for every bind"),
   G(GetImageSubresourceLayout, "mip, layer and aspect of the image: lavapipe reads the "
                                "level's and plane's layout from arrays of the texture"),
   G(GetImageSubresourceLayout2KHR, "as vkGetImageSubresourceLayout"),
   G(BindImageMemory, "the image's (plane's) whole requirement inside the memory, bound once"),
   G(BindImageMemory2, "as vkBindImageMemory, for every bind"),
   /* queries */
   G(CreateQueryPool, "only query types whose result size we know (records the count); "
                      "pipeline statistics of the core counters only"),
   G(CmdResetQueryPool, "queries inside the pool"),
   G(ResetQueryPool, "queries inside the pool (host reset writes pool memory)"),
   G(GetQueryPoolResults, "queries inside the pool; results fit the reply array"),
   G(CmdCopyQueryPoolResults, "queries inside the pool; results inside the buffer"),
   G(CmdBeginQuery, "queries inside the pool, one per view of the current view mask: lavapipe "
                    "25 begins one per view (a secondary's checked where it is executed)"),
   G(CmdEndQuery, "query inside the pool"),
   G(CmdBeginQueryIndexedEXT, "queries inside the pool as vkCmdBeginQuery; a stream index inside "
                              "maxTransformFeedbackStreams (llvmpipe indexes per-stream "
                              "counters), 0 for query types without streams"),
   G(CmdEndQueryIndexedEXT, "query inside the pool; its stream index as "
                            "vkCmdBeginQueryIndexedEXT"),
   G(CmdWriteTimestamp, "as vkCmdBeginQuery"),
   G(CmdWriteTimestamp2, "as vkCmdBeginQuery"),
   /* lifetime (lifetime.h): nothing the device may still use is destroyed under it */
   G(DestroyBuffer, "host destroy after the submitted work (graveyard.c): lavapipe would touch "
                    "freed memory"),
   G(DestroyImage, "host destroy after the submitted work"),
   G(FreeMemory, "host free after the submitted work, with its mapping and quota"),
   G(DestroyBufferView, "host destroy after the submitted work"),
   G(DestroyImageView, "host destroy after the submitted work"),
   G(DestroySampler, "host destroy after the submitted work"),
   G(DestroyPipeline, "host destroy after the submitted work"),
   G(DestroyQueryPool, "host destroy after the submitted work, with its quota"),
   G(DestroyFramebuffer, "host destroy after the submitted work"),
   G(DestroyRenderPass, "host destroy after the submitted work"),
   G(DestroyEvent, "host destroy after the submitted work"),
   G(DestroySemaphore, "host destroy after the submitted work: lavapipe's queue thread would "
                       "signal freed memory"),
   G(DestroySamplerYcbcrConversion, "host destroy after the submitted work"),
   G(FreeDescriptorSets, "waits for the submissions that used the pool's sets (pool_uses.c)"),
   G(FreeCommandBuffers, "waits for submitted work: their commands are freed"),
   G(ResetCommandPool, "waits for submitted work: its commands are freed"),
   G(ResetCommandBuffer, "waits for the command buffer's last submission"),
   G(BeginCommandBuffer, "waits for the command buffer's last submission (implicit reset)"),
   G(GetFenceStatus, "not a check: a signalled fence tells which submissions are finished"),
   G(CreateFence, "not a check: a fence created signalled is never taken as a submission's end; "
                  "a plain one comes from the device's kept fences"),
   G(DestroyFence, "a plain fence no submission can still signal is reset and kept (the host "
                   "driver's destroy and create took 0.25 ms each on NVIDIA); any other one is "
                   "destroyed after the submitted work, as vkDestroySemaphore"),
   G(CreateSemaphore, "not a check: a timeline semaphore's counter tells when a batch that signals "
                      "it finished, for a command buffer submitted again (resubmit.c)"),
   G(SignalSemaphore, "not a check: a semaphore signalled from the host is no evidence of a "
                      "batch's end any more"),
   G(ResetFences, "not a check: a fence reset while its submission may run is never taken as "
                  "a submission's end (the host may signal it after the reset)"),
   /* command-buffer state (guard_cmdbuf.c); every vkCmd* is also checked against its scope,
    * level and bind point from vk.xml before its handler (pv_vk_command_check) */
   G(AllocateCommandBuffers, "records each command buffer's level"),
   G(EndCommandBuffer, "only while recording and outside a render pass: the host would close "
                       "a half-open render pass instance"),
   G(CmdBeginRenderPass, "a render pass and framebuffer we know that match, the render area "
                         "inside the framebuffer (the host sizes its own by it), a clear value "
                         "for each attachment cleared"),
   G(CmdBeginRenderPass2, "as vkCmdBeginRenderPass"),
   G(CmdNextSubpass, "inside a vkCmdBeginRenderPass instance, not past its last subpass: the "
                     "host indexes its subpass array"),
   G(CmdNextSubpass2, "as vkCmdNextSubpass"),
   G(CmdEndRenderPass, "only in the last subpass of a vkCmdBeginRenderPass instance: lavapipe "
                       "reads its current render pass (NULL without one)"),
   G(CmdEndRenderPass2, "as vkCmdEndRenderPass"),
   G(CmdBeginRendering, "every attachment view covers the render area and its layers: "
                        "lavapipe sizes its framebuffer by the area; views inside "
                        "maxMultiviewViewCount (records the view mask for queries); color "
                        "views of color formats, depth and stencil views with that aspect"),
   G(CmdEndRendering, "only in a vkCmdBeginRendering instance of this command buffer"),
   G(CmdBindPipeline, "a non-library pipeline at the bind point of its kind: draws and "
                      "dispatches then find one"),
   G(CmdExecuteCommands, "only executable secondary command buffers: a primary or a recording "
                         "one would recurse into or race the host's command list; their "
                         "queries with room for the views they are executed with"),
   G(CreateRenderPass, "attachment, subpass and multiview indices inside their arrays, views "
                       "inside maxMultiviewViewCount: the host looks each up unchecked "
                       "(records subpasses, color counts, view masks, clears)"),
   G(CreateRenderPass2, "as vkCreateRenderPass"),
   G(CreateFramebuffer, "as many attachments as its render pass, each a live view (of its "
                        "attachment's format) of a live, "
                        "bound image at least the framebuffer's size (the host renders to the "
                        "framebuffer's size); keeps them, so a render pass on it is refused at "
                        "submission once one is destroyed: lavapipe's queue thread reads the "
                        "attachment's image"),
   G(CmdClearAttachments, "rectangles, layers and color attachment inside the render pass "
                          "instance: lavapipe clears what it is given"),
   /* counts and indices against the device's limits (guard_limits.c): the host keeps these in
    * fixed arrays and stores at first + i */
   G(CmdSetViewport, "first + count inside maxViewports: lavapipe stores viewport first + i; "
                     "each viewport inside maxViewportDimensions and viewportBoundsRange "
                     "(guard_raster.c)"),
   G(CmdSetScissor, "first + count inside maxViewports"),
   G(CmdSetViewportWithCount, "count inside maxViewports; viewports as vkCmdSetViewport"),
   G(CmdSetScissorWithCount, "count inside maxViewports"),
   G(CmdBindTransformFeedbackBuffersEXT, "first + count inside maxTransformFeedbackBuffers; "
                                         "offsets 4-aligned, offsets and sizes inside each "
                                         "buffer: llvmpipe writes outputs up to the size "
                                         "(guard_buffer.c)"),
   G(CmdBeginTransformFeedbackEXT, "counter buffers inside maxTransformFeedbackBuffers; each "
                                   "counter word inside its buffer: lavapipe reads it"),
   G(CmdEndTransformFeedbackEXT, "as vkCmdBeginTransformFeedbackEXT: lavapipe writes the "
                                 "counter word"),
   G(CmdSetColorWriteEnableEXT, "its feature enabled (guard_features.c); count inside "
                                "maxColorAttachments"),
   G(CmdSetColorBlendEnableEXT, "its feature enabled; first + count inside maxColorAttachments"),
   G(CmdSetColorBlendEquationEXT, "its feature enabled; first + count inside "
                                  "maxColorAttachments"),
   G(CmdSetColorWriteMaskEXT, "its feature enabled; first + count inside maxColorAttachments"),
   G(CmdSetColorBlendAdvancedEXT, "its feature enabled: lavapipe's entry point is Mesa's "
                                  "unreachable() body, no code at all; first + count inside "
                                  "maxColorAttachments"),
   G(CmdSetVertexInputEXT, "its feature enabled; binding numbers, locations and counts inside "
                           "the vertex input limits; the bindings its attributes fetch from "
                           "noted"),
   G(CmdSetPatchControlPointsEXT, "its feature enabled; inside 1..maxTessellationPatchSize: "
                                  "lavapipe keeps it in 8 bits, llvmpipe fetches that many "
                                  "vertices into an array of 32 and divides by it"),
   /* the other setters of extended_dynamic_state2/3 whose feature the device may lack: a host
    * may hand out entry points it does not implement (guard_features.c) */
   G(CmdSetTessellationDomainOriginEXT, "its feature enabled"),
   G(CmdSetDepthClampEnableEXT, "its feature enabled"),
   G(CmdSetPolygonModeEXT, "its feature enabled"),
   G(CmdSetRasterizationSamplesEXT, "its feature enabled"),
   G(CmdSetSampleMaskEXT, "its feature enabled"),
   G(CmdSetAlphaToCoverageEnableEXT, "its feature enabled"),
   G(CmdSetAlphaToOneEnableEXT, "its feature enabled"),
   G(CmdSetLogicOpEnableEXT, "its feature enabled"),
   G(CmdSetRasterizationStreamEXT, "its feature enabled"),
   G(CmdSetConservativeRasterizationModeEXT, "its feature enabled"),
   G(CmdSetExtraPrimitiveOverestimationSizeEXT, "its feature enabled"),
   G(CmdSetDepthClipEnableEXT, "its feature enabled"),
   G(CmdSetSampleLocationsEnableEXT, "its feature enabled"),
   G(CmdSetProvokingVertexModeEXT, "its feature enabled"),
   G(CmdSetLineRasterizationModeEXT, "its feature enabled"),
   G(CmdSetLineStippleEnableEXT, "its feature enabled"),
   G(CmdSetDepthClipNegativeOneToOneEXT, "its feature enabled"),
   G(CmdSetLogicOpEXT, "its feature enabled"),
   G(CmdSetPrimitiveTopology, "not a check: noted, so that a draw of a pipeline without "
                              "tessellation stages does not draw patches (lavapipe divides by "
                              "the patch size, 0 then)"),
   G(CmdDrawMultiEXT, "not a check: the host gets the stride of the array the decoder packed, "
                      "not the guest's (it reads draw i at i * stride)"),
   G(CmdDrawMultiIndexedEXT, "as vkCmdDrawMultiEXT, with an index buffer bound"),
   G(CmdDrawIndexed, "an index buffer bound in the command buffer: lavapipe divides by the "
                     "missing buffer's size"),
   G(CreateGraphicsPipelines, "a subpass of its render pass; vertex input, viewport, blend and "
                              "rendering counts inside the device's limits; with tessellation "
                              "stages, both of them and a tessellation state whose "
                              "patchControlPoints (unless dynamic) is inside "
                              "1..maxTessellationPatchSize; every stage's "
                              "SPIR-V against the layout (used sets, bindings, "
                              "descriptor types, array sizes, push constants; specialization "
                              "entries inside their data; a tessellation patch size inside "
                              "maxTessellationPatchSize, the two stages' alike, the control "
                              "stage's present on lavapipe): lavapipe's compiler indexes the "
                              "layout with them; records the bind point, library flag and what "
                              "the shaders use"),
   G(CreateComputePipelines, "its shader's SPIR-V against the layout, as "
                             "vkCreateGraphicsPipelines"),
   /* shaders against layouts and descriptors never written (guard_shader.c, guard_written.c);
    * every draw and dispatch also checks, when a bind changed, that each descriptor its
    * pipeline uses is bound, in its set's layout and written (pv_vk_descriptors_ready) */
   G(CreateShaderModule, "valid SPIR-V for the device's environment (spvValidate), codeSize a "
                         "whole number of words; records its reflection"),
   G(CreateDescriptorSetLayout, "binding counts per type inside the device's per-set limits "
                                "(the larger of maxDescriptorSet* and its update-after-bind "
                                "one), inline blocks inside maxInlineUniformBlockSize, binding "
                                "numbers below the largest of those limits: lavapipe mallocs "
                                "per binding number up to the largest and count x descriptor "
                                "size for every set (guard_counts.c); records the bindings "
                                "(types, counts, stages, flags)"),
   G(CreateDescriptorPool, "sizes per type inside maxSets sets at those limits, and in all "
                           "inside maxUpdateAfterBindDescriptorsInAllPools"),
   G(AllocateDescriptorSets, "known set layouts, variable counts within the binding; gives "
                             "each set its written map"),
   G(CreateSampler, "not a check: records compareEnable, which draws on a host that needs a "
                    "depth reference with such a sampler are checked against (lavapipe before "
                    "Mesa 25 crashes compiling a shader that reads one without)"),
   G(CreatePipelineCache, "not a check: the host's cache is made without "
                          "EXTERNALLY_SYNCHRONIZED_BIT, so the driver locks it against two "
                          "rings using it at once"),
   G(SetPrivateData, "the object the bare handle names is an object of the device (looked up "
                     "as its type, not being destroyed), given to the host as our handle: the "
                     "driver reads and writes through the handle as a pointer"),
   G(GetPrivateData, "as vkSetPrivateData"),
   G(GetPhysicalDeviceFeatures2, "not a check: where device addresses are withheld (a CPU "
                                 "device, whose addresses are host pointers, or contexts "
                                 "sharing the process) the buffer device address features "
                                 "read false; where sparse binding is (guard_sparse.c), the "
                                 "sparse features"),
   G(GetPhysicalDeviceFeatures, "not a check: the sparse features read false where sparse "
                                "binding is withheld (guard_sparse.c)"),
   G(GetPhysicalDeviceQueueFamilyProperties, "not a check: no queue family binds sparse "
                                             "memory where sparse binding is withheld"),
   G(GetPhysicalDeviceQueueFamilyProperties2, "as vkGetPhysicalDeviceQueueFamilyProperties"),
   G(GetPhysicalDeviceImageFormatProperties2,
     "external image info of a handle type gets the host an output struct to write (lavapipe "
     "22.3 wrote through NULL without one)"),
   G(GetBufferDeviceAddress, "refused where device addresses are withheld"),
   G(GetBufferOpaqueCaptureAddress, "as vkGetBufferDeviceAddress"),
   G(GetDeviceMemoryOpaqueCaptureAddress, "as vkGetBufferDeviceAddress"),
   {NULL, NULL, NULL},
};
#undef G
