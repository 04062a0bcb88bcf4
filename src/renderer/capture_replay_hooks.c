/* SPDX-License-Identifier: MIT */
/*
 * The replay side of the capture hooks (capture.h): the records a stream produces on its way
 * (nested streams, replies, memory snapshots) taken in order from the stream's path, and the
 * ring events the engine waits for. The engine is capture_replay.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "renderer/capture_replay.h"
#include "renderer/context.h"
#include "renderer/renderer.h"
#include "renderer/ring.h"
#include "util/log.h"

/* A transport message, the capture's own loss and stop, the context and the cap marker. */
bool
pv_replay_informational(uint32_t type)
{
   return type == PV_CAPTURE_LOST || type == PV_CAPTURE_STOP || type == PV_CAPTURE_TRANSPORT ||
          type == PV_CAPTURE_CONTEXT || type == PV_CAPTURE_CAPPED;
}

/* A transport message goes to the transport's replay (pv_replay_config.transport), on the
 * context path's own thread, in its place among that path's records. */
static void
hand_transport(struct pv_replay *rp, const struct pv_capture_record *r)
{
   if (!rp->cfg || !rp->cfg->transport || rp->failed)
      return;
   struct pv_capture_payload p;
   pv_capture_decode(r, &p);
   rp->cfg->transport(rp->cfg->transport_data, rp->f.wire_format, p.flags, p.bytes,
                      (size_t)p.bytes_len);
}

void
pv_replay_skip_informational(struct rp_path *p)
{
   while (p->pos < p->n && pv_replay_informational(p->rp->f.records[p->idx[p->pos]].type)) {
      const struct pv_capture_record *r = &p->rp->f.records[p->idx[p->pos]];
      p->pos++;
      if (r->type == PV_CAPTURE_TRANSPORT)
         hand_transport(p->rp, r);
   }
}

const char *
pv_replay_path_name(uint64_t id, char *buf, size_t size)
{
   if (id == 0)
      snprintf(buf, size, "the context path");
   else
      snprintf(buf, size, "ring 0x%" PRIx64, id);
   return buf;
}

const struct pv_capture_record *
pv_replay_next_inline(struct pv_replay *rp, uint64_t path_id, uint32_t type)
{
   struct rp_path *p = pv_replay_find_path(rp, path_id);
   char name[64];
   pv_replay_path_name(path_id, name, sizeof(name));
   if (!p) {
      pv_replay_diverge(rp, true, "the replay ran a %s on %s, which the capture does not have",
              pv_capture_type_name(type), name);
      return NULL;
   }
   pv_replay_skip_informational(p);
   const struct pv_capture_record *r = p->pos < p->n ? &rp->f.records[p->idx[p->pos]] : NULL;
   if (!r && !rp->f.ended) {
      /* The capture stops here (its size cap, or its server died): so does the replay. */
      pthread_mutex_lock(&rp->lock);
      bool first = !rp->cut && !rp->failed;
      rp->cut = rp->failed = true;
      pthread_cond_broadcast(&rp->cond);
      pthread_mutex_unlock(&rp->lock);
      if (first)
         pv_context_stop(rp->ctx);
      return NULL;
   }
   if (!r || r->type != type) {
      pv_replay_diverge(rp, true, "on %s the replay produced a %s where the capture has %s%s (offset %" PRIu64 ")",
              name, pv_capture_type_name(type), r ? "a " : "nothing more",
              r ? pv_capture_type_name(r->type) : "", r ? r->offset : 0);
      return NULL;
   }
   p->pos++;
   __atomic_fetch_add(&rp->progress, 1, __ATOMIC_RELAXED);
   return r;
}

