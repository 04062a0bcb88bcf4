/* SPDX-License-Identifier: MIT */
/*
 * A ring records into a command buffer while the context path frees it, resets or destroys its
 * pool, or destroys its device or the instance, at once, against the host driver (lavapipe): a
 * guest that breaks Vulkan's external synchronization across its rings. The host frees or resets a
 * command buffer at once (its pool's synchronization is the caller's), so before the command buffer
 * holds (src/renderer/holds.h) lavapipe could free the recorded commands while the ring's vkCmd*
 * was appending to them; a device (or instance) destroy destroyed the pool the guest left the same
 * way until its children's host destroys waited for the other paths too (src/vk/teardown.c;
 * with MALLOC_PERTURB_ set, as meson runs it, the old code crashed 3 runs in 3). Now the free or
 * reset waits for the ring's command, the destroy happens after it, and the ring's next command
 * is refused, so the context is lost with a reason and the process goes on.
 *
 * `test_cmdbuf_race slow`, run with the ring's recording thread forced on and the test layer
 * (tests/fault/meson.build), records with a line width the layer takes 200 us to record, so the
 * recording thread still has many calls to make when the ring's commands have ended: their
 * holds must last until it has made them (the code before crashed 3 runs in 3).
 *
 * `test_cmdbuf_race query-reset`, with the test layer: the ring submits while the context path
 * resets a query pool from the host, which lavapipe does on its queue's context from the calling
 * thread; the layer takes 1 ms for that reset and aborts when a submission reaches the driver
 * meanwhile. The reset waits until the device is idle and keeps submissions out until it is
 * made (src/vk/guard_query.c); the code before waited first and let them in again.
 * `query-read`: the same with vkGetQueryPoolResults, which lavapipe also runs on its queue's
 * context (after a vkDeviceWaitIdle of its own, which another ring's submission could follow).
 *
 * `test_cmdbuf_race pool`, with the test layer slowing every command pool call
 * (PV_LAYER_SLOW_POOLS=1): the ring and the context path both allocate command buffers from one
 * pool and free them to it, which the host driver does on the pool's lists, and the context
 * path also records into another command buffer of the pool (a driver may record into the
 * pool's memory); the layer aborts when two calls meet in one pool. Commands naming a pool, or
 * holding one of its command buffers exclusively, hold it (src/renderer/holds.h).
 *
 * `test_cmdbuf_race sync`, with the test layer slowing every fence and event call
 * (PV_LAYER_SLOW_SYNC=1): the ring resets a fence, sets an event and reads both while the context
 * path resets the fence, submits with it, reads it and resets and reads the event; the layer
 * aborts when a call changes one while another call uses it. The commands that change a fence or
 * an event hold it exclusively, the status queries shared (src/renderer/holds.h).
 *
 * `test_cmdbuf_race export`, with the test layer standing in for sync_fd and slowing each of its
 * calls (PV_LAYER_FAKE_SYNC_FD=1 PV_LAYER_SLOW_SYNC=1): the ring signals a semaphore and exports
 * its sync_fd, and exports a fence's, while the context path imports a sync_fd into the
 * semaphore, signals it with a submission of the fence and exports it; the layer aborts when an
 * export or import meets a submission naming its semaphore (or fence) or another export or
 * import of it. The export and import hold the semaphore exclusively, submissions shared, and a
 * fence's export holds the fence exclusively (src/renderer/holds.h).
 *
 * `test_cmdbuf_race bind`, with the test layer slowing every bind to 1 ms (PV_LAYER_SLOW_BIND=1):
 * the ring binds a buffer (or an image) to one memory while the context path binds it to another,
 * at once. Both found it unbound, so both reached the driver (the layer aborts when two binds of
 * one object meet), and our record named whichever memory came last while the driver might use
 * the other: a later free of that one went unseen by the liveness checks. The bind is claimed
 * before the host call now (src/vk/guard.h); the second one is refused.
 *
 * `test_cmdbuf_race plane-freed`: a disjoint two-plane image whose planes are bound to two
 * memories, the second freed, then cleared: the image is not alive (every plane's memory counts;
 * only the first plane's did). Needs a host with disjoint multi-planar images (the GPU machine's
 * driver, tests/virgl/gpu-run); lavapipe of Debian 12 has none, and the test says so and skips.
 *
 * `test_cmdbuf_race wait-submit`: the ring waits for a fence before the context path submits it
 * (legal): the wait holds the fence shared only slice by slice and steps aside for the
 * submission (src/vk/sync.c); sync-race also waits for the fence on the ring while the context
 * path resets it.
 *
 * `test_cmdbuf_race resubmit-pending`, with the test layer's pending check: the ring submits a
 * command buffer (begun without SIMULTANEOUS_USE) twice while its work waits for an event the
 * context path sets later; the second submission must wait for the first, which the layer checks
 * (src/vk/resubmit.c). `resubmit-race`: the ring and the context path both submit one such
 * command buffer throughout; each waits for the other's work, so the layer never sees it pending
 * twice. `resubmit-timeline`: submitted again once the guest saw the timeline
 * semaphore its batch signals reach the value, nothing waits for the queue; after a host signal
 * of that semaphore the queue is waited for. `resubmit-secondary`: such a secondary, executed by
 * a primary whose submission waits, submitted through another primary: the second waits.
 *
 * `test_cmdbuf_race pipeline-cache`, with the test layer: a pipeline cache the guest makes
 * "externally synchronized" (a promise its rings may break) reaches the driver without that
 * flag, so the driver keeps locking it (src/vk/guard_pipeline_cache.c); the layer aborts on it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "../codegen/wire_buf.h"
#include "../unit/venus_guest.h"
#include "pearvisor/pearvisor.h"

#include "host_icd.h"

#define INSTANCE 0x10u
#define PHYSDEV 0x20u
#define DEVICE 0x30u
#define POOL 0x40u
#define CMDBUF 0x50u
#define QUEUE 0x60u
#define CMDBUF_RING 0x80u
#define CMDBUF_CONTEXT 0x90u
#define PIPELINE_CACHE 0xa0u
#define QUERY_POOL 0x70u
#define FENCE 0xb0u
#define EVENT 0xc0u
#define BUFFER 0xd0u
#define IMAGE 0xd8u
#define MEMORY_A 0xe0u
#define MEMORY_B 0xe8u
#define SEMAPHORE 0xf0u
#define RING_ID 0x1001u
#define RING_RES 2u
/* vkCmdSetLineWidth is 20 bytes: begin and 95 of them fit the ring's 2 KiB buffer; more follow
 * as the ring makes room */
#define RECORDED 95u
#define ROUNDS 500u
#define ROUNDS_SLOW 100u
#define LINE_WIDTH 0x3f800000u      /* 1.0f */
#define LINE_WIDTH_SLOW 0x40f80000u /* 7.75f: the test layer records it slowly */

/* slow: the feeder's commands per round, bounded. The recording thread keeps this ring's hold
 * from one stream's end to its next (holds.h), and a hold waited for is not granted before
 * other ones (a guest that keeps one ring recording into a command buffer can keep its free on
 * another waiting): the feeder, which stops only when the free returned, must stop by itself. */
#define FED_SLOW 400u

static uint32_t line_width = LINE_WIDTH;
static unsigned rounds = ROUNDS;
static uint32_t fed_max = UINT32_MAX;
/* set by a test the host cannot run: the program then exits 77 (skipped) */
static bool host_lacks;

enum {
   CMD_DESTROY_INSTANCE = 1,
   CMD_DESTROY_DEVICE = 12,
   CMD_CREATE_COMMAND_POOL = 85,
   CMD_DESTROY_COMMAND_POOL = 86,
   CMD_RESET_COMMAND_POOL = 87,
   CMD_ALLOCATE_COMMAND_BUFFERS = 88,
   CMD_FREE_COMMAND_BUFFERS = 89,
   CMD_BEGIN_COMMAND_BUFFER = 90,
   CMD_END_COMMAND_BUFFER = 91,
   CMD_SET_LINE_WIDTH = 96,
   CMD_GET_DEVICE_QUEUE = 17,
   CMD_QUEUE_SUBMIT = 18,
   CMD_ALLOCATE_MEMORY = 21,
   CMD_FREE_MEMORY = 22,
   CMD_BIND_BUFFER_MEMORY = 28,
   CMD_BIND_IMAGE_MEMORY = 29,
   CMD_CREATE_BUFFER = 50,
   CMD_CREATE_IMAGE = 54,
   CMD_CLEAR_COLOR_IMAGE = 119,
   CMD_BIND_IMAGE_MEMORY2 = 139,
   STYPE_MEMORY_ALLOCATE_INFO = 5,
   STYPE_BUFFER_CREATE_INFO = 12,
   STYPE_IMAGE_CREATE_INFO = 14,
   STYPE_BIND_IMAGE_MEMORY_INFO = 1000157001,
   STYPE_BIND_IMAGE_PLANE_MEMORY_INFO = 1000156002,
   CMD_CREATE_FENCE = 35,
   CMD_RESET_FENCES = 37,
   CMD_WAIT_FOR_FENCES = 39,
   CMD_GET_FENCE_STATUS = 38,
   CMD_CREATE_EVENT = 42,
   CMD_GET_EVENT_STATUS = 44,
   CMD_SET_EVENT = 45,
   CMD_RESET_EVENT = 46,
   CMD_CREATE_SEMAPHORE = 40,
   CMD_DESTROY_SEMAPHORE = 41,
   CMD_DESTROY_FENCE = 36,
   CMD_WAIT_EVENTS = 125,
   CMD_RESET_FENCE_RESOURCE = 244,
   CMD_WAIT_SEMAPHORE_RESOURCE = 245,
   CMD_IMPORT_SEMAPHORE_RESOURCE = 246,
   STYPE_SUBMIT_INFO = 4,
   STYPE_SEMAPHORE_CREATE_INFO = 9,
   STYPE_IMPORT_SEMAPHORE_RESOURCE_INFO = 1000384004,
   STYPE_FENCE_CREATE_INFO = 8,
   STYPE_EVENT_CREATE_INFO = 10,
   CMD_CREATE_QUERY_POOL = 47,
   CMD_CREATE_PIPELINE_CACHE = 61,
   STYPE_PIPELINE_CACHE_CREATE_INFO = 17,
   PIPELINE_CACHE_EXTERNALLY_SYNCHRONIZED = 1,
   CMD_RESET_QUERY_POOL = 171,
   CMD_GET_QUERY_POOL_RESULTS = 49,
   STYPE_QUERY_POOL_CREATE_INFO = 11,
   QUERY_TYPE_TIMESTAMP = 2,
   STYPE_COMMAND_POOL_CREATE_INFO = 39,
   STYPE_COMMAND_BUFFER_ALLOCATE_INFO = 40,
   STYPE_COMMAND_BUFFER_BEGIN_INFO = 42,
   STYPE_COMMAND_BUFFER_INHERITANCE_INFO = 41,
   POOL_RESET_COMMAND_BUFFER_BIT = 2,
};

