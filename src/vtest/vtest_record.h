/* SPDX-License-Identifier: MIT */
/*
 * `serve --record DIR`: one capture file per client context (docs/CAPTURE.md). The server opens
 * DIR once at start (creating it owner-only, for the user the clients run as), before any
 * sandbox applies; every client process inherits that directory fd and creates its own file in
 * it with openat, so neither the seccomp filter nor the user switch needs a path.
 */
#ifndef PV_VTEST_RECORD_H
#define PV_VTEST_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pearvisor/pearvisor.h"

/* The default of --record-max. */
#define VTEST_RECORD_DEFAULT_MAX (4ull << 30)

/* Opens (and creates, mode 0700) `dir`; with `chown_to` (a root server switching users) a
 * directory it created belongs to that user. False after logging why. dir NULL: no recording. */
bool vtest_record_configure(const char *dir, uint64_t max_bytes, bool chown_to, uid_t uid,
                            gid_t gid);
/* Starts recording `ctx` of guest `name` into a new file, if recording is configured; a file
 * that cannot be created is logged and the client is served without recording. */
void vtest_record_context(struct pv_context *ctx, const char *name);

#endif
