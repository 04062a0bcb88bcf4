/* SPDX-License-Identifier: MIT */
/* Object lifetime against GPU work: see lifetime.h. */
#include "vk/lifetime.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "util/log.h"
#include "util/os.h"
#include "vk/pv_vk.h"

/* ----- reference sets ----------------------------------------------------------------------- */

#define PV_REFSET_MAX_CAP (1u << 26)

struct pv_vk_refblock {
   struct pv_reclaim_item outgrown; /* when a larger block replaced it */
   uint32_t cap;
   struct pv_vk_ref_entry v[];
};

static void
refblock_reclaimed(struct pv_context *ctx, struct pv_reclaim_item *item)
{
   (void)ctx;
   free((char *)item - offsetof(struct pv_vk_refblock, outgrown));
}

static bool
refset_grow(struct pv_context *ctx, struct pv_vk_refset *s)
{
   struct pv_vk_refblock *old = atomic_load_explicit(&s->blk, memory_order_relaxed);
   uint32_t had = old ? old->cap : 0;
   uint32_t cap = had ? had * 2 : 16;
   /* 2^25 distinct objects in one command buffer, far past the default object quota: refused
    * (a no-memory failure, so the command buffer is broken) rather than grown, which also keeps
    * the size far from overflowing where size_t has 32 bits */
   if (cap > PV_REFSET_MAX_CAP)
      return false;
   struct pv_vk_refblock *b = calloc(1, sizeof(*b) + sizeof(b->v[0]) * cap);
   if (!b)
      return false;
   b->cap = cap;
   for (uint32_t i = 0; i < had; i++) {
      if (!old->v[i].serial)
         continue;
      uint32_t j = (uint32_t)old->v[i].serial & (cap - 1);
      while (b->v[j].serial)
         j = (j + 1) & (cap - 1);
      b->v[j] = old->v[i];
   }
   /* release: a walker that loads the new block sees its entries */
   atomic_store_explicit(&s->blk, b, memory_order_release);
   if (old) {
      old->outgrown.free = refblock_reclaimed;
      pv_reclaim_defer(&ctx->reclaim, &old->outgrown);
   }
   return true;
}

static bool
refset_add_entry(struct pv_context *ctx, struct pv_vk_refset *s, struct pv_vk_ref_entry e)
{
   struct pv_vk_refblock *b = atomic_load_explicit(&s->blk, memory_order_relaxed);
   if ((s->count + 1) * 2 > (b ? b->cap : 0)) {
      if (!refset_grow(ctx, s))
         return false;
      b = atomic_load_explicit(&s->blk, memory_order_relaxed);
   }
   uint32_t j = (uint32_t)e.serial & (b->cap - 1);
   while (b->v[j].serial) {
      if (b->v[j].serial == e.serial)
         return true;
      j = (j + 1) & (b->cap - 1);
   }
   b->v[j] = e;
   s->count++;
   return true;
}

bool
pv_vk_refset_add(struct pv_context *ctx, struct pv_vk_refset *s, const struct pv_object *o)
{
   return refset_add_entry(ctx, s, (struct pv_vk_ref_entry){o->id, o->serial, o->type});
}

static void
refset_clear(struct pv_vk_refset *s)
{
   struct pv_vk_refblock *b = atomic_load_explicit(&s->blk, memory_order_relaxed);
   if (b)
      memset(b->v, 0, b->cap * sizeof(b->v[0]));
   s->count = 0;
}

/* Calls fn for each entry of the block loaded once; false at the first for which fn is. */
static bool
refset_every(const struct pv_vk_refset *s, bool (*fn)(const struct pv_vk_ref_entry *e, void *data),
             void *data)
{
   const struct pv_vk_refblock *b = atomic_load_explicit(&s->blk, memory_order_acquire);
   for (uint32_t i = 0; b && i < b->cap; i++)
      if (b->v[i].serial && !fn(&b->v[i], data))
         return false;
   return true;
}

/* When its owner goes, which reclamation already defers past every path's command. */
void
pv_vk_refset_fini(struct pv_vk_refset *s)
{
   free(atomic_load_explicit(&s->blk, memory_order_relaxed));
   atomic_store_explicit(&s->blk, NULL, memory_order_relaxed);
   s->count = 0;
}

/* ----- recording (called by the executor after every command) ------------------------------ */

/*
 * The liveness epoch: the object table's removal generation plus the marks dropped without a
 * removal (context.h). Both only grow, so their sum changes whenever either does: what was
 * found alive (everything it names included) at an epoch still is while the epoch holds. Read
 * it before looking, so a removal during the look makes the result stale.
 */
static uint64_t
liveness_epoch(struct pv_context *ctx)
{
   return atomic_load_explicit(&ctx->objects.generation, memory_order_acquire) +
          atomic_load_explicit(&ctx->liveness_drops, memory_order_acquire);
}

/* Where liveness checks look objects up: through the running path's cache when they run for
 * a command of that path (c), else the table itself. */
struct alive_look {
   struct pv_context *ctx;
   struct pv_dispatch_ctx *c; /* NULL: no path */
};

static struct pv_object *
look_find(const struct alive_look *l, uint64_t id, int32_t type)
{
   return l->c ? pv_venus_find(l->c, id, type) : pv_object_find(l->ctx, id, type);
}

static bool object_alive(const struct alive_look *l, struct pv_object *o, int depth);

static void
cmdbuf_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_cmdbuf *cb = obj->data;
   pv_vk_refset_fini(&cb->refs);
   pv_vk_cmd_bound_free(cb->bound);
   free(cb);
   obj->data = NULL;
}

static struct pv_vk_cmdbuf *
cmdbuf_state(struct pv_object *o)
{
   struct pv_vk_cmdbuf *cb = pv_vk_state_peek(o);
   if (cb)
      return cb;
   struct pv_vk_cmdbuf *made = calloc(1, sizeof(*made));
   if (!made)
      return NULL;
   cb = pv_vk_state_publish(o, made, cmdbuf_free);
   if (cb != made)
      free(made); /* another ring's command made it first */
   return cb;
}

struct pv_vk_cmdbuf *
pv_vk_cmdbuf_make(struct pv_object *o)
{
   return o->type == VK_OBJECT_TYPE_COMMAND_BUFFER ? cmdbuf_state(o) : NULL;
}

