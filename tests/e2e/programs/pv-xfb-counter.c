/* SPDX-License-Identifier: MIT */
/*
 * pv-xfb-counter: transform feedback resumed from counter words, legal and hostile.
 *
 * vkCmdBeginTransformFeedbackEXT with a counter buffer resumes capture at the byte offset the
 * counter word holds, a word in guest memory read when the command runs; capture past the
 * bound range writes nothing. lavapipe takes the word as llvmpipe's write offset under a 32-bit
 * bound that wraps, so a word near 2^32 wrote about 4 GiB past the buffer (a native run on
 * lavapipe crashes or corrupts its heap). Through PearVisor the begin reads the device's own
 * copy of the word's low 3 bytes (src/vk/xfb_counters.c).
 *
 * Three captures of one triangle (three vec4 positions, 16 bytes each) into a 256-byte
 * transform feedback buffer filled with FILL:
 *   1. no counter buffer: the positions at offset 0, the counter then 48;
 *   2. resumed from that counter (48): the positions at 48..96, the counter then 96;
 *   3. resumed from a hostile counter word 0xfffffff0: nothing written anywhere in the buffer,
 *      and the device keeps working (capture 2 again, on a fresh counter, is right).
 * A run through the server must pass with both guests; a native run on lavapipe is the bug.
 */
#include "pv_common.h"

#include <stdio.h>
#include <string.h>

#include "xfb_vert_spv.h"

#define XFB_SIZE 256u
#define FILL 0xa5u
#define HOSTILE_COUNTER 0xfffffff0u
#define FB 16u

static struct pv_ctx c;
static PFN_vkCmdBindTransformFeedbackBuffersEXT bind_xfb;
static PFN_vkCmdBeginTransformFeedbackEXT begin_xfb;
static PFN_vkCmdEndTransformFeedbackEXT end_xfb;

static VkShaderModule module;
static VkPipelineLayout layout;

static const float triangle[12] = {-1, -1, 0, 1, 3, -1, 0, 1, -1, 3, 0, 1};

/* A render pass of no attachments, a framebuffer of FB x FB, and a pipeline that captures the
 * positions with rasterization discarded. */
static void
pipeline_init(VkRenderPass *rp, VkFramebuffer *fb, VkPipeline *pipe)
{
   const VkSubpassDescription sub = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS};
   const VkRenderPassCreateInfo rpci = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO, .subpassCount = 1, .pSubpasses = &sub};
   PV_CHECK(vkCreateRenderPass(c.device, &rpci, NULL, rp));
   const VkFramebufferCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
                                        .renderPass = *rp,
                                        .width = FB,
                                        .height = FB,
                                        .layers = 1};
   PV_CHECK(vkCreateFramebuffer(c.device, &fci, NULL, fb));
   module = pv_shader_module(&c, pv_xfb_vert_spv, sizeof(pv_xfb_vert_spv));
   const VkPipelineShaderStageCreateInfo stage = {
      VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
      NULL,
      0,
      VK_SHADER_STAGE_VERTEX_BIT,
      module,
      "main",
      NULL};
   const VkVertexInputBindingDescription binding = {0, 16, VK_VERTEX_INPUT_RATE_VERTEX};
   const VkVertexInputAttributeDescription attr = {0, 0, VK_FORMAT_R32G32B32A32_SFLOAT, 0};
   const VkPipelineVertexInputStateCreateInfo vi = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
      .vertexBindingDescriptionCount = 1,
      .pVertexBindingDescriptions = &binding,
      .vertexAttributeDescriptionCount = 1,
      .pVertexAttributeDescriptions = &attr};
   const VkPipelineInputAssemblyStateCreateInfo ia = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
      .topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST};
   const VkViewport viewport = {0, 0, FB, FB, 0, 1};
   const VkRect2D scissor = {{0, 0}, {FB, FB}};
   const VkPipelineViewportStateCreateInfo vp = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO,
      .viewportCount = 1,
      .pViewports = &viewport,
      .scissorCount = 1,
      .pScissors = &scissor};
   const VkPipelineRasterizationStateCreateInfo rs = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO,
      .rasterizerDiscardEnable = VK_TRUE,
      .polygonMode = VK_POLYGON_MODE_FILL,
      .cullMode = VK_CULL_MODE_NONE,
      .lineWidth = 1.0f};
   const VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
   PV_CHECK(vkCreatePipelineLayout(c.device, &plci, NULL, &layout));
   const VkGraphicsPipelineCreateInfo gci = {.sType =
                                                VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
                                             .stageCount = 1,
                                             .pStages = &stage,
                                             .pVertexInputState = &vi,
                                             .pInputAssemblyState = &ia,
                                             .pViewportState = &vp,
                                             .pRasterizationState = &rs,
                                             .layout = layout,
                                             .renderPass = *rp};
   PV_CHECK(vkCreateGraphicsPipelines(c.device, VK_NULL_HANDLE, 1, &gci, NULL, pipe));
}

/* One capture of the triangle into xfb (its whole size), resumed from `counter` when given,
 * which then holds where capture ended. */
