/* SPDX-License-Identifier: MIT */
/*
 * Descriptor writes against running work (guard.h). The host driver reads a set's descriptors
 * while the work that bound it runs: lavapipe's queue thread copies them when it reaches the
 * bind (lvp_execute.c). A vkUpdateDescriptorSets of that set meanwhile reached the host at
 * once, and lavapipe's write and that read share no lock: a descriptor could be read half
 * written, one buffer with another's offset and range, and the work would run past the smaller
 * buffer into host memory. Vulkan forbids the write (a set in use by a pending command buffer,
 * unless its binding is UPDATE_UNUSED_WHILE_PENDING and the work never reads that descriptor),
 * so only a wrong or hostile guest waits here.
 *
 * Where a torn descriptor reaches no further than the device addresses the guest is offered
 * anyway (a GPU, one context per process) nothing here runs. Elsewhere
 * (pv_vk_physdev_withholds_addresses: lavapipe, or contexts sharing a process):
 * - descriptorBindingUpdateUnusedWhilePending is withheld (guard_address.c), so no legal guest
 *   writes a set that work which may still run bound;
 * - a bind notes the command buffer's recording (id, serial, ended) in the set, up to
 *   PV_SET_BINDERS not ended; past that the set's pool stands for them (pool_uses.c);
 * - a write first counts itself in the set's writers and the context's set_writers, then syncs
 *   with the submitters and looks whether a recording that bound the set may still run. If one
 *   may, it takes its count back, waits for that work and looks again: the host's write comes
 *   only once, counted, it found none running;
 * - a submission that binds a set with writers waits for the write, holding nothing
 *   (resubmit.c). One whose look came before the count was marked before the sync, so the write
 *   sees it running and waits.
 */
#include "vk/guard.h"

#include <stdatomic.h>

#include "renderer/context.h"
#include "util/log.h"
#include "vk/lifetime.h"

/* The recordings that bound a set and have not ended, with their devices. */
struct binders_look {
   struct pv_vk_cmdbuf *cb[PV_SET_BINDERS];
   struct pv_vk_device *d[PV_SET_BINDERS];
   uint32_t n;
   bool overflow;
};

/* Fills `l` and forgets the ended recordings; the caller holds the set's slots_lock. */
static void
unended_binders_locked(struct pv_context *ctx, struct pv_vk_descriptor_set *s,
                       struct binders_look *l)
{
   uint32_t kept = 0;
   for (uint32_t i = 0; i < s->binder_count; i++) {
      const struct pv_vk_set_binder *b = &s->binders[i];
      struct pv_vk_device *d = NULL;
      struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_unended(ctx, b->cmdbuf, b->serial, b->ended, &d);
      if (!cb)
         continue;
      l->cb[kept] = cb;
      l->d[kept] = d;
      s->binders[kept++] = *b;
   }
   s->binder_count = kept;
   l->n = kept;
   l->overflow = s->binders_overflow;
}

static void
add_binder_locked(struct pv_context *ctx, struct pv_vk_descriptor_set *s, struct pv_vk_set_binder b)
{
   for (uint32_t i = 0; i < s->binder_count; i++)
      if (s->binders[i].cmdbuf == b.cmdbuf && s->binders[i].serial == b.serial) {
         s->binders[i].ended = b.ended; /* an earlier recording of it has ended */
         return;
      }
   if (s->binder_count == PV_SET_BINDERS) {
      struct binders_look unused;
      unended_binders_locked(ctx, s, &unused);
   }
   if (s->binder_count == PV_SET_BINDERS)
      s->binders_overflow = true;
   else
      s->binders[s->binder_count++] = b;
}

void
pv_vk_sets_bound(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf, uint32_t count,
                 const VkDescriptorSet *sets)
{
   struct pv_object *o =
      sets ? pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbuf)) : NULL;
   /* a command buffer without state (no memory) is never submitted (pv_vk_cmdbufs_alive) */
   struct pv_vk_cmdbuf *cb = o ? pv_vk_cmdbuf_of(o) : NULL;
   if (!cb || !pv_vk_physdev_withholds_addresses(cb->pd))
      return;
   struct pv_vk_set_binder b = {o->id, o->serial, atomic_load(&cb->ended)};
   for (uint32_t i = 0; i < count; i++) {
      struct pv_vk_descriptor_set *s = sets[i] ? pv_vk_descriptor_set_state(c, sets[i]) : NULL;
      if (!s)
         continue; /* none, or no state: its writes are refused (guard_descriptor.c) */
      pthread_mutex_lock(&s->slots_lock);
      add_binder_locked(pv_venus_from(c), s, b);
      pthread_mutex_unlock(&s->slots_lock);
   }
}

/* Counts (or uncounts) a host write of the set: the set's count first, then the context's, which
 * submissions look at first (pv_vk_cmdbufs_bind_set_written). */
static void
count_writer(struct pv_context *ctx, struct pv_vk_descriptor_set *s, bool counted)
{
   if (counted) {
      atomic_fetch_add(&s->writers, 1);
      atomic_fetch_add(&ctx->set_writers, 1);
   } else {
      atomic_fetch_sub(&ctx->set_writers, 1);
      atomic_fetch_sub(&s->writers, 1);
   }
}

static bool
binder_busy(struct pv_vk_device *d, const struct pv_vk_cmdbuf *cb)
{
   pthread_mutex_lock(&d->track_lock);
   bool busy = pv_vk_cmdbuf_busy_locked(d, cb);
   pthread_mutex_unlock(&d->track_lock);
   return busy;
}

