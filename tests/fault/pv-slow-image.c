/* SPDX-License-Identifier: MIT */
/*
 * pv-slow-image: one synchronous call that the host driver takes 20 s to answer
 * (tests/fault/pv_crash_layer.c: an image 7778 texels wide). A Mesa 25 guest waits for it on its
 * ring and aborts at a watchdog check (after ~3.5 s and ~14 s of waiting) unless the renderer
 * keeps setting the ring's ALIVE bit; it must come back with VK_SUCCESS.
 */
#include <stdio.h>
#include <time.h>

#include "pv_common.h"

int
main(void)
{
   struct pv_ctx c;
   pv_init(&c, "pv-slow-image", NULL);
   const VkImageCreateInfo info = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
                                   .imageType = VK_IMAGE_TYPE_2D,
                                   .format = VK_FORMAT_R8G8B8A8_UNORM,
                                   .extent = {7778, 1, 1},
                                   .mipLevels = 1,
                                   .arrayLayers = 1,
                                   .samples = VK_SAMPLE_COUNT_1_BIT,
                                   .tiling = VK_IMAGE_TILING_OPTIMAL,
                                   .usage = VK_IMAGE_USAGE_SAMPLED_BIT,
                                   .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
   struct timespec t0, t1;
   clock_gettime(CLOCK_MONOTONIC, &t0);
   VkImage image;
   PV_CHECK(vkCreateImage(c.device, &info, NULL, &image));
   clock_gettime(CLOCK_MONOTONIC, &t1);
   double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
   vkDestroyImage(c.device, image, NULL);
   pv_pass(&c, "a %.1f s host call answered, the guest's watchdog kept quiet", s);
   pv_fini(&c);
   return 0;
}
