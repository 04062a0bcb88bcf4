/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu info` and `pearvisor-gpu protocol --stats`. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "pearvisor/pearvisor.h"
#include "pearvisor/version.h"
#include "cli.h"
#include "util/os.h"

static void
info_usage(FILE *f)
{
   fprintf(f, "usage: pearvisor-gpu info [--icd=PATH] [--gpu=WHICH] [--help]\n"
              "\n"
              "Prints this build's version, what the renderer serves per Venus wire format, and\n"
              "the host GPUs a guest would see: it loads the host driver (the Vulkan loader's\n"
              "choice, or --icd) and fails when it cannot, or when no GPU matches --gpu.\n"
              "\n" PV_CLI_EXIT_CODES);
}

int
pv_cli_info(int argc, char **argv)
{
   static const struct option opts[] = {
      {"icd", required_argument, NULL, 'i'},
      {"gpu", required_argument, NULL, 'g'},
      {"help", no_argument, NULL, 'h'},
      {0},
   };
   struct pv_renderer_config config = PV_RENDERER_CONFIG_INIT;
   int c;
   while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
      if (c == 'i') {
         config.host_icd = optarg;
      } else if (c == 'g') {
         config.gpu = optarg;
      } else if (c == 'h') {
         info_usage(stdout);
         return PV_EXIT_OK;
      } else {
         fprintf(stderr, "Try 'pearvisor-gpu info --help'.\n");
         return PV_EXIT_USAGE;
      }
   }
   if (optind < argc) {
      fprintf(stderr, "pearvisor-gpu info: unexpected argument '%s'\n", argv[optind]);
      return PV_EXIT_USAGE;
   }
   printf("pearvisor-gpu %s (library %s), OS layer: %s\n", PV_VERSION_STRING,
          pv_version_string(), pv_os_layer_name());
   int ret = PV_EXIT_OK;
   for (uint32_t wire = 0; wire <= 1; wire++) {
      config.wire_format = wire;
      struct pv_renderer *r = pv_renderer_create(&config);
      printf("renderer (--wire %u): %s\n", wire, r ? pv_renderer_describe(r) : "unavailable");
      if (!r)
         ret = PV_EXIT_FAILURE;
      if (r && wire == 1) {
         char devices[4096];
         int n = pv_renderer_probe_host(r, devices, sizeof(devices));
         printf("host driver: %s\n", config.host_icd ? config.host_icd : "Vulkan loader default");
         if (n < 0) {
            printf("host GPUs: none usable (see the log)\n");
            ret = PV_EXIT_FAILURE;
         } else {
            printf("host GPUs the guest sees (%d):\n%s", n, devices);
         }
         char huge[256];
         printf("host-visible memory: %s\n", pv_os_shmem_huge_pages_text(huge, sizeof(huge)));
         unsigned quota = pv_os_cpu_quota_cpus();
         printf("CPUs usable: %u (%ld online; cgroup CPU quota: ", pv_os_cpus_usable(),
                sysconf(_SC_NPROCESSORS_ONLN));
         if (quota)
            printf("%u CPU%s of time a period)\n", quota, quota == 1 ? "" : "s");
         else
            printf("none)\n");
      }
      pv_renderer_destroy(r);
   }
   return ret;
}

static void
protocol_usage(FILE *f)
{
   fprintf(f,
           "usage: pearvisor-gpu protocol --stats\n"
           "\n"
           "Prints per Venus wire dialect: commands in the table, decodable, with a handler,\n"
           "never sent by the guest, round-trip verified (after make check), served.\n"
           "\n" PV_CLI_EXIT_CODES);
}

int
pv_cli_protocol(int argc, char **argv)
{
   static const struct option opts[] = {
      {"stats", no_argument, NULL, 's'},
      {"help", no_argument, NULL, 'h'},
      {0},
   };
   bool stats = false;
   int c;
   while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
      if (c != 's') {
         if (c != 'h') {
            fprintf(stderr, "Try 'pearvisor-gpu protocol --help'.\n");
            return PV_EXIT_USAGE;
         }
         protocol_usage(stdout);
         return PV_EXIT_OK;
      }
      stats = true;
   }
   if (!stats || optind < argc) {
      protocol_usage(stderr);
      return PV_EXIT_USAGE;
   }
   /* make check's conformance run writes <dialect>.verified into the build dir, where this
    * binary lives */
   char dir[4096];
   ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
   const char *verified_dir = NULL;
   if (n > 0) {
      dir[n] = '\0';
      char *slash = strrchr(dir, '/');
      if (slash) {
         *slash = '\0';
         verified_dir = dir;
      }
   }
   return pv_print_protocol_stats(stdout, verified_dir) ? PV_EXIT_FAILURE : PV_EXIT_OK;
}
