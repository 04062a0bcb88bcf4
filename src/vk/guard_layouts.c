/* SPDX-License-Identifier: MIT */
/*
 * Image layouts of extensions the device was created without (the tenth reading's second
 * sweep, 2026-12-07). An enum value an extension defines is valid only with that extension
 * enabled (the spec's "Valid Usage for Enumerated Types"); the decoder checks every layout
 * against the registry of the guest's wire, which holds layouts newer than the host's Mesa
 * knows. Mesa 22.3.6's render pass code classifies each attachment layout in a switch whose
 * default is unreachable() (vk_image.c vk_image_layout_is_read_only, reached from the
 * transitions vk_render_pass.c makes at begin and end): undefined behaviour for
 * VK_IMAGE_LAYOUT_RENDERING_LOCAL_READ_KHR or the video layouts, which this build happened to
 * survive (run natively). Render passes and renderings are held to the layouts of core
 * Vulkan and of the extensions the device enabled.
 */
#include <string.h>

#include "renderer/context.h"
#include "vk/guard.h"

struct layout_extension {
   const char *name;
   enum pv_feature bit;
};

static const struct layout_extension layout_extensions[] = {
   {"VK_KHR_swapchain", PV_LAYOUTS_SWAPCHAIN},
   {"VK_KHR_shared_presentable_image", PV_LAYOUTS_SHARED_PRESENT},
   {"VK_KHR_fragment_shading_rate", PV_LAYOUTS_SHADING_RATE},
   {"VK_NV_shading_rate_image", PV_LAYOUTS_SHADING_RATE},
   {"VK_EXT_fragment_density_map", PV_LAYOUTS_DENSITY_MAP},
   {"VK_EXT_attachment_feedback_loop_layout", PV_LAYOUTS_FEEDBACK_LOOP},
   {"VK_KHR_dynamic_rendering_local_read", PV_LAYOUTS_LOCAL_READ},
   {"VK_KHR_video_decode_queue", PV_LAYOUTS_VIDEO_DECODE},
   {"VK_KHR_video_encode_queue", PV_LAYOUTS_VIDEO_ENCODE},
   {"VK_KHR_video_encode_quantization_map", PV_LAYOUTS_QUANTIZATION_MAP},
   /* not a layout: DRM format modifier tiling and its structs (guard_image.c) */
   {"VK_EXT_image_drm_format_modifier", PV_EXT_IMAGE_DRM_FORMAT_MODIFIER},
};

uint64_t
pv_vk_layout_extensions(const VkDeviceCreateInfo *ci)
{
   uint64_t on = 0;
   for (uint32_t i = 0; ci && ci->ppEnabledExtensionNames && i < ci->enabledExtensionCount; i++)
      for (size_t k = 0; k < sizeof(layout_extensions) / sizeof(layout_extensions[0]); k++)
         if (ci->ppEnabledExtensionNames[i] &&
             !strcmp(ci->ppEnabledExtensionNames[i], layout_extensions[k].name))
            on |= PV_FEATURE(layout_extensions[k].bit);
   return on;
}

/* The extension bit a layout needs; PV_FEATURE_COUNT for core layouts (1.0 to 1.3, whose
 * promoted values every host Mesa knows), PV_LAYOUTS_END for values unknown here. */
static enum pv_feature
layout_needs(VkImageLayout l)
{
   if ((uint32_t)l <= VK_IMAGE_LAYOUT_PREINITIALIZED)
      return PV_FEATURE_COUNT;
   switch ((uint32_t)l) {
   case VK_IMAGE_LAYOUT_DEPTH_READ_ONLY_STENCIL_ATTACHMENT_OPTIMAL:
   case VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_STENCIL_READ_ONLY_OPTIMAL:
   case VK_IMAGE_LAYOUT_DEPTH_ATTACHMENT_OPTIMAL:
   case VK_IMAGE_LAYOUT_DEPTH_READ_ONLY_OPTIMAL:
   case VK_IMAGE_LAYOUT_STENCIL_ATTACHMENT_OPTIMAL:
   case VK_IMAGE_LAYOUT_STENCIL_READ_ONLY_OPTIMAL:
   case VK_IMAGE_LAYOUT_READ_ONLY_OPTIMAL:
   case VK_IMAGE_LAYOUT_ATTACHMENT_OPTIMAL:
      return PV_FEATURE_COUNT;
   case VK_IMAGE_LAYOUT_PRESENT_SRC_KHR:
      return PV_LAYOUTS_SWAPCHAIN;
   case VK_IMAGE_LAYOUT_SHARED_PRESENT_KHR:
      return PV_LAYOUTS_SHARED_PRESENT;
   case VK_IMAGE_LAYOUT_FRAGMENT_SHADING_RATE_ATTACHMENT_OPTIMAL_KHR:
      return PV_LAYOUTS_SHADING_RATE;
   case VK_IMAGE_LAYOUT_FRAGMENT_DENSITY_MAP_OPTIMAL_EXT:
      return PV_LAYOUTS_DENSITY_MAP;
   case VK_IMAGE_LAYOUT_ATTACHMENT_FEEDBACK_LOOP_OPTIMAL_EXT:
      return PV_LAYOUTS_FEEDBACK_LOOP;
   case 1000232000u: /* VK_IMAGE_LAYOUT_RENDERING_LOCAL_READ_KHR */
      return PV_LAYOUTS_LOCAL_READ;
   case 1000024000u: /* VK_IMAGE_LAYOUT_VIDEO_DECODE_DST/SRC/DPB_KHR */
   case 1000024001u:
   case 1000024002u:
      return PV_LAYOUTS_VIDEO_DECODE;
   case 1000299000u: /* VK_IMAGE_LAYOUT_VIDEO_ENCODE_DST/SRC/DPB_KHR */
   case 1000299001u:
   case 1000299002u:
      return PV_LAYOUTS_VIDEO_ENCODE;
   case 1000553000u: /* VK_IMAGE_LAYOUT_VIDEO_ENCODE_QUANTIZATION_MAP_KHR */
      return PV_LAYOUTS_QUANTIZATION_MAP;
   default:
      return PV_LAYOUTS_END;
   }
}

