/* SPDX-License-Identifier: MIT */
#include "renderer/renderer.h"

#include <stdlib.h>
#include <string.h>

#include "util/log.h"

struct pv_renderer *
pv_renderer_create(const struct pv_renderer_config *config)
{
   struct pv_renderer *r = calloc(1, sizeof(*r));
   if (!r) {
      pv_err("renderer: out of memory");
      return NULL;
   }
   if (config)
      r->config = *config;
   pv_venus_capset_fill(&r->venus_capset);
   return r;
}

void
pv_renderer_destroy(struct pv_renderer *renderer)
{
   free(renderer);
}

size_t
pv_renderer_get_capset(struct pv_renderer *renderer, uint32_t capset_id, uint32_t version,
                       void *out, size_t out_size)
{
   if (capset_id != PV_CAPSET_VENUS || version != 0)
      return 0;
   size_t size = sizeof(renderer->venus_capset);
   if (out)
      memcpy(out, &renderer->venus_capset, out_size < size ? out_size : size);
   return size;
}

const char *
pv_renderer_describe(const struct pv_renderer *renderer)
{
   (void)renderer;
   return "vtest handshake, blobs and syncs only: the Venus decoder is not built yet, so guests "
          "are told (capset vk_xml_version 0) that no Vulkan commands can be served";
}
