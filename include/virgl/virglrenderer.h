/* SPDX-License-Identifier: MIT */
/*
 * virglrenderer's C API as PearVisor's libvirglrenderer.so.1 provides it, for VMMs built
 * against PearVisor (pkg-config's `virglrenderer` from $libdir/pearvisor/pkgconfig) rather than
 * only loaded in virglrenderer's place. Written as our own declarations of the facts a VMM's
 * source depends on: names, flag values, structure layouts and function signatures of
 * virglrenderer 1.3.0 (virgl-version.h), checked against virglrenderer's own headers by
 * tests/virgl/test-header. The same declarations build the library (src/virgl/virgl_abi.h), so
 * the compiler holds each exported function to them.
 *
 * What PearVisor serves is Venus (capset 4): GL contexts and classic 3D resources are declared
 * for source compatibility and refused at run time the way virglrenderer refuses them when built
 * without its GL renderer (docs/VIRGL.md).
 *
 * As in virglrenderer, the explicit fence and sync-file functions are declared only when the
 * includer defines VIRGL_RENDERER_UNSTABLE_APIS (the library exports them regardless).
 */
#ifndef VIRGLRENDERER_H
#define VIRGLRENDERER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "virgl-version.h"

#ifdef __cplusplus
extern "C" {
#endif

struct iovec;
/* A 3D transfer box: opaque here as in virglrenderer (VMMs pass their own layout of it). */
struct virgl_box;

#define VIRGL_EXPORT __attribute__((visibility("default")))

/* ---- Initialisation and the VMM's callbacks ---- */

typedef void *virgl_renderer_gl_context;

struct virgl_renderer_gl_ctx_param {
   int version;
   bool shared;
   int major_ver;
   int minor_ver;
   int compat_ctx;
};

/* The newest callbacks version; each version appends the members marked with it. */
#define VIRGL_RENDERER_CALLBACKS_VERSION 4

struct virgl_renderer_callbacks {
   int version;
   /* A global-timeline fence retired (from virgl_renderer_poll, or from a renderer thread
    * with VIRGL_RENDERER_ASYNC_FENCE_CB). */
   void (*write_fence)(void *cookie, uint32_t fence);
   /* The VMM's GL winsys: only a GL renderer calls these. */
   virgl_renderer_gl_context (*create_gl_context)(void *cookie, int scanout_idx,
                                                  struct virgl_renderer_gl_ctx_param *param);
   void (*destroy_gl_context)(void *cookie, virgl_renderer_gl_context ctx);
   int (*make_current)(void *cookie, int scanout_idx, virgl_renderer_gl_context ctx);
   /* v2: a DRM fd for an EGL winsys; the renderer owns (closes) what it gets. */
   int (*get_drm_fd)(void *cookie);
   /* v3: a fence of one context's ring retired; mergeable fences may be reported only through
    * a later fence of the same ring. */
   void (*write_context_fence)(void *cookie, uint32_t ctx_id, uint32_t ring_idx, uint64_t fence_id);
   /* v3: a connected SOCK_SEQPACKET socket to a render server the VMM started itself (for
    * VMMs that may not fork or exec); version 0 is the only one. */
   int (*get_server_fd)(void *cookie, uint32_t version);
   /* v4: the VMM's EGLDisplay, for a GL renderer. */
   void *(*get_egl_display)(void *cookie);
};

/* virgl_renderer_init flags. */
#define VIRGL_RENDERER_USE_EGL 1
#define VIRGL_RENDERER_THREAD_SYNC 2
#define VIRGL_RENDERER_USE_GLX (1 << 2)
#define VIRGL_RENDERER_USE_SURFACELESS (1 << 3)
#define VIRGL_RENDERER_USE_GLES (1 << 4)
#define VIRGL_RENDERER_USE_EXTERNAL_BLOB (1 << 5)
#define VIRGL_RENDERER_VENUS (1 << 6)
#define VIRGL_RENDERER_NO_VIRGL (1 << 7)
#define VIRGL_RENDERER_ASYNC_FENCE_CB (1 << 8)
#define VIRGL_RENDERER_RENDER_SERVER (1 << 9)
#define VIRGL_RENDERER_DRM (1 << 10)
#ifdef VIRGL_RENDERER_UNSTABLE_APIS
#define VIRGL_RENDERER_USE_VIDEO (1 << 11)
#endif
#define VIRGL_RENDERER_D3D11_SHARE_TEXTURE (1 << 12)
#define VIRGL_RENDERER_COMPAT_PROFILE (1 << 13)
#define VIRGL_RENDERER_USE_GUEST_VRAM (1 << 14)

VIRGL_EXPORT int virgl_renderer_init(void *cookie, int flags, struct virgl_renderer_callbacks *cb);
/* Delivers retired fences through the callbacks, on the caller's thread. */
VIRGL_EXPORT void virgl_renderer_poll(void);
VIRGL_EXPORT void virgl_renderer_cleanup(void *cookie);
/* Destroys every context and resource; virgl_renderer_init starts the renderer again. */
VIRGL_EXPORT void virgl_renderer_reset(void);
/* An fd that becomes readable when virgl_renderer_poll has fences to deliver (THREAD_SYNC). */
VIRGL_EXPORT int virgl_renderer_get_poll_fd(void);
VIRGL_EXPORT void virgl_renderer_force_ctx_0(void);

/* Capsets: the largest version and size of set, then its bytes (max_size of them). */
VIRGL_EXPORT void virgl_renderer_get_cap_set(uint32_t set, uint32_t *max_ver, uint32_t *max_size);
VIRGL_EXPORT void virgl_renderer_fill_caps(uint32_t set, uint32_t version, void *caps);

/* ---- Logging ---- */

/* The old hook: printf-style, returns the previous one. */
typedef void (*virgl_debug_callback_type)(const char *fmt, va_list ap);

enum virgl_log_level_flags {
   VIRGL_LOG_LEVEL_DEBUG,
   VIRGL_LOG_LEVEL_INFO,
   VIRGL_LOG_LEVEL_WARNING,
   VIRGL_LOG_LEVEL_ERROR,
   /* Highest of all, never a line's own level: set as a threshold it silences everything. */
   VIRGL_LOG_LEVEL_SILENT,
};
typedef void (*virgl_free_data_callback_type)(void *user_data);
typedef void (*virgl_log_callback_type)(enum virgl_log_level_flags log_level, const char *message,
                                        void *user_data);

VIRGL_EXPORT virgl_debug_callback_type virgl_set_debug_callback(virgl_debug_callback_type cb);
/* Replaces the hook; free_user_data_cb(user_data) runs once when this hook is replaced. */
VIRGL_EXPORT void virgl_set_log_callback(virgl_log_callback_type cb, void *user_data,
                                         virgl_free_data_callback_type free_user_data_cb);

/* ---- Classic (GL) resources and display helpers ---- */

#define VIRGL_RES_BIND_DEPTH_STENCIL (1 << 0)
#define VIRGL_RES_BIND_RENDER_TARGET (1 << 1)
#define VIRGL_RES_BIND_SAMPLER_VIEW (1 << 3)
#define VIRGL_RES_BIND_VERTEX_BUFFER (1 << 4)
#define VIRGL_RES_BIND_INDEX_BUFFER (1 << 5)
#define VIRGL_RES_BIND_CONSTANT_BUFFER (1 << 6)
#define VIRGL_RES_BIND_STREAM_OUTPUT (1 << 11)
#define VIRGL_RES_BIND_CURSOR (1 << 16)
#define VIRGL_RES_BIND_CUSTOM (1 << 17)
#define VIRGL_RES_BIND_SCANOUT (1 << 18)
#define VIRGL_RES_BIND_SHARED (1 << 20)

struct virgl_renderer_resource_create_args {
   uint32_t handle;
   uint32_t target;
   uint32_t format;
   uint32_t bind;
   uint32_t width;
   uint32_t height;
   uint32_t depth;
   uint32_t array_size;
   uint32_t last_level;
   uint32_t nr_samples;
   uint32_t flags;
};

VIRGL_EXPORT int virgl_renderer_resource_create(struct virgl_renderer_resource_create_args *args,
                                                struct iovec *iov, uint32_t num_iovs);
VIRGL_EXPORT int
virgl_renderer_resource_import_eglimage(struct virgl_renderer_resource_create_args *args,
                                        void *image);
VIRGL_EXPORT int virgl_renderer_resource_attach_iov(int res_handle, struct iovec *iov,
                                                    int num_iovs);
VIRGL_EXPORT void virgl_renderer_resource_detach_iov(int res_handle, struct iovec **iov,
                                                     int *num_iovs);
VIRGL_EXPORT int virgl_renderer_transfer_read_iov(uint32_t handle, uint32_t ctx_id, uint32_t level,
                                                  uint32_t stride, uint32_t layer_stride,
                                                  struct virgl_box *box, uint64_t offset,
                                                  struct iovec *iov, int iovec_cnt);
VIRGL_EXPORT int virgl_renderer_transfer_write_iov(uint32_t handle, uint32_t ctx_id, int level,
                                                   uint32_t stride, uint32_t layer_stride,
                                                   struct virgl_box *box, uint64_t offset,
                                                   struct iovec *iovec, unsigned int iovec_cnt);
VIRGL_EXPORT void *virgl_renderer_get_cursor_data(uint32_t resource_id, uint32_t *width,
                                                  uint32_t *height);
VIRGL_EXPORT void virgl_renderer_get_rect(int resource_id, struct iovec *iov, unsigned int num_iovs,
                                          uint32_t offset, int x, int y, int width, int height);
VIRGL_EXPORT int virgl_renderer_get_fd_for_texture(uint32_t tex_id, int *fd);
VIRGL_EXPORT int virgl_renderer_get_fd_for_texture2(uint32_t tex_id, int *fd, int *stride,
                                                    int *offset);

/* ---- Resources ---- */

VIRGL_EXPORT void virgl_renderer_resource_unref(uint32_t res_handle);
/* A pointer of the VMM's own, kept with the resource. */
VIRGL_EXPORT void virgl_renderer_resource_set_priv(uint32_t res_handle, void *priv);
VIRGL_EXPORT void *virgl_renderer_resource_get_priv(uint32_t res_handle);

struct virgl_renderer_resource_info {
   uint32_t handle;
   uint32_t virgl_format;
   uint32_t width;
   uint32_t height;
   uint32_t depth;
   uint32_t flags;
   uint32_t tex_id;
   uint32_t stride;
   int drm_fourcc;
   int fd;
};

#define VIRGL_RENDERER_RESOURCE_INFO_EXT_VERSION 0
struct virgl_renderer_resource_info_ext {
   int version;
   struct virgl_renderer_resource_info base;
   bool has_dmabuf_export;
   int planes;
   uint64_t modifiers;
   void *d3d_tex2d;
};

VIRGL_EXPORT int virgl_renderer_resource_get_info(int res_handle,
                                                  struct virgl_renderer_resource_info *info);
VIRGL_EXPORT int
virgl_renderer_resource_get_info_ext(int res_handle, struct virgl_renderer_resource_info_ext *info);

/* ---- Contexts and command submission ---- */

/* The low byte of ctx_flags is the context's capset (VIRTIO_GPU_CAPSET_*: 4 is Venus). */
#define VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK 0xff

VIRGL_EXPORT int virgl_renderer_context_create(uint32_t handle, uint32_t nlen, const char *name);
VIRGL_EXPORT int virgl_renderer_context_create_with_flags(uint32_t ctx_id, uint32_t ctx_flags,
                                                          uint32_t nlen, const char *name);
VIRGL_EXPORT void virgl_renderer_context_destroy(uint32_t handle);
/* ndw 32-bit words of the guest's command stream for context ctx_id. */
VIRGL_EXPORT int virgl_renderer_submit_cmd(void *buffer, int ctx_id, int ndw);
VIRGL_EXPORT void virgl_renderer_ctx_attach_resource(int ctx_id, int res_handle);
VIRGL_EXPORT void virgl_renderer_ctx_detach_resource(int ctx_id, int res_handle);

/* ---- Fences ---- */

#define VIRGL_RENDERER_FENCE_FLAG_MERGEABLE (1 << 0)

/* A fence on the global timeline (ctx_id is virtio-gpu's command type, not a context). */
VIRGL_EXPORT int virgl_renderer_create_fence(int client_fence_id, uint32_t ctx_id);
VIRGL_EXPORT int virgl_renderer_context_create_fence(uint32_t ctx_id, uint32_t flags,
                                                     uint32_t ring_idx, uint64_t fence_id);
/* Per-context delivery (THREAD_SYNC): each context's own poll fd and poll. */
VIRGL_EXPORT void virgl_renderer_context_poll(uint32_t ctx_id);
VIRGL_EXPORT int virgl_renderer_context_get_poll_fd(uint32_t ctx_id);

/* ---- Blob resources ---- */

#define VIRGL_RENDERER_BLOB_MEM_GUEST 0x0001
#define VIRGL_RENDERER_BLOB_MEM_HOST3D 0x0002
#define VIRGL_RENDERER_BLOB_MEM_HOST3D_GUEST 0x0003
#define VIRGL_RENDERER_BLOB_MEM_GUEST_VRAM 0x0004

#define VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE 0x0001
#define VIRGL_RENDERER_BLOB_FLAG_USE_SHAREABLE 0x0002
#define VIRGL_RENDERER_BLOB_FLAG_USE_CROSS_DEVICE 0x0004

struct virgl_renderer_resource_create_blob_args {
   uint32_t res_handle;
   uint32_t ctx_id;
   uint32_t blob_mem;
   uint32_t blob_flags;
   uint64_t blob_id;
   uint64_t size;
   const struct iovec *iovecs;
   uint32_t num_iovs;
};

VIRGL_EXPORT int
virgl_renderer_resource_create_blob(const struct virgl_renderer_resource_create_blob_args *args);
VIRGL_EXPORT int virgl_renderer_resource_map(uint32_t res_handle, void **map, uint64_t *out_size);
/* Maps the blob at addr, a range the VMM reserved (virglrenderer 1.2.1 and later). */
VIRGL_EXPORT int virgl_renderer_resource_map_fixed(uint32_t res_handle, void *addr);
VIRGL_EXPORT int virgl_renderer_resource_unmap(uint32_t res_handle);

/* virgl_renderer_resource_get_map_info: how the guest must cache the mapping. */
#define VIRGL_RENDERER_MAP_CACHE_MASK 0x0f
#define VIRGL_RENDERER_MAP_CACHE_NONE 0x00
#define VIRGL_RENDERER_MAP_CACHE_CACHED 0x01
#define VIRGL_RENDERER_MAP_CACHE_UNCACHED 0x02
#define VIRGL_RENDERER_MAP_CACHE_WC 0x03

VIRGL_EXPORT int virgl_renderer_resource_get_map_info(uint32_t res_handle, uint32_t *map_info);

#define VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF 0x0001
#define VIRGL_RENDERER_BLOB_FD_TYPE_OPAQUE 0x0002
#define VIRGL_RENDERER_BLOB_FD_TYPE_SHM 0x0003

VIRGL_EXPORT int virgl_renderer_resource_export_blob(uint32_t res_id, uint32_t *fd_type, int *fd);

/* An fd of another component becomes a resource; the library owns fd once this succeeds. */
struct virgl_renderer_resource_import_blob_args {
   uint32_t res_handle;
   uint32_t blob_mem;
   uint32_t fd_type;
   int fd;
   uint64_t size;
};

VIRGL_EXPORT int
virgl_renderer_resource_import_blob(const struct virgl_renderer_resource_import_blob_args *args);

/* ---- virgl_renderer_execute: versioned requests, each starting with a header ---- */

enum virgl_renderer_structure_type_v0 {
   VIRGL_RENDERER_STRUCTURE_TYPE_NONE = 0,
   VIRGL_RENDERER_STRUCTURE_TYPE_EXPORT_QUERY = (1 << 0),
   VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES = (1 << 1),
};

struct virgl_renderer_hdr {
   uint32_t stype;
   uint32_t stype_version;
   uint32_t size;
};

/* How a resource would be exported as an image (out_num_fds 0: not as one). */
struct virgl_renderer_export_query {
   struct virgl_renderer_hdr hdr;
   uint32_t in_resource_id;
   uint32_t out_num_fds;
   uint32_t in_export_fds;
   uint32_t out_fourcc;
   uint32_t pad;
   int32_t out_fds[4];
   uint32_t out_strides[4];
   uint32_t out_offsets[4];
   uint64_t out_modifier;
};

/* Which request types the library knows at in_stype_version. */
struct virgl_renderer_supported_structures {
   struct virgl_renderer_hdr hdr;
   uint32_t in_stype_version;
   uint32_t out_supported_structures_mask;
};

VIRGL_EXPORT int virgl_renderer_execute(void *execute_args, uint32_t execute_size);

/* ---- Sync files and explicit fences ---- */

#ifdef VIRGL_RENDERER_UNSTABLE_APIS
VIRGL_EXPORT int virgl_renderer_export_fence(uint64_t client_fence_id, int *fd);
VIRGL_EXPORT int virgl_renderer_export_signalled_fence(void);
VIRGL_EXPORT int virgl_renderer_submit_cmd2(void *buffer, int ctx_id, int ndw,
                                            uint64_t *in_fence_ids, uint32_t num_in_fences);
VIRGL_EXPORT int virgl_renderer_attach_fence(int ctx_id, int fence_fd);
VIRGL_EXPORT int virgl_renderer_get_fence_fd(uint64_t fence_id);
VIRGL_EXPORT int virgl_renderer_get_dev_fd(int ctx_id);
#endif

#ifdef __cplusplus
}
#endif

#endif
