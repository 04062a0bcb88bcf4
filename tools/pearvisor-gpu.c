/* SPDX-License-Identifier: MIT */
/*
 * The `pearvisor-gpu` command: serve (the vtest server), info, protocol. Options follow the
 * getopt_long conventions (`--opt value` and `--opt=value`, `--` ends options); every subcommand
 * has --help, which exits 0; exit codes are in cli.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "pearvisor/pearvisor.h"
#include "pearvisor/version.h"
#include "cli.h"
#include "util/host_memory.h"
#include "util/log.h"

static void
usage(FILE *f)
{
   fprintf(f,
           "usage: pearvisor-gpu [--version] [--help] <command> [options]\n"
           "\n"
           "commands:\n"
           "  serve      serve Venus guests on vtest sockets\n"
           "  info       print what this build offers and check the host driver\n"
           "  protocol   per wire dialect: commands, decodable, with a handler (--stats)\n"
           "  stats      what each client of a running server is doing (--watch, --json,\n"
           "             --prometheus)\n"
           "  replay     run a capture (serve --record) without a guest, compare the results\n"
           "\n"
           "`pearvisor-gpu <command> --help` describes a command's options.\n"
           "\n" PV_CLI_EXIT_CODES);
}

bool
pv_cli_parse_size(const char *text, uint64_t *out)
{
   return pv_parse_size(text, false, out);
}

bool
pv_cli_set_log_level(const char *name)
{
   int level = pv_log_level_from_name(name);
   if (level < 0)
      return false;
   /* This program's copy of the logger (the vtest transport) and the library's. */
   pv_log_set_level((enum pv_log_level)level);
   pv_set_log_level((enum pv_log_level)level);
   return true;
}

/* The library's lines go out exactly like ours (journal prefixes included). */
static void
library_log(void *data, enum pv_log_level level, const char *message)
{
   (void)data;
   pv_log_write_stderr(level, message);
}

int
main(int argc, char **argv)
{
   static const struct option opts[] = {
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {0},
   };
   pv_set_log_callback(library_log, NULL);
   /* '+': stop at the first non-option, the command; its options are the command's. */
   int c;
   while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
      switch (c) {
      case 'h':
         usage(stdout);
         return PV_EXIT_OK;
      case 'V':
         printf("pearvisor-gpu %s\n", PV_VERSION_STRING);
         return PV_EXIT_OK;
      default:
         fprintf(stderr, "Try 'pearvisor-gpu --help'.\n");
         return PV_EXIT_USAGE;
      }
   }
   if (optind >= argc) {
      usage(stderr);
      return PV_EXIT_USAGE;
   }
   const char *cmd = argv[optind];
   /* The command's own getopt_long starts again at its argv[1]. */
   char **sub_argv = &argv[optind];
   int sub_argc = argc - optind;
   optind = 0;
   if (!strcmp(cmd, "serve"))
      return pv_cli_serve(sub_argc, sub_argv);
   if (!strcmp(cmd, "info"))
      return pv_cli_info(sub_argc, sub_argv);
   if (!strcmp(cmd, "protocol"))
      return pv_cli_protocol(sub_argc, sub_argv);
   if (!strcmp(cmd, "stats"))
      return pv_cli_stats(sub_argc, sub_argv);
   if (!strcmp(cmd, "replay"))
      return pv_cli_replay(sub_argc, sub_argv);
   if (!strcmp(cmd, "help")) {
      usage(stdout);
      return PV_EXIT_OK;
   }
   fprintf(stderr, "pearvisor-gpu: unknown command '%s'\n", cmd);
   usage(stderr);
   return PV_EXIT_USAGE;
}
