/* SPDX-License-Identifier: MIT */
/* Shared helpers for the end-to-end Vulkan test programs and the benchmarks (see pv_common.h). */
#include "pv_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *pv_program = "pv";
static unsigned pv_validation_errors;

void
pv_set_program(const char *program)
{
   pv_program = program;
}

const char *
pv_program_name(void)
{
   return pv_program;
}

void
pv_fail(const char *fmt, ...)
{
   va_list ap;
   fflush(stdout);
   printf("%s: FAIL: ", pv_program);
   va_start(ap, fmt);
   vprintf(fmt, ap);
   va_end(ap);
   printf("\n");
   fflush(stdout);
   exit(1);
}

const char *
pv_result_name(VkResult r)
{
   switch (r) {
#define R(x)                                                                                       \
   case x:                                                                                         \
      return #x;
      R(VK_SUCCESS)
      R(VK_NOT_READY)
      R(VK_TIMEOUT)
      R(VK_EVENT_SET)
      R(VK_EVENT_RESET)
      R(VK_INCOMPLETE)
      R(VK_ERROR_OUT_OF_HOST_MEMORY)
      R(VK_ERROR_OUT_OF_DEVICE_MEMORY)
      R(VK_ERROR_INITIALIZATION_FAILED)
      R(VK_ERROR_DEVICE_LOST)
      R(VK_ERROR_MEMORY_MAP_FAILED)
      R(VK_ERROR_LAYER_NOT_PRESENT)
      R(VK_ERROR_EXTENSION_NOT_PRESENT)
      R(VK_ERROR_FEATURE_NOT_PRESENT)
      R(VK_ERROR_INCOMPATIBLE_DRIVER)
      R(VK_ERROR_TOO_MANY_OBJECTS)
      R(VK_ERROR_FORMAT_NOT_SUPPORTED)
      R(VK_ERROR_FRAGMENTED_POOL)
      R(VK_ERROR_UNKNOWN)
      R(VK_ERROR_OUT_OF_POOL_MEMORY)
#undef R
   default:
      return "(other VkResult)";
   }
}

static VKAPI_ATTR VkBool32 VKAPI_CALL
pv_debug_cb(VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT types,
            const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
   (void)types;
   (void)user;
   if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
      pv_validation_errors++;
   fprintf(stderr, "%s: validation: %s\n", pv_program, data->pMessage);
   return VK_FALSE;
}

static bool
pv_layer_available(const char *name)
{
   uint32_t n = 0;
   PV_CHECK(vkEnumerateInstanceLayerProperties(&n, NULL));
   VkLayerProperties *layers = calloc(n ? n : 1, sizeof(*layers));
   PV_CHECK(vkEnumerateInstanceLayerProperties(&n, layers));
   bool found = false;
   for (uint32_t i = 0; i < n; i++)
      found = found || !strcmp(layers[i].layerName, name);
   free(layers);
   return found;
}

static bool
pv_device_has_extension(VkPhysicalDevice phys, const char *name)
{
   uint32_t n = 0;
   if (vkEnumerateDeviceExtensionProperties(phys, NULL, &n, NULL) != VK_SUCCESS || !n)
      return false;
   VkExtensionProperties *props = calloc(n, sizeof(*props));
   bool found = false;
   if (props && vkEnumerateDeviceExtensionProperties(phys, NULL, &n, props) >= VK_SUCCESS) {
      for (uint32_t i = 0; i < n && !found; i++)
         found = strcmp(props[i].extensionName, name) == 0;
   }
   free(props);
   return found;
}

