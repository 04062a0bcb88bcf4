/* SPDX-License-Identifier: MIT */
/*
 * pv-gs-strip: strip geometry shaders that end primitives of one vertex.
 *
 * Legal Vulkan, and on lavapipe a heap write: llvmpipe lists a geometry shader's primitives by
 * the decomposed primitives of its OutputVertices (a triangle strip of 3 vertices: one a
 * point), while a shader may end one primitive per vertex. Through PearVisor lavapipe compiles
 * such a module bounded (src/vk/spirv_bound.c); the rendering must be what the guest asked for.
 * A native run on lavapipe is the bug (tests/fault/run-valgrind shows it in the server without
 * the bound), so this runs through the server, and natively on other drivers.
 *
 * One render pass over a 64 x 64 frame, 64 points, one per cell of an 8 x 8 grid, drawn with
 * three pipelines (shaders/strip_*.geom):
 *   short: a triangle strip of 3 that ends three one-vertex primitives: nothing drawn;
 *   line:  a line strip of 2 that ends two one-vertex primitives: nothing drawn;
 *   mixed: a triangle strip of 6: a one-vertex primitive, the cell's left half as a strip of
 *          4 emitted in a loop, another one-vertex primitive.
 * Every pixel of a cell's left half must be white and every other pixel black.
 *
 * pv-gs-strip --without-feature: the same pipelines on a device created without geometryShader
 * (VUID-VkPipelineShaderStageCreateInfo-stage-00704; lavapipe compiles them all the same): the
 * renderer refuses them, and the guest is told: the submission's fence wait reports
 * VK_ERROR_DEVICE_LOST (Mesa 25.0.7: its calls fail once the ring is FATAL).
 */
#include "pv_common.h"

#include <stdio.h>
#include <string.h>

#include "strip_frag_spv.h"
#include "strip_line_geom_spv.h"
#include "strip_mixed_geom_spv.h"
#include "strip_short_geom_spv.h"
#include "strip_vert_spv.h"

#define FB 64u
#define CELL 8u
#define POINTS 64u

static struct pv_ctx c;

static VkRenderPass
render_pass(void)
{
   const VkAttachmentDescription att = {0,
                                        VK_FORMAT_R8G8B8A8_UNORM,
                                        VK_SAMPLE_COUNT_1_BIT,
                                        VK_ATTACHMENT_LOAD_OP_CLEAR,
                                        VK_ATTACHMENT_STORE_OP_STORE,
                                        VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                        VK_ATTACHMENT_STORE_OP_DONT_CARE,
                                        VK_IMAGE_LAYOUT_UNDEFINED,
                                        VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL};
   const VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   const VkSubpassDescription sub = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
                                     .colorAttachmentCount = 1,
                                     .pColorAttachments = &ref};
   const VkSubpassDependency dep = {0,
                                    VK_SUBPASS_EXTERNAL,
                                    VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
                                    VK_PIPELINE_STAGE_TRANSFER_BIT,
                                    VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
                                    VK_ACCESS_TRANSFER_READ_BIT,
                                    0};
   const VkRenderPassCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
                                      .attachmentCount = 1,
                                      .pAttachments = &att,
                                      .subpassCount = 1,
                                      .pSubpasses = &sub,
                                      .dependencyCount = 1,
                                      .pDependencies = &dep};
   VkRenderPass rp;
   PV_CHECK(vkCreateRenderPass(c.device, &ci, NULL, &rp));
   return rp;
}

/* Points through the vertex shader `vs`, geometry shader `gs` and the white fragment shader. */
static VkPipeline
pipeline(VkRenderPass rp, VkPipelineLayout layout, VkShaderModule vs, VkShaderModule gs,
         VkShaderModule fs)
{
   const VkPipelineShaderStageCreateInfo stages[3] = {
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_VERTEX_BIT, vs,
       "main", NULL},
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_GEOMETRY_BIT,
       gs, "main", NULL},
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_FRAGMENT_BIT,
       fs, "main", NULL},
   };
   const VkPipelineVertexInputStateCreateInfo vi = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO};
   const VkPipelineInputAssemblyStateCreateInfo ia = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
      .topology = VK_PRIMITIVE_TOPOLOGY_POINT_LIST};
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
      .polygonMode = VK_POLYGON_MODE_FILL,
      .cullMode = VK_CULL_MODE_NONE,
      .lineWidth = 1.0f};
   const VkPipelineMultisampleStateCreateInfo ms = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
      .rasterizationSamples = VK_SAMPLE_COUNT_1_BIT};
   const VkPipelineColorBlendAttachmentState blend = {.colorWriteMask = 0xf};
   const VkPipelineColorBlendStateCreateInfo cb = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &blend};
   const VkGraphicsPipelineCreateInfo ci = {.sType =
                                               VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
                                            .stageCount = 3,
                                            .pStages = stages,
                                            .pVertexInputState = &vi,
                                            .pInputAssemblyState = &ia,
                                            .pViewportState = &vp,
                                            .pRasterizationState = &rs,
                                            .pMultisampleState = &ms,
                                            .pColorBlendState = &cb,
                                            .layout = layout,
                                            .renderPass = rp};
   VkPipeline p;
   PV_CHECK(vkCreateGraphicsPipelines(c.device, VK_NULL_HANDLE, 1, &ci, NULL, &p));
   return p;
}

/* White exactly on every cell's left half. */
static void
expect_frame(const uint8_t *rgba)
{
   uint32_t white = 0;
   for (uint32_t y = 0; y < FB; y++)
      for (uint32_t x = 0; x < FB; x++) {
         const uint8_t *p = rgba + 4 * (y * FB + x);
         bool want = x % CELL < CELL / 2;
         uint8_t v = want ? 0xff : 0;
         if (p[0] != v || p[1] != v || p[2] != v || p[3] != v)
            pv_fail("pixel (%u, %u) is %02x%02x%02x%02x, want %s", x, y, p[0], p[1], p[2], p[3],
                    want ? "white" : "black");
         white += want;
      }
   if (white != FB * FB / 2)
      pv_fail("%u white pixels, want %u", white, FB * FB / 2);
}