/* Values that say which recording of a command buffer (struct pv_vk_cmdbuf.recording) or which
 * binding of a descriptor set (struct pv_vk_descriptor_set.binding) a reference names share a
 * refset with object serials, so they come from a space of their own: the top bit set, which no
 * object's serial reaches. */
#define PV_IDENTITY_BIT (1ull << 63)
static _Atomic uint64_t identities;

static uint64_t
new_identity(void)
{
   return (atomic_fetch_add(&identities, 1) + 1) | PV_IDENTITY_BIT;
}

static uint64_t
new_recording(struct pv_vk_cmdbuf *cb)
{
   uint64_t v = new_identity();
   atomic_store(&cb->recording, v);
   return v;
}

/* What a command buffer's reference to `o` names: for a descriptor set, the binding value it
 * has now. */
static uint64_t
set_binding(struct pv_object *o)
{
   const struct pv_vk_descriptor_set *s = pv_vk_state_peek(o);
   uint64_t b = s ? atomic_load(&s->binding) : 0;
   return b ? b : o->serial;
}

/* Whether `o` is still what a reference of (id, serial) named: the same object, for a command
 * buffer named by a primary that executes it the same recording, and for a descriptor set the
 * same binding value. */
static bool
same_identity(struct pv_object *o, uint64_t serial)
{
   if (o->type == VK_OBJECT_TYPE_DESCRIPTOR_SET)
      return set_binding(o) == serial;
   if (o->serial == serial)
      return true;
   const struct pv_vk_cmdbuf *cb =
      o->type == VK_OBJECT_TYPE_COMMAND_BUFFER ? pv_vk_state_peek(o) : NULL;
   return cb && (serial & PV_IDENTITY_BIT) && atomic_load(&cb->recording) == serial;
}

/* The new value comes before the wait: a submission checked before it (again under its queue's
 * submit lock, pv_vk_cmdbufs_still_alive) is marked before the wait looks. */
void
pv_vk_descriptor_set_room(struct pv_dispatch_ctx *c, VkDescriptorSet set,
                          struct pv_vk_descriptor_set *s)
{
   if (s->dynamic_slack >= atomic_load(&s->max_bound))
      return;
   struct pv_context *ctx = pv_venus_from(c);
   atomic_store(&s->binding, new_identity());
   atomic_store(&s->max_bound, 0);
   /* command buffers found alive at this epoch may bind it: they are looked at again */
   atomic_fetch_add_explicit(&ctx->liveness_drops, 1, memory_order_release);
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_DESCRIPTOR_SET, PV_FROM_HANDLE(set));
   struct pv_object *pool =
      o ? pv_object_find(ctx, o->parent, VK_OBJECT_TYPE_DESCRIPTOR_POOL) : NULL;
   if (pool) /* a set outlives no pool: without one it is gone, and the write refused */
      pv_vk_descpool_wait(c, VK_NULL_HANDLE, PV_TO_HANDLE(VkDescriptorPool, pool->host));
}

/* A primary's reference to a secondary it executes names its recording: a new one for a
 * secondary begun without SIMULTANEOUS_USE, whose earlier primaries Vulkan makes invalid
 * (vkCmdExecuteCommands). A secondary without state (no memory) is named as an object. */
static struct pv_vk_ref_entry
executed_entry(struct pv_object *o)
{
   struct pv_vk_cmdbuf *s = cmdbuf_state(o);
   if (!s)
      return (struct pv_vk_ref_entry){o->id, o->serial, o->type};
   uint64_t v = atomic_load(&s->recording);
   if (!v || !s->scope.simultaneous)
      v = new_recording(s);
   return (struct pv_vk_ref_entry){o->id, v, o->type};
}

/* A command buffer's reference to an object its command names. */
static struct pv_vk_ref_entry
reference_of(struct pv_object *o)
{
   if (o->type == VK_OBJECT_TYPE_COMMAND_BUFFER)
      return executed_entry(o);
   uint64_t serial = o->type == VK_OBJECT_TYPE_DESCRIPTOR_SET ? set_binding(o) : o->serial;
   return (struct pv_vk_ref_entry){o->id, serial, o->type};
}

/* Objects a command buffer may name that the guest may destroy while it is recorded: Vulkan
 * lets layouts and update templates go once recorded, so they are not references. */
static bool
is_reference(int32_t type)
{
   return type != VK_OBJECT_TYPE_PIPELINE_LAYOUT &&
          type != VK_OBJECT_TYPE_DESCRIPTOR_UPDATE_TEMPLATE && type != VK_OBJECT_TYPE_DEVICE &&
          type != VK_OBJECT_TYPE_COMMAND_POOL;
}

/* What pv_vk_command_named learns from: vkBeginCommandBuffer (its references start over) and
 * recording commands that name more than their command buffer. The decode loop reads this per
 * command type (pv_overrides.named_min) instead of calling in for every command. */
void
pv_vk_named_register(struct pv_overrides *o)
{
   if (!o->named_min)
      return;
   for (uint32_t i = 0; i < o->table->count; i++) {
      const char *name = o->table->entries[i].name;
      if (name && !strcmp(name, "vkBeginCommandBuffer"))
         o->named_min[i] = 1;
      else if (name && !strcmp(name, "vkCmdPushConstants"))
         o->named_min[i] = 0; /* names a pipeline layout besides: not a reference */
      else if (name && !strncmp(name, "vkCmd", 5))
         o->named_min[i] = 2;
   }
}