static void
capture(VkRenderPass rp, VkFramebuffer fb, VkPipeline pipe, const struct pv_buffer *vb,
        const struct pv_buffer *xfb, const struct pv_buffer *counter)
{
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   const VkRenderPassBeginInfo rpbi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
                                       .renderPass = rp,
                                       .framebuffer = fb,
                                       .renderArea = {{0, 0}, {FB, FB}}};
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipe);
   const VkDeviceSize zero = 0, size = XFB_SIZE;
   vkCmdBindVertexBuffers(cmd, 0, 1, &vb->buffer, &zero);
   bind_xfb(cmd, 0, 1, &xfb->buffer, &zero, &size);
   begin_xfb(cmd, 0, counter ? 1 : 0, counter ? &counter->buffer : NULL, counter ? &zero : NULL);
   vkCmdDraw(cmd, 3, 1, 0, 0);
   end_xfb(cmd, 0, counter ? 1 : 0, counter ? &counter->buffer : NULL, counter ? &zero : NULL);
   vkCmdEndRenderPass(cmd);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                     VK_ACCESS_TRANSFORM_FEEDBACK_WRITE_BIT_EXT |
                        VK_ACCESS_TRANSFORM_FEEDBACK_COUNTER_WRITE_BIT_EXT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);
}

/* Every byte of xfb is FILL except the triangle's 48 at `at` (none when at is XFB_SIZE). */
static void
expect_capture(const struct pv_buffer *xfb, uint32_t at, const char *what)
{
   const uint8_t *p = xfb->map;
   for (uint32_t i = 0; i < XFB_SIZE; i++) {
      bool captured = i >= at && i < at + sizeof(triangle);
      uint8_t want = captured ? ((const uint8_t *)triangle)[i - at] : FILL;
      if (p[i] != want)
         pv_fail("%s: byte %u of the transform feedback buffer is 0x%02x, want 0x%02x", what, i,
                 p[i], want);
   }
}

static void
expect_counter(const struct pv_buffer *counter, uint32_t want, const char *what)
{
   uint32_t got;
   memcpy(&got, counter->map, sizeof(got));
   if (got != want)
      pv_fail("%s: the counter holds %u, want %u", what, got, want);
}

int
main(void)
{
   VkPhysicalDeviceTransformFeedbackFeaturesEXT xfb_features = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TRANSFORM_FEEDBACK_FEATURES_EXT,
      .transformFeedback = VK_TRUE};
   const struct pv_init_options opts = {.device_pnext = &xfb_features,
                                        .optional_extension =
                                           VK_EXT_TRANSFORM_FEEDBACK_EXTENSION_NAME};
   pv_init(&c, "pv-xfb-counter", &opts);
   if (!c.optional_enabled)
      pv_fail("the device offers no VK_EXT_transform_feedback");
   bind_xfb = (PFN_vkCmdBindTransformFeedbackBuffersEXT)vkGetDeviceProcAddr(
      c.device, "vkCmdBindTransformFeedbackBuffersEXT");
   begin_xfb = (PFN_vkCmdBeginTransformFeedbackEXT)vkGetDeviceProcAddr(
      c.device, "vkCmdBeginTransformFeedbackEXT");
   end_xfb = (PFN_vkCmdEndTransformFeedbackEXT)vkGetDeviceProcAddr(c.device,
                                                                   "vkCmdEndTransformFeedbackEXT");
   if (!bind_xfb || !begin_xfb || !end_xfb)
      pv_fail("no transform feedback entry points");
   const VkMemoryPropertyFlags host =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   struct pv_buffer vb, xfb, counter;
   pv_buffer_create(&c, &vb, sizeof(triangle), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, host);
   memcpy(vb.map, triangle, sizeof(triangle));
   pv_buffer_create(&c, &xfb, XFB_SIZE, VK_BUFFER_USAGE_TRANSFORM_FEEDBACK_BUFFER_BIT_EXT, host);
   pv_buffer_create(&c, &counter, 16, VK_BUFFER_USAGE_TRANSFORM_FEEDBACK_COUNTER_BUFFER_BIT_EXT,
                    host);
   VkRenderPass rp;
   VkFramebuffer fb;
   VkPipeline pipe;
   pipeline_init(&rp, &fb, &pipe);

   memset(xfb.map, FILL, XFB_SIZE);
   memset(counter.map, 0, 16);
   capture(rp, fb, pipe, &vb, &xfb, &counter);
   expect_capture(&xfb, 0, "capture from counter 0");
   expect_counter(&counter, sizeof(triangle), "capture from counter 0");

   memset(xfb.map, FILL, XFB_SIZE);
   capture(rp, fb, pipe, &vb, &xfb, &counter);
   expect_capture(&xfb, sizeof(triangle), "capture resumed at 48");
   expect_counter(&counter, 2 * sizeof(triangle), "capture resumed at 48");

   memset(xfb.map, FILL, XFB_SIZE);
   const uint32_t hostile = HOSTILE_COUNTER;
   memcpy(counter.map, &hostile, sizeof(hostile));
   capture(rp, fb, pipe, &vb, &xfb, &counter);
   expect_capture(&xfb, XFB_SIZE, "capture resumed at 0xfffffff0");

   memset(xfb.map, FILL, XFB_SIZE);
   memset(counter.map, 0, 16);
   capture(rp, fb, pipe, &vb, &xfb, NULL);
   expect_capture(&xfb, 0, "capture without a counter after the hostile one");

   vkDestroyPipeline(c.device, pipe, NULL);
   vkDestroyPipelineLayout(c.device, layout, NULL);
   vkDestroyShaderModule(c.device, module, NULL);
   vkDestroyFramebuffer(c.device, fb, NULL);
   vkDestroyRenderPass(c.device, rp, NULL);
   pv_buffer_destroy(&c, &vb);
   pv_buffer_destroy(&c, &xfb);
   pv_buffer_destroy(&c, &counter);
   pv_fini(&c);
   pv_pass(&c,
           "transform feedback from counters 0 and 48 captured where they say; a counter "
           "word of 0x%08x wrote nothing",
           HOSTILE_COUNTER);
   return 0;
}
