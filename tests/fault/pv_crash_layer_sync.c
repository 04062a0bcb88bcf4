/* SPDX-License-Identifier: MIT */
/*
 * The test layer's fence, event and bind checks (pv_crash_layer.c loads them). With
 * PV_LAYER_SLOW_SYNC=1 in the environment every host call that changes a fence or an event
 * (vkResetFences, a submission's fence, vkSetEvent, vkResetEvent, their destroys) or reads one
 * (vkGetFenceStatus, vkWaitForFences: pv_crash_layer.c calls in, vkGetEventStatus) takes
 * PV_SLOW_SYNC_US, and a call that changes one while
 * any other call on it runs, or reads one while a call changes it, calls abort(): Vulkan makes
 * those objects' external synchronization the caller's, so two rings of one guest must not reach
 * the driver with them at once (tests/host/test_cmdbuf_race.c, mode `sync`). Objects are told
 * apart by handle; the renderer's own fences (a queue's) take part like the guest's.
 *
 * With PV_LAYER_SLOW_BIND=1 every vkBindBufferMemory(2) and vkBindImageMemory(2) takes
 * PV_SLOW_BIND_US per buffer or image it binds, and two binds of one buffer or image at once
 * call abort(): a bind happens once per object, and the renderer claims it before the host call,
 * so two rings binding one object at once reach the driver with one bind only (mode `bind`).
 */
#include "pv_crash_layer_sync.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PV_SLOW_SYNC_US 100u
#define PV_SLOW_BIND_US 1000u
/* More objects than a test makes at once; one past them is left unchecked. */
#define SYNC_SLOTS 512u
/* A call that changes the object counts this much, one that reads it 1. */
#define SYNC_CHANGES (1u << 16)

struct sync_slot {
   _Atomic uint64_t handle;
   _Atomic uint32_t use;
};

static struct sync_slot slots[SYNC_SLOTS];
static PFN_vkResetFences next_reset_fences;
static PFN_vkGetFenceStatus next_get_fence_status;
static PFN_vkDestroyFence next_destroy_fence;
static PFN_vkSetEvent next_set_event;
static PFN_vkResetEvent next_reset_event;
static PFN_vkGetEventStatus next_get_event_status;
static PFN_vkDestroyEvent next_destroy_event;
static PFN_vkBindBufferMemory next_bind_buffer_memory;
static PFN_vkBindBufferMemory2 next_bind_buffer_memory2;
static PFN_vkBindImageMemory next_bind_image_memory;
static PFN_vkBindImageMemory2 next_bind_image_memory2;

static bool
set(const char *variable)
{
   const char *v = getenv(variable);
   return v && !strcmp(v, "1");
}

static bool
checking(void)
{
   return set("PV_LAYER_SLOW_SYNC");
}

/* The use counter of `handle`'s slot, taken on first sight; NULL when every slot is taken. */
static _Atomic uint32_t *
use_of(uint64_t handle)
{
   uint32_t start = (uint32_t)((handle * 0x9e3779b97f4a7c15ull) >> 40);
   for (uint32_t i = 0; i < SYNC_SLOTS; i++) {
      struct sync_slot *s = &slots[(start + i) % SYNC_SLOTS];
      uint64_t seen = atomic_load(&s->handle);
      if (seen == 0 && atomic_compare_exchange_strong(&s->handle, &seen, handle))
         return &s->use;
      if (seen == handle)
         return &s->use;
   }
   return NULL;
}

/* A call on `handle` begins: aborts when it meets one it must not, then takes `slow_us`. */
static void
use_begin(const char *what, uint64_t handle, bool changes, unsigned slow_us)
{
   _Atomic uint32_t *use = use_of(handle);
   if (!use)
      return;
   uint32_t before = atomic_fetch_add(use, changes ? SYNC_CHANGES : 1u);
   if (changes ? before != 0 : before >= SYNC_CHANGES) {
      fprintf(stderr, "pv_crash_layer: %s of 0x%llx while another call %s it\n", what,
              (unsigned long long)handle, before >= SYNC_CHANGES ? "changes" : "reads");
      abort();
   }
   usleep(slow_us);
}

static void
use_end(uint64_t handle, bool changes)
{
   _Atomic uint32_t *use = use_of(handle);
   if (use)
      atomic_fetch_sub(use, changes ? SYNC_CHANGES : 1u);
}

