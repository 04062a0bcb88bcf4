/* SPDX-License-Identifier: MIT */
/*
 * Counts and indices against the device's limits (guard.h, issue 12). The host driver keeps
 * viewports and scissors, vertex bindings and attributes, color attachments and transform
 * feedback buffers in fixed arrays sized by those limits, and stores what a command names at
 * `first + i` without looking: lavapipe's vkCmdSetScissor writes scissor `firstScissor + i` of
 * its 16, vkCmdBindVertexBuffers vertex buffer `firstBinding + i` of its 32, vkCmdBeginRendering
 * color buffer `i` of its 8, so a guest-chosen first index is a write past an array of ours.
 * Valid usage bounds every one of them by a VkPhysicalDeviceLimits member (or the transform
 * feedback properties), which the physical device keeps from its creation (pv_vk_physdev).
 */
#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/spirv_reflect.h"

static const struct pv_vk_physdev *
device_physdev(struct pv_dispatch_ctx *c, VkDevice device)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   return d ? d->pd : NULL;
}

const struct pv_vk_device *
pv_vk_pool_device(struct pv_dispatch_ctx *c, const struct pv_object *pool)
{
   struct pv_object *dev =
      pool ? pv_object_find(pv_venus_from(c), pool->parent, VK_OBJECT_TYPE_DEVICE) : NULL;
   return dev ? dev->data : NULL;
}

void
pv_vk_cmdbuf_set_pool(struct pv_dispatch_ctx *c, struct pv_vk_cmdbuf *cb, VkCommandPool pool)
{
   const struct pv_vk_device *d =
      pv_vk_pool_device(c, pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_POOL, PV_FROM_HANDLE(pool)));
   cb->pd = d ? d->pd : NULL;
   cb->features = d ? d->features : 0;
}

static inline uint32_t
limit_of(const struct pv_vk_physdev *pd, enum pv_limit l)
{
   if (!pd)
      return 0; /* unknown device: nothing fits */
   switch (l) {
   case PV_LIMIT_VIEWPORTS:
      return pd->limits.maxViewports;
   case PV_LIMIT_VERTEX_BINDINGS:
      return pd->limits.maxVertexInputBindings;
   case PV_LIMIT_VERTEX_ATTRIBUTES:
      return pd->limits.maxVertexInputAttributes;
   case PV_LIMIT_COLOR_ATTACHMENTS:
      return pd->limits.maxColorAttachments;
   case PV_LIMIT_XFB_BUFFERS:
      return pd->max_xfb_buffers;
   case PV_LIMIT_XFB_STREAMS:
      return pd->max_xfb_streams;
   case PV_LIMIT_MULTIVIEW_VIEWS:
      return pd->max_multiview_views;
   }
   return 0;
}

static const char *const limit_names[] = {
   [PV_LIMIT_VIEWPORTS] = "maxViewports",
   [PV_LIMIT_VERTEX_BINDINGS] = "maxVertexInputBindings",
   [PV_LIMIT_VERTEX_ATTRIBUTES] = "maxVertexInputAttributes",
   [PV_LIMIT_COLOR_ATTACHMENTS] = "maxColorAttachments",
   [PV_LIMIT_XFB_BUFFERS] = "maxTransformFeedbackBuffers",
   [PV_LIMIT_XFB_STREAMS] = "maxTransformFeedbackStreams",
   [PV_LIMIT_MULTIVIEW_VIEWS] = "maxMultiviewViewCount",
};

static __attribute__((noinline)) void
refuse_range(struct pv_dispatch_ctx *c, const char *what, uint32_t first, uint32_t count,
             enum pv_limit l, uint32_t max)
{
   pv_venus_refuse(c, "%s: %u+%u past the device's %s (%u)", what, first, count, limit_names[l],
                   max);
}

/* Inline, so a guard's constant limit picks its field without the switch (vkCmdSetViewport and
 * vkCmdSetScissor come in every frame). */
static inline bool
range_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_physdev *pd,
         uint32_t first, uint32_t count, enum pv_limit l)
{
   uint32_t max = limit_of(pd, l);
   if (__builtin_expect((uint64_t)first + count <= max, 1))
      return true;
   refuse_range(c, what, first, count, l, max);
   return false;
}

bool
pv_vk_cmd_range_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
                   uint32_t first, uint32_t count, enum pv_limit l)
{
   return range_ok(c, what, pv_vk_cmdbuf_physdev(c, cmd), first, count, l);
}

bool
pv_vk_device_range_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                      uint32_t first, uint32_t count, enum pv_limit l)
{
   return range_ok(c, what, device_physdev(c, device), first, count, l);
}

/* ----- framebuffers -------------------------------------------------------------------------- */

/* lavapipe 22.3 makes a render pass instance's attachment surfaces with their last layer at
 * base + layers - 1 (lvp_execute.c, create_img_surface_bo): with a framebuffer of 0 layers that
 * is 2^32 - 1, and its queue thread wrote past the image's memory (fuzz input 29636452:
 * pv-graphics with its framebuffer's layers made 0). */
