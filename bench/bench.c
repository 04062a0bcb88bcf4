/* SPDX-License-Identifier: MIT */
/* Benchmark-only helpers for the benchmark programs (see bench.h). */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream_comp_spv.h"

void
b_start(const char *program)
{
   pv_set_program(program);
}

void
b_result(const char *metric, double value, const char *unit)
{
   printf("RESULT name=%s metric=%s value=%.6g unit=%s\n", pv_program_name(), metric, value, unit);
   fflush(stdout);
}

void
b_pass(void)
{
   printf("%s: PASS\n", pv_program_name());
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
         pv_fail("unknown option %s", argv[i]);
      if (o->flag) {
         *o->flag = true;
      } else {
         if (i + 1 >= argc)
            pv_fail("option %s needs a value", argv[i]);
         char *end;
         *o->value = strtod(argv[++i], &end);
         if (*end)
            pv_fail("option --%s: '%s' is not a number", o->name, argv[i]);
      }
   }
}

void
b_init(struct pv_ctx *c)
{
   b_init_with(c, NULL);
}

void
b_init_with(struct pv_ctx *c, const char *optional_extension)
{
   b_init_full(c, optional_extension, NULL);
}

void
b_init_full(struct pv_ctx *c, const char *optional_extension, const void *device_pnext)
{
   const struct pv_init_options opts = {
      .device_pnext = device_pnext,
      .instance_api_version = VK_API_VERSION_1_1,
      .no_validation = true,
      .optional_extension = optional_extension,
   };
   pv_init(c, pv_program_name(), &opts);
}

void
b_info(const VkPhysicalDeviceProperties *props)
{
   printf("INFO program=%s device=\"%s\" api=%u.%u.%u driver=0x%x\n", pv_program_name(),
          props->deviceName, VK_API_VERSION_MAJOR(props->apiVersion),
          VK_API_VERSION_MINOR(props->apiVersion), VK_API_VERSION_PATCH(props->apiVersion),
          props->driverVersion);
   fflush(stdout);
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
b_stream_init(const struct pv_ctx *c, struct b_stream *s, uint32_t depth)
{
   b_stream_init_pools(c, s, depth, false);
}

void
b_stream_init_pools(const struct pv_ctx *c, struct b_stream *s, uint32_t depth, bool pool_reset)
{
   memset(s, 0, sizeof(*s));
   if (depth < 1 || depth > PV_ARRAY_SIZE(s->cmds))
      pv_fail("stream depth must be 1..%zu", PV_ARRAY_SIZE(s->cmds));
   s->depth = depth;
   /* An empty kernel with 16 bytes of push constants and no buffers. */
   pv_compute_init_layout(c, &s->k, pv_stream_comp_spv, sizeof(pv_stream_comp_spv), 0, 16, 0);
   VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = c->pool,
      .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
      .commandBufferCount = depth,
   };
   s->pool_reset = pool_reset;
   if (!pool_reset) {
      PV_CHECK(vkAllocateCommandBuffers(c->device, &ai, s->cmds));
   } else {
      /* resettable one by one too: b_stream_record re-begins cmds[0] */
      const VkCommandPoolCreateInfo pci = {
         .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
         .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
         .queueFamilyIndex = c->queue_family,
      };
      ai.commandBufferCount = 1;
      for (uint32_t i = 0; i < depth; i++) {
         PV_CHECK(vkCreateCommandPool(c->device, &pci, NULL, &s->pools[i]));
         ai.commandPool = s->pools[i];
         PV_CHECK(vkAllocateCommandBuffers(c->device, &ai, &s->cmds[i]));
      }
   }
   VkFenceCreateInfo fci = {
      .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO,
      .flags = VK_FENCE_CREATE_SIGNALED_BIT,
   };
   for (uint32_t i = 0; i < depth; i++)
      PV_CHECK(vkCreateFence(c->device, &fci, NULL, &s->fences[i]));
}

#define B_CHURN_SIZE 65536u

static const VkBufferCreateInfo b_churn_buffer_info = {
   .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
   .size = B_CHURN_SIZE,
   .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
};

/* A set layout of one storage buffer, a pipeline layout of it, and a pool per command buffer. */
static void
churn_descriptors(const struct pv_ctx *c, struct b_stream *s)
{
   const VkDescriptorSetLayoutBinding b = {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
                                           VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   const VkDescriptorSetLayoutCreateInfo li = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 1,
      .pBindings = &b,
   };
   PV_CHECK(vkCreateDescriptorSetLayout(c->device, &li, NULL, &s->churn_set_layout));
   const VkPipelineLayoutCreateInfo pli = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &s->churn_set_layout,
   };
   PV_CHECK(vkCreatePipelineLayout(c->device, &pli, NULL, &s->churn_layout));
   const VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1};
   const VkDescriptorPoolCreateInfo pi = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = 1,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
   };
   for (uint32_t i = 0; i < s->depth; i++)
      PV_CHECK(vkCreateDescriptorPool(c->device, &pi, NULL, &s->churn_pools[i]));
}

