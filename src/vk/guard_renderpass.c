/* SPDX-License-Identifier: MIT */
/*
 * Render passes, framebuffers and what a render pass instance may reach (guard.h). The host
 * driver trusts every index and rectangle here: lavapipe looks up attachments and subpasses by
 * the indices a render pass's create info gives, sizes its framebuffer by the render area (not
 * by the attachments) and clears the rectangles and layers vkCmdClearAttachments names in the
 * color attachment it names. A guest that gets any of them wrong would make it read or write
 * past an array or an image of ours. So:
 *  - a render pass's attachment, subpass and view-mask indices stay inside their arrays;
 *  - a framebuffer has as many attachments as its render pass, each view at least its size;
 *  - a begin's render area lies inside the framebuffer (vkCmdBeginRendering: inside every
 *    attachment), with a clear value for every attachment it clears;
 *  - vkCmdClearAttachments stays inside the render area, the instance's layers and its color
 *    attachments (a secondary's clears are checked when it is executed, against the primary's
 *    instance: guard_cmdbuf.c).
 */
#include <stdlib.h>

#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/lifetime.h"

static uint32_t
last_bit(uint32_t mask)
{
   uint32_t n = 0;
   while (mask) {
      n++;
      mask >>= 1;
   }
   return n;
}

static bool
index_ok(uint32_t index, uint32_t count)
{
   return index == VK_ATTACHMENT_UNUSED || index < count;
}

/* ----- render pass creation ------------------------------------------------------------------ */

/* One subpass's attachment references, in the shape both create infos share. */
struct subpass_refs {
   uint32_t inputs, colors, preserves;
   const uint32_t *preserve;
   uint32_t (*ref)(const void *subpass, int kind, uint32_t i); /* attachment of reference i */
   const void *subpass;
   bool resolves, depth;
   const void *attachments; /* VkAttachmentDescription(2) array, NULL if the guest sent none */
   bool v2;
};
enum { REF_INPUT, REF_COLOR, REF_RESOLVE, REF_DEPTH };

static uint32_t
ref1(const void *p, int kind, uint32_t i)
{
   const VkSubpassDescription *s = p;
   switch (kind) {
   case REF_INPUT:
      return s->pInputAttachments[i].attachment;
   case REF_COLOR:
      return s->pColorAttachments[i].attachment;
   case REF_RESOLVE:
      return s->pResolveAttachments[i].attachment;
   default:
      return s->pDepthStencilAttachment->attachment;
   }
}

static uint32_t
ref2(const void *p, int kind, uint32_t i)
{
   const VkSubpassDescription2 *s = p;
   switch (kind) {
   case REF_INPUT:
      return s->pInputAttachments[i].attachment;
   case REF_COLOR:
      return s->pColorAttachments[i].attachment;
   case REF_RESOLVE:
      return s->pResolveAttachments[i].attachment;
   default:
      return s->pDepthStencilAttachment->attachment;
   }
}

/* Attachment i's format and sample count. */
static void
attachment_of(const struct subpass_refs *r, uint32_t i, VkFormat *format,
              VkSampleCountFlagBits *samples)
{
   if (r->v2) {
      const VkAttachmentDescription2 *a = (const VkAttachmentDescription2 *)r->attachments + i;
      *format = a->format, *samples = a->samples;
   } else {
      const VkAttachmentDescription *a = (const VkAttachmentDescription *)r->attachments + i;
      *format = a->format, *samples = a->samples;
   }
}

static bool
has_depth_or_stencil(VkFormat format)
{
   struct pv_format_info f;
   return pv_format_info(format, &f) && (f.depth_bytes || f.stencil_bytes);
}

/* What a subpass renders to must be what the host can render there: a color reference to a
 * depth/stencil format, a depth reference to a color one, or a resolve whose format or sample
 * counts do not match its color attachment, made lavapipe 22.3 call through NULL ending the
 * render pass (fuzz input 527b6a78: a 4-sample D32 attachment as color, resolved to RGBA8).
 * VUIDs of VkSubpassDescription: pColorAttachments-02648, pDepthStencilAttachment-02650,
 * pResolveAttachments-00847, -00848, -00850, pColorAttachments-01417. */
