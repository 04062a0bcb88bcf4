/* SPDX-License-Identifier: MIT */
/* Rate-limited log lines (log_limit.h). */
#include "util/log_limit.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "util/os.h"

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

/* Whether this line may be written; *dropped gets the lines dropped since the last one. */
static bool
admit(struct pv_log_limit *l, uint32_t *dropped)
{
   uint64_t now = pv_os_time_ns();
   bool ok;
   pthread_mutex_lock(&g_lock);
   if (l->window_start_ns == 0 || now - l->window_start_ns >= PV_LOG_LIMIT_WINDOW_NS) {
      l->window_start_ns = now;
      l->in_window = 0;
   }
   ok = l->in_window < PV_LOG_LIMIT_BURST;
   if (ok) {
      l->in_window++;
      *dropped = l->dropped;
      l->dropped = 0;
   } else {
      l->dropped++;
   }
   pthread_mutex_unlock(&g_lock);
   return ok;
}

void
pv_log_limited(struct pv_log_limit *limit, enum pv_log_level level, const char *fmt, ...)
{
   if (level > pv_log_get_level())
      return;
   uint32_t dropped;
   if (!admit(limit, &dropped))
      return;
   char line[768];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(line, sizeof(line), fmt, ap);
   va_end(ap);
   if (dropped)
      pv_log(level, "%s (%u similar lines dropped)", line, dropped);
   else
      pv_log(level, "%s", line);
}
