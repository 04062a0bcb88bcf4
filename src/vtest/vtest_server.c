/* SPDX-License-Identifier: MIT */
/*
 * The listening side of vtest: one or more Unix stream sockets (each with its own wire format),
 * one forked process per client by default
 * (the child owns its host Vulkan instance and dies with its client, so a crash in one client's
 * host driver calls cannot take down the server or another client), or one thread per client
 * for debugging.
 */
#define _GNU_SOURCE
#include "vtest/vtest_server.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "util/log_limit.h"
#include "vtest/driver_preload.h"
#include "vtest/vtest_children.h"
#include "vtest/vtest_client.h"
#include "vtest/vtest_watch.h"

/* The client process leaves with _exit (the parent's atexit handlers and stdio buffers are not
 * its own), which skips LeakSanitizer's exit-time check; a sanitizer build runs it here. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
static void
check_leaks_before_exit(void)
{
   __lsan_do_leak_check();
}
#else
static void
check_leaks_before_exit(void)
{
}
#endif

static volatile sig_atomic_t g_stop;
static sigset_t g_orig_mask;

/* Dead clients' sockets watched at once; more are still closed at their deadline. */
#define VTEST_MAX_WATCHED_ORPHANS 64u

static void
on_stop_signal(int sig)
{
   (void)sig;
   g_stop = 1;
}

