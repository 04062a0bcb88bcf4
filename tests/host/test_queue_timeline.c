/* SPDX-License-Identifier: MIT */
/*
 * Queue timelines against the host driver (lavapipe), through the public API with wire format 1
 * byte streams: a device whose queue is bound to ring index 1 with VkDeviceQueueTimelineInfoMESA,
 * fences on that ring index retire in order from the queue's sync thread, the CPU timeline
 * retires at once, a guest vkQueueSubmit still runs on the bound (now locked) queue, and after
 * vkDestroyDevice the ring index is unbound again (a fence on it is refused but still retired).
 * Mesa 25.0.7 never binds-and-fences over vtest (it has no external sync there), so this is the
 * test of that path. Exit 0 on success, 1 with a message otherwise; 77 when no lavapipe.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../codegen/wire_buf.h"
#include "pearvisor/pearvisor.h"

#include "host_icd.h"

#define INSTANCE 0x10u
#define PHYSDEV 0x20u
#define DEVICE 0x30u
#define QUEUE 0x40u

static int failures;
#define CHECK(cond)                                                                                \
   do {                                                                                            \
      if (!(cond)) {                                                                               \
         fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                  \
         failures++;                                                                               \
      }                                                                                            \
   } while (0)

struct fences {
   pthread_mutex_t lock;
   pthread_cond_t cond;
   unsigned count;
   uint32_t ring_idx[8];
   uint64_t id[8];
   uint32_t last_ring_idx; /* of every fence, the first 8 above included */
   uint64_t last_id;
};

static void
on_fence(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   struct fences *f = data;
   pthread_mutex_lock(&f->lock);
   if (f->count < 8) {
      f->ring_idx[f->count] = ring_idx;
      f->id[f->count] = fence_id;
   }
   f->last_ring_idx = ring_idx;
   f->last_id = fence_id;
   f->count++;
   pthread_cond_broadcast(&f->cond);
   pthread_mutex_unlock(&f->lock);
}

static bool
wait_count(struct fences *f, unsigned n)
{
   struct timespec ts;
   clock_gettime(CLOCK_REALTIME, &ts);
   ts.tv_sec += 10;
   pthread_mutex_lock(&f->lock);
   while (f->count < n && pthread_cond_timedwait(&f->cond, &f->lock, &ts) == 0)
      ;
   bool ok = f->count >= n;
   pthread_mutex_unlock(&f->lock);
   return ok;
}

static void
create_instance(struct buf *b)
{
   w32(b, 0), w32(b, 0), w64(b, 1);
   w32(b, 1), w64(b, 0), w32(b, 0); /* VkInstanceCreateInfo: sType, pNext, flags */
   w64(b, 1), w32(b, 0), w64(b, 0); /* VkApplicationInfo: sType, pNext */
   w64(b, 0), w32(b, 0), w64(b, 0), w32(b, 0), w32(b, (1u << 22) | (3u << 12)); /* api 1.3 */
   w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0); /* no layers, no extensions */
   w64(b, 0), w64(b, 1), w64(b, INSTANCE);     /* pAllocator, pInstance */
}

static void
enumerate_physical_devices(struct buf *b)
{
   w32(b, 2), w32(b, 0), w64(b, INSTANCE), w64(b, 1), w32(b, 1), w64(b, 1), w64(b, PHYSDEV);
}

static void
create_device(struct buf *b)
{
   w32(b, 11), w32(b, 0), w64(b, PHYSDEV), w64(b, 1);
   w32(b, 3), w64(b, 0), w32(b, 0), w32(b, 1), w64(b, 1); /* one queue create info */
   w32(b, 2), w64(b, 0), w32(b, 0), w32(b, 0), w32(b, 1), w64(b, 1), w32(b, 0x3f800000);
   w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0), w64(b, 0); /* layers, extensions, features */
   w64(b, 0), w64(b, 1), w64(b, DEVICE);
}

