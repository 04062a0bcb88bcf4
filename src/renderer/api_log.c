/* SPDX-License-Identifier: MIT */
/* The public logging calls: thin wrappers so the internal logger keeps its own names (it is also
 * compiled into the pearvisor-gpu command, which must not define the library's symbols). */
#include "pearvisor/pearvisor.h"
#include "util/log.h"

void
pv_set_log_callback(pv_log_fn callback, void *data)
{
   pv_log_set_sink(callback, data);
}

void
pv_set_log_level(enum pv_log_level level)
{
   if ((unsigned)level <= PV_LOG_DEBUG)
      pv_log_set_level(level);
}
