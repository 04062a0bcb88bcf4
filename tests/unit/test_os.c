/* SPDX-License-Identifier: MIT */
/* util/os in whichever variant this build has (Linux, or the POSIX-only one of -Dos_layer=posix,
 * which macOS uses): shared memory that maps with its size, events another process can poll. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pearvisor/pearvisor.h"
#include "util/host_memory.h"
#include "util/os.h"

static void
test_variant(void **state)
{
   (void)state;
#if defined(__linux__) && !defined(PV_OS_POSIX_ONLY)
   assert_string_equal(pv_os_layer_name(), "linux");
#else
   assert_string_equal(pv_os_layer_name(), "posix");
#endif
}

static void
test_shm(void **state)
{
   (void)state;
   int fd = pv_os_create_shm("test", 3 * 4096 + 5);
   assert_true(fd >= 0);
   assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
   struct stat st;
   assert_int_equal(fstat(fd, &st), 0);
   assert_int_equal(st.st_size, 3 * 4096 + 5);
   /* Two mappings of the fd see the same bytes, as the guest's and ours do. */
   unsigned char *a = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   unsigned char *b = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(a != MAP_FAILED && b != MAP_FAILED);
   a[100] = 0x5a;
   assert_int_equal(b[100], 0x5a);
   munmap(a, 4096);
   munmap(b, 4096);
#if defined(__linux__) && !defined(PV_OS_POSIX_ONLY)
   /* Its size is final: a guest (or a worker) holding the fd can neither shrink it under our
    * mappings, which would make our next access past the new end SIGBUS, nor grow it. */
   assert_int_equal(ftruncate(fd, 0), -1);
   assert_int_equal(errno, EPERM);
   assert_int_equal(ftruncate(fd, 8 * 4096), -1);
   assert_int_equal(fstat(fd, &st), 0);
   assert_int_equal(st.st_size, 3 * 4096 + 5);
#endif
   close(fd);
   /* Many at once: names never collide. */
   int fds[64];
   for (int i = 0; i < 64; i++)
      assert_true((fds[i] = pv_os_create_shm("many", 4096)) >= 0);
   for (int i = 0; i < 64; i++)
      close(fds[i]);
   assert_int_equal(pv_os_create_shm("huge", UINT64_MAX), -1);
}

static void
test_event(void **state)
{
   (void)state;
   struct pv_os_event ev;
   assert_int_equal(pv_os_event_init(&ev), 0);
   struct pollfd p = {.fd = ev.poll_fd, .events = POLLIN};
   assert_int_equal(poll(&p, 1, 0), 0);
   /* Signaled from another process, as a forked client would see it. */
   pid_t pid = fork();
   if (pid == 0) {
      pv_os_event_signal(&ev);
      _exit(0);
   }
   waitpid(pid, NULL, 0);
   assert_int_equal(poll(&p, 1, 1000), 1);
   assert_true(p.revents & POLLIN);
   pv_os_event_signal(&ev); /* again: never blocks */
   pv_os_event_fini(&ev);
   assert_int_equal(ev.poll_fd, -1);
}

/* A condition-variable deadline: on CLOCK_REALTIME, `ns` ahead, nanoseconds normalized (a
 * carry into the seconds at 1.5 s). */
#if defined(__linux__) && !defined(PV_OS_POSIX_ONLY)
/* Whether the mapping that holds `addr` carries `flag` in /proc/self/smaps' VmFlags. */
static bool
vma_has_flag(const void *addr, const char *flag)
{
   FILE *f = fopen("/proc/self/smaps", "r");
   assert_non_null(f);
   char line[512];
   bool inside = false, found = false;
   while (fgets(line, sizeof(line), f)) {
      unsigned long start, end;
      if (sscanf(line, "%lx-%lx ", &start, &end) == 2)
         inside = (uintptr_t)addr >= start && (uintptr_t)addr < end;
      else if (inside && !strncmp(line, "VmFlags:", 8))
         found = strstr(line, flag) != NULL;
   }
   fclose(f);
   return found;
}
#endif

/* Host-visible memory asks for huge pages (whether the kernel gives them to shared memory is the
 * administrator's shmem_enabled): the mapping carries the madvise. */
static void
test_advise_huge_pages(void **state)
{
   (void)state;
   const size_t size = 4u << 20;
   int fd = pv_os_create_shm("pv-test-huge", size);
   assert_true(fd >= 0);
   void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(p != MAP_FAILED);
   pv_os_advise_huge_pages(p, size);
#if defined(__linux__) && !defined(PV_OS_POSIX_ONLY)
   assert_true(vma_has_flag(p, " hg"));
#endif
   munmap(p, size);
   close(fd);
}