static const char *
subpass_formats_violation(const struct subpass_refs *r, uint32_t attachments)
{
   if (!r->attachments)
      return attachments ? "attachment descriptions missing" : NULL;
   VkFormat f, rf;
   VkSampleCountFlagBits n, rn, first = 0;
   for (uint32_t i = 0; i < r->colors; i++) {
      uint32_t a = r->ref(r->subpass, REF_COLOR, i);
      if (a == VK_ATTACHMENT_UNUSED)
         continue;
      attachment_of(r, a, &f, &n);
      if (has_depth_or_stencil(f))
         return "a color attachment of a depth/stencil format";
      if (first && n != first)
         return "color attachments of different sample counts";
      first = n;
      uint32_t res = r->resolves ? r->ref(r->subpass, REF_RESOLVE, i) : VK_ATTACHMENT_UNUSED;
      if (res == VK_ATTACHMENT_UNUSED)
         continue;
      attachment_of(r, res, &rf, &rn);
      if (rf != f || rn != VK_SAMPLE_COUNT_1_BIT || n == VK_SAMPLE_COUNT_1_BIT)
         return "a resolve attachment not single-sampled from a multisampled color attachment "
                "of its format";
   }
   uint32_t d = r->depth ? r->ref(r->subpass, REF_DEPTH, 0) : VK_ATTACHMENT_UNUSED;
   if (d != VK_ATTACHMENT_UNUSED) {
      attachment_of(r, d, &f, &n);
      if (!has_depth_or_stencil(f))
         return "a depth/stencil attachment of a format without depth or stencil";
   }
   return NULL;
}

static const char *
subpass_refs_violation(const struct subpass_refs *r, uint32_t attachments)
{
   for (uint32_t i = 0; i < r->inputs; i++)
      if (!index_ok(r->ref(r->subpass, REF_INPUT, i), attachments))
         return "an input attachment index past the attachments";
   for (uint32_t i = 0; i < r->colors; i++)
      if (!index_ok(r->ref(r->subpass, REF_COLOR, i), attachments) ||
          (r->resolves && !index_ok(r->ref(r->subpass, REF_RESOLVE, i), attachments)))
         return "a color or resolve attachment index past the attachments";
   if (r->depth && !index_ok(r->ref(r->subpass, REF_DEPTH, 0), attachments))
      return "a depth/stencil attachment index past the attachments";
   for (uint32_t i = 0; i < r->preserves; i++)
      if (r->preserve[i] >= attachments)
         return "a preserve attachment index past the attachments";
   return subpass_formats_violation(r, attachments);
}

static bool
subpass_index_ok(uint32_t index, uint32_t subpasses)
{
   return index == VK_SUBPASS_EXTERNAL || index < subpasses;
}

/* The last attachment a begin must give a clear value for, + 1. */
static bool
clears(VkAttachmentLoadOp load, VkAttachmentLoadOp stencil_load)
{
   return load == VK_ATTACHMENT_LOAD_OP_CLEAR || stencil_load == VK_ATTACHMENT_LOAD_OP_CLEAR;
}

static uint32_t
clears_needed1(const VkRenderPassCreateInfo *ci)
{
   uint32_t n = 0;
   for (uint32_t i = 0; i < ci->attachmentCount; i++)
      if (clears(ci->pAttachments[i].loadOp, ci->pAttachments[i].stencilLoadOp))
         n = i + 1;
   return n;
}

static uint32_t
clears_needed2(const VkRenderPassCreateInfo2 *ci)
{
   uint32_t n = 0;
   for (uint32_t i = 0; i < ci->attachmentCount; i++)
      if (clears(ci->pAttachments[i].loadOp, ci->pAttachments[i].stencilLoadOp))
         n = i + 1;
   return n;
}

static struct pv_vk_render_pass *
render_pass_new(uint32_t subpasses, uint32_t attachments)
{
   /* counts are u32 from the decoder: the sum cannot overflow size_t; colors[] and then the
    * view masks, a u32 per subpass each */
   size_t colors = (size_t)subpasses * 2 * sizeof(uint32_t);
   size_t pad = (sizeof(uint64_t) - colors % sizeof(uint64_t)) % sizeof(uint64_t);
   struct pv_vk_render_pass *rp =
      calloc(1, sizeof(*rp) + colors + pad + (size_t)attachments * 3 * sizeof(uint32_t));
   if (rp) {
      rp->subpasses = subpasses;
      rp->attachments = attachments;
      rp->view_masks = rp->colors + subpasses;
      rp->texel = (uint32_t(*)[2])((char *)rp->colors + colors + pad);
      rp->formats = (VkFormat *)(rp->texel + attachments);
   }
   return rp;
}

/* Attachment `a` is read one texel per w x h pixels (a shading rate or density map attachment);
 * `a` was checked against the attachment count. */
