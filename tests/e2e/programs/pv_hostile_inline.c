/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile's inline-uniform-rows case (pv_hostile.h): a legal compute pipeline of four
 * uniform buffers whose shader (shaders/inline_rows.comp) makes Mesa 22.3's lavapipe write its
 * inlined-uniform offsets past their table, then a dispatch with push constants of 0x41 bytes,
 * which that lavapipe copies over its stack (src/vk/guard_inline.c). The server refuses the
 * pipeline on such a host; elsewhere the dispatch runs and the case reports the host took it.
 */
#include "pv_hostile.h"

#include "inline_rows_comp_spv.h"

#define UBOS 4u
#define UBO_SIZE 2048u

static VkPipelineLayout
inline_layout(struct pv_hostile *h, VkDescriptorSetLayout *sl)
{
   VkDescriptorSetLayoutBinding b[UBOS + 1];
   for (uint32_t i = 0; i <= UBOS; i++)
      b[i] = (VkDescriptorSetLayoutBinding){
         i, i < UBOS ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1,
         VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   const VkDescriptorSetLayoutCreateInfo slci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = UBOS + 1,
      .pBindings = b};
   PV_CHECK(vkCreateDescriptorSetLayout(h->c.device, &slci, NULL, sl));
   const VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, 16};
   const VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                            .setLayoutCount = 1,
                                            .pSetLayouts = sl,
                                            .pushConstantRangeCount = 1,
                                            .pPushConstantRanges = &range};
   VkPipelineLayout layout;
   PV_CHECK(vkCreatePipelineLayout(h->c.device, &plci, NULL, &layout));
   return layout;
}

/* One set of UBOS uniform buffers and a storage buffer, from a pool of its own. */
static VkDescriptorSet
inline_set(struct pv_hostile *h, VkDescriptorSetLayout sl, struct pv_buffer *bufs)
{
   const VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, UBOS},
                                          {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1}};
   const VkDescriptorPoolCreateInfo dpci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                            .maxSets = 1,
                                            .poolSizeCount = 2,
                                            .pPoolSizes = sizes};
   VkDescriptorPool pool;
   PV_CHECK(vkCreateDescriptorPool(h->c.device, &dpci, NULL, &pool));
   const VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                           .descriptorPool = pool,
                                           .descriptorSetCount = 1,
                                           .pSetLayouts = &sl};
   VkDescriptorSet set;
   PV_CHECK(vkAllocateDescriptorSets(h->c.device, &ai, &set));
   VkDescriptorBufferInfo info[UBOS + 1];
   VkWriteDescriptorSet w[UBOS + 1];
   for (uint32_t i = 0; i <= UBOS; i++) {
      info[i] = (VkDescriptorBufferInfo){bufs[i].buffer, 0, VK_WHOLE_SIZE};
      w[i] = (VkWriteDescriptorSet){.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                    .dstSet = set,
                                    .dstBinding = i,
                                    .descriptorCount = 1,
                                    .descriptorType = i < UBOS ? VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER
                                                               : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                    .pBufferInfo = &info[i]};
   }
   vkUpdateDescriptorSets(h->c.device, UBOS + 1, w, 0, NULL);
   return set;
}

void
pv_hostile_inline_uniform_rows(struct pv_hostile *h)
{
   static struct pv_buffer bufs[UBOS + 1];
   for (uint32_t i = 0; i < UBOS; i++)
      pv_hostile_buffer(h, &bufs[i], UBO_SIZE, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT, 0);
   pv_hostile_buffer(h, &bufs[UBOS], 1024, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   VkDescriptorSetLayout sl;
   VkPipelineLayout layout = inline_layout(h, &sl);
   VkShaderModule m =
      pv_shader_module(&h->c, pv_inline_rows_comp_spv, sizeof(pv_inline_rows_comp_spv));
   const VkComputePipelineCreateInfo cpci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = m,
                .pName = "main"},
      .layout = layout};
   VkPipeline pipe = VK_NULL_HANDLE;
   if (PV_HOSTILE_NOTE(h, vkCreateComputePipelines(h->c.device, VK_NULL_HANDLE, 1, &cpci, NULL,
                                                   &pipe)) != VK_SUCCESS)
      return;
   VkDescriptorSet set = inline_set(h, sl, bufs);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 0, NULL);
   const uint32_t push[4] = {0x41414141u, 0x41414141u, 0x41414141u, 0x41414141u};
   vkCmdPushConstants(cmd, layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
   vkCmdDispatch(cmd, 1, 1, 1);
   pv_hostile_submit(h, cmd);
}
