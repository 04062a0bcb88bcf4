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
#include "util/os.h"

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

/* One test's recorder, arguments 0..n-1 and trace. */
struct run {
   struct pv_recorder *r;
   uint32_t *args;
   uint32_t n;
};

/* Starts a recorder and pushes `n` calls of `call`, the i-th with argument i. */
static struct run
run_start(uint32_t n, pv_host_call_fn call)
{
   struct run t = {.r = pv_recorder_start(false), .args = malloc(n * sizeof(uint32_t)), .n = n};
   assert_non_null(t.r);
   assert_non_null(t.args);
   g_trace = (struct trace){.order = calloc(n, sizeof(uint32_t))};
   assert_non_null(g_trace.order);
   for (uint32_t i = 0; i < n; i++)
      t.args[i] = i;
   for (uint32_t i = 0; call && i < n; i++)
      pv_recorder_push(t.r, call, NULL, &t.args[i]);
   return t;
}

/* Stops the recorder (making what is pending) and checks every call ran once, in order. */
static void
run_finish(struct run *t)
{
   pv_recorder_stop(t->r);
   assert_int_equal(g_trace.count, t->n);
   for (uint32_t i = 0; i < t->n; i++)
      assert_int_equal(g_trace.order[i], i);
   free(g_trace.order);
   free(t->args);
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
test_order_across_wrap(void **state)
{
   (void)state;
   /* Four times the slots: the ring thread waits for room and every call still runs once. */
   struct run t = run_start(4 * PV_RECORDER_SLOTS + 3, note_call);
   assert_int_equal(pv_recorder_wait(t.r), 0);
   assert_false(pv_recorder_pending(t.r));
   assert_int_equal(g_trace.count, t.n);
   run_finish(&t);
}

static void
test_wait_covers_every_push(void **state)
{
   (void)state;
   struct run t = run_start(64, NULL);
   for (uint32_t round = 0; round < 4; round++) {
      for (uint32_t i = 0; i < 16; i++)
         pv_recorder_push(t.r, slow_call, NULL, &t.args[round * 16 + i]);
      assert_true(pv_recorder_pending(t.r));
      pv_recorder_wait(t.r);
      assert_int_equal(g_trace.count, (round + 1) * 16);
   }
   run_finish(&t);
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
   struct run t = run_start(32, slow_call);
   struct settler s = {.r = t.r};
   pthread_t thread;
   assert_int_equal(pthread_create(&thread, NULL, settle_thread, &s), 0);
   pthread_join(thread, NULL);
   assert_int_equal(s.seen, t.n);
   run_finish(&t);
}

/* Stop makes the calls still pending (a ring destroyed right after its last batch). */
static void
test_stop_makes_pending_calls(void **state)
{
   (void)state;
   struct run t = run_start(16, slow_call);
   run_finish(&t);
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

/* Unset, the thread is off (it cost real applications more than it gained them); "auto" puts it
 * on only where it has a core of its own beside the ring thread and the driver's; the other
 * settings win over the CPU count. */
static void
test_policy_default_by_cpus(void **state)
{
   (void)state;
   assert_int_equal(pv_recorder_policy_for(NULL, 1), PV_RECORDER_OFF);
   assert_int_equal(pv_recorder_policy_for(NULL, 128), PV_RECORDER_OFF);
   assert_int_equal(pv_recorder_policy_for("", 16), PV_RECORDER_OFF);
   assert_int_equal(pv_recorder_policy_for("auto", 1), PV_RECORDER_OFF);
   assert_int_equal(pv_recorder_policy_for("auto", PV_RECORDER_MIN_CPUS - 1), PV_RECORDER_OFF);
   assert_int_equal(pv_recorder_policy_for("auto", PV_RECORDER_MIN_CPUS), PV_RECORDER_MIN_RUN);
   assert_int_equal(pv_recorder_policy_for("auto", 128), PV_RECORDER_MIN_RUN);
   assert_int_equal(pv_recorder_policy_for("0", 16), PV_RECORDER_OFF);
   assert_int_equal(pv_recorder_policy_for("off", 16), PV_RECORDER_OFF);
   assert_int_equal(pv_recorder_policy_for("1", 2), PV_RECORDER_MIN_RUN);
   assert_int_equal(pv_recorder_policy_for("on", 2), PV_RECORDER_MIN_RUN);
   assert_int_equal(pv_recorder_policy_for("all", 1), 0);
   unsetenv("PEARVISOR_RECORD_THREAD");
   assert_int_equal(pv_recorder_policy(), PV_RECORDER_OFF);
   setenv("PEARVISOR_RECORD_THREAD", "auto", 1);
   assert_int_equal(pv_recorder_policy(), pv_recorder_policy_for("auto", pv_os_cpus_usable()));
   unsetenv("PEARVISOR_RECORD_THREAD");
   assert_true(pv_os_cpus_usable() >= 1);
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
      cmocka_unit_test(test_policy_default_by_cpus),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
