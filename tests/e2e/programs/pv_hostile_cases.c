/* SPDX-License-Identifier: MIT */
/*
 * The pv-hostile cases (pv_hostile.h): one function per class of hostile values from issue 12,
 * each a legal set-up followed by one hostile command and a submission, plus `valid`, the same
 * kinds of commands at the exact edges, which must succeed with the right bytes.
 *
 * Objects are static or leaked on purpose: each case runs in its own process, and after a
 * hostile command the guest may no longer be able to destroy anything.
 */
#include "pv_hostile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute_comp_spv.h"
#include "hostile_frag_spv.h"
#include "hostile_vert_spv.h"

#define SZ PV_HOSTILE_SIZE
#define IMG 64u /* 64x64 RGBA8: 16 KiB */
#define FB 16u  /* graphics target 16x16 */

static const VkBufferUsageFlags ALL_BUF =
   VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |
   VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_INDEX_BUFFER_BIT;

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

static VkBuffer
unbound_buffer(struct pv_hostile *h, VkDeviceSize size)
{
   const VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = size,
      .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
   };
   VkBuffer b;
   PV_CHECK(vkCreateBuffer(h->c.device, &bci, NULL, &b));
   return b;
}

/* Mesa 22.3.6 suballocates host-visible allocations of up to 64 KiB from 16 MiB blocks (and
 * moves the bind offset with them), so the memory here is bigger: the host sees the guest's
 * own allocation and offset. */
static void
bind_buffer_case(struct pv_hostile *h, VkDeviceSize mem_size, VkDeviceSize buf_size,
                 VkDeviceSize offset)
{
   pv_hostile_neighbours(h);
   VkBuffer b = unbound_buffer(h, buf_size);
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
   VkBuffer b = unbound_buffer(h, SZ);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkBufferCopy r = {0, 0, SZ};
   vkCmdCopyBuffer(cmd, b, src.buffer, 1, &r); /* reads "memory" that was never bound */
   vkCmdFillBuffer(cmd, b, 0, VK_WHOLE_SIZE, 0x66666666u);
   pv_hostile_submit(h, cmd);
}

/* ----- queries ------------------------------------------------------------------------------ */

#define QUERIES 4u
#define QUERY_PAST 1000u /* queries asked for past the first ones */

static VkQueryPool
query_pool(struct pv_hostile *h)
{
   const VkQueryPoolCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = VK_QUERY_TYPE_TIMESTAMP,
      .queryCount = QUERIES,
   };
   VkQueryPool pool;
   PV_CHECK(vkCreateQueryPool(h->c.device, &qci, NULL, &pool));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdResetQueryPool(cmd, pool, 0, QUERIES);
   for (uint32_t i = 0; i < QUERIES; i++)
      vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, i);
   pv_cmd_submit_wait(&h->c, cmd);
   return pool;
}

static void
query_reset_host(struct pv_hostile *h)
{
   VkQueryPool pool = query_pool(h);
   vkResetQueryPool(h->c.device, pool, 2, QUERY_PAST);
   pv_hostile_sync(h);
}

static void
query_results(struct pv_hostile *h)
{
   VkQueryPool pool = query_pool(h);
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
   VkQueryPool pool = query_pool(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdResetQueryPool(cmd, pool, 2, QUERY_PAST);
   pv_hostile_submit(h, cmd);
}

static void
query_copy_case(struct pv_hostile *h, uint32_t first, uint32_t count, VkDeviceSize offset)
{
   static struct pv_buffer dst;
   VkQueryPool pool = query_pool(h);
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
   query_copy_case(h, 0, QUERIES, SZ);
}

/* ----- descriptors and indirect ------------------------------------------------------------- */

/* A storage-buffer set for compute.comp written with the two infos as given. */
static VkDescriptorSet
compute_set(struct pv_hostile *h, struct pv_compute *k, VkDescriptorBufferInfo src,
            VkDescriptorBufferInfo dst)
{
   const VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = k->pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &k->set_layout,
   };
   VkDescriptorSet set;
   PV_CHECK(vkAllocateDescriptorSets(h->c.device, &ai, &set));
   const VkDescriptorBufferInfo infos[2] = {src, dst};
   VkWriteDescriptorSet w[2];
   for (uint32_t i = 0; i < 2; i++) {
      w[i] = (VkWriteDescriptorSet){
         .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
         .dstSet = set,
         .dstBinding = i,
         .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
         .pBufferInfo = &infos[i],
      };
   }
   vkUpdateDescriptorSets(h->c.device, 2, w, 0, NULL);
   return set;
}

