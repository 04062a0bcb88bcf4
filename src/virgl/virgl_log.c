/* SPDX-License-Identifier: MIT */
/*
 * The VMM's logging hook, in either of virglrenderer's two forms:
 *  - virgl_set_debug_callback (libkrun's rutabaga installs one before init): printf-style, a
 *    format and a va_list per line; NULL gives the lines back to stderr;
 *  - virgl_set_log_callback (virglrenderer >= 1.1): a level, the formatted line and the VMM's
 *    data, whose free function runs when the hook is replaced (or the library unloaded); NULL
 *    silences the library, as it does virglrenderer.
 * Setting either replaces the other. The library's lines (front end, fence and link threads, the
 * renderer itself in in-process mode) go through the hook; workers are other processes, their
 * lines stay on the stderr they inherited, as virglrenderer's render server's do.
 *
 * Lines come from our own threads while the VMM may replace the hook at any time, and the old
 * hook's data is freed right after: so a line is written under a read lock and the hook is
 * replaced under the write lock. A line goes wholly to the old hook or wholly to the new one,
 * and no line uses data that was freed. A hook must not set a hook itself (it would wait for its
 * own line).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/log.h"
#include "virgl/virgl_abi.h"

static struct {
   pthread_rwlock_t lock;
   virgl_debug_callback_type debug;
   virgl_log_callback_type log;
   void *data;
   virgl_free_data_callback_type free_data;
   bool silent; /* set_log_callback(NULL, ...) */
} hook = {.lock = PTHREAD_RWLOCK_INITIALIZER};

/* The hook takes a format and a va_list, so the line is handed over through "%s". */
static void
call_debug(virgl_debug_callback_type cb, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   cb(fmt, ap);
   va_end(ap);
}

static enum virgl_log_level_flags
virgl_level(enum pv_log_level level)
{
   switch (level) {
   case PV_LOG_ERROR:
      return VIRGL_LOG_LEVEL_ERROR;
   case PV_LOG_WARN:
      return VIRGL_LOG_LEVEL_WARNING;
   case PV_LOG_INFO:
      return VIRGL_LOG_LEVEL_INFO;
   default:
      return VIRGL_LOG_LEVEL_DEBUG;
   }
}

/* One line, whole, with the newline virglrenderer's own lines end with. */
static void
write_line_to_log(enum pv_log_level level, const char *message)
{
   char line[1024];
   int n = snprintf(line, sizeof(line), "pearvisor: %s\n", message);
   if (n >= (int)sizeof(line)) /* cut: still one line */
      line[sizeof(line) - 2] = '\n';
   hook.log(virgl_level(level), line, hook.data);
}

static void
virgl_log_sink(void *data, enum pv_log_level level, const char *message)
{
   (void)data;
   pthread_rwlock_rdlock(&hook.lock);
   if (hook.log)
      write_line_to_log(level, message);
   else if (hook.debug)
      call_debug(hook.debug, "pearvisor %s: %s\n", pv_log_level_name(level), message);
   else if (!hook.silent)
      pv_log_write_stderr(level, message);
   pthread_rwlock_unlock(&hook.lock);
}

/* Installed when the library is loaded, before any thread of ours exists: the sink itself never
 * changes afterwards, only the hook it reads. */
__attribute__((constructor)) static void
virgl_log_install(void)
{
   pv_log_set_sink(virgl_log_sink, NULL);
}

/* Replaces the hook; returns the previous debug hook. The old data is freed once no line uses
 * it (we hold the write lock while swapping, and call its free function after). */
static virgl_debug_callback_type
replace_hook(virgl_debug_callback_type debug, virgl_log_callback_type log, void *data,
             virgl_free_data_callback_type free_data, bool silent)
{
   pthread_rwlock_wrlock(&hook.lock);
   virgl_debug_callback_type old_debug = hook.debug;
   void *old_data = hook.data;
   virgl_free_data_callback_type old_free = hook.free_data;
   hook.debug = debug;
   hook.log = log;
   hook.data = data;
   hook.free_data = free_data;
   hook.silent = silent;
   pthread_rwlock_unlock(&hook.lock);
   if (old_free)
      old_free(old_data);
   return old_debug;
}

/* The library unloaded (dlclose, or the VMM's exit): virglrenderer's header promises the data's
 * free function runs then too. */
__attribute__((destructor)) static void
virgl_log_uninstall(void)
{
   replace_hook(NULL, NULL, NULL, NULL, false);
}

/* Returns the previous debug hook; NULL (none set, or a log hook was) stands for the library's
 * own lines, so a VMM that sets back what it got restores them. */
virgl_debug_callback_type
virgl_set_debug_callback(virgl_debug_callback_type cb)
{
   return replace_hook(cb, NULL, NULL, NULL, false);
}

void
virgl_set_log_callback(virgl_log_callback_type cb, void *user_data,
                       virgl_free_data_callback_type free_user_data_cb)
{
   replace_hook(NULL, cb, user_data, free_user_data_cb, cb == NULL);
}
