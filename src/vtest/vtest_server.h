/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_SERVER_H
#define PV_VTEST_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"
#include "vtest/sandbox.h"

/* Default of --max-clients: each client is a process (or thread) with its own host instance. */
#define VTEST_DEFAULT_MAX_CLIENTS 64u

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
   /* Clients served at once (processes or threads); more are refused. 0: the default. */
   unsigned max_clients;
   /* Who client processes run as and what they may call (sandbox.h). */
   struct vtest_sandbox_options sandbox;
   /* The control socket `pearvisor-gpu stats` reads (control.h): NULL the default path; not
    * opened with no_control or single_client. */
   const char *control_path;
   bool no_control;
   /* --record DIR: a capture file per client context (vtest_record.h); NULL: none. */
   const char *record_dir;
   uint64_t record_max; /* 0: VTEST_RECORD_DEFAULT_MAX */
   /* --max-host-memory: the ceiling on each client process's private writable memory
    * (util/host_memory.h). 0: the default for the renderer's quotas; PV_HOST_MEMORY_UNLIMITED:
    * none. With use_threads or single_client it bounds the serving process only when given. */
   uint64_t max_host_memory;
   /* Everything but wire_format, which comes from the client's socket. */
   struct pv_renderer_config renderer;
};

/* vtest_server_run's exit code when another live server listens on one of the sockets. */
#define VTEST_EXIT_IN_USE 3

/* Listens on every socket (or on the sockets inherited by socket activation, vtest_listen.h) and
 * serves until SIGINT/SIGTERM. Returns a process exit code: 0, 1 (cannot listen),
 * VTEST_EXIT_IN_USE. */
int vtest_server_run(const struct vtest_server_options *options);

#endif
