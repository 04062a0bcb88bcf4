/* SPDX-License-Identifier: MIT */
/*
 * Rasterization values against the device's limits (guard.h): viewports (vkCmdSetViewport,
 * vkCmdSetViewportWithCount and a pipeline's static ones) and a pipeline's static
 * rasterization sample count. Found by the eighth reading of lavapipe (2026-12-07), run
 * natively on 22.3.6:
 *
 * - rasterizationSamples of 32 or 64 (defined enum values, so the decoder takes them): Mesa's
 *   common runtime looks up the standard sample locations in a switch over 1..16 whose default
 *   is unreachable() (vk_standard_sample_locations.c), and vk_graphics_state.c copied through
 *   the garbage pointer that came back: SIGSEGV in vkCreateGraphicsPipelines, on the thread
 *   decoding the guest's stream. Vulkan needs a count the device supports for the pipeline's
 *   attachments (VkGraphicsPipelineCreateInfo VUIDs subpass-00758, multisampledRenderToSingle-
 *   Sampled-06853, and the sample count of every attachment); the union of the device's
 *   framebuffer sample counts is the most any of them allows.
 * - Viewports past the device's limits: llvmpipe clips lines to the viewport, not the
 *   framebuffer, and its line stipple stage loops once per pixel of the clipped line: a
 *   stippled line across a viewport 10^9 wide kept the queue thread busy 50 s, a draw of many
 *   for days (time, as the workgroup counts guard_limits.c bounds). Checked as VkViewport's
 *   VUIDs width-01770/01771, height-01773, x-01774/01232, y-01775..01777/01233 say, written
 *   so that a NaN fails.
 */
#include "vk/guard.h"

#include "renderer/context.h"
#include "vk/lifetime.h"

static const char *
viewport_violation(const VkPhysicalDeviceLimits *l, const VkViewport *v)
{
   float lo = l->viewportBoundsRange[0], hi = l->viewportBoundsRange[1];
   float h = v->height < 0 ? -v->height : v->height;
   if (!(v->width > 0 && v->width <= (float)l->maxViewportDimensions[0]) ||
       !(h <= (float)l->maxViewportDimensions[1]))
      return "a viewport larger than the device's maxViewportDimensions";
   if (!(v->x >= lo && v->x + v->width <= hi && v->y >= lo && v->y <= hi &&
         v->y + v->height >= lo && v->y + v->height <= hi))
      return "a viewport outside the device's viewportBoundsRange";
   return NULL;
}

/* Viewports inside the device's limits; none checked where the limits are unknown. */
static const char *
viewports_violation(const struct pv_vk_physdev *pd, uint32_t n, const VkViewport *v)
{
   const char *why = NULL;
   for (uint32_t i = 0; pd && pd->limits.maxViewportDimensions[0] && v && !why && i < n; i++)
      why = viewport_violation(&pd->limits, &v[i]);
   return why;
}

static bool
viewports_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd, uint32_t n,
             const VkViewport *v)
{
   const char *why = viewports_violation(pv_vk_cmdbuf_physdev(c, cmd), n, v);
   if (why)
      pv_venus_refuse(c, "%s: %s", what, why);
   return !why;
}

void
pv_guard_CmdSetViewport(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdSetViewport *a = args;
   if (pv_vk_cmd_range_ok(c, "vkCmdSetViewport", a->commandBuffer, a->firstViewport,
                          a->viewportCount, PV_LIMIT_VIEWPORTS) &&
       viewports_ok(c, "vkCmdSetViewport", a->commandBuffer, a->viewportCount, a->pViewports))
      pv_handle_vkCmdSetViewport(c, args);
}

void
pv_guard_CmdSetViewportWithCount(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdSetViewportWithCount *a = args;
   if (pv_vk_cmd_range_ok(c, "vkCmdSetViewportWithCount", a->commandBuffer, 0, a->viewportCount,
                          PV_LIMIT_VIEWPORTS) &&
       viewports_ok(c, "vkCmdSetViewportWithCount", a->commandBuffer, a->viewportCount,
                    a->pViewports))
      pv_handle_vkCmdSetViewportWithCount(c, args);
}

/* The pipeline discards every primitive before rasterization, so its viewport and multisample
 * states are not read. */
static bool
discards_all(const VkGraphicsPipelineCreateInfo *ci)
{
   return ci->pRasterizationState && ci->pRasterizationState->rasterizerDiscardEnable &&
          !pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_RASTERIZER_DISCARD_ENABLE);
}

static const char *
samples_violation(const struct pv_vk_physdev *pd, const VkGraphicsPipelineCreateInfo *ci)
{
   const VkPipelineMultisampleStateCreateInfo *ms = ci->pMultisampleState;
   const VkPhysicalDeviceLimits *l = &pd->limits;
   VkSampleCountFlags any = l->framebufferColorSampleCounts | l->framebufferDepthSampleCounts |
                            l->framebufferStencilSampleCounts |
                            l->framebufferNoAttachmentsSampleCounts;
   if (!ms || !any || pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_RASTERIZATION_SAMPLES_EXT))
      return NULL;
   VkSampleCountFlags n = ms->rasterizationSamples;
   return n && !(n & (n - 1)) && (n & any)
             ? NULL
             : "a rasterization sample count the device supports for no framebuffer";
}

const char *
pv_vk_pipeline_raster_violation(const struct pv_vk_physdev *pd,
                                const VkGraphicsPipelineCreateInfo *ci)
{
   if (!pd || discards_all(ci))
      return NULL;
   const VkPipelineViewportStateCreateInfo *vs = ci->pViewportState;
   const char *why = NULL;
   if (vs && !pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_VIEWPORT) &&
       !pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_VIEWPORT_WITH_COUNT))
      why = viewports_violation(pd, vs->viewportCount, vs->pViewports);
   return why ? why : samples_violation(pd, ci);
}
