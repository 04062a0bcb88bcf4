/* SPDX-License-Identifier: MIT */
/*
 * pv-graphics: an offscreen render. Vertex + index buffers, a sampled 8x8 texture (combined
 * image sampler, NEAREST), a depth test, a 4x MSAA colour attachment resolved into a
 * single-sample image, read back. Checks pixels whose value is exact (interiors of primitives,
 * the depth-tested overlap, background), prints an FNV-1a checksum of the image and, given a
 * path, writes it as a binary PPM (P6) so runs can be compared byte for byte.
 *
 * usage: pv-graphics [OUTPUT.ppm]
 */
#include "pv_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textured_frag_spv.h"
#include "textured_vert_spv.h"

#define W 128u
#define H 128u
#define TEX 8u

struct vertex {
   float pos[3], uv[2], color[3];
};

/* Drawn in this order with one indexed draw: a near textured quad, a far green-tinted quad
 * that overlaps it (hidden where they overlap: depth test LESS), a blue triangle in between. */
static const struct vertex vertices[] = {
   {{-0.5f, -0.5f, 0.25f}, {0, 0}, {1, 1, 1}},
   {{0.5f, -0.5f, 0.25f}, {1, 0}, {1, 1, 1}},
   {{0.5f, 0.5f, 0.25f}, {1, 1}, {1, 1, 1}},
   {{-0.5f, 0.5f, 0.25f}, {0, 1}, {1, 1, 1}},
   {{-0.9f, -0.1f, 0.75f}, {0, 0}, {0, 1, 0}},
   {{0.1f, -0.1f, 0.75f}, {1, 0}, {0, 1, 0}},
   {{0.1f, 0.9f, 0.75f}, {1, 1}, {0, 1, 0}},
   {{-0.9f, 0.9f, 0.75f}, {0, 1}, {0, 1, 0}},
   {{0.2f, -0.95f, 0.5f}, {0.0625f, 0.0625f}, {0, 0, 1}},
   {{0.95f, -0.2f, 0.5f}, {0.0625f, 0.0625f}, {0, 0, 1}},
   {{-0.3f, 0.95f, 0.5f}, {0.0625f, 0.0625f}, {0, 0, 1}},
};
static const uint16_t indices[] = {0, 1, 2, 2, 3, 0, 4, 5, 6, 6, 7, 4, 8, 9, 10};

static void
texel(uint32_t x, uint32_t y, uint8_t out[4])
{
   if (x == 0 && y == 0) {
      memset(out, 255, 4);
      return;
   }
   out[0] = (uint8_t)(x * 32 + 16);
   out[1] = (uint8_t)(y * 32 + 16);
   out[2] = (uint8_t)((x ^ y) * 32);
   out[3] = 255;
}

/* The pixel whose centre lies nearest to NDC (x, y). */
static uint32_t
pixel_index(float x, float y)
{
   uint32_t px = (uint32_t)((x + 1.0f) * W / 2), py = (uint32_t)((y + 1.0f) * H / 2);
   return py * W + px;
}

static VkImageView
make_view(const struct pv_ctx *c, VkImage image, VkFormat format, VkImageAspectFlags aspect)
{
   VkImageViewCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
      .image = image,
      .viewType = VK_IMAGE_VIEW_TYPE_2D,
      .format = format,
      .subresourceRange = {aspect, 0, 1, 0, 1},
   };
   VkImageView view;
   PV_CHECK(vkCreateImageView(c->device, &ci, NULL, &view));
   return view;
}

static VkImage
make_image(const struct pv_ctx *c, VkFormat format, uint32_t w, uint32_t h,
           VkSampleCountFlagBits samples, VkImageUsageFlags usage, VkDeviceMemory *mem)
{
   VkImageCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = format,
      .extent = {w, h, 1},
      .mipLevels = 1,
      .arrayLayers = 1,
      .samples = samples,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = usage,
      .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
   };
   return pv_image_create(c, &ci, mem);
}

