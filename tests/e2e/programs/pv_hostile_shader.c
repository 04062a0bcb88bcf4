/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile cases of shaders against layouts and descriptors never written (pv_hostile.h):
 * the compute.comp kernel (storage buffers at set 0 bindings 0 and 1, 12 bytes of push
 * constants) with a layout that does not hold what it uses, a module that is not valid
 * SPIR-V, and a dispatch or copy that reaches a descriptor no write filled. The guest drivers
 * forward all of these as given; lavapipe crashes compiling the first kind and reads a NULL
 * descriptor on its queue thread for the last. And a module that stores through a device
 * address (address.comp), which on a CPU device is a host pointer: the guest is not offered
 * buffer device addresses there, and sends the module anyway.
 */
#include <string.h>

#include "pv_hostile.h"

#include "address_comp_spv.h"

#define SZ PV_HOSTILE_SIZE

/* A set layout of compute.comp's two bindings with these types (count 0: binding left out). */
static VkDescriptorSetLayout
set_layout(struct pv_hostile *h, VkDescriptorType t0, VkDescriptorType t1, uint32_t count1)
{
   const VkDescriptorSetLayoutBinding b[2] = {
      {0, t0, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
      {1, t1, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
   };
   const VkDescriptorSetLayoutCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = count1 ? 2 : 1,
      .pBindings = b,
   };
   VkDescriptorSetLayout l = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateDescriptorSetLayout(h->c.device, &ci, NULL, &l));
   return l;
}

/* Creates compute.comp's pipeline on a set layout and `push` bytes of push constants; a
 * refusal is reported by the creation or the round trip after it. */
static void
pipeline_case(struct pv_hostile *h, VkDescriptorSetLayout sl, uint32_t push)
{
   size_t size;
   const uint32_t *spv = pv_hostile_compute_spv(&size);
   VkShaderModule m = pv_shader_module(&h->c, spv, size);
   const VkPushConstantRange range = {VK_SHADER_STAGE_COMPUTE_BIT, 0, push};
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &sl,
      .pushConstantRangeCount = 1,
      .pPushConstantRanges = &range,
   };
   VkPipelineLayout layout = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreatePipelineLayout(h->c.device, &plci, NULL, &layout));
   const VkComputePipelineCreateInfo cpci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = m,
                .pName = "main"},
      .layout = layout,
   };
   VkPipeline pipe = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateComputePipelines(h->c.device, VK_NULL_HANDLE, 1, &cpci, NULL, &pipe));
   pv_hostile_sync(h);
}

void
pv_hostile_shader_binding_missing(struct pv_hostile *h)
{
   pipeline_case(h, set_layout(h, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 0, 0), 12);
}

void
pv_hostile_shader_binding_type(struct pv_hostile *h)
{
   pipeline_case(h,
                 set_layout(h, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                            VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1),
                 12);
}

void
pv_hostile_shader_push_range(struct pv_hostile *h)
{
   pipeline_case(
      h, set_layout(h, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1), 4);
}

/* compute.comp with one OpIAdd's result type pointing at a void type: well-formed words, not
 * valid SPIR-V. Made by editing the first OpIAdd (opcode 128) found. */
void
pv_hostile_shader_invalid(struct pv_hostile *h)
{
   static uint32_t code[4096];
   size_t size;
   const uint32_t *spv = pv_hostile_compute_spv(&size);
   if (size > sizeof(code))
      pv_fail("compute.comp is larger than %zu bytes", sizeof(code));
   memcpy(code, spv, size);
   uint32_t n = (uint32_t)(size / 4), void_id = 0;
   for (uint32_t i = 5; i < n && (code[i] >> 16); i += code[i] >> 16) {
      uint32_t op = code[i] & 0xffff;
      if (op == 19) /* OpTypeVoid %id */
         void_id = code[i + 1];
      if (op == 128 && void_id) { /* OpIAdd %type %result %a %b */
         code[i + 1] = void_id;
         break;
      }
   }
   VkShaderModule m = VK_NULL_HANDLE;
   const VkShaderModuleCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = size,
      .pCode = code,
   };
   PV_HOSTILE_NOTE(h, vkCreateShaderModule(h->c.device, &ci, NULL, &m));
   pv_hostile_sync(h);
}

/* The kernel's set with only `written` of its two bindings written, then a dispatch (or, with
 * `copy`, a fully written set overwritten by a copy from the half-written one). */
static void
unwritten_case(struct pv_hostile *h, bool copy)
{
   static struct pv_buffer src, dst;
   static struct pv_compute k;
   pv_hostile_compute_init(h, &k, 2);
   pv_hostile_buffer(h, &src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x01);
   pv_hostile_canary(h, &dst, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   const VkDescriptorSetLayout layouts[2] = {k.set_layout, k.set_layout};
   const VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = k.pool,
      .descriptorSetCount = 2,
      .pSetLayouts = layouts,
   };
   VkDescriptorSet sets[2];
   PV_HOSTILE_NOTE(h, vkAllocateDescriptorSets(h->c.device, &ai, sets));
   const VkDescriptorBufferInfo info[2] = {{src.buffer, 0, SZ}, {dst.buffer, 0, SZ}};
   VkWriteDescriptorSet w[3];
   for (uint32_t i = 0; i < 3; i++)
      w[i] = (VkWriteDescriptorSet){
         .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
         .dstSet = sets[i / 2],
         .dstBinding = i % 2,
         .descriptorCount = 1,
         .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
         .pBufferInfo = &info[i % 2],
      };
   /* set 0 fully written, set 1 only binding 0: binding 1 (the destination) never */
   vkUpdateDescriptorSets(h->c.device, 3, w, 0, NULL);
   VkDescriptorSet use = sets[1];
   if (copy) {
      const VkCopyDescriptorSet cp = {
         .sType = VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET,
         .srcSet = sets[1],
         .srcBinding = 1,
         .dstSet = sets[0],
         .dstBinding = 1,
         .descriptorCount = 1,
      };
      vkUpdateDescriptorSets(h->c.device, 0, NULL, 1, &cp);
      use = sets[0];
   }
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_compute_dispatch(cmd, &k, use, (uint32_t)(SZ / 4), 1, 0);
   pv_hostile_submit(h, cmd);
}

void
pv_hostile_descriptor_unwritten(struct pv_hostile *h)
{
   unwritten_case(h, false);
}

void
pv_hostile_descriptor_copy_unwritten(struct pv_hostile *h)
{
   unwritten_case(h, true);
}

void
pv_hostile_raw_device_address(struct pv_hostile *h)
{
   VkShaderModule m = VK_NULL_HANDLE;
   const VkShaderModuleCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO,
      .codeSize = sizeof(pv_address_comp_spv),
      .pCode = pv_address_comp_spv,
   };
   PV_HOSTILE_NOTE(h, vkCreateShaderModule(h->c.device, &ci, NULL, &m));
   pv_hostile_sync(h);
}
