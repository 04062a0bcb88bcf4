/* SPDX-License-Identifier: MIT */
/*
 * pv-transfer: transfer commands, every byte checked against a host-side model.
 *   buffers: vkCmdFillBuffer, vkCmdCopyBuffer (aligned and unaligned regions), vkCmdUpdateBuffer
 *   images (R8G8B8A8_UNORM, optimal tiling):
 *     buffer -> image with a padded bufferRowLength (A, B), vkCmdClearColorImage (C, and E's two
 *     mip levels with different colours), image -> image copy of a sub-rectangle (A -> C),
 *     vkCmdBlitImage NEAREST 64x64 -> 32x32 of a pattern that is uniform in 2x2 blocks (B -> D),
 *     image -> buffer of A, C, D and both mips of E.
 */
#include "pv_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_SIZE 65536u
#define DIM 64u
#define ROW_LEN 72u /* bufferRowLength of the uploads, in texels */

static uint8_t
pat_a(uint32_t x, uint32_t y, uint32_t ch)
{
   return (uint8_t)(x * 3 + y * 17 + ch * 61 + 1);
}

/* Uniform over 2x2 blocks, so a nearest 2x down-scale is exact whichever texel it picks. */
static uint8_t
pat_b(uint32_t x, uint32_t y, uint32_t ch)
{
   return (uint8_t)((x / 2) * 11 + (y / 2) * 7 + ch * 50);
}

static void
check_bytes(const char *what, const uint8_t *got, const uint8_t *want, size_t n)
{
   for (size_t i = 0; i < n; i++) {
      if (got[i] != want[i])
         pv_fail("%s: byte %zu is 0x%02x, expected 0x%02x", what, i, got[i], want[i]);
   }
}

static VkImage
make_image(const struct pv_ctx *c, uint32_t dim, uint32_t mips, VkDeviceMemory *mem)
{
   VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .extent = {dim, dim, 1},
      .mipLevels = mips,
      .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
      .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
   };
   return pv_image_create(c, &ici, mem);
}

static VkBufferImageCopy
region(VkDeviceSize offset, uint32_t row_len, uint32_t mip, uint32_t dim)
{
   return (VkBufferImageCopy){
      .bufferOffset = offset,
      .bufferRowLength = row_len,
      .bufferImageHeight = 0,
      .imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, mip, 0, 1},
      .imageExtent = {dim, dim, 1},
   };
}

static void
to_src(VkCommandBuffer cmd, VkImage image)
{
   pv_image_barrier(cmd, image, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_TRANSFER_READ_BIT);
}