static void
create_pool_and_cmdbuf(struct buf *b)
{
   w32(b, CMD_CREATE_COMMAND_POOL), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_COMMAND_POOL_CREATE_INFO), w64(b, 0), w32(b, POOL_RESET_COMMAND_BUFFER_BIT);
   w32(b, 0); /* queue family 0 */
   w64(b, 0), w64(b, 1), w64(b, POOL);
   w32(b, CMD_ALLOCATE_COMMAND_BUFFERS), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_COMMAND_BUFFER_ALLOCATE_INFO), w64(b, 0), w64(b, POOL), w32(b, 0), w32(b, 1);
   w64(b, 1), w64(b, CMDBUF);
}

static void
record_begin(struct buf *b)
{
   w32(b, CMD_BEGIN_COMMAND_BUFFER), w32(b, 0), w64(b, CMDBUF), w64(b, 1);
   w32(b, STYPE_COMMAND_BUFFER_BEGIN_INFO), w64(b, 0), w32(b, 0), w64(b, 0);
   for (uint32_t i = 0; i < RECORDED; i++)
      w32(b, CMD_SET_LINE_WIDTH), w32(b, 0), w64(b, CMDBUF), w32(b, line_width);
}

/* The guest's other thread: keeps the ring recording (one vkCmdSetLineWidth whenever the ring
 * has room) until told to stop, then ends the command buffer. It never notifies: the ring it
 * keeps fed does not go idle, and the main thread notifies once it has joined. */
struct feeder {
   uint8_t *ring;
   _Atomic bool stop;
   uint32_t tail; /* out: the ring's last tail */
   bool submits;  /* empty vkQueueSubmits instead of recording */
   bool resubmits; /* vkQueueSubmits of CMDBUF (resubmit-race) */
   bool allocates; /* a command buffer allocated from POOL and freed to it */
   bool syncs;     /* FENCE reset, EVENT set, both read */
   bool exports;   /* SEMAPHORE signaled and its sync_fd exported, FENCE's exported */
   bool writes_set; /* SET written (set-write-race) */
};

static bool
ring_put(uint8_t *ring, const struct buf *b, uint32_t *tail)
{
   while (*tail + b->n - atomic_load(ring_ctl(ring, RING_HEAD)) > RING_BUFFER)
      if (atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_FATAL)
         return false;
   for (size_t i = 0; i < b->n; i++)
      ring[RING_BUF + ((*tail + i) & (RING_BUFFER - 1))] = b->b[i];
   *tail += (uint32_t)b->n;
   atomic_store(ring_ctl(ring, RING_TAIL), *tail);
   return true;
}

/* vkAllocateCommandBuffers of one from POOL as `id`, then vkFreeCommandBuffers of it. */
static void
alloc_and_free(struct buf *b, uint64_t id)
{
   w32(b, CMD_ALLOCATE_COMMAND_BUFFERS), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_COMMAND_BUFFER_ALLOCATE_INFO), w64(b, 0), w64(b, POOL), w32(b, 0), w32(b, 1);
   w64(b, 1), w64(b, id);
   w32(b, CMD_FREE_COMMAND_BUFFERS), w32(b, 0), w64(b, DEVICE), w64(b, POOL), w32(b, 1);
   w64(b, 1), w64(b, id);
}

/* A command of (device, one object): vkGetFenceStatus, vkSetEvent and the like. */
static void
device_and_object(struct buf *b, uint32_t cmd, uint64_t id)
{
   w32(b, cmd), w32(b, 0), w64(b, DEVICE), w64(b, id);
}

static void
reset_fence(struct buf *b)
{
   w32(b, CMD_RESET_FENCES), w32(b, 0), w64(b, DEVICE), w32(b, 1), w64(b, 1), w64(b, FENCE);
}

/* export: the semaphores besides SEMAPHORE the context path's submission names, each twice */
#define EXTRA_SEMAPHORES 40u
#define EXTRA_SEMAPHORE(i) (0x1000u + (i))

/* vkQueueSubmit of one batch that signals SEMAPHORE, with `fence` (0: none); with `extra`, also
 * EXTRA_SEMAPHORES others, and then all of them again: more than a command's holds are walked
 * for (src/renderer/holds.c), so naming one again finds its hold in the path's index. */
static void
submit_signal(struct buf *b, uint64_t fence, bool extra)
{
   uint32_t n = extra ? 2 * (EXTRA_SEMAPHORES + 1) : 1;
   w32(b, CMD_QUEUE_SUBMIT), w32(b, 0), w64(b, QUEUE), w32(b, 1), w64(b, 1);
   w32(b, STYPE_SUBMIT_INFO), w64(b, 0);
   w32(b, 0), w64(b, 0), w64(b, 0); /* no waits, no wait stages */
   w32(b, 0), w64(b, 0);            /* no command buffers */
   w32(b, n), w64(b, n);
   for (uint32_t i = 0; i < n; i++) {
      uint32_t k = i % (EXTRA_SEMAPHORES + 1);
      w64(b, k == 0 ? SEMAPHORE : EXTRA_SEMAPHORE(k - 1));
   }
   w64(b, fence);
}

/* The sync_fd commands Venus sends for vkImportSemaphoreFdKHR and vkGetSemaphoreFdKHR. */
static void
import_semaphore(struct buf *b)
{
   w32(b, CMD_IMPORT_SEMAPHORE_RESOURCE), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_IMPORT_SEMAPHORE_RESOURCE_INFO), w64(b, 0), w64(b, SEMAPHORE), w32(b, 0);
}

static void submit_cmdbuf(struct buf *b, uint32_t times);
static void write_set(struct buf *b);

static void *
feed(void *arg)
{
   struct feeder *f = arg;
   struct buf one = {0}, end = {0};
   if (f->allocates) {
      alloc_and_free(&one, CMDBUF_RING);
   } else if (f->syncs) {
      reset_fence(&one);
      w32(&one, CMD_WAIT_FOR_FENCES), w32(&one, 0), w64(&one, DEVICE), w32(&one, 1), w64(&one, 1);
      w64(&one, FENCE), w32(&one, 1), w64(&one, 0); /* waitAll, timeout 0 */
      device_and_object(&one, CMD_SET_EVENT, EVENT);
      device_and_object(&one, CMD_GET_EVENT_STATUS, EVENT);
      device_and_object(&one, CMD_GET_FENCE_STATUS, FENCE);
   } else if (f->exports) {
      submit_signal(&one, 0, false);
      device_and_object(&one, CMD_WAIT_SEMAPHORE_RESOURCE, SEMAPHORE);
      device_and_object(&one, CMD_RESET_FENCE_RESOURCE, FENCE);
   } else if (f->resubmits) {
      submit_cmdbuf(&one, 1);
   } else if (f->writes_set) {
      write_set(&one);
   } else if (f->submits) {
      w32(&one, CMD_QUEUE_SUBMIT), w32(&one, 0), w64(&one, QUEUE), w32(&one, 0), w64(&one, 0);
      w64(&one, 0); /* no batches, no fence */
   } else {
      w32(&one, CMD_SET_LINE_WIDTH), w32(&one, 0), w64(&one, CMDBUF), w32(&one, line_width);
      w32(&end, CMD_END_COMMAND_BUFFER), w32(&end, 0), w64(&end, CMDBUF);
   }
   f->tail = atomic_load(ring_ctl(f->ring, RING_TAIL));
   for (uint32_t n = 0; n < fed_max && !atomic_load(&f->stop) && ring_put(f->ring, &one, &f->tail);
        n++)
      ;
   (void)ring_put(f->ring, &end, &f->tail);
   return NULL;
}

/* Stops the feeder and waits until the ring has run (or refused) all it was given. */
static void
stop_feeding(struct pv_context *ctx, struct feeder *f, pthread_t thread, const struct buf *notify)
{
   atomic_store(&f->stop, true);
   pthread_join(thread, NULL);
   if (atomic_load(ring_ctl(f->ring, RING_STATUS)) & STATUS_IDLE)
      (void)pv_context_submit(ctx, notify->b, notify->n);
   if (!guest_ring_settled(f->ring, f->tail))
      fail_msg("the ring neither finished nor failed in 5 s");
}

/* Frees the command buffer, resets or destroys its pool, or destroys its device or the instance
 * (each with the pool), by round. */
