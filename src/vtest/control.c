/* SPDX-License-Identifier: MIT */
/* The server's control socket (control.h). */
#define _GNU_SOURCE /* SO_PEERCRED, struct ucred */
#include "vtest/control.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"
#include "vtest/stats_record.h"
#include "vtest/vtest_listen.h"
#include "vtest/vtest_stats.h"

/* Where MSG_NOSIGNAL is missing (macOS) the server ignores SIGPIPE (vtest_server.c). */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* The user the server ran as when it opened the socket (a --threads server may switch user
 * later: its sandbox). */
static uid_t g_owner;

void
vtest_control_default_path(char *buf, size_t size)
{
   snprintf(buf, size, "/tmp/pearvisor-gpu-%lu/control", (unsigned long)geteuid());
}

/* The socket's directory: ours, a real directory (no symlink), nobody else may enter it. */
static bool
check_or_make_dir(const char *dir)
{
   if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
      pv_warn("control socket: cannot create %s: %s", dir, strerror(errno));
      return false;
   }
   struct stat st;
   if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
      pv_warn("control socket: %s is not a directory", dir);
      return false;
   }
   if (st.st_uid != geteuid() || (st.st_mode & 0077)) {
      pv_warn("control socket: %s must be owned by this user with mode 0700 (it is uid %lu, "
              "mode %03o); not opening a control socket there",
              dir, (unsigned long)st.st_uid, (unsigned)(st.st_mode & 0777));
      return false;
   }
   return true;
}

int
vtest_control_open(const char *path)
{
   char copy[sizeof(((struct sockaddr_un *)0)->sun_path)];
   if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy)) {
      pv_warn("control socket: path too long: %s", path);
      return -1;
   }
   if (!check_or_make_dir(dirname(copy)))
      return -1;
   int fd = vtest_listen_on(path);
   if (fd == VTEST_LISTEN_IN_USE) {
      pv_warn("control socket %s: another live server answers there; this one has none "
              "(give it its own with --control PATH)",
              path);
      return -1;
   }
   if (fd < 0)
      return -1;
   if (chmod(path, 0600) != 0) {
      pv_warn("control socket: chmod %s: %s", path, strerror(errno));
      close(fd);
      unlink(path);
      return -1;
   }
   g_owner = geteuid();
   pv_info("control socket %s (pearvisor-gpu stats --control %s)", path, path);
   return fd;
}

void
vtest_control_close(int listen_fd, const char *path)
{
   if (listen_fd < 0)
      return;
   close(listen_fd);
   unlink(path);
}

/* The peer runs as the server's user or as root. */
static bool
peer_allowed(int fd)
{
#if defined(SO_PEERCRED)
   struct ucred cred;
   socklen_t len = sizeof(cred);
   if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
      return false;
   uid_t uid = cred.uid;
#else
   uid_t uid;
   gid_t gid;
   if (getpeereid(fd, &uid, &gid) != 0)
      return false;
#endif
   return uid == g_owner || uid == 0;
}

/* Waits up to `ms` for `events` on fd. poll, not SO_RCVTIMEO: the sandbox of a --threads server
 * allows poll on any fd but not setsockopt. */
static bool
wait_for(int fd, short events, int ms)
{
   struct pollfd p = {.fd = fd, .events = events};
   int r;
   while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR)
      ;
   return r > 0;
}

/* Sends what fits before the peer stops reading for VTEST_CONTROL_SEND_TIMEOUT_MS. */
static void
send_all(int fd, const char *data, size_t len)
{
   while (len) {
      if (!wait_for(fd, POLLOUT, VTEST_CONTROL_SEND_TIMEOUT_MS))
         return; /* too slow: its problem, not the server's */
      ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
         continue;
      if (n <= 0)
         return;
      data += n;
      len -= (size_t)n;
   }
}

/* Reads the request line into `buf`; false on timeout, EOF before a newline, or overlong. */
static bool
read_request(int fd, char *buf, size_t size)
{
   size_t len = 0;
   while (len + 1 < size) {
      if (!wait_for(fd, POLLIN, VTEST_CONTROL_TIMEOUT_MS))
         return false;
      ssize_t n = recv(fd, buf + len, size - 1 - len, MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
         continue;
      if (n <= 0)
         return false;
      len += (size_t)n;
      buf[len] = '\0';
      char *nl = memchr(buf, '\n', len);
      if (nl) {
         *nl = '\0';
         return true;
      }
   }
   return false;
}

char *
vtest_control_stats_reply(size_t *len)
{
   struct vtest_stats_record *recs;
   size_t n = vtest_stats_collect(&recs);
   size_t cap = 64 + n * 2048;
   char *buf = NULL;
   for (;;) {
      char *grown = realloc(buf, cap);
      if (!grown)
         break;
      buf = grown;
      *len = (size_t)snprintf(buf, cap, "%s\n", VTEST_STATS_MAGIC);
      bool ok = true;
      for (size_t i = 0; i < n && ok; i++)
         ok = vtest_stats_encode(&recs[i], buf, cap - 8, len);
      if (ok) {
         *len += (size_t)snprintf(buf + *len, cap - *len, "end\n");
         free(recs);
         return buf;
      }
      cap *= 2;
   }
   free(buf);
   free(recs);
   return NULL;
}

static void
answer(int fd, const char *req)
{
   if (!strcmp(req, "stats")) {
      size_t len;
      char *reply = vtest_control_stats_reply(&len);
      if (reply)
         send_all(fd, reply, len);
      else
         send_all(fd, "error out of memory\n", 20);
      free(reply);
   } else if (!strcmp(req, "ping")) {
      send_all(fd, "pong\n", 5);
   } else {
      static const char msg[] = "error unknown request (try: stats, ping)\n";
      send_all(fd, msg, sizeof(msg) - 1);
   }
}

void
vtest_control_serve_one(int listen_fd)
{
   int fd = accept(listen_fd, NULL, NULL);
   if (fd < 0)
      return;
   fcntl(fd, F_SETFD, FD_CLOEXEC);
   /* The request is read first even from a refused peer: closing with it unread would reset
    * the connection before the peer reads why. */
   char req[VTEST_CONTROL_MAX_REQUEST];
   bool have = read_request(fd, req, sizeof(req));
   if (!peer_allowed(fd)) {
      pv_warn_limited("control socket: refused a connection from another user");
      static const char msg[] = "error permission denied\n";
      send_all(fd, msg, sizeof(msg) - 1);
   } else if (have) {
      answer(fd, req);
   } else {
      send_all(fd, "error no request line\n", 22);
   }
   close(fd);
}
