/* SPDX-License-Identifier: MIT */
/*
 * Bounds checks of query commands (guard.h): every query index inside its pool, and the bytes
 * results are written to inside the guest's buffer or reply array. How many values one query
 * writes depends on its type, so pools of types whose result layout we cannot size are refused.
 */
#include "vk/guard.h"

#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "util/os.h"
#include "vk/lifetime.h"

/* A host reset or result read (lavapipe) that found the device busy again (another ring
 * submitted) or the query lock taken tries again at once this many times, then after a pause:
 * a guest keeping the device busy from another ring keeps its own call waiting, without a busy
 * loop. */
#define PV_QUERY_RETRY_YIELDS 64u
#define PV_QUERY_RETRY_SLEEP_NS 50000ull

static uint32_t
query_values(const VkQueryPoolCreateInfo *ci)
{
   switch (ci->queryType) {
   case VK_QUERY_TYPE_OCCLUSION:
   case VK_QUERY_TYPE_TIMESTAMP:
   case VK_QUERY_TYPE_PRIMITIVES_GENERATED_EXT:
   case VK_QUERY_TYPE_MESH_PRIMITIVES_GENERATED_EXT:
   case VK_QUERY_TYPE_RESULT_STATUS_ONLY_KHR:
   case VK_QUERY_TYPE_ACCELERATION_STRUCTURE_COMPACTED_SIZE_KHR:
   case VK_QUERY_TYPE_ACCELERATION_STRUCTURE_SERIALIZATION_SIZE_KHR:
   case VK_QUERY_TYPE_ACCELERATION_STRUCTURE_SIZE_KHR:
   case VK_QUERY_TYPE_ACCELERATION_STRUCTURE_SERIALIZATION_BOTTOM_LEVEL_POINTERS_KHR:
      return 1;
   case VK_QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM_EXT:
      return 2; /* primitives written and needed */
   case VK_QUERY_TYPE_PIPELINE_STATISTICS:
      return (uint32_t)__builtin_popcount(ci->pipelineStatistics);
   default:
      return 0; /* performance and video queries size results through chains we do not read */
   }
}

/* Bytes one query's results take with these flags. */
static uint64_t
result_bytes(const struct pv_vk_query_pool *q, VkQueryResultFlags flags)
{
   uint64_t n = q->values + ((flags & (VK_QUERY_RESULT_WITH_AVAILABILITY_BIT |
                                       VK_QUERY_RESULT_WITH_STATUS_BIT_KHR)) != 0);
   return n * ((flags & VK_QUERY_RESULT_64_BIT) ? 8u : 4u);
}

/*
 * What the host driver keeps for a pool: a 64-bit word per value and one for availability per
 * query (lavapipe mallocs queryCount x that; a mutated queryCount of 2^29 asked it for 4 GiB,
 * fuzz input 40619619). Vulkan sets no limit on queryCount, so the pool is charged to the
 * context's device-memory quota like an allocation, and a pool past it fails as one does.
 */
static uint64_t
pool_bytes(uint32_t count, uint32_t values)
{
   return (uint64_t)count * ((uint64_t)values + 1) * sizeof(uint64_t);
}

static void
query_pool_free(struct pv_context *ctx, struct pv_object *obj)
{
   const struct pv_vk_query_pool *q = obj->data;
   if (q && ctx)
      pv_venus_uncharge(ctx, PV_QUOTA_DEVICE_MEMORY, q->charged);
   pv_vk_state_free(ctx, obj);
}

/*
 * Pipeline statistics of the eleven core counters only (VUID
 * VkQueryPoolCreateInfo-pipelineStatistics-parameter; the task and mesh counters need mesh
 * shader queries, whose commands are not on the wire). lavapipe copies one counter per set bit
 * out of a result struct on its stack, indexed by the bit: a pool of 0xfffff800 handed the guest
 * 21 words of the queue's stack, its canary and code, heap and stack addresses among them (a
 * helper's native run on 22.3.6, 2026-12-07; lvp_query.c; the struct has 14 counters in 25.0).
 */
#define PV_CORE_PIPELINE_STATISTICS 0x7ffu

