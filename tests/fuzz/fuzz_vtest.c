/* SPDX-License-Identifier: MIT */
/*
 * fuzz_vtest: the vtest message parser and command handlers. The input is the byte stream a
 * client sends (CREATE_RENDERER first, then messages); vtest_client_serve runs in this thread
 * on one end of a socketpair, two helper threads play the client: one writes the whole input
 * and shuts down its write side (the server then sees EOF, which ends vtest_client_serve), the
 * other drains everything the server answers, closing every fd passed with SCM_RIGHTS (blobs,
 * sync wait fds), until the server closes its end. No host driver (fuzz_common.h): SUBMIT_CMD2
 * streams run through the renderer and Vulkan commands fail cleanly.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define PV_FUZZ_NO_HOST_VULKAN
#include "fuzz_common.h"
#include "vtest/vtest_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct client {
   int sock;
   const uint8_t *data;
   size_t size;
};

static void
drain(int sock)
{
   char buf[65536];
   union {
      char b[CMSG_SPACE(16 * sizeof(int))];
      struct cmsghdr align;
   } control;
   for (;;) {
      struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
      struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.b,
                           .msg_controllen = sizeof(control.b)};
      ssize_t n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
      if (n < 0 && errno == EINTR)
         continue;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); n >= 0 && c; c = CMSG_NXTHDR(&msg, c)) {
         if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
         size_t fds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
         for (size_t i = 0; i < fds; i++) {
            int fd;
            memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
            close(fd);
         }
      }
      if (n <= 0)
         return;
   }
}

static void *
writer_main(void *arg)
{
   struct client *cl = arg;
   size_t off = 0;
   while (off < cl->size) {
      ssize_t n = send(cl->sock, cl->data + off, cl->size - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         break; /* the server closed: it stopped reading (garbage before CREATE_RENDERER) */
      off += (size_t)n;
   }
   shutdown(cl->sock, SHUT_WR);
   return NULL;
}

static void *
reader_main(void *arg)
{
   struct client *cl = arg;
   drain(cl->sock);
   return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   static bool ready;
   if (!ready) {
      pv_fuzz_quiet();
      ready = true;
   }
   int sv[2];
   if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
      abort();
   /* Writer and reader are separate threads, so neither the client nor the server can block
    * on a full socket buffer the other side is not emptying. */
   struct client cl = {.sock = sv[0], .data = data, .size = size};
   pthread_t w, r;
   if (pthread_create(&w, NULL, writer_main, &cl) || pthread_create(&r, NULL, reader_main, &cl))
      abort();
   struct pv_renderer_config config = PV_RENDERER_CONFIG_INIT;
   vtest_client_serve(sv[1], &config); /* closes sv[1]: the reader sees EOF */
   pthread_join(w, NULL);
   pthread_join(r, NULL);
   close(sv[0]);
   return 0;
}
