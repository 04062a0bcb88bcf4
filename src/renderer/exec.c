/* SPDX-License-Identifier: MIT */
/*
 * The stream executor (exec.h): runs guest command bytes through the generated dispatch with the
 * context's object hooks and reply stream. A decode error or a guest error in a handler makes
 * the context lost; the rest of that stream is dropped (its framing can no longer be trusted),
 * later streams are decoded in lost mode so every waiting guest still gets an answer.
 */
#include "renderer/exec.h"

#include <stdlib.h>
#include <string.h>

#include "renderer/capture.h"
#include "renderer/context.h"
#include "renderer/crash_guard.h"
#include "renderer/family.h"
#include "renderer/recorder.h"
#include "renderer/renderer.h"
#include "renderer/ring.h"
#include "util/log.h"

/* Per command: decoded structs, arrays and strings. Large enough for the biggest legitimate
 * command (a 64 MiB vkCmdUpdateBuffer is impossible: 65536 bytes max; the largest are
 * pipeline creates and descriptor updates), small enough that a hostile count fails fast. */
#define PV_EXEC_ARENA_CAP ((size_t)256 << 20)
/* Decode temporaries kept for the recording thread's pending calls before the path's thread
 * waits for them (recorder.h): a command buffer of a few thousand commands. */
#define PV_EXEC_HELD_MAX ((size_t)1 << 20)
/* Entries of the per-command object arrays kept after a command that named more. */
#define PV_EXEC_NAMED_KEEP 4096u

void
pv_exec_budget_init(struct pv_cs_arena_budget *b, uint64_t blob_quota)
{
   /* Every legitimate temporary is backed by guest blob bytes: the stream it was decoded from,
    * or the reply space its output goes to. So all paths of a context together never need more
    * than the context may allocate as blobs (and never more than one command's cap). */
   atomic_init(&b->used, 0);
   b->cap = blob_quota < PV_EXEC_ARENA_CAP ? (size_t)blob_quota : PV_EXEC_ARENA_CAP;
}

static void
note_named_object(struct pv_exec *x, int32_t type, uint64_t id)
{
   switch (type) {
   case VK_OBJECT_TYPE_DEVICE:
      if (!x->last_device)
         x->last_device = id;
      break;
   case VK_OBJECT_TYPE_PHYSICAL_DEVICE:
      if (!x->last_physical_device)
         x->last_physical_device = id;
      break;
   case VK_OBJECT_TYPE_COMMAND_POOL:
      x->last_command_pool = id;
      break;
   case VK_OBJECT_TYPE_DESCRIPTOR_POOL:
      x->last_descriptor_pool = id;
      break;
   default:
      break;
   }
}

static void
remember_named(struct pv_exec *x, struct pv_object *o)
{
   if (x->named.count == x->named.cap) {
      uint32_t cap = x->named.cap ? x->named.cap * 2 : 16;
      struct pv_object **n = cap > x->named.cap ? realloc(x->named.objs, cap * sizeof(*n)) : NULL;
      if (!n) {
         x->named_incomplete = true;
         return;
      }
      x->named.objs = n;
      x->named.cap = cap;
   }
   x->named.objs[x->named.count++] = o;
}

/* Lost mode: what a lookup found (or not); an entry that does not fit is left out, which a
 * lost handler sees as an unknown id (it then only tells the guest less). */
static void
remember_lost(struct pv_exec *x, int32_t type, struct pv_object *o)
{
   if (x->lost_count == x->lost_cap) {
      uint32_t cap = x->lost_cap ? x->lost_cap * 2 : 16;
      struct pv_lost_ref *n = cap > x->lost_cap ? realloc(x->lost_named, cap * sizeof(*n)) : NULL;
      if (!n)
         return;
      x->lost_named = n;
      x->lost_cap = cap;
   }
   x->lost_named[x->lost_count++] = (struct pv_lost_ref){type, o};
}

/* Object types note_named_object remembers (VkObjectType values below 32). */
#define PV_NOTED_TYPES                                                                             \
   ((1u << VK_OBJECT_TYPE_DEVICE) | (1u << VK_OBJECT_TYPE_PHYSICAL_DEVICE) |                       \
    (1u << VK_OBJECT_TYPE_COMMAND_POOL) | (1u << VK_OBJECT_TYPE_DESCRIPTOR_POOL))

static inline bool
is_noted_type(int32_t type)
{
   return (uint32_t)type < 32 && (PV_NOTED_TYPES >> type) & 1u;
}

