/* SPDX-License-Identifier: MIT */
/*
 * bench-startup: time from nothing to a usable device, ITERS times in one process: vkCreateInstance,
 * vkEnumeratePhysicalDevices (+ properties, queue families), vkCreateDevice, then teardown. The
 * first iteration (loader and driver loading) is reported on its own; the rest as medians.
 * Through Venus each instance is a new connection and a new context on the server.
 * usage: bench-startup [--iters N] [--quick]
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

int
main(int argc, char **argv)
{
   double iters = 10;
   bool quick = false;
   const struct b_opt opts[] = {{"iters", &iters, NULL}, {"quick", NULL, &quick}};
   b_start("startup");
   b_parse(argc, argv, opts, PV_ARRAY_SIZE(opts));
   if (quick)
      iters = 2;
   size_t n = (size_t)iters;
   if (n < 2 || n > 10000)
      pv_fail("--iters must be 2..10000");
   double *inst = calloc(n, sizeof(double)), *enm = calloc(n, sizeof(double)),
          *dev = calloc(n, sizeof(double)), *total = calloc(n, sizeof(double)),
          *destroy = calloc(n, sizeof(double));
   VkPhysicalDeviceProperties props = {0};
   for (size_t i = 0; i < n; i++) {
      uint64_t t0 = pv_now_ns();
      VkApplicationInfo app = {
         .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
         .pApplicationName = "startup",
         .apiVersion = VK_API_VERSION_1_1,
      };
      VkInstanceCreateInfo ici = {
         .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
         .pApplicationInfo = &app,
      };
      VkInstance instance;
      PV_CHECK(vkCreateInstance(&ici, NULL, &instance));
      uint64_t t1 = pv_now_ns();
      uint32_t count = 1;
      VkPhysicalDevice phys;
      VkResult r = vkEnumeratePhysicalDevices(instance, &count, &phys);
      if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || !count)
         pv_fail("no physical device");
      vkGetPhysicalDeviceProperties(phys, &props);
      uint32_t nq = 0;
      vkGetPhysicalDeviceQueueFamilyProperties(phys, &nq, NULL);
      VkQueueFamilyProperties qf[16];
      nq = nq > 16 ? 16 : nq;
      vkGetPhysicalDeviceQueueFamilyProperties(phys, &nq, qf);
      uint32_t family = UINT32_MAX;
      for (uint32_t q = 0; q < nq && family == UINT32_MAX; q++) {
         if (qf[q].queueFlags & VK_QUEUE_COMPUTE_BIT)
            family = q;
      }
      if (family == UINT32_MAX)
         pv_fail("no compute queue");
      uint64_t t2 = pv_now_ns();
      const float prio = 1;
      VkDeviceQueueCreateInfo qci = {
         .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
         .queueFamilyIndex = family,
         .queueCount = 1,
         .pQueuePriorities = &prio,
      };
      VkDeviceCreateInfo dci = {
         .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
         .queueCreateInfoCount = 1,
         .pQueueCreateInfos = &qci,
      };
      VkDevice device;
      PV_CHECK(vkCreateDevice(phys, &dci, NULL, &device));
      VkQueue queue;
      vkGetDeviceQueue(device, family, 0, &queue);
      if (!queue)
         pv_fail("no queue");
      uint64_t t3 = pv_now_ns();
      vkDestroyDevice(device, NULL);
      vkDestroyInstance(instance, NULL);
      uint64_t t4 = pv_now_ns();
      inst[i] = (double)(t1 - t0) / 1e6;
      enm[i] = (double)(t2 - t1) / 1e6;
      dev[i] = (double)(t3 - t2) / 1e6;
      total[i] = (double)(t3 - t0) / 1e6;
      destroy[i] = (double)(t4 - t3) / 1e6;
   }
   b_info(&props);
   b_result("first_total_ms", total[0], "ms");
   b_result("total_ms", b_median(total + 1, n - 1), "ms");
   b_result("instance_ms", b_median(inst + 1, n - 1), "ms");
   b_result("enumerate_ms", b_median(enm + 1, n - 1), "ms");
   b_result("device_ms", b_median(dev + 1, n - 1), "ms");
   b_result("destroy_ms", b_median(destroy + 1, n - 1), "ms");
   free(inst), free(enm), free(dev), free(total), free(destroy);
   b_pass();
   return 0;
}
