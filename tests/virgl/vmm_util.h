/* SPDX-License-Identifier: MIT */
/* What the tests that call libvirglrenderer.so.1 as a VMM share: fds, memfds, sleeping. */
#ifndef PV_TESTS_VIRGL_VMM_UTIL_H
#define PV_TESTS_VIRGL_VMM_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static inline void
sleep_ms(long ms)
{
   struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
   nanosleep(&ts, NULL);
}

/* Open fds of this process: what the library holds comes back to the baseline at cleanup. */
static inline int
count_fds(void)
{
   int n = 0;
   DIR *d = opendir("/proc/self/fd");
   assert_non_null(d);
   for (struct dirent *e; (e = readdir(d));)
      n += e->d_name[0] != '.';
   closedir(d);
   return n;
}

static inline bool
fd_open(int fd)
{
   return fcntl(fd, F_GETFD) >= 0;
}

/* A memfd of `size` bytes of `fill`: another component's shared memory. */
static inline int
memfd_with(uint64_t size, uint8_t fill)
{
   int fd = memfd_create("vmm-import", MFD_CLOEXEC);
   assert_true(fd >= 0);
   assert_int_equal(ftruncate(fd, (off_t)size), 0);
   uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(p != MAP_FAILED);
   memset(p, fill, size);
   munmap(p, size);
   return fd;
}

/* Whether this process can reach a kernel source of signalled sync files (sync_file.c's two). */
static inline bool
host_has_sync_file_source(void)
{
   for (int i = 128; i < 192; i++) {
      char path[64];
      snprintf(path, sizeof(path), "/dev/dri/renderD%d", i);
      if (access(path, R_OK | W_OK) == 0)
         return true;
   }
   return access("/dev/dma_heap/system", R_OK) == 0;
}

/* Live (not zombie) children of `parent` whose /proc stat has `name` ("(comm"); the oldest
 * and the newest (lowest and highest pid) in *oldest and *newest, -1 if none. */
static inline int
children_of(pid_t parent, const char *name, pid_t *oldest, pid_t *newest)
{
   int n = 0;
   *oldest = *newest = -1;
   DIR *d = opendir("/proc");
   assert_non_null(d);
   for (struct dirent *e; (e = readdir(d));) {
      char path[300], stat[512];
      snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
      FILE *f = fopen(path, "r");
      if (!f)
         continue;
      size_t len = fread(stat, 1, sizeof(stat) - 1, f);
      fclose(f);
      stat[len] = '\0';
      const char *close_paren = strrchr(stat, ')');
      long ppid;
      char st;
      if (close_paren && sscanf(close_paren + 1, " %c %ld", &st, &ppid) == 2 &&
          ppid == (long)parent && st != 'Z' && strstr(stat, name)) {
         n++;
         pid_t pid = atoi(stat);
         if (pid > *newest)
            *newest = pid;
         if (*oldest < 0 || pid < *oldest)
            *oldest = pid;
      }
   }
   closedir(d);
   return n;
}

#endif
