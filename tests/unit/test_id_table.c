/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "util/id_table.h"

static void
insert_get_remove(void **state)
{
   (void)state;
   struct pv_id_table t;
   pv_id_table_init(&t);
   int a, b;
   assert_true(pv_id_table_insert(&t, 7, &a));
   assert_true(pv_id_table_insert(&t, 0x55bf2deacdf0ull, &b));
   assert_ptr_equal(pv_id_table_get(&t, 7), &a);
   assert_ptr_equal(pv_id_table_get(&t, 0x55bf2deacdf0ull), &b);
   assert_null(pv_id_table_get(&t, 8));
   assert_ptr_equal(pv_id_table_remove(&t, 7), &a);
   assert_null(pv_id_table_get(&t, 7));
   assert_null(pv_id_table_remove(&t, 7));
   assert_int_equal(t.count, 1);
   pv_id_table_fini(&t);
}

static void
rejects_reserved_and_duplicate_keys(void **state)
{
   (void)state;
   struct pv_id_table t;
   pv_id_table_init(&t);
   int a;
   assert_false(pv_id_table_insert(&t, 0, &a));
   assert_false(pv_id_table_insert(&t, UINT64_MAX, &a));
   assert_true(pv_id_table_insert(&t, 1, &a));
   assert_false(pv_id_table_insert(&t, 1, &a));
   assert_null(pv_id_table_get(&t, 0));
   pv_id_table_fini(&t);
}

static void
many_entries_with_churn(void **state)
{
   (void)state;
   struct pv_id_table t;
   pv_id_table_init(&t);
   /* Insert and remove far more keys than the table ever holds, so tombstones pile up and the
    * table has to clean them out to keep lookups terminating. */
   for (uintptr_t round = 0; round < 50; round++) {
      for (uintptr_t i = 1; i <= 1000; i++)
         assert_true(pv_id_table_insert(&t, round * 100000 + i, (void *)i));
      for (uintptr_t i = 1; i <= 1000; i++)
         assert_ptr_equal(pv_id_table_get(&t, round * 100000 + i), (void *)i);
      for (uintptr_t i = 1; i <= 1000; i++)
         assert_ptr_equal(pv_id_table_remove(&t, round * 100000 + i), (void *)i);
   }
   assert_int_equal(t.count, 0);
   assert_true(t.capacity <= 4096);
   pv_id_table_fini(&t);
}

static void
count_cb(uint64_t key, void *value, void *data)
{
   (void)value;
   *(uint64_t *)data += key;
}

static void
foreach_visits_live_entries(void **state)
{
   (void)state;
   struct pv_id_table t;
   pv_id_table_init(&t);
   for (uint64_t i = 1; i <= 10; i++)
      assert_true(pv_id_table_insert(&t, i, &t));
   pv_id_table_remove(&t, 10);
   uint64_t sum = 0;
   pv_id_table_foreach(&t, count_cb, &sum);
   assert_int_equal(sum, 45);
   pv_id_table_fini(&t);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(insert_get_remove),
      cmocka_unit_test(rejects_reserved_and_duplicate_keys),
      cmocka_unit_test(many_entries_with_churn),
      cmocka_unit_test(foreach_visits_live_entries),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
