/* SPDX-License-Identifier: MIT */
/*
 * Starting pearvisor-virgl-worker processes, and the spare one.
 *
 * A worker's start-up is mostly loading the host driver (worker_main.c preloads it before its
 * sandbox): 18-44 ms with lavapipe here, and the context's first fence waited for all of it
 * (bench/notes-vm-h200.md: 22.7 ms on the H200, where virglrenderer's render server forks an
 * initialised process in 3.7). So one worker is started ahead: it loads the driver, enters its
 * sandbox and waits for its first message (PVW_INIT), which the next context sends; a new spare
 * is started right after. A spare serves no guest until it is taken, so it is not counted
 * against PEARVISOR_VIRGL_MAX_CONTEXTS; there is at most one. PEARVISOR_VIRGL_SPARE_WORKER=0
 * starts every worker on demand.
 *
 * Where the VMM handed over a render server (render_server.h), workers are asked of it instead
 * of started here, and only it signals and reaps them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "util/os.h"
#include "virgl/frontend.h"
#include "virgl/render_server.h"
#include "virgl/worker_protocol.h"

extern char **environ;

static pid_t
spawn_worker(int child_sock)
{
   const char *path = vg_config_get()->worker_path;
   char fd_arg[16], ppid_arg[24];
   snprintf(fd_arg, sizeof(fd_arg), "%d", PVW_WORKER_FD);
   snprintf(ppid_arg, sizeof(ppid_arg), "%ld", (long)getpid());
   char *argv[] = {(char *)path, fd_arg, ppid_arg, NULL};
   posix_spawn_file_actions_t fa;
   if (posix_spawn_file_actions_init(&fa) != 0)
      return -1;
   posix_spawn_file_actions_adddup2(&fa, child_sock, PVW_WORKER_FD);
   /* The calling thread is the VMM's: its signal mask and ignored signals are not the worker's
    * business (posix_spawn would pass both on). */
   posix_spawnattr_t attr;
   posix_spawnattr_init(&attr);
   sigset_t none, defaults;
   sigemptyset(&none);
   sigemptyset(&defaults);
   const int reset[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM};
   for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
      sigaddset(&defaults, reset[i]);
   posix_spawnattr_setsigmask(&attr, &none);
   posix_spawnattr_setsigdefault(&attr, &defaults);
   posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
   pid_t pid = -1;
   int err = posix_spawn(&pid, path, &fa, &attr, argv, environ);
   posix_spawnattr_destroy(&attr);
   posix_spawn_file_actions_destroy(&fa);
   if (err != 0) {
      pv_err("virgl: cannot start the worker %s: %s", path, strerror(err));
      return -1;
   }
   return pid;
}

/* A socketpair whose child end is not PVW_WORKER_FD itself (dup2 onto itself would keep
 * close-on-exec set). */
static int
make_socketpair(int sv[2])
{
   if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      return -1;
   if (sv[1] == PVW_WORKER_FD) {
      int moved = fcntl(sv[1], F_DUPFD_CLOEXEC, PVW_WORKER_FD + 1);
      close(sv[1]);
      sv[1] = moved;
      if (moved < 0) {
         close(sv[0]);
         return -1;
      }
   }
   return 0;
}

/* A new worker waiting for PVW_INIT on *sock; false when none could be started. */
static bool
start_worker(int *sock, pid_t *pid, bool *from_server)
{
   *from_server = vg_server_active();
   if (*from_server)
      return vg_server_new_worker(sock, pid);
   int sv[2];
   if (make_socketpair(sv) != 0)
      return false;
   *pid = spawn_worker(sv[1]);
   close(sv[1]);
   if (*pid < 0) {
      close(sv[0]);
      return false;
   }
   *sock = sv[0];
   return true;
}

static struct {
   pthread_mutex_t lock;
   bool held;
   int sock;
   pid_t pid;
   bool from_server;
} spare = {.lock = PTHREAD_MUTEX_INITIALIZER};

void
vg_worker_kill(pid_t pid, bool from_server)
{
   if (from_server)
      vg_server_kill(pid); /* its pid is the server's: only the server may signal it */
   else
      kill(pid, SIGKILL);
}

