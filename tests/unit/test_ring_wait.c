/* SPDX-License-Identifier: MIT */
/*
 * The ring thread's yield window (ring.c): after a quiet time that ended in new work it becomes
 * twice that time, capped at 250 us, and never below 10 us; a quiet time of 250 us or more drops
 * it to 10 us; otherwise it shrinks by an eighth per batch. Arithmetic only: what the window
 * does to latency is measured by bench/run (bench/notes-h200-ringwait.md), not by a timed test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "renderer/ring_internal.h"

#define US 1000ull

static void
test_follows_the_guest(void **state)
{
   (void)state;
   assert_int_equal(pv_ring_next_yield_ns(10 * US, 30 * US), 60 * US);
   assert_int_equal(pv_ring_next_yield_ns(60 * US, 100 * US), 200 * US);
   assert_int_equal(pv_ring_next_yield_ns(10 * US, 200 * US), 250 * US); /* capped */
   assert_int_equal(pv_ring_next_yield_ns(10 * US, 2 * US), 10 * US);    /* the minimum */
}

static void
test_a_guest_gone_quiet_drops_it(void **state)
{
   (void)state;
   assert_int_equal(pv_ring_next_yield_ns(250 * US, 250 * US), 10 * US);
   assert_int_equal(pv_ring_next_yield_ns(250 * US, 50000 * US), 10 * US);
}

static void
test_shrinks_by_an_eighth(void **state)
{
   (void)state;
   assert_int_equal(pv_ring_next_yield_ns(240 * US, 1 * US), 210 * US);
   uint64_t w = 250 * US;
   int batches = 0;
   while (w > 10 * US && batches < 100) {
      uint64_t next = pv_ring_next_yield_ns(w, 0);
      assert_true(next < w);
      w = next;
      batches++;
   }
   assert_int_equal(w, 10 * US);
   assert_true(batches >= 20 && batches <= 30); /* 250 * (7/8)^n falls below 10 at n = 25 */
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_follows_the_guest),
      cmocka_unit_test(test_a_guest_gone_quiet_drops_it),
      cmocka_unit_test(test_shrinks_by_an_eighth),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
