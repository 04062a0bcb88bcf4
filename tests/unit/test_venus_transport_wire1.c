/* SPDX-License-Identifier: MIT */
/*
 * The Venus transport of wire format 1 (Mesa >= 23.1, venus-wire.md §8) through the public API:
 * the capset, the removed experimental query, a reply stream per ring set on the ring itself,
 * the ring monitor (ALIVE kept set while the ring thread is blocked for seconds), virtqueue and
 * ring seqno round trips, self-deadlocks turned into FATAL, and the fence callback API. No host
 * Vulkan call is involved. Runs under ASan+UBSan.
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
   CMD_SET_REPLY = 178,
   CMD_CREATE_RING = 188,
   CMD_DESTROY_RING = 189,
   CMD_GET_MEMORY_RESOURCE_PROPS = 192,
   CMD_EXPERIMENTAL = 195,
   CMD_SUBMIT_VQ_SEQNO = 251,
   CMD_WAIT_VQ_SEQNO = 252,
   CMD_WAIT_RING_SEQNO = 253,
   STYPE_RING_CREATE_INFO = 1000384000,
   STYPE_MEMORY_RESOURCE_PROPS = 1000384001,
   STYPE_RING_MONITOR = 1000384006,
   STYPE_RING_PRIORITY = 1000384007,
   REPLY_FLAG = 1,
   VK_ERROR_INVALID_EXTERNAL_HANDLE_ = -1000072003,
};

#define RING_A 0x1001ull /* in resource 2 */
#define RING_B 0x1002ull /* in resource 3 */

struct fixture {
   struct pv_renderer *r;
   struct pv_context *ctx;
   uint8_t *reply;   /* res 1 */
   uint8_t *ring[2]; /* res 2, 3 */
};

static int
setup(void **state)
{
   static struct fixture f;
   memset(&f, 0, sizeof(f));
   const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                             .wire_format = 1};
   f.r = pv_renderer_create(&config);
   assert_non_null(f.r);
   f.ctx = pv_context_create(f.r, PV_CAPSET_VENUS, "transport-wire1");
   assert_non_null(f.ctx);
   f.reply = map_blob(f.ctx, 1, 4096);
   f.ring[0] = map_blob(f.ctx, 2, 8192);
   f.ring[1] = map_blob(f.ctx, 3, 8192);
   *state = &f;
   return 0;
}

static int
teardown(void **state)
{
   struct fixture *f = *state;
   pv_context_destroy(f->ctx);
   munmap(f->reply, 4096);
   munmap(f->ring[0], 8192);
   munmap(f->ring[1], 8192);
   pv_renderer_destroy(f->r);
   return 0;
}

static void
cmd_set_reply(struct buf *b, uint64_t offset, uint64_t size)
{
   w32(b, CMD_SET_REPLY), w32(b, 0), w64(b, 1), w32(b, 1), w64(b, offset), w64(b, size);
}

/* A reply command that needs no host driver: a lost or missing device answers right here. */
static void
cmd_memory_resource_props(struct buf *b)
{
   w32(b, CMD_GET_MEMORY_RESOURCE_PROPS), w32(b, REPLY_FLAG), w64(b, 0), w32(b, 1);
   w64(b, 1), w32(b, STYPE_MEMORY_RESOURCE_PROPS), w64(b, 0);
}
#define PROPS_REPLY_SIZE 32u

static void
check_props_reply(const uint8_t *r)
{
   assert_int_equal(rd32(r), CMD_GET_MEMORY_RESOURCE_PROPS);
   assert_int_equal((int32_t)rd32(r + 4), VK_ERROR_INVALID_EXTERNAL_HANDLE_);
   assert_int_equal(rd32(r + 8), 1);                            /* present */
   assert_int_equal(rd32(r + 16), STYPE_MEMORY_RESOURCE_PROPS); /* echoed struct */
}