void
pv_vk_command_named(struct pv_context *ctx, int32_t type, struct pv_object *const *named,
                    uint32_t count)
{
   /* Only the command's kind first: a destroy command's objects are gone by now. A recording
    * command that names only its command buffer (most of a stream: draws, dispatches, dynamic
    * state) adds nothing: that is the fast path. */
   /* pv_vk_named_register's bytes: 1 vkBeginCommandBuffer, 2 a recording command */
   uint8_t kind = ctx->named_min ? ctx->named_min[type] : 0;
   bool begin = kind == 1;
   if (count == 0 || (!begin && (count == 1 || kind != 2)))
      return;
   /* a recording command that names no reference (a push of constants: only its layout) */
   bool any = begin;
   for (uint32_t i = 1; !any && i < count; i++)
      any = is_reference(named[i]->type);
   if (!any)
      return;
   /* the command buffer is the first handle of every recording command */
   if (named[0]->type != VK_OBJECT_TYPE_COMMAND_BUFFER)
      return;
   struct pv_vk_cmdbuf *cb = cmdbuf_state(named[0]);
   if (!cb)
      return; /* no state: pv_vk_cmdbufs_alive refuses it */
   /* Read before anything is looked at: a removal from here on makes the answer stale. */
   uint64_t gen = liveness_epoch(ctx);
   const struct alive_look look = {ctx, NULL};
   if (begin) {
      refset_clear(&cb->refs);
      cb->broken = false;
      cb->checked_gen = gen; /* no references: all of them alive */
      cb->runs_secondaries = false;
      cb->pool_count = 0;
      cb->pools_unknown = false;
   }
   /* While nothing is removed, each new reference is checked once, here, where the command
    * just found it (its descriptors', view's or memory's state included), so the submission
    * need not walk them all again (pv_vk_cmdbufs_alive). checked_gen still equal to gen says
    * nothing was removed since an earlier command stored it, so since this command's lookups
    * too: its objects are live entries. Not so for the begin's own (inheritance) objects. */
   bool current = !begin && cb->checked_gen == gen;
   for (uint32_t i = 1; i < count; i++) {
      uint32_t before = cb->refs.count;
      if (is_reference(named[i]->type) && !refset_add_entry(ctx, &cb->refs, reference_of(named[i])))
         cb->broken = true;
      if (named[i]->type == VK_OBJECT_TYPE_COMMAND_BUFFER)
         cb->runs_secondaries = true; /* vkCmdExecuteCommands */
      else if (named[i]->type == VK_OBJECT_TYPE_DESCRIPTOR_SET)
         pv_vk_cmdbuf_note_set(ctx, cb, named[i]); /* its pool's resets wait for us */
      if (cb->refs.count != before && current && !object_alive(&look, named[i], 0))
         current = false;
      if (cb->refs.count != before && !current)
         cb->checked_gen = 0; /* unchecked: the submission walks them */
   }
}

/* ----- submission ---------------------------------------------------------------------------- */

static bool ref_alive(const struct alive_look *l, uint64_t id, uint64_t serial, int32_t type,
                      int depth);

static bool
memory_alive(const struct alive_look *l, struct pv_vk_ref m)
{
   return ref_alive(l, m.id, m.serial, VK_OBJECT_TYPE_DEVICE_MEMORY, 0);
}

static bool
memory_alive_look(const void *l, struct pv_vk_ref m)
{
   return memory_alive(l, m);
}

struct slot_walk {
   const struct alive_look *l;
   int depth;
   bool ok;
};

static void
slot_alive_cb(uint64_t key, void *value, void *data)
{
   (void)key;
   struct slot_walk *w = data;
   const struct pv_vk_ref_entry *r = value;
   if (w->ok && !ref_alive(w->l, r->id, r->serial, r->type, w->depth))
      w->ok = false;
}

struct ref_walk {
   const struct alive_look *l;
   int depth;
};

static bool
ref_entry_alive(const struct pv_vk_ref_entry *e, void *data)
{
   const struct ref_walk *w = data;
   return ref_alive(w->l, e->id, e->serial, e->type, w->depth);
}

static bool
refset_alive(const struct alive_look *l, const struct pv_vk_refset *s, int depth)
{
   struct ref_walk w = {l, depth};
   return refset_every(s, ref_entry_alive, &w);
}

/*
 * A descriptor set's slots, walked only when something was removed since they were last all
 * found alive (alive_gen): a program that updates and binds the same sets every frame or token
 * would otherwise walk every descriptor of every set at every submission.
 */
static bool
set_alive(const struct alive_look *l, struct pv_vk_descriptor_set *s, int depth)
{
   uint64_t gen = liveness_epoch(l->ctx);
   if (s->alive_gen == gen)
      return true;
   struct slot_walk w = {l, depth + 1, true};
   pthread_mutex_lock(&s->slots_lock); /* the objects a slot names are never sets: no nesting */
   pv_id_table_foreach(&s->slots, slot_alive_cb, &w);
   pthread_mutex_unlock(&s->slots_lock);
   if (w.ok)
      s->alive_gen = gen;
   return w.ok;
}

/*
 * The same for a command buffer's references (a secondary, or a primary at submission). The
 * shortcut holds because a set it names keeps its own mark for the epoch unless the epoch
 * moves (pv_vk_descriptor_slot_set). Not so for the secondaries it executes: one recorded again
 * has new references its primary never saw, so a command buffer that executes secondaries walks
 * its references each time (each set and secondary among them answers from its own mark).
 */
static bool
cmdbuf_refs_alive(const struct alive_look *l, struct pv_vk_cmdbuf *cb, int depth)
{
   if (cb->broken)
      return false;
   uint64_t gen = liveness_epoch(l->ctx);
   if (cb->checked_gen == gen && !cb->runs_secondaries)
      return true; /* nothing removed since its references were last found alive */
   if (!refset_alive(l, &cb->refs, depth))
      return false;
   cb->checked_gen = gen;
   return true;
}

/* Everything the live object `o` stands on is alive too (memory, a view's image, a
 * descriptor's object, a secondary command buffer's references). */
static bool
object_alive(const struct alive_look *l, struct pv_object *o, int depth)
{
   if (depth > 3)
      return false;
   switch (o->type) {
   case VK_OBJECT_TYPE_BUFFER: {
      const struct pv_vk_buffer *b = o->data;
      return b && (b->sparse || (b->bound && memory_alive(l, b->memory)));
   }
   case VK_OBJECT_TYPE_IMAGE: {
      const struct pv_vk_image *im = o->data;
      return im && (im->sparse || pv_vk_image_memory_alive(im, memory_alive_look, l));
   }
   case VK_OBJECT_TYPE_IMAGE_VIEW:
   case VK_OBJECT_TYPE_BUFFER_VIEW: {
      const struct pv_vk_view *v = o->data;
      return v && ref_alive(l, v->target.id, v->target.serial, v->target_type, depth + 1);
   }
   case VK_OBJECT_TYPE_DESCRIPTOR_SET:
      return !o->data || set_alive(l, o->data, depth);
   case VK_OBJECT_TYPE_COMMAND_BUFFER:
      return !o->data || cmdbuf_refs_alive(l, o->data, depth + 1);
   case VK_OBJECT_TYPE_FRAMEBUFFER: { /* its attachments (guard_framebuffer.c) */
      const struct pv_vk_framebuffer *fb = o->data;
      return !fb || refset_alive(l, &fb->refs, depth + 1);
   }
   default:
      return true;
   }
}

