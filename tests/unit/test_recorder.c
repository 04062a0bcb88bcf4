/* SPDX-License-Identifier: MIT */
/* A ring's recording thread (src/renderer/recorder.h): calls made in push order, none lost when
 * the slots wrap, waits that return only once every call pushed before them was made, and which
 * commands may be deferred. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "renderer/recorder.h"

/* What the calls write: the order they ran in. Only the recording thread writes it. */
struct trace {
   uint32_t *order;
   uint32_t count;
};
static struct trace g_trace;

static void
note_call(const struct pv_vk_dispatch *vk, void *args)
{
   (void)vk;
   g_trace.order[g_trace.count++] = *(const uint32_t *)args;
}

static uint32_t *
numbers(uint32_t n)
{
   uint32_t *v = malloc(n * sizeof(*v));
   assert_non_null(v);
   for (uint32_t i = 0; i < n; i++)
      v[i] = i;
   return v;
}

static void
test_order_across_wrap(void **state)
{
   (void)state;
   /* Four times the slots: the ring thread waits for room and every call still runs once. */
   const uint32_t n = 4 * PV_RECORDER_SLOTS + 3;
   uint32_t *args = numbers(n);
   g_trace = (struct trace){.order = calloc(n, sizeof(uint32_t))};
   struct pv_recorder *r = pv_recorder_start(false);
   assert_non_null(r);
   for (uint32_t i = 0; i < n; i++)
      pv_recorder_push(r, note_call, NULL, &args[i]);
   assert_int_equal(pv_recorder_wait(r), 0);
   assert_false(pv_recorder_pending(r));
   assert_int_equal(g_trace.count, n);
   for (uint32_t i = 0; i < n; i++)
      assert_int_equal(g_trace.order[i], i);
   pv_recorder_stop(r);
   free(g_trace.order);
   free(args);
}

/* Slow calls: a wait must not return before the last one ran (the arena is reset after it). */
static void
slow_call(const struct pv_vk_dispatch *vk, void *args)
{
   (void)vk;
   struct timespec ts = {0, 200000};
   nanosleep(&ts, NULL);
   note_call(vk, args);
}

static void
test_wait_covers_every_push(void **state)
{
   (void)state;
   const uint32_t n = 64;
   uint32_t *args = numbers(n);
   g_trace = (struct trace){.order = calloc(n, sizeof(uint32_t))};
   struct pv_recorder *r = pv_recorder_start(false);
   assert_non_null(r);
   for (uint32_t round = 0; round < 4; round++) {
      for (uint32_t i = 0; i < n / 4; i++)
         pv_recorder_push(r, slow_call, NULL, &args[round * (n / 4) + i]);
      assert_true(pv_recorder_pending(r));
      pv_recorder_wait(r);
      assert_int_equal(g_trace.count, (round + 1) * (n / 4));
   }
   pv_recorder_stop(r);
   free(g_trace.order);
   free(args);
}

/* Another thread's settle (a destroy on another ring) waits for what was pushed before it. */
struct settler {
   struct pv_recorder *r;
   uint32_t seen;
};

static void *
settle_thread(void *arg)
{
   struct settler *s = arg;
   pv_recorder_settle(s->r);
   s->seen = __atomic_load_n(&g_trace.count, __ATOMIC_ACQUIRE);
   return NULL;
}

static void
test_settle_from_another_thread(void **state)
{
   (void)state;
   const uint32_t n = 32;
   uint32_t *args = numbers(n);
   g_trace = (struct trace){.order = calloc(n, sizeof(uint32_t))};
   struct pv_recorder *r = pv_recorder_start(false);
   assert_non_null(r);
   for (uint32_t i = 0; i < n; i++)
      pv_recorder_push(r, slow_call, NULL, &args[i]);
   struct settler s = {.r = r};
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, settle_thread, &s), 0);
   pthread_join(t, NULL);
   assert_int_equal(s.seen, n);
   pv_recorder_stop(r);
   free(g_trace.order);
   free(args);
}

/* Stop makes the calls still pending (a ring destroyed right after its last batch). */
static void
test_stop_makes_pending_calls(void **state)
{
   (void)state;
   const uint32_t n = 16;
   uint32_t *args = numbers(n);
   g_trace = (struct trace){.order = calloc(n, sizeof(uint32_t))};
   struct pv_recorder *r = pv_recorder_start(false);
   assert_non_null(r);
   for (uint32_t i = 0; i < n; i++)
      pv_recorder_push(r, slow_call, NULL, &args[i]);
   pv_recorder_stop(r);
   assert_int_equal(g_trace.count, n);
   free(g_trace.order);
   free(args);
}

static void
test_kinds(void **state)
{
   (void)state;
   static const struct pv_command_entry entries[] = {
      {.name = "vkCmdDispatch"},
      {.name = "vkCreateBuffer"},
      {.name = "vkDestroyBuffer"},
      {.name = "vkFreeCommandBuffers"},
      {.name = "vkQueueSubmit2"},
      {.name = "vkBeginCommandBuffer"},
      {.name = "vkEndCommandBuffer"},
      {.name = "vkResetCommandPool"},
      {.name = NULL},
      {.name = "vkExecuteCommandStreamsMESA"},
   };
   const struct pv_protocol_table t = {.name = "test", .count = 10, .entries = entries};
   uint8_t *k = pv_recorder_kinds(&t);
   assert_non_null(k);
   const uint8_t want[] = {
      PV_RECORD_DEFERS,  PV_RECORD_WAITS, PV_RECORD_SETTLES, PV_RECORD_SETTLES, PV_RECORD_SETTLES,
      PV_RECORD_SETTLES, PV_RECORD_WAITS, PV_RECORD_SETTLES, PV_RECORD_WAITS,   PV_RECORD_WAITS};
   assert_memory_equal(k, want, sizeof(want));
   free(k);
}

static void
test_policy(void **state)
{
   (void)state;
   setenv("PEARVISOR_RECORD_THREAD", "1", 1);
   assert_int_equal(pv_recorder_policy(), PV_RECORDER_MIN_RUN);
   setenv("PEARVISOR_RECORD_THREAD", "on", 1);
   assert_int_equal(pv_recorder_policy(), PV_RECORDER_MIN_RUN);
   setenv("PEARVISOR_RECORD_THREAD", "all", 1);
   assert_int_equal(pv_recorder_policy(), 0);
   setenv("PEARVISOR_RECORD_THREAD", "0", 1);
   assert_int_equal(pv_recorder_policy(), PV_RECORDER_OFF);
   setenv("PEARVISOR_RECORD_THREAD", "off", 1);
   assert_int_equal(pv_recorder_policy(), PV_RECORDER_OFF);
   unsetenv("PEARVISOR_RECORD_THREAD");
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_order_across_wrap),
      cmocka_unit_test(test_wait_covers_every_push),
      cmocka_unit_test(test_settle_from_another_thread),
      cmocka_unit_test(test_stop_makes_pending_calls),
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_policy),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