static bool
statistics_defined(struct pv_dispatch_ctx *c, const VkQueryPoolCreateInfo *ci)
{
   if (ci->queryType != VK_QUERY_TYPE_PIPELINE_STATISTICS ||
       !(ci->pipelineStatistics & ~PV_CORE_PIPELINE_STATISTICS))
      return true;
   pv_venus_refuse(c, "vkCreateQueryPool: pipeline statistics 0x%x past the core counters (0x%x)",
                   ci->pipelineStatistics, PV_CORE_PIPELINE_STATISTICS);
   return false;
}

void
pv_guard_CreateQueryPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateQueryPool *a = args;
   const VkQueryPoolCreateInfo *ci = a->pCreateInfo;
   uint32_t values = ci ? query_values(ci) : 0;
   if (!values || !ci->queryCount) {
      pv_venus_refuse(c, "vkCreateQueryPool: type %d with %u queries is not served",
                     ci ? ci->queryType : 0, ci ? ci->queryCount : 0);
      return;
   }
   if (!statistics_defined(c, ci))
      return;
   struct pv_context *ctx = pv_venus_from(c);
   uint64_t bytes = pool_bytes(ci->queryCount, values);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, a->device);
   if (!pv_vk_charge(ctx, d, PV_QUOTA_DEVICE_MEMORY, bytes)) {
      a->ret = VK_ERROR_OUT_OF_DEVICE_MEMORY;
      return;
   }
   pv_handle_vkCreateQueryPool(c, args);
   struct pv_object *o = a->ret == VK_SUCCESS && a->pQueryPool && !pv_cs_fatal(c->dec)
                            ? pv_object_find(ctx, PV_FROM_HANDLE(*a->pQueryPool),
                                             VK_OBJECT_TYPE_QUERY_POOL)
                            : NULL;
   struct pv_vk_query_pool *q = o && !o->data ? calloc(1, sizeof(*q)) : NULL;
   if (!q) {
      pv_venus_uncharge(ctx, PV_QUOTA_DEVICE_MEMORY, bytes);
      if (o)
         pv_venus_refuse(c, "vkCreateQueryPool: no memory for the pool's bounds state");
      return;
   }
   *q = (struct pv_vk_query_pool){.type = ci->queryType, .count = ci->queryCount,
                                  .values = values, .charged = bytes};
   o->data = q;
   o->free_data = query_pool_free;
}

/* ----- active queries ------------------------------------------------------------------------ */

/*
 * lavapipe (22.3 run, 25.0 read alike; the twelfth reading) adds each query it begins to
 * llvmpipe's list of active queries, which its rasterizer threads write counters into for every
 * later scene, and takes it off only when the query is ended. vkCmdEndQuery of a query never
 * begun ended queries[q], NULL: a SIGSEGV on lavapipe's queue thread, outside every guard
 * (VUID-vkCmdEndQuery-None-01923). A query reset while active (VUID-vkCmdResetQueryPool-None-
 * 02841), or left active at vkEndCommandBuffer (VUID-vkEndCommandBuffer-commandBuffer-00061) and
 * then reset or its pool destroyed, was freed while still listed: the rasterizer threads wrote
 * into freed memory (valgrind). A query begun twice (VUID-vkCmdBeginQuery-queryPool-01922) left
 * a second entry. So each command buffer tracks the queries it has begun and not ended: a begin
 * of one already active, or of a type already active (per vertex stream for the indexed
 * types), an end of one not active or of other views than it began with (lavapipe ends one
 * query per view of the mask it holds then), a reset over an active one and an end of the
 * command buffer with one active are refused; a primary with queries active executes no
 * secondary that resets queries (where its resets would meet them).
 */

/* The active query of `pool` whose queries meet [first, first + count), or NULL. */
static struct pv_vk_active_query *
active_in(struct pv_vk_cmd_scope *s, const struct pv_vk_query_pool *pool, uint32_t first,
          uint32_t count)
{
   for (uint32_t i = 0; i < s->active_count; i++) {
      struct pv_vk_active_query *aq = &s->active[i];
      if (aq->pool == pool && (uint64_t)first < (uint64_t)aq->query + aq->views &&
          (uint64_t)aq->query < (uint64_t)first + count)
         return aq;
   }
   return NULL;
}

/* Whether a query of `type` at stream `index` is active (one of a type at a time; the types
 * with streams, one per stream). */