static void
take_away(struct buf *b, unsigned round)
{
   switch (round % 5) {
   case 0:
      w32(b, CMD_FREE_COMMAND_BUFFERS), w32(b, 0), w64(b, DEVICE), w64(b, POOL), w32(b, 1);
      w64(b, 1), w64(b, CMDBUF);
      break;
   case 1:
      w32(b, CMD_RESET_COMMAND_POOL), w32(b, 0), w64(b, DEVICE), w64(b, POOL), w32(b, 0);
      break;
   case 2:
      w32(b, CMD_DESTROY_DEVICE), w32(b, 0), w64(b, DEVICE), w64(b, 0);
      break;
   case 3: /* one object's host destroy handed to reclamation (the generated handler's) */
      w32(b, CMD_DESTROY_COMMAND_POOL), w32(b, 0), w64(b, DEVICE), w64(b, POOL), w64(b, 0);
      break;
   default:
      w32(b, CMD_DESTROY_INSTANCE), w32(b, 0), w64(b, INSTANCE), w64(b, 0);
      break;
   }
}

/* Why a round's context may be lost: the ring's next command after the free or reset. */
static bool
expected_reason(const char *why)
{
   static const char *const known[] = {
      "unknown object id",               /* freed, gone from the table before the lookup */
      "freed by another ring's command", /* freed while the ring waited for its hold */
      "not recording",                   /* reset: the ring's next vkCmd* */
   };
   for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
      if (strstr(why, known[i]))
         return true;
   return false;
}

/* A context named `name` whose guest made the device, what `setup_more` adds, and ring RING_ID
 * (mapped at *ring); the set-up must not lose it. */
static struct pv_context *
ring_context(struct pv_renderer *r, const char *name, void (*setup_more)(struct buf *),
             uint8_t **ring)
{
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, name);
   assert_non_null(ctx);
   *ring = map_blob(ctx, RING_RES, 8192);
   struct buf setup = {0};
   guest_device_stream(&setup, INSTANCE, PHYSDEV, DEVICE);
   setup_more(&setup);
   guest_create_ring(&setup, RING_ID, RING_RES, 3000000);
   (void)pv_context_submit(ctx, setup.b, setup.n);
   if (pv_context_is_lost(ctx))
      fail_msg("set-up lost the context: %s", pv_context_lost_reason(ctx));
   return ctx;
}

/* One round in a context of its own; true when the context was lost (the two met). */
static bool
race_round(struct pv_renderer *r, unsigned round)
{
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "cmdbuf-race", create_pool_and_cmdbuf, &ring);

   struct buf rec = {0}, away = {0}, notify = {0};
   record_begin(&rec);
   take_away(&away, round);
   cmd_notify(&notify, RING_ID);
   uint32_t start = atomic_load(ring_ctl(ring, RING_HEAD));
   (void)guest_ring_submit(ctx, ring, RING_ID, &rec);
   struct feeder f = {.ring = ring};
   pthread_t feeder;
   assert_int_equal(pthread_create(&feeder, NULL, feed, &f), 0);
   /* the ring is recording (past vkBeginCommandBuffer, its head moves per command) */
   while (atomic_load(ring_ctl(ring, RING_HEAD)) == start &&
          !(atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_FATAL))
      ;
   (void)pv_context_submit(ctx, away.b, away.n);
   stop_feeding(ctx, &f, feeder, &notify);

   bool lost = pv_context_is_lost(ctx);
   if (lost) {
      const char *why = pv_context_lost_reason(ctx);
      assert_non_null(why);
      if (!expected_reason(why))
         fail_msg("unexpected reason: %s", why);
   }
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   return lost;
}

/* query-reset: the layer's slow reset (tests/fault/pv_crash_layer.c) */
#define RESETS 200u
#define SLOW_RESET_FIRST 7u

static void
queue_and_query_pool(struct buf *b)
{
   w32(b, CMD_GET_DEVICE_QUEUE), w32(b, 0), w64(b, DEVICE), w32(b, 0), w32(b, 0);
   w64(b, 1), w64(b, QUEUE);
   w32(b, CMD_CREATE_QUERY_POOL), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_QUERY_POOL_CREATE_INFO), w64(b, 0), w32(b, 0), w32(b, QUERY_TYPE_TIMESTAMP);
   w32(b, 16), w32(b, 0); /* queryCount, pipelineStatistics */
   w64(b, 0), w64(b, 1), w64(b, QUERY_POOL);
}

/* The ring runs the feeder's command throughout while the context path submits `mine` `times`
 * times; set up with `setup` besides the device, each on lavapipe with the test layer. Neither
 * may lose the context. */
static void
ring_against_context(void (*setup_more)(struct buf *), struct feeder f, const struct buf *mine,
                     unsigned times)
{
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "ring-against-context", setup_more, &ring);
   struct buf notify = {0};

   f.ring = ring;
   pthread_t feeder;
   assert_int_equal(pthread_create(&feeder, NULL, feed, &f), 0);
   cmd_notify(&notify, RING_ID);
   for (unsigned i = 0; i < times && !pv_context_is_lost(ctx); i++) {
      if (atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_IDLE)
         (void)pv_context_submit(ctx, notify.b, notify.n);
      assert_int_equal(pv_context_submit(ctx, mine->b, mine->n), 0);
   }
   stop_feeding(ctx, &f, feeder, &notify);
   if (pv_context_is_lost(ctx))
      fail_msg("context lost: %s", pv_context_lost_reason(ctx));
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   pv_renderer_destroy(r);
}

/* The ring submits throughout while the context path resets the pool RESETS times. */
static void
test_query_reset_race(void **state)
{
   (void)state;
   struct buf reset = {0};
   w32(&reset, CMD_RESET_QUERY_POOL), w32(&reset, 0), w64(&reset, DEVICE), w64(&reset, QUERY_POOL);
   w32(&reset, SLOW_RESET_FIRST), w32(&reset, 1);
   ring_against_context(queue_and_query_pool, (struct feeder){.submits = true}, &reset, RESETS);
}

/* The ring submits throughout while the context path reads the pool's results RESETS times. */
static void
test_query_read_race(void **state)
{
   (void)state;
   struct buf read = {0};
   w32(&read, CMD_GET_QUERY_POOL_RESULTS), w32(&read, 0), w64(&read, DEVICE);
   w64(&read, QUERY_POOL), w32(&read, SLOW_RESET_FIRST), w32(&read, 1);
   w64(&read, 8), w64(&read, 8), w64(&read, 8), w32(&read, 1); /* 8 bytes, stride 8, 64-bit */
   ring_against_context(queue_and_query_pool, (struct feeder){.submits = true}, &read, RESETS);
}

/* pool: the ring allocates and frees while the context path does ALLOCS times. The ring stops
 * by itself after FED_POOL: a hold waited for is not granted before other ones (see FED_SLOW),
 * and a ring that never stops could keep the context path's pool commands waiting, 1 ms a try,
 * for minutes (it took 65-100 s in one run of 3 on 2 cores). */
#define ALLOCS 300u
#define FED_POOL 2000u

static void
test_pool_race(void **state)
{
   (void)state;
   struct buf mine = {0};
   alloc_and_free(&mine, CMDBUF_CONTEXT);
   /* and a recording into the pool's other command buffer (slow: a pool call to the layer) */
   w32(&mine, CMD_BEGIN_COMMAND_BUFFER), w32(&mine, 0), w64(&mine, CMDBUF), w64(&mine, 1);
   w32(&mine, STYPE_COMMAND_BUFFER_BEGIN_INFO), w64(&mine, 0), w32(&mine, 0), w64(&mine, 0);
   for (unsigned i = 0; i < 4; i++)
      w32(&mine, CMD_SET_LINE_WIDTH), w32(&mine, 0), w64(&mine, CMDBUF),
         w32(&mine, LINE_WIDTH_SLOW);
   w32(&mine, CMD_END_COMMAND_BUFFER), w32(&mine, 0), w64(&mine, CMDBUF);
   fed_max = FED_POOL;
   ring_against_context(create_pool_and_cmdbuf, (struct feeder){.allocates = true}, &mine, ALLOCS);
}

/* sync: a queue, FENCE and EVENT */
#define SYNC_ROUNDS 300u

/* vkCreateFence, vkCreateEvent or vkCreateSemaphore (`cmd`) of object `id`: a create info of
 * `stype` without pNext or flags. */
static void
create_plain(struct buf *b, uint32_t cmd, uint32_t stype, uint64_t id)
{
   w32(b, cmd), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, stype), w64(b, 0), w32(b, 0);
   w64(b, 0), w64(b, 1), w64(b, id);
}

static void
queue_fence_and_event(struct buf *b)
{
   queue_and_query_pool(b);
   create_plain(b, CMD_CREATE_FENCE, STYPE_FENCE_CREATE_INFO, FENCE);
   create_plain(b, CMD_CREATE_EVENT, STYPE_EVENT_CREATE_INFO, EVENT);
}

/* The ring resets FENCE and sets EVENT throughout while the context path resets FENCE, submits
 * with it, reads it, and resets and reads EVENT, SYNC_ROUNDS times. */
static void
test_sync_race(void **state)
{
   (void)state;
   struct buf mine = {0};
   reset_fence(&mine);
   w32(&mine, CMD_QUEUE_SUBMIT), w32(&mine, 0), w64(&mine, QUEUE), w32(&mine, 0), w64(&mine, 0);
   w64(&mine, FENCE); /* no batches: the fence signals once the queue gets there */
   device_and_object(&mine, CMD_GET_FENCE_STATUS, FENCE);
   device_and_object(&mine, CMD_RESET_EVENT, EVENT);
   device_and_object(&mine, CMD_GET_EVENT_STATUS, EVENT);
   ring_against_context(queue_fence_and_event, (struct feeder){.syncs = true}, &mine,
                        SYNC_ROUNDS);
}

static void
queue_fence_and_semaphore(struct buf *b)
{
   queue_fence_and_event(b);
   for (uint32_t i = 0; i <= EXTRA_SEMAPHORES; i++)
      create_plain(b, CMD_CREATE_SEMAPHORE, STYPE_SEMAPHORE_CREATE_INFO,
                   i == 0 ? SEMAPHORE : EXTRA_SEMAPHORE(i - 1));
}

