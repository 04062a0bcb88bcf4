/* SPDX-License-Identifier: MIT */
/*
 * The vtest client side for unit tests: vtest_client_serve() runs in a thread on one end of a
 * socketpair and the test speaks the protocol on the other, with exact-size I/O from
 * src/vtest/vtest_io.c. Included by tests that need it (cmocka asserts).
 */
#ifndef PV_TESTS_VTEST_HARNESS_H
#define PV_TESTS_VTEST_HARNESS_H

#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vtest/vtest_client.h"
#include "vtest/vtest_io.h"
#include "vtest/vtest_protocol.h"

struct harness {
   int sock; /* our end */
   pthread_t thread;
   int server_sock;
   int server_ret;
   uint32_t wire; /* the socket's wire format */
};

static void *
harness_server_main(void *arg)
{
   struct harness *h = arg;
   struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                       .wire_format = h->wire};
   h->server_ret = vtest_client_serve(h->server_sock, &config);
   return NULL;
}

static inline void
start_wire(struct harness *h, uint32_t wire)
{
   h->wire = wire;
   int sv[2];
   assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
   h->sock = sv[0];
   h->server_sock = sv[1];
   assert_int_equal(pthread_create(&h->thread, NULL, harness_server_main, h), 0);
}

/* Closes our end (EOF for the server) and waits for the serving thread. */
static inline void
finish(struct harness *h)
{
   close(h->sock);
   pthread_join(h->thread, NULL);
}

/* A request is framed like a reply: {dwords, cmd} then the payload. */
static inline void
send_msg(struct harness *h, uint32_t cmd, const uint32_t *payload, uint32_t dwords)
{
   assert_int_equal(vtest_write_reply(h->sock, cmd, payload, dwords), 0);
}

/* Reads a reply header and checks it, then `dwords` payload words into `out`. */
static inline void
recv_reply(struct harness *h, uint32_t cmd, uint32_t *out, uint32_t dwords)
{
   uint32_t hdr[2];
   assert_int_equal(vtest_read_full(h->sock, hdr, sizeof(hdr)), 0);
   assert_int_equal(hdr[1], cmd);
   assert_int_equal(hdr[0], dwords);
   if (dwords)
      assert_int_equal(vtest_read_full(h->sock, out, dwords * 4u), 0);
}

/* The fd that follows a reply (one byte + SCM_RIGHTS); the caller owns it. */
static inline int
recv_fd(struct harness *h)
{
   char byte;
   struct iovec iov = {.iov_base = &byte, .iov_len = 1};
   union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
   } control;
   struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
   assert_int_equal(recvmsg(h->sock, &msg, 0), 1);
   struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
   assert_non_null(c);
   assert_int_equal(c->cmsg_type, SCM_RIGHTS);
   int fd;
   memcpy(&fd, CMSG_DATA(c), sizeof(fd));
   return fd;
}

/* CREATE_RENDERER: the first message, its length in bytes (name with its NUL). */
static inline void
create_renderer(struct harness *h, const char *name)
{
   uint32_t hdr[2] = {(uint32_t)strlen(name) + 1, VCMD_CREATE_RENDERER};
   assert_int_equal(vtest_write_full(h->sock, hdr, sizeof(hdr)), 0);
   assert_int_equal(vtest_write_full(h->sock, name, hdr[0]), 0);
}

#endif