static const char *
mark_reduced(struct pv_vk_render_pass *rp, uint32_t a, uint32_t w, uint32_t h)
{
   if (a == VK_ATTACHMENT_UNUSED)
      return NULL;
   /* the texel size must be a power of two (VUID-VkFragmentShadingRateAttachmentInfoKHR-
    * pFragmentShadingRateAttachment-04525); 0 would divide the framebuffer by zero */
   if (!w || !h || (w & (w - 1)) || (h & (h - 1)))
      return "a shading rate attachment texel size that is not a power of two";
   rp->texel[a][0] = w;
   rp->texel[a][1] = h;
   return NULL;
}

/* A density map's texel size is the implementation's (between the device's min and max
 * fragment density texel sizes, not kept): any view of at least one texel, read by the host
 * driver, never written. A power of two, so mark_reduced takes it (UINT32_MAX, as this was at
 * first, failed that check unnoticed and left density maps held to the full size): one texel
 * covers any framebuffer up to 2^31 pixels wide. */
#define DENSITY_TEXEL (1u << 31)

/* VkRenderPassCreateInfo's chained structs index its subpasses, dependencies and inputs. */
static const char *
chain1_violation(const VkRenderPassCreateInfo *ci, struct pv_vk_render_pass *rp)
{
   uint32_t *view_layers = &rp->view_layers;
   for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
      if (s->sType == VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO) {
         const VkRenderPassMultiviewCreateInfo *m = (const void *)s;
         if (m->subpassCount && m->subpassCount != ci->subpassCount)
            return "a view mask count other than the subpass count";
         if (m->dependencyCount && m->dependencyCount != ci->dependencyCount)
            return "a view offset count other than the dependency count";
         for (uint32_t i = 0; i < m->subpassCount; i++) {
            rp->view_masks[i] = m->pViewMasks[i];
            if (last_bit(m->pViewMasks[i]) > *view_layers)
               *view_layers = last_bit(m->pViewMasks[i]);
         }
      } else if (s->sType == VK_STRUCTURE_TYPE_RENDER_PASS_INPUT_ATTACHMENT_ASPECT_CREATE_INFO) {
         const VkRenderPassInputAttachmentAspectCreateInfo *ia = (const void *)s;
         for (uint32_t i = 0; i < ia->aspectReferenceCount; i++) {
            const VkInputAttachmentAspectReference *r = &ia->pAspectReferences[i];
            if (r->subpass >= ci->subpassCount ||
                r->inputAttachmentIndex >= ci->pSubpasses[r->subpass].inputAttachmentCount)
               return "an input attachment aspect past the subpasses or their inputs";
         }
      } else if (s->sType == VK_STRUCTURE_TYPE_RENDER_PASS_FRAGMENT_DENSITY_MAP_CREATE_INFO_EXT) {
         const VkRenderPassFragmentDensityMapCreateInfoEXT *f = (const void *)s;
         if (!index_ok(f->fragmentDensityMapAttachment.attachment, ci->attachmentCount))
            return "a fragment density map attachment index past the attachments";
         (void)mark_reduced(rp, f->fragmentDensityMapAttachment.attachment, DENSITY_TEXEL,
                            DENSITY_TEXEL); /* a power of two: cannot fail */
      }
   }
   return NULL;
}

static const char *
render_pass1_violation(const VkRenderPassCreateInfo *ci, struct pv_vk_render_pass *rp)
{
   for (uint32_t i = 0; i < ci->subpassCount; i++) {
      const VkSubpassDescription *s = &ci->pSubpasses[i];
      const struct subpass_refs r = {s->inputAttachmentCount, s->colorAttachmentCount,
                                     s->preserveAttachmentCount, s->pPreserveAttachments,
                                     ref1, s, s->pResolveAttachments != NULL,
                                     s->pDepthStencilAttachment != NULL, ci->pAttachments,
                                     false};
      const char *why = subpass_refs_violation(&r, ci->attachmentCount);
      if (why)
         return why;
      rp->colors[i] = s->colorAttachmentCount;
   }
   for (uint32_t i = 0; i < ci->dependencyCount; i++)
      if (!subpass_index_ok(ci->pDependencies[i].srcSubpass, ci->subpassCount) ||
          !subpass_index_ok(ci->pDependencies[i].dstSubpass, ci->subpassCount))
         return "a dependency names a subpass past the subpasses";
   rp->clears = clears_needed1(ci);
   return chain1_violation(ci, rp);
}

