/* SPDX-License-Identifier: MIT */
/*
 * Blocking waits. With allow_vk_wait_syncs the guest sends vkWaitForFences (and newer guests
 * vkWaitSemaphores) asynchronously on its ring and relies on the renderer really waiting there
 * before it runs the next command (venus-wire.md 1.8). They run on a ring thread, which may
 * block; the transport thread never does (DESIGN.md decision 4).
 */
#include "vk/pv_vk.h"

void
pv_vk_handle_WaitForFences(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkWaitForFences *a = args;
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   if (!d || !d->WaitForFences) {
      pv_venus_fatal(c, "vkWaitForFences: unknown device");
      return;
   }
   if (a->fenceCount == 0) {
      a->ret = VK_SUCCESS; /* invalid usage, harmless: nothing to wait for */
      return;
   }
   if (!a->pFences) {
      pv_venus_fatal(c, "vkWaitForFences: pFences missing");
      return;
   }
   for (uint32_t i = 0; i < a->fenceCount; i++) {
      if (a->pFences[i] == VK_NULL_HANDLE) {
         pv_venus_fatal(c, "vkWaitForFences: fence id 0");
         return;
      }
   }
   a->ret = d->WaitForFences(d->host, a->fenceCount, a->pFences, a->waitAll, a->timeout);
}

void
pv_vk_handle_WaitSemaphores(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkWaitSemaphores *a = args;
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   if (!d || !d->WaitSemaphores) {
      pv_venus_fatal(c, "vkWaitSemaphores: unknown device or no timeline semaphores");
      return;
   }
   const VkSemaphoreWaitInfo *info = a->pWaitInfo;
   if (!info) {
      pv_venus_fatal(c, "vkWaitSemaphores: pWaitInfo missing");
      return;
   }
   if (info->semaphoreCount == 0) {
      a->ret = VK_SUCCESS;
      return;
   }
   if (!info->pSemaphores || !info->pValues) {
      pv_venus_fatal(c, "vkWaitSemaphores: pSemaphores or pValues missing");
      return;
   }
   for (uint32_t i = 0; i < info->semaphoreCount; i++) {
      if (info->pSemaphores[i] == VK_NULL_HANDLE) {
         pv_venus_fatal(c, "vkWaitSemaphores: semaphore id 0");
         return;
      }
   }
   a->ret = d->WaitSemaphores(d->host, info, a->timeout);
}
