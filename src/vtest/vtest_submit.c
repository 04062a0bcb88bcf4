/* SPDX-License-Identifier: MIT */
/*
 * SUBMIT_CMD2: N batches of Venus commands for the context path, each with syncs to set once its
 * commands have run. The whole layout is validated before anything runs, with 64-bit math so no
 * offset or count can wrap. Syncs are set even when the context is lost: the guest waits on them,
 * and a lost context must answer, not hang.
 *
 * Timelines: a batch with RING_IDX and ring_idx > 0 sets its syncs only when the queue bound to
 * that ring index has retired everything submitted before (vtest-and-vkr.md 1.7, 2.6). The batch
 * becomes a pending entry on its timeline plus a renderer fence; when the renderer reports a
 * fence, that entry and every older one of the timeline are applied, in order.
 */
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "vtest/vtest_client_internal.h"
#include "vtest/vtest_protocol.h"

static bool
range_ok(uint64_t offset, uint64_t count, uint64_t unit, uint32_t dwords)
{
   return offset + count * unit <= dwords;
}

/* Checks one batch header against the payload; returns NULL when fine, else what is wrong. */
static const char *
check_batch(const struct vtest_submit_batch *b, uint32_t header_end, uint32_t dwords)
{
   if (!range_ok(b->cmd_offset, b->cmd_size, 1, dwords) || b->cmd_offset < header_end)
      return "commands outside the payload";
   if (!range_ok(b->sync_offset, b->sync_count, 3, dwords) ||
       (b->sync_count && b->sync_offset < header_end))
      return "syncs outside the payload";
   if (b->ring_idx >= VTEST_MAX_TIMELINES)
      return "ring_idx out of range";
   return NULL;
}

struct vtest_pending_fence {
   struct vtest_pending_fence *next;
   uint64_t fence_id;
   uint32_t count;
   struct vtest_wait_entry syncs[];
};

/* Sets the syncs of one batch; caller holds sync_lock and settles the waits after. Unknown ids
 * are reported by the caller for immediate batches; for retired fences the guest may have
 * dropped a sync in between, which is its right (SYNC_UNREF only drops the id). */
static uint32_t
write_syncs(struct vtest_client *c, const struct vtest_wait_entry *syncs, uint32_t count)
{
   uint32_t unknown = 0;
   for (uint32_t i = 0; i < count; i++)
      if (!vtest_sync_write(&c->syncs, syncs[i].sync_id, syncs[i].value))
         unknown++;
   return unknown;
}

void
vtest_fence_retired(void *client, uint32_t ring_idx, uint64_t fence_id)
{
   struct vtest_client *c = client;
   if (ring_idx >= VTEST_MAX_TIMELINES)
      return;
   pthread_mutex_lock(&c->sync_lock);
   while (c->pending[ring_idx] && c->pending[ring_idx]->fence_id <= fence_id) {
      struct vtest_pending_fence *f = c->pending[ring_idx];
      c->pending[ring_idx] = f->next;
      write_syncs(c, f->syncs, f->count);
      free(f);
   }
   vtest_sync_settle(&c->syncs); /* once for every fence retired here */
   pthread_mutex_unlock(&c->sync_lock);
}

void
vtest_timelines_fini(struct vtest_client *c)
{
   for (uint32_t i = 0; i < VTEST_MAX_TIMELINES; i++) {
      while (c->pending[i]) {
         struct vtest_pending_fence *f = c->pending[i];
         c->pending[i] = f->next;
         free(f);
      }
   }
}

static void
read_syncs(const uint32_t *p, const struct vtest_submit_batch *b, struct vtest_wait_entry *out)
{
   for (uint32_t i = 0; i < b->sync_count; i++) {
      const uint32_t *s = &p[b->sync_offset + 3 * i];
      out[i].sync_id = s[0];
      out[i].value = vtest_u64(&s[1]);
   }
}