/* VkSubpassDescription2's chained structs name attachments too. */
static const char *
subpass2_chain_violation(const VkSubpassDescription2 *s, uint32_t attachments,
                         struct pv_vk_render_pass *rp)
{
   for (const VkBaseInStructure *p = s->pNext; p; p = p->pNext) {
      if (p->sType == VK_STRUCTURE_TYPE_SUBPASS_DESCRIPTION_DEPTH_STENCIL_RESOLVE) {
         const VkSubpassDescriptionDepthStencilResolve *r = (const void *)p;
         if (r->pDepthStencilResolveAttachment &&
             !index_ok(r->pDepthStencilResolveAttachment->attachment, attachments))
            return "a depth/stencil resolve attachment index past the attachments";
      } else if (p->sType == VK_STRUCTURE_TYPE_FRAGMENT_SHADING_RATE_ATTACHMENT_INFO_KHR) {
         const VkFragmentShadingRateAttachmentInfoKHR *f = (const void *)p;
         if (!f->pFragmentShadingRateAttachment)
            continue;
         if (!index_ok(f->pFragmentShadingRateAttachment->attachment, attachments))
            return "a shading rate attachment index past the attachments";
         const char *why = mark_reduced(rp, f->pFragmentShadingRateAttachment->attachment,
                                        f->shadingRateAttachmentTexelSize.width,
                                        f->shadingRateAttachmentTexelSize.height);
         if (why)
            return why;
      }
   }
   return NULL;
}

static const char *
render_pass2_violation(const VkRenderPassCreateInfo2 *ci, struct pv_vk_render_pass *rp)
{
   for (uint32_t i = 0; i < ci->subpassCount; i++) {
      const VkSubpassDescription2 *s = &ci->pSubpasses[i];
      const struct subpass_refs r = {s->inputAttachmentCount, s->colorAttachmentCount,
                                     s->preserveAttachmentCount, s->pPreserveAttachments,
                                     ref2, s, s->pResolveAttachments != NULL,
                                     s->pDepthStencilAttachment != NULL, ci->pAttachments,
                                     true};
      const char *why = subpass_refs_violation(&r, ci->attachmentCount);
      if (!why)
         why = subpass2_chain_violation(s, ci->attachmentCount, rp);
      if (why)
         return why;
      rp->colors[i] = s->colorAttachmentCount;
      rp->view_masks[i] = s->viewMask;
      if (last_bit(s->viewMask) > rp->view_layers)
         rp->view_layers = last_bit(s->viewMask);
   }
   for (uint32_t i = 0; i < ci->dependencyCount; i++)
      if (!subpass_index_ok(ci->pDependencies[i].srcSubpass, ci->subpassCount) ||
          !subpass_index_ok(ci->pDependencies[i].dstSubpass, ci->subpassCount))
         return "a dependency names a subpass past the subpasses";
   rp->clears = clears_needed2(ci);
   for (const VkBaseInStructure *p = ci->pNext; p; p = p->pNext) {
      if (p->sType != VK_STRUCTURE_TYPE_RENDER_PASS_FRAGMENT_DENSITY_MAP_CREATE_INFO_EXT)
         continue;
      uint32_t a = ((const VkRenderPassFragmentDensityMapCreateInfoEXT *)p)
                      ->fragmentDensityMapAttachment.attachment;
      if (!index_ok(a, ci->attachmentCount))
         return "a fragment density map attachment index past the attachments";
      (void)mark_reduced(rp, a, DENSITY_TEXEL, DENSITY_TEXEL); /* a power of two: cannot fail */
   }
   return NULL;
}

/* Hands the checked state to the render pass the handler made (or frees it). */
static void
keep_render_pass(struct pv_dispatch_ctx *c, const char *what, VkResult r, const VkRenderPass *p,
                 struct pv_vk_render_pass *rp)
{
   struct pv_object *o = r == VK_SUCCESS && p && !pv_cs_fatal(c->dec)
                            ? pv_venus_find(c, PV_FROM_HANDLE(*p), VK_OBJECT_TYPE_RENDER_PASS)
                            : NULL;
   if (!o || o->data) {
      free(rp);
      if (r == VK_SUCCESS && p && !pv_cs_fatal(c->dec))
         pv_venus_refuse(c, "%s: the render pass made is unknown", what);
      return;
   }
   o->data = rp;
   o->free_data = pv_vk_state_free;
}

/* The create info's verdict (`why`), then every subpass's color attachments against the
 * device's maxColorAttachments and its view mask against maxMultiviewViewCount
 * (VUID-VkRenderPassMultiviewCreateInfo-pViewMasks-06697, VUID-VkSubpassDescription2-viewMask-
 * 06706: lavapipe 25 takes a query per view, guard_query.c); frees `rp` and refuses when
 * either says no. */
