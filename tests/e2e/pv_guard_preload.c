/* SPDX-License-Identifier: MIT */
/*
 * A test-only LD_PRELOAD for the server (issue 12, "no byte outside the guest's allocations"):
 * every shared mapping of a memfd the server makes — the host side of guest-visible memory
 * (src/vk/memory.c) and of blobs (src/renderer/blob.c) — gets PV_GUARD_SIZE bytes of canary
 * pages right before and right after it, so an out-of-bounds host access deterministically lands
 * on memory that belongs to no guest object, whatever else the address space holds:
 *   - writes: when the mapping is unmapped (vkFreeMemory, context teardown) or the process exits
 *     normally, each guard is compared with its pattern; a changed byte is reported on stderr
 *     (the server log) as "pv-guard: ... changed", which the hostile test fails on;
 *   - reads: the guard bytes are PV_GUARD_BYTE (pv-hostile's "secret" byte, 0x5e), so a copy
 *     that reads past its source brings them into the guest's canary buffer.
 * The first line it writes, "pv-guard: active", proves it was loaded. Not for ASan builds (the
 * sanitizer runtime must come first in the library list).
 */
#define _GNU_SOURCE
/* both symbols, mmap and mmap64, are defined below: no header renaming of one to the other */
#undef _FILE_OFFSET_BITS
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PV_GUARD_SIZE ((size_t)256 << 10)
#define PV_GUARD_BYTE 0x5e
#define PV_GUARD_MAX 4096

struct guarded {
   uint8_t *base; /* start of the front guard */
   size_t len;    /* of the file mapping, page-rounded */
};

static struct guarded table[PV_GUARD_MAX];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void
say(const char *fmt, ...)
{
   char line[512];
   va_list ap;
   va_start(ap, fmt);
   int n = vsnprintf(line, sizeof(line), fmt, ap);
   va_end(ap);
   if (n > 0)
      (void)!write(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void *
sys_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
   return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static int
sys_munmap(void *addr, size_t len)
{
   return (int)syscall(SYS_munmap, addr, len);
}

static bool
is_memfd(int fd)
{
   char path[64], target[64];
   snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
   ssize_t n = readlink(path, target, sizeof(target) - 1);
   if (n <= 0)
      return false;
   target[n] = '\0';
   return strncmp(target, "/memfd:", 7) == 0;
}

/* Counts changed bytes of one guard. */
static size_t
changed(const uint8_t *p)
{
   size_t n = 0;
   for (size_t i = 0; i < PV_GUARD_SIZE; i++)
      n += p[i] != PV_GUARD_BYTE;
   return n;
}

static void
check(const struct guarded *g, const char *when)
{
   size_t before = changed(g->base), after = changed(g->base + PV_GUARD_SIZE + g->len);
   if (before || after)
      say("pv-guard: pid %ld: %zu bytes before and %zu bytes after a %zu-byte guest mapping "
          "changed (%s): the host wrote outside the guest's allocations\n",
          (long)getpid(), before, after, g->len, when);
}

__attribute__((constructor)) static void
announce(void)
{
   say("pv-guard: active in pid %ld\n", (long)getpid());
}

__attribute__((destructor)) static void
check_all(void)
{
   pthread_mutex_lock(&lock);
   for (size_t i = 0; i < PV_GUARD_MAX; i++) {
      if (table[i].base)
         check(&table[i], "at exit");
   }
   pthread_mutex_unlock(&lock);
}

static void *
guarded_map(size_t len, int prot, int flags, int fd, off_t off)
{
   size_t page = (size_t)sysconf(_SC_PAGESIZE);
   size_t rounded = (len + page - 1) / page * page;
   uint8_t *base = sys_mmap(NULL, rounded + 2 * PV_GUARD_SIZE, PROT_NONE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
   if (base == MAP_FAILED)
      return MAP_FAILED;
   uint8_t *mid = sys_mmap(base + PV_GUARD_SIZE, len, prot, flags | MAP_FIXED, fd, off);
   uint8_t *front = sys_mmap(base, PV_GUARD_SIZE, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
   uint8_t *back = sys_mmap(base + PV_GUARD_SIZE + rounded, PV_GUARD_SIZE,
                            PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
   if (mid == MAP_FAILED || front == MAP_FAILED || back == MAP_FAILED) {
      sys_munmap(base, rounded + 2 * PV_GUARD_SIZE);
      return MAP_FAILED;
   }
   memset(front, PV_GUARD_BYTE, PV_GUARD_SIZE);
   memset(back, PV_GUARD_BYTE, PV_GUARD_SIZE);
   pthread_mutex_lock(&lock);
   for (size_t i = 0; i < PV_GUARD_MAX; i++) {
      if (!table[i].base) {
         table[i] = (struct guarded){base, rounded};
         break;
      }
   }
   pthread_mutex_unlock(&lock);
   return mid;
}

void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
   if (!addr && fd >= 0 && (flags & MAP_SHARED) && len && is_memfd(fd))
      return guarded_map(len, prot, flags, fd, off);
   return sys_mmap(addr, len, prot, flags, fd, off);
}

void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
   return mmap(addr, len, prot, flags, fd, (off_t)off);
}

int
munmap(void *addr, size_t len)
{
   pthread_mutex_lock(&lock);
   for (size_t i = 0; i < PV_GUARD_MAX; i++) {
      struct guarded *g = &table[i];
      if (g->base && (uint8_t *)addr == g->base + PV_GUARD_SIZE) {
         check(g, "at unmap");
         uint8_t *base = g->base;
         size_t total = g->len + 2 * PV_GUARD_SIZE;
         g->base = NULL;
         pthread_mutex_unlock(&lock);
         return sys_munmap(base, total);
      }
   }
   pthread_mutex_unlock(&lock);
   return sys_munmap(addr, len);
}
