/* SPDX-License-Identifier: MIT */
/*
 * bench-compute: a GPU-bound kernel: C = A * B for N x N float matrices (tiled in shared
 * memory, shaders/matmul.comp) in device-local memory. One submission holds REPS dispatches;
 * reports GFLOP/s (2 N^3 per dispatch, submit to fence), median of PASSES submissions after a
 * warm-up one. Inputs are multiples of 1/8 in [-0.75, 0.75], so every sum is exact in float
 * and sampled elements of C are checked exactly against the CPU.
 * usage: bench-compute [--n N] [--reps R] [--passes P] [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "matmul_comp_spv.h"

static float
a_at(uint64_t i)
{
   return (float)((int)(i * 7 % 13) - 6) / 8.0f;
}

static float
b_at(uint64_t i)
{
   return (float)((int)(i * 5 % 11) - 5) / 8.0f;
}

int
main(int argc, char **argv)
{
   double nd = 1024, reps = 2, passes = 3;
   bool quick = false;
   const struct b_opt opts[] = {
      {"n", &nd, NULL},
      {"reps", &reps, NULL},
      {"passes", &passes, NULL},
      {"quick", NULL, &quick},
   };
   b_start("compute");
   b_parse(argc, argv, opts, B_ARRAY_SIZE(opts));
   if (quick)
      nd = 128, reps = 1, passes = 1;
   uint32_t n = (uint32_t)nd;
   if (n < 64 || n > 16384 || n % 64 || reps < 1 || passes < 1)
      b_fail("--n must be a multiple of 64 in 64..16384; --reps, --passes >= 1");
   size_t np = (size_t)passes, bytes = (size_t)n * n * sizeof(float);

   struct b_ctx c;
   b_init(&c);
   b_info(&c);
   const VkMemoryPropertyFlags local[] = {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0};
   const VkMemoryPropertyFlags host[] = {
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
         VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
   };
   const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_DST_BIT;
   struct b_buffer a, b, cm, staging;
   b_buffer_create(&c, &a, bytes, usage, local, 2);
   b_buffer_create(&c, &b, bytes, usage, local, 2);
   b_buffer_create(&c, &cm, bytes, usage, local, 2);
   b_buffer_create(&c, &staging, bytes, usage, host, 2);

   float *s = staging.map;
   for (uint64_t i = 0; i < (uint64_t)n * n; i++)
      s[i] = a_at(i);
   VkCommandBuffer cmd = b_cmd_begin(&c);
   VkBufferCopy region = {0, 0, bytes};
   vkCmdCopyBuffer(cmd, staging.buffer, a.buffer, 1, &region);
   b_cmd_submit_wait(&c, cmd);
   for (uint64_t i = 0; i < (uint64_t)n * n; i++)
      s[i] = b_at(i);
   cmd = b_cmd_begin(&c);
   vkCmdCopyBuffer(cmd, staging.buffer, b.buffer, 1, &region);
   b_cmd_submit_wait(&c, cmd);

   struct b_kernel k;
   const VkBuffer bufs[3] = {a.buffer, b.buffer, cm.buffer};
   b_kernel_init(&c, &k, pv_matmul_comp_spv, sizeof(pv_matmul_comp_spv), 4, bufs, 3);
   double *gflops = calloc(np, sizeof(double));
   for (size_t p = 0; p <= np; p++) {
      cmd = b_cmd_begin(&c);
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.pipeline);
      vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.layout, 0, 1, &k.set, 0, NULL);
      vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &n);
      for (uint32_t r = 0; r < (uint32_t)reps; r++) {
         if (r) {
            VkMemoryBarrier mb = {
               .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
               .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
               .dstAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
            };
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
         }
         vkCmdDispatch(cmd, n / 64, n / 64, 1);
      }
      uint64_t t = b_cmd_submit_wait(&c, cmd);
      if (p > 0)
         gflops[p - 1] = 2.0 * n * n * (double)n * (uint32_t)reps / (double)t;
   }

   cmd = b_cmd_begin(&c);
   VkMemoryBarrier mb = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
   };
   vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                        0, 1, &mb, 0, NULL, 0, NULL);
   vkCmdCopyBuffer(cmd, cm.buffer, staging.buffer, 1, &region);
   VkMemoryBarrier hb = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
   };
   vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &hb,
                        0, NULL, 0, NULL);
   b_cmd_submit_wait(&c, cmd);
   for (uint32_t t = 0; t < 97; t++) {
      uint32_t row = (uint32_t)((t * 2654435761u) % n), col = (uint32_t)((t * 40503u + 7) % n);
      if (t == 0)
         row = 0, col = 0;
      if (t == 1)
         row = n - 1, col = n - 1;
      double want = 0;
      for (uint32_t kk = 0; kk < n; kk++)
         want += (double)a_at((uint64_t)row * n + kk) * b_at((uint64_t)kk * n + col);
      float got = s[(size_t)row * n + col];
      if ((double)got != want)
         b_fail("C[%u][%u] = %g, expected %g", row, col, (double)got, want);
   }
   b_kernel_fini(&c, &k);
   b_buffer_destroy(&c, &staging);
   b_buffer_destroy(&c, &cm);
   b_buffer_destroy(&c, &b);
   b_buffer_destroy(&c, &a);
   b_fini(&c);
   b_result("gflops", b_median(gflops, np), "GFLOP/s");
   b_result("n", n, "");
   free(gflops);
   b_pass();
   return 0;
}
