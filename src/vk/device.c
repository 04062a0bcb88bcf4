/* SPDX-License-Identifier: MIT */
/*
 * VkDevice family: device creation with the host-only extensions the renderer needs, queue id
 * binding (venus-wire.md 1.6) and device destruction with a sweep of what the guest left.
 */
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "util/log.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* ----- creation --------------------------------------------------------------------------- */

/* The guest's queue requests must name families and counts the host has: the host driver
 * is not required to survive anything else. */
static bool
check_queue_infos(const struct pv_vk_physdev *pd, const VkDeviceCreateInfo *info)
{
   /* at least one queue (VUID-VkDeviceCreateInfo-queueCreateInfoCount-arraylength): lavapipe
    * reads the first queue info without looking (fuzz input 31b5732b, a NULL read) */
   if (!info->queueCreateInfoCount || !info->pQueueCreateInfos)
      return false;
   for (uint32_t i = 0; i < info->queueCreateInfoCount; i++) {
      const VkDeviceQueueCreateInfo *q = &info->pQueueCreateInfos[i];
      if (q->queueFamilyIndex >= pd->qf_count || q->queueCount == 0 ||
          q->queueCount > pd->qf[q->queueFamilyIndex].queueCount || !q->pQueuePriorities)
         return false;
   }
   return true;
}

static bool
has_name(const char *const *names, uint32_t n, const char *name)
{
   for (uint32_t i = 0; i < n; i++)
      if (!strcmp(names[i], name))
         return true;
   return false;
}

/* The first extension the guest enables that this device did not offer it, or NULL. The offer
 * (pd->exts) is the host's list less what the protocol cannot carry and what is withheld
 * (guard_address.c): a driver answers VK_ERROR_EXTENSION_NOT_PRESENT for anything else, and the
 * host driver must not get an extension the guest was told is not there. */
static const char *
unoffered_extension(const struct pv_vk_physdev *pd, const VkDeviceCreateInfo *info)
{
   uint32_t n = info->ppEnabledExtensionNames ? info->enabledExtensionCount : 0;
   for (uint32_t i = 0; i < n; i++) {
      const char *name = info->ppEnabledExtensionNames[i];
      if (name && !pv_vk_physdev_offers(pd, name)) /* absent names are left out below */
         return name;
   }
   return NULL;
}

/* The guest's extensions plus the host-only ones; a malloc'ed array. */
static const char **
device_extensions(const struct pv_vk_physdev *pd, const VkDeviceCreateInfo *info, uint32_t *out_n)
{
   uint32_t n = 0, guest_n = info->ppEnabledExtensionNames ? info->enabledExtensionCount : 0;
   const char **names = calloc((size_t)guest_n + 5, sizeof(*names));
   if (!names)
      return NULL;
   for (uint32_t i = 0; i < guest_n; i++) {
      const char *name = info->ppEnabledExtensionNames[i];
      if (name && !has_name(names, n, name))
         names[n++] = name;
   }
   /* host-visible memory reaches the guest as an imported memfd (DESIGN.md decision 3) */
   if (pd->has_memory_host && !has_name(names, n, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME))
      names[n++] = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
   if (pd->has_portability_subset && !has_name(names, n, "VK_KHR_portability_subset"))
      names[n++] = "VK_KHR_portability_subset";
   /* the guest's sync_fd paths reach the host as sync_fd import/export (sync.c) */
   if (pd->has_semaphore_fd && !has_name(names, n, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME))
      names[n++] = VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME;
   if (pd->has_fence_fd && !has_name(names, n, VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME))
      names[n++] = VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME;
   /* Workgroup memory zeroed on a host that does not clear it (force_zeroed_shared) */
   if (pd->unbounded_shared &&
       pv_vk_physdev_offers(pd, VK_KHR_ZERO_INITIALIZE_WORKGROUP_MEMORY_EXTENSION_NAME) &&
       !has_name(names, n, VK_KHR_ZERO_INITIALIZE_WORKGROUP_MEMORY_EXTENSION_NAME))
      names[n++] = VK_KHR_ZERO_INITIALIZE_WORKGROUP_MEMORY_EXTENSION_NAME;
   *out_n = n;
   return names;
}

