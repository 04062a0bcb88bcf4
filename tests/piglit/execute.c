/* SPDX-License-Identifier: MIT */
/*
 * Execution of the [test] commands. Clears and draws are recorded into one command buffer, in
 * one render pass instance; it is submitted (and waited for) before a probe (which reads the
 * image back), before a ubo/ssbo write (draws already recorded read the old contents) and at
 * the end. Every command buffer starts with a full memory barrier, so each one sees what the
 * previous one wrote.
 */
#include "runner.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static VkPipeline
get_pipeline(VkPrimitiveTopology topology, bool rect)
{
   for (unsigned i = 0; i < r.n_pipelines; i++) {
      if (r.pipelines[i].topology == topology && r.pipelines[i].rect == rect)
         return r.pipelines[i].pipeline;
   }
   if (r.n_pipelines == ARRAY_SIZE(r.pipelines))
      finish(FAIL, "too many pipelines");

   static const VkShaderStageFlagBits stage_bits[PV_STAGE_COUNT] = {
      VK_SHADER_STAGE_VERTEX_BIT, VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT,
      VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT, VK_SHADER_STAGE_GEOMETRY_BIT,
      VK_SHADER_STAGE_FRAGMENT_BIT};
   VkPipelineShaderStageCreateInfo stages[PV_STAGE_COUNT];
   uint32_t n_stages = 0;
   for (int st = 0; st < PV_STAGE_COUNT; st++) {
      if (!r.modules[st])
         continue;
      stages[n_stages++] = (VkPipelineShaderStageCreateInfo){
         .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
         .stage = stage_bits[st],
         .module = r.modules[st],
         .pName = "main"};
   }
   /* draw rect: four vec3 positions at location 0. */
   VkVertexInputBindingDescription vb = {0, 3 * sizeof(float), VK_VERTEX_INPUT_RATE_VERTEX};
   VkVertexInputAttributeDescription va = {0, 0, VK_FORMAT_R32G32B32_SFLOAT, 0};
   VkPipelineVertexInputStateCreateInfo vi = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
      .vertexBindingDescriptionCount = rect,
      .pVertexBindingDescriptions = &vb,
      .vertexAttributeDescriptionCount = rect,
      .pVertexAttributeDescriptions = &va};
   VkPipelineInputAssemblyStateCreateInfo ia = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO, .topology = topology};
   VkPipelineTessellationStateCreateInfo ts = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_TESSELLATION_STATE_CREATE_INFO, .patchControlPoints = 3};
   VkViewport viewport = {0, 0, (float)r.s.width, (float)r.s.height, 0, 1};
   VkRect2D scissor = {{0, 0}, {r.s.width, r.s.height}};
   VkPipelineViewportStateCreateInfo vp = {.sType =
                                              VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
                                           .viewportCount = 1,
                                           .pViewports = &viewport,
                                           .scissorCount = 1,
                                           .pScissors = &scissor};
   VkPipelineRasterizationStateCreateInfo rs = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
      .polygonMode = VK_POLYGON_MODE_FILL,
      .cullMode = VK_CULL_MODE_NONE,
      .frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE,
      .lineWidth = 1.0f};
   VkPipelineMultisampleStateCreateInfo ms = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
      .rasterizationSamples = VK_SAMPLE_COUNT_1_BIT};
   VkPipelineColorBlendAttachmentState cba = {
      .colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT |
                        VK_COLOR_COMPONENT_B_BIT | VK_COLOR_COMPONENT_A_BIT};
   VkPipelineColorBlendStateCreateInfo cb = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &cba};
   bool tess = r.modules[PV_STAGE_TESS_CTRL] || r.modules[PV_STAGE_TESS_EVAL];
   VkGraphicsPipelineCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
                                      .stageCount = n_stages,
                                      .pStages = stages,
                                      .pVertexInputState = &vi,
                                      .pInputAssemblyState = &ia,
                                      .pTessellationState = tess ? &ts : NULL,
                                      .pViewportState = &vp,
                                      .pRasterizationState = &rs,
                                      .pMultisampleState = &ms,
                                      .pColorBlendState = &cb,
                                      .layout = r.layout,
                                      .renderPass = r.render_pass};
   struct pipeline *p = &r.pipelines[r.n_pipelines++];
   p->topology = topology;
   p->rect = rect;
   CHECK(vkCreateGraphicsPipelines(r.device, VK_NULL_HANDLE, 1, &ci, NULL, &p->pipeline));
   return p->pipeline;
}

static void
image_barrier(VkImageLayout from, VkImageLayout to, VkPipelineStageFlags src_stage,
              VkAccessFlags src_access, VkPipelineStageFlags dst_stage, VkAccessFlags dst_access)
{
   VkImageMemoryBarrier b = {.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
                             .srcAccessMask = src_access,
                             .dstAccessMask = dst_access,
                             .oldLayout = from,
                             .newLayout = to,
                             .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                             .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                             .image = r.image,
                             .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1}};
   vkCmdPipelineBarrier(r.cmd, src_stage, dst_stage, 0, 0, NULL, 0, NULL, 1, &b);
}

