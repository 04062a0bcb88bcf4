/* SPDX-License-Identifier: MIT */
/*
 * Bounds checks of descriptors (guard.h). With robustBufferAccess the host keeps shader
 * accesses inside each descriptor's range, so the range itself must lie inside its buffer:
 * checked when it is written. A dynamic offset moves the range at bind time; each set keeps the
 * smallest room its dynamic descriptors have left (dynamic_slack) and a bind may not move any
 * further. Image and texel-buffer views were checked when they were created.
 */
#include "vk/guard.h"

#include <stdlib.h>

#include "renderer/context.h"

static bool
is_dynamic(VkDescriptorType t)
{
   return t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
          t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
}

static bool
is_buffer(VkDescriptorType t)
{
   return is_dynamic(t) || t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ||
          t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

/* The set's state, made on first need (sets are made by the generated pass-through). */
static struct pv_vk_descriptor_set *
set_state(struct pv_dispatch_ctx *c, VkDescriptorSet set)
{
   struct pv_object *o = set ? pv_venus_object(c, VK_OBJECT_TYPE_DESCRIPTOR_SET,
                                               PV_FROM_HANDLE(set))
                             : NULL;
   if (o && !o->data) {
      struct pv_vk_descriptor_set *s = calloc(1, sizeof(*s));
      if (s) {
         s->dynamic_slack = UINT64_MAX;
         o->data = s;
         o->free_data = pv_vk_state_free;
      }
   }
   return o ? o->data : NULL;
}

/* Checks one buffer descriptor; returns the room a dynamic offset has, or false. */
static bool
buffer_info_ok(struct pv_dispatch_ctx *c, const char *what, const VkDescriptorBufferInfo *bi,
               uint64_t *slack)
{
   *slack = UINT64_MAX;
   if (bi->buffer == VK_NULL_HANDLE)
      return true; /* nullDescriptor: reads zeros */
   if (!pv_guard_buffer_range_whole(c, what, bi->buffer, bi->offset, bi->range))
      return false;
   struct pv_vk_buffer *b = pv_vk_buffer_get(c, bi->buffer);
   *slack = bi->range == VK_WHOLE_SIZE ? 0 : b->size - bi->offset - bi->range;
   return true;
}

static bool
writes_ok(struct pv_dispatch_ctx *c, const char *what, uint32_t n, const VkWriteDescriptorSet *w,
          bool track)
{
   for (uint32_t i = 0; i < n; i++) {
      if (!is_buffer(w[i].descriptorType))
         continue;
      if (!w[i].pBufferInfo) {
         pv_venus_fatal(c, "%s: buffer descriptors without pBufferInfo", what);
         return false;
      }
      uint64_t min_slack = UINT64_MAX, slack;
      for (uint32_t j = 0; j < w[i].descriptorCount; j++) {
         if (!buffer_info_ok(c, what, &w[i].pBufferInfo[j], &slack))
            return false;
         min_slack = slack < min_slack ? slack : min_slack;
      }
      if (!track || !is_dynamic(w[i].descriptorType))
         continue;
      struct pv_vk_descriptor_set *s = set_state(c, w[i].dstSet);
      if (!s) {
         pv_venus_fatal(c, "%s: unknown descriptor set or no memory", what);
         return false;
      }
      s->dynamic_slack = min_slack < s->dynamic_slack ? min_slack : s->dynamic_slack;
   }
   return true;
}

static bool
copies_ok(struct pv_dispatch_ctx *c, uint32_t n, const VkCopyDescriptorSet *cp)
{
   for (uint32_t i = 0; i < n; i++) {
      struct pv_vk_descriptor_set *src = set_state(c, cp[i].srcSet);
      struct pv_vk_descriptor_set *dst = set_state(c, cp[i].dstSet);
      if (!src || !dst) {
         pv_venus_fatal(c, "vkUpdateDescriptorSets: unknown descriptor set in a copy");
         return false;
      }
      if (src->dynamic_slack < dst->dynamic_slack)
         dst->dynamic_slack = src->dynamic_slack;
   }
   return true;
}

void
pv_guard_UpdateDescriptorSets(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkUpdateDescriptorSets *a = args;
   if (writes_ok(c, "vkUpdateDescriptorSets", a->descriptorWriteCount, a->pDescriptorWrites,
                 true) &&
       copies_ok(c, a->descriptorCopyCount, a->pDescriptorCopies))
      pv_handle_vkUpdateDescriptorSets(c, args);
}

void
pv_guard_CmdPushDescriptorSetKHR(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdPushDescriptorSetKHR *a = args;
   if (writes_ok(c, "vkCmdPushDescriptorSetKHR", a->descriptorWriteCount, a->pDescriptorWrites,
                 false))
      pv_handle_vkCmdPushDescriptorSetKHR(c, args);
}

void
pv_guard_CmdBindDescriptorSets(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBindDescriptorSets *a = args;
   uint64_t room = UINT64_MAX;
   for (uint32_t i = 0; a->dynamicOffsetCount && i < a->descriptorSetCount; i++) {
      struct pv_vk_descriptor_set *s = set_state(c, a->pDescriptorSets[i]);
      if (s && s->dynamic_slack < room)
         room = s->dynamic_slack;
   }
   for (uint32_t i = 0; i < a->dynamicOffsetCount; i++)
      if (a->pDynamicOffsets[i] > room) {
         pv_venus_fatal(c, "vkCmdBindDescriptorSets: dynamic offset %u moves a range past its "
                           "buffer (room %llu)",
                        a->pDynamicOffsets[i], (unsigned long long)room);
         return;
      }
   pv_handle_vkCmdBindDescriptorSets(c, args);
}
