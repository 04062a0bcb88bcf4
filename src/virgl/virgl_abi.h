/* SPDX-License-Identifier: MIT */
/*
 * The C ABI of libvirglrenderer.so.1 that VMMs link against (QEMU >= 9.2, libkrun), written as
 * our own declarations of the facts: structure layouts, flag values and function signatures as
 * virglrenderer 1.1.1 defines them (shared/protocol/qemu-venus.md §5 lists what QEMU 10.0 uses).
 * Only the parts this front end serves are declared. Layouts are checked with static asserts
 * below, because a VMM compiled against the real header passes these structs by pointer.
 */
#ifndef PV_VIRGL_ABI_H
#define PV_VIRGL_ABI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iovec;
struct virgl_box; /* 3D transfer boxes: never read, 3D transfers are refused */

#define PV_VIRGL_EXPORT __attribute__((visibility("default")))

/* virgl_renderer_init flags. */
#define VIRGL_RENDERER_USE_EGL (1 << 0)
#define VIRGL_RENDERER_THREAD_SYNC (1 << 1)
#define VIRGL_RENDERER_USE_GLX (1 << 2)
#define VIRGL_RENDERER_USE_SURFACELESS (1 << 3)
#define VIRGL_RENDERER_USE_GLES (1 << 4)
#define VIRGL_RENDERER_USE_EXTERNAL_BLOB (1 << 5)
#define VIRGL_RENDERER_VENUS (1 << 6)
#define VIRGL_RENDERER_NO_VIRGL (1 << 7)
#define VIRGL_RENDERER_ASYNC_FENCE_CB (1 << 8)
#define VIRGL_RENDERER_RENDER_SERVER (1 << 9)
#define VIRGL_RENDERER_DRM (1 << 10)

/* Capset ids (virtio-gpu numbering). */
#define VIRGL_RENDERER_CAPSET_VIRGL 1u
#define VIRGL_RENDERER_CAPSET_VIRGL2 2u
#define VIRGL_RENDERER_CAPSET_VENUS 4u

typedef void *virgl_renderer_gl_context;

struct virgl_renderer_gl_ctx_param {
   int version;
   bool shared;
   int major_ver;
   int minor_ver;
   int compat_ctx;
};

/* Versions 1..4 exist; each adds members at the end, so only members up to `version` exist. */
#define PV_VIRGL_CALLBACKS_MAX_VERSION 4
struct virgl_renderer_callbacks {
   int version;
   void (*write_fence)(void *cookie, uint32_t fence);
   virgl_renderer_gl_context (*create_gl_context)(void *cookie, int scanout_idx,
                                                  struct virgl_renderer_gl_ctx_param *param);
   void (*destroy_gl_context)(void *cookie, virgl_renderer_gl_context ctx);
   int (*make_current)(void *cookie, int scanout_idx, virgl_renderer_gl_context ctx);
   int (*get_drm_fd)(void *cookie); /* v2 */
   void (*write_context_fence)(void *cookie, uint32_t ctx_id, uint32_t ring_idx,
                               uint64_t fence_id);       /* v3 */
   int (*get_server_fd)(void *cookie, uint32_t version); /* v3 */
   void *(*get_egl_display)(void *cookie);               /* v4 */
};

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

struct virgl_renderer_resource_info_ext {
   int version;
   struct virgl_renderer_resource_info base;
   bool has_dmabuf_export;
   int planes;
   uint64_t modifiers;
   void *d3d_tex2d;
};

#define VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK 0xffu

#define VIRGL_RENDERER_BLOB_MEM_GUEST 0x0001u
#define VIRGL_RENDERER_BLOB_MEM_HOST3D 0x0002u
#define VIRGL_RENDERER_BLOB_MEM_HOST3D_GUEST 0x0003u
#define VIRGL_RENDERER_BLOB_MEM_GUEST_VRAM 0x0004u

#define VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE 0x0001u
#define VIRGL_RENDERER_BLOB_FLAG_USE_SHAREABLE 0x0002u
#define VIRGL_RENDERER_BLOB_FLAG_USE_CROSS_DEVICE 0x0004u

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