static bool
type_active(const struct pv_vk_cmd_scope *s, VkQueryType type, uint32_t index)
{
   bool streams = type == VK_QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM_EXT ||
                  type == VK_QUERY_TYPE_PRIMITIVES_GENERATED_EXT;
   for (uint32_t i = 0; i < s->active_count; i++)
      if (s->active[i].type == type && (!streams || s->active[i].index == index))
         return true;
   return false;
}

/* Checks a begin of `query` (its views) at stream `index` and records it as active. */
static bool
query_begin(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
            const struct pv_vk_query_pool *q, uint32_t query, uint32_t index)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, cmd);
   if (!cb)
      return false;
   struct pv_vk_cmd_scope *s = &cb->scope;
   uint32_t views = pv_vk_query_views(cb);
   const char *why = q->type == VK_QUERY_TYPE_TIMESTAMP         ? "a query of a timestamp pool"
                     : active_in(s, q, query, views)            ? "a query already active"
                     : type_active(s, q->type, index)           ? "a query of a type already active"
                     : s->active_count >= PV_MAX_ACTIVE_QUERIES ? "too many queries active"
                                                                : NULL;
   if (why) {
      pv_venus_refuse(c, "%s: %s (query %u)", what, why, query);
      return false;
   }
   s->active[s->active_count++] = (struct pv_vk_active_query){q, query, views, index, q->type};
   return true;
}

/* Checks an end of `query` at stream `index` and takes it off the active queries. */
static bool
query_end(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
          const struct pv_vk_query_pool *q, uint32_t query, uint32_t index)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, cmd);
   if (!cb)
      return false;
   struct pv_vk_cmd_scope *s = &cb->scope;
   struct pv_vk_active_query *aq = active_in(s, q, query, 1);
   const char *why = !aq || aq->query != query || aq->index != index
                        ? "a query not active in this command buffer"
                     : aq->views != pv_vk_query_views(cb)
                        ? "a query begun with another view mask (the host ends one per view)"
                        : NULL;
   if (why) {
      pv_venus_refuse(c, "%s: %s (query %u)", what, why, query);
      return false;
   }
   *aq = s->active[--s->active_count];
   return true;
}

void
pv_guard_CmdResetQueryPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdResetQueryPool *a = args;
   struct pv_vk_query_pool *q;
   if (!pv_guard_queries(c, "vkCmdResetQueryPool", a->queryPool, a->firstQuery, a->queryCount, &q))
      return;
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, a->commandBuffer);
   if (cb && active_in(&cb->scope, q, a->firstQuery, a->queryCount)) {
      pv_venus_refuse(c, "vkCmdResetQueryPool: queries %u..%u hold an active query", a->firstQuery,
                      a->firstQuery + a->queryCount - 1);
      return;
   }
   if (cb && cb->scope.secondary)
      cb->scope.resets_queries = true;
   pv_handle_vkCmdResetQueryPool(c, args);
}

/*
 * Where the host driver frees the queries it resets (lavapipe, which also reads results on its
 * queue's context from the calling thread, after a vkDeviceWaitIdle of its own): the device
 * idle, every queue's submit lock and the query lock held (for a reset exclusively), so that no
 * other ring's submission (or reset) comes between the wait and the call. Nothing is held while
 * waiting: work already submitted may wait for a semaphore another ring has yet to signal, or a
 * result read for work another ring has yet to submit, both legal. False when the context stops
 * first, or another ring destroys the device.
 */
static bool
lock_idle(struct pv_context *ctx, struct pv_vk_device *d, bool exclusive)
{
   for (uint32_t attempt = 0; !pv_venus_stopping(ctx); attempt++) {
      if (attempt >= PV_QUERY_RETRY_YIELDS)
         pv_os_sleep_ns(PV_QUERY_RETRY_SLEEP_NS);
      pv_vk_device_quiesce(ctx, d);
      pv_vk_lock_submitters(d);
      if (d->queue_count && d->queues[0].closed) {
         pv_vk_unlock_submitters(d);
         return false; /* another ring destroys the device: its work is not waited for here */
      }
      if (!pv_vk_device_busy(d) && (exclusive ? pthread_rwlock_trywrlock(&d->query_lock)
                                              : pthread_rwlock_tryrdlock(&d->query_lock)) == 0)
         return true;
      pv_vk_unlock_submitters(d);
      sched_yield();
   }
   return false;
}