bool
pv_vk_framebuffer_size_ok(struct pv_dispatch_ctx *c, VkDevice device,
                          const VkFramebufferCreateInfo *ci)
{
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   const uint32_t got[3] = {ci->width, ci->height, ci->layers};
   const uint32_t max[3] = {pd ? pd->limits.maxFramebufferWidth : 0,
                            pd ? pd->limits.maxFramebufferHeight : 0,
                            pd ? pd->limits.maxFramebufferLayers : 0};
   static const char *const names[3] = {"width", "height", "layers"};
   static const char *const limits[3] = {"maxFramebufferWidth", "maxFramebufferHeight",
                                         "maxFramebufferLayers"};
   for (int i = 0; i < 3; i++) {
      if (got[i] == 0 || got[i] > max[i]) {
         pv_venus_refuse(c, "vkCreateFramebuffer: %s %u outside 1..%u (the device's %s)", names[i],
                         got[i], max[i], limits[i]);
         return false;
      }
   }
   return true;
}

/* ----- sparse resources ---------------------------------------------------------------------- */

/* Sparse flags only where a queue family can bind sparse memory (the device has sparseBinding).
 * A sparse buffer or image is never bound with vkBind*Memory, so the checks take it as backed:
 * lavapipe of Mesa 22.3 has no sparse support yet creates such a buffer, and a fill into it wrote
 * through a NULL pointer on the queue thread (fuzz input 78f2d7e4). */
bool
pv_vk_sparse_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device, uint32_t flags)
{
   if (!flags)
      return true;
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   for (uint32_t i = 0; pd && !pd->binds_sparse_unchecked && i < pd->qf_count; i++)
      if (pd->qf[i].queueFlags & VK_QUEUE_SPARSE_BINDING_BIT)
         return true;
   pv_venus_refuse(c, "%s: sparse flags %#x on a device no queue family of which binds sparse "
                      "memory", what, flags);
   return false;
}

/* ----- workgroups ---------------------------------------------------------------------------- */

/*
 * base + count workgroups in each dimension inside maxComputeWorkGroupCount. Not memory: a CPU
 * driver runs every workgroup, so vkCmdDispatch(1024, 2^32 - 1, 1) (fuzz input 42b13d29) kept
 * lavapipe's queue busy for days, and the client's process with it until the guest hung up.
 * (vkCmdDispatchIndirect's counts are in guest memory when the device reads them: unchecked.)
 */
static bool
workgroups_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
              const uint32_t base[3], const uint32_t count[3])
{
   const struct pv_vk_physdev *pd = pv_vk_cmdbuf_physdev(c, cmd);
   for (int i = 0; i < 3; i++) {
      uint32_t max = pd ? pd->limits.maxComputeWorkGroupCount[i] : 0;
      if ((uint64_t)base[i] + count[i] > max) {
         pv_venus_refuse(c, "%s: workgroups %u+%u in dimension %c past the device's "
                            "maxComputeWorkGroupCount (%u)", what, base[i], count[i], 'x' + i, max);
         return false;
      }
   }
   return true;
}

static __attribute__((noinline)) void
dispatch_looked_up(struct pv_dispatch_ctx *c, struct pv_args_vkCmdDispatch *a)
{
   const uint32_t base[3] = {0, 0, 0};
   const uint32_t count[3] = {a->groupCountX, a->groupCountY, a->groupCountZ};
   if (workgroups_ok(c, "vkCmdDispatch", a->commandBuffer, base, count))
      pv_handle_vkCmdDispatch(c, a);
}

void
pv_guard_CmdDispatch(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDispatch *a = args;
   /* every dispatch of a compute stream comes here: the passing case in three compares, a leaf
    * that ends in the handler (the general check, which gives the refusal, out of line) */
   const struct pv_vk_cmdbuf *cb = pv_venus_checked(c, PV_FROM_HANDLE(a->commandBuffer));
   const struct pv_vk_physdev *pd = cb ? cb->pd : NULL;
   if (__builtin_expect(pd && a->groupCountX <= pd->limits.maxComputeWorkGroupCount[0] &&
                           a->groupCountY <= pd->limits.maxComputeWorkGroupCount[1] &&
                           a->groupCountZ <= pd->limits.maxComputeWorkGroupCount[2],
                        1))
      pv_handle_vkCmdDispatch(c, args);
   else
      dispatch_looked_up(c, a);
}

void
pv_guard_CmdDispatchBase(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDispatchBase *a = args;
   const uint32_t base[3] = {a->baseGroupX, a->baseGroupY, a->baseGroupZ};
   const uint32_t count[3] = {a->groupCountX, a->groupCountY, a->groupCountZ};
   if (workgroups_ok(c, "vkCmdDispatchBase", a->commandBuffer, base, count))
      pv_handle_vkCmdDispatchBase(c, args);
}

