/* SPDX-License-Identifier: MIT */
/* The per-context object table behind the pv_object_* calls of renderer/venus.h. */
#ifndef PV_RENDERER_OBJECTS_H
#define PV_RENDERER_OBJECTS_H

#include <pthread.h>
#include <stdatomic.h>

#include "renderer/reclaim.h"
#include "renderer/stats.h"
#include "renderer/venus.h"
#include "util/id_table.h"

struct pv_object_table {
   struct pv_id_table by_id;   /* guest id -> entry */
   struct pv_id_table by_host; /* host handle -> entries sharing that value */
   pthread_mutex_t lock;
   /* Bumped on every removal: entries never move while they live, so a pointer found when the
    * generation was g is still the entry for that id while it is still g (pv_object_cache). */
   _Atomic uint64_t generation;
   uint64_t next_serial; /* struct pv_object.serial, under lock */
   /* Live objects per stats slot (pv_context_stats.objects_by_type): written under lock, read
    * without it (relaxed) by pv_context_get_stats. */
   _Atomic uint64_t by_type[PV_STATS_OBJECT_SLOTS];
   /* Where removed entries wait until no other path may hold them (reclaim.h); NULL: freed at
    * once (a table only one thread uses). */
   struct pv_reclaim *reclaim;
};
/* The objects_by_type slot of a VkObjectType. */
static inline unsigned
pv_object_stats_slot(int32_t type)
{
   return type > 0 && (uint32_t)type < PV_STATS_OBJECT_SLOTS ? (unsigned)type : 0u;
}

/*
 * A small per-path cache of lookups. A command stream names the same few objects over and
 * over (the command buffer being recorded, its device, a pipeline layout); the cache answers
 * those without the table's lock, which every ring and the transport thread share. Two ways per
 * set, sets chosen by a multiplicative hash: guest ids are often pointers (low bits all zero,
 * neighbours sharing their high bits), which a hash of a few low bits sent to one slot, where
 * two objects a loop alternates between evicted each other on every command. 256 sets (16 KiB
 * per path): a compute program such as llama.cpp cycles through a few hundred objects per
 * token (a descriptor set, pipeline and layout per kernel, the buffers its descriptor writes
 * name); with 16 sets a third of its lookups missed and took the table's lock (callgrind).
 */
#define PV_OBJECT_CACHE_SETS_LOG2 8
#define PV_OBJECT_CACHE_SETS (1u << PV_OBJECT_CACHE_SETS_LOG2)
struct pv_object_cache_slot {
   uint64_t id, generation;
   int32_t type;
   struct pv_object *obj;
};
struct pv_object_cache {
   struct pv_object_cache_slot slot[PV_OBJECT_CACHE_SETS][2]; /* [set][0] most recent */
};

static inline struct pv_object_cache_slot *
pv_object_cache_set(struct pv_object_cache *cache, uint64_t id)
{
   /* Fibonacci hashing: the top bits of the product depend on every bit of the id */
   return cache->slot[(id * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - PV_OBJECT_CACHE_SETS_LOG2)];
}

void pv_object_table_init(struct pv_object_table *t);
/* Removed entries wait in `r` from now on (the context's paths are its readers). */
void pv_object_table_set_reclaim(struct pv_object_table *t, struct pv_reclaim *r);
/* Frees every entry (running free_data); host objects must be gone already. */
void pv_object_table_fini(struct pv_object_table *t, struct pv_context *ctx);
struct pv_object *pv_object_table_find(struct pv_object_table *t, uint64_t id, int32_t type);

/* The cached entry for (id, type) if the cache still holds it, else NULL (no table access). */
static inline struct pv_object *
pv_object_cache_peek(struct pv_object_table *t, struct pv_object_cache *cache, uint64_t id,
                     int32_t type)
{
   uint64_t gen = atomic_load_explicit(&t->generation, memory_order_acquire);
   const struct pv_object_cache_slot *s = pv_object_cache_set(cache, id);
   if (s[0].generation == gen && s[0].id == id && s[0].type == type)
      return s[0].obj;
   if (s[1].generation == gen && s[1].id == id && s[1].type == type)
      return s[1].obj;
   return NULL;
}

/* pv_object_table_find through the cache (the cache is its caller's; no lock held for it).
 * Inline: it runs for every object id in every command. */
static inline struct pv_object *
pv_object_table_find_cached(struct pv_object_table *t, struct pv_object_cache *cache, uint64_t id,
                            int32_t type)
{
   struct pv_object *o = pv_object_cache_peek(t, cache, id, type);
   if (o)
      return o;
   uint64_t gen = atomic_load_explicit(&t->generation, memory_order_acquire);
   o = pv_object_table_find(t, id, type);
   if (o) {
      struct pv_object_cache_slot *s = pv_object_cache_set(cache, id);
      s[1] = s[0];
      s[0] = (struct pv_object_cache_slot){.id = id, .generation = gen, .type = type, .obj = o};
   }
   return o;
}
struct pv_object *pv_object_table_find_host(struct pv_object_table *t, int32_t type, uint64_t host);
struct pv_object *pv_object_table_add(struct pv_object_table *t, int32_t type, uint64_t id,
                                      uint64_t host, uint64_t parent);
/* An entry with host handle 0 and in no host index: an object a lost context keeps for itself
 * (src/vk/lost.c); NULL when id is 0 or in use, or no memory. */
struct pv_object *pv_object_table_add_unbacked(struct pv_object_table *t, int32_t type, uint64_t id,
                                               uint64_t parent);
void pv_object_table_remove(struct pv_object_table *t, struct pv_context *ctx, uint64_t id);
/* Removes `o` (found in this command) only if its id still names it, not a later object. */
void pv_object_table_remove_exact(struct pv_object_table *t, struct pv_context *ctx,
                                  const struct pv_object *o);
void pv_object_table_remove_children(struct pv_object_table *t, struct pv_context *ctx,
                                     uint64_t parent, int32_t type);
size_t pv_object_table_list_children(struct pv_object_table *t, uint64_t parent, int32_t type,
                                     uint64_t **ids);
/* The same; *complete false when memory ran out and the list misses some. */
size_t pv_object_table_list_children_checked(struct pv_object_table *t, uint64_t parent,
                                             int32_t type, uint64_t **ids, bool *complete);
size_t pv_object_table_count(struct pv_object_table *t);

#endif
