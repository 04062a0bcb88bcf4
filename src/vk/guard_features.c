/* SPDX-License-Identifier: MIT */
/*
 * Dynamic-state setters that need a device feature (the tenth reading, 2026-12-07).
 *
 * Vulkan lets a command of VK_EXT_extended_dynamic_state2/3, vertex_input_dynamic_state or
 * color_write_enable be recorded only on a device created with the feature that names it
 * (VUID-vkCmdSet*-None-09422/09423, -04870, -07608 and the like). A host driver answers
 * vkGetDeviceProcAddr for every command of an enabled extension, also those whose feature it
 * reports false, and may implement none of them: lavapipe gets vkCmdSetColorBlendAdvancedEXT
 * from Mesa's common runtime, whose body is unreachable(), compiled to no code at all in a
 * release build. Called through that pointer, lavapipe 22.3.6 jumped into the middle of another
 * function with the guest's arguments and ended in "stack smashing detected" (run natively and
 * through the server). So the device keeps which of these features the guest enabled (the host
 * refuses enabling one it does not have), and each setter is refused without its feature.
 */
#include <stddef.h>

#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/lifetime.h"

/* Where a feature's VkBool32 lives in the create info's chain, and its name for the log. */
struct gated_feature {
   VkStructureType stype;
   size_t offset;
   const char *name;
};

#define EDS3(field)                                                                                \
   {                                                                                               \
      VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_3_FEATURES_EXT,                     \
         offsetof(VkPhysicalDeviceExtendedDynamicState3FeaturesEXT, extendedDynamicState3##field), \
         "extendedDynamicState3" #field                                                            \
   }

static const struct gated_feature gated[PV_FEATURE_COUNT] = {
   [PV_FEATURE_TESSELLATION_DOMAIN_ORIGIN] = EDS3(TessellationDomainOrigin),
   [PV_FEATURE_DEPTH_CLAMP_ENABLE] = EDS3(DepthClampEnable),
   [PV_FEATURE_POLYGON_MODE] = EDS3(PolygonMode),
   [PV_FEATURE_RASTERIZATION_SAMPLES] = EDS3(RasterizationSamples),
   [PV_FEATURE_SAMPLE_MASK] = EDS3(SampleMask),
   [PV_FEATURE_ALPHA_TO_COVERAGE_ENABLE] = EDS3(AlphaToCoverageEnable),
   [PV_FEATURE_ALPHA_TO_ONE_ENABLE] = EDS3(AlphaToOneEnable),
   [PV_FEATURE_LOGIC_OP_ENABLE] = EDS3(LogicOpEnable),
   [PV_FEATURE_COLOR_BLEND_ENABLE] = EDS3(ColorBlendEnable),
   [PV_FEATURE_COLOR_BLEND_EQUATION] = EDS3(ColorBlendEquation),
   [PV_FEATURE_COLOR_WRITE_MASK] = EDS3(ColorWriteMask),
   [PV_FEATURE_RASTERIZATION_STREAM] = EDS3(RasterizationStream),
   [PV_FEATURE_CONSERVATIVE_RASTERIZATION_MODE] = EDS3(ConservativeRasterizationMode),
   [PV_FEATURE_EXTRA_PRIMITIVE_OVERESTIMATION_SIZE] = EDS3(ExtraPrimitiveOverestimationSize),
   [PV_FEATURE_DEPTH_CLIP_ENABLE] = EDS3(DepthClipEnable),
   [PV_FEATURE_SAMPLE_LOCATIONS_ENABLE] = EDS3(SampleLocationsEnable),
   [PV_FEATURE_COLOR_BLEND_ADVANCED] = EDS3(ColorBlendAdvanced),
   [PV_FEATURE_PROVOKING_VERTEX_MODE] = EDS3(ProvokingVertexMode),
   [PV_FEATURE_LINE_RASTERIZATION_MODE] = EDS3(LineRasterizationMode),
   [PV_FEATURE_LINE_STIPPLE_ENABLE] = EDS3(LineStippleEnable),
   [PV_FEATURE_DEPTH_CLIP_NEGATIVE_ONE_TO_ONE] = EDS3(DepthClipNegativeOneToOne),
   [PV_FEATURE_LOGIC_OP] = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_2_FEATURES_EXT,
                            offsetof(VkPhysicalDeviceExtendedDynamicState2FeaturesEXT,
                                     extendedDynamicState2LogicOp),
                            "extendedDynamicState2LogicOp"},
   [PV_FEATURE_PATCH_CONTROL_POINTS] =
      {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_2_FEATURES_EXT,
       offsetof(VkPhysicalDeviceExtendedDynamicState2FeaturesEXT,
                extendedDynamicState2PatchControlPoints),
       "extendedDynamicState2PatchControlPoints"},
   [PV_FEATURE_VERTEX_INPUT] =
      {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VERTEX_INPUT_DYNAMIC_STATE_FEATURES_EXT,
       offsetof(VkPhysicalDeviceVertexInputDynamicStateFeaturesEXT, vertexInputDynamicState),
       "vertexInputDynamicState"},
   [PV_FEATURE_COLOR_WRITE_ENABLE] =
      {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_COLOR_WRITE_ENABLE_FEATURES_EXT,
       offsetof(VkPhysicalDeviceColorWriteEnableFeaturesEXT, colorWriteEnable), "colorWriteEnable"},
   [PV_FEATURE_MUTABLE_DESCRIPTORS] =
      {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MUTABLE_DESCRIPTOR_TYPE_FEATURES_EXT,
       offsetof(VkPhysicalDeviceMutableDescriptorTypeFeaturesEXT, mutableDescriptorType),
       "mutableDescriptorType"},
   [PV_FEATURE_GEOMETRY_SHADER] = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                   offsetof(VkPhysicalDeviceFeatures2, features.geometryShader),
                                   "geometryShader"},
   [PV_FEATURE_TESSELLATION_SHADER] = {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                       offsetof(VkPhysicalDeviceFeatures2,
                                                features.tessellationShader),
                                       "tessellationShader"},
};

