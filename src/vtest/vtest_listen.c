/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "vtest/vtest_listen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/log.h"

/* First inherited fd of the LISTEN_FDS protocol (SD_LISTEN_FDS_START). */
#define VTEST_LISTEN_FDS_START 3

static int
cloexec_socket(void)
{
   /* socket() then FD_CLOEXEC rather than SOCK_CLOEXEC: the same call everywhere; nothing else
    * forks in the server while it sets up its listeners. */
   int fd = socket(AF_UNIX, SOCK_STREAM, 0);
   if (fd >= 0)
      fcntl(fd, F_SETFD, FD_CLOEXEC);
   return fd;
}

/* Whether a server accepts connections on `addr` right now. */
static bool
someone_listens(const struct sockaddr_un *addr)
{
   int fd = cloexec_socket();
   if (fd < 0)
      return false;
   bool live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 ||
               errno == EAGAIN; /* a full backlog is still a live server */
   close(fd);
   return live;
}

int
vtest_listen_on(const char *path)
{
   struct sockaddr_un addr = {.sun_family = AF_UNIX};
   if (strlen(path) >= sizeof(addr.sun_path)) {
      pv_err("socket path too long: %s", path);
      return -1;
   }
   strcpy(addr.sun_path, path);
   /* Replace a stale socket from an earlier run, but never one a live server is using, and
    * never anything that is not a socket. */
   struct stat st;
   if (lstat(path, &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
         pv_err("%s exists and is not a socket; refusing to replace it", path);
         return -1;
      }
      if (someone_listens(&addr)) {
         pv_err("another server is listening on %s; refusing to take it over (stop that "
                "server, or choose another path with --socket)",
                path);
         return VTEST_LISTEN_IN_USE;
      }
      unlink(path);
   }
   int fd = cloexec_socket();
   if (fd < 0) {
      pv_err("socket: %s", strerror(errno));
      return -1;
   }
   if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) || listen(fd, 16)) {
      pv_err("cannot listen on %s: %s", path, strerror(errno));
      close(fd);
      return -1;
   }
   return fd;
}

/* The n-th ':'-separated name of LISTEN_FDNAMES into out ("" when absent). */
static void
fd_name(const char *names, unsigned n, char *out, size_t out_size)
{
   out[0] = '\0';
   for (unsigned i = 0; names && i < n; i++) {
      names = strchr(names, ':');
      names = names ? names + 1 : NULL;
   }
   if (names)
      snprintf(out, out_size, "%.*s", (int)strcspn(names, ":"), names);
}

static uint32_t
wire_for(const struct vtest_server_options *o, const char *name, const char *path)
{
   if (!strcmp(name, "wire0") || !strcmp(name, "wire1"))
      return name[4] == '1' ? 1 : 0;
   for (unsigned s = 0; s < o->socket_count; s++)
      if (o->sockets[s].path && !strcmp(o->sockets[s].path, path))
         return o->sockets[s].wire_format;
   return 0;
}

/* A listening AF_UNIX/stream socket? */
static bool
is_listening_stream(int fd)
{
   int type = 0, accepting = 0;
   socklen_t len = sizeof(type);
   if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) || type != SOCK_STREAM)
      return false;
   len = sizeof(accepting);
   return !getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &len) && accepting;
}

int
vtest_listen_inherited(const struct vtest_server_options *o, struct vtest_listener *out,
                       unsigned max)
{
   const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
   if (!pid || !fds || strtol(pid, NULL, 10) != (long)getpid())
      return 0;
   long n = strtol(fds, NULL, 10);
   const char *names = getenv("LISTEN_FDNAMES");
   int count = 0;
   for (long i = 0; i < n && (unsigned)count < max; i++) {
      int fd = VTEST_LISTEN_FDS_START + (int)i;
      if (!is_listening_stream(fd)) {
         pv_err("socket activation: fd %d is not a listening stream socket", fd);
         return -1;
      }
      fcntl(fd, F_SETFD, FD_CLOEXEC);
      struct sockaddr_un addr = {0};
      socklen_t len = sizeof(addr);
      struct vtest_listener *l = &out[count++];
      l->fd = fd;
      l->path[0] = '\0';
      if (!getsockname(fd, (struct sockaddr *)&addr, &len) && addr.sun_family == AF_UNIX)
         snprintf(l->path, sizeof(l->path), "%s", addr.sun_path);
      char name[64];
      fd_name(names, (unsigned)i, name, sizeof(name));
      l->wire_format = wire_for(o, name, l->path);
   }
   if (n > (long)max)
      pv_warn("socket activation: %ld sockets passed, serving the first %u", n, max);
   unsetenv("LISTEN_PID");
   unsetenv("LISTEN_FDS");
   unsetenv("LISTEN_FDNAMES");
   return count;
}