void
pv_init(struct pv_ctx *c, const char *program, const struct pv_init_options *opts)
{
   memset(c, 0, sizeof(*c));
   pv_set_program(program);
   const char *v = getenv("PV_E2E_VALIDATE");
   bool validate = v && *v && strcmp(v, "0") != 0 && !(opts && opts->no_validation);

   const char *layers[] = {"VK_LAYER_KHRONOS_validation"};
   const char *exts[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
   if (validate && !pv_layer_available(layers[0]))
      pv_fail("PV_E2E_VALIDATE is set but %s is not installed", layers[0]);

   VkDebugUtilsMessengerCreateInfoEXT dbg = {
      .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
      .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT,
      .pfnUserCallback = pv_debug_cb,
   };
   VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = program,
      .apiVersion =
         opts && opts->instance_api_version ? opts->instance_api_version : VK_API_VERSION_1_3,
   };
   VkInstanceCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pNext = validate ? &dbg : NULL,
      .pApplicationInfo = &app,
      .enabledLayerCount = validate ? 1 : 0,
      .ppEnabledLayerNames = layers,
      .enabledExtensionCount = validate ? 1 : 0,
      .ppEnabledExtensionNames = exts,
   };
   PV_CHECK(vkCreateInstance(&ici, NULL, &c->instance));
   if (validate) {
      PFN_vkCreateDebugUtilsMessengerEXT create =
         (PFN_vkCreateDebugUtilsMessengerEXT)vkGetInstanceProcAddr(
            c->instance, "vkCreateDebugUtilsMessengerEXT");
      if (!create)
         pv_fail("no vkCreateDebugUtilsMessengerEXT");
      PV_CHECK(create(c->instance, &dbg, NULL, &c->messenger));
   }

   uint32_t n = 1;
   VkResult r = vkEnumeratePhysicalDevices(c->instance, &n, &c->phys);
   if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || n == 0)
      pv_fail("no Vulkan physical device (%s)", pv_result_name(r));
   vkGetPhysicalDeviceProperties(c->phys, &c->props);
   vkGetPhysicalDeviceMemoryProperties(c->phys, &c->mem_props);
   uint32_t min_api = opts && opts->min_api_version ? opts->min_api_version : VK_API_VERSION_1_1;
   if (c->props.apiVersion < min_api)
      pv_fail("device '%s' has Vulkan %u.%u, need %u.%u", c->props.deviceName,
              VK_API_VERSION_MAJOR(c->props.apiVersion), VK_API_VERSION_MINOR(c->props.apiVersion),
              VK_API_VERSION_MAJOR(min_api), VK_API_VERSION_MINOR(min_api));

   uint32_t nq = 0;
   vkGetPhysicalDeviceQueueFamilyProperties(c->phys, &nq, NULL);
   VkQueueFamilyProperties *qf = calloc(nq ? nq : 1, sizeof(*qf));
   vkGetPhysicalDeviceQueueFamilyProperties(c->phys, &nq, qf);
   c->queue_family = UINT32_MAX;
   for (uint32_t i = 0; i < nq && c->queue_family == UINT32_MAX; i++) {
      const VkQueueFlags want = VK_QUEUE_GRAPHICS_BIT | VK_QUEUE_COMPUTE_BIT;
      if ((qf[i].queueFlags & want) == want && qf[i].queueCount > 0)
         c->queue_family = i;
   }
   free(qf);
   if (c->queue_family == UINT32_MAX)
      pv_fail("no graphics+compute queue family");

   const float prio = 1.0f;
   VkDeviceQueueCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = c->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &prio,
   };
   const char *optional = opts ? opts->optional_extension : NULL;
   if (optional && !pv_device_has_extension(c->phys, optional))
      optional = opts->optional_fallback;
   c->optional_enabled = optional && pv_device_has_extension(c->phys, optional);
   c->optional_name = c->optional_enabled ? optional : NULL;
   const void *pnext = opts ? opts->device_pnext : NULL;
   if (c->optional_enabled && opts->optional_pnext) {
      opts->optional_pnext->pNext = (VkBaseOutStructure *)pnext;
      pnext = opts->optional_pnext;
   }
   VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .pNext = pnext,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &qci,
      .enabledExtensionCount = c->optional_enabled ? 1 : 0,
      .ppEnabledExtensionNames = &optional,
   };
   PV_CHECK(vkCreateDevice(c->phys, &dci, NULL, &c->device));
   vkGetDeviceQueue(c->device, c->queue_family, 0, &c->queue);

   VkCommandPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
      .queueFamilyIndex = c->queue_family,
   };
   PV_CHECK(vkCreateCommandPool(c->device, &pci, NULL, &c->pool));
}

