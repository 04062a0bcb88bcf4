/* SPDX-License-Identifier: MIT */
/* What capture.c (recording), capture_map.c and capture_replay.c share (capture.h). */
#ifndef PV_RENDERER_CAPTURE_INTERNAL_H
#define PV_RENDERER_CAPTURE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "renderer/capture.h"
#include "renderer/capture_format.h"

struct pv_replay;

/* Top-level records one path has completed, for the clocks of the others' records. */
struct pv_capture_path_count {
   uint64_t path;
   uint64_t completed;
};

struct pv_capture {
   struct pv_replay *replay; /* NULL: recording */
   pthread_mutex_t lock;     /* everything below, and the file */
   struct pv_capture_mappings mappings;
   /* Recording. */
   int fd;
   uint64_t written, cap;
   bool stopped; /* the cap was reached or a write failed: nothing more is written */
   uint64_t t0;  /* CLOCK_MONOTONIC at the start */
   uint8_t *buf; /* the record being assembled */
   size_t len, buf_cap;
   bool oom;
   struct pv_capture_path_count *paths;
   uint32_t path_count, path_cap;
   /* Command ids of the context's table that take a memory snapshot. */
   int32_t submit_types[4];
   int32_t free_memory_type;
   int32_t wait_types[5];
   int32_t status_types[5];
};

/* Replay role of the hooks (capture_replay.c). */
bool pv_replay_nested(struct pv_replay *rp, struct pv_exec *x, uint32_t res_id, uint64_t offset,
                      void *data, size_t size);
void pv_replay_reply(struct pv_replay *rp, struct pv_exec *x, const uint8_t *begin,
                     const uint8_t *end);
void pv_replay_memory(struct pv_replay *rp, struct pv_exec *x, uint32_t kind);
void pv_replay_lost(struct pv_replay *rp, const char *reason);
/* A command of path `path` completed (a step of the clocks, capture.c completed()). */
void pv_replay_step(struct pv_replay *rp, uint64_t path);

/* Looks up the command ids that take memory snapshots (capture_map.c). */
void pv_capture_find_types(struct pv_capture *cap, const struct pv_context *ctx);

#endif
