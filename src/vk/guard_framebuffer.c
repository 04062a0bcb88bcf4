/* SPDX-License-Identifier: MIT */
/*
 * Framebuffers and the lifetime of their attachments (guard.h, lifetime.h). A render pass
 * instance reaches its attachments through the framebuffer, not through anything the command
 * names, so the framebuffer keeps a reference to each attachment view: a command buffer that
 * begins a render pass on it is refused at submission once an attachment's image is destroyed
 * or was never bound (fuzz inputs d76a29ef, 2c593dd8: lavapipe's queue thread read the image's
 * missing storage at 0x54 / 0). Imageless framebuffers name their views at
 * vkCmdBeginRenderPass (VkRenderPassAttachmentBeginInfo), which the command buffer references
 * itself.
 */
#include "vk/lifetime.h"

#include <stdlib.h>

#include "renderer/context.h"

static void
framebuffer_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_framebuffer *fb = obj->data;
   pv_vk_refset_fini(&fb->refs);
   free(fb);
   obj->data = NULL;
}

/* Every attachment is a live view of a live, bound image; they go into `refs`. */
static bool
attachments_alive(struct pv_dispatch_ctx *c, const VkFramebufferCreateInfo *ci,
                  struct pv_vk_refset *refs)
{
   if (ci->flags & VK_FRAMEBUFFER_CREATE_IMAGELESS_BIT)
      return true;
   struct pv_context *ctx = pv_venus_from(c);
   if (ci->attachmentCount && !ci->pAttachments) { /* noautovalidity: absent on the wire */
      pv_venus_refuse(c, "vkCreateFramebuffer: %u attachments, pAttachments absent",
                      ci->attachmentCount);
      return false;
   }
   for (uint32_t i = 0; i < ci->attachmentCount; i++) {
      struct pv_object *v = pv_venus_object(c, VK_OBJECT_TYPE_IMAGE_VIEW,
                                            PV_FROM_HANDLE(ci->pAttachments[i]));
      if (!v || !pv_vk_object_alive(ctx, v)) {
         pv_venus_refuse(c, "vkCreateFramebuffer: attachment %u is not a view of a live, "
                            "bound image", i);
         return false;
      }
      if (!pv_vk_refset_add(ctx, refs, v)) {
         pv_venus_refuse(c, "vkCreateFramebuffer: no memory for its attachments");
         return false;
      }
   }
   return true;
}

void
pv_guard_CreateFramebuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateFramebuffer *a = args;
   struct pv_vk_framebuffer *fb = calloc(1, sizeof(*fb));
   if (!fb) {
      pv_venus_refuse(c, "vkCreateFramebuffer: no memory for its state");
      return;
   }
   if (!a->pCreateInfo || !pv_vk_framebuffer_size_ok(c, a->device, a->pCreateInfo) ||
       !attachments_alive(c, a->pCreateInfo, &fb->refs) ||
       !pv_vk_framebuffer_shape(c, a->pCreateInfo, fb)) {
      if (!a->pCreateInfo) /* the codec refuses an absent one; kept for hand-built args */
         pv_venus_refuse(c, "vkCreateFramebuffer: pCreateInfo missing");
      framebuffer_free(NULL, &(struct pv_object){.data = fb});
      return;
   }
   pv_handle_vkCreateFramebuffer(c, args);
   struct pv_object *o =
      a->ret == VK_SUCCESS && a->pFramebuffer && !pv_cs_fatal(c->dec)
         ? pv_venus_find(c, PV_FROM_HANDLE(*a->pFramebuffer), VK_OBJECT_TYPE_FRAMEBUFFER)
         : NULL;
   if (!o || o->data) {
      framebuffer_free(NULL, &(struct pv_object){.data = fb});
      return;
   }
   o->data = fb;
   o->free_data = framebuffer_free;
}
