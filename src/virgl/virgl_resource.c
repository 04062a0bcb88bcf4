/* SPDX-License-Identifier: MIT */
/*
 * Resources of the virgl front end. Resource ids are the VMM's (virtio-gpu), global across
 * contexts. The Venus path is HOST3D blobs: created in a context (blob_id 0 is shared memory,
 * others a VkDeviceMemory of the guest), handed to this process as an fd, and mapped here when
 * the VMM puts them into the guest's host-visible window. A blob outlives its context's worker:
 * the fd and any mapping keep the memory until the VMM unrefs it.
 *
 * Classic resources (2D/3D, iovec backing, transfers) belong to the GL renderer, which is not
 * here: virgl_gl_only.c refuses them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/log.h"
#include "virgl/frontend.h"
#include "virgl/virgl_state.h"

struct vg_res {
   uint32_t id;
   uint32_t ctx_id;
   struct vg_backend *owner; /* NULL once its context is gone */
   int fd;
   enum pv_blob_fd_type fd_type;
   uint32_t blob_flags;
   bool imported; /* virgl_renderer_resource_import_blob: the VMM's fd, mappable, no context */
   uint64_t size;
   void *map;
   void *priv; /* the VMM's (virgl_renderer_resource_set_priv) */
};

static struct pv_id_table resources;

static struct vg_res *
res_get(uint32_t id)
{
   return pv_id_table_get(&resources, id);
}

static void
res_free(struct vg_res *r)
{
   if (r->map)
      munmap(r->map, r->size);
   if (r->owner)
      r->owner->ops->destroy_blob(r->owner, r->id);
   if (r->fd >= 0)
      close(r->fd);
   free(r);
}

static void
free_one(uint64_t key, void *value, void *data)
{
   (void)key, (void)data;
   res_free(value);
}

void
vg_resources_destroy_all(void)
{
   pv_id_table_foreach(&resources, free_one, NULL);
   pv_id_table_fini(&resources);
   pv_id_table_init(&resources);
}

static void
forget_one(uint64_t key, void *value, void *data)
{
   (void)key;
   struct vg_res *r = value;
   if (r->ctx_id == *(const uint32_t *)data)
      r->owner = NULL;
}

void
vg_resources_forget_context(uint32_t ctx_id)
{
   pv_id_table_foreach(&resources, forget_one, &ctx_id);
}

bool
vg_resource_exists(uint32_t res_id)
{
   return res_get(res_id) != NULL;
}

/* ----- blobs ------------------------------------------------------------------------------- */

static int
check_blob_args(const struct virgl_renderer_resource_create_blob_args *a)
{
   if (!vg_state_initialized() || !a || a->res_handle == 0 || res_get(a->res_handle))
      return -EINVAL;
   if (a->blob_mem != VIRGL_RENDERER_BLOB_MEM_HOST3D) {
      /* GUEST and HOST3D_GUEST blobs are guest pages; Venus on Mesa >= 23 never asks for them
       * (its capset says supports_blob_id_0) */
      pv_info("virgl: resource %u: blob_mem %u is not served (only HOST3D)", a->res_handle,
              a->blob_mem);
      return -EINVAL;
   }
   if (a->size == 0 || a->size > SIZE_MAX)
      return -EINVAL;
   return 0;
}

/* The fd comes from a worker, which runs guest work: mapping a file shorter than the blob would
 * turn the guest's access past its end into SIGBUS in the VMM, so the size is checked here. */
static bool
fd_covers(int fd, uint64_t size)
{
   struct stat st;
   if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
      return (uint64_t)st.st_size >= size;
   /* a dma-buf tells its size this way; the offset is put back (an imported fd that is refused
    * stays the VMM's) */
   off_t cur = lseek(fd, 0, SEEK_CUR);
   off_t end = lseek(fd, 0, SEEK_END);
   if (cur >= 0)
      lseek(fd, cur, SEEK_SET);
   return end >= 0 && (uint64_t)end >= size;
}

