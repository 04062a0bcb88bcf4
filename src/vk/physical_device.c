/* SPDX-License-Identifier: MIT */
/*
 * VkPhysicalDevice family: binding guest ids to host physical devices (venus-wire.md 1.6) and
 * what the guest may learn about them (extensions filtered to the protocol, versions capped).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "renderer/host_driver.h"
#include "renderer/renderer.h"
#include "util/log.h"
#include "vk/guard.h"
#include "vk/pv_vk.h"

/* Device extensions the guest driver implements itself or the reference renderer withholds
 * (vkr's extension table): advertising them would make the guest forward them to us. */
static const char *const pv_hidden_device_exts[] = {
   "VK_EXT_tooling_info",          /* answered by the guest driver */
   "VK_KHR_format_feature_flags2", /* withheld by the reference renderer */
};

static bool
is_hidden(const char *name)
{
   for (size_t i = 0; i < sizeof(pv_hidden_device_exts) / sizeof(pv_hidden_device_exts[0]); i++)
      if (!strcmp(pv_hidden_device_exts[i], name))
         return true;
   return false;
}

/* ----- host enumeration ------------------------------------------------------------------- */

/* Keeps only the devices the renderer's GPU choice (pv_renderer_config.gpu) names, in host
 * order; returns how many. The guest never learns of the others: every handle it can name is
 * bound to this list. */
static uint32_t
keep_chosen(struct pv_context *ctx, struct pv_vk_instance *inst, VkPhysicalDevice *phys, uint32_t n)
{
   const char *gpu = pv_venus_config(ctx)->gpu;
   if (!gpu)
      return n;
   uint32_t kept = 0;
   for (uint32_t i = 0; i < n; i++) {
      VkPhysicalDeviceIDProperties id = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
      VkPhysicalDeviceProperties2 props = {
         .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
         .pNext = &id,
      };
      inst->GetPhysicalDeviceProperties2(phys[i], &props);
      if (pv_host_gpu_matches(gpu, i, &props.properties, id.deviceUUID))
         phys[kept++] = phys[i];
   }
   if (kept == 0)
      pv_warn("context '%s': no host GPU matches '%s'; the guest sees none", pv_venus_name(ctx),
              gpu);
   return kept;
}

static bool
is_chosen(const struct pv_vk_instance *inst, VkPhysicalDevice host)
{
   for (uint32_t i = 0; i < inst->phys_count; i++)
      if (inst->phys[i] == host)
         return true;
   return false;
}

/* Enumerates the host's physical devices once per instance; ids bind to these slots. */
static VkResult
enumerate_host(struct pv_context *ctx, struct pv_vk_instance *inst)
{
   if (inst->phys)
      return VK_SUCCESS;
   VkInstance instance = pv_venus_host(ctx)->instance;
   uint32_t n = 0;
   VkResult r = inst->EnumeratePhysicalDevices(instance, &n, NULL);
   if (r != VK_SUCCESS)
      return r;
   VkPhysicalDevice *phys = calloc(n ? n : 1, sizeof(*phys));
   uint64_t *ids = calloc(n ? n : 1, sizeof(*ids));
   if (!phys || !ids) {
      free(phys);
      free(ids);
      return VK_ERROR_OUT_OF_HOST_MEMORY;
   }
   r = inst->EnumeratePhysicalDevices(instance, &n, phys);
   if (r < 0) {
      free(phys);
      free(ids);
      return r;
   }
   n = keep_chosen(ctx, inst, phys, n);
   inst->phys = phys;
   inst->phys_ids = ids;
   inst->phys_count = n;
   return VK_SUCCESS;
}

static uint64_t
bound_id(const struct pv_vk_instance *inst, VkPhysicalDevice host)
{
   for (uint32_t i = 0; i < inst->phys_count; i++)
      if (inst->phys[i] == host)
         return inst->phys_ids[i];
   return 0;
}

/* ----- per physical device state ---------------------------------------------------------- */

/* Host extensions the guest may see, spec versions capped to the protocol's, plus the
 * host-only facts the renderer needs. */
