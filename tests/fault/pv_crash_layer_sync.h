/* SPDX-License-Identifier: MIT */
/* The test layer's fence, event and bind checks (pv_crash_layer_sync.c) and its stand-in for
 * sync_fd (pv_crash_layer_syncfd.c). */
#ifndef PV_CRASH_LAYER_SYNC_H
#define PV_CRASH_LAYER_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

/* The device's next entry points of the calls checked (after the device was made). */
void pv_crash_sync_init(VkDevice device, PFN_vkGetDeviceProcAddr gdpa);
/* The layer's entry point for `name`, or NULL when it is not one of the checked calls. */
PFN_vkVoidFunction pv_crash_sync_proc(const char *name);
/* A call on a fence or event begins (`changes`: it changes the object) or ends; 0 is none. */
void pv_crash_sync_begin(const char *what, uint64_t handle, bool changes);
void pv_crash_sync_end(uint64_t handle, bool changes);

/* The stand-in for sync_fd (pv_crash_layer_syncfd.c), with PV_LAYER_FAKE_SYNC_FD=1. */
bool pv_crash_syncfd_faking(void);
void pv_crash_syncfd_instance_init(VkInstance instance, PFN_vkGetInstanceProcAddr gipa);
/* The layer's instance or device entry point for `name`, or NULL when it is not faked. */
PFN_vkVoidFunction pv_crash_syncfd_instance_proc(const char *name);
PFN_vkVoidFunction pv_crash_syncfd_device_proc(const char *name);
/* The device's extensions without the faked ones (malloc'ed; NULL when out of memory). */
const char **pv_crash_syncfd_strip(const VkDeviceCreateInfo *info, uint32_t *count);
/* A submission's semaphores: their reads begin (before the driver's call) or end. */
void pv_crash_syncfd_submit(uint32_t count, const VkSubmitInfo *submits, bool begin);

/* The check of semaphores and fences destroyed under a submission (pv_crash_layer_pending.c),
 * with PV_LAYER_CHECK_PENDING=1. */
void pv_crash_pending_init(VkDevice device, PFN_vkGetDeviceProcAddr gdpa);
/* Before the driver takes a submission: abort() when it names a command buffer without
 * SIMULTANEOUS_USE that an earlier submission may still run, or names one twice. */
void pv_crash_pending_submitting(uint32_t count, const VkSubmitInfo *submits);
/* After the driver took a submission: follows it with the layer's fence. */
void pv_crash_pending_submitted(VkQueue queue, uint32_t count, const VkSubmitInfo *submits,
                                VkFence fence);
/* Before a destroy of `handle`: abort() when a submission naming it may still run. */
void pv_crash_pending_destroying(const char *what, uint64_t handle);
PFN_vkVoidFunction pv_crash_pending_proc(const char *name);
/* Command buffers about to be freed (pv_crash_layer.c hooks vkFreeCommandBuffers). */
void pv_crash_pending_freeing(uint32_t count, const VkCommandBuffer *cbs);
/* Before the device's destroy. */
void pv_crash_pending_device_gone(void);

#endif