/*
 * Runs a host reset (exclusive) or result read of the device's query pools. A host reset frees
 * the queries it resets in lavapipe (and flushes the queue's context when one is still pending,
 * from this thread), and a read runs on that context too, so neither may meet the GPU work that
 * writes them, another ring's submission, nor each other. Vulkan leaves all that to the
 * application (the reset range's submitted commands completed, no vkGetQueryPoolResults of it in
 * another thread): on such a host both wait for the device's submitted work first and keep
 * submissions out (lock_idle), as freeing memory waits (Zink resets this way while its next
 * batch runs: a wait a GPU driver, whose reset only writes query memory, is spared); on every
 * host a reset excludes result reads of the device's pools while it runs.
 */
static void
call_query_locked(struct pv_dispatch_ctx *c, const char *what, VkDevice device, bool exclusive,
                  pv_handler_fn handler, void *args)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   if (!d) {
      pv_venus_refuse(c, "%s: unknown device", what);
      return;
   }
   bool idle = d->pd->frees_reset_queries;
   if (idle && !lock_idle(ctx, d, exclusive)) {
      pv_venus_refuse(c, "%s: the device is being destroyed or the context stops", what);
      return;
   }
   if (!idle && exclusive)
      pthread_rwlock_wrlock(&d->query_lock);
   else if (!idle)
      pthread_rwlock_rdlock(&d->query_lock);
   handler(c, args);
   pthread_rwlock_unlock(&d->query_lock);
   if (idle)
      pv_vk_unlock_submitters(d);
}

void
pv_guard_ResetQueryPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkResetQueryPool *a = args;
   if (pv_guard_queries(c, "vkResetQueryPool", a->queryPool, a->firstQuery, a->queryCount, NULL))
      call_query_locked(c, "vkResetQueryPool", a->device, true, pv_handle_vkResetQueryPool, args);
}

void
pv_guard_GetQueryPoolResults(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetQueryPoolResults *a = args;
   struct pv_vk_query_pool *q;
   if (!pv_guard_queries(c, "vkGetQueryPoolResults", a->queryPool, a->firstQuery, a->queryCount,
                         &q))
      return;
   uint64_t span = 0;
   if (a->queryCount &&
       (__builtin_mul_overflow((uint64_t)a->queryCount - 1, a->stride, &span) ||
        __builtin_add_overflow(span, result_bytes(q, a->flags), &span) || span > a->dataSize ||
        !a->pData)) {
      pv_venus_refuse(c, "vkGetQueryPoolResults: %u queries of stride %llu do not fit in %zu "
                        "bytes",
                     a->queryCount, (unsigned long long)a->stride, a->dataSize);
      return;
   }
   /* lavapipe (22.3 run, 25.0 read; the twelfth reading) answers PARTIAL for a query with no
    * result yet from a result union on its stack of which it zeroes the first word: a pipeline
    * statistics query gave the guest ten words of the queue's stack (code, heap and stack
    * addresses), a transform feedback query one. For every type but occlusion and timestamp
    * (one word) the host is asked without PARTIAL, into zeroed results: an unavailable query
    * then reads 0, a partial value Vulkan allows, and VK_NOT_READY is answered as with it. */
   VkQueryResultFlags flags = a->flags;
   if ((flags & VK_QUERY_RESULT_PARTIAL_BIT) && q->type != VK_QUERY_TYPE_OCCLUSION &&
       q->type != VK_QUERY_TYPE_TIMESTAMP) {
      a->flags &= ~(VkQueryResultFlags)VK_QUERY_RESULT_PARTIAL_BIT;
      if (a->pData)
         memset(a->pData, 0, a->dataSize);
   }
   call_query_locked(c, "vkGetQueryPoolResults", a->device, false,
                     pv_handle_vkGetQueryPoolResults, args);
   a->flags = flags;
}

