/* SPDX-License-Identifier: MIT */
/* Object lifetime against GPU work: see lifetime.h. */
#include "vk/lifetime.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "util/log.h"

/* ----- reference sets ----------------------------------------------------------------------- */

static bool
refset_grow(struct pv_vk_refset *s)
{
   uint32_t cap = s->cap ? s->cap * 2 : 16;
   if (cap < s->cap)
      return false;
   struct pv_vk_ref_entry *v = calloc(cap, sizeof(*v));
   if (!v)
      return false;
   for (uint32_t i = 0; i < s->cap; i++) {
      if (!s->v[i].serial)
         continue;
      uint32_t j = (uint32_t)s->v[i].serial & (cap - 1);
      while (v[j].serial)
         j = (j + 1) & (cap - 1);
      v[j] = s->v[i];
   }
   free(s->v);
   s->v = v;
   s->cap = cap;
   return true;
}

bool
pv_vk_refset_add(struct pv_vk_refset *s, const struct pv_object *o)
{
   if ((s->count + 1) * 2 > s->cap && !refset_grow(s))
      return false;
   uint32_t j = (uint32_t)o->serial & (s->cap - 1);
   while (s->v[j].serial) {
      if (s->v[j].serial == o->serial)
         return true;
      j = (j + 1) & (s->cap - 1);
   }
   s->v[j] = (struct pv_vk_ref_entry){o->id, o->serial, o->type};
   s->count++;
   return true;
}

static void
refset_clear(struct pv_vk_refset *s)
{
   if (s->v)
      memset(s->v, 0, s->cap * sizeof(*s->v));
   s->count = 0;
}

void
pv_vk_refset_fini(struct pv_vk_refset *s)
{
   free(s->v);
   *s = (struct pv_vk_refset){0};
}

/* ----- recording (called by the executor after every command) ------------------------------ */

static void
cmdbuf_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_cmdbuf *cb = obj->data;
   pv_vk_refset_fini(&cb->refs);
   free(cb);
   obj->data = NULL;
}

