/* SPDX-License-Identifier: MIT */
/*
 * The few OS services the core needs that differ between Linux and macOS. Everything else in the
 * core is plain C11 + POSIX so the renderer builds on both. Two variants: the Linux one (memfd,
 * eventfd, timer slack) and the POSIX-only one (shm_open, pipes, nothing), which macOS gets and
 * Linux gets with `meson -Dos_layer=posix` (CI builds and runs the e2e suite on it).
 */
#ifndef PV_UTIL_OS_H
#define PV_UTIL_OS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * Creates an anonymous shared-memory file of `size` bytes (memfd on Linux, an unlinked shm_open
 * object elsewhere). Returns the fd, or -1 with errno set.
 */
int pv_os_create_shm(const char *debug_name, uint64_t size);

/*
 * A one-shot "signaled" flag that another process can poll(): eventfd on Linux, a pipe elsewhere.
 * `poll_fd` is what gets handed to the guest; `signal_fd` is what we write to.
 */
struct pv_os_event {
   int poll_fd;
   int signal_fd;
};

int pv_os_event_init(struct pv_os_event *ev);
void pv_os_event_signal(struct pv_os_event *ev);
/* Closes whatever the event still owns; `poll_fd` may have been taken (set to -1) by the caller. */
void pv_os_event_fini(struct pv_os_event *ev);

/* "linux" or "posix": which variant this build uses. */
const char *pv_os_layer_name(void);

/* Monotonic clock in nanoseconds. */
uint64_t pv_os_time_ns(void);

/* Sleeps about `ns` nanoseconds. */
void pv_os_sleep_ns(uint64_t ns);

/* The absolute time `ns` from now on CLOCK_REALTIME, the clock pthread_cond_timedwait uses by
 * default (pthread_condattr_setclock is not on every platform). */
struct timespec pv_os_cond_deadline(uint64_t ns);

/*
 * For a thread that polls shared memory and sleeps in short steps: asks the OS to honour short
 * sleeps closely (Linux otherwise lets a sleep overrun by its 50 us default timer slack, which
 * turns a 10 us poll step into 60 us). Best effort; a no-op where there is no such knob.
 */
void pv_os_thread_precise_sleeps(void);

/*
 * For a large shared mapping that a guest streams through (host-visible memory): asks for
 * transparent huge pages, which the kernel gives shared memory only where the administrator
 * allows it (Linux: /sys/kernel/mm/transparent_hugepage/shmem_enabled "advise" or "always";
 * the default "never" ignores this). With 4 KiB pages a guest's memcpy through a 512 MiB mapping
 * ran at 0.89-0.91x native on the H200 machine, with huge pages at 0.98-1.03x (vkpeak copy-h2d,
 * copy-d2h). Best effort; a no-op elsewhere.
 */
void pv_os_advise_huge_pages(void *addr, size_t size);

/*
 * Whether the OS gives shared memory the huge pages pv_os_advise_huge_pages asks for: 1 yes
 * (Linux: shmem_enabled "advise", "always", "within_size" or "force"), 0 no ("never", "deny"),
 * -1 not known (another OS, or the setting cannot be read). `setting` gets the selected value
 * ("" when not known). For operators: `pearvisor-gpu info` and the server's banner print it.
 */
int pv_os_shmem_huge_pages(char *setting, size_t size);

/* One line for operators saying what pv_os_shmem_huge_pages found and what it costs. */
const char *pv_os_shmem_huge_pages_text(char *buf, size_t size);

/* CPUs this process may use: those it may run on (Linux: its affinity mask, so a server pinned
 * by taskset or a cpuset counts what it got; elsewhere the CPUs online), or fewer where a cgroup
 * CPU quota gives it less time than that (pv_os_cpu_quota_cpus); at least 1. */
unsigned pv_os_cpus_usable(void);

/* CPUs' worth of time the process's cgroups allow it (cpu_quota.c): the tightest quota of its
 * cgroup and every ancestor, rounded up; 0 when none is set or none can be read. */
unsigned pv_os_cpu_quota_cpus(void);
/* The same from the text of /proc/self/cgroup and the cgroup file system mounted at `sysfs`. */
unsigned pv_os_cpu_quota_cpus_at(const char *proc_cgroup, const char *sysfs);
/* What a cgroup v2 cpu.max line ("QUOTA PERIOD", or "max PERIOD") allows, rounded up; 0: none. */
unsigned pv_os_cpu_max_cpus(const char *text);

#endif
