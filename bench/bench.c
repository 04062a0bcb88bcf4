/* SPDX-License-Identifier: MIT */
/* Shared helpers for the benchmark programs (see bench.h). */
#include "bench.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream_comp_spv.h"

static const char *b_program = "bench";

void
b_start(const char *program)
{
   b_program = program;
}

void
b_fail(const char *fmt, ...)
{
   va_list ap;
   fflush(stdout);
   printf("%s: FAIL: ", b_program);
   va_start(ap, fmt);
   vprintf(fmt, ap);
   va_end(ap);
   printf("\n");
   fflush(stdout);
   exit(1);
}

void
b_result(const char *metric, double value, const char *unit)
{
   printf("RESULT name=%s metric=%s value=%.6g unit=%s\n", b_program, metric, value, unit);
   fflush(stdout);
}

void
b_pass(void)
{
   printf("%s: PASS\n", b_program);
   fflush(stdout);
}

void
b_parse(int argc, char **argv, const struct b_opt *opts, size_t n)
{
   for (int i = 1; i < argc; i++) {
      const struct b_opt *o = NULL;
      for (size_t j = 0; j < n && !o; j++) {
         if (argv[i][0] == '-' && argv[i][1] == '-' && !strcmp(argv[i] + 2, opts[j].name))
            o = &opts[j];
      }
      if (!o)
         b_fail("unknown option %s", argv[i]);
      if (o->flag) {
         *o->flag = true;
      } else {
         if (i + 1 >= argc)
            b_fail("option %s needs a value", argv[i]);
         char *end;
         *o->value = strtod(argv[++i], &end);
         if (*end)
            b_fail("option --%s: '%s' is not a number", o->name, argv[i]);
      }
   }
}

void
b_init(struct b_ctx *c)
{
   memset(c, 0, sizeof(*c));
   VkApplicationInfo app = {
      .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
      .pApplicationName = b_program,
      .apiVersion = VK_API_VERSION_1_1,
   };
   VkInstanceCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
      .pApplicationInfo = &app,
   };
   B_CHECK(vkCreateInstance(&ici, NULL, &c->instance));
   uint32_t n = 1;
   VkResult r = vkEnumeratePhysicalDevices(c->instance, &n, &c->phys);
   if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || n == 0)
      b_fail("no Vulkan physical device (%d)", (int)r);
   vkGetPhysicalDeviceProperties(c->phys, &c->props);
   vkGetPhysicalDeviceMemoryProperties(c->phys, &c->mem_props);

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
      b_fail("no graphics+compute queue family");
   const float prio = 1.0f;
   VkDeviceQueueCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
      .queueFamilyIndex = c->queue_family,
      .queueCount = 1,
      .pQueuePriorities = &prio,
   };
   VkDeviceCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
      .queueCreateInfoCount = 1,
      .pQueueCreateInfos = &qci,
   };
   B_CHECK(vkCreateDevice(c->phys, &dci, NULL, &c->device));
   vkGetDeviceQueue(c->device, c->queue_family, 0, &c->queue);
   VkCommandPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
      .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
      .queueFamilyIndex = c->queue_family,
   };
   B_CHECK(vkCreateCommandPool(c->device, &pci, NULL, &c->pool));
}

void
b_info(const struct b_ctx *c)
{
   printf("INFO program=%s device=\"%s\" api=%u.%u.%u driver=0x%x\n", b_program,
          c->props.deviceName, VK_API_VERSION_MAJOR(c->props.apiVersion),
          VK_API_VERSION_MINOR(c->props.apiVersion), VK_API_VERSION_PATCH(c->props.apiVersion),
          c->props.driverVersion);
   fflush(stdout);
}

void
b_fini(struct b_ctx *c)
{
   B_CHECK(vkDeviceWaitIdle(c->device));
   vkDestroyCommandPool(c->device, c->pool, NULL);
   vkDestroyDevice(c->device, NULL);
   vkDestroyInstance(c->instance, NULL);
   c->device = VK_NULL_HANDLE;
   c->instance = VK_NULL_HANDLE;
}

uint32_t
b_memory_type(const struct b_ctx *c, uint32_t bits, VkMemoryPropertyFlags want)
{
   for (uint32_t i = 0; i < c->mem_props.memoryTypeCount; i++) {
      if ((bits & (1u << i)) && (c->mem_props.memoryTypes[i].propertyFlags & want) == want)
         return i;
   }
   return UINT32_MAX;
}