static bool
init_extensions(struct pv_context *ctx, struct pv_vk_instance *inst, struct pv_vk_physdev *pd)
{
   uint32_t n = 0;
   if (inst->EnumerateDeviceExtensionProperties(pd->host, NULL, &n, NULL) != VK_SUCCESS)
      return false;
   VkExtensionProperties *exts = calloc(n ? n : 1, sizeof(*exts));
   if (!exts)
      return false;
   if (inst->EnumerateDeviceExtensionProperties(pd->host, NULL, &n, exts) < 0) {
      free(exts);
      return false;
   }
   uint32_t kept = 0;
   for (uint32_t i = 0; i < n; i++) {
      const char *name = exts[i].extensionName;
      if (!strcmp(name, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME))
         pd->has_memory_host = true;
      else if (!strcmp(name, "VK_KHR_portability_subset"))
         pd->has_portability_subset = true;
      else if (!strcmp(name, VK_KHR_EXTERNAL_SEMAPHORE_FD_EXTENSION_NAME))
         pd->has_semaphore_fd = true;
      else if (!strcmp(name, VK_KHR_EXTERNAL_FENCE_FD_EXTENSION_NAME))
         pd->has_fence_fd = true;
      else if (!strcmp(name, VK_EXT_TRANSFORM_FEEDBACK_EXTENSION_NAME))
         pd->max_xfb_buffers = 1; /* has it: the count comes with the properties */
      int64_t spec = pv_vk_table_spec_version(ctx, name);
      if (spec <= 0 || is_hidden(name))
         continue; /* unknown to the guest's encoder (or one of the two instance ones) */
      exts[kept] = exts[i];
      if (exts[kept].specVersion > (uint32_t)spec)
         exts[kept].specVersion = (uint32_t)spec;
      kept++;
   }
   pd->exts = exts;
   pd->ext_count = kept;
   return true;
}

/*
 * Lavapipe's Mesa version, as major * 100 + minor; 0 when it cannot be read (taken as the
 * oldest), -1 for another driver. Its driverVersion says nothing (1), so the version comes from
 * driverInfo ("Mesa 22.3.6 (LLVM 15.0.6)").
 */
static int
lavapipe_version(struct pv_vk_instance *inst, const struct pv_vk_physdev *pd)
{
   if (pd->api_version < VK_API_VERSION_1_2)
      return -1;
   VkPhysicalDeviceDriverProperties driver = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
   };
   VkPhysicalDeviceProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
      .pNext = &driver,
   };
   inst->GetPhysicalDeviceProperties2(pd->host, &props);
   if (driver.driverID != VK_DRIVER_ID_MESA_LLVMPIPE)
      return -1;
   unsigned major = 0, minor = 0;
   driver.driverInfo[VK_MAX_DRIVER_INFO_SIZE - 1] = '\0';
   if (sscanf(driver.driverInfo, "Mesa %u.%u", &major, &minor) != 2 || major > 1000 || minor > 99)
      return 0;
   return (int)(major * 100 + minor);
}

/*
 * Lavapipe before Mesa 25 drops a pipeline barrier at either end of a command buffer
 * (edge_barriers.c); a version that cannot be read counts as affected, the workaround being
 * harmless. Only where every queue family has graphics: the workaround is a graphics command
 * (lavapipe has one family).
 */
