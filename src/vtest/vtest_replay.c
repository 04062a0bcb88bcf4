/* SPDX-License-Identifier: MIT */
/* Replaying a capture's vtest messages (vtest_replay.h). */
#include "vtest/vtest_replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pearvisor/pearvisor.h"
#include "util/log.h"
#include "util/os.h"

/* A SUBMIT_CMD2 batch's syncs, set when its timeline retires fence_id. */
struct vtest_replay_timeline_entry {
   struct vtest_replay_timeline_entry *next;
   uint64_t fence_id;
   uint32_t count;
   struct vtest_wait_entry syncs[];
};

void
vtest_replay_init(struct vtest_replay *r)
{
   memset(r, 0, sizeof(*r));
   pthread_mutex_init(&r->lock, NULL);
   pthread_cond_init(&r->cond, NULL);
   vtest_sync_table_init(&r->syncs);
   r->wait_max_ms = VTEST_REPLAY_WAIT_MAX_MS;
}

void
vtest_replay_fini(struct vtest_replay *r)
{
   for (uint32_t i = 0; i < VTEST_MAX_TIMELINES; i++) {
      while (r->pending[i]) {
         struct vtest_replay_timeline_entry *e = r->pending[i];
         r->pending[i] = e->next;
         free(e);
      }
   }
   vtest_sync_table_fini(&r->syncs);
   pthread_cond_destroy(&r->cond);
   pthread_mutex_destroy(&r->lock);
}

static uint64_t
u64_at(const uint32_t *p)
{
   return (uint64_t)p[0] | ((uint64_t)p[1] << 32);
}

/* Under lock: sets syncs (unknown ids are skipped: the guest may have dropped one). */
static void
write_syncs(struct vtest_replay *r, const struct vtest_wait_entry *s, uint32_t count)
{
   for (uint32_t i = 0; i < count; i++)
      vtest_sync_write(&r->syncs, s[i].sync_id, s[i].value);
   vtest_sync_settle(&r->syncs);
   pthread_cond_broadcast(&r->cond);
}

/* Under lock: applies every entry of a timeline its latest retired fence covers. */
static void
apply_retired(struct vtest_replay *r, uint32_t ring_idx)
{
   while (r->pending[ring_idx] && r->pending[ring_idx]->fence_id <= r->retired[ring_idx]) {
      struct vtest_replay_timeline_entry *e = r->pending[ring_idx];
      r->pending[ring_idx] = e->next;
      write_syncs(r, e->syncs, e->count);
      free(e);
   }
}

void
vtest_replay_fence(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   struct vtest_replay *r = data;
   if (ring_idx >= VTEST_MAX_TIMELINES)
      return;
   pthread_mutex_lock(&r->lock);
   if (fence_id > r->retired[ring_idx])
      r->retired[ring_idx] = fence_id;
   apply_retired(r, ring_idx);
   pthread_mutex_unlock(&r->lock);
}

static bool
range_ok(uint64_t offset, uint64_t count, uint64_t unit, uint32_t dwords)
{
   return offset + count * unit <= dwords;
}

/* One batch's syncs, as the server sets them (vtest_submit.c run_batch). Under lock. */
static void
submit_batch(struct vtest_replay *r, const uint32_t *p, const struct vtest_submit_batch *b)
{
   if (!b->sync_count)
      return;
   struct vtest_replay_timeline_entry *e =
      malloc(sizeof(*e) + (size_t)b->sync_count * sizeof(e->syncs[0]));
   if (!e)
      return;
   for (uint32_t i = 0; i < b->sync_count; i++) {
      e->syncs[i].sync_id = p[b->sync_offset + 3 * i];
      e->syncs[i].value = u64_at(&p[b->sync_offset + 3 * i + 1]);
   }
   e->count = b->sync_count;
   e->next = NULL;
   bool timeline = (b->flags & VCMD_SUBMIT_CMD2_FLAG_RING_IDX) && b->ring_idx != 0;
   if (!timeline) {
      write_syncs(r, e->syncs, e->count);
      free(e);
      return;
   }
   /* The capture's FENCE record of this batch came before this message (it is recorded after
    * its handler), so the fence may have retired already. */
   e->fence_id = ++r->next_fence_id;
   struct vtest_replay_timeline_entry **link = &r->pending[b->ring_idx];
   while (*link)
      link = &(*link)->next;
   *link = e;
   apply_retired(r, b->ring_idx);
}

