/* SPDX-License-Identifier: MIT */
/*
 * The OS half of the sandbox (sandbox_os.h). On Linux with libseccomp: no_new_privs and a
 * seccomp-bpf allowlist of the system calls a client process needs: ours, glibc's, the Vulkan
 * loader's, lavapipe's (LLVM JIT, threads) and the NVIDIA driver's (ioctl on /dev/nvidia*, mmap
 * of device memory, /proc and /sys reads). The lists were found by running the e2e suite (both
 * guests, plain and ASan builds, --threads) under strace and then under the filter; the entries
 * only the NVIDIA driver needs (k_numa, mlock) come from reading what its user-space driver does
 * and have not been run under the filter on an NVIDIA host yet.
 *
 * What the filter does with a call that is not listed:
 * - a call in k_killed (clearly dangerous: execve, ptrace, mount, bpf, namespaces, module
 *   loading...) kills the whole process at once. A worker never needs one, so the only way to
 *   get there is a guest that already runs code of its choosing in the worker; letting it go on
 *   trying is what must not happen.
 * - anything else fails with EPERM and is logged once per call number. A host driver on a path
 *   we did not exercise (another driver version, a hardware feature) usually handles a failing
 *   call; killing it would turn a missing allowlist entry into a lost guest, and the log line
 *   says what to add. Where the architecture lets a SIGSYS handler set the return value
 *   (x86-64, AArch64) the filter traps to log; elsewhere it returns EPERM quietly.
 * Calls of another architecture's ABI (x32, i386 on x86-64) kill the process.
 *
 * Elsewhere (macOS) there is no seccomp: every function is a no-op and the start-up log says so.
 */
#define _GNU_SOURCE
#include "vtest/sandbox_os.h"

#include <stdio.h>
#include <string.h>

#include "util/log.h"

#if defined(__linux__) && defined(PV_HAVE_SECCOMP)

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define PV_SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PV_SANITIZER_BUILD 1
#endif
#endif

/* Refused calls trap to a handler that logs them once and fails them with EPERM. Not in
 * sanitizer builds: LeakSanitizer's tracer process (a clone that blocks every signal) was
 * killed by the forced SIGSYS of its first refused call, and the worker it was stopping then
 * spun forever at exit instead of checking for leaks; there refused calls fail with EPERM
 * unlogged. */
#if (defined(__x86_64__) || defined(__aarch64__)) && !defined(PV_SANITIZER_BUILD)
#define PV_TRAP_REFUSED 1
#endif

struct syscall_rule {
   const char *name;
   const char *why;
};

static const char k_mem[] = "memory: malloc, lavapipe's LLVM JIT (PROT_EXEC), host-visible "
                            "memfds, the NVIDIA driver's mappings of /dev/nvidia*";
static const char k_numa[] = "NUMA placement of the process's own memory (NVIDIA driver, from "
                             "reading; not exercised on lavapipe)";
static const char k_io[] = "I/O on fds the process holds: the guest's socket, memfds, eventfds, "
                           "the log";
static const char k_fs[] = "the loader reads manifests and opens driver libraries; drivers read "
                           "/proc, /sys and /dev nodes; Mesa's shader cache";
static const char k_sock[] = "the accepted guest socket: replies and fds passed with SCM_RIGHTS";
static const char k_wait[] = "waiting on fds: ring monitor, sync waits, fences (eventfd)";
static const char k_thread[] = "threads and their synchronisation: ring threads, lavapipe's "
                               "queue and llvmpipe's rasteriser threads, glibc's pthreads";
static const char k_time[] = "clocks and sleeps: bounded waits, ring polling, timeouts";
static const char k_sig[] = "signal handling of the process itself (abort, this SIGSYS handler)";
static const char k_info[] = "read-only facts about the process itself and the machine";
static const char k_exit[] = "ending the process or its threads";

