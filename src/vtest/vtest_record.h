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

/* Every vtest message a client sends is recorded raw (a TRANSPORT record, after its handler
 * ran), the renderer's records holding only what reached the renderer. The handshake comes
 * before the context (and its capture) exists: those messages are kept here, up to
 * VTEST_RECORD_EARLY_MAX bytes, and written first once the context records. */
#define VTEST_RECORD_EARLY_MAX 65536u
struct vtest_record_early {
   uint8_t *buf; /* per message: u32 size, the bytes, zero padding to 4 */
   size_t len;
   bool dropped;
};
/* Records one message (`header` 2 dwords, `payload` bytes) of a client whose context is `ctx`
 * (NULL: not created yet, kept in `early` when recording is configured). */
void vtest_record_message(struct vtest_record_early *early, struct pv_context *ctx,
                          const uint32_t *header, const void *payload, size_t payload_size);
/* Writes the kept handshake into ctx's capture (right after vtest_record_context). */
void vtest_record_flush_early(struct vtest_record_early *early, struct pv_context *ctx);
void vtest_record_early_fini(struct vtest_record_early *early);

#endif
