/* SPDX-License-Identifier: MIT */
/*
 * Bounds checks of vkCmdCopyBufferToImage / vkCmdCopyImageToBuffer (guard.h): the buffer bytes a
 * region covers (from the aspect's texel block, a table generated from vk.xml) inside the
 * buffer, the image box inside the mip (a plane's box in its own texels), and, on a host that
 * takes the buffer's row pitch as an int, regions of a pitch of 2^31 bytes or more split into
 * block rows (bic_rows, below).
 */
#include "vk/guard.h"

#include "renderer/context.h"
#include "vk/lifetime.h"

/* One region of vkCmdCopyBufferToImage / ImageToBuffer, either struct version. */
struct pv_bic {
   uint64_t offset;
   uint32_t row_length, image_height;
   VkImageSubresourceLayers sub;
   VkOffset3D img_offset;
   VkExtent3D extent;
};

/* Bytes per block and the block extent of the aspect copied, or false when the aspect is not
 * one the format has. Planes are copied in the plane's own (possibly subsampled) texels. */
bool
pv_guard_aspect_block(const struct pv_format_info *f, VkImageAspectFlags aspect, uint32_t *bytes,
                      uint32_t block[3])
{
   block[0] = f->block_extent[0], block[1] = f->block_extent[1], block[2] = f->block_extent[2];
   switch (aspect) {
   case VK_IMAGE_ASPECT_COLOR_BIT:
      *bytes = f->plane_count || f->depth_bytes || f->stencil_bytes ? 0 : f->block_bytes;
      break;
   case VK_IMAGE_ASPECT_DEPTH_BIT:
      *bytes = f->depth_bytes;
      break;
   case VK_IMAGE_ASPECT_STENCIL_BIT:
      *bytes = f->stencil_bytes;
      break;
   case VK_IMAGE_ASPECT_PLANE_0_BIT:
   case VK_IMAGE_ASPECT_PLANE_1_BIT:
   case VK_IMAGE_ASPECT_PLANE_2_BIT: {
      uint32_t p = aspect == VK_IMAGE_ASPECT_PLANE_0_BIT   ? 0
                   : aspect == VK_IMAGE_ASPECT_PLANE_1_BIT ? 1
                                                           : 2;
      *bytes = p < f->plane_count ? f->planes[p].bytes : 0;
      break;
   }
   default:
      *bytes = 0;
   }
   return *bytes != 0;
}

/* The bytes of the buffer a region covers, from its offset (Vulkan's buffer addressing). */
static bool
region_span(const struct pv_vk_image *im, const struct pv_bic *r, uint64_t *span)
{
   struct pv_format_info f;
   uint32_t bytes, blk[3];
   if (!pv_format_info(im->format, &f) ||
       !pv_guard_aspect_block(&f, r->sub.aspectMask, &bytes, blk))
      return false;
   uint32_t row = r->row_length ? r->row_length : r->extent.width;
   uint32_t height = r->image_height ? r->image_height : r->extent.height;
   if (!r->extent.width || !r->extent.height || !r->extent.depth || row < r->extent.width ||
       height < r->extent.height)
      return false;
   uint32_t layers = r->sub.layerCount == VK_REMAINING_ARRAY_LAYERS
                        ? im->layers - r->sub.baseArrayLayer
                        : r->sub.layerCount;
   uint64_t row_blocks = pv_div_up(row, blk[0]), slice_rows = pv_div_up(height, blk[1]);
   uint64_t slices = (uint64_t)pv_div_up(r->extent.depth, blk[2]) * layers;
   uint64_t rows = pv_div_up(r->extent.height, blk[1]), cols = pv_div_up(r->extent.width, blk[0]);
   uint64_t s;
   return !__builtin_mul_overflow(slices - 1, slice_rows, &s) &&
          !__builtin_mul_overflow(s, row_blocks, &s) &&
          !__builtin_add_overflow(s, (rows - 1) * row_blocks + cols, &s) &&
          !__builtin_mul_overflow(s, (uint64_t)bytes, span);
}

/* The image box in the aspect's texels: planes of subsampled formats are smaller. */
static bool
region_box_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
              const struct pv_bic *r)
{
   struct pv_format_info f;
   struct pv_vk_image plane = *im;
   VkImageAspectFlags a = r->sub.aspectMask;
   if (pv_format_info(im->format, &f) && f.plane_count &&
       (a == VK_IMAGE_ASPECT_PLANE_1_BIT || a == VK_IMAGE_ASPECT_PLANE_2_BIT)) {
      uint32_t p = a == VK_IMAGE_ASPECT_PLANE_1_BIT ? 1 : 2;
      plane.extent.width = pv_div_up(im->extent.width, f.planes[p].width_divisor);
      plane.extent.height = pv_div_up(im->extent.height, f.planes[p].height_divisor);
   }
   return pv_guard_flat_box(c, what, im, r->img_offset, r->extent) &&
          pv_guard_image_box(c, what, &plane, r->sub.mipLevel, r->img_offset, r->extent);
}

