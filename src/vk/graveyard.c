/* SPDX-License-Identifier: MIT */
/*
 * Destroying later what the GPU may still use (lifetime.h, issue 16). A guest that keeps two
 * frames in flight destroys frame N's objects (a staging buffer, its memory, a view, a pipeline)
 * once it has waited for frame N, while frame N+1 runs. Waiting for the queues there, as
 * vkDestroy* once did, waited for frame N+1 too, so recording never overlapped the GPU again.
 *
 * Now the guest's object leaves the id table at once (its id is free, anything naming it is
 * refused as before), and the host handle waits here with the queues' submission counts of that
 * moment: it is destroyed once every one of those submissions is known finished (a guest fence
 * seen signalled, a queue or device waited idle, a drain, or a probe of ours: an empty
 * submission with a fence of ours, looked at without waiting). Destroys between two
 * submissions share one tomb. Bounded: past PV_GRAVES_MAX handles the device is drained as
 * before. The device's teardown destroys what is left after its vkDeviceWaitIdle.
 *
 * Only objects the guest can no longer reach through anything else (PV_VK_KEPT_OBJECTS: buffers,
 * images, views, samplers, pipelines, framebuffers, render passes, events, semaphores, YCbCr
 * conversions; fences, PV_VK_KEPT_OWN_GUARD; and memory and query pools, PV_VK_KEPT_WITH_STATE).
 * Memory and query pools keep their state (grave_of) here too: their quota stays charged and
 * memory's mapping and memfd stay until the host handle goes, so what a context holds on the host
 * never exceeds its quota; an allocation that finds the quota full while kept ones hold some
 * waits for the device and frees them first (pv_vk_charge). Descriptor sets return to a pool the
 * guest allocates from next, so they wait for their pool's submissions (pool_uses.c). A semaphore
 * or fence destroyed under a submission that signals or waits on it was freed at once until
 * 2026-12-06, and lavapipe's queue thread then signalled freed memory (valgrind).
 */
#include <stddef.h>
#include <stdlib.h>

#include "renderer/context.h"
#include "util/log.h"
#include "vk/lifetime.h"

#define PV_GRAVES_MAX 1024u

struct pv_vk_grave {
   int32_t type;
   uint64_t handle;
   /* the object's state, freed after the handle (memory's mapping and quota), or NULL */
   void *state;
   void (*free_state)(struct pv_context *ctx, struct pv_object *obj);
   uint64_t bytes; /* of the device-memory quota the state holds (the stats' kept_device_memory) */
};

struct pv_vk_tomb {
   struct pv_vk_tomb *next;
   /* Once buried: its handles and states wait until no path may hold them (a command another
    * ring began before the destroy that still hands the handle to the host; a memory's fd and
    * mapping that a blob export on the transport's thread may be reading; reclaim.h). */
   struct pv_reclaim_item buried;
   struct pv_vk_device *d; /* whose handles they are: its own destroy is deferred after them */
   uint32_t count, cap;
   struct pv_vk_grave *graves;
   uint64_t targets[]; /* per queue: the submissions that may use them */
};

/* Whether the device can destroy a `type` object kept here; destroys handle `h` of it too when
 * `h` is not 0. */
static bool
destroy_one(struct pv_vk_device *d, int32_t type, uint64_t h)
{
   const struct pv_vk_dispatch *vk = &d->vk;
#define PV_FREE_AS(cmd, objtype, T, member)                                                        \
   case objtype:                                                                                   \
      if (vk->cmd && h)                                                                            \
         vk->cmd(d->host, PV_TO_HANDLE(T, h), NULL);                                               \
      return vk->cmd != NULL;
#define PV_DESTROY_AS(name, objtype, T, member) PV_FREE_AS(Destroy##name, objtype, T, member)
   switch (type) {
      PV_VK_KEPT_OBJECTS(PV_DESTROY_AS)
      PV_VK_KEPT_OWN_GUARD(PV_DESTROY_AS)
      PV_VK_KEPT_WITH_STATE(PV_FREE_AS)
   default:
      return false;
   }
#undef PV_DESTROY_AS
#undef PV_FREE_AS
}

