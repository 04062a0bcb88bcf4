/* SPDX-License-Identifier: MIT */
/*
 * Issue 12 through the renderer API, without a host driver: guest-requested host waits run in
 * bounded slices that end once the context is stopped (its client went away); a stop drops the
 * ring work still queued and releases a ring blocked in a round trip; ring count, the rings'
 * private copy buffers (charged to the blob quota) and idle timeouts are capped. Runs under
 * ASan+UBSan.
 */
#include <pthread.h>
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
#include "renderer/venus.h"
#include "util/log.h"
#include "util/os.h"

enum {
   CMD_SET_REPLY = 178,
   CMD_CREATE_RING = 188,
   CMD_GET_MEMORY_RESOURCE_PROPS = 192,
   CMD_WAIT_VQ_SEQNO = 252,
   STYPE_RING_CREATE_INFO = 1000384000,
   STYPE_MEMORY_RESOURCE_PROPS = 1000384001,
   REPLY_FLAG = 1,
};

#define BLOB_SIZE 8192u

static uint64_t
ms_since(uint64_t t0)
{
   return (pv_os_time_ns() - t0) / 1000000u;
}

/* ----- pv_venus_wait_sliced ---------------------------------------------------------------- */

struct fake_wait {
   unsigned calls;
   uint64_t longest;
   unsigned succeed_on; /* 0: never */
};

/* A host wait on something that never signals (or does on call `succeed_on`). */
static VkResult
fake_slice(void *data, uint64_t timeout_ns)
{
   struct fake_wait *w = data;
   w->calls++;
   if (timeout_ns > w->longest)
      w->longest = timeout_ns;
   if (w->succeed_on && w->calls == w->succeed_on)
      return VK_SUCCESS;
   pv_os_sleep_ns(timeout_ns);
   return VK_TIMEOUT;
}

struct stopper {
   struct pv_context *ctx;
   unsigned after_ms;
};

static void *
stop_later(void *arg)
{
   struct stopper *s = arg;
   sleep_ms(s->after_ms);
   pv_context_stop(s->ctx);
   return NULL;
}

struct fixture {
   struct pv_renderer *r;
   struct pv_context *ctx;
   uint8_t *reply;   /* res 1 */
   uint8_t *ring[2]; /* res 2, 3 */
};

static struct fixture *
make(void **state, const struct pv_renderer_config *config)
{
   static struct fixture f;
   memset(&f, 0, sizeof(f));
   f.r = pv_renderer_create(config);
   assert_non_null(f.r);
   f.ctx = pv_context_create(f.r, PV_CAPSET_VENUS, "waits-quotas");
   assert_non_null(f.ctx);
   f.reply = map_blob(f.ctx, 1, BLOB_SIZE);
   f.ring[0] = map_blob(f.ctx, 2, BLOB_SIZE);
   f.ring[1] = map_blob(f.ctx, 3, BLOB_SIZE);
   *state = &f;
   return &f;
}

static int
setup(void **state)
{
   const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                            .wire_format = 1};
   make(state, &config);
   return 0;
}

static int
teardown(void **state)
{
   struct fixture *f = *state;
   uint64_t t0 = pv_os_time_ns();
   pv_context_destroy(f->ctx);
   /* whatever the test left waiting, teardown is quick */
   assert_true(ms_since(t0) < 1000);
   munmap(f->reply, BLOB_SIZE);
   munmap(f->ring[0], BLOB_SIZE);
   munmap(f->ring[1], BLOB_SIZE);
   pv_renderer_destroy(f->r);
   return 0;
}

/* An infinite wait ends within a slice of the stop, and no slice is longer than 100 ms. */
static void
test_infinite_wait_ends_on_stop(void **state)
{
   struct fixture *f = *state;
   struct fake_wait w = {0};
   struct stopper s = {f->ctx, 250};
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, stop_later, &s), 0);
   uint64_t t0 = pv_os_time_ns();
   assert_int_equal(pv_venus_wait_sliced(f->ctx, UINT64_MAX, fake_slice, &w), VK_ERROR_DEVICE_LOST);
   uint64_t ms = ms_since(t0);
   pthread_join(t, NULL);
   assert_true(ms >= 250 && ms < 450);
   assert_true(w.calls >= 3);
   assert_true(w.longest <= PV_WAIT_SLICE_NS);
}

/* The guest's own timeout still holds, and a wait that succeeds returns at once. */
static void
test_finite_and_successful_waits(void **state)
{
   struct fixture *f = *state;
   struct fake_wait w = {0};
   uint64_t t0 = pv_os_time_ns();
   assert_int_equal(pv_venus_wait_sliced(f->ctx, 230000000ull, fake_slice, &w), VK_TIMEOUT);
   uint64_t ms = ms_since(t0);
   assert_true(ms >= 230 && ms < 500);
   assert_int_equal(w.calls, 3); /* 100 + 100 + 30 ms */
   struct fake_wait ok = {.succeed_on = 2};
   assert_int_equal(pv_venus_wait_sliced(f->ctx, UINT64_MAX, fake_slice, &ok), VK_SUCCESS);
   assert_int_equal(ok.calls, 2);
   struct fake_wait zero = {0};
   assert_int_equal(pv_venus_wait_sliced(f->ctx, 0, fake_slice, &zero), VK_TIMEOUT);
   assert_int_equal(zero.calls, 1);
   assert_false(pv_context_is_lost(f->ctx));
}

/* ----- rings --------------------------------------------------------------------------------- */

