/* SPDX-License-Identifier: MIT */
/* Host-driver crashes that lose the context, not the process (crash_guard.h). */
#include "renderer/crash_guard.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static const int guarded_signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE};

static _Thread_local sigjmp_buf *t_armed;
static atomic_bool g_installed;

static void
on_fatal_signal(int sig)
{
   sigjmp_buf *jb = t_armed;
   if (!jb) {
      /* Not a thread running a guest stream: the process dies as it would have. */
      signal(sig, SIG_DFL);
      raise(sig);
      return;
   }
   /* Disarmed before the jump: a second fault while recovering ends the process. */
   t_armed = NULL;
   siglongjmp(*jb, sig);
}

void
pv_crash_guard_install(void)
{
   if (atomic_exchange(&g_installed, true))
      return;
   struct sigaction sa;
   memset(&sa, 0, sizeof(sa));
   sa.sa_handler = on_fatal_signal;
   sigemptyset(&sa.sa_mask);
   /* SA_NODEFER: after the jump the signal must not stay blocked in this thread. */
   sa.sa_flags = SA_NODEFER;
   for (size_t i = 0; i < sizeof(guarded_signals) / sizeof(guarded_signals[0]); i++)
      sigaction(guarded_signals[i], &sa, NULL);
}

bool
pv_crash_guard_active(void)
{
   return atomic_load(&g_installed);
}

sigjmp_buf *
pv_crash_guard_arm(sigjmp_buf *jb)
{
   sigjmp_buf *prev = t_armed;
   t_armed = jb;
   return prev;
}
