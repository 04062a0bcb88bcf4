/* SPDX-License-Identifier: MIT */
#include "vtest/vtest_io.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vtest/vtest_protocol.h"

int
vtest_read_full(int sock, void *buf, size_t size)
{
   char *p = buf;
   while (size) {
      ssize_t n = read(sock, p, size);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         return -1;
      p += n;
      size -= (size_t)n;
   }
   return 0;
}

int
vtest_skip(int sock, uint64_t size)
{
   char scratch[4096];
   while (size) {
      size_t chunk = size < sizeof(scratch) ? (size_t)size : sizeof(scratch);
      if (vtest_read_full(sock, scratch, chunk))
         return -1;
      size -= chunk;
   }
   return 0;
}

int
vtest_write_full(int sock, const void *buf, size_t size)
{
   const char *p = buf;
   while (size) {
      /* MSG_NOSIGNAL where it exists: a vanished client must not SIGPIPE the server. */
#ifdef MSG_NOSIGNAL
      ssize_t n = send(sock, p, size, MSG_NOSIGNAL);
#else
      ssize_t n = write(sock, p, size);
#endif
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         return -1;
      p += n;
      size -= (size_t)n;
   }
   return 0;
}

int
vtest_write_reply(int sock, uint32_t cmd, const uint32_t *payload, uint32_t dwords)
{
   uint32_t hdr[VTEST_HDR_DWORDS];
   hdr[VTEST_HDR_LEN] = dwords;
   hdr[VTEST_HDR_CMD] = cmd;
   if (vtest_write_full(sock, hdr, sizeof(hdr)))
      return -1;
   return dwords ? vtest_write_full(sock, payload, (size_t)dwords * 4) : 0;
}

int
vtest_send_fd(int sock, int fd)
{
   char byte = 0;
   struct iovec iov = {.iov_base = &byte, .iov_len = 1};
   union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
   } control;
   memset(&control, 0, sizeof(control));
   struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control.buf,
      .msg_controllen = sizeof(control.buf),
   };
   struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
   cmsg->cmsg_level = SOL_SOCKET;
   cmsg->cmsg_type = SCM_RIGHTS;
   cmsg->cmsg_len = CMSG_LEN(sizeof(int));
   memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
   for (;;) {
#ifdef MSG_NOSIGNAL
      ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
#else
      ssize_t n = sendmsg(sock, &msg, 0);
#endif
      if (n < 0 && errno == EINTR)
         continue;
      return n == 1 ? 0 : -1;
   }
}