static bool
render_pass_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
               struct pv_vk_render_pass *rp, const char *why)
{
   for (uint32_t i = 0; !why && i < rp->subpasses; i++)
      if (!pv_vk_device_range_ok(c, what, device, 0, rp->colors[i], PV_LIMIT_COLOR_ATTACHMENTS) ||
          (rp->view_masks[i] &&
           !pv_vk_device_range_ok(c, what, device, 0, last_bit(rp->view_masks[i]),
                                  PV_LIMIT_MULTIVIEW_VIEWS))) {
         free(rp);
         return false;
      }
   if (why) {
      free(rp);
      pv_venus_refuse(c, "%s: %s", what, why);
   }
   return !why;
}

/* The device's PV_FEATURE bits: its extensions decide which image layouts it may use
 * (guard_layouts.c). */
static uint64_t
device_features(struct pv_dispatch_ctx *c, VkDevice device)
{
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   return d ? d->features : 0;
}

void
pv_guard_CreateRenderPass(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateRenderPass *a = args;
   const VkRenderPassCreateInfo *ci = a->pCreateInfo;
   struct pv_vk_render_pass *rp = ci ? render_pass_new(ci->subpassCount, ci->attachmentCount)
                                     : NULL;
   for (uint32_t i = 0; rp && ci->pAttachments && i < ci->attachmentCount; i++)
      rp->formats[i] = ci->pAttachments[i].format;
   if (!render_pass_ok(c, "vkCreateRenderPass", a->device, rp,
                       !ci   ? "no create info"
                       : !rp ? "no memory for the render pass's state"
                       : render_pass1_violation(ci, rp)
                          ?: pv_vk_render_pass_layouts(device_features(c, a->device), ci)))
      return;
   pv_handle_vkCreateRenderPass(c, args);
   keep_render_pass(c, "vkCreateRenderPass", a->ret, a->pRenderPass, rp);
}

void
pv_guard_CreateRenderPass2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateRenderPass2 *a = args;
   const VkRenderPassCreateInfo2 *ci = a->pCreateInfo;
   struct pv_vk_render_pass *rp = ci ? render_pass_new(ci->subpassCount, ci->attachmentCount)
                                     : NULL;
   for (uint32_t i = 0; rp && ci->pAttachments && i < ci->attachmentCount; i++)
      rp->formats[i] = ci->pAttachments[i].format;
   if (!render_pass_ok(c, "vkCreateRenderPass2", a->device, rp,
                       !ci   ? "no create info"
                       : !rp ? "no memory for the render pass's state"
                       : render_pass2_violation(ci, rp)
                          ?: pv_vk_render_pass2_layouts(device_features(c, a->device), ci)))
      return;
   pv_handle_vkCreateRenderPass2(c, args);
   keep_render_pass(c, "vkCreateRenderPass2", a->ret, a->pRenderPass, rp);
}

const struct pv_vk_render_pass *
pv_vk_render_pass_get(struct pv_dispatch_ctx *c, uint64_t id, uint64_t serial)
{
   struct pv_object *o = pv_venus_find(c, id, VK_OBJECT_TYPE_RENDER_PASS);
   return o && o->serial == serial ? o->data : NULL;
}

static const struct pv_vk_render_pass *
render_pass_of(struct pv_dispatch_ctx *c, VkRenderPass pass)
{
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_RENDER_PASS, PV_FROM_HANDLE(pass));
   return o ? o->data : NULL;
}

static uint32_t
view_mask_of(const struct pv_vk_render_pass *rp, uint32_t subpass)
{
   return rp && rp->view_masks && subpass < rp->subpasses ? rp->view_masks[subpass] : 0;
}

uint32_t
pv_vk_subpass_view_mask(struct pv_dispatch_ctx *c, uint64_t id, uint64_t serial, uint32_t subpass)
{
   return view_mask_of(pv_vk_render_pass_get(c, id, serial), subpass);
}

/* ----- image views and framebuffers ---------------------------------------------------------- */

void
pv_vk_image_view_track(struct pv_dispatch_ctx *c, const VkImageViewCreateInfo *ci,
                       const struct pv_vk_image *im, VkImageView view)
{
   struct pv_object *o = pv_venus_find(c, PV_FROM_HANDLE(view), VK_OBJECT_TYPE_IMAGE_VIEW);
   struct pv_vk_view *v = o ? o->data : NULL;
   if (!v)
      return; /* pv_vk_view_track failed: fatal already */
   uint32_t level = ci->subresourceRange.baseMipLevel;
   v->width = pv_vk_mip_dim(im->extent.width, level);
   v->height = pv_vk_mip_dim(im->extent.height, level);
   v->layers = pv_vk_view_layers(im, ci); /* the guard kept the range inside the image */
   v->format = ci->format;
   struct pv_format_info f;
   bool all = ci->subresourceRange.aspectMask == VK_IMAGE_ASPECT_COLOR_BIT &&
              pv_format_info(ci->format, &f) && f.plane_count > 1;
   v->planes = all ? f.plane_count : 1;
}

