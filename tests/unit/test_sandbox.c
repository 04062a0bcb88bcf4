/* SPDX-License-Identifier: MIT */
/*
 * The client-process sandbox (src/vtest/sandbox.c, sandbox_os.c), call by call: each case forks a
 * child that enters the sandbox and then tries one thing; the parent checks how the child ended
 * (exit code, or killed by SIGSYS). Built against the plain core: sanitizer builds relax the
 * filter for LeakSanitizer (ptrace, fork) and are checked by the e2e-asan suite instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "vtest/sandbox.h"

/* Child exit codes. */
#define OK 0
#define WRONG 3

static struct vtest_sandbox g_sandbox;

/* How the child that ran `probe` inside the sandbox ended: an exit code, or 128 + signal. */
static int
run_sandboxed(int (*probe)(void))
{
   fflush(NULL);
   pid_t pid = fork();
   assert_true(pid >= 0);
   if (pid == 0) {
      if (!vtest_sandbox_enter(&g_sandbox, false))
         _exit(2);
      _exit(probe());
   }
   int status;
   assert_int_equal(waitpid(pid, &status, 0), pid);
   return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

static int
expect_errno(long ret, int err)
{
   return ret == -1 && errno == err ? OK : WRONG;
}

static void *
thread_main(void *arg)
{
   return arg;
}

/* What a worker does all the time: threads, JIT memory, memfds, eventfds, pipes, ioctls. */
static int
probe_worker_calls(void)
{
   static int token;
   pthread_t t;
   void *ret = NULL;
   if (pthread_create(&t, NULL, thread_main, &token) || pthread_join(t, &ret) || ret != &token)
      return WRONG;
   void *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
   if (code == MAP_FAILED || mprotect(code, 4096, PROT_READ | PROT_EXEC))
      return WRONG;
   int mfd = memfd_create("sandbox-test", MFD_CLOEXEC);
   int fds[2];
   int pending = -1;
   if (mfd < 0 || ftruncate(mfd, 4096) || pipe(fds) || ioctl(fds[0], FIONREAD, &pending) ||
       pending != 0)
      return WRONG;
   if (kill(getpid(), 0) || prlimit(0, RLIMIT_NOFILE, NULL, &(struct rlimit){0}))
      return WRONG;
   return prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2 && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1
             ? OK
             : WRONG;
}

static void
worker_calls_work(void **state)
{
   (void)state;
   assert_int_equal(run_sandboxed(probe_worker_calls), OK);
}

static int
probe_execve(void)
{
   execl("/bin/true", "true", (char *)NULL);
   return WRONG;
}

static int
probe_tiocsti(void)
{
   char c = 'x';
   ioctl(0, TIOCSTI, &c);
   return WRONG;
}

/* The kernel reads the request as 32 bits: high bits must not sneak TIOCSTI past the kill rule,
 * and a request with high bits set is not allowed either. */
static int
probe_tiocsti_high_bits(void)
{
   char c = 'x';
   syscall(SYS_ioctl, 0, (1ul << 32) | TIOCSTI, &c);
   return WRONG;
}

static int
probe_ioctl_high_bits(void)
{
   int pending;
   return expect_errno(syscall(SYS_ioctl, 0, (1ul << 32) | FIONREAD, &pending), EPERM);
}

static int
probe_user_namespace(void)
{
   unshare(CLONE_NEWUSER);
   return WRONG;
}

static int
probe_clone_namespace(void)
{
   syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
   return WRONG;
}

static int
probe_ptrace(void)
{
   ptrace(PTRACE_TRACEME, 0, NULL, NULL);
   return WRONG;
}

static int
probe_setuid(void)
{
   setuid(0);
   return WRONG;
}

static int
probe_mount(void)
{
   syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL);
   return WRONG;
}

/* Calls that end the process at once. */
static void
dangerous_calls_kill(void **state)
{
   (void)state;
   int (*const probes[])(void) = {probe_execve,         probe_tiocsti, probe_tiocsti_high_bits,
                                  probe_user_namespace, probe_ptrace,  probe_clone_namespace,
                                  probe_setuid,         probe_mount};
   for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
      int how = run_sandboxed(probes[i]);
      if (how != 128 + SIGSYS)
         fail_msg("probe %zu ended with %d, not SIGSYS", i, how);
   }
}

static int
probe_socket(void)
{
   return expect_errno(socket(AF_INET, SOCK_STREAM, 0), EPERM);
}

static int
probe_fork(void)
{
   return expect_errno(fork(), EPERM);
}