static void
test_cond_deadline(void **state)
{
   (void)state;
   struct timespec before, after;
   clock_gettime(CLOCK_REALTIME, &before);
   struct timespec d = pv_os_cond_deadline(1500000000ull);
   clock_gettime(CLOCK_REALTIME, &after);
   assert_true(d.tv_nsec >= 0 && d.tv_nsec < 1000000000L);
   int64_t lo = (int64_t)before.tv_sec * 1000000000 + before.tv_nsec + 1500000000;
   int64_t hi = (int64_t)after.tv_sec * 1000000000 + after.tv_nsec + 1500000000;
   int64_t got = (int64_t)d.tv_sec * 1000000000 + d.tv_nsec;
   assert_true(got >= lo && got <= hi);
}

/* The shmem huge-page setting as the kernel states it: the bracketed word of its sysfs file,
 * read here on its own; the POSIX layer does not know it. */
static void
test_shmem_huge_pages(void **state)
{
   (void)state;
   char setting[32], text[256];
   int huge = pv_os_shmem_huge_pages(setting, sizeof(setting));
   pv_os_shmem_huge_pages_text(text, sizeof(text));
#if defined(__linux__) && !defined(PV_OS_POSIX_ONLY)
   FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "r");
   if (!f) {
      assert_int_equal(huge, -1);
      return;
   }
   char line[256] = {0}, want[32] = {0};
   assert_non_null(fgets(line, sizeof(line), f));
   fclose(f);
   assert_int_equal(sscanf(strchr(line, '['), "[%31[^]]]", want), 1);
   assert_string_equal(setting, want);
   assert_int_equal(huge, strcmp(want, "never") && strcmp(want, "deny") ? 1 : 0);
   assert_non_null(strstr(text, want));
   assert_non_null(strstr(text, huge ? "ask for them" : "4 KiB pages"));
#else
   assert_int_equal(huge, -1);
   assert_string_equal(setting, "");
   assert_non_null(strstr(text, "not known"));
#endif
}

static void
test_cpu_max(void **state)
{
   (void)state;
   assert_int_equal(pv_os_cpu_max_cpus("200000 100000\n"), 2);
   assert_int_equal(pv_os_cpu_max_cpus("150000 100000"), 2); /* rounded up */
   assert_int_equal(pv_os_cpu_max_cpus("5000 100000"), 1);
   assert_int_equal(pv_os_cpu_max_cpus("max 100000\n"), 0);
   assert_int_equal(pv_os_cpu_max_cpus("0 100000"), 0);
   assert_int_equal(pv_os_cpu_max_cpus("-1 100000"), 0);
   assert_int_equal(pv_os_cpu_max_cpus("100000"), 0);
   assert_int_equal(pv_os_cpu_max_cpus("100000 0"), 0);
   assert_int_equal(pv_os_cpu_max_cpus("100000 100000 x"), 0);
   assert_int_equal(pv_os_cpu_max_cpus(""), 0);
   assert_int_equal(pv_os_cpu_max_cpus(NULL), 0);
}

static void
put(const char *root, const char *rel, const char *text)
{
   char path[512];
   snprintf(path, sizeof(path), "%s/%s", root, rel);
   FILE *f = fopen(path, "w");
   assert_non_null(f);
   fputs(text, f);
   fclose(f);
}

static void
dir(const char *root, const char *rel)
{
   char path[512];
   snprintf(path, sizeof(path), "%s/%s", root, rel);
   assert_int_equal(mkdir(path, 0700), 0);
}

