/* SPDX-License-Identifier: MIT */
/*
 * The pv-hostile cases (pv_hostile.h): one function per class of hostile values from issue 12,
 * each a legal set-up followed by one hostile command and a submission, and the table of cases
 * (`valid`, the same kinds of commands at the exact edges, is in pv_hostile_valid.c).
 *
 * Objects are static or leaked on purpose: each case runs in its own process, and after a
 * hostile command the guest may no longer be able to destroy anything.
 */
#include "pv_hostile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define SZ PV_HOSTILE_SIZE
#define IMG PV_HOSTILE_IMG
#define FB PV_HOSTILE_FB

/* ----- buffers ------------------------------------------------------------------------------ */

static void
copy_case(struct pv_hostile *h, VkDeviceSize dst_size, VkBufferCopy region)
{
   static struct pv_buffer src, dst;
   pv_hostile_secret(h);
   pv_hostile_buffer(h, &src, SZ, 0, 0x11);
   pv_hostile_secret(h);
   pv_hostile_neighbours(h);
   pv_hostile_canary(h, &dst, dst_size, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdCopyBuffer(cmd, src.buffer, dst.buffer, 1, &region);
   pv_hostile_submit(h, cmd);
}

static void
copy_src_offset(struct pv_hostile *h)
{
   copy_case(h, SZ, (VkBufferCopy){.srcOffset = SZ, .dstOffset = 0, .size = 4096});
}

static void
copy_dst_offset(struct pv_hostile *h)
{
   copy_case(h, SZ, (VkBufferCopy){.srcOffset = 0, .dstOffset = SZ, .size = 4096});
}

static void
copy_size(struct pv_hostile *h)
{
   copy_case(h, 4 * SZ, (VkBufferCopy){.srcOffset = 0, .dstOffset = 0, .size = 2 * SZ});
}

/* offset + size wraps around 2^64 to a small number */
static void
copy_wrap(struct pv_hostile *h)
{
   copy_case(h, SZ, (VkBufferCopy){.srcOffset = UINT64_MAX - 4095, .dstOffset = 0, .size = 8192});
}

static void
fill_case(struct pv_hostile *h, VkDeviceSize offset, VkDeviceSize size)
{
   static struct pv_buffer dst;
   pv_hostile_neighbours(h);
   pv_hostile_canary(h, &dst, SZ, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdFillBuffer(cmd, dst.buffer, offset, size, 0x5a5a5a5au);
   pv_hostile_submit(h, cmd);
}

static void
fill_offset(struct pv_hostile *h)
{
   fill_case(h, SZ, 4096);
}

/* The same on a 256 KiB allocation and nothing smaller: Mesa 22.3.6 suballocates host-visible
 * allocations of up to 64 KiB from a 16 MiB pool it makes on first use, and its fence feedback
 * buffer is such an allocation. Here the refusal comes first, so the guest makes that pool, maps
 * it and records its feedback fill all in a lost context (src/vk/lost.c), and must still be
 * told at its first wait. */
static void
fill_late_pool(struct pv_hostile *h)
{
   static struct pv_buffer dst;
   pv_hostile_canary(h, &dst, 4 * SZ, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdFillBuffer(cmd, dst.buffer, 4 * SZ, 4096, 0x5a5a5a5au);
   pv_hostile_submit(h, cmd);
}

static void
fill_size(struct pv_hostile *h)
{
   fill_case(h, 0, 4 * SZ);
}

static void
fill_wrap(struct pv_hostile *h)
{
   fill_case(h, UINT64_MAX - 4095, 8192);
}

static void
update_offset(struct pv_hostile *h)
{
   static struct pv_buffer dst;
   static uint8_t data[4096];
   memset(data, 0x3c, sizeof(data));
   pv_hostile_neighbours(h);
   pv_hostile_canary(h, &dst, SZ, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdUpdateBuffer(cmd, dst.buffer, SZ, sizeof(data), data);
   pv_hostile_submit(h, cmd);
}

/* ----- buffer <-> image --------------------------------------------------------------------- */

/* Buffer -> image with `region`, then the whole image -> a canary buffer, so whatever the first
 * copy read from outside the source would become visible to the guest. */
static void
buf2img_case(struct pv_hostile *h, VkBufferImageCopy region)
{
   static struct pv_buffer src, dst;
   VkDeviceMemory mem;
   pv_hostile_secret(h);
   pv_hostile_buffer(h, &src, SZ, 0, 0x22);
   pv_hostile_secret(h);
   pv_hostile_canary(h, &dst, SZ, 0);
   pv_hostile_neighbours(h);
   VkImage img = pv_hostile_image(h, &mem, IMG, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_to_layout(cmd, img, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   vkCmdCopyBufferToImage(cmd, src.buffer, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
   pv_hostile_to_layout(cmd, img, 1, 1, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   const VkBufferImageCopy whole = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
                                    .imageExtent = {IMG, IMG, 1}};
   vkCmdCopyImageToBuffer(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst.buffer, 1, &whole);
   pv_hostile_submit(h, cmd);
}

static VkBufferImageCopy
region_whole(void)
{
   return (VkBufferImageCopy){.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
                              .imageExtent = {IMG, IMG, 1}};
}

static void
buf2img_offset(struct pv_hostile *h)
{
   VkBufferImageCopy r = region_whole();
   r.bufferOffset = SZ;
   buf2img_case(h, r);
}

static void
buf2img_rowlength(struct pv_hostile *h)
{
   VkBufferImageCopy r = region_whole();
   r.bufferRowLength = 1u << 20; /* the second row starts 4 MiB into a 64 KiB buffer */
   r.imageExtent.height = 2;
   buf2img_case(h, r);
}

static void
buf2img_extent(struct pv_hostile *h)
{
   VkBufferImageCopy r = region_whole();
   r.imageExtent = (VkExtent3D){2 * IMG, 2 * IMG, 1}; /* 64 KiB read, 4x the image written */
   buf2img_case(h, r);
}

static void
buf2img_mip(struct pv_hostile *h)
{
   VkBufferImageCopy r = region_whole();
   r.imageSubresource.mipLevel = 7;
   buf2img_case(h, r);
}

static void
buf2img_layer(struct pv_hostile *h)
{
   VkBufferImageCopy r = region_whole();
   r.imageSubresource.baseArrayLayer = 4;
   buf2img_case(h, r);
}

/* Image -> canary buffer with `region`. */
static void
img2buf_case(struct pv_hostile *h, VkBufferImageCopy region)
{
   static struct pv_buffer dst;
   VkDeviceMemory mem;
   pv_hostile_neighbours(h);
   pv_hostile_canary(h, &dst, SZ, 0);
   pv_hostile_neighbours(h);
   VkImage img = pv_hostile_image(h, &mem, IMG, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_to_layout(cmd, img, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   vkCmdCopyImageToBuffer(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, dst.buffer, 1, &region);
   pv_hostile_submit(h, cmd);
}

static void
img2buf_offset(struct pv_hostile *h)
{
   VkBufferImageCopy r = region_whole();
   r.bufferOffset = SZ;
   img2buf_case(h, r);
}

static void
img2buf_extent(struct pv_hostile *h)
{
   VkBufferImageCopy r = region_whole();
   r.imageExtent = (VkExtent3D){2 * IMG, 2 * IMG, 1}; /* reads 4x the image into 64 KiB */
   img2buf_case(h, r);
}

/* ----- blit, resolve, clear ----------------------------------------------------------------- */

static void
blit_case(struct pv_hostile *h, VkImageBlit blit)
{
   VkDeviceMemory m1, m2;
   VkImage a = pv_hostile_image(h, &m1, IMG, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   VkImage b = pv_hostile_image(h, &m2, IMG, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_to_layout(cmd, a, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   pv_hostile_to_layout(cmd, b, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   vkCmdBlitImage(cmd, a, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, b,
                  VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &blit, VK_FILTER_NEAREST);
   pv_hostile_submit(h, cmd);
}

static VkImageBlit
blit_whole(void)
{
   return (VkImageBlit){
      .srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .srcOffsets = {{0, 0, 0}, {IMG, IMG, 1}},
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .dstOffsets = {{0, 0, 0}, {IMG, IMG, 1}},
   };
}

static void
blit_mip(struct pv_hostile *h)
{
   VkImageBlit b = blit_whole();
   b.srcSubresource.mipLevel = 5;
   blit_case(h, b);
}

static void
blit_layer(struct pv_hostile *h)
{
   VkImageBlit b = blit_whole();
   b.dstSubresource.baseArrayLayer = 3;
   blit_case(h, b);
}

static void
blit_offset(struct pv_hostile *h)
{
   VkImageBlit b = blit_whole();
   b.dstOffsets[1] = (VkOffset3D){16 * IMG, 16 * IMG, 1};
   blit_case(h, b);
}

static void
resolve_layer(struct pv_hostile *h)
{
   VkDeviceMemory m1, m2;
   VkImage ms = pv_hostile_image(h, &m1, IMG, 1, 1, VK_SAMPLE_COUNT_4_BIT,
                                 VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT);
   VkImage ss = pv_hostile_image(h, &m2, IMG, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_to_layout(cmd, ms, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   pv_hostile_to_layout(cmd, ss, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   const VkImageResolve r = {
      .srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 3, 1},
      .extent = {IMG, IMG, 1},
   };
   vkCmdResolveImage(cmd, ms, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, ss,
                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
   pv_hostile_submit(h, cmd);
}

static void
clear_case(struct pv_hostile *h, VkImageSubresourceRange range)
{
   VkDeviceMemory mem;
   VkImage img = pv_hostile_image(h, &mem, IMG, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_to_layout(cmd, img, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   const VkClearColorValue color = {.uint32 = {1, 2, 3, 4}};
   vkCmdClearColorImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color, 1, &range);
   pv_hostile_submit(h, cmd);
}

static void
clear_mip(struct pv_hostile *h)
{
   clear_case(h, (VkImageSubresourceRange){VK_IMAGE_ASPECT_COLOR_BIT, 9, 1, 0, 1});
}

static void
clear_layer(struct pv_hostile *h)
{
   clear_case(h, (VkImageSubresourceRange){VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 5, 1});
}

/* Six layers copied into an image of one: lavapipe gives the destination the source's layer
 * count (one box for both), five layers past the destination's memory. */
static void
copy_image_layers(struct pv_hostile *h)
{
   VkDeviceMemory m1, m2;
   pv_hostile_neighbours(h);
   VkImage a = pv_hostile_image(h, &m1, IMG, 1, 6, VK_SAMPLE_COUNT_1_BIT, 0);
   VkImage b = pv_hostile_image(h, &m2, IMG, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_to_layout(cmd, a, 1, 6, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   pv_hostile_to_layout(cmd, b, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   const VkImageCopy r = {
      .srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 6},
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .extent = {IMG, IMG, 1},
   };
   vkCmdCopyImage(cmd, a, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, b,
                  VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &r);
   pv_hostile_submit(h, cmd);
}

/* The layout of mip 7 of a 1-mip image: lavapipe reads it from per-level arrays of the texture
 * and answers with what it found there. */
static void
subresource_layout_mip(struct pv_hostile *h)
{
   VkDeviceMemory m;
   VkImage img = pv_hostile_image(h, &m, IMG, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   const VkImageSubresource sub = {VK_IMAGE_ASPECT_COLOR_BIT, 7, 0};
   VkSubresourceLayout layout = {0};
   vkGetImageSubresourceLayout(h->c.device, img, &sub, &layout);
   printf("pv-hostile: %s: the guest got row pitch %llu, offset %llu\n", h->name,
          (unsigned long long)layout.rowPitch, (unsigned long long)layout.offset);
   pv_hostile_sync(h);
}

/* The memory requirements of an image of 0 mips, asked without creating it: lavapipe lays out
 * the image (255 levels over arrays of 15). */
static void
device_image_mips(struct pv_hostile *h)
{
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .extent = {1, 1, 1},
      .mipLevels = 0,
      .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
   };
   const VkDeviceImageMemoryRequirements info = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_IMAGE_MEMORY_REQUIREMENTS,
      .pCreateInfo = &ici,
   };
   VkMemoryRequirements2 req = {.sType = VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2};
   PFN_vkGetDeviceImageMemoryRequirements get =
      (PFN_vkGetDeviceImageMemoryRequirements)vkGetDeviceProcAddr(
         h->c.device, "vkGetDeviceImageMemoryRequirements");
   if (!get)
      pv_fail("%s: the device has no vkGetDeviceImageMemoryRequirements", h->name);
   get(h->c.device, &info, &req);
   printf("pv-hostile: %s: the guest got %llu bytes\n", h->name,
          (unsigned long long)req.memoryRequirements.size);
   pv_hostile_sync(h);
}

/* ----- binding memory ----------------------------------------------------------------------- */

/* A host-visible allocation of `size` filled with the canary byte, registered as a canary. */
static VkDeviceMemory
canary_memory(struct pv_hostile *h, VkDeviceSize size, uint32_t type_bits)
{
   static struct pv_buffer views[2];
   static unsigned used;
   uint32_t type = pv_find_memory_type(&h->c, type_bits,
                                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                          VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   if (type == UINT32_MAX || used == 2)
      pv_fail("%s: no host-visible memory type", h->name);
   const VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = size,
      .memoryTypeIndex = type,
   };
   struct pv_buffer *v = &views[used++];
   PV_CHECK(vkAllocateMemory(h->c.device, &mai, NULL, &v->memory));
   PV_CHECK(vkMapMemory(h->c.device, v->memory, 0, VK_WHOLE_SIZE, 0, &v->map));
   v->size = size;
   memset(v->map, PV_HOSTILE_CANARY, size);
   h->canary[h->ncanary++] = v;
   return v->memory;
}

/* Mesa 22.3.6 suballocates host-visible allocations of up to 64 KiB from 16 MiB blocks (and
 * moves the bind offset with them), so the memory here is bigger: the host sees the guest's
 * own allocation and offset. */
static void
bind_buffer_case(struct pv_hostile *h, VkDeviceSize mem_size, VkDeviceSize buf_size,
                 VkDeviceSize offset)
{
   pv_hostile_neighbours(h);
   VkBuffer b = pv_hostile_unbound_buffer(h, buf_size);
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(h->c.device, b, &req);
   VkDeviceMemory mem = canary_memory(h, mem_size, req.memoryTypeBits);
   pv_hostile_neighbours(h);
   PV_HOSTILE_NOTE(h, vkBindBufferMemory(h->c.device, b, mem, offset));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdFillBuffer(cmd, b, 0, VK_WHOLE_SIZE, 0x77777777u);
   pv_hostile_submit(h, cmd);
}

static void
bind_buffer_offset(struct pv_hostile *h)
{
   bind_buffer_case(h, 2 * SZ, SZ, 16 * SZ);
}

/* the buffer starts inside the allocation but does not fit in it */
static void
bind_buffer_size(struct pv_hostile *h)
{
   bind_buffer_case(h, 2 * SZ, 2 * SZ, SZ);
}

static void
bind_image_offset(struct pv_hostile *h)
{
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .extent = {4 * IMG, 4 * IMG, 1}, /* 256 KiB: not suballocated by Mesa 22.3.6 */
      .mipLevels = 1,
      .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT,
   };
   VkImage img;
   PV_CHECK(vkCreateImage(h->c.device, &ici, NULL, &img));
   VkMemoryRequirements req;
   vkGetImageMemoryRequirements(h->c.device, img, &req);
   pv_hostile_neighbours(h);
   VkDeviceMemory mem = canary_memory(h, req.size, req.memoryTypeBits);
   pv_hostile_neighbours(h);
   VkDeviceSize align = req.alignment ? req.alignment : 1;
   VkDeviceSize offset = ((req.size + align - 1) / align) * align; /* right past the end */
   PV_HOSTILE_NOTE(h, vkBindImageMemory(h->c.device, img, mem, offset));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_to_layout(cmd, img, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED,
                        VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   const VkClearColorValue color = {.uint32 = {0x11, 0x22, 0x33, 0x44}};
   const VkImageSubresourceRange range = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
   vkCmdClearColorImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color, 1, &range);
   pv_hostile_submit(h, cmd);
}

static void
unbound_use(struct pv_hostile *h)
{
   static struct pv_buffer src;
   pv_hostile_neighbours(h);
   pv_hostile_canary(h, &src, SZ, 0);
   VkBuffer b = pv_hostile_unbound_buffer(h, SZ);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkBufferCopy r = {0, 0, SZ};
   vkCmdCopyBuffer(cmd, b, src.buffer, 1, &r); /* reads "memory" that was never bound */
   vkCmdFillBuffer(cmd, b, 0, VK_WHOLE_SIZE, 0x66666666u);
   pv_hostile_submit(h, cmd);
}

/* ----- queries ------------------------------------------------------------------------------ */

#define QUERY_PAST 1000u /* queries asked for past the first ones */

static void
query_reset_host(struct pv_hostile *h)
{
   VkQueryPool pool = pv_hostile_query_pool(h);
   vkResetQueryPool(h->c.device, pool, 2, QUERY_PAST);
   pv_hostile_sync(h);
}

static void
query_results(struct pv_hostile *h)
{
   VkQueryPool pool = pv_hostile_query_pool(h);
   static uint64_t data[QUERY_PAST];
   memset(data, PV_HOSTILE_CANARY, sizeof(data));
   VkResult r = PV_HOSTILE_NOTE(h, vkGetQueryPoolResults(h->c.device, pool, 2, QUERY_PAST,
                                                        sizeof(data), data, sizeof(uint64_t),
                                                        VK_QUERY_RESULT_64_BIT));
   /* data[0..1] are queries 2 and 3; from data[2] on, whatever the host had past the pool */
   const uint8_t *p = (const uint8_t *)data;
   size_t changed = 0, nonzero = 0, first = 0;
   for (size_t o = 2 * sizeof(uint64_t); o < sizeof(data); o++) {
      if (p[o] == PV_HOSTILE_CANARY)
         continue;
      if (!changed++)
         first = o;
      nonzero += p[o] != 0;
   }
   /* From the guest's side the bytes cannot be told apart: host memory past the pool, or a
    * reply the renderer never wrote (the guest then decodes what its reply buffer held). */
   if (changed)
      pv_fail("%s: not told: vkGetQueryPoolResults returned %s and %zu bytes arrived for "
              "queries past the pool, %zu of them not zero (first at byte %zu: 0x%02x)",
              h->name, pv_result_name(r), changed, nonzero, first, p[first]);
   pv_hostile_sync(h);
}

static void
query_cmd_reset(struct pv_hostile *h)
{
   VkQueryPool pool = pv_hostile_query_pool(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdResetQueryPool(cmd, pool, 2, QUERY_PAST);
   pv_hostile_submit(h, cmd);
}

static void
query_copy_case(struct pv_hostile *h, uint32_t first, uint32_t count, VkDeviceSize offset)
{
   static struct pv_buffer dst;
   VkQueryPool pool = pv_hostile_query_pool(h);
   pv_hostile_neighbours(h);
   pv_hostile_canary(h, &dst, SZ, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdCopyQueryPoolResults(cmd, pool, first, count, dst.buffer, offset, sizeof(uint64_t),
                             VK_QUERY_RESULT_64_BIT);
   pv_hostile_submit(h, cmd);
}

static void
query_copy_range(struct pv_hostile *h)
{
   query_copy_case(h, 2, QUERY_PAST, 0);
}

static void
query_copy_dst(struct pv_hostile *h)
{
   query_copy_case(h, 0, PV_HOSTILE_QUERIES, SZ);
}

/* ----- descriptors and indirect ------------------------------------------------------------- */

static void
descriptor_case(struct pv_hostile *h, VkDeviceSize src_offset, VkDeviceSize range)
{
   static struct pv_buffer src, dst;
   static struct pv_compute k;
   pv_hostile_compute_init(h, &k, 2);
   pv_hostile_secret(h);
   pv_hostile_buffer(h, &src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x01);
   pv_hostile_secret(h);
   pv_hostile_canary(h, &dst, 4 * SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   pv_hostile_neighbours(h);
   VkDescriptorSet set = pv_hostile_compute_set(h, &k, (VkDescriptorBufferInfo){src.buffer, src_offset, range},
                                     (VkDescriptorBufferInfo){dst.buffer, 0, range});
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_compute_dispatch(cmd, &k, set, (uint32_t)(range / 4), 1, 0);
   pv_hostile_submit(h, cmd);
}

static void
descriptor_range(struct pv_hostile *h)
{
   descriptor_case(h, 0, 4 * SZ);
}

static void
descriptor_offset(struct pv_hostile *h)
{
   descriptor_case(h, 4 * SZ, SZ);
}

static void
dispatch_indirect(struct pv_hostile *h)
{
   static struct pv_buffer src, dst, ind;
   static struct pv_compute k;
   pv_hostile_compute_init(h, &k, 1);
   pv_hostile_buffer(h, &src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x01);
   pv_hostile_canary(h, &dst, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   pv_hostile_buffer(h, &ind, SZ, VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT, 0);
   VkDescriptorSet set = pv_hostile_compute_set(h, &k, (VkDescriptorBufferInfo){src.buffer, 0, SZ},
                                     (VkDescriptorBufferInfo){dst.buffer, 0, SZ});
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const uint32_t push[3] = {(uint32_t)(SZ / 4), 1, 0};
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.layout, 0, 1, &set, 0, NULL);
   vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
   vkCmdDispatchIndirect(cmd, ind.buffer, SZ);
   pv_hostile_submit(h, cmd);
}

/* ----- graphics: a 16x16 target, one vec4 vertex attribute --------------------------------- */

enum gfx_hostile { DRAW_INDIRECT, VERTEX_OFFSET, INDEX_OFFSET, INDEX_TYPE_NONE };

static void
gfx_case(struct pv_hostile *h, enum gfx_hostile what)
{
   static struct pv_hostile_gfx g;
   static struct pv_buffer vb;
   pv_hostile_gfx_init(h, &g);
   pv_hostile_buffer(h, &vb, SZ, PV_HOSTILE_ALL_BUF, 0);
   pv_hostile_put_triangle(&vb, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_gfx_begin(cmd, &g);
   const VkDeviceSize zero = 0, past = SZ;
   vkCmdBindVertexBuffers(cmd, 0, 1, &vb.buffer, what == VERTEX_OFFSET ? &past : &zero);
   if (what == DRAW_INDIRECT)
      vkCmdDrawIndirect(cmd, vb.buffer, SZ, 1, 16);
   else if (what == VERTEX_OFFSET)
      vkCmdDraw(cmd, 3, 1, 0, 0);
   if (what == INDEX_OFFSET) {
      vkCmdBindIndexBuffer(cmd, vb.buffer, SZ, VK_INDEX_TYPE_UINT32);
      vkCmdDrawIndexed(cmd, 3, 1, 0, 0, 0);
   }
   if (what == INDEX_TYPE_NONE) {
      vkCmdBindIndexBuffer(cmd, vb.buffer, 0, VK_INDEX_TYPE_NONE_KHR);
      vkCmdDrawIndexed(cmd, 3, 1, 0, 0, 0);
   }
   vkCmdEndRenderPass(cmd);
   pv_hostile_submit(h, cmd);
}

static void
draw_indirect(struct pv_hostile *h)
{
   gfx_case(h, DRAW_INDIRECT);
}

static void
vertex_offset(struct pv_hostile *h)
{
   gfx_case(h, VERTEX_OFFSET);
}

static void
index_offset(struct pv_hostile *h)
{
   gfx_case(h, INDEX_OFFSET);
}

/* An index type of no size (Vulkan rules it out; the guest drivers pass it on): lavapipe
 * divides the index buffer's offset by its index size, 0 for a command buffer's first bind, a
 * SIGFPE on its queue thread. */
static void
index_type_none(struct pv_hostile *h)
{
   gfx_case(h, INDEX_TYPE_NONE);
}

/* A custom border color without its VkSamplerCustomBorderColorCreateInfoEXT (Vulkan rules it
 * out): Mesa's common sampler code reads the color through the chain entry it did not find,
 * a NULL read in lavapipe's vkCreateSampler. */
static void
border_custom_no_info(struct pv_hostile *h)
{
   const VkSamplerCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
                                    .magFilter = VK_FILTER_NEAREST,
                                    .minFilter = VK_FILTER_NEAREST,
                                    .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
                                    .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
                                    .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
                                    .borderColor = VK_BORDER_COLOR_FLOAT_CUSTOM_EXT};
   VkSampler sampler;
   PV_HOSTILE_NOTE(h, vkCreateSampler(h->c.device, &sci, NULL, &sampler));
   pv_hostile_sync(h);
}

/* ----- image creation ----------------------------------------------------------------------- */

/* Creates an image with hostile parameters; if that "works", gives it memory and clears every
 * subresource it claims to have. A clean error from vkCreateImage also counts as refused. */
static void
image_case(struct pv_hostile *h, VkImageCreateInfo ici)
{
   ici.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
   ici.imageType = VK_IMAGE_TYPE_2D;
   ici.samples = VK_SAMPLE_COUNT_1_BIT;
   ici.tiling = VK_IMAGE_TILING_OPTIMAL;
   ici.usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
   VkImage img = VK_NULL_HANDLE;
   VkResult r = PV_HOSTILE_NOTE(h, vkCreateImage(h->c.device, &ici, NULL, &img));
   if (r != VK_SUCCESS && r != VK_ERROR_DEVICE_LOST) {
      pv_hostile_sync(h);
      printf("pv-hostile: PASS: %s: refused at creation (vkCreateImage returned %s) (device: %s)\n",
             h->name, pv_result_name(r), h->c.props.deviceName);
      exit(0);
   }
   VkMemoryRequirements req = {0};
   vkGetImageMemoryRequirements(h->c.device, img, &req);
   printf("pv-hostile: %s: the guest got an image needing %llu bytes\n", h->name,
          (unsigned long long)req.size);
   uint32_t type = pv_find_memory_type(&h->c, req.memoryTypeBits, 0);
   const VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req.size ? req.size : 4096,
      .memoryTypeIndex = type == UINT32_MAX ? 0 : type,
   };
   VkDeviceMemory mem = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkAllocateMemory(h->c.device, &mai, NULL, &mem));
   PV_HOSTILE_NOTE(h, vkBindImageMemory(h->c.device, img, mem, 0));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkImageMemoryBarrier b = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
      .dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
      .oldLayout = VK_IMAGE_LAYOUT_UNDEFINED,
      .newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .image = img,
      .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, VK_REMAINING_MIP_LEVELS, 0,
                           VK_REMAINING_ARRAY_LAYERS},
   };
   vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                        0, NULL, 0, NULL, 1, &b);
   const VkClearColorValue color = {.uint32 = {9, 9, 9, 9}};
   vkCmdClearColorImage(cmd, img, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, &color, 1,
                        &b.subresourceRange);
   pv_hostile_submit(h, cmd);
}

static void
image_mips(struct pv_hostile *h)
{
   image_case(h, (VkImageCreateInfo){.format = VK_FORMAT_R8G8B8A8_UNORM,
                                     .extent = {IMG, IMG, 1}, .mipLevels = 20, .arrayLayers = 1});
}

/* A cube-compatible image of 256x1 texels: llvmpipe samples a face as high as it is wide. */
static void
image_cube_nonsquare(struct pv_hostile *h)
{
   image_case(h, (VkImageCreateInfo){.flags = VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT,
                                     .format = VK_FORMAT_R8G8B8A8_UNORM,
                                     .extent = {256, 1, 1},
                                     .mipLevels = 1,
                                     .arrayLayers = 6});
}

/* DRM format modifier tiling on a device without the extension: a 1D image 2^31 texels wide
 * of 32 mips, past the host's 15 (lavapipe 22.3 laid them all out: a heap write). */
static void
image_drm_mips(struct pv_hostile *h)
{
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_1D,
      .format = VK_FORMAT_R8_UNORM,
      .extent = {1u << 31, 1, 1},
      .mipLevels = 32,
      .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .tiling = VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT,
      .usage = VK_IMAGE_USAGE_TRANSFER_DST_BIT,
   };
   VkImage img;
   PV_HOSTILE_NOTE(h, vkCreateImage(h->c.device, &ici, NULL, &img));
   pv_hostile_sync(h);
}

static void
image_layers(struct pv_hostile *h)
{
   image_case(h, (VkImageCreateInfo){.format = VK_FORMAT_R8G8B8A8_UNORM, .extent = {4, 4, 1},
                                     .mipLevels = 1, .arrayLayers = 1u << 16});
}

static void
image_extent(struct pv_hostile *h)
{
   image_case(h, (VkImageCreateInfo){.format = VK_FORMAT_R8G8B8A8_UNORM,
                                     .extent = {1u << 20, 1, 1}, .mipLevels = 1,
                                     .arrayLayers = 1});
}

static void
image_extent_zero(struct pv_hostile *h)
{
   image_case(h, (VkImageCreateInfo){.format = VK_FORMAT_R8G8B8A8_UNORM, .extent = {0, 0, 1},
                                     .mipLevels = 1, .arrayLayers = 1});
}

static void
image_format(struct pv_hostile *h)
{
   /* 999 is no format in any Vulkan version or extension */
   image_case(h, (VkImageCreateInfo){.format = (VkFormat)999, .extent = {IMG, IMG, 1},
                                     .mipLevels = 1, .arrayLayers = 1});
}

/* ----- lifetime ----------------------------------------------------------------------------- */

/* Keeps the queue busy for a while (lavapipe runs submissions on its own thread), then copies
 * from `src` into a canary buffer. */
/* A command buffer that keeps the queue busy (64 fills of 16 MiB) before what comes next. */
static VkCommandBuffer
busy_begin(struct pv_hostile *h)
{
   static struct pv_buffer work;
   pv_hostile_buffer(h, &work, (VkDeviceSize)16 << 20, 0, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   for (int i = 0; i < 64; i++)
      vkCmdFillBuffer(cmd, work.buffer, 0, VK_WHOLE_SIZE, (uint32_t)i);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
   return cmd;
}

static VkCommandBuffer
busy_copy(struct pv_hostile *h, struct pv_buffer *src, struct pv_buffer *dst)
{
   VkCommandBuffer cmd = busy_begin(h);
   pv_hostile_secret(h);
   pv_hostile_buffer(h, src, SZ, 0, 0x44);
   pv_hostile_secret(h);
   pv_hostile_buffer(h, dst, SZ, 0, PV_HOSTILE_CANARY);
   h->copy_dst = dst;
   h->copied = 0x44;
   const VkBufferCopy r = {0, 0, SZ};
   vkCmdCopyBuffer(cmd, src->buffer, dst->buffer, 1, &r);
   return cmd;
}

/* Ends `cmd` and submits it without a fence: it is pending when this returns. */
static void
submit_pending(struct pv_hostile *h, VkCommandBuffer cmd)
{
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(cmd));
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   PV_HOSTILE_NOTE(h, vkQueueSubmit(h->c.queue, 1, &si, VK_NULL_HANDLE));
}

/* Submits `cmd`, already ended, with a fence and waits for it (3 s). */
static void
submit_fenced(struct pv_hostile *h, VkCommandBuffer cmd)
{
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateFence(h->c.device, &fci, NULL, &fence));
   PV_HOSTILE_NOTE(h, vkQueueSubmit(h->c.queue, 1, &si, fence));
   if (fence)
      PV_HOSTILE_NOTE(h, vkWaitForFences(h->c.device, 1, &fence, VK_TRUE, 3000000000ull));
}

/* Destroying or freeing what pending work uses: the renderer may refuse (context lost) or keep
 * the objects alive until the work ends (then the copy reads the source's own bytes); it must
 * never let the host read freed memory. A submission after the destroy must be refused: the
 * command buffer names an object that is gone. */
enum lifetime { FREE_BUFFER_PENDING, FREE_MEMORY_PENDING, SUBMIT_AFTER_DESTROY, BUFFER_ONLY_PENDING };

static void
lifetime_case(struct pv_hostile *h, enum lifetime what)
{
   static struct pv_buffer src, dst;
   VkCommandBuffer cmd = busy_copy(h, &src, &dst);
   if (what == SUBMIT_AFTER_DESTROY) {
      h->copy_dst = NULL; /* nothing may run: the destination is a plain canary */
      h->canary[h->ncanary++] = &dst;
   }
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(cmd));
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   if (what != SUBMIT_AFTER_DESTROY)
      PV_HOSTILE_NOTE(h, vkQueueSubmit(h->c.queue, 1, &si, VK_NULL_HANDLE));
   if (what != FREE_MEMORY_PENDING)
      vkDestroyBuffer(h->c.device, src.buffer, NULL);
   if (what != BUFFER_ONLY_PENDING) { /* alone, the host keeps it for later (graveyard.c) */
      vkUnmapMemory(h->c.device, src.memory);
      vkFreeMemory(h->c.device, src.memory, NULL);
   }
   if (what == SUBMIT_AFTER_DESTROY)
      submit_fenced(h, cmd);
   /* before anything that may block or make the guest driver abort: the bytes as they are */
   pv_hostile_check_canaries(h, "after the destroy and the submission");
   pv_hostile_sync(h);
}

static void
destroy_pending_buffer(struct pv_hostile *h)
{
   lifetime_case(h, FREE_BUFFER_PENDING);
}

static void
destroy_pending_buffer_only(struct pv_hostile *h)
{
   lifetime_case(h, BUFFER_ONLY_PENDING);
}

/* More destroys while work is pending than the host keeps for later (1,024 per device,
 * graveyard.c): past that a destroy waits for the device; the pending copy still reads the
 * source's own bytes, and the host destroys every kept buffer. */
static void
destroy_many_pending(struct pv_hostile *h)
{
   static struct pv_buffer src, dst;
   VkCommandBuffer cmd = busy_copy(h, &src, &dst);
   submit_pending(h, cmd);
   const VkBufferCreateInfo bi = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = 256,
      .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
   };
   for (int i = 0; i < 1500; i++) {
      VkBuffer b = VK_NULL_HANDLE;
      PV_HOSTILE_NOTE(h, vkCreateBuffer(h->c.device, &bi, NULL, &b));
      vkDestroyBuffer(h->c.device, b, NULL);
   }
   pv_hostile_check_canaries(h, "after the destroys");
   pv_hostile_sync(h);
}

/* What the query pool cases do to a pool while its work is pending. */
enum pending_query_act { QUERY_POOL_DESTROY, QUERY_POOL_HOST_RESET };

/*
 * A submission, still pending, writes a timestamp into a one-query pool and copies its result and
 * availability out; meanwhile the guest destroys the pool or resets it from the host.
 *
 * Destroy: the host keeps the pool (and its quota) until the work ends (graveyard.c), so the
 * copy finds the query available; the validation layer of the ASan server reports
 * VUID-vkDestroyQueryPool-queryPool-00793 when the host destroys it earlier.
 *
 * Host reset (Vulkan asks for the work to have completed): lavapipe frees the queries a host
 * reset resets, under the submission that uses them; the host waits for the device's submitted
 * work first (guard_query.c). Whether the submission reaches the host before the reset is the
 * guest's doing (both Mesa versions send them on different paths at times), so the case checks
 * only that the context survives with the copy's timestamp available.
 */
static void
pending_query_pool_case(struct pv_hostile *h, enum pending_query_act act)
{
   static struct pv_buffer dst;
   pv_hostile_buffer(h, &dst, SZ, 0, 0);
   const VkQueryPoolCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = VK_QUERY_TYPE_TIMESTAMP,
      .queryCount = 1,
   };
   VkQueryPool pool = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateQueryPool(h->c.device, &qci, NULL, &pool));
   VkCommandBuffer cmd = busy_begin(h);
   vkCmdResetQueryPool(cmd, pool, 0, 1);
   vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 0);
   vkCmdCopyQueryPoolResults(cmd, pool, 0, 1, dst.buffer, 0, 2 * sizeof(uint64_t),
                             VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT |
                                VK_QUERY_RESULT_WITH_AVAILABILITY_BIT);
   submit_pending(h, cmd);
   if (act == QUERY_POOL_DESTROY)
      vkDestroyQueryPool(h->c.device, pool, NULL);
   else
      vkResetQueryPool(h->c.device, pool, 0, 1);
   pv_hostile_check_canaries(h,
                             act == QUERY_POOL_DESTROY ? "after the destroy" : "after the reset");
   pv_hostile_sync(h);
   const uint64_t *result = dst.map;
   if (h->err == VK_SUCCESS && result[1] == 1) {
      pv_pass(&h->c, "%s: %s (the copy found the timestamp available)", h->name,
              act == QUERY_POOL_DESTROY ? "the host kept the destroyed query pool until its work "
                                          "ended"
                                        : "the context survived the reset under its work");
      exit(0);
   }
   if (h->err == VK_SUCCESS)
      pv_fail("%s: the copy found availability %llu, not 1", h->name,
              (unsigned long long)result[1]);
}

static void
destroy_pending_query_pool(struct pv_hostile *h)
{
   pending_query_pool_case(h, QUERY_POOL_DESTROY);
}

static void
reset_pending_query_pool(struct pv_hostile *h)
{
   pending_query_pool_case(h, QUERY_POOL_HOST_RESET);
}

static void
free_pending_memory(struct pv_hostile *h)
{
   lifetime_case(h, FREE_MEMORY_PENDING);
}

static void
submit_after_destroy(struct pv_hostile *h)
{
   lifetime_case(h, SUBMIT_AFTER_DESTROY);
}

/* Begins *second as a secondary command buffer outside a render pass, allocating it from the
 * case's pool first when it is VK_NULL_HANDLE. */
static void
secondary_begin(struct pv_hostile *h, VkCommandBuffer *second)
{
   if (!*second) {
      const VkCommandBufferAllocateInfo ai = {
         .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
         .commandPool = h->c.pool,
         .level = VK_COMMAND_BUFFER_LEVEL_SECONDARY,
         .commandBufferCount = 1,
      };
      PV_HOSTILE_NOTE(h, vkAllocateCommandBuffers(h->c.device, &ai, second));
   }
   const VkCommandBufferInheritanceInfo inherit = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO,
   };
   const VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .pInheritanceInfo = &inherit,
   };
   PV_HOSTILE_NOTE(h, vkBeginCommandBuffer(*second, &bi));
}

/* ----- objects of another device (VUID-vkQueueSubmit-pCommandBuffers-00074 and others) ----- */

/* A second device of the case's physical device, with a command pool: a submission's objects
 * keep the queue they ran on, and that queue goes with its own device. */
struct other_device {
   VkDevice device;
   VkCommandPool pool;
};

static void
other_device(struct pv_hostile *h, struct other_device *o)
{
   const float priority = 1.0f;
   const VkDeviceQueueCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = h->c.queue_family,
      .queueCount = 1,
      .pQueuePriorities = &priority,
   };
   const VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &qci,
   };
   PV_CHECK(vkCreateDevice(h->c.phys, &dci, NULL, &o->device));
   const VkCommandPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .queueFamilyIndex = h->c.queue_family,
   };
   PV_CHECK(vkCreateCommandPool(o->device, &pci, NULL, &o->pool));
}

static VkCommandBuffer
other_cmdbuf(struct pv_hostile *h, const struct other_device *o, VkCommandBufferLevel level)
{
   const VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = o->pool,
      .level = level,
      .commandBufferCount = 1,
   };
   VkCommandBuffer cmd = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkAllocateCommandBuffers(o->device, &ai, &cmd));
   const VkCommandBufferInheritanceInfo inherit = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO,
   };
   const VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .pInheritanceInfo = level == VK_COMMAND_BUFFER_LEVEL_SECONDARY ? &inherit : NULL,
   };
   PV_HOSTILE_NOTE(h, vkBeginCommandBuffer(cmd, &bi));
   return cmd;
}

