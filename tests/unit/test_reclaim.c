/* SPDX-License-Identifier: MIT */
/*
 * Removed objects and the paths that may hold them (src/renderer/reclaim.c): an entry a ring's
 * running command found stays valid when another path removes it, until that command ends; a
 * removal nobody else may hold is freed at once; a lookup racing removals never reads freed
 * state (ASan: this test is built sanitized); items run one at a time, in the order given.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "renderer/objects.h"

#define MAGIC 0x5eedf00dcafe1234ull
enum { DEVICE_ID = 1, MEMORY_ID = 7 };

static _Atomic unsigned freed;

struct state {
   uint64_t magic;
};

static void
free_state(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct state *s = obj->data;
   s->magic = 0; /* a reader that still sees it fails its check, with or without ASan */
   free(s);
   obj->data = NULL;
   atomic_fetch_add(&freed, 1);
}

struct fixture {
   struct pv_object_table table;
   struct pv_reclaim reclaim;
};

static void
fixture_init(struct fixture *f)
{
   atomic_store(&freed, 0);
   pv_object_table_init(&f->table);
   pv_reclaim_init(&f->reclaim, NULL);
   pv_object_table_set_reclaim(&f->table, &f->reclaim);
}

static void
fixture_fini(struct fixture *f)
{
   pv_object_table_fini(&f->table, NULL);
   pv_reclaim_fini(&f->reclaim, true);
}

static struct pv_object *
add_memory(struct pv_object_table *t, uint64_t id)
{
   struct pv_object *o = pv_object_table_add(t, VK_OBJECT_TYPE_DEVICE_MEMORY, id, 0x1000 + id, 0);
   if (!o)
      return NULL;
   struct state *s = malloc(sizeof(*s));
   if (!s)
      abort();
   s->magic = MAGIC;
   o->data = s;
   o->free_data = free_state;
   return o;
}

struct remover {
   struct pv_object_table *table;
   uint64_t id;
};

static void *
remove_thread(void *p)
{
   struct remover *r = p;
   pv_object_table_remove(r->table, NULL, r->id);
   return NULL;
}

/* Another thread (the transport's, a ring's) removes what this path's command holds. */
static void
remove_elsewhere(struct pv_object_table *t, uint64_t id)
{
   struct remover r = {t, id};
   pthread_t th;
   assert_int_equal(pthread_create(&th, NULL, remove_thread, &r), 0);
   assert_int_equal(pthread_join(th, NULL), 0);
}

static void
held_by_a_running_command_until_it_ends(void **state)
{
   (void)state;
   struct fixture f;
   fixture_init(&f);
   assert_non_null(add_memory(&f.table, MEMORY_ID));
   struct pv_reclaim_reader ring;
   pv_reclaim_join(&f.reclaim, &ring);
   pv_reclaim_enter(&f.reclaim, &ring);
   struct pv_object *o = pv_object_table_find(&f.table, MEMORY_ID, VK_OBJECT_TYPE_DEVICE_MEMORY);
   assert_non_null(o);
   remove_elsewhere(&f.table, MEMORY_ID);
   /* gone for lookups, still valid for the command that found it */
   assert_null(pv_object_table_find(&f.table, MEMORY_ID, VK_OBJECT_TYPE_DEVICE_MEMORY));
   assert_int_equal(atomic_load(&freed), 0);
   assert_int_equal(pv_reclaim_pending(&f.reclaim), 1);
   assert_true(((struct state *)o->data)->magic == MAGIC);
   /* its next command: nothing from before is held any more */
   pv_reclaim_quiesce(&f.reclaim, &ring);
   assert_int_equal(atomic_load(&freed), 1);
   assert_int_equal(pv_reclaim_pending(&f.reclaim), 0);
   pv_reclaim_exit(&f.reclaim, &ring);
   pv_reclaim_leave(&f.reclaim, &ring);
   fixture_fini(&f);
}

static void
freed_when_no_command_may_hold_it(void **state)
{
   (void)state;
   struct fixture f;
   fixture_init(&f);
   struct pv_reclaim_reader self, idle;
   pv_reclaim_join(&f.reclaim, &self);
   pv_reclaim_join(&f.reclaim, &idle); /* a ring between streams holds nothing */
   pv_reclaim_enter(&f.reclaim, &self);
   assert_non_null(add_memory(&f.table, MEMORY_ID));
   struct pv_object *o = pv_object_table_find(&f.table, MEMORY_ID, VK_OBJECT_TYPE_DEVICE_MEMORY);
   assert_non_null(o);
   /* the path that removes it may still look at what its command named (a destroy of several
    * objects walks them all): freed at its next command */
   pv_object_table_remove(&f.table, NULL, MEMORY_ID);
   assert_int_equal(atomic_load(&freed), 0);
   assert_true(((struct state *)o->data)->magic == MAGIC);
   pv_reclaim_quiesce(&f.reclaim, &self);
   assert_int_equal(atomic_load(&freed), 1);
   pv_reclaim_exit(&f.reclaim, &self);
   /* and with no reader inside a command at all */
   assert_non_null(add_memory(&f.table, MEMORY_ID));
   remove_elsewhere(&f.table, MEMORY_ID);
   assert_int_equal(atomic_load(&freed), 2);
   assert_int_equal(pv_reclaim_pending(&f.reclaim), 0);
   pv_reclaim_leave(&f.reclaim, &idle);
   pv_reclaim_leave(&f.reclaim, &self);
   fixture_fini(&f);
}

