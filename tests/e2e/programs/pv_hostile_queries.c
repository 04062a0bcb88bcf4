/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile cases of queries begun, ended and reset out of turn, and timestamps written into
 * pools of another type (the twelfth reading; src/vk/guard_query.c says what lavapipe does with
 * each: a SIGSEGV on its queue thread, writes into freed memory from its rasterizer threads,
 * its stack handed back as results). Each must lose the context and tell the guest.
 */
#include "pv_hostile.h"

/* A pool of PV_HOSTILE_QUERIES queries of `type` (pipeline statistics: the eleven core
 * counters), every one reset. */
static VkQueryPool
pool_of(struct pv_hostile *h, VkQueryType type)
{
   const VkQueryPoolCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = type,
      .queryCount = PV_HOSTILE_QUERIES,
      .pipelineStatistics = type == VK_QUERY_TYPE_PIPELINE_STATISTICS ? 0x7ffu : 0,
   };
   VkQueryPool pool;
   PV_CHECK(vkCreateQueryPool(h->c.device, &qci, NULL, &pool));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdResetQueryPool(cmd, pool, 0, PV_HOSTILE_QUERIES);
   pv_cmd_submit_wait(&h->c, cmd);
   return pool;
}

void
pv_hostile_query_end_unbegun(struct pv_hostile *h)
{
   VkQueryPool pool = pool_of(h, VK_QUERY_TYPE_OCCLUSION);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdEndQuery(cmd, pool, 1);
   pv_hostile_submit(h, cmd);
}

void
pv_hostile_query_reset_active(struct pv_hostile *h)
{
   VkQueryPool pool = pool_of(h, VK_QUERY_TYPE_OCCLUSION);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdBeginQuery(cmd, pool, 0, 0);
   vkCmdResetQueryPool(cmd, pool, 0, 1);
   vkCmdEndQuery(cmd, pool, 0);
   pv_hostile_submit(h, cmd);
}

void
pv_hostile_query_left_active(struct pv_hostile *h)
{
   VkQueryPool pool = pool_of(h, VK_QUERY_TYPE_OCCLUSION);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdBeginQuery(cmd, pool, 0, 0);
   pv_hostile_submit(h, cmd); /* ended with the query active */
   vkDestroyQueryPool(h->c.device, pool, NULL);
   pv_hostile_sync(h);
}

void
pv_hostile_query_timestamp_statistics(struct pv_hostile *h)
{
   VkQueryPool pool = pool_of(h, VK_QUERY_TYPE_PIPELINE_STATISTICS);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, 0);
   pv_hostile_submit(h, cmd);
   uint64_t v[11];
   PV_HOSTILE_NOTE(h, vkGetQueryPoolResults(h->c.device, pool, 0, 1, sizeof(v), v, sizeof(v),
                                            VK_QUERY_RESULT_64_BIT));
   pv_hostile_sync(h);
}
