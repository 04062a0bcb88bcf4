/* SPDX-License-Identifier: MIT */
/*
 * Seed dumper for the stream fuzz targets (tests/fuzz/make-seeds): the conformance test of
 * tests/conformance, unchanged, with its host plug-in wrapped so that every command Mesa's own
 * encoder produced is also written to $CONF_DUMP_DIR/<command>.<n>.bin before our decoder
 * checks it. Built by make-seeds only, never part of the test build.
 */
#include <stdio.h>
#include <stdlib.h>

#define conf_host_decode conf_host_decode_real
#include "conf_host.c"
#undef conf_host_decode

void *conf_host_decode(struct conf_ctx *c, int32_t type, const void *data, size_t size,
                       size_t args_size);

void *
conf_host_decode(struct conf_ctx *c, int32_t type, const void *data, size_t size,
                 size_t args_size)
{
   static const char *last;
   static unsigned n;
   const char *dir = getenv("CONF_DUMP_DIR");
   if (dir) {
      n = last == c->command ? n + 1 : 0;
      last = c->command;
      char path[512];
      snprintf(path, sizeof(path), "%s/%s.%u.bin", dir, c->command, n);
      FILE *f = fopen(path, "wb");
      if (f) {
         fwrite(data, 1, size, f);
         fclose(f);
      }
   }
   return conf_host_decode_real(c, type, data, size, args_size);
}