static void
other_device_cmdbuf(struct pv_hostile *h)
{
   static struct other_device o;
   other_device(h, &o);
   pv_hostile_submit(h, other_cmdbuf(h, &o, VK_COMMAND_BUFFER_LEVEL_PRIMARY));
}

static void
other_device_secondary(struct pv_hostile *h)
{
   static struct other_device o;
   other_device(h, &o);
   VkCommandBuffer second = other_cmdbuf(h, &o, VK_COMMAND_BUFFER_LEVEL_SECONDARY);
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(second));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdExecuteCommands(cmd, 1, &second);
   pv_hostile_submit(h, cmd);
}

static void
other_device_fence(struct pv_hostile *h)
{
   static struct other_device o;
   other_device(h, &o);
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateFence(o.device, &fci, NULL, &fence));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(cmd));
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   PV_HOSTILE_NOTE(h, vkQueueSubmit(h->c.queue, 1, &si, fence));
   PV_HOSTILE_NOTE(h, vkWaitForFences(o.device, 1, &fence, VK_TRUE, 3000000000ull));
   pv_hostile_sync(h);
}

/* A secondary command buffer reset while the primary that executes it is still pending
 * (VUID-vkResetCommandBuffer-commandBuffer-00045): the host driver runs the secondary's commands
 * when it reaches the primary's vkCmdExecuteCommands, so a reset that reaches it first frees
 * what its queue thread is about to read (lavapipe keeps a secondary's commands in a list the
 * reset frees). The renderer must wait for the primary's submission first: then the copy in the
 * secondary has run and the destination holds the source's bytes. */
