/* SPDX-License-Identifier: MIT */
/*
 * vtest sync objects: 64-bit counters the guest creates, reads, writes and waits on. A wait hands
 * the guest a pollable fd that becomes readable once the wait is satisfied. Waits keep their syncs
 * alive (reference counted), so SYNC_UNREF only drops the guest's id.
 */
#ifndef PV_VTEST_SYNC_H
#define PV_VTEST_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "util/id_table.h"

struct vtest_sync;
struct vtest_wait;

struct vtest_sync_table {
   struct pv_id_table syncs; /* id -> struct vtest_sync */
   uint32_t next_id;
   struct vtest_wait *waits; /* pending waits, singly linked */
   uint32_t wait_count;
   uint32_t max_waits;   /* each pending wait keeps an fd; at most VTEST_MAX_PENDING_WAITS */
   uint32_t entry_count; /* of all pending waits: what one settle may have to look at */
   bool raised;          /* a sync went up since the waits were last looked at */
};

/* Upper bounds per client, so a guest cannot make the server allocate without limit. */
#define VTEST_MAX_SYNCS 65536u
#define VTEST_MAX_PENDING_WAITS 4096u
#define VTEST_MAX_WAIT_ENTRIES 1024u
/* All pending waits together: each settle looks at every entry, so this bounds what a guest
 * can make one sync write cost (a few microseconds). Guests wait on a few syncs at a time. */
#define VTEST_MAX_PENDING_ENTRIES 4096u

void vtest_sync_table_init(struct vtest_sync_table *t);
void vtest_sync_table_fini(struct vtest_sync_table *t);

/* Returns the new id, or 0 when the table is full. */
uint32_t vtest_sync_create(struct vtest_sync_table *t, uint64_t value);
/* Returns false for an unknown id. */
bool vtest_sync_unref(struct vtest_sync_table *t, uint32_t id);
bool vtest_sync_read(struct vtest_sync_table *t, uint32_t id, uint64_t *value);
/* Stores `value`; the waits a higher value satisfies complete at the next vtest_sync_settle, so
 * a submission that sets many syncs looks at the pending waits once, not once per sync. */
bool vtest_sync_write(struct vtest_sync_table *t, uint32_t id, uint64_t value);
/* Completes the waits the writes since the last call satisfied. */
void vtest_sync_settle(struct vtest_sync_table *t);

struct vtest_wait_entry {
   uint32_t sync_id;
   uint64_t value;
};

/*
 * Starts a wait and returns the fd to give the guest (the caller sends and closes it), or -1 if an
 * id is unknown or a limit is hit (`*bad_id` tells which). `timeout_ms` 0 never keeps the wait;
 * VCMD_SYNC_WAIT_INFINITE keeps it until satisfied.
 */
int vtest_sync_wait(struct vtest_sync_table *t, bool any, uint32_t timeout_ms,
                    const struct vtest_wait_entry *entries, uint32_t count, bool *bad_id);

#endif