/* holds.h, inline for the common case: the command buffer the path's last vkCmd* kept. */
static inline bool
hold_named(struct pv_exec *x, struct pv_object *o, int32_t type)
{
   x->cmdbufs_held += type == VK_OBJECT_TYPE_COMMAND_BUFFER; /* the kept one counts too */
   if (__builtin_expect(o == x->parked.obj, 1)) {
      x->parked_used = true; /* exclusive: covers what this command wants too */
      return true;
   }
   return pv_hold_named_slow(x, o, pv_hold_wants_exclusive(x, type));
}

static inline void
end_command_holds(struct pv_exec *x, uint32_t mark, int32_t type)
{
   if (__builtin_expect(x->parked_used && x->hold_count == mark, 1))
      x->parked_used = false; /* recorded into the kept one only: keep it for the next */
   else
      pv_holds_end_command_slow(x, mark, type);
}

/* Object types a command holds while it runs (holds.h; VkObjectType values below 32): the
 * first four by every command naming them, fences, events and semaphores by a few
 * (PV_HOLD_SYNC_*, PV_HOLD_SEMAPHORES_*). */
#define PV_SYNC_HELD_TYPES                                                                         \
   ((1u << VK_OBJECT_TYPE_FENCE) | (1u << VK_OBJECT_TYPE_EVENT) | (1u << VK_OBJECT_TYPE_SEMAPHORE))
#define PV_HELD_TYPES                                                                              \
   ((1u << VK_OBJECT_TYPE_COMMAND_BUFFER) | (1u << VK_OBJECT_TYPE_DESCRIPTOR_SET) |                \
    (1u << VK_OBJECT_TYPE_COMMAND_POOL) | (1u << VK_OBJECT_TYPE_DESCRIPTOR_POOL) |                 \
    PV_SYNC_HELD_TYPES)

static inline bool
is_held_type(const struct pv_exec *x, int32_t type)
{
   if ((uint32_t)type >= 32 || !((PV_HELD_TYPES >> type) & 1u))
      return false;
   if (__builtin_expect(!((PV_SYNC_HELD_TYPES >> type) & 1u), 1))
      return true;
   int32_t cmd = x->dispatch.type;
   uint8_t kinds = type == VK_OBJECT_TYPE_SEMAPHORE
                      ? PV_HOLD_SEMAPHORES_SHARED | PV_HOLD_SEMAPHORES_EXCLUSIVE
                      : PV_HOLD_SYNC_SHARED | PV_HOLD_SYNC_EXCLUSIVE;
   return cmd >= 0 && (x->ctx->hold_kinds[cmd] & kinds);
}

/* Everything hook_lookup's fast path leaves out: a cache miss (the table and its lock), lost
 * mode, a full named array, the types new objects take their parent from. */
static __attribute__((noinline)) bool
lookup_slow(struct pv_exec *x, uint64_t id, int32_t type, uint64_t *host)
{
   struct pv_object *o = pv_object_table_find_cached(&x->ctx->objects, &x->lookups, id, type);
   if (x->dispatch.lost && id)
      remember_lost(x, type, o);
   if (!o && x->dispatch.lost && id) {
      /* Lost mode runs no host call: an id the guest made after the loss (its create was
       * skipped) decodes as no object, so the stream stays in step for the lost handlers. */
      *host = 0;
      return true;
   }
   if (!o)
      return false;
   if (is_held_type(x, type) && !x->dispatch.lost && !hold_named(x, o, type))
      return false;
   note_named_object(x, type, id);
   remember_named(x, o);
   if (o->vk)
      x->dispatch.vk = o->vk;
   *host = o->host;
   return true;
}

/* Every object id of every command comes here (pv_cs_read_id): the common case (a cached id,
 * room in `named`, not lost, no parent to note) stays a leaf function without the table lock. */
static bool
hook_lookup(void *data, uint64_t id, int32_t type, uint64_t *host)
{
   struct pv_exec *x = data;
   struct pv_object *o = pv_object_cache_peek(&x->ctx->objects, &x->lookups, id, type);
   if (__builtin_expect(
          !o || x->dispatch.lost || x->named.count == x->named.cap || is_noted_type(type), 0))
      return lookup_slow(x, id, type, host);
   if (is_held_type(x, type) && !hold_named(x, o, type))
      return false;
   x->named.objs[x->named.count++] = o;
   if (o->vk)
      x->dispatch.vk = o->vk;
   *host = o->host;
   return true;
}

