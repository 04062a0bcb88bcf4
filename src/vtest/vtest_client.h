/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_CLIENT_H
#define PV_VTEST_CLIENT_H

#include "pearvisor/pearvisor.h"

/*
 * Serves one connected vtest client until it disconnects, then closes `sock`. Creates its own
 * renderer (so in process-per-client mode the host Vulkan instance lives in the child).
 * Returns 0 when the client left normally, -1 on a server-side failure.
 */
int vtest_client_serve(int sock, const struct pv_renderer_config *config);

#endif