void
pv_crash_sync_begin(const char *what, uint64_t handle, bool changes)
{
   if (handle && checking())
      use_begin(what, handle, changes, PV_SLOW_SYNC_US);
}

void
pv_crash_sync_end(uint64_t handle, bool changes)
{
   if (handle && checking())
      use_end(handle, changes);
}

/* ----- binds (PV_LAYER_SLOW_BIND=1) ----- */

static void
bind_begin(const char *what, uint64_t handle)
{
   if (handle && set("PV_LAYER_SLOW_BIND"))
      use_begin(what, handle, true, PV_SLOW_BIND_US);
}

static void
bind_end(uint64_t handle)
{
   if (handle && set("PV_LAYER_SLOW_BIND"))
      use_end(handle, true);
}

static VKAPI_ATTR VkResult VKAPI_CALL
bind_BindBufferMemory(VkDevice device, VkBuffer buffer, VkDeviceMemory memory, VkDeviceSize offset)
{
   bind_begin("vkBindBufferMemory", (uint64_t)buffer);
   VkResult r = next_bind_buffer_memory(device, buffer, memory, offset);
   bind_end((uint64_t)buffer);
   return r;
}

static VKAPI_ATTR VkResult VKAPI_CALL
bind_BindBufferMemory2(VkDevice device, uint32_t count, const VkBindBufferMemoryInfo *infos)
{
   for (uint32_t i = 0; i < count; i++)
      bind_begin("vkBindBufferMemory2", (uint64_t)infos[i].buffer);
   VkResult r = next_bind_buffer_memory2(device, count, infos);
   for (uint32_t i = 0; i < count; i++)
      bind_end((uint64_t)infos[i].buffer);
   return r;
}

static VKAPI_ATTR VkResult VKAPI_CALL
bind_BindImageMemory(VkDevice device, VkImage image, VkDeviceMemory memory, VkDeviceSize offset)
{
   bind_begin("vkBindImageMemory", (uint64_t)image);
   VkResult r = next_bind_image_memory(device, image, memory, offset);
   bind_end((uint64_t)image);
   return r;
}

/* The planes of one disjoint image are bound in one call or in several (each its own host
 * call here), so only images of different calls are checked against each other. */
static VKAPI_ATTR VkResult VKAPI_CALL
bind_BindImageMemory2(VkDevice device, uint32_t count, const VkBindImageMemoryInfo *infos)
{
   for (uint32_t i = 0; i < count; i++)
      if (i == 0 || infos[i].image != infos[i - 1].image)
         bind_begin("vkBindImageMemory2", (uint64_t)infos[i].image);
   VkResult r = next_bind_image_memory2(device, count, infos);
   for (uint32_t i = 0; i < count; i++)
      if (i == 0 || infos[i].image != infos[i - 1].image)
         bind_end((uint64_t)infos[i].image);
   return r;
}

static VKAPI_ATTR VkResult VKAPI_CALL
sync_ResetFences(VkDevice device, uint32_t count, const VkFence *fences)
{
   for (uint32_t i = 0; i < count; i++)
      pv_crash_sync_begin("vkResetFences", (uint64_t)fences[i], true);
   VkResult r = next_reset_fences(device, count, fences);
   for (uint32_t i = 0; i < count; i++)
      pv_crash_sync_end((uint64_t)fences[i], true);
   return r;
}

static VKAPI_ATTR VkResult VKAPI_CALL
sync_GetFenceStatus(VkDevice device, VkFence fence)
{
   pv_crash_sync_begin("vkGetFenceStatus", (uint64_t)fence, false);
   VkResult r = next_get_fence_status(device, fence);
   pv_crash_sync_end((uint64_t)fence, false);
   return r;
}

static VKAPI_ATTR void VKAPI_CALL
sync_DestroyFence(VkDevice device, VkFence fence, const VkAllocationCallbacks *alloc)
{
   pv_crash_pending_destroying("vkDestroyFence", (uint64_t)fence);
   pv_crash_sync_begin("vkDestroyFence", (uint64_t)fence, true);
   next_destroy_fence(device, fence, alloc);
   pv_crash_sync_end((uint64_t)fence, true);
}

