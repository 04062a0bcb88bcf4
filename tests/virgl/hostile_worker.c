/* SPDX-License-Identifier: MIT */
/*
 * A worker that lies (test_virgl_qemu's hostile mode, PEARVISOR_VIRGL_WORKER): a worker runs
 * guest work, so the front end in the VMM must survive one that was taken over. What it does
 * depends on the context's debug name:
 *   "short"   answers a blob with a 4 KiB memfd whatever size was asked
 *   "silent"  never answers a blob
 *   "garbage" answers a submission with an unknown message
 *   "fences"  retires fences it was never given, endlessly
 *   "page"    says in the fence page that ring 3 retired a fence it was never given, when it gets
 *             a fence on ring 2 (and sends nothing)
 *   "stuck"   never exits after the front end let it go (a teardown that never ends)
 *   "stats"   fills the page's statistics slot with 0xff bytes (no string ends, the seqlock
 *             stays odd: a writer that never finishes) and keeps it so
 *   "unsealable" answers a blob with a memfd of the right size that takes no seals
 *   "shrink"  answers a blob with a memfd of the right size, unsealed, keeps it, and at its next
 *             fence tries to truncate it to nothing, then retires the fence
 *   "chatty"  after the front end let it go, keeps sending harmless messages (fence 0) forever
 *   "partial" after the front end let it go, sends one byte of a header and stops
 *   "hangup"  closes its socket at its first submission and lives on (a hang-up is no death)
 * and otherwise does nothing useful.
 */
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "virgl/worker_io.h"

static int sock = PVW_WORKER_FD;

static void
answer_short_blob(const struct pvw_create_blob *c)
{
   int fd = memfd_create("short", MFD_CLOEXEC);
   if (fd < 0 || ftruncate(fd, 4096) != 0)
      exit(1);
   const struct pvw_blob b = {.request = c->request, .result = 0, .fd_type = 1, .size = c->size};
   pvw_send(sock, PVW_BLOB, &b, sizeof(b), NULL, 0, fd);
   close(fd);
}

/* "unsealable", "shrink": a memfd as large as asked; the second one is kept in *kept. */
static void
answer_full_blob(const struct pvw_create_blob *c, bool sealable, int *kept)
{
   int fd = memfd_create("blob", MFD_CLOEXEC | (sealable ? MFD_ALLOW_SEALING : 0));
   if (fd < 0 || ftruncate(fd, (off_t)c->size) != 0)
      exit(1);
   const struct pvw_blob b = {.request = c->request, .result = 0, .fd_type = 1, .size = c->size};
   pvw_send(sock, PVW_BLOB, &b, sizeof(b), NULL, 0, fd);
   if (kept)
      *kept = fd;
   else
      close(fd);
}

/* What "chatty" and "partial" do once the front end has let go. */
static void
after_let_go(const char *name)
{
   if (!strcmp(name, "chatty")) {
      const struct pvw_fence f = {.ring_idx = 0, .fence_id = 0};
      for (;;) {
         pvw_send(sock, PVW_FENCE_RETIRED, &f, sizeof(f), NULL, 0, -1);
         usleep(20 * 1000);
      }
   }
   if (!strcmp(name, "partial")) {
      const uint8_t first = PVW_FENCE_RETIRED;
      send(sock, &first, 1, MSG_NOSIGNAL);
      for (;;)
         pause();
   }
}

int
main(int argc, char **argv)
{
   if (argc > 1)
      sock = atoi(argv[1]);
   struct pvw_header hdr;
   void *body;
   int fd;
   if (pvw_recv(sock, &hdr, &body, &fd) != 0 || hdr.type != PVW_INIT ||
       hdr.size < sizeof(struct pvw_init))
      return 1;
   struct pvw_fence_page *page = NULL;
   if (fd >= 0) {
      void *p = mmap(NULL, PVW_FENCE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      page = p == MAP_FAILED ? NULL : p;
      close(fd);
   }
   char name[64] = {0};
   size_t n = hdr.size - sizeof(struct pvw_init);
   memcpy(name, (char *)body + sizeof(struct pvw_init), n < 63 ? n : 63);
   free(body);
   int kept = -1; /* "shrink": the blob's memfd */
   if (page && !strcmp(name, "stats"))
      memset((void *)&page->stats, 0xff, sizeof(page->stats));
   while (pvw_recv(sock, &hdr, &body, &fd) == 0) {
      if (fd >= 0)
         close(fd);
      if (hdr.type == PVW_CREATE_BLOB && hdr.size == sizeof(struct pvw_create_blob) &&
          !strcmp(name, "short")) {
         struct pvw_create_blob c;
         memcpy(&c, body, sizeof(c));
         answer_short_blob(&c);
      } else if (hdr.type == PVW_CREATE_BLOB && hdr.size == sizeof(struct pvw_create_blob) &&
                 (!strcmp(name, "unsealable") || !strcmp(name, "shrink"))) {
         struct pvw_create_blob c;
         memcpy(&c, body, sizeof(c));
         answer_full_blob(&c, !strcmp(name, "shrink"), !strcmp(name, "shrink") ? &kept : NULL);
      } else if (hdr.type == PVW_FENCE && hdr.size == sizeof(struct pvw_fence) && kept >= 0) {
         struct pvw_fence f;
         memcpy(&f, body, sizeof(f));
         if (ftruncate(kept, 0) == 0) /* the front end's seal should forbid this */
            write(2, "hostile worker: the blob shrank\n", 32);
         pvw_send(sock, PVW_FENCE_RETIRED, &f, sizeof(f), NULL, 0, -1);
      } else if (hdr.type == PVW_SUBMIT && !strcmp(name, "fences")) {
         for (uint64_t id = 1000;; id++) {
            const struct pvw_fence f = {.ring_idx = 0, .fence_id = id};
            if (pvw_send(sock, PVW_FENCE_RETIRED, &f, sizeof(f), NULL, 0, -1))
               break;
         }
      } else if (hdr.type == PVW_FENCE && hdr.size == sizeof(struct pvw_fence) && page &&
                 !strcmp(name, "page")) {
         struct pvw_fence f;
         memcpy(&f, body, sizeof(f));
         if (f.ring_idx == 2)
            atomic_store(&page->ring_seqno[3], 1000);
      } else if (hdr.type == PVW_SUBMIT && !strcmp(name, "hangup")) {
         close(sock);
         for (;;)
            pause();
      } else if (hdr.type == PVW_SUBMIT && !strcmp(name, "garbage")) {
         const uint32_t junk[4] = {0xdead, 0xbeef, 0, 0};
         pvw_send(sock, 0x7777, junk, sizeof(junk), NULL, 0, -1);
      }
      free(body);
   }
   after_let_go(name);
   while (!strcmp(name, "stuck"))
      pause();
   return 0;
}
