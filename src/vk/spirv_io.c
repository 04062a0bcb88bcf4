/* SPDX-License-Identifier: MIT */
/*
 * The interface locations a module's stage inputs and outputs reach (spirv_io.h). spvValidate
 * accepts any Location value, since the limit is the device's; lavapipe indexes fixed per-slot
 * arrays with it while compiling a pipeline (fuzz input c5d274c9: a vertex output at Location
 * 4294967040 passed validation, and vkCreateGraphicsPipelines crashed with SIGBUS).
 */
#include "vk/spirv_io.h"

#include "vk/spirv_reflect.h"

/* Stages whose per-vertex inputs and outputs are arrays whose outer dimension is not locations. */
static const VkShaderStageFlags arrayed_in = VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT |
                                             VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT |
                                             VK_SHADER_STAGE_GEOMETRY_BIT;
static const VkShaderStageFlags arrayed_out =
   VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT | VK_SHADER_STAGE_MESH_BIT_EXT;

/* The element count of an array type (1 for a non-array); a per-vertex (arrayed) interface's
 * outermost dimension, which SPIRV-Cross lists last, is not locations. */
static uint64_t
array_factor(spvc_type t, bool arrayed)
{
   uint64_t n = 1;
   unsigned dims = spvc_type_get_num_array_dimensions(t);
   for (unsigned d = 0; d < dims && n <= UINT32_MAX; d++) {
      if (arrayed && d == dims - 1)
         continue;
      if (!spvc_type_array_dimension_is_literal(t, d))
         return UINT32_MAX; /* sized by a specialization constant: counted as too many */
      n *= spvc_type_get_array_dimension(t, d);
   }
   return n;
}

/* One location per vector or scalar, two for 64-bit vectors of 3 or 4 components, one per
 * matrix column and per array element (spec 15.1.4, "Location Assignment"). */
static uint64_t
slots_of(spvc_compiler comp, spvc_type_id id, bool arrayed, unsigned depth)
{
   spvc_type t = spvc_compiler_get_type_handle(comp, id);
   if (!t || depth > 8)
      return UINT32_MAX; /* unknown or absurd nesting: counts as too many */
   uint64_t n = 0;
   if (spvc_type_get_basetype(t) == SPVC_BASETYPE_STRUCT) {
      for (unsigned i = 0; i < spvc_type_get_num_member_types(t); i++)
         n += slots_of(comp, spvc_type_get_member_type(t, i), false, depth + 1);
   } else {
      bool wide = spvc_type_get_bit_width(t) == 64 && spvc_type_get_vector_size(t) > 2;
      n = (uint64_t)spvc_type_get_columns(t) * (wide ? 2 : 1);
   }
   return n * array_factor(t, arrayed);
}

/* A Component decoration past 3: the variable is refused whatever its location. */
static bool
component_bad(spvc_compiler comp, SpvId id)
{
   return spvc_compiler_has_decoration(comp, id, SpvDecorationComponent) &&
          spvc_compiler_get_decoration(comp, id, SpvDecorationComponent) > 3;
}

/* Where a non-builtin variable's locations end (block members may carry their own); 0 for a
 * builtin. */
static uint64_t
variable_end(spvc_compiler comp, const spvc_reflected_resource *r, bool arrayed)
{
   if (spvc_compiler_has_decoration(comp, r->id, SpvDecorationBuiltIn))
      return 0;
   if (spvc_compiler_has_decoration(comp, r->id, SpvDecorationPatch))
      arrayed = false;
   if (component_bad(comp, r->id))
      return UINT32_MAX;
   uint64_t at = spvc_compiler_get_decoration(comp, r->id, SpvDecorationLocation);
   spvc_type base = spvc_compiler_get_type_handle(comp, r->base_type_id);
   spvc_type var = spvc_compiler_get_type_handle(comp, r->type_id);
   if (!base || !var)
      return UINT32_MAX;
   if (spvc_type_get_basetype(base) != SPVC_BASETYPE_STRUCT)
      return at + slots_of(comp, r->type_id, arrayed, 0);
   uint64_t end = 0;
   for (unsigned i = 0; i < spvc_type_get_num_member_types(base); i++) {
      if (spvc_compiler_has_member_decoration(comp, r->base_type_id, i, SpvDecorationBuiltIn))
         continue;
      if (spvc_compiler_has_member_decoration(comp, r->base_type_id, i, SpvDecorationLocation))
         at = spvc_compiler_get_member_decoration(comp, r->base_type_id, i, SpvDecorationLocation);
      at += slots_of(comp, spvc_type_get_member_type(base, i), false, 1);
      end = at > end ? at : end;
   }
   uint64_t f = array_factor(var, arrayed); /* an array of blocks repeats the block's span */
   return f > 1 && end ? end * f : end;
}

static bool
list_end(spvc_compiler comp, spvc_resources res, spvc_resource_type kind, bool arrayed,
         uint32_t *end)
{
   const spvc_reflected_resource *list = NULL;
   size_t n = 0;
   if (spvc_resources_get_resource_list_for_type(res, kind, &list, &n) != SPVC_SUCCESS)
      return false;
   for (size_t i = 0; i < n; i++) {
      uint64_t e = variable_end(comp, &list[i], arrayed);
      if (e > UINT32_MAX)
         e = UINT32_MAX;
      if (e > *end)
         *end = (uint32_t)e;
   }
   return true;
}

