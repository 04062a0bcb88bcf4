/* SPDX-License-Identifier: MIT */
/*
 * The VMM's control socket (virgl_stats.h): with PEARVISOR_VIRGL_CONTROL=PATH the library
 * answers `pearvisor-gpu stats --control PATH` about this VMM's guest contexts, from a thread of
 * its own, so neither the VMM's threads nor a context's work waits for a reader. "%p" in PATH is
 * replaced by the VMM's process id (one socket per VM). The socket's rules are the vtest
 * server's (src/vtest/control.h): mode 0600 in a directory of mode 0700 of the VMM's user, and
 * only that user or root is answered, since the records name guest processes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "virgl/virgl_stats.h"
#include "vtest/control.h"

static struct {
   pthread_t thread;
   int listen_fd, wake[2];
   bool running;
   char path[108]; /* sun_path */
} C = {.listen_fd = -1, .wake = {-1, -1}};

/* PEARVISOR_VIRGL_CONTROL with "%p" replaced by our pid; false when it does not fit. */
static bool
expand_path(const char *tmpl, char *out, size_t size)
{
   size_t n = 0;
   for (const char *p = tmpl; *p; p++) {
      int w;
      if (p[0] == '%' && p[1] == 'p') {
         w = snprintf(out + n, size - n, "%ld", (long)getpid());
         p++;
      } else {
         w = snprintf(out + n, size - n, "%c", *p);
      }
      if (w < 0 || (size_t)w >= size - n)
         return false;
      n += (size_t)w;
   }
   return n > 0;
}

static void *
control_main(void *arg)
{
   (void)arg;
   struct pollfd p[2] = {{.fd = C.listen_fd, .events = POLLIN},
                         {.fd = C.wake[0], .events = POLLIN}};
   for (;;) {
      if (poll(p, 2, -1) < 0 && errno != EINTR)
         break;
      if (p[1].revents)
         break;
      if (p[0].revents & POLLIN)
         vtest_control_serve_one(C.listen_fd);
   }
   return NULL;
}

void
vg_control_start(void)
{
   const char *tmpl = getenv("PEARVISOR_VIRGL_CONTROL");
   if (C.running || !tmpl || !*tmpl)
      return;
   if (!expand_path(tmpl, C.path, sizeof(C.path))) {
      pv_warn("virgl: PEARVISOR_VIRGL_CONTROL is too long for a socket path; no control socket");
      return;
   }
   C.listen_fd = vtest_control_open(C.path); /* logs why not */
   if (C.listen_fd < 0)
      return;
   if (pipe(C.wake) != 0) {
      C.wake[0] = C.wake[1] = -1;
   } else {
      fcntl(C.wake[0], F_SETFD, FD_CLOEXEC);
      fcntl(C.wake[1], F_SETFD, FD_CLOEXEC);
      C.running = pthread_create(&C.thread, NULL, control_main, NULL) == 0;
   }
   if (!C.running) {
      pv_warn("virgl: no thread for the control socket %s; closing it", C.path);
      vg_control_stop();
   }
}

void
vg_control_stop(void)
{
   if (C.running) {
      char b = 0;
      while (write(C.wake[1], &b, 1) < 0 && errno == EINTR)
         ;
      pthread_join(C.thread, NULL);
      C.running = false;
   }
   for (int i = 0; i < 2; i++) {
      if (C.wake[i] >= 0)
         close(C.wake[i]);
      C.wake[i] = -1;
   }
   vtest_control_close(C.listen_fd, C.path);
   C.listen_fd = -1;
}
