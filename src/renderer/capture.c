/* SPDX-License-Identifier: MIT */
/*
 * Recording a context (capture.h, docs/CAPTURE.md). One file per context, written with write(2)
 * under one lock: records of the transport thread and of every ring thread interleave in the
 * order they happened. Each record is assembled in a buffer, then written whole, so a file cut
 * by a crash ends at a record boundary or inside the last record (replay refuses both unless
 * asked to replay what there is). Host-visible memory is compared page by page with a copy of
 * what was last recorded (a shadow per allocation): only changed pages are written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "renderer/capture_internal.h"
#include "renderer/context.h"
#include "renderer/family.h"
#include "renderer/renderer.h"
#include "renderer/ring_internal.h"
#include "util/log.h"

static uint64_t
now_ns(clockid_t clock)
{
   struct timespec ts;
   clock_gettime(clock, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
pv_capture_path(const struct pv_exec *x)
{
   return x->ring ? x->ring->id : 0;
}

bool
pv_capture_is_replay(const struct pv_capture *cap)
{
   return cap->replay != NULL;
}

/* ----- assembling records ----------------------------------------------------------------- */

static void
put(struct pv_capture *cap, const void *data, size_t size)
{
   if (cap->oom)
      return;
   if (size > cap->buf_cap - cap->len) {
      size_t want = cap->buf_cap ? cap->buf_cap : 4096;
      while (want - cap->len < size && want <= SIZE_MAX / 2)
         want *= 2;
      uint8_t *n = want - cap->len >= size ? realloc(cap->buf, want) : NULL;
      if (!n) {
         cap->oom = true;
         return;
      }
      cap->buf = n;
      cap->buf_cap = want;
   }
   memcpy(cap->buf + cap->len, data, size);
   cap->len += size;
}

static void
put_u32(struct pv_capture *cap, uint32_t v)
{
   put(cap, &v, sizeof(v));
}

static void
put_u64(struct pv_capture *cap, uint64_t v)
{
   put(cap, &v, sizeof(v));
}

/* u64 length, the bytes, zero padding to 4 (the reader's item rule). */
static void
put_bytes(struct pv_capture *cap, const void *data, uint64_t size)
{
   static const uint8_t zero[4];
   put_u64(cap, size);
   put(cap, data, (size_t)size);
   put(cap, zero, (size_t)((4 - (size & 3)) & 3));
}

static void
put_string(struct pv_capture *cap, const char *s)
{
   put_bytes(cap, s, strlen(s));
}

static void
record_begin(struct pv_capture *cap, uint32_t type, uint64_t path)
{
   cap->len = 0;
   cap->oom = false;
   put_u32(cap, type);
   put_u32(cap, 0);
   put_u64(cap, 0); /* length, set by record_end */
   put_u64(cap, now_ns(CLOCK_MONOTONIC) - cap->t0);
   put_u64(cap, path);
}

static bool
write_all(int fd, const uint8_t *p, size_t n)
{
   while (n) {
      ssize_t w = write(fd, p, n);
      if (w < 0 && errno == EINTR)
         continue;
      if (w <= 0)
         return false;
      p += w;
      n -= (size_t)w;
   }
   return true;
}

static void
write_capped(struct pv_capture *cap)
{
   cap->len = 0;
   record_begin(cap, PV_CAPTURE_CAPPED, 0);
   put_u64(cap, cap->cap);
   uint64_t payload = cap->len - PV_CAPTURE_RECORD_HEADER_SIZE;
   memcpy(cap->buf + 8, &payload, sizeof(payload));
   if (!cap->oom)
      write_all(cap->fd, cap->buf, cap->len);
}

/* Room kept for the CAPPED marker, so it always fits under the cap. */
#define PV_CAPTURE_MARKER_ROOM 64u

static void
record_end(struct pv_capture *cap)
{
   if (cap->stopped)
      return;
   if (cap->oom) {
      pv_warn("capture: out of memory assembling a record; recording stopped");
      cap->stopped = true;
      return;
   }
   uint64_t payload = cap->len - PV_CAPTURE_RECORD_HEADER_SIZE;
   memcpy(cap->buf + 8, &payload, sizeof(payload));
   if (cap->cap && cap->written + cap->len + PV_CAPTURE_MARKER_ROOM > cap->cap) {
      pv_warn("capture: the size cap of %llu bytes is reached; recording stopped (the file "
              "ends with a marker record)",
              (unsigned long long)cap->cap);
      write_capped(cap);
      cap->stopped = true;
      return;
   }
   if (!write_all(cap->fd, cap->buf, cap->len)) {
      pv_warn("capture: cannot write (%s); recording stopped", strerror(errno));
      cap->stopped = true;
      return;
   }
   cap->written += cap->len;
}

