/* SPDX-License-Identifier: MIT */
/* The server parent's client processes, and telling the guest when one dies (vtest_children.h). */
#define _GNU_SOURCE /* POLLRDHUP */
#include "vtest/vtest_children.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "util/os.h"

/* How long the parent keeps a dead client's socket waiting for the guest's next request. A guest
 * that sends nothing in this time is not waiting on the socket; it then sees EOF. */
#define VTEST_ORPHAN_KEEP_NS 30000000000ull

struct child {
   pid_t pid;
   int sock;
   struct vtest_child_page *page;
};

struct orphan {
   int sock;
   uint64_t deadline_ns;
};

static struct child *g_children;
static size_t g_child_count, g_child_cap;
static struct orphan *g_orphans;
static size_t g_orphan_count, g_orphan_cap;

struct vtest_child_page *
vtest_child_page_new(void)
{
   void *p = mmap(NULL, sizeof(struct vtest_child_page), PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
   return p == MAP_FAILED ? NULL : p;
}

void
vtest_child_page_free(struct vtest_child_page *page)
{
   if (page)
      munmap(page, sizeof(*page));
}

static bool
grow(void **array, size_t *cap, size_t count, size_t elem)
{
   if (count < *cap)
      return true;
   size_t n = *cap ? *cap * 2 : 16;
   void *p = realloc(*array, n * elem);
   if (!p)
      return false;
   *array = p;
   *cap = n;
   return true;
}

void
vtest_children_add(pid_t pid, int sock, struct vtest_child_page *page)
{
   if (!grow((void **)&g_children, &g_child_cap, g_child_count, sizeof(*g_children))) {
      /* Still reaped by waitpid(-1); only its guest is not told if it dies. */
      close(sock);
      vtest_child_page_free(page);
      return;
   }
   g_children[g_child_count++] = (struct child){pid, sock, page};
   if (page)
      vtest_stats_track(&page->stats, pid);
}

/* Closes every client's socket and page the parent holds and forgets them all. */
static void
release_all(void)
{
   for (size_t i = 0; i < g_child_count; i++) {
      close(g_children[i].sock);
      vtest_child_page_free(g_children[i].page);
   }
   for (size_t i = 0; i < g_orphan_count; i++)
      close(g_orphans[i].sock);
   free(g_children);
   free(g_orphans);
   g_children = NULL;
   g_orphans = NULL;
   g_child_count = g_child_cap = g_orphan_count = g_orphan_cap = 0;
}

void
vtest_children_forget_all_in_child(void)
{
   /* Another client's socket must never be reachable from this client's process. */
   release_all();
}

/* Keeps a dead client's socket until the guest's next request is queued in it, or closes it now
 * when one already is. */
static void
orphan(int sock)
{
   int queued = 0;
   if (ioctl(sock, FIONREAD, &queued) == 0 && queued > 0) {
      close(sock); /* unread data: the guest's next read fails with ECONNRESET */
      return;
   }
   if (!grow((void **)&g_orphans, &g_orphan_cap, g_orphan_count, sizeof(*g_orphans))) {
      close(sock);
      return;
   }
   g_orphans[g_orphan_count++] = (struct orphan){sock, pv_os_time_ns() + VTEST_ORPHAN_KEEP_NS};
}

/* What `stats` says of a client whose process ended with `status`: the child's own last word
 * ("hung up") when it exited normally. */
static const char *
departure(int status, struct vtest_child_page *page)
{
   static char why[64];
   if (WIFSIGNALED(status)) {
      snprintf(why, sizeof(why), "crashed (signal %d)", WTERMSIG(status));
   } else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
      snprintf(why, sizeof(why), "process exited with status %d", WEXITSTATUS(status));
   } else {
      struct vtest_stats_record r;
      vtest_stats_slot_read(&page->stats, &r);
      snprintf(why, sizeof(why), "%s",
               strcmp(r.state, "serving") && strcmp(r.state, "connecting") ? r.state
                                                                           : "process exited");
   }
   return why;
}

/* The client process `c` is gone; `status` from waitpid. */
static void
child_gone(struct child *c, int status)
{
   bool died = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
   if (WIFSIGNALED(status))
      pv_warn("client process %ld died from signal %d; other clients are unaffected", (long)c->pid,
              WTERMSIG(status));
   if (!died) {
      close(c->sock);
   } else {
      uint32_t in_flight = c->page ? atomic_load(&c->page->cmd_plus_one) : 0;
      /* The guest may be blocked reading this command's reply: give it the failed form. Never
       * blocking: this loop serves every client, and a guest that stopped reading (its
       * socket's buffer full) gets its socket closed instead of stalling the server. */
      if (in_flight)
         fcntl(c->sock, F_SETFL, fcntl(c->sock, F_GETFL) | O_NONBLOCK);
      if (in_flight && vtest_client_reply_failure_on(c->sock, in_flight - 1) != 0) {
         close(c->sock);
      } else {
         pv_info("telling the guest of client process %ld that it is gone", (long)c->pid);
         orphan(c->sock);
      }
   }
   if (c->page)
      vtest_stats_untrack(&c->page->stats, departure(status, c->page));
   vtest_child_page_free(c->page);
}

void
vtest_children_reap(void)
{
   int status;
   pid_t pid;
   while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      for (size_t i = 0; i < g_child_count; i++) {
         if (g_children[i].pid == pid) {
            child_gone(&g_children[i], status);
            g_children[i] = g_children[--g_child_count];
            break;
         }
      }
   }
}

size_t
vtest_children_count(void)
{
   return g_child_count;
}

unsigned
vtest_children_orphan_fds(struct pollfd *fds, unsigned max)
{
   unsigned n = 0;
   for (; n < g_orphan_count && n < max; n++)
      fds[n] = (struct pollfd){.fd = g_orphans[n].sock, .events = POLLIN | POLLRDHUP};
   return n;
}

void
vtest_children_orphans_polled(const struct pollfd *fds, unsigned count)
{
   uint64_t now = pv_os_time_ns();
   size_t i = 0;
   while (i < g_orphan_count) {
      int fd = g_orphans[i].sock;
      short ev = 0;
      for (unsigned k = 0; k < count; k++)
         if (fds[k].fd == fd)
            ev = fds[k].revents;
      /* POLLIN: the guest's next request sits unread, so this close resets its socket. */
      if (ev || now >= g_orphans[i].deadline_ns) {
         close(fd);
         g_orphans[i] = g_orphans[--g_orphan_count];
      } else {
         i++;
      }
   }
}

void
vtest_children_stop_all(void)
{
   for (size_t i = 0; i < g_child_count; i++)
      kill(g_children[i].pid, SIGTERM);
   while (waitpid(-1, NULL, 0) > 0)
      ;
   release_all();
}