static bool
tomb_done(const struct pv_vk_device *d, const struct pv_vk_tomb *t)
{
   for (uint32_t i = 0; i < d->queue_count; i++)
      if (pv_vk_queue_busy(&d->queues[i], t->targets[i]))
         return false;
   return true;
}

/* The grave's state after its handle: `ctx` NULL when the context is going (no quota to give
 * back). The object is a stand-in of id 0: the guest's id may name a new object by now. */
static void
free_state(struct pv_context *ctx, struct pv_vk_grave *g)
{
   if (!g->state)
      return;
   struct pv_object gone = {.type = g->type, .host = g->handle, .data = g->state};
   g->free_state(ctx, &gone);
   g->state = NULL;
}

static void
tomb_free(struct pv_context *ctx, struct pv_vk_tomb *t)
{
   for (uint32_t i = 0; i < t->count; i++)
      free_state(ctx, &t->graves[i]);
   free(t->graves);
   free(t);
}

static void
tomb_reclaimed(struct pv_context *ctx, struct pv_reclaim_item *item)
{
   struct pv_vk_tomb *t = (struct pv_vk_tomb *)((char *)item - offsetof(struct pv_vk_tomb, buried));
   for (uint32_t i = 0; i < t->count; i++)
      (void)destroy_one(t->d, t->graves[i].type, t->graves[i].handle);
   tomb_free(ctx, t);
}

static void
tomb_bury(struct pv_context *ctx, struct pv_vk_device *d, struct pv_vk_tomb *t)
{
   uint64_t bytes = 0;
   for (uint32_t i = 0; i < t->count; i++) {
      if (!ctx) /* the context is going: no path runs */
         (void)destroy_one(d, t->graves[i].type, t->graves[i].handle);
      if (t->graves[i].state)
         d->graveyard.states--;
      bytes += t->graves[i].bytes;
   }
   if (ctx) {
      atomic_fetch_sub_explicit(&ctx->kept_objects, t->count, memory_order_relaxed);
      atomic_fetch_sub_explicit(&ctx->kept_device_memory, bytes, memory_order_relaxed);
   }
   d->graveyard.graves -= t->count;
   if (!ctx) {
      tomb_free(NULL, t);
      return;
   }
   t->d = d;
   t->buried.free = tomb_reclaimed;
   t->buried.quota = true;
   pv_reclaim_defer(&ctx->reclaim, &t->buried);
}

/* A probe of ours on `q`: looks at the one in flight (never waits) and sends the next when the
 * queue has submissions a probe does not cover yet. The caller holds the graveyard's lock. */
static void
probe(struct pv_context *ctx, struct pv_vk_device *d, struct pv_vk_queue *q, uint64_t target)
{
   if (q->probe_value) {
      VkResult r = d->GetFenceStatus(d->host, q->probe_fence);
      if (r == VK_NOT_READY)
         return;
      if (r == VK_SUCCESS)
         pv_vk_queue_completed_at_least(q, q->probe_value);
      q->probe_value = 0; /* a lost device: the drain past PV_GRAVES_MAX decides */
      if (r != VK_SUCCESS || !pv_vk_queue_busy(q, target))
         return;
   }
   uint64_t covers;
   /* q->probe_fence stays readable: the graveyard's lock keeps it */
   if (pv_vk_queue_fence_behind(ctx, d, q, &q->probe_fence, &covers, NULL) == VK_SUCCESS)
      q->probe_value = covers;
}

/* Destroys the tombs whose submissions are finished, oldest first; with `ask`, probes the queues
 * the oldest one still waits for. The caller holds the graveyard's lock. */
static void
reap_locked(struct pv_context *ctx, struct pv_vk_device *d, bool ask)
{
   struct pv_vk_graveyard *g = &d->graveyard;
   while (g->head) {
      struct pv_vk_tomb *t = g->head;
      if (!tomb_done(d, t) && ask) {
         for (uint32_t i = 0; i < d->queue_count; i++)
            if (pv_vk_queue_busy(&d->queues[i], t->targets[i]))
               probe(ctx, d, &d->queues[i], t->targets[i]);
         ask = false; /* once: what a probe sent now says comes later */
      }
      if (!tomb_done(d, t))
         return;
      g->head = t->next;
      if (!g->head)
         g->tail = NULL;
      tomb_bury(ctx, d, t);
   }
}

