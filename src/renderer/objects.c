/* SPDX-License-Identifier: MIT */
/*
 * The per-context object table: guest id -> {type, host handle, parent}. Two indexes: by guest id
 * (every lookup while decoding) and by host handle (the generated destroy handlers report the
 * host handle they destroyed). Host handles of different types may be equal on some drivers, so
 * the host index chains objects that share a handle value and the type decides.
 * One mutex: the transport thread and ring threads look objects up concurrently.
 */
#include <stddef.h>
#include <stdlib.h>

#include "renderer/objects.h"
#include "util/log.h"

struct pv_object_entry {
   struct pv_object obj;               /* first: the public part */
   struct pv_object_entry *next_same_host;
   struct pv_reclaim_item removed; /* once out of the table, until no path may hold it */
};

void
pv_object_table_init(struct pv_object_table *t)
{
   pv_id_table_init(&t->by_id);
   pv_id_table_init(&t->by_host);
   pthread_mutex_init(&t->lock, NULL);
   atomic_init(&t->generation, 1); /* a zeroed cache slot never matches */
   t->reclaim = NULL;
   for (unsigned i = 0; i < PV_STATS_OBJECT_SLOTS; i++)
      atomic_init(&t->by_type[i], 0);
}

void
pv_object_table_set_reclaim(struct pv_object_table *t, struct pv_reclaim *r)
{
   t->reclaim = r;
}

static void
free_entry_cb(uint64_t key, void *value, void *data)
{
   (void)key;
   struct pv_object_entry *e = value;
   if (e->obj.free_data)
      e->obj.free_data(data, &e->obj);
   free(e);
}

void
pv_object_table_fini(struct pv_object_table *t, struct pv_context *ctx)
{
   pv_id_table_foreach(&t->by_id, free_entry_cb, ctx);
   pv_id_table_fini(&t->by_id);
   pv_id_table_fini(&t->by_host);
   pthread_mutex_destroy(&t->lock);
}

static struct pv_object_entry *
find_host_locked(struct pv_object_table *t, int32_t type, uint64_t host)
{
   for (struct pv_object_entry *e = pv_id_table_get(&t->by_host, host); e; e = e->next_same_host)
      if (e->obj.type == type)
         return e;
   return NULL;
}

struct pv_object *
pv_object_table_find(struct pv_object_table *t, uint64_t id, int32_t type)
{
   if (id == 0)
      return NULL;
   pthread_mutex_lock(&t->lock);
   struct pv_object_entry *e = pv_id_table_get(&t->by_id, id);
   pthread_mutex_unlock(&t->lock);
   return e && e->obj.type == type ? &e->obj : NULL;
}

struct pv_object *
pv_object_table_find_host(struct pv_object_table *t, int32_t type, uint64_t host)
{
   if (host == 0)
      return NULL;
   pthread_mutex_lock(&t->lock);
   struct pv_object_entry *e = find_host_locked(t, type, host);
   pthread_mutex_unlock(&t->lock);
   return e ? &e->obj : NULL;
}

static bool
link_host_locked(struct pv_object_table *t, struct pv_object_entry *e)
{
   struct pv_object_entry *head = pv_id_table_get(&t->by_host, e->obj.host);
   if (!head)
      return pv_id_table_insert(&t->by_host, e->obj.host, e);
   e->next_same_host = head->next_same_host;
   head->next_same_host = e;
   return true;
}

static void
unlink_host_locked(struct pv_object_table *t, struct pv_object_entry *e)
{
   struct pv_object_entry *head = pv_id_table_get(&t->by_host, e->obj.host);
   if (head == e) {
      pv_id_table_remove(&t->by_host, e->obj.host);
      if (e->next_same_host)
         pv_id_table_insert(&t->by_host, e->obj.host, e->next_same_host);
      return;
   }
   for (struct pv_object_entry *p = head; p; p = p->next_same_host) {
      if (p->next_same_host == e) {
         p->next_same_host = e->next_same_host;
         return;
      }
   }
}

