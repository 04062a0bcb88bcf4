/* SPDX-License-Identifier: MIT */
/* Public calls that need no renderer: version, capsets, protocol statistics. */
#include <string.h>

#include "pearvisor/pearvisor.h"
#include "protocol/pv_protocol_stats.h"
#include "renderer/capset.h"
#include "renderer/renderer.h"

uint32_t
pv_version(void)
{
   return PV_VERSION_NUMBER;
}

const char *
pv_version_string(void)
{
   return PV_VERSION_STRING;
}

size_t
pv_get_capset(uint32_t capset_id, uint32_t version, uint32_t wire_format, void *out,
              size_t out_size)
{
   if (capset_id != PV_CAPSET_VENUS || version != 0 || wire_format > 1)
      return 0;
   /* The same fill a renderer's dialect does at create time: the tables are static data. */
   const struct pv_protocol_table *table = pv_protocol_table_get(wire_format ? "wire1" : "wire0");
   if (!table)
      return 0;
   struct pv_venus_capset caps;
   pv_venus_capset_fill(&caps, table, wire_format);
   if (out)
      memcpy(out, &caps, out_size < sizeof(caps) ? out_size : sizeof(caps));
   return sizeof(caps);
}

static const pv_handler_fn *
served_overrides(const char *dialect, void *data)
{
   const struct pv_dialect *d = pv_renderer_dialect_by_name(data, dialect);
   return d ? d->overrides : NULL;
}

int
pv_print_protocol_stats(FILE *out, const char *verified_dir)
{
   struct pv_renderer *r = pv_renderer_create(NULL);
   if (!r || !out) {
      pv_renderer_destroy(r);
      return -1;
   }
   pv_protocol_print_stats(out, served_overrides, r, verified_dir);
   pv_renderer_destroy(r);
   return 0;
}
