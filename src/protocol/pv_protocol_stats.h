/* SPDX-License-Identifier: MIT */
#ifndef PV_PROTOCOL_STATS_H
#define PV_PROTOCOL_STATS_H

#include <stdio.h>

#include "protocol/pv_protocol.h"

/* The renderer's hand-written handlers for a dialect (NULL when it does not serve it). */
typedef const pv_handler_fn *(*pv_overrides_for_fn)(const char *dialect, void *data);

/* Per dialect: commands in the table, decodable, with a handler (generated pass-through or the
 * renderer's own), never sent, round-trip verified, and whether the renderer serves it. */
/* verified_dir: where `make check`'s conformance run left <dialect>.verified (the commands
 * that round-tripped against the guest's own encoder), or NULL. */
void pv_protocol_print_stats(FILE *f, pv_overrides_for_fn overrides_for, void *data,
                             const char *verified_dir);

#endif
