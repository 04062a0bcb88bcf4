/* SPDX-License-Identifier: MIT */
/*
 * Command buffer and descriptor set holds (renderer/holds.h) between two paths of one context:
 * - two commands taking the same two objects exclusively in opposite orders both finish, every
 *   time, and are never inside one object together (a hold that waited while keeping the one it
 *   had would deadlock here at once);
 * - two paths each keeping the hold of the command buffer its last vkCmd* recorded into, then
 *   recording into the other's, both finish (the kept hold is let go of while waiting);
 * - shared holds go together, an exclusive one waits for them;
 * - an object freed by the command that held it before is refused to the next one;
 * - a command buffer held exclusively holds its pool too, and a run of vkCmd* keeps both;
 * - holds ended while the path's recording thread has calls to make last until it made them;
 * - a command naming more objects than are walked for (an index finds them) holds each once.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "renderer/context.h"
#include "renderer/exec.h"
#include "renderer/holds.h"

#define ROUNDS 20000

/* command type 0: default kinds (sets shared unless asked); 1: a vkCmd* (its hold is kept);
 * 2: vkCmdExecuteCommands */
static uint8_t kinds[3] = {0, PV_HOLD_RECORDS, PV_HOLD_RECORDS | PV_HOLD_FIRST_CMDBUF_ONLY};

static struct pv_exec *
path_new(struct pv_context *ctx)
{
   struct pv_exec *x = calloc(1, sizeof(*x));
   assert_non_null(x);
   x->ctx = ctx;
   x->dec.status = &x->status;
   x->dispatch.type = 0;
   return x;
}

static void
path_free(struct pv_exec *x)
{
   pv_holds_release(x, 0);
   pv_holds_unpark(x);
   free(x->holds);
   free(x->hold_index);
   free(x);
}

/* One command holding `first` then `second` exclusively, checking nobody else is inside. */
static void
one_command(struct pv_exec *x, struct pv_object *first, struct pv_object *second,
            _Atomic int *inside)
{
   x->cmd_hold_mark = x->hold_count;
   assert_true(pv_hold_named_slow(x, first, true));
   assert_true(pv_hold_named_slow(x, second, true));
   assert_int_equal(atomic_fetch_add(inside, 1), 0);
   atomic_fetch_sub(inside, 1);
   pv_holds_release(x, x->cmd_hold_mark);
}

struct pair {
   struct pv_exec *x;
   struct pv_object *a, *b;
   _Atomic int *inside;
   pthread_barrier_t *start; /* both threads begin together */
};

static void *
reverse_order(void *arg)
{
   struct pair *p = arg;
   pthread_barrier_wait(p->start);
   for (int i = 0; i < ROUNDS; i++)
      one_command(p->x, p->b, p->a, p->inside);
   return NULL;
}

static void
test_opposite_orders_finish(void **state)
{
   (void)state;
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   ctx->hold_kinds = kinds;
   struct pv_object a = {.id = 1, .type = VK_OBJECT_TYPE_DESCRIPTOR_SET};
   struct pv_object b = {.id = 2, .type = VK_OBJECT_TYPE_DESCRIPTOR_SET};
   _Atomic int inside = 0;
   pthread_barrier_t start;
   pthread_barrier_init(&start, NULL, 2);
   struct pair other = {path_new(ctx), &a, &b, &inside, &start};
   struct pv_exec *x = path_new(ctx);
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, reverse_order, &other), 0);
   pthread_barrier_wait(&start);
   for (int i = 0; i < ROUNDS; i++)
      one_command(x, &a, &b, &inside);
   pthread_join(t, NULL);
   pthread_barrier_destroy(&start);
   assert_int_equal(atomic_load(&a.use), 0);
   assert_int_equal(atomic_load(&b.use), 0);
   path_free(x);
   path_free(other.x);
   free(ctx);
}

