/* SPDX-License-Identifier: MIT */
/*
 * The library's side of the render server (worker_protocol.h, PVS_*): for a VMM that starts
 * pearvisor-virgl-worker --socket-fd N itself and hands the other end over at init, because its
 * own process may not start processes. One request at a time (a lock): context creation and the
 * spare ask for workers on the VMM's thread, link threads ask for kills. Replies carry the
 * request's sequence number, so an answer to a request given up on (the server was slow) is
 * recognised later, and its worker ended rather than served to the wrong request.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/log.h"
#include "util/os.h"
#include "virgl/frontend.h"
#include "virgl/render_server.h"
#include "virgl/worker_io.h"
#include "virgl/worker_protocol.h"

/* The server answers at once; more than this means it is not one (or is stuck). */
#define PVS_HELLO_TIMEOUT_MS 1000

static struct {
   pthread_mutex_t lock;
   int fd;
   uint64_t seq;
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1};

static bool
send_request(int fd, uint32_t op, uint64_t seq, int64_t worker)
{
   const struct pvs_request req = {.magic = PVS_MAGIC, .op = op, .seq = seq, .worker = worker};
   ssize_t n;
   while ((n = send(fd, &req, sizeof(req), MSG_NOSIGNAL)) < 0 && errno == EINTR)
      continue;
   return n == (ssize_t)sizeof(req);
}

/* One reply within `timeout_ms` (its attached fd, if any, in *fd_out); false on timeout, EOF or
 * a malformed packet. */
static bool
recv_reply(int fd, int timeout_ms, struct pvs_reply *r, int *fd_out)
{
   *fd_out = -1;
   struct pollfd p = {.fd = fd, .events = POLLIN};
   int ready;
   while ((ready = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
      continue;
   if (ready != 1)
      return false;
   union pvw_fd_control control;
   struct iovec iov = {r, sizeof(*r)};
   struct msghdr msg = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
   ssize_t n;
   while ((n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
      continue;
   for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); n > 0 && c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
          c->cmsg_len == CMSG_LEN(sizeof(int)) && *fd_out < 0)
         memcpy(fd_out, CMSG_DATA(c), sizeof(int));
   }
   bool ok = n == (ssize_t)sizeof(*r) && !(msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) &&
             r->magic == PVS_MAGIC;
   if (!ok && *fd_out >= 0) {
      close(*fd_out);
      *fd_out = -1;
   }
   return ok;
}

bool
vg_server_attach(int fd)
{
   int type = 0;
   socklen_t len = sizeof(type);
   fcntl(fd, F_SETFD, FD_CLOEXEC);
   struct pvs_reply r;
   int extra = -1;
   bool ok = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_SEQPACKET &&
             send_request(fd, PVS_HELLO, 0, 0) &&
             recv_reply(fd, PVS_HELLO_TIMEOUT_MS, &r, &extra) && r.op == PVS_HELLO && r.seq == 0 &&
             r.result == 0;
   if (extra >= 0)
      close(extra);
   if (!ok) {
      close(fd);
      return false;
   }
   pthread_mutex_lock(&srv.lock);
   int old = srv.fd;
   srv.fd = fd;
   srv.seq = 0;
   pthread_mutex_unlock(&srv.lock);
   if (old >= 0)
      close(old); /* a new server for a new init: the old one ends with its socket */
   return true;
}

bool
vg_server_active(void)
{
   pthread_mutex_lock(&srv.lock);
   bool active = srv.fd >= 0;
   pthread_mutex_unlock(&srv.lock);
   return active;
}

/* Sends one request and waits for its answer (seq and op match) within the reply timeout; the
 * caller holds srv.lock. Answers to requests given up on earlier are dropped, and a worker such
 * an answer started is ended at once (nobody will serve it). */
static bool
exchange_locked(uint32_t op, int64_t worker, struct pvs_reply *r, int *fd, const char **why)
{
   const uint64_t seq = ++srv.seq;
   *why = "it is gone";
   if (srv.fd < 0 || !send_request(srv.fd, op, seq, worker))
      return false;
   uint64_t deadline = pv_os_time_ns() + (uint64_t)vg_config_get()->reply_timeout_ms * 1000000u;
   for (;;) {
      uint64_t now = pv_os_time_ns();
      if (now >= deadline || !recv_reply(srv.fd, (int)((deadline - now) / 1000000u) + 1, r, fd)) {
         *why = "no answer (gone, or slower than PEARVISOR_VIRGL_REPLY_TIMEOUT_MS)";
         return false;
      }
      if (r->seq == seq && r->op == op)
         return true;
      if (*fd >= 0) {
         close(*fd);
         *fd = -1;
         if (r->op == PVS_NEW_WORKER)
            send_request(srv.fd, PVS_KILL_WORKER, 0, r->worker);
      }
   }
}

bool
vg_server_new_worker(int *sock, pid_t *worker)
{
   pthread_mutex_lock(&srv.lock);
   struct pvs_reply r;
   int fd = -1;
   const char *why;
   bool ok = exchange_locked(PVS_NEW_WORKER, 0, &r, &fd, &why);
   if (ok) {
      ok = r.result == 0 && fd >= 0 && r.worker > 0 && r.worker <= INT32_MAX;
      if (ok) {
         *sock = fd;
         *worker = (pid_t)r.worker;
      } else {
         if (fd >= 0)
            close(fd);
         why = r.result ? strerror(-r.result) : "a malformed answer";
      }
   }
   pthread_mutex_unlock(&srv.lock);
   if (!ok)
      pv_err("virgl: the render server started no worker: %s", why);
   return ok;
}

int
vg_server_worker_status(pid_t worker, int *status)
{
   pthread_mutex_lock(&srv.lock);
   struct pvs_reply r;
   int fd = -1;
   const char *why;
   int result = -EIO;
   if (exchange_locked(PVS_WORKER_STATUS, worker, &r, &fd, &why)) {
      result = r.result;
      if (result == 0 && (r.worker < 0 || r.worker > INT32_MAX))
         result = -EIO; /* not a wait status */
      else if (result == 0)
         *status = (int)r.worker;
   }
   if (fd >= 0)
      close(fd);
   pthread_mutex_unlock(&srv.lock);
   return result;
}

void
vg_server_kill(pid_t worker)
{
   pthread_mutex_lock(&srv.lock);
   if (srv.fd >= 0 && worker > 0)
      send_request(srv.fd, PVS_KILL_WORKER, 0, worker);
   pthread_mutex_unlock(&srv.lock);
}

void
vg_server_detach(void)
{
   pthread_mutex_lock(&srv.lock);
   int fd = srv.fd;
   srv.fd = -1;
   pthread_mutex_unlock(&srv.lock);
   if (fd >= 0)
      close(fd); /* the server ends with its socket, and with it any worker it still has */
}
