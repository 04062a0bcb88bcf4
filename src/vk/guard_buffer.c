/* SPDX-License-Identifier: MIT */
/*
 * Bounds checks of buffer commands (guard.h): transfers, indirect arguments, vertex and index
 * buffers, transform feedback buffers, buffer views, and binding buffers to memory. Each handler
 * checks, then runs the generated pass-through; a failed check has already made the command fatal.
 */
#include "vk/guard.h"

#include <stdlib.h>

#include "renderer/context.h"
#include "vk/lifetime.h"

/* vkCmdUpdateBuffer's limit (VUID-vkCmdUpdateBuffer-dataSize-00037). */
#define PV_UPDATE_BUFFER_MAX 65536u

/*
 * The source and destination bytes of a region do not overlap in memory
 * (VUID-vkCmdCopyBuffer-pRegions-00117): two buffers may alias one allocation, and lavapipe
 * copies with memcpy, whose result on overlapping ranges is undefined (fuzz inputs 4788f736,
 * d6b5f4b9: a bind offset mutated so two buffers overlapped). Inside the guest's own memory
 * either way; refused so the host never runs undefined behaviour on our behalf. The ranges were
 * checked inside their buffers, so the sums cannot overflow.
 */
static bool
copy_disjoint(struct pv_dispatch_ctx *c, const char *what, VkBuffer src, VkBuffer dst,
              uint64_t so, uint64_t dof, uint64_t size)
{
   const struct pv_vk_buffer *s = pv_vk_buffer_get(c, src), *d = pv_vk_buffer_get(c, dst);
   if (!s || !d || !s->bound || !d->bound || s->memory.id != d->memory.id ||
       s->memory.serial != d->memory.serial)
      return true;
   uint64_t a = s->memory_offset + so, b = d->memory_offset + dof;
   if (a + size <= b || b + size <= a)
      return true;
   pv_venus_refuse(c, "%s: source and destination overlap in memory", what);
   return false;
}

static bool
copy_regions_ok(struct pv_dispatch_ctx *c, const char *what, VkBuffer src, VkBuffer dst,
                uint32_t n, const VkBufferCopy *r, const VkBufferCopy2 *r2)
{
   for (uint32_t i = 0; i < n; i++) {
      uint64_t so = r ? r[i].srcOffset : r2[i].srcOffset;
      uint64_t dof = r ? r[i].dstOffset : r2[i].dstOffset;
      uint64_t size = r ? r[i].size : r2[i].size;
      if (!pv_guard_buffer_range(c, what, src, so, size) ||
          !pv_guard_buffer_range(c, what, dst, dof, size) ||
          !copy_disjoint(c, what, src, dst, so, dof, size))
         return false;
   }
   return true;
}

/*
 * lavapipe copies a buffer region with the size in an int (lvp_execute.c handle_copy_buffer:
 * u_box_1d into pipe_box.width; u_surface.c util_resource_copy_region memcpys that width): a
 * legal region of 2^31 bytes between two 2 GiB buffers became a memcpy of 0xffffffff80000000
 * bytes that wrote below its destination until it faulted (a helper's native run on 22.3.6,
 * 2026-12-07). On such a host (pv_vk_physdev.copies_int_width) a region of 2^31 bytes or more
 * reaches it as regions of 1 GiB, in the decoder's arena, one host call still.
 */
#define PV_COPY_CHUNK (UINT64_C(1) << 30)

static uint32_t
chunks_of(uint64_t size)
{
   return size ? (uint32_t)((size - 1) / PV_COPY_CHUNK + 1) : 1;
}

/* The regions `r` (or `r2`) as the host takes them: NULL when they need no split (or after
 * making the command fatal: no memory, or a count that no longer fits), else the split array of
 * *n regions. */