static void
get_queue_on_timeline(struct buf *b, uint32_t ring_idx)
{
   w32(b, 155), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, 1000145003);                       /* VkDeviceQueueInfo2 */
   w64(b, 1), w32(b, 1000384005), w64(b, 0); /* chain: VkDeviceQueueTimelineInfoMESA */
   w32(b, ring_idx);                         /* its ringIdx */
   w32(b, 0), w32(b, 0), w32(b, 0);          /* flags, family 0, index 0 */
   w64(b, 1), w64(b, QUEUE);
}

static void
empty_queue_submit(struct buf *b)
{
   w32(b, 18), w32(b, 0), w64(b, QUEUE), w32(b, 0), w64(b, 0), w64(b, 0);
}

/* A guest's empty vkQueueSubmit on its own, before the next fence. */
static void
empty_queue_submit_again(struct pv_context *ctx)
{
   struct buf b = {0};
   empty_queue_submit(&b);
   CHECK(pv_context_submit(ctx, b.b, b.n) == 0);
}

int
main(void)
{
   if (pv_test_host_missing())
      return 77;
   pv_set_log_level(PV_LOG_WARN);
   /* The validation layer watches our own fence submits and queue locking when it is installed
    * (its messages are errors in the log; the e2e scripts check the server's). */
   /* The library loads lavapipe itself (host_icd): no environment needed. */
   const struct pv_renderer_config config = {.struct_size = sizeof(config),
                                             .host_icd = pv_test_host_icd(),
                                             .wire_format = 1,
                                             .validate = getenv("PV_TEST_VALIDATE") != NULL};
   struct pv_renderer *r = pv_renderer_create(&config);
   CHECK(r);
   if (!r)
      return 1;
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "timeline-test");
   struct fences f = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
   pv_context_set_fence_callback(ctx, on_fence, &f);

   struct buf b = {0};
   create_instance(&b);
   enumerate_physical_devices(&b);
   create_device(&b);
   get_queue_on_timeline(&b, 1);
   empty_queue_submit(&b);
   CHECK(pv_context_submit(ctx, b.b, b.n) == 0);
   CHECK(!pv_context_is_lost(ctx));

   CHECK(pv_context_submit_fence(ctx, 1, 1) == 0);
   CHECK(pv_context_submit_fence(ctx, 1, 2) == 0);
   CHECK(pv_context_submit_fence(ctx, 0, 3) == 0);
   CHECK(wait_count(&f, 3));
   /* the CPU timeline is retired before the call returns, so it may come first */
   unsigned seen1 = 0;
   for (unsigned i = 0; i < 3 && i < f.count; i++) {
      if (f.ring_idx[i] == 1)
         CHECK(f.id[i] == ++seen1); /* in submission order */
      else
         CHECK(f.ring_idx[i] == 0 && f.id[i] == 3);
   }
   CHECK(seen1 == 2);
   CHECK(!pv_context_is_lost(ctx));
   /* one at a time, each retired before the next: the queue's retired fences are reset and
    * reused (queue.c keeps spares), and each still signals only after its own submission */
   for (unsigned k = 0; k < 20; k++) {
      empty_queue_submit_again(ctx);
      CHECK(pv_context_submit_fence(ctx, 1, 100 + k) == 0);
      CHECK(wait_count(&f, 4 + k));
      pthread_mutex_lock(&f.lock);
      CHECK(f.last_ring_idx == 1 && f.last_id == 100 + k);
      pthread_mutex_unlock(&f.lock);
   }

   struct buf d = {0};
   w32(&d, 12), w32(&d, 0), w64(&d, DEVICE), w64(&d, 0); /* vkDestroyDevice */
   CHECK(pv_context_submit(ctx, d.b, d.n) == 0);
   CHECK(pv_context_submit_fence(ctx, 1, 4) == -1); /* unbound now: refused, still retired */
   CHECK(f.count == 24 && f.last_id == 4);
   CHECK(pv_context_is_lost(ctx));

   pv_context_destroy(ctx);
   pv_renderer_destroy(r);
   if (failures)
      return 1;
   printf("ok: queue timeline fences retired in order; CPU timeline at once; unbound refused\n");
   return 0;
}
