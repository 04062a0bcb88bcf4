/* SPDX-License-Identifier: MIT */
/*
 * pv-quota: run through a server started with small per-client quotas
 * (--max-device-memory 64M --max-objects 64). Device memory and images are allocated until the
 * server refuses; the refusal must arrive as the Vulkan error a driver would give
 * (VK_ERROR_OUT_OF_DEVICE_MEMORY / VK_ERROR_OUT_OF_HOST_MEMORY), the device must keep working,
 * and freeing must give the quota back, also when the memory was freed while the queue still ran
 * (the host keeps it until the work ends, charged: the next allocation waits for that work and
 * gets the quota back, src/vk/graveyard.c). Natively there is no such limit, so this program only
 * makes sense through the server (it fails if no limit is hit within its bounds).
 *
 * pv-quota --lost: the same memory checks after the guest's context was lost (a refused
 * vkCmdFillBuffer past its buffer). A lost context still backs host-visible allocations with
 * plain shared memory so a Mesa 22.3.6 guest can build its fence feedback pool and be told
 * (src/vk/lost.c); that memory must stop at the same quota and be given back when freed, and the
 * next fence wait must return VK_ERROR_DEVICE_LOST.
 *
 * pv-quota --host-memory lost|served: through a server whose client processes may hold little
 * private memory (--max-host-memory, util/host_memory.h), or none. An occlusion query pool of
 * 2^25 queries, for which lavapipe allocates 256 MiB of its own (lvp_query.c: a pointer per
 * query), inside the device-memory quota. Mesa 22.3.6 creates query pools without waiting for
 * the result, so a pool the host could not make shows at its first use: vkGetQueryPoolResults
 * itself then reports VK_ERROR_DEVICE_LOST (`lost`: past the ceiling the driver's allocation
 * failed, and the context with it) or VK_NOT_READY (`served`: the query was never begun).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv_common.h"

#define CHUNK (16u << 20)
#define MAX_CHUNKS 64 /* 1 GiB: far above the test's quota */
#define MAX_IMAGES 4096

static struct pv_ctx c;

static uint32_t
host_visible_type(void)
{
   return pv_find_memory_type(&c, ~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
}

/* Allocates CHUNK-sized memory until refused; returns how many succeeded. */
static uint32_t
allocate_until_refused(VkDeviceMemory *mem)
{
   const VkMemoryAllocateInfo info = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                      .allocationSize = CHUNK,
                                      .memoryTypeIndex = host_visible_type()};
   for (uint32_t i = 0; i < MAX_CHUNKS; i++) {
      VkResult r = vkAllocateMemory(c.device, &info, NULL, &mem[i]);
      if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY)
         return i;
      if (r != VK_SUCCESS)
         pv_fail("vkAllocateMemory #%u returned %s", i, pv_result_name(r));
   }
   pv_fail("no device-memory limit within %u MiB: is the server running with quotas?",
           MAX_CHUNKS * (CHUNK >> 20));
}

static void
check_memory_quota(void)
{
   VkDeviceMemory mem[MAX_CHUNKS];
   uint32_t n = allocate_until_refused(mem);
   if (n == 0)
      pv_fail("not even one %u MiB allocation was allowed", CHUNK >> 20);
   /* The last allocation must still be usable: map it and write through it. */
   void *p;
   PV_CHECK(vkMapMemory(c.device, mem[n - 1], 0, VK_WHOLE_SIZE, 0, &p));
   memset(p, 0x5a, 4096);
   vkUnmapMemory(c.device, mem[n - 1]);
   for (uint32_t i = 0; i < n; i++)
      vkFreeMemory(c.device, mem[i], NULL);
   /* Freed memory went back to the quota: the same amount fits again. */
   uint32_t again = allocate_until_refused(mem);
   if (again != n)
      pv_fail("after freeing, %u allocations fit instead of %u", again, n);
   for (uint32_t i = 0; i < again; i++)
      vkFreeMemory(c.device, mem[i], NULL);
   printf("memory: %u x %u MiB allowed, then VK_ERROR_OUT_OF_DEVICE_MEMORY\n", n, CHUNK >> 20);
}