static bool
layout_ok(uint64_t features, VkImageLayout l)
{
   enum pv_feature need = layout_needs(l);
   return need == PV_FEATURE_COUNT || (need != PV_LAYOUTS_END && (features & PV_FEATURE(need)));
}

static const char not_enabled[] = "an image layout of an extension the device was created without";

/* A reference's layouts: its own and a chained stencil layout. */
static bool
ref2_ok(uint64_t f, const VkAttachmentReference2 *r)
{
   if (!r)
      return true;
   const VkAttachmentReferenceStencilLayout *s =
      pv_vk_chain_find(r->pNext, VK_STRUCTURE_TYPE_ATTACHMENT_REFERENCE_STENCIL_LAYOUT);
   return layout_ok(f, r->layout) && (!s || layout_ok(f, s->stencilLayout));
}

static bool
refs2_ok(uint64_t f, const VkAttachmentReference2 *r, uint32_t n)
{
   for (uint32_t i = 0; r && i < n; i++)
      if (!ref2_ok(f, &r[i]))
         return false;
   return true;
}

static bool
refs_ok(uint64_t f, const VkAttachmentReference *r, uint32_t n)
{
   for (uint32_t i = 0; r && i < n; i++)
      if (!layout_ok(f, r[i].layout))
         return false;
   return true;
}

const char *
pv_vk_render_pass_layouts(uint64_t f, const VkRenderPassCreateInfo *ci)
{
   for (uint32_t i = 0; ci->pAttachments && i < ci->attachmentCount; i++)
      if (!layout_ok(f, ci->pAttachments[i].initialLayout) ||
          !layout_ok(f, ci->pAttachments[i].finalLayout))
         return not_enabled;
   for (uint32_t i = 0; ci->pSubpasses && i < ci->subpassCount; i++) {
      const VkSubpassDescription *s = &ci->pSubpasses[i];
      if (!refs_ok(f, s->pInputAttachments, s->inputAttachmentCount) ||
          !refs_ok(f, s->pColorAttachments, s->colorAttachmentCount) ||
          !refs_ok(f, s->pResolveAttachments, s->colorAttachmentCount) ||
          !refs_ok(f, s->pDepthStencilAttachment, 1))
         return not_enabled;
   }
   return NULL;
}

const char *
pv_vk_render_pass2_layouts(uint64_t f, const VkRenderPassCreateInfo2 *ci)
{
   for (uint32_t i = 0; ci->pAttachments && i < ci->attachmentCount; i++) {
      const VkAttachmentDescription2 *a = &ci->pAttachments[i];
      const VkAttachmentDescriptionStencilLayout *s =
         pv_vk_chain_find(a->pNext, VK_STRUCTURE_TYPE_ATTACHMENT_DESCRIPTION_STENCIL_LAYOUT);
      if (!layout_ok(f, a->initialLayout) || !layout_ok(f, a->finalLayout) ||
          (s && (!layout_ok(f, s->stencilInitialLayout) || !layout_ok(f, s->stencilFinalLayout))))
         return not_enabled;
   }
   for (uint32_t i = 0; ci->pSubpasses && i < ci->subpassCount; i++) {
      const VkSubpassDescription2 *s = &ci->pSubpasses[i];
      const VkSubpassDescriptionDepthStencilResolve *dsr =
         pv_vk_chain_find(s->pNext, VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_DEPTH_STENCIL_RESOLVE);
      const VkFragmentShadingRateAttachmentInfoKHR *fsr =
         pv_vk_chain_find(s->pNext, VK_STRUCTURE_TYPE_FRAGMENT_SHADING_RATE_ATTACHMENT_INFO_KHR);
      if (!refs2_ok(f, s->pInputAttachments, s->inputAttachmentCount) ||
          !refs2_ok(f, s->pColorAttachments, s->colorAttachmentCount) ||
          !refs2_ok(f, s->pResolveAttachments, s->colorAttachmentCount) ||
          !ref2_ok(f, s->pDepthStencilAttachment) ||
          (dsr && !ref2_ok(f, dsr->pDepthStencilResolveAttachment)) ||
          (fsr && !ref2_ok(f, fsr->pFragmentShadingRateAttachment)))
         return not_enabled;
   }
   return NULL;
}

static bool
attachment_ok(uint64_t f, const VkRenderingAttachmentInfo *a)
{
   return !a || (layout_ok(f, a->imageLayout) && layout_ok(f, a->resolveImageLayout));
}

const char *
pv_vk_rendering_layouts(uint64_t f, const VkRenderingInfo *ri)
{
   for (uint32_t i = 0; ri->pColorAttachments && i < ri->colorAttachmentCount; i++)
      if (!attachment_ok(f, &ri->pColorAttachments[i]))
         return not_enabled;
   return attachment_ok(f, ri->pDepthAttachment) && attachment_ok(f, ri->pStencilAttachment)
             ? NULL
             : not_enabled;
}
