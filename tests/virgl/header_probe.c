/* SPDX-License-Identifier: MIT */
/*
 * Prints what a VMM's source takes from a virglrenderer.h: every structure's size and member
 * offsets, every flag's and enumerator's value, and the API level; and holds every function to
 * the signature written here (a mismatch does not compile). Built against PearVisor's
 * include/virgl and against virglrenderer's own headers, the printouts must be equal
 * (tests/virgl/test-header). Virglrenderer before 1.0 (Debian 12's 0.10.4) has no version
 * header and lacks the 1.x additions: with it, or with PROBE_COMMON_ONLY defined (to compare
 * against it, or against a 1.x header older than 1.3.0), only the part all have is printed.
 */
#define VIRGL_RENDERER_UNSTABLE_APIS
#include <virglrenderer.h>

#include <stddef.h>
#include <stdio.h>
#include <sys/uio.h>

#if defined(VIRGL_CHECK_VERSION) && !defined(PROBE_COMMON_ONLY)
#define PROBE_V1 1
#else
#define PROBE_V1 0
#endif

#define SIZE(T) printf("sizeof %s %zu\n", #T, sizeof(T))
#define OFFSET(T, m) printf("offsetof %s.%s %zu\n", #T, #m, offsetof(T, m))
#define VALUE(M) printf("value %s %lld\n", #M, (long long)(M))
/* The function exists with exactly this type; printed so that a missing line shows. */
#define FUNCTION(name, type)                                                                       \
   do {                                                                                            \
      _Static_assert(__builtin_types_compatible_p(__typeof__(&name), type), #name);                \
      printf("function %s\n", #name);                                                              \
   } while (0)

static void
print_callbacks(void)
{
   typedef struct virgl_renderer_callbacks cbs;
   OFFSET(struct virgl_renderer_gl_ctx_param, shared);
   OFFSET(struct virgl_renderer_gl_ctx_param, major_ver);
   OFFSET(struct virgl_renderer_gl_ctx_param, minor_ver);
   SIZE(cbs);
   OFFSET(cbs, write_fence);
   OFFSET(cbs, create_gl_context);
   OFFSET(cbs, destroy_gl_context);
   OFFSET(cbs, make_current);
   OFFSET(cbs, get_drm_fd);
   OFFSET(cbs, write_context_fence);
   OFFSET(cbs, get_server_fd);
   OFFSET(cbs, get_egl_display);
   VALUE(VIRGL_RENDERER_CALLBACKS_VERSION);
}

static void
print_flags(void)
{
   VALUE(VIRGL_RENDERER_USE_EGL);
   VALUE(VIRGL_RENDERER_THREAD_SYNC);
   VALUE(VIRGL_RENDERER_USE_GLX);
   VALUE(VIRGL_RENDERER_USE_SURFACELESS);
   VALUE(VIRGL_RENDERER_USE_GLES);
   VALUE(VIRGL_RENDERER_USE_EXTERNAL_BLOB);
   VALUE(VIRGL_RENDERER_VENUS);
   VALUE(VIRGL_RENDERER_NO_VIRGL);
   VALUE(VIRGL_RENDERER_ASYNC_FENCE_CB);
   VALUE(VIRGL_RENDERER_RENDER_SERVER);
   VALUE(VIRGL_RENDERER_DRM);
   VALUE(VIRGL_RENDERER_USE_VIDEO);
   VALUE(VIRGL_RES_BIND_DEPTH_STENCIL);
   VALUE(VIRGL_RES_BIND_RENDER_TARGET);
   VALUE(VIRGL_RES_BIND_SAMPLER_VIEW);
   VALUE(VIRGL_RES_BIND_VERTEX_BUFFER);
   VALUE(VIRGL_RES_BIND_INDEX_BUFFER);
   VALUE(VIRGL_RES_BIND_CONSTANT_BUFFER);
   VALUE(VIRGL_RES_BIND_STREAM_OUTPUT);
   VALUE(VIRGL_RES_BIND_CURSOR);
   VALUE(VIRGL_RES_BIND_CUSTOM);
   VALUE(VIRGL_RES_BIND_SCANOUT);
   VALUE(VIRGL_RES_BIND_SHARED);
   VALUE(VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK);
   VALUE(VIRGL_RENDERER_BLOB_MEM_GUEST);
   VALUE(VIRGL_RENDERER_BLOB_MEM_HOST3D);
   VALUE(VIRGL_RENDERER_BLOB_MEM_HOST3D_GUEST);
   VALUE(VIRGL_RENDERER_BLOB_MEM_GUEST_VRAM);
   VALUE(VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE);
   VALUE(VIRGL_RENDERER_BLOB_FLAG_USE_SHAREABLE);
   VALUE(VIRGL_RENDERER_BLOB_FLAG_USE_CROSS_DEVICE);
   VALUE(VIRGL_RENDERER_MAP_CACHE_MASK);
   VALUE(VIRGL_RENDERER_MAP_CACHE_NONE);
   VALUE(VIRGL_RENDERER_MAP_CACHE_CACHED);
   VALUE(VIRGL_RENDERER_MAP_CACHE_UNCACHED);
   VALUE(VIRGL_RENDERER_MAP_CACHE_WC);
   VALUE(VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF);
   VALUE(VIRGL_RENDERER_BLOB_FD_TYPE_OPAQUE);
   VALUE(VIRGL_RENDERER_BLOB_FD_TYPE_SHM);
   VALUE(VIRGL_RENDERER_FENCE_FLAG_MERGEABLE);
   VALUE(VIRGL_RENDERER_STRUCTURE_TYPE_NONE);
   VALUE(VIRGL_RENDERER_STRUCTURE_TYPE_EXPORT_QUERY);
   VALUE(VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES);
}

static void
print_resource_structs(void)
{
   typedef struct virgl_renderer_resource_create_args create;
   typedef struct virgl_renderer_resource_info info;
   typedef struct virgl_renderer_resource_create_blob_args blob;
   typedef struct virgl_renderer_resource_import_blob_args import;
   SIZE(create);
   OFFSET(create, target);
   OFFSET(create, format);
   OFFSET(create, bind);
   OFFSET(create, width);
   OFFSET(create, height);
   OFFSET(create, depth);
   OFFSET(create, array_size);
   OFFSET(create, last_level);
   OFFSET(create, nr_samples);
   OFFSET(create, flags);
   OFFSET(info, virgl_format);
   OFFSET(info, width);
   OFFSET(info, height);
   OFFSET(info, depth);
   OFFSET(info, flags);
   OFFSET(info, tex_id);
   OFFSET(info, stride);
   OFFSET(info, drm_fourcc);
   SIZE(blob);
   OFFSET(blob, ctx_id);
   OFFSET(blob, blob_mem);
   OFFSET(blob, blob_flags);
   OFFSET(blob, blob_id);
   OFFSET(blob, size);
   OFFSET(blob, iovecs);
   OFFSET(blob, num_iovs);
   SIZE(import);
   OFFSET(import, blob_mem);
   OFFSET(import, fd_type);
   OFFSET(import, fd);
   OFFSET(import, size);
}

static void
print_execute_structs(void)
{
   typedef struct virgl_renderer_export_query query;
   typedef struct virgl_renderer_supported_structures supported;
   SIZE(struct virgl_renderer_hdr);
   OFFSET(struct virgl_renderer_hdr, stype_version);
   OFFSET(struct virgl_renderer_hdr, size);
   SIZE(query);
   OFFSET(query, in_resource_id);
   OFFSET(query, out_num_fds);
   OFFSET(query, in_export_fds);
   OFFSET(query, out_fourcc);
   OFFSET(query, pad);
   OFFSET(query, out_fds);
   OFFSET(query, out_strides);
   OFFSET(query, out_offsets);
   OFFSET(query, out_modifier);
   SIZE(supported);
   OFFSET(supported, in_stype_version);
   OFFSET(supported, out_supported_structures_mask);
}

static void
print_functions(void)
{
   typedef struct virgl_renderer_resource_create_args create;
   FUNCTION(virgl_renderer_init, int (*)(void *, int, struct virgl_renderer_callbacks *));
   FUNCTION(virgl_renderer_poll, void (*)(void));
   FUNCTION(virgl_renderer_cleanup, void (*)(void *));
   FUNCTION(virgl_renderer_reset, void (*)(void));
   FUNCTION(virgl_renderer_get_poll_fd, int (*)(void));
   FUNCTION(virgl_renderer_force_ctx_0, void (*)(void));
   FUNCTION(virgl_renderer_get_cap_set, void (*)(uint32_t, uint32_t *, uint32_t *));
   FUNCTION(virgl_renderer_fill_caps, void (*)(uint32_t, uint32_t, void *));
   FUNCTION(virgl_set_debug_callback, virgl_debug_callback_type(*)(virgl_debug_callback_type));
   FUNCTION(virgl_renderer_resource_create, int (*)(create *, struct iovec *, uint32_t));
   FUNCTION(virgl_renderer_resource_import_eglimage, int (*)(create *, void *));
   FUNCTION(virgl_renderer_resource_attach_iov, int (*)(int, struct iovec *, int));
   FUNCTION(virgl_renderer_resource_detach_iov, void (*)(int, struct iovec **, int *));
   FUNCTION(virgl_renderer_transfer_read_iov,
            int (*)(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, struct virgl_box *, uint64_t,
                    struct iovec *, int));
   FUNCTION(virgl_renderer_transfer_write_iov,
            int (*)(uint32_t, uint32_t, int, uint32_t, uint32_t, struct virgl_box *, uint64_t,
                    struct iovec *, unsigned int));
   FUNCTION(virgl_renderer_get_cursor_data, void *(*)(uint32_t, uint32_t *, uint32_t *));
   FUNCTION(virgl_renderer_get_rect,
            void (*)(int, struct iovec *, unsigned int, uint32_t, int, int, int, int));
   FUNCTION(virgl_renderer_get_fd_for_texture, int (*)(uint32_t, int *));
   FUNCTION(virgl_renderer_get_fd_for_texture2, int (*)(uint32_t, int *, int *, int *));
   FUNCTION(virgl_renderer_resource_unref, void (*)(uint32_t));
   FUNCTION(virgl_renderer_resource_set_priv, void (*)(uint32_t, void *));
   FUNCTION(virgl_renderer_resource_get_priv, void *(*)(uint32_t));
   FUNCTION(virgl_renderer_resource_get_info, int (*)(int, struct virgl_renderer_resource_info *));
   FUNCTION(virgl_renderer_context_create, int (*)(uint32_t, uint32_t, const char *));
   FUNCTION(virgl_renderer_context_create_with_flags,
            int (*)(uint32_t, uint32_t, uint32_t, const char *));
   FUNCTION(virgl_renderer_context_destroy, void (*)(uint32_t));
   FUNCTION(virgl_renderer_submit_cmd, int (*)(void *, int, int));
   FUNCTION(virgl_renderer_ctx_attach_resource, void (*)(int, int));
   FUNCTION(virgl_renderer_ctx_detach_resource, void (*)(int, int));
   FUNCTION(virgl_renderer_create_fence, int (*)(int, uint32_t));
   FUNCTION(virgl_renderer_context_create_fence, int (*)(uint32_t, uint32_t, uint32_t, uint64_t));
   FUNCTION(virgl_renderer_context_poll, void (*)(uint32_t));
   FUNCTION(virgl_renderer_context_get_poll_fd, int (*)(uint32_t));
   FUNCTION(virgl_renderer_resource_create_blob,
            int (*)(const struct virgl_renderer_resource_create_blob_args *));
   FUNCTION(virgl_renderer_resource_map, int (*)(uint32_t, void **, uint64_t *));
   FUNCTION(virgl_renderer_resource_unmap, int (*)(uint32_t));
   FUNCTION(virgl_renderer_resource_get_map_info, int (*)(uint32_t, uint32_t *));
   FUNCTION(virgl_renderer_resource_export_blob, int (*)(uint32_t, uint32_t *, int *));
   FUNCTION(virgl_renderer_resource_import_blob,
            int (*)(const struct virgl_renderer_resource_import_blob_args *));
   FUNCTION(virgl_renderer_execute, int (*)(void *, uint32_t));
}

#if PROBE_V1
/* What virglrenderer 1.x added (its header has a version header; 0.10.4's has neither). */
static void
print_v1(void)
{
   typedef struct virgl_renderer_resource_info_ext ext;
   printf("api %d.%d.%d\n", VIRGL_MAJOR_VERSION, VIRGL_MINOR_VERSION, VIRGL_MICRO_VERSION);
   VALUE(VIRGL_CHECK_VERSION(1, 2, 1));
   VALUE(VIRGL_CHECK_VERSION(1, 3, 0));
   VALUE(VIRGL_CHECK_VERSION(1, 3, 1));
   VALUE(VIRGL_CHECK_VERSION(2, 0, 0));
   VALUE(VIRGL_RENDERER_D3D11_SHARE_TEXTURE);
   VALUE(VIRGL_RENDERER_COMPAT_PROFILE);
   VALUE(VIRGL_RENDERER_USE_GUEST_VRAM);
   VALUE(VIRGL_RENDERER_RESOURCE_INFO_EXT_VERSION);
   VALUE(VIRGL_LOG_LEVEL_DEBUG);
   VALUE(VIRGL_LOG_LEVEL_INFO);
   VALUE(VIRGL_LOG_LEVEL_WARNING);
   VALUE(VIRGL_LOG_LEVEL_ERROR);
   VALUE(VIRGL_LOG_LEVEL_SILENT);
   /* 1.0 added these members. */
   SIZE(struct virgl_renderer_gl_ctx_param);
   OFFSET(struct virgl_renderer_gl_ctx_param, compat_ctx);
   SIZE(struct virgl_renderer_resource_info);
   OFFSET(struct virgl_renderer_resource_info, fd);
   SIZE(ext);
   OFFSET(ext, base);
   OFFSET(ext, has_dmabuf_export);
   OFFSET(ext, planes);
   OFFSET(ext, modifiers);
   OFFSET(ext, d3d_tex2d);
   FUNCTION(virgl_set_log_callback,
            void (*)(virgl_log_callback_type, void *, virgl_free_data_callback_type));
   FUNCTION(virgl_renderer_resource_get_info_ext, int (*)(int, ext *));
   FUNCTION(virgl_renderer_resource_map_fixed, int (*)(uint32_t, void *));
   FUNCTION(virgl_renderer_export_fence, int (*)(uint64_t, int *)); /* 0.10.4: uint32_t id */
   FUNCTION(virgl_renderer_export_signalled_fence, int (*)(void));
   FUNCTION(virgl_renderer_submit_cmd2, int (*)(void *, int, int, uint64_t *, uint32_t));
   FUNCTION(virgl_renderer_attach_fence, int (*)(int, int));
   FUNCTION(virgl_renderer_get_fence_fd, int (*)(uint64_t));
   FUNCTION(virgl_renderer_get_dev_fd, int (*)(int));
}
#endif

int
main(void)
{
   print_callbacks();
   print_flags();
   print_resource_structs();
   print_execute_structs();
   print_functions();
#if PROBE_V1
   print_v1();
#endif
   return 0;
}