/* The object is the same live one, and so is everything it stands on. */
static bool
ref_alive(const struct alive_look *l, uint64_t id, uint64_t serial, int32_t type, int depth)
{
   struct pv_object *o = look_find(l, id, type);
   return o && same_identity(o, serial) && object_alive(l, o, depth);
}

bool
pv_vk_object_alive(struct pv_context *ctx, const struct pv_object *o)
{
   const struct alive_look look = {ctx, NULL};
   struct pv_object *found = look_find(&look, o->id, o->type);
   return found && found->serial == o->serial && object_alive(&look, found, 1);
}

bool
pv_vk_cmdbufs_alive(struct pv_dispatch_ctx *c, const char *what, uint32_t count,
                    const VkCommandBuffer *cmdbufs)
{
   if (pv_vk_bench_unchecked)
      return true; /* the benchmark's baseline only (guard.h): no state was tracked */
   struct pv_context *ctx = pv_venus_from(c);
   const struct alive_look look = {ctx, c};
   for (uint32_t i = 0; i < count; i++) {
      struct pv_object *o =
         pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbufs[i]));
      struct pv_vk_cmdbuf *cb = o ? cmdbuf_state(o) : NULL;
      if (!cb || cb->broken) {
         pv_venus_refuse(c, "%s: unknown command buffer or one without its references", what);
         return false;
      }
      const char *why = pv_vk_cmdbuf_not_runnable(&cb->scope, false);
      if (!why && cb->scope.one_time && cb->scope.submitted)
         why = "was begun for one submission and submitted already"; /* its host memory may be gone */
      if (why) {
         pv_venus_refuse(c, "%s: command buffer %u %s", what, i, why);
         return false;
      }
      cb->scope.submitted = true;
      if (!cmdbuf_refs_alive(&look, cb, 0)) {
         pv_venus_refuse(c,
                         "%s: a command buffer names an object destroyed (or a secondary "
                         "reset, recorded again or executed elsewhere, or a set rewritten "
                         "past a dynamic offset bound) since it was recorded",
                         what);
         return false;
      }
   }
   return true;
}

bool
pv_vk_cmdbufs_still_alive(struct pv_dispatch_ctx *c, uint32_t count, const VkCommandBuffer *cmdbufs)
{
   if (pv_vk_bench_unchecked)
      return true;
   const struct alive_look look = {pv_venus_from(c), c};
   for (uint32_t i = 0; i < count; i++) {
      struct pv_object *o =
         pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbufs[i]));
      struct pv_vk_cmdbuf *cb = o ? pv_vk_state_peek(o) : NULL;
      if (cb && !cmdbuf_refs_alive(&look, cb, 0))
         return false;
   }
   return true;
}

/* ----- views ------------------------------------------------------------------------------- */

void
pv_vk_view_track(struct pv_dispatch_ctx *c, int32_t type, uint64_t id, int32_t target_type,
                 uint64_t target_host)
{
   if (pv_cs_fatal(c->dec))
      return;
   struct pv_object *o = pv_venus_find(c, id, type);
   struct pv_object *t = pv_venus_object(c, target_type, target_host);
   struct pv_vk_view *v = o && t && !o->data ? malloc(sizeof(*v)) : NULL;
   if (!v) {
      pv_venus_fatal(c, "view 0x%llx: no memory for its reference or unknown target",
                     (unsigned long long)id);
      return;
   }
   *v = (struct pv_vk_view){.target = {t->id, t->serial}, .target_type = t->type};
   o->data = v;
   o->free_data = pv_vk_state_free;
}

/* ----- descriptor slots ---------------------------------------------------------------------- */

/* The set's mark (set_alive) dropped: a command buffer checked at this epoch may name the set,
 * so the epoch moves too. Done before the slot changes, so no reader sees the mark over a dead
 * slot. */
static void
drop_set_mark(struct pv_context *ctx, struct pv_vk_descriptor_set *s)
{
   s->alive_gen = 0;
   atomic_fetch_add_explicit(&ctx->liveness_drops, 1, memory_order_release);
}

static void
slot_store_locked(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s, uint64_t key,
                  const struct pv_object *o)
{
   if (!o) {
      free(pv_id_table_remove(&s->slots, key));
      return;
   }
   struct pv_vk_ref_entry *r = pv_id_table_get(&s->slots, key);
   if (r) { /* rewritten in place: a set updated per dispatch allocates nothing */
      *r = (struct pv_vk_ref_entry){o->id, o->serial, o->type};
      return;
   }
   r = malloc(sizeof(*r));
   if (r)
      *r = (struct pv_vk_ref_entry){o->id, o->serial, o->type};
   if (!r || !pv_id_table_insert(&s->slots, key, r)) {
      free(r);
      pv_venus_fatal(c, "vkUpdateDescriptorSets: no memory for a descriptor's reference");
   }
}

static void
slot_store(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s, uint64_t key,
           const struct pv_object *o)
{
   pthread_mutex_lock(&s->slots_lock);
   slot_store_locked(c, s, key, o);
   pthread_mutex_unlock(&s->slots_lock);
}

static uint64_t
slot_key(uint32_t binding, uint32_t element)
{
   return ((uint64_t)binding << 32 | element) + 1; /* 0 is the table's empty key */
}

/* o: the live object the descriptor names now (one this command found), NULL for none. The set
 * keeps its mark only if o, with all it stands on, is alive. A set not marked for this epoch is
 * named by no command buffer checked at it (their marks are set only while each set they name
 * is marked), so nothing else needs to move then. */
void
pv_vk_descriptor_slot_set(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s,
                          uint32_t binding, uint32_t element, struct pv_object *o)
{
   struct pv_context *ctx = pv_venus_from(c);
   const struct alive_look look = {ctx, c};
   if (o && s->alive_gen == liveness_epoch(ctx) && !object_alive(&look, o, 1))
      drop_set_mark(ctx, s);
   slot_store(c, s, slot_key(binding, element), o);
}

