/* SPDX-License-Identifier: MIT */
/*
 * Samplers made with compareEnable (guard.h). A draw must not pair one with a shader
 * instruction that has no depth reference on a host whose compiler builds the comparison anyway
 * (pv_vk.h compare_needs_dref, spirv_sample.c); the sets' written maps keep which descriptors
 * hold such a sampler now (guard_written.c), and for that they need to know it of each sampler.
 */
#include "renderer/context.h"
#include "vk/guard.h"

/* A compare-enabled sampler's state is this one shared constant: one bit does not need an
 * allocation per sampler, and free_data stays NULL. */
static const struct pv_vk_sampler {
   bool compare;
} compare_sampler = {true};

/* A custom border color needs its VkSamplerCustomBorderColorCreateInfoEXT
 * (VUID-VkSamplerCreateInfo-borderColor-04011): Mesa's common sampler code (vk_sampler.c
 * vk_sampler_border_color_value, 22.3 and 25.0) reads the color through the chain entry it
 * did not find, and lavapipe's vkCreateSampler read address 0x10 (measured on 22.3.6).
 * Refused on every host. */
static bool
border_color_ok(struct pv_dispatch_ctx *c, const VkSamplerCreateInfo *ci)
{
   if (!ci ||
       (ci->borderColor != VK_BORDER_COLOR_FLOAT_CUSTOM_EXT &&
        ci->borderColor != VK_BORDER_COLOR_INT_CUSTOM_EXT) ||
       pv_vk_chain_find(ci->pNext, VK_STRUCTURE_TYPE_SAMPLER_CUSTOM_BORDER_COLOR_CREATE_INFO_EXT))
      return true;
   pv_venus_refuse(c, "vkCreateSampler: a custom border color without its "
                      "VkSamplerCustomBorderColorCreateInfoEXT");
   return false;
}

void
pv_guard_CreateSampler(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateSampler *a = args;
   if (!border_color_ok(c, a->pCreateInfo))
      return;
   pv_handle_vkCreateSampler(c, args);
   if (a->ret != VK_SUCCESS || !a->pSampler || !a->pCreateInfo || pv_cs_fatal(c->dec) ||
       !a->pCreateInfo->compareEnable)
      return;
   /* the decoder wrote the new sampler's guest id back */
   struct pv_object *o = pv_venus_find(c, PV_FROM_HANDLE(*a->pSampler), VK_OBJECT_TYPE_SAMPLER);
   if (o)
      pv_vk_sampler_mark_compare(o);
}

void
pv_vk_sampler_mark_compare(struct pv_object *o)
{
   if (!o->data)
      o->data = (void *)&compare_sampler;
}

bool
pv_vk_sampler_compares(struct pv_dispatch_ctx *c, VkSampler sampler)
{
   const struct pv_object *o =
      sampler ? pv_venus_object(c, VK_OBJECT_TYPE_SAMPLER, PV_FROM_HANDLE(sampler)) : NULL;
   return o && o->data == &compare_sampler;
}