bool
pv_replay_nested(struct pv_replay *rp, struct pv_exec *x, uint32_t res_id, uint64_t offset,
                 void *data, size_t size)
{
   const struct pv_capture_record *r = pv_replay_next_inline(rp, pv_capture_path(x), PV_CAPTURE_NESTED);
   if (!r)
      return false;
   struct pv_capture_payload p;
   pv_capture_decode(r, &p);
   if (p.res_id != res_id || p.offset != offset || p.bytes_len != size) {
      pv_replay_diverge(rp, true,
              "nested stream at offset %" PRIu64 ": the replay runs resource %u [%" PRIu64
              ", +%zu), the capture resource %u [%" PRIu64 ", +%" PRIu64 ")",
              r->offset, res_id, offset, size, p.res_id, p.offset, p.bytes_len);
      return false;
   }
   /* The guest wrote these bytes into the shared resource; here the capture does. */
   memcpy(data, p.bytes, size);
   __atomic_fetch_add(&rp->res->streams, 1, __ATOMIC_RELAXED);
   return true;
}

void
pv_replay_reply(struct pv_replay *rp, struct pv_exec *x, const uint8_t *begin, const uint8_t *end)
{
   const struct pv_capture_record *r = pv_replay_next_inline(rp, pv_capture_path(x), PV_CAPTURE_REPLY);
   if (!r)
      return;
   struct pv_capture_payload p;
   pv_capture_decode(r, &p);
   size_t n = (size_t)(end - begin);
   __atomic_fetch_add(&rp->res->replies, 1, __ATOMIC_RELAXED);
   if (p.bytes_len == n && !memcmp(p.bytes, begin, n))
      return;
   __atomic_fetch_add(&rp->res->reply_mismatches, 1, __ATOMIC_RELAXED);
   int32_t cmd = -1;
   if (n >= 4)
      memcpy(&cmd, begin, 4);
   const struct pv_protocol_table *t = rp->ctx->table;
   const char *name = cmd >= 0 && (uint32_t)cmd < t->count ? t->entries[cmd].name : NULL;
   pv_replay_diverge(rp, false,
           "the reply of %s (record at offset %" PRIu64 ") differs: %zu bytes now, %" PRIu64
           " in the capture",
           name ? name : "a command", r->offset, n, p.bytes_len);
}

/*
 * One page-sized piece of a run: the capture's bytes `data`, the replay's `dst`, and `shadow`,
 * what both held at the last snapshot. A byte both the capture and the replay changed since
 * then must agree: that is GPU output (a divergence when it differs). A byte only the capture
 * changed was written by the guest (restore: the point of the record; check: after its last
 * submission, e.g. resetting a fence's feedback, which no capture can restore: unverified); one
 * only the replay changed (the guest overwrote the GPU's value with the old one) is unverified.
 */
static void
apply_piece(struct pv_replay *rp, uint32_t kind, uint8_t *dst, uint8_t *shadow, const uint8_t *data,
            size_t n, uint64_t *differ, uint64_t *first, uint64_t base, uint64_t *gpu)
{
   bool replay_wrote = memcmp(dst, shadow, n) != 0;
   if (gpu && replay_wrote)
      for (size_t i = 0; i < n; i++)
         *gpu += dst[i] != shadow[i] && data[i] != shadow[i];
   if (kind != PV_CAPTURE_MEMORY_RESTORE || replay_wrote)
      rp->res->readback_bytes += n;
   if (memcmp(dst, data, n)) {
      for (size_t i = 0; i < n; i++) {
         if (dst[i] == data[i])
            continue;
         if (dst[i] != shadow[i] && data[i] != shadow[i]) {
            *first = *first == UINT64_MAX ? base + i : *first;
            (*differ)++;
         } else if (kind != PV_CAPTURE_MEMORY_RESTORE || dst[i] != shadow[i]) {
            rp->res->readback_unverified_bytes++;
         }
      }
   }
   memcpy(dst, data, n); /* in step with the capture again */
   memcpy(shadow, data, n);
   if (kind == PV_CAPTURE_MEMORY_RESTORE)
      rp->res->restored_bytes += n;
}

