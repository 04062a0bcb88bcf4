/* SPDX-License-Identifier: MIT */
/*
 * The test layer's stand-in for sync_fd (pv_crash_layer.c loads it). With PV_LAYER_FAKE_SYNC_FD=1
 * the layer offers VK_KHR_external_semaphore_fd and VK_KHR_external_fence_fd (whether the host has
 * them or not: Debian 12's lavapipe has neither), keeps them out of the driver's vkCreateDevice,
 * and answers vkGetSemaphoreFdKHR, vkImportSemaphoreFdKHR and vkGetFenceFdKHR itself: an export
 * gives -1 (already signaled), an import takes nothing. The payloads are not what the test checks;
 * with PV_LAYER_SLOW_SYNC=1 each of those calls counts as a change of its semaphore or fence and a
 * submission as a read of every semaphore it names (pv_crash_layer_sync.c), so a sync_fd
 * export or import of one that another ring submits, exports or imports at once calls abort()
 * (tests/host/test_cmdbuf_race.c, mode `export`). No driver within reach has sync_fd semaphores
 * (the GPU machine's NVIDIA 580 reports no SYNC_FD features and refuses an exportable semaphore),
 * and none would tell when two calls met.
 */
#include "pv_crash_layer_sync.h"

#include <stdlib.h>
#include <string.h>

static const char *const faked[] = {
   VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME,
   VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME,
};
#define FAKED_COUNT (sizeof(faked) / sizeof(faked[0]))

static PFN_vkEnumerateDeviceExtensionProperties next_enumerate;

bool
pv_crash_syncfd_faking(void)
{
   const char *v = getenv("PV_LAYER_FAKE_SYNC_FD");
   return v && !strcmp(v, "1");
}

static bool
is_faked(const char *name)
{
   for (size_t i = 0; i < FAKED_COUNT; i++)
      if (!strcmp(name, faked[i]))
         return true;
   return false;
}

/* The driver's extensions, then the faked ones it lacks (the count asked for first). */
static VKAPI_ATTR VkResult VKAPI_CALL
fake_EnumerateDeviceExtensionProperties(VkPhysicalDevice phys, const char *layer, uint32_t *count,
                                        VkExtensionProperties *props)
{
   if (layer)
      return next_enumerate(phys, layer, count, props);
   uint32_t n = 0;
   VkResult r = next_enumerate(phys, NULL, &n, NULL);
   VkExtensionProperties *all = r == VK_SUCCESS ? calloc(n + FAKED_COUNT, sizeof(*all)) : NULL;
   if (!all)
      return r == VK_SUCCESS ? VK_ERROR_OUT_OF_HOST_MEMORY : r;
   r = next_enumerate(phys, NULL, &n, all);
   if (r < 0) {
      free(all);
      return r;
   }
   uint32_t total = n;
   for (size_t i = 0; i < FAKED_COUNT; i++) {
      bool has = false;
      for (uint32_t j = 0; j < n; j++)
         has = has || !strcmp(all[j].extensionName, faked[i]);
      if (!has) {
         strcpy(all[total].extensionName, faked[i]);
         all[total++].specVersion = 1;
      }
   }
   if (!props) {
      *count = total;
   } else {
      r = *count < total ? VK_INCOMPLETE : VK_SUCCESS;
      *count = *count < total ? *count : total;
      memcpy(props, all, *count * sizeof(*props));
   }
   free(all);
   return r;
}

void
pv_crash_syncfd_instance_init(VkInstance instance, PFN_vkGetInstanceProcAddr gipa)
{
   next_enumerate = (PFN_vkEnumerateDeviceExtensionProperties)gipa(
      instance, "vkEnumerateDeviceExtensionProperties");
}

PFN_vkVoidFunction
pv_crash_syncfd_instance_proc(const char *name)
{
   if (pv_crash_syncfd_faking() && next_enumerate &&
       !strcmp(name, "vkEnumerateDeviceExtensionProperties"))
      return (PFN_vkVoidFunction)fake_EnumerateDeviceExtensionProperties;
   return NULL;
}

const char **
pv_crash_syncfd_strip(const VkDeviceCreateInfo *info, uint32_t *count)
{
   const char **names = calloc(info->enabledExtensionCount + 1u, sizeof(*names));
   uint32_t n = 0;
   for (uint32_t i = 0; names && i < info->enabledExtensionCount; i++)
      if (!is_faked(info->ppEnabledExtensionNames[i]))
         names[n++] = info->ppEnabledExtensionNames[i];
   *count = n;
   return names;
}

static VKAPI_ATTR VkResult VKAPI_CALL
fake_GetSemaphoreFdKHR(VkDevice device, const VkSemaphoreGetFdInfoKHR *info, int *fd)
{
   (void)device;
   pv_crash_sync_begin("vkGetSemaphoreFdKHR", (uint64_t)info->semaphore, true);
   *fd = -1;
   pv_crash_sync_end((uint64_t)info->semaphore, true);
   return VK_SUCCESS;
}

static VKAPI_ATTR VkResult VKAPI_CALL
fake_ImportSemaphoreFdKHR(VkDevice device, const VkImportSemaphoreFdInfoKHR *info)
{
   (void)device;
   pv_crash_sync_begin("vkImportSemaphoreFdKHR", (uint64_t)info->semaphore, true);
   pv_crash_sync_end((uint64_t)info->semaphore, true);
   return VK_SUCCESS;
}

static VKAPI_ATTR VkResult VKAPI_CALL
fake_GetFenceFdKHR(VkDevice device, const VkFenceGetFdInfoKHR *info, int *fd)
{
   (void)device;
   pv_crash_sync_begin("vkGetFenceFdKHR", (uint64_t)info->fence, true);
   *fd = -1;
   pv_crash_sync_end((uint64_t)info->fence, true);
   return VK_SUCCESS;
}

PFN_vkVoidFunction
pv_crash_syncfd_device_proc(const char *name)
{
   static const struct {
      const char *name;
      PFN_vkVoidFunction fn;
   } fakes[] = {
      {"vkGetSemaphoreFdKHR", (PFN_vkVoidFunction)fake_GetSemaphoreFdKHR},
      {"vkImportSemaphoreFdKHR", (PFN_vkVoidFunction)fake_ImportSemaphoreFdKHR},
      {"vkGetFenceFdKHR", (PFN_vkVoidFunction)fake_GetFenceFdKHR},
   };
   if (!pv_crash_syncfd_faking())
      return NULL;
   for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++)
      if (!strcmp(name, fakes[i].name))
         return fakes[i].fn;
   return NULL;
}

/* Each semaphore a submission names is read by it (begin, then end after the driver's call). */
void
pv_crash_syncfd_submit(uint32_t count, const VkSubmitInfo *submits, bool begin)
{
   for (uint32_t i = 0; i < count; i++) {
      const VkSubmitInfo *s = &submits[i];
      for (uint32_t j = 0; j < s->waitSemaphoreCount + s->signalSemaphoreCount; j++) {
         VkSemaphore sem = j < s->waitSemaphoreCount
                              ? s->pWaitSemaphores[j]
                              : s->pSignalSemaphores[j - s->waitSemaphoreCount];
         if (begin)
            pv_crash_sync_begin("vkQueueSubmit", (uint64_t)sem, false);
         else
            pv_crash_sync_end((uint64_t)sem, false);
      }
   }
}
