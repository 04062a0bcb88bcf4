/* SPDX-License-Identifier: MIT */
#include "util/log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum pv_log_level g_level = PV_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void
pv_log_set_level(enum pv_log_level level)
{
   g_level = level;
}

enum pv_log_level
pv_log_get_level(void)
{
   return g_level;
}

int
pv_log_level_from_name(const char *name)
{
   for (int i = 0; i < (int)(sizeof(level_names) / sizeof(level_names[0])); i++) {
      if (strcmp(name, level_names[i]) == 0)
         return i;
   }
   return -1;
}

void
pv_logv(enum pv_log_level level, const char *fmt, va_list ap)
{
   if (level > g_level)
      return;
   /* One fprintf per line keeps lines from different client processes from interleaving. */
   char line[1024];
   vsnprintf(line, sizeof(line), fmt, ap);
   fprintf(stderr, "pearvisor-gpu[%ld] %s: %s\n", (long)getpid(), level_names[level], line);
}

void
pv_log(enum pv_log_level level, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   pv_logv(level, fmt, ap);
   va_end(ap);
}
