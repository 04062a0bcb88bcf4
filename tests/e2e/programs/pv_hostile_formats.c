/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile's cases of image commands whose formats or boxes Vulkan rules out and lavapipe
 * mishandles (pv_hostile.h; the seventh reading of lavapipe, 2026-12-07): a resolve into slice 1
 * of a 2D image, color clears of compressed and depth images, a depth clear of a compressed
 * image, a depth aspect copied into a color image of another texel size. Natively on Debian 12's
 * lavapipe the resolve wrote a layer past its destination, the clears called through NULL on
 * the queue thread or wrote past the image; the server refuses each (src/vk/guard.c
 * pv_guard_flat_box, src/vk/guard_image.c).
 */
#include "pv_hostile.h"

#define IMG PV_HOSTILE_IMG

/* A 2D optimal IMG x IMG image of `format`, its own memory, transfer source and destination. */
static VkImage
image_of(struct pv_hostile *h, VkDeviceMemory *mem, VkFormat format, VkSampleCountFlagBits samples,
         VkImageUsageFlags usage)
{
   return pv_hostile_image_of(h, mem, format, IMG, 1, 1, samples, usage);
}

static void
to_layout(VkCommandBuffer cmd, VkImage image, VkImageAspectFlags aspects, VkImageLayout layout)
{
   const VkImageMemoryBarrier b = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
      .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
      .oldLayout = VK_IMAGE_LAYOUT_UNDEFINED,
      .newLayout = layout,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .image = image,
      .subresourceRange = {aspects, 0, 1, 0, 1},
   };
   vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                        0, NULL, 0, NULL, 1, &b);
}

/* A 4x multisampled image resolved into slice 1, of depth 0, of a 2D image (VUID
 * vkCmdResolveImage-dstImage-04447): lavapipe resolves into slice offset.z + baseArrayLayer,
 * one layer past the destination. */
void
pv_hostile_resolve_z(struct pv_hostile *h)
{
   VkDeviceMemory m1, m2;
   pv_hostile_neighbours(h);
   VkImage ms = image_of(h, &m1, VK_FORMAT_R8G8B8A8_UNORM, VK_SAMPLE_COUNT_4_BIT,
                         VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT);
   VkImage ss = image_of(h, &m2, VK_FORMAT_R8G8B8A8_UNORM, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   to_layout(cmd, ms, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   to_layout(cmd, ss, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   const VkImageResolve r = {
      .srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .srcOffset = {0, 0, 1},
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .dstOffset = {0, 0, 1},
      .extent = {IMG, IMG, 0},
   };
   vkCmdResolveImage(cmd, ms, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, ss,
                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
   pv_hostile_submit(h, cmd);
}

static void
clear_color_of(struct pv_hostile *h, VkFormat format, VkImageAspectFlags aspects)
{
   VkDeviceMemory m;
   VkImage img = image_of(h, &m, format, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   to_layout(cmd, img, aspects, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   const VkClearColorValue color = {.uint32 = {1, 2, 3, 4}};
   const VkImageSubresourceRange range = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
   vkCmdClearColorImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color, 1, &range);
   pv_hostile_submit(h, cmd);
}

/* vkCmdClearColorImage of a BC1 image (VUID image-00007): lavapipe unpacks the color with the
 * format's unpack function, NULL for compressed formats, on its queue thread. */
void
pv_hostile_clear_color_compressed(struct pv_hostile *h)
{
   clear_color_of(h, VK_FORMAT_BC1_RGBA_UNORM_BLOCK, VK_IMAGE_ASPECT_COLOR_BIT);
}

/* vkCmdClearColorImage of a D16 image: the format's pack function is NULL there. */
void
pv_hostile_clear_color_depth(struct pv_hostile *h)
{
   clear_color_of(h, VK_FORMAT_D16_UNORM, VK_IMAGE_ASPECT_DEPTH_BIT);
}

/* vkCmdClearDepthStencilImage of a BC1 image (VUID image-00014): lavapipe fills it as a depth
 * image, rows of texels stepped by rows of blocks, up to three times the image past its end. */
void
pv_hostile_clear_depth_compressed(struct pv_hostile *h)
{
   VkDeviceMemory m;
   pv_hostile_neighbours(h);
   VkImage img = image_of(h, &m, VK_FORMAT_BC1_RGBA_UNORM_BLOCK, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   to_layout(cmd, img, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   const VkClearDepthStencilValue value = {1.0f, 0};
   const VkImageSubresourceRange range = {VK_IMAGE_ASPECT_DEPTH_BIT, 0, 1, 0, 1};
   vkCmdClearDepthStencilImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &value, 1, &range);
   pv_hostile_submit(h, cmd);
}

/* The depth aspect of a D32_SFLOAT_S8_UINT image copied into an R8 image (VUID
 * vkCmdCopyImage-srcImage-01548): lavapipe 25's maintenance8 path writes 4 bytes a 1-byte
 * texel (22.3 gives up on it). */
void
pv_hostile_copy_depth_to_color(struct pv_hostile *h)
{
   VkDeviceMemory m1, m2;
   pv_hostile_neighbours(h);
   VkImage ds = image_of(h, &m1, VK_FORMAT_D32_SFLOAT_S8_UINT, VK_SAMPLE_COUNT_1_BIT, 0);
   VkImage r8 = image_of(h, &m2, VK_FORMAT_R8_UNORM, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   to_layout(cmd, ds, VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT,
             VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   to_layout(cmd, r8, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   const VkImageCopy r = {
      .srcSubresource = {VK_IMAGE_ASPECT_DEPTH_BIT, 0, 0, 1},
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .extent = {IMG, IMG, 1},
   };
   vkCmdCopyImage(cmd, ds, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, r8,
                  VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
   pv_hostile_submit(h, cmd);
}