/* ----- dynamic state and bindings ------------------------------------------------------------ */

/* One guard per command: (first, count) of its own parameters against one limit, and the device
 * feature the command needs (NO_FEATURE: none; guard_features.c). The passing case with the
 * command buffer the scope check found is a leaf that ends in the handler; the rest (a lookup,
 * the refusal) is out of line. */
#define NO_FEATURE PV_FEATURE_COUNT
#define HAS_FEATURE(cb, f) ((f) == NO_FEATURE || ((cb)->features & PV_FEATURE(f)))
#define RANGE_GUARD(name, first, count, limit, feature)                                            \
   static __attribute__((noinline)) void name##_looked_up(struct pv_dispatch_ctx *c, void *args)   \
   {                                                                                               \
      struct pv_args_vk##name *a = args;                                                           \
      if ((feature == NO_FEATURE ||                                                                \
           pv_vk_cmd_feature_ok(c, "vk" #name, a->commandBuffer, (enum pv_feature)feature)) &&     \
          range_ok(c, "vk" #name, pv_vk_cmdbuf_physdev(c, a->commandBuffer), first, count, limit)) \
         pv_handle_vk##name(c, args);                                                              \
   }                                                                                               \
   void pv_guard_##name(struct pv_dispatch_ctx *c, void *args)                                     \
   {                                                                                               \
      struct pv_args_vk##name *a = args;                                                           \
      const struct pv_vk_cmdbuf *cb = pv_venus_checked(c, PV_FROM_HANDLE(a->commandBuffer));       \
      if (__builtin_expect(cb && cb->pd && HAS_FEATURE(cb, feature) &&                             \
                              (uint64_t)(first) + (count) <= limit_of(cb->pd, limit),              \
                           1))                                                                     \
         pv_handle_vk##name(c, args);                                                              \
      else                                                                                         \
         name##_looked_up(c, args);                                                                \
   }

RANGE_GUARD(CmdSetScissor, a->firstScissor, a->scissorCount, PV_LIMIT_VIEWPORTS, NO_FEATURE)
RANGE_GUARD(CmdSetScissorWithCount, 0, a->scissorCount, PV_LIMIT_VIEWPORTS, NO_FEATURE)
RANGE_GUARD(CmdSetColorWriteEnableEXT, 0, a->attachmentCount, PV_LIMIT_COLOR_ATTACHMENTS,
            PV_FEATURE_COLOR_WRITE_ENABLE)
RANGE_GUARD(CmdSetColorBlendEnableEXT, a->firstAttachment, a->attachmentCount,
            PV_LIMIT_COLOR_ATTACHMENTS, PV_FEATURE_COLOR_BLEND_ENABLE)
RANGE_GUARD(CmdSetColorWriteMaskEXT, a->firstAttachment, a->attachmentCount,
            PV_LIMIT_COLOR_ATTACHMENTS, PV_FEATURE_COLOR_WRITE_MASK)
RANGE_GUARD(CmdSetColorBlendAdvancedEXT, a->firstAttachment, a->attachmentCount,
            PV_LIMIT_COLOR_ATTACHMENTS, PV_FEATURE_COLOR_BLEND_ADVANCED)

void
pv_guard_CmdSetColorBlendEquationEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdSetColorBlendEquationEXT *a = args;
   const struct pv_vk_physdev *pd = pv_vk_cmdbuf_physdev(c, a->commandBuffer);
   if (!pv_vk_cmd_feature_ok(c, "vkCmdSetColorBlendEquationEXT", a->commandBuffer,
                             PV_FEATURE_COLOR_BLEND_EQUATION) ||
       !range_ok(c, "vkCmdSetColorBlendEquationEXT", pd, a->firstAttachment, a->attachmentCount,
                 PV_LIMIT_COLOR_ATTACHMENTS))
      return;
   const char *why = pv_vk_dual_source_violation(pd, a->firstAttachment, a->attachmentCount,
                                                 a->pColorBlendEquations);
   if (why)
      pv_venus_refuse(c, "vkCmdSetColorBlendEquationEXT: %s", why);
   else
      pv_handle_vkCmdSetColorBlendEquationEXT(c, args);
}

/* Binding numbers and locations index the host's arrays too, not only the counts. */
static const char *
vertex_input_violation(const struct pv_vk_physdev *pd, uint32_t nb,
                       const uint32_t *binding_of, size_t bstride, uint32_t na,
                       const uint32_t *location_of, const uint32_t *abinding_of, size_t astride)
{
   uint32_t bindings = limit_of(pd, PV_LIMIT_VERTEX_BINDINGS);
   uint32_t attributes = limit_of(pd, PV_LIMIT_VERTEX_ATTRIBUTES);
   if (nb > bindings || na > attributes)
      return "more vertex bindings or attributes than the device has";
   for (uint32_t i = 0; i < nb; i++)
      if (*(const uint32_t *)((const char *)binding_of + i * bstride) >= bindings)
         return "a vertex binding number past the device's maxVertexInputBindings";
   for (uint32_t i = 0; i < na; i++)
      if (*(const uint32_t *)((const char *)location_of + i * astride) >= attributes ||
          *(const uint32_t *)((const char *)abinding_of + i * astride) >= bindings)
         return "a vertex attribute location or binding past the device's limits";
   return NULL;
}

/* Each attribute's binding described in the same call (VUID-vkCmdSetVertexInputEXT-binding-04793):
 * lavapipe 22.3 reads the stride of the description it finds for it, NULL when none
 * (lvp_execute.c handle_set_vertex_input; measured: SIGSEGV at address 0x14 on its queue
 * thread). A pipeline's vertex input state is read another way there (read: safe). */
static bool
attributes_described(const VkVertexInputBindingDescription2EXT *b, uint32_t nb,
                     const VkVertexInputAttributeDescription2EXT *at, uint32_t na)
{
   for (uint32_t i = 0; i < na; i++) {
      uint32_t k = 0;
      while (k < nb && b[k].binding != at[i].binding)
         k++;
      if (k == nb)
         return false;
   }
   return true;
}

void
pv_guard_CmdSetVertexInputEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdSetVertexInputEXT *a = args;
   if (!pv_vk_cmd_feature_ok(c, "vkCmdSetVertexInputEXT", a->commandBuffer,
                             PV_FEATURE_VERTEX_INPUT))
      return;
   const VkVertexInputBindingDescription2EXT *b = a->pVertexBindingDescriptions;
   const VkVertexInputAttributeDescription2EXT *at = a->pVertexAttributeDescriptions;
   uint32_t nb = b ? a->vertexBindingDescriptionCount : 0;
   uint32_t na = at ? a->vertexAttributeDescriptionCount : 0;
   const char *why = vertex_input_violation(
      pv_vk_cmdbuf_physdev(c, a->commandBuffer), nb, b ? &b->binding : NULL, sizeof(*b), na,
      at ? &at->location : NULL, at ? &at->binding : NULL, sizeof(*at));
   if (!why && !attributes_described(b, nb, at, na))
      why = "an attribute whose binding has no binding description";
   if (why) {
      pv_venus_refuse(c, "vkCmdSetVertexInputEXT: %s", why);
      return;
   }
   pv_vk_cmd_vertex_input(c, a->commandBuffer, at, na);
   pv_handle_vkCmdSetVertexInputEXT(c, args);
}

/* ----- arrays the decoder packed ------------------------------------------------------------- */

/* vkCmdDrawMulti(Indexed)EXT: the host reads draw i at pVertexInfo + i * stride, the stride the
 * guest gave for its own memory; the decoder packed the draws one after another, so a guest
 * stride other than the element size would make the host read past that array (a 1 MiB stride:
 * a read 1 MiB into our heap per draw). The host gets the packed array's stride. */
void
pv_guard_CmdDrawMultiEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDrawMultiEXT *a = args;
   a->stride = sizeof(*a->pVertexInfo);
   pv_handle_vkCmdDrawMultiEXT(c, args);
}

void
pv_guard_CmdDrawMultiIndexedEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDrawMultiIndexedEXT *a = args;
   a->stride = sizeof(*a->pIndexInfo);
   if (pv_vk_cmd_index_ready(c, a->commandBuffer, "vkCmdDrawMultiIndexedEXT"))
      pv_handle_vkCmdDrawMultiIndexedEXT(c, args);
}

