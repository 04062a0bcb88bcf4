/* SPDX-License-Identifier: MIT */
/*
 * Which host memory types the guest may see as host-visible.
 *
 * A guest maps host-visible memory through a blob, which here is a memfd the host driver
 * imports with VK_EXT_external_memory_host (memory.c). A discrete GPU also exposes its BAR as
 * DEVICE_LOCAL | HOST_VISIBLE ("ReBAR"), and host pointers cannot back that type: an allocation
 * of it would succeed on the host and then fail the guest's vkMapMemory, which applications do
 * not expect (llama.cpp allocates its weights there and gives up). So such types lose their
 * HOST_* flags in what the guest is told; applications then pick plain device-local memory,
 * as they do on a GPU without ReBAR. Mesa's Venus guest does the same to incoherent types.
 * (Without VK_EXT_external_memory_host nothing is mapped this way and nothing is hidden.)
 */
#include "vk/pv_vk.h"

#define HOST_FLAGS                                                                                 \
   (VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |                    \
    VK_MEMORY_PROPERTY_HOST_CACHED_BIT)

uint32_t
pv_vk_host_importable_types(const VkPhysicalDeviceMemoryProperties *mem, VkPhysicalDeviceType type)
{
   /* Imported host memory is system RAM. On a discrete GPU a DEVICE_LOCAL type is its own
    * memory (a host-visible one is the BAR), which no host pointer can back; software and
    * integrated devices' memory is system RAM whatever the flags say. Asking the driver
    * instead (vkGetMemoryHostPointerPropertiesEXT) needs a device: on the H200 creating a
    * throwaway one cost 94 ms of every client's start, for the same answer. */
   uint32_t bits = ~0u;
   if (type != VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU)
      return bits;
   for (uint32_t i = 0; i < mem->memoryTypeCount && i < VK_MAX_MEMORY_TYPES; i++) {
      if (mem->memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
         bits &= ~(1u << i);
   }
   return bits;
}

void
pv_vk_physdev_init_memory_types(struct pv_vk_instance *inst, struct pv_vk_physdev *pd)
{
   inst->GetPhysicalDeviceMemoryProperties(pd->host, &pd->mem);
   if (pd->has_memory_host)
      pv_vk_hide_unmappable(&pd->mem, pv_vk_host_importable_types(&pd->mem, pd->device_type));
}

void
pv_vk_hide_unmappable(VkPhysicalDeviceMemoryProperties *mem, uint32_t importable)
{
   for (uint32_t i = 0; i < mem->memoryTypeCount && i < VK_MAX_MEMORY_TYPES; i++) {
      if (!(importable & (1u << i)))
         mem->memoryTypes[i].propertyFlags &= ~(VkMemoryPropertyFlags)HOST_FLAGS;
   }
}

/* The guest gets the host's answer with the flags of pd->mem, which lack HOST_* where the
 * renderer cannot map (see the top of this file). */
static void
apply(const struct pv_vk_physdev *pd, VkPhysicalDeviceMemoryProperties *mem)
{
   uint32_t n = mem->memoryTypeCount < pd->mem.memoryTypeCount ? mem->memoryTypeCount
                                                                 : pd->mem.memoryTypeCount;
   for (uint32_t i = 0; i < n; i++)
      mem->memoryTypes[i].propertyFlags &= pd->mem.memoryTypes[i].propertyFlags | ~HOST_FLAGS;
}

void
pv_vk_handle_GetPhysicalDeviceMemoryProperties(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceMemoryProperties *a = args;
   pv_handle_vkGetPhysicalDeviceMemoryProperties(c, args);
   struct pv_vk_physdev *pd = pv_vk_physdev_from_host(pv_venus_from(c), a->physicalDevice);
   if (!pv_cs_fatal(c->dec) && pd && a->pMemoryProperties)
      apply(pd, a->pMemoryProperties);
}

void
pv_vk_handle_GetPhysicalDeviceMemoryProperties2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceMemoryProperties2 *a = args;
   pv_handle_vkGetPhysicalDeviceMemoryProperties2(c, args);
   struct pv_vk_physdev *pd = pv_vk_physdev_from_host(pv_venus_from(c), a->physicalDevice);
   if (!pv_cs_fatal(c->dec) && pd && a->pMemoryProperties)
      apply(pd, &a->pMemoryProperties->memoryProperties);
}