/* A run of two vkCmd*: into `mine` (its hold kept), then into `theirs`; then the stream ends. */
static void *
crossed_recording(void *arg)
{
   struct pair *p = arg;
   struct pv_exec *x = p->x;
   x->dispatch.type = 1;
   pthread_barrier_wait(p->start);
   for (int i = 0; i < ROUNDS; i++) {
      struct pv_object *mine = p->a, *theirs = p->b;
      for (int cmd = 0; cmd < 2; cmd++) {
         /* every 8th round both begin it holding nothing, and both keep their own before
          * recording into the other's: the worst case */
         if (i % 8 == 0)
            pthread_barrier_wait(p->start);
         uint32_t mark = x->cmd_hold_mark = x->hold_count;
         assert_true(pv_hold_named_slow(x, cmd ? theirs : mine, true));
         pv_holds_end_command_slow(x, mark, 1);
      }
      pv_holds_unpark(x);
   }
   return NULL;
}

static void
test_kept_holds_crossed_finish(void **state)
{
   (void)state;
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   ctx->hold_kinds = kinds;
   struct pv_object a = {.id = 1, .type = VK_OBJECT_TYPE_COMMAND_BUFFER};
   struct pv_object b = {.id = 2, .type = VK_OBJECT_TYPE_COMMAND_BUFFER};
   pthread_barrier_t start;
   pthread_barrier_init(&start, NULL, 2);
   struct pair one = {path_new(ctx), &a, &b, NULL, &start};
   struct pair two = {path_new(ctx), &b, &a, NULL, &start};
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, crossed_recording, &two), 0);
   crossed_recording(&one);
   pthread_join(t, NULL);
   pthread_barrier_destroy(&start);
   assert_int_equal(atomic_load(&a.use), 0);
   assert_int_equal(atomic_load(&b.use), 0);
   path_free(one.x);
   path_free(two.x);
   free(ctx);
}

struct waiter {
   struct pv_exec *x;
   struct pv_object *o;
   _Atomic int got;
};

static void *
hold_exclusive(void *arg)
{
   struct waiter *w = arg;
   w->x->cmd_hold_mark = w->x->hold_count;
   assert_true(pv_hold_named_slow(w->x, w->o, true));
   atomic_store(&w->got, 1);
   pv_holds_release(w->x, w->x->cmd_hold_mark);
   return NULL;
}

static void
test_exclusive_waits_for_shared(void **state)
{
   (void)state;
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   ctx->hold_kinds = kinds;
   struct pv_object o = {.id = 1, .type = VK_OBJECT_TYPE_COMMAND_BUFFER};
   struct pv_exec *x = path_new(ctx), *y = path_new(ctx);
   assert_true(pv_hold_named_slow(x, &o, false));
   assert_true(pv_hold_named_slow(y, &o, false)); /* shared beside shared */
   pv_holds_release(y, 0);

   struct waiter w = {path_new(ctx), &o, 0};
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, hold_exclusive, &w), 0);
   struct timespec ms = {0, 20 * 1000 * 1000};
   nanosleep(&ms, NULL);
   assert_int_equal(atomic_load(&w.got), 0); /* still held shared by x */
   pv_holds_release(x, 0);
   pthread_join(t, NULL);
   assert_int_equal(atomic_load(&w.got), 1);
   assert_int_equal(atomic_load(&o.use), 0);
   path_free(x);
   path_free(y);
   path_free(w.x);
   free(ctx);
}

static void
test_freed_while_waiting_is_refused(void **state)
{
   (void)state;
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   ctx->hold_kinds = kinds;
   struct pv_object o = {.id = 7, .type = VK_OBJECT_TYPE_COMMAND_BUFFER};
   struct pv_exec *freer = path_new(ctx), *user = path_new(ctx);
   assert_true(pv_hold_named_slow(freer, &o, true));
   atomic_store(&o.claimed, true); /* its vkFreeCommandBuffers claimed it */
   pv_holds_release(freer, 0);
   assert_false(pv_hold_named_slow(user, &o, true));
   assert_non_null(strstr(user->status.reason, "freed by another ring's command"));
   pv_holds_release(user, 0); /* the refused command's holds end with it */
   assert_int_equal(atomic_load(&o.use), 0);
   path_free(freer);
   path_free(user);
   free(ctx);
}

