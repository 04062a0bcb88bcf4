/* SPDX-License-Identifier: MIT */
/*
 * The portable half of the sandbox (sandbox.h): which user a root server's client processes
 * become, with which groups, the switch itself and the check that root cannot come back. The
 * system-call filter is in sandbox_os.c.
 *
 * The groups are the user's own (as initgroups would set them) plus the group of every GPU device
 * node the user could not open otherwise: the host driver opens /dev/nvidia* or /dev/dri/renderD*
 * when the guest creates its instance, which is after the switch. Nothing else of root's is kept.
 */
#define _GNU_SOURCE
#include "vtest/sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "vtest/sandbox_os.h"

/* Device nodes a host Vulkan driver opens: DRM render nodes (Mesa drivers) and NVIDIA's. */
static const struct {
   const char *dir;
   const char *prefix;
} k_gpu_nodes[] = {
   {"/dev/dri", "renderD"},
   {"/dev", "nvidia"},
};

static bool
has_group(const struct vtest_sandbox *sb, gid_t gid)
{
   if (gid == sb->gid)
      return true;
   for (unsigned i = 0; i < sb->group_count; i++) {
      if (sb->groups[i] == gid)
         return true;
   }
   return false;
}

static void
add_group(struct vtest_sandbox *sb, gid_t gid)
{
   if (!has_group(sb, gid) && sb->group_count < VTEST_SANDBOX_MAX_GROUPS)
      sb->groups[sb->group_count++] = gid;
}

/* Whether the sandboxed user can read and write a node with these owner, group and mode. */
bool
vtest_sandbox_can_open_rw(const struct vtest_sandbox *sb, const struct stat *st)
{
   const mode_t user_rw = S_IRUSR | S_IWUSR, group_rw = S_IRGRP | S_IWGRP;
   const mode_t other_rw = S_IROTH | S_IWOTH;
   if (st->st_uid == sb->uid)
      return (st->st_mode & user_rw) == user_rw;
   if (has_group(sb, st->st_gid))
      return (st->st_mode & group_rw) == group_rw;
   return (st->st_mode & other_rw) == other_rw;
}

static void
add_device_groups(struct vtest_sandbox *sb)
{
   for (size_t i = 0; i < sizeof(k_gpu_nodes) / sizeof(k_gpu_nodes[0]); i++) {
      DIR *d = opendir(k_gpu_nodes[i].dir);
      if (!d)
         continue;
      size_t plen = strlen(k_gpu_nodes[i].prefix);
      for (struct dirent *e; (e = readdir(d));) {
         char path[512];
         struct stat st;
         if (strncmp(e->d_name, k_gpu_nodes[i].prefix, plen))
            continue;
         snprintf(path, sizeof(path), "%s/%s", k_gpu_nodes[i].dir, e->d_name);
         if (stat(path, &st) || !S_ISCHR(st.st_mode) || vtest_sandbox_can_open_rw(sb, &st))
            continue;
         if (st.st_gid == 0) {
            /* Root's group is never kept: that node stays closed (the driver will say so). */
            pv_warn("sandbox: %s is open only to root; user %s cannot use it", path, sb->user);
            continue;
         }
         add_group(sb, st.st_gid);
         pv_info("sandbox: keeping group %u for %s", (unsigned)st.st_gid, path);
      }
      closedir(d);
   }
}

/* The user's supplementary groups from the group database, as initgroups would set them. */
static void
add_user_groups(struct vtest_sandbox *sb)
{
   gid_t groups[VTEST_SANDBOX_MAX_GROUPS];
   int count = VTEST_SANDBOX_MAX_GROUPS;
#if defined(__APPLE__)
   int found = getgrouplist(sb->user, (int)sb->gid, (int *)groups, &count);
#else
   int found = getgrouplist(sb->user, sb->gid, groups, &count);
#endif
   if (found < 0)
      pv_warn("sandbox: user %s is in more than %d groups; keeping the first ones", sb->user,
              VTEST_SANDBOX_MAX_GROUPS);
   for (int i = 0; i < count && i < VTEST_SANDBOX_MAX_GROUPS; i++)
      add_group(sb, groups[i]);
}

/* A name or a numeric uid from the user database. */
static struct passwd *
lookup_user(const char *name)
{
   struct passwd *pw = getpwnam(name);
   if (pw || !*name)
      return pw;
   char *end;
   errno = 0;
   unsigned long uid = strtoul(name, &end, 10);
   return errno || *end ? NULL : getpwuid((uid_t)uid);
}

static bool
resolve_user(const struct vtest_sandbox_options *o, struct vtest_sandbox *sb)
{
   const char *name = o->user;
   if (!name)
      name = getpwnam(VTEST_SANDBOX_DEFAULT_USER) ? VTEST_SANDBOX_DEFAULT_USER
                                                  : VTEST_SANDBOX_FALLBACK_USER;
   struct passwd *pw = lookup_user(name);
   if (!pw) {
      pv_err("sandbox: no user '%s'%s", name,
             o->user ? "" : " to run client processes as; give one with --user");
      return false;
   }
   snprintf(sb->user, sizeof(sb->user), "%s", pw->pw_name);
   snprintf(sb->home, sizeof(sb->home), "%s", pw->pw_dir ? pw->pw_dir : "/");
   sb->uid = pw->pw_uid;
   sb->gid = pw->pw_gid;
   return true;
}

