/* SPDX-License-Identifier: MIT */
/* Exact-size socket reads and writes, and fd passing over a Unix socket. */
#ifndef PV_VTEST_IO_H
#define PV_VTEST_IO_H

#include <stddef.h>
#include <stdint.h>

/* Reads exactly `size` bytes; returns 0, or -1 on EOF or error. */
int vtest_read_full(int sock, void *buf, size_t size);
/* Reads and discards `size` bytes; returns 0, or -1 on EOF or error. */
int vtest_skip(int sock, uint64_t size);
/* Writes exactly `size` bytes; returns 0 or -1. */
int vtest_write_full(int sock, const void *buf, size_t size);
/* Writes a reply: header {dwords, cmd} then `dwords` payload words. */
int vtest_write_reply(int sock, uint32_t cmd, const uint32_t *payload, uint32_t dwords);
/* Sends `fd` as SCM_RIGHTS on a one-byte message (the caller keeps its fd). */
int vtest_send_fd(int sock, int fd);

#endif
