// SPDX-License-Identifier: MIT
/*
 * VK_LAYER_PEARVISOR_hide_extensions: an explicit Vulkan layer that makes a native device look like
 * what a Venus guest driver shows of it, in the respects set by these variables:
 *
 *   PV_HIDE_EXTENSIONS=A,B,...  vkEnumerateDeviceExtensionProperties leaves out these extensions
 *                               (those the guest driver lacks);
 *   PV_DRIVER_ID=N              vkGetPhysicalDeviceProperties2 reports driverID N (22 is
 *                               VK_DRIVER_ID_MESA_VENUS, what a Venus guest reports);
 *   PV_NO_HOST_VISIBLE_VRAM=1   DEVICE_LOCAL memory types of a discrete GPU lose their HOST_*
 *                               flags (what PearVisor tells its guest: src/vk/memory_types.c);
 *   PV_ADD_EXTENSIONS=A,B,...   the opposite of hiding, for a program's reaction alone: these
 *                               names are listed too, though the driver lacks them.
 *
 * Why: a program through a Venus guest driver sees only the extensions Venus forwards. To tell
 * whether a difference from native (a result, a speed) comes from the renderer or from a
 * missing extension, run the program natively with that extension hidden, e.g. llama.cpp with
 * VK_NV_shader_sm_builtins (bench/notes-llama.md):
 *
 *   VK_LAYER_PATH=build/bench VK_INSTANCE_LAYERS=VK_LAYER_PEARVISOR_hide_extensions \
 *   PV_HIDE_EXTENSIONS=VK_NV_shader_sm_builtins PROGRAM
 *
 * A benchmarking aid for one instance per process (what the programs measured here create);
 * everything else passes straight to the next layer or driver.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <vulkan/vk_layer.h>
#include <vulkan/vulkan.h>

#define LAYER_NAME "VK_LAYER_PEARVISOR_hide_extensions"

static VkInstance g_instance;
static PFN_vkGetInstanceProcAddr g_next_gipa;
static PFN_vkGetDeviceProcAddr g_next_gdpa;
static PFN_vkEnumerateDeviceExtensionProperties g_next_enum;
static PFN_vkGetPhysicalDeviceProperties g_next_props;
static PFN_vkGetPhysicalDeviceProperties2 g_next_props2;
static PFN_vkGetPhysicalDeviceMemoryProperties g_next_mem;
static PFN_vkGetPhysicalDeviceMemoryProperties2 g_next_mem2;

/* true when `name` is one of the comma-separated names in the variable `var` */
static bool
listed(const char *var, const char *name)
{
   const char *list = getenv(var);
   size_t len = strlen(name);
   while (list && *list) {
      const char *end = strchr(list, ',');
      size_t n = end ? (size_t)(end - list) : strlen(list);
      if (n == len && strncmp(list, name, n) == 0)
         return true;
      list = end ? end + 1 : NULL;
   }
   return false;
}

/* The loader's link for this layer in a create-info chain, or NULL. */
static const void *
find_link(const void *chain, VkStructureType type)
{
   for (const VkBaseInStructure *p = chain; p; p = p->pNext) {
      if (p->sType != type)
         continue;
      /* Both link structs start with sType, pNext, then the function kind. */
      const VkLayerInstanceCreateInfo *l = (const VkLayerInstanceCreateInfo *)p;
      if (l->function == VK_LAYER_LINK_INFO)
         return p;
   }
   return NULL;
}

static VKAPI_ATTR VkResult VKAPI_CALL
hide_CreateInstance(const VkInstanceCreateInfo *info, const VkAllocationCallbacks *alloc,
                    VkInstance *instance)
{
   VkLayerInstanceCreateInfo *link = (VkLayerInstanceCreateInfo *)find_link(
      info->pNext, VK_STRUCTURE_TYPE_LOADER_INSTANCE_CREATE_INFO);
   if (!link)
      return VK_ERROR_INITIALIZATION_FAILED;
   PFN_vkGetInstanceProcAddr gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
   link->u.pLayerInfo = link->u.pLayerInfo->pNext;
   PFN_vkCreateInstance create = (PFN_vkCreateInstance)gipa(VK_NULL_HANDLE, "vkCreateInstance");
   VkResult r = create ? create(info, alloc, instance) : VK_ERROR_INITIALIZATION_FAILED;
   if (r == VK_SUCCESS) {
      g_instance = *instance;
      g_next_gipa = gipa;
      g_next_enum = (PFN_vkEnumerateDeviceExtensionProperties)gipa(
         *instance, "vkEnumerateDeviceExtensionProperties");
      g_next_props = (PFN_vkGetPhysicalDeviceProperties)gipa(*instance,
                                                             "vkGetPhysicalDeviceProperties");
      g_next_mem = (PFN_vkGetPhysicalDeviceMemoryProperties)gipa(
         *instance, "vkGetPhysicalDeviceMemoryProperties");
      /* The core names of Vulkan 1.1; a 1.0 driver has only the KHR ones. */
      g_next_props2 = (PFN_vkGetPhysicalDeviceProperties2)gipa(*instance,
                                                               "vkGetPhysicalDeviceProperties2");
      if (!g_next_props2)
         g_next_props2 = (PFN_vkGetPhysicalDeviceProperties2)gipa(
            *instance, "vkGetPhysicalDeviceProperties2KHR");
      g_next_mem2 = (PFN_vkGetPhysicalDeviceMemoryProperties2)gipa(
         *instance, "vkGetPhysicalDeviceMemoryProperties2");
      if (!g_next_mem2)
         g_next_mem2 = (PFN_vkGetPhysicalDeviceMemoryProperties2)gipa(
            *instance, "vkGetPhysicalDeviceMemoryProperties2KHR");
   }
   return r;
}

