/* SPDX-License-Identifier: MIT */
/*
 * Replaying a capture (pv_replay_file, docs/CAPTURE.md). The context path runs on the calling
 * thread, each ring on a thread of its own, as in the server: a ring may wait for the context
 * path (vkWaitVirtqueueSeqnoMESA) and the context path for a ring (vkWaitRingSeqnoMESA), so one
 * thread could deadlock where the guest did not. Each top-level record carries the number of
 * records every other path had completed when it started; its path waits for the same before
 * running it, which keeps every order the guest relied on (a blob created before a ring used it)
 * and adds none the guest did not have. The records a stream produces on its way (nested
 * streams, replies, memory snapshots) are taken in order by the renderer's capture hooks.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "renderer/capture_internal.h"
#include "renderer/capture_read.h"
#include "renderer/context.h"
#include "renderer/renderer.h"
#include "renderer/ring.h"
#include "util/log.h"

struct rp_path {
   uint64_t id;
   size_t *idx; /* the path's records, in file order */
   size_t n, cap;
   size_t pos;    /* next record: only the path's own thread moves it */
   uint64_t tops; /* top-level records in the file */
   uint64_t done; /* ... and how many ran, under rp->lock */
   pthread_t thread;
   bool started;
   bool finished; /* under rp->lock: nothing more will run here */
   struct pv_replay *rp;
};

struct pv_replay {
   struct pv_capture_file f;
   struct pv_context *ctx;
   struct pv_capture cap;
   struct rp_path *paths;
   uint32_t path_count;
   pthread_mutex_t lock;
   pthread_cond_t cond;
   bool failed;    /* stop: a divergence that makes the rest meaningless */
   bool diverged;  /* any divergence (replies and read-backs go on) */
   bool draining;  /* an incomplete capture's context path is done: stop waiting */
   bool cut;       /* a cut capture (size cap, --partial) ran out of records: stop, no error */
   uint32_t running;  /* paths still running, under lock */
   uint64_t progress; /* records taken so far (atomic): the watchdog's measure */
   uint64_t stall_ns;
   bool capture_lost;
   char message[512];
   bool lost_now;
   char lost_reason[256];
   struct pv_replay_result *res;
};

static uint64_t
mono_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Notes a divergence (the first one's message is kept); `stop` ends the replay. */
static void __attribute__((format(printf, 3, 4)))
diverge(struct pv_replay *rp, bool stop, const char *fmt, ...)
{
   pthread_mutex_lock(&rp->lock);
   if (!rp->diverged) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(rp->message, sizeof(rp->message), fmt, ap);
      va_end(ap);
      pv_warn("replay: %s", rp->message);
   }
   rp->diverged = true;
   bool first_stop = stop && !rp->failed;
   rp->failed |= stop;
   pthread_cond_broadcast(&rp->cond);
   pthread_mutex_unlock(&rp->lock);
   if (first_stop && rp->ctx)
      pv_context_stop(rp->ctx); /* waits in progress end */
}

static struct rp_path *
find_path(struct pv_replay *rp, uint64_t id)
{
   for (uint32_t i = 0; i < rp->path_count; i++)
      if (rp->paths[i].id == id)
         return &rp->paths[i];
   return NULL;
}

static bool
add_to_path(struct pv_replay *rp, size_t index)
{
   uint64_t id = rp->f.records[index].path;
   struct rp_path *p = find_path(rp, id);
   if (!p) {
      struct rp_path *n = realloc(rp->paths, (rp->path_count + 1) * sizeof(*n));
      if (!n)
         return false;
      rp->paths = n;
      p = &rp->paths[rp->path_count++];
      *p = (struct rp_path){.id = id, .rp = rp};
   }
   if (p->n == p->cap) {
      size_t c = p->cap ? p->cap * 2 : 64;
      size_t *idx = realloc(p->idx, c * sizeof(*idx));
      if (!idx)
         return false;
      p->idx = idx;
      p->cap = c;
   }
   p->idx[p->n++] = index;
   p->tops += pv_capture_type_is_top(rp->f.records[index].type);
   return true;
}

/* Records that only inform (a transport message, the capture's own loss and stop). */
static bool
informational(uint32_t type)
{
   return type == PV_CAPTURE_LOST || type == PV_CAPTURE_STOP || type == PV_CAPTURE_TRANSPORT ||
          type == PV_CAPTURE_CONTEXT || type == PV_CAPTURE_CAPPED;
}