static void *
copy_split(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, uint32_t *n, const VkBufferCopy *r,
           const VkBufferCopy2 *r2)
{
   const struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, cmd);
   uint64_t total = 0;
   for (uint32_t i = 0; cb && cb->pd && cb->pd->copies_int_width && i < *n; i++)
      total += chunks_of(r ? r[i].size : r2[i].size);
   if (total <= *n)
      return NULL; /* no region to split, or no such host */
   if (total > UINT32_MAX) {
      pv_venus_refuse(c, "vkCmdCopyBuffer: more than 2^32 regions once split for this host");
      return NULL;
   }
   size_t one = r ? sizeof(*r) : sizeof(*r2);
   uint8_t *out = pv_cs_alloc(c->dec, total, one);
   uint32_t k = 0;
   for (uint32_t i = 0; out && i < *n; i++) {
      uint64_t size = r ? r[i].size : r2[i].size;
      for (uint32_t piece = 0; piece < chunks_of(size); piece++, k++) {
         uint64_t at = piece * PV_COPY_CHUNK;
         uint64_t part = size - at < PV_COPY_CHUNK ? size - at : PV_COPY_CHUNK;
         if (r) {
            VkBufferCopy *o = (VkBufferCopy *)out + k;
            *o = (VkBufferCopy){r[i].srcOffset + at, r[i].dstOffset + at, part};
         } else {
            VkBufferCopy2 *o = (VkBufferCopy2 *)out + k;
            *o = r2[i];
            o->srcOffset += at, o->dstOffset += at, o->size = part;
         }
      }
   }
   *n = out ? k : *n;
   return out;
}

void
pv_guard_CmdCopyBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyBuffer *a = args;
   if (!copy_regions_ok(c, "vkCmdCopyBuffer", a->srcBuffer, a->dstBuffer, a->regionCount,
                        a->pRegions, NULL))
      return;
   uint32_t n = a->regionCount;
   const VkBufferCopy *split = copy_split(c, a->commandBuffer, &n, a->pRegions, NULL);
   if (split)
      a->pRegions = split, a->regionCount = n;
   if (!pv_cs_fatal(c->dec))
      pv_handle_vkCmdCopyBuffer(c, args);
}

void
pv_guard_CmdCopyBuffer2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyBuffer2 *a = args;
   VkCopyBufferInfo2 *i = (VkCopyBufferInfo2 *)a->pCopyBufferInfo; /* the decoder's copy */
   if (!i || !copy_regions_ok(c, "vkCmdCopyBuffer2", i->srcBuffer, i->dstBuffer, i->regionCount,
                              NULL, i->pRegions))
      return;
   uint32_t n = i->regionCount;
   const VkBufferCopy2 *split = copy_split(c, a->commandBuffer, &n, NULL, i->pRegions);
   if (split)
      i->pRegions = split, i->regionCount = n;
   if (!pv_cs_fatal(c->dec))
      pv_handle_vkCmdCopyBuffer2(c, args);
}

void
pv_guard_CmdFillBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdFillBuffer *a = args;
   if (!pv_guard_buffer_range_whole(c, "vkCmdFillBuffer", a->dstBuffer, a->dstOffset, a->size))
      return;
   pv_handle_vkCmdFillBuffer(c, args);
   if (a->size == sizeof(uint32_t) && a->data == (uint32_t)VK_SUCCESS)
      pv_vk_note_status_slot(c, a->dstBuffer, a->dstOffset);
}

void
pv_guard_CmdUpdateBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdUpdateBuffer *a = args;
   if (a->dataSize > PV_UPDATE_BUFFER_MAX) {
      pv_venus_refuse(c, "vkCmdUpdateBuffer: %llu bytes (max %u)",
                     (unsigned long long)a->dataSize, PV_UPDATE_BUFFER_MAX);
      return;
   }
   if (pv_guard_buffer_range(c, "vkCmdUpdateBuffer", a->dstBuffer, a->dstOffset, a->dataSize))
      pv_handle_vkCmdUpdateBuffer(c, args);
}

/* ----- vertex, index and indirect buffers -------------------------------------------------- */

/*
 * llvmpipe's vertex fetch (draw_llvm.c: the binding's offset plus the attribute's, and each
 * vertex's index x stride) computes 32-bit offsets, bounds them unsigned by the whole buffer's
 * size (not the bound range) and adds them to the buffer's address sign-extended: from 2^31 on,
 * a fetch read 4 GiB below its buffer (a helper's native run on lavapipe 22.3.6, 2026-12-07; the
 * same code in 25.0.7, whose heap, unlike 22.3's 2 GiB, lets a guest bind such a buffer). Within
 * a buffer of at most 2^31 bytes every offset that passes that bound is positive, so on such a
 * host (pv_vk_physdev.fetches_vertices_int32) a larger buffer is refused as a vertex buffer.
 */
