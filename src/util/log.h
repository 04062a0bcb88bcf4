/* SPDX-License-Identifier: MIT */
/*
 * Logging for the whole server. One process-wide level, set once at start-up by the CLI or the
 * embedding VMM; every message carries a level and the pid so the per-client processes of
 * `serve` can be told apart in one log. Lines go to a sink: by default stderr (with a syslog
 * "<N>" level prefix when stderr is the systemd journal), or whatever pv_log_set_sink installs
 * (the library's pv_set_log_callback).
 *
 * This file is compiled into the library and, separately, into the pearvisor-gpu command: each
 * has its own level and sink (the command forwards the library's lines into its own sink).
 */
#ifndef PV_UTIL_LOG_H
#define PV_UTIL_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h" /* enum pv_log_level */

void pv_log_set_level(enum pv_log_level level);
enum pv_log_level pv_log_get_level(void);
/* Parses "error", "warn", "info" or "debug"; returns -1 when the name is unknown. */
int pv_log_level_from_name(const char *name);
const char *pv_log_level_name(enum pv_log_level level);

/* Receives every line at or below the level, without a trailing newline; NULL restores stderr.
 * May run on any thread, concurrently. */
typedef void (*pv_log_sink_fn)(void *data, enum pv_log_level level, const char *message);
void pv_log_set_sink(pv_log_sink_fn fn, void *data);

/* The default sink: "pearvisor-gpu[pid] level: message" on stderr, one write per line; with a
 * "<N>" syslog priority prefix when stderr is the journal (JOURNAL_STREAM names it). */
void pv_log_write_stderr(enum pv_log_level level, const char *message);

void pv_log(enum pv_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pv_logv(enum pv_log_level level, const char *fmt, va_list ap)
   __attribute__((format(printf, 2, 0)));

#define pv_err(...) pv_log(PV_LOG_ERROR, __VA_ARGS__)
#define pv_warn(...) pv_log(PV_LOG_WARN, __VA_ARGS__)
#define pv_info(...) pv_log(PV_LOG_INFO, __VA_ARGS__)
#define pv_dbg(...) pv_log(PV_LOG_DEBUG, __VA_ARGS__)

/*
 * Rate limiting for lines a guest can trigger (a refused command, a malformed message): a guest
 * that repeats one mistake must not fill the host's disk. Per call site, at most
 * PV_LOG_RATELIMIT_BURST lines per PV_LOG_RATELIMIT_INTERVAL_NS; the first line after a window
 * that dropped some says how many. Per process: with `serve --threads` the clients share one
 * budget per call site, so a flooding guest can hide another's lines of the same kind (never
 * other kinds).
 */
#define PV_LOG_RATELIMIT_BURST 10u
#define PV_LOG_RATELIMIT_INTERVAL_NS (5ull * 1000 * 1000 * 1000)

struct pv_log_ratelimit {
   uint64_t window_start_ns;
   uint32_t emitted;
   uint32_t suppressed;
};

void pv_log_ratelimited(struct pv_log_ratelimit *rl, enum pv_log_level level, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

#define pv_log_limited(level, ...)                                                                 \
   do {                                                                                            \
      static struct pv_log_ratelimit pv_log_rl_;                                                   \
      pv_log_ratelimited(&pv_log_rl_, (level), __VA_ARGS__);                                       \
   } while (0)
#define pv_err_limited(...) pv_log_limited(PV_LOG_ERROR, __VA_ARGS__)
#define pv_warn_limited(...) pv_log_limited(PV_LOG_WARN, __VA_ARGS__)
#define pv_info_limited(...) pv_log_limited(PV_LOG_INFO, __VA_ARGS__)

#endif