/* vkCreateRingMESA without a chain (as Mesa 22.3.6 sends it), with the guest's idle timeout. */
static void
cmd_create_ring(struct buf *b, uint64_t ring, uint32_t res, uint64_t idle_ns)
{
   w32(b, CMD_CREATE_RING), w32(b, 0), w64(b, ring), w64(b, 1);
   w32(b, STYPE_RING_CREATE_INFO), w64(b, 0); /* no chain */
   w32(b, 0), w32(b, res);                    /* flags, resourceId */
   w64(b, 0), w64(b, RING_AREA), w64(b, idle_ns);
   w64(b, RING_HEAD), w64(b, RING_TAIL), w64(b, RING_STATUS);
   w64(b, RING_BUF), w64(b, RING_BUFFER), w64(b, RING_BUF + RING_BUFFER), w64(b, 4);
}

static void
cmd_set_reply(struct buf *b, uint64_t offset, uint64_t size)
{
   w32(b, CMD_SET_REPLY), w32(b, 0), w64(b, 1), w32(b, 1), w64(b, offset), w64(b, size);
}

static void
cmd_memory_resource_props(struct buf *b)
{
   w32(b, CMD_GET_MEMORY_RESOURCE_PROPS), w32(b, REPLY_FLAG), w64(b, 0), w32(b, 1);
   w64(b, 1), w32(b, STYPE_MEMORY_RESOURCE_PROPS), w64(b, 0);
}

static int
create_ring(struct fixture *f, uint64_t id, uint32_t res, uint64_t idle_ns)
{
   struct buf b = {0};
   cmd_create_ring(&b, id, res, idle_ns);
   return pv_context_submit(f->ctx, b.b, b.n);
}

/* A ring blocked in a round trip is released by the stop, and the work queued behind the
 * blocked command never runs: the client that queued it is gone. */
static void
test_stop_drops_queued_ring_work(void **state)
{
   struct fixture *f = *state;
   assert_int_equal(create_ring(f, 0x1001, 2, 1000000), 0);
   struct buf b = {0};
   w32(&b, CMD_WAIT_VQ_SEQNO), w32(&b, 0), w64(&b, 5); /* never submitted */
   size_t blocked_at = b.n;
   cmd_set_reply(&b, 0, 32);
   cmd_memory_resource_props(&b);
   uint32_t seq = guest_ring_submit(f->ctx, f->ring[0], 0x1001, &b);
   sleep_ms(100);
   assert_int_equal(atomic_load(ring_ctl(f->ring[0], RING_HEAD)), 0); /* blocked on the first */
   uint64_t t0 = pv_os_time_ns();
   pv_context_stop(f->ctx);
   /* the batch ends (head published) without running the rest */
   assert_true(wait_until(ring_ctl(f->ring[0], RING_HEAD), ~0u, seq));
   assert_true(ms_since(t0) < 200);
   assert_true(blocked_at > 0);
   assert_int_equal(rd32(f->reply), 0); /* the reply command did not run */
   /* later streams on the context path do nothing either; dropping them is no loss */
   struct buf c = {0};
   cmd_set_reply(&c, 64, 32);
   cmd_memory_resource_props(&c);
   assert_int_equal(pv_context_submit(f->ctx, c.b, c.n), 0);
   assert_int_equal(rd32(f->reply + 64), 0);
   assert_false(pv_context_is_lost(f->ctx));
}

/* --max-rings: one ring more than allowed makes the context lost. */
static void
test_ring_count_capped(void **state)
{
   const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                            .wire_format = 1,
                                            .max_rings = 1};
   struct fixture *f = make(state, &config);
   assert_int_equal(create_ring(f, 0x1001, 2, 1000000), 0);
   assert_int_equal(create_ring(f, 0x1002, 3, 1000000), -1);
   assert_true(pv_context_is_lost(f->ctx));
}

/* Each ring's private copy of its buffer is charged to the blob quota: here there is room for
 * the three blobs and one ring's copy, not two. */
static void
test_ring_copy_charged_to_blob_quota(void **state)
{
   const struct pv_renderer_config config = {
      .struct_size = sizeof(struct pv_renderer_config),
      .wire_format = 1,
      .max_blob_bytes = 3 * BLOB_SIZE + RING_BUFFER + RING_BUFFER / 2};
   struct fixture *f = make(state, &config);
   assert_int_equal(create_ring(f, 0x1001, 2, 1000000), 0);
   assert_false(pv_context_is_lost(f->ctx));
   /* the same blob again: the area may be shared, the copy is not */
   assert_int_equal(create_ring(f, 0x1002, 2, 1000000), -1);
   assert_true(pv_context_is_lost(f->ctx));
}

/* A guest that asks for a ring that never idles gets one that idles after 50 ms anyway. */
static void
test_idle_timeout_clamped(void **state)
{
   struct fixture *f = *state;
   uint64_t t0 = pv_os_time_ns();
   assert_int_equal(create_ring(f, 0x1001, 2, UINT64_MAX), 0);
   assert_true(wait_until(ring_ctl(f->ring[0], RING_STATUS), STATUS_IDLE, STATUS_IDLE));
   assert_true(ms_since(t0) < 1000);
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_infinite_wait_ends_on_stop, setup, teardown),
      cmocka_unit_test_setup_teardown(test_finite_and_successful_waits, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stop_drops_queued_ring_work, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ring_count_capped, NULL, teardown),
      cmocka_unit_test_setup_teardown(test_ring_copy_charged_to_blob_quota, NULL, teardown),
      cmocka_unit_test_setup_teardown(test_idle_timeout_clamped, setup, teardown),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