#define PV_VERTEX_BUFFER_MAX_INT32 (UINT64_C(1) << 31)

static bool
vertex_buffer_size_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_cmdbuf *cb,
                      VkBuffer buffer)
{
   const struct pv_vk_buffer *b = pv_vk_buffer_get(c, buffer);
   if (!cb || !cb->pd || !cb->pd->fetches_vertices_int32 || !b ||
       b->size <= PV_VERTEX_BUFFER_MAX_INT32)
      return true;
   pv_venus_refuse(c,
                   "%s: a vertex buffer of %llu bytes (this host fetches vertices at 32-bit "
                   "signed offsets: at most 2^31 bytes)",
                   what, (unsigned long long)b->size);
   return false;
}

static bool
vertex_buffers_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd, uint32_t n,
                  const VkBuffer *bufs, const VkDeviceSize *offsets, const VkDeviceSize *sizes)
{
   const struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, cmd);
   for (uint32_t i = 0; i < n; i++) {
      if (bufs[i] == VK_NULL_HANDLE)
         continue; /* nullDescriptor: the host reads zeros */
      uint64_t size = sizes ? sizes[i] : VK_WHOLE_SIZE;
      if (!pv_guard_buffer_range_whole(c, what, bufs[i], offsets[i], size) ||
          !vertex_buffer_size_ok(c, what, cb, bufs[i]))
         return false;
   }
   return true;
}

void
pv_guard_CmdBindVertexBuffers(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBindVertexBuffers *a = args;
   if (pv_vk_cmd_range_ok(c, "vkCmdBindVertexBuffers", a->commandBuffer, a->firstBinding,
                          a->bindingCount, PV_LIMIT_VERTEX_BINDINGS) &&
       vertex_buffers_ok(c, "vkCmdBindVertexBuffers", a->commandBuffer, a->bindingCount,
                         a->pBuffers, a->pOffsets, NULL)) {
      pv_vk_cmd_vertex_bind(c, a->commandBuffer, a->firstBinding, a->bindingCount);
      pv_handle_vkCmdBindVertexBuffers(c, args);
   }
}

void
pv_guard_CmdBindVertexBuffers2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBindVertexBuffers2 *a = args;
   if (pv_vk_cmd_range_ok(c, "vkCmdBindVertexBuffers2", a->commandBuffer, a->firstBinding,
                          a->bindingCount, PV_LIMIT_VERTEX_BINDINGS) &&
       vertex_buffers_ok(c, "vkCmdBindVertexBuffers2", a->commandBuffer, a->bindingCount,
                         a->pBuffers, a->pOffsets, a->pSizes)) {
      pv_vk_cmd_vertex_bind(c, a->commandBuffer, a->firstBinding, a->bindingCount);
      pv_handle_vkCmdBindVertexBuffers2(c, args);
   }
}

/* VK_INDEX_TYPE_NONE_KHR has no index size (VUID-vkCmdBindIndexBuffer-indexType-08786), and
 * lavapipe divides the index buffer's offset by the size it takes for it: 0 in 25.0 (and in
 * 22.3 for a command buffer's first bind), a SIGFPE on its queue thread at the next indexed
 * draw, outside our crash guard (measured on 22.3.6). Refused on every host. */
static bool
index_type_ok(struct pv_dispatch_ctx *c, const char *what, VkIndexType type)
{
   if (type != VK_INDEX_TYPE_NONE_KHR)
      return true;
   pv_venus_refuse(c, "%s: index type VK_INDEX_TYPE_NONE_KHR (no index size)", what);
   return false;
}

