/* SPDX-License-Identifier: MIT */
/*
 * virgl_set_debug_callback: the VMM's logging hook (libkrun's rutabaga installs one before init
 * and forwards each line to its own log). The library's lines (front end, fence and link threads,
 * and the renderer itself in in-process mode) go through the hook once it is set; without one,
 * or after it is set back to NULL, they go to stderr as before. Workers are other processes:
 * their lines stay on the stderr they inherited, as virglrenderer's render server's do.
 *
 * The hook is one atomic pointer, because lines come from our own threads while the VMM may
 * replace it at any time; a line goes wholly to the old hook or wholly to the new one.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>

#include "util/log.h"
#include "virgl/virgl_abi.h"

static _Atomic(virgl_debug_callback_type) debug_cb;

/* The hook takes a format and a va_list, so the line is handed over through "%s". */
static void
call_hook(virgl_debug_callback_type cb, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   cb(fmt, ap);
   va_end(ap);
}

static void
virgl_log_sink(void *data, enum pv_log_level level, const char *message)
{
   (void)data;
   virgl_debug_callback_type cb = atomic_load_explicit(&debug_cb, memory_order_acquire);
   if (cb)
      call_hook(cb, "pearvisor %s: %s\n", pv_log_level_name(level), message);
   else
      pv_log_write_stderr(level, message);
}

/* Installed when the library is loaded, before any thread of ours exists: the sink itself never
 * changes afterwards, only the hook it reads. */
__attribute__((constructor)) static void
virgl_log_install(void)
{
   pv_log_set_sink(virgl_log_sink, NULL);
}

/* Returns the previous hook; NULL (none set) stands for the library's own stderr lines, so a VMM
 * that sets back what it got restores them. */
virgl_debug_callback_type
virgl_set_debug_callback(virgl_debug_callback_type cb)
{
   return atomic_exchange_explicit(&debug_cb, cb, memory_order_acq_rel);
}