/* ----- graphics pipelines -------------------------------------------------------------------- */

static const char *
vertex_state_violation(const struct pv_vk_physdev *pd, const VkPipelineVertexInputStateCreateInfo *vi)
{
   const VkVertexInputBindingDescription *b = vi->pVertexBindingDescriptions;
   const VkVertexInputAttributeDescription *at = vi->pVertexAttributeDescriptions;
   uint32_t nb = b ? vi->vertexBindingDescriptionCount : 0;
   uint32_t na = at ? vi->vertexAttributeDescriptionCount : 0;
   const char *why =
      vertex_input_violation(pd, nb, b ? &b->binding : NULL, sizeof(*b), na,
                             at ? &at->location : NULL, at ? &at->binding : NULL, sizeof(*at));
   const VkPipelineVertexInputDivisorStateCreateInfoEXT *div = pv_vk_find_chained(
      vi->pNext, VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_DIVISOR_STATE_CREATE_INFO_EXT);
   for (uint32_t i = 0; !why && div && div->pVertexBindingDivisors &&
                        i < div->vertexBindingDivisorCount;
        i++)
      if (div->pVertexBindingDivisors[i].binding >= limit_of(pd, PV_LIMIT_VERTEX_BINDINGS))
         why = "a vertex divisor's binding past the device's maxVertexInputBindings";
   return why;
}