/* The ring signals SEMAPHORE and exports its sync_fd, and exports FENCE's, throughout while the
 * context path imports a sync_fd into SEMAPHORE, signals it (and others, each twice) with FENCE
 * and exports it, SYNC_ROUNDS times (the test layer stands in for sync_fd). */
static void
test_export_race(void **state)
{
   (void)state;
   struct buf mine = {0};
   reset_fence(&mine);
   import_semaphore(&mine);
   submit_signal(&mine, FENCE, true);
   device_and_object(&mine, CMD_WAIT_SEMAPHORE_RESOURCE, SEMAPHORE);
   ring_against_context(queue_fence_and_semaphore, (struct feeder){.exports = true}, &mine,
                        SYNC_ROUNDS);
}

/* destroy-pending: a submission waits for EVENT (set from the host) in its command buffer */
#define STAGE_HOST 0x4000u
#define STAGE_ALL_COMMANDS 0x10000u
#define FENCE_WAITED 0xb8u
#define PENDING_ROUNDS 20u

static void
sync_objects(struct buf *b)
{
   queue_fence_and_semaphore(b);
   create_pool_and_cmdbuf(b);
   create_plain(b, CMD_CREATE_FENCE, STYPE_FENCE_CREATE_INFO, FENCE_WAITED);
}

/* vkBeginCommandBuffer of `id` with `usage`; a secondary inherits no render pass. */
static void
begin_cmdbuf(struct buf *b, uint64_t id, uint32_t usage, bool secondary)
{
   w32(b, CMD_BEGIN_COMMAND_BUFFER), w32(b, 0), w64(b, id), w64(b, 1);
   w32(b, STYPE_COMMAND_BUFFER_BEGIN_INFO), w64(b, 0), w32(b, usage), w64(b, secondary);
   if (secondary) { /* VkCommandBufferInheritanceInfo, all zero */
      w32(b, STYPE_COMMAND_BUFFER_INHERITANCE_INFO), w64(b, 0), w64(b, 0), w32(b, 0);
      w64(b, 0), w32(b, 0), w32(b, 0), w32(b, 0);
   }
}

/* vkCmdWaitEvents of EVENT into `id`. */
static void
wait_event_cmd(struct buf *b, uint64_t id)
{
   w32(b, CMD_WAIT_EVENTS), w32(b, 0), w64(b, id), w32(b, 1), w64(b, 1), w64(b, EVENT);
   w32(b, STAGE_HOST), w32(b, STAGE_ALL_COMMANDS);
   w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0); /* no barriers */
}

/* `id` recorded to wait for EVENT. */
static void
record_event_wait_into(struct buf *b, uint64_t id, uint32_t usage, bool secondary)
{
   begin_cmdbuf(b, id, usage, secondary);
   wait_event_cmd(b, id);
   w32(b, CMD_END_COMMAND_BUFFER), w32(b, 0), w64(b, id);
}

static void
record_event_wait(struct buf *b, uint32_t usage)
{
   record_event_wait_into(b, CMDBUF, usage, false);
}

/* CMDBUF recorded to wait for EVENT, submitted signalling SEMAPHORE with FENCE, and both
 * destroyed at once: the submission still waits for the event. */
static void
submit_then_destroy(struct buf *b)
{
   record_event_wait(b, 0);
   w32(b, CMD_QUEUE_SUBMIT), w32(b, 0), w64(b, QUEUE), w32(b, 1), w64(b, 1);
   w32(b, STYPE_SUBMIT_INFO), w64(b, 0);
   w32(b, 0), w64(b, 0), w64(b, 0); /* no waits */
   w32(b, 1), w64(b, 1), w64(b, CMDBUF);
   w32(b, 1), w64(b, 1), w64(b, SEMAPHORE);
   w64(b, FENCE);
   w32(b, CMD_DESTROY_SEMAPHORE), w32(b, 0), w64(b, DEVICE), w64(b, SEMAPHORE), w64(b, 0);
   w32(b, CMD_DESTROY_FENCE), w32(b, 0), w64(b, DEVICE), w64(b, FENCE), w64(b, 0);
}

/* The queue's work waited for through FENCE_WAITED, submitted after it (so the test layer's
 * fence that follows each submission has signalled too). */
static void
wait_idle(struct buf *b)
{
   w32(b, CMD_RESET_FENCES), w32(b, 0), w64(b, DEVICE), w32(b, 1), w64(b, 1), w64(b, FENCE_WAITED);
   w32(b, CMD_QUEUE_SUBMIT), w32(b, 0), w64(b, QUEUE), w32(b, 0), w64(b, 0), w64(b, FENCE_WAITED);
   w32(b, CMD_WAIT_FOR_FENCES), w32(b, 0), w64(b, DEVICE), w32(b, 1), w64(b, 1);
   w64(b, FENCE_WAITED), w32(b, 1), w64(b, 5000000000ull);
}

/* The same, then EVENT reset. */
static void
wait_idle_and_reset_event(struct buf *b)
{
   wait_idle(b);
   device_and_object(b, CMD_RESET_EVENT, EVENT);
}

/* EVENT set, reset, and the queue's work waited for through FENCE_WAITED; then SEMAPHORE and
 * FENCE made again under their ids for the next round. */
static void
release_and_wait(struct buf *b)
{
   device_and_object(b, CMD_SET_EVENT, EVENT);
   wait_idle_and_reset_event(b);
   create_plain(b, CMD_CREATE_SEMAPHORE, STYPE_SEMAPHORE_CREATE_INFO, SEMAPHORE);
   create_plain(b, CMD_CREATE_FENCE, STYPE_FENCE_CREATE_INFO, FENCE);
}

/* A semaphore and a fence destroyed while the submission that signals them waits (for an event
 * the host sets later): the host destroys them once that work is done (graveyard.c), which the
 * test layer checks (PV_LAYER_CHECK_PENDING=1: it aborts on a destroy under a running
 * submission; lavapipe's queue thread read the freed semaphore and fence, valgrind, before). */
static void
test_destroy_pending(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "destroy-pending", sync_objects, &ring);
   struct buf go = {0}, done = {0};
   submit_then_destroy(&go);
   release_and_wait(&done);
   for (unsigned i = 0; i < PENDING_ROUNDS && !pv_context_is_lost(ctx); i++) {
      (void)pv_context_submit(ctx, go.b, go.n);
      sleep_ms(5); /* the queue waits for the event meanwhile */
      (void)pv_context_submit(ctx, done.b, done.n);
   }
   if (pv_context_is_lost(ctx))
      fail_msg("context lost: %s", pv_context_lost_reason(ctx));
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   pv_renderer_destroy(r);
}

/* resubmit-pending: CMDBUF, waiting for EVENT, submitted on the ring twice */
#define USAGE_SIMULTANEOUS_USE 4u
#define RESUBMIT_WAIT_MS 20

/* One vkQueueSubmit of one batch naming `id` `times` times, without semaphores or fence. */
static void
submit_cmdbuf_id(struct buf *b, uint64_t id, uint32_t times)
{
   w32(b, CMD_QUEUE_SUBMIT), w32(b, 0), w64(b, QUEUE), w32(b, 1), w64(b, 1);
   w32(b, STYPE_SUBMIT_INFO), w64(b, 0);
   w32(b, 0), w64(b, 0), w64(b, 0); /* no waits */
   w32(b, times), w64(b, times);
   for (uint32_t i = 0; i < times; i++)
      w64(b, id);
   w32(b, 0), w64(b, 0); /* no signals */
   w64(b, 0);            /* no fence */
}

static void
submit_cmdbuf(struct buf *b, uint32_t times)
{
   submit_cmdbuf_id(b, CMDBUF, times);
}

/* The ring runs `cmds`; EVENT is set from the context path RESUBMIT_WAIT_MS later, then
 * `release` runs there. Whether the ring had run them all before the event was set. */
static bool
ring_runs_before_event(struct pv_context *ctx, uint8_t *ring, const struct buf *cmds,
                       const struct buf *release)
{
   struct buf set = {0};
   device_and_object(&set, CMD_SET_EVENT, EVENT);
   uint32_t tail = guest_ring_submit(ctx, ring, RING_ID, cmds);
   sleep_ms(RESUBMIT_WAIT_MS);
   bool ran = atomic_load(ring_ctl(ring, RING_HEAD)) == tail;
   (void)pv_context_submit(ctx, set.b, set.n);
   if (!guest_ring_settled(ring, tail))
      fail_msg("the ring neither finished nor failed in 5 s");
   (void)pv_context_submit(ctx, release->b, release->n);
   return ran;
}

/* The ring submits `first`, then `second`: whether it ran both before the event was set. */
static bool
ring_submits_two(struct pv_context *ctx, uint8_t *ring, uint64_t first, uint64_t second,
                 const struct buf *release)
{
   struct buf twice = {0};
   submit_cmdbuf_id(&twice, first, 1);
   submit_cmdbuf_id(&twice, second, 1);
   return ring_runs_before_event(ctx, ring, &twice, release);
}

/* A command buffer begun without SIMULTANEOUS_USE submitted while its earlier submission still
 * waits (for an event the context path sets later): the second submission waits for the first
 * (src/vk/resubmit.c), so the ring has not run it before the event, and the test layer
 * (PV_LAYER_CHECK_PENDING=1) never sees it pending twice. Begun with SIMULTANEOUS_USE, both run
 * at once. Named twice in one submission, it is refused. */
