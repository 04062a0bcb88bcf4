/* SPDX-License-Identifier: MIT */
/*
 * pv-crash-image: asks for an image 7777 texels wide, which tests/fault/pv_crash_layer.c turns
 * into a crash of the host driver inside the server process serving this client. The server
 * answers VK_ERROR_DEVICE_LOST (issue 12: the context is lost, the guest told); exits 1 then,
 * 2 on any other answer. `pv-crash-image WIDTH` asks for another width (the layer's other
 * misbehaviours); when that image is created it prints so and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pv_common.h"

int
main(int argc, char **argv)
{
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