static void
descriptor_case(struct pv_hostile *h, VkDeviceSize src_offset, VkDeviceSize range)
{
   static struct pv_buffer src, dst;
   static struct pv_compute k;
   pv_compute_init(&h->c, &k, pv_compute_comp_spv, sizeof(pv_compute_comp_spv), 2);
   pv_hostile_secret(h);
   pv_hostile_buffer(h, &src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x01);
   pv_hostile_secret(h);
   pv_hostile_canary(h, &dst, 4 * SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   pv_hostile_neighbours(h);
   VkDescriptorSet set = compute_set(h, &k, (VkDescriptorBufferInfo){src.buffer, src_offset, range},
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
   pv_compute_init(&h->c, &k, pv_compute_comp_spv, sizeof(pv_compute_comp_spv), 1);
   pv_hostile_buffer(h, &src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x01);
   pv_hostile_canary(h, &dst, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   pv_hostile_buffer(h, &ind, SZ, VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT, 0);
   VkDescriptorSet set = compute_set(h, &k, (VkDescriptorBufferInfo){src.buffer, 0, SZ},
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

struct gfx {
   VkRenderPass rp;
   VkFramebuffer fb;
   VkPipeline pipe;
   VkImage target;
};

static VkPipeline
gfx_pipeline(struct pv_hostile *h, VkRenderPass rp)
{
   VkShaderModule vs = pv_shader_module(&h->c, pv_hostile_vert_spv, sizeof(pv_hostile_vert_spv));
   VkShaderModule fs = pv_shader_module(&h->c, pv_hostile_frag_spv, sizeof(pv_hostile_frag_spv));
   const VkPipelineShaderStageCreateInfo stages[2] = {
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_VERTEX_BIT,
       vs, "main", NULL},
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0,
       VK_SHADER_STAGE_FRAGMENT_BIT, fs, "main", NULL},
   };
   const VkVertexInputBindingDescription binding = {0, 16, VK_VERTEX_INPUT_RATE_VERTEX};
   const VkVertexInputAttributeDescription attr = {0, 0, VK_FORMAT_R32G32B32A32_SFLOAT, 0};
   const VkPipelineVertexInputStateCreateInfo vi = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
      .vertexBindingDescriptionCount = 1,
      .pVertexBindingDescriptions = &binding,
      .vertexAttributeDescriptionCount = 1,
      .pVertexAttributeDescriptions = &attr,
   };
   const VkPipelineInputAssemblyStateCreateInfo ia = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
      .topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
   };
   const VkViewport viewport = {0, 0, FB, FB, 0, 1};
   const VkRect2D scissor = {{0, 0}, {FB, FB}};
   const VkPipelineViewportStateCreateInfo vp = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
      .viewportCount = 1,
      .pViewports = &viewport,
      .scissorCount = 1,
      .pScissors = &scissor,
   };
   const VkPipelineRasterizationStateCreateInfo rs = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
      .polygonMode = VK_POLYGON_MODE_FILL,
      .cullMode = VK_CULL_MODE_NONE,
      .lineWidth = 1.0f,
   };
   const VkPipelineMultisampleStateCreateInfo ms = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
      .rasterizationSamples = VK_SAMPLE_COUNT_1_BIT,
   };
   const VkPipelineColorBlendAttachmentState cba = {.colorWriteMask = 0xf};
   const VkPipelineColorBlendStateCreateInfo cb = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &cba,
   };
   const VkPipelineLayoutCreateInfo plci = {.sType =
                                               VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
   VkPipelineLayout layout;
   PV_CHECK(vkCreatePipelineLayout(h->c.device, &plci, NULL, &layout));
   const VkGraphicsPipelineCreateInfo gci = {
      .sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
      .stageCount = 2,
      .pStages = stages,
      .pVertexInputState = &vi,
      .pInputAssemblyState = &ia,
      .pViewportState = &vp,
      .pRasterizationState = &rs,
      .pMultisampleState = &ms,
      .pColorBlendState = &cb,
      .layout = layout,
      .renderPass = rp,
   };
   VkPipeline p;
   PV_CHECK(vkCreateGraphicsPipelines(h->c.device, VK_NULL_HANDLE, 1, &gci, NULL, &p));
   return p;
}

