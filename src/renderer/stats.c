/* SPDX-License-Identifier: MIT */
/* pv_context_get_stats: sums the per-path counters of stats.h without stopping any path. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "renderer/context.h"
#include "renderer/ring_internal.h"
#include "renderer/stats.h"

void
pv_exec_stats_retire(struct pv_exec_stats *into, const struct pv_exec_stats *from)
{
   pv_stat_add(&into->commands, pv_stat_get(&from->commands));
   pv_stat_add(&into->bytes, pv_stat_get(&from->bytes));
   pv_stat_add(&into->replies, pv_stat_get(&from->replies));
   pv_stat_add(&into->wakeups, pv_stat_get(&from->wakeups));
   pv_stat_add(&into->idle, pv_stat_get(&from->idle));
   pv_stat_add(&into->recorded, pv_stat_get(&from->recorded));
}

/* The running sums while walking the paths, and which path ran last. */
struct stats_sum {
   struct pv_context_stats *out;
   uint64_t latest_run;
};

static void
add_path(struct stats_sum *s, const struct pv_exec_stats *x)
{
   s->out->commands += pv_stat_get(&x->commands);
   s->out->bytes_in += pv_stat_get(&x->bytes);
   s->out->replies += pv_stat_get(&x->replies);
   s->out->ring_wakeups += pv_stat_get(&x->wakeups);
   s->out->ring_idle += pv_stat_get(&x->idle);
   s->out->recorded_calls += pv_stat_get(&x->recorded);
   uint64_t run = pv_stat_get(&x->last_run);
   int32_t cmd = atomic_load_explicit((_Atomic int32_t *)&x->last_command, memory_order_relaxed);
   if (run > s->latest_run && cmd >= 0) {
      s->latest_run = run;
      s->out->last_command = cmd;
   }
}

static void
add_paths(struct pv_context *ctx, struct stats_sum *s)
{
   add_path(s, &ctx->exec.stats);
   pthread_mutex_lock(&ctx->rings_lock);
   add_path(s, &ctx->retired);
   for (struct pv_ring *r = ctx->rings; r; r = r->next) {
      add_path(s, &r->exec.stats);
      s->out->rings++;
   }
   pthread_mutex_unlock(&ctx->rings_lock);
}

static void
add_objects(struct pv_context *ctx, struct pv_context_stats *out)
{
   for (unsigned i = 0; i < PV_STATS_OBJECT_SLOTS; i++) {
      /* Written under the table's lock, read here without it: a count caught between an add and
       * a remove on two threads can be one off for an instant, never torn. */
      uint64_t n = pv_stat_get(&ctx->objects.by_type[i]);
      out->objects_by_type[i] = n;
      out->objects += n;
   }
}

/* What the first version of the struct held: callers built against it pass this size. */
#define PV_CONTEXT_STATS_V1_SIZE offsetof(struct pv_context_stats, queue_drains)

static void
fill_stats(struct pv_context *ctx, struct pv_context_stats *out)
{
   memset(out, 0, sizeof(*out));
   out->struct_size = sizeof(*out);
   out->wire_format = ctx->wire_format;
   out->last_command = -1;
   struct stats_sum sum = {.out = out};
   add_paths(ctx, &sum);
   add_objects(ctx, out);
   out->device_memory = atomic_load(&ctx->quota_used[PV_QUOTA_DEVICE_MEMORY]);
   out->device_memory_max = ctx->quota_limit[PV_QUOTA_DEVICE_MEMORY];
   out->blob_bytes = atomic_load(&ctx->quota_used[PV_QUOTA_BLOB_BYTES]);
   out->blob_bytes_max = ctx->quota_limit[PV_QUOTA_BLOB_BYTES];
   const struct pv_protocol_table *t = ctx->table;
   if (out->last_command >= 0 && (uint32_t)out->last_command < t->count &&
       t->entries[out->last_command].name)
      snprintf(out->last_command_name, sizeof(out->last_command_name), "%s",
               t->entries[out->last_command].name);
   const char *why = pv_context_lost_reason(ctx);
   out->lost = why != NULL;
   snprintf(out->lost_reason, sizeof(out->lost_reason), "%s", why ? why : "");
   out->queue_drains = atomic_load_explicit(&ctx->queue_drains, memory_order_relaxed);
   out->destroys_deferred = atomic_load_explicit(&ctx->destroys_deferred, memory_order_relaxed);
   out->kept_objects = atomic_load_explicit(&ctx->kept_objects, memory_order_relaxed);
   out->kept_device_memory = atomic_load_explicit(&ctx->kept_device_memory, memory_order_relaxed);
}

int
pv_context_get_stats(const struct pv_context *context, struct pv_context_stats *out)
{
   if (!context || !out || out->struct_size < PV_CONTEXT_STATS_V1_SIZE)
      return -1;
   size_t size = out->struct_size < sizeof(*out) ? out->struct_size : sizeof(*out);
   struct pv_context_stats all;
   fill_stats((struct pv_context *)context, &all);
   all.struct_size = (uint32_t)size;
   memcpy(out, &all, size);
   return 0;
}
