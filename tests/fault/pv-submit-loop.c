/* SPDX-License-Identifier: MIT */
/*
 * pv-submit-loop: submits small batches (a fill of a 1 MiB buffer, 64 submissions per fence
 * wait) forever, for tests/fault/test-kill-mid-submit, which kills it with SIGKILL while it is
 * busy. Prints "pv-submit-loop: submitting" once the first batch has completed and then a count
 * every 256 waits, or every N with --every N (tests/vm crash measures a bystander's progress in
 * these lines: finer steps tell a slow emulated guest from a stalled one).
 * usage: pv-submit-loop [--every N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv_common.h"

int
main(int argc, char **argv)
{
   unsigned long every = 256;
   if (argc == 3 && !strcmp(argv[1], "--every"))
      every = strtoul(argv[2], NULL, 10);
   if ((argc != 1 && argc != 3) || every == 0)
      pv_fail("usage: pv-submit-loop [--every N]  (N >= 1)");
   struct pv_ctx c;
   pv_init(&c, "pv-submit-loop", NULL);
   struct pv_buffer b;
   pv_buffer_create(&c, &b, 1u << 20, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
   const VkCommandBufferAllocateInfo alloc = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = c.pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1};
   VkCommandBuffer cmd;
   PV_CHECK(vkAllocateCommandBuffers(c.device, &alloc, &cmd));
   const VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   PV_CHECK(vkBeginCommandBuffer(cmd, &begin));
   vkCmdFillBuffer(cmd, b.buffer, 0, VK_WHOLE_SIZE, 0x5a5a5a5a);
   PV_CHECK(vkEndCommandBuffer(cmd));
   const VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   PV_CHECK(vkCreateFence(c.device, &fence_info, NULL, &fence));
   const VkSubmitInfo submit = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                                .commandBufferCount = 1,
                                .pCommandBuffers = &cmd};
   for (unsigned long waits = 0;; waits++) {
      for (unsigned i = 0; i < 63; i++)
         PV_CHECK(vkQueueSubmit(c.queue, 1, &submit, VK_NULL_HANDLE));
      PV_CHECK(vkQueueSubmit(c.queue, 1, &submit, fence));
      PV_CHECK(vkWaitForFences(c.device, 1, &fence, VK_TRUE, UINT64_MAX));
      PV_CHECK(vkResetFences(c.device, 1, &fence));
      if (waits == 0)
         printf("pv-submit-loop: submitting\n");
      else if (waits % every == 0)
         printf("pv-submit-loop: %lu submissions\n", waits * 64);
      fflush(stdout);
   }
}