/*
 * lavapipe (22.3 run, 25.0 read alike: lvp_execute.c handle_copy_query_pool_results) writes a
 * query not begun since its reset, copied WITH_AVAILABILITY, as a memset of `stride` bytes (a
 * pipe_box width, an int), not of its result bytes. Vulkan asks room for each query's results
 * only (VUID-vkCmdCopyQueryPoolResults-dstBuffer-00824), and one query's stride places nothing,
 * so a legal copy zeroed up to the stride past the buffer: measured, a stride of 4096 into a
 * buffer's last 16 bytes zeroed the next buffer's memory; under valgrind an invalid write on
 * the queue thread. A stride past INT32_MAX is a negative width: a memset of nearly 2^64.
 * On such a host (pv_vk_physdev.zeroes_query_stride) the copy is made in two host calls: the
 * records before the last with the guest's stride (each zeroes at most up to the next record),
 * then the last alone with its result bytes as its stride. A stride past INT32_MAX over more
 * than one query is refused (the records before the last would take it).
 */
static bool
copy_split(struct pv_dispatch_ctx *c, struct pv_args_vkCmdCopyQueryPoolResults *a, uint64_t bytes)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, a->commandBuffer);
   if (!cb || !cb->pd || !cb->pd->zeroes_query_stride || a->queryCount == 0 ||
       !(a->flags & VK_QUERY_RESULT_WITH_AVAILABILITY_BIT) || a->stride <= bytes)
      return false;
   if (a->queryCount > 1 && a->stride > INT32_MAX) {
      pv_venus_refuse(c,
                      "vkCmdCopyQueryPoolResults: a stride of %llu with availability over %u "
                      "queries (this host zeroes a stride a query, in an int)",
                      (unsigned long long)a->stride, a->queryCount);
      return true;
   }
   struct pv_args_vkCmdCopyQueryPoolResults head = *a, last = *a;
   head.queryCount = a->queryCount - 1;
   last.firstQuery = a->firstQuery + head.queryCount;
   last.queryCount = 1;
   last.dstOffset = a->dstOffset + (uint64_t)head.queryCount * a->stride; /* checked inside */
   last.stride = bytes;
   /* arguments of our own: made at once, after the calls a recording thread holds (exec.c) */
   if (head.queryCount)
      pv_handle_vkCmdCopyQueryPoolResults(c, &head);
   pv_handle_vkCmdCopyQueryPoolResults(c, &last);
   return true;
}

void
pv_guard_CmdCopyQueryPoolResults(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyQueryPoolResults *a = args;
   struct pv_vk_query_pool *q;
   if (pv_guard_queries(c, "vkCmdCopyQueryPoolResults", a->queryPool, a->firstQuery, a->queryCount,
                        &q) &&
       pv_guard_buffer_records(c, "vkCmdCopyQueryPoolResults", a->dstBuffer, a->dstOffset,
                               a->queryCount, a->stride, result_bytes(q, a->flags)) &&
       !copy_split(c, a, result_bytes(q, a->flags)))
      pv_handle_vkCmdCopyQueryPoolResults(c, args);
}

void
pv_guard_CmdEndQuery(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdEndQuery *a = args;
   struct pv_vk_query_pool *q;
   if (pv_guard_queries(c, "vkCmdEndQuery", a->queryPool, a->query, 1, &q) &&
       query_end(c, "vkCmdEndQuery", a->commandBuffer, q, a->query, 0))
      pv_handle_vkCmdEndQuery(c, args);
}

/*
 * Lavapipe 25 begins (and writes a timestamp to) one query per view of the view mask its state
 * holds, queries[query + i] of a pool that has queryCount (lvp_execute.c handle_begin_query,
 * handle_begin_query_indexed_ext, handle_write_timestamp2): a pool of 1 query begun in a
 * subpass of view mask 0x3f stored 5 queries past it. Inside a render pass instance Vulkan
 * asks for that room (VUID-vkCmdBeginQuery-query-00808, -vkCmdBeginQueryIndexedEXT-query-00808,
 * -vkCmdWriteTimestamp-query-00831, -vkCmdWriteTimestamp2-query-03865); lavapipe also keeps the
 * view mask after the instance ends (handle_end_rendering leaves framebuffer.viewmask), so on
 * such a host a query after it takes as many (pv_vk_physdev.queries_keep_views).
 */
uint32_t
pv_vk_query_views(const struct pv_vk_cmdbuf *cb)
{
   const struct pv_vk_cmd_scope *s = &cb->scope;
   bool counts = s->pass != PV_PASS_NONE || (cb->pd && cb->pd->queries_keep_views);
   return counts && s->views > 1 ? s->views : 1;
}

/* Queries [query, query + views) inside the pool; a secondary not yet in a rendering of its own
 * keeps the room left for the views it will be executed with (vkCmdExecuteCommands). */