static void
reset_pending_secondary(struct pv_hostile *h)
{
   static struct pv_buffer src, dst;
   pv_hostile_buffer(h, &src, SZ, 0, 0x44);
   pv_hostile_buffer(h, &dst, SZ, 0, PV_HOSTILE_CANARY);
   h->copy_dst = &dst;
   h->copied = 0x44;
   VkCommandBuffer second = VK_NULL_HANDLE;
   secondary_begin(h, &second);
   const VkBufferCopy r = {0, 0, SZ};
   vkCmdCopyBuffer(second, src.buffer, dst.buffer, 1, &r);
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(second));
   /* the primary keeps the queue busy before it reaches the secondary */
   VkCommandBuffer cmd = busy_begin(h);
   vkCmdExecuteCommands(cmd, 1, &second);
   submit_pending(h, cmd);
   PV_HOSTILE_NOTE(h, vkResetCommandBuffer(second, 0));
   pv_hostile_check_canaries(h, "after the reset");
   pv_hostile_sync(h);
}

/* ----- liveness marks (src/vk/lifetime.c): what a submission no longer walks ---------------- */

/* A compute kernel with a set reading `src` into the canary `dst`, and `stale`, a source
 * destroyed (with its memory) before the case goes on: whatever a set names of it afterwards
 * is a dead descriptor. */
