/* SPDX-License-Identifier: MIT */
#ifndef PV_RENDERER_CONTEXT_H
#define PV_RENDERER_CONTEXT_H

#include <stdarg.h>

#include "pearvisor/pearvisor.h"
#include "util/id_table.h"

/* A blob resource as the renderer sees it: host shared memory it can read and write. */
struct pv_resource {
   uint32_t res_id;
   uint64_t size;
   int fd;     /* our own reference; the transport got a dup */
   void *map;  /* MAP_SHARED view of the whole resource */
};

struct pv_context {
   struct pv_renderer *renderer;
   char name[64];
   /* Sticky: once set, every later submission is skipped (see DESIGN.md decision 6). */
   bool lost;
   struct pv_id_table resources; /* res_id -> struct pv_resource */
};

void pv_resource_destroy(struct pv_resource *res);

/* Marks the context lost and logs why, once. */
void pv_context_set_lost(struct pv_context *ctx, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

#endif
