/* SPDX-License-Identifier: MIT */
/*
 * The Venus transport through the public API, the way Mesa 22.3.6 drives it: reply stream set
 * and seek, the experimental-feature query, a ring with its thread, idling and notify, round
 * trips through the extra word, nested command streams, and what a lost context still answers.
 * No host Vulkan call is involved. Runs under ASan+UBSan.
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
   CMD_SEEK_REPLY = 179,
   CMD_EXECUTE_STREAMS = 180,
   CMD_CREATE_RING = 188,
   CMD_DESTROY_RING = 189,
   CMD_WRITE_RING_EXTRA = 191,
   CMD_EXPERIMENTAL = 195,
   STYPE_RING_CREATE_INFO = 1000384000,
   REPLY_FLAG = 1,
};

#define RING_ID 0x5595c5a3c230ull

struct fixture {
   struct pv_renderer *r;
   struct pv_context *ctx;
   uint8_t *reply; /* res 1 */
   uint8_t *ring;  /* res 2 */
   uint8_t *upload; /* res 3 */
};

static int
setup(void **state)
{
   static struct fixture f;
   memset(&f, 0, sizeof(f));
   f.r = pv_renderer_create(NULL);
   assert_non_null(f.r);
   f.ctx = pv_context_create(f.r, PV_CAPSET_VENUS, "transport-test");
   assert_non_null(f.ctx);
   f.reply = map_blob(f.ctx, 1, 4096);
   f.ring = map_blob(f.ctx, 2, 8192);
   f.upload = map_blob(f.ctx, 3, 4096);
   *state = &f;
   return 0;
}

static int
teardown(void **state)
{
   struct fixture *f = *state;
   pv_context_destroy(f->ctx);
   munmap(f->reply, 4096);
   munmap(f->ring, 8192);
   munmap(f->upload, 4096);
   pv_renderer_destroy(f->r);
   return 0;
}

static void
cmd_set_reply(struct buf *b, uint32_t res, uint64_t size)
{
   w32(b, CMD_SET_REPLY), w32(b, 0), w64(b, 1), w32(b, res), w64(b, 0), w64(b, size);
}

static void
cmd_seek(struct buf *b, uint64_t pos)
{
   w32(b, CMD_SEEK_REPLY), w32(b, 0), w64(b, pos);
}

static void
cmd_experimental(struct buf *b)
{
   w32(b, CMD_EXPERIMENTAL), w32(b, REPLY_FLAG), w64(b, 1), w64(b, 16), w64(b, 16);
}

static void
cmd_write_extra(struct buf *b, uint64_t offset, uint32_t value)
{
   w32(b, CMD_WRITE_RING_EXTRA), w32(b, 0), w64(b, RING_ID), w64(b, offset), w32(b, value);
}

/* The 22.3.6 ring layout (venus-wire.md 4.2) with a small buffer and a short idle timeout. */
static void
cmd_create_ring(struct buf *b, uint64_t buffer_size)
{
   w32(b, CMD_CREATE_RING), w32(b, 0), w64(b, RING_ID), w64(b, 1);
   w32(b, STYPE_RING_CREATE_INFO), w64(b, 0), w32(b, 0), w32(b, 2);
   w64(b, 0), w64(b, RING_AREA), w64(b, 1000000); /* offset, size, idle 1 ms */
   w64(b, 0), w64(b, 64), w64(b, 128);             /* head, tail, status */
   w64(b, 192), w64(b, buffer_size), w64(b, 192 + RING_BUFFER), w64(b, 4);
}

static void
check_experimental_reply(const uint8_t *r)
{
   assert_int_equal(rd32(r), CMD_EXPERIMENTAL);
   assert_int_equal(rd32(r + 4), 1);   /* pDataSize present */
   assert_int_equal(rd32(r + 12), 16); /* *pDataSize */
   assert_int_equal(rd32(r + 20), 16); /* blob size */
   assert_int_equal(rd32(r + 28), 0);  /* memoryResourceAllocationSize */
   assert_int_equal(rd32(r + 32), 0);  /* globalFencing */
   assert_int_equal(rd32(r + 36), 1);  /* largeRing */
}

static void
test_context_path_reply(void **state)
{
   struct fixture *f = *state;
   struct buf b = {0};
   cmd_set_reply(&b, 1, 4096);
   cmd_seek(&b, 64);
   cmd_experimental(&b);
   assert_int_equal(pv_context_submit(f->ctx, b.b, b.n), 0);
   check_experimental_reply(f->reply + 64);
   assert_false(pv_context_is_lost(f->ctx));
}

/* The guest side of a ring submission: copy at tail, publish tail, notify when idle. */
static void
ring_submit(struct fixture *f, const struct buf *b)
{
   guest_ring_submit(f->ctx, f->ring, RING_ID, b);
}