/* The pipelines were refused (--without-feature): an empty submission's fence says so. */
static void
expect_lost(void)
{
   VkResult r = pv_fence_round_trip(&c);
   /* Mesa 25.0.7 fails every call on a ring the renderer marked FATAL, with
    * VK_ERROR_OUT_OF_HOST_MEMORY; 22.3.6 reads VK_ERROR_DEVICE_LOST from its fence */
   if (r != VK_ERROR_DEVICE_LOST && r != VK_ERROR_OUT_OF_HOST_MEMORY)
      pv_fail("geometry pipelines on a device without geometryShader: the fence wait returned "
              "%s, not VK_ERROR_DEVICE_LOST",
              pv_result_name(r));
   pv_pass(&c, "geometry pipelines on a device without geometryShader: refused, the guest told");
}

int
main(int argc, char **argv)
{
   bool without = argc > 1 && strcmp(argv[1], "--without-feature") == 0;
   VkPhysicalDeviceFeatures2 features = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                         .features = {.geometryShader = !without}};
   const struct pv_init_options opts = {.device_pnext = &features};
   pv_init(&c, "pv-gs-strip", &opts);

   VkDeviceMemory image_mem;
   const VkImageCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
                                  .imageType = VK_IMAGE_TYPE_2D,
                                  .format = VK_FORMAT_R8G8B8A8_UNORM,
                                  .extent = {FB, FB, 1},
                                  .mipLevels = 1,
                                  .arrayLayers = 1,
                                  .samples = VK_SAMPLE_COUNT_1_BIT,
                                  .tiling = VK_IMAGE_TILING_OPTIMAL,
                                  .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
                                           VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                                  .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
   VkImage image = pv_image_create(&c, &ici, &image_mem);
   const VkImageViewCreateInfo vci = {.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
                                      .image = image,
                                      .viewType = VK_IMAGE_VIEW_TYPE_2D,
                                      .format = VK_FORMAT_R8G8B8A8_UNORM,
                                      .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1}};
   VkImageView view;
   PV_CHECK(vkCreateImageView(c.device, &vci, NULL, &view));
   VkRenderPass rp = render_pass();
   const VkFramebufferCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
                                        .renderPass = rp,
                                        .attachmentCount = 1,
                                        .pAttachments = &view,
                                        .width = FB,
                                        .height = FB,
                                        .layers = 1};
   VkFramebuffer fb;
   PV_CHECK(vkCreateFramebuffer(c.device, &fci, NULL, &fb));
   const VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
   VkPipelineLayout layout;
   PV_CHECK(vkCreatePipelineLayout(c.device, &plci, NULL, &layout));

   VkShaderModule vs = pv_shader_module(&c, pv_strip_vert_spv, sizeof(pv_strip_vert_spv));
   VkShaderModule fs = pv_shader_module(&c, pv_strip_frag_spv, sizeof(pv_strip_frag_spv));
   const struct {
      const uint32_t *code;
      size_t size;
   } gs[3] = {
      {pv_strip_short_geom_spv, sizeof(pv_strip_short_geom_spv)},
      {pv_strip_line_geom_spv, sizeof(pv_strip_line_geom_spv)},
      {pv_strip_mixed_geom_spv, sizeof(pv_strip_mixed_geom_spv)},
   };
   VkShaderModule gsm[3];
   VkPipeline pipe[3];
   for (int i = 0; i < 3; i++) {
      gsm[i] = pv_shader_module(&c, gs[i].code, gs[i].size);
      pipe[i] = pipeline(rp, layout, vs, gsm[i], fs);
   }
   if (without) {
      expect_lost();
      return 0;
   }

   struct pv_buffer readback;
   pv_buffer_create(&c, &readback, FB * FB * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   const VkClearValue black = {.color = {.float32 = {0, 0, 0, 0}}};
   const VkRenderPassBeginInfo rpbi = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
                                       .renderPass = rp,
                                       .framebuffer = fb,
                                       .renderArea = {{0, 0}, {FB, FB}},
                                       .clearValueCount = 1,
                                       .pClearValues = &black};
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
   for (int i = 0; i < 3; i++) {
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipe[i]);
      vkCmdDraw(cmd, POINTS, 1, 0, 0);
   }
   vkCmdEndRenderPass(cmd);
   const VkBufferImageCopy region = {.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
                                     .imageExtent = {FB, FB, 1}};
   vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1,
                          &region);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);
   expect_frame(readback.map);

   for (int i = 0; i < 3; i++) {
      vkDestroyPipeline(c.device, pipe[i], NULL);
      vkDestroyShaderModule(c.device, gsm[i], NULL);
   }
   vkDestroyShaderModule(c.device, vs, NULL);
   vkDestroyShaderModule(c.device, fs, NULL);
   vkDestroyPipelineLayout(c.device, layout, NULL);
   vkDestroyFramebuffer(c.device, fb, NULL);
   vkDestroyRenderPass(c.device, rp, NULL);
   vkDestroyImageView(c.device, view, NULL);
   vkDestroyImage(c.device, image, NULL);
   vkFreeMemory(c.device, image_mem, NULL);
   pv_buffer_destroy(&c, &readback);
   pv_fini(&c);
   pv_pass(&c,
           "%u points through three strip geometry shaders ending one-vertex primitives: "
           "only the strips of 4 drawn",
           POINTS);
   return 0;
}
