/* SPDX-License-Identifier: MIT */
/*
 * Which submissions used a descriptor pool's sets (lifetime.h, issue 16). Resetting or
 * destroying a descriptor pool, or freeing its sets, frees what the GPU reads while a command
 * buffer that bound them runs; it used to wait for all of the device's submitted work. Many
 * engines reset a pool per frame once that frame's fence is waited, while the next frame runs:
 * that wait took the next frame too, and recording never overlapped the GPU again.
 *
 * Now a command buffer notes the pools of the sets its commands name (up to PV_CMDBUF_POOLS;
 * more, a set whose pool is unknown, or secondaries it executes make its pools "unknown"), a
 * submission marks each noted pool with its queue and count (under the device's track lock, as
 * command buffers are marked), and a pool's reset, destroy or free of sets waits only for its
 * last marked submission. While a submission with unknown pools may still run, or when the pool
 * was used on two queues while the first may still run, it waits for the whole device, as
 * before.
 */
#include <stdlib.h>

#include "renderer/context.h"
#include "vk/lifetime.h"

/* The last submission that used a pool's sets (pv_vk_device.pool_uses, by pool serial). */
struct pv_vk_pool_use {
   struct pv_vk_queue *queue;
   uint64_t value;
   bool queues_overlap;
};

/* The serial of the pool `set` came from, 0 when unknown (kept in the set's state). */
static uint64_t
pool_serial_of(struct pv_context *ctx, struct pv_object *set)
{
   struct pv_vk_descriptor_set *s = pv_vk_descriptor_set_of(set);
   if (s && s->pool_serial)
      return s->pool_serial;
   struct pv_object *pool = pv_object_find(ctx, set->parent, VK_OBJECT_TYPE_DESCRIPTOR_POOL);
   if (s && pool)
      s->pool_serial = pool->serial;
   return pool ? pool->serial : 0;
}

void
pv_vk_cmdbuf_note_set(struct pv_context *ctx, struct pv_vk_cmdbuf *cb, struct pv_object *set)
{
   if (cb->pools_unknown)
      return;
   uint64_t serial = pool_serial_of(ctx, set);
   for (uint32_t i = 0; serial && i < cb->pool_count; i++)
      if (cb->pools[i] == serial)
         return;
   if (!serial || cb->pool_count == PV_CMDBUF_POOLS)
      cb->pools_unknown = true;
   else
      cb->pools[cb->pool_count++] = serial;
}

static void
mark_pool(struct pv_vk_device *d, uint64_t serial, struct pv_vk_queue *q, uint64_t value)
{
   struct pv_vk_pool_use *u = pv_id_table_get(&d->pool_uses, serial);
   if (!u) {
      u = calloc(1, sizeof(*u));
      if (!u || !pv_id_table_insert(&d->pool_uses, serial, u)) {
         free(u);
         q->pools_unknown_value = value; /* no memory: waits for the queue instead */
         return;
      }
   }
   if (u->queue && u->queue != q && pv_vk_queue_busy(u->queue, u->value))
      u->queues_overlap = true;
   u->queue = q;
   u->value = value;
}

void
pv_vk_pool_uses_mark(struct pv_vk_device *d, struct pv_vk_queue *q, uint64_t value,
                     const struct pv_vk_cmdbuf *cb)
{
   /* a secondary's sets are in its own notes, which its primaries' submissions do not walk */
   if (cb->pools_unknown || cb->runs_secondaries) {
      q->pools_unknown_value = value;
      return;
   }
   for (uint32_t i = 0; i < cb->pool_count; i++)
      mark_pool(d, cb->pools[i], q, value);
}

void
pv_vk_descpool_wait(struct pv_dispatch_ctx *c, VkDevice device, VkDescriptorPool pool)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *p = pv_venus_object(c, VK_OBJECT_TYPE_DESCRIPTOR_POOL, PV_FROM_HANDLE(pool));
   struct pv_vk_device *d = pv_vk_device_of_pool(ctx, p, device);
   if (!d)
      return;
   pv_vk_sync_with_submitters(d);
   pthread_mutex_lock(&d->track_lock);
   struct pv_vk_pool_use *u = p ? pv_id_table_get(&d->pool_uses, p->serial) : NULL;
   struct pv_vk_queue *q = u ? u->queue : NULL;
   uint64_t value = u ? u->value : 0;
   bool overlap = !p || (u && u->queues_overlap);
   if (u)
      u->queues_overlap = false;
   bool unknown = false;
   for (uint32_t i = 0; i < d->queue_count; i++)
      unknown |= pv_vk_queue_busy(&d->queues[i], d->queues[i].pools_unknown_value);
   pthread_mutex_unlock(&d->track_lock);
   /* an unknown pool, one in flight on two queues, or submissions whose pools are unknown
    * still running: every queue (pools_unknown_value is the track lock's, read above) */
   if (overlap || unknown)
      pv_vk_device_quiesce(ctx, d);
   else if (q && pv_vk_queue_busy(q, value))
      pv_vk_queue_drain(ctx, d, q);
   pv_vk_graveyard_reap(ctx, d);
}

bool
pv_vk_descpool_busy(struct pv_vk_device *d, const struct pv_object *pool)
{
   pthread_mutex_lock(&d->track_lock);
   const struct pv_vk_pool_use *u = pool ? pv_id_table_get(&d->pool_uses, pool->serial) : NULL;
   bool busy = (!pool || (u && u->queues_overlap)) ? pv_vk_device_busy(d)
                                                   : u && pv_vk_queue_busy(u->queue, u->value);
   for (uint32_t i = 0; !busy && i < d->queue_count; i++)
      busy = pv_vk_queue_busy(&d->queues[i], d->queues[i].pools_unknown_value);
   pthread_mutex_unlock(&d->track_lock);
   return busy;
}

void
pv_vk_descpool_forget(struct pv_dispatch_ctx *c, VkDevice device, uint64_t pool_id)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *p = pv_object_find(ctx, pool_id, VK_OBJECT_TYPE_DESCRIPTOR_POOL);
   struct pv_vk_device *d = p ? pv_vk_device_of_pool(ctx, p, device) : NULL;
   if (!d)
      return;
   pthread_mutex_lock(&d->track_lock);
   free(pv_id_table_remove(&d->pool_uses, p->serial));
   pthread_mutex_unlock(&d->track_lock);
}

static void
free_use(uint64_t key, void *value, void *data)
{
   (void)key;
   (void)data;
   free(value);
}

void
pv_vk_pool_uses_fini(struct pv_vk_device *d)
{
   pv_id_table_foreach(&d->pool_uses, free_use, NULL);
   pv_id_table_fini(&d->pool_uses);
}