static void
gfx_init(struct pv_hostile *h, struct gfx *g)
{
   const VkAttachmentDescription att = {
      0, VK_FORMAT_R8G8B8A8_UNORM, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR,
      VK_ATTACHMENT_STORE_OP_STORE, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
      VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
      VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL};
   const VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   const VkSubpassDescription sub = {
      .pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
      .colorAttachmentCount = 1,
      .pColorAttachments = &ref,
   };
   const VkSubpassDependency deps[2] = {
      {VK_SUBPASS_EXTERNAL, 0, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
       VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
       VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0},
      {0, VK_SUBPASS_EXTERNAL, VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT,
       VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
       VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0},
   };
   const VkRenderPassCreateInfo rpci = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &att,
      .subpassCount = 1,
      .pSubpasses = &sub,
      .dependencyCount = 2,
      .pDependencies = deps,
   };
   PV_CHECK(vkCreateRenderPass(h->c.device, &rpci, NULL, &g->rp));
   VkDeviceMemory mem;
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .extent = {FB, FB, 1},
      .mipLevels = 1,
      .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
   };
   g->target = pv_image_create(&h->c, &ici, &mem);
   const VkImageViewCreateInfo vci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
      .image = g->target,
      .viewType = VK_IMAGE_VIEW_TYPE_2D,
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1},
   };
   VkImageView view;
   PV_CHECK(vkCreateImageView(h->c.device, &vci, NULL, &view));
   const VkFramebufferCreateInfo fci = {
      .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
      .renderPass = g->rp,
      .attachmentCount = 1,
      .pAttachments = &view,
      .width = FB,
      .height = FB,
      .layers = 1,
   };
   PV_CHECK(vkCreateFramebuffer(h->c.device, &fci, NULL, &g->fb));
   g->pipe = gfx_pipeline(h, g->rp);
}

static void
gfx_begin(VkCommandBuffer cmd, const struct gfx *g)
{
   const VkClearValue clear = {.color = {.float32 = {0, 0, 0, 0}}};
   const VkRenderPassBeginInfo rpbi = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
      .renderPass = g->rp,
      .framebuffer = g->fb,
      .renderArea = {{0, 0}, {FB, FB}},
      .clearValueCount = 1,
      .pClearValues = &clear,
   };
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, g->pipe);
}

/* One triangle covering the 16x16 target, as three vec4 at `at` in `b`. */
static void
put_triangle(struct pv_buffer *b, VkDeviceSize at)
{
   const float v[12] = {-1, -1, 0, 1, 3, -1, 0, 1, -1, 3, 0, 1};
   memcpy((uint8_t *)b->map + at, v, sizeof(v));
}

enum gfx_hostile { DRAW_INDIRECT, VERTEX_OFFSET, INDEX_OFFSET };

