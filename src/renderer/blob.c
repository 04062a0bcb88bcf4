/* SPDX-License-Identifier: MIT */
/*
 * Blob resources. blob_id 0 + MAPPABLE is anonymous shared memory that both the guest and the
 * renderer map (reply streams, rings, command upload buffers). Other blob ids name a guest
 * VkDeviceMemory, which needs the Vulkan side of the renderer.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "renderer/capture.h"
#include "renderer/context.h"
#include "renderer/renderer.h"
#include "renderer/ring.h"
#include "util/log.h"
#include "util/os.h"

/* A shmem larger than this is not a reply buffer or ring any guest needs; refuse it early. */
#define PV_MAX_SHMEM_SIZE (1ull << 32)

static void
resource_free(struct pv_resource *res)
{
   if (res->charged_to)
      pv_venus_uncharge(res->charged_to, PV_QUOTA_BLOB_BYTES, res->size);
   if (res->map)
      munmap(res->map, (size_t)res->size);
   if (res->fd >= 0)
      close(res->fd);
   free(res);
}

void
pv_resource_ref(struct pv_resource *res)
{
   atomic_fetch_add(&res->refs, 1);
}

void
pv_resource_put(struct pv_resource *res)
{
   if (res && atomic_fetch_sub(&res->refs, 1) == 1)
      resource_free(res);
}

struct pv_resource *
pv_context_resource_get(struct pv_context *ctx, uint32_t res_id)
{
   pthread_mutex_lock(&ctx->resources_lock);
   struct pv_resource *res = res_id ? pv_id_table_get(&ctx->resources, res_id) : NULL;
   if (res)
      atomic_fetch_add(&res->refs, 1);
   pthread_mutex_unlock(&ctx->resources_lock);
   return res;
}

static bool
insert_resource(struct pv_context *ctx, struct pv_resource *res)
{
   pthread_mutex_lock(&ctx->resources_lock);
   bool ok = pv_id_table_insert(&ctx->resources, res->res_id, res);
   pthread_mutex_unlock(&ctx->resources_lock);
   return ok;
}

static int
create_shmem(struct pv_context *ctx, uint32_t res_id, uint64_t size, struct pv_blob *out)
{
   if (size == 0 || size > PV_MAX_SHMEM_SIZE)
      return -EINVAL;
   struct pv_resource *res = calloc(1, sizeof(*res));
   if (!res)
      return -ENOMEM;
   atomic_init(&res->refs, 1);
   res->res_id = res_id;
   res->size = size;
   if (!pv_venus_charge(ctx, PV_QUOTA_BLOB_BYTES, size)) {
      free(res);
      return -ENOMEM;
   }
   res->charged_to = ctx;
   res->fd = pv_os_create_shm("pearvisor-shmem", size);
   if (res->fd < 0)
      goto fail;
   res->map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, res->fd, 0);
   if (res->map == MAP_FAILED) {
      res->map = NULL;
      goto fail;
   }
   /* The mapping is all the renderer needs: the fd goes to the transport, none is kept, so a
    * guest's blob count costs no fds (with --threads they are shared by every client). */
   int fd = res->fd;
   res->fd = -1;
   if (!insert_resource(ctx, res)) {
      close(fd);
      resource_free(res);
      return -EEXIST;
   }
   out->fd = fd;
   out->fd_type = PV_BLOB_FD_SHM;
   out->size = size;
   return 0;
fail:;
   int err = errno ? -errno : -ENOMEM;
   resource_free(res);
   return err;
}

/* The family's export looks the memory up on the transport's thread while a ring may free it:
 * it runs as a reader of its own, so the memory's state outlives the lookup (reclaim.h). */
static int
export_from_family(struct pv_context *ctx, uint64_t blob_id, uint64_t size, uint32_t flags,
                   struct pv_blob *out)
{
   struct pv_reclaim_reader rd;
   pv_reclaim_join(&ctx->reclaim, &rd);
   pv_reclaim_enter(&ctx->reclaim, &rd);
   int ret = ctx->renderer->family->export_blob(ctx, blob_id, size, flags, out);
   pv_reclaim_exit(&ctx->reclaim, &rd);
   pv_reclaim_leave(&ctx->reclaim, &rd);
   return ret;
}

/* A guest VkDeviceMemory exported as a blob: the fd comes from the memory family; the table
 * entry only reserves res_id (nothing for us to map). */
static int
create_memory_blob(struct pv_context *ctx, uint32_t res_id, uint64_t blob_id, uint64_t size,
                   uint32_t flags, struct pv_blob *out)
{
   struct pv_resource *res = calloc(1, sizeof(*res));
   if (!res)
      return -ENOMEM;
   atomic_init(&res->refs, 1);
   res->res_id = res_id;
   res->size = size;
   res->fd = -1;
   int ret = export_from_family(ctx, blob_id, size, flags, out);
   if (ret == -ENOENT && pv_context_is_lost(ctx) && pv_ring_wait_caught_up(ctx, 1000)) {
      /* In a lost context the blob request of memory a ring allocates (in lost mode: lost.c)
       * was seen to arrive before that ring ran the allocation (test-hostile --threads, Mesa
       * 25.0.7, now and then); failing it tells the guest VK_ERROR_OUT_OF_HOST_MEMORY, not that
       * its device is lost. Once the rings ran what the guest published, the memory exists. */
      ret = export_from_family(ctx, blob_id, size, flags, out);
   }
   if (ret == 0 && !insert_resource(ctx, res)) {
      close(out->fd);
      out->fd = -1;
      ret = -EEXIST;
   }
   if (ret != 0)
      resource_free(res);
   return ret;
}

static int
create_blob(struct pv_context *ctx, uint32_t res_id, uint64_t blob_id, uint64_t size,
                       uint32_t flags, struct pv_blob *out)
{
   if (res_id == 0)
      return -EINVAL;
   if (blob_id == 0 && flags == PV_BLOB_FLAG_MAPPABLE)
      return create_shmem(ctx, res_id, size, out);
   if (blob_id == 0) {
      pv_warn_limited("context '%s': shmem blob with flags %#x (only MAPPABLE is valid)", ctx->name,
                      flags);
      return -EINVAL;
   }
   return create_memory_blob(ctx, res_id, blob_id, size, flags, out);
}

int
pv_context_create_blob(struct pv_context *ctx, uint32_t res_id, uint64_t blob_id, uint64_t size,
                       uint32_t flags, struct pv_blob *out)
{
   int ret = create_blob(ctx, res_id, blob_id, size, flags, out);
   if (ctx->capture)
      pv_capture_blob_create(ctx, res_id, blob_id, size, flags, ret);
   return ret;
}

void
pv_context_destroy_blob(struct pv_context *ctx, uint32_t res_id)
{
   if (ctx->capture)
      pv_capture_blob_destroy(ctx, res_id);
   pthread_mutex_lock(&ctx->resources_lock);
   struct pv_resource *res = pv_id_table_remove(&ctx->resources, res_id);
   pthread_mutex_unlock(&ctx->resources_lock);
   /* A ring or the reply stream may still hold a reference; the memory lives until they let
    * go, so a guest that unrefs too early only hurts itself. */
   pv_resource_put(res);
}
