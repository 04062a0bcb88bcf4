/* SPDX-License-Identifier: MIT */
/*
 * A VMM in miniature, built the way one is built against PearVisor (tests/virgl/test-pkgconfig):
 * only <virglrenderer.h> and what pkg-config's virglrenderer gives, from an installed tree. It
 * checks the API level the way QEMU does, asks for the Venus capset before init, starts the
 * renderer, creates and destroys a Venus context, and prints which library served it.
 */
#define _GNU_SOURCE
#include <virglrenderer.h>

#include <dlfcn.h>
#include <stdio.h>

#if !VIRGL_CHECK_VERSION(1, 2, 1)
#error "the header should declare virglrenderer 1.2.1's API or later (map_fixed)"
#endif

#define CAPSET_VENUS 4

static void
write_fence(void *cookie, uint32_t fence)
{
   (void)cookie;
   (void)fence;
}

int
main(void)
{
   static struct virgl_renderer_callbacks cbs = {
      .version = 1,
      .write_fence = write_fence,
   };
   uint32_t max_ver = 0, max_size = 0;
   Dl_info where;
   int err;

   virgl_renderer_get_cap_set(CAPSET_VENUS, &max_ver, &max_size);
   /* As QEMU decides: a Venus capset is offered when it has a size (its version is 0). */
   if (max_size == 0) {
      fprintf(stderr, "no Venus capset before init (version %u, size 0)\n", max_ver);
      return 1;
   }
   err = virgl_renderer_init(NULL, VIRGL_RENDERER_VENUS | VIRGL_RENDERER_NO_VIRGL, &cbs);
   if (err) {
      fprintf(stderr, "virgl_renderer_init: %d\n", err);
      return 1;
   }
   err = virgl_renderer_context_create_with_flags(1, CAPSET_VENUS, 3, "vmm");
   if (err) {
      fprintf(stderr, "virgl_renderer_context_create_with_flags: %d\n", err);
      virgl_renderer_cleanup(NULL);
      return 1;
   }
   virgl_renderer_context_destroy(1);
   virgl_renderer_cleanup(NULL);
   if (!dladdr((void *)virgl_renderer_init, &where) || !where.dli_fname) {
      fprintf(stderr, "dladdr found no library for virgl_renderer_init\n");
      return 1;
   }
   printf("venus capset v%u (%u bytes), a context served by %s\n", max_ver, max_size,
          where.dli_fname);
   return 0;
}
