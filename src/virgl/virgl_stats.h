/* SPDX-License-Identifier: MIT */
/*
 * What an operator sees of a VMM's guest contexts: `pearvisor-gpu stats --control PATH` reads
 * the control socket a VMM's libvirglrenderer.so.1 opens when PEARVISOR_VIRGL_CONTROL names one
 * (virgl_control.c), in the format the vtest server answers in (src/vtest/control.h).
 *
 * Each context's record sits in a seqlock slot (vtest_stats.h) with one writer: a publisher
 * thread beside the context that copies the renderer's counters (pv_context_get_stats) a few
 * times a second. With workers (the default) the slot is in the context's fence page, shared with
 * the VMM, so the worker's record outlives the worker and the front end files it among the
 * departed with why it left; in process the slot is the publisher's own. Nothing runs, and
 * nothing is published, while no control socket is configured.
 */
#ifndef PV_VIRGL_STATS_H
#define PV_VIRGL_STATS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"
#include "vtest/vtest_client_stats.h"

struct vg_stats {
   struct vtest_client_stats cs;
   struct pv_context *ctx;
   pthread_t thread;
   pthread_mutex_t lock;
   pthread_cond_t cond;
   bool running, stop;
};

/* Whether PEARVISOR_VIRGL_CONTROL is set in this process (the worker inherits the VMM's
 * environment). */
bool vg_stats_enabled(void);

/* The first record of a context's slot, written by the front end before anyone else writes it:
 * the context id as the record's id, the guest's name, "starting". */
void vg_stats_slot_init(struct vtest_stats_slot *slot, uint32_t ctx_id, const char *name,
                        uint32_t wire_format);

/* Starts publishing `ctx` into `shared` (a worker's fence page) or, when NULL, into a slot of
 * its own that this process's control socket lists. Does nothing unless vg_stats_enabled(). */
void vg_stats_start(struct vg_stats *s, struct vtest_stats_slot *shared, struct pv_context *ctx,
                    uint32_t ctx_id, const char *name, uint32_t wire_format);
/* Publishes a last time, as `state`, and stops (before the context is destroyed). */
void vg_stats_stop(struct vg_stats *s, const char *state);

/* The control socket (virgl_control.c): opened at the first virgl_renderer_init when
 * PEARVISOR_VIRGL_CONTROL is set, closed at virgl_renderer_cleanup. */
void vg_control_start(void);
void vg_control_stop(void);

#endif