static bool
drops_edge_barriers(const struct pv_vk_physdev *pd, int lavapipe)
{
   if (lavapipe < 0 || lavapipe >= 2500)
      return false;
   for (uint32_t i = 0; i < pd->qf_count; i++)
      if (!(pd->qf[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
         return false;
   return true;
}

/* The extensions that hand out device addresses, and those whose descriptors a shader may read
 * as another type, where either could reach beyond the guest's own memory (guard_address.c,
 * guard_mutable.c). */
static void
withhold(struct pv_vk_physdev *pd, const char *const *withheld, size_t n)
{
   uint32_t kept = 0;
   for (uint32_t i = 0; i < pd->ext_count; i++) {
      bool keep = true;
      for (size_t k = 0; k < n; k++)
         keep = keep && strcmp(pd->exts[i].extensionName, withheld[k]) != 0;
      if (keep)
         pd->exts[kept++] = pd->exts[i];
   }
   pd->ext_count = kept;
}

static void
withhold_unconfined_extensions(struct pv_vk_physdev *pd)
{
   static const char *const withheld[] = {
      "VK_KHR_buffer_device_address",
      "VK_EXT_buffer_device_address",
      "VK_EXT_mutable_descriptor_type",
      "VK_VALVE_mutable_descriptor_type",
   };
   withhold(pd, withheld, sizeof(withheld) / sizeof(withheld[0]));
}

/* An image of DRM format modifier tiling may come with an explicit layout, whose pitches and
 * offsets lavapipe 25 takes as the guest gives them (read, the twelfth reading): on a CPU
 * device, where that memory is the host process's, the extension is withheld. */
static void
withhold_cpu_extensions(struct pv_vk_physdev *pd)
{
   static const char *const withheld[] = {"VK_EXT_image_drm_format_modifier"};
   if (pd->device_type == VK_PHYSICAL_DEVICE_TYPE_CPU)
      withhold(pd, withheld, sizeof(withheld) / sizeof(withheld[0]));
}

/* maxMultiviewViewCount: render passes and renderings are held to it (guard_renderpass.c). */
static uint32_t
multiview_views(struct pv_vk_instance *inst, const struct pv_vk_physdev *pd)
{
   if (pd->api_version < VK_API_VERSION_1_1)
      return 0;
   VkPhysicalDeviceMultiviewProperties mv = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MULTIVIEW_PROPERTIES,
   };
   VkPhysicalDeviceProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
      .pNext = &mv,
   };
   inst->GetPhysicalDeviceProperties2(pd->host, &props);
   return mv.maxMultiviewViewCount;
}

/* maxPushDescriptors: push descriptor layouts are held to it (guard_shader.c). */
static uint32_t
push_descriptors(struct pv_vk_instance *inst, const struct pv_vk_physdev *pd)
{
   if (pd->api_version < VK_API_VERSION_1_1 ||
       !pv_vk_physdev_offers(pd, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME))
      return 0;
   VkPhysicalDevicePushDescriptorPropertiesKHR push = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PUSH_DESCRIPTOR_PROPERTIES_KHR,
   };
   VkPhysicalDeviceProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
      .pNext = &push,
   };
   inst->GetPhysicalDeviceProperties2(pd->host, &props);
   return push.maxPushDescriptors;
}

static void
init_properties(struct pv_vk_instance *inst, struct pv_vk_physdev *pd, bool one_context)
{
   VkPhysicalDeviceTransformFeedbackPropertiesEXT xfb = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TRANSFORM_FEEDBACK_PROPERTIES_EXT,
   };
   VkPhysicalDeviceExternalMemoryHostPropertiesEXT host_props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT,
      .pNext = pd->max_xfb_buffers ? &xfb : NULL,
   };
   VkPhysicalDeviceProperties2 props = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
      .pNext = pd->has_memory_host ? (void *)&host_props : pd->max_xfb_buffers ? (void *)&xfb : NULL,
   };
   inst->GetPhysicalDeviceProperties2(pd->host, &props);
   pd->limits = props.properties.limits;
   pd->max_xfb_buffers = xfb.maxTransformFeedbackBuffers;
   pd->max_xfb_streams = xfb.maxTransformFeedbackStreams;
   pd->max_xfb_stride = xfb.maxTransformFeedbackBufferDataStride;
   uint32_t version = pv_vk_cap_api_version(props.properties.apiVersion);
   pd->api_version = version < inst->api_version ? version : inst->api_version;
   pd->device_type = props.properties.deviceType;
   pd->withholds_addresses = pv_vk_withholds_addresses(pd->device_type, one_context);
   if (pd->withholds_addresses)
      withhold_unconfined_extensions(pd);
   withhold_cpu_extensions(pd);

   uint64_t align = host_props.minImportedHostPointerAlignment;
   pd->host_ptr_align = align;
   /* a zero or odd alignment would break our page-rounded imports: do without */
   if (align == 0 || (align & (align - 1)) != 0 || pd->api_version < VK_API_VERSION_1_1)
      pd->has_memory_host = false;
   int lavapipe = lavapipe_version(inst, pd);
   pd->drops_edge_barriers = drops_edge_barriers(pd, lavapipe);
   /* Mesa 23.1's lavapipe keeps descriptors as llvmpipe's bindless handles, nothing is read at
    * bind; before, vkCmdBindDescriptorSets copies each sampler descriptor's sampler. */
   pd->reads_samplers_at_bind = lavapipe >= 0 && lavapipe < 2301;
   pd->compare_needs_dref = lavapipe >= 0 && lavapipe < 2500;
   pd->arrays_per_stage = lavapipe >= 0 && lavapipe < 2301;
   pd->reads_unpushed_constants = lavapipe >= 0 && lavapipe < 2500;
   pd->keeps_vertex_buffers = lavapipe >= 0;
   pd->frees_reset_queries = lavapipe >= 0;
   pd->trusts_xfb_counters = lavapipe >= 0;
   pd->sizes_patches_by_control = lavapipe >= 0;
   pd->sizes_gs_output_32bit = lavapipe >= 0;
   pd->bounds_gs_strips = lavapipe >= 0;
   pd->zeroes_query_stride = lavapipe >= 0;
   pd->misrows_inlined_uniforms = lavapipe >= 0 && lavapipe < 2301;
   pd->unbounded_shared = lavapipe >= 0;
   pd->stacks_private_arrays = lavapipe >= 0;
   pd->copies_int_width = lavapipe >= 0;
   pd->fetches_vertices_int32 = lavapipe >= 0;
   pd->binds_sparse_unchecked = lavapipe >= 0;
   pd->reads_null_set_layouts = lavapipe >= 0 && lavapipe < 2500;
   pd->one_plane_per_descriptor = lavapipe >= 0;
   pd->dual_source_rt0_only = lavapipe >= 0;
   pd->unrolls_on_hint = lavapipe >= 0;
   /* a version that cannot be read (0) counts as affected, the check costing little */
   pd->queries_keep_views = lavapipe == 0 || lavapipe > 2203;
   pd->max_multiview_views = multiview_views(inst, pd);
   pd->max_push_descriptors = push_descriptors(inst, pd);
}

