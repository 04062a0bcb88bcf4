/* SPDX-License-Identifier: MIT */
/* `serve --record DIR` (vtest_record.h). */
#include "vtest/vtest_record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
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

void
vtest_record_message(struct vtest_record_early *early, struct pv_context *ctx,
                     const uint32_t *header, const void *payload, size_t payload_size)
{
   if (ctx) {
      pv_context_capture_message(ctx, PV_CAPTURE_PROTOCOL_VTEST, header, 8, payload, payload_size);
      return;
   }
   if (g_record.dir_fd < 0 || early->dropped)
      return;
   uint32_t size = (uint32_t)(8 + payload_size);
   size_t need = 4 + (((size_t)size + 3) & ~(size_t)3);
   if (payload_size > VTEST_RECORD_EARLY_MAX || early->len + need > VTEST_RECORD_EARLY_MAX) {
      early->dropped = true; /* a handshake is a few hundred bytes: this is no guest of ours */
      return;
   }
   if (!early->buf && !(early->buf = calloc(1, VTEST_RECORD_EARLY_MAX))) {
      early->dropped = true;
      return;
   }
   uint8_t *p = early->buf + early->len;
   memcpy(p, &size, 4);
   memcpy(p + 4, header, 8);
   if (payload_size)
      memcpy(p + 12, payload, payload_size);
   early->len += need; /* the padding is zero: calloc */
}

void
vtest_record_flush_early(struct vtest_record_early *early, struct pv_context *ctx)
{
   for (size_t off = 0; off < early->len;) {
      uint32_t size;
      memcpy(&size, early->buf + off, 4);
      pv_context_capture_message(ctx, PV_CAPTURE_PROTOCOL_VTEST, early->buf + off + 4, 8,
                                 early->buf + off + 12, size - 8);
      off += 4 + (((size_t)size + 3) & ~(size_t)3);
   }
   if (early->dropped)
      pv_warn("capture: the handshake before CONTEXT_INIT was longer than %u bytes; its rest "
              "is not recorded",
              VTEST_RECORD_EARLY_MAX);
   vtest_record_early_fini(early);
}

void
vtest_record_early_fini(struct vtest_record_early *early)
{
   free(early->buf);
   *early = (struct vtest_record_early){0};
}
