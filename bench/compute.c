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
   b_parse(argc, argv, opts, PV_ARRAY_SIZE(opts));
   if (quick)
      nd = 128, reps = 1, passes = 1;
   uint32_t n = (uint32_t)nd;
   if (n < 64 || n > 16384 || n % 64 || reps < 1 || passes < 1)
      pv_fail("--n must be a multiple of 64 in 64..16384; --reps, --passes >= 1");
   size_t np = (size_t)passes, bytes = (size_t)n * n * sizeof(float);

   struct pv_ctx c;
   b_init(&c);
   b_info(&c.props);
   const VkMemoryPropertyFlags local[] = {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0};
   const VkMemoryPropertyFlags host[] = {
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
         VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
   };
   const VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                    VK_BUFFER_USAGE_TRANSFER_DST_BIT;
   struct pv_buffer a, b, cm, staging;
   pv_buffer_create_pref(&c, &a, bytes, usage, local, 2);
   pv_buffer_create_pref(&c, &b, bytes, usage, local, 2);
   pv_buffer_create_pref(&c, &cm, bytes, usage, local, 2);
   pv_buffer_create_pref(&c, &staging, bytes, usage, host, 2);

   float *s = staging.map;
   for (uint64_t i = 0; i < (uint64_t)n * n; i++)
      s[i] = a_at(i);
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   VkBufferCopy region = {0, 0, bytes};
   vkCmdCopyBuffer(cmd, staging.buffer, a.buffer, 1, &region);
   pv_cmd_submit_wait(&c, cmd);
   for (uint64_t i = 0; i < (uint64_t)n * n; i++)
      s[i] = b_at(i);
   cmd = pv_cmd_begin(&c);
   vkCmdCopyBuffer(cmd, staging.buffer, b.buffer, 1, &region);
   pv_cmd_submit_wait(&c, cmd);

   struct pv_compute k;
   const VkBuffer bufs[3] = {a.buffer, b.buffer, cm.buffer};
   pv_compute_init_layout(&c, &k, pv_matmul_comp_spv, sizeof(pv_matmul_comp_spv), 3, 4, 1);
   VkDescriptorSet set = pv_compute_set_buffers(&c, &k, bufs, 3);
   double *gflops = calloc(np, sizeof(double));
   for (size_t p = 0; p <= np; p++) {
      cmd = pv_cmd_begin(&c);
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.pipeline);
      vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.layout, 0, 1, &set, 0, NULL);
      vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, &n);
      for (uint32_t r = 0; r < (uint32_t)reps; r++) {
         if (r)
            pv_memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                              VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT);
         vkCmdDispatch(cmd, n / 64, n / 64, 1);
      }
      uint64_t t = pv_cmd_submit_wait(&c, cmd);
      if (p > 0)
         gflops[p - 1] = 2.0 * n * n * (double)n * (uint32_t)reps / (double)t;
   }

   cmd = pv_cmd_begin(&c);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
   vkCmdCopyBuffer(cmd, cm.buffer, staging.buffer, 1, &region);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);
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
         pv_fail("C[%u][%u] = %g, expected %g", row, col, (double)got, want);
   }
   pv_compute_fini(&c, &k);
   pv_buffer_destroy(&c, &staging);
   pv_buffer_destroy(&c, &cm);
   pv_buffer_destroy(&c, &b);
   pv_buffer_destroy(&c, &a);
   pv_fini(&c);
   b_result("gflops", b_median(gflops, np), "GFLOP/s");
   b_result("n", n, "");
   free(gflops);
   b_pass();
   return 0;
}