/* A cgroup tree under a temporary folder: the tightest bound of the cgroup and its ancestors. */
static void
test_cpu_quota_tree(void **state)
{
   (void)state;
   char root[] = "/tmp/pv-cgroup-XXXXXX";
   assert_non_null(mkdtemp(root));
   dir(root, "a");
   dir(root, "a/b");
   put(root, "a/b/cpu.max", "max 100000\n");
   assert_int_equal(pv_os_cpu_quota_cpus_at("0::/a/b\n", root), 0);
   put(root, "a/cpu.max", "300000 100000\n"); /* a parent's bound holds the child too */
   assert_int_equal(pv_os_cpu_quota_cpus_at("0::/a/b\n", root), 3);
   put(root, "a/b/cpu.max", "150000 100000\n");
   assert_int_equal(pv_os_cpu_quota_cpus_at("0::/a/b\n", root), 2);
   /* the namespace's own root (a container's view) */
   put(root, "cpu.max", "100000 100000\n");
   assert_int_equal(pv_os_cpu_quota_cpus_at("0::/\n", root), 1);
   assert_int_equal(pv_os_cpu_quota_cpus_at("0::/a/b\n", root), 1);
   /* cgroup v1: the cpu controller's quota; -1 is none */
   dir(root, "cpu,cpuacct");
   dir(root, "cpu,cpuacct/c");
   put(root, "cpu,cpuacct/c/cpu.cfs_quota_us", "-1\n");
   put(root, "cpu,cpuacct/c/cpu.cfs_period_us", "100000\n");
   assert_int_equal(pv_os_cpu_quota_cpus_at("4:cpu,cpuacct:/c\n1:name=systemd:/c\n", root), 0);
   put(root, "cpu,cpuacct/c/cpu.cfs_quota_us", "250000\n");
   assert_int_equal(pv_os_cpu_quota_cpus_at("4:cpu,cpuacct:/c\n", root), 3);
   assert_int_equal(pv_os_cpu_quota_cpus_at("4:cpuacct,cpu:/c\n", root), 3);
   assert_int_equal(pv_os_cpu_quota_cpus_at("4:cpuset:/c\n", root), 0); /* not the cpu one */
   /* nothing readable, garbage, an over-long path */
   assert_int_equal(pv_os_cpu_quota_cpus_at("0::/none\n", "/nonexistent"), 0);
   assert_int_equal(pv_os_cpu_quota_cpus_at("garbage", root), 0);
   char lng[700];
   memset(lng, 'x', sizeof(lng));
   memcpy(lng, "0::/", 4);
   lng[sizeof(lng) - 1] = '\0';
   assert_int_equal(pv_os_cpu_quota_cpus_at(lng, root), 0);
   char cmd[600];
   snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
   assert_int_equal(system(cmd), 0);
}

/* What the process may use never exceeds what it may run on, nor its quota. */
static void
test_cpus_usable(void **state)
{
   (void)state;
   unsigned usable = pv_os_cpus_usable(), quota = pv_os_cpu_quota_cpus();
   long online = sysconf(_SC_NPROCESSORS_ONLN);
   assert_true(usable >= 1);
   assert_true(usable <= (unsigned)online);
   if (quota)
      assert_true(usable <= quota);
}

/* Sizes as operators write them (--max-host-memory and the quotas): K, M, G; "none" only where
 * asked; 0, signs, spaces, trailing text and overflow refused. */
static void
test_parse_size(void **state)
{
   (void)state;
   uint64_t v = 0;
   assert_true(pv_parse_size("192M", false, &v));
   assert_int_equal(v, 192ull << 20);
   assert_true(pv_parse_size("4096", false, &v));
   assert_int_equal(v, 4096);
   assert_true(pv_parse_size("16G", false, &v));
   assert_int_equal(v, 16ull << 30);
   assert_true(pv_parse_size("none", true, &v));
   assert_true(v == PV_HOST_MEMORY_UNLIMITED);
   v = 7;
   const char *bad[] = {"none", "0", "-1", " 5", "+5", "5X", "5MB", "", "18446744073709551615G"};
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
      assert_false(pv_parse_size(bad[i], false, &v));
   assert_int_equal(v, 7); /* untouched */
}

/* The default ceiling: the quotas (0 meaning their defaults) plus the headroom, saturating. */
static void
test_host_memory_default(void **state)
{
   (void)state;
   assert_true(pv_host_memory_default(0, 0) ==
               PV_DEFAULT_MAX_DEVICE_MEMORY + PV_DEFAULT_MAX_BLOB_BYTES + PV_HOST_MEMORY_HEADROOM);
   assert_true(pv_host_memory_default(1ull << 30, 1ull << 20) ==
               (1ull << 30) + (1ull << 20) + PV_HOST_MEMORY_HEADROOM);
   assert_true(pv_host_memory_default(UINT64_MAX - 5, 1) == UINT64_MAX);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_variant),
      cmocka_unit_test(test_parse_size),
      cmocka_unit_test(test_host_memory_default),
      cmocka_unit_test(test_shm),
      cmocka_unit_test(test_event),
      cmocka_unit_test(test_cond_deadline),
      cmocka_unit_test(test_advise_huge_pages),
      cmocka_unit_test(test_shmem_huge_pages),
      cmocka_unit_test(test_cpu_max),
      cmocka_unit_test(test_cpu_quota_tree),
      cmocka_unit_test(test_cpus_usable),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