/* A copy of a stale descriptor: it keeps naming the dead object (id and serial). */
void
pv_vk_descriptor_slot_set_dead(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s,
                               uint32_t binding, uint32_t element,
                               const struct pv_vk_ref_entry *dead)
{
   struct pv_context *ctx = pv_venus_from(c);
   if (s->alive_gen == liveness_epoch(ctx))
      drop_set_mark(ctx, s);
   const struct pv_object stand_in = {.id = dead->id, .type = dead->type, .serial = dead->serial};
   slot_store(c, s, slot_key(binding, element), &stand_in);
}

/* ----- queue tracking and waiting before destruction ---------------------------------------- */

static struct pv_vk_queue *
queue_of(struct pv_vk_device *d, VkQueue queue)
{
   for (uint32_t i = 0; d && i < d->queue_count; i++)
      if (d->queues[i].host == queue)
         return &d->queues[i];
   return NULL;
}

static struct pv_vk_device *
device_of_queue(struct pv_dispatch_ctx *c, VkQueue queue)
{
   struct pv_object *qo = pv_venus_object(c, VK_OBJECT_TYPE_QUEUE, PV_FROM_HANDLE(queue));
   struct pv_object *dobj = qo ? pv_venus_find(c, qo->parent, VK_OBJECT_TYPE_DEVICE) : NULL;
   return dobj ? dobj->data : NULL;
}

struct pv_vk_queue *
pv_vk_queue_begin_submit(struct pv_dispatch_ctx *c, VkQueue queue, struct pv_vk_device **device)
{
   struct pv_vk_device *d = device_of_queue(c, queue);
   struct pv_vk_queue *q = queue_of(d, queue);
   if (q)
      pthread_mutex_lock(&q->submit_lock);
   *device = d;
   return q;
}

struct secondary_mark {
   struct pv_vk_queue *q;
   struct pv_vk_device *d;
   uint64_t value;
   struct pv_vk_batch_signal signal;
};

/* Every command buffer under a secondary's id, whichever recording: one reset or recorded
 * again since our check is waiting for this submission's marks (pv_vk_cmdbufs_wait). */
static bool
mark_secondary(struct pv_vk_cmdbuf *s, void *data)
{
   const struct secondary_mark *m = data;
   if (!s)
      return true;
   if (s->queue && s->queue != m->q && pv_vk_queue_busy(s->queue, s->value))
      s->queues_overlap = true;
   s->queue = m->q;
   s->device = m->d;
   s->value = m->value;
   s->signal = m->signal;
   return true;
}

/* The secondaries a submitted primary executes are pending with it: a reset or re-begin of one
 * waits for this submission too (VUID-vkResetCommandBuffer-commandBuffer-00045; a host driver
 * such as lavapipe reads a secondary's commands when it reaches vkCmdExecuteCommands). */
static void
mark_secondaries(struct pv_context *ctx, const struct pv_vk_cmdbuf *cb, struct pv_vk_queue *q,
                 struct pv_vk_device *d, uint64_t value)
{
   struct secondary_mark m = {q, d, value, cb->signal};
   pv_vk_cmdbuf_each_secondary(ctx, cb, mark_secondary, &m);
}

void
pv_vk_queue_end_submit(struct pv_dispatch_ctx *c, struct pv_vk_queue *q, struct pv_vk_device *d,
                       bool accepted, uint32_t count, const VkCommandBuffer *cmdbufs,
                       const struct pv_vk_batch_signal *signals, VkFence fence)
{
   if (!q)
      return;
   uint64_t value = accepted ? atomic_fetch_add(&q->submitted, 1) + 1 : 0;
   /* Marked before the lock goes: a reset or free on another thread syncs with it first
    * (sync_with_submitters) and then sees this submission in the command buffers. */
   if (d) {
      pthread_mutex_lock(&d->track_lock);
      pv_vk_cmdbufs_unclaim_locked(c, count, cmdbufs);
   }
   for (uint32_t i = 0; accepted && d && i < count; i++) {
      struct pv_object *o =
         pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbufs[i]));
      struct pv_vk_cmdbuf *cb = o ? o->data : NULL;
      if (cb) {
         if (cb->queue && cb->queue != q && pv_vk_queue_busy(cb->queue, cb->value))
            cb->queues_overlap = true;
         cb->queue = q;
         cb->device = d;
         cb->value = value;
         cb->signal = signals ? signals[i] : (struct pv_vk_batch_signal){0};
         if (cb->runs_secondaries)
            mark_secondaries(pv_venus_from(c), cb, q, d, value);
         pv_vk_pool_uses_mark(d, q, value, cb);
      }
   }
   if (d)
      pthread_mutex_unlock(&d->track_lock);
   pthread_mutex_unlock(&q->submit_lock);
   if (accepted && fence)
      pv_vk_fence_submitted(c, fence, q, value);
}

void
pv_vk_queue_completed_at_least(struct pv_vk_queue *q, uint64_t value)
{
   uint64_t cur = atomic_load(&q->completed);
   while (cur < value && !atomic_compare_exchange_weak(&q->completed, &cur, value))
      ;
}

VkResult
pv_vk_queue_fence_behind(struct pv_context *ctx, struct pv_vk_device *d, struct pv_vk_queue *q,
                         VkFence *fence, uint64_t *covers, VkFence *sent)
{
   pthread_mutex_lock(&q->submit_lock);
   *covers = atomic_load(&q->submitted);
   VkResult r = VK_SUCCESS;
   if (q->closed) {
      r = VK_ERROR_DEVICE_LOST; /* another ring destroys the device; it waits for the queue */
   } else if (!*fence) {
      const VkFenceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
      r = d->CreateFence(d->host, &ci, NULL, fence);
   } else {
      r = d->ResetFences(d->host, 1, fence);
   }
   if (r == VK_SUCCESS)
      r = pv_vk_queue_submit_locked(ctx, q->host, d->QueueSubmit, *fence);
   if (sent) /* read under the lock: the device's teardown takes it off (tracks_fini) */
      *sent = *fence;
   pthread_mutex_unlock(&q->submit_lock);
   return r;
}