static const struct pv_vk_view *
image_view_of(struct pv_dispatch_ctx *c, VkImageView view)
{
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_IMAGE_VIEW, PV_FROM_HANDLE(view));
   const struct pv_vk_view *v = o ? o->data : NULL;
   return v && v->width ? v : NULL;
}

/* The views cover width x height x layers (rp's reduced attachments one texel per their texel
 * size, one layer or all); the fewest layers among the full ones into *fewest. */
static const char *
views_violation(struct pv_dispatch_ctx *c, const struct pv_vk_render_pass *rp,
                const VkImageView *views, uint32_t width, uint32_t height, uint32_t layers,
                uint32_t *fewest)
{
   *fewest = UINT32_MAX;
   for (uint32_t i = 0; i < rp->attachments; i++) {
      const struct pv_vk_view *v = views ? image_view_of(c, views[i]) : NULL;
      if (!v)
         return "an unknown attachment view";
      /* lavapipe renders to the view's format, not the description's: a render pass of an
       * RGBA8 color attachment begun on a D32 view packed its clear color with D32's pack
       * function, NULL, on the queue thread (a helper's native run on 22.3.6, 2026-12-07).
       * VUIDs VkFramebufferCreateInfo-pAttachments-00880, VkRenderPassBeginInfo-framebuffer-03216.
       */
      if (rp->formats && v->format != rp->formats[i])
         return "an attachment view of another format than its attachment's";
      const uint32_t *texel = rp->texel && rp->texel[i][0] ? rp->texel[i] : NULL;
      if (texel) {
         if (v->width < pv_div_up(width, texel[0]) || v->height < pv_div_up(height, texel[1]) ||
             (v->layers != 1 && v->layers < layers))
            return "a shading rate or density map view smaller than the framebuffer's texels";
         continue;
      }
      if (v->width < width || v->height < height || v->layers < layers)
         return "an attachment view smaller than the framebuffer";
      if (v->layers < *fewest)
         *fewest = v->layers;
   }
   return NULL;
}

/* A framebuffer's shape: as many attachments as its render pass, each view at least its size
 * (imageless: checked at the begin); fills `fb`'s shape. Refused (false) otherwise. */
bool
pv_vk_framebuffer_shape(struct pv_dispatch_ctx *c, const VkFramebufferCreateInfo *ci,
                        struct pv_vk_framebuffer *fb)
{
   const struct pv_vk_render_pass *rp = render_pass_of(c, ci->renderPass);
   bool imageless = ci->flags & VK_FRAMEBUFFER_CREATE_IMAGELESS_BIT;
   uint32_t fewest = UINT32_MAX;
   const char *why = !rp ? "unknown render pass"
                     : ci->attachmentCount != rp->attachments
                        ? "an attachment count other than its render pass's"
                     : imageless ? NULL
                                 : views_violation(c, rp, ci->pAttachments, ci->width,
                                                   ci->height, ci->layers, &fewest);
   if (why) {
      pv_venus_refuse(c, "vkCreateFramebuffer: %s", why);
      return false;
   }
   fb->width = ci->width;
   fb->height = ci->height;
   fb->layers = ci->layers;
   fb->attachments = ci->attachmentCount;
   fb->view_layers = fewest;
   fb->imageless = imageless;
   return true;
}

/* ----- render pass instances ----------------------------------------------------------------- */

static bool
area_inside(const VkRect2D *r, uint32_t width, uint32_t height)
{
   return r->offset.x >= 0 && r->offset.y >= 0 &&
          (uint64_t)r->offset.x + r->extent.width <= width &&
          (uint64_t)r->offset.y + r->extent.height <= height;
}

static const VkRenderPassAttachmentBeginInfo *
attachment_begin_info(const VkRenderPassBeginInfo *info)
{
   for (const VkBaseInStructure *s = info->pNext; s; s = s->pNext)
      if (s->sType == VK_STRUCTURE_TYPE_RENDER_PASS_ATTACHMENT_BEGIN_INFO)
         return (const void *)s;
   return NULL;
}

