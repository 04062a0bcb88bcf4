/* SPDX-License-Identifier: MIT */
/*
 * Serving a lost context just enough to tell its guest (issue 12). A lost context calls the host
 * driver no more (DESIGN.md decision 6); these handlers run instead of the usual ones and touch
 * only our own state and plain shared memory.
 *
 * Why more than answering VK_ERROR_DEVICE_LOST: a wire-0 guest (Mesa 22.3.6) learns that a fence
 * signalled by polling a 4-byte feedback slot in host-visible memory, which a recorded
 * vkCmdFillBuffer of VK_SUCCESS sets (lifetime.h). Its feedback pool is made lazily, at its first
 * vkCreateFence, so a guest lost before that builds it in lost mode:
 *
 *   vkCreateBuffer (async: its memory requirements come from the guest's cache)
 *   vkAllocateMemory (a synchronous call, for the memory or for the guest's 16 MiB suballocation
 *                     pool), then a HOST3D blob export of it over vtest, which the guest maps
 *   vkBindBufferMemory2 (async), vkAllocateCommandBuffers, vkCmdFillBuffer(slot, VK_SUCCESS)
 *   vkQueueSubmit ... and then it polls the slot, never the socket.
 *
 * Without help the buffer and memory do not exist on our side, the slot is never found and the
 * guest polls until its own watchdog aborts it (about four minutes). So, in lost mode:
 *
 * - host-visible vkAllocateMemory is backed by plain shared memory (pv_vk_memory_shm), never
 *   imported into the host driver, exportable as the blob the guest maps; charged to the same
 *   quotas (device memory, fds, object count) as a live allocation;
 * - vkCreateBuffer and vkBindBufferMemory(2) keep the buffer's size and binding (our state only,
 *   the reply still says VK_ERROR_DEVICE_LOST);
 * - vkCmdFillBuffer remembers the feedback slot, and every vkQueueSubmit writes
 *   VK_ERROR_DEVICE_LOST into all of them (pv_vk_tell_lost), which the guest's wait returns;
 * - vkFreeMemory and vkDestroyBuffer free what lost mode made.
 *
 * Objects made here have host handle 0 (teardown's destroy calls then do nothing: a null handle
 * is valid there); lost handlers find them by the guest id the command named
 * (pv_venus_lost_named).
 */
#include "vk/lifetime.h"

#include <stdlib.h>

#include "util/log.h"
#include "vk/guard.h"
#include "vk/pv_vk.h"

/* The device a lost command names, if it was made before the loss (it has host state). */
static struct pv_object *
lost_device(struct pv_dispatch_ctx *c)
{
   struct pv_object *d = pv_venus_lost_named(c, VK_OBJECT_TYPE_DEVICE, 0);
   return d && d->host && d->data ? d : NULL;
}

/* Made in lost mode: no host object behind it. */
static bool
made_lost(const struct pv_object *o)
{
   return o && o->host == 0;
}

/* ----- memory -------------------------------------------------------------------------------- */

static bool
has_import(const void *pnext)
{
   for (const VkBaseInStructure *p = pnext; p; p = p->pNext)
      if ((int32_t)p->sType == PV_STYPE_IMPORT_MEMORY_RESOURCE_INFO_MESA ||
          p->sType == VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR ||
          p->sType == VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT)
         return true;
   return false;
}

/* Shared memory for a host-visible allocation, with the quotas a live one takes; NULL (nothing
 * charged) when a quota or the system says no. */
static struct pv_vk_memory *
lost_backing(struct pv_context *ctx, uint64_t size)
{
   if (!pv_venus_charge(ctx, PV_QUOTA_DEVICE_MEMORY, size))
      return NULL;
   if (!pv_venus_charge(ctx, PV_QUOTA_FDS, 1)) {
      pv_venus_uncharge(ctx, PV_QUOTA_DEVICE_MEMORY, size);
      return NULL;
   }
   struct pv_vk_memory *m = pv_vk_memory_shm(size, 0);
   if (!m) {
      pv_venus_uncharge(ctx, PV_QUOTA_FDS, 1);
      pv_venus_uncharge(ctx, PV_QUOTA_DEVICE_MEMORY, size);
      return NULL;
   }
   m->charged = size;
   m->fd_charged = true;
   m->alloc_size = size;
   return m;
}