/* ----- tessellation patches -------------------------------------------------------------- */

/*
 * lavapipe keeps the patch size in a uint8_t (patch_vertices), and llvmpipe's tessellation
 * control stage fetches each patch's vertices into an array of 32 (draw_tess.h), as many as the
 * patch size: 33..255 write past it, 0 (and 256, kept as 0) divide by zero. 1 up to the
 * device's maxTessellationPatchSize
 * (VUID-VkPipelineTessellationStateCreateInfo-patchControlPoints-01214,
 * VUID-vkCmdSetPatchControlPointsEXT-patchControlPoints-04874).
 */
static bool
patch_size_ok(const struct pv_vk_physdev *pd, uint32_t n)
{
   return n >= 1 && n <= (pd ? pd->limits.maxTessellationPatchSize : 0);
}

void
pv_guard_CmdSetPatchControlPointsEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdSetPatchControlPointsEXT *a = args;
   if (!pv_vk_cmd_feature_ok(c, "vkCmdSetPatchControlPointsEXT", a->commandBuffer,
                             PV_FEATURE_PATCH_CONTROL_POINTS))
      return;
   const struct pv_vk_physdev *pd = pv_vk_cmdbuf_physdev(c, a->commandBuffer);
   if (patch_size_ok(pd, a->patchControlPoints)) {
      pv_handle_vkCmdSetPatchControlPointsEXT(c, args);
      pv_vk_cmd_patch_size_set(c, a->commandBuffer);
      return;
   }
   pv_venus_refuse(c,
                   "vkCmdSetPatchControlPointsEXT: %u outside 1..%u (the device's "
                   "maxTessellationPatchSize)",
                   a->patchControlPoints, pd ? pd->limits.maxTessellationPatchSize : 0);
}

/* Only a create info with tessellation stages defines the state (others ignore it, and a link of
 * libraries takes it from the library checked when it was made). Mesa's runtime reads the patch
 * size unless it is dynamic, and the state's pNext unless the domain origin is dynamic too: a
 * missing state is refused then (VUID-VkGraphicsPipelineCreateInfo-pStages-09022). The two
 * stages come together (VUIDs pStages-00729, 00730): lavapipe hands the evaluation stage the
 * control stage's patch size through the control stage's shader, NULL without one (a SIGSEGV
 * in vkCreateGraphicsPipelines on 22.3.6; lvp_pipeline.c in 22.3.6 and 25.0.7). */
static const char *
tessellation_violation(const struct pv_vk_physdev *pd, const VkGraphicsPipelineCreateInfo *ci)
{
   bool control = false, evaluation = false;
   for (uint32_t i = 0; ci->pStages && i < ci->stageCount; i++) {
      control |= ci->pStages[i].stage == VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT;
      evaluation |= ci->pStages[i].stage == VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT;
   }
   if (!control && !evaluation)
      return NULL;
   if (control != evaluation)
      return "one tessellation stage without the other";
   bool dynamic_size = pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_PATCH_CONTROL_POINTS_EXT);
   const VkPipelineTessellationStateCreateInfo *ts = ci->pTessellationState;
   if (!ts)
      return dynamic_size &&
                   pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_TESSELLATION_DOMAIN_ORIGIN_EXT)
                ? NULL
                : "tessellation stages without a tessellation state";
   if (!dynamic_size && !patch_size_ok(pd, ts->patchControlPoints))
      return "patchControlPoints outside 1..the device's maxTessellationPatchSize";
   return NULL;
}

static bool
src1_factor(VkBlendFactor f)
{
   return f == VK_BLEND_FACTOR_SRC1_COLOR || f == VK_BLEND_FACTOR_ONE_MINUS_SRC1_COLOR ||
          f == VK_BLEND_FACTOR_SRC1_ALPHA || f == VK_BLEND_FACTOR_ONE_MINUS_SRC1_ALPHA;
}

/*
 * llvmpipe makes a fragment shader's second blend source for color attachment 0 only
 * (lp_state_fs.c: dual_source_blend from rt[0]), and its blend code builds a SRC1 factor of
 * another attachment from that source, NULL (lp_bld_blend_aos.c lp_build_comp): LLVM read
 * through NULL on lavapipe's queue thread at the first draw, killing the process (a helper's
 * native run on 22.3.6, 2026-12-07). Vulkan allows it (lavapipe reports
 * maxFragmentDualSrcAttachments 2), so on such a host a SRC1 factor past attachment 0 is
 * refused: in a pipeline's blend state where blending is or may be enabled, and in
 * vkCmdSetColorBlendEquationEXT.
 */