static void
gfx_case(struct pv_hostile *h, enum gfx_hostile what)
{
   static struct gfx g;
   static struct pv_buffer vb;
   gfx_init(h, &g);
   pv_hostile_buffer(h, &vb, SZ, ALL_BUF, 0);
   put_triangle(&vb, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   gfx_begin(cmd, &g);
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
static VkCommandBuffer
busy_copy(struct pv_hostile *h, struct pv_buffer *src, struct pv_buffer *dst)
{
   static struct pv_buffer work;
   pv_hostile_buffer(h, &work, (VkDeviceSize)16 << 20, 0, 0);
   pv_hostile_secret(h);
   pv_hostile_buffer(h, src, SZ, 0, 0x44);
   pv_hostile_secret(h);
   pv_hostile_buffer(h, dst, SZ, 0, PV_HOSTILE_CANARY);
   h->copy_dst = dst;
   h->copied = 0x44;
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   for (int i = 0; i < 64; i++)
      vkCmdFillBuffer(cmd, work.buffer, 0, VK_WHOLE_SIZE, (uint32_t)i);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
   const VkBufferCopy r = {0, 0, SZ};
   vkCmdCopyBuffer(cmd, src->buffer, dst->buffer, 1, &r);
   return cmd;
}

/* Destroying or freeing what pending work uses: the renderer may refuse (context lost) or keep
 * the objects alive until the work ends (then the copy reads the source's own bytes); it must
 * never let the host read freed memory. A submission after the destroy must be refused: the
 * command buffer names an object that is gone. */
enum lifetime { FREE_BUFFER_PENDING, FREE_MEMORY_PENDING, SUBMIT_AFTER_DESTROY };

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
   vkUnmapMemory(h->c.device, src.memory);
   if (what != FREE_MEMORY_PENDING)
      vkDestroyBuffer(h->c.device, src.buffer, NULL);
   vkFreeMemory(h->c.device, src.memory, NULL);
   if (what == SUBMIT_AFTER_DESTROY)
      PV_HOSTILE_NOTE(h, vkQueueSubmit(h->c.queue, 1, &si, VK_NULL_HANDLE));
   pv_hostile_sync(h);
}

static void
destroy_pending_buffer(struct pv_hostile *h)
{
   lifetime_case(h, FREE_BUFFER_PENDING);
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

/* ----- valid: the same kinds of commands at the exact edges --------------------------------- */

static void
expect_bytes(const struct pv_hostile *h, const char *what, const void *got, const void *want,
             size_t n)
{
   if (memcmp(got, want, n) != 0)
      pv_fail("%s: %s: wrong bytes (first got 0x%02x, want 0x%02x)", h->name, what,
              *(const uint8_t *)got, *(const uint8_t *)want);
}

static void
barrier(VkCommandBuffer cmd)
{
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                     VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                     VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
}

/* Buffers: exact-fit copy, fill to the end with VK_WHOLE_SIZE, update ending at the end, a
 * buffer bound so that it ends where its memory ends. */
static void
valid_buffers(struct pv_hostile *h)
{
   static struct pv_buffer src, dst, fill, upd;
   pv_hostile_buffer(h, &src, SZ, 0, 0x11);
   pv_hostile_buffer(h, &dst, SZ, 0, 0);
   pv_hostile_buffer(h, &fill, SZ, 0, 0);
   pv_hostile_buffer(h, &upd, SZ, 0, 0);
   VkBuffer tail = unbound_buffer(h, SZ);
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(h->c.device, tail, &req);
   const VkDeviceSize msize = SZ + req.size; /* SZ is a multiple of any real alignment */
   uint32_t type = pv_find_memory_type(&h->c, req.memoryTypeBits,
                                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                          VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   const VkMemoryAllocateInfo mai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                     .allocationSize = msize, .memoryTypeIndex = type};
   VkDeviceMemory mem;
   void *map;
   PV_CHECK(vkAllocateMemory(h->c.device, &mai, NULL, &mem));
   PV_CHECK(vkBindBufferMemory(h->c.device, tail, mem, msize - req.size));
   PV_CHECK(vkMapMemory(h->c.device, mem, 0, VK_WHOLE_SIZE, 0, &map));
   memset(map, 0, msize);
   static uint8_t data[16];
   memset(data, 0x3c, sizeof(data));

   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkBufferCopy r = {SZ - 4096, SZ - 4096, 4096};
   vkCmdCopyBuffer(cmd, src.buffer, dst.buffer, 1, &r);
   vkCmdFillBuffer(cmd, fill.buffer, SZ - 4, VK_WHOLE_SIZE, 0x5a5a5a5au);
   vkCmdUpdateBuffer(cmd, upd.buffer, SZ - sizeof(data), sizeof(data), data);
   vkCmdFillBuffer(cmd, tail, 0, VK_WHOLE_SIZE, 0x77777777u);
   barrier(cmd);
   pv_cmd_submit_wait(&h->c, cmd);

   static uint8_t want[4096];
   memset(want, 0x11, sizeof(want));
   expect_bytes(h, "exact-fit copy", (uint8_t *)dst.map + SZ - 4096, want, 4096);
   memset(want, 0, sizeof(want));
   expect_bytes(h, "before the exact-fit copy", dst.map, want, 4096);
   memset(want, 0x5a, 4);
   expect_bytes(h, "fill of the last dword", (uint8_t *)fill.map + SZ - 4, want, 4);
   expect_bytes(h, "update at the end", (uint8_t *)upd.map + SZ - sizeof(data), data,
                sizeof(data));
   memset(want, 0x77, sizeof(want));
   expect_bytes(h, "buffer bound at the end of its memory", (uint8_t *)map + msize - 4096, want,
                4096);
}

/* Images: the last mip of the last layer, written from and read to the end of buffers, clear
 * and blit of that subresource, a resolve into the last layer. */
static void
valid_images(struct pv_hostile *h)
{
   static struct pv_buffer src, dst;
   pv_hostile_buffer(h, &src, SZ, 0, 0);
   pv_hostile_buffer(h, &dst, SZ, 0, 0);
   const uint32_t mips = 7, layers = 4; /* 64x64 .. 1x1 */
   memset((uint8_t *)src.map + SZ - 4, 0xc3, 4);
   VkDeviceMemory m1, m2, m3, m4;
   VkImage img = pv_hostile_image(h, &m1, IMG, mips, layers, VK_SAMPLE_COUNT_1_BIT, 0);
   VkImage small = pv_hostile_image(h, &m2, 2, 1, 1, VK_SAMPLE_COUNT_1_BIT, 0);
   VkImage ms = pv_hostile_image(h, &m3, IMG, 1, 1, VK_SAMPLE_COUNT_4_BIT,
                                 VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT);
   VkImage rs = pv_hostile_image(h, &m4, IMG, 1, layers, VK_SAMPLE_COUNT_1_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkImageLayout dst_l = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
   const VkImageLayout src_l = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
   pv_hostile_to_layout(cmd, img, mips, layers, VK_IMAGE_LAYOUT_UNDEFINED, dst_l);
   pv_hostile_to_layout(cmd, small, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED, dst_l);
   pv_hostile_to_layout(cmd, ms, 1, 1, VK_IMAGE_LAYOUT_UNDEFINED, dst_l);
   pv_hostile_to_layout(cmd, rs, 1, layers, VK_IMAGE_LAYOUT_UNDEFINED, dst_l);
   const VkImageSubresourceRange last = {VK_IMAGE_ASPECT_COLOR_BIT, mips - 1, 1, layers - 1, 1};
   const VkClearColorValue color = {.uint32 = {0, 0, 0, 0}};
   vkCmdClearColorImage(cmd, img, dst_l, &color, 1, &last);
   vkCmdClearColorImage(cmd, ms, dst_l, &color, 1,
                        &(VkImageSubresourceRange){VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1});
   barrier(cmd);
   const VkBufferImageCopy in = {
      .bufferOffset = SZ - 4,
      .imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, mips - 1, layers - 1, 1},
      .imageExtent = {1, 1, 1},
   };
   vkCmdCopyBufferToImage(cmd, src.buffer, img, dst_l, 1, &in);
   pv_hostile_to_layout(cmd, img, mips, layers, dst_l, src_l);
   pv_hostile_to_layout(cmd, ms, 1, 1, dst_l, src_l);
   vkCmdCopyImageToBuffer(cmd, img, src_l, dst.buffer, 1, &in);
   const VkImageBlit blit = {
      .srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, mips - 1, layers - 1, 1},
      .srcOffsets = {{0, 0, 0}, {1, 1, 1}},
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .dstOffsets = {{1, 1, 0}, {2, 2, 1}},
   };
   vkCmdBlitImage(cmd, img, src_l, small, dst_l, 1, &blit, VK_FILTER_NEAREST);
   const VkImageResolve res = {
      .srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
      .dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, layers - 1, 1},
      .extent = {IMG, IMG, 1},
   };
   vkCmdResolveImage(cmd, ms, src_l, rs, dst_l, 1, &res);
   barrier(cmd);
   pv_cmd_submit_wait(&h->c, cmd);
   uint8_t want[4];
   memset(want, 0xc3, 4);
   expect_bytes(h, "last mip of the last layer, round trip", (uint8_t *)dst.map + SZ - 4, want,
                4);
}

