/* SPDX-License-Identifier: MIT */
/*
 * What only virglrenderer's GL renderer serves: classic 2D/3D resources with iovec backing and
 * transfers, cursor data, EGL images, GL textures as fds, reading a resource's rectangle back.
 * No GL renderer is here (PearVisor serves Venus), so each call is refused the way virglrenderer
 * refuses it without one: classic resources with EINVAL, which costs a QEMU guest only its
 * console scanout (qemu-venus.md §5), texture fds with -1, and what returns nothing does nothing.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "util/log.h"
#include "virgl/virgl_abi.h"

int
virgl_renderer_resource_create(struct virgl_renderer_resource_create_args *args, struct iovec *iov,
                               uint32_t num_iovs)
{
   (void)iov, (void)num_iovs;
   pv_dbg("virgl: resource %u (target %u): classic resources need GL, not served",
          args ? args->handle : 0, args ? args->target : 0);
   return EINVAL;
}

int
virgl_renderer_resource_attach_iov(int res_handle, struct iovec *iov, int num_iovs)
{
   (void)res_handle, (void)iov, (void)num_iovs;
   return EINVAL; /* no classic resource exists to back; the VMM frees the iovecs */
}

/* Blobs keep no iovecs here (HOST3D memory is the host's), so there is never any to give back. */
void
virgl_renderer_resource_detach_iov(int res_handle, struct iovec **iov, int *num_iovs)
{
   (void)res_handle;
   if (iov)
      *iov = NULL;
   if (num_iovs)
      *num_iovs = 0;
}

int
virgl_renderer_transfer_write_iov(uint32_t handle, uint32_t ctx_id, int level, uint32_t stride,
                                  uint32_t layer_stride, struct virgl_box *box, uint64_t offset,
                                  struct iovec *iovec, unsigned int iovec_cnt)
{
   (void)handle, (void)ctx_id, (void)level, (void)stride, (void)layer_stride, (void)box;
   (void)offset, (void)iovec, (void)iovec_cnt;
   return EINVAL;
}

int
virgl_renderer_transfer_read_iov(uint32_t handle, uint32_t ctx_id, uint32_t level, uint32_t stride,
                                 uint32_t layer_stride, struct virgl_box *box, uint64_t offset,
                                 struct iovec *iov, int iovec_cnt)
{
   (void)handle, (void)ctx_id, (void)level, (void)stride, (void)layer_stride, (void)box;
   (void)offset, (void)iov, (void)iovec_cnt;
   return EINVAL;
}

void *
virgl_renderer_get_cursor_data(uint32_t resource_id, uint32_t *width, uint32_t *height)
{
   (void)resource_id;
   if (width)
      *width = 0;
   if (height)
      *height = 0;
   return NULL;
}

/* An EGL image as a classic resource: virglrenderer creates it through the same path as
 * virgl_renderer_resource_create, so it is refused the same way. */
int
virgl_renderer_resource_import_eglimage(struct virgl_renderer_resource_create_args *args,
                                        void *image)
{
   (void)image;
   return virgl_renderer_resource_create(args, NULL, 0);
}

/* Reads a classic resource back into the VMM's iovecs; there is none (virglrenderer returns
 * without writing for a resource that has no GL texture, and so do we for every id). */
void
virgl_renderer_get_rect(int resource_id, struct iovec *iov, unsigned int num_iovs, uint32_t offset,
                        int x, int y, int width, int height)
{
   (void)resource_id, (void)iov, (void)num_iovs, (void)offset;
   (void)x, (void)y, (void)width, (void)height;
}

/* A GL texture as a dma-buf: no GL window system here, virglrenderer's -1 without one. */
int
virgl_renderer_get_fd_for_texture(uint32_t tex_id, int *fd)
{
   (void)tex_id, (void)fd;
   return -1;
}

int
virgl_renderer_get_fd_for_texture2(uint32_t tex_id, int *fd, int *stride, int *offset)
{
   (void)tex_id, (void)fd, (void)stride, (void)offset;
   return -1;
}