static bool
init_queue_families(struct pv_vk_instance *inst, struct pv_vk_physdev *pd)
{
   uint32_t n = 0;
   inst->GetPhysicalDeviceQueueFamilyProperties(pd->host, &n, NULL);
   pd->qf = calloc(n ? n : 1, sizeof(*pd->qf));
   if (!pd->qf)
      return false;
   inst->GetPhysicalDeviceQueueFamilyProperties(pd->host, &n, pd->qf);
   pd->qf_count = n;
   return true;
}

static void
physdev_free(struct pv_vk_physdev *pd)
{
   if (pd) {
      free(pd->exts);
      free(pd->qf);
      free(pd);
   }
}

static void
physdev_free_data(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   physdev_free(obj->data);
   obj->data = NULL;
}

struct pv_vk_physdev *
pv_vk_physdev_create(struct pv_context *ctx, VkPhysicalDevice host)
{
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   struct pv_vk_physdev *pd = inst ? calloc(1, sizeof(*pd)) : NULL;
   if (!pd)
      return NULL;
   pd->host = host;
   if (!init_extensions(ctx, inst, pd) || !init_queue_families(inst, pd)) {
      physdev_free(pd);
      return NULL;
   }
   init_properties(inst, pd, ctx->renderer->config.one_context_per_process);
   pv_vk_physdev_init_memory_types(inst, pd);
   return pd;
}

bool
pv_vk_physdev_offers(const struct pv_vk_physdev *pd, const char *name)
{
   for (uint32_t i = 0; i < pd->ext_count; i++)
      if (!strcmp(pd->exts[i].extensionName, name))
         return true;
   return false;
}

/* Binds guest id `id` to host slot `i`; false when the command became fatal or failed. */
static bool
bind_slot(struct pv_dispatch_ctx *c, struct pv_vk_instance *inst, uint32_t i, uint64_t id,
          VkResult *ret)
{
   struct pv_context *ctx = pv_venus_from(c);
   if (inst->phys_ids[i]) {
      if (inst->phys_ids[i] == id)
         return true;
      pv_venus_fatal(c, "vkEnumeratePhysicalDevices: device %u re-enumerated with another id", i);
      return false;
   }
   if (id == 0) {
      pv_venus_fatal(c, "vkEnumeratePhysicalDevices: physical device id 0");
      return false;
   }
   struct pv_vk_physdev *pd = pv_vk_physdev_create(ctx, inst->phys[i]);
   if (!pd) {
      *ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      return false;
   }
   struct pv_object *obj =
      pv_object_add(ctx, VK_OBJECT_TYPE_PHYSICAL_DEVICE, id, PV_FROM_HANDLE(inst->phys[i]),
                    pv_venus_host(ctx)->instance_id);
   if (!obj) {
      physdev_free(pd);
      pv_venus_fatal(c, "vkEnumeratePhysicalDevices: id 0x%llx already in use",
                     (unsigned long long)id);
      return false;
   }
   obj->data = pd;
   obj->free_data = physdev_free_data;
   inst->phys_ids[i] = id;
   return true;
}

