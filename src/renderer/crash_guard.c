/* SPDX-License-Identifier: MIT */
/* Host-driver crashes that lose the context, not the process (crash_guard.h). */
#include "renderer/crash_guard.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

static const int guarded_signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGFPE};
#define GUARDED_COUNT (sizeof(guarded_signals) / sizeof(guarded_signals[0]))
/* What was installed before us (a sanitizer's or a driver's handler), for other threads. */
static struct sigaction g_previous[GUARDED_COUNT];

static void
restore_previous(int sig)
{
   for (size_t i = 0; i < GUARDED_COUNT; i++)
      if (guarded_signals[i] == sig)
         sigaction(sig, &g_previous[i], NULL);
}

static _Thread_local sigjmp_buf *t_armed;
static atomic_bool g_installed;

static void
on_fatal_signal(int sig)
{
   sigjmp_buf *jb = t_armed;
   if (!jb) {
      /* Not a thread running a guest stream: the signal goes where it went before us (the
       * default: the process dies, and the server's parent tells the guest). */
      restore_previous(sig);
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
   for (size_t i = 0; i < GUARDED_COUNT; i++)
      sigaction(guarded_signals[i], &sa, &g_previous[i]);
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
