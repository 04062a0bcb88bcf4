/* SPDX-License-Identifier: MIT */
/*
 * The OS-specific half of the sandbox (sandbox.h), between sandbox.c and sandbox_os.c. On Linux
 * with libseccomp: no_new_privs, the seccomp filter and user-namespace checks. Elsewhere every
 * call is a no-op, and vtest_sandbox_os_prepare says so in the log.
 */
#ifndef PV_VTEST_SANDBOX_OS_H
#define PV_VTEST_SANDBOX_OS_H

#include <stdbool.h>
#include <sys/types.h>

/* Once, in the server's parent before any fork: whatever the filter needs precomputed. */
void vtest_sandbox_os_prepare(void);

/* One line for the start-up log: what the OS layer adds to the user switch. */
const char *vtest_sandbox_os_describe(void);

/* Right after the user switch (the process is no longer root). */
void vtest_sandbox_os_after_user_switch(void);

/* no_new_privs and the system-call filter on the calling process; false when either failed. */
bool vtest_sandbox_os_confine(bool whole_process);

/*
 * Whether a process that is uid 0 here is uid 0 of the host: false for the root of a user
 * namespace an unprivileged user made (uid 0 there is that user outside).
 */
bool vtest_sandbox_os_real_root(void);

/* Whether `uid` exists in this process's user namespace (setuid to it can work). */
bool vtest_sandbox_os_uid_mapped(uid_t uid);

#endif