/* Queues the batch's syncs behind a fence on its timeline. False: out of memory. */
static bool
queue_on_timeline(struct vtest_client *c, const uint32_t *p, const struct vtest_submit_batch *b)
{
   struct vtest_pending_fence *f = malloc(sizeof(*f) + (size_t)b->sync_count * sizeof(f->syncs[0]));
   if (!f)
      return false;
   read_syncs(p, b, f->syncs);
   f->count = b->sync_count;
   f->next = NULL;
   pthread_mutex_lock(&c->sync_lock);
   f->fence_id = ++c->next_fence_id;
   struct vtest_pending_fence **link = &c->pending[b->ring_idx];
   while (*link)
      link = &(*link)->next;
   *link = f;
   pthread_mutex_unlock(&c->sync_lock);
   /* Outside the lock: the callback may run right here (unbound index, lost context). */
   if (pv_context_submit_fence(c->ctx, b->ring_idx, f->fence_id))
      vtest_client_set_lost(c, "SUBMIT_CMD2 on timeline %u: the renderer cannot fence it",
                            b->ring_idx);
   return true;
}

static void
run_batch(struct vtest_client *c, const uint32_t *p, const struct vtest_submit_batch *b)
{
   /* Lost or not, the stream runs: a lost context still answers replies and round trips. */
   if (b->cmd_size && pv_context_submit(c->ctx, &p[b->cmd_offset], (size_t)b->cmd_size * 4))
      vtest_client_set_lost(c, "the renderer rejected a command stream");
   if (!b->sync_count)
      return;
   bool timeline = (b->flags & VCMD_SUBMIT_CMD2_FLAG_RING_IDX) && b->ring_idx != 0;
   if (timeline && queue_on_timeline(c, p, b))
      return;
   if (timeline)
      vtest_client_set_lost(c, "out of memory for a fence on timeline %u", b->ring_idx);
   /* The CPU timeline (or a fence we could not queue): the syncs are set now. */
   struct vtest_wait_entry *syncs = malloc((size_t)b->sync_count * sizeof(*syncs));
   if (!syncs) {
      vtest_client_set_lost(c, "out of memory for %u syncs", b->sync_count);
      return;
   }
   read_syncs(p, b, syncs);
   pthread_mutex_lock(&c->sync_lock);
   uint32_t unknown = write_syncs(c, syncs, b->sync_count);
   vtest_sync_settle(&c->syncs);
   pthread_mutex_unlock(&c->sync_lock);
   free(syncs);
   if (unknown)
      vtest_client_set_lost(c, "SUBMIT_CMD2 signals %u unknown syncs", unknown);
}

int
vtest_handle_submit_cmd2(struct vtest_client *c, const uint32_t *p, uint32_t dwords)
{
   uint32_t count = p[0];
   uint32_t stride = c->config->wire_format == 1 ? VCMD_SUBMIT_CMD2_BATCH_DWORDS_WIRE1
                                                 : VCMD_SUBMIT_CMD2_BATCH_DWORDS;
   if (!c->ctx) {
      vtest_client_set_lost(c, "SUBMIT_CMD2 before CONTEXT_INIT");
      return VTEST_OK;
   }
   if (!range_ok(1, count, stride, dwords)) {
      vtest_client_set_lost(c, "SUBMIT_CMD2 with %u batches in %u dwords", count, dwords);
      return VTEST_OK;
   }
   uint32_t header_end = 1 + count * stride;
   for (uint32_t i = 0; i < count; i++) {
      struct vtest_submit_batch b = {0};
      memcpy(&b, &p[1 + i * stride], (size_t)stride * 4);
      const char *bad = check_batch(&b, header_end, dwords);
      if (bad) {
         vtest_client_set_lost(c, "SUBMIT_CMD2 batch %u: %s", i, bad);
         return VTEST_OK;
      }
   }
   for (uint32_t i = 0; i < count; i++) {
      /* A guest that hung up is told nothing more: the rest would only keep this thread (with
       * --threads, one of the server's) busy. */
      if (c->watch && vtest_watch_gone(c->watch))
         break;
      struct vtest_submit_batch b = {0};
      memcpy(&b, &p[1 + i * stride], (size_t)stride * 4);
      run_batch(c, p, &b);
   }
   return VTEST_OK;
}
