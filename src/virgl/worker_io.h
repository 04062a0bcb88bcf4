/* SPDX-License-Identifier: MIT */
/* Framing of the worker protocol (worker_protocol.h) on a stream socket, both ends. */
#ifndef PV_VIRGL_WORKER_IO_H
#define PV_VIRGL_WORKER_IO_H

#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include "virgl/worker_protocol.h"

/* Room for one fd in a message's control data. */
union pvw_fd_control {
   struct cmsghdr align;
   char buf[CMSG_SPACE(sizeof(int))];
};

/* Attaches `fd` to `msg` (SCM_RIGHTS), with `cm` as its control buffer. */
void pvw_attach_fd(struct msghdr *msg, union pvw_fd_control *cm, int fd);

/*
 * Sends one message: header, `body`, then `extra` bytes, with `pass_fd` attached (-1: none).
 * Blocks until all is written. Returns 0, or -1 when the peer is gone.
 */
int pvw_send(int sock, uint32_t type, const void *body, size_t body_size, const void *extra,
             size_t extra_size, int pass_fd);

/*
 * Receives one message into `hdr` and a malloc'ed `*body` (NULL when empty; the caller frees
 * it); `*fd_out` gets an attached fd or -1. Returns 0, or -1 on EOF, error or a message larger
 * than PVW_MAX_BODY.
 */
int pvw_recv(int sock, struct pvw_header *hdr, void **body, int *fd_out);

/*
 * pvw_recv for a peer that may be hostile (the library reading a worker): once its first byte
 * is read, the message must be whole within `timeout_ms` (0: no limit) and its body at most
 * `max_body` bytes, else -1 as for a broken socket.
 */
int pvw_recv_bounded(int sock, struct pvw_header *hdr, void **body, int *fd_out, size_t max_body,
                     unsigned timeout_ms);

#endif
