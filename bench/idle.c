/* SPDX-License-Identifier: MIT */
/*
 * bench-idle: an idle connected client. Prints "BASELINE" and waits 0.7 s, creates an instance
 * and a device, prints "READY" and sleeps SECONDS, then tears down. bench/run measures the
 * memory of the server process that serves it (or, natively, of this process) while it sleeps.
 * usage: bench-idle [--seconds S] [--quick]
 */
#include <stdio.h>
#include <time.h>

#include "bench.h"

int
main(int argc, char **argv)
{
   double seconds = 4;
   bool quick = false;
   const struct b_opt opts[] = {{"seconds", &seconds, NULL}, {"quick", NULL, &quick}};
   b_start("idle");
   b_parse(argc, argv, opts, PV_ARRAY_SIZE(opts));
   if (quick)
      seconds = 0.01;
   /* Before any Vulkan call (through Venus: before connecting), so bench/run can measure a
    * server that serves every client in one process without this client, then with it. */
   printf("BASELINE\n");
   fflush(stdout);
   struct timespec pause = {0, quick ? 0 : 700000000};
   nanosleep(&pause, NULL);
   struct pv_ctx c;
   b_init(&c);
   b_info(&c.props);
   printf("READY\n");
   fflush(stdout);
   struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
   nanosleep(&ts, NULL);
   pv_fini(&c);
   b_pass();
   return 0;
}
