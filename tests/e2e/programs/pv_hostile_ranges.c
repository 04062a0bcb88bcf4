/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile's cases of ranges at lavapipe's 2^31-byte edge (pv_hostile.h): llvmpipe addresses
 * storage descriptors and texel buffers with 32-bit offsets that turn negative from 2^31 on,
 * and copies a buffer region with its size in an int. The server keeps descriptors and texel
 * views inside the device's limits (refused past them: src/vk/guard_descriptor.c,
 * guard_buffer.c) and splits copies of 2^31 bytes or more on lavapipe (served).
 */
#include "pv_hostile.h"

#include <stdio.h>
#include <string.h>

#define BIG_COPY (UINT64_C(1) << 31)

/* A storage buffer one page past maxStorageBufferRange, written as one VK_WHOLE_SIZE
 * descriptor (past the limit, VUID-VkWriteDescriptorSet-descriptorType-00333), then a
 * dispatch. On lavapipe the limit is 128 MiB; past 2^31 llvmpipe's bound goes negative. */
void
pv_hostile_descriptor_limit(struct pv_hostile *h)
{
   static struct pv_buffer big, dst;
   static struct pv_compute k;
   pv_hostile_compute_init(h, &k, 1);
   pv_buffer_create(&h->c, &big, (VkDeviceSize)h->c.props.limits.maxStorageBufferRange + 4096,
                    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   pv_hostile_canary(h, &dst, PV_HOSTILE_SIZE, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   VkDescriptorSet set =
      pv_hostile_compute_set(h, &k, (VkDescriptorBufferInfo){big.buffer, 0, VK_WHOLE_SIZE},
                             (VkDescriptorBufferInfo){dst.buffer, 0, 64});
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_compute_dispatch(cmd, &k, set, 16, 1, 0);
   pv_hostile_submit(h, cmd);
}

/* A storage texel buffer view of maxTexelBufferElements + 1 one-byte texels (VK_WHOLE_SIZE,
 * past the limit: VUID-VkBufferViewCreateInfo-range-04059), then a submission. */
void
pv_hostile_texel_view_limit(struct pv_hostile *h)
{
   static struct pv_buffer big;
   pv_buffer_create(&h->c, &big, (VkDeviceSize)h->c.props.limits.maxTexelBufferElements + 1,
                    VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   const VkBufferViewCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
                                      .buffer = big.buffer,
                                      .format = VK_FORMAT_R8_UINT,
                                      .range = VK_WHOLE_SIZE};
   VkBufferView view = VK_NULL_HANDLE;
   if (PV_HOSTILE_NOTE(h, vkCreateBufferView(h->c.device, &ci, NULL, &view)) != VK_SUCCESS)
      return;
   pv_hostile_submit(h, pv_cmd_begin(&h->c));
}

/* valid: a copy of 2^31 bytes between two 2 GiB buffers, legal where a heap holds 2 GiB. On
 * lavapipe the server splits it (natively memcpy got the size through an int and wrote below
 * its destination until it faulted). Markers at both ends must arrive. Left out where the
 * device cannot hold it, and natively on lavapipe. */
void
pv_hostile_valid_big_copy(struct pv_hostile *h)
{
   const VkMemoryPropertyFlags host =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   VkDeviceSize heap = 0;
   for (uint32_t i = 0; i < h->c.mem_props.memoryTypeCount; i++)
      if ((h->c.mem_props.memoryTypes[i].propertyFlags & host) == host)
         heap = h->c.mem_props.memoryHeaps[h->c.mem_props.memoryTypes[i].heapIndex].size;
   bool lavapipe = strstr(h->c.props.deviceName, "llvmpipe") != NULL;
   bool served = strstr(h->c.props.deviceName, "Venus") != NULL;
   if (heap < BIG_COPY || (lavapipe && !served)) {
      printf("pv-hostile: valid: the 2^31-byte copy left out on %s (heap %llu bytes)\n",
             h->c.props.deviceName, (unsigned long long)heap);
      return;
   }
   static struct pv_buffer src, dst;
   pv_buffer_create(&h->c, &src, BIG_COPY, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, host);
   pv_buffer_create(&h->c, &dst, BIG_COPY, VK_BUFFER_USAGE_TRANSFER_DST_BIT, host);
   uint8_t *s = src.map, *d = dst.map;
   s[0] = 0x5a, s[BIG_COPY / 2] = 0x6b, s[BIG_COPY - 1] = 0x7c;
   d[0] = d[BIG_COPY / 2] = d[BIG_COPY - 1] = 0;
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkBufferCopy r = {0, 0, BIG_COPY};
   vkCmdCopyBuffer(cmd, src.buffer, dst.buffer, 1, &r);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&h->c, cmd);
   if (d[0] != 0x5a || d[BIG_COPY / 2] != 0x6b || d[BIG_COPY - 1] != 0x7c)
      pv_fail("%s: a 2^31-byte copy delivered 0x%02x 0x%02x 0x%02x at its start, middle, end",
              h->name, d[0], d[BIG_COPY / 2], d[BIG_COPY - 1]);
   pv_buffer_destroy(&h->c, &src);
   pv_buffer_destroy(&h->c, &dst);
}
