/* SPDX-License-Identifier: MIT */
/* A guest context: its objects, resources, reply stream, rings and host instance. */
#include "renderer/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/capture.h"
#include "renderer/renderer.h"
#include "renderer/ring.h"
#include "util/log.h"

/*
 * The contexts living in this process. A renderer configured one_context_per_process offers
 * GPU device addresses on the claim that its context's devices are the only ones in the process
 * (pearvisor.h): a second context while one of those lives, or one of those beside others, is
 * refused.
 */
static pthread_mutex_t g_process_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned g_process_contexts;
static bool g_process_claimed_alone;

static bool
process_enter(const struct pv_renderer *renderer)
{
   bool alone = renderer->config.one_context_per_process;
   pthread_mutex_lock(&g_process_lock);
   bool ok = !g_process_claimed_alone && !(alone && g_process_contexts);
   if (ok) {
      g_process_contexts++;
      g_process_claimed_alone = alone;
   }
   pthread_mutex_unlock(&g_process_lock);
   if (!ok)
      pv_err("context: refused, another context lives in this process and one of the two was "
             "promised to be alone in it (one_context_per_process)");
   return ok;
}

static void
process_leave(const struct pv_renderer *renderer)
{
   pthread_mutex_lock(&g_process_lock);
   g_process_contexts--;
   if (renderer->config.one_context_per_process)
      g_process_claimed_alone = false;
   pthread_mutex_unlock(&g_process_lock);
}

struct pv_context *
pv_context_create(struct pv_renderer *renderer, uint32_t capset_id, const char *debug_name)
{
   const struct pv_dialect *dialect = pv_renderer_dialect(renderer, capset_id);
   if (!dialect || !process_enter(renderer))
      return NULL;
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   if (!ctx) {
      process_leave(renderer);
      return NULL;
   }
   ctx->renderer = renderer;
   snprintf(ctx->name, sizeof(ctx->name), "%s", debug_name ? debug_name : "");
   ctx->wire_format = dialect->wire_format;
   ctx->table = dialect->table;
   ctx->overrides = dialect->overrides;
   ctx->lost_handlers = dialect->lost_handlers;
   ctx->check_classes = dialect->check_classes;
   ctx->named_min = dialect->named_min;
   ctx->record_kinds = dialect->record_kinds;
   ctx->hold_kinds = dialect->hold_kinds;
   atomic_init(&ctx->lost, false);
   atomic_init(&ctx->stopping, false);
   atomic_init(&ctx->host_crashed, false);
   pthread_mutex_init(&ctx->resources_lock, NULL);
   pv_id_table_init(&ctx->resources);
   pv_object_table_init(&ctx->objects);
   pv_reclaim_init(&ctx->reclaim, ctx);
   pv_object_table_set_reclaim(&ctx->objects, &ctx->reclaim);
   pthread_mutex_init(&ctx->reply.lock, NULL);
   pthread_mutex_init(&ctx->rings_lock, NULL);
   pv_exec_stats_init(&ctx->retired);
   atomic_init(&ctx->run_counter, 1);
   atomic_init(&ctx->queue_drains, 0);
   atomic_init(&ctx->destroys_deferred, 0);
   atomic_init(&ctx->kept_objects, 0);
   atomic_init(&ctx->kept_device_memory, 0);
   atomic_init(&ctx->liveness_drops, 0);
   const struct pv_renderer_config *cfg = &renderer->config;
   ctx->quota_limit[PV_QUOTA_DEVICE_MEMORY] =
      cfg->max_device_memory ? cfg->max_device_memory : PV_DEFAULT_MAX_DEVICE_MEMORY;
   ctx->quota_limit[PV_QUOTA_BLOB_BYTES] =
      cfg->max_blob_bytes ? cfg->max_blob_bytes : PV_DEFAULT_MAX_BLOB_BYTES;
   ctx->max_objects = cfg->max_objects ? cfg->max_objects : PV_DEFAULT_MAX_OBJECTS;
   ctx->max_rings = cfg->max_rings ? cfg->max_rings : PV_DEFAULT_MAX_RINGS;
   ctx->quota_limit[PV_QUOTA_FDS] = cfg->max_fds ? cfg->max_fds : PV_DEFAULT_MAX_FDS;
   pv_exec_budget_init(&ctx->arena_budget, ctx->quota_limit[PV_QUOTA_BLOB_BYTES]);
   /* The Vulkan loader's entry point; the instance family loads everything else from it. */
   ctx->host.GetInstanceProcAddr = vkGetInstanceProcAddr;
   pv_exec_init(&ctx->exec, ctx, NULL);
   ctx->family_state = renderer->family->context_init(ctx);
   if (!ctx->family_state) {
      pv_context_destroy(ctx);
      return NULL;
   }
   return ctx;
}

