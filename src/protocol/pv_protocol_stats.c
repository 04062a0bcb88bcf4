/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu protocol --stats`: how much of each wire dialect the tables and the renderer
 * cover. */
#include "protocol/pv_protocol_stats.h"

void
pv_protocol_print_stats(FILE *f, pv_overrides_for_fn overrides_for, void *data)
{
   fprintf(f, "%-8s %8s %10s %12s %10s %8s\n", "dialect", "commands", "decodable",
           "with-handler", "never-sent", "served");
   for (const char *const *n = pv_protocol_dialects; *n; n++) {
      const struct pv_protocol_table *t = pv_protocol_table_get(*n);
      const pv_handler_fn *o = overrides_for ? overrides_for(*n, data) : NULL;
      struct pv_protocol_stats s;
      pv_protocol_table_stats(t, o, o ? t->count : 0, &s);
      fprintf(f, "%-8s %8u %10u %12u %10u %8s\n", *n, s.in_table, s.decodable, s.with_handler,
              s.never_sent, o ? "yes" : "not yet");
   }
   fprintf(f, "with-handler: the generated pass-through plus the renderer's own handlers\n"
              "(transport, id binding, memory, waits); a decodable command without one fails\n"
              "closed. Round trips against Mesa's own encoders: tests/conformance.\n");
}
