/* SPDX-License-Identifier: MIT */
/* Whether virgl_renderer_init has run (and no cleanup since): virgl_lifecycle.c. */
#ifndef PV_VIRGL_STATE_H
#define PV_VIRGL_STATE_H

#include <stdbool.h>

bool vg_state_initialized(void);

#endif