static VKAPI_ATTR VkResult VKAPI_CALL
hide_CreateDevice(VkPhysicalDevice pd, const VkDeviceCreateInfo *info,
                  const VkAllocationCallbacks *alloc, VkDevice *device)
{
   VkLayerDeviceCreateInfo *link = (VkLayerDeviceCreateInfo *)find_link(
      info->pNext, VK_STRUCTURE_TYPE_LOADER_DEVICE_CREATE_INFO);
   if (!link)
      return VK_ERROR_INITIALIZATION_FAILED;
   PFN_vkGetInstanceProcAddr gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
   PFN_vkGetDeviceProcAddr gdpa = link->u.pLayerInfo->pfnNextGetDeviceProcAddr;
   link->u.pLayerInfo = link->u.pLayerInfo->pNext;
   PFN_vkCreateDevice create = (PFN_vkCreateDevice)gipa(g_instance, "vkCreateDevice");
   VkResult r = create ? create(pd, info, alloc, device) : VK_ERROR_INITIALIZATION_FAILED;
   if (r == VK_SUCCESS)
      g_next_gdpa = gdpa;
   return r;
}

/* How many names $PV_ADD_EXTENSIONS holds (an upper bound of what add_extensions appends). */
static uint32_t
n_added(void)
{
   const char *list = getenv("PV_ADD_EXTENSIONS");
   uint32_t n = list && *list ? 1 : 0;
   for (; list && *list; list++)
      n += *list == ',';
   return n;
}

/* Appends to list[0..n) each name of $PV_ADD_EXTENSIONS it lacks (revision 1); returns the new
 * count. Such an extension exists only in the list: a program that enables it fails at
 * vkCreateDevice. It shows what a program does on a driver that offers it (bench/notes-llama.md:
 * llama.cpp on lavapipe told of VK_KHR_cooperative_matrix). */
static uint32_t
add_extensions(VkExtensionProperties *list, uint32_t n)
{
   const char *p = getenv("PV_ADD_EXTENSIONS");
   while (p && *p) {
      const char *end = strchr(p, ',');
      size_t len = end ? (size_t)(end - p) : strlen(p);
      bool have = len == 0 || len >= VK_MAX_EXTENSION_NAME_SIZE;
      for (uint32_t i = 0; !have && i < n; i++)
         have = strlen(list[i].extensionName) == len && !strncmp(list[i].extensionName, p, len);
      if (!have) {
         memset(&list[n], 0, sizeof(list[n]));
         memcpy(list[n].extensionName, p, len);
         list[n++].specVersion = 1;
      }
      p = end ? end + 1 : NULL;
   }
   return n;
}

static VKAPI_ATTR VkResult VKAPI_CALL
hide_EnumerateDeviceExtensionProperties(VkPhysicalDevice pd, const char *layer, uint32_t *count,
                                        VkExtensionProperties *props)
{
   if (layer && strcmp(layer, LAYER_NAME) == 0) {
      *count = 0; /* this layer adds no extension of its own */
      return VK_SUCCESS;
   }
   PFN_vkEnumerateDeviceExtensionProperties next = g_next_enum;
   if (layer)
      return next(pd, layer, count, props);
   uint32_t all = 0;
   VkResult r = next(pd, NULL, &all, NULL);
   if (r != VK_SUCCESS)
      return r;
   uint32_t extra = n_added();
   VkExtensionProperties *list = calloc((size_t)all + extra + 1, sizeof(*list));
   if (!list)
      return VK_ERROR_OUT_OF_HOST_MEMORY;
   r = next(pd, NULL, &all, list);
   uint32_t kept = 0;
   for (uint32_t i = 0; r >= 0 && i < all; i++)
      if (!listed("PV_HIDE_EXTENSIONS", list[i].extensionName))
         list[kept++] = list[i];
   kept = r >= 0 ? add_extensions(list, kept) : kept;
   if (r >= 0 && !props) {
      *count = kept;
   } else if (r >= 0) {
      uint32_t n = *count < kept ? *count : kept;
      memcpy(props, list, n * sizeof(*list));
      *count = n;
      r = n < kept ? VK_INCOMPLETE : VK_SUCCESS;
   }
   free(list);
   return r;
}

