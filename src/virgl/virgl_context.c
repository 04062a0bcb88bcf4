/* SPDX-License-Identifier: MIT */
/*
 * Guest contexts, command submission and fences of the virgl front end. Context ids are the
 * guest's (virtio-gpu CTX_CREATE); only Venus contexts (capset 4) exist here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "virgl/frontend.h"
#include "virgl/virgl_state.h"

static struct pv_id_table contexts;

struct vg_ctx *
vg_ctx_lookup(uint32_t ctx_id)
{
   return pv_id_table_get(&contexts, ctx_id);
}

static void
ctx_destroy(struct vg_ctx *c)
{
   vg_resources_forget_context(c->ctx_id);
   vg_fences_detach(c->backend);
   c->backend->ops->destroy(c->backend);
   free(c);
}

static void
destroy_one(uint64_t key, void *value, void *data)
{
   (void)key, (void)data;
   ctx_destroy(value);
}

void
vg_contexts_destroy_all(void)
{
   pv_id_table_foreach(&contexts, destroy_one, NULL);
   pv_id_table_fini(&contexts);
   pv_id_table_init(&contexts);
}

/* A bounded copy of the guest's debug name (not NUL-terminated on the wire). */
static void
copy_name(char *out, size_t out_size, uint32_t nlen, const char *name)
{
   size_t n = name ? nlen : 0;
   if (n >= out_size)
      n = out_size - 1;
   if (n)
      memcpy(out, name, n);
   out[n] = '\0';
   /* printable, as the vtest server keeps its clients' names: it reaches logs and `stats` */
   for (char *c = out; *c; c++)
      if (*c < 0x20 || *c > 0x7e) /* bytes past 0x7f are negative where char is signed */
         *c = '?';
   if (!out[0])
      strcpy(out, "guest");
}

int
virgl_renderer_context_create_with_flags(uint32_t ctx_id, uint32_t ctx_flags, uint32_t nlen,
                                         const char *name)
{
   const uint32_t capset = ctx_flags & VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK;
   if (!vg_state_initialized() || ctx_id == 0 ||
       (ctx_flags & ~VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK))
      return EINVAL;
   struct vg_ctx *old = vg_ctx_lookup(ctx_id);
   if (old)
      return capset == VIRGL_RENDERER_CAPSET_VENUS ? 0 : EINVAL; /* same as virglrenderer */
   if (capset != VIRGL_RENDERER_CAPSET_VENUS) {
      pv_info("virgl: context %u asks for capset %u; only Venus (4) is served", ctx_id, capset);
      return EINVAL;
   }
   if (contexts.count >= vg_config_get()->max_contexts) {
      pv_dbg("virgl: context %u refused: %u contexts live (PEARVISOR_VIRGL_MAX_CONTEXTS)", ctx_id,
             vg_config_get()->max_contexts);
      return ENOMEM;
   }
   char debug_name[64];
   copy_name(debug_name, sizeof(debug_name), nlen, name);
   struct vg_ctx *c = calloc(1, sizeof(*c));
   if (!c)
      return ENOMEM;
   c->ctx_id = ctx_id;
   c->backend = vg_config_get()->in_process ? vg_backend_local_create(ctx_id, debug_name)
                                            : vg_backend_worker_create(ctx_id, debug_name);
   if (!c->backend || !pv_id_table_insert(&contexts, ctx_id, c)) {
      if (c->backend)
         c->backend->ops->destroy(c->backend);
      free(c);
      return ENOMEM;
   }
   vg_fences_attach(c->backend);
   return 0;
}

/* The guest kernel's own context (virtio-gpu without context_init, e.g. its fbcon at module
 * load) asks for the GL renderer, which is not here: refused, as virglrenderer refuses a capset
 * it has no renderer for. QEMU ignores the result. */
int
virgl_renderer_context_create(uint32_t handle, uint32_t nlen, const char *name)
{
   (void)nlen, (void)name;
   pv_info("virgl: context %u without context-init (a GL context) is not served", handle);
   return EINVAL;
}

void
virgl_renderer_context_destroy(uint32_t handle)
{
   struct vg_ctx *c = pv_id_table_remove(&contexts, handle);
   if (c)
      ctx_destroy(c);
}

int
virgl_renderer_submit_cmd(void *buffer, int ctx_id, int ndw)
{
   struct vg_ctx *c = ctx_id > 0 ? vg_ctx_lookup((uint32_t)ctx_id) : NULL;
   if (!c || ndw < 0 || (ndw && !buffer))
      return EINVAL;
   if ((uintptr_t)buffer % 4)
      return EFAULT;
   uint64_t seq = vg_fences_next_submit(c->backend);
   c->backend->ops->submit(c->backend, buffer, (size_t)ndw * 4, seq);
   return 0;
}

/*
 * With in-fences: virglrenderer takes them only for contexts that share fences (its GL and DRM
 * ones), never for Venus, whose waits travel inside the command stream; it answers -EINVAL
 * then, and so do we. Without: virgl_renderer_submit_cmd.
 */
int
virgl_renderer_submit_cmd2(void *buffer, int ctx_id, int ndw, uint64_t *in_fence_ids,
                           uint32_t num_in_fences)
{
   if (num_in_fences) {
      (void)in_fence_ids;
      pv_info_limited("virgl: context %d: a submission with %u in-fences refused (Venus waits "
                      "in its command stream)",
                      ctx_id, num_in_fences);
      return -EINVAL;
   }
   return virgl_renderer_submit_cmd(buffer, ctx_id, ndw);
}