/* ----- clocks ----------------------------------------------------------------------------- */

static struct pv_capture_path_count *
path_entry(struct pv_capture *cap, uint64_t path)
{
   for (uint32_t i = 0; i < cap->path_count; i++)
      if (cap->paths[i].path == path)
         return &cap->paths[i];
   if (cap->path_count == cap->path_cap) {
      uint32_t n = cap->path_cap ? cap->path_cap * 2 : 8;
      struct pv_capture_path_count *p = realloc(cap->paths, n * sizeof(*p));
      if (!p)
         return NULL;
      cap->paths = p;
      cap->path_cap = n;
   }
   cap->paths[cap->path_count] = (struct pv_capture_path_count){.path = path};
   return &cap->paths[cap->path_count++];
}

/* The clock of a top-level record on `path`: how far every other path had got (steps below). */
static void
put_clock(struct pv_capture *cap, uint64_t path)
{
   if (!path_entry(cap, path))
      cap->oom = true;
   put_u32(cap, cap->path_count - 1);
   for (uint32_t i = 0; i < cap->path_count; i++) {
      if (cap->paths[i].path == path)
         continue;
      put_u64(cap, cap->paths[i].path);
      put_u64(cap, cap->paths[i].completed);
   }
}

/*
 * One step of `path` completed: a top-level record, or one command of its streams (nested
 * ones too). Counted per command, not per stream, because the guest sees a path's progress
 * command by command: a ring publishes its head after each one, and Mesa 25's thread rings
 * poll the primary ring's head (vn_get_target_ring) before a command that uses what it made,
 * while the primary ring's batch may still be running. A clock in whole streams then said
 * "not yet" for a command the guest knew was done (replay ran vkGetPipelineCacheData before
 * the cache existed). Counted before the head moves (exec.c), so whatever the guest saw done is
 * in the clock of any record it caused.
 */
static void
completed(struct pv_capture *cap, uint64_t path)
{
   struct pv_capture_path_count *e = path_entry(cap, path);
   if (e)
      e->completed++;
}

/* A recording capture of ctx, locked, or NULL (none, replaying, or stopped). */
static struct pv_capture *
lock_recording(struct pv_context *ctx)
{
   struct pv_capture *cap = ctx->capture;
   if (!cap || cap->replay)
      return NULL;
   pthread_mutex_lock(&cap->lock);
   if (cap->stopped) {
      pthread_mutex_unlock(&cap->lock);
      return NULL;
   }
   return cap;
}

/* ----- memory ----------------------------------------------------------------------------- */

/* Changed pages of one allocation as runs; the shadow takes the new contents. */
static void
put_changed_runs(struct pv_capture *cap, struct pv_capture_mapping *m, uint32_t *allocs)
{
   size_t count_at = 0;
   uint32_t runs = 0;
   for (uint64_t off = 0; off < m->size;) {
      uint64_t n = m->size - off < PV_CAPTURE_PAGE ? m->size - off : PV_CAPTURE_PAGE;
      if (!memcmp(m->shadow + off, m->map + off, (size_t)n)) {
         off += n;
         continue;
      }
      uint64_t start = off;
      while (off < m->size) {
         n = m->size - off < PV_CAPTURE_PAGE ? m->size - off : PV_CAPTURE_PAGE;
         if (!memcmp(m->shadow + off, m->map + off, (size_t)n))
            break;
         memcpy(m->shadow + off, m->map + off, (size_t)n);
         off += n;
      }
      if (runs == 0) {
         put_u64(cap, m->id);
         put_u64(cap, m->size);
         count_at = cap->len;
         put_u32(cap, 0);
         (*allocs)++;
      }
      put_u64(cap, start);
      put_bytes(cap, m->shadow + start, off - start);
      runs++;
   }
   if (runs && !cap->oom)
      memcpy(cap->buf + count_at, &runs, sizeof(runs));
}