/* Allowed with any arguments. */
static const struct syscall_rule k_allowed[] = {
   {"brk", k_mem},
   {"mmap", k_mem},
   {"munmap", k_mem},
   {"mprotect", k_mem},
   {"mremap", k_mem},
   {"madvise", k_mem},
   {"msync", k_mem},
   {"mincore", k_mem},
   {"mlock", k_mem},
   {"mlock2", k_mem},
   {"munlock", k_mem},
   {"membarrier", k_mem},
   {"memfd_create", k_mem},
   {"get_mempolicy", k_numa},
   {"set_mempolicy", k_numa},
   {"mbind", k_numa},
   {"read", k_io},
   {"write", k_io},
   {"pread64", k_io},
   {"pwrite64", k_io},
   {"readv", k_io},
   {"writev", k_io},
   {"lseek", k_io},
   {"close", k_io},
   {"close_range", k_io},
   {"dup", k_io},
   {"dup2", k_io},
   {"dup3", k_io},
   {"fcntl", k_io},
   {"ftruncate", k_io},
   {"fallocate", k_io},
   {"fsync", k_io},
   {"fdatasync", k_io},
   {"flock", k_io},
   {"fstat", k_io},
   {"fstatfs", k_io},
   {"fadvise64", k_io},
   {"pipe", k_io},
   {"pipe2", k_io},
   {"eventfd2", k_io},
   {"open", k_fs},
   {"openat", k_fs},
   {"stat", k_fs},
   {"lstat", k_fs},
   {"newfstatat", k_fs},
   {"statx", k_fs},
   {"statfs", k_fs},
   {"access", k_fs},
   {"faccessat", k_fs},
   {"faccessat2", k_fs},
   {"readlink", k_fs},
   {"readlinkat", k_fs},
   {"getdents64", k_fs},
   {"getcwd", k_fs},
   {"mkdir", k_fs},
   {"mkdirat", k_fs},
   {"rename", k_fs},
   {"renameat", k_fs},
   {"renameat2", k_fs},
   {"unlink", k_fs},
   {"unlinkat", k_fs},
   {"sendmsg", k_sock},
   {"recvmsg", k_sock},
   {"sendto", k_sock},
   {"recvfrom", k_sock},
   {"shutdown", k_sock},
   {"getsockopt", k_sock},
   {"getsockname", k_sock},
   {"getpeername", k_sock},
   {"poll", k_wait},
   {"ppoll", k_wait},
   {"select", k_wait},
   {"pselect6", k_wait},
   {"epoll_create1", k_wait},
   {"epoll_ctl", k_wait},
   {"epoll_wait", k_wait},
   {"epoll_pwait", k_wait},
   {"futex", k_thread},
   {"set_robust_list", k_thread},
   {"get_robust_list", k_thread},
   {"rseq", k_thread},
   {"set_tid_address", k_thread},
   {"sched_yield", k_thread},
   {"sched_getaffinity", k_thread},
   {"sched_setaffinity", k_thread},
   {"sched_getparam", k_thread},
   {"sched_setscheduler", "Mesa lowers its background threads to SCHED_BATCH/SCHED_IDLE (raising "
                          "needs a capability the process does not have)"},
   {"setpriority", "Mesa lowers the priority of its background threads (shader cache, "
                   "compiles); raising needs a capability the process does not have"},
   {"sched_getscheduler", k_thread},
   {"sched_get_priority_min", k_thread},
   {"sched_get_priority_max", k_thread},
   {"nanosleep", k_time},
   {"clock_nanosleep", k_time},
   {"clock_gettime", k_time},
   {"clock_getres", k_time},
   {"gettimeofday", k_time},
   {"time", k_time},
   {"rt_sigaction", k_sig},
   {"rt_sigprocmask", k_sig},
   {"rt_sigreturn", k_sig},
   {"sigaltstack", k_sig},
   {"restart_syscall", k_sig},
   {"getpid", k_info},
   {"gettid", k_info},
   {"getppid", k_info},
   {"getuid", k_info},
   {"geteuid", k_info},
   {"getgid", k_info},
   {"getegid", k_info},
   {"getresuid", k_info},
   {"getresgid", k_info},
   {"getgroups", k_info},
   {"uname", k_info},
   {"sysinfo", k_info},
   {"getrlimit", k_info},
   {"getrusage", k_info},
   {"times", k_info},
   {"getcpu", k_info},
   {"getrandom", k_info},
   {"capget", k_info},
   {"arch_prctl", "x86-64 thread-local storage (glibc)"},
   {"prctl", "thread names (llvmpipe), PR_GET_SECCOMP; the privileged options need capabilities "
             "the process no longer has"},
   {"wait4", "reaping a helper the NVIDIA driver may start (it cannot exec: see k_killed)"},
   {"exit", k_exit},
   {"exit_group", k_exit},
};

