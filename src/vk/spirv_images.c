/* SPDX-License-Identifier: MIT */
/*
 * Image types that no Vulkan image view can back, refused (the eleventh reading, 2026-12-08).
 * SPIRV-Tools 2023.1 accepts an OpTypeImage of any Dim, Arrayed and MS, and Mesa 22.3.6's
 * spirv_to_nir takes some it has no GLSL sampler type for: a 3D image with Arrayed 1 became a
 * non-arrayed image3D, so OpImageQuerySize's fourth component was NULL and llvmpipe's JIT
 * crashed in LLVMBuildInsertValue on lavapipe's queue thread, at the dispatch or draw, outside
 * every guard; an integer 3D-arrayed or a Rect-arrayed sampled image read NULL while the
 * pipeline compiled (natively, compute and fragment). Vulkan has no view type for an arrayed
 * 3D, Rect or buffer image, nor a multisampled image of a Dim other than 2D (subpass inputs
 * aside), and forbids Dim Rect altogether (VUID-StandaloneSpirv-OpTypeImage-09638), so a shader
 * declaring one can never be used legally: the module is refused on every host.
 */
#include "vk/spirv_images.h"

#include <spirv_cross/spirv.h>
#include <stdbool.h>

#include "vk/spirv_words.h"

/* Why an OpTypeImage (its operands from the result id on) is refused, or NULL. */
static const char *
image_type_violation(const uint32_t *op, uint32_t n)
{
   if (n < 6)
      return NULL; /* malformed: the validator refuses it */
   uint32_t dim = op[2], arrayed = op[4], ms = op[5];
   if (dim == SpvDimRect)
      return "an image type of Dim Rect";
   if (arrayed && (dim == SpvDim3D || dim == SpvDimBuffer))
      return "an arrayed 3D or buffer image type (no image view has that type)";
   if (ms && dim != SpvDim2D && dim != SpvDimSubpassData)
      return "a multisampled image type that is neither 2D nor a subpass input";
   return NULL;
}

const char *
pv_spirv_image_violation(const uint32_t *words, size_t count)
{
   const size_t header = 5;
   for (size_t i = header, len; i < count && (len = pv_spirv_len_at(words, count, i)); i += len)
      if ((words[i] & 0xffff) == SpvOpTypeImage) {
         const char *why = image_type_violation(words + i + 1, (uint32_t)len - 1);
         if (why)
            return why;
      }
   return NULL;
}
