/* SPDX-License-Identifier: MIT */
/*
 * The virglrenderer API level PearVisor's libvirglrenderer.so.1 declares and serves: that of
 * virglrenderer 1.3.0 (every function it exports; tests/virgl/virglrenderer-1.3.0-exports.txt).
 * VMMs test these to choose code paths (QEMU: VIRGL_CHECK_VERSION(1, 2, 1) for
 * virgl_renderer_resource_map_fixed), so they name the API, not PearVisor's own version
 * (pearvisor/version.h has that).
 */
#ifndef VIRGL_VERSION_H
#define VIRGL_VERSION_H

#define VIRGL_MAJOR_VERSION (1)
#define VIRGL_MINOR_VERSION (3)
#define VIRGL_MICRO_VERSION (0)

/* True when the API is at least MAJOR.MINOR.MICRO. */
#define VIRGL_CHECK_VERSION(major, minor, micro)                                                   \
   (VIRGL_MAJOR_VERSION > (major) ||                                                               \
    (VIRGL_MAJOR_VERSION == (major) && VIRGL_MINOR_VERSION > (minor)) ||                           \
    (VIRGL_MAJOR_VERSION == (major) && VIRGL_MINOR_VERSION == (minor) &&                           \
     VIRGL_MICRO_VERSION >= (micro)))

#endif
