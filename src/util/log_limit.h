/* SPDX-License-Identifier: MIT */
/*
 * Rate-limited log lines, for every message a guest can trigger at will (a refused request, a
 * quota reached): without a limit a guest sending 32-byte requests made the server write 215
 * bytes of log for each (issue 12). Each call site gets its own budget of PV_LOG_LIMIT_BURST
 * lines per PV_LOG_LIMIT_WINDOW_NS; lines over it are counted and the next line that gets
 * through says how many were dropped. Per process: in a process per client, per client.
 */
#ifndef PV_UTIL_LOG_LIMIT_H
#define PV_UTIL_LOG_LIMIT_H

#include <stdint.h>

#include "util/log.h"
#include "util/log_limit.h"

#define PV_LOG_LIMIT_BURST 10u
#define PV_LOG_LIMIT_WINDOW_NS 5000000000ull

struct pv_log_limit {
   uint64_t window_start_ns;
   uint32_t in_window;
   uint32_t dropped;
};

/* Logs like pv_log unless the call site's budget is spent. Thread-safe. */
void pv_log_limited(struct pv_log_limit *limit, enum pv_log_level level, const char *fmt, ...)
   __attribute__((format(printf, 3, 4)));

#define pv_warn_limited(...)                                                                       \
   do {                                                                                            \
      static struct pv_log_limit pv_log_limit_site_;                                               \
      pv_log_limited(&pv_log_limit_site_, PV_LOG_WARN, __VA_ARGS__);                               \
   } while (0)

#define pv_err_limited(...)                                                                        \
   do {                                                                                            \
      static struct pv_log_limit pv_log_limit_site_;                                               \
      pv_log_limited(&pv_log_limit_site_, PV_LOG_ERROR, __VA_ARGS__);                              \
   } while (0)

#endif