void
pv_fini(struct pv_ctx *c)
{
   PV_CHECK(vkDeviceWaitIdle(c->device));
   vkDestroyCommandPool(c->device, c->pool, NULL);
   vkDestroyDevice(c->device, NULL);
   if (c->messenger) {
      PFN_vkDestroyDebugUtilsMessengerEXT destroy =
         (PFN_vkDestroyDebugUtilsMessengerEXT)vkGetInstanceProcAddr(
            c->instance, "vkDestroyDebugUtilsMessengerEXT");
      destroy(c->instance, c->messenger, NULL);
   }
   vkDestroyInstance(c->instance, NULL);
   /* props stays valid for pv_pass. */
   c->device = VK_NULL_HANDLE;
   c->instance = VK_NULL_HANDLE;
   if (pv_validation_errors)
      pv_fail("%u validation error(s), see stderr", pv_validation_errors);
}

void
pv_pass(const struct pv_ctx *c, const char *fmt, ...)
{
   if (pv_validation_errors)
      pv_fail("%u validation error(s), see stderr", pv_validation_errors);
   va_list ap;
   printf("%s: PASS: ", pv_program);
   va_start(ap, fmt);
   vprintf(fmt, ap);
   va_end(ap);
   printf(" (device: %s)\n", c->props.deviceName);
   fflush(stdout);
}

uint32_t
pv_find_memory_type(const struct pv_ctx *c, uint32_t type_bits, VkMemoryPropertyFlags flags)
{
   for (uint32_t i = 0; i < c->mem_props.memoryTypeCount; i++) {
      if ((type_bits & (1u << i)) && (c->mem_props.memoryTypes[i].propertyFlags & flags) == flags)
         return i;
   }
   return UINT32_MAX;
}

void
pv_buffer_create(const struct pv_ctx *c, struct pv_buffer *b, VkDeviceSize size,
                 VkBufferUsageFlags usage, VkMemoryPropertyFlags flags)
{
   pv_buffer_create_pref(c, b, size, usage, &flags, 1);
}

void
pv_buffer_create_pref(const struct pv_ctx *c, struct pv_buffer *b, VkDeviceSize size,
                      VkBufferUsageFlags usage, const VkMemoryPropertyFlags *prefs, size_t nprefs)
{
   memset(b, 0, sizeof(*b));
   b->size = size;
   VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = size,
      .usage = usage,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
   };
   PV_CHECK(vkCreateBuffer(c->device, &bci, NULL, &b->buffer));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(c->device, b->buffer, &req);
   uint32_t type = UINT32_MAX;
   for (size_t i = 0; i < nprefs && type == UINT32_MAX; i++)
      type = pv_find_memory_type(c, req.memoryTypeBits, prefs[i]);
   /* Names the last (least demanding) choice: with one, the flags asked for. */
   if (type == UINT32_MAX)
      pv_fail("no memory type with flags 0x%x for a %llu-byte buffer",
              (unsigned)(nprefs ? prefs[nprefs - 1] : 0), (unsigned long long)size);
   VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req.size,
      .memoryTypeIndex = type,
   };
   PV_CHECK(vkAllocateMemory(c->device, &mai, NULL, &b->memory));
   PV_CHECK(vkBindBufferMemory(c->device, b->buffer, b->memory, 0));
   b->flags = c->mem_props.memoryTypes[type].propertyFlags;
   if (b->flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
      PV_CHECK(vkMapMemory(c->device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->map));
}

void
pv_buffer_destroy(const struct pv_ctx *c, struct pv_buffer *b)
{
   if (b->map)
      vkUnmapMemory(c->device, b->memory);
   vkDestroyBuffer(c->device, b->buffer, NULL);
   vkFreeMemory(c->device, b->memory, NULL);
   memset(b, 0, sizeof(*b));
}

VkImage
pv_image_create(const struct pv_ctx *c, const VkImageCreateInfo *info, VkDeviceMemory *mem)
{
   VkImage image;
   PV_CHECK(vkCreateImage(c->device, info, NULL, &image));
   VkMemoryRequirements req;
   vkGetImageMemoryRequirements(c->device, image, &req);
   uint32_t type = pv_find_memory_type(c, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
   if (type == UINT32_MAX)
      type = pv_find_memory_type(c, req.memoryTypeBits, 0);
   if (type == UINT32_MAX)
      pv_fail("no memory type for an image");
   VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req.size,
      .memoryTypeIndex = type,
   };
   PV_CHECK(vkAllocateMemory(c->device, &mai, NULL, mem));
   PV_CHECK(vkBindImageMemory(c->device, image, *mem, 0));
   return image;
}