bool
pv_spirv_io_ends(spvc_compiler comp, spvc_resources res, VkShaderStageFlagBits stage,
                 uint32_t *in_end, uint32_t *out_end)
{
   *in_end = *out_end = 0;
   return list_end(comp, res, SPVC_RESOURCE_TYPE_STAGE_INPUT, stage & arrayed_in, in_end) &&
          list_end(comp, res, SPVC_RESOURCE_TYPE_STAGE_OUTPUT, stage & arrayed_out, out_end);
}

bool
pv_spirv_io_first_end(spvc_compiler comp, spvc_resources res, VkShaderStageFlags stages,
                      uint32_t *end_out)
{
   /* Where each variable ends, used or not: lavapipe keeps unused transform feedback outputs,
    * and nir_xfb_info_create counts outputs in 16 bits, so an unused output of 65,536 floats at
    * Location 0 (under the Xfb mode) sized its buffer for none and wrote all of them, a heap
    * overflow (SIGSEGV in nir_gather_xfb_info, natively; the tenth reading's shader sweep).
    * Counting where each starts let it through. */
   *end_out = 0;
   return list_end(comp, res, SPVC_RESOURCE_TYPE_STAGE_INPUT, stages & arrayed_in, end_out) &&
          list_end(comp, res, SPVC_RESOURCE_TYPE_STAGE_OUTPUT, stages & arrayed_out, end_out);
}

/* The per-vertex length of an arrayed input's type: its outermost dimension, which SPIRV-Cross
 * lists last; 0 for a non-array, UINT32_MAX when a specialization constant sizes it. */
static uint32_t
vertex_length(spvc_compiler comp, spvc_type_id id)
{
   spvc_type t = spvc_compiler_get_type_handle(comp, id);
   unsigned dims = t ? spvc_type_get_num_array_dimensions(t) : 0;
   if (!dims)
      return 0;
   if (!spvc_type_array_dimension_is_literal(t, dims - 1))
      return UINT32_MAX;
   return spvc_type_get_array_dimension(t, dims - 1);
}

/* The longest per-vertex input (Patch inputs are not per vertex), builtin blocks included. */
static bool
input_vertices(spvc_compiler comp, spvc_resources res, uint32_t *max)
{
   const spvc_reflected_resource *list = NULL;
   const spvc_reflected_builtin_resource *builtins = NULL;
   size_t n = 0, nb = 0;
   if (spvc_resources_get_resource_list_for_type(res, SPVC_RESOURCE_TYPE_STAGE_INPUT, &list, &n) !=
          SPVC_SUCCESS ||
       spvc_resources_get_builtin_resource_list_for_type(
          res, SPVC_BUILTIN_RESOURCE_TYPE_STAGE_INPUT, &builtins, &nb) != SPVC_SUCCESS)
      return false;
   for (size_t i = 0; i < n + nb; i++) {
      const spvc_reflected_resource *r = i < n ? &list[i] : &builtins[i - n].resource;
      if (spvc_compiler_has_decoration(comp, r->id, SpvDecorationPatch))
         continue;
      uint32_t len = vertex_length(comp, r->type_id);
      *max = len > *max ? len : *max;
   }
   return true;
}

/* The ClipDistance, CullDistance and SampleMask arrays' sizes among the builtins of `kind`
 * (block members included). */
static bool
builtin_arrays(spvc_compiler comp, spvc_resources res, spvc_builtin_resource_type kind,
               struct pv_spirv_io_extents *out)
{
   const spvc_reflected_builtin_resource *list = NULL;
   size_t n = 0;
   if (spvc_resources_get_builtin_resource_list_for_type(res, kind, &list, &n) != SPVC_SUCCESS)
      return false;
   for (size_t i = 0; i < n; i++) {
      uint32_t *at = list[i].builtin == SpvBuiltInClipDistance   ? &out->clip
                     : list[i].builtin == SpvBuiltInCullDistance ? &out->cull
                     : list[i].builtin == SpvBuiltInSampleMask   ? &out->sample_mask
                                                                 : NULL;
      spvc_type t = at ? spvc_compiler_get_type_handle(comp, list[i].value_type_id) : NULL;
      if (!at)
         continue;
      uint32_t size = UINT32_MAX; /* unknown, or sized by a specialization constant */
      if (t && spvc_type_get_num_array_dimensions(t) == 1 &&
          spvc_type_array_dimension_is_literal(t, 0))
         size = spvc_type_get_array_dimension(t, 0);
      *at = size > *at ? size : *at;
   }
   return true;
}

bool
pv_spirv_io_extents(spvc_compiler comp, spvc_resources res, VkShaderStageFlagBits stage,
                    struct pv_spirv_io_extents *out)
{
   *out = (struct pv_spirv_io_extents){0};
   return (!(stage & arrayed_in) || input_vertices(comp, res, &out->in_vertices)) &&
          builtin_arrays(comp, res, SPVC_BUILTIN_RESOURCE_TYPE_STAGE_INPUT, out) &&
          builtin_arrays(comp, res, SPVC_BUILTIN_RESOURCE_TYPE_STAGE_OUTPUT, out);
}
