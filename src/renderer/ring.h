/* SPDX-License-Identifier: MIT */
/*
 * Rings (venus-wire.md §4): a shared-memory command queue the guest fills and one renderer
 * thread per ring drains. The thread copies [head, tail) out of the ring (so the guest cannot
 * change bytes while they are decoded), executes them, publishes head, and after idleTimeout
 * without work sets IDLE and sleeps until vkNotifyRingMESA. Wire 1 adds a monitor thread per
 * context that keeps ALIVE set, the FATAL bit, and seqno round trips between the context path
 * and the rings (venus-wire.md §8).
 */
#ifndef PV_RENDERER_RING_H
#define PV_RENDERER_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/pv_protocol.h"

struct pv_context;
struct pv_ring;

/* Handlers (transport.c registers them). */
void pv_ring_handle_create(struct pv_dispatch_ctx *c, void *args);
void pv_ring_handle_destroy(struct pv_dispatch_ctx *c, void *args);
void pv_ring_handle_notify(struct pv_dispatch_ctx *c, void *args);
void pv_ring_handle_write_extra(struct pv_dispatch_ctx *c, void *args);
/* Wire 1 (ring_seqno.c). */
void pv_ring_handle_submit_virtqueue_seqno(struct pv_dispatch_ctx *c, void *args);
void pv_ring_handle_wait_virtqueue_seqno(struct pv_dispatch_ctx *c, void *args);
void pv_ring_handle_wait_ring_seqno(struct pv_dispatch_ctx *c, void *args);

/* The context just became lost: FATAL on every ring (wire 1) and waiters woken. */
void pv_ring_context_lost(struct pv_context *ctx);
/* Wakes every ring thread and round-trip waiter of the context so it re-checks for stop. */
void pv_ring_wake_all(struct pv_context *ctx);
/* Every ring has run what its guest published, waiting at most `ms` milliseconds. */
bool pv_ring_wait_caught_up(struct pv_context *ctx, uint32_t ms);

/* Replay (capture.h): runs one recorded batch of ring `ring_id` on the calling thread. False when
 * there is no such ring now or the batch does not fit it. */
bool pv_ring_replay_batch(struct pv_context *ctx, uint64_t ring_id, const void *data,
                          uint32_t size);
bool pv_ring_exists(struct pv_context *ctx, uint64_t ring_id);
/* ... vkDestroyRingMESA waits in the replayer until that ring's batches ran, and
 * vkCreateRingMESA tells it a ring exists now. */
void pv_replay_ring_created(struct pv_context *ctx);
void pv_replay_ring_done(struct pv_context *ctx, uint64_t ring_id);

/* Waits until every path's recording thread (the rings', the context path's) made the calls
 * handed to it so far (recorder.h): before a command that frees what another path's pending
 * calls may name. */
void pv_ring_settle_recorders(struct pv_context *ctx);

/* Stops and frees every ring of the context (context teardown). */
void pv_ring_destroy_all(struct pv_context *ctx);

#endif
