/* SPDX-License-Identifier: MIT */
#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/os.h"

static enum pv_log_level g_level = PV_LOG_INFO;
static pv_log_sink_fn g_sink;
static void *g_sink_data;
/* Guards the rate limiters; only taken on the (rare) paths that log through one. */
static pthread_mutex_t g_limit_lock = PTHREAD_MUTEX_INITIALIZER;

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

const char *
pv_log_level_name(enum pv_log_level level)
{
   return (unsigned)level < 4 ? level_names[level] : "?";
}

void
pv_log_set_sink(pv_log_sink_fn fn, void *data)
{
   g_sink = fn;
   g_sink_data = data;
}

/* Whether stderr is the journal's stream: JOURNAL_STREAM is "DEV:INODE" of the stream systemd
 * gave the service, and a redirected stderr (a file, a pipe) no longer matches it. */
static bool
stderr_is_journal(void)
{
   const char *env = getenv("JOURNAL_STREAM");
   unsigned long long dev, ino;
   struct stat st;
   if (!env || sscanf(env, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st))
      return false;
   return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void
pv_log_write_stderr(enum pv_log_level level, const char *message)
{
   /* syslog priorities: err, warning, info, debug */
   static const char prio[] = {'3', '4', '6', '7'};
   /* Checked per line: cheap next to the write, and stderr may be redirected later. */
   char prefix[4] = "";
   if (stderr_is_journal())
      snprintf(prefix, sizeof(prefix), "<%c>", prio[(unsigned)level < 4 ? level : 3]);
   /* One fprintf per line keeps lines from different client processes from interleaving. */
   fprintf(stderr, "%spearvisor-gpu[%ld] %s: %s\n", prefix, (long)getpid(),
           pv_log_level_name(level), message);
}

void
pv_logv(enum pv_log_level level, const char *fmt, va_list ap)
{
   if (level > g_level)
      return;
   char line[1024];
   vsnprintf(line, sizeof(line), fmt, ap);
   /* One line, no terminal controls: messages quote what guests chose (names, refused values),
    * and a newline or an escape sequence must not forge a log line or reach a terminal. */
   for (char *c = line; *c; c++)
      if ((unsigned char)*c < 0x20 || *c == 0x7f)
         *c = '?';
   pv_log_sink_fn sink = g_sink;
   if (sink)
      sink(g_sink_data, level, line);
   else
      pv_log_write_stderr(level, line);
}

void
pv_log(enum pv_log_level level, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   pv_logv(level, fmt, ap);
   va_end(ap);
}

/* Whether a line may go out now; *dropped gets how many were held back since the last one. */
static bool
ratelimit_allow(struct pv_log_ratelimit *rl, uint32_t *dropped)
{
   uint64_t now = pv_os_time_ns();
   pthread_mutex_lock(&g_limit_lock);
   if (rl->window_start_ns == 0 || now - rl->window_start_ns >= PV_LOG_RATELIMIT_INTERVAL_NS) {
      rl->window_start_ns = now;
      rl->emitted = 0;
   }
   bool allow = rl->emitted < PV_LOG_RATELIMIT_BURST;
   *dropped = 0;
   if (allow) {
      rl->emitted++;
      *dropped = rl->suppressed;
      rl->suppressed = 0;
   } else if (rl->suppressed < UINT32_MAX) {
      rl->suppressed++;
   }
   pthread_mutex_unlock(&g_limit_lock);
   return allow;
}

void
pv_log_ratelimited(struct pv_log_ratelimit *rl, enum pv_log_level level, const char *fmt, ...)
{
   uint32_t dropped;
   if (level > g_level || !ratelimit_allow(rl, &dropped))
      return;
   char line[1024];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(line, sizeof(line), fmt, ap);
   va_end(ap);
   if (dropped)
      pv_log(level, "%s (%u similar lines suppressed)", line, dropped);
   else
      pv_log(level, "%s", line);
}