void
b_stream_churn(const struct pv_ctx *c, struct b_stream *s)
{
   s->churn = true;
   VkBuffer probe;
   PV_CHECK(vkCreateBuffer(c->device, &b_churn_buffer_info, NULL, &probe));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(c->device, probe, &req);
   vkDestroyBuffer(c->device, probe, NULL);
   uint32_t type = pv_find_memory_type(c, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
   if (type == UINT32_MAX)
      type = pv_find_memory_type(c, req.memoryTypeBits, 0);
   const VkMemoryAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
      .allocationSize = req.size,
      .memoryTypeIndex = type,
   };
   for (uint32_t i = 0; i < s->depth; i++)
      PV_CHECK(vkAllocateMemory(c->device, &ai, NULL, &s->churn_memory[i]));
   s->churn_alloc = ai;
   churn_descriptors(c, s);
}

void
b_stream_churn_memory(const struct pv_ctx *c, struct b_stream *s)
{
   uint32_t n = 0;
   vkGetPhysicalDeviceQueueFamilyProperties(c->phys, &n, NULL);
   VkQueueFamilyProperties families[16];
   n = n < 16 ? n : 16;
   vkGetPhysicalDeviceQueueFamilyProperties(c->phys, &n, families);
   if (c->queue_family >= n || families[c->queue_family].timestampValidBits == 0)
      pv_fail("--churn-memory: the queue has no timestamps");
   b_stream_churn(c, s);
   s->churn_memory_each = true;
}

static const VkQueryPoolCreateInfo b_churn_query_info = {
   .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
   .queryType = VK_QUERY_TYPE_TIMESTAMP,
   .queryCount = 1,
};

/* With churn_memory_each: slot i's memory and query pool go and new ones come. */
static void
churn_memory_frame(const struct pv_ctx *c, struct b_stream *s, uint32_t i)
{
   vkFreeMemory(c->device, s->churn_memory[i], NULL);
   PV_CHECK(vkAllocateMemory(c->device, &s->churn_alloc, NULL, &s->churn_memory[i]));
   if (s->churn_queries[i])
      vkDestroyQueryPool(c->device, s->churn_queries[i], NULL);
   PV_CHECK(vkCreateQueryPool(c->device, &b_churn_query_info, NULL, &s->churn_queries[i]));
}

/* Slot i's fence was waited: the buffer its last use filled goes, a new one comes, and its
 * pool is reset for a set that names the new one. */
static VkDescriptorSet
churn_frame(const struct pv_ctx *c, struct b_stream *s, uint32_t i)
{
   if (s->churn_buffers[i])
      vkDestroyBuffer(c->device, s->churn_buffers[i], NULL);
   if (s->churn_memory_each)
      churn_memory_frame(c, s, i);
   PV_CHECK(vkCreateBuffer(c->device, &b_churn_buffer_info, NULL, &s->churn_buffers[i]));
   PV_CHECK(vkBindBufferMemory(c->device, s->churn_buffers[i], s->churn_memory[i], 0));
   PV_CHECK(vkResetDescriptorPool(c->device, s->churn_pools[i], 0));
   const VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = s->churn_pools[i],
      .descriptorSetCount = 1,
      .pSetLayouts = &s->churn_set_layout,
   };
   VkDescriptorSet set;
   PV_CHECK(vkAllocateDescriptorSets(c->device, &ai, &set));
   const VkDescriptorBufferInfo bi = {s->churn_buffers[i], 0, VK_WHOLE_SIZE};
   const VkWriteDescriptorSet w = {
      .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
      .dstSet = set,
      .descriptorCount = 1,
      .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      .pBufferInfo = &bi,
   };
   vkUpdateDescriptorSets(c->device, 1, &w, 0, NULL);
   return set;
}

/* One command buffer of the stream workload: with `set` (the churn), a fill of its buffer and
 * a bind of it; a bind, then groups x 4 commands. */