/* The Mesa 25 ring creation: monitor info, then priority info, chained (venus-wire.md §8). */
static void
cmd_create_ring(struct buf *b, uint64_t ring, uint32_t res, uint32_t period_us)
{
   w32(b, CMD_CREATE_RING), w32(b, 0), w64(b, ring), w64(b, 1);
   w32(b, STYPE_RING_CREATE_INFO);
   w64(b, 1), w32(b, STYPE_RING_MONITOR);   /* chain headers first */
   w64(b, 1), w32(b, STYPE_RING_PRIORITY);
   w64(b, 0);
   w32(b, 10);                               /* priority (nice value) */
   w32(b, period_us);                        /* then the members, innermost first */
   w32(b, 0), w32(b, res);                   /* flags, resourceId */
   w64(b, 0), w64(b, RING_AREA), w64(b, 1000000); /* offset, size, idle 1 ms */
   w64(b, 0), w64(b, 64), w64(b, 128);            /* head, tail, status */
   w64(b, 192), w64(b, RING_BUFFER), w64(b, 192 + RING_BUFFER), w64(b, 4);
}

static _Atomic uint32_t *
word(struct fixture *f, int ring, size_t off)
{
   return (_Atomic uint32_t *)(f->ring[ring] + off);
}

/* The guest side of a submission to ring 0 (RING_A) or 1 (RING_B); returns its seqno. */
static uint32_t
ring_submit(struct fixture *f, int ring, const struct buf *b)
{
   return guest_ring_submit(f->ctx, f->ring[ring], ring ? RING_B : RING_A, b);
}
static void
create_rings(struct fixture *f, uint32_t period_us)
{
   struct buf b = {0};
   cmd_create_ring(&b, RING_A, 2, period_us);
   cmd_create_ring(&b, RING_B, 3, period_us);
   assert_int_equal(pv_context_submit(f->ctx, b.b, b.n), 0);
   /* ALIVE from the start: the guest's watchdog may look before the first period ends */
   assert_true(atomic_load(word(f, 0, 128)) & STATUS_ALIVE);
}

static void
test_capset(void **state)
{
   (void)state;
   uint32_t caps[40];
   for (uint32_t wire = 0; wire <= 1; wire++) {
      const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                                .wire_format = wire};
      struct pv_renderer *r = pv_renderer_create(&config);
      assert_non_null(r);
      assert_int_equal(pv_renderer_get_capset(r, PV_CAPSET_VENUS, 0, caps, sizeof(caps)), 160);
      assert_int_equal(caps[0], wire);                  /* wire_format_version */
      assert_int_equal(caps[3], wire ? 2 : 100000);     /* VK_MESA_venus_protocol */
      assert_int_equal(caps[4], 1);                     /* supports_blob_id_0 */
      assert_int_equal(caps[37], 1);                    /* allow_vk_wait_syncs */
      assert_int_equal(caps[38], 1);                    /* supports_multiple_timelines */
      assert_true(caps[5] & 1u);                        /* extension mask valid */
      pv_renderer_destroy(r);
   }
   const struct pv_renderer_config bad = {.struct_size = sizeof(struct pv_renderer_config),
                                          .wire_format = 2};
   assert_null(pv_renderer_create(&bad));
}

static void
test_experimental_query_is_gone(void **state)
{
   struct fixture *f = *state;
   struct buf b = {0};
   cmd_set_reply(&b, 0, 4096);
   w32(&b, CMD_EXPERIMENTAL), w32(&b, REPLY_FLAG), w64(&b, 1), w64(&b, 16), w64(&b, 16);
   assert_int_equal(pv_context_submit(f->ctx, b.b, b.n), -1);
   assert_true(pv_context_is_lost(f->ctx));
}

/* Each ring sets its own reply stream before every reply command, concurrently with the other
 * ring and the context path: replies never land in another path's stream. */