static const char *
begin_violation(struct pv_dispatch_ctx *c, const VkRenderPassBeginInfo *info,
                const struct pv_vk_render_pass *rp, const struct pv_vk_framebuffer *fb)
{
   if (fb->attachments != rp->attachments)
      return "a framebuffer with an attachment count other than the render pass's";
   uint32_t fewest = fb->view_layers;
   if (fb->imageless) {
      const VkRenderPassAttachmentBeginInfo *ab = attachment_begin_info(info);
      if (!ab || ab->attachmentCount != rp->attachments)
         return "an imageless framebuffer without a view for each attachment";
      const char *why =
         views_violation(c, rp, ab->pAttachments, fb->width, fb->height, fb->layers, &fewest);
      if (why)
         return why;
   }
   if (rp->view_layers > fewest)
      return "multiview past the layers of an attachment view";
   if (!area_inside(&info->renderArea, fb->width, fb->height))
      return "a render area outside the framebuffer";
   if (info->clearValueCount < rp->clears || (rp->clears && !info->pClearValues))
      return "fewer clear values than attachments it clears";
   return NULL;
}

const struct pv_object *
pv_vk_render_pass_begin(struct pv_dispatch_ctx *c, const char *what,
                        const VkRenderPassBeginInfo *info, struct pv_vk_area *area)
{
   struct pv_object *pass =
      info ? pv_venus_object(c, VK_OBJECT_TYPE_RENDER_PASS, PV_FROM_HANDLE(info->renderPass))
           : NULL;
   const struct pv_vk_render_pass *rp = pass ? pass->data : NULL;
   struct pv_object *o =
      info ? pv_venus_object(c, VK_OBJECT_TYPE_FRAMEBUFFER, PV_FROM_HANDLE(info->framebuffer))
           : NULL;
   const struct pv_vk_framebuffer *fb = o ? o->data : NULL;
   const char *why = !rp || !rp->subpasses ? "unknown render pass"
                     : !fb                 ? "unknown framebuffer"
                                           : begin_violation(c, info, rp, fb);
   if (why) {
      pv_venus_refuse(c, "%s: %s", what, why);
      return NULL;
   }
   *area = (struct pv_vk_area){(uint32_t)info->renderArea.offset.x + info->renderArea.extent.width,
                               (uint32_t)info->renderArea.offset.y +
                                  info->renderArea.extent.height,
                               rp->view_layers > fb->layers ? rp->view_layers : fb->layers,
                               rp->colors[0]};
   return pass;
}

/* The aspects a view's format has, as a depth bit, a stencil bit, or 0 for color. */
static uint32_t
depth_stencil_of(VkFormat format)
{
   struct pv_format_info f;
   if (!pv_format_info(format, &f))
      return 0;
   return (f.depth_bytes ? VK_IMAGE_ASPECT_DEPTH_BIT : 0) |
          (f.stencil_bytes ? VK_IMAGE_ASPECT_STENCIL_BIT : 0);
}

/*
 * A vkCmdBeginRendering attachment (its view and its resolve view) covers the instance, and a
 * color attachment's view has a color format, a depth or stencil attachment's that aspect
 * (VUIDs VkRenderingInfo-colorAttachmentCount-06087, pDepthAttachment-06547,
 * pStencilAttachment-06548): lavapipe clears a color attachment with the view format's pack
 * function, NULL for depth/stencil formats, on its queue thread (a helper's native run on
 * 22.3.6, 2026-12-07). `needs`: the aspect the slot needs, 0 for a color slot.
 */
static const char *
rendering_attachment_violation(struct pv_dispatch_ctx *c, const VkRenderingAttachmentInfo *a,
                               const struct pv_vk_area *area, uint32_t needs)
{
   VkImageView views[2] = {a->imageView,
                           a->resolveMode != VK_RESOLVE_MODE_NONE ? a->resolveImageView : NULL};
   for (int i = 0; i < 2; i++) {
      if (!views[i])
         continue;
      const struct pv_vk_view *v = image_view_of(c, views[i]);
      if (!v)
         return "an unknown attachment view";
      if (v->width < area->x_end || v->height < area->y_end || v->layers < area->layers)
         return "an attachment view smaller than the render area or its layers";
      uint32_t has = depth_stencil_of(v->format);
      if (needs ? !(has & needs) : has != 0)
         return needs ? "a depth or stencil attachment view without that aspect"
                      : "a color attachment view of a depth/stencil format";
   }
   return NULL;
}