/* Memory freed while a submission still runs: the host keeps it, still charged, until the work
 * ends; allocations that need its quota must wait for that and succeed, as many as before. */
static void
check_kept_memory_quota(void)
{
   struct pv_buffer busy;
   pv_buffer_create(&c, &busy, CHUNK, VK_BUFFER_USAGE_TRANSFER_DST_BIT, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   for (uint32_t i = 0; i < 64; i++) /* a GiB of fills: the queue runs while the frees come */
      vkCmdFillBuffer(cmd, busy.buffer, 0, VK_WHOLE_SIZE, i);
   PV_CHECK(vkEndCommandBuffer(cmd));
   /* the fence first: a guest driver may allocate memory for its feedback */
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   PV_CHECK(vkCreateFence(c.device, &fci, NULL, &fence));
   VkDeviceMemory mem[MAX_CHUNKS];
   uint32_t n = allocate_until_refused(mem);
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   PV_CHECK(vkQueueSubmit(c.queue, 1, &si, fence));
   for (uint32_t i = 0; i < n; i++)
      vkFreeMemory(c.device, mem[i], NULL);
   uint32_t again = allocate_until_refused(mem);
   if (again != n)
      pv_fail("memory freed while the queue ran: %u allocations fit again instead of %u", again,
              n);
   PV_CHECK(vkWaitForFences(c.device, 1, &fence, VK_TRUE, UINT64_MAX));
   vkDestroyFence(c.device, fence, NULL);
   for (uint32_t i = 0; i < again; i++)
      vkFreeMemory(c.device, mem[i], NULL);
   pv_buffer_destroy(&c, &busy);
   printf("memory freed while the queue ran: %u x %u MiB allowed again\n", again, CHUNK >> 20);
}

/* vkCreateImage is a synchronous call in the Venus guest, so the refusal reaches the app. */
static uint32_t
create_images_until_refused(VkImage *img)
{
   const VkImageCreateInfo info = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
                                   .imageType = VK_IMAGE_TYPE_2D,
                                   .format = VK_FORMAT_R8G8B8A8_UNORM,
                                   .extent = {4, 4, 1},
                                   .mipLevels = 1,
                                   .arrayLayers = 1,
                                   .samples = VK_SAMPLE_COUNT_1_BIT,
                                   .tiling = VK_IMAGE_TILING_OPTIMAL,
                                   .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
                                   .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
   for (uint32_t i = 0; i < MAX_IMAGES; i++) {
      VkResult r = vkCreateImage(c.device, &info, NULL, &img[i]);
      if (r == VK_ERROR_OUT_OF_HOST_MEMORY)
         return i;
      if (r != VK_SUCCESS)
         pv_fail("vkCreateImage #%u returned %s", i, pv_result_name(r));
   }
   pv_fail("no object limit within %u images: is the server running with quotas?", MAX_IMAGES);
}

static void
check_object_quota(void)
{
   static VkImage img[MAX_IMAGES];
   uint32_t n = create_images_until_refused(img);
   if (n < 2)
      pv_fail("only %u images allowed", n);
   vkDestroyImage(c.device, img[n - 1], NULL);
   vkDestroyImage(c.device, img[n - 2], NULL);
   uint32_t more = create_images_until_refused(img + n - 2);
   if (more != 2)
      pv_fail("after destroying 2 images, %u could be created again", more);
   for (uint32_t i = 0; i < n; i++)
      vkDestroyImage(c.device, img[i], NULL);
   printf("objects: %u images allowed, then VK_ERROR_OUT_OF_HOST_MEMORY\n", n);
}

/* Loses the context: a fill past the end of a 4 KiB buffer is refused by the server. */
static void
lose_context(struct pv_buffer *b)
{
   pv_buffer_create(&c, b, 4096, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   vkCmdFillBuffer(cmd, b->buffer, 4096, 4096, 0x5a5a5a5au);
   vkEndCommandBuffer(cmd);
}

/* After the loss: a fence wait reports it (within the 10 s a told guest never needs). */
static void
check_told(void)
{
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   VkResult r = vkCreateFence(c.device, &fci, NULL, &fence);
   if (r != VK_SUCCESS)
      pv_fail("vkCreateFence after the loss returned %s", pv_result_name(r));
   r = vkQueueSubmit(c.queue, 0, NULL, fence);
   if (r == VK_SUCCESS)
      r = vkWaitForFences(c.device, 1, &fence, VK_TRUE, 10000000000ull);
   if (r != VK_ERROR_DEVICE_LOST)
      pv_fail("the fence wait after the loss returned %s, not VK_ERROR_DEVICE_LOST",
              pv_result_name(r));
}

/* A fill of a host-visible buffer, submitted and read back. */
static void
check_device_works(void)
{
   struct pv_buffer b;
   pv_buffer_create(&c, &b, 4096, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   vkCmdFillBuffer(cmd, b.buffer, 0, 4096, 0x5a5a5a5au);
   pv_cmd_submit_wait(&c, cmd);
   const uint32_t *w = b.map;
   for (uint32_t i = 0; i < 1024; i++)
      if (w[i] != 0x5a5a5a5au)
         pv_fail("word %u after the fill is 0x%08x", i, w[i]);
   pv_buffer_destroy(&c, &b);
}

static void
check_host_memory(const char *want)
{
   bool lost = strcmp(want, "lost") == 0;
   if (!lost && strcmp(want, "served") != 0)
      pv_fail("--host-memory takes lost or served, not '%s'", want);
   const VkQueryPoolCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = VK_QUERY_TYPE_OCCLUSION,
      .queryCount = 1u << 25,
   };
   VkQueryPool pool;
   VkResult r = vkCreateQueryPool(c.device, &qci, NULL, &pool);
   if (r == VK_SUCCESS) {
      uint64_t value = 0;
      r = vkGetQueryPoolResults(c.device, pool, 0, 1, sizeof(value), &value, sizeof(value),
                                VK_QUERY_RESULT_64_BIT);
   }
   /* The call that names the missing pool loses the context, and its own answer says so (the
    * renderer drops that stream, but writes the reply the guest waits for: lost). */
   if (lost && r != VK_ERROR_DEVICE_LOST && r != VK_ERROR_OUT_OF_HOST_MEMORY &&
       r != VK_ERROR_OUT_OF_DEVICE_MEMORY)
      pv_fail("a query pool of 2^25 queries past the host-memory ceiling: %s", pv_result_name(r));
   /* and the context stays lost */
   VkResult after =
      lost && r == VK_ERROR_DEVICE_LOST ? pv_fence_round_trip(&c) : VK_ERROR_DEVICE_LOST;
   if (after != VK_ERROR_DEVICE_LOST)
      pv_fail("the fence round trip after the loss returned %s", pv_result_name(after));
   if (!lost && r != VK_NOT_READY)
      pv_fail("a query pool of 2^25 queries without a ceiling: %s, not VK_NOT_READY",
              pv_result_name(r));
   if (!lost) {
      vkDestroyQueryPool(c.device, pool, NULL);
      check_device_works();
   }
   pv_pass(&c, "a query pool of 2^25 queries %s (%s)",
           lost ? "failed at the host-memory ceiling" : "was served", pv_result_name(r));
}

int
main(int argc, char **argv)
{
   pv_init(&c, "pv-quota", NULL);
   if (argc > 2 && strcmp(argv[1], "--host-memory") == 0) {
      check_host_memory(argv[2]);
      exit(0); /* a lost device's objects go with the process */
   }
   if (argc > 1 && strcmp(argv[1], "--lost") == 0) {
      struct pv_buffer b;
      lose_context(&b);
      check_memory_quota();
      check_told();
      pv_pass(&c, "after the loss, host-visible memory was served up to the quota, given back "
                  "when freed, and the fence wait reported VK_ERROR_DEVICE_LOST");
      exit(0); /* the lost device's objects go with the process */
   }
   check_memory_quota();
   check_kept_memory_quota();
   check_object_quota();
   /* The device still works after both refusals. */
   struct pv_buffer b;
   pv_buffer_create(&c, &b, 4096, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   pv_buffer_destroy(&c, &b);
   pv_pass(&c, "device-memory and object quotas refused with Vulkan errors and given back");
   pv_fini(&c);
   return 0;
}