/* Writes (restore) or compares and writes (check, final) one run; the caller holds cap.lock. */
static void
apply_run(struct pv_replay *rp, uint32_t kind, const struct pv_capture_run *run,
          uint64_t record_offset)
{
   struct pv_capture_mapping *m = pv_capture_mappings_find(&rp->cap.mappings, run->memory_id);
   if (!m || m->size != run->size) {
      pthread_mutex_unlock(&rp->cap.lock);
      pv_replay_diverge(rp, true,
              "memory record at offset %" PRIu64 ": allocation 0x%" PRIx64 " (%" PRIu64
              " bytes) is not mapped now",
              record_offset, run->memory_id, run->size);
      pthread_mutex_lock(&rp->cap.lock);
      return;
   }
   uint64_t differ = 0, first = UINT64_MAX, gpu = 0;
   /* --log-level debug names the runs that hold GPU output (what test-capture-replay damages
    * to prove a changed read-back is caught): counting them costs a pass over each byte. */
   bool count_gpu = pv_log_get_level() >= PV_LOG_DEBUG;
   for (uint64_t o = 0; o < run->len; o += PV_CAPTURE_PAGE) {
      size_t n = (size_t)(run->len - o < PV_CAPTURE_PAGE ? run->len - o : PV_CAPTURE_PAGE);
      apply_piece(rp, kind, m->map + run->offset + o, m->shadow + run->offset + o, run->data + o, n,
                  &differ, &first, run->offset + o, count_gpu ? &gpu : NULL);
   }
   if (gpu)
      pv_dbg("replay: GPU output compared: %" PRIu64 " bytes in run [%" PRIu64 ", +%" PRIu64
             ") of allocation 0x%" PRIx64 " (memory record at offset %" PRIu64 ")",
             gpu, run->offset, run->len, run->memory_id, record_offset);
   if (!differ)
      return;
   rp->res->readback_mismatch_bytes += differ;
   pthread_mutex_unlock(&rp->cap.lock);
   pv_replay_diverge(rp, false,
           "read-back of allocation 0x%" PRIx64 " differs: %" PRIu64 " of %" PRIu64
           " bytes the GPU wrote, first at offset %" PRIu64 " (%s, record at offset %" PRIu64
           ")",
           run->memory_id, differ, run->len, first,
           kind == PV_CAPTURE_MEMORY_FINAL   ? "at the end"
           : kind == PV_CAPTURE_MEMORY_CHECK ? "a read-back point"
                                             : "before a queue submission",
           record_offset);
   pthread_mutex_lock(&rp->cap.lock);
}

/*
 * Pages the replay changed where the capture saw no change (they are in no run). Not a
 * divergence: a guest that reset memory the GPU writes (Mesa's fence feedback slots) after its
 * last submission leaves the GPU's next write looking new to the replay only. Counted as
 * unverified; the capture's contents are put back. The caller holds cap.lock.
 */
static void
find_extra_writes(struct pv_replay *rp)
{
   for (uint32_t i = 0; i < rp->cap.mappings.count; i++) {
      struct pv_capture_mapping *m = &rp->cap.mappings.items[i];
      uint64_t changed = 0, first = UINT64_MAX;
      for (uint64_t off = 0; off < m->size; off += PV_CAPTURE_PAGE) {
         size_t n = (size_t)(m->size - off < PV_CAPTURE_PAGE ? m->size - off : PV_CAPTURE_PAGE);
         if (!memcmp(m->map + off, m->shadow + off, n))
            continue;
         for (size_t b = 0; b < n; b++)
            changed += m->map[off + b] != m->shadow[off + b];
         first = first == UINT64_MAX ? off : first;
         memcpy(m->map + off, m->shadow + off, n);
      }
      rp->res->readback_unverified_bytes += changed;
      if (changed)
         pv_dbg("replay: %llu bytes of allocation 0x%llx changed only now (first page at %llu)",
                (unsigned long long)changed, (unsigned long long)m->id,
                (unsigned long long)first);
   }
}