int
virgl_renderer_resource_create_blob(const struct virgl_renderer_resource_create_blob_args *args)
{
   int ret = check_blob_args(args);
   if (ret)
      return ret;
   struct vg_ctx *c = vg_ctx_lookup(args->ctx_id);
   if (!c)
      return -EINVAL;
   struct vg_res *r = calloc(1, sizeof(*r));
   if (!r)
      return -ENOMEM;
   struct pv_blob blob = {.fd = -1};
   ret = c->backend->ops->create_blob(c->backend, args->res_handle, args->blob_id, args->size,
                                      args->blob_flags, &blob);
   if (ret) {
      free(r);
      return ret < 0 ? ret : -EINVAL;
   }
   if (blob.fd < 0 || !fd_covers(blob.fd, args->size)) {
      pv_err("virgl: resource %u: the blob's fd does not cover %llu bytes", args->res_handle,
             (unsigned long long)args->size);
      if (blob.fd >= 0)
         close(blob.fd);
      c->backend->ops->destroy_blob(c->backend, args->res_handle);
      free(r);
      return -EINVAL;
   }
   r->id = args->res_handle;
   r->ctx_id = args->ctx_id;
   r->owner = c->backend;
   r->fd = blob.fd;
   r->fd_type = blob.fd_type;
   r->blob_flags = args->blob_flags;
   r->size = args->size;
   if (!pv_id_table_insert(&resources, r->id, r)) {
      res_free(r);
      return -ENOMEM;
   }
   return 0;
}

/* QEMU stores info.fd as the resource's dma-buf (used by SET_SCANOUT_BLOB only): a shm fd is
 * no dma-buf, so only a real one is given, and it stays ours. */
int
virgl_renderer_resource_get_info(int res_handle, struct virgl_renderer_resource_info *info)
{
   struct vg_res *r = res_handle > 0 ? res_get((uint32_t)res_handle) : NULL;
   if (!r || !info)
      return EINVAL;
   memset(info, 0, sizeof(*info));
   info->handle = r->id;
   info->fd = r->fd_type == PV_BLOB_FD_DMABUF ? r->fd : -1;
   return 0;
}

/* Only QEMU's SET_SCANOUT uses this, for a GL texture id: there is no GL here. */
int
virgl_renderer_resource_get_info_ext(int res_handle, struct virgl_renderer_resource_info_ext *info)
{
   (void)res_handle, (void)info;
   return EINVAL;
}

