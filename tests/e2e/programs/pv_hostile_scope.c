/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile cases of command-buffer state (pv_hostile.h): commands recorded where Vulkan does
 * not allow them, which the guest driver encodes as given. Only what the Mesa Venus guests
 * themselves survive is here: they track the render pass in the guest, so ending one never
 * begun or stepping past the last subpass would crash the guest program before the renderer
 * saw anything (unit test cmd_scope covers those on the wire).
 */
#include "pv_hostile.h"

#define SZ PV_HOSTILE_SIZE

enum scope_hostile {
   DRAW_NO_PIPELINE,
   DRAW_OUTSIDE_PASS,
   END_INSIDE_PASS,
   RENDER_AREA,  /* a render area 256x the framebuffer: lavapipe sizes its framebuffer by it */
   CLEAR_RECT,   /* vkCmdClearAttachments 8192 texels right of the 16x16 target */
   CLEAR_COLOR,  /* vkCmdClearAttachments of color attachment 7 of 1 */
   CLEAR_LAYERS, /* vkCmdClearAttachments of layers 0..63 of 1 */
   LIMIT_SCISSOR, /* vkCmdSetScissor of scissor 40, past every device's maxViewports */
   LIMIT_VERTEX_BINDING, /* vkCmdBindVertexBuffers at binding 4000 */
   /* a draw fetching from binding 0 with no vertex buffer bound in its command buffer, after
    * an earlier command buffer drew from a buffer since freed: lavapipe's context still holds
    * that buffer and would read its freed memory */
   VERTEX_UNBOUND,
};

/* A legal draw from `vb`, waited for; then `vb` is destroyed and its memory freed. */
static void
draw_then_free(struct pv_hostile *h, const struct pv_hostile_gfx *g, struct pv_buffer *vb)
{
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   pv_hostile_gfx_begin(cmd, g);
   const VkDeviceSize zero = 0;
   vkCmdBindVertexBuffers(cmd, 0, 1, &vb->buffer, &zero);
   vkCmdDraw(cmd, 3, 1, 0, 0);
   vkCmdEndRenderPass(cmd);
   pv_cmd_submit_wait(&h->c, cmd); /* frees the command buffer */
   pv_buffer_destroy(&h->c, vb);
}

/* The clear each CLEAR_* case records inside the render pass. */
static void
hostile_clear(VkCommandBuffer cmd, enum scope_hostile what)
{
   const VkClearAttachment att = {
      .aspectMask = VK_IMAGE_ASPECT_COLOR_BIT,
      .colorAttachment = what == CLEAR_COLOR ? 7 : 0,
      .clearValue = {.color = {.float32 = {1, 1, 1, 1}}},
   };
   const VkClearRect rect = {
      .rect = {{what == CLEAR_RECT ? 8192 : 0, 0}, {PV_HOSTILE_FB, PV_HOSTILE_FB}},
      .baseArrayLayer = 0,
      .layerCount = what == CLEAR_LAYERS ? 64 : 1,
   };
   vkCmdClearAttachments(cmd, 1, &att, 1, &rect);
}

static void
gfx_scope_case(struct pv_hostile *h, enum scope_hostile what)
{
   static struct pv_hostile_gfx g;
   static struct pv_buffer vb;
   pv_hostile_gfx_init(h, &g);
   pv_hostile_buffer(h, &vb, SZ, PV_HOSTILE_ALL_BUF, 0);
   pv_hostile_put_triangle(&vb, 0);
   pv_hostile_neighbours(h);
   if (what == VERTEX_UNBOUND)
      draw_then_free(h, &g, &vb);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkDeviceSize zero = 0;
   if (what == DRAW_OUTSIDE_PASS) {
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, g.pipe);
      vkCmdBindVertexBuffers(cmd, 0, 1, &vb.buffer, &zero);
      vkCmdDraw(cmd, 3, 1, 0, 0);
      pv_hostile_submit(h, cmd);
      return;
   }
   const VkClearValue clear = {.color = {.float32 = {0, 0, 0, 0}}};
   const VkRenderPassBeginInfo rpbi = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
      .renderPass = g.rp,
      .framebuffer = g.fb,
      .renderArea = {{0, 0},
                     what == RENDER_AREA
                        ? (VkExtent2D){PV_HOSTILE_FB * 16, PV_HOSTILE_FB * 16}
                        : (VkExtent2D){PV_HOSTILE_FB, PV_HOSTILE_FB}},
      .clearValueCount = 1,
      .pClearValues = &clear,
   };
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_INLINE);
   if (what != DRAW_NO_PIPELINE)
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, g.pipe);
   if (what != VERTEX_UNBOUND)
      vkCmdBindVertexBuffers(cmd, what == LIMIT_VERTEX_BINDING ? 4000 : 0, 1, &vb.buffer, &zero);
   if (what == LIMIT_SCISSOR) {
      const VkRect2D scissor = {{0, 0}, {PV_HOSTILE_FB, PV_HOSTILE_FB}};
      vkCmdSetScissor(cmd, 40, 1, &scissor);
   }
   vkCmdDraw(cmd, 3, 1, 0, 0);
   if (what >= CLEAR_RECT && what <= CLEAR_LAYERS)
      hostile_clear(cmd, what);
   if (what != END_INSIDE_PASS)
      vkCmdEndRenderPass(cmd);
   pv_hostile_submit(h, cmd); /* ends the command buffer */
}

