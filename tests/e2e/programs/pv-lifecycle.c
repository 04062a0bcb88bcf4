/* SPDX-License-Identifier: MIT */
/*
 * pv-lifecycle: creates one (or a few) of many object kinds, uses them in one submission, and
 * exits WITHOUT destroying anything: memory (left mapped), buffer, buffer view, image, image
 * view, sampler, descriptor set layout / pool / sets, pipeline layout, pipeline cache, shader
 * modules, compute and graphics pipelines, render pass, framebuffer, command pool and buffers
 * (one left in the recording state), fences, binary and timeline semaphores, events, query
 * pools. The last batch (a fill) is submitted and not waited for. A server must clean all of
 * it up when the guest goes away.
 *
 * usage: pv-lifecycle [--clean]   --clean: wait and destroy everything properly instead
 */
#include "pv_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute_comp_spv.h"
#include "textured_frag_spv.h"
#include "textured_vert_spv.h"

#define DIM 16u

static struct pv_ctx c;
static unsigned created;

#define CREATE(call)                                                                               \
   do {                                                                                            \
      PV_CHECK(call);                                                                              \
      created++;                                                                                   \
   } while (0)

static VkPipeline
make_graphics_pipeline(VkRenderPass rp, VkPipelineLayout layout, VkPipelineCache cache,
                       VkShaderModule vs, VkShaderModule fs)
{
   const VkPipelineShaderStageCreateInfo stages[2] = {
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_VERTEX_BIT, vs,
       "main", NULL},
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_FRAGMENT_BIT,
       fs, "main", NULL},
   };
   const VkVertexInputBindingDescription binding = {0, 32, VK_VERTEX_INPUT_RATE_VERTEX};
   const VkVertexInputAttributeDescription attrs[3] = {
      {0, 0, VK_FORMAT_R32G32B32_SFLOAT, 0},
      {1, 0, VK_FORMAT_R32G32_SFLOAT, 12},
      {2, 0, VK_FORMAT_R32G32B32_SFLOAT, 20},
   };
   const VkPipelineVertexInputStateCreateInfo vi = {
      VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO, NULL, 0, 1, &binding, 3, attrs};
   const VkPipelineInputAssemblyStateCreateInfo ia = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
      .topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
   };
   const VkPipelineViewportStateCreateInfo vp = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
      .viewportCount = 1,
      .scissorCount = 1,
   };
   const VkDynamicState dyn_states[2] = {VK_DYNAMIC_STATE_VIEWPORT, VK_DYNAMIC_STATE_SCISSOR};
   const VkPipelineDynamicStateCreateInfo dyn = {
      VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO, NULL, 0, 2, dyn_states};
   const VkPipelineRasterizationStateCreateInfo rs = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
      .lineWidth = 1.0f,
   };
   const VkPipelineMultisampleStateCreateInfo ms = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
      .rasterizationSamples = VK_SAMPLE_COUNT_1_BIT,
   };
   const VkPipelineColorBlendAttachmentState att = {.colorWriteMask = 0xf};
   const VkPipelineColorBlendStateCreateInfo cb = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &att,
   };
   const VkGraphicsPipelineCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
      .stageCount = 2,
      .pStages = stages,
      .pVertexInputState = &vi,
      .pInputAssemblyState = &ia,
      .pViewportState = &vp,
      .pRasterizationState = &rs,
      .pMultisampleState = &ms,
      .pColorBlendState = &cb,
      .pDynamicState = &dyn,
      .layout = layout,
      .renderPass = rp,
   };
   VkPipeline p;
   CREATE(vkCreateGraphicsPipelines(c.device, cache, 1, &ci, NULL, &p));
   return p;
}

