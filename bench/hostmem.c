/* SPDX-License-Identifier: MIT */
/*
 * bench-hostmem: bandwidth through a mapped host-visible allocation of SIZE MiB:
 *   host_memcpy_gbs  memcpy between two malloc'd buffers of the same size (the baseline)
 *   write_gbs        memcpy from a malloc'd buffer into the mapping (+ flush if not coherent)
 *   read_gbs         memcpy from the mapping into a malloc'd buffer (+ invalidate if needed)
 *   gpu_read_gbs     a compute kernel summing every word of the allocation, submit to fence
 * Each is the median of PASSES passes after one untimed pass (first touch). The GPU's sum is
 * checked against the CPU's. GB/s is 1e9 bytes per second.
 * usage: bench-hostmem [--size MIB] [--passes N] [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "readsum_comp_spv.h"

static void
sync_range(const struct pv_ctx *c, const struct pv_buffer *b, bool flush)
{
   if (b->flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)
      return;
   VkMappedMemoryRange r = {
      .sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
      .memory = b->memory,
      .size = VK_WHOLE_SIZE,
   };
   if (flush)
      PV_CHECK(vkFlushMappedMemoryRanges(c->device, 1, &r));
   else
      PV_CHECK(vkInvalidateMappedMemoryRanges(c->device, 1, &r));
}

int
main(int argc, char **argv)
{
   double size_mib = 64, passes = 7;
   bool quick = false;
   const struct b_opt opts[] = {
      {"size", &size_mib, NULL},
      {"passes", &passes, NULL},
      {"quick", NULL, &quick},
   };
   b_start("hostmem");
   b_parse(argc, argv, opts, PV_ARRAY_SIZE(opts));
   if (quick)
      size_mib = 1, passes = 2;
   if (size_mib < 1 || size_mib > 16384 || passes < 1 || passes > 1000)
      pv_fail("--size or --passes out of range");
   size_t size = (size_t)size_mib << 20, words = size / 4, np = (size_t)passes;

   struct pv_ctx c;
   b_init(&c);
   b_info(&c.props);
   const VkMemoryPropertyFlags hv = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
   const VkMemoryPropertyFlags prefs[] = {
      hv | VK_MEMORY_PROPERTY_HOST_CACHED_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
      hv | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
      hv,
   };
   struct pv_buffer buf, out;
   pv_buffer_create_pref(&c, &buf, size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, prefs,
                         PV_ARRAY_SIZE(prefs));
   pv_buffer_create_pref(&c, &out, 256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, prefs + 1, 2);
   printf("INFO program=hostmem mapping=%s\n",
          buf.flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT ? "coherent" : "non-coherent");

   uint32_t *src = malloc(size), *dst = malloc(size);
   if (!src || !dst)
      pv_fail("out of memory");
   uint32_t expect = 0;
   for (size_t i = 0; i < words; i++) {
      src[i] = (uint32_t)i * 2654435761u;
      expect += src[i];
   }
   memset(dst, 0, size);

   double *t_copy = calloc(np, sizeof(double)), *t_write = calloc(np, sizeof(double)),
          *t_read = calloc(np, sizeof(double)), *t_gpu = calloc(np, sizeof(double));
   for (size_t p = 0; p <= np; p++) {
      uint64_t t0 = pv_now_ns();
      memcpy(dst, src, size);
      uint64_t t1 = pv_now_ns();
      memcpy(buf.map, src, size);
      sync_range(&c, &buf, true);
      uint64_t t2 = pv_now_ns();
      sync_range(&c, &buf, false);
      memcpy(dst, buf.map, size);
      uint64_t t3 = pv_now_ns();
      if (dst[words - 1] != src[words - 1] || dst[words / 2] != src[words / 2])
         pv_fail("read back from the mapping differs");
      if (p > 0) {
         t_copy[p - 1] = (double)size / (double)(t1 - t0);
         t_write[p - 1] = (double)size / (double)(t2 - t1);
         t_read[p - 1] = (double)size / (double)(t3 - t2);
      }
   }

   struct pv_compute k;
   const VkBuffer bufs[2] = {buf.buffer, out.buffer};
   pv_compute_init_layout(&c, &k, pv_readsum_comp_spv, sizeof(pv_readsum_comp_spv), 2, 4, 1);
   VkDescriptorSet set = pv_compute_set_buffers(&c, &k, bufs, 2);
   uint32_t count = (uint32_t)(size / 16);
   uint32_t groups = count / 256 < 1024 ? (count + 255) / 256 : 1024;
   for (size_t p = 0; p <= np; p++) {
      *(volatile uint32_t *)out.map = 0;
      sync_range(&c, &out, true);
      VkCommandBuffer cmd = pv_cmd_begin(&c);
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.pipeline);
      vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.layout, 0, 1, &set, 0, NULL);
      vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &count);
      vkCmdDispatch(cmd, groups, 1, 1);
      pv_memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                        VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
      uint64_t t = pv_cmd_submit_wait(&c, cmd);
      sync_range(&c, &out, false);
      uint32_t got = *(volatile uint32_t *)out.map;
      if (got != expect)
         pv_fail("GPU sum of the mapping is 0x%08x, expected 0x%08x", got, expect);
      if (p > 0)
         t_gpu[p - 1] = (double)size / (double)t;
   }
   pv_compute_fini(&c, &k);
   pv_buffer_destroy(&c, &out);
   pv_buffer_destroy(&c, &buf);
   pv_fini(&c);

   b_result("host_memcpy_gbs", b_median(t_copy, np), "GB/s");
   b_result("write_gbs", b_median(t_write, np), "GB/s");
   b_result("read_gbs", b_median(t_read, np), "GB/s");
   b_result("gpu_read_gbs", b_median(t_gpu, np), "GB/s");
   b_result("size_mib", size_mib, "MiB");
   free(src), free(dst), free(t_copy), free(t_write), free(t_read), free(t_gpu);
   b_pass();
   return 0;
}