/* `r` is a copy of the region whose subresource is `sub` (in the command the host gets). */
static bool
bic_ok(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer, VkImage image,
       struct pv_bic *r, const VkImageSubresourceLayers *sub)
{
   struct pv_vk_image *im;
   uint64_t span;
   if (!pv_guard_image_bound(c, what, image, &im) || !pv_guard_image_layers(c, what, im, sub))
      return false;
   r->sub = *sub; /* its layer count resolved */
   if (!region_span(im, r, &span)) {
      pv_venus_refuse(c,
                      "%s: region with aspect 0x%x, extent %ux%ux%u, row length %u, image "
                      "height %u is invalid for format %d",
                      what, r->sub.aspectMask, r->extent.width, r->extent.height, r->extent.depth,
                      r->row_length, r->image_height, im->format);
      return false;
   }
   return region_box_ok(c, what, im, r) && pv_guard_buffer_range(c, what, buffer, r->offset, span);
}

/* ----- rows of a pitch past an int ------------------------------------------------------- */

/*
 * lavapipe lays such a region out with Mesa's vk_image_buffer_copy_layout (row_stride_B, 32
 * bits) and copies it with util_copy_box / copy_depth_box, whose source row stride is an int
 * (util_copy_rect: src += src_stride after each row). A pitch of 2^31 bytes or more went
 * negative there, and the region's second row was read 4 GiB below its first: outside the
 * buffer, inside the same allocation in a helper's native run on lavapipe 22.3.6 (2026-12-07;
 * the same code in 25.0.7, whose heap, unlike 22.3's 2 GiB, lets a guest make a buffer that
 * large). A region of one block row never steps by the pitch, so on such a host
 * (pv_vk_physdev.copies_int_width) a region with that pitch and more rows reaches it as regions
 * of one block row each, in the same host call. bufferImageHeight is set to the rows the
 * original slices had, so the slice stride is what it was. The other direction takes the pitch
 * unsigned (util_copy_rect's dst_stride) and is left alone.
 */
/* How `r` is split on such a host: its block rows' pitch in the buffer and their height. */
struct rows {
   uint32_t count; /* 1: no split */
   uint32_t block_height;
   uint64_t pitch;
};

static struct rows
rows_of(const struct pv_vk_image *im, const VkBufferImageCopy *r)
{
   struct pv_format_info f;
   uint32_t bytes, blk[3];
   struct rows out = {1, 1, 0};
   if (!pv_format_info(im->format, &f) ||
       !pv_guard_aspect_block(&f, r->imageSubresource.aspectMask, &bytes, blk))
      return out;
   uint32_t row = r->bufferRowLength ? r->bufferRowLength : r->imageExtent.width;
   out.pitch = (uint64_t)pv_div_up(row, blk[0]) * bytes;
   out.block_height = blk[1];
   if (out.pitch > INT32_MAX)
      out.count = pv_div_up(r->imageExtent.height, blk[1]);
   return out;
}

/* Block row `k` of `r`, as a region of its own. */
static VkBufferImageCopy
row_region(const VkBufferImageCopy *r, struct rows rows, uint32_t k)
{
   VkBufferImageCopy out = *r;
   uint32_t bh = rows.block_height, left = r->imageExtent.height - k * bh;
   out.bufferOffset += k * rows.pitch; /* inside the range the region was checked for */
   out.bufferRowLength = r->bufferRowLength ? r->bufferRowLength : r->imageExtent.width;
   out.bufferImageHeight = r->bufferImageHeight ? r->bufferImageHeight : r->imageExtent.height;
   out.imageOffset.y += (int32_t)(k * bh);
   out.imageExtent.height = left < bh ? left : bh;
   return out;
}

static VkBufferImageCopy
plain_of(const VkBufferImageCopy2 *r2)
{
   return (VkBufferImageCopy){r2->bufferOffset,     r2->bufferRowLength, r2->bufferImageHeight,
                              r2->imageSubresource, r2->imageOffset,     r2->imageExtent};
}

/* The regions `r` (or `r2`, checked) as such a host takes them: NULL when none needs splitting
 * (or after making the command fatal), else *n regions of the decoder's arena. */
