/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu replay FILE`: runs a capture (docs/CAPTURE.md) without a guest. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "pearvisor/pearvisor.h"
#include "cli.h"
#include "vtest/vtest_replay.h"

/* replay's own exit status: the replay ran and differed from the capture. */
#define PV_EXIT_DIVERGED 4

static void
replay_usage(FILE *f)
{
   fprintf(f,
           "usage: pearvisor-gpu replay [options] FILE\n"
           "\n"
           "Runs a capture made with `serve --record DIR` against a fresh renderer, without a\n"
           "guest: its command streams in their recorded order, host-visible memory restored\n"
           "where the guest wrote it, every reply and read-back compared with the recorded one.\n"
           "\n"
           "      --icd=PATH          host Vulkan ICD manifest (default: the Vulkan loader's)\n"
           "      --gpu=WHICH         host GPU, as for serve\n"
           "      --validate          enable the Khronos validation layer on the host calls\n"
           "      --loop=N            replay N times (a benchmark) and print the timing\n"
           "      --partial           replay a capture without an end record (the server died\n"
           "                          or was killed while recording)\n"
           "      --log-level=LEVEL   error, warn (default) , info or debug\n"
           "  -h, --help              this text\n"
           "\n"
           "exit status: 0 the replay matched the capture, 1 the capture is refused (corrupt,\n"
           "truncated, another format version) or the renderer cannot start, 2 bad command\n"
           "line, 4 the replay diverged (a reply or read-back differs, a command fails now)\n");
}

enum replay_opt {
   OPT_ICD = 256,
   OPT_GPU,
   OPT_VALIDATE,
   OPT_LOOP,
   OPT_PARTIAL,
   OPT_LOG_LEVEL,
};

static const struct option replay_opts[] = {
   {"icd", required_argument, NULL, OPT_ICD},
   {"gpu", required_argument, NULL, OPT_GPU},
   {"validate", no_argument, NULL, OPT_VALIDATE},
   {"loop", required_argument, NULL, OPT_LOOP},
   {"partial", no_argument, NULL, OPT_PARTIAL},
   {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
   {"help", no_argument, NULL, 'h'},
   {0},
};

/* 0, 1 (--help) or -1 (bad command line). */
static int
parse(int argc, char **argv, struct pv_replay_config *cfg, uint64_t *loops)
{
   int c;
   while ((c = getopt_long(argc, argv, "h", replay_opts, NULL)) != -1) {
      switch (c) {
      case OPT_ICD:
         cfg->host_icd = optarg;
         break;
      case OPT_GPU:
         cfg->gpu = optarg;
         break;
      case OPT_VALIDATE:
         cfg->validate = true;
         break;
      case OPT_PARTIAL:
         cfg->partial = true;
         break;
      case OPT_LOOP:
         if (!pv_cli_parse_size(optarg, loops) || *loops == 0 || *loops > 1000000) {
            fprintf(stderr, "pearvisor-gpu replay: bad --loop '%s'\n", optarg);
            return -1;
         }
         break;
      case OPT_LOG_LEVEL:
         if (!pv_cli_set_log_level(optarg)) {
            fprintf(stderr, "pearvisor-gpu replay: unknown log level '%s'\n", optarg);
            return -1;
         }
         break;
      case 'h':
         return 1;
      default:
         return -1;
      }
   }
   if (argc - optind != 1) {
      fprintf(stderr, "pearvisor-gpu replay: %s\n",
              optind >= argc ? "which capture FILE?" : "one capture FILE at a time");
      return -1;
   }
   return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
   uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
   return x < y ? -1 : x > y;
}

static void
print_result(const char *file, const struct pv_replay_result *r)
{
   printf("capture %s: context '%s', wire format %u, %llu records%s%s\n", file, r->context_name,
          r->wire_format, (unsigned long long)r->records,
          r->capped ? " (cut at its size cap: only its start is replayed)" : "",
          r->cut ? "; the replay stopped where the records end" : "");
   printf("streams run: %llu; replies compared: %llu, %llu differ\n",
          (unsigned long long)r->streams, (unsigned long long)r->replies,
          (unsigned long long)r->reply_mismatches);
   printf("read-back bytes compared: %llu, %llu differ, %llu unverified (guest-written); memory "
          "restored: %llu bytes\n",
          (unsigned long long)r->readback_bytes, (unsigned long long)r->readback_mismatch_bytes,
          (unsigned long long)r->readback_unverified_bytes, (unsigned long long)r->restored_bytes);
}

static void
print_timing(const uint64_t *ns, uint64_t n)
{
   uint64_t *sorted = malloc(n * sizeof(*sorted));
   if (!sorted)
      return;
   memcpy(sorted, ns, n * sizeof(*sorted));
   qsort(sorted, n, sizeof(*sorted), cmp_u64);
   printf("timing over %llu replays: min %.3f ms, median %.3f ms, max %.3f ms\n",
          (unsigned long long)n, sorted[0] / 1e6, sorted[n / 2] / 1e6, sorted[n - 1] / 1e6);
   free(sorted);
}

int
pv_cli_replay(int argc, char **argv)
{
   struct pv_replay_config cfg = PV_REPLAY_CONFIG_INIT;
   uint64_t loops = 1;
   /* Only what goes wrong by default: a replay is a tool's run, not a server's log. */
   pv_cli_set_log_level("warn");
   int parsed = parse(argc, argv, &cfg, &loops);
   if (parsed) {
      if (parsed > 0) {
         replay_usage(stdout);
         return PV_EXIT_OK;
      }
      fprintf(stderr, "Try 'pearvisor-gpu replay --help'.\n");
      return PV_EXIT_USAGE;
   }
   const char *file = argv[optind];
   uint64_t *times = calloc(loops, sizeof(*times));
   if (!times)
      return PV_EXIT_FAILURE;
   int ret = 0;
   struct pv_replay_result r;
   /* The vtest messages the renderer never saw (sync objects) are replayed here. */
   struct vtest_replay vt;
   cfg.transport = vtest_replay_message;
   cfg.fence = vtest_replay_fence;
   cfg.transport_data = &vt;
   vtest_replay_init(&vt);
   for (uint64_t i = 0; i < loops && ret == 0; i++) {
      if (i) { /* each replay starts with no syncs, as its fresh renderer does */
         vtest_replay_fini(&vt);
         vtest_replay_init(&vt);
      }
      ret = pv_replay_file(file, &cfg, &r);
      times[i] = r.run_ns;
      if (loops > 1 && ret >= 0)
         printf("replay %llu: %.3f ms\n", (unsigned long long)i + 1, r.run_ns / 1e6);
   }
   if (ret < 0) {
      fprintf(stderr, "pearvisor-gpu replay: %s\n", r.message);
      vtest_replay_fini(&vt);
      free(times);
      return PV_EXIT_FAILURE;
   }
   print_result(file, &r);
   printf("transport messages: %llu (vtest), %llu of sync objects, %llu sync waits, %llu not "
          "met now, %llu malformed\n",
          (unsigned long long)vt.messages, (unsigned long long)vt.sync_messages,
          (unsigned long long)vt.waits, (unsigned long long)vt.waits_unmet,
          (unsigned long long)vt.malformed);
   vtest_replay_fini(&vt);
   if (loops > 1 && ret == 0)
      print_timing(times, loops);
   free(times);
   if (ret > 0) {
      printf("result: DIVERGED: %s\n", r.message);
      return PV_EXIT_DIVERGED;
   }
   printf("result: the replay matched the capture\n");
   return PV_EXIT_OK;
}