static void
test_resubmit_pending(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "resubmit-pending", sync_objects, &ring);
   struct buf once = {0}, simultaneous = {0}, release = {0}, twice = {0};
   record_event_wait(&once, 0);
   record_event_wait(&simultaneous, USAGE_SIMULTANEOUS_USE);
   wait_idle_and_reset_event(&release);
   submit_cmdbuf(&twice, 2);

   (void)pv_context_submit(ctx, once.b, once.n);
   for (unsigned i = 0; i < PENDING_ROUNDS && !pv_context_is_lost(ctx); i++)
      if (ring_submits_two(ctx, ring, CMDBUF, CMDBUF, &release))
         fail_msg("round %u: the second submission ran while the first waited", i);
   (void)pv_context_submit(ctx, simultaneous.b, simultaneous.n);
   if (!pv_context_is_lost(ctx) && !ring_submits_two(ctx, ring, CMDBUF, CMDBUF, &release))
      fail_msg("with SIMULTANEOUS_USE the second submission waited for the first");
   if (pv_context_is_lost(ctx))
      fail_msg("context lost: %s", pv_context_lost_reason(ctx));

   (void)pv_context_submit(ctx, once.b, once.n);
   (void)pv_context_submit(ctx, twice.b, twice.n);
   assert_true(pv_context_is_lost(ctx));
   assert_non_null(strstr(pv_context_lost_reason(ctx), "named twice"));
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   pv_renderer_destroy(r);
}

/* CMDBUF recorded once to wait for EVENT, which is set: its work is short. */
static void
short_resubmitted_work(struct buf *b)
{
   sync_objects(b);
   record_event_wait(b, 0);
   device_and_object(b, CMD_SET_EVENT, EVENT);
}

/* The ring and the context path submit CMDBUF (without SIMULTANEOUS_USE) throughout, a guest
 * breaking Vulkan's rules across its rings: each submission waits for the other's work, and the
 * test layer never sees it pending twice. One queue: its submit lock orders the two checks and
 * marks (the claims of src/vk/resubmit.c are for two queues, which lavapipe lacks). With the
 * drain fence two waits once shared (lifetime.c), this aborted 7 runs in 10. */
static void
test_resubmit_race(void **state)
{
   (void)state;
   struct buf mine = {0};
   submit_cmdbuf(&mine, 1);
   ring_against_context(short_resubmitted_work, (struct feeder){.resubmits = true}, &mine,
                        SYNC_ROUNDS);
}

/* resubmit-timeline: CMDBUF's batches signal TIMELINE, a timeline semaphore */
#define TIMELINE 0x2000u
#define CMD_WAIT_SEMAPHORES 173
#define CMD_SIGNAL_SEMAPHORE 174
#define STYPE_SEMAPHORE_TYPE_CREATE_INFO 1000207002
#define STYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO 1000207003
#define STYPE_SEMAPHORE_WAIT_INFO 1000207004
#define STYPE_SEMAPHORE_SIGNAL_INFO 1000207005
#define SEMAPHORE_TYPE_TIMELINE 1

static void
timeline_work(struct buf *b)
{
   short_resubmitted_work(b);
   w32(b, CMD_CREATE_SEMAPHORE), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_SEMAPHORE_CREATE_INFO), w64(b, 1);
   w32(b, STYPE_SEMAPHORE_TYPE_CREATE_INFO), w64(b, 0), w32(b, SEMAPHORE_TYPE_TIMELINE), w64(b, 0);
   w32(b, 0);                              /* flags */
   w64(b, 0), w64(b, 1), w64(b, TIMELINE); /* no allocator; the id */
}

/* vkQueueSubmit of CMDBUF signalling TIMELINE to `value` (no fence), then vkWaitSemaphores for
 * it: the guest knows the batch finished, our tracking does not (no fence told it). */
static void
submit_signal_wait(struct buf *b, uint64_t value)
{
   w32(b, CMD_QUEUE_SUBMIT), w32(b, 0), w64(b, QUEUE), w32(b, 1), w64(b, 1);
   w32(b, STYPE_SUBMIT_INFO), w64(b, 1);
   w32(b, STYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO), w64(b, 0);
   w32(b, 0), w64(b, 0);                /* no wait values */
   w32(b, 1), w64(b, 1), w64(b, value); /* the signal value */
   w32(b, 0), w64(b, 0), w64(b, 0);     /* no waits */
   w32(b, 1), w64(b, 1), w64(b, CMDBUF);
   w32(b, 1), w64(b, 1), w64(b, TIMELINE);
   w64(b, 0); /* no fence */
   w32(b, CMD_WAIT_SEMAPHORES), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_SEMAPHORE_WAIT_INFO), w64(b, 0), w32(b, 0);
   w32(b, 1), w64(b, 1), w64(b, TIMELINE), w64(b, 1), w64(b, value);
   w64(b, 5000000000ull);
}

static uint64_t
queue_drains(const struct pv_context *ctx)
{
   struct pv_context_stats st = {.struct_size = sizeof(st)};
   assert_int_equal(pv_context_get_stats(ctx, &st), 0);
   return st.queue_drains;
}

/* CMDBUF submitted again after the guest saw the batch's timeline semaphore reach its value:
 * the host's counter says the batch finished, so nothing waits for the queue; once the semaphore
 * was signalled from the host its counter no longer counts, and the queue is waited for. */
static void
test_resubmit_timeline(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "resubmit-timeline", timeline_work, &ring);
   struct buf first = {0}, second = {0}, host_signal = {0}, third = {0};
   submit_signal_wait(&first, 1);
   submit_signal_wait(&second, 2);
   w32(&host_signal, CMD_SIGNAL_SEMAPHORE), w32(&host_signal, 0), w64(&host_signal, DEVICE);
   w64(&host_signal, 1), w32(&host_signal, STYPE_SEMAPHORE_SIGNAL_INFO), w64(&host_signal, 0);
   w64(&host_signal, TIMELINE), w64(&host_signal, 3);
   submit_signal_wait(&third, 4);

   (void)pv_context_submit(ctx, first.b, first.n);
   uint64_t before = queue_drains(ctx);
   (void)pv_context_submit(ctx, second.b, second.n);
   assert_int_equal(queue_drains(ctx), before);
   (void)pv_context_submit(ctx, host_signal.b, host_signal.n);
   (void)pv_context_submit(ctx, third.b, third.n);
   assert_int_equal(queue_drains(ctx), before + 1);
   if (pv_context_is_lost(ctx))
      fail_msg("context lost: %s", pv_context_lost_reason(ctx));
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   pv_renderer_destroy(r);
}

/* resubmit-secondary: SECONDARY (waiting for EVENT) executed by CMDBUF and PRIMARY_B */
#define SECONDARY 0x3000u
#define PRIMARY_B 0x3008u
#define LEVEL_SECONDARY 1u
#define CMD_EXECUTE_COMMANDS 136

static void
allocate_cmdbuf(struct buf *b, uint64_t id, uint32_t level)
{
   w32(b, CMD_ALLOCATE_COMMAND_BUFFERS), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_COMMAND_BUFFER_ALLOCATE_INFO), w64(b, 0), w64(b, POOL), w32(b, level), w32(b, 1);
   w64(b, 1), w64(b, id);
}

/* `primary` begun with `usage` and recorded to execute SECONDARY `times` times in one
 * vkCmdExecuteCommands. */
static void
record_executes_n(struct buf *b, uint64_t primary, uint32_t usage, uint32_t times)
{
   begin_cmdbuf(b, primary, usage, false);
   w32(b, CMD_EXECUTE_COMMANDS), w32(b, 0), w64(b, primary), w32(b, times), w64(b, times);
   for (uint32_t i = 0; i < times; i++)
      w64(b, SECONDARY);
   w32(b, CMD_END_COMMAND_BUFFER), w32(b, 0), w64(b, primary);
}

static void
record_executes(struct buf *b, uint64_t primary)
{
   record_executes_n(b, primary, 0, 1);
}

static void
secondaries(struct buf *b)
{
   sync_objects(b);
   allocate_cmdbuf(b, SECONDARY, LEVEL_SECONDARY);
   allocate_cmdbuf(b, PRIMARY_B, 0);
}

static void
secondary_work(struct buf *b)
{
   secondaries(b);
   record_event_wait_into(b, SECONDARY, 0, true);
   record_executes_n(b, CMDBUF, USAGE_SIMULTANEOUS_USE, 1);
}

/* A secondary without SIMULTANEOUS_USE executed by a primary (with SIMULTANEOUS_USE) whose
 * submission still waits (in it, for an event the context path sets later) is submitted again
 * through that primary: the second submission waits for the first
 * (VUID-vkQueueSubmit-pCommandBuffers-00072), so the ring has not run it before the event. (A
 * second primary cannot be the way: recording the secondary into it makes the first invalid.) */
static void
test_resubmit_secondary(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "resubmit-secondary", secondary_work, &ring);
   struct buf release = {0};
   wait_idle_and_reset_event(&release);
   for (unsigned i = 0; i < PENDING_ROUNDS && !pv_context_is_lost(ctx); i++)
      if (ring_submits_two(ctx, ring, CMDBUF, CMDBUF, &release))
         fail_msg("round %u: the second submission ran while the first waited", i);
   if (pv_context_is_lost(ctx))
      fail_msg("context lost: %s", pv_context_lost_reason(ctx));
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   pv_renderer_destroy(r);
}

/* secondary-stale: SECONDARY (a wait for EVENT, which is set) executed by CMDBUF or PRIMARY_B */
#define CMD_RESET_COMMAND_BUFFER 92

/* `id` submitted, and the queue waited for. */
static void
submit_and_wait(struct buf *b, uint64_t id)
{
   submit_cmdbuf_id(b, id, 1);
   wait_idle(b);
}

enum stale_step {
   STALE_END,
   STALE_RECORD,              /* SECONDARY recorded, without SIMULTANEOUS_USE */
   STALE_RECORD_SIMULTANEOUS, /* the same with it */
   STALE_EXECUTE,             /* CMDBUF recorded to execute SECONDARY */
   STALE_EXECUTE_TWICE,       /* the same, SECONDARY named twice in its vkCmdExecuteCommands */
   STALE_EXECUTE_B,           /* PRIMARY_B recorded to execute SECONDARY */
   STALE_RESET,               /* vkResetCommandBuffer of SECONDARY */
   STALE_FREE,                /* vkFreeCommandBuffers of SECONDARY */
   STALE_RUN,                 /* CMDBUF submitted and waited for */
   STALE_RUN_B,               /* PRIMARY_B submitted and waited for */
};