static struct pv_vk_cmdbuf *
cmdbuf_state(struct pv_object *o)
{
   if (!o->data) {
      o->data = calloc(1, sizeof(struct pv_vk_cmdbuf));
      if (o->data)
         o->free_data = cmdbuf_free;
   }
   return o->data;
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

void
pv_vk_command_named(struct pv_context *ctx, int32_t type, struct pv_object *const *named,
                    uint32_t count)
{
   const char *name = ctx->table->entries[type].name;
   bool begin = !strcmp(name, "vkBeginCommandBuffer");
   if (!count || (!begin && strncmp(name, "vkCmd", 5)))
      return;
   /* the command buffer is the first handle of every recording command */
   if (named[0]->type != VK_OBJECT_TYPE_COMMAND_BUFFER)
      return;
   struct pv_vk_cmdbuf *cb = cmdbuf_state(named[0]);
   if (!cb)
      return; /* no state: pv_vk_cmdbufs_alive refuses it */
   if (begin) {
      refset_clear(&cb->refs);
      cb->broken = false;
      cb->checked_gen = 0;
   }
   for (uint32_t i = 1; i < count; i++)
      if (is_reference(named[i]->type) && !pv_vk_refset_add(&cb->refs, named[i]))
         cb->broken = true;
   cb->checked_gen = 0; /* new references are unchecked */
}

/* ----- submission ---------------------------------------------------------------------------- */

static bool ref_alive(struct pv_context *ctx, uint64_t id, uint64_t serial, int32_t type,
                      int depth);

static bool
memory_alive(struct pv_context *ctx, struct pv_vk_ref m)
{
   return ref_alive(ctx, m.id, m.serial, VK_OBJECT_TYPE_DEVICE_MEMORY, 0);
}

struct slot_walk {
   struct pv_context *ctx;
   int depth;
   bool ok;
};

static void
slot_alive_cb(uint64_t key, void *value, void *data)
{
   (void)key;
   struct slot_walk *w = data;
   const struct pv_vk_ref_entry *r = value;
   if (w->ok && !ref_alive(w->ctx, r->id, r->serial, r->type, w->depth))
      w->ok = false;
}

static bool
refset_alive(struct pv_context *ctx, const struct pv_vk_refset *s, int depth)
{
   for (uint32_t i = 0; i < s->cap; i++)
      if (s->v[i].serial && !ref_alive(ctx, s->v[i].id, s->v[i].serial, s->v[i].type, depth))
         return false;
   return true;
}

/* The object is the same live one, and so is everything it stands on (memory, a view's image,
 * a descriptor's object, a secondary command buffer's references). */
static bool
ref_alive(struct pv_context *ctx, uint64_t id, uint64_t serial, int32_t type, int depth)
{
   struct pv_object *o = pv_object_find(ctx, id, type);
   if (!o || o->serial != serial || depth > 3)
      return false;
   switch (type) {
   case VK_OBJECT_TYPE_BUFFER: {
      const struct pv_vk_buffer *b = o->data;
      return b && (b->sparse || (b->bound && memory_alive(ctx, b->memory)));
   }
   case VK_OBJECT_TYPE_IMAGE: {
      const struct pv_vk_image *im = o->data;
      return im && (im->sparse || (im->bound && memory_alive(ctx, im->memory)));
   }
   case VK_OBJECT_TYPE_IMAGE_VIEW:
   case VK_OBJECT_TYPE_BUFFER_VIEW: {
      const struct pv_vk_view *v = o->data;
      return v && ref_alive(ctx, v->target.id, v->target.serial, v->target_type, depth + 1);
   }
   case VK_OBJECT_TYPE_DESCRIPTOR_SET: {
      const struct pv_vk_descriptor_set *s = o->data;
      struct slot_walk w = {ctx, depth + 1, true};
      if (s)
         pv_id_table_foreach(&s->slots, slot_alive_cb, &w);
      return w.ok;
   }
   case VK_OBJECT_TYPE_COMMAND_BUFFER: {
      const struct pv_vk_cmdbuf *cb = o->data;
      return !cb || (!cb->broken && refset_alive(ctx, &cb->refs, depth + 1));
   }
   default:
      return true;
   }
}

bool
pv_vk_cmdbufs_alive(struct pv_dispatch_ctx *c, const char *what, uint32_t count,
                    const VkCommandBuffer *cmdbufs)
{
   struct pv_context *ctx = pv_venus_from(c);
   uint64_t gen = atomic_load_explicit(&ctx->objects.generation, memory_order_acquire);
   for (uint32_t i = 0; i < count; i++) {
      struct pv_object *o =
         pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbufs[i]));
      struct pv_vk_cmdbuf *cb = o ? cmdbuf_state(o) : NULL;
      if (!cb || cb->broken) {
         pv_venus_fatal(c, "%s: unknown command buffer or one without its references", what);
         return false;
      }
      if (cb->checked_gen == gen)
         continue; /* nothing destroyed since its references were last found alive */
      if (!refset_alive(ctx, &cb->refs, 0)) {
         pv_venus_fatal(c, "%s: a command buffer names an object destroyed since it was "
                           "recorded",
                        what);
         return false;
      }
      cb->checked_gen = gen;
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
   struct pv_object *o = pv_object_find(pv_venus_from(c), id, type);
   struct pv_object *t = pv_venus_object(c, target_type, target_host);
   struct pv_vk_view *v = o && t && !o->data ? malloc(sizeof(*v)) : NULL;
   if (!v) {
      pv_venus_fatal(c, "view 0x%llx: no memory for its reference or unknown target",
                     (unsigned long long)id);
      return;
   }
   *v = (struct pv_vk_view){{t->id, t->serial}, t->type};
   o->data = v;
   o->free_data = pv_vk_state_free;
}

/* ----- descriptor slots ---------------------------------------------------------------------- */