/* A path that ends its stream (a ring going idle) frees what waited only for it; leaving the
 * domain, and the context's end, free the rest. */
static void
freed_when_the_stream_ends_or_the_context_goes(void **state)
{
   (void)state;
   struct fixture f;
   fixture_init(&f);
   struct pv_reclaim_reader ring;
   pv_reclaim_join(&f.reclaim, &ring);
   pv_reclaim_enter(&f.reclaim, &ring);
   assert_non_null(add_memory(&f.table, MEMORY_ID));
   assert_non_null(add_memory(&f.table, MEMORY_ID + 1));
   remove_elsewhere(&f.table, MEMORY_ID);
   remove_elsewhere(&f.table, MEMORY_ID + 1);
   assert_int_equal(pv_reclaim_pending(&f.reclaim), 2);
   pv_reclaim_exit(&f.reclaim, &ring);
   assert_int_equal(atomic_load(&freed), 2);
   /* kept at the end (a reader stuck inside a command when its context goes) */
   pv_reclaim_enter(&f.reclaim, &ring);
   assert_non_null(add_memory(&f.table, MEMORY_ID));
   remove_elsewhere(&f.table, MEMORY_ID);
   assert_int_equal(atomic_load(&freed), 2);
   pv_reclaim_exit(&f.reclaim, &ring);
   pv_reclaim_leave(&f.reclaim, &ring);
   assert_int_equal(atomic_load(&freed), 3);
   fixture_fini(&f);
}

/* An allocation that finds the quota full frees what only its own command has not moved past
 * (a memory it did not name, freed earlier by its path), not what another command may hold. */
static void
quota_poll_frees_only_what_no_other_command_holds(void **state)
{
   (void)state;
   struct fixture f;
   fixture_init(&f);
   struct pv_reclaim_reader self, other;
   pv_reclaim_join(&f.reclaim, &self);
   pv_reclaim_join(&f.reclaim, &other);
   pv_reclaim_enter(&f.reclaim, &self);
   assert_non_null(add_memory(&f.table, MEMORY_ID));
   pv_object_table_remove(&f.table, NULL, MEMORY_ID);
   assert_int_equal(atomic_load(&freed), 0);
   pv_reclaim_poll(&f.reclaim); /* a plain poll waits for this command too */
   assert_int_equal(atomic_load(&freed), 0);
   pv_reclaim_poll_quota(&f.reclaim);
   assert_int_equal(atomic_load(&freed), 1);
   /* another path inside a command may hold the next one: it stays */
   pv_reclaim_exit(&f.reclaim, &self);
   assert_non_null(add_memory(&f.table, MEMORY_ID));
   pv_reclaim_enter(&f.reclaim, &self);
   /* the other path is inside a command that began before the removal (its own thread) */
   atomic_store(&other.seen, atomic_load(&f.reclaim.epoch));
   pv_object_table_remove(&f.table, NULL, MEMORY_ID);
   pv_reclaim_poll_quota(&f.reclaim);
   assert_int_equal(atomic_load(&freed), 1);
   atomic_store(&other.seen, 0); /* it ends its stream */
   pv_reclaim_poll_quota(&f.reclaim);
   assert_int_equal(atomic_load(&freed), 2);
   pv_reclaim_exit(&f.reclaim, &self);
   pv_reclaim_leave(&f.reclaim, &other);
   pv_reclaim_leave(&f.reclaim, &self);
   fixture_fini(&f);
}

struct race {
   struct fixture *f;
   _Atomic bool done;
   unsigned found;
};

/* A ring: lookups and uses of the state, a command boundary after each, a new stream now and
 * then. */
static void *
lookup_thread(void *p)
{
   struct race *r = p;
   struct pv_reclaim_reader ring;
   pv_reclaim_join(&r->f->reclaim, &ring);
   unsigned n = 0;
   while (!atomic_load(&r->done)) {
      pv_reclaim_enter(&r->f->reclaim, &ring);
      for (int i = 0; i < 64; i++) {
         struct pv_object *o =
            pv_object_table_find(&r->f->table, MEMORY_ID, VK_OBJECT_TYPE_DEVICE_MEMORY);
         /* its state is set just after it enters the table, as a create handler does */
         volatile struct state *s = o ? *(void *volatile *)&o->data : NULL;
         if (s) {
            for (int k = 0; k < 16; k++) /* a command's worth of uses */
               if (s->magic != MAGIC)
                  abort();
            n++;
         }
         pv_reclaim_quiesce(&r->f->reclaim, &ring);
      }
      pv_reclaim_exit(&r->f->reclaim, &ring);
   }
   pv_reclaim_leave(&r->f->reclaim, &ring);
   r->found = n;
   return NULL;
}

