/* SPDX-License-Identifier: MIT */
#include "renderer/holds.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "renderer/exec.h"
#include "util/os.h"

/* pv_object.use: shared and exclusive holds together in the low half, exclusive ones again in
 * the high half, so one fetch-and-add both takes a hold and says what it met. A count past
 * 0xffff would need that many commands of one context inside one object at once: the paths
 * (rings) of a context are few, and one command's own holds of an object are bounded below. */
#define HOLD_ONE 1u
#define HOLD_EXCLUSIVE ((1u << 16) | HOLD_ONE)
#define HOLDS_OF(use) ((use)&0xffffu)
#define EXCLUSIVES_OF(use) ((use) >> 16)
/* Holds of one object at once (a path holds each object once per command, and a context's
 * paths are few): more are a conflict, so the counts never carry into the other half. */
#define HOLDS_MAX 0x4000u

/* How a command holds the fences and events it names (holds.h): by name, exactly, since a
 * prefix would take in vkResetFenceResource*MESA and vkGetFenceFdKHR. */
static uint8_t
sync_kind(const char *name)
{
   static const char *const exclusive[] = {
      "vkResetFences", "vkDestroyFence", "vkQueueSubmit",  "vkQueueSubmit2",
      "vkQueueBindSparse", "vkSetEvent", "vkResetEvent", "vkDestroyEvent",
   };
   static const char *const shared[] = {"vkGetFenceStatus", "vkGetEventStatus"};
   for (size_t i = 0; i < sizeof(exclusive) / sizeof(exclusive[0]); i++)
      if (!strcmp(name, exclusive[i]))
         return PV_HOLD_SYNC_EXCLUSIVE | (pv_command_name_starts_with(name, "vkQueue")
                                             ? PV_HOLD_SEMAPHORES_SHARED /* submissions */
                                             : 0);
   /* both dialects' spellings: vk*ResourceMESA and vk*Resource100000MESA */
   if (pv_command_name_starts_with(name, "vkResetFenceResource"))
      return PV_HOLD_SYNC_EXCLUSIVE;
   if (pv_command_name_starts_with(name, "vkImportSemaphoreResource"))
      return PV_HOLD_SEMAPHORES_EXCLUSIVE;
   for (size_t i = 0; i < sizeof(shared) / sizeof(shared[0]); i++)
      if (!strcmp(name, shared[i]))
         return PV_HOLD_SYNC_SHARED;
   return 0;
}

uint8_t *
pv_hold_kinds(const struct pv_protocol_table *t)
{
   uint8_t *kinds = calloc(t->count ? t->count : 1, 1);
   for (uint32_t i = 0; kinds && i < t->count; i++) {
      const char *n = t->entries[i].name;
      if (!n)
         continue;
      if (pv_command_name_starts_with(n, "vkQueueSubmit"))
         kinds[i] = PV_HOLD_CMDBUFS_SHARED;
      else if (pv_command_name_starts_with(n, "vkCmdExecuteCommands"))
         kinds[i] = PV_HOLD_FIRST_CMDBUF_ONLY;
      else if (pv_command_name_starts_with(n, "vkUpdateDescriptorSet") ||
               pv_command_name_starts_with(n, "vkFreeDescriptorSets"))
         kinds[i] = PV_HOLD_SETS_EXCLUSIVE;
      if (pv_command_name_starts_with(n, "vkCmd"))
         kinds[i] |= PV_HOLD_RECORDS;
      kinds[i] |= sync_kind(n);
   }
   return kinds;
}

