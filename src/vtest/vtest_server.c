/* SPDX-License-Identifier: MIT */
/*
 * The listening side of vtest: one or more Unix stream sockets (each with its own wire format),
 * one forked process per client by default
 * (the child owns its host Vulkan instance and dies with its client, so a crash in one client's
 * host driver calls cannot take down the server or another client), or one thread per client
 * for debugging.
 */
#define _GNU_SOURCE
#include "vtest/vtest_record.h"
#include "vtest/vtest_server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/host_memory.h"
#include "util/log.h"
#include "vtest/driver_preload.h"
#include "vtest/control.h"
#include "vtest/vtest_children.h"
#include "vtest/vtest_client.h"
#include "vtest/vtest_listen.h"
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
/* The control socket's listener (-1: none): a client process must not inherit it, or a guest
 * that took over its process could shut it down under the server (shutdown() is allowed by the
 * sandbox), leaving the server's poll loop spinning on it and `stats` refused. */
static int g_control_listener = -1;

/* Dead clients' sockets watched at once; more are still closed at their deadline. */
#define VTEST_MAX_WATCHED_ORPHANS 64u

static void
on_stop_signal(int sig)
{
   (void)sig;
   g_stop = 1;
}

struct thread_client {
   int sock;
   struct pv_renderer_config config;
};

static void
close_listeners(const struct vtest_listener *l, unsigned count)
{
   for (unsigned i = 0; i < count; i++)
      close(l[i].fd);
}

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

/* The renderer configuration for a client of a socket of `wire_format`. */
static struct pv_renderer_config
config_for(const struct vtest_server_options *o, uint32_t wire_format, uint64_t fd_budget)
{
   struct pv_renderer_config config = o->renderer;
   config.wire_format = wire_format;
   uint64_t fds = config.max_fds ? config.max_fds : PV_DEFAULT_MAX_FDS;
   if (fd_budget && fd_budget < fds)
      config.max_fds = fd_budget;
   return config;
}

/* Client threads still serving (--threads). */
static atomic_uint g_thread_clients;

/* Our listeners: inherited (socket activation) or bound from the options. Returns how many, or
 * a negative exit code. *activated says whether they are inherited (then the socket files are
 * the service manager's, never unlinked here). */
static int
open_listeners(const struct vtest_server_options *o, struct vtest_listener *l, bool *activated)
{
   int n = vtest_listen_inherited(o, l, VTEST_MAX_SOCKETS);
   *activated = n != 0;
   if (n < 0)
      return -1;
   for (int i = 0; i < n; i++)
      pv_info("listening on inherited socket %s (fd %d) for wire format %u",
              l[i].path[0] ? l[i].path : "(unnamed)", l[i].fd, l[i].wire_format);
   if (n > 0)
      return n;
   for (; (unsigned)n < o->socket_count && n < VTEST_MAX_SOCKETS; n++) {
      int fd = vtest_listen_on(o->sockets[n].path);
      if (fd < 0) {
         close_listeners(l, (unsigned)n);
         return fd == VTEST_LISTEN_IN_USE ? -VTEST_EXIT_IN_USE : -1;
      }
      l[n].fd = fd;
      l[n].wire_format = o->sockets[n].wire_format;
      snprintf(l[n].path, sizeof(l[n].path), "%s", o->sockets[n].path);
      pv_info("listening on %s for wire format %u (%s per client)", o->sockets[n].path,
              o->sockets[n].wire_format, o->use_threads ? "one thread" : "one process");
   }
   return n;
}

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

/* The parent keeps `sock` (and a page the child reports into) to tell the guest if the child
 * dies (vtest_children.c). */
/* The ceiling for one client process: the operator's, or the default for its quotas. */
static uint64_t
client_host_memory(uint64_t max_host_memory, const struct pv_renderer_config *config)
{
   return max_host_memory
             ? max_host_memory
             : pv_host_memory_default(config->max_device_memory, config->max_blob_bytes);
}

