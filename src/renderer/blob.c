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

#include "renderer/context.h"
#include "util/log.h"
#include "util/os.h"

/* A shmem larger than this is not a reply buffer or ring any guest needs; refuse it early. */
#define PV_MAX_SHMEM_SIZE (1ull << 32)

void
pv_resource_destroy(struct pv_resource *res)
{
   if (res->map)
      munmap(res->map, (size_t)res->size);
   if (res->fd >= 0)
      close(res->fd);
   free(res);
}

static int
create_shmem(struct pv_context *ctx, uint32_t res_id, uint64_t size, struct pv_blob *out)
{
   if (size == 0 || size > PV_MAX_SHMEM_SIZE)
      return -EINVAL;
   struct pv_resource *res = calloc(1, sizeof(*res));
   if (!res)
      return -ENOMEM;
   res->res_id = res_id;
   res->size = size;
   res->fd = pv_os_create_shm("pearvisor-shmem", size);
   if (res->fd < 0)
      goto fail;
   res->map = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, res->fd, 0);
   if (res->map == MAP_FAILED) {
      res->map = NULL;
      goto fail;
   }
   int dup_fd = dup(res->fd);
   if (dup_fd < 0)
      goto fail;
   if (!pv_id_table_insert(&ctx->resources, res_id, res)) {
      close(dup_fd);
      pv_resource_destroy(res);
      return -EEXIST;
   }
   out->fd = dup_fd;
   out->fd_type = PV_BLOB_FD_SHM;
   out->size = size;
   return 0;
fail:;
   int err = errno ? -errno : -ENOMEM;
   pv_resource_destroy(res);
   return err;
}

int
pv_context_create_blob(struct pv_context *ctx, uint32_t res_id, uint64_t blob_id, uint64_t size,
                       uint32_t flags, struct pv_blob *out)
{
   if (blob_id == 0 && flags == PV_BLOB_FLAG_MAPPABLE)
      return create_shmem(ctx, res_id, size, out);
   pv_warn("context '%s': blob %#llx (flags %#x) names a VkDeviceMemory; not supported by this "
           "build",
           ctx->name, (unsigned long long)blob_id, flags);
   return -EINVAL;
}

void
pv_context_destroy_blob(struct pv_context *ctx, uint32_t res_id)
{
   struct pv_resource *res = pv_id_table_remove(&ctx->resources, res_id);
   if (res)
      pv_resource_destroy(res);
}