static bool
view_queries_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd, VkQueryPool pool,
                uint32_t query, struct pv_vk_query_pool **out)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, cmd);
   struct pv_vk_query_pool *q;
   if (!pv_guard_queries(c, what, pool, query, cb ? pv_vk_query_views(cb) : 1, &q))
      return false;
   struct pv_vk_cmd_scope *s = cb ? &cb->scope : NULL;
   if (s && s->secondary && !s->views_own && (!s->query_room || q->count - query < s->query_room))
      s->query_room = q->count - query;
   if (out)
      *out = q;
   return true;
}

void
pv_guard_CmdBeginQuery(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBeginQuery *a = args;
   struct pv_vk_query_pool *q;
   if (view_queries_ok(c, "vkCmdBeginQuery", a->commandBuffer, a->queryPool, a->query, &q) &&
       query_begin(c, "vkCmdBeginQuery", a->commandBuffer, q, a->query, 0))
      pv_handle_vkCmdBeginQuery(c, args);
}

/* lavapipe writes a timestamp into any pool's query, and a read of a pipeline statistics
 * pool then copies its other counters from an uninitialised result on its stack: ten words of
 * it, a canary and addresses among them, went back (the twelfth reading;
 * VUID-vkCmdWriteTimestamp-queryPool-01416, -vkCmdWriteTimestamp2-queryPool-03861). */
#define PV_TIMESTAMP_GUARD(name)                                                                   \
   void pv_guard_##name(struct pv_dispatch_ctx *c, void *args)                                     \
   {                                                                                               \
      struct pv_args_vk##name *a = args;                                                           \
      struct pv_vk_query_pool *q;                                                                  \
      if (!view_queries_ok(c, "vk" #name, a->commandBuffer, a->queryPool, a->query, &q))           \
         return;                                                                                   \
      if (q->type != VK_QUERY_TYPE_TIMESTAMP)                                                      \
         pv_venus_refuse(c, "vk" #name ": a pool of query type %d, not timestamps", q->type);      \
      else                                                                                         \
         pv_handle_vk##name(c, args);                                                              \
   }

PV_TIMESTAMP_GUARD(CmdWriteTimestamp)
PV_TIMESTAMP_GUARD(CmdWriteTimestamp2)

/* The index of an indexed query is a vertex stream: llvmpipe reads its per-stream counters at
 * that index. Only transform feedback and primitives-generated queries have streams; the
 * others take index 0. */
static bool
query_index_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
               const struct pv_vk_query_pool *q, uint32_t index)
{
   if (index == 0)
      return true; /* every device has stream 0 */
   if (q->type == VK_QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM_EXT ||
       q->type == VK_QUERY_TYPE_PRIMITIVES_GENERATED_EXT)
      return pv_vk_cmd_range_ok(c, what, cmd, index, 1, PV_LIMIT_XFB_STREAMS);
   pv_venus_refuse(c, "%s: index %u of a query type without streams", what, index);
   return false;
}

void
pv_guard_CmdBeginQueryIndexedEXT(struct pv_dispatch_ctx *c, void *args)
{
   static const char what[] = "vkCmdBeginQueryIndexedEXT";
   struct pv_args_vkCmdBeginQueryIndexedEXT *a = args;
   struct pv_vk_query_pool *q;
   if (view_queries_ok(c, what, a->commandBuffer, a->queryPool, a->query, &q) &&
       query_index_ok(c, what, a->commandBuffer, q, a->index) &&
       query_begin(c, what, a->commandBuffer, q, a->query, a->index))
      pv_handle_vkCmdBeginQueryIndexedEXT(c, args);
}

void
pv_guard_CmdEndQueryIndexedEXT(struct pv_dispatch_ctx *c, void *args)
{
   static const char what[] = "vkCmdEndQueryIndexedEXT";
   struct pv_args_vkCmdEndQueryIndexedEXT *a = args;
   struct pv_vk_query_pool *q;
   if (pv_guard_queries(c, what, a->queryPool, a->query, 1, &q) &&
       query_index_ok(c, what, a->commandBuffer, q, a->index) &&
       query_end(c, what, a->commandBuffer, q, a->query, a->index))
      pv_handle_vkCmdEndQueryIndexedEXT(c, args);
}
