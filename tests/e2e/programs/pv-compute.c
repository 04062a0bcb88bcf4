/* SPDX-License-Identifier: MIT */
/*
 * pv-compute: a storage-buffer kernel over 16 MiB. The app writes the input through a mapped
 * HOST_VISIBLE allocation, the GPU computes out[i] = in[i] * 3 + i, and every element is read
 * back through a mapping and checked. A second dispatch over a sub-range (descriptor offsets)
 * checks that elements outside the range are left alone.
 *
 * usage: pv-compute [MiB]   (default 16, at least 1)
 */
#include "pv_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute_comp_spv.h"

static uint32_t
input_value(uint32_t i)
{
   return (i * 2654435761u) ^ 0x5a5aa5a5u;
}

int
main(int argc, char **argv)
{
   uint32_t mib = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 16;
   if (mib < 1 || mib > 1024) {
      fprintf(stderr, "usage: pv-compute [MiB 1..1024]\n");
      return 2;
   }
   const uint32_t count = mib * (1024 * 1024 / 4);
   const VkDeviceSize size = (VkDeviceSize)count * 4;

   struct pv_ctx c;
   pv_init(&c, "pv-compute", NULL);
   if (c.props.limits.maxStorageBufferRange < size)
      pv_fail("maxStorageBufferRange %u < %llu", c.props.limits.maxStorageBufferRange,
              (unsigned long long)size);

   const VkMemoryPropertyFlags host =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   struct pv_buffer in, out;
   pv_buffer_create(&c, &in, size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, host);
   pv_buffer_create(&c, &out, size,
                    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT, host);

   uint32_t *src = in.map;
   for (uint32_t i = 0; i < count; i++)
      src[i] = input_value(i);

   struct pv_compute k;
   pv_compute_init(&c, &k, pv_compute_comp_spv, sizeof(pv_compute_comp_spv), 2);
   VkDescriptorSet whole = pv_compute_set(&c, &k, in.buffer, 0, out.buffer, 0, size);

   /* Pass 1: the whole buffer. */
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   vkCmdFillBuffer(cmd, out.buffer, 0, VK_WHOLE_SIZE, 0xdeadbeefu);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
   pv_compute_dispatch(cmd, &k, whole, count, 3, 0);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);

   const uint32_t *dst = out.map;
   for (uint32_t i = 0; i < count; i++) {
      uint32_t want = input_value(i) * 3u + i;
      if (dst[i] != want)
         pv_fail("pass 1: out[%u] = 0x%08x, expected 0x%08x", i, dst[i], want);
   }

   /* Pass 2: a sub-range bound at a descriptor offset; the rest must keep pass 1's values. */
   VkDeviceSize align = c.props.limits.minStorageBufferOffsetAlignment;
   if (align < 4)
      align = 4;
   const VkDeviceSize offset = ((size / 4 + align - 1) / align) * align;
   const uint32_t first = (uint32_t)(offset / 4), sub = count / 2;
   VkDescriptorSet part =
      pv_compute_set(&c, &k, in.buffer, offset, out.buffer, offset, (VkDeviceSize)sub * 4);
   cmd = pv_cmd_begin(&c);
   pv_compute_dispatch(cmd, &k, part, sub, 7, 11);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);
   for (uint32_t i = 0; i < count; i++) {
      uint32_t want = i >= first && i < first + sub ? input_value(i) * 7u + (i - first) + 11u
                                                    : input_value(i) * 3u + i;
      if (dst[i] != want)
         pv_fail("pass 2: out[%u] = 0x%08x, expected 0x%08x", i, dst[i], want);
   }

   pv_compute_fini(&c, &k);
   pv_buffer_destroy(&c, &in);
   pv_buffer_destroy(&c, &out);
   pv_fini(&c);
   pv_pass(&c, "%u elements (%u MiB) out[i] = in[i]*3+i, then %u at offset %llu", count, mib, sub,
           (unsigned long long)offset);
   return 0;
}