/* Queries: the last query reset on the host, written, read back and copied to the buffer's
 * last 8 bytes. */
static void
valid_queries(struct pv_hostile *h)
{
   static struct pv_buffer dst;
   pv_hostile_buffer(h, &dst, SZ, 0, 0);
   VkQueryPool pool = query_pool(h);
   vkResetQueryPool(h->c.device, pool, QUERIES - 1, 1);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdResetQueryPool(cmd, pool, QUERIES - 1, 1);
   vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, QUERIES - 1);
   vkCmdCopyQueryPoolResults(cmd, pool, QUERIES - 1, 1, dst.buffer, SZ - 8, 8,
                             VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT);
   barrier(cmd);
   pv_cmd_submit_wait(&h->c, cmd);
   uint64_t v[QUERIES] = {0};
   PV_CHECK(vkGetQueryPoolResults(h->c.device, pool, 0, QUERIES, sizeof(v), v, sizeof(v[0]),
                                  VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
   uint64_t copied;
   memcpy(&copied, (uint8_t *)dst.map + SZ - 8, 8);
   if (copied != v[QUERIES - 1])
      pv_fail("%s: the last query copied %llu, read %llu", h->name, (unsigned long long)copied,
              (unsigned long long)v[QUERIES - 1]);
}

/* Compute: descriptors ending at the buffer's end (one VK_WHOLE_SIZE), an indirect dispatch
 * whose arguments are the buffer's last 12 bytes. */
static void
valid_compute(struct pv_hostile *h)
{
   static struct pv_buffer src, dst, ind;
   static struct pv_compute k;
   pv_compute_init(&h->c, &k, pv_compute_comp_spv, sizeof(pv_compute_comp_spv), 1);
   pv_hostile_buffer(h, &src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   pv_hostile_buffer(h, &dst, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   pv_hostile_buffer(h, &ind, SZ, VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT, 0);
   uint32_t *s = src.map;
   for (uint32_t i = 0; i < SZ / 4; i++)
      s[i] = i;
   const uint32_t groups[3] = {1, 1, 1};
   memcpy((uint8_t *)ind.map + SZ - sizeof(groups), groups, sizeof(groups));
   VkDescriptorSet set =
      compute_set(h, &k, (VkDescriptorBufferInfo){src.buffer, SZ / 2, VK_WHOLE_SIZE},
                  (VkDescriptorBufferInfo){dst.buffer, SZ / 2, SZ / 2});
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const uint32_t push[3] = {256, 1, 0}; /* one work group */
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.layout, 0, 1, &set, 0, NULL);
   vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
   vkCmdDispatchIndirect(cmd, ind.buffer, SZ - sizeof(groups));
   barrier(cmd);
   pv_cmd_submit_wait(&h->c, cmd);
   const uint32_t *d = (const uint32_t *)((uint8_t *)dst.map + SZ / 2);
   for (uint32_t i = 0; i < 256; i++) {
      uint32_t want = (uint32_t)(SZ / 8) + i + i;
      if (d[i] != want)
         pv_fail("%s: descriptor at the end: dst[%u] = %u, want %u", h->name, i, d[i], want);
   }
}

/* Graphics: vertices, indices and the indirect draw all at the end of one buffer; the triangle
 * covers the target, so its centre must be red. */
static void
valid_graphics(struct pv_hostile *h)
{
   static struct gfx g;
   static struct pv_buffer vb, ib, db, out;
   gfx_init(h, &g);
   pv_hostile_buffer(h, &vb, SZ, ALL_BUF, 0);
   pv_hostile_buffer(h, &ib, SZ, ALL_BUF, 0);
   pv_hostile_buffer(h, &db, SZ, ALL_BUF, 0);
   pv_hostile_buffer(h, &out, SZ, 0, 0);
   const uint32_t indices[3] = {0, 1, 2};
   const VkDrawIndirectCommand dc = {3, 1, 0, 0};
   const VkDeviceSize vtx = SZ - 48, idx = SZ - sizeof(indices), draw = SZ - sizeof(dc);
   put_triangle(&vb, vtx);
   memcpy((uint8_t *)ib.map + idx, indices, sizeof(indices));
   memcpy((uint8_t *)db.map + draw, &dc, sizeof(dc));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   gfx_begin(cmd, &g);
   vkCmdBindVertexBuffers(cmd, 0, 1, &vb.buffer, &vtx);
   vkCmdBindIndexBuffer(cmd, ib.buffer, idx, VK_INDEX_TYPE_UINT32);
   vkCmdDrawIndexed(cmd, 3, 1, 0, 0, 0);
   vkCmdDrawIndirect(cmd, db.buffer, draw, 1, sizeof(dc));
   vkCmdEndRenderPass(cmd);
   const VkBufferImageCopy r = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
                                .imageExtent = {FB, FB, 1}};
   vkCmdCopyImageToBuffer(cmd, g.target, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, out.buffer, 1, &r);
   barrier(cmd);
   pv_cmd_submit_wait(&h->c, cmd);
   const uint8_t red[4] = {255, 0, 0, 255};
   expect_bytes(h, "the triangle drawn from the buffer's end",
                (uint8_t *)out.map + (FB / 2 * FB + FB / 2) * 4, red, 4);
}

void
pv_hostile_valid(struct pv_hostile *h)
{
   valid_buffers(h);
   valid_images(h);
   valid_queries(h);
   valid_compute(h);
   valid_graphics(h);
   /* no pv_fini: the cases leave their objects to the process's end (the server frees what a
    * client leaves behind) */
   PV_CHECK(vkDeviceWaitIdle(h->c.device));
   pv_pass(&h->c, "valid: exact-fit copies, fills, updates, last mip/layer, last query, "
                  "descriptors, indirect, vertex and index data at the buffer ends");
}

#define D(str, fn, what) {str, what, fn, false}
const struct pv_hostile_case pv_hostile_cases[] = {
   {"valid", "legal work at the edges", pv_hostile_valid, true},
   D("copy-src-offset", copy_src_offset, "vkCmdCopyBuffer srcOffset = buffer size"),
   D("copy-dst-offset", copy_dst_offset, "vkCmdCopyBuffer dstOffset = buffer size"),
   D("copy-size", copy_size, "vkCmdCopyBuffer size twice the source"),
   D("copy-wrap", copy_wrap, "vkCmdCopyBuffer srcOffset + size wrapping 2^64"),
   D("fill-offset", fill_offset, "vkCmdFillBuffer dstOffset = buffer size"),
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
   D("descriptor-range", descriptor_range, "storage descriptor range 4x the buffer"),
   D("descriptor-offset", descriptor_offset, "storage descriptor offset 4x the buffer"),
   D("dispatch-indirect", dispatch_indirect, "vkCmdDispatchIndirect offset = buffer size"),
   D("draw-indirect", draw_indirect, "vkCmdDrawIndirect offset = buffer size"),
   D("vertex-offset", vertex_offset, "vkCmdBindVertexBuffers offset = buffer size"),
   D("index-offset", index_offset, "vkCmdBindIndexBuffer offset = buffer size"),
   D("image-mips", image_mips, "vkCreateImage 64x64 with 20 mip levels"),
   D("image-layers", image_layers, "vkCreateImage with 65536 array layers"),
   D("image-extent", image_extent, "vkCreateImage 2^20 texels wide"),
   D("image-extent-zero", image_extent_zero, "vkCreateImage 0x0"),
   D("image-format", image_format, "vkCreateImage with format 999"),
   D("destroy-pending-buffer", destroy_pending_buffer,
     "vkDestroyBuffer + vkFreeMemory while a submission reads the buffer"),
   D("free-pending-memory", free_pending_memory,
     "vkFreeMemory while a submission reads a buffer bound to it"),
   D("submit-after-destroy", submit_after_destroy,
     "a command buffer submitted after a buffer it recorded was destroyed"),
};
const unsigned pv_hostile_case_count = PV_ARRAY_SIZE(pv_hostile_cases);