void
pv_hostile_draw_no_pipeline(struct pv_hostile *h)
{
   gfx_scope_case(h, DRAW_NO_PIPELINE);
}

void
pv_hostile_draw_outside_pass(struct pv_hostile *h)
{
   gfx_scope_case(h, DRAW_OUTSIDE_PASS);
}

void
pv_hostile_end_inside_pass(struct pv_hostile *h)
{
   gfx_scope_case(h, END_INSIDE_PASS);
}

/* The compute kernel's set bound, no pipeline: the dispatch would run none. */
void
pv_hostile_dispatch_no_pipeline(struct pv_hostile *h)
{
   static struct pv_buffer src, dst;
   static struct pv_compute k;
   pv_hostile_compute_init(h, &k, 1);
   pv_hostile_buffer(h, &src, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0x01);
   pv_hostile_canary(h, &dst, SZ, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   VkDescriptorSet set = pv_hostile_compute_set(h, &k, (VkDescriptorBufferInfo){src.buffer, 0, SZ},
                                                (VkDescriptorBufferInfo){dst.buffer, 0, SZ});
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const uint32_t push[3] = {(uint32_t)(SZ / 4), 1, 0};
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.layout, 0, 1, &set, 0, NULL);
   vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
   vkCmdDispatch(cmd, 1, 1, 1);
   pv_hostile_submit(h, cmd);
}

void
pv_hostile_render_area(struct pv_hostile *h)
{
   gfx_scope_case(h, RENDER_AREA);
}

void
pv_hostile_clear_rect(struct pv_hostile *h)
{
   gfx_scope_case(h, CLEAR_RECT);
}

void
pv_hostile_clear_color(struct pv_hostile *h)
{
   gfx_scope_case(h, CLEAR_COLOR);
}

void
pv_hostile_clear_layers(struct pv_hostile *h)
{
   gfx_scope_case(h, CLEAR_LAYERS);
}

void
pv_hostile_limit_scissor(struct pv_hostile *h)
{
   gfx_scope_case(h, LIMIT_SCISSOR);
}

void
pv_hostile_limit_vertex_binding(struct pv_hostile *h)
{
   gfx_scope_case(h, LIMIT_VERTEX_BINDING);
}

void
pv_hostile_vertex_unbound(struct pv_hostile *h)
{
   gfx_scope_case(h, VERTEX_UNBOUND);
}

/* `second` begun to continue the render pass's subpass 0 and recorded to clear color attachment
 * `color` (its clears are checked where a primary executes it). */
static void
pass_secondary(struct pv_hostile *h, const struct pv_hostile_gfx *g, VkCommandBuffer second,
               uint32_t color)
{
   const VkCommandBufferInheritanceInfo inherit = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_INFO,
      .renderPass = g->rp,
      .framebuffer = g->fb,
   };
   const VkCommandBufferBeginInfo bi = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
      .flags = VK_COMMAND_BUFFER_USAGE_RENDER_PASS_CONTINUE_BIT,
      .pInheritanceInfo = &inherit,
   };
   PV_HOSTILE_NOTE(h, vkBeginCommandBuffer(second, &bi));
   const VkClearAttachment att = {
      .aspectMask = VK_IMAGE_ASPECT_COLOR_BIT,
      .colorAttachment = color,
      .clearValue = {.color = {.float32 = {1, 1, 1, 1}}},
   };
   const VkClearRect rect = {{{0, 0}, {PV_HOSTILE_FB, PV_HOSTILE_FB}}, 0, 1};
   vkCmdClearAttachments(second, 1, &att, 1, &rect);
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(second));
}