int
main(void)
{
   struct pv_ctx c;
   pv_init(&c, "pv-transfer", NULL);
   const VkMemoryPropertyFlags host =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   const VkBufferUsageFlags xfer =
      VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

   /* ---- buffers ---- */
   struct pv_buffer src, dst, staging, readback;
   pv_buffer_create(&c, &src, BUF_SIZE, xfer, host);
   pv_buffer_create(&c, &dst, BUF_SIZE, xfer, host);
   uint8_t *model = malloc(BUF_SIZE);
   uint8_t *s = src.map;
   for (uint32_t i = 0; i < BUF_SIZE; i++)
      s[i] = (uint8_t)(i * 7 + (i >> 8) * 13);
   memset(dst.map, 0xcc, BUF_SIZE);

   const VkBufferCopy copies[] = {
      {0, 0, 4096}, {8192, 12288, 1000}, {20000, 40000, 4}, {5, 30001, 333}, {65535, 0, 1},
   };
   uint32_t update[64];
   for (uint32_t i = 0; i < 64; i++)
      update[i] = 0x01020304u * i + 0x9e3779b9u;

   VkCommandBuffer cmd = pv_cmd_begin(&c);
   vkCmdFillBuffer(cmd, dst.buffer, 0, VK_WHOLE_SIZE, 0x11223344u);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   vkCmdCopyBuffer(cmd, src.buffer, dst.buffer, PV_ARRAY_SIZE(copies), copies);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   vkCmdFillBuffer(cmd, dst.buffer, 50000, 2048, 0xa5a5f00fu);
   vkCmdUpdateBuffer(cmd, dst.buffer, 60000, sizeof(update), update);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);

   for (uint32_t i = 0; i < BUF_SIZE; i += 4) {
      const uint32_t v = 0x11223344u;
      memcpy(model + i, &v, 4);
   }
   for (size_t i = 0; i < PV_ARRAY_SIZE(copies); i++)
      memcpy(model + copies[i].dstOffset, s + copies[i].srcOffset, copies[i].size);
   for (uint32_t i = 50000; i < 50000 + 2048; i += 4) {
      const uint32_t v = 0xa5a5f00fu;
      memcpy(model + i, &v, 4);
   }
   memcpy(model + 60000, update, sizeof(update));
   check_bytes("buffer fill/copy/update", dst.map, model, BUF_SIZE);

   /* ---- images ---- */
   const size_t img_bytes = DIM * DIM * 4, up_bytes = ROW_LEN * DIM * 4;
   pv_buffer_create(&c, &staging, 2 * up_bytes, xfer, host);
   uint8_t *up = staging.map;
   memset(up, 0xee, 2 * up_bytes);
   for (uint32_t y = 0; y < DIM; y++) {
      for (uint32_t x = 0; x < DIM; x++) {
         for (uint32_t ch = 0; ch < 4; ch++) {
            up[(y * ROW_LEN + x) * 4 + ch] = pat_a(x, y, ch);
            up[up_bytes + (y * ROW_LEN + x) * 4 + ch] = pat_b(x, y, ch);
         }
      }
   }
   /* readback layout: A | C | D (32x32) | E mip 0 | E mip 1 (32x32) */
   const size_t off_a = 0, off_c = img_bytes, off_d = 2 * img_bytes;
   const size_t off_e0 = off_d + img_bytes / 4, off_e1 = off_e0 + img_bytes;
   const size_t rb_size = off_e1 + img_bytes / 4;
   pv_buffer_create(&c, &readback, rb_size, xfer, host);
   memset(readback.map, 0x77, rb_size);

   VkDeviceMemory mem[5];
   VkImage a = make_image(&c, DIM, 1, &mem[0]), b = make_image(&c, DIM, 1, &mem[1]);
   VkImage ci = make_image(&c, DIM, 1, &mem[2]), d = make_image(&c, DIM / 2, 1, &mem[3]);
   VkImage e = make_image(&c, DIM, 2, &mem[4]);
   VkImage all[] = {a, b, ci, d, e};

   const VkClearColorValue clear_c = {.float32 = {51 / 255.0f, 102 / 255.0f, 153 / 255.0f, 1}};
   const VkClearColorValue clear_e0 = {.float32 = {1, 0, 0, 0}};
   const VkClearColorValue clear_e1 = {.float32 = {0, 17 / 255.0f, 1, 34 / 255.0f}};
   const VkImageSubresourceRange mip0 = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
   const VkImageSubresourceRange mip1 = {VK_IMAGE_ASPECT_COLOR_BIT, 1, 1, 0, 1};
   const VkOffset3D copy_src = {8, 4, 0}, copy_dst = {30, 33, 0};
   const VkExtent3D copy_ext = {20, 30, 1};

   cmd = pv_cmd_begin(&c);
   for (size_t i = 0; i < PV_ARRAY_SIZE(all); i++) {
      pv_image_barrier(cmd, all[i], VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_UNDEFINED,
                       VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0,
                       VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   }
   VkBufferImageCopy r = region(0, ROW_LEN, 0, DIM);
   vkCmdCopyBufferToImage(cmd, staging.buffer, a, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
   r = region(up_bytes, ROW_LEN, 0, DIM);
   vkCmdCopyBufferToImage(cmd, staging.buffer, b, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
   vkCmdClearColorImage(cmd, ci, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &clear_c, 1, &mip0);
   vkCmdClearColorImage(cmd, e, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &clear_e0, 1, &mip0);
   vkCmdClearColorImage(cmd, e, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &clear_e1, 1, &mip1);
   to_src(cmd, a);
   to_src(cmd, b);
   /* C's clear must finish before the copy writes over part of it. */
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   VkImageCopy icopy = {
      .srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .srcOffset = copy_src,
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .dstOffset = copy_dst,
      .extent = copy_ext,
   };
   vkCmdCopyImage(cmd, a, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, ci,
                  VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &icopy);
   VkImageBlit blit = {
      .srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .srcOffsets = {{0, 0, 0}, {DIM, DIM, 1}},
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .dstOffsets = {{0, 0, 0}, {DIM / 2, DIM / 2, 1}},
   };
   vkCmdBlitImage(cmd, b, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, d,
                  VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &blit, VK_FILTER_NEAREST);
   to_src(cmd, ci);
   to_src(cmd, d);
   to_src(cmd, e);
   r = region(off_a, 0, 0, DIM);
   vkCmdCopyImageToBuffer(cmd, a, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &r);
   r = region(off_c, 0, 0, DIM);
   vkCmdCopyImageToBuffer(cmd, ci, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &r);
   r = region(off_d, 0, 0, DIM / 2);
   vkCmdCopyImageToBuffer(cmd, d, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &r);
   VkBufferImageCopy er[2] = {region(off_e0, 0, 0, DIM), region(off_e1, 0, 1, DIM / 2)};
   vkCmdCopyImageToBuffer(cmd, e, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 2, er);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);

   /* Expected image contents. */
   uint8_t *want = malloc(rb_size);
   const uint8_t cc[4] = {51, 102, 153, 255}, e0[4] = {255, 0, 0, 0}, e1[4] = {0, 17, 255, 34};
   for (uint32_t y = 0; y < DIM; y++) {
      for (uint32_t x = 0; x < DIM; x++) {
         for (uint32_t ch = 0; ch < 4; ch++) {
            const size_t t = (y * DIM + x) * 4 + ch;
            want[off_a + t] = pat_a(x, y, ch);
            bool in_copy = x >= (uint32_t)copy_dst.x && x < copy_dst.x + copy_ext.width &&
                           y >= (uint32_t)copy_dst.y && y < copy_dst.y + copy_ext.height;
            want[off_c + t] =
               in_copy ? pat_a(x - copy_dst.x + copy_src.x, y - copy_dst.y + copy_src.y, ch)
                       : cc[ch];
            want[off_e0 + t] = e0[ch];
            if (x < DIM / 2 && y < DIM / 2) {
               const size_t h = (y * (DIM / 2) + x) * 4 + ch;
               want[off_d + h] = pat_b(2 * x, 2 * y, ch);
               want[off_e1 + h] = e1[ch];
            }
         }
      }
   }
   const uint8_t *got = readback.map;
   check_bytes("buffer->image->buffer (A)", got + off_a, want + off_a, img_bytes);
   check_bytes("clear + image copy (C)", got + off_c, want + off_c, img_bytes);
   check_bytes("blit nearest 2x down (D)", got + off_d, want + off_d, img_bytes / 4);
   check_bytes("clear mip 0 (E)", got + off_e0, want + off_e0, img_bytes);
   check_bytes("clear mip 1 (E)", got + off_e1, want + off_e1, img_bytes / 4);

   for (size_t i = 0; i < PV_ARRAY_SIZE(all); i++) {
      vkDestroyImage(c.device, all[i], NULL);
      vkFreeMemory(c.device, mem[i], NULL);
   }
   pv_buffer_destroy(&c, &src);
   pv_buffer_destroy(&c, &dst);
   pv_buffer_destroy(&c, &staging);
   pv_buffer_destroy(&c, &readback);
   free(model);
   free(want);
   pv_fini(&c);
   pv_pass(&c,
           "fill/copy/update on %u bytes, 5 images (copy, blit, clear, 2 mips), %zu bytes "
           "checked",
           BUF_SIZE, rb_size);
   return 0;
}
