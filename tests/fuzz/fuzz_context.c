/* SPDX-License-Identifier: MIT */
/*
 * fuzz_context: the whole renderer path a guest stream takes, without a host driver
 * (fuzz_common.h): pv_context_create, shared-memory blobs, pv_context_submit. Transport commands
 * run for real — reply stream set/seek, vkExecuteCommandStreamsMESA, rings with their threads
 * (layout validation, notify, write-extra, destroy) — and Vulkan commands must fail cleanly.
 *
 * Input:
 *   u32 prefill   number of bytes that follow for the shared memory (clamped)
 *   prefill bytes copied to the start of resources 2 and 3, so rings (head/tail/status words,
 *                 buffer) and executed streams have guest-written content
 *   stream        split at every 8-byte marker "PVFZ" u32 op into separate pv_context_submit
 *                 calls; between two of them the op runs: 1..3 the transport unreferences that
 *                 resource (pv_context_destroy_blob, as vtest's RESOURCE_UNREF does), 4 a
 *                 millisecond's pause (rings run meanwhile), 5 creates the resources that are
 *                 gone again (fresh zeroed memory, same ids), anything else nothing. When the
 *                 context ends up lost, its last part is submitted once more (lost mode), at
 *                 most 4 KiB of it
 * Resources: 1 = 4 KiB (reply stream), 2 = 80 KiB (ring area: a 64 KiB ring fits), 3 = 64 KiB
 * (upload buffer for executed streams); tests/fuzz/make-seeds builds seeds for these.
 * After the stream, resource 2 is unreferenced (a ring may still hold it) and the context is
 * destroyed, which stops and joins every ring thread; nothing outlives one input.
 */
#define _GNU_SOURCE /* memmem */
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PV_FUZZ_NO_HOST_VULKAN
#include "fuzz_common.h"
#include "pearvisor/pearvisor.h"
#include "renderer/context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pv_renderer *renderer;

static const struct {
   uint32_t res_id;
   uint64_t size;
} blobs[] = {{1, 4096}, {2, 80 << 10}, {3, 64 << 10}};
#define BLOB_COUNT (sizeof(blobs) / sizeof(blobs[0]))

static uint32_t
rd32(const uint8_t *p)
{
   uint32_t v;
   memcpy(&v, p, 4);
   return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   if (!renderer) {
      pv_fuzz_quiet();
      renderer = pv_renderer_create(NULL);
      if (!renderer)
         abort();
   }
   if (size < 4)
      return 0;
   size_t prefill = rd32(data);
   data += 4, size -= 4;
   if (prefill > size)
      prefill = size;

   struct pv_context *ctx = pv_context_create(renderer, PV_CAPSET_VENUS, "fuzz");
   if (!ctx)
      abort();
   void *maps[BLOB_COUNT] = {0};
   for (size_t i = 0; i < BLOB_COUNT; i++) {
      struct pv_blob b;
      if (pv_context_create_blob(ctx, blobs[i].res_id, 0, blobs[i].size, PV_BLOB_FLAG_MAPPABLE,
                                 &b))
         abort();
      /* the guest's view, as vtest hands it over */
      maps[i] = mmap(NULL, blobs[i].size, PROT_READ | PROT_WRITE, MAP_SHARED, b.fd, 0);
      close(b.fd);
      if (maps[i] == MAP_FAILED)
         abort();
      if (blobs[i].res_id != 1) {
         size_t n = prefill < blobs[i].size ? prefill : blobs[i].size;
         memcpy(maps[i], data, n);
      }
   }

   const uint8_t *in = data + prefill;
   size_t left = size - prefill;
   uint8_t *stream = NULL;
   size_t n = 0;
   for (;;) {
      const uint8_t *marker = memmem(in, left, "PVFZ", 4);
      n = marker ? (size_t)(marker - in) : left;
      /* an exact-size heap copy, so ASan sees a read one byte past the stream */
      free(stream);
      stream = malloc(n ? n : 1);
      if (!stream)
         abort();
      memcpy(stream, in, n);
      int ret = pv_context_submit(ctx, stream, n);
      if (!marker) {
         if (ret != 0)
            pv_context_submit(ctx, stream, n < 4096 ? n : 4096);
         break;
      }
      uint32_t op = marker + 8 <= in + left ? rd32(marker + 4) : 0;
      size_t skip = marker + 8 <= in + left ? n + 8 : left;
      in += skip, left -= skip;
      if (op >= 1 && op <= 3) {
         pv_context_destroy_blob(ctx, op);
      } else if (op == 5) {
         for (size_t i = 0; i < BLOB_COUNT; i++) {
            struct pv_blob b;
            /* -EEXIST for those still there */
            if (!pv_context_create_blob(ctx, blobs[i].res_id, 0, blobs[i].size,
                                        PV_BLOB_FLAG_MAPPABLE, &b))
               close(b.fd);
         }
      } else if (op == 4) {
         struct timespec ts = {0, 1000000};
         nanosleep(&ts, NULL);
      }
   }

   if (ctx->rings) {
      /* give ring threads a moment to run what the prefill published (non-deterministic by
       * nature; the context destroy below joins them whatever they do) */
      struct timespec ts = {0, 200000};
      nanosleep(&ts, NULL);
   }
   if (getenv("PV_FUZZ_VERBOSE")) /* what an input did, for checking seeds */
      fprintf(stderr, "fuzz_context: %s, rings %s, res 2 words 0/16: %u %u\n",
              pv_context_is_lost(ctx) ? "lost" : "not lost", ctx->rings ? "yes" : "no",
              rd32(maps[1]), rd32((uint8_t *)maps[1] + 64));
   pv_context_destroy_blob(ctx, 2); /* unknown ids are ignored: it may be gone already */
   pv_context_destroy(ctx);
   for (size_t i = 0; i < BLOB_COUNT; i++)
      munmap(maps[i], blobs[i].size);
   free(stream);
   return 0;
}
