/* SPDX-License-Identifier: MIT */
/*
 * Logging for the whole server. One process-wide level, set once at start-up by the CLI or the
 * embedding VMM; every message carries a level prefix and the pid so the per-client processes
 * of `serve` can be told apart in one log.
 */
#ifndef PV_UTIL_LOG_H
#define PV_UTIL_LOG_H

#include <stdarg.h>

enum pv_log_level {
   PV_LOG_ERROR = 0,
   PV_LOG_WARN = 1,
   PV_LOG_INFO = 2,
   PV_LOG_DEBUG = 3,
};

void pv_log_set_level(enum pv_log_level level);
enum pv_log_level pv_log_get_level(void);
/* Parses "error", "warn", "info" or "debug"; returns -1 when the name is unknown. */
int pv_log_level_from_name(const char *name);

void pv_log(enum pv_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pv_logv(enum pv_log_level level, const char *fmt, va_list ap)
   __attribute__((format(printf, 2, 0)));

#define pv_err(...) pv_log(PV_LOG_ERROR, __VA_ARGS__)
#define pv_warn(...) pv_log(PV_LOG_WARN, __VA_ARGS__)
#define pv_info(...) pv_log(PV_LOG_INFO, __VA_ARGS__)
#define pv_dbg(...) pv_log(PV_LOG_DEBUG, __VA_ARGS__)

#endif