const char *
pv_vk_dual_source_violation(const struct pv_vk_physdev *pd, uint32_t first, uint32_t n,
                            const VkColorBlendEquationEXT *eq)
{
   for (uint32_t i = 0; pd && pd->dual_source_rt0_only && eq && i < n; i++)
      if ((uint64_t)first + i >= 1 &&
          (src1_factor(eq[i].srcColorBlendFactor) || src1_factor(eq[i].dstColorBlendFactor) ||
           src1_factor(eq[i].srcAlphaBlendFactor) || src1_factor(eq[i].dstAlphaBlendFactor)))
         return "a dual-source (SRC1) blend factor past color attachment 0 (this host blends a "
                "second source on attachment 0 only)";
   return NULL;
}

const char *
pv_vk_pipeline_dual_source_violation(const struct pv_vk_physdev *pd,
                                     const VkGraphicsPipelineCreateInfo *ci)
{
   const VkPipelineColorBlendStateCreateInfo *cb = ci->pColorBlendState;
   if (!pd || !pd->dual_source_rt0_only || !cb || !cb->pAttachments ||
       pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_COLOR_BLEND_EQUATION_EXT))
      return NULL;
   bool enable_dynamic = pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_COLOR_BLEND_ENABLE_EXT);
   for (uint32_t i = 1; i < cb->attachmentCount; i++) {
      const VkPipelineColorBlendAttachmentState *a = &cb->pAttachments[i];
      const VkColorBlendEquationEXT eq = {a->srcColorBlendFactor, a->dstColorBlendFactor,
                                          a->colorBlendOp,        a->srcAlphaBlendFactor,
                                          a->dstAlphaBlendFactor, a->alphaBlendOp};
      const char *why =
         a->blendEnable || enable_dynamic ? pv_vk_dual_source_violation(pd, i, 1, &eq) : NULL;
      if (why)
         return why;
   }
   return NULL;
}

static const char *
pipeline_violation(const struct pv_vk_physdev *pd, const VkGraphicsPipelineCreateInfo *ci)
{
   uint32_t viewports = limit_of(pd, PV_LIMIT_VIEWPORTS);
   uint32_t colors = limit_of(pd, PV_LIMIT_COLOR_ATTACHMENTS);
   const char *why = ci->pVertexInputState ? vertex_state_violation(pd, ci->pVertexInputState)
                                           : NULL;
   if (!why && ci->pViewportState &&
       (ci->pViewportState->viewportCount > viewports ||
        ci->pViewportState->scissorCount > viewports))
      why = "more viewports or scissors than the device's maxViewports";
   if (!why && ci->pColorBlendState) {
      const VkPipelineColorWriteCreateInfoEXT *cw = pv_vk_find_chained(
         ci->pColorBlendState->pNext, VK_STRUCTURE_TYPE_PIPELINE_COLOR_WRITE_CREATE_INFO_EXT);
      if (ci->pColorBlendState->attachmentCount > colors || (cw && cw->attachmentCount > colors))
         why = "more blend attachments than the device's maxColorAttachments";
   }
   const VkPipelineRenderingCreateInfo *ri =
      pv_vk_find_chained(ci->pNext, VK_STRUCTURE_TYPE_PIPELINE_RENDERING_CREATE_INFO);
   if (!why && ri && ri->colorAttachmentCount > colors)
      why = "more color attachments than the device's maxColorAttachments";
   if (!why)
      why = pv_vk_pipeline_dual_source_violation(pd, ci);
   if (!why)
      why = pv_vk_pipeline_raster_violation(pd, ci);
   return why ? why : tessellation_violation(pd, ci);
}

bool
pv_vk_pipeline_limits_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                         const VkGraphicsPipelineCreateInfo *ci)
{
   const char *why = pipeline_violation(device_physdev(c, device), ci);
   if (why)
      pv_venus_refuse(c, "%s: %s", what, why);
   return !why;
}

/* ----- shader interface locations (spirv_io.h) ----------------------------------------------- */

static uint32_t
stage_locations(const VkPhysicalDeviceLimits *l, VkShaderStageFlagBits stage, bool output)
{
   switch (stage) {
   case VK_SHADER_STAGE_VERTEX_BIT:
      return output ? l->maxVertexOutputComponents / 4 : l->maxVertexInputAttributes;
   case VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT:
      return (output ? l->maxTessellationControlPerVertexOutputComponents
                     : l->maxTessellationControlPerVertexInputComponents) /
             4;
   case VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT:
      return (output ? l->maxTessellationEvaluationOutputComponents
                     : l->maxTessellationEvaluationInputComponents) /
             4;
   case VK_SHADER_STAGE_GEOMETRY_BIT:
      return (output ? l->maxGeometryOutputComponents : l->maxGeometryInputComponents) / 4;
   case VK_SHADER_STAGE_FRAGMENT_BIT:
      return output ? l->maxFragmentOutputAttachments : l->maxFragmentInputComponents / 4;
   default:
      return 0;
   }
}

const char *
pv_vk_private_violation(struct pv_dispatch_ctx *c, VkDevice device, uint64_t bytes)
{
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   return pd && pd->stacks_private_arrays && bytes > PV_VK_PRIVATE_BYTES_MAX
             ? "more than 32 KiB of Private and Function variables per invocation (this host "
               "keeps them on its threads' stacks)"
             : NULL;
}