/* host 0: an object without a host object (pv_object_table_add_unbacked), in no host index */
static struct pv_object *
add_entry(struct pv_object_table *t, int32_t type, uint64_t id, uint64_t host, uint64_t parent)
{
   struct pv_object_entry *e = calloc(1, sizeof(*e));
   if (!e)
      return NULL;
   e->obj = (struct pv_object){.id = id, .type = type, .host = host, .parent = parent};
   pthread_mutex_lock(&t->lock);
   e->obj.serial = ++t->next_serial;
   bool ok = pv_id_table_insert(&t->by_id, id, e);
   if (ok && host && !link_host_locked(t, e)) {
      pv_id_table_remove(&t->by_id, id);
      ok = false;
   }
   if (ok)
      pv_stat_add(&t->by_type[pv_object_stats_slot(type)], 1);
   pthread_mutex_unlock(&t->lock);
   if (!ok) {
      free(e);
      return NULL;
   }
   return &e->obj;
}

struct pv_object *
pv_object_table_add(struct pv_object_table *t, int32_t type, uint64_t id, uint64_t host,
                    uint64_t parent)
{
   return id && host ? add_entry(t, type, id, host, parent) : NULL;
}

struct pv_object *
pv_object_table_add_unbacked(struct pv_object_table *t, int32_t type, uint64_t id, uint64_t parent)
{
   return id ? add_entry(t, type, id, 0, parent) : NULL;
}

/* Takes the entry out of both indexes when its serial is at most `max_serial` (an entry made
 * later under a reused id stays); the caller frees it outside the lock. */
static struct pv_object_entry *
detach_locked(struct pv_object_table *t, uint64_t id, uint64_t max_serial)
{
   struct pv_object_entry *e = pv_id_table_get(&t->by_id, id);
   if (e && e->obj.serial > max_serial)
      return NULL;
   if (e) {
      pv_id_table_remove(&t->by_id, id);
      if (e->obj.host)
         unlink_host_locked(t, e);
      pv_stat_add(&t->by_type[pv_object_stats_slot(e->obj.type)], (uint64_t)-1);
      atomic_fetch_add_explicit(&t->generation, 1, memory_order_release);
   }
   return e;
}

static void
free_entry(struct pv_context *ctx, struct pv_object_entry *e)
{
   if (e->obj.free_data)
      e->obj.free_data(ctx, &e->obj);
   free(e);
}

static void
free_removed(struct pv_context *ctx, struct pv_reclaim_item *item)
{
   free_entry(ctx,
              (struct pv_object_entry *)((char *)item - offsetof(struct pv_object_entry, removed)));
}

static void
remove_upto(struct pv_object_table *t, struct pv_context *ctx, uint64_t id, uint64_t max_serial)
{
   pthread_mutex_lock(&t->lock);
   struct pv_object_entry *e = detach_locked(t, id, max_serial);
   pthread_mutex_unlock(&t->lock);
   if (!e)
      return;
   if (!t->reclaim) {
      free_entry(ctx, e);
      return;
   }
   /* Another path's running command may hold it (reclaim.h): its state goes with it. */
   e->removed.free = free_removed;
   /* their state gives quota back; allocations, which may need it, never name them */
   e->removed.quota =
      e->obj.type == VK_OBJECT_TYPE_DEVICE_MEMORY || e->obj.type == VK_OBJECT_TYPE_QUERY_POOL;
   pv_reclaim_defer(t->reclaim, &e->removed);
}

void
pv_object_table_remove(struct pv_object_table *t, struct pv_context *ctx, uint64_t id)
{
   remove_upto(t, ctx, id, UINT64_MAX);
}

void
pv_object_table_remove_exact(struct pv_object_table *t, struct pv_context *ctx,
                             const struct pv_object *o)
{
   remove_upto(t, ctx, o->id, o->serial);
}

struct child_filter {
   uint64_t parent;
   int32_t type;
   uint64_t *ids;
   size_t count, cap;
   bool oom;
};

