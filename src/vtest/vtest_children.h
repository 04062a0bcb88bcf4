/* SPDX-License-Identifier: MIT */
/*
 * The server parent's record of its client processes (process per client). The parent keeps
 * each client's socket and a page the child writes the vtest command it is serving into, so
 * when a client process dies (a host-driver crash, SIGKILL) the guest is told instead of left
 * waiting (issue 12): the command in flight gets its "failed" reply, and the socket is closed
 * once the guest's next request is queued in it unread, which makes the guest's next read fail
 * with ECONNRESET. Both Mesa guests abort on that with "lost connection to rendering server";
 * on a plain EOF they would spin forever.
 */
#ifndef PV_VTEST_CHILDREN_H
#define PV_VTEST_CHILDREN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "vtest/vtest_client.h"

/* A page shared with one child, made before the fork; NULL when none could be made. */
struct vtest_child_page *vtest_child_page_new(void);
void vtest_child_page_free(struct vtest_child_page *page);

/* Records a forked client process and what the parent keeps for it (sock and page are the
 * record's from now on). */
void vtest_children_add(pid_t pid, int sock, struct vtest_child_page *page);
/* In a freshly forked child: closes what the parent keeps for every other client. */
void vtest_children_forget_all_in_child(void);
/* Reaps exited client processes; tells the guest of every one that died. */
void vtest_children_reap(void);
/* Client processes still running. */
size_t vtest_children_count(void);

/* Sockets of dead clients the parent still watches: fills up to `max` pollfds. */
unsigned vtest_children_orphan_fds(struct pollfd *fds, unsigned max);
/* After poll(): closes the orphans whose guest sent its next request or hung up, and those
 * past their deadline. */
void vtest_children_orphans_polled(const struct pollfd *fds, unsigned count);

/* Shutdown: asks every client process to finish, waits for them, closes everything kept. */
void vtest_children_stop_all(void);

#endif