static void
put_resource_cb(uint64_t key, void *value, void *data)
{
   (void)key;
   (void)data;
   pv_resource_put(value);
}

void
pv_context_destroy(struct pv_context *ctx)
{
   if (!ctx)
      return;
   /* Waits in progress end and queued ring work is dropped: nobody is left to see it. */
   pv_context_stop(ctx);
   /* Rings first: they execute commands that use everything below. */
   pv_ring_destroy_all(ctx);
   if (ctx->capture)
      pv_capture_finish(ctx); /* the final memory, before the teardown frees it */
   size_t left = pv_object_table_count(&ctx->objects);
   const struct pv_family *family = ctx->renderer->family;
   bool crashed = atomic_load(&ctx->host_crashed);
   if (crashed) {
      /* Its state is unknown: host objects are left to the process's exit (crash_guard.h).
       * The family's threads are not joined but must let go of the context now. */
      if (ctx->family_state && family->context_abandon)
         family->context_abandon(ctx);
      pv_warn("context '%s': the host driver crashed earlier; %zu host objects left to the "
              "process exit",
              ctx->name, left);
   } else {
      if (left)
         pv_info("context '%s': destroying %zu objects the guest left behind", ctx->name, left);
      /* No path runs any more: host destroys still waiting for one (pv_venus_host_destroy_later)
       * go before the teardown destroys their devices. */
      pv_reclaim_poll(&ctx->reclaim);
      if (ctx->family_state)
         family->context_teardown(ctx);
      pv_object_table_fini(&ctx->objects, ctx);
   }
   pv_resource_put(ctx->reply.res);
   pv_id_table_foreach(&ctx->resources, put_resource_cb, NULL);
   pv_id_table_fini(&ctx->resources);
   pv_exec_fini(&ctx->exec);
   /* Every path is gone: what they removed goes too (after a crash, like the table, it is left
    * to the process exit: the driver may still use a mapping). */
   pv_reclaim_fini(&ctx->reclaim, !crashed);
   pthread_mutex_destroy(&ctx->resources_lock);
   pthread_mutex_destroy(&ctx->reply.lock);
   pthread_mutex_destroy(&ctx->rings_lock);
   if (ctx->family_state && !crashed) /* after a crash its threads may be stuck in the driver */
      family->context_fini(ctx, ctx->family_state);
   process_leave(ctx->renderer);
   free(ctx);
}

bool
pv_venus_stopping(struct pv_context *ctx)
{
   return atomic_load(&ctx->stopping) || atomic_load(&ctx->lost);
}

void
pv_context_set_lost(struct pv_context *ctx, const char *fmt, ...)
{
   if (atomic_exchange(&ctx->lost, true))
      return;
   /* Only the first loss writes the reason; readers wait for lost_reason_set. */
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(ctx->lost_reason, sizeof(ctx->lost_reason), fmt, ap);
   va_end(ap);
   atomic_store(&ctx->lost_reason_set, true);
   pv_warn("context '%s' lost: %s", ctx->name, ctx->lost_reason);
   if (ctx->capture)
      pv_capture_lost(ctx, ctx->lost_reason);
   pv_ring_context_lost(ctx);
}

void
pv_context_mark_lost(struct pv_context *ctx, const char *reason)
{
   pv_context_set_lost(ctx, "%s", reason);
}

bool
pv_context_is_lost(const struct pv_context *ctx)
{
   return atomic_load(&((struct pv_context *)ctx)->lost);
}

const char *
pv_context_lost_reason(const struct pv_context *ctx)
{
   struct pv_context *c = (struct pv_context *)ctx;
   if (!atomic_load(&c->lost))
      return NULL;
   /* Lost an instant ago by another thread that is still writing why. */
   return atomic_load(&c->lost_reason_set) ? c->lost_reason : "lost (reason being recorded)";
}

int
pv_context_submit(struct pv_context *ctx, const void *data, size_t size)
{
   if (size == 0)
      return pv_context_is_lost(ctx) ? -1 : 0;
   /* A lost context still runs the stream in lost mode: round trips and replies are answered. */
   return pv_exec_run(&ctx->exec, data, size) ? 0 : -1;
}

void
pv_context_set_fence_callback(struct pv_context *ctx, pv_fence_retired_fn cb, void *data)
{
   ctx->fence_cb = cb;
   ctx->fence_cb_data = data;
}

void
pv_context_set_ring_callback(struct pv_context *ctx, pv_ring_created_fn cb, void *data)
{
   ctx->ring_cb = cb;
   ctx->ring_cb_data = data;
}

