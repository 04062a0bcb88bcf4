/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_SERVER_H
#define PV_VTEST_SERVER_H

#include <stdbool.h>

#include "pearvisor/pearvisor.h"

struct vtest_server_options {
   const char *socket_path;
   /* Serve each client in a forked process (default) or, for debugging, in a thread. */
   bool use_threads;
   /* Serve one client, then return (tests and debugging). */
   bool single_client;
   struct pv_renderer_config renderer;
};

/* Listens and serves until SIGINT/SIGTERM. Returns a process exit code. */
int vtest_server_run(const struct vtest_server_options *options);

#endif