const char *
pv_vk_shared_violation(struct pv_dispatch_ctx *c, VkDevice device, uint64_t bytes)
{
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   return pd && bytes > pd->limits.maxComputeSharedMemorySize
             ? "more Workgroup memory than maxComputeSharedMemorySize"
             : NULL;
}

const char *
pv_vk_workgroup_violation(struct pv_dispatch_ctx *c, VkDevice device, const uint32_t size[3])
{
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   if (!pd)
      return NULL; /* no pipeline reaches here without a device of ours */
   uint64_t all = 1;
   for (int i = 0; i < 3; i++) {
      if (size[i] == 0 || size[i] > pd->limits.maxComputeWorkGroupSize[i])
         return "a workgroup size dimension of 0 or past maxComputeWorkGroupSize";
      all *= size[i];
   }
   return all > pd->limits.maxComputeWorkGroupInvocations
             ? "more invocations per workgroup than maxComputeWorkGroupInvocations"
             : NULL;
}

/* llvmpipe's draw module keeps a patch's control points in arrays of 32 (draw_tess.h
 * tcs_input, tcs_output, tes_input: data[32]) and loops over the TCS's OutputVertices
 * (draw_tess.c llvm_store_tcs_output, and the TES's fetch of as many), in Mesa 22.3 and 25.0
 * alike; SPIR-V validation and Mesa's spirv_to_nir take any value. Vulkan bounds it:
 * VUID-VkPipelineShaderStageCreateInfo-stage-00713, 0 < size <= maxTessellationPatchSize. */
const char *
pv_vk_patch_size_violation(struct pv_dispatch_ctx *c, VkDevice device, uint32_t size)
{
   return patch_size_ok(device_physdev(c, device), size)
             ? NULL
             : "an OutputVertices patch size of 0 or past the device's maxTessellationPatchSize";
}

/* Either tessellation stage may declare the patch size, and both must agree where both do
 * (VUID-VkGraphicsPipelineCreateInfo-pStages-00735). llvmpipe takes it from the control stage
 * alone (draw_tess.c reads its tcs_vertices_out; lavapipe gives the evaluation stage that value
 * as its PatchVertices): a control stage declaring none gets output blocks of 0 vertices, which
 * the evaluation stage reads past (then through NULL: a SIGSEGV on 22.3.6, the same code in
 * 25.0.7), so such a host needs it in the control stage. 0: the stage declares none. */
const char *
pv_vk_tess_vertices_violation(struct pv_dispatch_ctx *c, VkDevice device, uint32_t control,
                              uint32_t evaluation)
{
   if (control && evaluation && control != evaluation)
      return "the tessellation stages declare different OutputVertices";
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   if (!control && pd && pd->sizes_patches_by_control)
      return "a tessellation control stage without OutputVertices (this host takes the patch "
             "size from that stage alone)";
   return NULL;
}

uint32_t
pv_vk_stage_locations(struct pv_dispatch_ctx *c, VkDevice device, VkShaderStageFlagBits stage,
                      bool output)
{
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   if (!pd)
      return 0;
   uint32_t n = stage_locations(&pd->limits, stage, output);
   if (n)
      return n;
   /* Any stage (mesh and task have no location limits of their own here): the largest. */
   for (uint32_t bit = VK_SHADER_STAGE_VERTEX_BIT; bit <= VK_SHADER_STAGE_FRAGMENT_BIT; bit <<= 1)
      for (int out = 0; out < 2; out++) {
         uint32_t k = stage_locations(&pd->limits, (VkShaderStageFlagBits)bit, out);
         n = k > n ? k : n;
      }
   return n;
}

/* ----- geometry shaders ---------------------------------------------------------------------- */

/*
 * A geometry stage's OutputVertices in 1..maxGeometryOutputVertices and Invocations in
 * 1..maxGeometryShaderInvocations (absent: 1), on every host
 * (VUID-VkPipelineShaderStageCreateInfo-stage-00714, -00715): SPIR-V validation takes any value,
 * and llvmpipe multiplies both into the size of its output buffer (below).
 *
 * llvmpipe's tables of primitive lengths, sized by the decomposed primitives of OutputVertices,
 * are not checked here: on lavapipe a strip's module is compiled bounded (spirv_bound.c), which
 * fits them for every output primitive and count. Before that, a triangle strip of 2 was
 * refused here: its JIT table of max(1, 4 x 0) rows took "EmitVertex; EndPrimitive" twice
 * through row 1 (draw_llvm.c draw_gs_llvm_end_primitive, measured on 22.3.6).
 */
