/* SPDX-License-Identifier: MIT */
/*
 * The server's control socket: `pearvisor-gpu stats` asks a running server what its clients are
 * doing through it (vtest_stats.h).
 *
 * Who may ask: the socket is mode 0600 in a directory of mode 0700 that the server's user owns
 * (the default directory is created so, an existing one is refused unless it is so), and every
 * connection's peer credentials are checked again (the server's user or root), so a
 * misconfigured --control path does not open the statistics — which name guest processes — to
 * other users. The protocol is one request line ("stats", "ping") and a text reply; the server's
 * accept loop answers it, waiting at most VTEST_CONTROL_TIMEOUT_MS for each piece of the request
 * and VTEST_CONTROL_SEND_TIMEOUT_MS for the reader, so a client that connects and says nothing
 * only delays the next guest's connection a moment.
 */
#ifndef PV_VTEST_CONTROL_H
#define PV_VTEST_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

/* 200 ms was too short on a loaded machine: an ASan-built `stats` scheduled out between its
 * connect and its request got the connection closed under it (reset, "reading failed"; CI's
 * asan-stats-process). Only the server's user or root can connect, so the longer stall a silent
 * client can cause is theirs. */
#define VTEST_CONTROL_TIMEOUT_MS 1000
/* A reader that takes no bytes for this long gets the rest of its reply cut off. */
#define VTEST_CONTROL_SEND_TIMEOUT_MS 1000
/* Longest request line read. */
#define VTEST_CONTROL_MAX_REQUEST 128

/* The default control socket path of this user: $TMPDIR-independent /tmp/pearvisor-gpu-UID/control
 * (e2e tests run in a private /tmp). */
void vtest_control_default_path(char *buf, size_t size);

/* Binds the control socket at `path` (creating its directory 0700 when missing). Returns the
 * listening fd, or -1 (logged as a warning: the server runs without one). */
int vtest_control_open(const char *path);
/* Accepts one connection on `listen_fd` and answers its request. */
void vtest_control_serve_one(int listen_fd);
/* Closes the socket and removes its file. */
void vtest_control_close(int listen_fd, const char *path);

/* The stats reply (VTEST_STATS_MAGIC, a line per client, "end"): malloc'ed, NUL-terminated. */
char *vtest_control_stats_reply(size_t *len);

#endif
