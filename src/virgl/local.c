/* SPDX-License-Identifier: MIT */
/* One renderer with one Venus context (backend_local.h): shared by the in-process backend and
 * the worker process. */
#include <stdlib.h>

#include "virgl/backend_local.h"

struct vg_local *
vg_local_create(uint32_t wire_format, bool alone, const char *name, pv_fence_retired_fn cb,
                void *data)
{
   struct vg_local *l = calloc(1, sizeof(*l));
   if (!l)
      return NULL;
   struct pv_renderer_config config = PV_RENDERER_CONFIG_INIT;
   config.wire_format = wire_format;
   config.one_context_per_process = alone;
   l->renderer = pv_renderer_create(&config);
   if (l->renderer)
      l->ctx = pv_context_create(l->renderer, PV_CAPSET_VENUS, name);
   if (!l->ctx) {
      vg_local_destroy(l);
      return NULL;
   }
   pv_context_set_fence_callback(l->ctx, cb, data);
   return l;
}

void
vg_local_destroy(struct vg_local *l)
{
   if (!l)
      return;
   pv_context_destroy(l->ctx);
   pv_renderer_destroy(l->renderer);
   free(l);
}
