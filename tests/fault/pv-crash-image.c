/* SPDX-License-Identifier: MIT */
/*
 * pv-crash-image: asks for an image 7777 texels wide, which tests/fault/pv_crash_layer.c turns
 * into a crash of the host driver inside the server process serving this client. The server
 * answers VK_ERROR_DEVICE_LOST (issue 12: the context is lost, the guest told); exits 1 then,
 * 2 on any other answer. `pv-crash-image WIDTH` asks for another width (the layer's other
 * misbehaviours); when that image is created it prints so and exits 0. `pv-crash-image fill`
 * records a vkCmdFillBuffer of the word the layer crashes on instead, then submits and waits
 * (the crash happens while the host records; exits 1 on VK_ERROR_DEVICE_LOST as above).
 * `pv-crash-image 7783`: the layer's host call overflows its stack instead; exits 1 on
 * VK_ERROR_DEVICE_LOST as above.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv_common.h"

/* The host driver crashes recording the fill: a call after it fails. */
static int
crash_in_fill(struct pv_ctx *c)
{
   struct pv_buffer b;
   pv_buffer_create(c, &b, 256, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
   printf("pv-crash-image: creating the crashing image (a fill of 0x7777dead)\n");
   fflush(stdout);
   VkCommandBuffer cmd = pv_cmd_begin(c);
   vkCmdFillBuffer(cmd, b.buffer, 0, 256, 0x7777deadu);
   const char *step = "vkEndCommandBuffer";
   VkResult r = vkEndCommandBuffer(cmd);
   VkFence fence = VK_NULL_HANDLE;
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   if (r == VK_SUCCESS) {
      step = "vkCreateFence";
      r = vkCreateFence(c->device, &fci, NULL, &fence);
   }
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};
   if (r == VK_SUCCESS) {
      step = "vkQueueSubmit";
      r = vkQueueSubmit(c->queue, 1, &si, fence);
   }
   if (r == VK_SUCCESS) {
      step = "vkWaitForFences";
      r = vkWaitForFences(c->device, 1, &fence, VK_TRUE, 30ull * 1000000000ull);
   }
   /* Mesa 22.3.6 answers VK_ERROR_DEVICE_LOST at the fence wait; 25.0.7 sees its ring's FATAL
    * bit first and fails the next call it sends (vkCreateFence: VK_ERROR_OUT_OF_HOST_MEMORY). */
   if (r != VK_SUCCESS) {
      printf("pv-crash-image: recording the fill: %s: %s (the host driver crashed)\n", step,
             pv_result_name(r));
      return 1;
   }
   printf("pv-crash-image: the fill: %s returned %s (the crash layer was not loaded?)\n", step,
          pv_result_name(r));
   return 2;
}

int
main(int argc, char **argv)
{
   if (argc > 1 && !strcmp(argv[1], "fill")) {
      struct pv_ctx c;
      pv_init(&c, "pv-crash-image", NULL);
      return crash_in_fill(&c);
   }
   const uint32_t width = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 7777u;
   struct pv_ctx c;
   pv_init(&c, "pv-crash-image", NULL);
   const VkImageCreateInfo info = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
                                   .imageType = VK_IMAGE_TYPE_2D,
                                   .format = VK_FORMAT_R8G8B8A8_UNORM,
                                   .extent = {width, 1, 1},
                                   .mipLevels = 1,
                                   .arrayLayers = 1,
                                   .samples = VK_SAMPLE_COUNT_1_BIT,
                                   .tiling = VK_IMAGE_TILING_OPTIMAL,
                                   .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
                                   .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
   printf("pv-crash-image: creating the crashing image (%u wide)\n", width);
   fflush(stdout);
   VkImage image;
   VkResult r = vkCreateImage(c.device, &info, NULL, &image);
   if (r == VK_ERROR_DEVICE_LOST) {
      printf("pv-crash-image: vkCreateImage: VK_ERROR_DEVICE_LOST (the host driver crashed)\n");
      return 1;
   }
   if (width != 7777u && r == VK_SUCCESS) {
      printf("pv-crash-image: image created\n");
      vkDestroyImage(c.device, image, NULL);
      pv_fini(&c);
      return 0;
   }
   printf("pv-crash-image: vkCreateImage returned %s (the crash layer was not loaded?)\n",
          pv_result_name(r));
   return 2;
}