static VkRenderPass
make_render_pass(const struct pv_ctx *c, VkFormat color, VkFormat depth)
{
   const VkAttachmentDescription att[3] = {
      {0, color, VK_SAMPLE_COUNT_4_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR,
       VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
       VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
       VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL},
      {0, depth, VK_SAMPLE_COUNT_4_BIT, VK_ATTACHMENT_LOAD_OP_CLEAR,
       VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
       VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
       VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL},
      {0, color, VK_SAMPLE_COUNT_1_BIT, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
       VK_ATTACHMENT_STORE_OP_STORE, VK_ATTACHMENT_LOAD_OP_DONT_CARE,
       VK_ATTACHMENT_STORE_OP_DONT_CARE, VK_IMAGE_LAYOUT_UNDEFINED,
       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL},
   };
   const VkAttachmentReference color_ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   const VkAttachmentReference depth_ref = {1, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
   const VkAttachmentReference resolve_ref = {2, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   const VkSubpassDescription sub = {
      .pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
      .colorAttachmentCount = 1,
      .pColorAttachments = &color_ref,
      .pResolveAttachments = &resolve_ref,
      .pDepthStencilAttachment = &depth_ref,
   };
   const VkSubpassDependency deps[2] = {
      {VK_SUBPASS_EXTERNAL, 0,
       VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT,
       VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT,
       0, VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT, 0},
      {0, VK_SUBPASS_EXTERNAL, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT,
       VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT,
       VK_ACCESS_TRANSFER_READ_BIT, 0},
   };
   const VkRenderPassCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
      .attachmentCount = 3,
      .pAttachments = att,
      .subpassCount = 1,
      .pSubpasses = &sub,
      .dependencyCount = 2,
      .pDependencies = deps,
   };
   VkRenderPass rp;
   PV_CHECK(vkCreateRenderPass(c->device, &ci, NULL, &rp));
   return rp;
}

static VkPipeline
make_pipeline(const struct pv_ctx *c, VkRenderPass rp, VkPipelineLayout layout, VkShaderModule vs,
              VkShaderModule fs)
{
   const VkPipelineShaderStageCreateInfo stages[2] = {
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_VERTEX_BIT, vs,
       "main", NULL},
      {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO, NULL, 0, VK_SHADER_STAGE_FRAGMENT_BIT,
       fs, "main", NULL},
   };
   const VkVertexInputBindingDescription binding = {0, sizeof(struct vertex),
                                                    VK_VERTEX_INPUT_RATE_VERTEX};
   const VkVertexInputAttributeDescription attrs[3] = {
      {0, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(struct vertex, pos)},
      {1, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(struct vertex, uv)},
      {2, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(struct vertex, color)},
   };
   const VkPipelineVertexInputStateCreateInfo vi = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO,
      .vertexBindingDescriptionCount = 1,
      .pVertexBindingDescriptions = &binding,
      .vertexAttributeDescriptionCount = 3,
      .pVertexAttributeDescriptions = attrs,
   };
   const VkPipelineInputAssemblyStateCreateInfo ia = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO,
      .topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST,
   };
   const VkViewport viewport = {0, 0, W, H, 0, 1};
   const VkRect2D scissor = {{0, 0}, {W, H}};
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
      .frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE,
      .lineWidth = 1.0f,
   };
   const VkPipelineMultisampleStateCreateInfo ms = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO,
      .rasterizationSamples = VK_SAMPLE_COUNT_4_BIT,
   };
   const VkPipelineDepthStencilStateCreateInfo ds = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO,
      .depthTestEnable = VK_TRUE,
      .depthWriteEnable = VK_TRUE,
      .depthCompareOp = VK_COMPARE_OP_LESS,
   };
   const VkPipelineColorBlendAttachmentState blend_att = {.colorWriteMask = 0xf};
   const VkPipelineColorBlendStateCreateInfo cb = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 1,
      .pAttachments = &blend_att,
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
      .pDepthStencilState = &ds,
      .pColorBlendState = &cb,
      .layout = layout,
      .renderPass = rp,
   };
   VkPipeline p;
   PV_CHECK(vkCreateGraphicsPipelines(c->device, VK_NULL_HANDLE, 1, &ci, NULL, &p));
   return p;
}

