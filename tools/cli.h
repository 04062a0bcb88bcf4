/* SPDX-License-Identifier: MIT */
/* The `pearvisor-gpu` command's pieces: one file per subcommand, shared conventions here. */
#ifndef PV_TOOLS_CLI_H
#define PV_TOOLS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes, the same for every subcommand (and in --help and the man page). */
enum pv_cli_exit {
   PV_EXIT_OK = 0,      /* done; for serve: stopped by SIGINT/SIGTERM or --once served */
   PV_EXIT_FAILURE = 1, /* runtime failure: cannot listen, host driver cannot be loaded, ... */
   PV_EXIT_USAGE = 2,   /* bad command line: unknown option, missing or bad value */
   PV_EXIT_IN_USE =
      3, /* serve: another live server listens on one of the sockets (VTEST_EXIT_IN_USE) */
};

#define PV_CLI_EXIT_CODES                                                                          \
   "exit status: 0 success, 1 runtime failure (cannot listen, host driver cannot be\n"             \
   "loaded, ...), 2 bad command line, 3 another live server listens on the socket\n"

int pv_cli_serve(int argc, char **argv);
int pv_cli_info(int argc, char **argv);
int pv_cli_protocol(int argc, char **argv);
int pv_cli_stats(int argc, char **argv);
int pv_cli_replay(int argc, char **argv);

/* "64M" -> 64 << 20; false on garbage, 0 or overflow. */
bool pv_cli_parse_size(const char *text, uint64_t *out);

/* Applies --log-level NAME to this program and to the library; false for an unknown name. */
bool pv_cli_set_log_level(const char *name);

#endif
