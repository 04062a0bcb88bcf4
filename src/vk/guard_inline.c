/* SPDX-License-Identifier: MIT */
/*
 * lavapipe 22.3's uniform inlining (pv_vk_physdev.misrows_inlined_uniforms), read in Mesa 22.3.6
 * and run on Debian 12's lavapipe; Mesa 25.0.7 inlines push constants only, with the right rows.
 *
 * When a stage's NIR has more than 100 values, lvp_find_inlinable_uniforms (lvp_inline_uniforms.c)
 * records the constant offsets of the uniform-buffer loads that if and loop conditions (and
 * much-used stored values) depend on: up to 4 per block, into a table of 32 rows of 4 offsets
 * per stage (lvp_private.h uniform_offsets[32][4]) followed by its counts. It writes row
 * `block * 32` where the table's rows are 4 apart (PIPE_MAX_CONSTANT_BUFFERS for
 * MAX_INLINABLE_UNIFORMS), so block 4 writes the stage's counts and blocks past it the next
 * stages' tables. At the draw, update_inline_shader_state (lvp_execute.c) copies `count[0]`
 * dwords of push constants into a stack array of 4: a guest's legal shader with 5 offsets of its
 * fourth uniform buffer in one condition put 0x40 there, and the guest's push constants
 * overwrote the return addresses (measured: SIGSEGV with 0x4141414141414141 on the stack). Blocks
 * past 7 also read offsets planted by blocks 1 to 3 and bake up to 128 KiB past the bound range
 * into the shader (measured: the bytes past a 256-byte range read back).
 *
 * A block is lavapipe's constant buffer index (lvp_lower_vulkan_resource.c): 0 for inline uniform
 * blocks, then 1 + the stage's uniform buffer descriptors of the sets before + those of the set
 * at lower bindings + the array element. So on such a host a stage may use the stage's first 3
 * uniform buffer descriptors only. Also block 0 alone (an inline uniform block in a condition)
 * makes the draw walk constant buffer slot 0 - 1 whenever uniform buffers are bound for the
 * stage: a stage may not use an inline uniform block where its layout has uniform buffers.
 */
#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/spirv_reflect.h"

/* blocks whose offsets the table keeps in rows of their own: 0 and the first 3 buffers */
#define PV_LVP_INLINE_ROWS 4u

static bool
is_ubo(VkDescriptorType t)
{
   return t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER || t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
}

/* Uniform buffer descriptors of `sl` the stage sees, at bindings below `below`. */
static uint64_t
ubos_before(const struct pv_vk_set_layout *sl, VkShaderStageFlagBits stage, uint32_t below)
{
   uint64_t n = 0;
   for (uint32_t i = 0; sl && i < sl->count && sl->b[i].binding < below; i++)
      if (is_ubo(sl->b[i].type) && (sl->b[i].stages & stage))
         n += sl->b[i].count;
   return n;
}

/* lavapipe's block of the last element the stage may load of resource `r` (binding `b`). */
static uint64_t
last_block(const struct pv_vk_pipeline_layout *l, const struct pv_spirv_resource *r,
           const struct pv_vk_layout_binding *b, VkShaderStageFlagBits stage)
{
   uint64_t block = 1;
   for (uint32_t s = 0; s < r->set && s < l->set_layout_count; s++)
      block += ubos_before(l->set_layouts[s], stage, UINT32_MAX);
   block += ubos_before(l->set_layouts[r->set], stage, r->binding);
   uint32_t n = r->count == PV_SPIRV_COUNT_RUNTIME || r->count == PV_SPIRV_COUNT_UNKNOWN ||
                      r->count > b->count
                   ? b->count
                   : r->count;
   return block + (n ? n - 1 : 0);
}

static bool
layout_has_ubo(const struct pv_vk_pipeline_layout *l, VkShaderStageFlagBits stage)
{
   for (uint32_t s = 0; s < l->set_layout_count; s++)
      if (ubos_before(l->set_layouts[s], stage, UINT32_MAX))
         return true;
   return false;
}

const char *
pv_vk_inline_uniforms_violation(struct pv_dispatch_ctx *c, VkDevice device,
                                const struct pv_vk_pipeline_layout *l,
                                const struct pv_spirv_entry *e)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   if (!d || !d->pd || !d->pd->misrows_inlined_uniforms || !l)
      return NULL;
   bool inline_block = false;
   for (uint32_t k = 0; k < e->count; k++) {
      const struct pv_spirv_resource *r = &e->res[k];
      const struct pv_vk_layout_binding *b =
         r->set < l->set_layout_count
            ? pv_vk_layout_binding_find(l->set_layouts[r->set], r->binding)
            : NULL;
      if (!b)
         continue; /* the layout checks refuse it */
      inline_block |= b->type == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK;
      if (is_ubo(b->type) && last_block(l, r, b, e->stage) >= PV_LVP_INLINE_ROWS)
         return "a uniform buffer past the stage's first 3 uniform buffer descriptors (lavapipe "
                "22.3's uniform inlining writes such a buffer's offsets past its table)";
   }
   if (inline_block && layout_has_ubo(l, e->stage))
      return "an inline uniform block in a stage whose layout has uniform buffers (lavapipe "
             "22.3's uniform inlining then reads constant buffer slot -1)";
   return NULL;
}
