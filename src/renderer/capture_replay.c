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

#include "renderer/capture_replay.h"
#include "renderer/context.h"
#include "renderer/renderer.h"
#include "renderer/ring.h"
#include "util/log.h"
#include "util/os.h"

static uint64_t
mono_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
pv_replay_diverge(struct pv_replay *rp, bool stop, const char *fmt, ...)
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

struct rp_path *
pv_replay_find_path(struct pv_replay *rp, uint64_t id)
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
   struct rp_path *p = pv_replay_find_path(rp, id);
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

/* ----- running the paths ------------------------------------------------------------------ */

/* How far path q has got in the unit of the file's clocks: version 1 counted top-level records
 * only, version 2 counts their commands too (capture.c completed()). Under rp->lock. */
static uint64_t
progress_of(const struct pv_replay *rp, const struct rp_path *q)
{
   return rp->f.version >= 2 ? q->steps : q->done;
}

/* Waits until every other path has completed what the clock says; false when stopped. */
static bool
wait_clock(struct pv_replay *rp, const struct pv_capture_payload *p)
{
   pthread_mutex_lock(&rp->lock);
   for (uint32_t i = 0; i < p->clock_count && !rp->failed; i++) {
      uint64_t id, count;
      memcpy(&id, p->clock + i * 16, 8);
      memcpy(&count, p->clock + i * 16 + 8, 8);
      struct rp_path *q = pv_replay_find_path(rp, id);
      while (q && progress_of(rp, q) < count && !q->finished && !rp->failed && !rp->draining)
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
      pv_replay_diverge(rp, false, "blob resource %u (blob id 0x%" PRIx64 ", %" PRIu64
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
   case PV_CAPTURE_RING_BATCH: {
      pv_replay_wait_ring(rp, path->id);
      bool ran = false;
      if (pv_replay_batch_begin(rp, path)) {
         ran = p->bytes_len <= UINT32_MAX &&
               pv_ring_replay_batch(rp->ctx, path->id, p->bytes, (uint32_t)p->bytes_len);
         pv_replay_batch_end(rp, path);
      }
      if (!ran)
         pv_replay_diverge(rp, true, "ring batch at offset %" PRIu64 ": ring 0x%" PRIx64
                           " does not exist now (or is smaller)",
                 r->offset, path->id);
      __atomic_fetch_add(&rp->res->streams, 1, __ATOMIC_RELAXED);
      break;
   }
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
      pv_replay_memory_at(rp, path->id, PV_CAPTURE_MEMORY_FINAL);
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
      pv_replay_skip_informational(path);
      if (path->pos >= path->n || rp->failed)
         break;
      const struct pv_capture_record *r = &rp->f.records[path->idx[path->pos]];
      if (!pv_capture_type_is_top(r->type)) {
         pv_replay_diverge(rp, true, "%s record at offset %" PRIu64 " on %s: the capture has it here, the "
                           "replay did not produce it",
                 pv_capture_type_name(r->type), r->offset,
                 pv_replay_path_name(path->id, name, sizeof(name)));
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
      path->steps++;
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
   struct rp_path *main_path = pv_replay_find_path(rp, 0);
   uint64_t seen = UINT64_MAX, last = mono_ns();
   pthread_mutex_lock(&rp->lock);
   while (rp->running > 0) {
      struct timespec ts = pv_os_cond_deadline(100000000ull);
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
         pv_replay_diverge(rp, true, "the replay stalled: no record could run for %llu s (the capture's "
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
         pv_replay_diverge(rp, true, "cannot start a replay thread");
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
   if (cfg->fence)
      pv_context_set_fence_callback(rp->ctx, cfg->fence, cfg->transport_data);
   else
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
      pv_replay_diverge(rp, false, "the capture's context was lost, the replay's was not");
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
   struct pv_replay rp = {.res = res, .cfg = cfg};
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
#ifdef PV_NO_CAPTURE_HOOKS
   ret = refuse(res, "this build has no capture hooks (-Dcapture_hooks=false): it cannot replay");
#endif
   if (ret == 0 && !rp.f.ended && !rp.f.capped && !cfg->partial)
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
