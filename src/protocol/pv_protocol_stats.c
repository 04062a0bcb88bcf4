/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu protocol --stats`: how much of each wire dialect the tables cover. */
#include "protocol/pv_protocol_stats.h"

#include "protocol/pv_protocol.h"

void
pv_protocol_print_stats(FILE *f)
{
   fprintf(f, "%-8s %8s %10s %12s %10s\n", "dialect", "commands", "decodable", "with-handler",
           "never-sent");
   for (const char *const *n = pv_protocol_dialects; *n; n++) {
      struct pv_protocol_stats s;
      pv_protocol_table_stats(pv_protocol_table_get(*n), NULL, 0, &s);
      fprintf(f, "%-8s %8u %10u %12u %10u\n", *n, s.in_table, s.decodable, s.with_handler,
              s.never_sent);
   }
   fprintf(f, "with-handler counts generated pass-through handlers; transport and id-binding\n"
              "commands are handled by the renderer's own handlers.\n");
}
