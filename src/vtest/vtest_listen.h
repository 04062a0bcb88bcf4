/* SPDX-License-Identifier: MIT */
/* The listening sockets of the vtest server: bound here, or inherited (socket activation). */
#ifndef PV_VTEST_LISTEN_H
#define PV_VTEST_LISTEN_H

#include <stdbool.h>
#include <stdint.h>

#include "vtest/vtest_server.h"

/* vtest_listen_on's result when another live server accepts connections on the path. */
#define VTEST_LISTEN_IN_USE (-2)

/*
 * Binds and listens on `path`. A socket file left by a server that is gone (connect() refused) is
 * replaced; one a live server still accepts on is left alone (VTEST_LISTEN_IN_USE), and a path
 * that is not a socket is never touched. Returns the fd, VTEST_LISTEN_IN_USE or -1 (logged).
 */
int vtest_listen_on(const char *path);

struct vtest_listener {
   int fd;
   uint32_t wire_format;
   char path[108]; /* for the log; "" when unnamed */
};

/*
 * Socket activation (systemd's LISTEN_FDS protocol, implemented here without libsystemd: it is
 * three environment variables, and the server then builds and runs the same on hosts without
 * systemd, macOS included). When LISTEN_PID is this process, takes the LISTEN_FDS inherited
 * listening sockets from fd 3 on, up to `max`, and unsets the variables. A socket's wire format
 * comes from its name in LISTEN_FDNAMES ("wire0"/"wire1", the unit's FileDescriptorName=), else
 * from the --socket entry with its path, else 0. Returns how many (0: not activated), or -1 when
 * an inherited fd is not a listening stream socket.
 */
int vtest_listen_inherited(const struct vtest_server_options *o, struct vtest_listener *out,
                           unsigned max);

#endif