static bool
init_queues(struct pv_vk_device *d, const VkDeviceCreateInfo *info)
{
   uint32_t total = 0;
   for (uint32_t i = 0; i < info->queueCreateInfoCount; i++)
      total += info->pQueueCreateInfos[i].queueCount; /* bounded by the host's counts */
   d->queues = calloc(total ? total : 1, sizeof(*d->queues));
   if (!d->queues)
      return false;
   for (uint32_t i = 0; i < info->queueCreateInfoCount; i++) {
      const VkDeviceQueueCreateInfo *q = &info->pQueueCreateInfos[i];
      for (uint32_t j = 0; j < q->queueCount; j++) {
         struct pv_vk_queue *nq = &d->queues[d->queue_count++];
         *nq = (struct pv_vk_queue){.family = q->queueFamilyIndex, .index = j, .flags = q->flags};
         pthread_mutex_init(&nq->submit_lock, NULL);
      }
   }
   return true;
}

static bool
all_host_visible(const struct pv_vk_physdev *pd)
{
   for (uint32_t i = 0; i < pd->mem.memoryTypeCount; i++)
      if (!(pd->mem.memoryTypes[i].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT))
         return false;
   return pd->mem.memoryTypeCount > 0;
}

#define LOAD_DEVICE(d, ctx, name)                                                                  \
   ((d)->name = (PFN_vk##name)pv_vk_device_proc((ctx), (d)->host, "vk" #name))

static bool
load_device_procs(struct pv_context *ctx, struct pv_vk_device *d)
{
   LOAD_DEVICE(d, ctx, DestroyDevice);
   LOAD_DEVICE(d, ctx, DeviceWaitIdle);
   LOAD_DEVICE(d, ctx, GetDeviceQueue);
   LOAD_DEVICE(d, ctx, GetDeviceQueue2);
   LOAD_DEVICE(d, ctx, AllocateMemory);
   LOAD_DEVICE(d, ctx, FreeMemory);
   LOAD_DEVICE(d, ctx, GetMemoryHostPointerPropertiesEXT);
   LOAD_DEVICE(d, ctx, WaitForFences);
   LOAD_DEVICE(d, ctx, WaitSemaphores); /* falls back to the KHR spelling */
   LOAD_DEVICE(d, ctx, CreateFence);
   LOAD_DEVICE(d, ctx, DestroyFence);
   LOAD_DEVICE(d, ctx, ResetFences);
   LOAD_DEVICE(d, ctx, GetFenceStatus);
   LOAD_DEVICE(d, ctx, GetSemaphoreCounterValue);
   LOAD_DEVICE(d, ctx, QueueSubmit);
   LOAD_DEVICE(d, ctx, ImportSemaphoreFdKHR);
   LOAD_DEVICE(d, ctx, GetSemaphoreFdKHR);
   LOAD_DEVICE(d, ctx, GetFenceFdKHR);
   if (d->memory_host && !d->GetMemoryHostPointerPropertiesEXT)
      d->memory_host = false;
   d->external_resources = d->memory_host && all_host_visible(d->pd);
   return d->DestroyDevice && d->DeviceWaitIdle && d->GetDeviceQueue && d->AllocateMemory &&
          d->FreeMemory && d->CreateFence && d->DestroyFence && d->ResetFences &&
          d->GetFenceStatus && d->WaitForFences && d->QueueSubmit;
}

static void
load_dispatch(struct pv_context *ctx, struct pv_vk_device *d)
{
   d->vk = pv_venus_host(ctx)->vk;
   for (const struct pv_vk_dispatch_entry *e = pv_vk_dispatch_entries; e->name; e++) {
      if (!e->device_level)
         continue;
      PFN_vkVoidFunction fn = pv_vk_device_proc(ctx, d->host, e->name);
      memcpy((char *)&d->vk + e->offset, &fn, sizeof(fn));
   }
}

static void
device_free(struct pv_vk_device *d)
{
   if (d) {
      for (uint32_t i = 0; d->queues && i < d->queue_count; i++)
         pthread_mutex_destroy(&d->queues[i].submit_lock);
      free(d->queues);
      pthread_mutex_destroy(&d->track_lock);
      pthread_rwlock_destroy(&d->query_lock);
      pthread_mutex_destroy(&d->fence_pool.lock);
      pv_vk_graveyard_fini(d);
      pv_vk_pool_uses_fini(d);
      free(d);
   }
}

static void
device_free_data(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   device_free(obj->data);
   obj->data = NULL;
}

/* Family state for a new host device; NULL (host device destroyed) on failure. */
static struct pv_vk_device *
device_state(struct pv_context *ctx, const struct pv_vk_physdev *pd, VkDevice host,
             const VkDeviceCreateInfo *info, uint64_t id)
{
   struct pv_vk_device *d = calloc(1, sizeof(*d));
   if (d) {
      pthread_mutex_init(&d->track_lock, NULL);
      pthread_rwlock_init(&d->query_lock, NULL);
      pthread_mutex_init(&d->fence_pool.lock, NULL);
      pthread_mutex_init(&d->graveyard.lock, NULL);
      pv_id_table_init(&d->pool_uses);
      d->host = host;
      d->id = id;
      d->pd = pd;
      d->memory_host = pd->has_memory_host;
      d->host_ptr_align = pd->host_ptr_align;
      d->features = pv_vk_gated_features(info);
   }
   if (d)
      load_dispatch(ctx, d);
   if (d && pd->device_type != VK_PHYSICAL_DEVICE_TYPE_CPU)
      atomic_store(&ctx->on_gpu, true);
   if (!d || !load_device_procs(ctx, d) || !init_queues(d, info)) {
      PFN_vkDestroyDevice destroy =
         d && d->DestroyDevice
            ? d->DestroyDevice
            : (PFN_vkDestroyDevice)pv_vk_device_proc(ctx, host, "vkDestroyDevice");
      if (destroy)
         destroy(host, NULL);
      device_free(d);
      return NULL;
   }
   return d;
}

/*
 * Every device gets robustBufferAccess where the host has it: shader accesses past a
 * descriptor's range and vertex or index fetches past a buffer then stay inside the buffer
 * (guard.h checks the ranges themselves). The guest's features live in our decoded copy of its
 * chain, so the flag is set there, or in a copy of pEnabledFeatures.
 */
static void
force_robust_access(struct pv_context *ctx, const struct pv_vk_physdev *pd,
                    VkDeviceCreateInfo *info, VkPhysicalDeviceFeatures *copy)
{
   /* The operator's choice, never the guest's (SECURITY.md): robustness changes what a shader
    * that reads past its descriptor range sees, and costs some drivers speed; this turns it off
    * to compare a workload's results and speed with native. */
   const char *unsafe = getenv("PEARVISOR_UNSAFE_NO_ROBUST_ACCESS");
   if (unsafe && strcmp(unsafe, "1") == 0) {
      pv_warn("vkCreateDevice: robustBufferAccess not forced "
              "(PEARVISOR_UNSAFE_NO_ROBUST_ACCESS=1): shader accesses past a buffer are "
              "not bounded");
      return;
   }
   const struct pv_vk_dispatch *vk = &pv_venus_host(ctx)->vk;
   VkPhysicalDeviceFeatures host = {0};
   if (vk->GetPhysicalDeviceFeatures)
      vk->GetPhysicalDeviceFeatures(pd->host, &host);
   if (!host.robustBufferAccess) {
      pv_warn("vkCreateDevice: the host device has no robustBufferAccess; shader accesses "
              "past a buffer are not bounded");
      return;
   }
   for (VkBaseOutStructure *p = (VkBaseOutStructure *)info->pNext; p; p = p->pNext)
      if (p->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2) {
         ((VkPhysicalDeviceFeatures2 *)p)->features.robustBufferAccess = VK_TRUE;
         return;
      }
   *copy = info->pEnabledFeatures ? *info->pEnabledFeatures : (VkPhysicalDeviceFeatures){0};
   copy->robustBufferAccess = VK_TRUE;
   info->pEnabledFeatures = copy;
}

/*
 * On a host whose Workgroup memory is neither cleared nor bounded (pv_vk_physdev
 * .unbounded_shared: lavapipe) every module is compiled with its Workgroup variables zeroed
 * (spirv_shared.c), which Vulkan allows only with shaderZeroInitializeWorkgroupMemory enabled:
 * the device gets it, in the guest's own feature struct when its chain has one (a chain may not
 * hold both), else in `own`, put first.
 */
static void
force_zeroed_shared(const struct pv_vk_physdev *pd, VkDeviceCreateInfo *info,
                    VkPhysicalDeviceZeroInitializeWorkgroupMemoryFeatures *own)
{
   if (!pd->unbounded_shared ||
       !pv_vk_physdev_offers(pd, VK_KHR_ZERO_INITIALIZE_WORKGROUP_MEMORY_EXTENSION_NAME))
      return;
   for (VkBaseOutStructure *p = (VkBaseOutStructure *)info->pNext; p; p = p->pNext) {
      if (p->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES) {
         ((VkPhysicalDeviceVulkan13Features *)p)->shaderZeroInitializeWorkgroupMemory = VK_TRUE;
         return;
      }
      if (p->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ZERO_INITIALIZE_WORKGROUP_MEMORY_FEATURES) {
         ((VkPhysicalDeviceZeroInitializeWorkgroupMemoryFeatures *)p)
            ->shaderZeroInitializeWorkgroupMemory = VK_TRUE;
         return;
      }
   }
   *own = (VkPhysicalDeviceZeroInitializeWorkgroupMemoryFeatures){
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ZERO_INITIALIZE_WORKGROUP_MEMORY_FEATURES,
      .pNext = (void *)info->pNext,
      .shaderZeroInitializeWorkgroupMemory = VK_TRUE};
   info->pNext = own;
}

void
pv_vk_handle_CreateDevice(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateDevice *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   struct pv_vk_physdev *pd = pv_vk_physdev_from_host(ctx, a->physicalDevice);
   if (!inst || !pd || !a->pCreateInfo || !a->pDevice || PV_FROM_HANDLE(*a->pDevice) == 0) {
      pv_venus_fatal(c, "vkCreateDevice: missing physical device, create info or id");
      return;
   }
   uint64_t id = PV_FROM_HANDLE(*a->pDevice);
   if (!check_queue_infos(pd, a->pCreateInfo)) {
      pv_warn_limited("vkCreateDevice: guest asked for queues the host does not have");
      a->ret = VK_ERROR_INITIALIZATION_FAILED;
      return;
   }
   const char *unoffered = unoffered_extension(pd, a->pCreateInfo);
   if (unoffered || pv_vk_enables_withheld_features(pd, a->pCreateInfo->pNext)) {
      pv_warn_limited("vkCreateDevice: the guest enabled %s, which this device does not offer",
                      unoffered ? unoffered
                                : "a withheld feature (buffer device addresses, "
                                  "descriptorBindingUpdateUnusedWhilePending or "
                                  "mutableDescriptorType)");
      a->ret = unoffered ? VK_ERROR_EXTENSION_NOT_PRESENT : VK_ERROR_FEATURE_NOT_PRESENT;
      return;
   }
   VkDeviceCreateInfo info = *a->pCreateInfo;
   uint32_t ext_n = 0;
   const char **exts = device_extensions(pd, &info, &ext_n);
   if (!exts) {
      a->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return;
   }
   info.enabledLayerCount = 0; /* deprecated, and layers are never the guest's to pick */
   info.ppEnabledLayerNames = NULL;
   info.enabledExtensionCount = ext_n;
   info.ppEnabledExtensionNames = exts;
   VkPhysicalDeviceFeatures features;
   force_robust_access(ctx, pd, &info, &features);
   VkPhysicalDeviceZeroInitializeWorkgroupMemoryFeatures zeroed;
   force_zeroed_shared(pd, &info, &zeroed);
   VkDevice host = VK_NULL_HANDLE;
   pv_vk_loader_lock();
   a->ret = inst->CreateDevice(pd->host, &info, NULL, &host);
   free(exts);
   struct pv_vk_device *d = a->ret < 0 ? NULL : device_state(ctx, pd, host, &info, id);
   pv_vk_loader_unlock();
   if (a->ret < 0)
      return;
   if (!d) {
      a->ret = VK_ERROR_INITIALIZATION_FAILED;
      return;
   }
   /* the guest's list: `info`'s was ours, freed above */
   d->features |= pv_vk_layout_extensions(a->pCreateInfo);
   struct pv_object *obj = pv_object_add(ctx, VK_OBJECT_TYPE_DEVICE, id, PV_FROM_HANDLE(host),
                                         pv_venus_host(ctx)->instance_id);
   if (!obj) {
      pv_vk_loader_lock();
      d->DestroyDevice(host, NULL);
      pv_vk_loader_unlock();
      device_free(d);
      pv_venus_fatal(c, "vkCreateDevice: id 0x%llx already in use", (unsigned long long)id);
      return;
   }
   obj->data = d;
   obj->free_data = device_free_data;
   obj->vk = &d->vk;
   if (has_name(a->pCreateInfo->ppEnabledExtensionNames, a->pCreateInfo->enabledExtensionCount,
                "VK_EXT_transform_feedback"))
      pv_vk_xfb_shadow_create(d);
   /* *a->pDevice still holds the guest id: the reply echoes it */
}

/* ----- destruction ------------------------------------------------------------------------ */

static void
destroy_host_device(pv_host_fn fn, uint64_t parent, uint64_t device)
{
   (void)parent;
   pv_vk_loader_lock();
   ((PFN_vkDestroyDevice)fn)(PV_TO_HANDLE(VkDevice, device), NULL);
   pv_vk_loader_unlock();
}

/* Before the host destroys of its children, once no other path can submit to it any more. */
static void
wait_host_device_idle(pv_host_fn fn, uint64_t parent, uint64_t device)
{
   (void)parent;
   VkResult idle = ((PFN_vkDeviceWaitIdle)fn)(PV_TO_HANDLE(VkDevice, device));
   if (idle != VK_SUCCESS)
      pv_warn("vkDeviceWaitIdle at teardown: %d", idle);
}

/*
 * Another ring's command that began before this one may still hand the device's objects to the
 * host driver (or submit to its queues): every host call of the teardown waits for those
 * commands (reclaim.h) and keeps the teardown's order: the wait for the GPU, the children, our
 * own fences, then the device itself after the destroys such a command hands over too.
 */
void
pv_vk_device_destroy(struct pv_context *ctx, uint64_t device_id, bool by_guest)
{
   struct pv_object *obj = pv_object_find(ctx, device_id, VK_OBJECT_TYPE_DEVICE);
   struct pv_vk_device *d = obj ? obj->data : NULL;
   if (!d)
      return;
   /* Work the guest left running would make destroying its objects unsafe: waited for here in
    * slices, under the queues' submit locks, then once more when nobody else can submit. */
   pv_vk_device_quiesce(ctx, d);
   pv_vk_timelines_unbind_device(ctx, d);
   pv_venus_host_destroy_later(ctx, wait_host_device_idle, (pv_host_fn)d->DeviceWaitIdle, 0,
                               PV_FROM_HANDLE(d->host), false);
   /* After that wait, not before: the quiesce above does not wait in a stopping context (a
    * guest lost or gone with its work still running), and the graveyard's handles are what that
    * work may use (fuzz input 7e0ae405: a buffer destroyed on the host under lavapipe's queue
    * thread). Before the children: older than anything left in the table. */
   pv_vk_graveyard_flush(ctx, d);
   pv_vk_device_destroy_children(ctx, d, by_guest);
   pv_vk_queue_tracks_fini(ctx, d);
   pv_vk_fence_pool_empty(ctx, d);
   pv_vk_xfb_shadow_destroy(ctx, d);
   pv_venus_host_destroy_last(ctx, destroy_host_device, (pv_host_fn)d->DestroyDevice, 0,
                              PV_FROM_HANDLE(d->host), 1);
   pv_object_remove_children(ctx, device_id, -1); /* queues and anything left */
   pv_object_remove(ctx, device_id);
}

void
pv_vk_wait_idle(struct pv_context *ctx)
{
   uint64_t *ids = NULL;
   size_t n =
      pv_object_list_children(ctx, pv_venus_host(ctx)->instance_id, VK_OBJECT_TYPE_DEVICE, &ids);
   for (size_t i = 0; i < n; i++) {
      struct pv_object *obj = pv_object_find(ctx, ids[i], VK_OBJECT_TYPE_DEVICE);
      /* An empty submission with our fence per queue, under the queue's submit lock, waited
       * for in slices that notice a stopping context (lifetime.c). */
      pv_vk_device_quiesce(ctx, obj ? obj->data : NULL);
   }
   free(ids);
}

void
pv_vk_handle_DestroyDevice(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkDestroyDevice *a = args;
   if (a->device == VK_NULL_HANDLE)
      return;
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *obj =
      pv_object_find_host(ctx, VK_OBJECT_TYPE_DEVICE, PV_FROM_HANDLE(a->device));
   if (!obj) {
      pv_venus_fatal(c, "vkDestroyDevice: unknown device");
      return;
   }
   pv_vk_device_destroy(ctx, obj->id, true);
}

/* ----- queues ----------------------------------------------------------------------------- */

static struct pv_vk_queue *
find_queue(struct pv_vk_device *d, uint32_t family, uint32_t index, uint32_t flags)
{
   for (uint32_t i = 0; i < d->queue_count; i++) {
      struct pv_vk_queue *q = &d->queues[i];
      if (q->family == family && q->index == index && q->flags == flags)
         return q;
   }
   return NULL;
}

/* Binds guest id `id` to the queue the host created at vkCreateDevice time. The same queue may
 * be fetched again with the same id; another id for it is fatal, as with the reference. */
static struct pv_vk_queue *
bind_queue(struct pv_dispatch_ctx *c, VkDevice device, uint32_t family, uint32_t index,
           uint32_t flags, uint64_t id)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   struct pv_vk_queue *q = d ? find_queue(d, family, index, flags) : NULL;
   if (!q || id == 0) {
      pv_venus_fatal(c, "vkGetDeviceQueue: no queue %u/%u (flags 0x%x) or id 0", family, index,
                     flags);
      return NULL;
   }
   if (q->host) {
      if (q->id != id) {
         pv_venus_fatal(c, "vkGetDeviceQueue: queue %u/%u fetched with another id", family, index);
         return NULL;
      }
      return q;
   }
   VkQueue host = VK_NULL_HANDLE;
   if (flags == 0) {
      d->GetDeviceQueue(d->host, family, index, &host);
   } else if (d->GetDeviceQueue2) {
      const VkDeviceQueueInfo2 info = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2,
                                       .flags = flags,
                                       .queueFamilyIndex = family,
                                       .queueIndex = index};
      d->GetDeviceQueue2(d->host, &info, &host);
   }
   struct pv_object *obj =
      host ? pv_object_add(ctx, VK_OBJECT_TYPE_QUEUE, id, PV_FROM_HANDLE(host), d->id) : NULL;
   if (!obj) {
      pv_venus_fatal(c, "vkGetDeviceQueue: no host queue, or id 0x%llx in use",
                     (unsigned long long)id);
      return NULL;
   }
   obj->vk = &d->vk;
   q->host = host;
   q->id = id;
   return q;
}