static void
test_reply_stream_per_ring(void **state)
{
   struct fixture *f = *state;
   create_rings(f, 3000000);
   for (uint32_t round = 0; round < 50; round++) {
      uint32_t seq[2];
      for (int r = 0; r < 2; r++) {
         struct buf b = {0};
         uint64_t off = 1024 + (uint64_t)r * 1024 + (round % 8) * 64;
         memset(f->reply + off, 0xee, 64);
         cmd_set_reply(&b, off, PROPS_REPLY_SIZE);
         cmd_memory_resource_props(&b);
         seq[r] = ring_submit(f, r, &b);
      }
      struct buf c = {0};
      cmd_set_reply(&c, 0, PROPS_REPLY_SIZE);
      cmd_memory_resource_props(&c);
      assert_int_equal(pv_context_submit(f->ctx, c.b, c.n), 0);
      check_props_reply(f->reply);
      for (int r = 0; r < 2; r++) {
         assert_true(wait_until(word(f, r, 0), ~0u, seq[r]));
         check_props_reply(f->reply + 1024 + r * 1024 + (round % 8) * 64);
      }
   }
   assert_false(pv_context_is_lost(f->ctx));
}

/* The ring blocks in vkWaitVirtqueueSeqnoMESA for 3.5 s; the guest's watchdog clears ALIVE
 * every period and the monitor must have set it again each time. Head stops right before the
 * blocked command (per-command head) and moves on once the context path sends the seqno. */
static void
test_alive_while_blocked_and_virtqueue_seqno(void **state)
{
   struct fixture *f = *state;
   create_rings(f, 1000000); /* 1 s period */
   struct buf b = {0};
   cmd_set_reply(&b, 2048, PROPS_REPLY_SIZE);
   size_t first = b.n;
   w32(&b, CMD_WAIT_VQ_SEQNO), w32(&b, 0), w64(&b, 5);
   cmd_memory_resource_props(&b);
   uint32_t start = atomic_load(word(f, 0, 64));
   uint32_t seq = ring_submit(f, 0, &b);
   assert_true(wait_until(word(f, 0, 0), ~0u, start + (uint32_t)first));
   for (int period = 0; period < 3; period++) {
      atomic_fetch_and(word(f, 0, 128), ~(uint32_t)STATUS_ALIVE); /* the guest's watchdog */
      sleep_ms(1150);
      assert_true(atomic_load(word(f, 0, 128)) & STATUS_ALIVE);
      assert_int_equal(atomic_load(word(f, 0, 0)), start + (uint32_t)first); /* still blocked */
   }
   struct buf s = {0};
   w32(&s, CMD_SUBMIT_VQ_SEQNO), w32(&s, 0), w64(&s, RING_A), w64(&s, 5);
   assert_int_equal(pv_context_submit(f->ctx, s.b, s.n), 0);
   assert_true(wait_until(word(f, 0, 0), ~0u, seq));
   check_props_reply(f->reply + 2048);
   /* vkWaitRingSeqnoMESA on the context path returns once the ring got there */
   struct buf w = {0};
   w32(&w, CMD_WAIT_RING_SEQNO), w32(&w, 0), w64(&w, RING_A), w64(&w, seq);
   assert_int_equal(pv_context_submit(f->ctx, w.b, w.n), 0);
   assert_false(atomic_load(word(f, 0, 128)) & STATUS_FATAL);
   assert_false(pv_context_is_lost(f->ctx));
}

/* Ring waits for the context path, context path waits for the ring: lost, FATAL, no hang. */
static void
test_seqno_deadlock_is_fatal(void **state)
{
   struct fixture *f = *state;
   create_rings(f, 3000000);
   struct buf b = {0};
   w32(&b, CMD_WAIT_VQ_SEQNO), w32(&b, 0), w64(&b, 9);
   uint32_t seq = ring_submit(f, 1, &b);
   sleep_ms(20);
   struct buf w = {0};
   w32(&w, CMD_WAIT_RING_SEQNO), w32(&w, 0), w64(&w, RING_B), w64(&w, seq);
   assert_int_equal(pv_context_submit(f->ctx, w.b, w.n), -1);
   assert_true(pv_context_is_lost(f->ctx));
   assert_true(wait_until(word(f, 1, 128), STATUS_FATAL, STATUS_FATAL));
   assert_true(wait_until(word(f, 1, 0), ~0u, seq)); /* the ring still advances */
   assert_true(atomic_load(word(f, 0, 128)) & STATUS_FATAL);
}

/* A sleeping ring only wakes on a notify from the context path: waiting there for a seqno the ring
 * has not reached is a guest deadlock (lost), waiting for one it has reached is fine. */