static void
lost_allocate_memory(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkAllocateMemory *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *dev = lost_device(c);
   const VkMemoryAllocateInfo *info = a->pAllocateInfo;
   const struct pv_vk_device *d = dev ? dev->data : NULL;
   a->ret = VK_ERROR_DEVICE_LOST;
   /* Only what the guest maps needs serving; anything else it learns is lost from this reply. */
   if (!d || !d->pd || !info || !a->pMemory || PV_FROM_HANDLE(*a->pMemory) == 0 ||
       info->memoryTypeIndex >= d->pd->mem.memoryTypeCount ||
       !(d->pd->mem.memoryTypes[info->memoryTypeIndex].propertyFlags &
         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) ||
       has_import(info->pNext))
      return;
   if (!pv_cs_admit(c->dec, VK_OBJECT_TYPE_DEVICE_MEMORY, 1)) {
      a->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   struct pv_vk_memory *m = lost_backing(ctx, info->allocationSize);
   if (!m) {
      a->ret = VK_ERROR_OUT_OF_DEVICE_MEMORY;
      return;
   }
   struct pv_object *o = pv_object_add_unbacked(ctx, VK_OBJECT_TYPE_DEVICE_MEMORY,
                                                PV_FROM_HANDLE(*a->pMemory), dev->id);
   if (!o) {
      /* an id in use: lost mode never makes a command fatal (the stream must stay in step) */
      struct pv_object tmp = {.data = m};
      pv_vk_memory_free_data(ctx, &tmp);
      return;
   }
   o->data = m;
   o->free_data = pv_vk_memory_free_data;
   a->ret = VK_SUCCESS; /* *a->pMemory still holds the guest id: the reply echoes it */
}

static void
lost_free_memory(struct pv_dispatch_ctx *c, void *args)
{
   (void)args;
   struct pv_object *o = pv_venus_lost_named(c, VK_OBJECT_TYPE_DEVICE_MEMORY, 0);
   /* memory made before the loss stays until teardown: the host driver still holds it */
   if (made_lost(o))
      pv_object_remove(pv_venus_from(c), o->id);
}

/* ----- buffers ------------------------------------------------------------------------------- */

static void
lost_create_buffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateBuffer *a = args;
   struct pv_object *dev = lost_device(c);
   /* A synchronous create still hears of the loss; the guest's cached (async) one ignores it. */
   a->ret = VK_ERROR_DEVICE_LOST;
   if (!dev || !a->pCreateInfo || !a->pBuffer || PV_FROM_HANDLE(*a->pBuffer) == 0 ||
       !pv_cs_admit(c->dec, VK_OBJECT_TYPE_BUFFER, 1))
      return;
   struct pv_vk_buffer *b = calloc(1, sizeof(*b));
   struct pv_object *o = b ? pv_object_add_unbacked(pv_venus_from(c), VK_OBJECT_TYPE_BUFFER,
                                                    PV_FROM_HANDLE(*a->pBuffer), dev->id)
                           : NULL;
   if (!o) {
      free(b);
      return;
   }
   b->size = a->pCreateInfo->size;
   o->data = b;
   o->free_data = pv_vk_state_free;
}

static void
lost_destroy_buffer(struct pv_dispatch_ctx *c, void *args)
{
   (void)args;
   struct pv_object *o = pv_venus_lost_named(c, VK_OBJECT_TYPE_BUFFER, 0);
   if (made_lost(o))
      pv_object_remove(pv_venus_from(c), o->id);
}

/* Records the binding of the nth buffer and memory the command named, when the buffer is one
 * without a binding yet and the memory has a mapping a slot can live in. Only our state changes:
 * status_word (lifetime.c) checks every slot against the memory's bounds before writing. */
static void
lost_bind(struct pv_dispatch_ctx *c, uint32_t nth, uint64_t offset)
{
   struct pv_object *bo = pv_venus_lost_named(c, VK_OBJECT_TYPE_BUFFER, nth);
   struct pv_object *mo = pv_venus_lost_named(c, VK_OBJECT_TYPE_DEVICE_MEMORY, nth);
   struct pv_vk_buffer *b = bo ? bo->data : NULL;
   const struct pv_vk_memory *m = mo ? mo->data : NULL;
   if (!b || b->bound || b->sparse || !m || !m->map || offset >= m->size)
      return;
   b->bound = true;
   b->memory = (struct pv_vk_ref){mo->id, mo->serial};
   b->memory_offset = offset;
}

static void
lost_bind_buffer_memory(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkBindBufferMemory *a = args;
   a->ret = VK_ERROR_DEVICE_LOST;
   lost_bind(c, 0, a->memoryOffset);
}

static void
lost_bind_buffer_memory2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkBindBufferMemory2 *a = args;
   a->ret = VK_ERROR_DEVICE_LOST;
   /* each VkBindBufferMemoryInfo names one buffer, then one memory, in that order */
   for (uint32_t i = 0; a->pBindInfos && i < a->bindInfoCount; i++)
      lost_bind(c, i, a->pBindInfos[i].memoryOffset);
}

/* ----- telling: feedback slots --------------------------------------------------------------- */

/* In a lost context nothing is submitted; a guest polling a feedback slot hears of the loss. */
static void
lost_submit(struct pv_dispatch_ctx *c, void *args)
{
   (void)args;
   pv_vk_tell_lost(c);
}

/* A fill recorded after the loss is remembered all the same: the guest polls it next. */
static void
lost_fill(struct pv_dispatch_ctx *c, void *args)
{
   const struct pv_args_vkCmdFillBuffer *a = args;
   if (a->size == sizeof(uint32_t) && a->data == (uint32_t)VK_SUCCESS)
      pv_vk_note_status_slot_of(pv_venus_from(c), pv_venus_lost_named(c, VK_OBJECT_TYPE_BUFFER, 0),
                                a->dstOffset);
}

void
pv_vk_register_lost(struct pv_overrides *o)
{
   pv_overrides_set(o, "vkQueueSubmit", lost_submit);
   pv_overrides_set(o, "vkQueueSubmit2", lost_submit);
   pv_overrides_set(o, "vkCmdFillBuffer", lost_fill);
   pv_overrides_set(o, "vkAllocateMemory", lost_allocate_memory);
   pv_overrides_set(o, "vkFreeMemory", lost_free_memory);
   pv_overrides_set(o, "vkCreateBuffer", lost_create_buffer);
   pv_overrides_set(o, "vkDestroyBuffer", lost_destroy_buffer);
   pv_overrides_set(o, "vkBindBufferMemory", lost_bind_buffer_memory);
   pv_overrides_set(o, "vkBindBufferMemory2", lost_bind_buffer_memory2);
}
