/* SPDX-License-Identifier: MIT */
/*
 * Driver of the Venus conformance test: runs every generated command test (one per command
 * Mesa's guest headers can encode), prints one line per command and a summary, and exits
 * non-zero on any failure. Usage: conformance [-v] [command-name-substring]
 */
#include <stdio.h>
#include <string.h>

#include "vn_cs.h"

#include "conf_runtime.h"

void conf_check_encoded(struct conf_ctx *c, const char *vname, const struct vn_cs_encoder *enc,
                        size_t size, size_t reply_size);

void
conf_check_encoded(struct conf_ctx *c, const char *vname, const struct vn_cs_encoder *enc,
                   size_t size, size_t reply_size)
{
   (void)vname;
   if (enc->overflowed)
      conf_fail(c, "Mesa encoder overflowed");
   if (enc->len != size)
      conf_fail(c, "vn_sizeof = %zu but %zu bytes encoded", size, enc->len);
   if (enc->len % 4 || reply_size % 4)
      conf_fail(c, "request %zu / reply %zu bytes not a multiple of 4", enc->len, reply_size);
   if (enc->len < 8)
      conf_fail(c, "request of %zu bytes has no header", enc->len);
   c->bytes += enc->len;
}

int
main(int argc, char **argv)
{
   bool verbose = false;
   const char *filter = NULL;
   const char *verified_path = NULL;
   for (int i = 1; i < argc; i++) {
      if (strcmp(argv[i], "-v") == 0)
         verbose = true;
      else if (strcmp(argv[i], "--verified") == 0 && i + 1 < argc)
         verified_path = argv[++i];
      else
         filter = argv[i];
   }
   /* The commands that round-tripped, one name per line, for `pearvisor-gpu protocol --stats`
    * (written only for a full, unfiltered run with our decoders plugged in). */
   FILE *verified = NULL;
#ifdef CONF_WITH_HOST
   if (verified_path && !filter)
      verified = fopen(verified_path, "w");
#endif
#ifdef CONF_WITH_HOST
   const char *what = "round-trip";
#else
   const char *what = "encode with Mesa (host decoders not plugged in)";
#endif
   struct conf_ctx c;
   conf_ctx_init(&c, verbose);
   unsigned ok = 0, failed = 0;
   for (uint32_t i = 0; i < conf_command_count; i++) {
      const struct conf_command *cmd = &conf_commands[i];
      if (filter && !strstr(cmd->name, filter))
         continue;
      if (!cmd->run) {
         printf("FAIL %s: not modelled: %s\n", cmd->name, cmd->not_modelled);
         failed++;
         continue;
      }
      conf_begin_command(&c, cmd->name);
      cmd->run(&c);
      conf_free_all(&c);
      if (c.failures) {
         printf("FAIL %s: %u mismatches in %u samples\n", cmd->name, c.failures, c.variants);
         failed++;
      } else if (c.never_sent) {
         printf("ok   %s: never sent by the guest; ours rejects it (%s)\n", cmd->name,
                c.never_sent);
         ok++;
      } else {
         printf("ok   %s: %u samples, %zu request bytes\n", cmd->name, c.variants, c.bytes);
         if (verified)
            fprintf(verified, "%s\n", cmd->name);
         ok++;
      }
   }
   if (verified)
      fclose(verified);
   conf_ctx_fini(&c);
   printf("conformance %s: %u commands %s, %u failed\n", conf_wire_name, ok, what, failed);
   return failed ? 1 : 0;
}
