/* SPDX-License-Identifier: MIT */
#include "util/icd_manifest.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PV_MANIFEST_MAX_BYTES (64 * 1024)

char *
pv_icd_manifest_read(const char *path)
{
   FILE *f = fopen(path, "rb");
   if (!f)
      return NULL;
   char *buf = malloc(PV_MANIFEST_MAX_BYTES + 1);
   size_t n = buf ? fread(buf, 1, PV_MANIFEST_MAX_BYTES, f) : 0;
   fclose(f);
   if (buf)
      buf[n] = '\0';
   return buf;
}

/* The string value of "library_path" in a manifest, unescaped into out; false if absent. */
static bool
parse_library_path(const char *json, char *out, size_t out_size)
{
   const char *p = strstr(json, "\"library_path\"");
   if (!p)
      return false;
   p += strlen("\"library_path\"");
   p += strspn(p, " \t\r\n");
   if (*p++ != ':')
      return false;
   p += strspn(p, " \t\r\n");
   if (*p++ != '"')
      return false;
   size_t n = 0;
   for (; *p && *p != '"'; p++) {
      if (*p == '\\' && p[1])
         p++; /* \" \\ \/ are all a path needs */
      if (n + 1 >= out_size)
         return false;
      out[n++] = *p;
   }
   out[n] = '\0';
   return *p == '"' && n > 0;
}

/* A relative path with a slash is relative to the manifest, as the loader reads it; a bare
 * file name goes to dlopen's own search, as the loader does. */
bool
pv_icd_manifest_library(const char *manifest, const char *json, char *out, size_t out_size)
{
   char lib[PATH_MAX];
   if (!parse_library_path(json, lib, sizeof(lib)))
      return false;
   const char *slash = strrchr(manifest, '/');
   int n;
   if (lib[0] == '/' || !strchr(lib, '/') || !slash)
      n = snprintf(out, out_size, "%s", lib);
   else
      n = snprintf(out, out_size, "%.*s/%s", (int)(slash - manifest), manifest, lib);
   return n > 0 && (size_t)n < out_size;
}
