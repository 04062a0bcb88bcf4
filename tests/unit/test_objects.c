/* SPDX-License-Identifier: MIT */
/* The per-context object table (src/renderer/objects.c): children, teardown cost, lookup cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "renderer/objects.h"

enum { DEVICE = 1, POOL = 2, CMD_A = 3, CMD_B = 4, FIRST_SEM = 100 };

static void
add(struct pv_object_table *t, int32_t type, uint64_t id, uint64_t parent)
{
   assert_non_null(pv_object_table_add(t, type, id, 0x1000 + id, parent));
}

static void
children_go_with_their_parent(void **state)
{
   (void)state;
   struct pv_object_table t;
   pv_object_table_init(&t);
   add(&t, VK_OBJECT_TYPE_DEVICE, DEVICE, 0);
   add(&t, VK_OBJECT_TYPE_COMMAND_POOL, POOL, DEVICE);
   add(&t, VK_OBJECT_TYPE_COMMAND_BUFFER, CMD_A, POOL);
   add(&t, VK_OBJECT_TYPE_COMMAND_BUFFER, CMD_B, POOL);
   add(&t, VK_OBJECT_TYPE_SEMAPHORE, FIRST_SEM, DEVICE);
   /* a leaf object has no children: nothing else goes */
   pv_object_table_remove_children(&t, NULL, FIRST_SEM, -1);
   assert_int_equal(pv_object_table_count(&t), 5);
   /* a pool's command buffers */
   pv_object_table_remove_children(&t, NULL, POOL, VK_OBJECT_TYPE_COMMAND_BUFFER);
   assert_int_equal(pv_object_table_count(&t), 3);
   assert_null(pv_object_table_find(&t, CMD_A, VK_OBJECT_TYPE_COMMAND_BUFFER));
   /* a device's children and grandchildren */
   add(&t, VK_OBJECT_TYPE_COMMAND_BUFFER, CMD_A, POOL);
   pv_object_table_remove_children(&t, NULL, DEVICE, -1);
   assert_int_equal(pv_object_table_count(&t), 1);
   assert_non_null(pv_object_table_find(&t, DEVICE, VK_OBJECT_TYPE_DEVICE));
   pv_object_table_fini(&t, NULL);
}

/* A command's destroy removes the object it named, not a later one another ring made under the
 * same guest id (a lookup by id, or by a host handle the driver reused, could find that one). */
static void
remove_exact_leaves_a_reused_id(void **state)
{
   (void)state;
   struct pv_object_table t;
   pv_object_table_init(&t);
   add(&t, VK_OBJECT_TYPE_SEMAPHORE, FIRST_SEM, 0);
   struct pv_object old = *pv_object_table_find(&t, FIRST_SEM, VK_OBJECT_TYPE_SEMAPHORE);
   pv_object_table_remove(&t, NULL, FIRST_SEM);
   add(&t, VK_OBJECT_TYPE_SEMAPHORE, FIRST_SEM, 0); /* the id named again */
   pv_object_table_remove_exact(&t, NULL, &old);
   assert_non_null(pv_object_table_find(&t, FIRST_SEM, VK_OBJECT_TYPE_SEMAPHORE));
   struct pv_object now = *pv_object_table_find(&t, FIRST_SEM, VK_OBJECT_TYPE_SEMAPHORE);
   pv_object_table_remove_exact(&t, NULL, &now);
   assert_null(pv_object_table_find(&t, FIRST_SEM, VK_OBJECT_TYPE_SEMAPHORE));
   pv_object_table_fini(&t, NULL);
}

/* Orphans of a parent that is already gone are still found. */
static void
orphans_of_a_removed_parent(void **state)
{
   (void)state;
   struct pv_object_table t;
   pv_object_table_init(&t);
   add(&t, VK_OBJECT_TYPE_COMMAND_POOL, POOL, 0);
   add(&t, VK_OBJECT_TYPE_COMMAND_BUFFER, CMD_A, POOL);
   pv_object_table_remove(&t, NULL, POOL);
   pv_object_table_remove_children(&t, NULL, POOL, -1);
   assert_int_equal(pv_object_table_count(&t), 0);
   pv_object_table_fini(&t, NULL);
}

