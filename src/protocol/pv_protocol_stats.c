/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu protocol --stats`: how much of each wire dialect the tables and the renderer
 * cover. */
#include "protocol/pv_protocol_stats.h"

#include <string.h>

/* Lines of <dir>/<dialect>.verified naming commands of the table; -1 when there is no file. */
static int
count_verified(const char *dir, const struct pv_protocol_table *t)
{
   char path[4096];
   if (!dir || snprintf(path, sizeof(path), "%s/%s.verified", dir, t->name) >= (int)sizeof(path))
      return -1;
   FILE *f = fopen(path, "r");
   if (!f)
      return -1;
   int n = 0;
   char line[256];
   while (fgets(line, sizeof(line), f)) {
      line[strcspn(line, "\n")] = '\0';
      if (pv_protocol_command_find(t, line) >= 0)
         n++;
   }
   fclose(f);
   return n;
}

void
pv_protocol_print_stats(FILE *f, pv_overrides_for_fn overrides_for, void *data,
                        const char *verified_dir)
{
   fprintf(f, "%-8s %8s %10s %12s %10s %10s %8s\n", "dialect", "commands", "decodable",
           "with-handler", "never-sent", "round-trip", "served");
   for (const char *const *n = pv_protocol_dialects; *n; n++) {
      const struct pv_protocol_table *t = pv_protocol_table_get(*n);
      const pv_handler_fn *o = overrides_for ? overrides_for(*n, data) : NULL;
      struct pv_protocol_stats s;
      pv_protocol_table_stats(t, o, o ? t->count : 0, &s);
      int verified = count_verified(verified_dir, t);
      char rt[16];
      snprintf(rt, sizeof(rt), verified < 0 ? "not run" : "%d", verified);
      fprintf(f, "%-8s %8u %10u %12u %10u %10s %8s\n", *n, s.in_table, s.decodable,
              s.with_handler, s.never_sent, rt, o ? "yes" : "not yet");
   }
   fprintf(f, "with-handler: the generated pass-through plus the renderer's own handlers\n"
              "(transport, id binding, memory, waits); a decodable command without one fails\n"
              "closed. round-trip: commands Mesa's own encoder produced, we decoded, and Mesa\n"
              "decoded our reply (tests/conformance, written by make check next to this\n"
              "binary). Never-sent commands are checked to be rejected, not counted.\n");
}
