/* SPDX-License-Identifier: MIT */
/*
 * Pools free their command buffers and descriptor sets implicitly. Those objects must leave the
 * id table too: Mesa 22.3.6 uses object addresses as ids and reuses them, so a stale entry
 * would make the guest's next allocation at that address fatal ("id already in use").
 * Each override runs the generated pass-through, then drops the pool's children.
 */
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* The guest id of the pool behind host handle `host`, or 0. */
static uint64_t
pool_id(struct pv_dispatch_ctx *c, int32_t type, uint64_t host)
{
   struct pv_object *obj = pv_object_find_host(pv_venus_from(c), type, host);
   return obj ? obj->id : 0;
}

void
pv_vk_handle_DestroyCommandPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkDestroyCommandPool *a = args;
   uint64_t id = pool_id(c, VK_OBJECT_TYPE_COMMAND_POOL, PV_FROM_HANDLE(a->commandPool));
   /* its children may be in use */
   if (a->commandPool != VK_NULL_HANDLE && !pv_vk_cmdpool_wait(c, a->device, a->commandPool))
      return;
   pv_handle_vkDestroyCommandPool(c, args);
   if (id && !pv_cs_fatal(c->dec))
      pv_object_remove_children(pv_venus_from(c), id, VK_OBJECT_TYPE_COMMAND_BUFFER);
}

void
pv_vk_handle_DestroyDescriptorPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkDestroyDescriptorPool *a = args;
   uint64_t id = pool_id(c, VK_OBJECT_TYPE_DESCRIPTOR_POOL, PV_FROM_HANDLE(a->descriptorPool));
   /* its sets may be in use: their submissions finish first (pool_uses.c) */
   pv_vk_descpool_wait(c, a->device, a->descriptorPool);
   if (id)
      pv_vk_descpool_forget(c, a->device, id);
   pv_handle_vkDestroyDescriptorPool(c, args);
   if (id && !pv_cs_fatal(c->dec))
      pv_object_remove_children(pv_venus_from(c), id, VK_OBJECT_TYPE_DESCRIPTOR_SET);
}

void
pv_vk_handle_ResetDescriptorPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkResetDescriptorPool *a = args;
   uint64_t id = pool_id(c, VK_OBJECT_TYPE_DESCRIPTOR_POOL, PV_FROM_HANDLE(a->descriptorPool));
   if (id && !pv_venus_hold_children(c, id, VK_OBJECT_TYPE_DESCRIPTOR_SET))
      return; /* another ring's command is inside one of its sets */
   pv_vk_descpool_wait(c, a->device, a->descriptorPool); /* its sets may be in use */
   pv_handle_vkResetDescriptorPool(c, args);
   /* vkResetDescriptorPool always succeeds in Vulkan; check anyway */
   if (id && !pv_cs_fatal(c->dec) && a->ret == VK_SUCCESS)
      pv_object_remove_children(pv_venus_from(c), id, VK_OBJECT_TYPE_DESCRIPTOR_SET);
}
