/* SPDX-License-Identifier: MIT */
/*
 * bench-roundtrip: latency of calls that wait for an answer. Per operation, ITERS timed calls
 * after a warm-up; reports p50 and p99 in microseconds:
 *   image_format  vkGetPhysicalDeviceImageFormatProperties2 (Mesa 22.3.6's Venus driver sends
 *                 every one to the host; it caches vkGetPhysicalDeviceFormatProperties2
 *                 without a pNext chain, so that call would measure the cache)
 *   fence_status  vkGetFenceStatus of an unsignalled fence (Venus answers it from a fence
 *                 feedback slot in shared memory unless VN_PERF=no_fence_feedback)
 *   submit_wait   an empty vkQueueSubmit with a fence, then vkWaitForFences, then reset
 *   submit_poll   the same, but vkGetFenceStatus and sched_yield in a loop instead of
 *                 vkWaitForFences: natively the earliest the host can see the fence; through
 *                 Venus the earliest the guest sees its feedback slot, without the guest's
 *                 sleeps in vkWaitForFences
 *   submit_fill_poll  submit_poll with one command buffer that fills 8 bytes of host-visible
 *                 memory between barriers and makes them visible to the host: what a Venus
 *                 guest adds to every submission with a fence (its fence feedback), so natively
 *                 this is what that feedback costs the device; the value is checked
 *   submit_fill_spin  the same, polling the filled word instead of the fence: when the write
 *                 reaches the host, which is when a Venus guest polling its feedback slot
 *                 can see it
 *   submit_import_fill_poll  submit_fill_poll into host memory imported with
 *                 VK_EXT_external_memory_host, as the renderer imports a guest's shared
 *                 memory (natively only: Venus guests do not offer the extension)
 * INFO yield_ns: what one sched_yield costs here. Mesa >= 23.1 guests yield 15 times in a fence
 * wait before they first sleep (160 us): fences signalled later than that cost the sleep.
 * usage: bench-roundtrip [--iters N] [--quick]
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

static void
report(const char *op, double *us, size_t n)
{
   char m[64];
   snprintf(m, sizeof(m), "%s_p50_us", op);
   b_result(m, b_percentile(us, n, 50), "us");
   snprintf(m, sizeof(m), "%s_p99_us", op);
   b_result(m, b_percentile(us, n, 99), "us");
}

/* Median cost of one sched_yield, in ns (a few hundred samples of 16 calls). */
static void
report_yield_cost(double *us, size_t n)
{
   size_t k = n < 256 ? n : 256;
   for (size_t i = 0; i < k; i++) {
      uint64_t t0 = pv_now_ns();
      for (int j = 0; j < 16; j++)
         sched_yield();
      us[i] = (double)(pv_now_ns() - t0) / 16.0;
   }
   printf("INFO yield_ns=%.0f\n", b_median(us, k));
   fflush(stdout);
}

/* The command buffer of submit_fill_poll: barrier, fill of 8 bytes with 0x5eed, barrier to
 * the host. */
static VkCommandBuffer
record_fill(const struct pv_ctx *c, const struct pv_buffer *b)
{
   VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = c->pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1,
   };
   VkCommandBuffer cmd;
   PV_CHECK(vkAllocateCommandBuffers(c->device, &ai, &cmd));
   VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   PV_CHECK(vkBeginCommandBuffer(cmd, &bi));
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   vkCmdFillBuffer(cmd, b->buffer, 0, 8, 0x5eed);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   PV_CHECK(vkEndCommandBuffer(cmd));
   return cmd;
}

/* What the fill timings share: the context, the fence they submit with, the samples. */
struct fill_run {
   const struct pv_ctx *c;
   VkFence fence;
   double *us;
   size_t warm, n;
};

/* Submits the fill of `b` warm + n times; the clock stops when the fence reports signalled
 * (spin false) or when the word reaches `slot` (spin true; then the fence is waited for
 * outside the clock). */
