/* SPDX-License-Identifier: MIT */
/* Objects the pv-hostile cases share (pv_hostile.h): unbound buffers, a query pool, compute
 * descriptor sets, and a small graphics set-up. */
#include "pv_hostile.h"

#include <string.h>

#include "compute_comp_spv.h"
#include "hostile_frag_spv.h"
#include "hostile_vert_spv.h"

#define FB PV_HOSTILE_FB

VkBuffer
pv_hostile_unbound_buffer(struct pv_hostile *h, VkDeviceSize size)
{
   const VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = size,
      .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
   };
   VkBuffer b;
   PV_CHECK(vkCreateBuffer(h->c.device, &bci, NULL, &b));
   return b;
}

VkQueryPool
pv_hostile_query_pool(struct pv_hostile *h)
{
   const VkQueryPoolCreateInfo qci = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = VK_QUERY_TYPE_TIMESTAMP,
      .queryCount = PV_HOSTILE_QUERIES,
   };
   VkQueryPool pool;
   PV_CHECK(vkCreateQueryPool(h->c.device, &qci, NULL, &pool));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdResetQueryPool(cmd, pool, 0, PV_HOSTILE_QUERIES);
   for (uint32_t i = 0; i < PV_HOSTILE_QUERIES; i++)
      vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool, i);
   pv_cmd_submit_wait(&h->c, cmd);
   return pool;
}

/* A storage-buffer set for compute.comp written with the two infos as given. */
VkDescriptorSet
pv_hostile_compute_set(struct pv_hostile *h, struct pv_compute *k, VkDescriptorBufferInfo src,
            VkDescriptorBufferInfo dst)
{
   const VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = k->pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &k->set_layout,
   };
   VkDescriptorSet set;
   PV_CHECK(vkAllocateDescriptorSets(h->c.device, &ai, &set));
   const VkDescriptorBufferInfo infos[2] = {src, dst};
   VkWriteDescriptorSet w[2];
   for (uint32_t i = 0; i < 2; i++) {
      w[i] = (VkWriteDescriptorSet){
         .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
         .dstSet = set,
         .dstBinding = i,
         .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
         .pBufferInfo = &infos[i],
      };
   }
   vkUpdateDescriptorSets(h->c.device, 2, w, 0, NULL);
   return set;
}

VkPipeline
pv_hostile_gfx_pipeline(struct pv_hostile *h, VkRenderPass rp, VkPrimitiveTopology topology,
                        VkSampleCountFlagBits samples)
{
   VkShaderModule vs = pv_shader_module(&h->c, pv_hostile_vert_spv, sizeof(pv_hostile_vert_spv));
   VkShaderModule fs = pv_shader_module(&h->c, pv_hostile_frag_spv, sizeof(pv_hostile_frag_spv));
   const VkPipelineShaderStageCreateInfo stages[2] = {
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_VERTEX_BIT,
       vs, "main", NULL},
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0,
       VK_SHADER_STAGE_FRAGMENT_BIT, fs, "main", NULL},
   };
   const VkVertexInputBindingDescription binding = {0, 16, VK_VERTEX_INPUT_RATE_VERTEX};
   const VkVertexInputAttributeDescription attr = {0, 0, VK_FORMAT_R32G32B32A32_SFLOAT, 0};
   const VkPipelineVertexInputStateCreateInfo vi = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
      .vertexBindingDescriptionCount = 1,
      .pVertexBindingDescriptions = &binding,
      .vertexAttributeDescriptionCount = 1,
      .pVertexAttributeDescriptions = &attr,
   };
   const VkPipelineInputAssemblyStateCreateInfo ia = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
      .topology = topology,
   };
   const VkViewport viewport = {0, 0, FB, FB, 0, 1};
   const VkRect2D scissor = {{0, 0}, {FB, FB}};
   const VkPipelineViewportStateCreateInfo vp = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
      .viewportCount = 1,
      .pViewports = &viewport,
      .scissorCount = 1,
      .pScissors = &scissor,
   };
   const VkPipelineRasterizationStateCreateInfo rs = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
      .polygonMode = VK_POLYGON_MODE_FILL,
      .cullMode = VK_CULL_MODE_NONE,
      .lineWidth = 1.0f,
   };
   const VkPipelineMultisampleStateCreateInfo ms = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
      .rasterizationSamples = samples,
   };
   const VkPipelineColorBlendAttachmentState cba = {.colorWriteMask = 0xf};
   const VkPipelineColorBlendStateCreateInfo cb = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &cba,
   };
   const VkPipelineLayoutCreateInfo plci = {.sType =
                                               VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
   VkPipelineLayout layout;
   PV_CHECK(vkCreatePipelineLayout(h->c.device, &plci, NULL, &layout));
   const VkGraphicsPipelineCreateInfo gci = {
      .sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
      .stageCount = 2,
      .pStages = stages,
      .pVertexInputState = &vi,
      .pInputAssemblyState = &ia,
      .pViewportState = &vp,
      .pRasterizationState = &rs,
      .pMultisampleState = &ms,
      .pColorBlendState = &cb,
      .layout = layout,
      .renderPass = rp,
   };
   VkPipeline p = VK_NULL_HANDLE;
   if (samples == VK_SAMPLE_COUNT_1_BIT) /* the cases' own pipeline: must be made */
      PV_CHECK(vkCreateGraphicsPipelines(h->c.device, VK_NULL_HANDLE, 1, &gci, NULL, &p));
   else
      PV_HOSTILE_NOTE(h, vkCreateGraphicsPipelines(h->c.device, VK_NULL_HANDLE, 1, &gci, NULL, &p));
   return p;
}

