/* SPDX-License-Identifier: MIT */
#include "util/id_table.h"

#include <stdlib.h>

#define PV_ID_TABLE_TOMBSTONE UINT64_MAX

static size_t
hash_key(uint64_t key)
{
   /* Guest ids are often pointers or small counters; mix so both spread over the table. */
   key ^= key >> 33;
   key *= 0xff51afd7ed558ccdull;
   key ^= key >> 33;
   return (size_t)key;
}

void
pv_id_table_init(struct pv_id_table *t)
{
   t->slots = NULL;
   t->capacity = t->count = t->used = 0;
}

void
pv_id_table_fini(struct pv_id_table *t)
{
   free(t->slots);
   pv_id_table_init(t);
}

static struct pv_id_table_slot *
find_slot(const struct pv_id_table *t, uint64_t key)
{
   if (!t->capacity)
      return NULL;
   size_t mask = t->capacity - 1;
   for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
      struct pv_id_table_slot *s = &t->slots[i];
      if (s->key == key)
         return s;
      if (s->key == 0)
         return NULL;
   }
}

void *
pv_id_table_get(const struct pv_id_table *t, uint64_t key)
{
   if (key == 0 || key == PV_ID_TABLE_TOMBSTONE)
      return NULL;
   struct pv_id_table_slot *s = find_slot(t, key);
   return s ? s->value : NULL;
}

static void
place(struct pv_id_table_slot *slots, size_t capacity, uint64_t key, void *value)
{
   size_t mask = capacity - 1;
   size_t i = hash_key(key) & mask;
   while (slots[i].key != 0 && slots[i].key != PV_ID_TABLE_TOMBSTONE)
      i = (i + 1) & mask;
   slots[i].key = key;
   slots[i].value = value;
}

static bool
rehash(struct pv_id_table *t, size_t capacity)
{
   struct pv_id_table_slot *slots = calloc(capacity, sizeof(*slots));
   if (!slots)
      return false;
   for (size_t i = 0; i < t->capacity; i++) {
      uint64_t k = t->slots[i].key;
      if (k != 0 && k != PV_ID_TABLE_TOMBSTONE)
         place(slots, capacity, k, t->slots[i].value);
   }
   free(t->slots);
   t->slots = slots;
   t->capacity = capacity;
   t->used = t->count;
   return true;
}

bool
pv_id_table_insert(struct pv_id_table *t, uint64_t key, void *value)
{
   if (key == 0 || key == PV_ID_TABLE_TOMBSTONE || pv_id_table_get(t, key))
      return false;
   /* Keep the load (tombstones included) under 3/4 so probes stay short and always end. */
   if ((t->used + 1) * 4 > t->capacity * 3) {
      size_t cap = t->capacity ? t->capacity : 16;
      while ((t->count + 1) * 2 > cap)
         cap *= 2;
      if (!rehash(t, cap))
         return false;
   }
   size_t mask = t->capacity - 1;
   size_t i = hash_key(key) & mask;
   while (t->slots[i].key != 0 && t->slots[i].key != PV_ID_TABLE_TOMBSTONE)
      i = (i + 1) & mask;
   if (t->slots[i].key == 0)
      t->used++;
   t->slots[i].key = key;
   t->slots[i].value = value;
   t->count++;
   return true;
}

void *
pv_id_table_remove(struct pv_id_table *t, uint64_t key)
{
   if (key == 0 || key == PV_ID_TABLE_TOMBSTONE)
      return NULL;
   struct pv_id_table_slot *s = find_slot(t, key);
   if (!s)
      return NULL;
   void *value = s->value;
   s->key = PV_ID_TABLE_TOMBSTONE;
   s->value = NULL;
   t->count--;
   return value;
}

void
pv_id_table_foreach(const struct pv_id_table *t, void (*fn)(uint64_t, void *, void *), void *data)
{
   for (size_t i = 0; i < t->capacity; i++) {
      uint64_t k = t->slots[i].key;
      if (k != 0 && k != PV_ID_TABLE_TOMBSTONE)
         fn(k, t->slots[i].value, data);
   }
}
