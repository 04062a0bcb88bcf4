/* SPDX-License-Identifier: MIT */
/*
 * The host Vulkan driver a renderer uses (pv_renderer_config.host_icd) and the GPU its guests see
 * (pv_renderer_config.gpu). Host configuration only, never guest data.
 */
#ifndef PV_RENDERER_HOST_DRIVER_H
#define PV_RENDERER_HOST_DRIVER_H

#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

struct pv_host_driver {
   void *lib;                          /* host_icd's library (dlopen), or NULL for the loader's */
   PFN_vkGetInstanceProcAddr icd_gipa; /* its vk_icdGetInstanceProcAddr */
   bool direct;                        /* the loader takes it through direct driver loading */
   bool env_held;                      /* it holds the process's VK_DRIVER_FILES (fallback) */
};

/* NULL host_icd: nothing to do. Otherwise loads the manifest's library and decides how instance
 * creation will reach exactly that driver; false (logged) when it cannot. */
bool pv_host_driver_open(struct pv_host_driver *d, const char *host_icd);
void pv_host_driver_close(struct pv_host_driver *d);

/* What instance creation chains in for the configured driver. */
struct pv_host_driver_chain {
   VkDirectDriverLoadingInfoLUNARG info;
   VkDirectDriverLoadingListLUNARG list;
};

/* Chains the direct-driver list into `info` (in front of its pNext) when the driver is loaded that
 * way; returns the instance extension to enable then, NULL otherwise. */
const char *pv_host_driver_chain(const struct pv_host_driver *d, struct pv_host_driver_chain *c,
                                 VkInstanceCreateInfo *info);

/*
 * Whether host physical device number `index` (the host's enumeration order) with `props` and
 * deviceUUID `uuid` is the one `gpu` (pv_renderer_config.gpu) chooses; NULL chooses all.
 */
bool pv_host_gpu_matches(const char *gpu, uint32_t index, const VkPhysicalDeviceProperties *props,
                         const uint8_t uuid[VK_UUID_SIZE]);

#endif