static void
time_fill(const struct fill_run *r, const struct pv_buffer *b, volatile uint32_t *slot,
          const char *op, bool spin)
{
   VkCommandBuffer fill = record_fill(r->c, b);
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &fill,
   };
   for (size_t i = 0; i < r->warm + r->n; i++) {
      slot[0] = 0;
      uint64_t t0 = pv_now_ns();
      PV_CHECK(vkQueueSubmit(r->c->queue, 1, &si, r->fence));
      VkResult res = VK_SUCCESS;
      if (spin) {
         while (slot[0] != 0x5eed)
            sched_yield();
      } else {
         while ((res = vkGetFenceStatus(r->c->device, r->fence)) == VK_NOT_READY)
            sched_yield();
      }
      uint64_t t = pv_now_ns() - t0;
      if (res != VK_SUCCESS)
         pv_fail("vkGetFenceStatus returned %d", (int)res);
      PV_CHECK(vkWaitForFences(r->c->device, 1, &r->fence, VK_TRUE, UINT64_MAX));
      if (slot[0] != 0x5eed)
         pv_fail("the fill did not reach host memory (0x%x)", slot[0]);
      PV_CHECK(vkResetFences(r->c->device, 1, &r->fence));
      if (i >= r->warm)
         r->us[i - r->warm] = (double)t / 1e3;
   }
   report(op, r->us, r->n);
   vkFreeCommandBuffers(r->c->device, r->c->pool, 1, &fill);
}

/* submit_import_fill_poll: a buffer bound to host memory the program allocated, imported. */
static void
time_imported_fill(const struct fill_run *r)
{
   const struct pv_ctx *c = r->c;
   VkPhysicalDeviceExternalMemoryHostPropertiesEXT hp = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
   };
   VkPhysicalDeviceProperties2 p2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                     .pNext = &hp};
   vkGetPhysicalDeviceProperties2(c->phys, &p2);
   size_t align = (size_t)hp.minImportedHostPointerAlignment;
   if (align < 64)
      align = 64;
   void *host = aligned_alloc(align, align);
   if (!host)
      pv_fail("no memory for the imported buffer");
   const VkExternalMemoryHandleTypeFlagBits type =
      VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT;
   PFN_vkGetMemoryHostPointerPropertiesEXT get_props =
      (PFN_vkGetMemoryHostPointerPropertiesEXT)vkGetDeviceProcAddr(
         c->device, "vkGetMemoryHostPointerPropertiesEXT");
   VkMemoryHostPointerPropertiesEXT mp = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT,
   };
   if (!get_props)
      pv_fail("no vkGetMemoryHostPointerPropertiesEXT");
   PV_CHECK(get_props(c->device, type, host, &mp));

   struct pv_buffer b = {.size = align, .map = host};
   const VkExternalMemoryBufferCreateInfo ext = {
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
      .handleTypes = type,
   };
   const VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .pNext = &ext,
      .size = align,
      .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
   };
   PV_CHECK(vkCreateBuffer(c->device, &bci, NULL, &b.buffer));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(c->device, b.buffer, &req);
   uint32_t bits = req.memoryTypeBits & mp.memoryTypeBits;
   uint32_t mt = pv_find_memory_type(c, bits, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
   if (mt == UINT32_MAX)
      mt = pv_find_memory_type(c, bits, 0);
   if (mt == UINT32_MAX)
      pv_fail("no memory type imports host memory for a buffer");
   const VkImportMemoryHostPointerInfoEXT imp = {
      .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
      .handleType = type,
      .pHostPointer = host,
   };
   const VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .pNext = &imp,
      .allocationSize = align,
      .memoryTypeIndex = mt,
   };
   PV_CHECK(vkAllocateMemory(c->device, &mai, NULL, &b.memory));
   PV_CHECK(vkBindBufferMemory(c->device, b.buffer, b.memory, 0));
   time_fill(r, &b, host, "submit_import_fill_poll", false);
   vkDestroyBuffer(c->device, b.buffer, NULL);
   vkFreeMemory(c->device, b.memory, NULL);
   free(host);
}

