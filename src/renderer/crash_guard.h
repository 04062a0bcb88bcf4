/* SPDX-License-Identifier: MIT */
/*
 * Host-driver crashes that lose the context, not the process (issue 12). When the renderer runs
 * alone in its process (pv_renderer_config.contain_host_crashes: a vtest client process), a
 * fatal signal raised on a thread that is executing a guest stream (the host driver aborting or
 * faulting inside a call we made) jumps back to the stream executor, which marks the context
 * lost and decodes the crashed command again in lost mode, so the guest gets its
 * VK_ERROR_DEVICE_LOST reply (wire 0) or the FATAL ring bit (wire 1) at once instead of waiting
 * on a dead process. The host driver is never called again in that process: its state is
 * unknown. A signal on any other thread (the driver's own, ours outside a stream) still ends the
 * process as before, and the server's parent tells the guest (vtest_children.c). An armed thread
 * handles the signal on an alternate stack, so a stack overflow in the host driver is contained
 * like any other fault.
 */
#ifndef PV_RENDERER_CRASH_GUARD_H
#define PV_RENDERER_CRASH_GUARD_H

#include <setjmp.h>
#include <stdbool.h>

/* Installs the handlers (process-wide, once). */
void pv_crash_guard_install(void);
/* Whether the handlers are installed. */
bool pv_crash_guard_active(void);
/* Arms the calling thread: a fatal signal now jumps to `jb` with the signal number. Returns the
 * previous armed point, to restore with pv_crash_guard_arm(prev) (nesting). */
sigjmp_buf *pv_crash_guard_arm(sigjmp_buf *jb);

#endif