static void
stale_step(struct buf *b, enum stale_step step)
{
   switch (step) {
   case STALE_RECORD:
   case STALE_RECORD_SIMULTANEOUS:
      record_event_wait_into(b, SECONDARY, step == STALE_RECORD ? 0 : USAGE_SIMULTANEOUS_USE, true);
      break;
   case STALE_EXECUTE:
   case STALE_EXECUTE_TWICE:
      record_executes_n(b, CMDBUF, 0, step == STALE_EXECUTE ? 1 : 2);
      break;
   case STALE_EXECUTE_B:
      record_executes(b, PRIMARY_B);
      break;
   case STALE_RESET:
      w32(b, CMD_RESET_COMMAND_BUFFER), w32(b, 0), w64(b, SECONDARY), w32(b, 0);
      break;
   case STALE_FREE:
      w32(b, CMD_FREE_COMMAND_BUFFERS), w32(b, 0), w64(b, DEVICE), w64(b, POOL), w32(b, 1);
      w64(b, 1), w64(b, SECONDARY);
      break;
   case STALE_RUN:
   case STALE_RUN_B:
      submit_and_wait(b, step == STALE_RUN ? CMDBUF : PRIMARY_B);
      break;
   case STALE_END:
      break;
   }
}

/* Runs the steps in a context of their own: whether it ends lost, and why. */
static bool
stale_case(struct pv_renderer *r, const enum stale_step *steps, char *why, size_t why_size)
{
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "secondary-stale", secondaries, &ring);
   struct buf b = {0};
   device_and_object(&b, CMD_SET_EVENT, EVENT);
   for (size_t i = 0; steps[i] != STALE_END; i++)
      stale_step(&b, steps[i]);
   (void)pv_context_submit(ctx, b.b, b.n);
   bool lost = pv_context_is_lost(ctx);
   snprintf(why, why_size, "%s", lost ? pv_context_lost_reason(ctx) : "");
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   return lost;
}

/* A primary runs the recording of a secondary it executed, or nothing: one whose secondary was
 * recorded again, reset, freed or executed by another primary since (without SIMULTANEOUS_USE;
 * Vulkan makes the primary invalid then) is refused. Before, the host got it and lavapipe ran
 * the secondary's new commands, checked against another render pass (a clear's colorAttachment
 * indexes lavapipe's attachments unchecked). Executing one secondary in several primaries, or
 * twice in one, stays legal with SIMULTANEOUS_USE. */
static void
test_secondary_stale(void **state)
{
   (void)state;
   static const struct {
      const char *name;
      enum stale_step steps[8];
      bool lost;
   } cases[] = {
      {"executed", {STALE_RECORD, STALE_EXECUTE, STALE_RUN, STALE_RUN}, false},
      {"recorded again", {STALE_RECORD, STALE_EXECUTE, STALE_RECORD, STALE_RUN}, true},
      {"reset", {STALE_RECORD, STALE_EXECUTE, STALE_RESET, STALE_RUN}, true},
      {"freed", {STALE_RECORD, STALE_EXECUTE, STALE_FREE, STALE_RUN}, true},
      {"another primary's", {STALE_RECORD, STALE_EXECUTE, STALE_EXECUTE_B, STALE_RUN_B}, false},
      {"the first primary after another's",
       {STALE_RECORD, STALE_EXECUTE, STALE_EXECUTE_B, STALE_RUN_B, STALE_RUN},
       true},
      {"named twice", {STALE_RECORD, STALE_EXECUTE_TWICE, STALE_RUN}, true},
      {"simultaneous, two primaries",
       {STALE_RECORD_SIMULTANEOUS, STALE_EXECUTE, STALE_EXECUTE_B, STALE_RUN_B, STALE_RUN},
       false},
      {"simultaneous, named twice",
       {STALE_RECORD_SIMULTANEOUS, STALE_EXECUTE_TWICE, STALE_RUN},
       false},
   };
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      char why[256];
      bool lost = stale_case(r, cases[i].steps, why, sizeof(why));
      if (lost != cases[i].lost)
         fail_msg("%s: %s", cases[i].name, lost ? why : "the primary was run");
      if (lost && !strstr(why, "since"))
         fail_msg("%s: lost for another reason: %s", cases[i].name, why);
   }
   pv_renderer_destroy(r);
}

/* bind and plane-freed: memories of BIND_MEMORY bytes, memory type 0 */
#define BIND_ROUNDS 60u
#define BIND_MEMORY (64u << 10)
#define FORMAT_RGBA8 37
#define FORMAT_TWO_PLANE_420 1000156003 /* G8_B8R8_2PLANE_420_UNORM */
#define IMAGE_CREATE_DISJOINT 0x200u
#define IMAGE_USAGE_TRANSFER_DST 2u
#define LAYOUT_GENERAL 1
#define ASPECT_COLOR 1u
#define ASPECT_PLANE_0 0x10u

static void
allocate_memory(struct buf *b, uint64_t id)
{
   w32(b, CMD_ALLOCATE_MEMORY), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_MEMORY_ALLOCATE_INFO), w64(b, 0), w64(b, BIND_MEMORY), w32(b, 0);
   w64(b, 0), w64(b, 1), w64(b, id);
}

/* A 4 KiB transfer buffer as BUFFER. */
static void
create_buffer(struct buf *b)
{
   w32(b, CMD_CREATE_BUFFER), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_BUFFER_CREATE_INFO), w64(b, 0), w32(b, 0), w64(b, 4096);
   w32(b, 3), w32(b, 0), w32(b, 0), w64(b, 0); /* transfer src+dst, exclusive, no families */
   w64(b, 0), w64(b, 1), w64(b, BUFFER);
}

/* A 16x16 single-sample optimal 2D image as IMAGE. */
static void
create_image(struct buf *b, int32_t format, uint32_t flags)
{
   w32(b, CMD_CREATE_IMAGE), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_IMAGE_CREATE_INFO), w64(b, 0), w32(b, flags), w32(b, 1), w32(b, (uint32_t)format);
   w32(b, 16), w32(b, 16), w32(b, 1), w32(b, 1), w32(b, 1); /* extent, mips, layers */
   w32(b, 1), w32(b, 0), w32(b, IMAGE_USAGE_TRANSFER_DST);  /* 1 sample, optimal */
   w32(b, 0), w32(b, 0), w64(b, 0), w32(b, 0); /* exclusive, no families, layout undefined */
   w64(b, 0), w64(b, 1), w64(b, IMAGE);
}

/* vkBindBufferMemory of BUFFER, or vkBindImageMemory of IMAGE, to `memory` at 0. */
static void
bind(struct buf *b, bool image, uint64_t memory)
{
   w32(b, image ? CMD_BIND_IMAGE_MEMORY : CMD_BIND_BUFFER_MEMORY), w32(b, 0), w64(b, DEVICE);
   w64(b, image ? IMAGE : BUFFER), w64(b, memory), w64(b, 0);
}

/* BUFFER (or IMAGE), MEMORY_A and MEMORY_B. */
static void
buffer_and_memories(struct buf *b)
{
   create_buffer(b);
   allocate_memory(b, MEMORY_A);
   allocate_memory(b, MEMORY_B);
}

static void
image_and_memories(struct buf *b)
{
   create_image(b, FORMAT_RGBA8, 0);
   allocate_memory(b, MEMORY_A);
   allocate_memory(b, MEMORY_B);
}

/* The ring binds to MEMORY_A while the context path binds to MEMORY_B: one of the two must be
 * refused (a second bind), whichever came first; true when it was refused by the claim (the
 * other bind was still on its way to the driver). */
static bool
bind_round(struct pv_renderer *r, bool image)
{
   uint8_t *ring;
   struct pv_context *ctx =
      ring_context(r, "bind-race", image ? image_and_memories : buffer_and_memories, &ring);
   struct buf on_ring = {0}, on_context = {0};
   bind(&on_ring, image, MEMORY_A);
   bind(&on_context, image, MEMORY_B);
   uint32_t tail = guest_ring_submit(ctx, ring, RING_ID, &on_ring);
   (void)pv_context_submit(ctx, on_context.b, on_context.n);
   if (!guest_ring_settled(ring, tail))
      fail_msg("the ring neither finished nor failed in 5 s");
   if (!pv_context_is_lost(ctx))
      fail_msg("%s bound twice without a refusal", image ? "an image" : "a buffer");
   const char *why = pv_context_lost_reason(ctx);
   if (!why || !strstr(why, "already bound"))
      fail_msg("unexpected reason: %s", why ? why : "(none)");
   bool claimed = strstr(why, "being bound") != NULL;
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   return claimed;
}

static void
test_bind_race(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   unsigned claimed = 0;
   for (unsigned i = 0; i < BIND_ROUNDS; i++)
      claimed += bind_round(r, i % 2);
   /* Which bind came first, and whether the second found the first still at the driver, is
    * scheduling: reported, not required. Required: one bind per object reached the driver (the
    * layer aborts otherwise) and the other was refused. */
   printf("%u of %u rounds refused a bind while the other was at the driver\n", claimed,
          BIND_ROUNDS);
   pv_renderer_destroy(r);
}

/* vkBindImageMemory2 of IMAGE's two planes, plane 0 to MEMORY_A and plane 1 to MEMORY_B. */
static void
bind_planes(struct buf *b)
{
   w32(b, CMD_BIND_IMAGE_MEMORY2), w32(b, 0), w64(b, DEVICE), w32(b, 2), w64(b, 2);
   for (uint32_t plane = 0; plane < 2; plane++) {
      w32(b, STYPE_BIND_IMAGE_MEMORY_INFO), w64(b, 1), w32(b, STYPE_BIND_IMAGE_PLANE_MEMORY_INFO);
      w64(b, 0), w32(b, ASPECT_PLANE_0 << plane);
      w64(b, IMAGE), w64(b, plane ? MEMORY_B : MEMORY_A), w64(b, 0);
   }
}

