/* SPDX-License-Identifier: MIT */
/*
 * The sandbox of the processes that run guest-reachable code (SECURITY.md, "Sandbox").
 *
 * The server's parent process resolves the policy once at start-up (vtest_sandbox_prepare), as
 * root if it was started as root: which user to become, its groups, and a trial run in a
 * throw-away child so that a sandbox that cannot be applied stops the server at once instead of
 * refusing every client. Every per-client process then applies it right after fork, before it
 * reads a byte from its guest (vtest_sandbox_enter): the user switch (POSIX), then, on Linux,
 * no_new_privs and the seccomp filter (sandbox_os.c). In `--threads` and `--once` modes the
 * serving process itself is sandboxed, all its threads at once, before it accepts a client.
 */
#ifndef PV_VTEST_SANDBOX_H
#define PV_VTEST_SANDBOX_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Supplementary groups kept after the switch (the user's own plus the GPU device nodes'). */
#define VTEST_SANDBOX_MAX_GROUPS 64

/* The user a root server switches to when --user is not given, if it exists ... */
#define VTEST_SANDBOX_DEFAULT_USER "pearvisor"
/* ... else this one. */
#define VTEST_SANDBOX_FALLBACK_USER "nobody"

struct vtest_sandbox_options {
   /* --no-sandbox: no user switch, no no_new_privs, no filter. */
   bool disabled;
   /* --user NAME (or a numeric uid); NULL for the default above. Only a root server switches. */
   const char *user;
};

/* What vtest_sandbox_prepare resolved; plain data, inherited by every forked client process. */
struct vtest_sandbox {
   bool enabled;
   /* Whether the user switch happens (a server started as root, to a non-root user). */
   bool switch_user;
   uid_t uid;
   gid_t gid;
   gid_t groups[VTEST_SANDBOX_MAX_GROUPS];
   unsigned group_count;
   char user[64];
   /* The user's home directory: HOME of the switched process. */
   char home[256];
};

/*
 * Resolves `options` into `sb` and tries it once in a child process. Returns false (after
 * logging why) when the server must not start: an unknown user, --user without root, or a
 * sandbox this host cannot apply (the message names --no-sandbox).
 */
bool vtest_sandbox_prepare(const struct vtest_sandbox_options *options, struct vtest_sandbox *sb);

/*
 * Applies `sb` to the calling process: switches user and verifies root cannot be regained, sets
 * no_new_privs and loads the seccomp filter. `whole_process`: the process is the server itself
 * (--threads, --once), so the filter covers every thread and also allows accepting clients.
 * Returns false when any step failed; the caller must then not serve (fail closed).
 */
bool vtest_sandbox_enter(const struct vtest_sandbox *sb, bool whole_process);

/*
 * Whether the switched user of `sb` (its uid, gid and groups) may read and write a file with the
 * owner, group and mode of `st`: how the groups of GPU device nodes are chosen.
 */
bool vtest_sandbox_can_open_rw(const struct vtest_sandbox *sb, const struct stat *st);

#endif