/* A drain fence of the queue for this path's wait (its index), or -1 once the context stops. */
#define PV_DRAIN_FENCE_RETRY_NS 100000ull
static int
take_drain_fence(struct pv_context *ctx, struct pv_vk_queue *q)
{
   while (!pv_venus_stopping(ctx)) {
      pthread_mutex_lock(&q->submit_lock);
      for (uint32_t i = 0; i < PV_QUEUE_DRAINERS; i++) {
         if (!q->drain_taken[i]) {
            q->drain_taken[i] = true;
            pthread_mutex_unlock(&q->submit_lock);
            return (int)i;
         }
      }
      pthread_mutex_unlock(&q->submit_lock);
      pv_os_sleep_ns(PV_DRAIN_FENCE_RETRY_NS);
   }
   return -1;
}

static void
give_drain_fence(struct pv_vk_queue *q, int i)
{
   pthread_mutex_lock(&q->submit_lock);
   q->drain_taken[i] = false;
   pthread_mutex_unlock(&q->submit_lock);
}

/* Submits an empty batch with a fence of ours behind everything submitted so far and waits for
 * it, in slices, until it signals or the context stops. A fence left pending by a stop is never
 * taken again (the device's teardown destroys it after its vkDeviceWaitIdle). */
#define PV_QUIESCE_SLICE_NS 100000000ull
void
pv_vk_queue_drain(struct pv_context *ctx, struct pv_vk_device *d, struct pv_vk_queue *q)
{
   atomic_fetch_add_explicit(&ctx->queue_drains, 1, memory_order_relaxed);
   int slot = take_drain_fence(ctx, q);
   if (slot < 0)
      return;
   uint64_t target;
   VkFence fence;
   VkResult r = pv_vk_queue_fence_behind(ctx, d, q, &q->drain_fences[slot], &target, &fence);
   if (r != VK_SUCCESS) {
      pv_warn("context '%s': cannot wait for a queue before destroying (%d)",
                      pv_venus_name(ctx), r);
      give_drain_fence(q, slot); /* not sent */
      return;
   }
   while (!pv_venus_stopping(ctx)) {
      r = d->WaitForFences(d->host, 1, &fence, VK_TRUE, PV_QUIESCE_SLICE_NS);
      if (r == VK_SUCCESS)
         pv_vk_queue_completed_at_least(q, target);
      if (r != VK_TIMEOUT) {
         give_drain_fence(q, slot);
         return;
      }
   }
}

bool
pv_vk_queue_busy(const struct pv_vk_queue *q, uint64_t value)
{
   return q->host && atomic_load(&q->completed) < value;
}

void
pv_vk_device_quiesce(struct pv_context *ctx, struct pv_vk_device *d)
{
   for (uint32_t i = 0; d && i < d->queue_count; i++)
      if (pv_vk_queue_busy(&d->queues[i], atomic_load(&d->queues[i].submitted)))
         pv_vk_queue_drain(ctx, d, &d->queues[i]);
}

void
pv_vk_lock_submitters(struct pv_vk_device *d)
{
   for (uint32_t i = 0; i < d->queue_count; i++)
      pthread_mutex_lock(&d->queues[i].submit_lock);
}

void
pv_vk_unlock_submitters(struct pv_vk_device *d)
{
   for (uint32_t i = d->queue_count; i-- > 0;)
      pthread_mutex_unlock(&d->queues[i].submit_lock);
}

bool
pv_vk_device_busy(const struct pv_vk_device *d)
{
   for (uint32_t i = 0; i < d->queue_count; i++)
      if (pv_vk_queue_busy(&d->queues[i], atomic_load(&d->queues[i].submitted)))
         return true;
   return false;
}

/* command buffer -> pool -> device (exec.c parent_of_new) */
static struct pv_vk_device *
device_of_cmdbuf(struct pv_context *ctx, const struct pv_object *o)
{
   struct pv_object *pool = pv_object_find(ctx, o->parent, VK_OBJECT_TYPE_COMMAND_POOL);
   struct pv_object *dev = pool ? pv_object_find(ctx, pool->parent, VK_OBJECT_TYPE_DEVICE) : NULL;
   return dev ? dev->data : NULL;
}

static struct pv_vk_device *
device_of_cmdbuf_handle(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf)
{
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbuf));
   return o ? device_of_cmdbuf(pv_venus_from(c), o) : NULL;
}

/* What a submission names keeps its queue (command buffers, their secondaries, the fence), and
 * that queue goes with its device: naming another device's objects, which Vulkan forbids, would
 * leave them pointing at a freed queue once that device is destroyed. */
bool
pv_vk_submit_on_one_device(struct pv_dispatch_ctx *c, const char *what, VkQueue queue,
                           uint32_t count, const VkCommandBuffer *cmdbufs, VkFence fence)
{
   const struct pv_vk_device *d = device_of_queue(c, queue);
   if (!d)
      return true; /* an unknown queue is refused where it is looked up */
   for (uint32_t i = 0; i < count; i++) {
      if (device_of_cmdbuf_handle(c, cmdbufs[i]) != d) {
         pv_venus_refuse(c, "%s: command buffer %u is not of the queue's device", what, i);
         return false;
      }
   }
   struct pv_object *f =
      fence ? pv_venus_object(c, VK_OBJECT_TYPE_FENCE, PV_FROM_HANDLE(fence)) : NULL;
   if (f && f->parent != d->id) {
      pv_venus_refuse(c, "%s: the fence is not of the queue's device", what);
      return false;
   }
   return true;
}

bool
pv_vk_cmdbufs_share_device(struct pv_dispatch_ctx *c, VkCommandBuffer a, VkCommandBuffer b)
{
   return device_of_cmdbuf_handle(c, a) == device_of_cmdbuf_handle(c, b);
}

/* Waits for submissions to the device's queues that are between the host's vkQueueSubmit and
 * their marking (pv_vk_queue_end_submit, under the queue's submit lock), so that command
 * buffers read afterwards show them: a guest resetting on one ring what it submits on another. */
void
pv_vk_sync_with_submitters(struct pv_vk_device *d)
{
   for (uint32_t i = 0; d && i < d->queue_count; i++) {
      pthread_mutex_lock(&d->queues[i].submit_lock);
      pthread_mutex_unlock(&d->queues[i].submit_lock);
   }
}