/* Whether work that bound the set may still run, after syncing with the submitters. */
static bool
binders_busy(const struct binders_look *l, struct pv_vk_device *wd, const struct pv_object *pool)
{
   pv_vk_sync_with_submitters(wd);
   for (uint32_t i = 0; i < l->n; i++)
      if (l->d[i] != wd) /* a set bound on another device (invalid, not refused) */
         pv_vk_sync_with_submitters(l->d[i]);
   for (uint32_t i = 0; i < l->n; i++)
      if (binder_busy(l->d[i], l->cb[i]))
         return true;
   return l->overflow && pv_vk_descpool_busy(wd, pool);
}

/* Whether work that bound the set of `o` may still run (looked at after the caller counted
 * the write); `pool`: its pool, when that stands for binders. */
static bool
set_busy(struct pv_context *ctx, struct pv_vk_device *wd, struct pv_object *o,
         struct pv_vk_descriptor_set *s)
{
   struct binders_look l;
   pthread_mutex_lock(&s->slots_lock);
   unended_binders_locked(ctx, s, &l);
   pthread_mutex_unlock(&s->slots_lock);
   if (!l.n && !l.overflow)
      return false;
   struct pv_object *pool =
      l.overflow ? pv_object_find(ctx, o->parent, VK_OBJECT_TYPE_DESCRIPTOR_POOL) : NULL;
   return binders_busy(&l, wd, pool);
}

/* Waits for the work that bound the set of `o`, counted or not; `wd`: the write's device. */
static void
set_wait(struct pv_dispatch_ctx *c, struct pv_vk_device *wd, struct pv_object *o,
         struct pv_vk_descriptor_set *s)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct binders_look l;
   pthread_mutex_lock(&s->slots_lock);
   unended_binders_locked(ctx, s, &l);
   pthread_mutex_unlock(&s->slots_lock);
   for (uint32_t i = 0; i < l.n; i++)
      pv_vk_cmdbuf_wait_state(ctx, l.d[i], l.cb[i]);
   struct pv_object *pool =
      l.overflow ? pv_object_find(ctx, o->parent, VK_OBJECT_TYPE_DESCRIPTOR_POOL) : NULL;
   if (l.overflow && pool)
      pv_vk_descpool_wait(c, VK_NULL_HANDLE, PV_TO_HANDLE(VkDescriptorPool, pool->host));
   else if (l.overflow) /* no pool to ask (set_busy asked the device) */
      pv_vk_device_quiesce(ctx, wd);
}

static void
count_all(struct pv_context *ctx, const struct pv_vk_set_writes *w, bool counted)
{
   for (uint32_t i = 0; i < w->count; i++)
      count_writer(ctx, w->sets[i], counted);
}

static VkDescriptorSet
dst_of(const struct pv_args_vkUpdateDescriptorSets *a, uint64_t i)
{
   return i < a->descriptorWriteCount ? a->pDescriptorWrites[i].dstSet
                                      : a->pDescriptorCopies[i - a->descriptorWriteCount].dstSet;
}

bool
pv_vk_sets_write_begin(struct pv_dispatch_ctx *c, VkDevice device,
                       const struct pv_args_vkUpdateDescriptorSets *a, struct pv_vk_set_writes *w)
{
   *w = (struct pv_vk_set_writes){0};
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   if (!d || !pv_vk_physdev_withholds_addresses(d->pd))
      return true;
   uint64_t n = (uint64_t)a->descriptorWriteCount + a->descriptorCopyCount;
   w->sets = n ? pv_cs_alloc(c->dec, n, sizeof(*w->sets)) : NULL;
   w->objects = n ? pv_cs_alloc(c->dec, n, sizeof(*w->objects)) : NULL;
   if (n && (!w->sets || !w->objects)) {
      pv_venus_fatal(c, "vkUpdateDescriptorSets: no memory for its sets");
      return false;
   }
   for (uint64_t i = 0; i < n; i++) {
      /* a run of entries for one set is counted once; a set in two runs twice */
      if (i && dst_of(a, i) == dst_of(a, i - 1))
         continue;
      struct pv_object *o =
         pv_venus_object(c, VK_OBJECT_TYPE_DESCRIPTOR_SET, PV_FROM_HANDLE(dst_of(a, i)));
      struct pv_vk_descriptor_set *s = pv_vk_descriptor_set_of(o);
      if (s) /* none: the write was refused before (guard_descriptor.c) */
         w->objects[w->count] = o, w->sets[w->count++] = s;
   }
   /* Counted all at once, and waited for uncounted: a submission held back by a count while
    * this command waits for guest work could be what that work waits for (a semaphore). */
   for (;;) {
      count_all(ctx, w, true);
      uint32_t busy = 0;
      while (busy < w->count && !set_busy(ctx, d, w->objects[busy], w->sets[busy]))
         busy++;
      if (busy == w->count)
         return true;
      /* a guest that writes sets its running work binds: worth an operator's look, rarely */
      pv_warn_limited("vkUpdateDescriptorSets: a set that work which may still run binds (invalid "
                      "Vulkan): the write waits for that work");
      count_all(ctx, w, false);
      for (uint32_t i = busy; i < w->count; i++)
         set_wait(c, d, w->objects[i], w->sets[i]);
      if (pv_venus_stopping(ctx)) {
         *w = (struct pv_vk_set_writes){0};
         return false;
      }
   }
}

void
pv_vk_sets_write_end(struct pv_context *ctx, const struct pv_vk_set_writes *w)
{
   count_all(ctx, w, false);
}
