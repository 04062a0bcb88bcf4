/* SPDX-License-Identifier: MIT */
/* The ceiling on a guest-serving process's host memory (host_memory.h). */
#include "util/host_memory.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pearvisor/pearvisor.h"
#include "util/log.h"

#if defined(__SANITIZE_ADDRESS__)
#define PV_HOST_MEMORY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PV_HOST_MEMORY_ASAN 1
#endif
#endif

static uint64_t
add_saturating(uint64_t a, uint64_t b)
{
   return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t
pv_host_memory_default(uint64_t max_device_memory, uint64_t max_blob_bytes)
{
   uint64_t device = max_device_memory ? max_device_memory : PV_DEFAULT_MAX_DEVICE_MEMORY;
   uint64_t blobs = max_blob_bytes ? max_blob_bytes : PV_DEFAULT_MAX_BLOB_BYTES;
   return add_saturating(add_saturating(device, blobs), PV_HOST_MEMORY_HEADROOM);
}

/* Linux: make the OOM killer prefer this process (raising the value needs no privilege). */
static void
prefer_oom_kill(void)
{
#ifdef __linux__
   int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
   if (fd < 0)
      return;
   char text[16];
   int len = snprintf(text, sizeof(text), "%d", PV_HOST_MEMORY_OOM_SCORE_ADJ);
   if (write(fd, text, (size_t)len) != len)
      pv_dbg("oom_score_adj: %s", strerror(errno));
   close(fd);
#endif
}

#ifndef PV_HOST_MEMORY_ASAN
/* RLIMIT_DATA, never above what the process may already have (an operator's own, lower rlimit
 * stays). */
static bool
limit_data(uint64_t bytes)
{
   struct rlimit rl;
   if (getrlimit(RLIMIT_DATA, &rl) != 0)
      return false;
   rlim_t want = bytes >= (uint64_t)RLIM_INFINITY ? RLIM_INFINITY : (rlim_t)bytes;
   if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
      want = rl.rlim_max;
   if (rl.rlim_cur != RLIM_INFINITY && want > rl.rlim_cur)
      return true; /* already tighter */
   rl.rlim_cur = want;
   return setrlimit(RLIMIT_DATA, &rl) == 0;
}
#endif

bool
pv_host_memory_confine(uint64_t bytes, const char *who)
{
   prefer_oom_kill();
   if (bytes == PV_HOST_MEMORY_UNLIMITED)
      return true;
#ifdef PV_HOST_MEMORY_ASAN
   pv_dbg("%s: no host-memory ceiling in an address-sanitizer build", who);
   return true;
#else
   if (!limit_data(bytes)) {
      pv_warn("%s: cannot limit host memory to %llu MiB: %s", who,
              (unsigned long long)(bytes >> 20), strerror(errno));
      return false;
   }
   pv_dbg("%s: host memory limited to %llu MiB", who, (unsigned long long)(bytes >> 20));
   return true;
#endif
}

bool
pv_parse_size(const char *text, bool allow_none, uint64_t *out)
{
   if (allow_none && !strcmp(text, "none")) {
      *out = PV_HOST_MEMORY_UNLIMITED;
      return true;
   }
   if (text[0] < '0' || text[0] > '9')
      return false; /* strtoull would take spaces and a sign */
   char *end;
   errno = 0;
   unsigned long long v = strtoull(text, &end, 10);
   unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
   if (shift)
      end++;
   if (errno || *end || v == 0 || v > (UINT64_MAX >> shift))
      return false;
   *out = (uint64_t)v << shift;
   return true;
}
