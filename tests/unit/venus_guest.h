/* SPDX-License-Identifier: MIT */
/*
 * The guest side of the Venus transport for unit tests that drive a pv_context directly: shared
 * blobs mapped as the guest maps them, the ring layout every test uses (head at 0, tail at 64,
 * status at 128, a 2 KiB buffer at 192, 4 extra bytes), a ring submission as Mesa does it, and
 * polling a word the server writes. Included after cmocka.h and wire_buf.h (cmocka asserts,
 * struct buf).
 */
#ifndef PV_TESTS_VENUS_GUEST_H
#define PV_TESTS_VENUS_GUEST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pearvisor/pearvisor.h"

enum {
   CMD_NOTIFY_RING = 190,
   STATUS_IDLE = 1,
   STATUS_FATAL = 2,
   STATUS_ALIVE = 4,
};

#define RING_HEAD 0u
#define RING_TAIL 64u
#define RING_STATUS 128u
#define RING_BUF 192u
#define RING_BUFFER 2048u
#define RING_AREA (RING_BUF + RING_BUFFER + 4u)

/* Creates mappable blob `res_id` of `size` bytes in ctx and maps it. */
static inline uint8_t *
map_blob(struct pv_context *ctx, uint32_t res_id, uint64_t size)
{
   struct pv_blob blob;
   assert_int_equal(pv_context_create_blob(ctx, res_id, 0, size, PV_BLOB_FLAG_MAPPABLE, &blob), 0);
   void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, blob.fd, 0);
   assert_true(p != MAP_FAILED);
   close(blob.fd);
   return p;
}

static inline uint32_t
rd32(const uint8_t *p)
{
   uint32_t v;
   memcpy(&v, p, 4);
   return v;
}

static inline void
sleep_ms(long ms)
{
   struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
   nanosleep(&ts, NULL);
}

/* Polls (for up to 5 s) until (*w & mask) == want. */
static inline bool
wait_until(_Atomic uint32_t *w, uint32_t mask, uint32_t want)
{
   for (int i = 0; i < 5000; i++) {
      if ((atomic_load(w) & mask) == want)
         return true;
      sleep_ms(1);
   }
   return false;
}

/* A control word of the ring area at `ring`. */
static inline _Atomic uint32_t *
ring_ctl(uint8_t *ring, size_t off)
{
   return (_Atomic uint32_t *)(ring + off);
}

/* Polls (for up to 5 s) until the ring ran everything up to `tail` or stopped on a fatal
 * command; false when it did neither. */
static inline bool
guest_ring_settled(uint8_t *ring, uint32_t tail)
{
   for (int i = 0; i < 5000; i++) {
      if (atomic_load(ring_ctl(ring, RING_HEAD)) == tail ||
          (atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_FATAL))
         return true;
      sleep_ms(1);
   }
   return false;
}

static inline void
cmd_notify(struct buf *b, uint64_t ring)
{
   w32(b, CMD_NOTIFY_RING), w32(b, 0), w64(b, ring), w32(b, 0), w32(b, 0);
}

/*
 * What Mesa does to submit to ring `id` whose area is mapped at `ring`: copy the commands at
 * tail, publish the new tail, and if the ring said IDLE, notify it on the context path. Returns
 * the new tail, the seqno the guest then waits for.
 */
static inline uint32_t
guest_ring_submit(struct pv_context *ctx, uint8_t *ring, uint64_t id, const struct buf *b)
{
   uint32_t tail = atomic_load(ring_ctl(ring, RING_TAIL));
   for (size_t i = 0; i < b->n; i++)
      ring[RING_BUF + ((tail + i) & (RING_BUFFER - 1))] = b->b[i];
   atomic_store(ring_ctl(ring, RING_TAIL), tail + (uint32_t)b->n);
   if (atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_IDLE) {
      struct buf n = {0};
      cmd_notify(&n, id);
      pv_context_submit(ctx, n.b, n.n);
   }
   return tail + (uint32_t)b->n;
}

/* vkCreateInstance (API 1.3), vkEnumeratePhysicalDevices (the first) and vkCreateDevice with
 * one queue of family 0, under the given ids. */
static inline void
guest_device_stream(struct buf *b, uint64_t instance, uint64_t physdev, uint64_t device)
{
   w32(b, 0), w32(b, 0), w64(b, 1);
   w32(b, 1), w64(b, 0), w32(b, 0); /* VkInstanceCreateInfo */
   w64(b, 1), w32(b, 0), w64(b, 0); /* VkApplicationInfo */
   w64(b, 0), w32(b, 0), w64(b, 0), w32(b, 0), w32(b, (1u << 22) | (3u << 12));
   w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0); /* no layers, no extensions */
   w64(b, 0), w64(b, 1), w64(b, instance);
   w32(b, 2), w32(b, 0), w64(b, instance), w64(b, 1), w32(b, 1), w64(b, 1), w64(b, physdev);
   w32(b, 11), w32(b, 0), w64(b, physdev), w64(b, 1);
   w32(b, 3), w64(b, 0), w32(b, 0), w32(b, 1), w64(b, 1); /* one queue create info */
   w32(b, 2), w64(b, 0), w32(b, 0), w32(b, 0), w32(b, 1), w64(b, 1), w32(b, 0x3f800000);
   w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0), w64(b, 0); /* layers, extensions, features */
   w64(b, 0), w64(b, 1), w64(b, device);
}

/* Mesa 25's vkCreateRingMESA (monitor and priority info chained, venus-wire.md §8) of ring
 * `ring` in blob `res`, with the layout above. */
static inline void
guest_create_ring(struct buf *b, uint64_t ring, uint32_t res, uint32_t period_us)
{
   w32(b, 188), w32(b, 0), w64(b, ring), w64(b, 1);
   w32(b, 1000384000);            /* VkRingCreateInfoMESA */
   w64(b, 1), w32(b, 1000384006); /* chain headers first: the monitor info */
   w64(b, 1), w32(b, 1000384007); /* the priority info */
   w64(b, 0);
   w32(b, 10);                                    /* priority (nice value) */
   w32(b, period_us);                             /* then the members, innermost first */
   w32(b, 0), w32(b, res);                        /* flags, resourceId */
   w64(b, 0), w64(b, RING_AREA), w64(b, 1000000); /* offset, size, idle 1 ms */
   w64(b, RING_HEAD), w64(b, RING_TAIL), w64(b, RING_STATUS);
   w64(b, RING_BUF), w64(b, RING_BUFFER), w64(b, RING_BUF + RING_BUFFER), w64(b, 4);
}

#endif
