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
 */
#include <sys/mman.h>
#include <unistd.h>

#include "util/os.h"
#include "vk/pv_vk.h"

#define HOST_FLAGS                                                                                 \
   (VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |                    \
    VK_MEMORY_PROPERTY_HOST_CACHED_BIT)

/* The memory types a memfd mapping can be imported as, asked of a throwaway device (the call
 * needs one). ~0u when it cannot be asked: then nothing is hidden, as before. */
static uint32_t
probe_import_types(struct pv_vk_instance *inst, const struct pv_vk_physdev *pd)
{
   const char *exts[2] = {VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME,
                          "VK_KHR_portability_subset"};
   float prio = 1.0f;
   VkDeviceQueueCreateInfo q = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                .queueFamilyIndex = 0, .queueCount = 1,
                                .pQueuePriorities = &prio};
   VkDeviceCreateInfo info = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                              .queueCreateInfoCount = 1, .pQueueCreateInfos = &q,
                              .enabledExtensionCount = pd->has_portability_subset ? 2 : 1,
                              .ppEnabledExtensionNames = exts};
   VkDevice dev = VK_NULL_HANDLE;
   if (pd->qf_count == 0 || inst->CreateDevice(pd->host, &info, NULL, &dev) != VK_SUCCESS)
      return ~0u;
   PFN_vkDestroyDevice destroy =
      (PFN_vkDestroyDevice)inst->GetDeviceProcAddr(dev, "vkDestroyDevice");
   PFN_vkGetMemoryHostPointerPropertiesEXT get =
      (PFN_vkGetMemoryHostPointerPropertiesEXT)inst->GetDeviceProcAddr(
         dev, "vkGetMemoryHostPointerPropertiesEXT");
   uint32_t bits = ~0u;
   uint64_t size = pd->host_ptr_align > 4096 ? pd->host_ptr_align : 4096;
   int fd = get ? pv_os_create_shm("pearvisor-probe", size) : -1;
   void *map = fd >= 0 ? mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
   VkMemoryHostPointerPropertiesEXT props = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
   if (map != MAP_FAILED &&
       get(dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT, map, &props) == VK_SUCCESS)
      bits = props.memoryTypeBits;
   if (map != MAP_FAILED)
      munmap(map, size);
   if (fd >= 0)
      close(fd);
   if (destroy)
      destroy(dev, NULL);
   return bits;
}

void
pv_vk_physdev_init_memory_types(struct pv_vk_instance *inst, struct pv_vk_physdev *pd)
{
   inst->GetPhysicalDeviceMemoryProperties(pd->host, &pd->mem);
   /* Only a discrete GPU has a BAR; software and integrated devices' host-visible memory is
    * host memory, which they import (and skipping them keeps their start-up cost as it was). */
   if (!pd->has_memory_host || pd->device_type != VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU)
      return;
   bool bar = false;
   for (uint32_t i = 0; i < pd->mem.memoryTypeCount; i++) {
      VkMemoryPropertyFlags f = pd->mem.memoryTypes[i].propertyFlags;
      bar |= (f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) && (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
   }
   if (!bar)
      return;
   pv_vk_hide_unmappable(&pd->mem, probe_import_types(inst, pd));
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