static int
probe_clone3(void)
{
   return expect_errno(syscall(SYS_clone3, NULL, 0), ENOSYS);
}

static int
probe_kill_other(void)
{
   return expect_errno(kill(getppid(), 0), EPERM);
}

static int
probe_kill_everyone(void)
{
   return expect_errno(kill(-1, 0), EPERM);
}

static int
probe_prlimit_other(void)
{
   struct rlimit r;
   return expect_errno(prlimit(getppid(), RLIMIT_NOFILE, NULL, &r), EPERM);
}

/* Calls that fail (EPERM, logged once) and let the process go on. */
static void
other_calls_fail(void **state)
{
   (void)state;
   int (*const probes[])(void) = {probe_socket,         probe_fork,          probe_clone3,
                                  probe_kill_other,     probe_kill_everyone, probe_prlimit_other,
                                  probe_ioctl_high_bits};
   for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
      int how = run_sandboxed(probes[i]);
      if (how != OK)
         fail_msg("probe %zu ended with %d, not a refused call", i, how);
   }
}

static int
probe_user(void)
{
   if (getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0)
      return WRONG;
   gid_t groups[VTEST_SANDBOX_MAX_GROUPS];
   int n = getgroups(VTEST_SANDBOX_MAX_GROUPS, groups);
   for (int i = 0; i < n; i++) {
      if (groups[i] == 0)
         return WRONG;
   }
   return expect_errno(open("/etc/shadow", O_RDONLY), EACCES);
}

/* A root server's client process becomes the given user, without root's groups. */
static void
user_switch(void **state)
{
   (void)state;
   if (geteuid() != 0)
      skip();
   struct vtest_sandbox saved = g_sandbox;
   const struct vtest_sandbox_options o = {.user = VTEST_SANDBOX_FALLBACK_USER};
   assert_true(vtest_sandbox_prepare(&o, &g_sandbox));
   assert_true(g_sandbox.switch_user);
   assert_int_equal(run_sandboxed(probe_user), OK);
   g_sandbox = saved;
}

static struct stat
node(uid_t uid, gid_t gid, mode_t mode)
{
   struct stat st = {0};
   st.st_uid = uid;
   st.st_gid = gid;
   st.st_mode = S_IFCHR | mode;
   return st;
}

/* Which GPU device nodes the switched user can open, so which of their groups it must keep. */
static void
device_node_access(void **state)
{
   (void)state;
   struct vtest_sandbox sb = {.uid = 999, .gid = 995, .groups = {44}, .group_count = 1};
   const struct {
      struct stat st;
      bool open;
   } cases[] = {
      {node(0, 0, 0666), true},    /* NVIDIA's default: open to everyone */
      {node(0, 44, 0660), true},   /* a group the user has */
      {node(0, 995, 0660), true},  /* the user's primary group */
      {node(0, 105, 0660), false}, /* render, which the user lacks: its group is kept */
      {node(0, 44, 0640), false},  /* the group may only read */
      {node(999, 0, 0600), true},  /* owned by the user */
      {node(0, 0, 0600), false},   /* root only */
      {node(0, 105, 0606), true},  /* others may, and the user is not in the group */
      {node(0, 44, 0606), false},  /* the user's group may not: group bits apply, not others' */
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      if (vtest_sandbox_can_open_rw(&sb, &cases[i].st) != cases[i].open)
         fail_msg("case %zu: expected %s", i, cases[i].open ? "open" : "closed");
   }
}

static void
bad_options_refused(void **state)
{
   (void)state;
   struct vtest_sandbox sb;
   const struct vtest_sandbox_options unknown = {.user = "no-such-user-pearvisor"};
   if (geteuid() == 0)
      assert_false(vtest_sandbox_prepare(&unknown, &sb));
   const struct vtest_sandbox_options off = {.disabled = true};
   assert_true(vtest_sandbox_prepare(&off, &sb));
   assert_false(sb.enabled);
}

static int
setup(void **state)
{
   (void)state;
   /* Filter only (no user switch): a root test run keeps root with --user root. */
   const struct vtest_sandbox_options o = {.user = geteuid() == 0 ? "root" : NULL};
   return vtest_sandbox_prepare(&o, &g_sandbox) && g_sandbox.enabled ? 0 : -1;
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(worker_calls_work),   cmocka_unit_test(dangerous_calls_kill),
      cmocka_unit_test(other_calls_fail),    cmocka_unit_test(user_switch),
      cmocka_unit_test(bad_options_refused), cmocka_unit_test(device_node_access),
   };
   return cmocka_run_group_tests(tests, setup, NULL);
}