static void
expect_pixel(const uint8_t *rgba, float x, float y, const uint8_t want[3], const char *what)
{
   const uint8_t *p = rgba + 4 * (size_t)pixel_index(x, y);
   if (p[0] != want[0] || p[1] != want[1] || p[2] != want[2])
      pv_fail("%s at NDC (%.2f, %.2f): (%u, %u, %u), expected (%u, %u, %u)", what, x, y, p[0], p[1],
              p[2], want[0], want[1], want[2]);
}

int
main(int argc, char **argv)
{
   const char *ppm_path = argc > 1 ? argv[1] : NULL;
   struct pv_ctx c;
   pv_init(&c, "pv-graphics", NULL);
   const VkFormat color = VK_FORMAT_R8G8B8A8_UNORM, depth = VK_FORMAT_D32_SFLOAT;
   VkFormatProperties fp;
   vkGetPhysicalDeviceFormatProperties(c.phys, depth, &fp);
   if (!(fp.optimalTilingFeatures & VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT))
      pv_fail("D32_SFLOAT is not a depth attachment format here");
   if (!(c.props.limits.framebufferColorSampleCounts & VK_SAMPLE_COUNT_4_BIT) ||
       !(c.props.limits.framebufferDepthSampleCounts & VK_SAMPLE_COUNT_4_BIT))
      pv_fail("no 4x MSAA");

   const VkMemoryPropertyFlags host =
      VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
   struct pv_buffer vbuf, ibuf, staging, readback;
   pv_buffer_create(&c, &vbuf, sizeof(vertices), VK_BUFFER_USAGE_VERTEX_BUFFER_BIT, host);
   pv_buffer_create(&c, &ibuf, sizeof(indices), VK_BUFFER_USAGE_INDEX_BUFFER_BIT, host);
   pv_buffer_create(&c, &staging, TEX * TEX * 4, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, host);
   pv_buffer_create(&c, &readback, W * H * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, host);
   memcpy(vbuf.map, vertices, sizeof(vertices));
   memcpy(ibuf.map, indices, sizeof(indices));
   for (uint32_t y = 0; y < TEX; y++)
      for (uint32_t x = 0; x < TEX; x++)
         texel(x, y, (uint8_t *)staging.map + (y * TEX + x) * 4);

   VkDeviceMemory mem[4];
   VkImage tex = make_image(&c, color, TEX, TEX, VK_SAMPLE_COUNT_1_BIT,
                            VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT, &mem[0]);
   VkImage msaa = make_image(&c, color, W, H, VK_SAMPLE_COUNT_4_BIT,
                             VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT, &mem[1]);
   VkImage zbuf = make_image(&c, depth, W, H, VK_SAMPLE_COUNT_4_BIT,
                             VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, &mem[2]);
   VkImage resolved =
      make_image(&c, color, W, H, VK_SAMPLE_COUNT_1_BIT,
                 VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, &mem[3]);
   VkImageView views[4] = {
      make_view(&c, tex, color, VK_IMAGE_ASPECT_COLOR_BIT),
      make_view(&c, msaa, color, VK_IMAGE_ASPECT_COLOR_BIT),
      make_view(&c, zbuf, depth, VK_IMAGE_ASPECT_DEPTH_BIT),
      make_view(&c, resolved, color, VK_IMAGE_ASPECT_COLOR_BIT),
   };

   VkSamplerCreateInfo sci = {
      .sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
      .magFilter = VK_FILTER_NEAREST,
      .minFilter = VK_FILTER_NEAREST,
      .mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST,
      .addressModeU = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
      .addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
      .addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,
   };
   VkSampler sampler;
   PV_CHECK(vkCreateSampler(c.device, &sci, NULL, &sampler));
   const VkDescriptorSetLayoutBinding b = {0, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1,
                                           VK_SHADER_STAGE_FRAGMENT_BIT, NULL};
   const VkDescriptorSetLayoutCreateInfo dslci = {
      VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO, NULL, 0, 1, &b};
   VkDescriptorSetLayout dsl;
   PV_CHECK(vkCreateDescriptorSetLayout(c.device, &dslci, NULL, &dsl));
   const VkPipelineLayoutCreateInfo plci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &dsl,
   };
   VkPipelineLayout layout;
   PV_CHECK(vkCreatePipelineLayout(c.device, &plci, NULL, &layout));
   const VkDescriptorPoolSize ps = {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1};
   const VkDescriptorPoolCreateInfo dpci = {
      VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, NULL, 0, 1, 1, &ps};
   VkDescriptorPool dpool;
   PV_CHECK(vkCreateDescriptorPool(c.device, &dpci, NULL, &dpool));
   const VkDescriptorSetAllocateInfo dsai = {VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, NULL,
                                             dpool, 1, &dsl};
   VkDescriptorSet set;
   PV_CHECK(vkAllocateDescriptorSets(c.device, &dsai, &set));
   const VkDescriptorImageInfo dii = {sampler, views[0], VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
   const VkWriteDescriptorSet w = {
      .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
      .dstSet = set,
      .descriptorCount = 1,
      .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER,
      .pImageInfo = &dii,
   };
   vkUpdateDescriptorSets(c.device, 1, &w, 0, NULL);

   VkRenderPass rp = make_render_pass(&c, color, depth);
   const VkFramebufferCreateInfo fbci = {
      .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
      .renderPass = rp,
      .attachmentCount = 3,
      .pAttachments = &views[1],
      .width = W,
      .height = H,
      .layers = 1,
   };
   VkFramebuffer fb;
   PV_CHECK(vkCreateFramebuffer(c.device, &fbci, NULL, &fb));
   VkShaderModule vs = pv_shader_module(&c, pv_textured_vert_spv, sizeof(pv_textured_vert_spv));
   VkShaderModule fs = pv_shader_module(&c, pv_textured_frag_spv, sizeof(pv_textured_frag_spv));
   VkPipeline pipeline = make_pipeline(&c, rp, layout, vs, fs);

   VkCommandBuffer cmd = pv_cmd_begin(&c);
   pv_image_barrier(cmd, tex, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_UNDEFINED,
                    VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, 0,
                    VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT);
   const VkBufferImageCopy up = {
      0, 0, 0, {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1}, {0, 0, 0}, {TEX, TEX, 1}};
   vkCmdCopyBufferToImage(cmd, staging.buffer, tex, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &up);
   pv_image_barrier(cmd, tex, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, VK_PIPELINE_STAGE_TRANSFER_BIT,
                    VK_ACCESS_TRANSFER_WRITE_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                    VK_ACCESS_SHADER_READ_BIT);
   const VkClearValue clears[2] = {
      {.color = {.float32 = {25 / 255.0f, 51 / 255.0f, 76 / 255.0f, 1}}},
      {.depthStencil = {1.0f, 0}},
   };
   const VkRenderPassBeginInfo rpbi = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
      .renderPass = rp,
      .framebuffer = fb,
      .renderArea = {{0, 0}, {W, H}},
      .clearValueCount = 2,
      .pClearValues = clears,
   };
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, layout, 0, 1, &set, 0, NULL);
   const VkDeviceSize zero = 0;
   vkCmdBindVertexBuffers(cmd, 0, 1, &vbuf.buffer, &zero);
   vkCmdBindIndexBuffer(cmd, ibuf.buffer, 0, VK_INDEX_TYPE_UINT16);
   vkCmdDrawIndexed(cmd, PV_ARRAY_SIZE(indices), 1, 0, 0, 0);
   vkCmdEndRenderPass(cmd);
   const VkBufferImageCopy down = {0,         0,        0, {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1},
                                   {0, 0, 0}, {W, H, 1}};
   vkCmdCopyImageToBuffer(cmd, resolved, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1,
                          &down);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);

   /* Pixels with exact values. */
   const uint8_t *rgba = readback.map;
   uint8_t t[4];
   const uint8_t background[3] = {25, 51, 76}, blue[3] = {0, 0, 255};
   expect_pixel(rgba, 0.96f, 0.96f, background, "background");
   expect_pixel(rgba, -0.96f, -0.96f, background, "background");
   texel(4, 4, t);
   expect_pixel(rgba, 0.0f, 0.0f, t, "near quad over far quad and triangle (depth test)");
   texel(1, 1, t);
   expect_pixel(rgba, -0.37f, -0.37f, t, "near quad");
   texel(0, 7, t);
   const uint8_t green[3] = {0, t[1], 0};
   expect_pixel(rgba, -0.8f, 0.8f, green, "far quad");
   expect_pixel(rgba, 0.7f, -0.3f, blue, "triangle");
   expect_pixel(rgba, -0.1f, 0.6f, blue, "triangle over far quad (depth test)");

   /* The PPM and its checksum. */
   char header[32];
   int hlen = snprintf(header, sizeof(header), "P6\n%u %u\n255\n", W, H);
   size_t ppm_size = (size_t)hlen + W * H * 3;
   uint8_t *ppm = malloc(ppm_size);
   memcpy(ppm, header, (size_t)hlen);
   for (size_t i = 0; i < (size_t)W * H; i++)
      memcpy(ppm + hlen + 3 * i, rgba + 4 * i, 3);
   uint64_t hash = 0xcbf29ce484222325ull;
   for (size_t i = 0; i < ppm_size; i++)
      hash = (hash ^ ppm[i]) * 0x100000001b3ull;
   if (ppm_path) {
      FILE *f = fopen(ppm_path, "wb");
      if (!f || fwrite(ppm, 1, ppm_size, f) != ppm_size || fclose(f) != 0)
         pv_fail("cannot write %s", ppm_path);
   }

   vkDestroyPipeline(c.device, pipeline, NULL);
   vkDestroyShaderModule(c.device, vs, NULL);
   vkDestroyShaderModule(c.device, fs, NULL);
   vkDestroyFramebuffer(c.device, fb, NULL);
   vkDestroyRenderPass(c.device, rp, NULL);
   vkDestroyDescriptorPool(c.device, dpool, NULL);
   vkDestroyPipelineLayout(c.device, layout, NULL);
   vkDestroyDescriptorSetLayout(c.device, dsl, NULL);
   vkDestroySampler(c.device, sampler, NULL);
   for (int i = 0; i < 4; i++) {
      vkDestroyImageView(c.device, views[i], NULL);
   }
   VkImage images[4] = {tex, msaa, zbuf, resolved};
   for (int i = 0; i < 4; i++) {
      vkDestroyImage(c.device, images[i], NULL);
      vkFreeMemory(c.device, mem[i], NULL);
   }
   pv_buffer_destroy(&c, &vbuf);
   pv_buffer_destroy(&c, &ibuf);
   pv_buffer_destroy(&c, &staging);
   pv_buffer_destroy(&c, &readback);
   free(ppm);
   pv_fini(&c);
   pv_pass(&c, "%ux%u 4x MSAA resolved, 7 pixels exact, fnv1a64 %016llx%s%s", W, H,
           (unsigned long long)hash, ppm_path ? ", written to " : "", ppm_path ? ppm_path : "");
   return 0;
}