void
b_buffer_create(const struct b_ctx *c, struct b_buffer *b, VkDeviceSize size,
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
   B_CHECK(vkCreateBuffer(c->device, &bci, NULL, &b->buffer));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(c->device, b->buffer, &req);
   uint32_t type = UINT32_MAX;
   for (size_t i = 0; i < nprefs && type == UINT32_MAX; i++)
      type = b_memory_type(c, req.memoryTypeBits, prefs[i]);
   if (type == UINT32_MAX)
      b_fail("no suitable memory type for a %llu-byte buffer", (unsigned long long)size);
   VkMemoryAllocateInfo mai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req.size,
      .memoryTypeIndex = type,
   };
   B_CHECK(vkAllocateMemory(c->device, &mai, NULL, &b->memory));
   B_CHECK(vkBindBufferMemory(c->device, b->buffer, b->memory, 0));
   VkMemoryPropertyFlags f = c->mem_props.memoryTypes[type].propertyFlags;
   b->coherent = f & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   if (f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
      B_CHECK(vkMapMemory(c->device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->map));
}

void
b_buffer_destroy(const struct b_ctx *c, struct b_buffer *b)
{
   if (b->map)
      vkUnmapMemory(c->device, b->memory);
   vkDestroyBuffer(c->device, b->buffer, NULL);
   vkFreeMemory(c->device, b->memory, NULL);
   memset(b, 0, sizeof(*b));
}

VkShaderModule
b_shader(const struct b_ctx *c, const uint32_t *code, size_t size)
{
   VkShaderModuleCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = size,
      .pCode = code,
   };
   VkShaderModule m;
   B_CHECK(vkCreateShaderModule(c->device, &ci, NULL, &m));
   return m;
}

void
b_kernel_init(const struct b_ctx *c, struct b_kernel *k, const uint32_t *code, size_t size,
              uint32_t push, const VkBuffer *bufs, uint32_t nbuf)
{
   memset(k, 0, sizeof(*k));
   k->module = b_shader(c, code, size);
   VkDescriptorSetLayoutBinding bindings[4];
   if (nbuf > B_ARRAY_SIZE(bindings))
      b_fail("too many buffers for a kernel");
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
   B_CHECK(vkCreateDescriptorSetLayout(c->device, &dslci, NULL, &k->set_layout));
   VkPushConstantRange pr = {VK_SHADER_STAGE_COMPUTE_BIT, 0, push};
   VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &k->set_layout,
      .pushConstantRangeCount = push ? 1 : 0,
      .pPushConstantRanges = &pr,
   };
   B_CHECK(vkCreatePipelineLayout(c->device, &plci, NULL, &k->layout));
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
   B_CHECK(vkCreateComputePipelines(c->device, VK_NULL_HANDLE, 1, &cpci, NULL, &k->pipeline));
   if (!nbuf)
      return;
   VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, nbuf};
   VkDescriptorPoolCreateInfo dpci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = 1,
      .poolSizeCount = 1,
      .pPoolSizes = &ps,
   };
   B_CHECK(vkCreateDescriptorPool(c->device, &dpci, NULL, &k->dpool));
   VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = k->dpool,
      .descriptorSetCount = 1,
      .pSetLayouts = &k->set_layout,
   };
   B_CHECK(vkAllocateDescriptorSets(c->device, &ai, &k->set));
   VkDescriptorBufferInfo infos[4];
   VkWriteDescriptorSet writes[4];
   for (uint32_t i = 0; i < nbuf; i++) {
      infos[i] = (VkDescriptorBufferInfo){bufs[i], 0, VK_WHOLE_SIZE};
      writes[i] = (VkWriteDescriptorSet){
         .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
         .dstSet = k->set,
         .dstBinding = i,
         .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
         .pBufferInfo = &infos[i],
      };
   }
   vkUpdateDescriptorSets(c->device, nbuf, writes, 0, NULL);
}

void
b_kernel_fini(const struct b_ctx *c, struct b_kernel *k)
{
   if (k->dpool)
      vkDestroyDescriptorPool(c->device, k->dpool, NULL);
   vkDestroyPipeline(c->device, k->pipeline, NULL);
   vkDestroyPipelineLayout(c->device, k->layout, NULL);
   vkDestroyDescriptorSetLayout(c->device, k->set_layout, NULL);
   vkDestroyShaderModule(c->device, k->module, NULL);
   memset(k, 0, sizeof(*k));
}

VkCommandBuffer
b_cmd_begin(const struct b_ctx *c)
{
   VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = c->pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = 1,
   };
   VkCommandBuffer cmd;
   B_CHECK(vkAllocateCommandBuffers(c->device, &ai, &cmd));
   VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
   };
   B_CHECK(vkBeginCommandBuffer(cmd, &bi));
   return cmd;
}