#define VIRGL_RENDERER_MAP_CACHE_MASK 0x0fu
#define VIRGL_RENDERER_MAP_CACHE_NONE 0x00u
#define VIRGL_RENDERER_MAP_CACHE_CACHED 0x01u
#define VIRGL_RENDERER_MAP_CACHE_UNCACHED 0x02u
#define VIRGL_RENDERER_MAP_CACHE_WC 0x03u

#define VIRGL_RENDERER_FENCE_FLAG_MERGEABLE (1u << 0)

/* virgl_renderer_resource_export_blob fd types. */
#define VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF 0x0001u
#define VIRGL_RENDERER_BLOB_FD_TYPE_OPAQUE 0x0002u
#define VIRGL_RENDERER_BLOB_FD_TYPE_SHM 0x0003u

/* virgl_renderer_resource_import_blob: an fd from another component (rutabaga's cross-domain
 * resources in libkrun), owned by the library once the call succeeds. */
struct virgl_renderer_resource_import_blob_args {
   uint32_t res_handle;
   uint32_t blob_mem;
   uint32_t fd_type;
   int fd;
   uint64_t size;
};

/* virgl_renderer_execute requests: a header, then the request's own members. Every request of
 * virglrenderer 1.1.1 is version 0 (stype_version) and names its own size (hdr.size). */
#define VIRGL_RENDERER_STRUCTURE_TYPE_NONE 0u
#define VIRGL_RENDERER_STRUCTURE_TYPE_EXPORT_QUERY (1u << 0)
#define VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES (1u << 1)

struct virgl_renderer_hdr {
   uint32_t stype;
   uint32_t stype_version;
   uint32_t size;
};

/* How a resource would be exported: out_num_fds or out_fourcc 0 means not as an image. */
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

/* Which request types the library knows for in_stype_version. */
struct virgl_renderer_supported_structures {
   struct virgl_renderer_hdr hdr;
   uint32_t in_stype_version;
   uint32_t out_supported_structures_mask;
};

/* DRM_FORMAT_MOD_INVALID: no modifier (a blob, not an image). */
#define PV_DRM_FORMAT_MOD_INVALID 0x00ffffffffffffffull

/* The logging hook libkrun installs: printf-style, one line per call. */
typedef void (*virgl_debug_callback_type)(const char *fmt, va_list ap);

/* virglrenderer 1.1's logging hook: a level, a formatted line and the VMM's data; the data's
 * free function runs when the hook is replaced. */
enum virgl_log_level_flags {
   VIRGL_LOG_LEVEL_DEBUG,
   VIRGL_LOG_LEVEL_INFO,
   VIRGL_LOG_LEVEL_WARNING,
   VIRGL_LOG_LEVEL_ERROR,
   VIRGL_LOG_LEVEL_SILENT,
};
typedef void (*virgl_free_data_callback_type)(void *user_data);
typedef void (*virgl_log_callback_type)(enum virgl_log_level_flags log_level, const char *message,
                                        void *user_data);

/* x86_64/aarch64 (LP64) layouts a VMM built against virglrenderer 1.1.1 passes in. */
_Static_assert(sizeof(struct virgl_renderer_resource_create_args) == 44, "create_args");
_Static_assert(sizeof(struct virgl_renderer_resource_info) == 40, "resource_info");
_Static_assert(offsetof(struct virgl_renderer_resource_info, fd) == 36, "resource_info.fd");
_Static_assert(offsetof(struct virgl_renderer_resource_info_ext, has_dmabuf_export) == 44,
               "resource_info_ext.has_dmabuf_export");
_Static_assert(offsetof(struct virgl_renderer_resource_create_blob_args, blob_id) == 16,
               "create_blob_args.blob_id");
_Static_assert(offsetof(struct virgl_renderer_resource_create_blob_args, iovecs) == 32,
               "create_blob_args.iovecs");
_Static_assert(sizeof(struct virgl_renderer_resource_import_blob_args) == 24, "import_blob_args");
_Static_assert(offsetof(struct virgl_renderer_resource_import_blob_args, size) == 16,
               "import_blob_args.size");
