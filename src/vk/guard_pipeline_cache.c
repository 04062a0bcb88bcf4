/* SPDX-License-Identifier: MIT */
/*
 * Pipeline caches (guard.h). VK_PIPELINE_CACHE_CREATE_EXTERNALLY_SYNCHRONIZED_BIT lets a driver
 * leave its own locking of the cache out (Mesa's common cache does), trusting the application to
 * never use the cache from two threads at once. A guest's rings are such threads and a guest
 * may break that promise (pipelines created with the cache on two rings, or a merge into it on
 * one while another creates), corrupting the host driver's cache. The bit is only a hint, so the
 * host's cache is made without it: the driver locks, and a guest that keeps the promise loses
 * only the hint's saving.
 */
#include "vk/guard.h"

void
pv_guard_CreatePipelineCache(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreatePipelineCache *a = args;
   const VkPipelineCacheCreateInfo *guest = a->pCreateInfo;
   VkPipelineCacheCreateInfo info;
   if (guest && (guest->flags & VK_PIPELINE_CACHE_CREATE_EXTERNALLY_SYNCHRONIZED_BIT)) {
      info = *guest;
      info.flags &=
         ~(VkPipelineCacheCreateFlags)VK_PIPELINE_CACHE_CREATE_EXTERNALLY_SYNCHRONIZED_BIT;
      a->pCreateInfo = &info;
   }
   pv_handle_vkCreatePipelineCache(c, args);
   a->pCreateInfo = guest;
}
