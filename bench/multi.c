/* SPDX-License-Identifier: MIT */
/*
 * bench-multi: CLIENTS processes run the stream workload (bench-stream) at the same time, each
 * with its own Vulkan instance and device (so through a vtest server: its own connection and
 * context). Every child sets up first; all start together and run for SECONDS. Reports each
 * client's commands per second, the aggregate, the mean and the slowest client's share of the
 * mean.
 * usage: bench-multi [--clients N] [--seconds S] [--groups G] [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static void
child(int ready_fd, int go_fd, int result_fd, uint32_t groups, double seconds)
{
   struct pv_ctx c;
   b_init(&c);
   struct b_stream s;
   b_stream_init(&c, &s, 2);
   b_stream_run(&c, &s, groups, 0.01, NULL); /* warm-up */
   char byte = 'r';
   if (write(ready_fd, &byte, 1) != 1 || read(go_fd, &byte, 1) != 1)
      pv_fail("start barrier");
   double rate = b_stream_run(&c, &s, groups, seconds, NULL);
   if (write(result_fd, &rate, sizeof(rate)) != sizeof(rate))
      pv_fail("result pipe");
   b_stream_fini(&c, &s);
   pv_fini(&c);
   exit(0);
}

int
main(int argc, char **argv)
{
   double clients = 8, seconds = 2, groups = 256;
   bool quick = false;
   const struct b_opt opts[] = {
      {"clients", &clients, NULL},
      {"seconds", &seconds, NULL},
      {"groups", &groups, NULL},
      {"quick", NULL, &quick},
   };
   b_start("multi");
   b_parse(argc, argv, opts, PV_ARRAY_SIZE(opts));
   if (quick)
      clients = 2, seconds = 0.05, groups = 16;
   uint32_t n = (uint32_t)clients;
   if (n < 1 || n > 64)
      pv_fail("--clients must be 1..64");

   int ready[2], go[2];
   if (pipe(ready) || pipe(go))
      pv_fail("pipe");
   int results[64][2];
   pid_t pids[64];
   fflush(stdout);
   for (uint32_t i = 0; i < n; i++) {
      if (pipe(results[i]))
         pv_fail("pipe");
      pids[i] = fork();
      if (pids[i] < 0)
         pv_fail("fork");
      if (pids[i] == 0)
         child(ready[1], go[0], results[i][1], (uint32_t)groups, seconds);
      close(results[i][1]);
   }
   for (uint32_t i = 0; i < n; i++) {
      char byte;
      if (read(ready[0], &byte, 1) != 1)
         pv_fail("a client died during set-up");
   }
   char go_bytes[64];
   memset(go_bytes, 'g', sizeof(go_bytes));
   if (write(go[1], go_bytes, n) != (ssize_t)n)
      pv_fail("start barrier");
   double rates[64], sum = 0, min = 0;
   for (uint32_t i = 0; i < n; i++) {
      if (read(results[i][0], &rates[i], sizeof(rates[i])) != sizeof(rates[i]))
         pv_fail("client %u died", i);
      sum += rates[i];
      min = i == 0 || rates[i] < min ? rates[i] : min;
   }
   for (uint32_t i = 0; i < n; i++) {
      int st;
      if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
         pv_fail("client %u failed", i);
   }
   for (uint32_t i = 0; i < n; i++) {
      char metric[32];
      snprintf(metric, sizeof(metric), "client%u_cmds_per_s", i);
      b_result(metric, rates[i], "cmd/s");
   }
   b_result("aggregate_cmds_per_s", sum, "cmd/s");
   b_result("mean_cmds_per_s", sum / n, "cmd/s");
   b_result("min_over_mean", min / (sum / n), "ratio");
   b_pass();
   return 0;
}