/* Asks the server how its worker ended, every 10 ms for up to `tries` asks while it runs (each
 * ask is answered at once, so the lock other requests need is never held across the wait). */
static int
server_worker_ended(pid_t pid, int tries, int *status)
{
   int r = -EAGAIN;
   for (int i = 0; i < tries && r == -EAGAIN; i++) {
      r = vg_server_worker_status(pid, status);
      if (r == -EAGAIN && i + 1 < tries)
         pv_os_sleep_ns(10 * 1000 * 1000);
   }
   return r;
}

/* A render server's worker: only the server signals or reaps it, and it says how it ended. */
static int
reap_server_worker(pid_t pid, bool wait_first, bool *killed)
{
   int status = 0;
   int r = wait_first ? server_worker_ended(pid, 100, &status) : -EAGAIN;
   if (r != 0 && r != -ESRCH) { /* running, or the server did not answer: end it all the same */
      vg_server_kill(pid);
      *killed = true;
      r = server_worker_ended(pid, 100, &status);
   }
   return r == 0 ? status : -1;
}

int
vg_worker_reap(pid_t pid, bool from_server, bool wait_first, bool *killed)
{
   bool ignored;
   killed = killed ? killed : &ignored;
   *killed = false;
   if (from_server)
      return reap_server_worker(pid, wait_first, killed);
   int status = 0;
   pid_t r = 0;
   for (int i = 0; wait_first && i < 100 && r == 0; i++) {
      r = waitpid(pid, &status, WNOHANG);
      if (r < 0 && errno == EINTR)
         r = 0;
      else if (r == 0)
         pv_os_sleep_ns(10 * 1000 * 1000);
   }
   if (r == 0) {
      kill(pid, SIGKILL);
      *killed = true;
      while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
         continue;
   }
   return r == pid ? status : -1;
}

/* Killed (by the reap, which does not wait first) before its socket closes: a spare that saw
 * the close first would log that it got no context. */
static void
end_worker(int sock, pid_t pid, bool from_server)
{
   vg_worker_reap(pid, from_server, false, NULL);
   close(sock);
}

/* Whether the spare ended (killed, or its start failed); one of ours is reaped. A server's
 * worker is not our child: its socket says it (hung up, or readable when it never talks first). */
static bool
spare_gone_locked(void)
{
   if (!spare.from_server)
      return waitpid(spare.pid, NULL, WNOHANG) != 0;
   struct pollfd p = {.fd = spare.sock, .events = POLLIN};
   return poll(&p, 1, 0) != 0;
}

/* The spare if it is still alive (lock held); a dead one is reaped and forgotten. */
static bool
take_spare_locked(int *sock, pid_t *pid, bool *from_server)
{
   if (!spare.held)
      return false;
   spare.held = false;
   if (spare_gone_locked()) {
      close(spare.sock);
      if (spare.from_server)
         vg_server_kill(spare.pid);
      return false;
   }
   *sock = spare.sock;
   *pid = spare.pid;
   *from_server = spare.from_server;
   return true;
}

bool
vg_worker_start(int *sock, pid_t *pid, bool *from_server)
{
   pthread_mutex_lock(&spare.lock);
   bool ok = take_spare_locked(sock, pid, from_server);
   pthread_mutex_unlock(&spare.lock);
   if (!ok)
      ok = start_worker(sock, pid, from_server);
   return ok;
}

void
vg_worker_spare_fill(void)
{
   if (!vg_config_get()->spare_worker || vg_config_get()->in_process)
      return;
   pthread_mutex_lock(&spare.lock);
   if (!spare.held)
      spare.held = start_worker(&spare.sock, &spare.pid, &spare.from_server);
   pthread_mutex_unlock(&spare.lock);
}

void
vg_worker_spare_drop(void)
{
   pthread_mutex_lock(&spare.lock);
   if (spare.held)
      end_worker(spare.sock, spare.pid, spare.from_server);
   spare.held = false;
   pthread_mutex_unlock(&spare.lock);
}