int
pv_context_submit_fence(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id)
{
   if (ctx->capture)
      pv_capture_fence(ctx, ring_idx, fence_id);
   if (ring_idx != 0 && !pv_context_is_lost(ctx)) {
      const char *why = ctx->renderer->family->fence_submit(ctx, ring_idx, fence_id);
      if (!why)
         return 0;
      pv_context_set_lost(ctx, "fence on ring index %u: %s", ring_idx, why);
   }
   /* The CPU timeline, or a request we cannot honour: retire now so nobody waits forever. */
   if (ctx->fence_cb)
      ctx->fence_cb(ctx->fence_cb_data, ring_idx, fence_id);
   return ring_idx == 0 && !pv_context_is_lost(ctx) ? 0 : -1;
}

/* ----- venus.h accessors ------------------------------------------------------------------- */

struct pv_context *
pv_venus_from(struct pv_dispatch_ctx *c)
{
   return pv_exec_from(c)->ctx;
}

void
pv_venus_note_host_submit(struct pv_dispatch_ctx *c)
{
   pv_exec_from(c)->host_submitted = true;
}

struct pv_vk_host *
pv_venus_host(struct pv_context *ctx)
{
   return &ctx->host;
}

const struct pv_protocol_table *
pv_venus_table(struct pv_context *ctx)
{
   return ctx->table;
}

const struct pv_renderer_config *
pv_venus_config(struct pv_context *ctx)
{
   return &ctx->renderer->config;
}

void *
pv_venus_family_state(struct pv_context *ctx)
{
   return ctx->family_state;
}

void
pv_venus_fence_retired(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id)
{
   if (ctx->fence_cb)
      ctx->fence_cb(ctx->fence_cb_data, ring_idx, fence_id);
}

const struct pv_host_driver *
pv_venus_host_driver(struct pv_context *ctx)
{
   return &ctx->renderer->driver;
}

const char *
pv_venus_name(struct pv_context *ctx)
{
   return ctx->name;
}

void
pv_venus_fatal(struct pv_dispatch_ctx *c, const char *fmt, ...)
{
   char why[160];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(why, sizeof(why), fmt, ap);
   va_end(ap);
   pv_cs_set_fatal(c->dec, why);
}

void
pv_venus_refuse(struct pv_dispatch_ctx *c, const char *fmt, ...)
{
   char why[200];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(why, sizeof(why), fmt, ap);
   va_end(ap);
   pv_context_set_lost(pv_venus_from(c), "refused: %s", why);
   c->refused = true;
}

struct pv_object *
pv_object_find(struct pv_context *ctx, uint64_t id, int32_t type)
{
   return pv_object_table_find(&ctx->objects, id, type);
}

struct pv_object *
pv_object_find_host(struct pv_context *ctx, int32_t type, uint64_t host)
{
   return pv_object_table_find_host(&ctx->objects, type, host);
}

struct pv_object *
pv_object_add(struct pv_context *ctx, int32_t type, uint64_t id, uint64_t host, uint64_t parent)
{
   return pv_object_table_add(&ctx->objects, type, id, host, parent);
}

struct pv_object *
pv_object_add_unbacked(struct pv_context *ctx, int32_t type, uint64_t id, uint64_t parent)
{
   return pv_object_table_add_unbacked(&ctx->objects, type, id, parent);
}

void
pv_object_remove(struct pv_context *ctx, uint64_t id)
{
   pv_object_table_remove(&ctx->objects, ctx, id);
}

void
pv_object_remove_children(struct pv_context *ctx, uint64_t parent, int32_t type)
{
   pv_object_table_remove_children(&ctx->objects, ctx, parent, type);
}

size_t
pv_object_list_children(struct pv_context *ctx, uint64_t parent, int32_t type, uint64_t **ids)
{
   return pv_object_table_list_children(&ctx->objects, parent, type, ids);
}

size_t
pv_object_list_children_checked(struct pv_context *ctx, uint64_t parent, int32_t type,
                                uint64_t **ids, bool *complete)
{
   return pv_object_table_list_children_checked(&ctx->objects, parent, type, ids, complete);
}

bool
pv_venus_charge_quiet(struct pv_context *ctx, enum pv_quota q, uint64_t amount)
{
   uint64_t used = atomic_load(&ctx->quota_used[q]);
   do {
      if (amount > ctx->quota_limit[q] || used > ctx->quota_limit[q] - amount)
         return false;
   } while (!atomic_compare_exchange_weak(&ctx->quota_used[q], &used, used + amount));
   return true;
}

bool
pv_venus_charge(struct pv_context *ctx, enum pv_quota q, uint64_t amount)
{
   if (pv_venus_charge_quiet(ctx, q, amount))
      return true;
   static const char *const names[PV_QUOTA_COUNT] = {"device-memory bytes", "blob bytes", "fds"};
   pv_warn_limited("context '%s': quota of %llu %s reached", ctx->name,
                   (unsigned long long)ctx->quota_limit[q], names[q]);
   return false;
}

void
pv_venus_uncharge(struct pv_context *ctx, enum pv_quota q, uint64_t amount)
{
   atomic_fetch_sub(&ctx->quota_used[q], amount);
}
