/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_SERVER_H
#define PV_VTEST_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"
#include "vtest/sandbox.h"

/* Sockets one server listens on at once. */
#define VTEST_MAX_SOCKETS 8

/* One listening socket and the Venus wire format its clients speak (the vtest handshake cannot
 * tell Mesa 22.3.6 from 25.0 apart, so the socket decides). */
struct vtest_socket_option {
   const char *path;
   uint32_t wire_format;
};

struct vtest_server_options {
   struct vtest_socket_option sockets[VTEST_MAX_SOCKETS];
   unsigned socket_count;
   /* Serve each client in a forked process (default) or, for debugging, in a thread. */
   bool use_threads;
   /* Serve one client, then return (tests and debugging). */
   bool single_client;
   /* Do not load the host driver's library before forking clients (driver_preload.h). */
   bool no_driver_preload;
   /* Who client processes run as and what they may call (sandbox.h). */
   struct vtest_sandbox_options sandbox;
   /* Everything but wire_format, which comes from the client's socket. */
   struct pv_renderer_config renderer;
};

/* Listens on every socket and serves until SIGINT/SIGTERM. Returns a process exit code. */
int vtest_server_run(const struct vtest_server_options *options);

#endif
