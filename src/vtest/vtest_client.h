/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_CLIENT_H
#define PV_VTEST_CLIENT_H

#include <stdatomic.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"
#include "vtest/vtest_stats.h"

/*
 * Serves one connected vtest client until it disconnects, then closes `sock`. Creates its own
 * renderer (so in process-per-client mode the host Vulkan instance lives in the child).
 * Returns 0 when the client left normally, -1 on a server-side failure.
 */
int vtest_client_serve(int sock, const struct pv_renderer_config *config);

/*
 * What a client process shares with the server's parent (vtest_children.c): the vtest command
 * it is serving, plus one, until it starts that command's reply (0: none in flight). If the
 * process dies in between, the parent sends the command's "failed" reply for it.
 */
struct vtest_child_page {
   _Atomic uint32_t cmd_plus_one;
   /* The client's live statistics, written by the child only (vtest_client_stats.h). */
   struct vtest_stats_slot stats;
};
/* In a client process: where to publish the command in flight (process-wide; NULL: nowhere). */
void vtest_client_share_state(struct vtest_child_page *page);
/* Sends the "failed" reply of vtest command `cmd` on `sock` (for a client whose process died). */
int vtest_client_reply_failure_on(int sock, uint32_t cmd);

#endif
