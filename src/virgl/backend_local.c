/* SPDX-License-Identifier: MIT */
/*
 * The in-process backend (PEARVISOR_VIRGL_INPROCESS=1): the renderer runs inside the VMM's
 * process, as a drop-in without fork would. For debugging (one process to attach to) and for
 * platforms without fork. Submissions run on the caller's thread, so a guest stream that blocks
 * blocks the VMM: the worker backend is the default for that reason. The worker process uses
 * this same backend on its side of the socket.
 */
#include <stdlib.h>

#include "util/log.h"
#include "virgl/backend_local.h"
#include "virgl/frontend.h"
#include "virgl/virgl_stats.h"

struct local_backend {
   struct vg_backend base;
   struct vg_local *local;
   struct vg_stats stats;
};

static void
local_fence_retired(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   struct local_backend *lb = data;
   vg_fences_context_retired(&lb->base, ring_idx, fence_id);
}

/* ----- the front end's backend --------------------------------------------------------------- */

static void
local_submit(struct vg_backend *b, const void *data, size_t size, uint64_t seq)
{
   struct local_backend *lb = (struct local_backend *)b;
   pv_context_submit(lb->local->ctx, data, size);
   vg_fences_submit_done(b, seq);
}

static int
local_create_blob(struct vg_backend *b, uint32_t res_id, uint64_t blob_id, uint64_t size,
                  uint32_t flags, struct pv_blob *out)
{
   struct local_backend *lb = (struct local_backend *)b;
   return pv_context_create_blob(lb->local->ctx, res_id, blob_id, size, flags, out);
}

static void
local_destroy_blob(struct vg_backend *b, uint32_t res_id)
{
   struct local_backend *lb = (struct local_backend *)b;
   pv_context_destroy_blob(lb->local->ctx, res_id);
}

static void
local_fence(struct vg_backend *b, uint32_t ring_idx, uint64_t fence_id)
{
   struct local_backend *lb = (struct local_backend *)b;
   /* -1 means refused (unbound ring, lost context); the callback has run either way */
   pv_context_submit_fence(lb->local->ctx, ring_idx, fence_id);
}

static void
local_destroy(struct vg_backend *b)
{
   struct local_backend *lb = (struct local_backend *)b;
   vg_stats_stop(&lb->stats, "destroyed");
   vg_local_destroy(lb->local);
   free(lb);
}

static const struct vg_backend_ops local_ops = {
   .submit = local_submit,
   .create_blob = local_create_blob,
   .destroy_blob = local_destroy_blob,
   .fence = local_fence,
   .destroy = local_destroy,
};

struct vg_backend *
vg_backend_local_create(uint32_t ctx_id, const char *name)
{
   struct local_backend *lb = calloc(1, sizeof(*lb));
   if (!lb)
      return NULL;
   lb->base.ops = &local_ops;
   lb->base.ctx_id = ctx_id;
   lb->local = vg_local_create(vg_config_get()->wire_format, false, name, local_fence_retired, lb);
   if (!lb->local) {
      pv_err("virgl: context %u: the renderer cannot create a Venus context", ctx_id);
      free(lb);
      return NULL;
   }
   vg_stats_start(&lb->stats, NULL, lb->local->ctx, ctx_id, name, vg_config_get()->wire_format);
   return &lb->base;
}
