/* SPDX-License-Identifier: MIT */
/*
 * pv-many-objects: creates N (default 100000) binary semaphores and keeps them all, then one
 * round trip (vkDeviceWaitIdle) so the server has created every one, and exits WITHOUT
 * destroying anything: the server must release them all when the client goes away
 * (tests/fault/test-many-objects).
 *
 * usage: pv-many-objects [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pv_common.h"

int
main(int argc, char **argv)
{
   unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
   struct pv_ctx c;
   pv_init(&c, "pv-many-objects", NULL);
   VkSemaphore *sems = calloc(n, sizeof(*sems));
   if (!sems)
      pv_fail("out of memory for %lu handles", n);
   const VkSemaphoreCreateInfo info = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
   uint64_t t0 = pv_now_ns();
   for (unsigned long i = 0; i < n; i++)
      PV_CHECK(vkCreateSemaphore(c.device, &info, NULL, &sems[i]));
   PV_CHECK(vkDeviceWaitIdle(c.device));
   pv_pass(&c, "%lu semaphores created in %.2f s, left for the server to release", n,
           (double)(pv_now_ns() - t0) / 1e9);
   fflush(stdout);
   _exit(0); /* no teardown at all: not even the device or the instance */
}
