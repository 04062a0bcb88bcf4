/* SPDX-License-Identifier: MIT */
/*
 * Mutable descriptors (VK_EXT_mutable_descriptor_type, VK_VALVE_mutable_descriptor_type; the
 * eleventh reading, 2026-12-08).
 *
 * A MUTABLE binding takes, element by element, any descriptor type of the list its layout
 * gives it, and a shader reads an element as whatever type it declares: reading it as another
 * type than the one last written is undefined. On a CPU device (lavapipe 25 keeps every
 * descriptor as a union of llvmpipe's texture, image and buffer records) that undefined read
 * takes an image's pointer and sizes as a buffer's, so a guest's shader could read and write
 * host memory outside its own. Like device addresses (guard_address.c), the extensions are
 * withheld where that memory is the host process's or another guest's (physical_device.c),
 * and everywhere:
 *  - MUTABLE in a set layout or pool needs the device's mutableDescriptorType feature
 *    (an enum value of an extension the device was not created with: what the decoder's enum
 *    check does not see);
 *  - a MUTABLE binding needs its type list, which holds only types it may
 *    (VUID-VkMutableDescriptorTypeListEXT-*), and takes no immutable samplers nor a push layout;
 *  - a write or a copy into such a binding gives one of the listed types
 *    (VUID-VkWriteDescriptorSet-dstSet-04611, VkCopyDescriptorSet-dstSet-04612): lavapipe 25
 *    updates a set by a switch on the written type whose default is unreachable().
 */
#include "vk/guard.h"
#include "vk/spirv_reflect.h"

/* The type lists chained to a set layout's or pool's create info, NULL when none. */
static const VkMutableDescriptorTypeCreateInfoEXT *
type_lists(const void *pnext)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext)
      if (s->sType == VK_STRUCTURE_TYPE_MUTABLE_DESCRIPTOR_TYPE_CREATE_INFO_EXT)
         return (const void *)s;
   return NULL;
}

/* Types a list may hold (VUID-VkMutableDescriptorTypeListEXT-pDescriptorTypes-04600..04603). */
static bool
listable(VkDescriptorType t)
{
   switch (t) {
   case VK_DESCRIPTOR_TYPE_MUTABLE_EXT:
   case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
   case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC:
   case VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK:
      return false;
   default:
      return pv_spirv_type_bit(t) != 0;
   }
}

/* List i as type bits; 0 when it is absent, empty or holds a type it may not (or one twice). */
static uint32_t
list_bits(const VkMutableDescriptorTypeCreateInfoEXT *m, uint32_t i)
{
   if (!m || !m->pMutableDescriptorTypeLists || i >= m->mutableDescriptorTypeListCount)
      return 0;
   const VkMutableDescriptorTypeListEXT *l = &m->pMutableDescriptorTypeLists[i];
   uint32_t bits = 0;
   for (uint32_t k = 0; l->pDescriptorTypes && k < l->descriptorTypeCount; k++) {
      uint32_t bit =
         listable(l->pDescriptorTypes[k]) ? pv_spirv_type_bit(l->pDescriptorTypes[k]) : 0;
      if (!bit || (bits & bit))
         return 0;
      bits |= bit;
   }
   return bits;
}

/* Whether list i is empty (what a binding of another type must have, -04599). */
static bool
list_empty(const VkMutableDescriptorTypeCreateInfoEXT *m, uint32_t i)
{
   return !m || !m->pMutableDescriptorTypeLists || i >= m->mutableDescriptorTypeListCount ||
          m->pMutableDescriptorTypeLists[i].descriptorTypeCount == 0;
}

const char *
pv_vk_mutable_layout_misfit(uint64_t features, const VkDescriptorSetLayoutCreateInfo *ci)
{
   const VkMutableDescriptorTypeCreateInfoEXT *m = type_lists(ci->pNext);
   bool any =
      m != NULL || (ci->flags & VK_DESCRIPTOR_SET_LAYOUT_CREATE_HOST_ONLY_POOL_BIT_EXT) != 0;
   for (uint32_t i = 0; ci->pBindings && i < ci->bindingCount; i++) {
      const VkDescriptorSetLayoutBinding *b = &ci->pBindings[i];
      if (b->descriptorType != VK_DESCRIPTOR_TYPE_MUTABLE_EXT) {
         if (!list_empty(m, i))
            return "a type list for a binding that is not MUTABLE";
         continue;
      }
      any = true;
      if (!list_bits(m, i))
         return "a MUTABLE binding without a type list of types it may hold (none twice)";
      if (b->pImmutableSamplers)
         return "a MUTABLE binding with immutable samplers";
      if (ci->flags & VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR)
         return "a MUTABLE binding in a push descriptor layout";
   }
   return any && !(features & PV_FEATURE(PV_FEATURE_MUTABLE_DESCRIPTORS))
             ? "mutable descriptors on a device created without mutableDescriptorType"
             : NULL;
}

const char *
pv_vk_mutable_pool_misfit(uint64_t features, const VkDescriptorPoolCreateInfo *ci)
{
   const VkMutableDescriptorTypeCreateInfoEXT *m = type_lists(ci->pNext);
   bool any = m != NULL || (ci->flags & VK_DESCRIPTOR_POOL_CREATE_HOST_ONLY_BIT_EXT) != 0;
   for (uint32_t i = 0; ci->pPoolSizes && i < ci->poolSizeCount; i++) {
      bool mutable = ci->pPoolSizes[i].type == VK_DESCRIPTOR_TYPE_MUTABLE_EXT;
      any |= mutable;
      /* a pool's MUTABLE size may come without a list; one given must be well formed */
      if (mutable && !list_empty(m, i) && !list_bits(m, i))
         return "a MUTABLE pool size whose type list holds a type it may not (or one twice)";
      if (!mutable && !list_empty(m, i))
         return "a type list for a pool size that is not MUTABLE";
   }
   return any && !(features & PV_FEATURE(PV_FEATURE_MUTABLE_DESCRIPTORS))
             ? "mutable descriptors on a device created without mutableDescriptorType"
             : NULL;
}

uint32_t
pv_vk_mutable_binding_types(const VkDescriptorSetLayoutCreateInfo *ci, uint32_t i)
{
   return list_bits(type_lists(ci->pNext), i);
}

bool
pv_vk_binding_takes(const struct pv_vk_layout_binding *b, uint32_t type_bits)
{
   return (type_bits & (b->type == VK_DESCRIPTOR_TYPE_MUTABLE_EXT ? b->mutable_types
                                                                  : pv_spirv_type_bit(b->type))) !=
          0;
}