/* The object that frees a new object implicitly (venus.h, struct pv_object.parent). */
static uint64_t
parent_of_new(const struct pv_exec *x, int32_t type)
{
   if (type == VK_OBJECT_TYPE_COMMAND_BUFFER)
      return x->last_command_pool;
   if (type == VK_OBJECT_TYPE_DESCRIPTOR_SET)
      return x->last_descriptor_pool;
   return x->last_device ? x->last_device : x->ctx->host.instance_id;
}

static bool
hook_created(void *data, int32_t type, uint64_t id, uint64_t host)
{
   struct pv_exec *x = data;
   uint64_t parent = parent_of_new(x, type);
   struct pv_object *o = pv_object_table_add(&x->ctx->objects, type, id, host, parent);
   if (!o)
      return false;
   /* pools and command buffers use their device's entry points */
   struct pv_object *p = parent ? pv_object_table_find(&x->ctx->objects, parent,
                                                       type == VK_OBJECT_TYPE_COMMAND_BUFFER
                                                          ? VK_OBJECT_TYPE_COMMAND_POOL
                                                          : VK_OBJECT_TYPE_DEVICE)
                                : NULL;
   o->vk = p ? p->vk : NULL;
   return true;
}

/* The object of `type` this command named as `host`: a host driver may hand a freed handle to
 * an object another ring creates at the same time, which a lookup by handle could find instead. */
static struct pv_object *
named_by_host(struct pv_exec *x, int32_t type, uint64_t host)
{
   for (uint32_t i = 0; i < x->named.count; i++)
      if (x->named.objs[i]->type == type && x->named.objs[i]->host == host)
         return x->named.objs[i];
   return pv_object_table_find_host(&x->ctx->objects, type, host);
}

static bool
hook_claim(void *data, int32_t type, uint64_t host)
{
   struct pv_exec *x = data;
   if (x->dispatch.lost)
      return true; /* no host call; lost.c keeps its own objects */
   return pv_object_claim(named_by_host(x, type, host));
}

static void
hook_destroyed(void *data, int32_t type, uint64_t host)
{
   struct pv_exec *x = data;
   struct pv_object *o = named_by_host(x, type, host);
   if (!o)
      return;
   /* children the host freed with it (sets of a pool, buffers of a pool) */
   pv_object_table_remove_children(&x->ctx->objects, x->ctx, o->id, -1);
   pv_object_table_remove_exact(&x->ctx->objects, x->ctx, o);
}

/* A host destroy waiting for the other paths (pv_dispatch_ctx.destroy_later). */
struct pv_later_destroy {
   struct pv_reclaim_item item;
   pv_host_destroy_fn call;
   pv_host_fn fn;
   uint64_t parent, victim;
   unsigned again; /* times it is handed over again before it runs (pv_venus_host_destroy_last) */
};

static void
later_destroy_run(struct pv_context *ctx, struct pv_reclaim_item *item)
{
   struct pv_later_destroy *d =
      (struct pv_later_destroy *)((char *)item - offsetof(struct pv_later_destroy, item));
   if (d->again) {
      d->again--;
      pv_reclaim_defer(&ctx->reclaim, &d->item);
      return;
   }
   d->call(d->fn, d->parent, d->victim);
   free(d);
}

static void
destroy_later(struct pv_context *ctx, const struct pv_later_destroy *what)
{
   struct pv_later_destroy *d = malloc(sizeof(*d));
   if (!d) {
      what->call(what->fn, what->parent, what->victim); /* no memory: now, as without other paths */
      return;
   }
   *d = *what;
   d->item.free = later_destroy_run;
   pv_reclaim_defer(&ctx->reclaim, &d->item);
}

/* The object left the table with this command; a command another ring began before may still
 * hand its handle to the host driver, so the host destroy waits with the entry (venus.h). */
void
pv_venus_host_destroy_later(struct pv_context *ctx, pv_host_destroy_fn call, pv_host_fn fn,
                            uint64_t parent, uint64_t victim, bool quota)
{
   destroy_later(
      ctx, &(struct pv_later_destroy){
              .item.quota = quota, .call = call, .fn = fn, .parent = parent, .victim = victim});
}

void
pv_venus_host_destroy_last(struct pv_context *ctx, pv_host_destroy_fn call, pv_host_fn fn,
                           uint64_t parent, uint64_t victim, unsigned levels)
{
   destroy_later(ctx,
                 &(struct pv_later_destroy){
                    .call = call, .fn = fn, .parent = parent, .victim = victim, .again = levels});
}

