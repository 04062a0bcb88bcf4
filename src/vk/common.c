/* SPDX-License-Identifier: MIT */
/*
 * Small helpers the families share: family state by host handle, version capping, the
 * protocol's extension allow-list and host entry-point lookup.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "vk/pv_vk.h"

struct pv_vk_instance *
pv_vk_instance_get(struct pv_context *ctx)
{
   struct pv_vk_host *host = pv_venus_host(ctx);
   if (!host || !host->instance)
      return NULL;
   struct pv_object *obj = pv_object_find(ctx, host->instance_id, VK_OBJECT_TYPE_INSTANCE);
   return obj ? obj->data : NULL;
}

struct pv_vk_physdev *
pv_vk_physdev_from_host(struct pv_context *ctx, VkPhysicalDevice host)
{
   struct pv_object *obj =
      pv_object_find_host(ctx, VK_OBJECT_TYPE_PHYSICAL_DEVICE, PV_FROM_HANDLE(host));
   return obj ? obj->data : NULL;
}

struct pv_vk_device *
pv_vk_device_from_host(struct pv_context *ctx, VkDevice host)
{
   struct pv_object *obj = pv_object_find_host(ctx, VK_OBJECT_TYPE_DEVICE, PV_FROM_HANDLE(host));
   return obj ? obj->data : NULL;
}

uint32_t
pv_vk_cap_api_version(uint32_t version)
{
   if (VK_API_VERSION_MAJOR(version) != 1 || VK_API_VERSION_MINOR(version) <= PV_VK_MAX_API_MINOR)
      return version;
   return VK_MAKE_API_VERSION(VK_API_VERSION_VARIANT(version), 1, PV_VK_MAX_API_MINOR,
                              VK_API_VERSION_PATCH(version));
}

int64_t
pv_vk_table_spec_version(struct pv_context *ctx, const char *name)
{
   const struct pv_protocol_extension *e = pv_protocol_extension_find(pv_venus_table(ctx), name);
   return e ? (int64_t)e->spec_version : -1;
}

/* `name` + `suffix` into buf; false when it does not fit. */
static bool
suffixed(char *buf, size_t size, const char *name, const char *suffix)
{
   int n = snprintf(buf, size, "%s%s", name, suffix);
   return n > 0 && (size_t)n < size;
}

static const char *const pv_vk_suffixes[] = {"", "KHR", "EXT"};
#define PV_VK_SUFFIX_COUNT (sizeof(pv_vk_suffixes) / sizeof(pv_vk_suffixes[0]))

PFN_vkVoidFunction
pv_vk_instance_proc(struct pv_context *ctx, VkInstance instance, const char *name)
{
   struct pv_vk_host *host = pv_venus_host(ctx);
   if (!host || !host->GetInstanceProcAddr)
      return NULL;
   char buf[128];
   PFN_vkVoidFunction fn = NULL;
   for (size_t i = 0; !fn && i < PV_VK_SUFFIX_COUNT; i++) {
      if (suffixed(buf, sizeof(buf), name, pv_vk_suffixes[i]))
         fn = host->GetInstanceProcAddr(instance, buf);
   }
   return fn;
}

/* Debian 12's Vulkan loader (1.3.239) looks devices up in its global instance list in
 * vkGetDeviceProcAddr without taking its own lock, while vkCreateInstance, vkDestroyInstance,
 * vkCreateDevice and vkDestroyDevice change that list: with --threads one context's
 * vkCreateDevice crashed inside the loader while another context tore its instance down. So
 * those calls, and device-level lookups, take this process-wide lock. Recursive: a failed
 * device setup destroys the device while holding it. Only creation and teardown take it. */
static pthread_mutex_t loader_lock;
static pthread_once_t loader_lock_once = PTHREAD_ONCE_INIT;

static void
loader_lock_init(void)
{
   pthread_mutexattr_t a;
   pthread_mutexattr_init(&a);
   pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
   pthread_mutex_init(&loader_lock, &a);
   pthread_mutexattr_destroy(&a);
}

void
pv_vk_loader_lock(void)
{
   pthread_once(&loader_lock_once, loader_lock_init);
   pthread_mutex_lock(&loader_lock);
}

void
pv_vk_loader_unlock(void)
{
   pthread_mutex_unlock(&loader_lock);
}

PFN_vkVoidFunction
pv_vk_device_proc(struct pv_context *ctx, VkDevice device, const char *name)
{
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (!inst || !inst->GetDeviceProcAddr)
      return NULL;
   char buf[128];
   PFN_vkVoidFunction fn = NULL;
   pv_vk_loader_lock();
   for (size_t i = 0; !fn && i < PV_VK_SUFFIX_COUNT; i++) {
      if (suffixed(buf, sizeof(buf), name, pv_vk_suffixes[i]))
         fn = inst->GetDeviceProcAddr(device, buf);
   }
   pv_vk_loader_unlock();
   return fn;
}