/* A secondary that clears color attachment 0 executed in a render pass by a primary, then
 * recorded again to clear attachment 7 of 1: the primary runs the secondary's recording of now,
 * whose clear was checked against no render pass instance (lavapipe indexes its attachments
 * with colorAttachment, unchecked). The primary must be refused. */
void
pv_hostile_secondary_clear_color(struct pv_hostile *h)
{
   static struct pv_hostile_gfx g;
   pv_hostile_gfx_init(h, &g);
   pv_hostile_neighbours(h);
   VkCommandBuffer second = VK_NULL_HANDLE;
   const VkCommandBufferAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
      .commandPool = h->c.pool,
      .level = VK_COMMAND_BUFFER_LEVEL_SECONDARY,
      .commandBufferCount = 1,
   };
   PV_HOSTILE_NOTE(h, vkAllocateCommandBuffers(h->c.device, &ai, &second));
   pass_secondary(h, &g, second, 0);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const VkClearValue clear = {.color = {.float32 = {0, 0, 0, 0}}};
   const VkRenderPassBeginInfo rpbi = {
      .sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO,
      .renderPass = g.rp,
      .framebuffer = g.fb,
      .renderArea = {{0, 0}, {PV_HOSTILE_FB, PV_HOSTILE_FB}},
      .clearValueCount = 1,
      .pClearValues = &clear,
   };
   vkCmdBeginRenderPass(cmd, &rpbi, VK_SUBPASS_CONTENTS_SECONDARY_COMMAND_BUFFERS);
   vkCmdExecuteCommands(cmd, 1, &second);
   vkCmdEndRenderPass(cmd);
   /* ended first: the guest driver sends the primary's commands at its end */
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(cmd));
   pass_secondary(h, &g, second, 7);
   pv_hostile_submit_ended(h, cmd);
}

/* Set 0 of `layout`: binding 0 one dynamic storage buffer, written to `b`'s first 256 bytes. */
static void
dynamic_write(struct pv_hostile *h, VkDescriptorSet set, const struct pv_buffer *b)
{
   const VkDescriptorBufferInfo info = {b->buffer, 0, 256};
   const VkWriteDescriptorSet w = {
      .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
      .dstSet = set,
      .descriptorCount = 1,
      .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC,
      .pBufferInfo = &info,
   };
   vkUpdateDescriptorSets(h->c.device, 1, &w, 0, NULL);
}

/* A set whose dynamic storage buffer descriptor leaves 1 MiB of room, bound with a dynamic offset
 * of 512 KiB (which fits), then rewritten to a 4 KiB buffer: the host reads the set's descriptors
 * and adds the bound offset when the work runs, 512 KiB past the small buffer. The command buffer
 * bound before the write must be refused. */
void
pv_hostile_dynamic_offset_rewritten(struct pv_hostile *h)
{
   static struct pv_buffer big, small;
   pv_hostile_buffer(h, &big, (VkDeviceSize)1 << 20, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   pv_hostile_buffer(h, &small, 4096, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   pv_hostile_neighbours(h);
   const VkDescriptorSetLayoutBinding binding = {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1,
                                                 VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   const VkDescriptorSetLayoutCreateInfo lci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 1,
      .pBindings = &binding,
   };
   VkDescriptorSetLayout set_layout;
   PV_CHECK(vkCreateDescriptorSetLayout(h->c.device, &lci, NULL, &set_layout));
   const VkPipelineLayoutCreateInfo pci = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
      .setLayoutCount = 1,
      .pSetLayouts = &set_layout,
   };
   VkPipelineLayout layout;
   PV_CHECK(vkCreatePipelineLayout(h->c.device, &pci, NULL, &layout));
   const VkDescriptorPoolSize size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC, 1};
   const VkDescriptorPoolCreateInfo dci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
      .maxSets = 1,
      .poolSizeCount = 1,
      .pPoolSizes = &size,
   };
   VkDescriptorPool pool;
   PV_CHECK(vkCreateDescriptorPool(h->c.device, &dci, NULL, &pool));
   const VkDescriptorSetAllocateInfo ai = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
      .descriptorPool = pool,
      .descriptorSetCount = 1,
      .pSetLayouts = &set_layout,
   };
   VkDescriptorSet set;
   PV_CHECK(vkAllocateDescriptorSets(h->c.device, &ai, &set));
   dynamic_write(h, set, &big);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const uint32_t offset = 512u << 10;
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout, 0, 1, &set, 1, &offset);
   /* ended first: the guest driver sends the command buffer's commands at its end */
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(cmd));
   dynamic_write(h, set, &small);
   pv_hostile_submit_ended(h, cmd);
}