static void
exec_destroy_later(struct pv_dispatch_ctx *c, pv_host_destroy_fn call, pv_host_fn fn,
                   uint64_t parent, uint64_t victim, bool quota)
{
   struct pv_exec *x = c->user;
   pv_venus_host_destroy_later(x->ctx, call, fn, parent, victim, quota);
}

static bool
hook_admit(void *data, int32_t type, uint64_t count)
{
   (void)type;
   struct pv_exec *x = data;
   /* removed ones another path may still hold count until they are freed (reclaim.h) */
   uint64_t live = pv_object_table_count(&x->ctx->objects) + pv_reclaim_pending(&x->ctx->reclaim);
   if (count <= x->ctx->max_objects && live <= x->ctx->max_objects - count)
      return true;
   pv_warn_limited("context '%s': object quota of %llu reached", x->ctx->name,
                   (unsigned long long)x->ctx->max_objects);
   return false;
}

struct pv_object *
pv_venus_lost_named(struct pv_dispatch_ctx *c, int32_t type, uint32_t nth)
{
   struct pv_exec *x = c->user;
   for (uint32_t i = 0; i < x->lost_count; i++)
      if (x->lost_named[i].type == type && nth-- == 0)
         return x->lost_named[i].obj;
   return NULL;
}

_Static_assert(offsetof(struct pv_exec, named) == 0,
               "pv_venus_object (venus.h) reads the named objects at the start of struct pv_exec");

struct pv_object *
pv_venus_object_by_host(struct pv_dispatch_ctx *c, int32_t type, uint64_t host)
{
   struct pv_exec *x = c->user;
   return pv_object_find_host(x->ctx, type, host);
}

bool
pv_venus_hold_children(struct pv_dispatch_ctx *c, uint64_t pool_id, int32_t type)
{
   struct pv_exec *x = c->user;
   if (c->lost || !pool_id)
      return true;
   uint64_t *ids;
   bool complete;
   size_t n =
      pv_object_table_list_children_checked(&x->ctx->objects, pool_id, type, &ids, &complete);
   bool ok = complete;
   if (!complete)
      pv_cs_status_fatal(x->dec.status, "out of memory listing a pool's objects to hold");
   for (size_t i = 0; ok && i < n; i++) {
      /* one freed meanwhile by another ring is not the pool's any more */
      struct pv_object *o = pv_object_table_find(&x->ctx->objects, ids[i], type);
      ok = !o || pv_hold_named_slow(x, o, true);
   }
   free(ids);
   return ok;
}

bool
pv_venus_hold(struct pv_dispatch_ctx *c, int32_t type, const uint64_t *hosts, uint32_t n,
              bool exclusive, uint32_t *mark)
{
   struct pv_exec *x = c->user;
   *mark = x->hold_count;
   bool ok = true;
   for (uint32_t i = 0; ok && i < n; i++) {
      struct pv_object *o = pv_venus_object(c, type, hosts[i]);
      ok = !o || pv_hold_named_slow(x, o, exclusive);
   }
   if (!ok)
      pv_holds_release(x, *mark);
   return ok;
}

void
pv_venus_release_holds(struct pv_dispatch_ctx *c, uint32_t mark)
{
   pv_holds_release(c->user, mark);
}

bool
pv_venus_hold_wanted(struct pv_dispatch_ctx *c, int32_t type, const uint64_t *hosts, uint32_t n)
{
   for (uint32_t i = 0; i < n; i++) {
      struct pv_object *o = pv_venus_object(c, type, hosts[i]);
      if (o && atomic_load_explicit(&o->wanted, memory_order_relaxed))
         return true;
   }
   return false;
}

struct pv_object *
pv_venus_find(struct pv_dispatch_ctx *c, uint64_t id, int32_t type)
{
   struct pv_exec *x = c->user;
   return id ? pv_object_table_find_cached(&x->ctx->objects, &x->lookups, id, type) : NULL;
}

/* The reply resource is referenced from reply_begin to reply_end: the transport thread may
 * switch the reply stream (and the guest unref its blob) while this path writes a reply. */
