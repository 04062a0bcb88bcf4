/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets (tests/fuzz/README.md): quiet logging and no host Vulkan.
 *
 * The renderer reaches the host driver only through ctx->host.GetInstanceProcAddr, which
 * context.c sets to the loader's vkGetInstanceProcAddr. The fuzz targets are linked without
 * libvulkan and define that symbol here, answering NULL for every name: vkCreateInstance then
 * fails with VK_ERROR_INITIALIZATION_FAILED, no host object ever exists, and every Vulkan
 * command must fail cleanly (unknown ids, missing entry points) — which is what is fuzzed.
 */
#ifndef PV_FUZZ_COMMON_H
#define PV_FUZZ_COMMON_H

#include <stdlib.h>

#include <vulkan/vulkan_core.h>

#include "util/log.h"

#ifdef PV_FUZZ_NO_HOST_VULKAN
VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL vkGetInstanceProcAddr(VkInstance instance,
                                                               const char *name);
VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
vkGetInstanceProcAddr(VkInstance instance, const char *name)
{
   (void)instance;
   (void)name;
   return NULL;
}
#endif

/* Errors only, unless PV_FUZZ_LOG=warn|info|debug (the log cannot be switched off: its level
 * enum is unsigned). The run scripts pass -close_fd_mask=2 where even that is too much. */
static inline void
pv_fuzz_quiet(void)
{
   const char *want = getenv("PV_FUZZ_LOG");
   int level = want ? pv_log_level_from_name(want) : -1;
   pv_log_set_level(level < 0 ? PV_LOG_ERROR : (enum pv_log_level)level);
}

#endif
