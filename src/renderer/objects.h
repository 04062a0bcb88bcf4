/* SPDX-License-Identifier: MIT */
/* The per-context object table behind the pv_object_* calls of renderer/venus.h. */
#ifndef PV_RENDERER_OBJECTS_H
#define PV_RENDERER_OBJECTS_H

#include <pthread.h>

#include "renderer/venus.h"
#include "util/id_table.h"

struct pv_object_table {
   struct pv_id_table by_id;   /* guest id -> entry */
   struct pv_id_table by_host; /* host handle -> entries sharing that value */
   pthread_mutex_t lock;
};

void pv_object_table_init(struct pv_object_table *t);
/* Frees every entry (running free_data); host objects must be gone already. */
void pv_object_table_fini(struct pv_object_table *t, struct pv_context *ctx);
struct pv_object *pv_object_table_find(struct pv_object_table *t, uint64_t id, int32_t type);
struct pv_object *pv_object_table_find_host(struct pv_object_table *t, int32_t type,
                                            uint64_t host);
struct pv_object *pv_object_table_add(struct pv_object_table *t, int32_t type, uint64_t id,
                                      uint64_t host, uint64_t parent);
void pv_object_table_remove(struct pv_object_table *t, struct pv_context *ctx, uint64_t id);
void pv_object_table_remove_children(struct pv_object_table *t, struct pv_context *ctx,
                                     uint64_t parent, int32_t type);
size_t pv_object_table_list_children(struct pv_object_table *t, uint64_t parent, int32_t type,
                                     uint64_t **ids);
size_t pv_object_table_count(struct pv_object_table *t);

#endif