void
pv_vk_descriptor_slot_set(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s,
                          uint32_t binding, uint32_t element, const struct pv_object *o)
{
   uint64_t key = ((uint64_t)binding << 32 | element) + 1; /* 0 is the table's empty key */
   free(pv_id_table_remove(&s->slots, key));
   if (!o)
      return;
   struct pv_vk_ref_entry *r = malloc(sizeof(*r));
   if (r)
      *r = (struct pv_vk_ref_entry){o->id, o->serial, o->type};
   if (!r || !pv_id_table_insert(&s->slots, key, r)) {
      free(r);
      pv_venus_fatal(c, "vkUpdateDescriptorSets: no memory for a descriptor's reference");
   }
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

struct pv_vk_queue *
pv_vk_queue_track_next(struct pv_dispatch_ctx *c, VkQueue queue, VkSemaphore *sem,
                       uint64_t *value, struct pv_vk_device **device)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *qo = pv_venus_object(c, VK_OBJECT_TYPE_QUEUE, PV_FROM_HANDLE(queue));
   struct pv_object *dobj = qo ? pv_object_find(ctx, qo->parent, VK_OBJECT_TYPE_DEVICE) : NULL;
   struct pv_vk_device *d = dobj ? dobj->data : NULL;
   struct pv_vk_queue *q = queue_of(d, queue);
   if (!q || !d->tracking)
      return NULL;
   if (!q->track) {
      VkSemaphoreTypeCreateInfo type = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
                                        .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE};
      VkSemaphoreCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
                                  .pNext = &type};
      VkSemaphore s;
      if (d->CreateSemaphore(d->host, &ci, NULL, &s) != VK_SUCCESS)
         return NULL;
      q->track = s;
   }
   *sem = q->track;
   /* submissions to one queue are externally synchronized: one at a time */
   *value = atomic_load(&q->submitted) + 1;
   *device = d;
   return q;
}

void
pv_vk_queue_track_submitted(struct pv_dispatch_ctx *c, struct pv_vk_queue *q,
                            struct pv_vk_device *d, uint64_t value, uint32_t count,
                            const VkCommandBuffer *cmdbufs)
{
   atomic_store(&q->submitted, value);
   for (uint32_t i = 0; i < count; i++) {
      struct pv_object *o =
         pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbufs[i]));
      struct pv_vk_cmdbuf *cb = o ? o->data : NULL;
      if (cb) {
         cb->queue = q;
         cb->device = d;
         cb->value = value;
      }
   }
}

/* Waits on one tracking semaphore in slices, until it is reached or the context stops. */
#define PV_QUIESCE_SLICE_NS 100000000ull
static void
wait_track(struct pv_context *ctx, struct pv_vk_device *d, struct pv_vk_queue *q,
           uint64_t target)
{
   const VkSemaphoreWaitInfo wi = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
                                   .semaphoreCount = 1,
                                   .pSemaphores = &q->track,
                                   .pValues = &target};
   while (!pv_venus_stopping(ctx)) {
      VkResult r = d->WaitSemaphores(d->host, &wi, PV_QUIESCE_SLICE_NS);
      if (r != VK_TIMEOUT)
         return;
   }
}

void
pv_vk_device_quiesce(struct pv_context *ctx, struct pv_vk_device *d)
{
   for (uint32_t i = 0; d && d->tracking && i < d->queue_count; i++) {
      struct pv_vk_queue *q = &d->queues[i];
      uint64_t done = 0;
      if (!q->track || !atomic_load(&q->submitted) ||
          (d->GetSemaphoreCounterValue(d->host, q->track, &done) == VK_SUCCESS &&
           done >= atomic_load(&q->submitted)))
         continue;
      wait_track(ctx, d, q, atomic_load(&q->submitted));
   }
}

void
pv_vk_cmdbuf_wait(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf)
{
   struct pv_object *o =
      pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbuf));
   struct pv_vk_cmdbuf *cb = o ? o->data : NULL;
   uint64_t done = 0;
   if (!cb || !cb->queue || !cb->queue->track ||
       (cb->device->GetSemaphoreCounterValue(cb->device->host, cb->queue->track, &done) ==
           VK_SUCCESS &&
        done >= cb->value))
      return;
   wait_track(pv_venus_from(c), cb->device, cb->queue, cb->value);
}

void
pv_vk_queue_tracks_fini(struct pv_vk_device *d)
{
   for (uint32_t i = 0; i < d->queue_count; i++)
      if (d->queues[i].track) {
         d->DestroySemaphore(d->host, d->queues[i].track, NULL);
         d->queues[i].track = VK_NULL_HANDLE;
      }
}