_Static_assert(sizeof(struct virgl_renderer_hdr) == 12, "hdr");
_Static_assert(sizeof(struct virgl_renderer_export_query) == 88, "export_query");
_Static_assert(offsetof(struct virgl_renderer_export_query, out_fds) == 32, "export_query.out_fds");
_Static_assert(offsetof(struct virgl_renderer_export_query, out_modifier) == 80,
               "export_query.out_modifier");
_Static_assert(sizeof(struct virgl_renderer_supported_structures) == 20, "supported_structures");
_Static_assert(offsetof(struct virgl_renderer_callbacks, write_context_fence) == sizeof(void *) * 6,
               "callbacks.write_context_fence");

/* The exported functions (tests/virgl/qemu-10.0-imports.txt lists QEMU's 28). */
PV_VIRGL_EXPORT int virgl_renderer_init(void *cookie, int flags,
                                        struct virgl_renderer_callbacks *cbs);
PV_VIRGL_EXPORT void virgl_renderer_poll(void);
PV_VIRGL_EXPORT void virgl_renderer_reset(void);
PV_VIRGL_EXPORT void virgl_renderer_cleanup(void *cookie);
PV_VIRGL_EXPORT int virgl_renderer_get_poll_fd(void);
PV_VIRGL_EXPORT void virgl_renderer_force_ctx_0(void);
PV_VIRGL_EXPORT void virgl_renderer_get_cap_set(uint32_t set, uint32_t *max_ver,
                                                uint32_t *max_size);
PV_VIRGL_EXPORT void virgl_renderer_fill_caps(uint32_t set, uint32_t version, void *caps);

PV_VIRGL_EXPORT int virgl_renderer_context_create(uint32_t handle, uint32_t nlen, const char *name);
PV_VIRGL_EXPORT int virgl_renderer_context_create_with_flags(uint32_t ctx_id, uint32_t ctx_flags,
                                                             uint32_t nlen, const char *name);
PV_VIRGL_EXPORT void virgl_renderer_context_destroy(uint32_t handle);
PV_VIRGL_EXPORT int virgl_renderer_submit_cmd(void *buffer, int ctx_id, int ndw);
PV_VIRGL_EXPORT void virgl_renderer_ctx_attach_resource(int ctx_id, int res_handle);
PV_VIRGL_EXPORT void virgl_renderer_ctx_detach_resource(int ctx_id, int res_handle);

PV_VIRGL_EXPORT int virgl_renderer_create_fence(int client_fence_id, uint32_t ctx_id);
PV_VIRGL_EXPORT int virgl_renderer_context_create_fence(uint32_t ctx_id, uint32_t flags,
                                                        uint32_t ring_idx, uint64_t fence_id);

PV_VIRGL_EXPORT int
virgl_renderer_resource_create_blob(const struct virgl_renderer_resource_create_blob_args *args);
PV_VIRGL_EXPORT int virgl_renderer_resource_get_info(int res_handle,
                                                     struct virgl_renderer_resource_info *info);
PV_VIRGL_EXPORT int
virgl_renderer_resource_get_info_ext(int res_handle, struct virgl_renderer_resource_info_ext *info);
PV_VIRGL_EXPORT int virgl_renderer_resource_map(uint32_t res_handle, void **map,
                                                uint64_t *out_size);
PV_VIRGL_EXPORT int virgl_renderer_resource_unmap(uint32_t res_handle);
PV_VIRGL_EXPORT int virgl_renderer_resource_get_map_info(uint32_t res_handle, uint32_t *map_info);
PV_VIRGL_EXPORT void virgl_renderer_resource_unref(uint32_t res_handle);
PV_VIRGL_EXPORT int virgl_renderer_resource_export_blob(uint32_t res_id, uint32_t *fd_type,
                                                        int *fd);