int
virgl_renderer_context_create_fence(uint32_t ctx_id, uint32_t flags, uint32_t ring_idx,
                                    uint64_t fence_id)
{
   (void)flags; /* MERGEABLE allows skipping callbacks; we send every one */
   struct vg_ctx *c = vg_ctx_lookup(ctx_id);
   if (!c)
      return -EINVAL;
   /* an index the guest never bound retires at once and loses the context (pearvisor.h) */
   vg_fences_context_created(c->backend, fence_id);
   c->backend->ops->fence(c->backend, ring_idx, fence_id);
   return 0;
}

int
virgl_renderer_create_fence(int client_fence_id, uint32_t ctx_id)
{
   (void)ctx_id; /* QEMU passes the command type here; the global timeline has no context */
   if (!vg_state_initialized())
      return EINVAL;
   vg_fences_create_global((uint32_t)client_fence_id);
   return 0;
}

/* Delivers this context's retired fences only (THREAD_SYNC VMMs that watch each context's fd);
 * an unknown context, or ASYNC_FENCE_CB mode (our thread delivers), does nothing. */
void
virgl_renderer_context_poll(uint32_t ctx_id)
{
   struct vg_ctx *c = vg_ctx_lookup(ctx_id);
   if (c)
      vg_fences_context_poll(c->backend);
}

/* Readable while the context has fences queued; -1 for an unknown context and unless the VMM
 * asked for THREAD_SYNC without ASYNC_FENCE_CB at init (as in virglrenderer). The fd is the
 * library's: it is closed when the context is destroyed. */
int
virgl_renderer_context_get_poll_fd(uint32_t ctx_id)
{
   struct vg_ctx *c = vg_ctx_lookup(ctx_id);
   return c ? vg_fences_context_poll_fd(c->backend) : -1;
}

/*
 * A fence as a sync file (virglrenderer 1.1.1 gives one only for fences that carry a kernel
 * fence, which its Venus contexts' fences do not; it returns -EINVAL otherwise). Here a fence
 * that has retired gets a new, already signalled sync file where the kernel offers one
 * (sync_file.c). A pending fence cannot get one that signals when it does: the workers retire
 * fences without a kernel driver, and no user-space process can make a kernel fence it signals
 * later. So a pending fence, an id never created, and a host without a sync-file source get
 * -EINVAL, virglrenderer's answer whenever it has no fd.
 */
int
virgl_renderer_export_fence(uint64_t client_fence_id, int *fd)
{
   if (!fd || !vg_state_initialized())
      return -EINVAL;
   *fd = -1;
   /* one line per reason (info: a VMM may ask often; the lines are limited) */
   enum vg_fence_state st = vg_fences_state(client_fence_id);
   if (st == VG_FENCE_PENDING) {
      pv_info_limited("virgl: fence %llu is not signalled yet: no sync file can follow it",
                      (unsigned long long)client_fence_id);
      return -EINVAL;
   }
   if (st == VG_FENCE_UNKNOWN) {
      pv_info_limited("virgl: fence %llu is unknown: no sync file",
                      (unsigned long long)client_fence_id);
      return -EINVAL;
   }
   int file = vg_sync_file_signalled();
   if (file < 0) {
      pv_info_limited("virgl: no kernel source of sync files here (render node, DMA-BUF heap): "
                      "fence %llu is not exported",
                      (unsigned long long)client_fence_id);
      return -EINVAL;
   }
   *fd = file;
   return 0;
}

/* A new sync file that is already signalled, the caller's to close; -1 where the kernel offers
 * no source of one (or before init), virglrenderer's answer when it has none. */
int
virgl_renderer_export_signalled_fence(void)
{
   if (!vg_state_initialized())
      return -1;
   int file = vg_sync_file_signalled();
   if (file < 0) {
      pv_info_limited("virgl: no kernel source of sync files here (render node, DMA-BUF heap): "
                      "no signalled fence exported");
      return -1;
   }
   return file;
}

/*
 * virglrenderer 1.3's entry points for its own vtest server. A kernel fence fd as an in-fence of
 * the context's next submission: Venus contexts take none (their waits travel in the command
 * stream); as there, a known context's fd is consumed either way, an unknown context's stays
 * the caller's.
 */
int
virgl_renderer_attach_fence(int ctx_id, int fence_fd)
{
   struct vg_ctx *c = ctx_id > 0 ? vg_ctx_lookup((uint32_t)ctx_id) : NULL;
   if (!c)
      return EINVAL;
   if (fence_fd >= 0)
      close(fence_fd);
   pv_info_limited("virgl: context %d: an in-fence fd refused (Venus waits in its command stream)",
                   ctx_id);
   return -EINVAL;
}

/* A fence's sync file: what virgl_renderer_export_fence gives (a signalled one once the fence
 * retired), or -1. */
int
virgl_renderer_get_fence_fd(uint64_t fence_id)
{
   int fd = -1;
   return virgl_renderer_export_fence(fence_id, &fd) == 0 ? fd : -1;
}

/* The DRM device a context renders on: Venus contexts have none (-ENODEV, as virglrenderer's
 * contexts without one); an unknown context -EINVAL. */
int
virgl_renderer_get_dev_fd(int ctx_id)
{
   struct vg_ctx *c = ctx_id > 0 ? vg_ctx_lookup((uint32_t)ctx_id) : NULL;
   return c ? -ENODEV : -EINVAL;
}

void
virgl_renderer_ctx_attach_resource(int ctx_id, int res_handle)
{
   /* Blobs are usable by the context that created them; importing another context's resource
    * or an imported fd (VkImportMemoryResourceInfoMESA) is not offered (the guest's import fails
    * with VK_ERROR_INVALID_EXTERNAL_HANDLE), so attaching is bookkeeping the VMM does. */
   (void)ctx_id, (void)res_handle;
}

void
virgl_renderer_ctx_detach_resource(int ctx_id, int res_handle)
{
   (void)ctx_id, (void)res_handle;
}