static void
test_ring_roundtrip_and_idle(void **state)
{
   struct fixture *f = *state;
   struct buf b = {0};
   cmd_set_reply(&b, 1, 4096);
   cmd_create_ring(&b, RING_BUFFER);
   assert_int_equal(pv_context_submit(f->ctx, b.b, b.n), 0);

   /* Several rounds wrap the 2 KiB buffer; every reply lands where the seek said. */
   for (uint32_t round = 0; round < 100; round++) {
      struct buf c = {0};
      cmd_seek(&c, 128 + (round % 8) * 64);
      cmd_experimental(&c);
      memset(f->reply + 128 + (round % 8) * 64, 0xee, 64);
      ring_submit(f, &c);
      uint32_t tail = atomic_load(ring_ctl(f->ring, 64));
      assert_true(wait_until(ring_ctl(f->ring, 0), ~0u, tail));
      check_experimental_reply(f->reply + 128 + (round % 8) * 64);
      if (round == 50) /* let it go idle: the next submit must notify */
         assert_true(wait_until(ring_ctl(f->ring, 128), 1u, 1u));
   }
   /* Round trip: the extra word, written from the context path. */
   struct buf x = {0};
   cmd_write_extra(&x, 0, 42);
   assert_int_equal(pv_context_submit(f->ctx, x.b, x.n), 0);
   assert_int_equal(rd32(f->ring + 192 + RING_BUFFER), 42);

   struct buf d = {0};
   w32(&d, CMD_DESTROY_RING), w32(&d, 0), w64(&d, RING_ID);
   assert_int_equal(pv_context_submit(f->ctx, d.b, d.n), 0);
   assert_false(pv_context_is_lost(f->ctx));
}

static void
test_execute_command_streams(void **state)
{
   struct fixture *f = *state;
   struct buf s = {0};
   cmd_seek(&s, 256);
   cmd_experimental(&s);
   memcpy(f->upload + 100, s.b, s.n); /* a stream at an unaligned-to-page offset */
   struct buf b = {0};
   cmd_set_reply(&b, 1, 4096);
   w32(&b, CMD_EXECUTE_STREAMS), w32(&b, 0), w32(&b, 1);
   w64(&b, 1), w32(&b, 3), w64(&b, 100), w64(&b, s.n); /* pStreams */
   w64(&b, 0), w32(&b, 0), w64(&b, 0), w32(&b, 0);     /* no positions, deps; flags */
   assert_int_equal(pv_context_submit(f->ctx, b.b, b.n), 0);
   check_experimental_reply(f->reply + 256);
   assert_false(pv_context_is_lost(f->ctx));
}

/* Bad rings, bad resources, nested execution: each loses the context, which then keeps
 * answering round trips and replies. */
static void
test_bad_ring_loses_context_but_answers(void **state)
{
   struct fixture *f = *state;
   struct buf b = {0};
   cmd_create_ring(&b, 3000); /* not a power of two */
   assert_int_equal(pv_context_submit(f->ctx, b.b, b.n), -1);
   assert_true(pv_context_is_lost(f->ctx));

   struct buf c = {0};
   cmd_set_reply(&c, 1, 4096);
   cmd_create_ring(&c, RING_BUFFER);
   cmd_write_extra(&c, 0, 7);
   cmd_seek(&c, 512);
   cmd_experimental(&c);
   memset(f->reply + 512, 0xee, 64);
   assert_int_equal(pv_context_submit(f->ctx, c.b, c.n), -1);
   assert_int_equal(rd32(f->ring + 192 + RING_BUFFER), 7);
   /* the lost context skipped the query but still wrote a well-formed reply */
   assert_int_equal(rd32(f->reply + 512), CMD_EXPERIMENTAL);
   assert_int_equal(rd32(f->reply + 516), 1);
}

static void
test_bad_resources_are_fatal(void **state)
{
   struct fixture *f = *state;
   const uint32_t bad[][3] = {{9, 0, 16}, {1, 4000, 200}, {1, 0, 8192}};
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      struct pv_context *ctx = pv_context_create(f->r, PV_CAPSET_VENUS, "bad");
      struct pv_blob blob;
      assert_int_equal(pv_context_create_blob(ctx, 1, 0, 4096, PV_BLOB_FLAG_MAPPABLE, &blob), 0);
      close(blob.fd);
      struct buf b = {0};
      w32(&b, CMD_SET_REPLY), w32(&b, 0), w64(&b, 1), w32(&b, bad[i][0]);
      w64(&b, bad[i][1]), w64(&b, bad[i][2]);
      assert_int_equal(pv_context_submit(ctx, b.b, b.n), -1);
      assert_true(pv_context_is_lost(ctx));
      pv_context_destroy(ctx);
   }
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_context_path_reply, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ring_roundtrip_and_idle, setup, teardown),
      cmocka_unit_test_setup_teardown(test_execute_command_streams, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_ring_loses_context_but_answers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_bad_resources_are_fatal, setup, teardown),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