static struct pv_cs_encoder *
reply_begin(struct pv_dispatch_ctx *c)
{
   struct pv_exec *x = c->user;
   struct pv_reply_stream *r = x->reply;
   pthread_mutex_lock(&r->lock);
   bool have = r->base != NULL && r->res != NULL;
   if (have) {
      pv_resource_ref(r->res);
      x->reply_res = r->res;
      x->reply_start = r->base + r->pos;
      pv_cs_encoder_init(&x->reply_enc, r->base + r->pos, (size_t)(r->size - r->pos), &x->status);
   }
   pthread_mutex_unlock(&r->lock);
   return have ? &x->reply_enc : NULL;
}

static void
reply_end(struct pv_dispatch_ctx *c, struct pv_cs_encoder *enc)
{
   struct pv_exec *x = c->user;
   struct pv_reply_stream *r = x->reply;
   /* The reply must be visible before the guest can see the command done (head or sync). */
   atomic_thread_fence(memory_order_release);
   pthread_mutex_lock(&r->lock);
   /* only if the stream is still the one written to */
   bool same = r->res == x->reply_res && r->base && enc->cur >= r->base &&
               enc->cur <= r->base + r->size;
   if (same)
      r->pos = (uint64_t)(enc->cur - r->base);
   pthread_mutex_unlock(&r->lock);
   if (pv_capture_active(x->ctx) && same && enc->cur >= x->reply_start)
      pv_capture_reply(x, x->reply_start, enc->cur);
   pv_resource_put(x->reply_res);
   x->reply_res = NULL;
   pv_stat_add(&x->stats.replies, 1);
}

/* The codec refused a well-formed command's values (codegen/data/quirks.json rules): the
 * context is lost as for a guard's refusal, and the stream goes on in lost mode so the guest
 * is told (a wire-0 guest's fence feedback may follow in the same stream). */
static void
decode_refused(struct pv_dispatch_ctx *c, const char *why)
{
   struct pv_exec *x = c->user;
   pv_context_set_lost(x->ctx, "refused: %s", why);
}

/*
 * Waits until the recording thread made every call handed to it, so the arena may be reset, a
 * command that is not a vkCmd* may run, and head may move past them. A host crash on that thread
 * loses the context here, as one on this thread does (recover_from_crash).
 */
static void
settle_recorder(struct pv_exec *x)
{
   if (!x->dispatch.arena_held)
      return;
   int sig = pv_recorder_wait(x->recorder);
   x->dispatch.arena_held = false;
   pv_holds_release_deferred(x);
   if (sig) {
      atomic_store(&x->ctx->host_crashed, true);
      pv_context_set_lost(x->ctx,
                          "the host driver crashed (signal %d) recording for this context; "
                          "it is not called again",
                          sig);
      x->dispatch.lost = true;
   }
   if (x->has_unpublished) {
      x->has_unpublished = false;
      x->command_done(x, x->unpublished);
   }
}

void
pv_exec_settle_recorder(struct pv_exec *x)
{
   settle_recorder(x);
}

/* pv_dispatch_ctx.defer: a vkCmd* whose checks passed; its arguments stay in the arena. */
static bool
defer_call(struct pv_dispatch_ctx *c, pv_host_call_fn call, void *args)
{
   struct pv_exec *x = c->user;
   if (x->may_defer && args == c->args) {
      pv_recorder_push(x->recorder, call, c->vk, args);
      c->arena_held = true;
      pv_stat_add(&x->stats.recorded, 1);
      return true;
   }
   /* Arguments of the handler's own (not the decoded command's): made now, after the rest. */
   settle_recorder(x);
   return atomic_load(&x->ctx->host_crashed); /* true: dropped, the driver is not called */
}

/* Before each top-level or nested command (type and flags peeked) of a renderer whose paths
 * record on threads of their own: whether its host call may be deferred, and if not, this
 * path's pending calls made first; before a free, a reset or a submission, every path's. */
static void
before_command(struct pv_exec *x, int32_t type, uint32_t flags)
{
   const struct pv_protocol_table *t = x->ctx->table;
   uint8_t kind =
      type >= 0 && (uint32_t)type < t->count ? x->ctx->record_kinds[type] : PV_RECORD_WAITS;
   x->record_run = kind == PV_RECORD_DEFERS ? x->record_run + 1 : 0;
   x->may_defer = x->recorder && x->record_run > x->ctx->renderer->record_min_run &&
                  !(flags & PV_COMMAND_GENERATE_REPLY) && !pv_capture_active(x->ctx) &&
                  x->dec.arena->used_total < PV_EXEC_HELD_MAX;
   if (!x->may_defer)
      settle_recorder(x);
   if (kind == PV_RECORD_SETTLES)
      pv_ring_settle_recorders(x->ctx);
}