#if !defined(PV_SANITIZER_BUILD)
static const char k_exec[] = "runs another program: a worker only runs the code it was started "
                             "with, and exec is the first step of most escapes";
#endif
static const char k_peek[] = "reaches into another process; every client's worker runs as the "
                             "same user";
static const char k_mount[] = "changes what the file system looks like";
static const char k_ns[] = "new namespaces: user namespaces open much of the kernel to "
                           "unprivileged callers";
static const char k_kernel[] = "kernel attack surface a renderer never needs";
static const char k_uring[] = "io_uring runs operations the filter never sees";
static const char k_admin[] = "host administration";
static const char k_ids[] = "identity changes: the worker's ids are final once it is sandboxed";
static const char k_keys[] = "kernel keyrings are shared by every process of a user";
static const char k_handle[] = "opens files by handle, around path permissions";

/* Kill the process: only a guest that already runs its own code in the worker gets here. */
static const struct syscall_rule k_killed[] = {
#if !defined(PV_SANITIZER_BUILD)
   {"execve", k_exec},
   {"execveat", k_exec},
   /* LeakSanitizer stops the world with ptrace; sanitizer builds allow it (see k_sanitizer). */
   {"ptrace", k_peek},
#endif
   {"process_vm_readv", k_peek},
   {"process_vm_writev", k_peek},
   {"pidfd_getfd", k_peek},
   {"kcmp", k_peek},
   {"mount", k_mount},
   {"umount2", k_mount},
   {"pivot_root", k_mount},
   {"chroot", k_mount},
   {"open_tree", k_mount},
   {"move_mount", k_mount},
   {"fsopen", k_mount},
   {"fsconfig", k_mount},
   {"fsmount", k_mount},
   {"fspick", k_mount},
   {"mount_setattr", k_mount},
   {"unshare", k_ns},
   {"setns", k_ns},
   {"bpf", k_kernel},
   {"perf_event_open", k_kernel},
   {"userfaultfd", k_kernel},
   {"io_uring_setup", k_uring},
   {"io_uring_enter", k_uring},
   {"io_uring_register", k_uring},
   {"kexec_load", k_admin},
   {"kexec_file_load", k_admin},
   {"init_module", k_admin},
   {"finit_module", k_admin},
   {"delete_module", k_admin},
   {"reboot", k_admin},
   {"swapon", k_admin},
   {"swapoff", k_admin},
   {"acct", k_admin},
   {"iopl", k_admin},
   {"ioperm", k_admin},
   {"quotactl", k_admin},
   {"syslog", k_admin},
   {"settimeofday", k_admin},
   {"clock_settime", k_admin},
   {"clock_adjtime", k_admin},
   {"adjtimex", k_admin},
   {"vhangup", k_admin},
   {"setuid", k_ids},
   {"setgid", k_ids},
   {"setreuid", k_ids},
   {"setregid", k_ids},
   {"setresuid", k_ids},
   {"setresgid", k_ids},
   {"setgroups", k_ids},
   {"setfsuid", k_ids},
   {"setfsgid", k_ids},
   {"capset", k_ids},
   {"keyctl", k_keys},
   {"add_key", k_keys},
   {"request_key", k_keys},
   {"name_to_handle_at", k_handle},
   {"open_by_handle_at", k_handle},
};

#if defined(PV_SANITIZER_BUILD)
/* ASan/LSan's own needs in the test builds (pearvisor-gpu-asan): LeakSanitizer suspends the
 * threads from a tracer process with ptrace; the symbolizer fork+exec is refused (EPERM), which
 * only leaves reports unsymbolized. */
static const struct syscall_rule k_sanitizer[] = {
   {"ptrace", "LeakSanitizer's StopTheWorld"},
   {"waitid", "LeakSanitizer waits for its tracer"},
   {"getdents", "LeakSanitizer's tracer lists the threads (/proc/PID/task) with the old call"},
};
#endif

/* clone, kill, tgkill, prlimit64, ioctl: allowed with some arguments (add_conditional_rules). */
#define PV_CONDITIONAL_ALLOWED 5

/* Clone flags that make a namespace; any of them kills. */
#define PV_CLONE_NEW_MASK                                                                          \
   (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |   \
    CLONE_NEWNET)