void
pv_vk_graveyard_reap(struct pv_context *ctx, struct pv_vk_device *d)
{
   if (!d)
      return;
   pthread_mutex_lock(&d->graveyard.lock);
   reap_locked(ctx, d, false);
   pthread_mutex_unlock(&d->graveyard.lock);
}

/* The queues' submission counts now, read under each submit lock so that a submission between
 * the host's vkQueueSubmit and its count (pv_vk_queue_end_submit) is in them; whether any of
 * them may still run. */
static bool
snapshot(struct pv_vk_device *d, uint64_t *targets)
{
   bool busy = false;
   for (uint32_t i = 0; i < d->queue_count; i++) {
      struct pv_vk_queue *q = &d->queues[i];
      pthread_mutex_lock(&q->submit_lock);
      targets[i] = atomic_load(&q->submitted);
      pthread_mutex_unlock(&q->submit_lock);
      busy |= pv_vk_queue_busy(q, targets[i]);
   }
   return busy;
}

static bool
same_targets(const struct pv_vk_device *d, const struct pv_vk_tomb *t, const uint64_t *targets)
{
   for (uint32_t i = 0; i < d->queue_count; i++)
      if (t->targets[i] != targets[i])
         return false;
   return true;
}

/* The tomb for handles destroyed at `targets`: the newest one when nothing was submitted since
 * it was opened, else a new one. NULL without memory. */
static struct pv_vk_tomb *
tomb_for(struct pv_vk_device *d, const uint64_t *targets)
{
   struct pv_vk_graveyard *g = &d->graveyard;
   if (g->tail && same_targets(d, g->tail, targets))
      return g->tail;
   struct pv_vk_tomb *t = calloc(1, sizeof(*t) + sizeof(uint64_t) * d->queue_count);
   if (!t)
      return NULL;
   for (uint32_t i = 0; i < d->queue_count; i++)
      t->targets[i] = targets[i];
   if (g->tail)
      g->tail->next = t;
   else
      g->head = t;
   g->tail = t;
   return t;
}

static bool
tomb_add(struct pv_vk_tomb *t, const struct pv_vk_grave *g)
{
   if (t->count == t->cap) {
      uint32_t cap = t->cap ? t->cap * 2 : 8;
      struct pv_vk_grave *v = realloc(t->graves, sizeof(*v) * cap);
      if (!v)
         return false;
      t->graves = v;
      t->cap = cap;
   }
   t->graves[t->count++] = *g;
   return true;
}

/* Keeps the grave's handle for later under the lock; false when it is to be destroyed now. */
static bool
bury_locked(struct pv_context *ctx, struct pv_vk_device *d, const struct pv_vk_grave *g,
            uint64_t *targets)
{
   reap_locked(ctx, d, true);
   if (!snapshot(d, targets))
      return false; /* nothing may run: the caller destroys it now, as before */
   if (d->graveyard.graves >= PV_GRAVES_MAX) {
      pv_warn_limited("context '%s': %u destroyed objects wait for GPU work already; the next "
                      "destroy waits for the device",
                      pv_venus_name(ctx), PV_GRAVES_MAX);
      return false; /* the caller drains */
   }
   struct pv_vk_tomb *t = tomb_for(d, targets);
   if (!t || !tomb_add(t, g))
      return false;
   d->graveyard.graves++;
   d->graveyard.states += g->state != NULL;
   return true;
}

/* Memory and query pools: the guest's object gives its state to the grave (`o` NULL: none). */
static struct pv_vk_grave
grave_of(int32_t type, uint64_t handle, const struct pv_object *o)
{
   struct pv_vk_grave g = {.type = type, .handle = handle};
   if (o && o->data && o->free_data) {
      g.state = o->data;
      g.free_state = o->free_data;
      if (type == VK_OBJECT_TYPE_DEVICE_MEMORY)
         g.bytes = ((const struct pv_vk_memory *)o->data)->charged;
      else if (type == VK_OBJECT_TYPE_QUERY_POOL)
         g.bytes = ((const struct pv_vk_query_pool *)o->data)->charged;
   }
   return g;
}