static void
put_memory(struct pv_capture *cap, uint64_t path, uint32_t kind)
{
   record_begin(cap, PV_CAPTURE_MEMORY, path);
   put_u32(cap, kind);
   size_t count_at = cap->len;
   put_u32(cap, 0);
   uint32_t allocs = 0;
   for (uint32_t i = 0; i < cap->mappings.count; i++)
      put_changed_runs(cap, &cap->mappings.items[i], &allocs);
   if (!cap->oom)
      memcpy(cap->buf + count_at, &allocs, sizeof(allocs));
   record_end(cap);
}

/* ----- hooks ------------------------------------------------------------------------------ */

void
pv_capture_stream_begin(struct pv_exec *x, const void *data, size_t size)
{
   struct pv_capture *cap = lock_recording(x->ctx);
   if (!cap)
      return;
   uint64_t path = pv_capture_path(x);
   record_begin(cap, path ? PV_CAPTURE_RING_BATCH : PV_CAPTURE_SUBMIT, path);
   put_clock(cap, path);
   put_bytes(cap, data, size);
   record_end(cap);
   pthread_mutex_unlock(&cap->lock);
}

void
pv_capture_stream_end(struct pv_exec *x)
{
   struct pv_capture *cap = lock_recording(x->ctx);
   if (!cap)
      return;
   completed(cap, pv_capture_path(x));
   pthread_mutex_unlock(&cap->lock);
}

bool
pv_capture_nested(struct pv_exec *x, uint32_t res_id, uint64_t offset, void *data, size_t size)
{
   struct pv_capture *c = x->ctx->capture;
   if (c->replay)
      return pv_replay_nested(c->replay, x, res_id, offset, data, size);
   struct pv_capture *cap = lock_recording(x->ctx);
   if (!cap)
      return true;
   record_begin(cap, PV_CAPTURE_NESTED, pv_capture_path(x));
   put_u32(cap, res_id);
   put_u64(cap, offset);
   put_bytes(cap, data, size);
   record_end(cap);
   pthread_mutex_unlock(&cap->lock);
   return true;
}

void
pv_capture_reply(struct pv_exec *x, const uint8_t *begin, const uint8_t *end)
{
   struct pv_capture *c = x->ctx->capture;
   if (c->replay) {
      pv_replay_reply(c->replay, x, begin, end);
      return;
   }
   struct pv_capture *cap = lock_recording(x->ctx);
   if (!cap)
      return;
   record_begin(cap, PV_CAPTURE_REPLY, pv_capture_path(x));
   put_bytes(cap, begin, (uint64_t)(end - begin));
   record_end(cap);
   pthread_mutex_unlock(&cap->lock);
}

static void
snapshot(struct pv_exec *x, uint32_t kind)
{
   struct pv_capture *c = x->ctx->capture;
   if (c->replay) {
      pv_replay_memory(c->replay, x, kind);
      return;
   }
   /* The snapshot is what the guest wrote (restore) or the GPU finished (check): work still
    * running would put half its output into it, and replay would restore that half over
    * finished work. So recording gives up the overlap of GPU work with the next submission. */
   const struct pv_family *family = x->ctx->renderer->family;
   if (family->wait_idle && c->mappings.count && !c->stopped)
      family->wait_idle(x->ctx);
   struct pv_capture *cap = lock_recording(x->ctx);
   if (!cap)
      return;
   put_memory(cap, pv_capture_path(x), kind);
   pthread_mutex_unlock(&cap->lock);
}

/* A status query answers with how far the GPU got, which depends on timing: recorded and
 * replayed alike, it is asked of an idle device, so both answer the final state. (While
 * recording this costs the guest the overlap of its queries with GPU work, as the snapshots
 * do.) */
static void
settle_status_query(struct pv_exec *x)
{
   const struct pv_family *family = x->ctx->renderer->family;
   if (family->wait_idle && !x->ctx->capture->stopped)
      family->wait_idle(x->ctx);
}

void
pv_capture_before_command(struct pv_exec *x, int32_t type)
{
   if (pv_capture_is_queue_submit(x->ctx, type) && !pv_capture_submit_is_empty(x))
      snapshot(x, PV_CAPTURE_MEMORY_RESTORE);
   else if (pv_capture_is_free_memory(x->ctx, type))
      snapshot(x, PV_CAPTURE_MEMORY_CHECK);
   else if (pv_capture_is_status_query(x->ctx, type))
      settle_status_query(x);
}