static void
skip_informational(struct rp_path *p)
{
   while (p->pos < p->n && informational(p->rp->f.records[p->idx[p->pos]].type))
      p->pos++;
}

static const char *
path_name(uint64_t id, char *buf, size_t size)
{
   if (id == 0)
      snprintf(buf, size, "the context path");
   else
      snprintf(buf, size, "ring 0x%" PRIx64, id);
   return buf;
}

/* The next record of x's path, which the renderer just produced as a `type`; NULL when the
 * capture has something else there (a divergence). */
static const struct pv_capture_record *
next_inline(struct pv_replay *rp, uint64_t path_id, uint32_t type)
{
   struct rp_path *p = find_path(rp, path_id);
   char name[64];
   path_name(path_id, name, sizeof(name));
   if (!p) {
      diverge(rp, true, "the replay ran a %s on %s, which the capture does not have",
              pv_capture_type_name(type), name);
      return NULL;
   }
   skip_informational(p);
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
      diverge(rp, true, "on %s the replay produced a %s where the capture has %s%s (offset %" PRIu64 ")",
              name, pv_capture_type_name(type), r ? "a " : "nothing more",
              r ? pv_capture_type_name(r->type) : "", r ? r->offset : 0);
      return NULL;
   }
   p->pos++;
   __atomic_fetch_add(&rp->progress, 1, __ATOMIC_RELAXED);
   return r;
}

/* ----- hooks (capture.c calls these for a replayed context) --------------------------------- */