VkShaderModule
pv_shader_module(const struct pv_ctx *c, const uint32_t *code, size_t size)
{
   VkShaderModuleCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = size,
      .pCode = code,
   };
   VkShaderModule m;
   PV_CHECK(vkCreateShaderModule(c->device, &ci, NULL, &m));
   return m;
}

VkCommandBuffer
pv_cmd_begin(const struct pv_ctx *c)
{
   VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = c->pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1,
   };
   VkCommandBuffer cmd;
   PV_CHECK(vkAllocateCommandBuffers(c->device, &ai, &cmd));
   VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
   };
   PV_CHECK(vkBeginCommandBuffer(cmd, &bi));
   return cmd;
}

uint64_t
pv_cmd_submit_wait(const struct pv_ctx *c, VkCommandBuffer cmd)
{
   PV_CHECK(vkEndCommandBuffer(cmd));
   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   PV_CHECK(vkCreateFence(c->device, &fci, NULL, &fence));
   VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   uint64_t t0 = pv_now_ns();
   PV_CHECK(vkQueueSubmit(c->queue, 1, &si, fence));
   PV_CHECK(vkWaitForFences(c->device, 1, &fence, VK_TRUE, UINT64_MAX));
   uint64_t t = pv_now_ns() - t0;
   vkDestroyFence(c->device, fence, NULL);
   vkFreeCommandBuffers(c->device, c->pool, 1, &cmd);
   return t;
}

void
pv_image_barrier(VkCommandBuffer cmd, VkImage image, VkImageAspectFlags aspect,
                 VkImageLayout old_layout, VkImageLayout new_layout, VkPipelineStageFlags src_stage,
                 VkAccessFlags src_access, VkPipelineStageFlags dst_stage, VkAccessFlags dst_access)
{
   VkImageMemoryBarrier b = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
      .srcAccessMask = src_access,
      .dstAccessMask = dst_access,
      .oldLayout = old_layout,
      .newLayout = new_layout,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .image = image,
      .subresourceRange = {aspect, 0, VK_REMAINING_MIP_LEVELS, 0, VK_REMAINING_ARRAY_LAYERS},
   };
   vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 0, NULL, 0, NULL, 1, &b);
}

void
pv_memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                  VkPipelineStageFlags dst_stage, VkAccessFlags dst_access)
{
   VkMemoryBarrier b = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
      .srcAccessMask = src_access,
      .dstAccessMask = dst_access,
   };
   vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &b, 0, NULL, 0, NULL);
}

uint64_t
pv_now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
pv_compute_init(const struct pv_ctx *c, struct pv_compute *k, const uint32_t *spv, size_t spv_size,
                uint32_t max_sets)
{
   pv_compute_init_layout(c, k, spv, spv_size, 2, 3 * sizeof(uint32_t), max_sets);
}

void
pv_compute_init_layout(const struct pv_ctx *c, struct pv_compute *k, const uint32_t *spv,
                       size_t spv_size, uint32_t nbuf, uint32_t push_size, uint32_t max_sets)
{
   memset(k, 0, sizeof(*k));
   if (nbuf > PV_COMPUTE_MAX_BUFFERS)
      pv_fail("too many buffers for a kernel");
   k->module = pv_shader_module(c, spv, spv_size);
   VkDescriptorSetLayoutBinding bindings[PV_COMPUTE_MAX_BUFFERS];
   for (uint32_t i = 0; i < nbuf; i++) {
      bindings[i] = (VkDescriptorSetLayoutBinding){
         .binding = i,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
         .descriptorCount = 1,
         .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
      };
   }
   VkDescriptorSetLayoutCreateInfo dslci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = nbuf,
      .pBindings = bindings,
   };
   PV_CHECK(vkCreateDescriptorSetLayout(c->device, &dslci, NULL, &k->set_layout));
   VkPushConstantRange push = {VK_SHADER_STAGE_COMPUTE_BIT, 0, push_size};
   VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &k->set_layout,
      .pushConstantRangeCount = push_size ? 1 : 0,
      .pPushConstantRanges = &push,
   };
   PV_CHECK(vkCreatePipelineLayout(c->device, &plci, NULL, &k->layout));
   VkComputePipelineCreateInfo cpci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage =
         {
            .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
            .stage = VK_SHADER_STAGE_COMPUTE_BIT,
            .module = k->module,
            .pName = "main",
         },
      .layout = k->layout,
   };
   PV_CHECK(vkCreateComputePipelines(c->device, VK_NULL_HANDLE, 1, &cpci, NULL, &k->pipeline));
   /* A pool with no descriptors is invalid (descriptorCount must be > 0). */
   if (!nbuf || !max_sets)
      return;
   VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nbuf * max_sets};
   VkDescriptorPoolCreateInfo dpci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = max_sets,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
   };
   PV_CHECK(vkCreateDescriptorPool(c->device, &dpci, NULL, &k->pool));
}

