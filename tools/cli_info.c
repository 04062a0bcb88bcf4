/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu info` and `pearvisor-gpu protocol --stats`. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "pearvisor/pearvisor.h"
#include "pearvisor/version.h"
#include "protocol/pv_protocol_stats.h"
#include "renderer/renderer.h"
#include "cli.h"

static const struct option help_only[] = {
   {"help", no_argument, NULL, 'h'},
   {0},
};

static void
info_usage(FILE *f)
{
   fprintf(f,
           "usage: pearvisor-gpu info [--help]\n"
           "\n"
           "Prints this build's version and, per Venus wire format, what the renderer serves.\n"
           "\n" PV_CLI_EXIT_CODES);
}

int
pv_cli_info(int argc, char **argv)
{
   int c;
   while ((c = getopt_long(argc, argv, "h", help_only, NULL)) != -1) {
      if (c != 'h') {
         fprintf(stderr, "Try 'pearvisor-gpu info --help'.\n");
         return PV_EXIT_USAGE;
      }
      info_usage(stdout);
      return PV_EXIT_OK;
   }
   if (optind < argc) {
      fprintf(stderr, "pearvisor-gpu info: unexpected argument '%s'\n", argv[optind]);
      return PV_EXIT_USAGE;
   }
   printf("pearvisor-gpu %s\n", PV_VERSION_STRING);
   for (uint32_t wire = 0; wire <= 1; wire++) {
      const struct pv_renderer_config config = {.wire_format = wire};
      struct pv_renderer *r = pv_renderer_create(&config);
      printf("renderer (--wire %u): %s\n", wire, r ? pv_renderer_describe(r) : "unavailable");
      pv_renderer_destroy(r);
   }
   return PV_EXIT_OK;
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

static const pv_handler_fn *
served_overrides(const char *dialect, void *data)
{
   const struct pv_dialect *d = pv_renderer_dialect_by_name(data, dialect);
   return d ? d->overrides : NULL;
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
   struct pv_renderer *r = pv_renderer_create(NULL);
   if (!r)
      return PV_EXIT_FAILURE;
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
   pv_protocol_print_stats(stdout, served_overrides, r, verified_dir);
   pv_renderer_destroy(r);
   return PV_EXIT_OK;
}
