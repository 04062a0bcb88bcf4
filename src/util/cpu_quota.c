/* SPDX-License-Identifier: MIT */
/*
 * CPU quotas (os.h, pv_os_cpu_quota_*). A container or a systemd unit with CPUQuota= may use
 * fewer CPUs' worth of time than its affinity mask shows: a cgroup's cpu.max ("QUOTA PERIOD",
 * cgroup v2) or cpu.cfs_quota_us / cpu.cfs_period_us (v1) bound what all its threads together
 * run per period, and every ancestor's bound applies too. The recording thread's policy
 * (renderer/recorder.h) counts CPUs to decide whether one more busy thread pays, so a server
 * given two CPUs' worth of time on a 64-CPU host must count two. Plain file reads: no library
 * on Debian reads these (libsystemd reads the unit's own settings, not the cgroup's).
 */
#include "util/os.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A path inside the cgroup file system is at most this long here; longer ones are not read. */
#define PV_CGROUP_PATH_MAX 512

/* ceil(quota / period), at least 1; 0 when either is not a positive number. */
static unsigned
quota_cpus(long long quota, long long period)
{
   if (quota <= 0 || period <= 0)
      return 0;
   long long cpus = (quota + period - 1) / period;
   return cpus > 4096 ? 4096u : (unsigned)cpus;
}

unsigned
pv_os_cpu_max_cpus(const char *text)
{
   long long quota, period;
   char extra;
   if (!text || sscanf(text, "%lld %lld %c", &quota, &period, &extra) != 2)
      return 0; /* "max PERIOD": no bound */
   return quota_cpus(quota, period);
}

/* The first line of a small file, or false. */
static bool
read_line(const char *path, char *buf, size_t size)
{
   FILE *f = fopen(path, "re");
   if (!f)
      return false;
   bool ok = fgets(buf, (int)size, f) != NULL;
   fclose(f);
   return ok;
}

/* The smaller of two bounds, 0 meaning none. */
static unsigned
tighter(unsigned a, unsigned b)
{
   return a == 0 ? b : (b == 0 || a < b ? a : b);
}

/* cgroup v2: the tightest cpu.max from the process's cgroup up to the root of `sysfs`. */
static unsigned
v2_bound(const char *sysfs, const char *cgroup)
{
   char path[PV_CGROUP_PATH_MAX], dir[PV_CGROUP_PATH_MAX], line[128];
   if (snprintf(dir, sizeof(dir), "%s", cgroup) >= (int)sizeof(dir))
      return 0;
   unsigned bound = 0;
   for (;;) {
      size_t n = strlen(dir);
      while (n > 0 && dir[n - 1] == '/')
         dir[--n] = '\0';
      if (snprintf(path, sizeof(path), "%s%s/cpu.max", sysfs, dir) < (int)sizeof(path) &&
          read_line(path, line, sizeof(line)))
         bound = tighter(bound, pv_os_cpu_max_cpus(line));
      char *slash = strrchr(dir, '/');
      if (n == 0 || !slash)
         return bound;
      *slash = '\0';
   }
}

/* cgroup v1: the cpu controller's quota of the process's cgroup (or of the namespace's root). */
static unsigned
v1_bound(const char *sysfs, const char *cgroup)
{
   static const char *const mounts[] = {"/cpu,cpuacct", "/cpu"};
   static const char *const files[] = {"cpu.cfs_quota_us", "cpu.cfs_period_us"};
   for (size_t m = 0; m < sizeof(mounts) / sizeof(mounts[0]); m++) {
      const char *dirs[] = {cgroup, ""};
      for (size_t d = 0; d < 2; d++) {
         long long v[2];
         bool ok = true;
         for (size_t i = 0; ok && i < 2; i++) {
            char path[PV_CGROUP_PATH_MAX], line[64];
            ok = snprintf(path, sizeof(path), "%s%s%s/%s", sysfs, mounts[m], dirs[d], files[i]) <
                    (int)sizeof(path) &&
                 read_line(path, line, sizeof(line)) && sscanf(line, "%lld", &v[i]) == 1;
         }
         if (ok)
            return quota_cpus(v[0], v[1]);
      }
   }
   return 0;
}

/* Whether a v1 line's controller list ("cpu,cpuacct") names the cpu controller. */
static bool
names_cpu(const char *controllers, size_t len)
{
   for (const char *p = controllers; p < controllers + len;) {
      const char *comma = memchr(p, ',', (size_t)(controllers + len - p));
      size_t n = comma ? (size_t)(comma - p) : (size_t)(controllers + len - p);
      if (n == 3 && !memcmp(p, "cpu", 3))
         return true;
      p += n + 1;
   }
   return false;
}

unsigned
pv_os_cpu_quota_cpus_at(const char *proc_cgroup, const char *sysfs)
{
   unsigned bound = 0;
   for (const char *line = proc_cgroup; line && *line;) {
      const char *end = strchr(line, '\n');
      size_t len = end ? (size_t)(end - line) : strlen(line);
      /* "ID:CONTROLLERS:PATH" */
      const char *c1 = memchr(line, ':', len);
      const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(line + len - c1 - 1)) : NULL;
      char cgroup[PV_CGROUP_PATH_MAX];
      size_t plen = c2 ? (size_t)(line + len - c2 - 1) : 0;
      if (c2 && plen < sizeof(cgroup)) {
         memcpy(cgroup, c2 + 1, plen);
         cgroup[plen] = '\0';
         if (c2 == c1 + 1 && !strncmp(line, "0:", 2))
            bound = tighter(bound, v2_bound(sysfs, cgroup));
         else if (names_cpu(c1 + 1, (size_t)(c2 - c1 - 1)))
            bound = tighter(bound, v1_bound(sysfs, cgroup));
      }
      line = end ? end + 1 : NULL;
   }
   return bound;
}

unsigned
pv_os_cpu_quota_cpus(void)
{
   char text[2048];
   FILE *f = fopen("/proc/self/cgroup", "re");
   if (!f)
      return 0; /* not Linux, or no cgroups: no quota known */
   size_t n = fread(text, 1, sizeof(text) - 1, f);
   fclose(f);
   text[n] = '\0';
   return pv_os_cpu_quota_cpus_at(text, "/sys/fs/cgroup");
}
