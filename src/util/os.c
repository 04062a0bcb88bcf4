/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "util/os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/eventfd.h>
#include <sys/prctl.h>
#endif

int
pv_os_create_shm(const char *debug_name, uint64_t size)
{
   if (size > (uint64_t)INT64_MAX) {
      errno = EINVAL;
      return -1;
   }
#ifdef __linux__
   int fd = memfd_create(debug_name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
#else
   char name[64];
   snprintf(name, sizeof(name), "/pearvisor-%ld-%p", (long)getpid(), (void *)&name);
   int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
   if (fd >= 0) {
      shm_unlink(name);
      fcntl(fd, F_SETFD, FD_CLOEXEC);
   }
   (void)debug_name;
#endif
   if (fd < 0)
      return -1;
   if (ftruncate(fd, (off_t)size) != 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
   }
   return fd;
}

int
pv_os_event_init(struct pv_os_event *ev)
{
#ifdef __linux__
   int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
   if (fd < 0)
      return -1;
   ev->poll_fd = fd;
   ev->signal_fd = -1;
#else
   int fds[2];
   if (pipe(fds) != 0)
      return -1;
   fcntl(fds[0], F_SETFD, FD_CLOEXEC);
   fcntl(fds[1], F_SETFD, FD_CLOEXEC);
   fcntl(fds[1], F_SETFL, O_NONBLOCK);
   ev->poll_fd = fds[0];
   ev->signal_fd = fds[1];
#endif
   return 0;
}

void
pv_os_event_signal(struct pv_os_event *ev)
{
#ifdef __linux__
   /* The eventfd is both ends; after the fd went to the guest we keep our own dup. */
   int fd = ev->signal_fd >= 0 ? ev->signal_fd : ev->poll_fd;
   uint64_t one = 1;
   if (fd >= 0 && write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
      return;
#else
   char one = 1;
   if (ev->signal_fd >= 0 && write(ev->signal_fd, &one, 1) < 0 && errno != EAGAIN)
      return;
#endif
}

void
pv_os_event_fini(struct pv_os_event *ev)
{
   if (ev->poll_fd >= 0)
      close(ev->poll_fd);
   if (ev->signal_fd >= 0)
      close(ev->signal_fd);
   ev->poll_fd = ev->signal_fd = -1;
}

uint64_t
pv_os_time_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
pv_os_sleep_ns(uint64_t ns)
{
   struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
   while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
      ;
}

void
pv_os_thread_precise_sleeps(void)
{
#ifdef __linux__
   /* 1 us: close enough for poll steps of 10 us and more, without asking for timer interrupts
    * the hardware cannot give. */
   prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
#endif
}