static void
collect_child_cb(uint64_t key, void *value, void *data)
{
   struct child_filter *f = data;
   struct pv_object_entry *e = value;
   if (e->obj.parent != f->parent || (f->type >= 0 && e->obj.type != f->type))
      return;
   if (f->count == f->cap) {
      size_t cap = f->cap ? f->cap * 2 : 16;
      uint64_t *ids = realloc(f->ids, cap * sizeof(*ids));
      if (!ids) {
         f->oom = true;
         return;
      }
      f->ids = ids;
      f->cap = cap;
   }
   f->ids[f->count++] = key;
}

size_t
pv_object_table_list_children_checked(struct pv_object_table *t, uint64_t parent, int32_t type,
                                      uint64_t **ids, bool *complete)
{
   struct child_filter f = {.parent = parent, .type = type};
   pthread_mutex_lock(&t->lock);
   pv_id_table_foreach(&t->by_id, collect_child_cb, &f);
   pthread_mutex_unlock(&t->lock);
   if (f.oom)
      pv_err("object table: out of memory listing children; some objects stay tracked");
   if (complete)
      *complete = !f.oom;
   *ids = f.ids;
   return f.count;
}

size_t
pv_object_table_list_children(struct pv_object_table *t, uint64_t parent, int32_t type,
                              uint64_t **ids)
{
   return pv_object_table_list_children_checked(t, parent, type, ids, NULL);
}

/*
 * Whether objects of this type are ever recorded as a parent: the renderer makes command
 * buffers children of their pool, descriptor sets of theirs, and everything else a child of a
 * device or the instance (exec.c parent_of_new, src/vk). Listing children scans the whole
 * table, so asking it for every leaf object made tearing down n objects O(n^2): 100000
 * semaphores left by a guest took minutes.
 */
static bool
may_have_children(int32_t type)
{
   switch (type) {
   case VK_OBJECT_TYPE_INSTANCE:
   case VK_OBJECT_TYPE_PHYSICAL_DEVICE:
   case VK_OBJECT_TYPE_DEVICE:
   case VK_OBJECT_TYPE_COMMAND_POOL:
   case VK_OBJECT_TYPE_DESCRIPTOR_POOL:
      return true;
   default:
      return false;
   }
}

static void
remove_children_upto(struct pv_object_table *t, struct pv_context *ctx, uint64_t parent,
                     int32_t type, uint64_t max_serial)
{
   if (parent == 0)
      return;
   /* A parent still in the table and of a leaf type has no children; one that is gone already
    * may have left orphans behind, so those are still looked for. */
   pthread_mutex_lock(&t->lock);
   struct pv_object_entry *p = pv_id_table_get(&t->by_id, parent);
   bool leaf = p && !may_have_children(p->obj.type);
   pthread_mutex_unlock(&t->lock);
   if (leaf)
      return;
   uint64_t *ids;
   size_t n = pv_object_table_list_children(t, parent, type, &ids);
   for (size_t i = 0; i < n; i++) {
      /* grandchildren first (e.g. sets of a pool of a device) */
      remove_children_upto(t, ctx, ids[i], -1, max_serial);
      remove_upto(t, ctx, ids[i], max_serial);
   }
   free(ids);
}

void
pv_object_table_remove_children(struct pv_object_table *t, struct pv_context *ctx, uint64_t parent,
                                int32_t type)
{
   /* Only what exists now: the host freed those with their parent. Another ring may free one
    * of them and make a new object under its id (or under a child's id, as a parent) while
    * this runs; entries made later have larger serials and stay. */
   pthread_mutex_lock(&t->lock);
   uint64_t now = t->next_serial;
   pthread_mutex_unlock(&t->lock);
   remove_children_upto(t, ctx, parent, type, now);
}

size_t
pv_object_table_count(struct pv_object_table *t)
{
   pthread_mutex_lock(&t->lock);
   size_t n = t->by_id.count;
   pthread_mutex_unlock(&t->lock);
   return n;
}