void
pv_guard_CmdBindIndexBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBindIndexBuffer *a = args;
   if (!index_type_ok(c, "vkCmdBindIndexBuffer", a->indexType))
      return;
   if (a->buffer == VK_NULL_HANDLE ||
       pv_guard_buffer_range_whole(c, "vkCmdBindIndexBuffer", a->buffer, a->offset,
                                   VK_WHOLE_SIZE)) {
      pv_vk_cmd_index_bind(c, a->commandBuffer, a->buffer != VK_NULL_HANDLE);
      pv_handle_vkCmdBindIndexBuffer(c, args);
   }
}

void
pv_guard_CmdBindIndexBuffer2KHR(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBindIndexBuffer2KHR *a = args;
   if (!index_type_ok(c, "vkCmdBindIndexBuffer2KHR", a->indexType))
      return;
   if (a->buffer == VK_NULL_HANDLE ||
       pv_guard_buffer_range_whole(c, "vkCmdBindIndexBuffer2KHR", a->buffer, a->offset,
                                   a->size)) {
      pv_vk_cmd_index_bind(c, a->commandBuffer, a->buffer != VK_NULL_HANDLE);
      pv_handle_vkCmdBindIndexBuffer2KHR(c, args);
   }
}

void
pv_guard_CmdDrawIndirect(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDrawIndirect *a = args;
   if (pv_guard_buffer_records(c, "vkCmdDrawIndirect", a->buffer, a->offset, a->drawCount,
                               a->stride, sizeof(VkDrawIndirectCommand)))
      pv_handle_vkCmdDrawIndirect(c, args);
}

void
pv_guard_CmdDrawIndexedIndirect(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDrawIndexedIndirect *a = args;
   if (pv_vk_cmd_index_ready(c, a->commandBuffer, "vkCmdDrawIndexedIndirect") &&
       pv_guard_buffer_records(c, "vkCmdDrawIndexedIndirect", a->buffer, a->offset, a->drawCount,
                               a->stride, sizeof(VkDrawIndexedIndirectCommand)))
      pv_handle_vkCmdDrawIndexedIndirect(c, args);
}

void
pv_guard_CmdDispatchIndirect(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDispatchIndirect *a = args;
   if (pv_guard_buffer_range(c, "vkCmdDispatchIndirect", a->buffer, a->offset,
                             sizeof(VkDispatchIndirectCommand)))
      pv_handle_vkCmdDispatchIndirect(c, args);
}

/* The count buffer holds one u32; the draws are bounded by maxDrawCount. */
static bool
indirect_count_ok(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer, uint64_t offset,
                  VkBuffer count_buffer, uint64_t count_offset, uint32_t max_draws,
                  uint32_t stride, uint64_t record)
{
   return pv_guard_buffer_range(c, what, count_buffer, count_offset, sizeof(uint32_t)) &&
          pv_guard_buffer_records(c, what, buffer, offset, max_draws, stride, record);
}

void
pv_guard_CmdDrawIndirectCount(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDrawIndirectCount *a = args;
   if (indirect_count_ok(c, "vkCmdDrawIndirectCount", a->buffer, a->offset, a->countBuffer,
                         a->countBufferOffset, a->maxDrawCount, a->stride,
                         sizeof(VkDrawIndirectCommand)))
      pv_handle_vkCmdDrawIndirectCount(c, args);
}

void
pv_guard_CmdDrawIndexedIndirectCount(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDrawIndexedIndirectCount *a = args;
   if (pv_vk_cmd_index_ready(c, a->commandBuffer, "vkCmdDrawIndexedIndirectCount") &&
       indirect_count_ok(c, "vkCmdDrawIndexedIndirectCount", a->buffer, a->offset,
                         a->countBuffer, a->countBufferOffset, a->maxDrawCount, a->stride,
                         sizeof(VkDrawIndexedIndirectCommand)))
      pv_handle_vkCmdDrawIndexedIndirectCount(c, args);
}

/* lavapipe divides the counter by vertexStride (draw.count /= vertex_stride): 0 is a SIGFPE that
 * takes the whole process. 1..maxTransformFeedbackBufferDataStride
 * (VUID-vkCmdDrawIndirectByteCountEXT-vertexStride-02289); a command buffer of a device without
 * transform feedback (limit 0) or of an unknown one has no legal stride. */