static void
test_wait_on_sleeping_ring(void **state)
{
   struct fixture *f = *state;
   create_rings(f, 3000000);
   assert_true(wait_until(word(f, 0, 128), STATUS_IDLE, STATUS_IDLE));
   sleep_ms(5);
   uint32_t head = atomic_load(word(f, 0, 0));
   struct buf w = {0};
   w32(&w, CMD_WAIT_RING_SEQNO), w32(&w, 0), w64(&w, RING_A), w64(&w, head);
   assert_int_equal(pv_context_submit(f->ctx, w.b, w.n), 0);
   struct buf x = {0};
   w32(&x, CMD_WAIT_RING_SEQNO), w32(&x, 0), w64(&x, RING_A), w64(&x, head + 64);
   assert_int_equal(pv_context_submit(f->ctx, x.b, x.n), -1);
   assert_true(atomic_load(word(f, 0, 128)) & STATUS_FATAL);
}

/* The guest's usual order on the context path: release (submit the virtqueue seqno a ring waits
 * for, or notify a sleeping ring), then wait for that ring in the same stream. The wait must not
 * mistake a ring that is released but whose thread has not woken yet for a deadlock. */
static void
test_release_then_wait_is_no_deadlock(void **state)
{
   struct fixture *f = *state;
   create_rings(f, 3000000);
   for (uint64_t i = 1; i <= 30; i++) {
      struct buf b = {0};
      w32(&b, CMD_WAIT_VQ_SEQNO), w32(&b, 0), w64(&b, i);
      uint32_t seq = ring_submit(f, 1, &b);
      sleep_ms(1); /* ring B blocks in vkWaitVirtqueueSeqnoMESA */
      struct buf w = {0};
      w32(&w, CMD_SUBMIT_VQ_SEQNO), w32(&w, 0), w64(&w, RING_B), w64(&w, i);
      w32(&w, CMD_WAIT_RING_SEQNO), w32(&w, 0), w64(&w, RING_B), w64(&w, seq);
      assert_int_equal(pv_context_submit(f->ctx, w.b, w.n), 0);
      assert_false(pv_context_is_lost(f->ctx));
   }
   for (int i = 0; i < 10; i++) {
      assert_true(wait_until(word(f, 0, 128), STATUS_IDLE, STATUS_IDLE));
      sleep_ms(2); /* ring A sleeps until notified */
      /* a no-op (wait for virtqueue seqno 0) published without the notify ring_submit sends */
      struct buf b = {0};
      w32(&b, CMD_WAIT_VQ_SEQNO), w32(&b, 0), w64(&b, 0);
      uint32_t tail = atomic_load(word(f, 0, 64));
      for (size_t k = 0; k < b.n; k++)
         f->ring[0][192 + ((tail + k) & (RING_BUFFER - 1))] = b.b[k];
      atomic_store(word(f, 0, 64), tail + (uint32_t)b.n);
      struct buf w = {0};
      w32(&w, CMD_NOTIFY_RING), w32(&w, 0), w64(&w, RING_A), w32(&w, 0), w32(&w, 0);
      w32(&w, CMD_WAIT_RING_SEQNO), w32(&w, 0), w64(&w, RING_A), w64(&w, tail + (uint32_t)b.n);
      assert_int_equal(pv_context_submit(f->ctx, w.b, w.n), 0);
      assert_false(pv_context_is_lost(f->ctx));
   }
   assert_false(atomic_load(word(f, 1, 128)) & STATUS_FATAL);
}

/* The guest side of a submission whose notify never comes: bytes and tail published while the
 * ring sleeps, as by a guest whose status load passed its tail store (ring.c idle_wait). */
static uint32_t
publish_without_notify(struct fixture *f, int ring, const struct buf *b)
{
   uint32_t tail = atomic_load(word(f, ring, 64));
   for (size_t k = 0; k < b->n; k++)
      f->ring[ring][192 + ((tail + k) & (RING_BUFFER - 1))] = b->b[k];
   atomic_store(word(f, ring, 64), tail + (uint32_t)b->n);
   return tail + (uint32_t)b->n;
}