static void
serve_in_child(const struct vtest_listener *listeners, unsigned count, int sock,
               const struct pv_renderer_config *config, const struct vtest_sandbox *sandbox,
               uint64_t max_host_memory)
{
   struct vtest_child_page *page = vtest_child_page_new();
   if (page)
      vtest_stats_slot_start(&page->stats);
   pid_t pid = fork();
   if (pid < 0) {
      pv_err("fork: %s", strerror(errno));
      vtest_child_page_free(page);
      close(sock);
      return;
   }
   if (pid == 0) {
      close_listeners(listeners, count);
      if (g_control_listener >= 0)
         close(g_control_listener);
      vtest_children_forget_all_in_child();
      vtest_stats_forget_in_child();
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      signal(SIGCHLD, SIG_DFL);
      pthread_sigmask(SIG_SETMASK, &g_orig_mask, NULL);
      vtest_watch_set_single_client_process(true);
      vtest_client_share_state(page);
      /* Alone in this process: a host-driver crash loses the context, and the guest is
       * answered, instead of the process dying under it (crash_guard.h); on a GPU the guest
       * may have device addresses (its devices are the process's only ones). */
      /* Before the first guest byte is read; the trial run at start-up makes failing rare. */
      pv_host_memory_confine(client_host_memory(max_host_memory, config), "client process");
      if (!vtest_sandbox_enter(sandbox, false))
         _exit(1);
      struct pv_renderer_config own = *config;
      own.contain_host_crashes = true;
      own.one_context_per_process = true;
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

/* The control socket for `pearvisor-gpu stats`, or -1 (none wanted, or it could not be made). */
static int
open_control(const struct vtest_server_options *o, char *path, size_t size)
{
   if (o->single_client || o->no_control)
      return -1;
   if (o->control_path)
      snprintf(path, size, "%s", o->control_path);
   else
      vtest_control_default_path(path, size);
   return vtest_control_open(path);
}

int
vtest_server_run(const struct vtest_server_options *o)
{
   install_signals();
   struct vtest_sandbox sandbox;
   if (!vtest_sandbox_prepare(&o->sandbox, &sandbox))
      return 1;
   if (!vtest_record_configure(o->record_dir,
                               o->record_max ? o->record_max : VTEST_RECORD_DEFAULT_MAX,
                               sandbox.enabled && sandbox.switch_user, sandbox.uid, sandbox.gid))
      return 1;
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
   struct vtest_listener l[VTEST_MAX_SOCKETS];
   bool activated;
   int opened = open_listeners(o, l, &activated);
   if (opened < 0)
      return opened == -1 ? 1 : -opened;
   unsigned n = (unsigned)opened;
   char control_path[108];
   int control = open_control(o, control_path, sizeof(control_path));
   g_control_listener = control;
   /* the listening sockets, the control socket (fd -1: poll skips it), then the sockets of dead
    * clients whose guests are being told */
   struct pollfd pfds[VTEST_MAX_SOCKETS + 1 + VTEST_MAX_WATCHED_ORPHANS];
   for (unsigned i = 0; i < n; i++)
      pfds[i] = (struct pollfd){.fd = l[i].fd, .events = POLLIN};
   pfds[n] = (struct pollfd){.fd = control, .events = POLLIN};
   /* Without a process per client, the serving process is the one to confine (sockets bound);
    * its ceiling, shared by every client, only when the operator gave one. */
   if ((o->single_client || o->use_threads) && o->max_host_memory)
      pv_host_memory_confine(o->max_host_memory, "server");
   if ((o->single_client || o->use_threads) && !vtest_sandbox_enter(&sandbox, true)) {
      close_listeners(l, n);
      vtest_control_close(control, control_path);
      return 1;
   }
   bool done = n == 0;
   while (!g_stop && !done) {
      vtest_children_reap();
      unsigned orphans = vtest_children_orphan_fds(&pfds[n + 1], VTEST_MAX_WATCHED_ORPHANS);
      /* Wakes for a connection, a dead client (SIGCHLD), a stop signal, or to reap anyway. */
      const struct timespec tick = {0, 500000000};
      int ready = ppoll(pfds, n + 1 + orphans, &tick, &g_orig_mask);
      vtest_children_orphans_polled(&pfds[n + 1], ready > 0 ? orphans : 0);
      if (ready <= 0)
         continue;
      if (control >= 0 && (pfds[n].revents & POLLIN)) {
         vtest_children_reap(); /* a client that just left shows as departed, with why */
         vtest_control_serve_one(control);
      }
      for (unsigned i = 0; i < n && !done; i++) {
         if (!(pfds[i].revents & POLLIN))
            continue;
         /* accept() and fcntl rather than accept4: POSIX has no accept4 (vtest_listen.c). */
         int sock = accept(l[i].fd, NULL, NULL);
         if (sock < 0)
            continue;
         fcntl(sock, F_SETFD, FD_CLOEXEC);
         struct pv_renderer_config config = config_for(o, l[i].wire_format, fd_budget);
         unsigned max = max_clients(o);
         if (!o->single_client && !o->use_threads)
            vtest_children_reap(); /* a client that just left frees its slot */
         if (!o->single_client && live_clients(o) >= max) {
            refuse_client(sock, max);
         } else if (o->single_client) {
            config.one_context_per_process = true; /* the one client, then the server exits */
            vtest_client_serve(sock, &config);
            done = true;
         } else if (o->use_threads) {
            serve_in_thread(sock, &config);
         } else {
            serve_in_child(l, n, sock, &config, &sandbox, o->max_host_memory);
         }
      }
   }
   close_listeners(l, n);
   vtest_control_close(control, control_path);
   for (unsigned i = 0; i < n && !activated; i++)
      unlink(l[i].path);
   if (!o->use_threads) /* children serve clients that may still be connected */
      vtest_children_stop_all();
   pv_info("server stopped");
   return 0;
}
