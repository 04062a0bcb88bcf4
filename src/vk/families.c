/* SPDX-License-Identifier: MIT */
/*
 * Registers every hand-written Vulkan handler of src/vk/ for a dialect. Names are the canonical
 * command names of codegen/data/wire{0,1}/command_ids.txt; a name the dialect does not have
 * (wire 0 lacks some newer commands) is skipped here rather than reported by
 * pv_overrides_set.
 */
#include <stdlib.h>
#include <string.h>

#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

struct pv_vk_family_entry {
   const char *name;
   pv_handler_fn fn;
};

static const struct pv_vk_family_entry pv_vk_families[] = {
   /* instance.c */
   {"vkEnumerateInstanceVersion", pv_vk_handle_EnumerateInstanceVersion},
   {"vkEnumerateInstanceExtensionProperties", pv_vk_handle_EnumerateInstanceExtensionProperties},
   {"vkEnumerateInstanceLayerProperties", pv_vk_handle_EnumerateInstanceLayerProperties},
   {"vkCreateInstance", pv_vk_handle_CreateInstance},
   {"vkDestroyInstance", pv_vk_handle_DestroyInstance},
   /* physical_device.c */
   {"vkEnumeratePhysicalDevices", pv_vk_handle_EnumeratePhysicalDevices},
   {"vkEnumeratePhysicalDeviceGroups", pv_vk_handle_EnumeratePhysicalDeviceGroups},
   {"vkEnumerateDeviceExtensionProperties", pv_vk_handle_EnumerateDeviceExtensionProperties},
   {"vkEnumerateDeviceLayerProperties", pv_vk_handle_EnumerateDeviceLayerProperties},
   {"vkGetPhysicalDeviceProperties", pv_vk_handle_GetPhysicalDeviceProperties},
   {"vkGetPhysicalDeviceProperties2", pv_vk_handle_GetPhysicalDeviceProperties2},
   /* memory_types.c */
   {"vkGetPhysicalDeviceMemoryProperties", pv_vk_handle_GetPhysicalDeviceMemoryProperties},
   {"vkGetPhysicalDeviceMemoryProperties2", pv_vk_handle_GetPhysicalDeviceMemoryProperties2},
   /* device.c */
   {"vkCreateDevice", pv_vk_handle_CreateDevice},
   {"vkDestroyDevice", pv_vk_handle_DestroyDevice},
   {"vkGetDeviceQueue", pv_vk_handle_GetDeviceQueue},
   {"vkGetDeviceQueue2", pv_vk_handle_GetDeviceQueue2},
   /* queue.c */
   {"vkQueueSubmit", pv_vk_handle_QueueSubmit},
   {"vkQueueSubmit2", pv_vk_handle_QueueSubmit2},
   {"vkQueueBindSparse", pv_vk_handle_QueueBindSparse},
   /* memory.c */
   {"vkAllocateMemory", pv_vk_handle_AllocateMemory},
   /* resource.c */
   {"vkCreateBuffer", pv_vk_handle_CreateBuffer},
   {"vkCreateImage", pv_vk_handle_CreateImage},
   {"vkGetDeviceBufferMemoryRequirements", pv_vk_handle_GetDeviceBufferMemoryRequirements},
   {"vkGetDeviceImageMemoryRequirements", pv_vk_handle_GetDeviceImageMemoryRequirements},
   {"vkGetDeviceImageSparseMemoryRequirements",
    pv_vk_handle_GetDeviceImageSparseMemoryRequirements},
   {"vkGetDeviceImageSubresourceLayoutKHR", pv_vk_handle_GetDeviceImageSubresourceLayoutKHR},
   /* sync.c */
   {"vkWaitForFences", pv_vk_handle_WaitForFences},
   {"vkWaitSemaphores", pv_vk_handle_WaitSemaphores},
   {"vkImportSemaphoreResource100000MESA", pv_vk_handle_ImportSemaphoreResource},
   {"vkWaitSemaphoreResource100000MESA", pv_vk_handle_WaitSemaphoreResource},
   {"vkResetFenceResource100000MESA", pv_vk_handle_ResetFenceResource},
   {"vkImportSemaphoreResourceMESA", pv_vk_handle_ImportSemaphoreResource},
   {"vkWaitSemaphoreResourceMESA", pv_vk_handle_WaitSemaphoreResource},
   {"vkResetFenceResourceMESA", pv_vk_handle_ResetFenceResource},
   /* pools.c */
   {"vkDestroyCommandPool", pv_vk_handle_DestroyCommandPool},
   {"vkDestroyDescriptorPool", pv_vk_handle_DestroyDescriptorPool},
   {"vkResetDescriptorPool", pv_vk_handle_ResetDescriptorPool},
   /* edge_barriers.c */
   {"vkEndCommandBuffer", pv_vk_handle_EndCommandBuffer},
};

static bool
table_has(const struct pv_protocol_table *t, const char *name)
{
   return pv_protocol_command_find(t, name) >= 0;
}

bool pv_vk_bench_unchecked = false;

void
pv_vk_register_all(struct pv_overrides *o)
{
   for (size_t i = 0; i < sizeof(pv_vk_families) / sizeof(pv_vk_families[0]); i++) {
      if (table_has(o->table, pv_vk_families[i].name))
         pv_overrides_set(o, pv_vk_families[i].name, pv_vk_families[i].fn);
   }
   if (pv_vk_bench_unchecked)
      return; /* the benchmark's baseline only (guard.h) */
   /* bounds checks (guard.c) */
   for (const struct pv_vk_guard_entry *g = pv_vk_guards; g->name; g++)
      if (table_has(o->table, g->name))
         pv_overrides_set(o, g->name, g->fn);
   /* command-buffer state checks (guard_cmdbuf.c) */
   pv_vk_scope_register(o);
   /* what command buffers reference (lifetime.c) */
   pv_vk_named_register(o);
}

static void *
vk_context_init(struct pv_context *ctx)
{
   (void)ctx;
   struct pv_vk_context_state *state = calloc(1, sizeof(*state));
   if (state)
      pthread_mutex_init(&state->timelines_lock, NULL);
   return state;
}

static void
vk_context_fini(struct pv_context *ctx, void *data)
{
   struct pv_vk_context_state *state = data;
   pv_vk_timelines_release(ctx);
   pthread_mutex_destroy(&state->timelines_lock);
   free(state);
}

static void
vk_context_abandon(struct pv_context *ctx)
{
   pv_vk_timelines_abandon(ctx);
}

const struct pv_family pv_vk_family = {
   .name = "vulkan",
   .register_handlers = pv_vk_register_all,
   .context_abandon = vk_context_abandon,
   .register_lost_handlers = pv_vk_register_lost,
   .command_named = pv_vk_command_named,
   .command_check = pv_vk_command_check,
   .context_init = vk_context_init,
   .context_fini = vk_context_fini,
   .export_blob = pv_vk_memory_export_blob,
   .fence_submit = pv_vk_timeline_submit,
   .context_teardown = pv_vk_context_teardown,
   .wait_idle = pv_vk_wait_idle,
};