/* vkCmdClearColorImage of IMAGE's one level and layer into CMDBUF. */
static void
clear_image(struct buf *b)
{
   w32(b, CMD_CLEAR_COLOR_IMAGE), w32(b, 0), w64(b, CMDBUF), w64(b, IMAGE);
   w32(b, LAYOUT_GENERAL), w64(b, 1), w32(b, 0), w64(b, 4);
   for (int i = 0; i < 4; i++)
      w32(b, 0);
   w32(b, 1), w64(b, 1), w32(b, ASPECT_COLOR), w32(b, 0), w32(b, 1), w32(b, 0), w32(b, 1);
}

/* A disjoint two-plane image, plane 1's memory freed, then cleared: refused as not alive. */
static void
test_plane_freed(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "plane-freed");
   assert_non_null(ctx);
   struct buf setup = {0}, attack = {0};
   guest_device_stream(&setup, INSTANCE, PHYSDEV, DEVICE);
   create_image(&setup, FORMAT_TWO_PLANE_420, IMAGE_CREATE_DISJOINT);
   (void)pv_context_submit(ctx, setup.b, setup.n); /* fails where the host has no such image */
   const char *why = pv_context_lost_reason(ctx);
   if (pv_context_is_lost(ctx) && why && strstr(why, "not supported by the host")) {
      printf("skip: the host has no disjoint two-plane images (%s)\n", why);
      pv_context_destroy(ctx);
      pv_renderer_destroy(r);
      host_lacks = true;
      return;
   }
   if (pv_context_is_lost(ctx))
      fail_msg("the image was refused: %s", why ? why : "(none)");
   allocate_memory(&attack, MEMORY_A);
   allocate_memory(&attack, MEMORY_B);
   bind_planes(&attack);
   create_pool_and_cmdbuf(&attack);
   w32(&attack, CMD_BEGIN_COMMAND_BUFFER), w32(&attack, 0), w64(&attack, CMDBUF), w64(&attack, 1);
   w32(&attack, STYPE_COMMAND_BUFFER_BEGIN_INFO), w64(&attack, 0), w32(&attack, 0), w64(&attack, 0);
   w32(&attack, CMD_FREE_MEMORY), w32(&attack, 0), w64(&attack, DEVICE), w64(&attack, MEMORY_B);
   w64(&attack, 0);
   clear_image(&attack);
   (void)pv_context_submit(ctx, attack.b, attack.n);
   why = pv_context_lost_reason(ctx);
   if (!pv_context_is_lost(ctx))
      fail_msg("an image with a plane's memory freed was cleared");
   if (!why || !strstr(why, "vkCmdClearColorImage: image not bound to live memory"))
      fail_msg("unexpected reason: %s", why ? why : "(none)");
   pv_context_destroy(ctx);
   pv_renderer_destroy(r);
}

/* wait-submit: the ring waits for FENCE (reset, never submitted yet) while the context path
 * submits with it. The wait holds the fence shared slice by slice and the submission needs it
 * exclusively: the wait must step aside between slices, or the submission would wait for the
 * wait's timeout (a minute here) and the ring with it. */
#define WAIT_SUBMIT_ROUNDS 20u

static void
test_wait_submit(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "wait-submit", queue_fence_and_event, &ring);
   struct buf wait = {0}, submit = {0};
   reset_fence(&wait);
   w32(&wait, CMD_WAIT_FOR_FENCES), w32(&wait, 0), w64(&wait, DEVICE), w32(&wait, 1), w64(&wait, 1);
   w64(&wait, FENCE), w32(&wait, 1), w64(&wait, 60000000000ull); /* a minute */
   w32(&submit, CMD_QUEUE_SUBMIT), w32(&submit, 0), w64(&submit, QUEUE), w32(&submit, 0);
   w64(&submit, 0), w64(&submit, FENCE);
   for (unsigned i = 0; i < WAIT_SUBMIT_ROUNDS; i++) {
      uint32_t tail = guest_ring_submit(ctx, ring, RING_ID, &wait);
      sleep_ms(20); /* the ring is in its wait by now, or soon */
      assert_int_equal(pv_context_submit(ctx, submit.b, submit.n), 0);
      if (!guest_ring_settled(ring, tail))
         fail_msg("round %u: the ring's wait did not end within 5 s of the submission", i);
   }
   if (pv_context_is_lost(ctx))
      fail_msg("context lost: %s", pv_context_lost_reason(ctx));
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   pv_renderer_destroy(r);
}

static void
externally_synchronized_cache(struct buf *b)
{
   w32(b, CMD_CREATE_PIPELINE_CACHE), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_PIPELINE_CACHE_CREATE_INFO), w64(b, 0),
      w32(b, PIPELINE_CACHE_EXTERNALLY_SYNCHRONIZED);
   w64(b, 0), w64(b, 0); /* no initial data */
   w64(b, 0), w64(b, 1), w64(b, PIPELINE_CACHE);
}

/* set-write-pending: SET, one storage buffer descriptor, bound in CMDBUF or SECONDARY */
#define SET_LAYOUT 0x4000u
#define DESC_POOL 0x4008u
#define SET 0x4010u
#define PIPELINE_LAYOUT 0x4018u
#define STORAGE_BUFFER 0x4020u
#define STORAGE_MEMORY 0x4028u
#define SET_WRITE_ROUNDS 5u
/* More command buffers binding SET than it keeps apart (PV_SET_BINDERS): its pool stands for
 * them */
#define SET_BINDERS_PAST 4u
#define SET_BINDER(i) (0x4100u + 8u * (i))
enum {
   CMD_CREATE_PIPELINE_LAYOUT = 68,
   CMD_CREATE_DESCRIPTOR_SET_LAYOUT = 72,
   CMD_CREATE_DESCRIPTOR_POOL = 74,
   CMD_ALLOCATE_DESCRIPTOR_SETS = 77,
   CMD_UPDATE_DESCRIPTOR_SETS = 79,
   CMD_BIND_DESCRIPTOR_SETS = 103,
   STYPE_PIPELINE_LAYOUT_CREATE_INFO = 30,
   STYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO = 32,
   STYPE_DESCRIPTOR_POOL_CREATE_INFO = 33,
   STYPE_DESCRIPTOR_SET_ALLOCATE_INFO = 34,
   STYPE_WRITE_DESCRIPTOR_SET = 35,
   DESCRIPTOR_STORAGE_BUFFER = 7,
   STAGE_COMPUTE_SHADER = 0x20,
   BIND_POINT_COMPUTE = 1,
   BUFFER_USAGE_STORAGE_AND_TRANSFER = 0x23,
};

/* SET_LAYOUT (binding 0: one storage buffer), DESC_POOL, SET and PIPELINE_LAYOUT. */
static void
descriptor_set(struct buf *b)
{
   w32(b, CMD_CREATE_DESCRIPTOR_SET_LAYOUT), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO), w64(b, 0), w32(b, 0), w32(b, 1), w64(b, 1);
   w32(b, 0), w32(b, DESCRIPTOR_STORAGE_BUFFER), w32(b, 1), w32(b, STAGE_COMPUTE_SHADER);
   w64(b, 0); /* no immutable samplers */
   w64(b, 0), w64(b, 1), w64(b, SET_LAYOUT);
   w32(b, CMD_CREATE_DESCRIPTOR_POOL), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_DESCRIPTOR_POOL_CREATE_INFO), w64(b, 0), w32(b, 0), w32(b, 1), w32(b, 1);
   w64(b, 1), w32(b, DESCRIPTOR_STORAGE_BUFFER), w32(b, 1);
   w64(b, 0), w64(b, 1), w64(b, DESC_POOL);
   w32(b, CMD_ALLOCATE_DESCRIPTOR_SETS), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_DESCRIPTOR_SET_ALLOCATE_INFO), w64(b, 0), w64(b, DESC_POOL), w32(b, 1);
   w64(b, 1), w64(b, SET_LAYOUT);
   w64(b, 1), w64(b, SET);
   w32(b, CMD_CREATE_PIPELINE_LAYOUT), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_PIPELINE_LAYOUT_CREATE_INFO), w64(b, 0), w32(b, 0), w32(b, 1);
   w64(b, 1), w64(b, SET_LAYOUT);
   w32(b, 0), w64(b, 0); /* no push constants */
   w64(b, 0), w64(b, 1), w64(b, PIPELINE_LAYOUT);
}

/* vkUpdateDescriptorSets: SET's binding 0 given all of STORAGE_BUFFER. */
static void
write_set(struct buf *b)
{
   w32(b, CMD_UPDATE_DESCRIPTOR_SETS), w32(b, 0), w64(b, DEVICE), w32(b, 1), w64(b, 1);
   w32(b, STYPE_WRITE_DESCRIPTOR_SET), w64(b, 0), w64(b, SET), w32(b, 0), w32(b, 0), w32(b, 1);
   w32(b, DESCRIPTOR_STORAGE_BUFFER);
   w64(b, 0);                                                  /* no image infos */
   w64(b, 1), w64(b, STORAGE_BUFFER), w64(b, 0), w64(b, 4096); /* the whole buffer */
   w64(b, 0);                                                  /* no texel buffer views */
   w32(b, 0), w64(b, 0);                                       /* no copies */
}