/* Allocates a set from k->pool and writes infos[i] to binding i. */
static VkDescriptorSet
pv_compute_write_set(const struct pv_ctx *c, const struct pv_compute *k,
                     const VkDescriptorBufferInfo *infos, uint32_t n)
{
   VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = k->pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &k->set_layout,
   };
   VkDescriptorSet set;
   PV_CHECK(vkAllocateDescriptorSets(c->device, &ai, &set));
   VkWriteDescriptorSet writes[PV_COMPUTE_MAX_BUFFERS];
   for (uint32_t i = 0; i < n; i++) {
      writes[i] = (VkWriteDescriptorSet){
         .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
         .dstSet = set,
         .dstBinding = i,
         .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
         .pBufferInfo = &infos[i],
      };
   }
   vkUpdateDescriptorSets(c->device, n, writes, 0, NULL);
   return set;
}

VkDescriptorSet
pv_compute_set_buffers(const struct pv_ctx *c, const struct pv_compute *k, const VkBuffer *bufs,
                       uint32_t nbuf)
{
   VkDescriptorBufferInfo infos[PV_COMPUTE_MAX_BUFFERS];
   if (nbuf > PV_COMPUTE_MAX_BUFFERS)
      pv_fail("too many buffers for a kernel");
   for (uint32_t i = 0; i < nbuf; i++)
      infos[i] = (VkDescriptorBufferInfo){bufs[i], 0, VK_WHOLE_SIZE};
   return pv_compute_write_set(c, k, infos, nbuf);
}

VkDescriptorSet
pv_compute_set(const struct pv_ctx *c, const struct pv_compute *k, VkBuffer src,
               VkDeviceSize src_offset, VkBuffer dst, VkDeviceSize dst_offset, VkDeviceSize range)
{
   const VkDescriptorBufferInfo infos[2] = {{src, src_offset, range}, {dst, dst_offset, range}};
   return pv_compute_write_set(c, k, infos, 2);
}

void
pv_compute_dispatch(VkCommandBuffer cmd, const struct pv_compute *k, VkDescriptorSet set,
                    uint32_t count, uint32_t mul, uint32_t add)
{
   const uint32_t push[3] = {count, mul, add};
   uint32_t groups = (count + 255) / 256;
   uint32_t gx = groups < 32768 ? groups : 32768;
   uint32_t gy = gx ? (groups + gx - 1) / gx : 0;
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->layout, 0, 1, &set, 0, NULL);
   vkCmdPushConstants(cmd, k->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
   if (gx)
      vkCmdDispatch(cmd, gx, gy, 1);
}

void
pv_compute_fini(const struct pv_ctx *c, struct pv_compute *k)
{
   if (k->pool) /* none for a kernel without buffers */
      vkDestroyDescriptorPool(c->device, k->pool, NULL);
   vkDestroyPipeline(c->device, k->pipeline, NULL);
   vkDestroyPipelineLayout(c->device, k->layout, NULL);
   vkDestroyDescriptorSetLayout(c->device, k->set_layout, NULL);
   vkDestroyShaderModule(c->device, k->module, NULL);
   memset(k, 0, sizeof(*k));
}

VkResult
pv_fence_round_trip(struct pv_ctx *c)
{
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   VkResult r = vkCreateFence(c->device, &fci, NULL, &fence);
   if (r == VK_SUCCESS)
      r = vkQueueSubmit(c->queue, 0, NULL, fence);
   if (r == VK_SUCCESS)
      r = vkWaitForFences(c->device, 1, &fence, VK_TRUE, 10000000000ull);
   return r;
}