/* pv_dispatch_ctx.before: the command's type and flags as the decoder read them, once. */
static void
hook_before(struct pv_dispatch_ctx *c, int32_t type, uint32_t flags)
{
   struct pv_exec *x = c->user;
   before_command(x, type, flags);
   c->lost = atomic_load(&x->ctx->lost);
}

void
pv_exec_init(struct pv_exec *x, struct pv_context *ctx, struct pv_ring *ring)
{
   memset(x, 0, sizeof(*x));
   x->ctx = ctx;
   x->ring = ring;
   pv_exec_stats_init(&x->stats);
   pthread_mutex_init(&x->own_reply.lock, NULL);
   x->reply = ctx->wire_format == 0 ? &ctx->reply : &x->own_reply;
   pv_cs_arena_init(&x->arena, PV_EXEC_ARENA_CAP);
   pv_cs_arena_init(&x->nested_arena, PV_EXEC_ARENA_CAP);
   pv_cs_arena_set_budget(&x->arena, &ctx->arena_budget);
   pv_cs_arena_set_budget(&x->nested_arena, &ctx->arena_budget);
   x->hooks = (struct pv_cs_hooks){.lookup = hook_lookup,
                                   .created = hook_created,
                                   .destroyed = hook_destroyed,
                                   .claim = hook_claim,
                                   .admit = hook_admit,
                                   .data = x};
   x->dispatch = (struct pv_dispatch_ctx){
      .dec = &x->dec,
      .reply_begin = reply_begin,
      .reply_end = reply_end,
      .destroy_later = exec_destroy_later,
      .vk = &ctx->host.vk,
      .overrides = ctx->overrides,
      .lost_handlers = ctx->lost_handlers,
      .override_count = ctx->table->count,
      .check = ctx->renderer->family->command_check,
      .check_classes = ctx->renderer->family->command_check ? ctx->check_classes : NULL,
      .on_refused = decode_refused,
      .user = x,
   };
   x->named_min = ctx->renderer->family->command_named ? ctx->named_min : NULL;
   pv_reclaim_join(&ctx->reclaim, &x->reader);
   x->records = ctx->renderer->record_min_run != PV_RECORDER_OFF;
   if (x->records) {
      x->dispatch.before = hook_before;
      x->recorder = pv_recorder_start(ctx->renderer->config.contain_host_crashes);
      if (x->recorder)
         x->dispatch.defer = defer_call;
   }
}

void
pv_exec_fini(struct pv_exec *x)
{
   if (x->recorder)
      pv_recorder_stop(x->recorder);
   pv_holds_release_deferred(x); /* none: every stream ends settled */
   free(x->deferred);
   pv_reclaim_leave(&x->ctx->reclaim, &x->reader);
   pv_cs_arena_fini(&x->arena);
   pv_cs_arena_fini(&x->nested_arena);
   free(x->named.objs);
   free(x->lost_named);
   free(x->holds);
   free(x->hold_index);
   pv_resource_put(x->own_reply.res);
   pthread_mutex_destroy(&x->own_reply.lock);
}

/* A command that named millions of ids (a count is the guest's) does not leave this path
 * holding arrays for them: the next command starts from a small one. */
static __attribute__((noinline)) void
shrink_named(struct pv_exec *x)
{
   if (x->named.cap > PV_EXEC_NAMED_KEEP) {
      free(x->named.objs);
      x->named.objs = NULL;
      x->named.cap = 0;
   }
   if (x->lost_cap > PV_EXEC_NAMED_KEEP) {
      free(x->lost_named);
      x->lost_named = NULL;
      x->lost_cap = 0;
   }
   if (x->hold_cap > PV_EXEC_NAMED_KEEP && x->hold_count == 0) {
      free(x->holds);
      x->holds = NULL;
      x->hold_cap = 0;
      free(x->hold_index); /* empty now: no holds */
      x->hold_index = NULL;
      x->hold_index_cap = 0;
   }
   if (x->deferred_cap > PV_EXEC_NAMED_KEEP && x->deferred_count == 0) {
      free(x->deferred);
      x->deferred = NULL;
      x->deferred_cap = 0;
   }
}