static bool
byte_count_stride_ok(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, uint32_t stride)
{
   const struct pv_vk_physdev *pd = pv_vk_cmdbuf_physdev(c, cmd);
   uint32_t max = pd ? pd->max_xfb_stride : 0;
   if (stride && stride <= max)
      return true;
   pv_venus_refuse(c,
                   "vkCmdDrawIndirectByteCountEXT: vertexStride %u outside 1..%u (the "
                   "device's maxTransformFeedbackBufferDataStride)",
                   stride, max);
   return false;
}

void
pv_guard_CmdDrawIndirectByteCountEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDrawIndirectByteCountEXT *a = args;
   if (byte_count_stride_ok(c, a->commandBuffer, a->vertexStride) &&
       pv_guard_buffer_range(c, "vkCmdDrawIndirectByteCountEXT", a->counterBuffer,
                             a->counterBufferOffset, sizeof(uint32_t)))
      pv_handle_vkCmdDrawIndirectByteCountEXT(c, args);
}

/* ----- transform feedback ------------------------------------------------------------------ */

/*
 * lavapipe makes each binding's stream-output target from the guest's offset and size (22.3:
 * buffer size - offset for VK_WHOLE_SIZE, which wraps for an offset past the end), and llvmpipe
 * writes vertex outputs at buffer + offset + the running offset, checked only against that size.
 * So the offset inside the buffer (VUID-vkCmdBindTransformFeedbackBuffersEXT-pOffsets-02358),
 * 4-aligned (-pOffsets-02359), offset + size inside it (-pSizes-02362, -pOffsets-02363), the
 * buffer bound to live memory (-pBuffers-02364).
 */
static bool
xfb_binding_ok(struct pv_dispatch_ctx *c, VkBuffer buffer, uint64_t offset, uint64_t size)
{
   static const char what[] = "vkCmdBindTransformFeedbackBuffersEXT";
   if (offset % 4) {
      pv_venus_refuse(c, "%s: offset 0x%llx not a multiple of 4", what, (unsigned long long)offset);
      return false;
   }
   return pv_guard_buffer_range_whole(c, what, buffer, offset, VK_WHOLE_SIZE) &&
          (size == VK_WHOLE_SIZE || pv_guard_buffer_range(c, what, buffer, offset, size));
}

void
pv_guard_CmdBindTransformFeedbackBuffersEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBindTransformFeedbackBuffersEXT *a = args;
   if (!pv_vk_cmd_range_ok(c, "vkCmdBindTransformFeedbackBuffersEXT", a->commandBuffer,
                           a->firstBinding, a->bindingCount, PV_LIMIT_XFB_BUFFERS))
      return;
   for (uint32_t i = 0; i < a->bindingCount; i++)
      if (!xfb_binding_ok(c, a->pBuffers[i], a->pOffsets[i],
                          a->pSizes ? a->pSizes[i] : VK_WHOLE_SIZE))
         return;
   pv_handle_vkCmdBindTransformFeedbackBuffersEXT(c, args);
}

/* vkCmdBeginTransformFeedbackEXT reads, vkCmdEndTransformFeedbackEXT writes, a 32-bit counter at
 * each counter buffer's offset (lavapipe: pipe_buffer_read/write of 4 bytes, at offset 0 when
 * the offsets are absent), unchecked: that word inside its buffer
 * (VUID-vkCmdBeginTransformFeedbackEXT-pCounterBufferOffsets-02370, End's -02378). Counter
 * buffers may be absent altogether, or VK_NULL_HANDLE one by one. */
static bool
xfb_counters_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd, uint32_t first,
                uint32_t n, const VkBuffer *bufs, const VkDeviceSize *offsets)
{
   if (!pv_vk_cmd_range_ok(c, what, cmd, first, n, PV_LIMIT_XFB_BUFFERS))
      return false;
   for (uint32_t i = 0; bufs && i < n; i++)
      if (bufs[i] != VK_NULL_HANDLE &&
          !pv_guard_buffer_range(c, what, bufs[i], offsets ? offsets[i] : 0, sizeof(uint32_t)))
         return false;
   return true;
}