/* PV_DRIVER_ID into every driverID the caller's chain asks for. */
static VKAPI_ATTR void VKAPI_CALL
hide_GetPhysicalDeviceProperties2(VkPhysicalDevice pd, VkPhysicalDeviceProperties2 *props)
{
   g_next_props2(pd, props);
   const char *id = getenv("PV_DRIVER_ID");
   if (!id || !*id)
      return;
   VkDriverId driver = (VkDriverId)strtoul(id, NULL, 0);
   for (VkBaseOutStructure *p = props->pNext; p; p = p->pNext) {
      if (p->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES)
         ((VkPhysicalDeviceDriverProperties *)p)->driverID = driver;
      else if (p->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_PROPERTIES)
         ((VkPhysicalDeviceVulkan12Properties *)p)->driverID = driver;
   }
}

/* With PV_NO_HOST_VISIBLE_VRAM set, a discrete GPU's DEVICE_LOCAL types lose their HOST_*
 * flags, as in what PearVisor tells a guest (src/vk/memory_types.c: it cannot map the BAR). */
static void
hide_vram_mapping(VkPhysicalDevice pd, VkPhysicalDeviceMemoryProperties *mem)
{
   const char *on = getenv("PV_NO_HOST_VISIBLE_VRAM");
   if (!on || !*on || !strcmp(on, "0"))
      return;
   VkPhysicalDeviceProperties props;
   g_next_props(pd, &props);
   if (props.deviceType != VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU)
      return;
   const VkMemoryPropertyFlags host = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                      VK_MEMORY_PROPERTY_HOST_COHERENT_BIT |
                                      VK_MEMORY_PROPERTY_HOST_CACHED_BIT;
   for (uint32_t i = 0; i < mem->memoryTypeCount && i < VK_MAX_MEMORY_TYPES; i++) {
      if (mem->memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
         mem->memoryTypes[i].propertyFlags &= ~host;
   }
}

static VKAPI_ATTR void VKAPI_CALL
hide_GetPhysicalDeviceMemoryProperties(VkPhysicalDevice pd, VkPhysicalDeviceMemoryProperties *mem)
{
   g_next_mem(pd, mem);
   hide_vram_mapping(pd, mem);
}

static VKAPI_ATTR void VKAPI_CALL
hide_GetPhysicalDeviceMemoryProperties2(VkPhysicalDevice pd,
                                        VkPhysicalDeviceMemoryProperties2 *mem)
{
   g_next_mem2(pd, mem);
   hide_vram_mapping(pd, &mem->memoryProperties);
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL hide_GetDeviceProcAddr(VkDevice device,
                                                                       const char *name);

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
hide_GetInstanceProcAddr(VkInstance instance, const char *name)
{
   if (!strcmp(name, "vkGetInstanceProcAddr"))
      return (PFN_vkVoidFunction)hide_GetInstanceProcAddr;
   if (!strcmp(name, "vkGetDeviceProcAddr"))
      return (PFN_vkVoidFunction)hide_GetDeviceProcAddr;
   if (!strcmp(name, "vkCreateInstance"))
      return (PFN_vkVoidFunction)hide_CreateInstance;
   if (!strcmp(name, "vkCreateDevice"))
      return (PFN_vkVoidFunction)hide_CreateDevice;
   if (!strcmp(name, "vkEnumerateDeviceExtensionProperties"))
      return (PFN_vkVoidFunction)hide_EnumerateDeviceExtensionProperties;
   /* Ours only where the next one exists (the loader asks before and after vkCreateInstance). */
   bool ready = g_next_gipa != NULL;
   if (ready && (!strcmp(name, "vkGetPhysicalDeviceProperties2") ||
                 !strcmp(name, "vkGetPhysicalDeviceProperties2KHR")))
      return g_next_props2 ? (PFN_vkVoidFunction)hide_GetPhysicalDeviceProperties2 : NULL;
   if (ready && !strcmp(name, "vkGetPhysicalDeviceMemoryProperties"))
      return (PFN_vkVoidFunction)hide_GetPhysicalDeviceMemoryProperties;
   if (ready && (!strcmp(name, "vkGetPhysicalDeviceMemoryProperties2") ||
                 !strcmp(name, "vkGetPhysicalDeviceMemoryProperties2KHR")))
      return g_next_mem2 ? (PFN_vkVoidFunction)hide_GetPhysicalDeviceMemoryProperties2 : NULL;
   return g_next_gipa ? g_next_gipa(instance, name) : NULL;
}

static VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
hide_GetDeviceProcAddr(VkDevice device, const char *name)
{
   if (!strcmp(name, "vkGetDeviceProcAddr"))
      return (PFN_vkVoidFunction)hide_GetDeviceProcAddr;
   return g_next_gdpa ? g_next_gdpa(device, name) : NULL;
}

VKAPI_ATTR VkResult VKAPI_CALL
vkNegotiateLoaderLayerInterfaceVersion(VkNegotiateLayerInterface *v)
{
   if (v->loaderLayerInterfaceVersion < 2)
      return VK_ERROR_INITIALIZATION_FAILED;
   v->loaderLayerInterfaceVersion = 2;
   v->pfnGetInstanceProcAddr = hide_GetInstanceProcAddr;
   v->pfnGetDeviceProcAddr = hide_GetDeviceProcAddr;
   v->pfnGetPhysicalDeviceProcAddr = NULL;
   return VK_SUCCESS;
}