static void
begin_commands(void)
{
   if (r.recording)
      return;
   if (!r.cmd) {
      VkCommandPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                     .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                     .queueFamilyIndex = r.queue_family};
      CHECK(vkCreateCommandPool(r.device, &pci, NULL, &r.pool));
      VkCommandBufferAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                        .commandPool = r.pool,
                                        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                        .commandBufferCount = 1};
      CHECK(vkAllocateCommandBuffers(r.device, &ai, &r.cmd));
      VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
      CHECK(vkCreateFence(r.device, &fci, NULL, &r.fence));
   }
   VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
                                  .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT};
   CHECK(vkBeginCommandBuffer(r.cmd, &bi));
   r.recording = true;
   VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                         .srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT,
                         .dstAccessMask = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT};
   vkCmdPipelineBarrier(r.cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                        VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, 0, 1, &mb, 0, NULL, 0, NULL);
   if (!r.image_ready) {
      /* The framebuffer's contents start undefined, as in VkRunner, until the first clear. */
      image_barrier(VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                    VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0,
                    VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                    VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT);
      r.image_ready = true;
   }
}

static void
begin_render_pass(void)
{
   begin_commands();
   if (r.in_render_pass)
      return;
   VkRenderPassBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
                               .renderPass = r.render_pass,
                               .framebuffer = r.framebuffer,
                               .renderArea = {{0, 0}, {r.s.width, r.s.height}}};
   vkCmdBeginRenderPass(r.cmd, &bi, VK_SUBPASS_CONTENTS_INLINE);
   r.in_render_pass = true;
}

/* Submits what was recorded and waits; with readback, copies the image into r.readback first. */
static void
flush(bool readback)
{
   if (!r.recording && !readback)
      return;
   begin_commands();
   if (r.in_render_pass) {
      vkCmdEndRenderPass(r.cmd);
      r.in_render_pass = false;
   }
   if (readback) {
      image_barrier(VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                    VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                    VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_TRANSFER_READ_BIT);
      VkBufferImageCopy region = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
                                  .imageExtent = {r.s.width, r.s.height, 1}};
      vkCmdCopyImageToBuffer(r.cmd, r.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                             r.readback.buffer, 1, &region);
      image_barrier(VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                    VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                    VK_ACCESS_COLOR_ATTACHMENT_READ_BIT | VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT);
      VkMemoryBarrier mb = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                            .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
                            .dstAccessMask = VK_ACCESS_HOST_READ_BIT};
      vkCmdPipelineBarrier(r.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 1,
                           &mb, 0, NULL, 0, NULL);
   }
   CHECK(vkEndCommandBuffer(r.cmd));
   VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &r.cmd};
   CHECK(vkQueueSubmit(r.queue, 1, &si, r.fence));
   CHECK(vkWaitForFences(r.device, 1, &r.fence, VK_TRUE, UINT64_MAX));
   CHECK(vkResetFences(r.device, 1, &r.fence));
   CHECK(vkResetCommandBuffer(r.cmd, 0));
   r.recording = false;
   r.vertices_used = 0;
}

