/* SPDX-License-Identifier: MIT */
/*
 * bench-copy: what the device's copy engine moves with vkCmdCopyBuffer, the figures vkpeak
 * reports as "copy" (issue 16 names vkpeak's; this is our own program, so bench/run can run it
 * natively and through both guests in one run):
 *   d2d_gbs  device-local buffer to device-local buffer
 *   h2d_gbs  host-visible buffer (through a guest: the renderer's host memory behind the guest's
 *            mapping) to device-local
 *   d2h_gbs  device-local to host-visible
 * One command buffer holds COPIES copies of SIZE MiB each (a barrier between them, so each copy
 * is whole before the next starts). Each figure comes twice: *_gbs timed from submit to the
 * fence wait's return (what the application sees, the guest driver's wait included) and
 * *_gpu_gbs timed by the device's own timestamps around the copies (what the GPU moved; where
 * the queue has timestamps). Each is the median of PASSES passes after one untimed pass. GB/s
 * is 1e9 bytes per second. Every result is checked:
 * the pattern written into the host-visible source must come back, byte for byte, after going
 * h2d, d2d and d2h.
 * --robust enables robustBufferAccess, which the renderer forces on every guest device
 * (SECURITY.md): natively, it tells what that costs the copies.
 * usage: bench-copy [--size MIB] [--copies N] [--passes N] [--robust] [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

struct copy_bufs {
   struct pv_buffer host_src, host_dst, dev_a, dev_b;
   VkDeviceSize size;
   VkQueryPool stamps; /* two timestamps per submission; VK_NULL_HANDLE without them */
   double ns_per_tick;
};

/* Bytes per ns of one submission: by the wall clock and by the device's timestamps (0 when
 * there are none). */
struct rate {
   double wall, gpu;
};

static void
create_bufs(const struct pv_ctx *c, struct copy_bufs *b, VkDeviceSize size)
{
   const VkBufferUsageFlags usage =
      VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
   const VkMemoryPropertyFlags hv = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
   /* Where the native driver lets a host-visible type also be device-local (a GPU's BAR), the
    * guest's renderer does not (src/vk/memory_types.c): ask for plain host memory on both
    * sides, as an application staging through system memory does. */
   const VkMemoryPropertyFlags host[] = {
      hv | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT | VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
      hv | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
   };
   b->size = size;
   pv_buffer_create_pref(c, &b->host_src, size, usage, host, PV_ARRAY_SIZE(host));
   pv_buffer_create_pref(c, &b->host_dst, size, usage, host, PV_ARRAY_SIZE(host));
   pv_buffer_create(c, &b->dev_a, size, usage, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
   pv_buffer_create(c, &b->dev_b, size, usage, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
}

static void
destroy_bufs(const struct pv_ctx *c, struct copy_bufs *b)
{
   pv_buffer_destroy(c, &b->host_src);
   pv_buffer_destroy(c, &b->host_dst);
   pv_buffer_destroy(c, &b->dev_a);
   pv_buffer_destroy(c, &b->dev_b);
   if (b->stamps)
      vkDestroyQueryPool(c->device, b->stamps, NULL);
}

static void
create_stamps(const struct pv_ctx *c, struct copy_bufs *b)
{
   uint32_t n = 0;
   vkGetPhysicalDeviceQueueFamilyProperties(c->phys, &n, NULL);
   VkQueueFamilyProperties *qf = calloc(n ? n : 1, sizeof(*qf));
   if (!qf)
      pv_fail("out of memory");
   vkGetPhysicalDeviceQueueFamilyProperties(c->phys, &n, qf);
   bool has = c->queue_family < n && qf[c->queue_family].timestampValidBits >= 32 &&
              c->props.limits.timestampPeriod > 0;
   free(qf);
   if (!has)
      return;
   const VkQueryPoolCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = VK_QUERY_TYPE_TIMESTAMP,
      .queryCount = 2,
   };
   PV_CHECK(vkCreateQueryPool(c->device, &ci, NULL, &b->stamps));
   b->ns_per_tick = c->props.limits.timestampPeriod;
}

/* `copies` whole-buffer copies from src to dst in one submission. */
static struct rate
timed_copies(const struct pv_ctx *c, const struct copy_bufs *b, VkBuffer src, VkBuffer dst,
             uint32_t copies)
{
   VkDeviceSize size = b->size;
   VkCommandBuffer cmd = pv_cmd_begin(c);
   if (b->stamps) {
      vkCmdResetQueryPool(cmd, b->stamps, 0, 2);
      vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, b->stamps, 0);
   }
   const VkBufferCopy region = {.size = size};
   for (uint32_t i = 0; i < copies; i++) {
      if (i)
         pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
      vkCmdCopyBuffer(cmd, src, dst, 1, &region);
   }
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                     VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT);
   if (b->stamps)
      vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, b->stamps, 1);
   uint64_t ns = pv_cmd_submit_wait(c, cmd);
   double bytes = (double)size * copies;
   struct rate r = {.wall = bytes / (double)(ns ? ns : 1)};
   uint64_t t[2];
   if (b->stamps && vkGetQueryPoolResults(c->device, b->stamps, 0, 2, sizeof(t), t, sizeof(t[0]),
                                          VK_QUERY_RESULT_64_BIT) == VK_SUCCESS &&
       t[1] > t[0])
      r.gpu = bytes / ((double)(t[1] - t[0]) * b->ns_per_tick);
   return r;
}