void
pv_hostile_gfx_init(struct pv_hostile *h, struct pv_hostile_gfx *g)
{
   pv_hostile_gfx_init_topology(h, g, VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST);
}

void
pv_hostile_gfx_init_topology(struct pv_hostile *h, struct pv_hostile_gfx *g,
                             VkPrimitiveTopology topology)
{
   const VkAttachmentDescription att = {
      0, VK_FORMAT_R8G8B8A8_UNORM, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR,
      VK_ATTACHMENT_STORE_OP_STORE, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
      VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
      VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL};
   const VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   const VkSubpassDescription sub = {
      .pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
      .colorAttachmentCount = 1,
      .pColorAttachments = &ref,
   };
   const VkSubpassDependency deps[2] = {
      {VK_SUBPASS_EXTERNAL, 0, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
       VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
       VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0},
      {0, VK_SUBPASS_EXTERNAL, VK_PIPELINE_STAGE_ALL_GRAPHICS_BIT,
       VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
       VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, 0},
   };
   const VkRenderPassCreateInfo rpci = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &att,
      .subpassCount = 1,
      .pSubpasses = &sub,
      .dependencyCount = 2,
      .pDependencies = deps,
   };
   PV_CHECK(vkCreateRenderPass(h->c.device, &rpci, NULL, &g->rp));
   VkDeviceMemory mem;
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .extent = {FB, FB, 1},
      .mipLevels = 1,
      .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
   };
   g->target = pv_image_create(&h->c, &ici, &mem);
   const VkImageViewCreateInfo vci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
      .image = g->target,
      .viewType = VK_IMAGE_VIEW_TYPE_2D,
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1},
   };
   VkImageView view;
   PV_CHECK(vkCreateImageView(h->c.device, &vci, NULL, &view));
   const VkFramebufferCreateInfo fci = {
      .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
      .renderPass = g->rp,
      .attachmentCount = 1,
      .pAttachments = &view,
      .width = FB,
      .height = FB,
      .layers = 1,
   };
   PV_CHECK(vkCreateFramebuffer(h->c.device, &fci, NULL, &g->fb));
   g->pipe = pv_hostile_gfx_pipeline(h, g->rp, topology, VK_SAMPLE_COUNT_1_BIT);
}

void
pv_hostile_gfx_begin(VkCommandBuffer cmd, const struct pv_hostile_gfx *g)
{
   const VkClearValue clear = {.color = {.float32 = {0, 0, 0, 0}}};
   const VkRenderPassBeginInfo rpbi = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
      .renderPass = g->rp,
      .framebuffer = g->fb,
      .renderArea = {{0, 0}, {FB, FB}},
      .clearValueCount = 1,
      .pClearValues = &clear,
   };
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, g->pipe);
}

/* One triangle covering the 16x16 target, as three vec4 at `at` in `b`. */
void
pv_hostile_put_triangle(struct pv_buffer *b, VkDeviceSize at)
{
   const float v[12] = {-1, -1, 0, 1, 3, -1, 0, 1, -1, 3, 0, 1};
   memcpy((uint8_t *)b->map + at, v, sizeof(v));
}

const uint32_t *
pv_hostile_compute_spv(size_t *size)
{
   *size = sizeof(pv_compute_comp_spv);
   return pv_compute_comp_spv;
}

void
pv_hostile_compute_init(struct pv_hostile *h, struct pv_compute *k, uint32_t max_sets)
{
   pv_compute_init(&h->c, k, pv_compute_comp_spv, sizeof(pv_compute_comp_spv), max_sets);
}