/* vkCmdExecuteCommands records into its first command buffer and reads the secondaries:
 * exec.c counts each one named (the kept one too) before asking. */
static void
test_execute_commands_reads_secondaries(void **state)
{
   (void)state;
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   ctx->hold_kinds = kinds;
   struct pv_exec *x = path_new(ctx);
   x->dispatch.type = 2;
   x->cmdbufs_held = 1;
   assert_true(pv_hold_wants_exclusive(x, VK_OBJECT_TYPE_COMMAND_BUFFER));
   x->cmdbufs_held = 2;
   assert_false(pv_hold_wants_exclusive(x, VK_OBJECT_TYPE_COMMAND_BUFFER));
   x->dispatch.type = 1;
   assert_true(pv_hold_wants_exclusive(x, VK_OBJECT_TYPE_COMMAND_BUFFER));
   assert_false(pv_hold_wants_exclusive(x, VK_OBJECT_TYPE_DESCRIPTOR_SET));
   path_free(x);
   free(ctx);
}

/* A context whose table has a command pool and a command buffer of it. */
static struct pv_context *
pool_context(struct pv_object **pool, struct pv_object **cb)
{
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   assert_non_null(ctx);
   ctx->hold_kinds = kinds;
   pv_object_table_init(&ctx->objects);
   *pool = pv_object_table_add(&ctx->objects, VK_OBJECT_TYPE_COMMAND_POOL, 0x40, 0x4000, 0);
   *cb = pv_object_table_add(&ctx->objects, VK_OBJECT_TYPE_COMMAND_BUFFER, 0x50, 0x5000, 0x40);
   assert_non_null(*pool);
   assert_non_null(*cb);
   return ctx;
}

static void
pool_context_free(struct pv_context *ctx)
{
   pv_object_table_fini(&ctx->objects, ctx);
   free(ctx);
}

/* One vkCmd* into `cb` on `x`, through the slow paths (the kept command buffer is not it). */
static void
record_into(struct pv_exec *x, struct pv_object *cb)
{
   uint32_t mark = x->cmd_hold_mark = x->hold_count;
   assert_true(pv_hold_named_slow(x, cb, true));
   pv_holds_end_command_slow(x, mark, 1);
}

static void
test_pool_held_with_cmdbuf(void **state)
{
   (void)state;
   struct pv_object *pool, *cb;
   struct pv_context *ctx = pool_context(&pool, &cb);
   struct pv_object *cb2 =
      pv_object_table_add(&ctx->objects, VK_OBJECT_TYPE_COMMAND_BUFFER, 0x51, 0x5100, 0x40);
   assert_non_null(cb2);
   struct pv_exec *x = path_new(ctx);
   x->dispatch.type = 1; /* a vkCmd* */
   record_into(x, cb);
   /* kept for the next vkCmd*, the pool with it */
   assert_ptr_equal(x->parked.obj, cb);
   assert_ptr_equal(x->parked_pool.obj, pool);
   assert_int_equal(atomic_load(&pool->use), (1u << 16) | 1u); /* one exclusive hold */
   /* the run moves to another command buffer of the pool: the pool stays held, once */
   record_into(x, cb2);
   assert_ptr_equal(x->parked.obj, cb2);
   assert_ptr_equal(x->parked_pool.obj, pool);
   assert_int_equal(atomic_load(&cb->use), 0);
   assert_int_equal(atomic_load(&pool->use), (1u << 16) | 1u);
   struct pv_exec *other = path_new(ctx);
   other->dispatch.type = 0; /* an allocation from the pool, after the run */
   pv_holds_unpark(x);
   assert_int_equal(atomic_load(&cb2->use), 0);
   assert_int_equal(atomic_load(&pool->use), 0);
   other->cmd_hold_mark = other->hold_count;
   assert_true(pv_hold_named_slow(other, pool, true));
   pv_holds_release(other, other->cmd_hold_mark);
   assert_int_equal(atomic_load(&pool->use), 0);
   path_free(other);
   path_free(x);
   pool_context_free(ctx);
}