bool
pv_vk_cmdbuf_busy_locked(const struct pv_vk_device *d, const struct pv_vk_cmdbuf *cb)
{
   if (cb->queues_overlap)
      return pv_vk_device_busy(d);
   return cb->queue && pv_vk_queue_busy(cb->queue, cb->value);
}

struct each_secondary {
   struct pv_context *ctx;
   const struct pv_vk_cmdbuf *primary;
   bool (*fn)(struct pv_vk_cmdbuf *s, void *data);
   void *data;
};

static bool
secondary_entry(const struct pv_vk_ref_entry *e, void *data)
{
   const struct each_secondary *w = data;
   if (e->type != VK_OBJECT_TYPE_COMMAND_BUFFER)
      return true;
   struct pv_object *o = pv_object_find(w->ctx, e->id, VK_OBJECT_TYPE_COMMAND_BUFFER);
   struct pv_vk_cmdbuf *s = o ? pv_vk_state_peek(o) : NULL;
   return s == w->primary || w->fn(s, w->data);
}

bool
pv_vk_cmdbuf_each_secondary(struct pv_context *ctx, const struct pv_vk_cmdbuf *cb,
                            bool (*fn)(struct pv_vk_cmdbuf *s, void *data), void *data)
{
   struct each_secondary w = {ctx, cb, fn, data};
   return !cb->runs_secondaries || refset_every(&cb->refs, secondary_entry, &w);
}

/* `d`: the command buffer's device (its pool's), whose lock guards its marks. */
void
pv_vk_cmdbuf_wait_state(struct pv_context *ctx, struct pv_vk_device *d, struct pv_vk_cmdbuf *cb)
{
   if (!d || !cb)
      return;
   pthread_mutex_lock(&d->track_lock);
   struct pv_vk_queue *q = cb->queue;
   uint64_t value = cb->value;
   bool overlap = cb->queues_overlap;
   cb->queues_overlap = false;
   pthread_mutex_unlock(&d->track_lock);
   if (overlap)
      pv_vk_device_quiesce(ctx, d); /* in flight on more than one queue: all of them */
   else if (q && pv_vk_queue_busy(q, value))
      pv_vk_queue_drain(ctx, d, q);
}

void
pv_vk_cmdbuf_wait(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf)
{
   pv_vk_cmdbufs_wait(c, 1, &cmdbuf);
}

void
pv_vk_cmdbufs_wait(struct pv_dispatch_ctx *c, uint32_t count, const VkCommandBuffer *cmdbufs)
{
   struct pv_context *ctx = pv_venus_from(c);
   for (uint32_t i = 0; cmdbufs && i < count; i++) {
      struct pv_object *o =
         cmdbufs[i] ? pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER,
                                      PV_FROM_HANDLE(cmdbufs[i]))
                    : NULL;
      struct pv_vk_cmdbuf *cb = o ? o->data : NULL;
      if (!cb)
         continue;
      /* its pool's device, whatever device the guest's command names */
      struct pv_vk_device *d = device_of_cmdbuf(ctx, o);
      new_recording(cb); /* before the sync: a submission that still finds it is marked */
      pv_vk_sync_with_submitters(d);
      pv_vk_cmdbuf_wait_state(ctx, d, cb);
      atomic_fetch_add(&cb->ended, 1);
   }
}

struct pv_vk_device *
pv_vk_device_of_pool(struct pv_context *ctx, const struct pv_object *pool, VkDevice device)
{
   struct pv_object *dev = pool ? pv_object_find(ctx, pool->parent, VK_OBJECT_TYPE_DEVICE) : NULL;
   return dev ? dev->data : pv_vk_device_from_host(ctx, device);
}

/* A pool's command buffers are its children in the object table (exec.c, parent_of_new). */
bool
pv_vk_cmdpool_wait(struct pv_dispatch_ctx *c, VkDevice device, VkCommandPool pool)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *p = pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_POOL, PV_FROM_HANDLE(pool));
   struct pv_vk_device *d = pv_vk_device_of_pool(ctx, p, device);
   if (!p) { /* not one of ours: none of its command buffers can be looked at */
      pv_vk_sync_with_submitters(d);
      pv_vk_device_quiesce(ctx, d);
      return true;
   }
   uint64_t *ids = NULL;
   bool complete = false;
   size_t n =
      pv_object_list_children_checked(ctx, p->id, VK_OBJECT_TYPE_COMMAND_BUFFER, &ids, &complete);
   if (!complete) {
      /* one left out would keep its recording value: a primary executing it could still be
       * submitted while the host resets it */
      free(ids);
      pv_venus_refuse(c, "a command pool's command buffers could not be listed (no memory)");
      return false;
   }
   for (size_t i = 0; i < n; i++) {
      struct pv_object *o = pv_object_find(ctx, ids[i], VK_OBJECT_TYPE_COMMAND_BUFFER);
      struct pv_vk_cmdbuf *cb = o ? o->data : NULL;
      if (cb)
         new_recording(cb);
   }
   pv_vk_sync_with_submitters(d);
   for (size_t i = 0; i < n; i++) {
      struct pv_object *o = pv_object_find(ctx, ids[i], VK_OBJECT_TYPE_COMMAND_BUFFER);
      struct pv_vk_cmdbuf *cb = o ? o->data : NULL;
      pv_vk_cmdbuf_wait_state(ctx, d, cb);
      if (cb)
         atomic_fetch_add(&cb->ended, 1);
   }
   free(ids);
   return true;
}

struct pv_vk_cmdbuf *
pv_vk_cmdbuf_unended(struct pv_context *ctx, uint64_t id, uint64_t serial, uint64_t ended,
                     struct pv_vk_device **d)
{
   struct pv_object *o = pv_object_find(ctx, id, VK_OBJECT_TYPE_COMMAND_BUFFER);
   struct pv_vk_cmdbuf *cb = o && o->serial == serial ? pv_vk_state_peek(o) : NULL;
   if (!cb || atomic_load(&cb->ended) != ended)
      return NULL;
   *d = device_of_cmdbuf(ctx, o);
   return *d ? cb : NULL;
}

/* ----- descriptor sets written on the host (set_writes.c) ---------------------------------- */

