/* SPDX-License-Identifier: MIT */
/* The test layer's fence, event and bind checks (pv_crash_layer_sync.c). */
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

#endif
