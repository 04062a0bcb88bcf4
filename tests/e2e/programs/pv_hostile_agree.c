/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile's cases of objects that must agree and values past the device's limits
 * (pv_hostile.h; the eighth reading of lavapipe, 2026-12-07). Natively on Debian 12's
 * lavapipe: pipeline statistics past the core counters handed the queue's stack to the guest;
 * a set bound at another set's index of its layout wrote past lavapipe's slot arrays; an ETC2
 * view of an R32G32 image, a D32 view for an RGBA8 attachment and 64 rasterization samples each
 * called through NULL or a garbage pointer; a viewport past the limits made stippled lines
 * take minutes. The server refuses each (SECURITY.md, "The eighth reading").
 */
#include "pv_hostile.h"

#define FB PV_HOSTILE_FB

void
pv_hostile_query_statistics_bits(struct pv_hostile *h)
{
   const VkQueryPoolCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO,
      .queryType = VK_QUERY_TYPE_PIPELINE_STATISTICS,
      .queryCount = 1,
      .pipelineStatistics = 0xfffff800u,
   };
   VkQueryPool pool = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateQueryPool(h->c.device, &ci, NULL, &pool));
   pv_hostile_sync(h);
}

static VkDescriptorSetLayout
storage_layout(struct pv_hostile *h, uint32_t buffers)
{
   const VkDescriptorSetLayoutBinding b = {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, buffers,
                                           VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   const VkDescriptorSetLayoutCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = buffers ? 1 : 0,
      .pBindings = &b,
   };
   VkDescriptorSetLayout l;
   PV_CHECK(vkCreateDescriptorSetLayout(h->c.device, &ci, NULL, &l));
   return l;
}

/* A set of 32 storage buffers bound at set 1 of a layout whose set 0 has the 32 and set 1 none
 * (VUID-vkCmdBindDescriptorSets-pDescriptorSets-00358): lavapipe 22.3 put its slots after set
 * 0's, past its per-stage array of 32. */
void
pv_hostile_bind_set_other_layout(struct pv_hostile *h)
{
   VkDescriptorSetLayout layouts[2] = {storage_layout(h, 32), storage_layout(h, 0)};
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 2,
      .pSetLayouts = layouts,
   };
   VkPipelineLayout pl;
   PV_CHECK(vkCreatePipelineLayout(h->c.device, &plci, NULL, &pl));
   const VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 32};
   const VkDescriptorPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = 1,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
   };
   VkDescriptorPool pool;
   PV_CHECK(vkCreateDescriptorPool(h->c.device, &pci, NULL, &pool));
   const VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &layouts[0],
   };
   VkDescriptorSet set;
   PV_CHECK(vkAllocateDescriptorSets(h->c.device, &ai, &set));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pl, 1, 1, &set, 0, NULL);
   pv_hostile_submit(h, cmd);
}

/* An ETC2 view of a mutable R32G32_UINT image (8-byte texels as 8-byte blocks; VUID
 * VkImageViewCreateInfo-image-01761 keeps a view in its image format's class), then cleared as
 * a color attachment: lavapipe packed the color with ETC2's pack function, NULL. */
void
pv_hostile_view_compressed_of_plain(struct pv_hostile *h)
{
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .flags = VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = VK_FORMAT_R32G32_UINT,
      .extent = {FB, FB, 1},
      .mipLevels = 1,
      .arrayLayers = 1,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT,
   };
   VkDeviceMemory mem;
   VkImage img = pv_image_create(&h->c, &ici, &mem);
   const VkImageViewCreateInfo vci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
      .image = img,
      .viewType = VK_IMAGE_VIEW_TYPE_2D,
      .format = VK_FORMAT_ETC2_R8G8B8_UNORM_BLOCK,
      .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1},
   };
   VkImageView view = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateImageView(h->c.device, &vci, NULL, &view));
   pv_hostile_sync(h);
}

/* A framebuffer giving pv_hostile_gfx's RGBA8 color attachment a D32_SFLOAT view (VUID
 * VkFramebufferCreateInfo-pAttachments-00880), then its render pass begun with a clear: lavapipe
 * renders to the view's format, whose pack function is NULL. */
void
pv_hostile_framebuffer_view_format(struct pv_hostile *h)
{
   static struct pv_hostile_gfx g;
   pv_hostile_gfx_init(h, &g);
   VkDeviceMemory mem;
   VkImage img = pv_hostile_image_of(h, &mem, VK_FORMAT_D32_SFLOAT, FB, 1, 1, VK_SAMPLE_COUNT_1_BIT,
                                     VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT);
   const VkImageViewCreateInfo vci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
      .image = img,
      .viewType = VK_IMAGE_VIEW_TYPE_2D,
      .format = VK_FORMAT_D32_SFLOAT,
      .subresourceRange = {VK_IMAGE_ASPECT_DEPTH_BIT, 0, 1, 0, 1},
   };
   VkImageView view;
   PV_CHECK(vkCreateImageView(h->c.device, &vci, NULL, &view));
   const VkFramebufferCreateInfo fci = {
      .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
      .renderPass = g.rp,
      .attachmentCount = 1,
      .pAttachments = &view,
      .width = FB,
      .height = FB,
      .layers = 1,
   };
   PV_HOSTILE_NOTE(h, vkCreateFramebuffer(h->c.device, &fci, NULL, &g.fb));
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_gfx_begin(cmd, &g);
   vkCmdEndRenderPass(cmd);
   pv_hostile_submit(h, cmd);
}

/* A graphics pipeline rasterizing 64 samples, a defined value no framebuffer supports: Mesa's
 * runtime looked up standard sample locations for it in a switch over 1..16 and copied through
 * what its unreachable() default left (SIGSEGV in vkCreateGraphicsPipelines). */
void
pv_hostile_pipeline_samples(struct pv_hostile *h)
{
   static struct pv_hostile_gfx g;
   pv_hostile_gfx_init(h, &g);
   pv_hostile_gfx_pipeline(h, g.rp, VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST, VK_SAMPLE_COUNT_64_BIT);
   pv_hostile_sync(h);
}

/* A viewport 10^9 pixels wide (VUID VkViewport-width-01771): llvmpipe clips lines to the
 * viewport and stipples them a pixel at a time, minutes for one line. */
void
pv_hostile_viewport_limit(struct pv_hostile *h)
{
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkViewport vp = {0, 0, 1e9f, FB, 0, 1};
   vkCmdSetViewport(cmd, 0, 1, &vp);
   pv_hostile_submit(h, cmd);
}