bool
pv_hold_wants_exclusive(struct pv_exec *x, int32_t type)
{
   if (type == VK_OBJECT_TYPE_COMMAND_POOL || type == VK_OBJECT_TYPE_DESCRIPTOR_POOL)
      return true; /* only named to allocate from, free to, reset, trim or destroy */
   int32_t cmd = x->dispatch.type;
   uint8_t kind = cmd >= 0 ? x->ctx->hold_kinds[cmd] : 0;
   if (type == VK_OBJECT_TYPE_FENCE || type == VK_OBJECT_TYPE_EVENT)
      return kind & PV_HOLD_SYNC_EXCLUSIVE;
   if (type == VK_OBJECT_TYPE_SEMAPHORE)
      return kind & PV_HOLD_SEMAPHORES_EXCLUSIVE;
   if (type == VK_OBJECT_TYPE_DESCRIPTOR_SET)
      return kind & PV_HOLD_SETS_EXCLUSIVE;
   if (kind & PV_HOLD_CMDBUFS_SHARED)
      return false;
   /* the command buffer a vkCmd* records into comes first; later ones are read */
   return !(kind & PV_HOLD_FIRST_CMDBUF_ONLY) || x->cmdbufs_held == 1;
}

/* Up to this many holds own_hold walks them; past it, it looks the object up in the path's
 * index. A command naming N objects twice (a submission signalling 40,000 semaphores twice)
 * would otherwise cost N^2/2 compares: half a second of the path's thread on lavapipe's host,
 * minutes at the object quota. */
#define HOLD_WALK_MAX 32u