struct stale_kit {
   struct pv_compute k;
   struct pv_buffer src, stale, dst;
   VkDescriptorSet good, dead;
};

static void
stale_kit_init(struct pv_hostile *h, struct stale_kit *s)
{
   pv_hostile_compute_init(h, &s->k, 2);
   pv_hostile_buffer(h, &s->src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x33);
   pv_hostile_buffer(h, &s->stale, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x44);
   pv_hostile_canary(h, &s->dst, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   s->good = pv_hostile_compute_set(h, &s->k, (VkDescriptorBufferInfo){s->src.buffer, 0, SZ},
                                    (VkDescriptorBufferInfo){s->dst.buffer, 0, SZ});
   s->dead = pv_hostile_compute_set(h, &s->k, (VkDescriptorBufferInfo){s->stale.buffer, 0, SZ},
                                    (VkDescriptorBufferInfo){s->dst.buffer, 0, SZ});
   vkUnmapMemory(h->c.device, s->stale.memory);
   vkDestroyBuffer(h->c.device, s->stale.buffer, NULL);
   vkFreeMemory(h->c.device, s->stale.memory, NULL);
}

/* Descriptor 0 of `dead` (the destroyed buffer) copied into `to`. */
static void
copy_dead_descriptor(struct pv_hostile *h, const struct stale_kit *s, VkDescriptorSet to)
{
   const VkCopyDescriptorSet cp = {
      .sType = VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET,
      .srcSet = s->dead,
      .dstSet = to,
      .descriptorCount = 1,
   };
   vkUpdateDescriptorSets(h->c.device, 0, NULL, 1, &cp);
}

/* Recorded through a set, then the set's source destroyed: the submission must be refused. */
static void
set_after_destroy(struct pv_hostile *h)
{
   static struct pv_compute k;
   static struct pv_buffer src, dst;
   pv_hostile_compute_init(h, &k, 1);
   pv_hostile_buffer(h, &src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x44);
   pv_hostile_canary(h, &dst, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   VkDescriptorSet set = pv_hostile_compute_set(h, &k, (VkDescriptorBufferInfo){src.buffer, 0, SZ},
                                                (VkDescriptorBufferInfo){dst.buffer, 0, SZ});
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_compute_dispatch(cmd, &k, set, (uint32_t)(SZ / 4), 1, 0);
   vkUnmapMemory(h->c.device, src.memory);
   vkDestroyBuffer(h->c.device, src.buffer, NULL);
   vkFreeMemory(h->c.device, src.memory, NULL);
   pv_hostile_submit(h, cmd);
}

/* submit_fenced, then the canaries. */
static void
submit_ended(struct pv_hostile *h, VkCommandBuffer cmd)
{
   submit_fenced(h, cmd);
   pv_hostile_check_canaries(h, "after the submission");
   pv_hostile_sync(h);
}

/* A set bound while all it named was alive, then given a dead descriptor (a copy of one naming
 * the destroyed buffer; nothing is destroyed in between): the submission must be refused. The
 * guest driver sends a command buffer's commands at vkEndCommandBuffer, so the copy comes after
 * the end to reach the renderer after the bind. */
static void
set_copy_stale(struct pv_hostile *h)
{
   static struct stale_kit s;
   stale_kit_init(h, &s);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_compute_dispatch(cmd, &s.k, s.good, (uint32_t)(SZ / 4), 1, 0);
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(cmd));
   copy_dead_descriptor(h, &s, s.good);
   submit_ended(h, cmd);
}

/* A primary recorded (and ended) to execute a secondary that named nothing; the secondary then
 * recorded again through a set with a dead descriptor: the primary must be refused. */
static void
secondary_rerecorded(struct pv_hostile *h)
{
   static struct stale_kit s;
   stale_kit_init(h, &s);
   copy_dead_descriptor(h, &s, s.good);
   VkCommandBuffer second = VK_NULL_HANDLE;
   secondary_begin(h, &second);
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(second));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdExecuteCommands(cmd, 1, &second);
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(cmd));
   secondary_begin(h, &second);
   pv_compute_dispatch(second, &s.k, s.good, (uint32_t)(SZ / 4), 1, 0);
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(second));
   submit_ended(h, cmd);
}