static void
lookups_racing_removals_never_read_freed_state(void **state)
{
   (void)state;
   struct fixture f;
   fixture_init(&f);
   struct race r = {.f = &f};
   atomic_init(&r.done, false);
   pthread_t th[2];
   for (int i = 0; i < 2; i++)
      assert_int_equal(pthread_create(&th[i], NULL, lookup_thread, &r), 0);
   const unsigned rounds = 20000;
   for (unsigned i = 0; i < rounds; i++) {
      assert_non_null(add_memory(&f.table, MEMORY_ID));
      pv_object_table_remove(&f.table, NULL, MEMORY_ID);
   }
   atomic_store(&r.done, true);
   for (int i = 0; i < 2; i++)
      assert_int_equal(pthread_join(th[i], NULL), 0);
   assert_int_equal(atomic_load(&freed), rounds);
   assert_int_equal(pv_reclaim_pending(&f.reclaim), 0);
   print_message("lookups that found the object: %u\n", r.found);
   fixture_fini(&f);
}

/* Items that note the order they run in and whether another ran beside them. */
struct ordered_item {
   struct pv_reclaim_item item;
   unsigned index;
};

static _Atomic unsigned ran, beside;
static _Atomic bool in_item;

static void
ordered_run(struct pv_context *ctx, struct pv_reclaim_item *item)
{
   (void)ctx;
   struct ordered_item *o = (struct ordered_item *)item;
   if (atomic_exchange(&in_item, true))
      atomic_fetch_add(&beside, 1);
   struct timespec ts = {0, 2000000}; /* long enough for the other path to poll meanwhile */
   nanosleep(&ts, NULL);
   if (atomic_load(&ran) != o->index)
      atomic_fetch_add(&beside, 1); /* out of order */
   atomic_fetch_add(&ran, 1);
   atomic_store(&in_item, false);
}

struct leaver {
   struct pv_reclaim *r;
   struct pv_reclaim_reader *rd;
};

static void *
leave_thread(void *p)
{
   struct leaver *l = p;
   pv_reclaim_exit(l->r, l->rd);
   pv_reclaim_leave(l->r, l->rd);
   return NULL;
}

/* Two paths whose commands end at once each find items ready (the first the older half, the
 * second the rest): they run one at a time, oldest first, as a device's destroy must come after
 * its wait for the GPU and its children's destroys (src/vk/device.c). */
static void
items_run_in_order_on_one_thread_at_a_time(void **state)
{
   (void)state;
   struct pv_reclaim r;
   pv_reclaim_init(&r, NULL);
   struct pv_reclaim_reader first, second;
   pv_reclaim_join(&r, &first);
   pv_reclaim_join(&r, &second);
   enum { N = 8 };
   struct ordered_item items[N];
   atomic_store(&ran, 0), atomic_store(&beside, 0), atomic_store(&in_item, false);
   pv_reclaim_enter(&r, &first);
   for (unsigned i = 0; i < N / 2; i++) {
      items[i] = (struct ordered_item){.item.free = ordered_run, .index = i};
      pv_reclaim_defer(&r, &items[i].item);
   }
   pv_reclaim_enter(&r, &second); /* after the first half: holds only the second */
   for (unsigned i = N / 2; i < N; i++) {
      items[i] = (struct ordered_item){.item.free = ordered_run, .index = i};
      pv_reclaim_defer(&r, &items[i].item);
   }
   /* the first ends (the older half is ready), then the second while those still run */
   struct leaver a = {&r, &first}, b = {&r, &second};
   pthread_t ta, tb;
   assert_int_equal(pthread_create(&ta, NULL, leave_thread, &a), 0);
   struct timespec ts = {0, 3000000};
   nanosleep(&ts, NULL);
   assert_int_equal(pthread_create(&tb, NULL, leave_thread, &b), 0);
   assert_int_equal(pthread_join(ta, NULL), 0);
   assert_int_equal(pthread_join(tb, NULL), 0);
   pv_reclaim_fini(&r, true);
   assert_int_equal(atomic_load(&ran), N);
   assert_int_equal(atomic_load(&beside), 0);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(held_by_a_running_command_until_it_ends),
      cmocka_unit_test(freed_when_no_command_may_hold_it),
      cmocka_unit_test(freed_when_the_stream_ends_or_the_context_goes),
      cmocka_unit_test(quota_poll_frees_only_what_no_other_command_holds),
      cmocka_unit_test(lookups_racing_removals_never_read_freed_state),
      cmocka_unit_test(items_run_in_order_on_one_thread_at_a_time),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
