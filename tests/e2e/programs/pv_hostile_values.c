/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile cases of plain values the registry rules out (pv_hostile.h): a VK_NULL_HANDLE
 * where vk.xml requires a handle, an enum value no enum of that type has, and descriptor counts
 * past the device's limits. The Mesa Venus guests encode all of them as given; the renderer
 * must refuse each before the host driver sees it (the codec's rules.handle_required and
 * rules.enum_values in codegen/data/quirks.json; src/vk/guard_counts.c).
 */
#include "pv_hostile.h"

#define SZ PV_HOSTILE_SIZE

/* A buffer barrier on VK_NULL_HANDLE: the guests do not look at buffer barriers, the host
 * driver would get a NULL buffer it was never promised. */
void
pv_hostile_null_barrier_buffer(struct pv_hostile *h)
{
   static struct pv_buffer b;
   pv_hostile_buffer(h, &b, SZ, VK_BUFFER_USAGE_TRANSFER_DST_BIT, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdFillBuffer(cmd, b.buffer, 0, SZ, 0x01010101u);
   const VkBufferMemoryBarrier bmb = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .buffer = VK_NULL_HANDLE,
      .size = VK_WHOLE_SIZE,
   };
   vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0,
                        NULL, 1, &bmb, 0, NULL);
   pv_hostile_submit(h, cmd);
}

/* A sampler whose borderColor is no VkBorderColor: lavapipe indexes a table with it. */
void
pv_hostile_enum_border_color(struct pv_hostile *h)
{
   pv_hostile_neighbours(h);
   const VkSamplerCreateInfo sci = {
      .sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
      .magFilter = VK_FILTER_NEAREST,
      .minFilter = VK_FILTER_NEAREST,
      .mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
      .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
      .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
      .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_BORDER,
      .maxLod = 1.0f,
      .borderColor = (VkBorderColor)65536,
   };
   VkSampler sampler = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateSampler(h->c.device, &sci, NULL, &sampler));
   pv_hostile_sync(h);
}

/* One storage-buffer binding of 2^31 - 1 descriptors: lavapipe mallocs count x its descriptor
 * size for every set made from the layout. */
void
pv_hostile_descriptor_count(struct pv_hostile *h)
{
   pv_hostile_neighbours(h);
   const VkDescriptorSetLayoutBinding binding = {
      .binding = 0,
      .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      .descriptorCount = 0x7fffffffu,
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
   };
   const VkDescriptorSetLayoutCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 1,
      .pBindings = &binding,
   };
   VkDescriptorSetLayout layout = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateDescriptorSetLayout(h->c.device, &ci, NULL, &layout));
   pv_hostile_sync(h);
}

/* A pipeline layout giving the compute stage one storage buffer more than its per-stage limit,
 * in a set layout inside the per-set limit: lavapipe 22.3 keeps a stage's storage buffers in an
 * array of that limit's size and wrote past it binding such a set (fuzz input 60567c69). */
void
pv_hostile_stage_storage_buffers(struct pv_hostile *h)
{
   pv_hostile_neighbours(h);
   uint32_t n = h->c.props.limits.maxPerStageDescriptorStorageBuffers + 1;
   const VkDescriptorSetLayoutBinding binding = {
      .binding = 0,
      .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
      .descriptorCount = n > 1 ? n : 0xffffffffu,
      .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
   };
   const VkDescriptorSetLayoutCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 1,
      .pBindings = &binding,
   };
   VkDescriptorSetLayout layout = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateDescriptorSetLayout(h->c.device, &ci, NULL, &layout));
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &layout,
   };
   VkPipelineLayout pl = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreatePipelineLayout(h->c.device, &plci, NULL, &pl));
   pv_hostile_sync(h);
}

/* A pool for one set with room for 2^32 - 1 storage buffers. */
void
pv_hostile_descriptor_pool_size(struct pv_hostile *h)
{
   pv_hostile_neighbours(h);
   const VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 0xffffffffu};
   const VkDescriptorPoolCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = 1,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
   };
   VkDescriptorPool pool = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateDescriptorPool(h->c.device, &ci, NULL, &pool));
   pv_hostile_sync(h);
}

/* Conditional rendering: lavapipe reads the 32-bit condition at buffer + offset before every
 * draw, clear and dispatch, and its context keeps the buffer until the condition is ended.
 * `offset_past`: a condition at the buffer's end; otherwise a command buffer that ends with the
 * condition still active (a later command buffer would read the buffer, maybe freed by then). */
static void
conditional_case(struct pv_hostile *h, bool offset_past)
{
   if (!h->c.optional_enabled)
      pv_fail("%s: the device has no VK_EXT_conditional_rendering", h->name);
   PFN_vkCmdBeginConditionalRenderingEXT begin =
      (PFN_vkCmdBeginConditionalRenderingEXT)vkGetDeviceProcAddr(
         h->c.device, "vkCmdBeginConditionalRenderingEXT");
   PFN_vkCmdEndConditionalRenderingEXT end =
      (PFN_vkCmdEndConditionalRenderingEXT)vkGetDeviceProcAddr(h->c.device,
                                                                "vkCmdEndConditionalRenderingEXT");
   if (!begin || !end)
      pv_fail("%s: no vkCmd{Begin,End}ConditionalRenderingEXT", h->name);
   static struct pv_buffer cond, fill;
   pv_hostile_buffer(h, &cond, SZ, VK_BUFFER_USAGE_CONDITIONAL_RENDERING_BIT_EXT, 1);
   pv_hostile_buffer(h, &fill, SZ, 0, 0);
   pv_hostile_neighbours(h);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkConditionalRenderingBeginInfoEXT info = {
      .sType = VK_STRUCTURE_TYPE_CONDITIONAL_RENDERING_BEGIN_INFO_EXT,
      .buffer = cond.buffer,
      .offset = offset_past ? SZ : 0,
   };
   begin(cmd, &info);
   vkCmdFillBuffer(cmd, fill.buffer, 0, SZ, 0x02020202u);
   if (offset_past)
      end(cmd);
   pv_hostile_submit(h, cmd); /* ends the command buffer */
}

void
pv_hostile_cond_offset(struct pv_hostile *h)
{
   conditional_case(h, true);
}

void
pv_hostile_cond_unended(struct pv_hostile *h)
{
   conditional_case(h, false);
}