uint64_t
b_cmd_submit_wait(const struct b_ctx *c, VkCommandBuffer cmd)
{
   B_CHECK(vkEndCommandBuffer(cmd));
   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   B_CHECK(vkCreateFence(c->device, &fci, NULL, &fence));
   VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   uint64_t t0 = b_now_ns();
   B_CHECK(vkQueueSubmit(c->queue, 1, &si, fence));
   B_CHECK(vkWaitForFences(c->device, 1, &fence, VK_TRUE, UINT64_MAX));
   uint64_t t = b_now_ns() - t0;
   vkDestroyFence(c->device, fence, NULL);
   vkFreeCommandBuffers(c->device, c->pool, 1, &cmd);
   return t;
}

uint64_t
b_now_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
b_cmp_double(const void *a, const void *b)
{
   double x = *(const double *)a, y = *(const double *)b;
   return x < y ? -1 : x > y;
}

double
b_percentile(double *v, size_t n, double p)
{
   if (!n)
      return 0;
   qsort(v, n, sizeof(*v), b_cmp_double);
   double pos = p / 100.0 * (double)(n - 1);
   size_t lo = (size_t)pos;
   if (lo + 1 >= n)
      return v[n - 1];
   return v[lo] + (v[lo + 1] - v[lo]) * (pos - (double)lo);
}

double
b_median(double *v, size_t n)
{
   return b_percentile(v, n, 50);
}

void
b_stream_init(const struct b_ctx *c, struct b_stream *s, uint32_t depth)
{
   memset(s, 0, sizeof(*s));
   if (depth < 1 || depth > B_ARRAY_SIZE(s->cmds))
      b_fail("stream depth must be 1..%zu", B_ARRAY_SIZE(s->cmds));
   s->depth = depth;
   b_kernel_init(c, &s->k, pv_stream_comp_spv, sizeof(pv_stream_comp_spv), 16, NULL, 0);
   VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = c->pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = depth,
   };
   B_CHECK(vkAllocateCommandBuffers(c->device, &ai, s->cmds));
   VkFenceCreateInfo fci = {
      .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
      .flags = VK_FENCE_CREATE_SIGNALED_BIT,
   };
   for (uint32_t i = 0; i < depth; i++)
      B_CHECK(vkCreateFence(c->device, &fci, NULL, &s->fences[i]));
}

double
b_stream_run(const struct b_ctx *c, struct b_stream *s, uint32_t groups, double seconds,
             uint64_t *cmds_out)
{
   const VkViewport vp = {0, 0, 64, 64, 0, 1};
   const VkRect2D sc = {{0, 0}, {64, 64}};
   uint64_t cmds = 0, t0 = b_now_ns(), deadline = t0 + (uint64_t)(seconds * 1e9), t = t0;
   uint32_t i = 0, submits = 0;
   /* At least 2 * depth submissions, so even a tiny --seconds exercises reuse. */
   while (t < deadline || submits < 2 * s->depth) {
      VkCommandBuffer cmd = s->cmds[i];
      B_CHECK(vkWaitForFences(c->device, 1, &s->fences[i], VK_TRUE, UINT64_MAX));
      B_CHECK(vkResetFences(c->device, 1, &s->fences[i]));
      B_CHECK(vkResetCommandBuffer(cmd, 0));
      VkCommandBufferBeginInfo bi = {
         .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
         .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
      };
      B_CHECK(vkBeginCommandBuffer(cmd, &bi));
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, s->k.pipeline);
      for (uint32_t g = 0; g < groups; g++) {
         const uint32_t push[4] = {g, submits, i, 0x5eed};
         vkCmdSetViewport(cmd, 0, 1, &vp);
         vkCmdSetScissor(cmd, 0, 1, &sc);
         vkCmdPushConstants(cmd, s->k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
         vkCmdDispatch(cmd, 1, 1, 1);
      }
      B_CHECK(vkEndCommandBuffer(cmd));
      VkSubmitInfo si = {
         .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
         .commandBufferCount = 1,
         .pCommandBuffers = &cmd,
      };
      B_CHECK(vkQueueSubmit(c->queue, 1, &si, s->fences[i]));
      cmds += 4ull * groups + 1;
      submits++;
      i = (i + 1) % s->depth;
      t = b_now_ns();
   }
   B_CHECK(vkWaitForFences(c->device, s->depth, s->fences, VK_TRUE, UINT64_MAX));
   t = b_now_ns();
   if (cmds_out)
      *cmds_out = cmds;
   return (double)cmds / ((double)(t - t0) / 1e9);
}

void
b_stream_fini(const struct b_ctx *c, struct b_stream *s)
{
   B_CHECK(vkWaitForFences(c->device, s->depth, s->fences, VK_TRUE, UINT64_MAX));
   for (uint32_t i = 0; i < s->depth; i++)
      vkDestroyFence(c->device, s->fences[i], NULL);
   vkFreeCommandBuffers(c->device, c->pool, s->depth, s->cmds);
   b_kernel_fini(c, &s->k);
}