const char *
pv_vk_geometry_violation(struct pv_dispatch_ctx *c, VkDevice device, const struct pv_spirv_entry *e)
{
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   uint32_t max_vertices = pd ? pd->limits.maxGeometryOutputVertices : 0;
   uint32_t max_invocations = pd ? pd->limits.maxGeometryShaderInvocations : 0;
   if (!e->has_output_vertices || e->output_vertices == 0 || e->output_vertices > max_vertices)
      return "OutputVertices absent, 0 or past the device's maxGeometryOutputVertices";
   if (e->invocations == 0 || e->invocations > max_invocations)
      return "Invocations of 0 or past the device's maxGeometryShaderInvocations";
   return NULL;
}

/*
 * The worst-case size of llvmpipe's geometry output buffer, on lavapipe. draw_geometry_shader_run
 * (draw_gs.c, Mesa 22.3.6 and 25.0.7) allocates
 *    MALLOC(vertex_size x (max_output_vertices + 1) x num_in_primitives x num_invocations + 512)
 * in 32-bit unsigned arithmetic (max_out_prims, which sizes the length tables, is a 32-bit
 * product too), and the JIT writes every vertex a lane emits into it: a product past 2^32
 * wraps to a small block and the writes run past it. Measured on 22.3.6: OutputVertices 1024
 * and Invocations 32, both the device's limits, with one vkCmdDraw of 4096 points crashed
 * (1024 points did not). The bounds here are upper bounds of each factor, and the product must
 * stay below 2^31:
 *  - OutputVertices is the host's: a strip's module is compiled with its slack added
 *    (spirv_bound.c; the caller adds it).
 *  - vertex_size is sizeof(struct vertex_header) (20 bytes: draw_vertex_header.h) + 16 per
 *    output slot (draw_total_gs_outputs: the shader's outputs and the draw module's extra ones).
 *    Taken as 32 + 16 x (out_end + 16): out_end locations, up to 8 built-in slots (position,
 *    point size, two of clip and cull distances, layer, viewport, primitive id, shading rate)
 *    and up to 5 the draw module adds (draw_alloc_extra_vertex_attrib: point coordinate, wide
 *    line and point coordinates, primitive id, face).
 *  - num_in_primitives is MAX2 of u_decomposed_prims_for_vertices of the input topology and of
 *    the shader's input primitive over one run's vertices (at most the vertex count: points),
 *    aligned to 4. Without tessellation a run has at most 4096 vertices: draw_pt_vsplit_tmp.h
 *    splits a non-indexed draw at vsplit->max_vertices (max_count_simple), which
 *    llvm_middle_end_prepare sets to 4096 (draw_pt_fetch_shade_pipeline_llvm.c: MAX2 of 4096 and
 *    LP_MAX_VBUF_SIZE 4096 / vertex bytes); an indexed draw's segments are SEGMENT_SIZE 1024
 *    (draw_pt_vsplit.c).
 *  - With tessellation the run's input is whole patches: at most 4096 / patch size of them, and
 *    the geometry shader's vertices are the tessellated primitives' indices, at most
 *    MAX_INDEX_COUNT = 64 x 64 x 2 x 3 = 24576 per patch (tessellator.hpp: a quad domain at
 *    the tessellator's largest factor, 64; draw_tess.c draw_tess_eval_shader_run), which a
 *    geometry shader declaring InputPoints counts as as many primitives. A dynamic patch size
 *    counts as 1.
 * Tessellation with a geometry shader is refused on lavapipe for nearly every patch size then:
 * the guest's control shader picks the levels when it runs.
 */
#define PV_GS_RUN_VERTICES 4096u
#define PV_GS_PATCH_INDICES 24576u
#define PV_GS_OUTPUT_MAX ((uint64_t)1 << 31)

static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
   return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

const char *
pv_vk_geometry_output_violation(struct pv_dispatch_ctx *c, VkDevice device,
                                uint32_t output_vertices, uint32_t invocations, uint32_t out_end,
                                uint32_t patch_size)
{
   const struct pv_vk_physdev *pd = device_physdev(c, device);
   if (!pd || !pd->sizes_gs_output_32bit)
      return NULL;
   uint64_t prims = PV_GS_RUN_VERTICES;
   if (patch_size)
      prims = (uint64_t)(PV_GS_RUN_VERTICES / patch_size) * PV_GS_PATCH_INDICES;
   prims = (prims + 3) & ~(uint64_t)3;
   uint64_t size = mul_sat(32 + 16 * ((uint64_t)out_end + 16), (uint64_t)output_vertices + 1);
   size = mul_sat(mul_sat(size, invocations ? invocations : 1), prims);
   if (size < PV_GS_OUTPUT_MAX)
      return NULL;
   return patch_size ? "the geometry shader's worst-case output buffer after tessellation reaches "
                       "2^31 bytes, which the host sizes in 32 bits (lavapipe)"
                     : "the geometry shader's worst-case output buffer (OutputVertices + 1, "
                       "Invocations, output locations, 4096 input primitives) reaches 2^31 "
                       "bytes, which the host sizes in 32 bits (lavapipe)";
}
