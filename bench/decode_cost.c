/* SPDX-License-Identifier: MIT */
/*
 * bench-decode-cost [--unchecked] [--icd JSON] FILE
 *
 * Replays a capture (docs/CAPTURE.md) once through the renderer, as `pearvisor-gpu replay` does,
 * for `bench/run --only decode-cost`, which runs it under callgrind and counts the instructions
 * per decoded command. --unchecked replays it with issue 12's value and state checks left out
 * (pv_vk_bench_unchecked, src/vk/guard.h): the same commit, the same input, once with and once
 * without them, so the difference is what the checks cost. This program links the static library
 * to reach that switch; the server has no way to turn the checks off.
 */
#include <stdio.h>
#include <string.h>

#include "pearvisor/pearvisor.h"
#include "vk/guard.h"

int
main(int argc, char **argv)
{
   struct pv_replay_config cfg = PV_REPLAY_CONFIG_INIT;
   const char *file = NULL;
   for (int i = 1; i < argc; i++) {
      if (!strcmp(argv[i], "--unchecked"))
         pv_vk_bench_unchecked = true;
      else if (!strcmp(argv[i], "--icd") && i + 1 < argc)
         cfg.host_icd = argv[++i];
      else if (argv[i][0] != '-' && !file)
         file = argv[i];
      else {
         fprintf(stderr, "usage: bench-decode-cost [--unchecked] [--icd JSON] FILE\n");
         return 2;
      }
   }
   if (!file) {
      fprintf(stderr, "usage: bench-decode-cost [--unchecked] [--icd JSON] FILE\n");
      return 2;
   }
   struct pv_replay_result r;
   memset(&r, 0, sizeof(r));
   int rc = pv_replay_file(file, &cfg, &r);
   printf("RESULT checks=%s streams=%llu replies=%llu reply_mismatches=%llu status=%d\n",
          pv_vk_bench_unchecked ? "off" : "on", (unsigned long long)r.streams,
          (unsigned long long)r.replies, (unsigned long long)r.reply_mismatches, rc);
   return rc;
}
