/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile cases of the tenth reading (2026-12-07): push descriptors that lavapipe 22.3
 * applies through the wrong slots, and dynamic-state setters whose feature the device lacks.
 * Each is refused when recorded; without the check the host driver gets it.
 */
#include <stdlib.h>

#include "pv_hostile.h"

/* A push layout of uniform buffers, or (plain) a set layout without PUSH_DESCRIPTOR, and a
 * pipeline layout of it. */
static VkPipelineLayout
push_layout(struct pv_hostile *h, const VkDescriptorSetLayoutBinding *b, uint32_t n, bool push)
{
   const VkDescriptorSetLayoutCreateInfo sci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .flags = push ? VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR : 0,
      .bindingCount = n,
      .pBindings = b,
   };
   VkDescriptorSetLayout set = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateDescriptorSetLayout(h->c.device, &sci, NULL, &set));
   const VkPipelineLayoutCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &set,
   };
   VkPipelineLayout layout = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreatePipelineLayout(h->c.device, &pci, NULL, &layout));
   return layout;
}

/* Pushes `count` descriptors of `type` at binding 0, every one the same range of one buffer. */
static void
push_buffers(struct pv_hostile *h, VkPipelineLayout layout, VkDescriptorType type, uint32_t count)
{
   if (!h->c.optional_enabled)
      pv_fail("the device does not offer VK_KHR_push_descriptor");
   PFN_vkCmdPushDescriptorSetKHR push =
      (PFN_vkCmdPushDescriptorSetKHR)vkGetDeviceProcAddr(h->c.device, "vkCmdPushDescriptorSetKHR");
   if (!push)
      pv_fail("no vkCmdPushDescriptorSetKHR");
   static struct pv_buffer buf;
   pv_hostile_buffer(h, &buf, PV_HOSTILE_SIZE,
                     VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   VkDescriptorBufferInfo *infos = calloc(count, sizeof(*infos));
   if (!infos)
      pv_fail("out of memory");
   for (uint32_t i = 0; i < count; i++)
      infos[i] = (VkDescriptorBufferInfo){buf.buffer, 0, 256};
   const VkWriteDescriptorSet w = {
      .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
      .dstBinding = 0,
      .descriptorCount = count,
      .descriptorType = type,
      .pBufferInfo = infos,
   };
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   push(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &w);
   pv_hostile_submit(h, cmd);
   free(infos);
}

/* One push of 31 uniform buffers from a compute binding of 1 on into vertex and fragment
 * bindings of 15 (VUID-VkWriteDescriptorSet-descriptorCount-00317): lavapipe 22.3 applies it
 * through the compute binding's slots, past that stage's array of 16 (its queue thread died). */
void
pv_hostile_push_across_stages(struct pv_hostile *h)
{
   const VkDescriptorType t = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
   const VkDescriptorSetLayoutBinding b[3] = {
      {0, t, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
      {1, t, 15, VK_SHADER_STAGE_VERTEX_BIT, NULL},
      {2, t, 15, VK_SHADER_STAGE_FRAGMENT_BIT, NULL},
   };
   push_buffers(h, push_layout(h, b, 3, true), t, 31);
}

/* A push into a set layout made without PUSH_DESCRIPTOR, of a dynamic storage buffer
 * (VUID-vkCmdPushDescriptorSetKHR-set-00365): lavapipe 22.3 adds a dynamic offset read through
 * a pointer it never set (SIGSEGV on its queue thread). */
void
pv_hostile_push_plain_layout(struct pv_hostile *h)
{
   const VkDescriptorType t = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
   const VkDescriptorSetLayoutBinding b = {0, t, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   push_buffers(h, push_layout(h, &b, 1, false), t, 1);
}

/* A dynamic-state setter of a feature the device was created without: with the Mesa 25.0.7
 * guest, vkCmdSetColorBlendAdvancedEXT of VK_EXT_extended_dynamic_state3, which lavapipe
 * leaves to Mesa's runtime, whose body is unreachable() (lavapipe 22.3.6 jumped into another
 * function and ended in "stack smashing detected"); the 22.3.6 guest has no
 * extended_dynamic_state3, so vkCmdSetLogicOpEXT of extended_dynamic_state2 without
 * extendedDynamicState2LogicOp. */
void
pv_hostile_setter_without_feature(struct pv_hostile *h)
{
   if (!h->c.optional_enabled)
      pv_fail("the device offers neither extended_dynamic_state3 nor 2");
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   PFN_vkCmdSetColorBlendAdvancedEXT advanced =
      (PFN_vkCmdSetColorBlendAdvancedEXT)vkGetDeviceProcAddr(h->c.device,
                                                             "vkCmdSetColorBlendAdvancedEXT");
   PFN_vkCmdSetLogicOpEXT logic_op =
      (PFN_vkCmdSetLogicOpEXT)vkGetDeviceProcAddr(h->c.device, "vkCmdSetLogicOpEXT");
   if (advanced) {
      const VkColorBlendAdvancedEXT adv = {VK_BLEND_OP_MULTIPLY_EXT, VK_TRUE, VK_TRUE,
                                           VK_BLEND_OVERLAP_UNCORRELATED_EXT, VK_FALSE};
      advanced(cmd, 0, 1, &adv);
   } else if (logic_op) {
      logic_op(cmd, VK_LOGIC_OP_XOR);
   } else {
      pv_fail("no vkCmdSetColorBlendAdvancedEXT nor vkCmdSetLogicOpEXT");
   }
   pv_hostile_submit(h, cmd);
}

/* A render pass whose final layout is VK_IMAGE_LAYOUT_RENDERING_LOCAL_READ_KHR, of an extension
 * the device was created without (and lavapipe 22.3.6 does not know): Mesa 22.3.6's render pass
 * code classifies it in a switch whose default is unreachable(). The 22.3.6 guest's wire has no
 * such value (its decoder refuses it); the 25.0.7 guest's has. */
void
pv_hostile_render_pass_layout(struct pv_hostile *h)
{
   const VkAttachmentDescription att = {
      .format = VK_FORMAT_R8G8B8A8_UNORM,
      .samples = VK_SAMPLE_COUNT_1_BIT,
      .loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR,
      .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
      .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
      .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
      .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
      .finalLayout = (VkImageLayout)1000232000, /* RENDERING_LOCAL_READ_KHR */
   };
   const VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   const VkSubpassDescription sub = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
                                     .colorAttachmentCount = 1,
                                     .pColorAttachments = &ref};
   const VkRenderPassCreateInfo rci = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
                                       .attachmentCount = 1,
                                       .pAttachments = &att,
                                       .subpassCount = 1,
                                       .pSubpasses = &sub};
   VkRenderPass rp;
   PV_HOSTILE_NOTE(h, vkCreateRenderPass(h->c.device, &rci, NULL, &rp));
   pv_hostile_sync(h);
}

/* A MUTABLE binding (VK_EXT_mutable_descriptor_type) whose list holds storage buffers, written
 * with a uniform buffer: a type the binding never promised (lavapipe 25 updates a set by a
 * switch on the written type whose default is unreachable()). Where the renderer withholds the
 * extension (a CPU device such as lavapipe: guard_mutable.c) the layout alone is refused, a
 * MUTABLE binding on a device created without the feature. */
void
pv_hostile_mutable_unlisted(struct pv_hostile *h)
{
   const VkDescriptorType listed = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
   const VkMutableDescriptorTypeListEXT list = {1, &listed};
   const VkMutableDescriptorTypeCreateInfoEXT mci = {
      .sType = VK_STRUCTURE_TYPE_MUTABLE_DESCRIPTOR_TYPE_CREATE_INFO_EXT,
      .mutableDescriptorTypeListCount = 1,
      .pMutableDescriptorTypeLists = &list,
   };
   const VkDescriptorSetLayoutBinding b = {0, VK_DESCRIPTOR_TYPE_MUTABLE_EXT, 1,
                                           VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   const VkDescriptorSetLayoutCreateInfo sci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .pNext = &mci,
      .bindingCount = 1,
      .pBindings = &b,
   };
   VkDescriptorSetLayout layout = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateDescriptorSetLayout(h->c.device, &sci, NULL, &layout));
   if (!h->c.optional_enabled) { /* withheld: the layout was the attack */
      pv_hostile_sync(h);
      return;
   }
   const VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_MUTABLE_EXT, 1};
   const VkDescriptorPoolCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .pNext = &mci,
      .maxSets = 1,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
   };
   VkDescriptorPool pool = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateDescriptorPool(h->c.device, &pci, NULL, &pool));
   const VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &layout,
   };
   VkDescriptorSet set = VK_NULL_HANDLE;
   if (PV_HOSTILE_NOTE(h, vkAllocateDescriptorSets(h->c.device, &ai, &set)) != VK_SUCCESS)
      return;
   static struct pv_buffer buf;
   pv_hostile_buffer(h, &buf, PV_HOSTILE_SIZE,
                     VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   const VkDescriptorBufferInfo info = {buf.buffer, 0, 256};
   const VkWriteDescriptorSet w = {
      .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
      .dstSet = set,
      .descriptorCount = 1,
      .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,
      .pBufferInfo = &info,
   };
   vkUpdateDescriptorSets(h->c.device, 1, &w, 0, NULL);
   pv_hostile_sync(h);
}
