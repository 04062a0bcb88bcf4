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
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "vtest/driver_preload.h"
#include "vtest/vtest_listen.h"
#include "vtest/vtest_client.h"

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

/* Live client processes, so shutdown can stop exactly them. */
static pid_t *g_children;
static size_t g_child_count, g_child_cap;

static void
track_child(pid_t pid)
{
   if (g_child_count == g_child_cap) {
      size_t cap = g_child_cap ? g_child_cap * 2 : 16;
      pid_t *p = realloc(g_children, cap * sizeof(*p));
      if (!p)
         return; /* still reaped by waitpid(-1), just not signaled at shutdown */
      g_children = p;
      g_child_cap = cap;
   }
   g_children[g_child_count++] = pid;
}

static void
forget_child(pid_t pid)
{
   for (size_t i = 0; i < g_child_count; i++) {
      if (g_children[i] == pid) {
         g_children[i] = g_children[--g_child_count];
         return;
      }
   }
}

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

/* The renderer configuration for a client of a socket of `wire_format`. */
static struct pv_renderer_config
config_for(const struct vtest_server_options *o, uint32_t wire_format)
{
   struct pv_renderer_config config = o->renderer;
   config.wire_format = wire_format;
   return config;
}

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
   if (pthread_create(&thread, NULL, client_thread, tc)) {
      pv_err("cannot start a client thread");
      close(sock);
      free(tc);
      return;
   }
   pthread_detach(thread);
}

static void
serve_in_child(const struct vtest_listener *listeners, unsigned count, int sock,
               const struct pv_renderer_config *config)
{
   pid_t pid = fork();
   if (pid < 0) {
      pv_err("fork: %s", strerror(errno));
      close(sock);
      return;
   }
   if (pid == 0) {
      close_listeners(listeners, count);
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      int ret = vtest_client_serve(sock, config) ? 1 : 0;
      check_leaks_before_exit();
      _exit(ret);
   }
   pv_dbg("client process %ld started", (long)pid);
   track_child(pid);
   close(sock);
}

static void
reap_children(void)
{
   int status;
   pid_t pid;
   while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      forget_child(pid);
      if (WIFSIGNALED(status))
         pv_warn("client process %ld died from signal %d; other clients are unaffected",
                 (long)pid, WTERMSIG(status));
   }
}

static void
install_signals(void)
{
   struct sigaction sa = {0};
   sa.sa_handler = on_stop_signal;
   sigemptyset(&sa.sa_mask);
   sigaction(SIGINT, &sa, NULL);
   sigaction(SIGTERM, &sa, NULL);
   signal(SIGPIPE, SIG_IGN);
}

int
vtest_server_run(const struct vtest_server_options *o)
{
   install_signals();
   /* Per-client processes share the driver's pages only if it is loaded before they fork; with
    * --threads it is loaded once here too, so a client's start does not pay for it. */
   if (!o->single_client && !o->no_driver_preload)
      vtest_preload_host_driver();
   struct vtest_listener l[VTEST_MAX_SOCKETS];
   bool activated;
   int opened = open_listeners(o, l, &activated);
   if (opened < 0)
      return opened == -1 ? 1 : -opened;
   unsigned n = (unsigned)opened;
   struct pollfd pfds[VTEST_MAX_SOCKETS];
   for (unsigned i = 0; i < n; i++)
      pfds[i] = (struct pollfd){.fd = l[i].fd, .events = POLLIN};
   bool done = n == 0;
   while (!g_stop && !done) {
      reap_children();
      /* Wake up now and then to reap children even when nobody connects. */
      if (poll(pfds, n, 500) <= 0)
         continue;
      for (unsigned i = 0; i < n && !done; i++) {
         if (!(pfds[i].revents & POLLIN))
            continue;
         /* accept() and fcntl rather than accept4: POSIX has no accept4 (vtest_listen.c). */
         int sock = accept(l[i].fd, NULL, NULL);
         if (sock < 0)
            continue;
         fcntl(sock, F_SETFD, FD_CLOEXEC);
         struct pv_renderer_config config = config_for(o, l[i].wire_format);
         if (o->single_client) {
            vtest_client_serve(sock, &config);
            done = true;
         } else if (o->use_threads) {
            serve_in_thread(sock, &config);
         } else {
            serve_in_child(l, n, sock, &config);
         }
      }
   }
   close_listeners(l, n);
   for (unsigned i = 0; i < n && !activated; i++)
      unlink(l[i].path);
   if (!o->use_threads) {
      /* Children serve clients that may still be connected; ask them to finish. */
      for (size_t i = 0; i < g_child_count; i++)
         kill(g_children[i], SIGTERM);
      while (waitpid(-1, NULL, 0) > 0)
         ;
      free(g_children);
      g_children = NULL;
      g_child_count = g_child_cap = 0;
   }
   pv_info("server stopped");
   return 0;
}
