/* SPDX-License-Identifier: MIT */
/*
 * The arrays a submission's chained structs give per semaphore and command buffer (guard.h).
 *
 * Mesa's common runtime turns a VkSubmitInfo into a VkSubmitInfo2 (vk_synchronization2.c,
 * 22.3; vk_synchronization.c, 25.0) by reading VkTimelineSemaphoreSubmitInfo's values and
 * VkDeviceGroupSubmitInfo's device indices and masks at every index below VkSubmitInfo's own
 * counts, whatever counts the chained struct gives. The decoder sizes each array by the count
 * the struct gives, so a shorter one was read past its end: the values after a 1-element signal
 * array became three more semaphores' counters, readable by the guest (a helper's native run on
 * lavapipe 22.3.6, 2026-12-07), and a group struct with no masks read through NULL (SIGSEGV in
 * vkQueueSubmit; with `--threads` the server's). Vulkan requires the counts to match: a timeline
 * struct's nonzero counts (VkSubmitInfo VUIDs pNext-03240, 03241; VkBindSparseInfo pNext-03247,
 * 03248; Mesa reads a count of 0 as no values), a group struct's every count
 * (VkDeviceGroupSubmitInfo VUIDs waitSemaphoreCount-00082, commandBufferCount-00083,
 * signalSemaphoreCount-00084).
 */
#include "vk/guard.h"

#include "renderer/context.h"

static bool
timeline_counts_ok(struct pv_dispatch_ctx *c, const char *what, const void *chain, uint32_t waits,
                   uint32_t signals)
{
   const VkTimelineSemaphoreSubmitInfo *t =
      pv_vk_chain_find(chain, VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO);
   if (!t || ((!t->waitSemaphoreValueCount || t->waitSemaphoreValueCount == waits) &&
              (!t->signalSemaphoreValueCount || t->signalSemaphoreValueCount == signals)))
      return true;
   pv_venus_refuse(c, "%s: %u wait and %u signal values for %u and %u semaphores", what,
                   t->waitSemaphoreValueCount, t->signalSemaphoreValueCount, waits, signals);
   return false;
}

bool
pv_vk_submit_chains_ok(struct pv_dispatch_ctx *c, const char *what, uint32_t n,
                       const VkSubmitInfo *s)
{
   for (uint32_t i = 0; s && i < n; i++) {
      if (!timeline_counts_ok(c, what, s[i].pNext, s[i].waitSemaphoreCount,
                              s[i].signalSemaphoreCount))
         return false;
      const VkDeviceGroupSubmitInfo *g =
         pv_vk_chain_find(s[i].pNext, VK_STRUCTURE_TYPE_DEVICE_GROUP_SUBMIT_INFO);
      if (g && (g->waitSemaphoreCount != s[i].waitSemaphoreCount ||
                g->commandBufferCount != s[i].commandBufferCount ||
                g->signalSemaphoreCount != s[i].signalSemaphoreCount)) {
         pv_venus_refuse(c,
                         "%s: a device group struct's counts (%u, %u, %u) are not the "
                         "batch's (%u, %u, %u)",
                         what, g->waitSemaphoreCount, g->commandBufferCount,
                         g->signalSemaphoreCount, s[i].waitSemaphoreCount, s[i].commandBufferCount,
                         s[i].signalSemaphoreCount);
         return false;
      }
   }
   return true;
}

bool
pv_vk_bind_sparse_chains_ok(struct pv_dispatch_ctx *c, uint32_t n, const VkBindSparseInfo *b)
{
   for (uint32_t i = 0; b && i < n; i++)
      if (!timeline_counts_ok(c, "vkQueueBindSparse", b[i].pNext, b[i].waitSemaphoreCount,
                              b[i].signalSemaphoreCount))
         return false;
   return true;
}
