/* SPDX-License-Identifier: MIT */
/* What the replay engine (capture_replay.c) and its hooks (capture_replay_hooks.c) share. */
#ifndef PV_RENDERER_CAPTURE_REPLAY_H
#define PV_RENDERER_CAPTURE_REPLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"
#include "renderer/capture_internal.h"
#include "renderer/capture_read.h"

struct rp_path {
   uint64_t id;
   size_t *idx; /* the path's records, in file order */
   size_t n, cap;
   size_t pos;    /* next record: only the path's own thread moves it */
   uint64_t tops; /* top-level records in the file */
   uint64_t done; /* ... and how many ran, under rp->lock */
   uint64_t steps; /* records ran plus commands completed (version 2 clocks), under rp->lock */
   pthread_t thread;
   bool started;
   bool finished; /* under rp->lock: nothing more will run here */
   /* Under rp->lock: a ring path is running one of its batches on the ring; closed once
    * vkDestroyRingMESA's replay waited for it (pv_replay_ring_done), after which none runs. */
   bool in_batch, closed;
   struct pv_replay *rp;
};

struct pv_replay {
   struct pv_capture_file f;
   struct pv_context *ctx;
   struct pv_capture cap;
   struct rp_path *paths;
   uint32_t path_count;
   pthread_mutex_t lock;
   pthread_cond_t cond;
   bool failed;    /* stop: a divergence that makes the rest meaningless */
   bool diverged;  /* any divergence (replies and read-backs go on) */
   bool draining;  /* an incomplete capture's context path is done: stop waiting */
   bool cut;       /* a cut capture (size cap, --partial) ran out of records: stop, no error */
   uint32_t running;  /* paths still running, under lock */
   uint64_t progress; /* records taken so far (atomic): the watchdog's measure */
   uint64_t stall_ns;
   bool capture_lost;
   char message[512];
   bool lost_now;
   char lost_reason[256];
   struct pv_replay_result *res;
   const struct pv_replay_config *cfg; /* transport and fence callbacks */
};

/* Notes a divergence (the first one's message is kept); `stop` ends the replay. */
void pv_replay_diverge(struct pv_replay *rp, bool stop, const char *fmt, ...)
   __attribute__((format(printf, 3, 4)));
/* The path with this id, or NULL. */
struct rp_path *pv_replay_find_path(struct pv_replay *rp, uint64_t id);
/* The next record of a path, which the renderer just produced as a `type` (capture hooks); NULL
 * when the capture has something else there (then the replay has diverged or, for a cut
 * capture, stopped). */
const struct pv_capture_record *pv_replay_next_inline(struct pv_replay *rp, uint64_t path_id,
                                                      uint32_t type);
/* Records that only inform (skipped by every path), and skipping them at a path's position. */
bool pv_replay_informational(uint32_t type);
void pv_replay_skip_informational(struct rp_path *p);
/* "the context path" or "ring 0x...", into buf. */
const char *pv_replay_path_name(uint64_t id, char *buf, size_t size);
/* Waits until ring `ring_id` exists (its first batch was recorded while the context-path record
 * creating it still ran), or the context path ends without making it. */
void pv_replay_wait_ring(struct pv_replay *rp, uint64_t ring_id);
/* Around a ring batch a path runs: false (run nothing) once the ring was closed. */
bool pv_replay_batch_begin(struct pv_replay *rp, struct rp_path *path);
void pv_replay_batch_end(struct pv_replay *rp, struct rp_path *path);
/* Restores or compares the memory record a path reached (also END's final memory). */
void pv_replay_memory_at(struct pv_replay *rp, uint64_t path, uint32_t kind);

#endif
