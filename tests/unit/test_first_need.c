/* SPDX-License-Identifier: MIT */
/*
 * State made on first need (vk/guard.c pv_vk_state_publish): a descriptor set's and a command
 * buffer's, which two rings naming the same object at once may both set out to make. Two threads
 * ask for it at the same moment, 2000 times: both get the same state, and the copy that lost is
 * freed (LeakSanitizer reports it otherwise; before the compare-and-swap one thread's copy was
 * overwritten, so the answers differed or leaked).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vk/guard.h"
#include "vk/lifetime.h"

#define ROUNDS 2000

struct race {
   pthread_barrier_t start, done;
   struct pv_object obj;
   void *seen[2];
   int rounds;
};

static void *
make_state(struct pv_object *o)
{
   return o->type == VK_OBJECT_TYPE_DESCRIPTOR_SET ? (void *)pv_vk_descriptor_set_of(o)
                                                   : (void *)pv_vk_cmdbuf_make(o);
}

static void *
second_thread(void *arg)
{
   struct race *r = arg;
   for (int i = 0; i < r->rounds; i++) {
      pthread_barrier_wait(&r->start);
      r->seen[1] = make_state(&r->obj);
      pthread_barrier_wait(&r->done);
   }
   return NULL;
}

static void
race_type(int32_t type)
{
   struct race r = {.rounds = ROUNDS};
   pthread_barrier_init(&r.start, NULL, 2);
   pthread_barrier_init(&r.done, NULL, 2);
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, second_thread, &r), 0);
   for (int i = 0; i < ROUNDS; i++) {
      r.obj = (struct pv_object){.id = 1, .type = type};
      pthread_barrier_wait(&r.start);
      r.seen[0] = make_state(&r.obj);
      pthread_barrier_wait(&r.done);
      assert_non_null(r.seen[0]);
      assert_ptr_equal(r.seen[0], r.seen[1]);
      assert_ptr_equal(r.obj.data, r.seen[0]);
      r.obj.free_data(NULL, &r.obj);
   }
   assert_int_equal(pthread_join(t, NULL), 0);
   pthread_barrier_destroy(&r.start);
   pthread_barrier_destroy(&r.done);
}

static void
test_descriptor_set_made_once(void **state)
{
   (void)state;
   race_type(VK_OBJECT_TYPE_DESCRIPTOR_SET);
}

static void
test_command_buffer_made_once(void **state)
{
   (void)state;
   race_type(VK_OBJECT_TYPE_COMMAND_BUFFER);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_descriptor_set_made_once),
      cmocka_unit_test(test_command_buffer_made_once),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