/* A host that takes the counter's word as its write offset unchecked (pv_vk_physdev's
 * trusts_xfb_counters) reads the device's own copy of it instead (xfb_counters.c). */
static bool
xfb_resume_ok(struct pv_dispatch_ctx *c, struct pv_args_vkCmdBeginTransformFeedbackEXT *a)
{
   const struct pv_vk_physdev *pd = pv_vk_cmdbuf_physdev(c, a->commandBuffer);
   for (uint32_t i = 0;
        pd && pd->trusts_xfb_counters && a->pCounterBuffers && i < a->counterBufferCount; i++)
      if (a->pCounterBuffers[i] != VK_NULL_HANDLE)
         return pv_vk_xfb_resume_from_shadow(c, a);
   return true;
}

void
pv_guard_CmdBeginTransformFeedbackEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBeginTransformFeedbackEXT *a = args;
   if (xfb_counters_ok(c, "vkCmdBeginTransformFeedbackEXT", a->commandBuffer, a->firstCounterBuffer,
                       a->counterBufferCount, a->pCounterBuffers, a->pCounterBufferOffsets) &&
       xfb_resume_ok(c, a))
      pv_handle_vkCmdBeginTransformFeedbackEXT(c, args);
}

void
pv_guard_CmdEndTransformFeedbackEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdEndTransformFeedbackEXT *a = args;
   if (xfb_counters_ok(c, "vkCmdEndTransformFeedbackEXT", a->commandBuffer, a->firstCounterBuffer,
                       a->counterBufferCount, a->pCounterBuffers, a->pCounterBufferOffsets))
      pv_handle_vkCmdEndTransformFeedbackEXT(c, args);
}

/* ----- buffer views ------------------------------------------------------------------------- */

/*
 * A texel buffer view's texels inside maxTexelBufferElements (VUID-VkBufferViewCreateInfo-range
 * -00930, -04059 for VK_WHOLE_SIZE). gallivm addresses a texel buffer with a 32-bit texel offset
 * that it sign-extends: a storage texel view of 0x20040000 r32 texels read and wrote 2 GiB
 * before its buffer at texel 0x20000000 (a helper's native run on 22.3.6, 2026-12-07). Texels
 * of a format whose size is unknown here count as one byte (the most texels a range holds).
 */
static bool
view_in_limits(struct pv_dispatch_ctx *c, const struct pv_args_vkCreateBufferView *a)
{
   const VkBufferViewCreateInfo *ci = a->pCreateInfo;
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   const struct pv_vk_buffer *b = pv_vk_buffer_get(c, ci->buffer);
   if (!d || !d->pd || !b)
      return true; /* the range check refused an unknown buffer */
   uint64_t bytes = ci->range == VK_WHOLE_SIZE ? b->size - ci->offset : ci->range;
   struct pv_format_info f;
   uint32_t texel = pv_format_info(ci->format, &f) ? f.block_bytes : 0;
   uint64_t texels = bytes / (texel ? texel : 1);
   if (texels <= d->pd->limits.maxTexelBufferElements)
      return true;
   pv_venus_refuse(c, "vkCreateBufferView: %llu texels, past the device's maxTexelBufferElements",
                   (unsigned long long)texels);
   return false;
}

void
pv_guard_CreateBufferView(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateBufferView *a = args;
   const VkBufferViewCreateInfo *ci = a->pCreateInfo;
   if (!ci || !a->device ||
       !pv_guard_buffer_range_whole(c, "vkCreateBufferView", ci->buffer, ci->offset, ci->range) ||
       !view_in_limits(c, a))
      return;
   pv_handle_vkCreateBufferView(c, args);
   if (a->ret == VK_SUCCESS && a->pView && !pv_cs_fatal(c->dec))
      pv_vk_view_track(c, VK_OBJECT_TYPE_BUFFER_VIEW, PV_FROM_HANDLE(*a->pView),
                       VK_OBJECT_TYPE_BUFFER, PV_FROM_HANDLE(ci->buffer));
}

/* ----- binding memory ----------------------------------------------------------------------- */

/* The whole of what the host says the buffer needs fits in the memory at offset; then the bind
 * is claimed (guard.h): false (refused) when another one claimed it first. */
