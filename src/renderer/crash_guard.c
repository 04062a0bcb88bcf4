/* SPDX-License-Identifier: MIT */
/* Host-driver crashes that lose the context, not the process (crash_guard.h). */
#include "renderer/crash_guard.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

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

/*
 * A fault from running out of stack (a host compiler recursing over a deeply nested guest
 * shader) finds no room left on that stack to run the handler: without a stack of its own the
 * kernel kills the process. Each thread that arms the guard gets an alternate signal stack,
 * once, given back when the thread ends; the jump back to the executor leaves it.
 */
#define ALT_STACK_SIZE (256u * 1024u) /* the handler's frame, and a sanitizer's if present */
static pthread_key_t g_alt_key;
static pthread_once_t g_alt_once = PTHREAD_ONCE_INIT;
static _Thread_local bool t_alt_tried;

static void
alt_stack_free(void *stack)
{
   const stack_t off = {.ss_flags = SS_DISABLE};
   sigaltstack(&off, NULL);
   munmap(stack, ALT_STACK_SIZE);
}

static void
alt_key_create(void)
{
   pthread_key_create(&g_alt_key, alt_stack_free);
}

/* Best effort: without one, an overflow ends the process as before. */
static void
alt_stack_ensure(void)
{
   if (t_alt_tried)
      return;
   t_alt_tried = true;
   stack_t now;
   if (sigaltstack(NULL, &now) == 0 && !(now.ss_flags & SS_DISABLE))
      return; /* the thread has one already (a sanitizer's) */
   void *stack =
      mmap(NULL, ALT_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
   if (stack == MAP_FAILED)
      return;
   const stack_t ss = {.ss_sp = stack, .ss_size = ALT_STACK_SIZE};
   if (pthread_once(&g_alt_once, alt_key_create) != 0 || sigaltstack(&ss, NULL) != 0) {
      munmap(stack, ALT_STACK_SIZE);
      return;
   }
   pthread_setspecific(g_alt_key, stack);
}

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
   /* SA_NODEFER: after the jump the signal must not stay blocked in this thread. SA_ONSTACK:
    * on the thread's alternate stack where it has one (armed threads do). */
   sa.sa_flags = SA_NODEFER | SA_ONSTACK;
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
   if (jb)
      alt_stack_ensure();
   sigjmp_buf *prev = t_armed;
   t_armed = jb;
   return prev;
}