static int
listen_on(const char *path)
{
   struct sockaddr_un addr = {.sun_family = AF_UNIX};
   if (strlen(path) >= sizeof(addr.sun_path)) {
      pv_err("socket path too long: %s", path);
      return -1;
   }
   strcpy(addr.sun_path, path);
   /* Replace a stale socket from an earlier run, but never delete anything that is not one. */
   struct stat st;
   if (lstat(path, &st) == 0) {
      if (!S_ISSOCK(st.st_mode)) {
         pv_err("%s exists and is not a socket; refusing to replace it", path);
         return -1;
      }
      unlink(path);
   }
   int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
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

struct thread_client {
   int sock;
   struct pv_renderer_config config;
};

static unsigned
max_clients(const struct vtest_server_options *o)
{
   return o->max_clients ? o->max_clients : VTEST_DEFAULT_MAX_CLIENTS;
}

/* Raises the soft limit on open fds to the hard one; returns the limit now in force. */
static uint64_t
raise_fd_limit(void)
{
   struct rlimit rl;
   if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
      return 1024;
   if (rl.rlim_cur < rl.rlim_max) {
      rl.rlim_cur = rl.rlim_max;
      if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
         getrlimit(RLIMIT_NOFILE, &rl);
   }
   return rl.rlim_cur == RLIM_INFINITY ? UINT32_MAX : (uint64_t)rl.rlim_cur;
}

/*
 * With --threads every client shares this process's fd table, and a guest that exhausted it
 * closed a bystander's socket mid-reply. Each client gets an equal part, after a reserve for the
 * listening sockets and each client's socket, watcher and in-flight sends; halved because the
 * renderer's fds (host-visible memory) and the pending sync waits each get that budget.
 */
static uint64_t
thread_fd_budget(const struct vtest_server_options *o, uint64_t limit)
{
   uint64_t reserve = 64 + 8ull * max_clients(o);
   uint64_t share = limit > reserve ? (limit - reserve) / max_clients(o) / 2 : 0;
   return share < 16 ? 16 : share;
}

/* The renderer configuration for a client of socket `s`. */
static struct pv_renderer_config
config_for(const struct vtest_server_options *o, unsigned s, uint64_t fd_budget)
{
   struct pv_renderer_config config = o->renderer;
   config.wire_format = o->sockets[s].wire_format;
   uint64_t fds = config.max_fds ? config.max_fds : PV_DEFAULT_MAX_FDS;
   if (fd_budget && fd_budget < fds)
      config.max_fds = fd_budget;
   return config;
}

/* Client threads still serving (--threads). */
static atomic_uint g_thread_clients;

static void *
client_thread(void *arg)
{
   struct thread_client *tc = arg;
   vtest_client_serve(tc->sock, &tc->config);
   free(tc);
   atomic_fetch_sub(&g_thread_clients, 1);
   return NULL;
}

static void
serve_in_thread(int sock, const struct pv_renderer_config *config)
{
   struct thread_client *tc = malloc(sizeof(*tc));
   pthread_t thread;
   if (!tc) {
      close(sock);
      return;
   }
   tc->sock = sock;
   tc->config = *config;
   atomic_fetch_add(&g_thread_clients, 1);
   if (pthread_create(&thread, NULL, client_thread, tc)) {
      pv_err("cannot start a client thread");
      atomic_fetch_sub(&g_thread_clients, 1);
      close(sock);
      free(tc);
      return;
   }
   pthread_detach(thread);
}

static void
close_listeners(const int *fds, unsigned count)
{
   for (unsigned i = 0; i < count; i++)
      close(fds[i]);
}

/* The parent keeps `sock` (and a page the child reports into) to tell the guest if the child
 * dies (vtest_children.c). */
static void
serve_in_child(const int *listen_fds, unsigned count, int sock,
               const struct pv_renderer_config *config)
{
   struct vtest_child_page *page = vtest_child_page_new();
   pid_t pid = fork();
   if (pid < 0) {
      pv_err("fork: %s", strerror(errno));
      vtest_child_page_free(page);
      close(sock);
      return;
   }
   if (pid == 0) {
      close_listeners(listen_fds, count);
      vtest_children_forget_all_in_child();
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      signal(SIGCHLD, SIG_DFL);
      pthread_sigmask(SIG_SETMASK, &g_orig_mask, NULL);
      vtest_watch_set_single_client_process(true);
      vtest_client_share_state(page);
      /* Alone in this process: a host-driver crash loses the context, and the guest is
       * answered, instead of the process dying under it (crash_guard.h). */
      struct pv_renderer_config own = *config;
      own.contain_host_crashes = true;
      int ret = vtest_client_serve(sock, &own) ? 1 : 0;
      check_leaks_before_exit();
      _exit(ret);
   }
   pv_dbg("client process %ld started", (long)pid);
   vtest_children_add(pid, sock, page);
}

static unsigned
live_clients(const struct vtest_server_options *o)
{
   return o->use_threads ? atomic_load(&g_thread_clients) : (unsigned)vtest_children_count();
}

/*
 * Refuses a client over --max-clients. Closing a socket whose unread data (the guest's first
 * request, sent right after connect) is still queued makes the guest's next read fail with
 * ECONNRESET: both Mesa guests then report "lost connection" and stop, where a plain EOF would
 * make them spin forever. So wait a moment for that first request, without reading it.
 */
static void
refuse_client(int sock, unsigned max)
{
   pv_warn_limited("refusing a client: %u clients are connected (--max-clients)", max);
   struct pollfd p = {.fd = sock, .events = POLLIN};
   poll(&p, 1, 50);
   close(sock);
}

static void
on_child_signal(int sig)
{
   (void)sig; /* only interrupts ppoll, so a dead client is reaped (and its guest told) now */
}

/* Stop signals and SIGCHLD stay blocked outside ppoll, which takes them with g_orig_mask (the
 * mask before), so none is lost between a check and the wait. Client processes get g_orig_mask
 * back. */
static void
install_signals(void)
{
   struct sigaction sa = {0};
   sa.sa_handler = on_stop_signal;
   sigemptyset(&sa.sa_mask);
   sigaction(SIGINT, &sa, NULL);
   sigaction(SIGTERM, &sa, NULL);
   sa.sa_handler = on_child_signal;
   sigaction(SIGCHLD, &sa, NULL);
   signal(SIGPIPE, SIG_IGN);
   sigset_t block;
   sigemptyset(&block);
   sigaddset(&block, SIGINT);
   sigaddset(&block, SIGTERM);
   sigaddset(&block, SIGCHLD);
   pthread_sigmask(SIG_BLOCK, &block, &g_orig_mask);
}

int
vtest_server_run(const struct vtest_server_options *o)
{
   install_signals();
   /* Per-client processes share the driver's pages only if it is loaded before they fork; with
    * --threads it is loaded once here too, so a client's start does not pay for it. */
   if (!o->single_client && !o->no_driver_preload)
      vtest_preload_host_driver();
   uint64_t fd_limit = raise_fd_limit();
   uint64_t fd_budget = o->use_threads ? thread_fd_budget(o, fd_limit) : 0;
   if (fd_budget)
      pv_info("one process for every client: %llu open fds at most, %llu for each client's "
              "memory and as many for its waits",
              (unsigned long long)fd_limit, (unsigned long long)fd_budget);
   int fds[VTEST_MAX_SOCKETS];
   /* the listening sockets, then the sockets of dead clients whose guests are being told */
   struct pollfd pfds[VTEST_MAX_SOCKETS + VTEST_MAX_WATCHED_ORPHANS];
   unsigned n = 0;
   for (; n < o->socket_count && n < VTEST_MAX_SOCKETS; n++) {
      fds[n] = listen_on(o->sockets[n].path);
      if (fds[n] < 0) {
         close_listeners(fds, n);
         return 1;
      }
      pfds[n] = (struct pollfd){.fd = fds[n], .events = POLLIN};
      pv_info("listening on %s for wire format %u (%s per client)", o->sockets[n].path,
              o->sockets[n].wire_format, o->use_threads ? "one thread" : "one process");
   }
   bool done = n == 0;
   while (!g_stop && !done) {
      vtest_children_reap();
      unsigned orphans = vtest_children_orphan_fds(&pfds[n], VTEST_MAX_WATCHED_ORPHANS);
      /* Wake up now and then to reap children even when nobody connects. */
      /* Wakes for a connection, a dead client (SIGCHLD), a stop signal, or to reap anyway. */
      const struct timespec tick = {0, 500000000};
      int ready = ppoll(pfds, n + orphans, &tick, &g_orig_mask);
      vtest_children_orphans_polled(&pfds[n], ready > 0 ? orphans : 0);
      if (ready <= 0)
         continue;
      for (unsigned i = 0; i < n && !done; i++) {
         if (!(pfds[i].revents & POLLIN))
            continue;
         int sock = accept(fds[i], NULL, NULL);
         if (sock < 0)
            continue;
         struct pv_renderer_config config = config_for(o, i, fd_budget);
         unsigned max = max_clients(o);
         if (!o->single_client && !o->use_threads)
            vtest_children_reap(); /* a client that just left frees its slot */
         if (!o->single_client && live_clients(o) >= max) {
            refuse_client(sock, max);
         } else if (o->single_client) {
            vtest_client_serve(sock, &config);
            done = true;
         } else if (o->use_threads) {
            serve_in_thread(sock, &config);
         } else {
            serve_in_child(fds, n, sock, &config);
         }
      }
   }
   for (unsigned i = 0; i < n; i++) {
      close(fds[i]);
      unlink(o->sockets[i].path);
   }
   if (!o->use_threads) /* children serve clients that may still be connected */
      vtest_children_stop_all();
   pv_info("server stopped");
   return 0;
}