/* SUBMIT_CMD2: every batch header is checked against the payload before any is used. */
static bool
submit_cmd2(struct vtest_replay *r, uint32_t wire_format, const uint32_t *p, uint32_t dwords)
{
   uint32_t stride =
      wire_format == 1 ? VCMD_SUBMIT_CMD2_BATCH_DWORDS_WIRE1 : VCMD_SUBMIT_CMD2_BATCH_DWORDS;
   if (dwords < 1 || !range_ok(1, p[0], stride, dwords))
      return false;
   uint32_t count = p[0], header_end = 1 + count * stride;
   for (uint32_t i = 0; i < count; i++) {
      struct vtest_submit_batch b = {0};
      memcpy(&b, &p[1 + i * stride], (size_t)stride * 4);
      if (!range_ok(b.cmd_offset, b.cmd_size, 1, dwords) || b.cmd_offset < header_end ||
          !range_ok(b.sync_offset, b.sync_count, 3, dwords) ||
          (b.sync_count && b.sync_offset < header_end) || b.ring_idx >= VTEST_MAX_TIMELINES)
         return false;
   }
   for (uint32_t i = 0; i < count; i++) {
      struct vtest_submit_batch b = {0};
      memcpy(&b, &p[1 + i * stride], (size_t)stride * 4);
      submit_batch(r, p, &b);
   }
   return true;
}

/* Under lock: whether the wait's syncs have reached their values (all, or any). */
static bool
wait_met(struct vtest_replay *r, bool any, const uint32_t *e, uint32_t count)
{
   uint32_t met = 0;
   for (uint32_t i = 0; i < count; i++) {
      uint64_t value;
      if (vtest_sync_read(&r->syncs, e[3 * i], &value) && value >= u64_at(&e[3 * i + 1]))
         met++;
   }
   return any ? met > 0 || count == 0 : met == count;
}

/* SYNC_WAIT: the guest waited on the fd the server gave it before it went on; hold the context
 * path likewise, for the guest's timeout (at most wait_max_ms). */
static bool
sync_wait(struct vtest_replay *r, const uint32_t *p, uint32_t dwords)
{
   if (dwords < 2 || (dwords - 2) % 3 || (dwords - 2) / 3 > VTEST_MAX_WAIT_ENTRIES)
      return false;
   uint32_t ms = p[1] < r->wait_max_ms ? p[1] : r->wait_max_ms;
   struct timespec ts = pv_os_cond_deadline((uint64_t)ms * 1000000u);
   bool any = p[0] & VCMD_SYNC_WAIT_FLAG_ANY, met;
   r->waits++;
   while (!(met = wait_met(r, any, p + 2, (dwords - 2) / 3)))
      if (pthread_cond_timedwait(&r->cond, &r->lock, &ts) == ETIMEDOUT)
         break;
   if (!met && !wait_met(r, any, p + 2, (dwords - 2) / 3)) {
      r->waits_unmet++;
      pv_dbg("replay: a SYNC_WAIT (timeout %u ms) is not met now", p[1]);
   }
   return true;
}

/* One message under lock; false when it is malformed. */
static bool
replay_one(struct vtest_replay *r, uint32_t wire_format, uint32_t cmd, const uint32_t *p,
           uint32_t dwords)
{
   switch (cmd) {
   case VCMD_SYNC_CREATE:
      r->sync_messages++;
      return dwords == 2 && vtest_sync_create(&r->syncs, u64_at(p)) != 0;
   case VCMD_SYNC_UNREF:
      r->sync_messages++;
      if (dwords == 1)
         vtest_sync_unref(&r->syncs, p[0]);
      return dwords == 1;
   case VCMD_SYNC_WRITE:
      r->sync_messages++;
      if (dwords == 3) {
         vtest_sync_write(&r->syncs, p[0], u64_at(&p[1]));
         vtest_sync_settle(&r->syncs);
         pthread_cond_broadcast(&r->cond);
      }
      return dwords == 3;
   case VCMD_SYNC_WAIT:
      r->sync_messages++;
      return sync_wait(r, p, dwords);
   case VCMD_SUBMIT_CMD2:
      return submit_cmd2(r, wire_format, p, dwords);
   default:
      /* The handshake, queries (SYNC_READ's value depends on timing), blobs (replayed from
       * their own records): nothing to do again. */
      if (cmd == VCMD_SYNC_READ)
         r->sync_messages++;
      return true;
   }
}

void
vtest_replay_message(void *data, uint32_t wire_format, uint32_t protocol, const void *msg,
                     size_t size)
{
   struct vtest_replay *r = data;
   pthread_mutex_lock(&r->lock);
   r->messages++;
   uint32_t hdr[2];
   /* A header, then a whole number of dwords (CREATE_RENDERER's name is counted in bytes). */
   if (protocol != PV_CAPTURE_PROTOCOL_VTEST || size < sizeof(hdr)) {
      r->malformed++;
   } else {
      memcpy(hdr, msg, sizeof(hdr));
      size_t dwords = (size - sizeof(hdr)) / 4;
      uint32_t *p = dwords ? malloc(dwords * 4) : NULL;
      if (dwords && !p)
         r->malformed++;
      else if (hdr[1] != VCMD_CREATE_RENDERER && (size % 4 || dwords > UINT32_MAX))
         r->malformed++;
      else if (hdr[1] != VCMD_CREATE_RENDERER) {
         if (dwords)
            memcpy(p, (const uint8_t *)msg + sizeof(hdr), dwords * 4);
         r->malformed += !replay_one(r, wire_format, hdr[1], p, (uint32_t)dwords);
      }
      free(p);
   }
   pthread_mutex_unlock(&r->lock);
}
