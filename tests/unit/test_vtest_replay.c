/* SPDX-License-Identifier: MIT */
/*
 * Replaying a capture's vtest messages (src/vtest/vtest_replay.c): sync objects are created and
 * set as the server did, a timeline batch's syncs wait for its fence to retire now, a SYNC_WAIT
 * holds the caller until its syncs are reached (or its timeout), and malformed messages are
 * counted, never trusted.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pearvisor/pearvisor.h"
#include "vtest/vtest_protocol.h"
#include "vtest/vtest_replay.h"

/* One message as the server records it: the 2-dword header, then the payload. */
static void
send(struct vtest_replay *r, uint32_t wire, uint32_t cmd, const uint32_t *p, uint32_t dwords)
{
   uint32_t msg[64] = {dwords, cmd};
   assert_true(dwords <= 62);
   if (dwords)
      memcpy(&msg[2], p, dwords * 4u);
   vtest_replay_message(r, wire, PV_CAPTURE_PROTOCOL_VTEST, msg, 8u + dwords * 4u);
}

static uint64_t
value_of(struct vtest_replay *r, uint32_t id)
{
   uint64_t v = UINT64_MAX;
   pthread_mutex_lock(&r->lock);
   assert_true(vtest_sync_read(&r->syncs, id, &v));
   pthread_mutex_unlock(&r->lock);
   return v;
}

static uint64_t
now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wire 1: SYNC_CREATE numbers syncs as the server does; a CPU-timeline batch sets its sync at
 * once, a timeline batch (RING_IDX, ring 1) only when fence 1 of ring 1 retires. */
static void
syncs_follow_fences(void **state)
{
   (void)state;
   struct vtest_replay r;
   vtest_replay_init(&r);
   const uint32_t zero[2] = {0, 0};
   send(&r, 1, VCMD_SYNC_CREATE, zero, 2);
   send(&r, 1, VCMD_SYNC_CREATE, zero, 2);
   /* count 2; {flags, cmd_offset, cmd_size, sync_offset, sync_count, ring_idx} x 2; syncs */
   const uint32_t submit[] = {2, 1, 13, 0, 13, 1, 0, 1, 13, 0, 16, 1, 1, 1, 5, 0, 2, 7, 0};
   send(&r, 1, VCMD_SUBMIT_CMD2, submit, sizeof(submit) / 4);
   assert_int_equal(value_of(&r, 1), 5); /* CPU timeline: at once */
   assert_int_equal(value_of(&r, 2), 0); /* ring 1: not before its fence */
   vtest_replay_fence(&r, 1, 1);
   assert_int_equal(value_of(&r, 2), 7);
   /* A fence that retired before its batch's message (the FENCE record comes first). */
   const uint32_t again[] = {1, 1, 7, 0, 7, 1, 1, 2, 9, 0};
   vtest_replay_fence(&r, 1, 2);
   send(&r, 1, VCMD_SUBMIT_CMD2, again, sizeof(again) / 4);
   assert_int_equal(value_of(&r, 2), 9);
   send(&r, 1, VCMD_SYNC_WRITE, (const uint32_t[]){1, 42, 0}, 3);
   assert_int_equal(value_of(&r, 1), 42);
   send(&r, 1, VCMD_SYNC_UNREF, (const uint32_t[]){1}, 1);
   assert_int_equal(r.sync_messages, 4);
   assert_int_equal(r.malformed, 0);
   vtest_replay_fini(&r);
}

static void *
retire_later(void *data)
{
   usleep(200 * 1000);
   vtest_replay_fence(data, 1, 1);
   return NULL;
}

/* SYNC_WAIT holds the context path until the fence behind its sync retires. */
static void
wait_holds_until_the_fence(void **state)
{
   (void)state;
   struct vtest_replay r;
   vtest_replay_init(&r);
   send(&r, 1, VCMD_SYNC_CREATE, (const uint32_t[]){0, 0}, 2);
   const uint32_t submit[] = {1, 1, 7, 0, 7, 1, 1, 1, 1, 0};
   send(&r, 1, VCMD_SUBMIT_CMD2, submit, sizeof(submit) / 4);
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, retire_later, &r), 0);
   uint64_t t0 = now_ms();
   send(&r, 1, VCMD_SYNC_WAIT, (const uint32_t[]){0, VCMD_SYNC_WAIT_INFINITE, 1, 1, 0}, 5);
   assert_true(now_ms() - t0 >= 150);
   pthread_join(t, NULL);
   assert_int_equal(r.waits, 1);
   assert_int_equal(r.waits_unmet, 0);
   /* A wait the replay cannot meet ends at the guest's timeout and is counted. */
   t0 = now_ms();
   send(&r, 1, VCMD_SYNC_WAIT, (const uint32_t[]){0, 50, 1, 2, 0}, 5);
   assert_true(now_ms() - t0 < 5000);
   assert_int_equal(r.waits_unmet, 1);
   vtest_replay_fini(&r);
}

/* Damaged messages: counted, nothing read past them; wire 0 batches are 8 dwords apart. */
static void
malformed_counted(void **state)
{
   (void)state;
   struct vtest_replay r;
   vtest_replay_init(&r);
   vtest_replay_message(&r, 0, PV_CAPTURE_PROTOCOL_VTEST, "abc", 3); /* no header */
   vtest_replay_message(&r, 0, 7, (const uint32_t[]){0, VCMD_PING_PROTOCOL_VERSION}, 8);
   send(&r, 0, VCMD_SYNC_CREATE, (const uint32_t[]){0}, 1);        /* short */
   send(&r, 0, VCMD_SYNC_WAIT, (const uint32_t[]){0, 0, 1, 0}, 4); /* 3n + 2 */
   send(&r, 0, VCMD_SUBMIT_CMD2, (const uint32_t[]){1000}, 1);     /* batches past */
   /* sync_offset past the payload */
   send(&r, 0, VCMD_SUBMIT_CMD2, (const uint32_t[]){1, 0, 9, 0, 50, 1, 0, 0, 0}, 9);
   /* a well-formed wire 0 batch without syncs, and the handshake, are fine */
   send(&r, 0, VCMD_SUBMIT_CMD2, (const uint32_t[]){1, 0, 9, 0, 9, 0, 0, 0, 0}, 9);
   send(&r, 0, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
   assert_int_equal(r.messages, 8);
   assert_int_equal(r.malformed, 6);
   vtest_replay_fini(&r);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(syncs_follow_fences),
      cmocka_unit_test(wait_holds_until_the_fence),
      cmocka_unit_test(malformed_counted),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
