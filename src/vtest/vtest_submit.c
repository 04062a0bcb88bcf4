/* SPDX-License-Identifier: MIT */
/*
 * SUBMIT_CMD2: N batches of Venus commands for the context path, each with syncs to set once its
 * commands have run. The whole layout is validated before anything runs, with 64-bit math so no
 * offset or count can wrap. Syncs are set even when the context is lost: the guest waits on them,
 * and a lost context must answer, not hang.
 */
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

static void
run_batch(struct vtest_client *c, const uint32_t *p, const struct vtest_submit_batch *b)
{
   /*
    * A batch on a GPU timeline (ring_idx > 0) must signal its syncs when that queue's work
    * retires; queue timelines are a wire-format-1 feature this server does not implement yet, so
    * such a batch is refused instead of being signaled too early.
    */
   if ((b->flags & VCMD_SUBMIT_CMD2_FLAG_RING_IDX) && b->ring_idx != 0 && b->sync_count)
      vtest_client_set_lost(c, "SUBMIT_CMD2 on timeline %u (queue timelines are not supported)",
                            b->ring_idx);
   /* Lost or not, the stream runs: a lost context still answers replies and round trips. */
   if (b->cmd_size && pv_context_submit(c->ctx, &p[b->cmd_offset], (size_t)b->cmd_size * 4))
      vtest_client_set_lost(c, "the renderer rejected a command stream");
   for (uint32_t i = 0; i < b->sync_count; i++) {
      const uint32_t *s = &p[b->sync_offset + 3 * i];
      if (!vtest_sync_write(&c->syncs, s[0], vtest_u64(&s[1])))
         vtest_client_set_lost(c, "SUBMIT_CMD2 signals unknown sync %u", s[0]);
   }
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
      struct vtest_submit_batch b = {0};
      memcpy(&b, &p[1 + i * stride], (size_t)stride * 4);
      run_batch(c, p, &b);
   }
   return VTEST_OK;
}