/* The user part for a server started as root; false when it must not start. */
static bool
plan_user_switch(const struct vtest_sandbox_options *o, struct vtest_sandbox *sb)
{
   if (!resolve_user(o, sb))
      return false;
   if (sb->uid == 0) {
      pv_warn("sandbox: --user %s keeps client processes root; only the system-call filter "
              "confines them",
              sb->user);
      return true;
   }
   if (!vtest_sandbox_os_uid_mapped(sb->uid) && !vtest_sandbox_os_real_root()) {
      /* Root of a user namespace that maps only our own (unprivileged) uid: there is nothing to
       * switch to, and nothing of the host's root to give up. */
      pv_warn("sandbox: uid 0 here is not the host's root and uid %u is not mapped; client "
              "processes keep this uid",
              (unsigned)sb->uid);
      return true;
   }
   sb->switch_user = true;
   add_user_groups(sb);
   add_device_groups(sb);
   return true;
}

static bool
plan(const struct vtest_sandbox_options *o, struct vtest_sandbox *sb)
{
   if (geteuid() == 0)
      return plan_user_switch(o, sb);
   if (o->user) {
      struct passwd *pw = lookup_user(o->user);
      if (!pw || pw->pw_uid != geteuid()) {
         pv_err("sandbox: --user %s needs the server to start as root", o->user);
         return false;
      }
   }
   return true;
}

/* Tries the whole sandbox once in a child, so a host that cannot apply it stops the start. */
static bool
trial_run(const struct vtest_sandbox *sb)
{
   pid_t pid = fork();
   if (pid < 0) {
      pv_err("sandbox: fork: %s", strerror(errno));
      return false;
   }
   if (pid == 0)
      _exit(vtest_sandbox_enter(sb, false) ? 0 : 1);
   int status;
   while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR)
         return false;
   }
   if (WIFSIGNALED(status))
      pv_err("sandbox: the trial process died from signal %d", WTERMSIG(status));
   return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void
log_plan(const struct vtest_sandbox *sb)
{
   char groups[256] = "";
   size_t len = 0;
   for (unsigned i = 0; i < sb->group_count && len < sizeof(groups); i++)
      len += (size_t)snprintf(groups + len, sizeof(groups) - len, "%s%u", i ? "," : "",
                              (unsigned)sb->groups[i]);
   if (sb->switch_user)
      pv_info("sandbox: client processes run as %s (uid %u, gid %u, groups [%s]); %s", sb->user,
              (unsigned)sb->uid, (unsigned)sb->gid, groups, vtest_sandbox_os_describe());
   else
      pv_info("sandbox: client processes keep uid %u; %s", (unsigned)geteuid(),
              vtest_sandbox_os_describe());
}

bool
vtest_sandbox_prepare(const struct vtest_sandbox_options *o, struct vtest_sandbox *sb)
{
   *sb = (struct vtest_sandbox){0};
   if (o->disabled) {
      pv_warn("sandbox: off (--no-sandbox): client processes run as uid %u with every system "
              "call",
              (unsigned)geteuid());
      return true;
   }
   if (!plan(o, sb))
      return false;
   sb->enabled = true;
   vtest_sandbox_os_prepare();
   if (!trial_run(sb)) {
      pv_err("sandbox: cannot be applied on this host (see above); --no-sandbox turns it off");
      return false;
   }
   log_plan(sb);
   return true;
}

/* setgroups, setgid, setuid, in that order: each step needs the privilege the next drops. */
static bool
switch_user(const struct vtest_sandbox *sb)
{
   if (setgroups(sb->group_count, sb->groups) || setgid(sb->gid) || setuid(sb->uid)) {
      pv_err("sandbox: cannot switch to user %s: %s", sb->user, strerror(errno));
      return false;
   }
   return true;
}

/* The environment of the new user, as su sets it. */
static void
switch_environment(const struct vtest_sandbox *sb)
{
   setenv("HOME", sb->home, 1);
   setenv("USER", sb->user, 1);
   setenv("LOGNAME", sb->user, 1);
}

/*
 * The host drivers' on-disk shader caches hold compiled machine code that every client process
 * of the same user would load: one guest that takes over its process could plant code for
 * another guest's shaders. Off unless the operator sets the variables (SECURITY.md).
 */
static void
disable_shared_shader_caches(void)
{
   setenv("MESA_SHADER_CACHE_DISABLE", "true", 0);
   setenv("__GL_SHADER_DISK_CACHE", "0", 0);
}

/* Every id is the target's and root cannot be regained (setuid(0) must fail). */
static bool
user_switch_holds(const struct vtest_sandbox *sb)
{
   if (getuid() != sb->uid || geteuid() != sb->uid || getgid() != sb->gid || getegid() != sb->gid) {
      pv_err("sandbox: user switch incomplete (uid %u/%u gid %u/%u)", (unsigned)getuid(),
             (unsigned)geteuid(), (unsigned)getgid(), (unsigned)getegid());
      return false;
   }
   if (setuid(0) == 0 || seteuid(0) == 0 || setgid(0) == 0) {
      pv_err("sandbox: root could be regained after switching to %s", sb->user);
      return false;
   }
   return true;
}

bool
vtest_sandbox_enter(const struct vtest_sandbox *sb, bool whole_process)
{
   if (!sb->enabled)
      return true;
   if (sb->switch_user) {
      if (!switch_user(sb) || !user_switch_holds(sb))
         return false;
      switch_environment(sb);
      vtest_sandbox_os_after_user_switch();
   }
   disable_shared_shader_caches();
   return vtest_sandbox_os_confine(whole_process);
}