/* ----- handlers --------------------------------------------------------------------------- */

void
pv_vk_handle_EnumeratePhysicalDevices(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEnumeratePhysicalDevices *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (!inst || !a->pPhysicalDeviceCount) {
      pv_venus_fatal(c, "vkEnumeratePhysicalDevices: no instance or count");
      return;
   }
   a->ret = enumerate_host(ctx, inst);
   if (a->ret != VK_SUCCESS)
      return;
   if (!a->pPhysicalDevices) {
      *a->pPhysicalDeviceCount = inst->phys_count;
      return;
   }
   uint32_t n = *a->pPhysicalDeviceCount;
   if (n > inst->phys_count)
      n = inst->phys_count;
   a->ret = n < inst->phys_count ? VK_INCOMPLETE : VK_SUCCESS;
   for (uint32_t i = 0; i < n; i++) {
      VkResult ret = VK_SUCCESS;
      if (!bind_slot(c, inst, i, PV_FROM_HANDLE(a->pPhysicalDevices[i]), &ret)) {
         a->ret = ret != VK_SUCCESS ? ret : VK_ERROR_INITIALIZATION_FAILED;
         *a->pPhysicalDeviceCount = 0;
         return;
      }
   }
   *a->pPhysicalDeviceCount = n; /* the ids in pPhysicalDevices are echoed */
}

/* Writes one host group into the guest's struct with bound ids; false if a member is not
 * bound (the guest must enumerate devices first, as with the reference renderer). */
static bool
translate_group(const struct pv_vk_instance *inst, const VkPhysicalDeviceGroupProperties *src,
                VkPhysicalDeviceGroupProperties *dst)
{
   uint32_t n = src->physicalDeviceCount;
   if (n > VK_MAX_DEVICE_GROUP_SIZE)
      n = VK_MAX_DEVICE_GROUP_SIZE;
   memset(dst->physicalDevices, 0, sizeof(dst->physicalDevices));
   for (uint32_t j = 0; j < n; j++) {
      uint64_t id = bound_id(inst, src->physicalDevices[j]);
      if (!id)
         return false;
      dst->physicalDevices[j] = PV_TO_HANDLE(VkPhysicalDevice, id);
   }
   dst->physicalDeviceCount = n;
   dst->subsetAllocation = src->subsetAllocation;
   return true;
}

/* The host's device groups whose every member the GPU choice kept, compacted in place; returns
 * how many (or a negative VkResult). *out is to free(). */
static int64_t
chosen_groups(struct pv_context *ctx, struct pv_vk_instance *inst,
              VkPhysicalDeviceGroupProperties **out)
{
   VkInstance instance = pv_venus_host(ctx)->instance;
   uint32_t n = 0;
   VkResult r = inst->EnumeratePhysicalDeviceGroups(instance, &n, NULL);
   if (r < 0)
      return r;
   VkPhysicalDeviceGroupProperties *g = calloc(n ? n : 1, sizeof(*g));
   if (!g)
      return VK_ERROR_OUT_OF_HOST_MEMORY;
   for (uint32_t i = 0; i < n; i++)
      g[i].sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_GROUP_PROPERTIES;
   r = inst->EnumeratePhysicalDeviceGroups(instance, &n, g);
   if (r < 0) {
      free(g);
      return r;
   }
   uint32_t kept = 0;
   for (uint32_t i = 0; i < n; i++) {
      bool all = g[i].physicalDeviceCount > 0;
      for (uint32_t j = 0; j < g[i].physicalDeviceCount && j < VK_MAX_DEVICE_GROUP_SIZE; j++)
         all = all && is_chosen(inst, g[i].physicalDevices[j]);
      if (all)
         g[kept++] = g[i];
   }
   *out = g;
   return kept;
}