int
virgl_renderer_resource_map(uint32_t res_handle, void **map, uint64_t *out_size)
{
   struct vg_res *r = res_get(res_handle);
   /* as virglrenderer: only blobs the guest created MAPPABLE are mapped into its window, and
    * imported dma-buf and shm fds, which it maps whatever their flags */
   if (!r || r->fd < 0 || !map ||
       !(r->imported || (r->blob_flags & VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE)))
      return -EINVAL;
   if (!r->map) {
      void *p = mmap(NULL, (size_t)r->size, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
      if (p == MAP_FAILED) {
         pv_warn("virgl: resource %u: mmap of %llu bytes failed", r->id,
                 (unsigned long long)r->size);
         return -errno;
      }
      r->map = p;
   }
   *map = r->map;
   if (out_size)
      *out_size = r->size;
   return 0;
}

/*
 * virglrenderer 1.3's map at an address the VMM chose (its guest window), replacing what is
 * there: the mapping is the VMM's from then on (it unmaps it by its own means; unmap and unref
 * leave it alone), so nothing is recorded here. The same blobs as resource_map; the address
 * must be page-aligned (mmap's rule). Pages beyond the blob's are not touched: only `size`
 * bytes are mapped, as resource_map reports.
 */
int
virgl_renderer_resource_map_fixed(uint32_t res_handle, void *addr)
{
   struct vg_res *r = res_get(res_handle);
   if (!r || r->fd < 0 || !addr ||
       !(r->imported || (r->blob_flags & VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE)))
      return -EINVAL;
   void *p = mmap(addr, (size_t)r->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, r->fd, 0);
   if (p == MAP_FAILED) {
      pv_warn("virgl: resource %u: mmap of %llu bytes at %p failed", r->id,
              (unsigned long long)r->size, addr);
      return -EINVAL;
   }
   return 0;
}

int
virgl_renderer_resource_unmap(uint32_t res_handle)
{
   struct vg_res *r = res_get(res_handle);
   if (!r || !r->map)
      return -EINVAL;
   munmap(r->map, r->size);
   r->map = NULL;
   return 0;
}

int
virgl_renderer_resource_get_map_info(uint32_t res_handle, uint32_t *map_info)
{
   struct vg_res *r = res_get(res_handle);
   /* an imported fd's caching is the exporter's business, unknown here: virglrenderer answers
    * -EINVAL for imports too (their map_info is NONE) */
   if (!r || !map_info || r->imported)
      return -EINVAL;
   /* memfd and dma-buf exports of our memory are ordinary cached RAM (DESIGN.md decision 3) */
   *map_info = VIRGL_RENDERER_MAP_CACHE_CACHED;
   return 0;
}

void
virgl_renderer_resource_unref(uint32_t res_handle)
{
   struct vg_res *r = pv_id_table_remove(&resources, res_handle);
   if (r)
      res_free(r);
}

/* The VMM's own pointer for a resource, kept until the resource goes (unref, reset); an
 * unknown id sets nothing and gets NULL, as in virglrenderer. */
void
virgl_renderer_resource_set_priv(uint32_t res_handle, void *priv)
{
   struct vg_res *r = res_get(res_handle);
   if (r)
      r->priv = priv;
}

void *
virgl_renderer_resource_get_priv(uint32_t res_handle)
{
   struct vg_res *r = res_get(res_handle);
   return r ? r->priv : NULL;
}

/* A VMM that maps blobs itself (rutabaga-based ones such as libkrun) asks for the fd; it gets
 * its own copy. */
int
virgl_renderer_resource_export_blob(uint32_t res_id, uint32_t *fd_type, int *fd)
{
   struct vg_res *r = res_get(res_id);
   if (!r || r->fd < 0 || !fd_type || !fd)
      return -EINVAL;
   int copy = fcntl(r->fd, F_DUPFD_CLOEXEC, 0);
   if (copy < 0)
      return -errno;
   *fd_type = r->fd_type == PV_BLOB_FD_DMABUF ? VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF
                                              : VIRGL_RENDERER_BLOB_FD_TYPE_SHM;
   *fd = copy;
   return 0;
}

/* ----- imported blobs ----------------------------------------------------------------------- */

/*
 * An fd another component made (libkrun: a cross-domain resource's dma-buf, imported when a
 * context attaches it). As in virglrenderer, HOST3D and GUEST_VRAM blobs of dma-buf and shm fds
 * are taken; the fd is the library's once the call succeeds (the caller closes it otherwise).
 * The resource can be mapped, exported and unreffed. Two differences, both refusals:
 *  - OPAQUE fds are refused (-EINVAL): only the Vulkan driver that made one can map or import
 *    it, and virglrenderer does that with a Vulkan device in the VMM's process and in its render
 *    server; here no Vulkan device lives in the VMM's process, and a worker cannot import
 *    another component's resource (no VkImportMemoryResourceInfoMESA, see attach below);
 *  - an fd shorter than `size` is refused, because mapping it would turn a guest access past
 *    its end into SIGBUS in the VMM (virglrenderer maps `size` bytes unchecked).
 */
static int
check_import_args(const struct virgl_renderer_resource_import_blob_args *a)
{
   if (!vg_state_initialized() || !a || a->res_handle == 0 || res_get(a->res_handle))
      return -EINVAL;
   if (a->blob_mem != VIRGL_RENDERER_BLOB_MEM_HOST3D &&
       a->blob_mem != VIRGL_RENDERER_BLOB_MEM_GUEST_VRAM)
      return -EINVAL;
   if (a->fd_type == VIRGL_RENDERER_BLOB_FD_TYPE_OPAQUE) {
      pv_info_limited("virgl: resource %u: an opaque fd cannot be imported here (no Vulkan "
                      "device in this process)",
                      a->res_handle);
      return -EINVAL;
   }
   if (a->fd_type != VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF &&
       a->fd_type != VIRGL_RENDERER_BLOB_FD_TYPE_SHM)
      return -EINVAL;
   if (a->fd < 0 || a->size == 0 || a->size > SIZE_MAX)
      return -EINVAL;
   if (!fd_covers(a->fd, a->size)) {
      pv_info_limited("virgl: resource %u: the imported fd does not cover %llu bytes",
                      a->res_handle, (unsigned long long)a->size);
      return -EINVAL;
   }
   return 0;
}

int
virgl_renderer_resource_import_blob(const struct virgl_renderer_resource_import_blob_args *args)
{
   int ret = check_import_args(args);
   if (ret)
      return ret;
   struct vg_res *r = calloc(1, sizeof(*r));
   if (!r)
      return -ENOMEM;
   r->id = args->res_handle;
   r->fd = -1; /* set once the table holds it: the fd stays the caller's on failure */
   r->fd_type =
      args->fd_type == VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF ? PV_BLOB_FD_DMABUF : PV_BLOB_FD_SHM;
   r->imported = true;
   r->size = args->size;
   if (!pv_id_table_insert(&resources, r->id, r)) {
      free(r);
      return -ENOMEM;
   }
   r->fd = args->fd;
   return 0;
}