static void
bind(VkPipeline pipeline)
{
   vkCmdBindPipeline(r.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
   if (r.set) {
      vkCmdBindDescriptorSets(r.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, r.layout, 0, 1, &r.set, 0,
                              NULL);
   }
}

static void
draw_rect(const struct pv_command *c)
{
   const uint32_t size = 4 * 3 * sizeof(float);
   if (r.vertices_used + size > VERTEX_BUFFER_SIZE)
      flush(false);
   VkPipeline pipeline = get_pipeline(VK_PRIMITIVE_TOPOLOGY_TRIANGLE_STRIP, true);
   float x = c->u.rect.x, y = c->u.rect.y, w = c->u.rect.w, h = c->u.rect.h;
   const float v[12] = {x, y, 0, x + w, y, 0, x, y + h, 0, x + w, y + h, 0};
   VkDeviceSize offset = r.vertices_used;
   memcpy((char *)r.vertices.map + offset, v, size);
   r.vertices_used += size;
   begin_render_pass();
   bind(pipeline);
   vkCmdBindVertexBuffers(r.cmd, 0, 1, &r.vertices.buffer, &offset);
   vkCmdDraw(r.cmd, 4, 1, 0, 0);
}

static void
load_pixel(const uint8_t *p, double out[4])
{
   bool bgra = r.s.format == VK_FORMAT_B8G8R8A8_UNORM;
   out[0] = p[bgra ? 2 : 0] / 255.0;
   out[1] = p[1] / 255.0;
   out[2] = p[bgra ? 0 : 2] / 255.0;
   out[3] = p[3] / 255.0;
}

/* Returns NULL when every pixel of the probed rectangle matches, else a message. */
static const char *
probe(const struct pv_command *c, char *msg, size_t msg_size)
{
   flush(true);
   for (int y = c->u.probe.y; y < c->u.probe.y + c->u.probe.h; y++) {
      for (int x = c->u.probe.x; x < c->u.probe.x + c->u.probe.w; x++) {
         double px[4];
         load_pixel((const uint8_t *)r.readback.map + ((size_t)y * r.s.width + x) * 4, px);
         for (int k = 0; k < c->u.probe.n_components; k++) {
            double want = c->u.probe.color[k], tol = c->u.probe.tolerance[k];
            double limit = c->u.probe.percent ? fabs(tol / 100.0 * want) : tol;
            if (fabs(px[k] - want) <= limit)
               continue;
            snprintf(msg, msg_size,
                     "line %d: probe at (%d, %d): expected (%g, %g, %g, %g), observed (%g, %g, "
                     "%g, %g)",
                     c->line, x, y, c->u.probe.color[0], c->u.probe.color[1], c->u.probe.color[2],
                     c->u.probe.n_components == 4 ? c->u.probe.color[3] : 0, px[0], px[1], px[2],
                     px[3]);
            return msg;
         }
      }
   }
   return NULL;
}

const char *
execute_script(char *msg, size_t msg_size)
{
   for (size_t i = 0; i < r.s.n_commands; i++) {
      const struct pv_command *c = &r.s.commands[i];
      switch (c->op) {
      case PV_OP_CLEAR_COLOR:
         memcpy(r.clear_color, c->u.color, sizeof(r.clear_color));
         break;
      case PV_OP_CLEAR: {
         begin_render_pass();
         VkClearAttachment att = {.aspectMask = VK_IMAGE_ASPECT_COLOR_BIT, .colorAttachment = 0};
         memcpy(att.clearValue.color.float32, r.clear_color, sizeof(r.clear_color));
         VkClearRect rect = {{{0, 0}, {r.s.width, r.s.height}}, 0, 1};
         vkCmdClearAttachments(r.cmd, 1, &att, 1, &rect);
         break;
      }
      case PV_OP_DRAW_RECT:
         draw_rect(c);
         break;
      case PV_OP_DRAW_ARRAYS: {
         VkPipeline pipeline = get_pipeline(c->u.draw.topology, false);
         begin_render_pass();
         bind(pipeline);
         vkCmdDraw(r.cmd, c->u.draw.count, c->u.draw.instances, c->u.draw.first, 0);
         break;
      }
      case PV_OP_BUFFER_SUBDATA:
         flush(false);
         memcpy((char *)r.buffers[c->u.subdata.buffer].map + c->u.subdata.offset, c->u.subdata.data,
                c->u.subdata.size);
         break;
      case PV_OP_PROBE: {
         const char *failure = probe(c, msg, msg_size);
         if (failure)
            return failure;
         break;
      }
      }
   }
   flush(false);
   return NULL;
}

void
teardown(void)
{
   if (!r.device)
      return;
   CHECK(vkDeviceWaitIdle(r.device));
   if (r.cmd) {
      vkDestroyFence(r.device, r.fence, NULL);
      vkDestroyCommandPool(r.device, r.pool, NULL);
   }
   for (unsigned i = 0; i < r.n_pipelines; i++)
      vkDestroyPipeline(r.device, r.pipelines[i].pipeline, NULL);
   for (int st = 0; st < PV_STAGE_COUNT; st++) {
      if (r.modules[st])
         vkDestroyShaderModule(r.device, r.modules[st], NULL);
   }
   vkDestroyPipelineLayout(r.device, r.layout, NULL);
   if (r.set_layout) {
      vkDestroyDescriptorPool(r.device, r.descriptor_pool, NULL);
      vkDestroyDescriptorSetLayout(r.device, r.set_layout, NULL);
   }
   for (unsigned i = 0; i < r.s.n_buffers; i++) {
      vkUnmapMemory(r.device, r.buffers[i].memory);
      vkDestroyBuffer(r.device, r.buffers[i].buffer, NULL);
      vkFreeMemory(r.device, r.buffers[i].memory, NULL);
   }
   struct buffer *own[] = {&r.readback, &r.vertices};
   for (unsigned i = 0; i < ARRAY_SIZE(own); i++) {
      vkUnmapMemory(r.device, own[i]->memory);
      vkDestroyBuffer(r.device, own[i]->buffer, NULL);
      vkFreeMemory(r.device, own[i]->memory, NULL);
   }
   vkDestroyFramebuffer(r.device, r.framebuffer, NULL);
   vkDestroyRenderPass(r.device, r.render_pass, NULL);
   vkDestroyImageView(r.device, r.view, NULL);
   vkDestroyImage(r.device, r.image, NULL);
   vkFreeMemory(r.device, r.image_memory, NULL);
   vkDestroyDevice(r.device, NULL);
   if (r.messenger) {
      PFN_vkDestroyDebugUtilsMessengerEXT destroy = (PFN_vkDestroyDebugUtilsMessengerEXT)(void (*)(
         void))vkGetInstanceProcAddr(r.instance, "vkDestroyDebugUtilsMessengerEXT");
      if (destroy)
         destroy(r.instance, r.messenger, NULL);
   }
   vkDestroyInstance(r.instance, NULL);
   r.device = VK_NULL_HANDLE;
}