static VkResult
fill_groups(struct pv_context *ctx, struct pv_vk_instance *inst, uint32_t *count,
            VkPhysicalDeviceGroupProperties *out)
{
   VkPhysicalDeviceGroupProperties *g = NULL;
   int64_t n = chosen_groups(ctx, inst, &g);
   if (n < 0) {
      *count = 0;
      return (VkResult)n;
   }
   if (!out) {
      *count = (uint32_t)n;
      free(g);
      return VK_SUCCESS;
   }
   uint32_t m = *count < (uint32_t)n ? *count : (uint32_t)n;
   VkResult r = m < (uint32_t)n ? VK_INCOMPLETE : VK_SUCCESS;
   for (uint32_t i = 0; i < m && r >= 0; i++) {
      if (!translate_group(inst, &g[i], &out[i])) {
         pv_warn_limited("vkEnumeratePhysicalDeviceGroups before vkEnumeratePhysicalDevices");
         r = VK_ERROR_INITIALIZATION_FAILED;
      }
   }
   free(g);
   *count = r >= 0 ? m : 0;
   return r;
}

void
pv_vk_handle_EnumeratePhysicalDeviceGroups(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEnumeratePhysicalDeviceGroups *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (!inst || !a->pPhysicalDeviceGroupCount) {
      pv_venus_fatal(c, "vkEnumeratePhysicalDeviceGroups: no instance or count");
      return;
   }
   if (!inst->EnumeratePhysicalDeviceGroups) {
      a->ret = VK_ERROR_INITIALIZATION_FAILED;
      return;
   }
   a->ret = enumerate_host(ctx, inst);
   if (a->ret != VK_SUCCESS)
      return;
   /* With properties: the guest sent id 0 everywhere, a query for the ids it already bound
    * (1.6). Without: the count of groups it may see. */
   a->ret = fill_groups(ctx, inst, a->pPhysicalDeviceGroupCount, a->pPhysicalDeviceGroupProperties);
}

void
pv_vk_handle_EnumerateDeviceExtensionProperties(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEnumerateDeviceExtensionProperties *a = args;
   struct pv_vk_physdev *pd = pv_vk_physdev_from_host(pv_venus_from(c), a->physicalDevice);
   if (!pd || !a->pPropertyCount) {
      pv_venus_fatal(c, "vkEnumerateDeviceExtensionProperties: no device or count");
      return;
   }
   if (a->pLayerName) {
      a->ret = VK_ERROR_LAYER_NOT_PRESENT;
      return;
   }
   if (!a->pProperties) {
      *a->pPropertyCount = pd->ext_count;
      a->ret = VK_SUCCESS;
      return;
   }
   uint32_t n = *a->pPropertyCount < pd->ext_count ? *a->pPropertyCount : pd->ext_count;
   memcpy(a->pProperties, pd->exts, sizeof(*pd->exts) * n);
   *a->pPropertyCount = n;
   a->ret = n < pd->ext_count ? VK_INCOMPLETE : VK_SUCCESS;
}

void
pv_vk_handle_EnumerateDeviceLayerProperties(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEnumerateDeviceLayerProperties *a = args;
   if (!a->pPropertyCount) {
      pv_venus_fatal(c, "vkEnumerateDeviceLayerProperties: pPropertyCount missing");
      return;
   }
   *a->pPropertyCount = 0;
   a->ret = VK_SUCCESS;
}

/* The reported API version is capped to what the protocol serves, as the reference does. */
void
pv_vk_handle_GetPhysicalDeviceProperties(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceProperties *a = args;
   pv_handle_vkGetPhysicalDeviceProperties(c, args);
   if (!pv_cs_fatal(c->dec) && a->pProperties)
      a->pProperties->apiVersion = pv_vk_cap_api_version(a->pProperties->apiVersion);
}

void
pv_vk_handle_GetPhysicalDeviceProperties2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceProperties2 *a = args;
   pv_handle_vkGetPhysicalDeviceProperties2(c, args);
   if (!pv_cs_fatal(c->dec) && a->pProperties) {
      VkPhysicalDeviceProperties *p = &a->pProperties->properties;
      p->apiVersion = pv_vk_cap_api_version(p->apiVersion);
   }
}