bool
pv_vk_rendering_begin(struct pv_dispatch_ctx *c, const VkRenderingInfo *info,
                      struct pv_vk_area *area)
{
   const char *why = !info ? "no rendering info" : NULL;
   if (!why && !area_inside(&info->renderArea, INT32_MAX, INT32_MAX))
      why = "a render area past the largest image";
   /* VUID-VkRenderingInfo-viewMask-06069: lavapipe 22.3 takes the layers as given and makes its
    * surfaces' last layer layers - 1, as for a framebuffer of 0 layers (guard_limits.c) */
   if (!why && !info->viewMask && !info->layerCount)
      why = "0 layers without a view mask";
   if (!why) {
      uint32_t layers = info->viewMask ? last_bit(info->viewMask) : info->layerCount;
      *area = (struct pv_vk_area){
         (uint32_t)info->renderArea.offset.x + info->renderArea.extent.width,
         (uint32_t)info->renderArea.offset.y + info->renderArea.extent.height, layers,
         info->colorAttachmentCount};
      for (uint32_t i = 0; !why && i < info->colorAttachmentCount; i++)
         why = info->pColorAttachments
                  ? rendering_attachment_violation(c, &info->pColorAttachments[i], area, 0)
                  : "no color attachments";
      if (!why && info->pDepthAttachment)
         why = rendering_attachment_violation(c, info->pDepthAttachment, area,
                                              VK_IMAGE_ASPECT_DEPTH_BIT);
      if (!why && info->pStencilAttachment)
         why = rendering_attachment_violation(c, info->pStencilAttachment, area,
                                              VK_IMAGE_ASPECT_STENCIL_BIT);
   }
   if (why)
      pv_venus_refuse(c, "vkCmdBeginRendering: %s", why);
   return !why;
}

/* ----- inheritance and pipelines ------------------------------------------------------------- */

/* The dynamic rendering a secondary continues (VkCommandBufferInheritanceRenderingInfo), or
 * NULL: with no render pass named, one that continues a render pass continues that. */
static const VkCommandBufferInheritanceRenderingInfo *
inherited_rendering(const VkCommandBufferInheritanceInfo *in)
{
   return in->renderPass
             ? NULL
             : pv_vk_chain_find(in->pNext,
                                VK_STRUCTURE_TYPE_COMMAND_BUFFER_INHERITANCE_RENDERING_INFO);
}

static const VkCommandBufferInheritanceInfo *
continued(const VkCommandBufferBeginInfo *info)
{
   return info && (info->flags & VK_COMMAND_BUFFER_USAGE_RENDER_PASS_CONTINUE_BIT)
             ? info->pInheritanceInfo
             : NULL;
}

uint32_t
pv_vk_inherited_view_mask(struct pv_dispatch_ctx *c, const VkCommandBufferBeginInfo *info)
{
   const VkCommandBufferInheritanceInfo *in = continued(info);
   const VkCommandBufferInheritanceRenderingInfo *r = in ? inherited_rendering(in) : NULL;
   if (r)
      return r->viewMask;
   return in && in->renderPass ? view_mask_of(render_pass_of(c, in->renderPass), in->subpass) : 0;
}

bool
pv_vk_inheritance_ok(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                     const VkCommandBufferBeginInfo *info)
{
   const VkCommandBufferInheritanceInfo *in = continued(info);
   const VkCommandBufferInheritanceRenderingInfo *r = in ? inherited_rendering(in) : NULL;
   /* VUID-VkCommandBufferInheritanceRenderingInfo-viewMask-06009 */
   if (r && r->viewMask &&
       !pv_vk_cmd_range_ok(c, "vkBeginCommandBuffer", cmd, 0, last_bit(r->viewMask),
                           PV_LIMIT_MULTIVIEW_VIEWS))
      return false;
   if (!in || !in->renderPass)
      return true; /* a primary ignores it; a secondary without a render pass names none */
   const struct pv_vk_render_pass *rp = render_pass_of(c, in->renderPass);
   struct pv_object *o =
      in->framebuffer
         ? pv_venus_object(c, VK_OBJECT_TYPE_FRAMEBUFFER, PV_FROM_HANDLE(in->framebuffer))
         : NULL;
   const struct pv_vk_framebuffer *fb = o ? o->data : NULL;
   const char *why = !rp                                ? "an unknown render pass"
                     : in->subpass >= rp->subpasses     ? "a subpass past the render pass's"
                     : in->framebuffer && !fb           ? "an unknown framebuffer"
                     : fb && fb->attachments != rp->attachments
                        ? "a framebuffer with an attachment count other than the render pass's"
                        : NULL;
   if (why)
      pv_venus_refuse(c, "vkBeginCommandBuffer: inheritance names %s", why);
   return !why;
}

bool
pv_vk_pipeline_subpass_ok(struct pv_dispatch_ctx *c, const char *what,
                          const VkGraphicsPipelineCreateInfo *ci)
{
   if (!ci->renderPass)
      return true; /* dynamic rendering */
   const struct pv_vk_render_pass *rp = render_pass_of(c, ci->renderPass);
   if (rp && ci->subpass < rp->subpasses)
      return true;
   pv_venus_refuse(c, "%s: %s", what,
                   rp ? "a subpass past its render pass's" : "an unknown render pass");
   return false;
}
