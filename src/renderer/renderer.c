/* SPDX-License-Identifier: MIT */
#include "renderer/renderer.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "renderer/crash_guard.h"
#include "renderer/holds.h"
#include "renderer/recorder.h"
#include "util/log.h"

bool
pv_overrides_set(struct pv_overrides *o, const char *name, pv_handler_fn fn)
{
   int32_t i = pv_protocol_command_find(o->table, name);
   if (i >= 0) {
      o->fns[i] = fn;
      return true;
   }
   pv_err("renderer: dialect %s has no command %s", o->table->name, name);
   return false;
}

static bool
dialect_init(struct pv_dialect *d, const char *name, uint32_t wire_format,
             const struct pv_family *family)
{
   d->wire_format = wire_format;
   d->table = pv_protocol_table_get(name);
   if (!d->table)
      return false;
   d->overrides = calloc(d->table->count, sizeof(*d->overrides));
   d->lost_handlers = calloc(d->table->count, sizeof(*d->lost_handlers));
   d->check_classes = calloc(d->table->count, sizeof(*d->check_classes));
   d->named_min = calloc(d->table->count, sizeof(*d->named_min));
   d->record_kinds = pv_recorder_kinds(d->table);
   d->hold_kinds = pv_hold_kinds(d->table);
   if (!d->overrides || !d->lost_handlers || !d->check_classes || !d->named_min ||
       !d->record_kinds || !d->hold_kinds)
      return false;
   struct pv_overrides o = {.table = d->table,
                            .fns = d->overrides,
                            .classes = d->check_classes,
                            .named_min = d->named_min};
   pv_transport_register(&o);
   family->register_handlers(&o);
   struct pv_overrides lost = {.table = d->table, .fns = d->lost_handlers};
   pv_transport_register_lost(&lost);
   if (family->register_lost_handlers)
      family->register_lost_handlers(&lost);
   pv_venus_capset_fill(&d->capset, d->table, wire_format);
   return true;
}

static void
dialect_fini(struct pv_dialect *d)
{
   free(d->overrides);
   free(d->lost_handlers);
   free(d->check_classes);
   free(d->named_min);
   free(d->record_kinds);
   free(d->hold_kinds);
}

/* The first struct version's size: everything up to and including max_blob_bytes. */
#define PV_CONFIG_SIZE_V1 (offsetof(struct pv_renderer_config, max_blob_bytes) + sizeof(uint64_t))

/* Copies the caller's config of its own struct_size into ours (see the header's ABI rules). */
static bool
config_import(struct pv_renderer_config *dst, const struct pv_renderer_config *src)
{
   memset(dst, 0, sizeof(*dst));
   dst->struct_size = sizeof(*dst);
   if (!src)
      return true;
   size_t size = src->struct_size;
   if (size < PV_CONFIG_SIZE_V1) {
      pv_err("renderer: config struct_size %zu is too small: start from "
             "PV_RENDERER_CONFIG_INIT (struct_size = sizeof(struct pv_renderer_config))",
             size);
      return false;
   }
   /* A newer caller's extra fields are fine while they are 0 (their defaults). */
   for (size_t i = sizeof(*dst); i < size; i++) {
      if (((const unsigned char *)src)[i]) {
         pv_err("renderer: config has fields this library (%s) does not know", PV_VERSION_STRING);
         return false;
      }
   }
   memcpy(dst, src, size < sizeof(*dst) ? size : sizeof(*dst));
   dst->struct_size = sizeof(*dst);
   return true;
}

/* Keeps our own copies of the config's strings: the caller's may go away after create. */
static bool
config_own_strings(struct pv_renderer *r)
{
   if (r->config.host_icd && !(r->host_icd = strdup(r->config.host_icd)))
      return false;
   if (r->config.gpu && !(r->gpu = strdup(r->config.gpu)))
      return false;
   r->config.host_icd = r->host_icd;
   r->config.gpu = r->gpu;
   return true;
}

struct pv_renderer *
pv_renderer_new(const struct pv_renderer_config *config, const struct pv_family *family)
{
   struct pv_renderer *r = calloc(1, sizeof(*r));
   if (!r) {
      pv_err("renderer: out of memory");
      return NULL;
   }
   r->family = family;
   if (!config_import(&r->config, config) || !config_own_strings(r)) {
      pv_renderer_destroy(r);
      return NULL;
   }
   if (r->config.contain_host_crashes)
      pv_crash_guard_install();
   r->record_min_run = pv_recorder_policy();
   if (r->config.wire_format > 1) {
      pv_err("renderer: wire format %u is not served (0 or 1)", r->config.wire_format);
      pv_renderer_destroy(r);
      return NULL;
   }
   if (!dialect_init(&r->wire0, "wire0", 0, family) ||
       !dialect_init(&r->wire1, "wire1", 1, family)) {
      pv_err("renderer: cannot set up the wire dialects");
      pv_renderer_destroy(r);
      return NULL;
   }
   if (!pv_host_driver_open(&r->driver, r->config.host_icd)) {
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
   pv_host_driver_close(&renderer->driver);
   free(renderer->host_icd);
   free(renderer->gpu);
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
   if (!renderer)
      return 0;
   return pv_get_capset(capset_id, version, renderer->config.wire_format, out, out_size);
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
