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
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "vtest/driver_preload.h"
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

/* The renderer configuration for a client of socket `s`. */
static struct pv_renderer_config
config_for(const struct vtest_server_options *o, unsigned s)
{
   struct pv_renderer_config config = o->renderer;
   config.wire_format = o->sockets[s].wire_format;
   return config;
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
close_listeners(const int *fds, unsigned count)
{
   for (unsigned i = 0; i < count; i++)
      close(fds[i]);
}

static void
serve_in_child(const int *listen_fds, unsigned count, int sock,
               const struct pv_renderer_config *config, const struct vtest_sandbox *sandbox)
{
   pid_t pid = fork();
   if (pid < 0) {
      pv_err("fork: %s", strerror(errno));
      close(sock);
      return;
   }
   if (pid == 0) {
      close_listeners(listen_fds, count);
      signal(SIGINT, SIG_DFL);
      signal(SIGTERM, SIG_DFL);
      /* Before the first guest byte is read; the trial run at start-up makes failing rare. */
      if (!vtest_sandbox_enter(sandbox, false))
         _exit(1);
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
   struct vtest_sandbox sandbox;
   if (!vtest_sandbox_prepare(&o->sandbox, &sandbox))
      return 1;
   /* Per-client processes share the driver's pages only if it is loaded before they fork; with
    * --threads it is loaded once here too, so a client's start does not pay for it. */
   if (!o->single_client && !o->no_driver_preload)
      vtest_preload_host_driver();
   int fds[VTEST_MAX_SOCKETS];
   struct pollfd pfds[VTEST_MAX_SOCKETS];
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
   /* Without a process per client, the serving process is the one to confine (sockets bound). */
   if ((o->single_client || o->use_threads) && !vtest_sandbox_enter(&sandbox, true)) {
      close_listeners(fds, n);
      return 1;
   }
   bool done = n == 0;
   while (!g_stop && !done) {
      reap_children();
      /* Wake up now and then to reap children even when nobody connects. */
      if (poll(pfds, n, 500) <= 0)
         continue;
      for (unsigned i = 0; i < n && !done; i++) {
         if (!(pfds[i].revents & POLLIN))
            continue;
         int sock = accept(fds[i], NULL, NULL);
         if (sock < 0)
            continue;
         struct pv_renderer_config config = config_for(o, i);
         if (o->single_client) {
            vtest_client_serve(sock, &config);
            done = true;
         } else if (o->use_threads) {
            serve_in_thread(sock, &config);
         } else {
            serve_in_child(fds, n, sock, &config, &sandbox);
         }
      }
   }
   for (unsigned i = 0; i < n; i++) {
      close(fds[i]);
      unlink(o->sockets[i].path);
   }
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