/* After a host wait the GPU's output is what the guest reads next: a read-back to compare,
 * before a later submission's snapshot would make it memory to restore. */
void
pv_capture_after_command(struct pv_exec *x, int32_t type)
{
   struct pv_capture *c = x->ctx->capture;
   if (c->replay) {
      pv_replay_step(c->replay, pv_capture_path(x));
   } else {
      struct pv_capture *cap = lock_recording(x->ctx);
      if (cap) {
         completed(cap, pv_capture_path(x));
         pthread_mutex_unlock(&cap->lock);
      }
   }
   if (pv_capture_is_host_wait(x->ctx, type))
      snapshot(x, PV_CAPTURE_MEMORY_CHECK);
}

/* A top-level record of the transport (path 0) that completes at once. */
static struct pv_capture *
transport_begin(struct pv_context *ctx, uint32_t type)
{
   struct pv_capture *cap = lock_recording(ctx);
   if (!cap)
      return NULL;
   record_begin(cap, type, 0);
   put_clock(cap, 0);
   return cap;
}

static void
transport_end(struct pv_capture *cap)
{
   record_end(cap);
   completed(cap, 0);
   pthread_mutex_unlock(&cap->lock);
}

void
pv_capture_blob_create(struct pv_context *ctx, uint32_t res_id, uint64_t blob_id, uint64_t size,
                       uint32_t flags, int result)
{
   struct pv_capture *cap = transport_begin(ctx, PV_CAPTURE_BLOB_CREATE);
   if (!cap)
      return;
   put_u32(cap, res_id);
   put_u32(cap, flags);
   put_u64(cap, blob_id);
   put_u64(cap, size);
   put_u32(cap, (uint32_t)result);
   transport_end(cap);
}

void
pv_capture_blob_destroy(struct pv_context *ctx, uint32_t res_id)
{
   struct pv_capture *cap = transport_begin(ctx, PV_CAPTURE_BLOB_DESTROY);
   if (!cap)
      return;
   put_u32(cap, res_id);
   transport_end(cap);
}

void
pv_capture_fence(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id)
{
   struct pv_capture *cap = transport_begin(ctx, PV_CAPTURE_FENCE);
   if (!cap)
      return;
   put_u32(cap, ring_idx);
   put_u64(cap, fence_id);
   transport_end(cap);
}

void
pv_context_capture_message(struct pv_context *ctx, uint32_t protocol, const void *header,
                           size_t header_size, const void *payload, size_t payload_size)
{
   static const uint8_t zero[4];
   /* Recording off: one NULL test per message. */
   if (!ctx || !ctx->capture)
      return;
   struct pv_capture *cap = lock_recording(ctx);
   if (!cap)
      return;
   uint64_t size = (uint64_t)header_size + payload_size;
   record_begin(cap, PV_CAPTURE_TRANSPORT, 0);
   put_u32(cap, protocol);
   put_u64(cap, size);
   put(cap, header, header_size);
   put(cap, payload, payload_size);
   put(cap, zero, (size_t)((4 - (size & 3)) & 3));
   record_end(cap);
   pthread_mutex_unlock(&cap->lock);
}

void
pv_capture_lost(struct pv_context *ctx, const char *reason)
{
   struct pv_capture *c = ctx->capture;
   if (c->replay) {
      pv_replay_lost(c->replay, reason);
      return;
   }
   struct pv_capture *cap = lock_recording(ctx);
   if (!cap)
      return;
   record_begin(cap, PV_CAPTURE_LOST, 0);
   put_string(cap, reason);
   record_end(cap);
   pthread_mutex_unlock(&cap->lock);
}

void
pv_capture_stop(struct pv_context *ctx)
{
   struct pv_capture *cap = lock_recording(ctx);
   if (!cap)
      return;
   record_begin(cap, PV_CAPTURE_STOP, 0);
   record_end(cap);
   pthread_mutex_unlock(&cap->lock);
}

static void
capture_free(struct pv_capture *cap)
{
   if (cap->fd >= 0)
      close(cap->fd);
   pv_capture_mappings_fini(&cap->mappings);
   pthread_mutex_destroy(&cap->lock);
   free(cap->paths);
   free(cap->buf);
   free(cap);
}

