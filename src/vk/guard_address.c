/* SPDX-License-Identifier: MIT */
/*
 * Buffer device addresses where a guest's shader could reach beyond its own memory (guard.h). A
 * shader with PhysicalStorageBuffer pointers loads and stores through whatever 64-bit value it
 * computes. On a host whose Vulkan device is the CPU (lavapipe) a device address is a pointer
 * into the host process: the shader could read and write any memory of the process that serves
 * it, and vkGetBufferDeviceAddress would tell it where the host's heap lies. On a GPU an address
 * is one of the device's virtual addresses, translated by its MMU; but when several contexts
 * share one process (`--threads`, the library in-process) their devices may share one address
 * space, as the driver chooses, and a guest could reach another's memory. So there the guest is
 * not offered the feature (extensions withheld in physical_device.c, feature bits cleared here),
 * shader modules that declare the capability are refused (guard_shader.c), and so are the
 * address queries. Where addresses are withheld, so is descriptorBindingUpdateUnusedWhilePending
 * (below), and mutable descriptors, whose type confusion reaches the same memory
 * (guard_mutable.c).
 */
#include "renderer/context.h"
#include "vk/guard.h"

bool
pv_vk_withholds_addresses(VkPhysicalDeviceType type, bool one_context_per_process)
{
   return type == VK_PHYSICAL_DEVICE_TYPE_CPU || !one_context_per_process;
}

bool
pv_vk_physdev_withholds_addresses(const struct pv_vk_physdev *pd)
{
   return pd && pd->withholds_addresses;
}

static bool
device_withholds_addresses(struct pv_dispatch_ctx *c, VkDevice device)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   return !d || pv_vk_physdev_withholds_addresses(d->pd); /* an unknown device: refused as well */
}

#define PV_ANY_ADDRESS_FEATURE(f)                                                                  \
   ((f)->bufferDeviceAddress || (f)->bufferDeviceAddressCaptureReplay ||                           \
    (f)->bufferDeviceAddressMultiDevice)

/*
 * Updating a descriptor while work that bound its set runs is withheld the same way
 * (set_writes.c): where a torn descriptor reaches host memory, every write of a set waits for
 * the work that bound it, which a guest promised this feature would not have to.
 */
static bool
enables_unused_while_pending(const VkBaseInStructure *s)
{
   return (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES &&
           ((const VkPhysicalDeviceVulkan12Features *)s)
              ->descriptorBindingUpdateUnusedWhilePending) ||
          (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DESCRIPTOR_INDEXING_FEATURES &&
           ((const VkPhysicalDeviceDescriptorIndexingFeatures *)s)
              ->descriptorBindingUpdateUnusedWhilePending);
}

static void
clear_unused_while_pending(VkBaseOutStructure *s)
{
   if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES)
      ((VkPhysicalDeviceVulkan12Features *)s)->descriptorBindingUpdateUnusedWhilePending = VK_FALSE;
   else if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DESCRIPTOR_INDEXING_FEATURES)
      ((VkPhysicalDeviceDescriptorIndexingFeatures *)s)->descriptorBindingUpdateUnusedWhilePending =
         VK_FALSE;
}

bool
pv_vk_enables_withheld_features(const struct pv_vk_physdev *pd, const void *create_pnext)
{
   if (!pv_vk_physdev_withholds_addresses(pd))
      return false;
   for (const VkBaseInStructure *s = create_pnext; s; s = s->pNext) {
      if (enables_unused_while_pending(s) ||
          (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES &&
           PV_ANY_ADDRESS_FEATURE((const VkPhysicalDeviceVulkan12Features *)s)) ||
          (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES &&
           PV_ANY_ADDRESS_FEATURE((const VkPhysicalDeviceBufferDeviceAddressFeatures *)s)) ||
          (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES_EXT &&
           PV_ANY_ADDRESS_FEATURE((const VkPhysicalDeviceBufferDeviceAddressFeaturesEXT *)s)) ||
          (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MUTABLE_DESCRIPTOR_TYPE_FEATURES_EXT &&
           ((const VkPhysicalDeviceMutableDescriptorTypeFeaturesEXT *)s)->mutableDescriptorType))
         return true;
   }
   return false;
}

#define PV_CLEAR_ADDRESS_FEATURES(f)                                                               \
   ((f)->bufferDeviceAddress = (f)->bufferDeviceAddressCaptureReplay =                             \
       (f)->bufferDeviceAddressMultiDevice = VK_FALSE)

static void
clear_address_features(VkBaseOutStructure *s)
{
   for (; s; s = s->pNext) {
      clear_unused_while_pending(s);
      if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES)
         PV_CLEAR_ADDRESS_FEATURES((VkPhysicalDeviceVulkan12Features *)s);
      else if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES)
         PV_CLEAR_ADDRESS_FEATURES((VkPhysicalDeviceBufferDeviceAddressFeatures *)s);
      else if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_BUFFER_DEVICE_ADDRESS_FEATURES_EXT)
         PV_CLEAR_ADDRESS_FEATURES((VkPhysicalDeviceBufferDeviceAddressFeaturesEXT *)s);
      else if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MUTABLE_DESCRIPTOR_TYPE_FEATURES_EXT)
         ((VkPhysicalDeviceMutableDescriptorTypeFeaturesEXT *)s)->mutableDescriptorType = VK_FALSE;
   }
}

void
pv_guard_GetPhysicalDeviceFeatures2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceFeatures2 *a = args;
   pv_handle_vkGetPhysicalDeviceFeatures2(c, args);
   if (a->pFeatures && pv_vk_physdev_hides_sparse(c, a->physicalDevice))
      pv_vk_hide_sparse_features(&a->pFeatures->features);
   if (a->pFeatures && pv_vk_physdev_withholds_addresses(
                          pv_vk_physdev_from_host(pv_venus_from(c), a->physicalDevice)))
      clear_address_features((VkBaseOutStructure *)a->pFeatures->pNext);
}

#define PV_ADDRESS_GUARD(name)                                                                     \
   void pv_guard_##name(struct pv_dispatch_ctx *c, void *args)                                     \
   {                                                                                               \
      struct pv_args_vk##name *a = args;                                                           \
      if (device_withholds_addresses(c, a->device))                                                \
         pv_venus_refuse(c, "vk" #name ": device addresses are withheld on this host");            \
      else                                                                                         \
         pv_handle_vk##name(c, args);                                                              \
   }

PV_ADDRESS_GUARD(GetBufferDeviceAddress)
PV_ADDRESS_GUARD(GetBufferOpaqueCaptureAddress)
PV_ADDRESS_GUARD(GetDeviceMemoryOpaqueCaptureAddress)