static uint32_t
index_slot(const struct pv_object *o, uint32_t cap)
{
   return (uint32_t)(((uint64_t)(uintptr_t)o * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

/* Makes the index cover every hold (at most half full); false when out of memory. */
static bool
index_holds(struct pv_exec *x)
{
   if (x->hold_count > x->hold_index_cap / 2) {
      uint32_t cap = x->hold_index_cap ? x->hold_index_cap : 2 * HOLD_WALK_MAX;
      while (cap / 2 < x->hold_count && cap <= UINT32_MAX / 2)
         cap *= 2;
      uint32_t *slots = calloc(cap, sizeof(*slots));
      if (!slots)
         return false;
      free(x->hold_index);
      x->hold_index = slots;
      x->hold_index_cap = cap;
      x->hold_indexed = 0;
   }
   for (; x->hold_indexed < x->hold_count; x->hold_indexed++) {
      uint32_t s = index_slot(x->holds[x->hold_indexed].obj, x->hold_index_cap);
      while (x->hold_index[s])
         s = (s + 1) & (x->hold_index_cap - 1);
      x->hold_index[s] = x->hold_indexed + 1;
   }
   return true;
}

/* Holds were let go: the index forgets them all (it is built again when next needed). */
static void
holds_dropped(struct pv_exec *x)
{
   if (x->hold_indexed > x->hold_count) {
      memset(x->hold_index, 0, x->hold_index_cap * sizeof(*x->hold_index));
      x->hold_indexed = 0;
   }
}

/* This path's hold of `o`, or NULL. Only asked when the object is held already: by another
 * command, or by this one naming it again (a descriptor update writing one set twice). */
static struct pv_hold *
own_hold(struct pv_exec *x, const struct pv_object *o)
{
   if (x->hold_count <= HOLD_WALK_MAX || !index_holds(x)) {
      for (uint32_t i = x->hold_count; i-- > 0;)
         if (x->holds[i].obj == o)
            return &x->holds[i];
      return NULL;
   }
   for (uint32_t s = index_slot(o, x->hold_index_cap); x->hold_index[s];
        s = (s + 1) & (x->hold_index_cap - 1))
      if (x->holds[x->hold_index[s] - 1].obj == o)
         return &x->holds[x->hold_index[s] - 1];
   return NULL;
}

/* Whether a hold of `amount` may go ahead beside `others`, what other commands hold. */
static bool
compatible(uint32_t others, uint32_t amount)
{
   return others == 0 || (amount == HOLD_ONE && EXCLUSIVES_OF(others) == 0);
}

static bool
remember(struct pv_exec *x, struct pv_object *o, uint32_t amount)
{
   if (x->hold_count == x->hold_cap) {
      uint32_t cap = x->hold_cap ? x->hold_cap * 2 : 16;
      struct pv_hold *n = cap > x->hold_cap ? realloc(x->holds, cap * sizeof(*n)) : NULL;
      if (!n)
         return false;
      x->holds = n;
      x->hold_cap = cap;
   }
   x->holds[x->hold_count++] = (struct pv_hold){o, amount};
   return true;
}

enum try_result { HELD, CONFLICT, NO_MEMORY };

/* One attempt: the hold is taken and remembered (once per object: naming it again adds nothing,
 * or turns a shared hold exclusive), or the word is as it was. */
static enum try_result
try_hold(struct pv_exec *x, struct pv_object *o, uint32_t amount)
{
   if (o == x->parked.obj || o == x->parked_pool.obj) { /* exclusive: covers this one too */
      x->parked_used = true;
      return HELD;
   }
   uint32_t before = atomic_fetch_add(&o->use, amount);
   if (__builtin_expect(before == 0, 1)) {
      if (remember(x, o, amount))
         return HELD;
      atomic_fetch_sub(&o->use, amount);
      return NO_MEMORY;
   }
   struct pv_hold *own = own_hold(x, o);
   uint32_t others = before - (own ? own->amount : 0);
   if (HOLDS_OF(before) >= HOLDS_MAX || !compatible(others, amount)) {
      atomic_fetch_sub(&o->use, amount);
      return CONFLICT;
   }
   if (own && (EXCLUSIVES_OF(own->amount) || amount == HOLD_ONE)) {
      atomic_fetch_sub(&o->use, amount); /* held as strongly already */
      return HELD;
   }
   if (own) {
      own->amount += amount; /* shared, now exclusive too: released together */
      return HELD;
   }
   if (remember(x, o, amount))
      return HELD;
   atomic_fetch_sub(&o->use, amount);
   return NO_MEMORY;
}

/* Waits a little before trying again: yields first (the other command is usually a host call
 * that ends within microseconds), then sleeps, so a command held up for long costs no CPU. */
static void
pause_before_retry(uint32_t attempt)
{
   if (attempt < 64)
      sched_yield();
   else
      pv_os_sleep_ns(attempt < 1024 ? 50000 : 1000000);
}

static bool
refuse(struct pv_exec *x, const char *why, const struct pv_object *o)
{
   pv_cs_status_fatal(x->dec.status, "object 0x%llx (type %d): %s", (unsigned long long)o->id,
                      (int)o->type, why);
   return false;
}

/* Lets go of one hold of an ended command, or keeps it until the path's recording thread has
 * made the calls handed to it (recorder.h): those calls use the object after the command's
 * handler returned, so another ring's free or reset must wait for them, not only for the
 * command. A hold the last few deferred ones already cover is let go (a run binds the same sets
 * again and again); one that cannot be remembered settles the thread first. */
#define DEFERRED_COVER_LOOK 8u

static bool
deferred_covers(const struct pv_exec *x, const struct pv_hold *h)
{
   uint32_t first =
      x->deferred_count > DEFERRED_COVER_LOOK ? x->deferred_count - DEFERRED_COVER_LOOK : 0;
   for (uint32_t i = x->deferred_count; i-- > first;)
      if (x->deferred[i].obj == h->obj &&
          (EXCLUSIVES_OF(x->deferred[i].amount) || h->amount == HOLD_ONE))
         return true;
   return false;
}

static bool
defer(struct pv_exec *x, struct pv_hold h)
{
   if (deferred_covers(x, &h))
      return false;
   if (x->deferred_count == x->deferred_cap) {
      uint32_t cap = x->deferred_cap ? x->deferred_cap * 2 : 16;
      struct pv_hold *n = cap > x->deferred_cap ? realloc(x->deferred, cap * sizeof(*n)) : NULL;
      if (!n) {
         pv_exec_settle_recorder(x); /* lets go of the deferred ones too */
         return false;
      }
      x->deferred = n;
      x->deferred_cap = cap;
   }
   x->deferred[x->deferred_count++] = h;
   return true;
}

static void
end_hold(struct pv_exec *x, struct pv_hold h)
{
   if (x->dispatch.arena_held && defer(x, h))
      return;
   atomic_fetch_sub_explicit(&h.obj->use, h.amount, memory_order_release);
}

void
pv_holds_release_deferred(struct pv_exec *x)
{
   while (x->deferred_count > 0) {
      struct pv_hold *h = &x->deferred[--x->deferred_count];
      atomic_fetch_sub_explicit(&h->obj->use, h->amount, memory_order_release);
   }
}

/* The running command's holds (from x->cmd_hold_mark on) and then `o`, all or none. */
static enum try_result
try_hold_all(struct pv_exec *x, const struct pv_hold *wanted, uint32_t n, struct pv_object *o,
             uint32_t amount)
{
   enum try_result r = HELD;
   for (uint32_t i = 0; r == HELD && i < n; i++)
      r = try_hold(x, wanted[i].obj, wanted[i].amount);
   if (r == HELD)
      r = try_hold(x, o, amount);
   if (r != HELD)
      pv_holds_release(x, x->cmd_hold_mark);
   return r;
}

/*
 * `o` is held by another command. Waiting while holding what this command took before could
 * wait forever: two commands naming the same two objects in opposite orders (a bind of two sets
 * on one ring, an update of them on another, both legal with update-after-bind). So this
 * command lets go of its own holds (its host calls have not begun: holds are taken while it
 * is decoded, a pool reset's before its host calls) and takes them all again at once.
 */
static bool
hold_after_conflict(struct pv_exec *x, struct pv_object *o, uint32_t amount)
{
   /* Nor while this path's recording thread keeps earlier commands' holds: the conflict may be
    * with one of them (this ring recording into a command buffer it recorded into before), and
    * the other command may wait for them. The thread never waits for a hold. */
   pv_exec_settle_recorder(x);
   /* The kept hold too: two paths each keeping one command buffer and recording into the
    * other's would otherwise wait for each other. This command's if it names it. */
   if (x->parked.obj && x->parked_used) {
      if (!remember(x, x->parked.obj, x->parked.amount))
         return refuse(x, "out of memory waiting for another ring's command", o);
      x->parked.obj = NULL;
      if (x->parked_pool.obj && !remember(x, x->parked_pool.obj, x->parked_pool.amount))
         return refuse(x, "out of memory waiting for another ring's command", o);
      x->parked_pool.obj = NULL;
      x->parked_used = false;
   }
   pv_holds_unpark(x);
   uint32_t n = x->hold_count - x->cmd_hold_mark;
   struct pv_hold *wanted = n ? malloc(n * sizeof(*wanted)) : NULL;
   if (n && !wanted)
      return refuse(x, "out of memory waiting for another ring's command", o);
   if (n)
      memcpy(wanted, &x->holds[x->cmd_hold_mark], n * sizeof(*wanted));
   pv_holds_release(x, x->cmd_hold_mark);
   /* Said on the object, so a wait holding it shared slice by slice steps aside for us. */
   bool exclusive = EXCLUSIVES_OF(amount) != 0;
   if (exclusive)
      atomic_fetch_add(&o->wanted, 1);
   enum try_result r = CONFLICT;
   for (uint32_t attempt = 0; r == CONFLICT; attempt++) {
      if (atomic_load_explicit(&x->ctx->stopping, memory_order_relaxed) ||
          atomic_load_explicit(&x->ctx->lost, memory_order_relaxed))
         break;
      pause_before_retry(attempt);
      r = try_hold_all(x, wanted, n, o, amount);
   }
   if (exclusive)
      atomic_fetch_sub(&o->wanted, 1);
   free(wanted);
   if (r == NO_MEMORY)
      return refuse(x, "out of memory holding it", o);
   if (r == CONFLICT)
      return refuse(x, "the context stopped while another ring's command held it", o);
   return true;
}

/* A command that held one of them before this one may have freed it (its claim came before
 * its release). */
static bool
none_freed(struct pv_exec *x)
{
   for (uint32_t i = x->cmd_hold_mark; i < x->hold_count; i++)
      if (atomic_load(&x->holds[i].obj->claimed))
         return refuse(x, "freed by another ring's command", x->holds[i].obj);
   return true;
}

/*
 * A command buffer held exclusively is recorded into, begun, ended, reset or freed, and a host
 * driver may do that in memory its pool owns (the pool's synchronization is the caller's, "any
 * command buffer allocated from it" included): its pool is held exclusively too. One freed
 * meanwhile freed the command buffer with it, which none_freed sees.
 */
static bool
hold_pool_of(struct pv_exec *x, const struct pv_object *cb)
{
   struct pv_object *pool = pv_object_table_find_cached(&x->ctx->objects, &x->lookups, cb->parent,
                                                        VK_OBJECT_TYPE_COMMAND_POOL);
   return !pool || pv_hold_named_slow(x, pool, true);
}

bool
pv_hold_named_slow(struct pv_exec *x, struct pv_object *o, bool exclusive)
{
   uint32_t amount = exclusive ? HOLD_EXCLUSIVE : HOLD_ONE;
   enum try_result r = try_hold(x, o, amount);
   if (r == NO_MEMORY)
      return refuse(x, "out of memory holding it", o);
   if (r == CONFLICT && !hold_after_conflict(x, o, amount))
      return false;
   if (__builtin_expect(atomic_load_explicit(&o->claimed, memory_order_relaxed), 0))
      return refuse(x, "freed by another ring's command", o);
   if (r != HELD && !none_freed(x))
      return false;
   return !exclusive || o->type != VK_OBJECT_TYPE_COMMAND_BUFFER || hold_pool_of(x, o);
}

void
pv_holds_unpark(struct pv_exec *x)
{
   if (x->parked.obj) {
      end_hold(x, x->parked);
      x->parked.obj = NULL;
   }
   if (x->parked_pool.obj) {
      end_hold(x, x->parked_pool);
      x->parked_pool.obj = NULL;
   }
   x->parked_used = false;
}

/* The command's holds are its command buffer's, exclusive, and maybe its pool's after it. */
static bool
parkable(const struct pv_exec *x, uint32_t mark)
{
   uint32_t n = x->hold_count - mark;
   if (n != 1 && n != 2)
      return false;
   const struct pv_hold *h = &x->holds[mark];
   return (n == 1 ||
           (h[1].obj->type == VK_OBJECT_TYPE_COMMAND_POOL && h[1].amount == HOLD_EXCLUSIVE)) &&
          h[0].amount == HOLD_EXCLUSIVE && h[0].obj->type == VK_OBJECT_TYPE_COMMAND_BUFFER;
}

void
pv_holds_end_command_slow(struct pv_exec *x, uint32_t mark, int32_t type)
{
   bool records = type >= 0 && (x->ctx->hold_kinds[type] & PV_HOLD_RECORDS);
   if (!records || !parkable(x, mark) || pv_cs_fatal(&x->dec)) {
      pv_holds_unpark(x); /* this command held more, or did not record into it */
      pv_holds_release(x, mark);
      return;
   }
   struct pv_hold cb = x->holds[mark];
   struct pv_hold pool = x->hold_count == mark + 2 ? x->holds[mark + 1] : (struct pv_hold){0};
   /* Its pool not among this command's holds: the kept one covered it (a run moving to another
    * command buffer of the same pool), which stays held, now for this one. */
   if (!pool.obj && x->parked_pool.obj && x->parked_pool.obj->id == cb.obj->parent) {
      pool = x->parked_pool;
      x->parked_pool.obj = NULL;
   }
   x->hold_count = mark;
   holds_dropped(x);
   pv_holds_unpark(x); /* the command buffer kept before */
   x->parked = cb;
   x->parked_pool = pool;
}

void
pv_holds_release(struct pv_exec *x, uint32_t mark)
{
   while (x->hold_count > mark)
      end_hold(x, x->holds[--x->hold_count]);
   holds_dropped(x);
}
