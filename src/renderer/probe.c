/* SPDX-License-Identifier: MIT */
/*
 * pv_renderer_probe_host: the host driver and GPU choice checked the way a guest context will use
 * them (same driver selection, same device filter), without a guest. For `pearvisor-gpu info`
 * and for VMMs that want to fail at start-up rather than at the guest's first vkCreateInstance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/renderer.h"
#include "util/log.h"

/* The loader's entry points, all through vkGetInstanceProcAddr as the contexts reach them. */
struct probe_fns {
   PFN_vkCreateInstance CreateInstance;
   PFN_vkDestroyInstance DestroyInstance;
   PFN_vkEnumeratePhysicalDevices EnumeratePhysicalDevices;
   PFN_vkGetPhysicalDeviceProperties2 GetPhysicalDeviceProperties2;
};

static bool
load_instance_fns(VkInstance instance, struct probe_fns *f)
{
   f->DestroyInstance = (PFN_vkDestroyInstance)vkGetInstanceProcAddr(instance, "vkDestroyInstance");
   f->EnumeratePhysicalDevices =
      (PFN_vkEnumeratePhysicalDevices)vkGetInstanceProcAddr(instance, "vkEnumeratePhysicalDevices");
   f->GetPhysicalDeviceProperties2 = (PFN_vkGetPhysicalDeviceProperties2)vkGetInstanceProcAddr(
      instance, "vkGetPhysicalDeviceProperties2");
   return f->DestroyInstance && f->EnumeratePhysicalDevices && f->GetPhysicalDeviceProperties2;
}

static VkResult
create_probe_instance(const struct pv_renderer *r, const struct probe_fns *f, VkInstance *out)
{
   VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = "pearvisor-probe",
      .apiVersion = VK_API_VERSION_1_1,
   };
   const char *exts[1];
   VkInstanceCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
      .ppEnabledExtensionNames = exts,
   };
   struct pv_host_driver_chain chain;
   const char *ext = pv_host_driver_chain(&r->driver, &chain, &info);
   if (ext)
      exts[info.enabledExtensionCount++] = ext;
   return f->CreateInstance ? f->CreateInstance(&info, NULL, out) : VK_ERROR_INITIALIZATION_FAILED;
}

/* Appends "NAME (Vulkan X.Y.Z, uuid HEX)\n" to out. */
static void
describe_device(const VkPhysicalDeviceProperties *p, const uint8_t *uuid, char *out,
                size_t out_size)
{
   size_t used = strlen(out);
   if (used >= out_size)
      return;
   char hex[2 * VK_UUID_SIZE + 1];
   for (unsigned i = 0; i < VK_UUID_SIZE; i++)
      snprintf(&hex[2 * i], 3, "%02x", uuid[i]);
   snprintf(out + used, out_size - used, "%s (Vulkan %u.%u.%u, uuid %s)\n", p->deviceName,
            VK_API_VERSION_MAJOR(p->apiVersion), VK_API_VERSION_MINOR(p->apiVersion),
            VK_API_VERSION_PATCH(p->apiVersion), hex);
}

/* Counts (and describes) the chosen devices of `instance`; -1 on a host failure. */
static int
list_devices(const struct pv_renderer *r, const struct probe_fns *f, VkInstance instance, char *out,
             size_t out_size)
{
   uint32_t n = 0;
   if (f->EnumeratePhysicalDevices(instance, &n, NULL) != VK_SUCCESS)
      return -1;
   VkPhysicalDevice *phys = calloc(n ? n : 1, sizeof(*phys));
   if (!phys || f->EnumeratePhysicalDevices(instance, &n, phys) < 0) {
      free(phys);
      return -1;
   }
   int chosen = 0;
   for (uint32_t i = 0; i < n; i++) {
      VkPhysicalDeviceIDProperties id = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
      VkPhysicalDeviceProperties2 props = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
         .pNext = &id,
      };
      f->GetPhysicalDeviceProperties2(phys[i], &props);
      if (!pv_host_gpu_matches(r->config.gpu, i, &props.properties, id.deviceUUID))
         continue;
      chosen++;
      if (out)
         describe_device(&props.properties, id.deviceUUID, out, out_size);
   }
   free(phys);
   return chosen;
}

int
pv_renderer_probe_host(struct pv_renderer *renderer, char *out, size_t out_size)
{
   if (out && out_size)
      out[0] = '\0';
   if (!renderer)
      return -1;
   struct probe_fns f = {
      .CreateInstance = (PFN_vkCreateInstance)vkGetInstanceProcAddr(NULL, "vkCreateInstance"),
   };
   VkInstance instance = VK_NULL_HANDLE;
   VkResult res = create_probe_instance(renderer, &f, &instance);
   if (res == VK_SUCCESS && !load_instance_fns(instance, &f)) {
      PFN_vkDestroyInstance destroy =
         (PFN_vkDestroyInstance)vkGetInstanceProcAddr(instance, "vkDestroyInstance");
      if (destroy)
         destroy(instance, NULL);
      res = VK_ERROR_INITIALIZATION_FAILED;
   }
   if (res != VK_SUCCESS) {
      pv_err("host driver: vkCreateInstance failed (%d): no usable Vulkan driver%s%s", res,
             renderer->config.host_icd ? " in " : "",
             renderer->config.host_icd ? renderer->config.host_icd : "");
      return -1;
   }
   int chosen = list_devices(renderer, &f, instance, out, out_size);
   f.DestroyInstance(instance, NULL);
   if (chosen <= 0) {
      pv_err("host driver: %s", chosen < 0             ? "cannot enumerate physical devices"
                                : renderer->config.gpu ? "no physical device matches the GPU choice"
                                                       : "no physical device");
      return -1;
   }
   return chosen;
}