int
main(int argc, char **argv)
{
   double size_mib = 256, copies = 8, passes = 7;
   bool quick = false, robust = false;
   const struct b_opt opts[] = {
      {"robust", NULL, &robust},
      {"size", &size_mib, NULL},
      {"copies", &copies, NULL},
      {"passes", &passes, NULL},
      {"quick", NULL, &quick},
   };
   b_start("copy");
   b_parse(argc, argv, opts, PV_ARRAY_SIZE(opts));
   if (quick)
      size_mib = 1, copies = 2, passes = 2;
   if (size_mib < 1 || size_mib > 16384 || copies < 1 || copies > 1000 || passes < 1 ||
       passes > 1000)
      pv_fail("--size, --copies or --passes out of range");
   size_t size = (size_t)size_mib << 20, np = (size_t)passes;

   struct pv_ctx c;
   VkPhysicalDeviceFeatures2 features = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
      .features.robustBufferAccess = VK_TRUE,
   };
   b_init_full(&c, NULL, robust ? &features : NULL);
   b_info(&c.props);
   struct copy_bufs b = {0};
   create_bufs(&c, &b, size);
   create_stamps(&c, &b);
   uint32_t *pattern = b.host_src.map;
   for (size_t i = 0; i < size / 4; i++)
      pattern[i] = (uint32_t)i * 2654435761u ^ 0x5a5a5a5au;
   memset(b.host_dst.map, 0, size);

   /* [direction][wall, gpu][pass] */
   static const char *const names[3] = {"h2d", "d2d", "d2h"};
   double *v[3][2];
   for (int i = 0; i < 3; i++)
      for (int k = 0; k < 2; k++)
         if (!(v[i][k] = calloc(np, sizeof(double))))
            pv_fail("out of memory");
   const VkBuffer from[3] = {b.host_src.buffer, b.dev_a.buffer, b.dev_b.buffer};
   const VkBuffer to[3] = {b.dev_a.buffer, b.dev_b.buffer, b.host_dst.buffer};
   for (size_t p = 0; p <= np; p++) {
      for (int i = 0; i < 3; i++) {
         struct rate r = timed_copies(&c, &b, from[i], to[i], (uint32_t)copies);
         if (p > 0)
            v[i][0][p - 1] = r.wall, v[i][1][p - 1] = r.gpu;
      }
   }
   if (memcmp(b.host_dst.map, b.host_src.map, size) != 0)
      pv_fail("the pattern did not come back through h2d, d2d and d2h copies");
   bool stamped = b.stamps != VK_NULL_HANDLE;
   destroy_bufs(&c, &b);
   pv_fini(&c);

   for (int i = 0; i < 3; i++) {
      char metric[32];
      snprintf(metric, sizeof(metric), "%s_gbs", names[i]);
      b_result(metric, b_median(v[i][0], np), "GB/s");
      snprintf(metric, sizeof(metric), "%s_gpu_gbs", names[i]);
      if (stamped)
         b_result(metric, b_median(v[i][1], np), "GB/s");
      free(v[i][0]), free(v[i][1]);
   }
   b_result("size_mib", size_mib, "MiB");
   b_pass();
   return 0;
}
