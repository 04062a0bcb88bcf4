/* SPDX-License-Identifier: MIT */
/* `serve --record DIR` (vtest_record.h). */
#include "vtest/vtest_record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

/* Set once before any client starts, then only read (inherited by every client process). */
static struct {
   int dir_fd;
   uint64_t max_bytes;
} g_record = {.dir_fd = -1};

bool
vtest_record_configure(const char *dir, uint64_t max_bytes, bool chown_to, uid_t uid, gid_t gid)
{
   if (!dir)
      return true;
   bool created = mkdir(dir, 0700) == 0;
   if (!created && errno != EEXIST) {
      pv_err("--record %s: cannot create the directory: %s", dir, strerror(errno));
      return false;
   }
   int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (fd < 0) {
      pv_err("--record %s: cannot open the directory: %s", dir, strerror(errno));
      return false;
   }
   /* The client processes write here after switching user; only a directory we made is ours
    * to hand over. */
   if (created && chown_to && fchown(fd, uid, gid) != 0)
      pv_warn("--record %s: cannot hand the directory to the clients' user: %s", dir,
              strerror(errno));
   g_record.dir_fd = fd;
   g_record.max_bytes = max_bytes;
   pv_info("recording every client context into %s (owner-only files, at most %llu MiB each)",
           dir, (unsigned long long)(max_bytes >> 20));
   return true;
}

/* "NAME-PID-SECONDS-N.pvcap": the guest's name reduced to safe characters; N counts the
 * contexts of this process (several with --threads). */
static void
file_name(char *out, size_t size, const char *name)
{
   static atomic_uint counter;
   char safe[48];
   size_t n = 0;
   for (const char *p = name; *p && n < sizeof(safe) - 1; p++)
      safe[n++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                        (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'
                     ? *p
                     : '_';
   safe[n] = '\0';
   snprintf(out, size, "%s-%ld-%lld-%u.pvcap", n ? safe : "guest", (long)getpid(),
            (long long)time(NULL), atomic_fetch_add(&counter, 1));
}

void
vtest_record_context(struct pv_context *ctx, const char *name)
{
   if (g_record.dir_fd < 0)
      return;
   char path[96];
   file_name(path, sizeof(path), name);
   int fd = openat(g_record.dir_fd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
   if (fd < 0) {
      pv_warn("client '%s': cannot create its capture file %s: %s; serving without recording",
              name, path, strerror(errno));
      return;
   }
   /* Mode 0600 (a umask can only narrow it): a capture holds the guest's data. */
   int err = pv_context_start_capture(ctx, fd, g_record.max_bytes);
   close(fd);
   if (err)
      pv_warn("client '%s': cannot record: %s", name, strerror(-err));
   else
      pv_info("client '%s': recording into %s", name, path);
}