static bool
buffer_bind_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device, VkBuffer buffer,
               VkDeviceMemory memory, uint64_t offset)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   struct pv_vk_buffer *b = pv_vk_buffer_get(c, buffer);
   uint64_t mem_size = pv_vk_memory_size(c, memory);
   if (!d || !b || !mem_size || b->sparse || b->bound || !d->vk.GetBufferMemoryRequirements) {
      pv_venus_refuse(c, "%s: unknown, sparse or already bound buffer, or unknown memory", what);
      return false;
   }
   VkMemoryRequirements req;
   d->vk.GetBufferMemoryRequirements(device, buffer, &req);
   return pv_guard_bind_fits(c, what, &req, offset, mem_size) &&
          pv_guard_bind_claim(c, what, &b->bind_claimed, 1u);
}

/* Records the binding, or gives the claim back when the host refused it. */
static void
buffer_bound(struct pv_dispatch_ctx *c, VkBuffer buffer, VkDeviceMemory memory, uint64_t offset,
             bool bound)
{
   struct pv_vk_buffer *b = pv_vk_buffer_get(c, buffer);
   struct pv_object *m = pv_venus_object(c, VK_OBJECT_TYPE_DEVICE_MEMORY, PV_FROM_HANDLE(memory));
   if (!b)
      return;
   if (!bound) {
      pv_guard_bind_unclaim(&b->bind_claimed, 1u);
      return;
   }
   if (!m)
      return; /* freed on another ring meanwhile: bound on the host, never usable here */
   b->memory = (struct pv_vk_ref){m->id, m->serial};
   b->memory_offset = offset;
   __atomic_store_n(&b->bound, true, __ATOMIC_RELEASE);
}

void
pv_guard_BindBufferMemory(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkBindBufferMemory *a = args;
   if (!buffer_bind_ok(c, "vkBindBufferMemory", a->device, a->buffer, a->memory, a->memoryOffset))
      return;
   pv_handle_vkBindBufferMemory(c, args);
   buffer_bound(c, a->buffer, a->memory, a->memoryOffset, a->ret == VK_SUCCESS);
}

/* A buffer named twice in one call fails its second claim. On failure the host leaves every
 * buffer's binding undefined (maintenance6 says so): none of them counts as bound, and each may
 * be bound again. */
void
pv_guard_BindBufferMemory2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkBindBufferMemory2 *a = args;
   uint32_t claimed = 0;
   while (claimed < a->bindInfoCount) {
      const VkBindBufferMemoryInfo *b = &a->pBindInfos[claimed];
      if (!buffer_bind_ok(c, "vkBindBufferMemory2", a->device, b->buffer, b->memory,
                          b->memoryOffset))
         break;
      claimed++;
   }
   if (claimed == a->bindInfoCount)
      pv_handle_vkBindBufferMemory2(c, args);
   bool bound = claimed == a->bindInfoCount && a->ret == VK_SUCCESS;
   for (uint32_t i = 0; i < claimed; i++)
      buffer_bound(c, a->pBindInfos[i].buffer, a->pBindInfos[i].memory,
                   a->pBindInfos[i].memoryOffset, bound);
}

/* ----- state -------------------------------------------------------------------------------- */

void
pv_vk_buffer_track(struct pv_dispatch_ctx *c, uint64_t id, const VkBufferCreateInfo *ci)
{
   if (pv_cs_fatal(c->dec))
      return; /* not created (an id already in use, say): the id names another object */
   struct pv_object *o = pv_venus_find(c, id, VK_OBJECT_TYPE_BUFFER);
   if (o && o->data)
      return;
   struct pv_vk_buffer *b = o ? calloc(1, sizeof(*b)) : NULL;
   if (!b) {
      /* without state every use would be refused: say so now */
      pv_venus_refuse(c, "vkCreateBuffer: no memory for the buffer's bounds state");
      return;
   }
   b->size = ci->size;
   b->sparse = (ci->flags & VK_BUFFER_CREATE_SPARSE_BINDING_BIT) != 0;
   o->data = b;
   o->free_data = pv_vk_state_free;
}