uint64_t
pv_vk_gated_features(const VkDeviceCreateInfo *ci)
{
   uint64_t on = 0;
   /* a chain with VkPhysicalDeviceFeatures2 has no pEnabledFeatures (VUID-...-pNext-00373) */
   const VkPhysicalDeviceFeatures *core = ci->pEnabledFeatures;
   if (core && core->geometryShader)
      on |= PV_FEATURE(PV_FEATURE_GEOMETRY_SHADER);
   if (core && core->tessellationShader)
      on |= PV_FEATURE(PV_FEATURE_TESSELLATION_SHADER);
   for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext)
      for (unsigned i = 0; i < PV_FEATURE_COUNT; i++)
         if (gated[i].stype == s->sType &&
             *(const VkBool32 *)((const char *)s + gated[i].offset) == VK_TRUE)
            on |= PV_FEATURE(i);
   return on;
}

bool
pv_vk_cmd_feature_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
                     enum pv_feature feature)
{
   const struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   if (__builtin_expect(cb && (cb->features & PV_FEATURE(feature)), 1))
      return true;
   pv_venus_refuse(c, "%s: its device was created without %s", what, gated[feature].name);
   return false;
}

/* A setter whose only check is its feature. */
#define FEATURE_GUARD(name, feature)                                                               \
   void pv_guard_##name(struct pv_dispatch_ctx *c, void *args)                                     \
   {                                                                                               \
      struct pv_args_vk##name *a = args;                                                           \
      if (pv_vk_cmd_feature_ok(c, "vk" #name, a->commandBuffer, feature))                          \
         pv_handle_vk##name(c, args);                                                              \
   }

FEATURE_GUARD(CmdSetTessellationDomainOriginEXT, PV_FEATURE_TESSELLATION_DOMAIN_ORIGIN)
FEATURE_GUARD(CmdSetDepthClampEnableEXT, PV_FEATURE_DEPTH_CLAMP_ENABLE)
FEATURE_GUARD(CmdSetPolygonModeEXT, PV_FEATURE_POLYGON_MODE)
FEATURE_GUARD(CmdSetRasterizationSamplesEXT, PV_FEATURE_RASTERIZATION_SAMPLES)
FEATURE_GUARD(CmdSetSampleMaskEXT, PV_FEATURE_SAMPLE_MASK)
FEATURE_GUARD(CmdSetAlphaToCoverageEnableEXT, PV_FEATURE_ALPHA_TO_COVERAGE_ENABLE)
FEATURE_GUARD(CmdSetAlphaToOneEnableEXT, PV_FEATURE_ALPHA_TO_ONE_ENABLE)
FEATURE_GUARD(CmdSetLogicOpEnableEXT, PV_FEATURE_LOGIC_OP_ENABLE)
FEATURE_GUARD(CmdSetRasterizationStreamEXT, PV_FEATURE_RASTERIZATION_STREAM)
FEATURE_GUARD(CmdSetConservativeRasterizationModeEXT, PV_FEATURE_CONSERVATIVE_RASTERIZATION_MODE)
FEATURE_GUARD(CmdSetExtraPrimitiveOverestimationSizeEXT,
              PV_FEATURE_EXTRA_PRIMITIVE_OVERESTIMATION_SIZE)
FEATURE_GUARD(CmdSetDepthClipEnableEXT, PV_FEATURE_DEPTH_CLIP_ENABLE)
FEATURE_GUARD(CmdSetSampleLocationsEnableEXT, PV_FEATURE_SAMPLE_LOCATIONS_ENABLE)
FEATURE_GUARD(CmdSetProvokingVertexModeEXT, PV_FEATURE_PROVOKING_VERTEX_MODE)
FEATURE_GUARD(CmdSetLineRasterizationModeEXT, PV_FEATURE_LINE_RASTERIZATION_MODE)
FEATURE_GUARD(CmdSetLineStippleEnableEXT, PV_FEATURE_LINE_STIPPLE_ENABLE)
FEATURE_GUARD(CmdSetDepthClipNegativeOneToOneEXT, PV_FEATURE_DEPTH_CLIP_NEGATIVE_ONE_TO_ONE)
FEATURE_GUARD(CmdSetLogicOpEXT, PV_FEATURE_LOGIC_OP)

uint64_t
pv_vk_device_features(struct pv_dispatch_ctx *c, VkDevice device)
{
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   return d ? d->features : 0;
}

const char *
pv_vk_stage_feature_missing(struct pv_dispatch_ctx *c, VkDevice device, VkShaderStageFlagBits stage)
{
   enum pv_feature need;
   if (stage == VK_SHADER_STAGE_GEOMETRY_BIT)
      need = PV_FEATURE_GEOMETRY_SHADER;
   else if (stage & (VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT |
                     VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT))
      need = PV_FEATURE_TESSELLATION_SHADER;
   else
      return NULL;
   if (pv_vk_device_features(c, device) & PV_FEATURE(need))
      return NULL;
   return need == PV_FEATURE_GEOMETRY_SHADER
             ? "a geometry stage on a device created without geometryShader"
             : "a tessellation stage on a device created without tessellationShader";
}