/* The per-stream lookup cache answers what the table answers, also after removals and id
 * reuse (the guest may destroy an object and create another with the same id and a new type). */
static void
cached_lookups_follow_the_table(void **state)
{
   (void)state;
   struct pv_object_table t;
   pv_object_table_init(&t);
   struct pv_object_cache cache = {0};
   add(&t, VK_OBJECT_TYPE_COMMAND_BUFFER, CMD_A, 0);
   struct pv_object *a =
      pv_object_table_find_cached(&t, &cache, CMD_A, VK_OBJECT_TYPE_COMMAND_BUFFER);
   assert_non_null(a);
   assert_ptr_equal(pv_object_table_find_cached(&t, &cache, CMD_A, VK_OBJECT_TYPE_COMMAND_BUFFER),
                    a);
   /* the type still decides */
   assert_null(pv_object_table_find_cached(&t, &cache, CMD_A, VK_OBJECT_TYPE_SEMAPHORE));
   assert_ptr_equal(pv_object_table_find_cached(&t, &cache, CMD_A, VK_OBJECT_TYPE_COMMAND_BUFFER),
                    a);
   /* gone: the cached pointer must not be returned */
   pv_object_table_remove(&t, NULL, CMD_A);
   assert_null(pv_object_table_find_cached(&t, &cache, CMD_A, VK_OBJECT_TYPE_COMMAND_BUFFER));
   /* the id again, as another object */
   add(&t, VK_OBJECT_TYPE_SEMAPHORE, CMD_A, 0);
   assert_null(pv_object_table_find_cached(&t, &cache, CMD_A, VK_OBJECT_TYPE_COMMAND_BUFFER));
   struct pv_object *sem = pv_object_table_find_cached(&t, &cache, CMD_A, VK_OBJECT_TYPE_SEMAPHORE);
   assert_non_null(sem);
   assert_int_equal(sem->host, 0x1000 + CMD_A);
   /* a removal of another object also ends what was cached (one generation per table) */
   add(&t, VK_OBJECT_TYPE_COMMAND_BUFFER, CMD_B, 0);
   pv_object_table_remove(&t, NULL, CMD_B);
   assert_ptr_equal(pv_object_table_find_cached(&t, &cache, CMD_A, VK_OBJECT_TYPE_SEMAPHORE), sem);
   pv_object_table_fini(&t, NULL);
}

/* Guest ids are often heap pointers: aligned (low bits zero) and close together. The few a
 * recording loop alternates between (command buffers, a pipeline layout, a device) must all
 * stay cached at once, or every command takes the table's lock (the old 8-slot cache indexed
 * by the low bits put every id of this test in one slot). */
static void
cache_keeps_neighbouring_pointer_ids(void **state)
{
   (void)state;
   struct pv_object_table t;
   pv_object_table_init(&t);
   struct pv_object_cache cache = {0};
   static const uint64_t base[] = {UINT64_C(0x55d0c0de1000), UINT64_C(0x7f3a12340000),
                                   UINT64_C(0x10000)};
   for (size_t b = 0; b < sizeof(base) / sizeof(base[0]); b++) {
      uint64_t ids[4];
      for (int i = 0; i < 4; i++) {
         ids[i] = base[b] + (uint64_t)i * 0x40;
         add(&t, VK_OBJECT_TYPE_COMMAND_BUFFER, ids[i], 0);
         assert_non_null(
            pv_object_table_find_cached(&t, &cache, ids[i], VK_OBJECT_TYPE_COMMAND_BUFFER));
      }
      for (int round = 0; round < 2; round++)
         for (int i = 0; i < 4; i++)
            assert_non_null(
               pv_object_cache_peek(&t, &cache, ids[i], VK_OBJECT_TYPE_COMMAND_BUFFER));
   }
   pv_object_table_fini(&t, NULL);
}

