/* SPDX-License-Identifier: MIT */
/*
 * Context teardown while a ring thread is still executing (issue 12: a guest must never make the
 * host touch freed memory). A ring's own commands may create rings; when the context is
 * destroyed while its ring thread is in the middle of vkCreateRingMESA, the new ring must either
 * be stopped and joined with the others or not be made at all. Before the fix a ring created
 * just after pv_ring_destroy_all had taken the list kept its thread running over the freed
 * context (ASan: heap-use-after-free in the executor, found by fuzz_context).
 *
 * The race is timing-dependent, so each case runs many times with the destroy landing at
 * different points of the ring's batch. After every destroy the test publishes work on the
 * area of the rings made from the ring: no ring thread may be left to run it (ASan aborts on
 * the freed context, and the head word would move). Runs under ASan+UBSan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../codegen/wire_buf.h"
#include "venus_guest.h"
#include "pearvisor/pearvisor.h"
#include "util/log.h"

enum {
   CMD_CREATE_RING = 188,
   CMD_DESTROY_RING = 189,
   STYPE_RING_CREATE_INFO = 1000384000,
   AREA_SIZE = 8192,
   INNER_AREA = 4096, /* where the rings made by the ring live, in the same resource */
   ITERATIONS = 1000,
};

#define OUTER_RING 0x1000ull
#define INNER_RING 0x2000ull

/* The 22.3.6 layout at `offset` of resource 2; idle timeout in ns (50 ms: the server's cap). */
static void
cmd_create_ring(struct buf *b, uint64_t id, uint64_t offset, uint64_t idle_ns)
{
   w32(b, CMD_CREATE_RING), w32(b, 0), w64(b, id), w64(b, 1);
   w32(b, STYPE_RING_CREATE_INFO), w64(b, 0), w32(b, 0), w32(b, 2);
   w64(b, offset), w64(b, RING_AREA), w64(b, idle_ns);
   w64(b, RING_HEAD), w64(b, RING_TAIL), w64(b, RING_STATUS);
   w64(b, RING_BUF), w64(b, RING_BUFFER), w64(b, RING_BUF + RING_BUFFER), w64(b, 4);
}

static void
spin_us(unsigned us)
{
   struct timespec a, b;
   clock_gettime(CLOCK_MONOTONIC, &a);
   do
      clock_gettime(CLOCK_MONOTONIC, &b);
   while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < (long)us * 1000);
}

/* One context: a ring whose batch creates rings, destroyed `delay_us` after the submission. */
static void
one_round(struct pv_renderer *r, unsigned delay_us)
{
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "ring-teardown");
   assert_non_null(ctx);
   uint8_t *area = map_blob(ctx, 2, AREA_SIZE);
   struct buf create = {0};
   cmd_create_ring(&create, OUTER_RING, 0, 1000000);
   assert_int_equal(pv_context_submit(ctx, create.b, create.n), 0);
   /* As many creations as the outer ring's buffer holds: each starts a thread, so the batch
    * runs long enough for the destroy to land inside it. */
   struct buf batch = {0};
   for (uint64_t i = 0; batch.n + 128 <= RING_BUFFER; i++)
      cmd_create_ring(&batch, INNER_RING + i, INNER_AREA, 50000000);
   guest_ring_submit(ctx, area, OUTER_RING, &batch);
   spin_us(delay_us);
   pv_context_destroy(ctx);

   /* Work for any inner ring still alive: a notify, executed by whoever polls this tail. */
   uint8_t *inner = area + INNER_AREA;
   struct buf work = {0};
   cmd_notify(&work, OUTER_RING);
   uint32_t tail = atomic_load(ring_ctl(inner, RING_TAIL));
   for (size_t i = 0; i < work.n; i++)
      inner[RING_BUF + ((tail + i) & (RING_BUFFER - 1))] = work.b[i];
   uint32_t before = atomic_load(ring_ctl(inner, RING_HEAD));
   atomic_store(ring_ctl(inner, RING_TAIL), tail + (uint32_t)work.n);
   sleep_ms(2);
   /* No ring thread outlives its context: nobody consumed the work. */
   assert_int_equal(atomic_load(ring_ctl(inner, RING_HEAD)), before);
   munmap(area, AREA_SIZE);
}

static void
test_destroy_while_ring_creates_rings(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_renderer_create(NULL);
   assert_non_null(r);
   /* The destroy lands anywhere from before the first creation to after the last. */
   for (unsigned i = 0; i < ITERATIONS; i++)
      one_round(r, (i * 37u) % 1500u);
   pv_renderer_destroy(r);
}

/*
 * vkDestroyRingMESA arriving on a ring is refused (the context is lost, the other ring lives on
 * until teardown): a ring destroying another could free it under a context-path
 * vkWaitRingSeqnoMESA, and two rings destroying each other would each join the other forever.
 */
static void
test_destroy_sent_on_a_ring_is_refused(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_renderer_create(NULL);
   assert_non_null(r);
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "ring-destroys-ring");
   assert_non_null(ctx);
   uint8_t *area = map_blob(ctx, 2, AREA_SIZE);
   struct buf create = {0};
   cmd_create_ring(&create, OUTER_RING, 0, 1000000);
   cmd_create_ring(&create, INNER_RING, INNER_AREA, 1000000);
   assert_int_equal(pv_context_submit(ctx, create.b, create.n), 0);
   struct buf destroy = {0};
   w32(&destroy, CMD_DESTROY_RING), w32(&destroy, 0), w64(&destroy, INNER_RING);
   uint32_t seqno = guest_ring_submit(ctx, area, OUTER_RING, &destroy);
   /* Even a refused command advances head, so the guest is never left waiting. */
   assert_true(wait_until(ring_ctl(area, RING_HEAD), ~0u, seqno));
   assert_true(pv_context_is_lost(ctx));
   assert_non_null(strstr(pv_context_lost_reason(ctx), "sent on a ring"));
   /* The inner ring still runs (lost mode): it advances head over new work. */
   uint8_t *inner = area + INNER_AREA;
   struct buf work = {0};
   cmd_notify(&work, OUTER_RING);
   seqno = guest_ring_submit(ctx, inner, INNER_RING, &work);
   assert_true(wait_until(ring_ctl(inner, RING_HEAD), ~0u, seqno));
   pv_context_destroy(ctx);
   munmap(area, AREA_SIZE);
   pv_renderer_destroy(r);
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR); /* a creation refused during teardown loses its context */
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_destroy_while_ring_creates_rings),
      cmocka_unit_test(test_destroy_sent_on_a_ring_is_refused),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