void
pv_replay_memory_at(struct pv_replay *rp, uint64_t path, uint32_t kind)
{
   const struct pv_capture_record *r = pv_replay_next_inline(rp, path, PV_CAPTURE_MEMORY);
   if (!r)
      return;
   struct pv_capture_payload p;
   pv_capture_decode(r, &p);
   if (p.kind != kind) {
      pv_replay_diverge(rp, true, "memory record at offset %" PRIu64 " is of another kind (%u, now %u)",
              r->offset, p.kind, kind);
      return;
   }
   /* The guest wrote or read this memory after it saw the GPU finish (a fence, feedback it
    * polled): without the guest, wait for the device instead. */
   const struct pv_family *family = rp->ctx->renderer->family;
   if (family->wait_idle)
      family->wait_idle(rp->ctx);
   struct pv_capture_run_iter it;
   struct pv_capture_run run;
   pthread_mutex_lock(&rp->cap.lock);
   pv_capture_runs_begin(&it, &p);
   while (pv_capture_runs_next(&it, &run))
      apply_run(rp, kind, &run, r->offset);
   find_extra_writes(rp);
   pthread_mutex_unlock(&rp->cap.lock);
}

void
pv_replay_memory(struct pv_replay *rp, struct pv_exec *x, uint32_t kind)
{
   pv_replay_memory_at(rp, pv_capture_path(x), kind);
}

void
pv_replay_lost(struct pv_replay *rp, const char *reason)
{
   pthread_mutex_lock(&rp->lock);
   bool first = !rp->lost_now;
   if (first) {
      rp->lost_now = true;
      snprintf(rp->lost_reason, sizeof(rp->lost_reason), "%s", reason);
   }
   pthread_mutex_unlock(&rp->lock);
   if (first && !rp->capture_lost && !rp->failed)
      pv_replay_diverge(rp, true, "a command fails now: the context was lost: %s", reason);
}

void
pv_replay_step(struct pv_replay *rp, uint64_t path)
{
   struct rp_path *p = pv_replay_find_path(rp, path);
   if (!p)
      return; /* a path the capture does not have: the replay diverges where it runs */
   pthread_mutex_lock(&rp->lock);
   p->steps++;
   pthread_cond_broadcast(&rp->cond);
   pthread_mutex_unlock(&rp->lock);
}

void
pv_replay_ring_created(struct pv_context *ctx)
{
   struct pv_replay *rp = ctx->capture->replay;
   pthread_mutex_lock(&rp->lock);
   pthread_cond_broadcast(&rp->cond);
   pthread_mutex_unlock(&rp->lock);
}

/*
 * A ring's thread starts inside the vkCreateRingMESA of a context-path record, so its first
 * batch was recorded before that record completed: its clock cannot say "after the ring
 * exists". Wait for the ring here (or for the context path to end without making it).
 */
void
pv_replay_wait_ring(struct pv_replay *rp, uint64_t ring_id)
{
   struct rp_path *main_path = pv_replay_find_path(rp, 0);
   pthread_mutex_lock(&rp->lock);
   while (!rp->failed && main_path && !main_path->finished && !pv_ring_exists(rp->ctx, ring_id))
      pthread_cond_wait(&rp->cond, &rp->lock);
   pthread_mutex_unlock(&rp->lock);
}

void
pv_replay_ring_done(struct pv_context *ctx, uint64_t ring_id)
{
   struct pv_replay *rp = ctx->capture->replay;
   struct rp_path *p = pv_replay_find_path(rp, ring_id);
   if (!p)
      return;
   pthread_mutex_lock(&rp->lock);
   while (p->done < p->tops && !p->finished && !rp->failed && !rp->draining)
      pthread_cond_wait(&rp->cond, &rp->lock);
   /* A failed or draining replay stops waiting for the path's records, but never for a batch
    * it is running on the ring about to be freed (fuzz_capture: a use after free); and no
    * batch starts after this. */
   p->closed = true;
   while (p->in_batch)
      pthread_cond_wait(&rp->cond, &rp->lock);
   pthread_mutex_unlock(&rp->lock);
}

bool
pv_replay_batch_begin(struct pv_replay *rp, struct rp_path *path)
{
   pthread_mutex_lock(&rp->lock);
   bool ok = !path->closed;
   path->in_batch = ok;
   pthread_mutex_unlock(&rp->lock);
   return ok;
}

void
pv_replay_batch_end(struct pv_replay *rp, struct rp_path *path)
{
   pthread_mutex_lock(&rp->lock);
   path->in_batch = false;
   pthread_cond_broadcast(&rp->cond);
   pthread_mutex_unlock(&rp->lock);
}