/* The pending command buffer itself reset by its pool, or freed: the host must not free its
 * commands before they ran (the renderer waits for the submission; then the copy has run). */
static void
pending_cmdbuf_case(struct pv_hostile *h, bool free_it)
{
   static struct pv_buffer src, dst;
   VkCommandBuffer cmd = busy_copy(h, &src, &dst);
   submit_pending(h, cmd);
   if (free_it)
      vkFreeCommandBuffers(h->c.device, h->c.pool, 1, &cmd);
   else
      PV_HOSTILE_NOTE(h, vkResetCommandPool(h->c.device, h->c.pool, 0));
   pv_hostile_check_canaries(h, free_it ? "after the free" : "after the pool reset");
   pv_hostile_sync(h);
}

/* A dispatch through a set, behind work that keeps the queue busy, and the set's descriptor pool
 * reset while it is pending: the host must not free the set (lavapipe reads its descriptors when
 * the dispatch runs); the renderer waits for the submissions that used the pool, then the
 * dispatch has written the source's word into the one-word destination. */
static void
reset_pending_descriptor_pool(struct pv_hostile *h)
{
   static struct pv_compute k;
   static struct pv_buffer src, dst;
   pv_hostile_compute_init(h, &k, 1);
   pv_hostile_buffer(h, &src, 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x44);
   pv_hostile_buffer(h, &dst, 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, PV_HOSTILE_CANARY);
   h->copy_dst = &dst;
   h->copied = 0x44; /* dst[0] = src[0] * 1 + 0 + 0 */
   VkDescriptorSet set = pv_hostile_compute_set(h, &k, (VkDescriptorBufferInfo){src.buffer, 0, 4},
                                                (VkDescriptorBufferInfo){dst.buffer, 0, 4});
   VkCommandBuffer cmd = busy_begin(h);
   pv_compute_dispatch(cmd, &k, set, 1, 1, 0);
   submit_pending(h, cmd);
   PV_HOSTILE_NOTE(h, vkResetDescriptorPool(h->c.device, k.pool, 0));
   pv_hostile_check_canaries(h, "after the pool reset");
   pv_hostile_sync(h);
}