bool
pv_replay_nested(struct pv_replay *rp, struct pv_exec *x, uint32_t res_id, uint64_t offset,
                 void *data, size_t size)
{
   const struct pv_capture_record *r = next_inline(rp, pv_capture_path(x), PV_CAPTURE_NESTED);
   if (!r)
      return false;
   struct pv_capture_payload p;
   pv_capture_decode(r, &p);
   if (p.res_id != res_id || p.offset != offset || p.bytes_len != size) {
      diverge(rp, true,
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
   const struct pv_capture_record *r = next_inline(rp, pv_capture_path(x), PV_CAPTURE_REPLY);
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
   diverge(rp, false,
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
apply_piece(struct pv_replay *rp, uint32_t kind, uint8_t *dst, uint8_t *shadow,
            const uint8_t *data, size_t n, uint64_t *differ, uint64_t *first, uint64_t base)
{
   bool replay_wrote = memcmp(dst, shadow, n) != 0;
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
      diverge(rp, true,
              "memory record at offset %" PRIu64 ": allocation 0x%" PRIx64 " (%" PRIu64
              " bytes) is not mapped now",
              record_offset, run->memory_id, run->size);
      pthread_mutex_lock(&rp->cap.lock);
      return;
   }
   uint64_t differ = 0, first = UINT64_MAX;
   for (uint64_t o = 0; o < run->len; o += PV_CAPTURE_PAGE) {
      size_t n = (size_t)(run->len - o < PV_CAPTURE_PAGE ? run->len - o : PV_CAPTURE_PAGE);
      apply_piece(rp, kind, m->map + run->offset + o, m->shadow + run->offset + o,
                  run->data + o, n, &differ, &first, run->offset + o);
   }
   if (!differ)
      return;
   rp->res->readback_mismatch_bytes += differ;
   pthread_mutex_unlock(&rp->cap.lock);
   diverge(rp, false,
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

static void
replay_memory(struct pv_replay *rp, uint64_t path, uint32_t kind)
{
   const struct pv_capture_record *r = next_inline(rp, path, PV_CAPTURE_MEMORY);
   if (!r)
      return;
   struct pv_capture_payload p;
   pv_capture_decode(r, &p);
   if (p.kind != kind) {
      diverge(rp, true, "memory record at offset %" PRIu64 " is of another kind (%u, now %u)",
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
   replay_memory(rp, pv_capture_path(x), kind);
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
      diverge(rp, true, "a command fails now: the context was lost: %s", reason);
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
static void
wait_ring(struct pv_replay *rp, uint64_t ring_id)
{
   struct rp_path *main_path = find_path(rp, 0);
   pthread_mutex_lock(&rp->lock);
   while (!rp->failed && main_path && !main_path->finished && !pv_ring_exists(rp->ctx, ring_id))
      pthread_cond_wait(&rp->cond, &rp->lock);
   pthread_mutex_unlock(&rp->lock);
}

void
pv_replay_ring_done(struct pv_context *ctx, uint64_t ring_id)
{
   struct pv_replay *rp = ctx->capture->replay;
   struct rp_path *p = find_path(rp, ring_id);
   if (!p)
      return;
   pthread_mutex_lock(&rp->lock);
   while (p->done < p->tops && !p->finished && !rp->failed && !rp->draining)
      pthread_cond_wait(&rp->cond, &rp->lock);
   pthread_mutex_unlock(&rp->lock);
}

/* ----- running the paths ------------------------------------------------------------------ */

/* Waits until every other path has completed what the clock says; false when stopped. */
static bool
wait_clock(struct pv_replay *rp, const struct pv_capture_payload *p)
{
   pthread_mutex_lock(&rp->lock);
   for (uint32_t i = 0; i < p->clock_count && !rp->failed; i++) {
      uint64_t id, count;
      memcpy(&id, p->clock + i * 16, 8);
      memcpy(&count, p->clock + i * 16 + 8, 8);
      struct rp_path *q = find_path(rp, id);
      while (q && q->done < count && !q->finished && !rp->failed && !rp->draining)
         pthread_cond_wait(&rp->cond, &rp->lock);
   }
   bool ok = !rp->failed;
   pthread_mutex_unlock(&rp->lock);
   return ok;
}

static void
no_fence_callback(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   (void)data;
   (void)ring_idx;
   (void)fence_id;
}

static void
run_blob_create(struct pv_replay *rp, const struct pv_capture_payload *p)
{
   struct pv_blob blob = {.fd = -1};
   int ret = pv_context_create_blob(rp->ctx, p->res_id, p->blob_id, p->size, p->flags, &blob);
   if (ret == 0 && blob.fd >= 0)
      close(blob.fd); /* the renderer keeps its own mapping; nobody else maps it here */
   if ((ret == 0) != (p->result == 0))
      diverge(rp, false, "blob resource %u (blob id 0x%" PRIx64 ", %" PRIu64
                         " bytes): created now %s, at capture %s",
              p->res_id, p->blob_id, p->size, ret == 0 ? "yes" : strerror(-ret),
              p->result == 0 ? "yes" : strerror(-p->result));
}

static void
run_top(struct pv_replay *rp, struct rp_path *path, const struct pv_capture_record *r,
        const struct pv_capture_payload *p)
{
   switch (r->type) {
   case PV_CAPTURE_SUBMIT:
      pv_context_submit(rp->ctx, p->bytes, (size_t)p->bytes_len);
      __atomic_fetch_add(&rp->res->streams, 1, __ATOMIC_RELAXED);
      break;
   case PV_CAPTURE_RING_BATCH:
      wait_ring(rp, path->id);
      if (p->bytes_len > UINT32_MAX ||
          !pv_ring_replay_batch(rp->ctx, path->id, p->bytes, (uint32_t)p->bytes_len))
         diverge(rp, true, "ring batch at offset %" PRIu64 ": ring 0x%" PRIx64
                           " does not exist now (or is smaller)",
                 r->offset, path->id);
      __atomic_fetch_add(&rp->res->streams, 1, __ATOMIC_RELAXED);
      break;
   case PV_CAPTURE_BLOB_CREATE:
      run_blob_create(rp, p);
      break;
   case PV_CAPTURE_BLOB_DESTROY:
      pv_context_destroy_blob(rp->ctx, p->res_id);
      break;
   case PV_CAPTURE_FENCE:
      pv_context_submit_fence(rp->ctx, p->ring_idx, p->fence_id);
      break;
   case PV_CAPTURE_END:
      replay_memory(rp, path->id, PV_CAPTURE_MEMORY_FINAL);
      break;
   default:
      break;
   }
}

static void
run_path(struct rp_path *path)
{
   struct pv_replay *rp = path->rp;
   char name[64];
   for (;;) {
      skip_informational(path);
      if (path->pos >= path->n || rp->failed)
         break;
      const struct pv_capture_record *r = &rp->f.records[path->idx[path->pos]];
      if (!pv_capture_type_is_top(r->type)) {
         diverge(rp, true, "%s record at offset %" PRIu64 " on %s: the capture has it here, the "
                           "replay did not produce it",
                 pv_capture_type_name(r->type), r->offset,
                 path_name(path->id, name, sizeof(name)));
         break;
      }
      struct pv_capture_payload p;
      pv_capture_decode(r, &p);
      if (!wait_clock(rp, &p))
         break;
      path->pos++;
      run_top(rp, path, r, &p);
      pthread_mutex_lock(&rp->lock);
      path->done++;
      rp->progress++;
      pthread_cond_broadcast(&rp->cond);
      pthread_mutex_unlock(&rp->lock);
   }
   /* Whatever happens, nobody may wait for this path any more. */
   pthread_mutex_lock(&rp->lock);
   path->finished = true;
   rp->running--;
   pthread_cond_broadcast(&rp->cond);
   pthread_mutex_unlock(&rp->lock);
}

static void *
path_thread(void *data)
{
   run_path(data);
   return NULL;
}

/*
 * Watches the paths until all are done. A capture whose clocks cannot be met (damaged, or a
 * guest that hung itself) or a host that never finishes would wait forever: after stall_ns
 * without a record taken the replay stops (pv_context_stop ends the renderer's waits too).
 */
static void
watch(struct pv_replay *rp)
{
   struct rp_path *main_path = find_path(rp, 0);
   uint64_t seen = UINT64_MAX, last = mono_ns();
   pthread_mutex_lock(&rp->lock);
   while (rp->running > 0) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      ts.tv_nsec += 100000000L;
      if (ts.tv_nsec >= 1000000000L) {
         ts.tv_sec++;
         ts.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&rp->cond, &rp->lock, &ts);
      /* An incomplete capture has no END to wait for the rings: once the context path is
       * through, nothing waits for records the capture does not have. */
      if (!rp->f.ended && (!main_path || main_path->finished) && !rp->draining) {
         rp->draining = true;
         pthread_cond_broadcast(&rp->cond);
      }
      uint64_t now = mono_ns(), p = __atomic_load_n(&rp->progress, __ATOMIC_RELAXED);
      if (p != seen) {
         seen = p;
         last = now;
      } else if (now - last > rp->stall_ns && !rp->failed) {
         pthread_mutex_unlock(&rp->lock);
         diverge(rp, true, "the replay stalled: no record could run for %llu s (the capture's "
                           "paths wait for each other, or the host never finishes)",
                 (unsigned long long)(rp->stall_ns / 1000000000ull));
         pthread_mutex_lock(&rp->lock);
      }
   }
   pthread_mutex_unlock(&rp->lock);
}

static void
run_all(struct pv_replay *rp)
{
   for (uint32_t i = 0; i < rp->path_count; i++) {
      struct rp_path *p = &rp->paths[i];
      pthread_mutex_lock(&rp->lock);
      p->started = pthread_create(&p->thread, NULL, path_thread, p) == 0;
      rp->running += p->started;
      p->finished = !p->started;
      pthread_mutex_unlock(&rp->lock);
      if (!p->started)
         diverge(rp, true, "cannot start a replay thread");
   }
   watch(rp);
   for (uint32_t i = 0; i < rp->path_count; i++)
      if (rp->paths[i].started)
         pthread_join(rp->paths[i].thread, NULL);
}

/* ----- the file --------------------------------------------------------------------------- */

static int __attribute__((format(printf, 2, 3)))
refuse(struct pv_replay_result *res, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(res->message, sizeof(res->message), fmt, ap);
   va_end(ap);
   pv_warn("replay: %s", res->message);
   return -1;
}

static int
map_file(const char *path, const uint8_t **data, size_t *size, struct pv_replay_result *res)
{
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   struct stat st;
   if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      int err = fd < 0 ? errno : EINVAL;
      if (fd >= 0)
         close(fd);
      return refuse(res, "cannot read %s: %s", path, strerror(err));
   }
   *size = (size_t)st.st_size;
   void *m = *size ? mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
   close(fd);
   if (m == MAP_FAILED)
      return refuse(res, "cannot map %s: %s", path, *size ? strerror(errno) : "empty file");
   *data = m;
   return 0;
}

static int
replay_parsed(struct pv_replay *rp, const struct pv_replay_config *cfg)
{
   struct pv_replay_result *res = rp->res;
   struct pv_renderer_config rc = PV_RENDERER_CONFIG_INIT;
   rc.host_icd = cfg->host_icd;
   rc.gpu = cfg->gpu;
   rc.validate = cfg->validate;
   rc.wire_format = rp->f.wire_format;
   struct pv_renderer *renderer = pv_renderer_create(&rc);
   if (!renderer)
      return refuse(res, "cannot create a renderer (host driver %s)",
                    cfg->host_icd ? cfg->host_icd : "chosen by the loader");
   char name[64];
   snprintf(name, sizeof(name), "replay of %.*s", (int)(rp->f.name_len < 40 ? rp->f.name_len : 40),
            rp->f.name ? rp->f.name : "");
   rp->ctx = pv_context_create(renderer, rp->f.capset, name);
   if (!rp->ctx) {
      pv_renderer_destroy(renderer);
      return refuse(res, "cannot create a context");
   }
   pv_context_set_fence_callback(rp->ctx, no_fence_callback, NULL);
   rp->cap.replay = rp;
   rp->cap.fd = -1;
   pthread_mutex_init(&rp->cap.lock, NULL);
   pv_capture_find_types(&rp->cap, rp->ctx);
   rp->ctx->capture = &rp->cap;
   uint64_t t0 = mono_ns();
   run_all(rp);
   res->run_ns = mono_ns() - t0;
   res->cut = rp->cut;
   if (rp->capture_lost && !rp->lost_now && !rp->failed)
      diverge(rp, false, "the capture's context was lost, the replay's was not");
   pv_context_destroy(rp->ctx);
   pv_capture_mappings_fini(&rp->cap.mappings);
   pthread_mutex_destroy(&rp->cap.lock);
   pv_renderer_destroy(renderer);
   if (rp->diverged)
      snprintf(res->message, sizeof(res->message), "%s", rp->message);
   return rp->diverged ? 1 : 0;
}

static int
replay_mapped(const uint8_t *data, size_t size, const struct pv_replay_config *cfg,
              struct pv_replay_result *res)
{
   struct pv_replay rp = {.res = res};
   rp.stall_ns = (uint64_t)(cfg->stall_timeout_ms ? cfg->stall_timeout_ms : 60000) * 1000000ull;
   char err[256];
   if (pv_capture_parse(data, size, &rp.f, err, sizeof(err)) != 0)
      return refuse(res, "capture refused: %s", err);
   res->records = rp.f.count;
   res->capped = rp.f.capped;
   res->wire_format = rp.f.wire_format;
   snprintf(res->context_name, sizeof(res->context_name), "%.*s",
            (int)(rp.f.name_len < 63 ? rp.f.name_len : 63), rp.f.name ? rp.f.name : "");
   int ret = 0;
   if (!rp.f.ended && !rp.f.capped && !cfg->partial)
      ret = refuse(res, "capture refused: it has no end record (truncated, or the server died "
                        "while recording); --partial replays the records it has");
   pthread_mutex_init(&rp.lock, NULL);
   pthread_cond_init(&rp.cond, NULL);
   for (size_t i = 0; ret == 0 && i < rp.f.count; i++) {
      rp.capture_lost |= rp.f.records[i].type == PV_CAPTURE_LOST;
      if (!add_to_path(&rp, i))
         ret = refuse(res, "out of memory");
   }
   if (ret == 0)
      ret = replay_parsed(&rp, cfg);
   for (uint32_t i = 0; i < rp.path_count; i++)
      free(rp.paths[i].idx);
   free(rp.paths);
   pthread_cond_destroy(&rp.cond);
   pthread_mutex_destroy(&rp.lock);
   pv_capture_file_fini(&rp.f);
   return ret;
}

int
pv_replay_file(const char *path, const struct pv_replay_config *config,
               struct pv_replay_result *result)
{
   struct pv_replay_config cfg = PV_REPLAY_CONFIG_INIT;
   if (config) {
      if (config->struct_size < offsetof(struct pv_replay_config, partial) + sizeof(bool))
         return -1;
      memcpy(&cfg, config,
             config->struct_size < sizeof(cfg) ? config->struct_size : sizeof(cfg));
   }
   memset(result, 0, sizeof(*result));
   const uint8_t *data = NULL;
   size_t size = 0;
   if (!path || map_file(path, &data, &size, result) != 0)
      return -1;
   int ret = replay_mapped(data, size, &cfg, result);
   munmap((void *)data, size);
   return ret;
}