static void *
bic_rows(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, VkImage image, uint32_t *n,
         const VkBufferImageCopy *r, const VkBufferImageCopy2 *r2)
{
   const struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, cmd);
   const struct pv_vk_image *im = pv_vk_image_get(c, image);
   if (!cb || !cb->pd || !cb->pd->copies_int_width || !im)
      return NULL;
   uint64_t total = 0;
   for (uint32_t i = 0; i < *n; i++) {
      VkBufferImageCopy v = r ? r[i] : plain_of(&r2[i]);
      total += rows_of(im, &v).count;
   }
   if (total <= *n)
      return NULL; /* no region to split */
   if (total > UINT32_MAX) {
      pv_venus_refuse(c, "vkCmdCopyBufferToImage: more than 2^32 regions once split for this "
                         "host");
      return NULL;
   }
   uint8_t *out = pv_cs_alloc(c->dec, total, r ? sizeof(*r) : sizeof(*r2));
   uint32_t k = 0;
   for (uint32_t i = 0; out && i < *n; i++) {
      VkBufferImageCopy v = r ? r[i] : plain_of(&r2[i]);
      struct rows rows = rows_of(im, &v);
      for (uint32_t row = 0; row < rows.count; row++, k++) {
         VkBufferImageCopy piece = rows.count > 1 ? row_region(&v, rows, row) : v;
         if (r) {
            ((VkBufferImageCopy *)out)[k] = piece;
            continue;
         }
         VkBufferImageCopy2 *o = (VkBufferImageCopy2 *)out + k;
         *o = r2[i];
         o->bufferOffset = piece.bufferOffset, o->bufferRowLength = piece.bufferRowLength;
         o->bufferImageHeight = piece.bufferImageHeight, o->imageOffset = piece.imageOffset;
         o->imageExtent = piece.imageExtent;
      }
   }
   *n = out ? k : *n;
   return out;
}

#define PV_BIC(R)                                                                                  \
   (struct pv_bic)                                                                                 \
   {                                                                                               \
      (R).bufferOffset, (R).bufferRowLength, (R).bufferImageHeight, (R).imageSubresource,          \
         (R).imageOffset, (R).imageExtent                                                          \
   }

void
pv_guard_CmdCopyBufferToImage(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyBufferToImage *a = args;
   for (uint32_t i = 0; i < a->regionCount; i++)
      if (!bic_ok(c, "vkCmdCopyBufferToImage", a->srcBuffer, a->dstImage, &PV_BIC(a->pRegions[i]),
                  &a->pRegions[i].imageSubresource))
         return;
   uint32_t n = a->regionCount;
   const VkBufferImageCopy *rows =
      bic_rows(c, a->commandBuffer, a->dstImage, &n, a->pRegions, NULL);
   if (rows)
      a->pRegions = rows, a->regionCount = n;
   if (!pv_cs_fatal(c->dec))
      pv_handle_vkCmdCopyBufferToImage(c, args);
}

void
pv_guard_CmdCopyImageToBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyImageToBuffer *a = args;
   for (uint32_t i = 0; i < a->regionCount; i++)
      if (!bic_ok(c, "vkCmdCopyImageToBuffer", a->dstBuffer, a->srcImage, &PV_BIC(a->pRegions[i]),
                  &a->pRegions[i].imageSubresource))
         return;
   pv_handle_vkCmdCopyImageToBuffer(c, args);
}

void
pv_guard_CmdCopyBufferToImage2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyBufferToImage2 *a = args;
   VkCopyBufferToImageInfo2 *i = (VkCopyBufferToImageInfo2 *)a->pCopyBufferToImageInfo;
   for (uint32_t r = 0; i && r < i->regionCount; r++)
      if (!bic_ok(c, "vkCmdCopyBufferToImage2", i->srcBuffer, i->dstImage, &PV_BIC(i->pRegions[r]),
                  &i->pRegions[r].imageSubresource))
         return;
   if (!i)
      return;
   uint32_t n = i->regionCount; /* the decoder's copy */
   const VkBufferImageCopy2 *rows =
      bic_rows(c, a->commandBuffer, i->dstImage, &n, NULL, i->pRegions);
   if (rows)
      i->pRegions = rows, i->regionCount = n;
   if (!pv_cs_fatal(c->dec))
      pv_handle_vkCmdCopyBufferToImage2(c, args);
}

void
pv_guard_CmdCopyImageToBuffer2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyImageToBuffer2 *a = args;
   const VkCopyImageToBufferInfo2 *i = a->pCopyImageToBufferInfo;
   for (uint32_t r = 0; i && r < i->regionCount; r++)
      if (!bic_ok(c, "vkCmdCopyImageToBuffer2", i->dstBuffer, i->srcImage, &PV_BIC(i->pRegions[r]),
                  &i->pRegions[r].imageSubresource))
         return;
   if (i)
      pv_handle_vkCmdCopyImageToBuffer2(c, args);
}