/* Tearing down 100000 leaf objects one by one, as teardown.c and the destroy hook do (children
 * first, then the object), is linear: it used to scan the whole table per object. */
static void
many_leaves_are_removed_fast(void **state)
{
   (void)state;
   const uint64_t n = 100000;
   struct pv_object_table t;
   pv_object_table_init(&t);
   add(&t, VK_OBJECT_TYPE_DEVICE, DEVICE, 0);
   for (uint64_t i = 0; i < n; i++)
      add(&t, VK_OBJECT_TYPE_SEMAPHORE, FIRST_SEM + i, DEVICE);
   uint64_t *ids;
   size_t count = pv_object_table_list_children(&t, DEVICE, VK_OBJECT_TYPE_SEMAPHORE, &ids);
   assert_int_equal(count, n);
   for (size_t i = 0; i < count; i++) {
      pv_object_table_remove_children(&t, NULL, ids[i], -1);
      pv_object_table_remove(&t, NULL, ids[i]);
   }
   free(ids);
   assert_int_equal(pv_object_table_count(&t), 1);
   pv_object_table_fini(&t, NULL);
}

/* Objects a lost context keeps for itself (src/vk/lost.c): found by id, never by host handle 0,
 * in no way confused with a backed object, removable; ids stay unique across both kinds. */
static void
unbacked_objects(void **state)
{
   (void)state;
   struct pv_object_table t;
   pv_object_table_init(&t);
   add(&t, VK_OBJECT_TYPE_DEVICE, DEVICE, 0);
   add(&t, VK_OBJECT_TYPE_BUFFER, CMD_A, DEVICE);
   assert_null(pv_object_table_add(&t, VK_OBJECT_TYPE_BUFFER, CMD_B, 0, DEVICE));
   assert_null(pv_object_table_add_unbacked(&t, VK_OBJECT_TYPE_BUFFER, 0, DEVICE));
   assert_null(pv_object_table_add_unbacked(&t, VK_OBJECT_TYPE_BUFFER, CMD_A, DEVICE));
   struct pv_object *o = pv_object_table_add_unbacked(&t, VK_OBJECT_TYPE_BUFFER, CMD_B, DEVICE);
   assert_non_null(o);
   assert_int_equal(o->host, 0);
   assert_ptr_equal(pv_object_table_find(&t, CMD_B, VK_OBJECT_TYPE_BUFFER), o);
   assert_null(pv_object_table_find_host(&t, VK_OBJECT_TYPE_BUFFER, 0));
   assert_non_null(pv_object_table_find_host(&t, VK_OBJECT_TYPE_BUFFER, 0x1000 + CMD_A));
   assert_null(pv_object_table_add(&t, VK_OBJECT_TYPE_BUFFER, CMD_B, 0x2000, DEVICE));
   pv_object_table_remove(&t, NULL, CMD_B);
   assert_null(pv_object_table_find(&t, CMD_B, VK_OBJECT_TYPE_BUFFER));
   /* the backed neighbour is still found both ways */
   assert_non_null(pv_object_table_find_host(&t, VK_OBJECT_TYPE_BUFFER, 0x1000 + CMD_A));
   assert_non_null(pv_object_table_add_unbacked(&t, VK_OBJECT_TYPE_BUFFER, CMD_B, DEVICE));
   pv_object_table_remove_children(&t, NULL, DEVICE, -1);
   assert_int_equal(pv_object_table_count(&t), 1);
   pv_object_table_fini(&t, NULL);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(children_go_with_their_parent),
      cmocka_unit_test(orphans_of_a_removed_parent),
      cmocka_unit_test(remove_exact_leaves_a_reused_id),
      cmocka_unit_test(cached_lookups_follow_the_table),
      cmocka_unit_test(cache_keeps_neighbouring_pointer_ids),
      cmocka_unit_test(many_leaves_are_removed_fast),
      cmocka_unit_test(unbacked_objects),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