bool
pv_vk_destroy_later(struct pv_dispatch_ctx *c, VkDevice device, int32_t type, uint64_t handle)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = device ? pv_vk_device_from_host(ctx, device) : NULL;
   if (!d || !handle || c->vk != &d->vk || !destroy_one(d, type, 0) || d->queue_count == 0)
      return false;
   struct pv_object *o = NULL;
   if (type == VK_OBJECT_TYPE_DEVICE_MEMORY || type == VK_OBJECT_TYPE_QUERY_POOL) {
      o = pv_object_find_host(ctx, type, handle);
      if (!o)
         return false;
   }
   uint64_t stack[8], *targets = stack;
   if (d->queue_count > 8 && !(targets = malloc(sizeof(uint64_t) * d->queue_count)))
      return false;
   pthread_mutex_lock(&d->graveyard.lock);
   /* No other command frees this object now: the decoder's claim (pv_cs_claim) let only this
    * one through. The state moves to the grave under the lock, before any reap can see it. */
   const struct pv_vk_grave g = grave_of(type, handle, o);
   bool later = bury_locked(ctx, d, &g, targets);
   if (later) { /* under the lock, before any reap can take them off again */
      atomic_fetch_add_explicit(&ctx->kept_objects, 1, memory_order_relaxed);
      atomic_fetch_add_explicit(&ctx->kept_device_memory, g.bytes, memory_order_relaxed);
      if (o)
         o->data = NULL;
   }
   pthread_mutex_unlock(&d->graveyard.lock);
   if (targets != stack)
      free(targets);
   if (!later)
      return false;
   atomic_fetch_add_explicit(&ctx->destroys_deferred, 1, memory_order_relaxed);
   /* The state is the grave's now; a recorded context stops tracking the mapping at once, as
    * the guest's id may be reused before the grave goes. */
   if (type == VK_OBJECT_TYPE_DEVICE_MEMORY && g.state) {
      const struct pv_object was = {.id = o->id, .type = o->type, .data = g.state};
      pv_vk_memory_forget(ctx, &was);
   }
   pv_cs_destroyed(c->dec, type, handle); /* the guest's id is free now */
   return true;
}

bool
pv_vk_graveyard_holds_state(struct pv_vk_device *d)
{
   pthread_mutex_lock(&d->graveyard.lock);
   bool holds = d->graveyard.states > 0;
   pthread_mutex_unlock(&d->graveyard.lock);
   return holds;
}

bool
pv_vk_charge(struct pv_context *ctx, struct pv_vk_device *d, enum pv_quota q, uint64_t amount)
{
   if (pv_venus_charge_quiet(ctx, q, amount))
      return true;
   if (d && pv_vk_graveyard_holds_state(d)) {
      pv_vk_device_quiesce(ctx, d);
      pv_vk_graveyard_reap(ctx, d);
   }
   /* what was freed may still wait for a path's running command (reclaim.h); this one, an
    * allocation, holds no destroyed object's state */
   pv_reclaim_poll_quota(&ctx->reclaim);
   return pv_venus_charge(ctx, q, amount);
}

void
pv_vk_graveyard_flush(struct pv_context *ctx, struct pv_vk_device *d)
{
   pthread_mutex_lock(&d->graveyard.lock);
   while (d->graveyard.head) {
      struct pv_vk_tomb *t = d->graveyard.head;
      d->graveyard.head = t->next;
      tomb_bury(ctx, d, t);
   }
   d->graveyard.tail = NULL;
   pthread_mutex_unlock(&d->graveyard.lock);
}

void
pv_vk_graveyard_fini(struct pv_vk_device *d)
{
   while (d->graveyard.head) { /* only when the host device went without a flush */
      struct pv_vk_tomb *t = d->graveyard.head;
      d->graveyard.head = t->next;
      for (uint32_t i = 0; i < t->count; i++)
         free_state(NULL, &t->graves[i]); /* the context goes: no quota to give back */
      free(t->graves);
      free(t);
   }
   pthread_mutex_destroy(&d->graveyard.lock);
}
