/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "util/os.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* The Linux calls (memfd, eventfd, prctl) unless the build asked for the POSIX-only layer
 * (meson -Dos_layer=posix): then Linux takes the paths macOS takes, so CI exercises them. */
#if defined(__linux__) && !defined(PV_OS_POSIX_ONLY)
#define PV_OS_LINUX 1
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#else
#define PV_OS_LINUX 0
#endif

#include <stdatomic.h>

int
pv_os_create_shm(const char *debug_name, uint64_t size)
{
   if (size > (uint64_t)INT64_MAX) {
      errno = EINVAL;
      return -1;
   }
#if PV_OS_LINUX
   int fd = memfd_create(debug_name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
#else
   /* Unique per process and call (threads too); unlinked at once, so only the fd names it.
    * Pids repeat across PID namespaces that share /dev/shm (containers; the e2e harness runs
    * each test's server in its own): two servers made the same name, and one allocation failed
    * with EEXIST (a CI run of the POSIX build). So the name has the time too, and a taken name
    * is retried with the next one. */
   static atomic_uint counter;
   char name[80];
   int fd = -1;
   for (int tries = 0; fd < 0 && tries < 16; tries++) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      snprintf(name, sizeof(name), "/pearvisor-%ld-%u-%lx-%lx", (long)getpid(),
               atomic_fetch_add(&counter, 1u), (unsigned long)ts.tv_sec, (unsigned long)ts.tv_nsec);
      fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
      if (fd < 0 && errno != EEXIST)
         break;
   }
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
#if PV_OS_LINUX
   /* The size is final: these fds go to guests (vtest clients get blobs' fds) and from workers
    * to the VMM, and a peer that shrank one would turn the next access through a mapping of it
    * past the new end into SIGBUS in the process that maps it (a --threads server, the VMM). */
   if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW) != 0) {
      int saved = errno;
      close(fd);
      errno = saved;
      return -1;
   }
#endif
   return fd;
}

int
pv_os_event_init(struct pv_os_event *ev)
{
#if PV_OS_LINUX
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
#if PV_OS_LINUX
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

struct timespec
pv_os_cond_deadline(uint64_t ns)
{
   struct timespec ts;
   clock_gettime(CLOCK_REALTIME, &ts);
   ts.tv_sec += (time_t)(ns / 1000000000ull);
   ts.tv_nsec += (long)(ns % 1000000000ull);
   if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
   }
   return ts;
}

const char *
pv_os_layer_name(void)
{
   return PV_OS_LINUX ? "linux" : "posix";
}

void
pv_os_advise_huge_pages(void *addr, size_t size)
{
#if PV_OS_LINUX && defined(MADV_HUGEPAGE)
   madvise(addr, size, MADV_HUGEPAGE);
#else
   (void)addr;
   (void)size;
#endif
}

int
pv_os_shmem_huge_pages(char *setting, size_t size)
{
   if (size)
      setting[0] = '\0';
#if PV_OS_LINUX
   /* e.g. "always within_size advise [never] deny force": the selected one is bracketed */
   FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "re");
   if (!f)
      return -1;
   char line[256];
   bool got = fgets(line, sizeof(line), f) != NULL;
   fclose(f);
   char *chosen = got ? strchr(line, '[') : NULL;
   char *end = chosen ? strchr(chosen, ']') : NULL;
   if (!end)
      return -1;
   *end = '\0';
   chosen++;
   snprintf(setting, size, "%s", chosen);
   return strcmp(chosen, "never") != 0 && strcmp(chosen, "deny") != 0;
#else
   return -1;
#endif
}

const char *
pv_os_shmem_huge_pages_text(char *buf, size_t size)
{
   char setting[32];
   int huge = pv_os_shmem_huge_pages(setting, sizeof(setting));
   if (huge > 0)
      snprintf(buf, size, "shared-memory huge pages '%s': host-visible allocations of 2 MiB and "
                          "more ask for them", setting);
   else if (huge == 0)
      snprintf(buf, size, "shared-memory huge pages '%s': host-visible memory stays in 4 KiB pages "
                          "(a guest's copies through large mappings ran at 0.89-0.91x native on "
                          "an H200; README, Tuning a GPU host)", setting);
   else
      snprintf(buf, size, "shared-memory huge pages: not known on this OS");
   return buf;
}

void
pv_os_thread_precise_sleeps(void)
{
#if PV_OS_LINUX
   /* 1 us: close enough for poll steps of 10 us and more, without asking for timer interrupts
    * the hardware cannot give. */
   prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
#endif
}

static unsigned
cpus_runnable(void)
{
#if PV_OS_LINUX
   cpu_set_t set;
   if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
      return (unsigned)CPU_COUNT(&set);
#endif
   long n = sysconf(_SC_NPROCESSORS_ONLN);
   return n > 0 ? (unsigned)n : 1u;
}

unsigned
pv_os_cpus_usable(void)
{
   unsigned cpus = cpus_runnable(), quota = pv_os_cpu_quota_cpus();
   return quota && quota < cpus ? quota : cpus;
}