/* The objects, STORAGE_BUFFER bound to STORAGE_MEMORY, SET written, SECONDARY allocated. */
static void
set_objects(struct buf *b)
{
   sync_objects(b);
   descriptor_set(b);
   w32(b, CMD_CREATE_BUFFER), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_BUFFER_CREATE_INFO), w64(b, 0), w32(b, 0), w64(b, 4096);
   w32(b, BUFFER_USAGE_STORAGE_AND_TRANSFER), w32(b, 0), w32(b, 0), w64(b, 0);
   w64(b, 0), w64(b, 1), w64(b, STORAGE_BUFFER);
   allocate_memory(b, STORAGE_MEMORY);
   w32(b, CMD_BIND_BUFFER_MEMORY), w32(b, 0), w64(b, DEVICE), w64(b, STORAGE_BUFFER);
   w64(b, STORAGE_MEMORY), w64(b, 0);
   write_set(b);
   allocate_cmdbuf(b, SECONDARY, LEVEL_SECONDARY);
   for (uint32_t i = 0; i < SET_BINDERS_PAST; i++)
      allocate_cmdbuf(b, SET_BINDER(i), 0);
}

static void
bind_set_cmd(struct buf *b, uint64_t id)
{
   w32(b, CMD_BIND_DESCRIPTOR_SETS), w32(b, 0), w64(b, id), w32(b, BIND_POINT_COMPUTE);
   w64(b, PIPELINE_LAYOUT), w32(b, 0), w32(b, 1), w64(b, 1), w64(b, SET);
   w32(b, 0), w64(b, 0); /* no dynamic offsets */
}

enum set_work {
   SET_WORK_BINDS,     /* CMDBUF binds SET, then waits for EVENT */
   SET_WORK_SECONDARY, /* CMDBUF executes SECONDARY, which binds SET, then waits */
   SET_WORK_NO_BIND,   /* CMDBUF only waits */
   SET_WORK_OVERFLOW,  /* SET_BINDERS_PAST others bind SET too (recorded), then as BINDS */
};

static void
record_set_work(struct buf *b, enum set_work work)
{
   if (work == SET_WORK_SECONDARY) {
      begin_cmdbuf(b, SECONDARY, 0, true);
      bind_set_cmd(b, SECONDARY);
      w32(b, CMD_END_COMMAND_BUFFER), w32(b, 0), w64(b, SECONDARY);
   }
   for (uint32_t i = 0; work == SET_WORK_OVERFLOW && i < SET_BINDERS_PAST; i++) {
      begin_cmdbuf(b, SET_BINDER(i), 0, false);
      bind_set_cmd(b, SET_BINDER(i));
      w32(b, CMD_END_COMMAND_BUFFER), w32(b, 0), w64(b, SET_BINDER(i));
   }
   begin_cmdbuf(b, CMDBUF, 0, false);
   if (work == SET_WORK_BINDS || work == SET_WORK_OVERFLOW)
      bind_set_cmd(b, CMDBUF);
   if (work == SET_WORK_SECONDARY) {
      w32(b, CMD_EXECUTE_COMMANDS), w32(b, 0), w64(b, CMDBUF), w32(b, 1), w64(b, 1);
      w64(b, SECONDARY);
   }
   wait_event_cmd(b, CMDBUF);
   w32(b, CMD_END_COMMAND_BUFFER), w32(b, 0), w64(b, CMDBUF);
}

/* Whether the ring, submitting CMDBUF recorded for `work` and then writing SET, ran both before
 * the context path set the event CMDBUF's work waits for. */
static bool
write_ran_before_event(struct pv_context *ctx, uint8_t *ring, enum set_work work)
{
   struct buf record = {0}, cmds = {0}, release = {0};
   record_set_work(&record, work);
   submit_cmdbuf(&cmds, 1);
   write_set(&cmds);
   wait_idle_and_reset_event(&release);
   (void)pv_context_submit(ctx, record.b, record.n);
   return ring_runs_before_event(ctx, ring, &cmds, &release);
}

/* A descriptor set written while work that bound it waits (for an event the context path sets
 * later): the host's write waits for that work (src/vk/set_writes.c; here every host withholds
 * addresses, as the renderer serves contexts in one process), so the ring has not run it before
 * the event, and the test layer (PV_LAYER_CHECK_PENDING=1) never sees the set written under it.
 * The same through a secondary, and with more command buffers binding the set than it keeps
 * apart (its pool's last submission stands for them). A command buffer recorded again without
 * the set does not make the write wait. The code before wrote at once (the layer aborted). */
static void
test_set_write_pending(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   uint8_t *ring;
   struct pv_context *ctx = ring_context(r, "set-write-pending", set_objects, &ring);
   for (unsigned i = 0; i < SET_WRITE_ROUNDS && !pv_context_is_lost(ctx); i++) {
      if (write_ran_before_event(ctx, ring, SET_WORK_BINDS))
         fail_msg("round %u: the set was written while work that bound it waited", i);
      if (write_ran_before_event(ctx, ring, SET_WORK_SECONDARY))
         fail_msg("round %u: the set was written while a secondary's work that bound it waited", i);
      if (!pv_context_is_lost(ctx) && !write_ran_before_event(ctx, ring, SET_WORK_NO_BIND))
         fail_msg("round %u: the write waited for work that does not bind the set", i);
      if (write_ran_before_event(ctx, ring, SET_WORK_OVERFLOW))
         fail_msg("round %u: with more binders than the set keeps, it was written while work "
                  "that bound it waited",
                  i);
   }
   if (pv_context_is_lost(ctx))
      fail_msg("context lost: %s", pv_context_lost_reason(ctx));
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   pv_renderer_destroy(r);
}

/* set-write-race: CMDBUF (binding SET, nothing else) submitted by the context path */
#define SET_WRITE_RACE_SUBMITS 300u

static void
set_objects_and_work(struct buf *b)
{
   set_objects(b);
   begin_cmdbuf(b, CMDBUF, 0, false);
   bind_set_cmd(b, CMDBUF);
   w32(b, CMD_END_COMMAND_BUFFER), w32(b, 0), w64(b, CMDBUF);
}

/* The ring writes SET throughout while the context path submits CMDBUF, which binds it,
 * SET_WRITE_RACE_SUBMITS times; the test layer takes 5 ms for each write and aborts when a
 * submission binding the set reaches the driver meanwhile (PV_LAYER_SLOW_WRITES=1), or a write
 * while such a submission runs (PV_LAYER_CHECK_PENDING=1). A submission waits for the host's
 * write of a set it binds, and the write for the work (src/vk/set_writes.c). */
static void
test_set_write_race(void **state)
{
   (void)state;
   struct buf mine = {0};
   submit_cmdbuf(&mine, 1);
   ring_against_context(set_objects_and_work, (struct feeder){.writes_set = true}, &mine,
                        SET_WRITE_RACE_SUBMITS);
}

/* The ring submits while the context path makes the cache (the context must live). */
static void
test_pipeline_cache_flag(void **state)
{
   (void)state;
   struct buf mine = {0};
   externally_synchronized_cache(&mine);
   ring_against_context(queue_and_query_pool, (struct feeder){.submits = true}, &mine, 1);
}

static void
test_cmdbuf_race(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   unsigned lost = 0;
   for (unsigned i = 0; i < rounds; i++)
      lost += race_round(r, i);
   /* Whether the free or reset came between two of the ring's commands or only after its last one
    * depends on scheduling: reported, not required. What is required is that nothing crashes. */
   printf("%u of %u rounds lost the context (the ring named the command buffer after it was freed, "
          "reset or destroyed, alone or with its device or instance)\n",
          lost, rounds);
   pv_renderer_destroy(r);
}

int
main(int argc, char **argv)
{
   /* the first argument picks one race (meson runs each with its environment); none: cmdbuf */
   static const struct {
      const char *mode;
      struct CMUnitTest test;
   } modes[] = {
      {"slow", cmocka_unit_test(test_cmdbuf_race)},
      {"query-reset", cmocka_unit_test(test_query_reset_race)},
      {"query-read", cmocka_unit_test(test_query_read_race)},
      {"pool", cmocka_unit_test(test_pool_race)},
      {"pipeline-cache", cmocka_unit_test(test_pipeline_cache_flag)},
      {"sync", cmocka_unit_test(test_sync_race)},
      {"export", cmocka_unit_test(test_export_race)},
      {"destroy-pending", cmocka_unit_test(test_destroy_pending)},
      {"resubmit-pending", cmocka_unit_test(test_resubmit_pending)},
      {"resubmit-race", cmocka_unit_test(test_resubmit_race)},
      {"resubmit-timeline", cmocka_unit_test(test_resubmit_timeline)},
      {"resubmit-secondary", cmocka_unit_test(test_resubmit_secondary)},
      {"secondary-stale", cmocka_unit_test(test_secondary_stale)},
      {"set-write-pending", cmocka_unit_test(test_set_write_pending)},
      {"set-write-race", cmocka_unit_test(test_set_write_race)},
      {"bind", cmocka_unit_test(test_bind_race)},
      {"wait-submit", cmocka_unit_test(test_wait_submit)},
      {"plane-freed", cmocka_unit_test(test_plane_freed)},
   };
   struct CMUnitTest tests[1] = {cmocka_unit_test(test_cmdbuf_race)};
   for (size_t i = 0; argc > 1 && i < sizeof(modes) / sizeof(modes[0]); i++)
      if (!strcmp(argv[1], modes[i].mode))
         tests[0] = modes[i].test;
   if (argc > 1 && !strcmp(argv[1], "slow")) {
      line_width = LINE_WIDTH_SLOW;
      rounds = ROUNDS_SLOW;
      fed_max = FED_SLOW;
   }
   if (pv_test_host_missing())
      return 77;
   if (argc > 1 && !strncmp(argv[1], "query-", 6) && !pv_test_host_is_lavapipe()) {
      /* the host query paths these race against are lavapipe's (pd->frees_reset_queries) */
      printf("skip: %s races lavapipe's host query paths\n", argv[1]);
      return 77;
   }
   pv_set_log_level(getenv("PV_TEST_LOG") ? PV_LOG_INFO : PV_LOG_ERROR);
   int failed = cmocka_run_group_tests(tests, NULL, NULL);
   return failed == 0 && host_lacks ? 77 : failed;
}