/* Mesa 25.0.7 may miss the IDLE it should notify (issue 16's "stuck in tls ring seqno wait"):
 * a sleeping ring finds a tail published without a notify by itself, however long it slept. */
static void
test_unnotified_tail_is_executed(void **state)
{
   struct fixture *f = *state;
   create_rings(f, 3000000);
   for (int i = 0; i < 6; i++) {
      assert_true(wait_until(word(f, 0, 128), STATUS_IDLE, STATUS_IDLE));
      sleep_ms(1L << (2 * i)); /* 1 ms .. 1 s asleep: the re-check interval has grown */
      struct buf b = {0};
      w32(&b, CMD_WAIT_VQ_SEQNO), w32(&b, 0), w64(&b, 0); /* a no-op */
      uint32_t seq = publish_without_notify(f, 0, &b);
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      assert_true(wait_until(word(f, 0, 0), ~0u, seq));
      clock_gettime(CLOCK_MONOTONIC, &t1);
      long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
      assert_true(ms < 1000); /* the cap is 128 ms; a loaded machine gets the rest */
   }
   assert_false(pv_context_is_lost(f->ctx));
}

/* The context path waits for such a seqno (vkWaitRingSeqnoMESA): the ring is not deadlocked
 * but only unnotified, so the wait wakes it and returns; the context stays usable. */
static void
test_wait_for_unnotified_tail(void **state)
{
   struct fixture *f = *state;
   create_rings(f, 3000000);
   for (int i = 0; i < 3; i++) {
      assert_true(wait_until(word(f, 0, 128), STATUS_IDLE, STATUS_IDLE));
      sleep_ms(300); /* long asleep: its next look at tail is up to 128 ms away */
      struct buf b = {0};
      w32(&b, CMD_WAIT_VQ_SEQNO), w32(&b, 0), w64(&b, 0);
      uint32_t seq = publish_without_notify(f, 0, &b);
      struct buf w = {0};
      w32(&w, CMD_WAIT_RING_SEQNO), w32(&w, 0), w64(&w, RING_A), w64(&w, seq);
      assert_int_equal(pv_context_submit(f->ctx, w.b, w.n), 0);
      assert_false(pv_context_is_lost(f->ctx));
      assert_int_equal(atomic_load(word(f, 0, 0)), seq);
   }
   assert_false(atomic_load(word(f, 0, 128)) & STATUS_FATAL);
}

struct fence_log {
   uint32_t count;
   uint32_t ring_idx[4];
   uint64_t id[4];
};

static void
on_fence(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   struct fence_log *l = data;
   if (l->count < 4) {
      l->ring_idx[l->count] = ring_idx;
      l->id[l->count] = fence_id;
   }
   l->count++;
}

/* The CPU timeline retires at once; an unbound ring index is refused but still retired. */
static void
test_fences(void **state)
{
   struct fixture *f = *state;
   struct fence_log log = {0};
   pv_context_set_fence_callback(f->ctx, on_fence, &log);
   assert_int_equal(pv_context_submit_fence(f->ctx, 0, 7), 0);
   assert_int_equal(log.count, 1);
   assert_int_equal(log.id[0], 7);
   assert_false(pv_context_is_lost(f->ctx));
   assert_int_equal(pv_context_submit_fence(f->ctx, 5, 8), -1);
   assert_int_equal(log.count, 2);
   assert_int_equal(log.ring_idx[1], 5);
   assert_int_equal(log.id[1], 8);
   assert_true(pv_context_is_lost(f->ctx));
   assert_int_equal(pv_context_submit_fence(f->ctx, 200, 9), -1);
   assert_int_equal(log.count, 3);
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_capset),
      cmocka_unit_test_setup_teardown(test_experimental_query_is_gone, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reply_stream_per_ring, setup, teardown),
      cmocka_unit_test_setup_teardown(test_alive_while_blocked_and_virtqueue_seqno, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_seqno_deadlock_is_fatal, setup, teardown),
      cmocka_unit_test_setup_teardown(test_release_then_wait_is_no_deadlock, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_on_sleeping_ring, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unnotified_tail_is_executed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_wait_for_unnotified_tail, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fences, setup, teardown),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
