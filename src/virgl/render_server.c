/* SPDX-License-Identifier: MIT */
/*
 * pearvisor-virgl-worker --socket-fd N: the render server (worker_protocol.h, PVS_*), for VMMs
 * that start it themselves because their own process may not start processes. It stays small
 * and single-threaded: it never loads a host driver nor reads guest bytes; each worker is a
 * fork of it that goes on as a worker started by the library would (worker_main.c), and loads
 * the driver itself. It ends when the VMM's end of the socket closes, and then ends every worker
 * it started (they serve that VMM only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "virgl/render_server.h"
#include "virgl/worker_io.h"
#include "virgl/worker_protocol.h"

static pid_t workers[PVS_MAX_WORKERS];
static unsigned worker_count;
/* How the most recent workers ended, for PVS_WORKER_STATUS (a ring; pid 0: empty). */
static struct {
   pid_t pid;
   int status;
} ended[PVS_ENDED_KEPT];
static unsigned ended_next;

static void
forget_worker(pid_t pid)
{
   for (unsigned i = 0; i < worker_count; i++) {
      if (workers[i] == pid) {
         workers[i] = workers[--worker_count];
         return;
      }
   }
}

static bool
is_worker(pid_t pid)
{
   for (unsigned i = 0; i < worker_count; i++)
      if (workers[i] == pid)
         return true;
   return false;
}

/* Reaps every worker that ended (SIGCHLD interrupts the wait for a request), keeping how. */
static void
reap_ended(void)
{
   pid_t pid;
   int status;
   while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (!is_worker(pid))
         continue;
      forget_worker(pid);
      ended[ended_next].pid = pid;
      ended[ended_next].status = status;
      ended_next = (ended_next + 1) % PVS_ENDED_KEPT;
   }
}

/* PVS_WORKER_STATUS: the remembered end is looked up before the live workers, so a pid the
 * system gave again to a newer worker still answers for the one that ended. */
static int32_t
worker_status(pid_t pid, int64_t *status)
{
   reap_ended();
   for (unsigned i = 0; pid > 0 && i < PVS_ENDED_KEPT; i++) {
      unsigned at = (ended_next + PVS_ENDED_KEPT - 1 - i) % PVS_ENDED_KEPT;
      if (ended[at].pid == pid) {
         *status = ended[at].status;
         ended[at].pid = 0;
         return 0;
      }
   }
   return pid > 0 && is_worker(pid) ? -EAGAIN : -ESRCH;
}

static void
on_sigchld(int sig)
{
   (void)sig; /* only interrupts recv, so the loop reaps */
}

static void
reply(int sock, const struct pvs_request *req, int32_t result, int64_t worker, int pass_fd)
{
   const struct pvs_reply r = {
      .magic = PVS_MAGIC, .op = req->op, .seq = req->seq, .result = result, .worker = worker};
   struct iovec iov = {(void *)&r, sizeof(r)};
   union pvw_fd_control cm;
   struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
   if (pass_fd >= 0)
      pvw_attach_fd(&msg, &cm, pass_fd);
   while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
      continue;
}

/* Returns, in the new worker, its end of the socketpair; in the server, -1. */
static int
new_worker(int sock, const struct pvs_request *req, pid_t *server)
{
   int sv[2];
   if (worker_count >= PVS_MAX_WORKERS) {
      reply(sock, req, -EAGAIN, 0, -1);
      return -1;
   }
   if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      reply(sock, req, -errno, 0, -1);
      return -1;
   }
   *server = getpid();
   pid_t pid = fork();
   if (pid == 0) {
      signal(SIGCHLD, SIG_DFL);
      close(sock);
      close(sv[0]);
      return sv[1];
   }
   close(sv[1]);
   if (pid < 0) {
      reply(sock, req, -errno, 0, -1);
   } else {
      workers[worker_count++] = pid;
      reply(sock, req, 0, pid, sv[0]);
   }
   close(sv[0]);
   return -1;
}

static void
end_all_workers(void)
{
   for (unsigned i = 0; i < worker_count; i++)
      kill(workers[i], SIGKILL);
   while (worker_count) {
      pid_t pid = waitpid(-1, NULL, 0);
      if (pid < 0 && errno != EINTR)
         break;
      if (pid > 0)
         forget_worker(pid);
   }
}

int
pvw_render_server(int sock, pid_t *server)
{
   struct sigaction sa = {.sa_handler = on_sigchld}; /* no SA_RESTART: recv returns EINTR */
   sigemptyset(&sa.sa_mask);
   sigaction(SIGCHLD, &sa, NULL);
   signal(SIGPIPE, SIG_IGN);
   fcntl(sock, F_SETFD, FD_CLOEXEC);
   pv_info("virgl render server: serving on fd %d", sock);
   for (;;) {
      reap_ended();
      struct pvs_request req;
      ssize_t n = recv(sock, &req, sizeof(req), MSG_TRUNC); /* a packet's whole length */
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         break; /* the VMM is gone */
      if (n != (ssize_t)sizeof(req) || req.magic != PVS_MAGIC) {
         pv_warn("virgl render server: a malformed request (%zd bytes) ignored", n);
         continue;
      }
      switch (req.op) {
      case PVS_HELLO:
         reply(sock, &req, 0, 0, -1);
         break;
      case PVS_NEW_WORKER: {
         int worker_sock = new_worker(sock, &req, server);
         if (worker_sock >= 0)
            return worker_sock; /* this process is the new worker now */
         break;
      }
      case PVS_KILL_WORKER:
         if (req.worker > 0 && is_worker((pid_t)req.worker))
            kill((pid_t)req.worker, SIGKILL);
         break;
      case PVS_WORKER_STATUS: {
         int64_t status = 0;
         int32_t result = worker_status(
            req.worker > 0 && req.worker <= INT32_MAX ? (pid_t)req.worker : 0, &status);
         reply(sock, &req, result, status, -1);
         break;
      }
      default:
         reply(sock, &req, -EINVAL, 0, -1);
         break;
      }
   }
   end_all_workers();
   return -1;
}
