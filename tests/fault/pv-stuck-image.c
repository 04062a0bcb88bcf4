/* SPDX-License-Identifier: MIT */
/*
 * Issue 12: a guest whose host call never returns, then vanishes. Submits one empty command
 * buffer and waits for its fence (a Mesa 25 guest then asks the renderer for an "infinite" host
 * wait, which the test layer checks arrives in bounded slices), then creates an image 7779 texels
 * wide, which the test layer (pv_crash_layer.c) never answers. The test kills this program and
 * times how long its server process survives it.
 */
#include <stdio.h>

#include "pv_common.h"

int
main(void)
{
   struct pv_ctx c;
   pv_init(&c, "pv-stuck-image", NULL);
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   pv_cmd_submit_wait(&c, cmd);
   const VkImageCreateInfo info = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
                                   .imageType = VK_IMAGE_TYPE_2D,
                                   .format = VK_FORMAT_R8G8B8A8_UNORM,
                                   .extent = {7779, 1, 1},
                                   .mipLevels = 1,
                                   .arrayLayers = 1,
                                   .samples = VK_SAMPLE_COUNT_1_BIT,
                                   .tiling = VK_IMAGE_TILING_OPTIMAL,
                                   .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
                                   .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
   printf("pv-stuck-image: creating the never-returning image\n");
   fflush(stdout);
   VkImage image;
   VkResult r = vkCreateImage(c.device, &info, NULL, &image);
   pv_fail("vkCreateImage returned (%s); the test layer should never answer it", pv_result_name(r));
}
