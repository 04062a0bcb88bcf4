/* SPDX-License-Identifier: MIT */
/*
 * Sync files for virgl_renderer_export_fence. A sync file is a kernel object: only a kernel
 * driver can make one, and only one whose fence it controls can make one that signals later.
 * Our fences retire in the workers (messages and the fence page, worker_protocol.h), not in a
 * kernel driver, so the only sync file this process can honestly give is one that is already
 * signalled, for a fence that has retired. Two kernel sources of such a file, tried in order:
 *  - a DRM render node: a syncobj created signalled, exported as a sync file (every GPU host's
 *    render node has syncobjs; a VMM that serves a GPU can open its render node);
 *  - a DMA-BUF heap: a fresh dma-buf has no fences, and exporting its fences gives the kernel's
 *    signalled stub fence as a sync file (Linux >= 6.0).
 * The first source that works is kept open until cleanup (and a host with neither is not probed
 * again until then). This is the one Linux-only part of
 * the fence path; elsewhere there is no sync file and the export is refused.
 */
#include <errno.h>

#include "virgl/frontend.h"

#ifdef __linux__

#include <fcntl.h>
#include <libdrm/drm.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Render nodes are renderD128 .. renderD191 (DRM's minor range for them). */
#define RENDER_MINOR_FIRST 128
#define RENDER_MINOR_COUNT 64

static struct {
   pthread_mutex_t lock;
   int render_fd; /* an opened render node whose syncobjs worked, or -1 */
   int heap_fd;   /* /dev/dma_heap/system when that worked, or -1 */
   bool none;     /* both were tried and failed: not tried again until cleanup */
} S = {PTHREAD_MUTEX_INITIALIZER, -1, -1, false};

static int
syncobj_signalled_file(int drm_fd)
{
   struct drm_syncobj_create create = {.flags = DRM_SYNCOBJ_CREATE_SIGNALED};
   if (ioctl(drm_fd, DRM_IOCTL_SYNCOBJ_CREATE, &create) != 0)
      return -errno;
   struct drm_syncobj_handle h = {
      .handle = create.handle,
      .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
      .fd = -1,
   };
   int ret = ioctl(drm_fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &h) == 0 ? h.fd : -errno;
   struct drm_syncobj_destroy destroy = {.handle = create.handle};
   ioctl(drm_fd, DRM_IOCTL_SYNCOBJ_DESTROY, &destroy);
   return ret;
}

static int
heap_signalled_file(int heap_fd)
{
   struct dma_heap_allocation_data alloc = {
      .len = 4096,
      .fd_flags = O_RDWR | O_CLOEXEC,
   };
   if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &alloc) != 0)
      return -errno;
   struct dma_buf_export_sync_file exp = {.flags = DMA_BUF_SYNC_READ, .fd = -1};
   int ret = ioctl((int)alloc.fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &exp) == 0 ? exp.fd : -errno;
   close((int)alloc.fd);
   return ret;
}

/* Opens the first render node that gives a sync file; returns the file or a negative errno. */
static int
probe_render_nodes_locked(void)
{
   for (int i = 0; i < RENDER_MINOR_COUNT; i++) {
      char path[64];
      snprintf(path, sizeof(path), "/dev/dri/renderD%d", RENDER_MINOR_FIRST + i);
      int fd = open(path, O_RDWR | O_CLOEXEC);
      if (fd < 0)
         continue;
      int file = syncobj_signalled_file(fd);
      if (file >= 0) {
         S.render_fd = fd;
         return file;
      }
      close(fd);
   }
   return -ENOTSUP;
}

static int
probe_heap_locked(void)
{
   int fd = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return -ENOTSUP;
   int file = heap_signalled_file(fd);
   if (file >= 0)
      S.heap_fd = fd;
   else
      close(fd);
   return file >= 0 ? file : -ENOTSUP;
}

int
vg_sync_file_signalled(void)
{
   pthread_mutex_lock(&S.lock);
   int file;
   if (S.render_fd >= 0)
      file = syncobj_signalled_file(S.render_fd);
   else if (S.heap_fd >= 0)
      file = heap_signalled_file(S.heap_fd);
   else if (S.none)
      file = -ENOTSUP;
   else if ((file = probe_render_nodes_locked()) < 0 && (file = probe_heap_locked()) < 0)
      S.none = true;
   pthread_mutex_unlock(&S.lock);
   return file;
}

void
vg_sync_file_fini(void)
{
   pthread_mutex_lock(&S.lock);
   if (S.render_fd >= 0)
      close(S.render_fd);
   if (S.heap_fd >= 0)
      close(S.heap_fd);
   S.render_fd = S.heap_fd = -1;
   S.none = false;
   pthread_mutex_unlock(&S.lock);
}

#else /* no sync files outside Linux */

int
vg_sync_file_signalled(void)
{
   return -ENOTSUP;
}

void
vg_sync_file_fini(void)
{
}

#endif