void
pv_vk_handle_GetDeviceQueue(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetDeviceQueue *a = args;
   if (!a->pQueue) {
      pv_venus_fatal(c, "vkGetDeviceQueue: pQueue missing");
      return;
   }
   bind_queue(c, a->device, a->queueFamilyIndex, a->queueIndex, 0, PV_FROM_HANDLE(*a->pQueue));
}

void
pv_vk_handle_GetDeviceQueue2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetDeviceQueue2 *a = args;
   if (!a->pQueueInfo || !a->pQueue) {
      pv_venus_fatal(c, "vkGetDeviceQueue2: pQueueInfo or pQueue missing");
      return;
   }
   /* The chain can only hold VkDeviceQueueTimelineInfoMESA (wire 1): its ring index binds the
    * queue to a fence timeline (queue.c); it never reaches the host. */
   const VkDeviceQueueInfo2 *info = a->pQueueInfo;
   struct pv_vk_queue *q = bind_queue(c, a->device, info->queueFamilyIndex, info->queueIndex,
                                      info->flags, PV_FROM_HANDLE(*a->pQueue));
   for (const VkBaseInStructure *s = info->pNext; q && s; s = s->pNext) {
      if (s->sType != (VkStructureType)PV_STYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA)
         continue;
      uint32_t ring_idx = ((const VkDeviceQueueTimelineInfoMESA *)s)->ringIdx;
      struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
      const char *why = d ? pv_vk_timeline_bind(pv_venus_from(c), ring_idx, d, q->host)
                          : "unknown device";
      if (why)
         pv_venus_fatal(c, "vkGetDeviceQueue2: timeline %u: %s", ring_idx, why);
   }
}
