/* SPDX-License-Identifier: MIT */
#include "vtest/vtest_sync.h"

#include <stdlib.h>
#include <unistd.h>

#include "util/os.h"
#include "vtest/vtest_protocol.h"

struct vtest_sync {
   uint32_t refs; /* the id table's, plus one per wait entry */
   uint64_t value;
};

struct vtest_wait {
   struct vtest_wait *next;
   struct pv_os_event event;
   bool any;
   uint64_t deadline_ns; /* 0 = none */
   uint32_t count;
   struct {
      struct vtest_sync *sync;
      uint64_t value;
   } entries[];
};

static void
sync_unref(struct vtest_sync *s)
{
   if (--s->refs == 0)
      free(s);
}

void
vtest_sync_table_init(struct vtest_sync_table *t)
{
   pv_id_table_init(&t->syncs);
   t->next_id = 1;
   t->waits = NULL;
   t->wait_count = 0;
   t->entry_count = 0;
   t->raised = false;
   t->max_waits = VTEST_MAX_PENDING_WAITS;
}

static void
wait_destroy(struct vtest_wait *w)
{
   for (uint32_t i = 0; i < w->count; i++)
      sync_unref(w->entries[i].sync);
   pv_os_event_fini(&w->event);
   free(w);
}

static void
unref_cb(uint64_t key, void *value, void *data)
{
   (void)key;
   (void)data;
   sync_unref(value);
}

void
vtest_sync_table_fini(struct vtest_sync_table *t)
{
   while (t->waits) {
      struct vtest_wait *w = t->waits;
      t->waits = w->next;
      wait_destroy(w);
   }
   pv_id_table_foreach(&t->syncs, unref_cb, NULL);
   pv_id_table_fini(&t->syncs);
}

uint32_t
vtest_sync_create(struct vtest_sync_table *t, uint64_t value)
{
   if (t->syncs.count >= VTEST_MAX_SYNCS)
      return 0;
   struct vtest_sync *s = calloc(1, sizeof(*s));
   if (!s)
      return 0;
   s->refs = 1;
   s->value = value;
   /* Ids wrap after 2^32 creations; skip 0 and any id still in use. */
   for (;;) {
      uint32_t id = t->next_id++;
      if (id == 0)
         continue;
      if (pv_id_table_insert(&t->syncs, id, s))
         return id;
      if (pv_id_table_get(&t->syncs, id) == NULL) {
         free(s);
         return 0; /* out of memory */
      }
   }
}

bool
vtest_sync_unref(struct vtest_sync_table *t, uint32_t id)
{
   struct vtest_sync *s = pv_id_table_remove(&t->syncs, id);
   if (!s)
      return false;
   sync_unref(s);
   return true;
}

bool
vtest_sync_read(struct vtest_sync_table *t, uint32_t id, uint64_t *value)
{
   struct vtest_sync *s = pv_id_table_get(&t->syncs, id);
   if (!s)
      return false;
   *value = s->value;
   return true;
}

static bool
wait_satisfied(const struct vtest_wait *w)
{
   for (uint32_t i = 0; i < w->count; i++) {
      bool done = w->entries[i].sync->value >= w->entries[i].value;
      if (w->any && done)
         return true;
      if (!w->any && !done)
         return false;
   }
   return !w->any || w->count == 0;
}

/* Completes satisfied waits and drops expired ones (whose guest stopped polling by now). */
static void
update_waits(struct vtest_sync_table *t)
{
   uint64_t now = pv_os_time_ns();
   for (struct vtest_wait **link = &t->waits; *link;) {
      struct vtest_wait *w = *link;
      bool satisfied = wait_satisfied(w);
      if (satisfied)
         pv_os_event_signal(&w->event);
      if (satisfied || (w->deadline_ns && now >= w->deadline_ns)) {
         *link = w->next;
         t->wait_count--;
         t->entry_count -= w->count;
         wait_destroy(w);
      } else {
         link = &w->next;
      }
   }
}

bool
vtest_sync_write(struct vtest_sync_table *t, uint32_t id, uint64_t value)
{
   struct vtest_sync *s = pv_id_table_get(&t->syncs, id);
   if (!s)
      return false;
   t->raised |= value > s->value;
   s->value = value;
   return true;
}

void
vtest_sync_settle(struct vtest_sync_table *t)
{
   if (!t->raised)
      return;
   t->raised = false;
   update_waits(t);
}

int
vtest_sync_wait(struct vtest_sync_table *t, bool any, uint32_t timeout_ms,
                const struct vtest_wait_entry *entries, uint32_t count, bool *bad_id)
{
   *bad_id = false;
   if (count > VTEST_MAX_WAIT_ENTRIES || t->wait_count >= t->max_waits ||
       count > VTEST_MAX_PENDING_ENTRIES - t->entry_count)
      return -1;
   struct vtest_wait *w = calloc(1, sizeof(*w) + (size_t)count * sizeof(w->entries[0]));
   if (!w)
      return -1;
   w->any = any;
   if (pv_os_event_init(&w->event)) {
      free(w);
      return -1;
   }
   for (uint32_t i = 0; i < count; i++) {
      struct vtest_sync *s = pv_id_table_get(&t->syncs, entries[i].sync_id);
      if (!s) {
         *bad_id = true;
         wait_destroy(w);
         return -1;
      }
      s->refs++;
      w->entries[i].sync = s;
      w->entries[i].value = entries[i].value;
      w->count = i + 1;
   }
   int guest_fd = dup(w->event.poll_fd);
   if (guest_fd < 0) {
      wait_destroy(w);
      return -1;
   }
   if (wait_satisfied(w)) {
      pv_os_event_signal(&w->event);
      wait_destroy(w);
   } else if (timeout_ms == 0) {
      wait_destroy(w);
   } else {
      if (timeout_ms != VCMD_SYNC_WAIT_INFINITE)
         w->deadline_ns = pv_os_time_ns() + (uint64_t)timeout_ms * 1000000ull;
      w->next = t->waits;
      t->waits = w;
      t->wait_count++;
      t->entry_count += w->count;
   }
   return guest_fd;
}