/* vkSetEvent, vkResetEvent and vkGetEventStatus share one signature. */
static VkResult
event_call(const char *what, PFN_vkGetEventStatus next, VkDevice device, VkEvent event,
           bool changes)
{
   pv_crash_sync_begin(what, (uint64_t)event, changes);
   VkResult r = next(device, event);
   pv_crash_sync_end((uint64_t)event, changes);
   return r;
}

static VKAPI_ATTR VkResult VKAPI_CALL
sync_SetEvent(VkDevice device, VkEvent event)
{
   return event_call("vkSetEvent", next_set_event, device, event, true);
}

static VKAPI_ATTR VkResult VKAPI_CALL
sync_ResetEvent(VkDevice device, VkEvent event)
{
   return event_call("vkResetEvent", next_reset_event, device, event, true);
}

static VKAPI_ATTR VkResult VKAPI_CALL
sync_GetEventStatus(VkDevice device, VkEvent event)
{
   return event_call("vkGetEventStatus", next_get_event_status, device, event, false);
}

static VKAPI_ATTR void VKAPI_CALL
sync_DestroyEvent(VkDevice device, VkEvent event, const VkAllocationCallbacks *alloc)
{
   pv_crash_sync_begin("vkDestroyEvent", (uint64_t)event, true);
   next_destroy_event(device, event, alloc);
   pv_crash_sync_end((uint64_t)event, true);
}

void
pv_crash_sync_init(VkDevice device, PFN_vkGetDeviceProcAddr gdpa)
{
   next_reset_fences = (PFN_vkResetFences)gdpa(device, "vkResetFences");
   next_get_fence_status = (PFN_vkGetFenceStatus)gdpa(device, "vkGetFenceStatus");
   next_destroy_fence = (PFN_vkDestroyFence)gdpa(device, "vkDestroyFence");
   next_set_event = (PFN_vkSetEvent)gdpa(device, "vkSetEvent");
   next_reset_event = (PFN_vkResetEvent)gdpa(device, "vkResetEvent");
   next_get_event_status = (PFN_vkGetEventStatus)gdpa(device, "vkGetEventStatus");
   next_destroy_event = (PFN_vkDestroyEvent)gdpa(device, "vkDestroyEvent");
   next_bind_buffer_memory = (PFN_vkBindBufferMemory)gdpa(device, "vkBindBufferMemory");
   next_bind_buffer_memory2 = (PFN_vkBindBufferMemory2)gdpa(device, "vkBindBufferMemory2");
   next_bind_image_memory = (PFN_vkBindImageMemory)gdpa(device, "vkBindImageMemory");
   next_bind_image_memory2 = (PFN_vkBindImageMemory2)gdpa(device, "vkBindImageMemory2");
}

PFN_vkVoidFunction
pv_crash_sync_proc(const char *name)
{
   static const struct {
      const char *name;
      PFN_vkVoidFunction fn;
   } wrapped[] = {
      {"vkResetFences", (PFN_vkVoidFunction)sync_ResetFences},
      {"vkGetFenceStatus", (PFN_vkVoidFunction)sync_GetFenceStatus},
      {"vkDestroyFence", (PFN_vkVoidFunction)sync_DestroyFence},
      {"vkSetEvent", (PFN_vkVoidFunction)sync_SetEvent},
      {"vkResetEvent", (PFN_vkVoidFunction)sync_ResetEvent},
      {"vkGetEventStatus", (PFN_vkVoidFunction)sync_GetEventStatus},
      {"vkDestroyEvent", (PFN_vkVoidFunction)sync_DestroyEvent},
      {"vkBindBufferMemory", (PFN_vkVoidFunction)bind_BindBufferMemory},
      {"vkBindBufferMemory2", (PFN_vkVoidFunction)bind_BindBufferMemory2},
      {"vkBindImageMemory", (PFN_vkVoidFunction)bind_BindImageMemory},
      {"vkBindImageMemory2", (PFN_vkVoidFunction)bind_BindImageMemory2},
   };
   if (!next_reset_fences)
      return NULL; /* no device made through the layer yet */
   for (size_t i = 0; i < sizeof(wrapped) / sizeof(wrapped[0]); i++)
      if (!strcmp(name, wrapped[i].name))
         return wrapped[i].fn;
   return NULL;
}
