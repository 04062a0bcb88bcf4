/* SPDX-License-Identifier: MIT */
#include "renderer/renderer.h"

#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "util/log.h"

bool
pv_overrides_set(struct pv_overrides *o, const char *name, pv_handler_fn fn)
{
   for (uint32_t i = 0; i < o->table->count; i++) {
      const char *n = o->table->entries[i].name;
      if (n && !strcmp(n, name)) {
         o->fns[i] = fn;
         return true;
      }
   }
   pv_err("renderer: dialect %s has no command %s", o->table->name, name);
   return false;
}

static bool
dialect_init(struct pv_dialect *d, const char *name, uint32_t wire_format)
{
   d->wire_format = wire_format;
   d->table = pv_protocol_table_get(name);
   if (!d->table)
      return false;
   d->overrides = calloc(d->table->count, sizeof(*d->overrides));
   d->lost_handlers = calloc(d->table->count, sizeof(*d->lost_handlers));
   if (!d->overrides || !d->lost_handlers)
      return false;
   struct pv_overrides o = {.table = d->table, .fns = d->overrides};
   pv_transport_register(&o);
   pv_vk_register_all(&o);
   struct pv_overrides lost = {.table = d->table, .fns = d->lost_handlers};
   pv_transport_register_lost(&lost);
   pv_vk_register_lost(&lost);
   pv_venus_capset_fill(&d->capset, d->table, wire_format);
   return true;
}

static void
dialect_fini(struct pv_dialect *d)
{
   free(d->overrides);
   free(d->lost_handlers);
}

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
   if (r->config.wire_format > 1) {
      pv_err("renderer: wire format %u is not served (0 or 1)", r->config.wire_format);
      pv_renderer_destroy(r);
      return NULL;
   }
   if (!dialect_init(&r->wire0, "wire0", 0) || !dialect_init(&r->wire1, "wire1", 1)) {
      pv_err("renderer: cannot set up the wire dialects");
      pv_renderer_destroy(r);
      return NULL;
   }
   return r;
}

void
pv_renderer_destroy(struct pv_renderer *renderer)
{
   if (!renderer)
      return;
   dialect_fini(&renderer->wire0);
   dialect_fini(&renderer->wire1);
   free(renderer);
}

const struct pv_dialect *
pv_renderer_dialect(const struct pv_renderer *r, uint32_t capset_id)
{
   if (capset_id != PV_CAPSET_VENUS)
      return NULL;
   return r->config.wire_format == 1 ? &r->wire1 : &r->wire0;
}

const struct pv_dialect *
pv_renderer_dialect_by_name(const struct pv_renderer *r, const char *name)
{
   if (r->wire0.table && !strcmp(r->wire0.table->name, name))
      return &r->wire0;
   if (r->wire1.table && !strcmp(r->wire1.table->name, name))
      return &r->wire1;
   return NULL;
}

size_t
pv_renderer_get_capset(struct pv_renderer *renderer, uint32_t capset_id, uint32_t version,
                       void *out, size_t out_size)
{
   const struct pv_dialect *d = pv_renderer_dialect(renderer, capset_id);
   if (!d || version != 0)
      return 0;
   size_t size = sizeof(d->capset);
   if (out)
      memcpy(out, &d->capset, out_size < size ? out_size : size);
   return size;
}

const char *
pv_renderer_describe(const struct pv_renderer *renderer)
{
   if (renderer && renderer->config.wire_format == 1)
      return "Venus wire format 1 (Mesa >= 23.1 guests, e.g. 25.0.7): Vulkan commands decoded "
             "from the registry and run on the host driver";
   return "Venus wire format 0 (Mesa <= 23.0 guests, e.g. 22.3.6): Vulkan commands decoded from "
          "the registry and run on the host driver";
}