int
main(int argc, char **argv)
{
   double iters = 2000;
   bool quick = false;
   const struct b_opt opts[] = {{"iters", &iters, NULL}, {"quick", NULL, &quick}};
   b_start("roundtrip");
   b_parse(argc, argv, opts, PV_ARRAY_SIZE(opts));
   if (quick)
      iters = 20;
   size_t n = (size_t)iters;
   if (n < 1 || n > 10000000)
      pv_fail("--iters out of range");
   size_t warm = n / 10 + 1;
   double *us = calloc(n, sizeof(*us));

   struct pv_ctx c;
   b_init_with(&c, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
   b_info(&c.props);

   /* image_format: alternate between formats so no layer can answer from a last-value cache. */
   const VkFormat formats[] = {VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_SFLOAT,
                               VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R16G16_SFLOAT};
   for (size_t i = 0; i < warm + n; i++) {
      VkPhysicalDeviceImageFormatInfo2 info = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_IMAGE_FORMAT_INFO_2,
         .format = formats[i % PV_ARRAY_SIZE(formats)],
         .type = VK_IMAGE_TYPE_2D,
         .tiling = VK_IMAGE_TILING_OPTIMAL,
         .usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
      };
      VkImageFormatProperties2 props = {.sType = VK_STRUCTURE_TYPE_IMAGE_FORMAT_PROPERTIES_2};
      uint64_t t0 = pv_now_ns();
      PV_CHECK(vkGetPhysicalDeviceImageFormatProperties2(c.phys, &info, &props));
      uint64_t t = pv_now_ns() - t0;
      if (props.imageFormatProperties.maxExtent.width < 1024)
         pv_fail("implausible maxExtent.width %u", props.imageFormatProperties.maxExtent.width);
      if (i >= warm)
         us[i - warm] = (double)t / 1e3;
   }
   report("image_format", us, n);

   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   PV_CHECK(vkCreateFence(c.device, &fci, NULL, &fence));
   for (size_t i = 0; i < warm + n; i++) {
      uint64_t t0 = pv_now_ns();
      VkResult r = vkGetFenceStatus(c.device, fence);
      uint64_t t = pv_now_ns() - t0;
      if (r != VK_NOT_READY)
         pv_fail("vkGetFenceStatus of an unsignalled fence returned %d", (int)r);
      if (i >= warm)
         us[i - warm] = (double)t / 1e3;
   }
   report("fence_status", us, n);

   for (size_t i = 0; i < warm + n; i++) {
      uint64_t t0 = pv_now_ns();
      PV_CHECK(vkQueueSubmit(c.queue, 0, NULL, fence));
      PV_CHECK(vkWaitForFences(c.device, 1, &fence, VK_TRUE, UINT64_MAX));
      uint64_t t = pv_now_ns() - t0;
      if (vkGetFenceStatus(c.device, fence) != VK_SUCCESS)
         pv_fail("fence not signalled after vkWaitForFences");
      PV_CHECK(vkResetFences(c.device, 1, &fence));
      if (i >= warm)
         us[i - warm] = (double)t / 1e3;
   }
   report("submit_wait", us, n);

   for (size_t i = 0; i < warm + n; i++) {
      uint64_t t0 = pv_now_ns();
      PV_CHECK(vkQueueSubmit(c.queue, 0, NULL, fence));
      VkResult r;
      /* sched_yield: on a small machine a pure spin takes the core the host driver's queue
       * thread (lavapipe) or the renderer needs */
      while ((r = vkGetFenceStatus(c.device, fence)) == VK_NOT_READY)
         sched_yield();
      uint64_t t = pv_now_ns() - t0;
      if (r != VK_SUCCESS)
         pv_fail("vkGetFenceStatus returned %d", (int)r);
      PV_CHECK(vkResetFences(c.device, 1, &fence));
      if (i >= warm)
         us[i - warm] = (double)t / 1e3;
   }
   report("submit_poll", us, n);

   struct pv_buffer fb;
   pv_buffer_create(&c, &fb, 64, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   const struct fill_run fr = {&c, fence, us, warm, n};
   time_fill(&fr, &fb, fb.map, "submit_fill_poll", false);
   time_fill(&fr, &fb, fb.map, "submit_fill_spin", true);
   pv_buffer_destroy(&c, &fb);
   if (c.optional_enabled)
      time_imported_fill(&fr);
   else
      printf("INFO no %s: submit_import_fill_poll not run\n",
             VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
   report_yield_cost(us, n);

   vkDestroyFence(c.device, fence, NULL);
   pv_fini(&c);
   free(us);
   b_pass();
   return 0;
}
