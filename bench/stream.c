/* SPDX-License-Identifier: MIT */
/*
 * bench-stream: command throughput. Records command buffers of GROUPS x (vkCmdSetViewport,
 * vkCmdSetScissor, vkCmdPushConstants, vkCmdDispatch of an empty kernel) and submits them with
 * DEPTH command buffers in flight, for SECONDS. Reports commands per second (recording,
 * submission and execution together; the bind and the four commands of each group count);
 * then, for SECONDS / 2, only records them (record_cmds_per_s: what the renderer decodes and has
 * the host driver record, with nothing executed); --record-seconds R records for R seconds
 * instead (a profile of the recording alone: a short --seconds and a long R).
 * --pool-reset: each command buffer in a pool of its own, reset with vkResetCommandPool before
 * the command buffer is recorded again (as many engines do per frame).
 * --churn: each use of a command buffer destroys the buffer its previous use filled, makes a new
 * one and fills it, and resets its own descriptor pool for a set naming the new one, which it
 * binds (a per-frame transient buffer and descriptor pool, while the next frame runs).
 * --churn-memory: --churn, and the buffer's memory is freed and allocated again with it, and
 * each use writes a timestamp into a query pool made for it, destroyed at the same point.
 * usage: bench-stream [--seconds S] [--groups G] [--depth D] [--pool-reset] [--churn]
 *                     [--churn-memory] [--record-seconds R] [--quick]
 */
#include <stdio.h>

#include "bench.h"

int
main(int argc, char **argv)
{
   double seconds = 2, groups = 256, depth = 2, record_seconds = -1;
   bool quick = false, pool_reset = false, churn = false, churn_memory = false;
   const struct b_opt opts[] = {
      {"pool-reset", NULL, &pool_reset},
      {"churn", NULL, &churn},
      {"churn-memory", NULL, &churn_memory},
      {"seconds", &seconds, NULL},
      {"record-seconds", &record_seconds, NULL},
      {"groups", &groups, NULL},
      {"depth", &depth, NULL},
      {"quick", NULL, &quick},
   };
   b_start("stream");
   b_parse(argc, argv, opts, PV_ARRAY_SIZE(opts));
   if (quick)
      seconds = 0.05, groups = 16;
   if (groups < 1 || groups > 1e6)
      pv_fail("--groups out of range");

   struct pv_ctx c;
   b_init(&c);
   b_info(&c.props);
   struct b_stream s;
   b_stream_init_pools(&c, &s, (uint32_t)depth, pool_reset);
   if (churn_memory)
      b_stream_churn_memory(&c, &s);
   else if (churn)
      b_stream_churn(&c, &s);
   b_stream_run(&c, &s, (uint32_t)groups, seconds / 10, NULL); /* warm-up */
   uint64_t cmds;
   double rate = b_stream_run(&c, &s, (uint32_t)groups, seconds, &cmds);
   if (record_seconds < 0)
      record_seconds = seconds / 2;
   double record = b_stream_record(&c, &s, (uint32_t)groups, record_seconds);
   b_stream_fini(&c, &s);
   pv_fini(&c);
   b_result("cmds_per_s", rate, "cmd/s");
   b_result("cmds", (double)cmds, "cmd");
   b_result("record_cmds_per_s", record, "cmd/s");
   b_pass();
   return 0;
}