/* The four libkrun imports beyond QEMU's (tests/virgl/libkrun-imports.txt). */
PV_VIRGL_EXPORT virgl_debug_callback_type virgl_set_debug_callback(virgl_debug_callback_type cb);
PV_VIRGL_EXPORT int virgl_renderer_execute(void *execute_args, uint32_t execute_size);
PV_VIRGL_EXPORT int
virgl_renderer_resource_import_blob(const struct virgl_renderer_resource_import_blob_args *args);
PV_VIRGL_EXPORT int virgl_renderer_export_fence(uint64_t client_fence_id, int *fd);

/* The rest of virglrenderer 1.1.1's exports (tests/virgl/virglrenderer-1.1.1-exports.txt), for
 * VMMs built against it that import more than QEMU 10.0 and libkrun do. */
PV_VIRGL_EXPORT void virgl_set_log_callback(virgl_log_callback_type cb, void *user_data,
                                            virgl_free_data_callback_type free_user_data_cb);
PV_VIRGL_EXPORT void virgl_renderer_context_poll(uint32_t ctx_id);
PV_VIRGL_EXPORT int virgl_renderer_context_get_poll_fd(uint32_t ctx_id);
PV_VIRGL_EXPORT int virgl_renderer_submit_cmd2(void *buffer, int ctx_id, int ndw,
                                               uint64_t *in_fence_ids, uint32_t num_in_fences);
PV_VIRGL_EXPORT int virgl_renderer_export_signalled_fence(void);
PV_VIRGL_EXPORT void virgl_renderer_resource_set_priv(uint32_t res_handle, void *priv);
PV_VIRGL_EXPORT void *virgl_renderer_resource_get_priv(uint32_t res_handle);
/* virglrenderer 1.3's additions (tests/virgl/virglrenderer-1.3.0-exports.txt). */
PV_VIRGL_EXPORT int virgl_renderer_resource_map_fixed(uint32_t res_handle, void *addr);
PV_VIRGL_EXPORT int virgl_renderer_attach_fence(int ctx_id, int fence_fd);
PV_VIRGL_EXPORT int virgl_renderer_get_fence_fd(uint64_t fence_id);
PV_VIRGL_EXPORT int virgl_renderer_get_dev_fd(int ctx_id);
/* GL's, refused as virglrenderer refuses them without its GL renderer (virgl_gl_only.c). */
PV_VIRGL_EXPORT void virgl_renderer_get_rect(int resource_id, struct iovec *iov,
                                             unsigned int num_iovs, uint32_t offset, int x, int y,
                                             int width, int height);
PV_VIRGL_EXPORT int virgl_renderer_get_fd_for_texture(uint32_t tex_id, int *fd);
PV_VIRGL_EXPORT int virgl_renderer_get_fd_for_texture2(uint32_t tex_id, int *fd, int *stride,
                                                       int *offset);
PV_VIRGL_EXPORT int
virgl_renderer_resource_import_eglimage(struct virgl_renderer_resource_create_args *args,
                                        void *image);

PV_VIRGL_EXPORT int virgl_renderer_resource_create(struct virgl_renderer_resource_create_args *args,
                                                   struct iovec *iov, uint32_t num_iovs);
PV_VIRGL_EXPORT int virgl_renderer_resource_attach_iov(int res_handle, struct iovec *iov,
                                                       int num_iovs);
PV_VIRGL_EXPORT void virgl_renderer_resource_detach_iov(int res_handle, struct iovec **iov,
                                                        int *num_iovs);
PV_VIRGL_EXPORT int virgl_renderer_transfer_write_iov(uint32_t handle, uint32_t ctx_id, int level,
                                                      uint32_t stride, uint32_t layer_stride,
                                                      struct virgl_box *box, uint64_t offset,
                                                      struct iovec *iovec, unsigned int iovec_cnt);
PV_VIRGL_EXPORT int virgl_renderer_transfer_read_iov(uint32_t handle, uint32_t ctx_id,
                                                     uint32_t level, uint32_t stride,
                                                     uint32_t layer_stride, struct virgl_box *box,
                                                     uint64_t offset, struct iovec *iov,
                                                     int iovec_cnt);
PV_VIRGL_EXPORT void *virgl_renderer_get_cursor_data(uint32_t resource_id, uint32_t *width,
                                                     uint32_t *height);

#endif