/* Names of the native architecture's system calls for the SIGSYS log, made before any fork. */
#define PV_SYSCALL_NAMES 512
static char *g_syscall_names[PV_SYSCALL_NAMES];
#if defined(PV_TRAP_REFUSED)
static unsigned long g_refused_seen[PV_SYSCALL_NAMES / (8 * sizeof(unsigned long))];
#endif
static char g_describe[160];

void
vtest_sandbox_os_prepare(void)
{
   uint32_t arch = seccomp_arch_native();
   for (int nr = 0; nr < PV_SYSCALL_NAMES; nr++) {
      if (!g_syscall_names[nr])
         g_syscall_names[nr] = seccomp_syscall_resolve_num_arch(arch, nr);
   }
   for (size_t i = 0; i < sizeof(k_allowed) / sizeof(k_allowed[0]); i++) {
      if (seccomp_syscall_resolve_name(k_allowed[i].name) == __NR_SCMP_ERROR)
         pv_warn("sandbox: libseccomp does not know the system call %s", k_allowed[i].name);
   }
}

const char *
vtest_sandbox_os_describe(void)
{
   snprintf(g_describe, sizeof(g_describe),
            "no_new_privs; seccomp filter: %zu system calls allowed, %zu kill the process, "
            "others fail with EPERM",
            sizeof(k_allowed) / sizeof(k_allowed[0]) + PV_CONDITIONAL_ALLOWED,
            sizeof(k_killed) / sizeof(k_killed[0]));
   return g_describe;
}

/* --- the SIGSYS handler: log a refused call once, make it fail with EPERM ------------------ */

#if defined(PV_TRAP_REFUSED)
static size_t
append(char *buf, size_t len, size_t cap, const char *s)
{
   while (*s && len + 1 < cap)
      buf[len++] = *s++;
   return len;
}

static size_t
append_uint(char *buf, size_t len, size_t cap, unsigned long v)
{
   char digits[24];
   size_t n = 0;
   do {
      digits[n++] = (char)('0' + v % 10);
      v /= 10;
   } while (v && n < sizeof(digits));
   while (n && len + 1 < cap)
      buf[len++] = digits[--n];
   return len;
}

static bool
first_refusal(int nr)
{
   if (nr < 0 || nr >= PV_SYSCALL_NAMES)
      return true;
   const unsigned bits = 8 * sizeof(unsigned long);
   unsigned long bit = 1ul << ((unsigned)nr % bits);
   return !(__atomic_fetch_or(&g_refused_seen[(unsigned)nr / bits], bit, __ATOMIC_RELAXED) & bit);
}

static void
set_syscall_result(void *context, long value)
{
   ucontext_t *uc = context;
#if defined(__x86_64__)
   uc->uc_mcontext.gregs[REG_RAX] = value;
#else
   uc->uc_mcontext.regs[0] = (unsigned long long)value;
#endif
}

/* Async-signal-safe: only write(2), getpid(2) and our own formatting. */
static void
on_refused_syscall(int sig, siginfo_t *si, void *context)
{
   (void)sig;
   int saved_errno = errno;
   int nr = si->si_syscall;
   set_syscall_result(context, -EPERM);
   if (first_refusal(nr)) {
      char line[192];
      size_t n = append(line, 0, sizeof(line), "pearvisor-gpu[");
      n = append_uint(line, n, sizeof(line), (unsigned long)getpid());
      n = append(line, n, sizeof(line), "] warn: sandbox: refused system call ");
      const char *name = nr >= 0 && nr < PV_SYSCALL_NAMES ? g_syscall_names[nr] : NULL;
      n = append(line, n, sizeof(line), name ? name : "?");
      n = append(line, n, sizeof(line), " (");
      n = append_uint(line, n, sizeof(line), (unsigned long)nr);
      n = append(line, n, sizeof(line), "), it fails with EPERM\n");
      ssize_t w = write(STDERR_FILENO, line, n);
      (void)w;
   }
   errno = saved_errno;
}

static bool
install_refusal_handler(void)
{
   struct sigaction sa = {0};
   sa.sa_sigaction = on_refused_syscall;
   sa.sa_flags = SA_SIGINFO;
   sigemptyset(&sa.sa_mask);
   return sigaction(SIGSYS, &sa, NULL) == 0;
}

static const uint32_t k_default_action = SCMP_ACT_TRAP;
#else
static bool
install_refusal_handler(void)
{
   return true;
}