static void
record_groups(const struct b_stream *s, VkCommandBuffer cmd, uint32_t groups, uint32_t tag,
              uint32_t slot, VkDescriptorSet set)
{
   const VkViewport vp = {0, 0, 64, 64, 0, 1};
   const VkRect2D sc = {{0, 0}, {64, 64}};
   VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
   };
   PV_CHECK(vkResetCommandBuffer(cmd, 0));
   PV_CHECK(vkBeginCommandBuffer(cmd, &bi));
   if (set) {
      vkCmdFillBuffer(cmd, s->churn_buffers[slot], 0, B_CHURN_SIZE, tag);
      vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, s->churn_layout, 0, 1, &set, 0,
                              NULL);
   }
   if (set && s->churn_memory_each) {
      vkCmdResetQueryPool(cmd, s->churn_queries[slot], 0, 1);
      vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, s->churn_queries[slot], 0);
   }
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, s->k.pipeline);
   for (uint32_t g = 0; g < groups; g++) {
      const uint32_t push[4] = {g, tag, 0, 0x5eed};
      vkCmdSetViewport(cmd, 0, 1, &vp);
      vkCmdSetScissor(cmd, 0, 1, &sc);
      vkCmdPushConstants(cmd, s->k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
      vkCmdDispatch(cmd, 1, 1, 1);
   }
   PV_CHECK(vkEndCommandBuffer(cmd));
}

double
b_stream_run(const struct pv_ctx *c, struct b_stream *s, uint32_t groups, double seconds,
             uint64_t *cmds_out)
{
   uint64_t cmds = 0, t0 = pv_now_ns(), deadline = t0 + (uint64_t)(seconds * 1e9), t = t0;
   uint32_t i = 0, submits = 0;
   /* At least 2 * depth submissions, so even a tiny --seconds exercises reuse. */
   while (t < deadline || submits < 2 * s->depth) {
      VkCommandBuffer cmd = s->cmds[i];
      PV_CHECK(vkWaitForFences(c->device, 1, &s->fences[i], VK_TRUE, UINT64_MAX));
      PV_CHECK(vkResetFences(c->device, 1, &s->fences[i]));
      if (s->pool_reset)
         PV_CHECK(vkResetCommandPool(c->device, s->pools[i], 0));
      VkDescriptorSet set = s->churn ? churn_frame(c, s, i) : VK_NULL_HANDLE;
      record_groups(s, cmd, groups, submits, i, set);
      VkSubmitInfo si = {
         .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
         .commandBufferCount = 1,
         .pCommandBuffers = &cmd,
      };
      PV_CHECK(vkQueueSubmit(c->queue, 1, &si, s->fences[i]));
      cmds += 4ull * groups + 1 + (set ? 2 : 0) + (set && s->churn_memory_each ? 2 : 0);
      submits++;
      i = (i + 1) % s->depth;
      t = pv_now_ns();
   }
   PV_CHECK(vkWaitForFences(c->device, s->depth, s->fences, VK_TRUE, UINT64_MAX));
   t = pv_now_ns();
   if (cmds_out)
      *cmds_out = cmds;
   return (double)cmds / ((double)(t - t0) / 1e9);
}

double
b_stream_record(const struct pv_ctx *c, struct b_stream *s, uint32_t groups, double seconds)
{
   PV_CHECK(vkWaitForFences(c->device, s->depth, s->fences, VK_TRUE, UINT64_MAX));
   uint64_t cmds = 0, t0 = pv_now_ns(), deadline = t0 + (uint64_t)(seconds * 1e9), t = t0;
   for (uint32_t n = 0; t < deadline || n < 2; n++) {
      record_groups(s, s->cmds[0], groups, n, 0, VK_NULL_HANDLE);
      cmds += 4ull * groups + 1;
      t = pv_now_ns();
   }
   /* Through a Venus driver, recording only queues the commands for the renderer; the queue is
    * idle only once the renderer has decoded and recorded everything sent before. */
   PV_CHECK(vkQueueWaitIdle(c->queue));
   t = pv_now_ns();
   return (double)cmds / ((double)(t - t0) / 1e9);
}

void
b_stream_fini(const struct pv_ctx *c, struct b_stream *s)
{
   PV_CHECK(vkWaitForFences(c->device, s->depth, s->fences, VK_TRUE, UINT64_MAX));
   for (uint32_t i = 0; i < s->depth; i++)
      vkDestroyFence(c->device, s->fences[i], NULL);
   for (uint32_t i = 0; s->churn && i < s->depth; i++) {
      vkDestroyDescriptorPool(c->device, s->churn_pools[i], NULL);
      vkDestroyBuffer(c->device, s->churn_buffers[i], NULL);
      vkFreeMemory(c->device, s->churn_memory[i], NULL);
      vkDestroyQueryPool(c->device, s->churn_queries[i], NULL);
   }
   if (s->churn) {
      vkDestroyPipelineLayout(c->device, s->churn_layout, NULL);
      vkDestroyDescriptorSetLayout(c->device, s->churn_set_layout, NULL);
   }
   if (!s->pool_reset)
      vkFreeCommandBuffers(c->device, c->pool, s->depth, s->cmds);
   for (uint32_t i = 0; s->pool_reset && i < s->depth; i++) {
      vkFreeCommandBuffers(c->device, s->pools[i], 1, &s->cmds[i]);
      vkDestroyCommandPool(c->device, s->pools[i], NULL);
   }
   pv_compute_fini(c, &s->k);
}