static void
test_deferred_until_recorded(void **state)
{
   (void)state;
   struct pv_object *pool, *cb;
   struct pv_context *ctx = pool_context(&pool, &cb);
   struct pv_exec *x = path_new(ctx);
   x->dispatch.type = 1;
   uint32_t mark = x->cmd_hold_mark = x->hold_count;
   assert_true(pv_hold_named_slow(x, cb, true));
   pv_holds_end_command_slow(x, mark, 1);
   /* the recording thread has this command's call to make: ending the run keeps the holds */
   x->dispatch.arena_held = true;
   pv_holds_unpark(x);
   assert_int_equal(x->deferred_count, 2);
   assert_int_not_equal(atomic_load(&cb->use), 0);
   assert_int_not_equal(atomic_load(&pool->use), 0);
   /* the thread made it (what pv_exec_settle_recorder does after waiting) */
   x->dispatch.arena_held = false;
   pv_holds_release_deferred(x);
   assert_int_equal(atomic_load(&cb->use), 0);
   assert_int_equal(atomic_load(&pool->use), 0);
   free(x->deferred);
   path_free(x);
   pool_context_free(ctx);
}

/* More than the holds own_hold walks (holds.c: an index finds the rest) */
#define MANY 100

static void
expect_uses(const struct pv_object *objs, uint32_t from, uint32_t to, uint32_t use)
{
   for (uint32_t i = from; i < to; i++)
      assert_int_equal(atomic_load(&objs[i].use), use);
}

/* A command naming MANY semaphores twice holds each once (the second naming found through the
 * index); naming one again exclusively turns its hold exclusive; holds let go of and taken again
 * are found again (the index forgot the dropped ones); at the end nothing is held. */
static void
test_many_named_twice(void **state)
{
   (void)state;
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   ctx->hold_kinds = kinds;
   struct pv_object *objs = calloc(MANY, sizeof(*objs));
   assert_non_null(objs);
   for (uint32_t i = 0; i < MANY; i++)
      objs[i] = (struct pv_object){.id = i + 1, .type = VK_OBJECT_TYPE_SEMAPHORE};
   struct pv_exec *x = path_new(ctx);
   for (int round = 0; round < 3; round++) {
      x->cmd_hold_mark = 0;
      for (int twice = 0; twice < 2; twice++)
         for (uint32_t i = 0; i < MANY; i++)
            assert_true(pv_hold_named_slow(x, &objs[i], false));
      assert_int_equal(x->hold_count, MANY);
      expect_uses(objs, 0, MANY, 1);
      assert_true(pv_hold_named_slow(x, &objs[MANY - 1], true));
      assert_int_equal(x->hold_count, MANY);
      assert_int_equal(atomic_load(&objs[MANY - 1].use), (1u << 16) + 2); /* shared + exclusive */
      pv_holds_release(x, MANY / 2);
      expect_uses(objs, MANY / 2, MANY, 0);
      /* in the other order: each lands where another one was */
      for (int twice = 0; twice < 2; twice++)
         for (uint32_t i = MANY; i-- > 0;)
            assert_true(pv_hold_named_slow(x, &objs[i], false));
      assert_int_equal(x->hold_count, MANY);
      expect_uses(objs, 0, MANY, 1);
      assert_true(pv_hold_named_slow(x, &objs[MANY - 1], true));
      assert_int_equal(atomic_load(&objs[MANY - 1].use), (1u << 16) + 2);
      pv_holds_release(x, 0);
      expect_uses(objs, 0, MANY, 0);
   }
   path_free(x);
   free(objs);
   free(ctx);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_opposite_orders_finish),
      cmocka_unit_test(test_kept_holds_crossed_finish),
      cmocka_unit_test(test_exclusive_waits_for_shared),
      cmocka_unit_test(test_freed_while_waiting_is_refused),
      cmocka_unit_test(test_execute_commands_reads_secondaries),
      cmocka_unit_test(test_pool_held_with_cmdbuf),
      cmocka_unit_test(test_deferred_until_recorded),
      cmocka_unit_test(test_many_named_twice),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