static const uint32_t k_default_action = SCMP_ACT_ERRNO(EPERM);
#endif

/* --- building the filter --------------------------------------------------------------------- */

static bool
add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned count,
         const struct scmp_arg_cmp *args)
{
   int nr = seccomp_syscall_resolve_name(name);
   if (nr == __NR_SCMP_ERROR)
      return true; /* unknown to this libseccomp: the default action covers it */
   int rc = seccomp_rule_add_array(ctx, action, nr, count, args);
   if (rc) {
      pv_err("sandbox: seccomp rule for %s: %s", name, strerror(-rc));
      return false;
   }
   return true;
}

static bool
add_table(scmp_filter_ctx ctx, uint32_t action, const struct syscall_rule *rules, size_t count)
{
   for (size_t i = 0; i < count; i++) {
      if (!add_rule(ctx, action, rules[i].name, 0, NULL))
         return false;
   }
   return true;
}

/* clone with any namespace flag kills (one rule per flag: a rule compares an argument once). */
static bool
add_clone_kills(scmp_filter_ctx ctx)
{
   static const uint64_t flags[] = {CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
                                    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET};
   for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
      const struct scmp_arg_cmp has_flag = SCMP_A0(SCMP_CMP_MASKED_EQ, flags[i], flags[i]);
      if (!add_rule(ctx, SCMP_ACT_KILL_PROCESS, "clone", 1, &has_flag))
         return false;
   }
   return true;
}

/*
 * Calls allowed only with some arguments (PV_CONDITIONAL_ALLOWED of them), each with why:
 * - clone makes threads only (CLONE_THREAD set): a worker never needs another process;
 *   namespace flags kill. Sanitizer builds also allow processes (LeakSanitizer's tracer).
 * - clone3 fails with ENOSYS: its flags are in memory the filter cannot read, and glibc then
 *   falls back to clone.
 * - kill, tgkill and prlimit64 only on this process: the other workers run as the same user.
 * - ioctl: anything but TIOCSTI and TIOCLINUX (which type into the terminal the server was
 *   started from, as root). The kernel reads the request as 32 bits, so the kills compare the
 *   low 32 bits and only requests with zero high bits are allowed. libseccomp checks the rules
 *   of one call in the order they were added and the allow overlaps the kills: kills first
 *   (tests/unit/test_sandbox.c checks it).
 */
static bool
add_conditional_rules(scmp_filter_ctx ctx)
{
   const uint64_t pid = (uint64_t)getpid();
#if defined(PV_SANITIZER_BUILD)
   const struct scmp_arg_cmp clone_ok = SCMP_A0(SCMP_CMP_MASKED_EQ, PV_CLONE_NEW_MASK, 0);
#else
   const struct scmp_arg_cmp clone_ok =
      SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD | PV_CLONE_NEW_MASK, CLONE_THREAD);
#endif
   const struct scmp_arg_cmp own_pid = SCMP_A0(SCMP_CMP_EQ, pid);
   const struct scmp_arg_cmp self_zero = SCMP_A0(SCMP_CMP_EQ, 0);
   const struct scmp_arg_cmp tiocsti = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI);
   const struct scmp_arg_cmp tioclinux = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX);
   const struct scmp_arg_cmp request32 = SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffff00000000u, 0);
   return add_rule(ctx, SCMP_ACT_ALLOW, "clone", 1, &clone_ok) && add_clone_kills(ctx) &&
          add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL) &&
          add_rule(ctx, SCMP_ACT_ALLOW, "kill", 1, &own_pid) &&
          add_rule(ctx, SCMP_ACT_ALLOW, "tgkill", 1, &own_pid) &&
          add_rule(ctx, SCMP_ACT_ALLOW, "prlimit64", 1, &self_zero) &&
          add_rule(ctx, SCMP_ACT_ALLOW, "prlimit64", 1, &own_pid) &&
          add_rule(ctx, SCMP_ACT_KILL_PROCESS, "ioctl", 1, &tiocsti) &&
          add_rule(ctx, SCMP_ACT_KILL_PROCESS, "ioctl", 1, &tioclinux) &&
          add_rule(ctx, SCMP_ACT_ALLOW, "ioctl", 1, &request32);
}

/* The serving process itself (--threads, --once) also accepts clients. */
static const struct syscall_rule k_server[] = {
   {"accept", "the accept loop of --threads and --once"},
   {"accept4", "the accept loop of --threads and --once"},
};