int
main(int argc, char **argv)
{
   const bool clean = argc > 1 && !strcmp(argv[1], "--clean");
   if (argc > 2 || (argc == 2 && !clean)) {
      fprintf(stderr, "usage: pv-lifecycle [--clean]\n");
      return 2;
   }
   VkPhysicalDeviceTimelineSemaphoreFeatures timeline = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES,
      .timelineSemaphore = VK_TRUE,
   };
   const struct pv_init_options opts = {.device_pnext = &timeline,
                                        .min_api_version = VK_API_VERSION_1_2};
   pv_init(&c, "pv-lifecycle", &opts);
   VkDevice dev = c.device;

   /* Memory, buffer, buffer view: the buffer is a storage buffer and a uniform texel buffer. */
   struct pv_buffer buf;
   pv_buffer_create(&c, &buf, 65536,
                    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
                       VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   created += 2;
   memset(buf.map, 0, 65536);
   const VkBufferViewCreateInfo bvci = {VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO,
                                        NULL,
                                        0,
                                        buf.buffer,
                                        VK_FORMAT_R32_UINT,
                                        0,
                                        VK_WHOLE_SIZE};
   VkBufferView bview;
   CREATE(vkCreateBufferView(dev, &bvci, NULL, &bview));

   /* Image, image view, sampler. */
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .extent = {DIM, DIM, 1},
      .mipLevels = 1,
      .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
               VK_IMAGE_USAGE_TRANSFER_DST_BIT,
   };
   VkDeviceMemory image_mem;
   VkImage image = pv_image_create(&c, &ici, &image_mem);
   created += 2;
   const VkImageViewCreateInfo ivci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
      .image = image,
      .viewType = VK_IMAGE_VIEW_TYPE_2D,
      .format = ici.format,
      .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1},
   };
   VkImageView iview;
   CREATE(vkCreateImageView(dev, &ivci, NULL, &iview));
   const VkSamplerCreateInfo sci = {.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO};
   VkSampler sampler;
   CREATE(vkCreateSampler(dev, &sci, NULL, &sampler));

   /* Descriptors: set 0 = combined image sampler (the graphics pipeline's), plus a set with a
    * texel buffer. The compute kernel's own layout, pipeline and pool come from pv_compute. */
   const VkDescriptorSetLayoutBinding b_img = {0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1,
                                               VK_SHADER_STAGE_FRAGMENT_BIT, NULL};
   const VkDescriptorSetLayoutBinding b_texel = {0, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 1,
                                                 VK_SHADER_STAGE_ALL, NULL};
   VkDescriptorSetLayout dsl[2];
   const VkDescriptorSetLayoutCreateInfo dslci[2] = {
      {VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO, NULL, 0, 1, &b_img},
      {VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO, NULL, 0, 1, &b_texel},
   };
   for (int i = 0; i < 2; i++)
      CREATE(vkCreateDescriptorSetLayout(dev, &dslci[i], NULL, &dsl[i]));
   const VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4},
                                          {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, 4}};
   const VkDescriptorPoolCreateInfo dpci = {VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                            NULL,
                                            VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT,
                                            8,
                                            2,
                                            sizes};
   VkDescriptorPool dpool;
   CREATE(vkCreateDescriptorPool(dev, &dpci, NULL, &dpool));
   const VkDescriptorSetAllocateInfo dsai = {VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, NULL,
                                             dpool, 2, dsl};
   VkDescriptorSet sets[2];
   CREATE(vkAllocateDescriptorSets(dev, &dsai, sets));
   const VkDescriptorImageInfo dii = {sampler, iview, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
   const VkWriteDescriptorSet writes[2] = {
      {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, sets[0], 0, 0, 1,
       VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, &dii, NULL, NULL},
      {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, NULL, sets[1], 0, 0, 1,
       VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, NULL, NULL, &bview},
   };
   vkUpdateDescriptorSets(dev, 2, writes, 0, NULL);

   /* Pipelines: layout, cache, shader modules, compute, render pass, framebuffer, graphics. */
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &dsl[0],
   };
   VkPipelineLayout gfx_layout;
   CREATE(vkCreatePipelineLayout(dev, &plci, NULL, &gfx_layout));
   const VkPipelineCacheCreateInfo pcci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
   VkPipelineCache cache;
   CREATE(vkCreatePipelineCache(dev, &pcci, NULL, &cache));
   struct pv_compute k;
   pv_compute_init(&c, &k, pv_compute_comp_spv, sizeof(pv_compute_comp_spv), 2);
   created += 5;
   VkDescriptorSet kset = pv_compute_set(&c, &k, buf.buffer, 0, buf.buffer, 32768, 32768);
   created++;
   VkShaderModule vs = pv_shader_module(&c, pv_textured_vert_spv, sizeof(pv_textured_vert_spv));
   VkShaderModule fs = pv_shader_module(&c, pv_textured_frag_spv, sizeof(pv_textured_frag_spv));
   created += 2;
   const VkAttachmentDescription att = {0,
                                        ici.format,
                                        VK_SAMPLE_COUNT_1_BIT,
                                        VK_ATTACHMENT_LOAD_OP_CLEAR,
                                        VK_ATTACHMENT_STORE_OP_STORE,
                                        VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                        VK_ATTACHMENT_STORE_OP_DONT_CARE,
                                        VK_IMAGE_LAYOUT_UNDEFINED,
                                        VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
   const VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   const VkSubpassDescription sub = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
                                     .colorAttachmentCount = 1,
                                     .pColorAttachments = &ref};
   const VkRenderPassCreateInfo rpci = {
      VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO, NULL, 0, 1, &att, 1, &sub, 0, NULL};
   VkRenderPass rp;
   CREATE(vkCreateRenderPass(dev, &rpci, NULL, &rp));
   const VkFramebufferCreateInfo fbci = {
      VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO, NULL, 0, rp, 1, &iview, DIM, DIM, 1};
   VkFramebuffer fb;
   CREATE(vkCreateFramebuffer(dev, &fbci, NULL, &fb));
   VkPipeline gfx = make_graphics_pipeline(rp, gfx_layout, cache, vs, fs);

   /* Sync objects and query pools. */
   VkFence fence;
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   CREATE(vkCreateFence(dev, &fci, NULL, &fence));
   const VkSemaphoreTypeCreateInfo stci = {VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO, NULL,
                                           VK_SEMAPHORE_TYPE_TIMELINE, 5};
   const VkSemaphoreCreateInfo semci[2] = {{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, NULL, 0},
                                           {VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &stci, 0}};
   VkSemaphore sems[2];
   for (int i = 0; i < 2; i++)
      CREATE(vkCreateSemaphore(dev, &semci[i], NULL, &sems[i]));
   const VkEventCreateInfo eci = {.sType = VK_STRUCTURE_TYPE_EVENT_CREATE_INFO};
   VkEvent event;
   CREATE(vkCreateEvent(dev, &eci, NULL, &event));
   const VkQueryPoolCreateInfo qpci = {
      VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO, NULL, 0, VK_QUERY_TYPE_OCCLUSION, 4, 0};
   VkQueryPool qpool;
   CREATE(vkCreateQueryPool(dev, &qpci, NULL, &qpool));

   /* Command pool, a primary buffer used once, a secondary, a primary left recording. */
   const VkCommandPoolCreateInfo cpci = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, NULL, 0,
                                         c.queue_family};
   VkCommandPool pool;
   CREATE(vkCreateCommandPool(dev, &cpci, NULL, &pool));
   VkCommandBuffer cmds[3];
   const VkCommandBufferAllocateInfo cbai[2] = {
      {VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, NULL, pool, VK_COMMAND_BUFFER_LEVEL_PRIMARY,
       2},
      {VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, NULL, pool,
       VK_COMMAND_BUFFER_LEVEL_SECONDARY, 1},
   };
   CREATE(vkAllocateCommandBuffers(dev, &cbai[0], cmds));
   CREATE(vkAllocateCommandBuffers(dev, &cbai[1], &cmds[2]));
   const VkCommandBufferBeginInfo cbbi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   VkCommandBuffer cmd = cmds[0];
   PV_CHECK(vkBeginCommandBuffer(cmd, &cbbi));
   vkCmdResetQueryPool(cmd, qpool, 0, 4);
   const VkClearValue clear = {.color = {.float32 = {0, 0, 0, 1}}};
   const VkRenderPassBeginInfo rpbi = {
      VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO, NULL, rp, fb, {{0, 0}, {DIM, DIM}}, 1, &clear};
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
   vkCmdBeginQuery(cmd, qpool, 0, 0);
   vkCmdEndQuery(cmd, qpool, 0);
   vkCmdEndRenderPass(cmd);
   pv_compute_dispatch(cmd, &k, kset, 8192, 3, 0);
   vkCmdSetEvent(cmd, event, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   PV_CHECK(vkEndCommandBuffer(cmd));
   const uint64_t values[2] = {0, 6};
   const VkTimelineSemaphoreSubmitInfo tsi = {
      .sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
      .signalSemaphoreValueCount = 2,
      .pSignalSemaphoreValues = values,
   };
   const VkSubmitInfo si = {VK_STRUCTURE_TYPE_SUBMIT_INFO, &tsi, 0, NULL, NULL, 1, &cmd, 2, sems};
   PV_CHECK(vkQueueSubmit(c.queue, 1, &si, fence));
   PV_CHECK(vkWaitForFences(dev, 1, &fence, VK_TRUE, UINT64_MAX));
   PV_EXPECT(vkGetEventStatus(dev, event), VK_EVENT_SET);
   uint64_t samples = ~0ull;
   PV_CHECK(vkGetQueryPoolResults(dev, qpool, 0, 1, sizeof(samples), &samples, sizeof(samples),
                                  VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
   if (samples != 0)
      pv_fail("an empty occlusion query counted %llu samples", (unsigned long long)samples);
   uint64_t tl = 0;
   PV_CHECK(vkGetSemaphoreCounterValue(dev, sems[1], &tl));
   if (tl != 6)
      pv_fail("timeline semaphore is %llu, expected 6", (unsigned long long)tl);
   const uint32_t *words = buf.map;
   if (words[8192 + 100] != 100)
      pv_fail("compute result %u, expected 100", words[8192 + 100]);

   /* The second primary is left in the recording state; the secondary was never begun. */
   PV_CHECK(vkBeginCommandBuffer(cmds[1], &cbbi));
   vkCmdFillBuffer(cmds[1], buf.buffer, 0, 256, 1);

   if (!clean) {
      /* One more batch, never waited for, then exit with everything alive. */
      VkCommandBuffer last = pv_cmd_begin(&c);
      vkCmdFillBuffer(last, buf.buffer, 0, 65536, 0xabababab);
      PV_CHECK(vkEndCommandBuffer(last));
      const VkSubmitInfo si2 = {
         .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &last};
      PV_CHECK(vkQueueSubmit(c.queue, 1, &si2, VK_NULL_HANDLE));
      pv_pass(&c, "%u objects created and used, exiting without destroying them", created);
      return 0;
   }

   PV_CHECK(vkEndCommandBuffer(cmds[1]));
   PV_CHECK(vkDeviceWaitIdle(dev));
   vkFreeCommandBuffers(dev, pool, 3, cmds);
   vkDestroyCommandPool(dev, pool, NULL);
   vkDestroyQueryPool(dev, qpool, NULL);
   vkDestroyEvent(dev, event, NULL);
   for (int i = 0; i < 2; i++)
      vkDestroySemaphore(dev, sems[i], NULL);
   vkDestroyFence(dev, fence, NULL);
   vkDestroyPipeline(dev, gfx, NULL);
   vkDestroyFramebuffer(dev, fb, NULL);
   vkDestroyRenderPass(dev, rp, NULL);
   vkDestroyShaderModule(dev, vs, NULL);
   vkDestroyShaderModule(dev, fs, NULL);
   pv_compute_fini(&c, &k);
   vkDestroyPipelineCache(dev, cache, NULL);
   vkDestroyPipelineLayout(dev, gfx_layout, NULL);
   PV_CHECK(vkFreeDescriptorSets(dev, dpool, 2, sets));
   vkDestroyDescriptorPool(dev, dpool, NULL);
   for (int i = 0; i < 2; i++)
      vkDestroyDescriptorSetLayout(dev, dsl[i], NULL);
   vkDestroySampler(dev, sampler, NULL);
   vkDestroyImageView(dev, iview, NULL);
   vkDestroyImage(dev, image, NULL);
   vkFreeMemory(dev, image_mem, NULL);
   vkDestroyBufferView(dev, bview, NULL);
   pv_buffer_destroy(&c, &buf);
   pv_fini(&c);
   pv_pass(&c, "%u objects created, used and destroyed", created);
   return 0;
}
