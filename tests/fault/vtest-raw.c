/* SPDX-License-Identifier: MIT */
/*
 * vtest-raw: a vtest client that speaks the socket protocol directly (src/vtest/vtest_protocol.h),
 * for the fault tests.
 *
 *   vtest-raw cycle SOCKET N   N times: connect, CREATE_RENDERER, PROTOCOL_VERSION, GET_PARAM,
 *                              GET_CAPSET (Venus), CONTEXT_INIT, PING (a round trip, so the
 *                              server has run everything), close; checks every reply
 *   vtest-raw stall SOCKET     the handshake, then PING_PROTOCOL_VERSION requests (each asks for
 *                              a reply) without ever reading a reply, until the socket has
 *                              accepted nothing for 2 s: the server is stuck writing replies
 *                              nobody reads. Prints "stalled after N requests" and sleeps until
 *                              killed.
 *   vtest-raw refused SOCKET N  the handshake, then N RESOURCE_CREATE_BLOB requests of 3 GiB (over
 *                              the default blob quota), each answered with the failed reply and
 *                              its fd; prints "N requests refused"
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vtest/vtest_io.h"
#include "vtest/vtest_protocol.h"

#define CAPSET_VENUS 4u

static void
die(const char *what, unsigned cycle)
{
   fprintf(stderr, "vtest-raw: cycle %u: %s: %s\n", cycle, what, errno ? strerror(errno) : "");
   exit(1);
}

static int
connect_to(const char *path)
{
   struct sockaddr_un addr = {.sun_family = AF_UNIX};
   snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
   int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
      return -1;
   return fd;
}

/* Reads one reply header for `cmd`, then its payload into buf (at most cap dwords). Returns the
 * payload length in dwords, or -1. */
static int
read_reply(int fd, uint32_t cmd, uint32_t *buf, uint32_t cap)
{
   uint32_t hdr[2];
   if (vtest_read_full(fd, hdr, sizeof(hdr)) || hdr[1] != cmd || hdr[0] > cap)
      return -1;
   if (hdr[0] && vtest_read_full(fd, buf, (size_t)hdr[0] * 4))
      return -1;
   return (int)hdr[0];
}

static int
handshake(int fd, unsigned cycle)
{
   static const char name[] = "vtest-raw";
   uint32_t hdr[2] = {sizeof(name), VCMD_CREATE_RENDERER};
   uint32_t r[128];
   errno = 0;
   if (vtest_write_full(fd, hdr, sizeof(hdr)) || vtest_write_full(fd, name, sizeof(name)))
      die("CREATE_RENDERER", cycle);
   uint32_t version = VTEST_PROTOCOL_VERSION;
   if (vtest_write_reply(fd, VCMD_PROTOCOL_VERSION, &version, 1) ||
       read_reply(fd, VCMD_PROTOCOL_VERSION, r, 1) != 1 || r[0] != VTEST_PROTOCOL_VERSION)
      die("PROTOCOL_VERSION", cycle);
   uint32_t param = VCMD_PARAM_MAX_TIMELINE_COUNT;
   if (vtest_write_reply(fd, VCMD_GET_PARAM, &param, 1) || read_reply(fd, VCMD_GET_PARAM, r, 2) != 2 ||
       r[0] != 1)
      die("GET_PARAM", cycle);
   uint32_t capset[2] = {CAPSET_VENUS, 0};
   if (vtest_write_reply(fd, VCMD_GET_CAPSET, capset, 2) ||
       read_reply(fd, VCMD_GET_CAPSET, r, 128) < 2 || r[0] != 1)
      die("GET_CAPSET (no Venus capset)", cycle);
   uint32_t ctx = CAPSET_VENUS;
   if (vtest_write_reply(fd, VCMD_CONTEXT_INIT, &ctx, 1))
      die("CONTEXT_INIT", cycle);
   return 0;
}

static int
cycle(const char *path, unsigned n)
{
   uint32_t r[1];
   for (unsigned i = 0; i < n; i++) {
      errno = 0;
      int fd = connect_to(path);
      if (fd < 0)
         die("connect", i);
      handshake(fd, i);
      /* A round trip: everything before it has been run. */
      if (vtest_write_reply(fd, VCMD_PING_PROTOCOL_VERSION, NULL, 0) ||
          read_reply(fd, VCMD_PING_PROTOCOL_VERSION, r, 0) != 0)
         die("PING", i);
      close(fd);
   }
   printf("vtest-raw: %u connect/handshake/context/disconnect cycles\n", n);
   return 0;
}

static uint64_t
now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static _Noreturn void
stall(const char *path)
{
   int fd = connect_to(path);
   if (fd < 0)
      die("connect", 0);
   handshake(fd, 0);
   fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
   const uint32_t ping[2] = {0, VCMD_PING_PROTOCOL_VERSION};
   uint64_t sent = 0, last_progress = now_ms();
   size_t partial = 0; /* bytes of the current request already sent */
   while (now_ms() - last_progress < 2000) {
      ssize_t n = send(fd, (const char *)ping + partial, sizeof(ping) - partial, MSG_NOSIGNAL);
      if (n > 0) {
         partial += (size_t)n;
         if (partial == sizeof(ping)) {
            partial = 0;
            sent++;
         }
         last_progress = now_ms();
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
         struct pollfd p = {.fd = fd, .events = POLLOUT};
         poll(&p, 1, 100);
      } else {
         die("send", 0);
      }
   }
   printf("vtest-raw: stalled after %llu requests\n", (unsigned long long)sent);
   fflush(stdout);
   for (;;)
      pause();
}

/* Receives the one fd that follows a reply (its 1-byte carrier) and closes it. */
static int
receive_fd(int fd)
{
   char byte;
   char ctl[CMSG_SPACE(sizeof(int))];
   struct iovec iov = {.iov_base = &byte, .iov_len = 1};
   struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
                        .msg_controllen = sizeof(ctl)};
   if (recvmsg(fd, &msg, 0) != 1)
      return -1;
   struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
   if (!c || c->cmsg_type != SCM_RIGHTS)
      return -1;
   int got;
   memcpy(&got, CMSG_DATA(c), sizeof(got));
   close(got);
   return 0;
}

static int
refused(const char *path, unsigned n)
{
   int fd = connect_to(path);
   if (fd < 0)
      die("connect", 0);
   handshake(fd, 0);
   for (unsigned i = 0; i < n; i++) {
      uint64_t size = 3ull << 30;
      const uint32_t blob[6] = {VCMD_BLOB_TYPE_GUEST, 1 /* MAPPABLE */, (uint32_t)size,
                                (uint32_t)(size >> 32), 0, 0};
      uint32_t r[1];
      errno = 0;
      if (vtest_write_reply(fd, VCMD_RESOURCE_CREATE_BLOB, blob, 6) ||
          read_reply(fd, VCMD_RESOURCE_CREATE_BLOB, r, 1) != 1 || receive_fd(fd))
         die("RESOURCE_CREATE_BLOB", i);
      if (r[0] != 0)
         die("a 3 GiB blob was not refused", i);
   }
   printf("vtest-raw: %u requests refused\n", n);
   close(fd);
   return 0;
}

int
main(int argc, char **argv)
{
   if (argc == 4 && !strcmp(argv[1], "cycle"))
      return cycle(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
   if (argc == 3 && !strcmp(argv[1], "stall"))
      stall(argv[2]);
   if (argc == 4 && !strcmp(argv[1], "refused"))
      return refused(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
   fprintf(stderr, "usage: vtest-raw cycle SOCKET N | stall SOCKET | refused SOCKET N\n");
   return 2;
}
