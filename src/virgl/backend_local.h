/* SPDX-License-Identifier: MIT */
/*
 * One renderer with one Venus context: what the in-process backend and the worker process both
 * run (the worker is this plus a socket).
 */
#ifndef PV_VIRGL_BACKEND_LOCAL_H
#define PV_VIRGL_BACKEND_LOCAL_H

#include "pearvisor/pearvisor.h"
#include <stdint.h>

struct vg_local {
   struct pv_renderer *renderer;
   struct pv_context *ctx;
};

/* Returns NULL when the renderer or the context cannot be created (logged). `alone`: the
 * context is the only one of its process (a worker), see one_context_per_process. */
struct vg_local *vg_local_create(uint32_t wire_format, bool alone, const char *name,
                                 pv_fence_retired_fn cb, void *data);
void vg_local_destroy(struct vg_local *l);

#endif