static void
reset_pending_pool(struct pv_hostile *h)
{
   pending_cmdbuf_case(h, false);
}

static void
free_pending_cmdbuf(struct pv_hostile *h)
{
   pending_cmdbuf_case(h, true);
}

/* A pipeline without tessellation stages that draws patches (Vulkan rules it out; the guest
 * drivers pass it on): lavapipe's patch size is 0 then, and its draw divides by it, a SIGFPE
 * that in a `--threads` server ended every guest's process. */
static void
patch_list_no_tess(struct pv_hostile *h)
{
   static struct pv_hostile_gfx g;
   static struct pv_buffer vb;
   pv_hostile_gfx_init_topology(h, &g, VK_PRIMITIVE_TOPOLOGY_PATCH_LIST);
   pv_hostile_buffer(h, &vb, SZ, PV_HOSTILE_ALL_BUF, 0);
   pv_hostile_put_triangle(&vb, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_gfx_begin(cmd, &g);
   const VkDeviceSize zero = 0;
   vkCmdBindVertexBuffers(cmd, 0, 1, &vb.buffer, &zero);
   vkCmdDraw(cmd, 3, 1, 0, 0);
   vkCmdEndRenderPass(cmd);
   pv_hostile_submit(h, cmd);
}

#define D(str, fn, what) {str, what, fn, false}
const struct pv_hostile_case pv_hostile_cases[] = {
   {"valid", "legal work at the edges", pv_hostile_valid, true},
   D("copy-src-offset", copy_src_offset, "vkCmdCopyBuffer srcOffset = buffer size"),
   D("copy-dst-offset", copy_dst_offset, "vkCmdCopyBuffer dstOffset = buffer size"),
   D("copy-size", copy_size, "vkCmdCopyBuffer size twice the source"),
   D("copy-wrap", copy_wrap, "vkCmdCopyBuffer srcOffset + size wrapping 2^64"),
   D("fill-offset", fill_offset, "vkCmdFillBuffer dstOffset = buffer size"),
   D("fill-late-pool", fill_late_pool,
     "vkCmdFillBuffer dstOffset = buffer size, before any small host-visible allocation"),
   D("fill-size", fill_size, "vkCmdFillBuffer size 4x the buffer"),
   D("fill-wrap", fill_wrap, "vkCmdFillBuffer dstOffset + size wrapping 2^64"),
   D("update-offset", update_offset, "vkCmdUpdateBuffer dstOffset = buffer size"),
   D("buf2img-offset", buf2img_offset, "vkCmdCopyBufferToImage bufferOffset = buffer size"),
   D("buf2img-rowlength", buf2img_rowlength, "vkCmdCopyBufferToImage bufferRowLength 2^20"),
   D("buf2img-extent", buf2img_extent, "vkCmdCopyBufferToImage imageExtent 2x the image"),
   D("buf2img-mip", buf2img_mip, "vkCmdCopyBufferToImage mipLevel 7 of 1"),
   D("buf2img-layer", buf2img_layer, "vkCmdCopyBufferToImage baseArrayLayer 4 of 1"),
   D("img2buf-offset", img2buf_offset, "vkCmdCopyImageToBuffer bufferOffset = buffer size"),
   D("img2buf-extent", img2buf_extent, "vkCmdCopyImageToBuffer imageExtent 2x the image"),
   D("blit-mip", blit_mip, "vkCmdBlitImage srcSubresource mip 5 of 1"),
   D("blit-layer", blit_layer, "vkCmdBlitImage dstSubresource layer 3 of 1"),
   D("blit-offset", blit_offset, "vkCmdBlitImage dstOffsets 16x the image"),
   D("resolve-layer", resolve_layer, "vkCmdResolveImage dstSubresource layer 3 of 1"),
   D("resolve-z", pv_hostile_resolve_z,
     "vkCmdResolveImage of 2D images at offset z 1, extent depth 0"),
   D("clear-color-compressed", pv_hostile_clear_color_compressed,
     "vkCmdClearColorImage of a BC1 image"),
   D("clear-color-depth", pv_hostile_clear_color_depth, "vkCmdClearColorImage of a D16 image"),
   D("clear-depth-compressed", pv_hostile_clear_depth_compressed,
     "vkCmdClearDepthStencilImage of a BC1 image"),
   D("copy-depth-to-color", pv_hostile_copy_depth_to_color,
     "vkCmdCopyImage of a D32_SFLOAT_S8_UINT depth aspect into an R8 image"),
   D("query-statistics-bits", pv_hostile_query_statistics_bits,
     "vkCreateQueryPool of pipeline statistics 0xfffff800"),
   D("bind-set-other-layout", pv_hostile_bind_set_other_layout,
     "vkCmdBindDescriptorSets of a set of 32 storage buffers at set 1, whose layout is empty"),
   D("view-compressed-of-plain", pv_hostile_view_compressed_of_plain,
     "vkCreateImageView of ETC2_R8G8B8 on a mutable R32G32_UINT image"),
   D("framebuffer-view-format", pv_hostile_framebuffer_view_format,
     "vkCreateFramebuffer of a D32_SFLOAT view for an RGBA8 color attachment"),
   D("pipeline-samples", pv_hostile_pipeline_samples,
     "vkCreateGraphicsPipelines of rasterizationSamples 64"),
   D("viewport-limit", pv_hostile_viewport_limit, "vkCmdSetViewport 10^9 pixels wide"),
   D("push-across-stages", pv_hostile_push_across_stages,
     "vkCmdPushDescriptorSetKHR of 31 uniform buffers from a compute binding of 1 into vertex "
     "and fragment bindings"),
   D("push-plain-layout", pv_hostile_push_plain_layout,
     "vkCmdPushDescriptorSetKHR of a dynamic storage buffer into a set layout without "
     "PUSH_DESCRIPTOR"),
   D("setter-without-feature", pv_hostile_setter_without_feature,
     "vkCmdSetColorBlendAdvancedEXT (25.0.7 guest) or vkCmdSetLogicOpEXT (22.3.6) on a device "
     "without the feature"),
   D("render-pass-layout", pv_hostile_render_pass_layout,
     "vkCreateRenderPass of finalLayout RENDERING_LOCAL_READ_KHR without its extension"),
   D("mutable-unlisted", pv_hostile_mutable_unlisted,
     "vkUpdateDescriptorSets of a uniform buffer into a MUTABLE binding listing storage buffers "
     "(where mutable descriptors are withheld: the MUTABLE layout)"),
   D("copy-image-layers", copy_image_layers, "vkCmdCopyImage of 6 layers into an image of 1"),
   D("image-cube-nonsquare", image_cube_nonsquare,
     "vkCreateImage CUBE_COMPATIBLE of 256x1 texels, 6 layers"),
   D("image-drm-mips", image_drm_mips,
     "vkCreateImage of DRM format modifier tiling without the extension: 1D, 2^31 wide, 32 mips"),
   D("patch-list-no-tess", patch_list_no_tess,
     "a draw of patches by a pipeline without tessellation stages"),
   D("subresource-layout-mip", subresource_layout_mip, "vkGetImageSubresourceLayout mip 7 of 1"),
   D("device-image-mips", device_image_mips,
     "vkGetDeviceImageMemoryRequirements of an image of 0 mips"),
   D("clear-mip", clear_mip, "vkCmdClearColorImage baseMipLevel 9 of 1"),
   D("clear-layer", clear_layer, "vkCmdClearColorImage baseArrayLayer 5 of 1"),
   D("bind-buffer-offset", bind_buffer_offset, "vkBindBufferMemory memoryOffset 8x the memory"),
   D("bind-buffer-size", bind_buffer_size, "vkBindBufferMemory: the buffer does not fit"),
   D("bind-image-offset", bind_image_offset, "vkBindImageMemory memoryOffset = memory size"),
   D("unbound-use", unbound_use, "a buffer never bound, copied from and filled"),
   {"query-reset-host", "vkResetQueryPool 1000 queries of 4", query_reset_host, true},
   D("query-results", query_results, "vkGetQueryPoolResults 1000 queries of 4"),
   D("query-cmd-reset", query_cmd_reset, "vkCmdResetQueryPool 1000 queries of 4"),
   D("query-copy-range", query_copy_range, "vkCmdCopyQueryPoolResults 1000 queries of 4"),
   D("query-copy-dst", query_copy_dst, "vkCmdCopyQueryPoolResults dstOffset = buffer size"),
   D("query-end-unbegun", pv_hostile_query_end_unbegun, "vkCmdEndQuery of a query not begun"),
   D("query-reset-active", pv_hostile_query_reset_active,
     "vkCmdResetQueryPool over an active occlusion query"),
   D("query-left-active", pv_hostile_query_left_active,
     "vkEndCommandBuffer with an occlusion query active, then its pool destroyed"),
   D("query-timestamp-statistics", pv_hostile_query_timestamp_statistics,
     "vkCmdWriteTimestamp into a pipeline statistics pool, then its results read"),
   D("descriptor-range", descriptor_range, "storage descriptor range 4x the buffer"),
   D("descriptor-offset", descriptor_offset, "storage descriptor offset 4x the buffer"),
   D("dispatch-indirect", dispatch_indirect, "vkCmdDispatchIndirect offset = buffer size"),
   D("draw-indirect", draw_indirect, "vkCmdDrawIndirect offset = buffer size"),
   D("vertex-offset", vertex_offset, "vkCmdBindVertexBuffers offset = buffer size"),
   D("index-offset", index_offset, "vkCmdBindIndexBuffer offset = buffer size"),
   D("index-type-none", index_type_none, "vkCmdBindIndexBuffer of VK_INDEX_TYPE_NONE_KHR"),
   D("inline-uniform-rows", pv_hostile_inline_uniform_rows,
     "a compute pipeline whose condition reads 5 offsets of its 4th uniform buffer, then push "
     "constants of 0x41"),
   D("shared-size", pv_hostile_shared_size,
     "a compute pipeline of a shared array specialized to 0x40000001 elements (4 GiB + 4 bytes)"),
   D("private-size", pv_hostile_private_size,
     "a compute pipeline of a Function array specialized to 0xFFFFFFFF elements"),
   D("descriptor-limit", pv_hostile_descriptor_limit,
     "a VK_WHOLE_SIZE storage descriptor one page past maxStorageBufferRange"),
   D("texel-view-limit", pv_hostile_texel_view_limit,
     "vkCreateBufferView of maxTexelBufferElements + 1 texels"),
   D("spec-divide", pv_hostile_spec_divide,
     "a compute pipeline whose specialization constant INT_MIN is divided by -1"),
   D("border-custom-no-info", border_custom_no_info,
     "vkCreateSampler of a custom border color without its create info"),
   D("image-mips", image_mips, "vkCreateImage 64x64 with 20 mip levels"),
   D("image-layers", image_layers, "vkCreateImage with 65536 array layers"),
   D("image-extent", image_extent, "vkCreateImage 2^20 texels wide"),
   D("image-extent-zero", image_extent_zero, "vkCreateImage 0x0"),
   D("image-format", image_format, "vkCreateImage with format 999"),
   D("destroy-pending-buffer", destroy_pending_buffer,
     "vkDestroyBuffer + vkFreeMemory while a submission reads the buffer"),
   D("destroy-pending-buffer-only", destroy_pending_buffer_only,
     "vkDestroyBuffer alone while a submission reads the buffer"),
   D("reset-pending-descriptor-pool", reset_pending_descriptor_pool,
     "vkResetDescriptorPool while a dispatch through a set of the pool runs"),
   D("destroy-many-pending", destroy_many_pending,
     "1,500 buffers created and destroyed while a submission runs"),
   D("free-pending-memory", free_pending_memory,
     "vkFreeMemory while a submission reads a buffer bound to it"),
   D("destroy-pending-query-pool", destroy_pending_query_pool,
     "vkDestroyQueryPool while a submission writes and copies its timestamp"),
   {"reset-pending-query-pool",
    "host vkResetQueryPool while a submission writes and copies its timestamp",
    reset_pending_query_pool, true},
   D("submit-after-destroy", submit_after_destroy,
     "a command buffer submitted after a buffer it recorded was destroyed"),
   D("other-device-cmdbuf", other_device_cmdbuf,
     "a command buffer of a second device submitted on the first device's queue"),
   D("other-device-secondary", other_device_secondary,
     "vkCmdExecuteCommands of a secondary of a second device"),
   D("other-device-fence", other_device_fence,
     "a submission on the first device's queue signalling a second device's fence"),
   D("reset-pending-secondary", reset_pending_secondary,
     "vkResetCommandBuffer of a secondary while its primary's submission runs"),
   D("reset-pending-pool", reset_pending_pool,
     "vkResetCommandPool while a command buffer of the pool runs"),
   D("free-pending-cmdbuf", free_pending_cmdbuf,
     "vkFreeCommandBuffers of a command buffer while it runs"),
   D("set-after-destroy", set_after_destroy,
     "a command buffer submitted after the buffer its descriptor set names was destroyed"),
   D("set-copy-stale", set_copy_stale,
     "a bound set given a copy of a descriptor naming a destroyed buffer, then submitted"),
   D("secondary-rerecorded", secondary_rerecorded,
     "a secondary recorded again through a set with a dead descriptor after its primary"),
   D("scope-draw-no-pipeline", pv_hostile_draw_no_pipeline,
     "vkCmdDraw in a render pass with no pipeline bound"),
   D("scope-dispatch-no-pipeline", pv_hostile_dispatch_no_pipeline,
     "vkCmdDispatch with no pipeline bound"),
   D("scope-draw-outside-pass", pv_hostile_draw_outside_pass, "vkCmdDraw outside a render pass"),
   D("scope-end-inside-pass", pv_hostile_end_inside_pass,
     "vkEndCommandBuffer inside a render pass"),
   D("pass-render-area", pv_hostile_render_area,
     "vkCmdBeginRenderPass with a render area 16x the framebuffer's size"),
   D("pass-clear-rect", pv_hostile_clear_rect,
     "vkCmdClearAttachments 8192 texels right of a 16x16 attachment"),
   D("pass-clear-color", pv_hostile_clear_color,
     "vkCmdClearAttachments of color attachment 7 of 1"),
   D("pass-clear-layers", pv_hostile_clear_layers,
     "vkCmdClearAttachments of 64 layers of a 1-layer framebuffer"),
   D("secondary-clear-color", pv_hostile_secondary_clear_color,
     "a primary executing a secondary recorded again since to clear color attachment 7 of 1"),
   D("dynamic-offset-rewritten", pv_hostile_dynamic_offset_rewritten,
     "a set bound with a dynamic offset of 512 KiB, then its descriptor rewritten to a 4 KiB "
     "buffer"),
   D("limit-scissor", pv_hostile_limit_scissor, "vkCmdSetScissor of scissor 40 of 16"),
   D("limit-vertex-binding", pv_hostile_limit_vertex_binding,
     "vkCmdBindVertexBuffers at binding 4000 of 32"),
   D("cond-offset", pv_hostile_cond_offset,
     "vkCmdBeginConditionalRenderingEXT offset = buffer size"),
   D("cond-unended", pv_hostile_cond_unended,
     "vkEndCommandBuffer with conditional rendering still active"),
   D("vertex-unbound", pv_hostile_vertex_unbound,
     "a draw fetching from a vertex binding its command buffer never bound, after another "
     "command buffer drew from a buffer since freed"),
   D("shader-binding-missing", pv_hostile_shader_binding_missing,
     "a compute pipeline whose shader uses set 0 binding 1, absent from the layout"),
   D("shader-binding-type", pv_hostile_shader_binding_type,
     "a compute pipeline whose storage buffer is a combined image sampler in the layout"),
   D("shader-push-range", pv_hostile_shader_push_range,
     "a compute pipeline whose shader reads 12 bytes of push constants, the layout has 4"),
   D("shader-invalid", pv_hostile_shader_invalid,
     "vkCreateShaderModule with an OpIAdd whose result type is void"),
   D("raw-device-address", pv_hostile_raw_device_address,
     "vkCreateShaderModule of a shader storing through a device address (a host pointer on "
     "a CPU device)"),
   D("descriptor-unwritten", pv_hostile_descriptor_unwritten,
     "a dispatch whose set never had its destination storage buffer written"),
   D("descriptor-copy-unwritten", pv_hostile_descriptor_copy_unwritten,
     "vkUpdateDescriptorSets copies a never-written descriptor over a written one"),
   D("null-barrier-buffer", pv_hostile_null_barrier_buffer,
     "vkCmdPipelineBarrier with a buffer barrier on VK_NULL_HANDLE"),
   D("enum-border-color", pv_hostile_enum_border_color,
     "vkCreateSampler borderColor 65536 (no VkBorderColor)"),
   D("descriptor-count", pv_hostile_descriptor_count,
     "vkCreateDescriptorSetLayout binding of 2^31-1 storage buffers"),
   D("stage-storage-buffers", pv_hostile_stage_storage_buffers,
     "vkCreatePipelineLayout giving compute maxPerStageDescriptorStorageBuffers + 1"),
   D("descriptor-pool-size", pv_hostile_descriptor_pool_size,
     "vkCreateDescriptorPool with room for 2^32-1 storage buffers in one set"),
};
const unsigned pv_hostile_case_count = PV_ARRAY_SIZE(pv_hostile_cases);