static scmp_filter_ctx
build_filter(bool whole_process)
{
   scmp_filter_ctx ctx = seccomp_init(k_default_action);
   if (!ctx) {
      pv_err("sandbox: seccomp_init failed");
      return NULL;
   }
   bool ok =
      seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) == 0 &&
      seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) == 0 &&
      (!whole_process || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) == 0) &&
      add_table(ctx, SCMP_ACT_ALLOW, k_allowed, sizeof(k_allowed) / sizeof(k_allowed[0])) &&
      add_table(ctx, SCMP_ACT_KILL_PROCESS, k_killed, sizeof(k_killed) / sizeof(k_killed[0])) &&
      add_conditional_rules(ctx) &&
      (!whole_process ||
       add_table(ctx, SCMP_ACT_ALLOW, k_server, sizeof(k_server) / sizeof(k_server[0])));
#if defined(PV_SANITIZER_BUILD)
   ok = ok &&
        add_table(ctx, SCMP_ACT_ALLOW, k_sanitizer, sizeof(k_sanitizer) / sizeof(k_sanitizer[0]));
#endif
   if (!ok) {
      /* Level 3 brings KILL_PROCESS; a kernel (or valgrind) without seccomp(2) reports less. */
      pv_err("sandbox: cannot build the seccomp filter (libseccomp API level %u, 3 needed)",
             seccomp_api_get());
      seccomp_release(ctx);
      return NULL;
   }
   return ctx;
}

void
vtest_sandbox_os_after_user_switch(void)
{
#if defined(PV_SANITIZER_BUILD)
   /* The switch made the process non-dumpable, and LeakSanitizer's tracer (another process of
    * the same user) could no longer attach to it. Test builds only. */
   prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
}

bool
vtest_sandbox_os_confine(bool whole_process)
{
   if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
      pv_err("sandbox: no_new_privs: %s", strerror(errno));
      return false;
   }
   scmp_filter_ctx ctx = build_filter(whole_process);
   if (!ctx)
      return false;
   if (!install_refusal_handler()) {
      pv_err("sandbox: cannot install the SIGSYS handler: %s", strerror(errno));
      seccomp_release(ctx);
      return false;
   }
   int rc = seccomp_load(ctx);
   seccomp_release(ctx);
   if (rc) {
      pv_err("sandbox: cannot load the seccomp filter: %s", strerror(-rc));
      return false;
   }
   if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != 2) {
      pv_err("sandbox: the seccomp filter is not in force");
      return false;
   }
   return true;
}

/* /proc/self/uid_map: "inside outside count" per line. */
static bool
uid_map_lookup(uid_t inside, uid_t *outside)
{
   FILE *f = fopen("/proc/self/uid_map", "r");
   if (!f)
      return false;
   unsigned long in, out, count;
   bool found = false;
   while (!found && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3) {
      if (inside >= in && inside - in < count) {
         *outside = (uid_t)(out + (inside - in));
         found = true;
      }
   }
   fclose(f);
   return found;
}

bool
vtest_sandbox_os_real_root(void)
{
   uid_t outside;
   /* No map to read: no user namespaces here, so uid 0 is root. */
   return !uid_map_lookup(0, &outside) || outside == 0;
}

bool
vtest_sandbox_os_uid_mapped(uid_t uid)
{
   uid_t outside;
   FILE *f = fopen("/proc/self/uid_map", "r");
   if (!f)
      return true;
   fclose(f);
   return uid_map_lookup(uid, &outside);
}

#else /* no seccomp: macOS, or a Linux build without libseccomp (the fuzz targets) */

#include <unistd.h>

void
vtest_sandbox_os_prepare(void)
{
   pv_warn("sandbox: this build has no system-call filter (no seccomp on this OS); client "
           "processes are confined by the user switch only");
}

const char *
vtest_sandbox_os_describe(void)
{
   return "no system-call filter in this build";
}

void
vtest_sandbox_os_after_user_switch(void)
{
}

bool
vtest_sandbox_os_confine(bool whole_process)
{
   (void)whole_process;
   return true;
}

bool
vtest_sandbox_os_real_root(void)
{
   return true;
}

bool
vtest_sandbox_os_uid_mapped(uid_t uid)
{
   (void)uid;
   return true;
}

#endif