static void
reset_command_state(struct pv_exec *x)
{
   if (__builtin_expect(x->named.cap > PV_EXEC_NAMED_KEEP || x->lost_cap > PV_EXEC_NAMED_KEEP ||
                           x->hold_cap > PV_EXEC_NAMED_KEEP || x->deferred_cap > PV_EXEC_NAMED_KEEP,
                        0))
      shrink_named(x);
   x->last_device = x->last_command_pool = x->last_descriptor_pool = 0;
   x->last_physical_device = 0;
   x->named.count = 0;
   x->named.checked = NULL;
   x->lost_count = 0;
   x->named_incomplete = false;
   x->cmdbufs_held = 0;
   x->dispatch.vk = &x->ctx->host.vk;
}

/* `--log-level debug`: one line per command, to see where a guest is stuck. */
static void
trace_command(const struct pv_exec *x)
{
   int32_t type;
   if (pv_cs_remaining(&x->dec) < sizeof(type))
      return;
   memcpy(&type, x->dec.cur, sizeof(type));
   const struct pv_protocol_table *t = x->ctx->table;
   const char *name = type >= 0 && (uint32_t)type < t->count ? t->entries[type].name : NULL;
   pv_dbg("%s%s: %s (%d)", x->ring ? "ring" : "context", x->nested ? "/stream" : "",
          name ? name : "?", type);
}

/* Runs commands from x->dec until it is empty or fatal. */
static bool
run_decoder(struct pv_exec *x)
{
   bool trace = pv_log_get_level() >= PV_LOG_DEBUG;
   while (pv_cs_remaining(&x->dec) > 0) {
      /* The client is gone: queued work would only keep its process busy (wait.c). Dropping it
       * is no loss: nobody is left to tell. */
      if (atomic_load_explicit(&x->ctx->stopping, memory_order_relaxed))
         return !atomic_load(&x->ctx->lost);
      if (!x->nested) {
         x->cmd_start = x->dec.cur; /* where a crash in this command resumes (crash_guard.h) */
         /* The last command's objects are let go (a nested stream is inside its command),
          * unless the recording thread has yet to make calls of earlier commands: those still
          * use what the commands found, so frees wait for the recorder's next settle. */
         if (!x->dispatch.arena_held)
            pv_reclaim_quiesce(&x->ctx->reclaim, &x->reader);
      }
      if (trace)
         trace_command(x);
      reset_command_state(x);
      x->dispatch.lost = atomic_load(&x->ctx->lost);
      /* A look at the type word for the statistics and a capture only: a nested stream lies in
       * memory the guest can still write, so everything that acts on the command takes the
       * type the decoder read and validated (dispatch.type, the `before` hook). */
      int32_t peeked = -1;
      if (pv_cs_remaining(&x->dec) >= sizeof(peeked))
         memcpy(&peeked, x->dec.cur, sizeof(peeked));
      pv_stat_add(&x->stats.commands, 1);
#ifndef PV_NO_STATS_COUNTERS
      atomic_store_explicit(&x->stats.last_command, peeked, memory_order_relaxed);
#endif
      if (pv_capture_active(x->ctx))
         pv_capture_before_command(x, peeked);
      /* A kept hold never reaches a command that may wait. The peeked type is the guest's to
       * change under us: a lie only keeps its own command buffer held longer. */
      if (x->parked.obj && !(peeked >= 0 && (uint32_t)peeked < x->ctx->table->count &&
                             (x->ctx->hold_kinds[peeked] & PV_HOLD_RECORDS)))
         pv_holds_unpark(x);
      /* a nested command's holds: the outer one keeps its own */
      uint32_t outer_mark = x->cmd_hold_mark, holds_before = x->hold_count;
      x->cmd_hold_mark = holds_before;
      bool ok = pv_protocol_execute_one(&x->dispatch, x->ctx->table);
      end_command_holds(x, holds_before, x->dispatch.type);
      x->cmd_hold_mark = outer_mark;
      if (!ok) {
         pv_context_set_lost(x->ctx, "%s", x->status.reason);
         return false;
      }
      int32_t type = x->dispatch.type; /* execute_one succeeded: it indexes the table */
      if (pv_capture_active(x->ctx))
         pv_capture_after_command(x, type);
      if (x->named_incomplete) {
         pv_context_set_lost(x->ctx, "out of memory tracking the objects a command names");
         return false;
      }
      uint8_t min = x->named_min && type >= 0 ? x->named_min[type] : 0;
      if (min && x->named.count >= min && !x->dispatch.lost)
         x->ctx->renderer->family->command_named(x->ctx, type, x->named.objs, x->named.count);
      if (x->command_done && !x->nested) {
         size_t consumed = (size_t)(x->dec.cur - x->run_start);
         if (x->dispatch.arena_held) {
            x->unpublished = consumed;
            x->has_unpublished = true;
         } else {
            x->command_done(x, consumed);
         }
      }
   }
   return !atomic_load(&x->ctx->lost);
}

