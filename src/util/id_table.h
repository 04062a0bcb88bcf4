/* SPDX-License-Identifier: MIT */
/*
 * A map from 64-bit keys to pointers (open addressing, linear probing, tombstones). Used for every
 * guest-chosen id: resource ids, sync ids, and later Venus object ids. Key 0 is reserved as
 * "empty" because no transport or Venus id may be 0.
 */
#ifndef PV_UTIL_ID_TABLE_H
#define PV_UTIL_ID_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pv_id_table_slot {
   uint64_t key; /* 0 = empty, PV_ID_TABLE_TOMBSTONE = deleted */
   void *value;
};

struct pv_id_table {
   struct pv_id_table_slot *slots;
   size_t capacity; /* power of two, or 0 */
   size_t count;    /* live entries */
   size_t used;     /* live entries + tombstones */
};

void pv_id_table_init(struct pv_id_table *t);
void pv_id_table_fini(struct pv_id_table *t);

void *pv_id_table_get(const struct pv_id_table *t, uint64_t key);
/* Fails (returns false) for key 0, the tombstone key, a key already present, or no memory. */
bool pv_id_table_insert(struct pv_id_table *t, uint64_t key, void *value);
/* Returns the removed value, or NULL if absent. */
void *pv_id_table_remove(struct pv_id_table *t, uint64_t key);

/* Calls `fn` for every entry; `fn` must not modify the table. */
void pv_id_table_foreach(const struct pv_id_table *t, void (*fn)(uint64_t key, void *value, void *data),
                         void *data);

#endif