static bool
set_not_written(const struct pv_vk_ref_entry *e, void *data)
{
   if (e->type != VK_OBJECT_TYPE_DESCRIPTOR_SET)
      return true;
   struct pv_object *o = pv_object_find(data, e->id, VK_OBJECT_TYPE_DESCRIPTOR_SET);
   const struct pv_vk_descriptor_set *s = o ? pv_vk_state_peek(o) : NULL;
   return !s || atomic_load(&s->writers) == 0;
}

static bool
secondary_sets_not_written(struct pv_vk_cmdbuf *s, void *data)
{
   return !s || refset_every(&s->refs, set_not_written, data);
}

bool
pv_vk_cmdbufs_bind_set_written(struct pv_dispatch_ctx *c, uint32_t count,
                               const VkCommandBuffer *cmdbufs)
{
   struct pv_context *ctx = pv_venus_from(c);
   /* the one load almost every submission makes: no host write of a set under way */
   if (atomic_load(&ctx->set_writers) == 0)
      return false;
   for (uint32_t i = 0; i < count; i++) {
      struct pv_object *o =
         pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbufs[i]));
      const struct pv_vk_cmdbuf *cb = o ? pv_vk_state_peek(o) : NULL;
      if (cb && (!refset_every(&cb->refs, set_not_written, ctx) ||
                 !pv_vk_cmdbuf_each_secondary(ctx, cb, secondary_sets_not_written, ctx)))
         return true;
   }
   return false;
}

void
pv_vk_queue_tracks_fini(struct pv_context *ctx, struct pv_vk_device *d)
{
   /* Another ring's command may be waiting on one of them (a drain before its destroy) or
    * probing: taken off under the locks they use them under, destroyed after those commands. */
   for (uint32_t i = 0; i < d->queue_count; i++) {
      struct pv_vk_queue *q = &d->queues[i];
      pthread_mutex_lock(&d->graveyard.lock); /* the probes' */
      pthread_mutex_lock(&q->submit_lock);
      q->closed = true;
      VkFence drains[PV_QUEUE_DRAINERS], probe = q->probe_fence;
      memcpy(drains, q->drain_fences, sizeof(drains));
      memset(q->drain_fences, 0, sizeof(q->drain_fences));
      q->probe_fence = VK_NULL_HANDLE;
      q->probe_value = 0;
      pthread_mutex_unlock(&q->submit_lock);
      pthread_mutex_unlock(&d->graveyard.lock);
      /* without the locks: with no other path it runs at once, with what was handed over before */
      for (uint32_t j = 0; j < PV_QUEUE_DRAINERS; j++)
         pv_vk_destroy_fence_later(ctx, d, drains[j]);
      pv_vk_destroy_fence_later(ctx, d, probe);
   }
}

/* ----- telling a lost guest through its status slots ---------------------------------------- */

void
pv_vk_note_status_slot(struct pv_dispatch_ctx *c, VkBuffer buffer, uint64_t offset)
{
   pv_vk_note_status_slot_of(pv_venus_from(c),
                             pv_venus_object(c, VK_OBJECT_TYPE_BUFFER, PV_FROM_HANDLE(buffer)),
                             offset);
}

static void note_status_slot_locked(struct pv_vk_instance *inst, const struct pv_object *b,
                                    uint64_t offset);

void
pv_vk_note_status_slot_of(struct pv_context *ctx, const struct pv_object *b, uint64_t offset)
{
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (!inst || !b || b->type != VK_OBJECT_TYPE_BUFFER)
      return;
   pthread_mutex_lock(&inst->status_lock);
   note_status_slot_locked(inst, b, offset);
   pthread_mutex_unlock(&inst->status_lock);
}

static void
note_status_slot_locked(struct pv_vk_instance *inst, const struct pv_object *b, uint64_t offset)
{
   for (uint32_t i = 0; i < inst->status_count; i++) {
      struct pv_vk_status_slot *s = &inst->status[i];
      if (s->buffer_id == b->id && s->offset == offset) {
         s->buffer_serial = b->serial;
         return;
      }
   }
   /* Mesa keeps a few dozen; a guest filling many 4-byte words only makes its own list long */
   if (inst->status_count == inst->status_cap) {
      uint32_t cap = inst->status_cap ? inst->status_cap * 2 : 16;
      struct pv_vk_status_slot *v =
         cap > inst->status_cap && cap <= (1u << 16) ? realloc(inst->status, cap * sizeof(*v))
                                                     : NULL;
      if (!v)
         return; /* only telling is lost: the slot keeps its guest's value */
      inst->status = v;
      inst->status_cap = cap;
   }
   inst->status[inst->status_count++] = (struct pv_vk_status_slot){b->id, b->serial, offset};
}

/* The slot's bytes in our mapping of the buffer's memory, or NULL. */
static _Atomic int32_t *
status_word(struct pv_context *ctx, const struct pv_vk_status_slot *s)
{
   struct pv_object *bo = pv_object_find(ctx, s->buffer_id, VK_OBJECT_TYPE_BUFFER);
   const struct pv_vk_buffer *b = bo && bo->serial == s->buffer_serial ? bo->data : NULL;
   const struct alive_look look = {ctx, NULL};
   if (!b || !b->bound || !memory_alive(&look, b->memory))
      return NULL;
   struct pv_object *mo = pv_object_find(ctx, b->memory.id, VK_OBJECT_TYPE_DEVICE_MEMORY);
   const struct pv_vk_memory *m = mo ? mo->data : NULL;
   uint64_t at;
   if (!m || !m->map || __builtin_add_overflow(b->memory_offset, s->offset, &at) ||
       at > m->size - sizeof(int32_t) || s->offset > b->size - sizeof(int32_t) ||
       at % sizeof(int32_t))
      return NULL;
   return (_Atomic int32_t *)((char *)m->map + at);
}

void
pv_vk_tell_lost(struct pv_dispatch_ctx *c)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (!inst)
      return;
   pthread_mutex_lock(&inst->status_lock);
   for (uint32_t i = 0; i < inst->status_count; i++) {
      _Atomic int32_t *w = status_word(ctx, &inst->status[i]);
      if (w)
         atomic_store_explicit(w, VK_ERROR_DEVICE_LOST, memory_order_release);
   }
   pthread_mutex_unlock(&inst->status_lock);
}