/*
 * The host driver crashed (a fatal signal) inside the command at x->cmd_start, possibly inside a
 * nested stream. The context is lost and the host driver is never called again; the command is
 * decoded once more in lost mode so the guest gets its answer (crash_guard.h).
 */
static void
recover_from_crash(struct pv_exec *x, int sig)
{
   x->nested = false;
   x->dec.cur = x->cmd_start;
   x->dec.end = x->run_end;
   x->dec.arena = &x->arena;
   x->status.fatal = false;
   x->status.reason[0] = '\0';
   pv_holds_release(x, 0); /* the crashed command's, and an outer one's */
   pv_holds_unpark(x);
   x->cmd_hold_mark = 0;
   atomic_store(&x->ctx->host_crashed, true);
   pv_context_set_lost(x->ctx,
                       "the host driver crashed (signal %d) in a call for this context; "
                       "it is not called again",
                       sig);
}

static bool
run_guarded(struct pv_exec *x)
{
   sigjmp_buf jb;
   sigjmp_buf *volatile prev = pv_crash_guard_arm(&jb);
   int sig = sigsetjmp(jb, 0);
   if (sig != 0) {
      /* Lost mode makes no host calls: a fault from here on is ours and ends the process. */
      pv_crash_guard_arm(prev);
      recover_from_crash(x, sig);
      run_decoder(x); /* the rest of the stream, in lost mode */
      return false;
   }
   bool ok = run_decoder(x);
   pv_crash_guard_arm(prev);
   return ok;
}

static bool
exec_run(struct pv_exec *x, const void *data, size_t size)
{
   /* Every stream starts clean: a lost context still decodes later streams (lost mode). */
   x->status.fatal = false;
   x->status.reason[0] = '\0';
   x->run_start = data;
   x->run_end = (const uint8_t *)data + size;
   pv_stat_add(&x->stats.bytes, size);
#ifndef PV_NO_STATS_COUNTERS
   /* One shared increment per stream (not per command) says which path ran last. */
   atomic_store_explicit(&x->stats.last_run,
                         atomic_fetch_add_explicit(&x->ctx->run_counter, 1, memory_order_relaxed),
                         memory_order_relaxed);
#endif
   pv_cs_decoder_init(&x->dec, data, size, &x->arena, &x->status, &x->hooks);
   x->record_run = 0;
   pv_reclaim_enter(&x->ctx->reclaim, &x->reader);
   bool ok = pv_crash_guard_active() && !x->ctx->host_crashed ? run_guarded(x) : run_decoder(x);
   pv_holds_unpark(x); /* the ring may wait for the guest now */
   if (x->recorder) {
      /* Nothing pending outlives the stream: the ring publishes head when it returns. */
      settle_recorder(x);
      pv_cs_arena_reset(&x->arena);
      ok = ok && !atomic_load(&x->ctx->lost);
   }
   pv_reclaim_exit(&x->ctx->reclaim, &x->reader);
   return ok;
}

bool
pv_exec_run(struct pv_exec *x, const void *data, size_t size)
{
   /* Recording off: this one branch is all capture costs a stream. */
   if (!pv_capture_active(x->ctx))
      return exec_run(x, data, size);
   pv_capture_stream_begin(x, data, size);
   bool ok = exec_run(x, data, size);
   pv_capture_stream_end(x);
   return ok;
}

bool
pv_exec_run_nested(struct pv_exec *x, const void *data, size_t size)
{
   struct pv_cs_decoder saved = x->dec;
   x->nested = true;
   pv_stat_add(&x->stats.bytes, size);
   pv_cs_decoder_init(&x->dec, data, size, &x->nested_arena, &x->status, &x->hooks);
   bool ok = run_decoder(x);
   pv_holds_unpark(x); /* the outer command is no vkCmd* */
   if (x->recorder) {
      /* The executing command's head must not move past the stream's calls. */
      settle_recorder(x);
      pv_cs_arena_reset(&x->nested_arena);
      ok = ok && !atomic_load(&x->ctx->lost);
   }
   x->nested = false;
   /* The outer decoder's arena still holds the outer command's args. */
   x->dec.cur = saved.cur;
   x->dec.end = saved.end;
   x->dec.arena = saved.arena;
   return ok;
}
