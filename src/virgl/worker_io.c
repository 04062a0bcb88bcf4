/* SPDX-License-Identifier: MIT */
#include "virgl/worker_io.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* Writes what sendmsg left over (a stream socket may take a message in pieces). */
static int
send_rest(int sock, struct iovec *iov, int n, size_t done)
{
   for (int i = 0; i < n; i++) {
      size_t skip = done < iov[i].iov_len ? done : iov[i].iov_len;
      done -= skip;
      const char *p = (const char *)iov[i].iov_base + skip;
      size_t left = iov[i].iov_len - skip;
      while (left) {
         ssize_t w = send(sock, p, left, MSG_NOSIGNAL);
         if (w < 0 && errno == EINTR)
            continue;
         if (w <= 0)
            return -1;
         p += w;
         left -= (size_t)w;
      }
   }
   return 0;
}

void
pvw_attach_fd(struct msghdr *msg, union pvw_fd_control *cm, int fd)
{
   memset(cm, 0, sizeof(*cm));
   msg->msg_control = cm->buf;
   msg->msg_controllen = sizeof(cm->buf);
   struct cmsghdr *c = CMSG_FIRSTHDR(msg);
   c->cmsg_level = SOL_SOCKET;
   c->cmsg_type = SCM_RIGHTS;
   c->cmsg_len = CMSG_LEN(sizeof(int));
   memcpy(CMSG_DATA(c), &fd, sizeof(int));
}

int
pvw_send(int sock, uint32_t type, const void *body, size_t body_size, const void *extra,
         size_t extra_size, int pass_fd)
{
   if (body_size + extra_size > PVW_MAX_BODY)
      return -1;
   struct pvw_header hdr = {.type = type, .size = (uint32_t)(body_size + extra_size)};
   struct iovec iov[3] = {
      {&hdr, sizeof(hdr)},
      {(void *)body, body_size},
      {(void *)extra, extra_size},
   };
   union pvw_fd_control cm;
   struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 3};
   if (pass_fd >= 0)
      pvw_attach_fd(&msg, &cm, pass_fd);
   ssize_t w;
   do
      w = sendmsg(sock, &msg, MSG_NOSIGNAL);
   while (w < 0 && errno == EINTR);
   if (w < 0)
      return -1;
   return send_rest(sock, iov, 3, (size_t)w);
}

static uint64_t
monotonic_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Waits until `sock` has bytes, at most until `deadline_ns` (monotonic_ns; 0: no limit). */
static bool
readable_by(int sock, uint64_t deadline_ns)
{
   if (!deadline_ns)
      return true; /* the recv blocks */
   for (;;) {
      const uint64_t now = monotonic_ns();
      if (now >= deadline_ns)
         return false;
      const uint64_t left_ms = (deadline_ns - now) / 1000000u + 1;
      struct pollfd p = {.fd = sock, .events = POLLIN};
      int r = poll(&p, 1, left_ms > INT32_MAX ? INT32_MAX : (int)left_ms);
      if (r > 0)
         return true;
      if (r < 0 && errno != EINTR)
         return false;
   }
}

static int
read_full(int sock, void *p, size_t size, uint64_t deadline_ns)
{
   char *c = p;
   while (size) {
      if (!readable_by(sock, deadline_ns))
         return -1;
      ssize_t r = recv(sock, c, size, 0);
      if (r < 0 && errno == EINTR)
         continue;
      if (r <= 0)
         return -1;
      c += r;
      size -= (size_t)r;
   }
   return 0;
}

/* The header, with whatever fd came with its first byte. */
static int
recv_header(int sock, struct pvw_header *hdr, int *fd_out, uint64_t deadline_ns)
{
   struct iovec iov = {hdr, sizeof(*hdr)};
   union pvw_fd_control cm;
   struct msghdr msg = {
      .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.buf, .msg_controllen = sizeof(cm.buf)};
   ssize_t r;
   do
      r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
   while (r < 0 && errno == EINTR);
   if (r <= 0)
      return -1;
   for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
         continue;
      size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; i++) {
         int fd;
         memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
         if (*fd_out < 0)
            *fd_out = fd;
         else
            close(fd); /* one fd per message; more is the peer's bug */
      }
   }
   if ((size_t)r < sizeof(*hdr))
      return read_full(sock, (char *)hdr + r, sizeof(*hdr) - (size_t)r, deadline_ns);
   return 0;
}

int
pvw_recv_bounded(int sock, struct pvw_header *hdr, void **body, int *fd_out, size_t max_body,
                 unsigned timeout_ms)
{
   const uint64_t deadline_ns = timeout_ms ? monotonic_ns() + timeout_ms * 1000000ull : 0;
   *body = NULL;
   *fd_out = -1;
   if (recv_header(sock, hdr, fd_out, deadline_ns) != 0 || hdr->size > max_body ||
       hdr->size > PVW_MAX_BODY)
      goto fail;
   if (hdr->size) {
      *body = malloc(hdr->size);
      if (!*body || read_full(sock, *body, hdr->size, deadline_ns) != 0)
         goto fail;
   }
   return 0;
fail:
   free(*body);
   *body = NULL;
   if (*fd_out >= 0)
      close(*fd_out);
   *fd_out = -1;
   return -1;
}

int
pvw_recv(int sock, struct pvw_header *hdr, void **body, int *fd_out)
{
   return pvw_recv_bounded(sock, hdr, body, fd_out, PVW_MAX_BODY, 0);
}
