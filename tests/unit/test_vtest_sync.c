/* SPDX-License-Identifier: MIT */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "vtest/vtest_protocol.h"
#include "vtest/vtest_sync.h"

static bool
readable(int fd)
{
   struct pollfd p = {.fd = fd, .events = POLLIN};
   return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static void
create_read_write_unref(void **state)
{
   (void)state;
   struct vtest_sync_table t;
   vtest_sync_table_init(&t);
   uint32_t id = vtest_sync_create(&t, 5);
   assert_int_not_equal(id, 0);
   uint64_t v = 0;
   assert_true(vtest_sync_read(&t, id, &v));
   assert_int_equal(v, 5);
   assert_true(vtest_sync_write(&t, id, 1ull << 40));
   assert_true(vtest_sync_read(&t, id, &v));
   assert_int_equal(v, 1ull << 40);
   /* A lower value is a reset: stored as is. */
   assert_true(vtest_sync_write(&t, id, 2));
   assert_true(vtest_sync_read(&t, id, &v));
   assert_int_equal(v, 2);
   assert_true(vtest_sync_unref(&t, id));
   assert_false(vtest_sync_unref(&t, id));
   assert_false(vtest_sync_read(&t, id, &v));
   assert_false(vtest_sync_write(&t, 12345, 1));
   vtest_sync_table_fini(&t);
}

static void
wait_already_satisfied_is_readable(void **state)
{
   (void)state;
   struct vtest_sync_table t;
   vtest_sync_table_init(&t);
   uint32_t id = vtest_sync_create(&t, 3);
   struct vtest_wait_entry e = {id, 3};
   bool bad;
   int fd = vtest_sync_wait(&t, false, VCMD_SYNC_WAIT_INFINITE, &e, 1, &bad);
   assert_true(fd >= 0);
   assert_true(readable(fd));
   assert_int_equal(t.wait_count, 0);
   close(fd);
   vtest_sync_table_fini(&t);
}

static void
pending_wait_signaled_by_write(void **state)
{
   (void)state;
   struct vtest_sync_table t;
   vtest_sync_table_init(&t);
   uint32_t a = vtest_sync_create(&t, 0), b = vtest_sync_create(&t, 0);
   struct vtest_wait_entry e[2] = {{a, 1}, {b, 2}};
   bool bad;
   int fd = vtest_sync_wait(&t, false, VCMD_SYNC_WAIT_INFINITE, e, 2, &bad);
   assert_true(fd >= 0);
   assert_false(readable(fd));
   /* The guest may drop its ids while the wait is pending; the wait keeps the syncs. */
   assert_true(vtest_sync_write(&t, a, 1));
   vtest_sync_settle(&t);
   assert_false(readable(fd));
   assert_true(vtest_sync_write(&t, b, 2));
   /* writes only store: the waits are looked at once per settle (a submission's syncs) */
   assert_false(readable(fd));
   assert_int_equal(t.wait_count, 1);
   vtest_sync_settle(&t);
   assert_true(readable(fd));
   assert_int_equal(t.wait_count, 0);
   assert_int_equal(t.entry_count, 0);
   close(fd);
   vtest_sync_table_fini(&t);
}

static void
wait_any(void **state)
{
   (void)state;
   struct vtest_sync_table t;
   vtest_sync_table_init(&t);
   uint32_t a = vtest_sync_create(&t, 0), b = vtest_sync_create(&t, 0);
   struct vtest_wait_entry e[2] = {{a, 1}, {b, 1}};
   bool bad;
   int fd = vtest_sync_wait(&t, true, 1000, e, 2, &bad);
   assert_false(readable(fd));
   assert_true(vtest_sync_write(&t, b, 7));
   vtest_sync_settle(&t);
   assert_true(readable(fd));
   close(fd);
   vtest_sync_table_fini(&t);
}

static void
unknown_id_and_limits(void **state)
{
   (void)state;
   struct vtest_sync_table t;
   vtest_sync_table_init(&t);
   struct vtest_wait_entry e = {99, 1};
   bool bad;
   assert_int_equal(vtest_sync_wait(&t, false, 0, &e, 1, &bad), -1);
   assert_true(bad);
   assert_int_equal(vtest_sync_wait(&t, false, 0, &e, VTEST_MAX_WAIT_ENTRIES + 1, &bad), -1);
   assert_false(bad);
   vtest_sync_table_fini(&t);
}

/* What one settle looks at is bounded for all pending waits together: a guest cannot make each
 * sync it signals scan millions of entries (SECURITY.md). */
static void
pending_entries_are_bounded(void **state)
{
   (void)state;
   struct vtest_sync_table t;
   vtest_sync_table_init(&t);
   uint32_t a = vtest_sync_create(&t, 0);
   struct vtest_wait_entry *e = calloc(VTEST_MAX_WAIT_ENTRIES, sizeof(*e));
   assert_non_null(e);
   for (uint32_t i = 0; i < VTEST_MAX_WAIT_ENTRIES; i++)
      e[i] = (struct vtest_wait_entry){a, 1};
   bool bad;
   int fds[VTEST_MAX_PENDING_ENTRIES / VTEST_MAX_WAIT_ENTRIES];
   for (uint32_t i = 0; i < VTEST_MAX_PENDING_ENTRIES / VTEST_MAX_WAIT_ENTRIES; i++) {
      fds[i] = vtest_sync_wait(&t, false, VCMD_SYNC_WAIT_INFINITE, e, VTEST_MAX_WAIT_ENTRIES, &bad);
      assert_true(fds[i] >= 0);
   }
   assert_int_equal(t.entry_count, VTEST_MAX_PENDING_ENTRIES);
   /* one entry more is refused, though far fewer waits than max_waits are pending */
   assert_int_equal(vtest_sync_wait(&t, false, VCMD_SYNC_WAIT_INFINITE, e, 1, &bad), -1);
   assert_false(bad);
   /* completed waits give their entries back */
   assert_true(vtest_sync_write(&t, a, 1));
   vtest_sync_settle(&t);
   assert_int_equal(t.entry_count, 0);
   int fd = vtest_sync_wait(&t, false, VCMD_SYNC_WAIT_INFINITE, e, 1, &bad);
   assert_true(fd >= 0 && readable(fd)); /* already satisfied */
   close(fd);
   for (uint32_t i = 0; i < VTEST_MAX_PENDING_ENTRIES / VTEST_MAX_WAIT_ENTRIES; i++) {
      assert_true(readable(fds[i]));
      close(fds[i]);
   }
   free(e);
   vtest_sync_table_fini(&t);
}

static void
unref_with_pending_wait_frees_everything(void **state)
{
   (void)state;
   struct vtest_sync_table t;
   vtest_sync_table_init(&t);
   uint32_t a = vtest_sync_create(&t, 0);
   struct vtest_wait_entry e = {a, 1};
   bool bad;
   int fd = vtest_sync_wait(&t, false, VCMD_SYNC_WAIT_INFINITE, &e, 1, &bad);
   assert_true(vtest_sync_unref(&t, a));
   assert_int_equal(t.wait_count, 1);
   close(fd);
   /* fini must free the pending wait and the sync it still holds (LeakSanitizer checks). */
   vtest_sync_table_fini(&t);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_read_write_unref),
      cmocka_unit_test(wait_already_satisfied_is_readable),
      cmocka_unit_test(pending_wait_signaled_by_write),
      cmocka_unit_test(pending_entries_are_bounded),
      cmocka_unit_test(wait_any),
      cmocka_unit_test(unknown_id_and_limits),
      cmocka_unit_test(unref_with_pending_wait_frees_everything),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