void
pv_capture_finish(struct pv_context *ctx)
{
   struct pv_capture *cap = ctx->capture;
   if (!cap || cap->replay)
      return; /* the replayer owns a replay capture */
   const struct pv_family *family = ctx->renderer->family;
   if (family->wait_idle && cap->mappings.count && !cap->stopped &&
       !atomic_load(&ctx->host_crashed))
      family->wait_idle(ctx); /* the final memory as the GPU left it */
   if (lock_recording(ctx)) {
      record_begin(cap, PV_CAPTURE_END, 0);
      put_clock(cap, 0);
      record_end(cap);
      put_memory(cap, 0, PV_CAPTURE_MEMORY_FINAL);
      pthread_mutex_unlock(&cap->lock);
   }
   pv_info("context '%s': capture closed, %llu bytes", ctx->name, (unsigned long long)cap->written);
   ctx->capture = NULL;
   capture_free(cap);
}

void
pv_capture_memory_mapped(struct pv_context *ctx, uint64_t memory_id, void *map, uint64_t size)
{
   struct pv_capture *cap = ctx->capture;
   if (!cap || !map)
      return;
   pthread_mutex_lock(&cap->lock);
   /* Replay keeps a shadow too: what the capture says the memory holds (capture_replay.c). */
   if (!pv_capture_mappings_add(&cap->mappings, memory_id, map, size, true) && !cap->replay &&
       !cap->stopped) {
      pv_warn("capture: out of memory tracking an allocation; recording stopped");
      cap->stopped = true;
   }
   pthread_mutex_unlock(&cap->lock);
}

void
pv_capture_memory_unmapped(struct pv_context *ctx, uint64_t memory_id, const void *map)
{
   struct pv_capture *cap = ctx->capture;
   if (!cap)
      return;
   pthread_mutex_lock(&cap->lock);
   /* Freed memory's state may go after its id names new memory (reclaim.h): only its own. */
   const struct pv_capture_mapping *e = pv_capture_mappings_find(&cap->mappings, memory_id);
   if (e && e->map == map)
      pv_capture_mappings_remove(&cap->mappings, memory_id);
   pthread_mutex_unlock(&cap->lock);
}

/* ----- starting ----------------------------------------------------------------------------- */

static void
put_header(struct pv_capture *cap, const struct pv_context *ctx)
{
   put(cap, PV_CAPTURE_MAGIC, 8);
   put_u32(cap, PV_CAPTURE_VERSION);
   put_u32(cap, PV_CAPTURE_HEADER_SIZE);
   put_u32(cap, ctx->wire_format);
   put_u32(cap, PV_CAPSET_VENUS);
   put_u64(cap, now_ns(CLOCK_REALTIME));
}

int
pv_context_start_capture(struct pv_context *ctx, int fd, uint64_t max_bytes)
{
   if (!ctx || fd < 0)
      return -EINVAL;
#ifdef PV_NO_CAPTURE_HOOKS
   return -ENOTSUP; /* a build only for measuring what the hooks cost */
#endif
   if (ctx->capture || pv_object_table_count(&ctx->objects) != 0)
      return -EBUSY;
   struct pv_capture *cap = calloc(1, sizeof(*cap));
   if (!cap)
      return -ENOMEM;
   pthread_mutex_init(&cap->lock, NULL);
   cap->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
   cap->cap = max_bytes;
   cap->t0 = now_ns(CLOCK_MONOTONIC);
   pv_capture_find_types(cap, ctx);
   if (cap->fd < 0) {
      int err = -errno;
      capture_free(cap);
      return err;
   }
   put_header(cap, ctx);
   if (cap->oom || !write_all(cap->fd, cap->buf, cap->len)) {
      int err = cap->oom ? -ENOMEM : -errno;
      capture_free(cap);
      return err ? err : -EIO;
   }
   cap->written = cap->len;
   record_begin(cap, PV_CAPTURE_CONTEXT, 0);
   put_u32(cap, PV_CAPSET_VENUS);
   put_u32(cap, ctx->wire_format);
   put_string(cap, ctx->name);
   record_end(cap);
   if (cap->stopped) {
      capture_free(cap);
      return -EIO;
   }
   ctx->capture = cap;
   return 0;
}
