/* SPDX-License-Identifier: MIT */
/*
 * The C ABI of libvirglrenderer.so.1 as the library's own sources see it: the public header
 * (include/virgl/virglrenderer.h, what VMMs built against PearVisor include) with its unstable
 * part, so every exported function is defined against the declaration VMMs use, plus what only
 * the library needs. Layouts are checked with static asserts below, because a VMM compiled
 * against virglrenderer's header passes these structs by pointer.
 */
#ifndef PV_VIRGL_ABI_H
#define PV_VIRGL_ABI_H

#ifndef VIRGL_RENDERER_UNSTABLE_APIS
#define VIRGL_RENDERER_UNSTABLE_APIS
#endif
#include <virglrenderer.h>

#include <stddef.h>

#define PV_VIRGL_EXPORT VIRGL_EXPORT

/* Capset ids (virtio-gpu numbering; not named by virglrenderer's header). */
#define VIRGL_RENDERER_CAPSET_VIRGL 1u
#define VIRGL_RENDERER_CAPSET_VIRGL2 2u
#define VIRGL_RENDERER_CAPSET_VENUS 4u

/* Versions 1..4 exist; each adds members at the end, so only members up to `version` exist. */
#define PV_VIRGL_CALLBACKS_MAX_VERSION VIRGL_RENDERER_CALLBACKS_VERSION

/* DRM_FORMAT_MOD_INVALID: no modifier (a blob, not an image). */
#define PV_DRM_FORMAT_MOD_INVALID 0x00ffffffffffffffull

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

#endif
