/* SPDX-License-Identifier: MIT */
/*
 * Validation and reflection of guest SPIR-V (spirv_reflect.h): SPIRV-Tools first, so that
 * SPIRV-Cross (which expects valid modules) only ever sees what the validator accepted.
 */
#include "vk/spirv_reflect.h"
#include "vk/spirv_calls.h"
#include "vk/spirv_entries.h"
#include "vk/spirv_images.h"
#include "vk/spirv_io.h"
#include "vk/spirv_names.h"
#include "vk/spirv_sample.h"
#include "vk/spirv_shape.h"
#include "vk/spirv_values.h"
#include "vk/spirv_var_size.h"
#include "vk/spirv_workgroup.h"

#include <spirv-tools/libspirv.h>
#include <spirv_cross/spirv_cross_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint32_t
pv_spirv_type_bit(VkDescriptorType t)
{
   if ((uint32_t)t <= VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT)
      return 1u << t;
   switch (t) {
   case VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK:
      return 1u << 11;
   case VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_KHR:
      return 1u << 12;
   case VK_DESCRIPTOR_TYPE_ACCELERATION_STRUCTURE_NV:
      return 1u << 13;
   case VK_DESCRIPTOR_TYPE_MUTABLE_EXT:
      return 1u << 14;
   default:
      return 0;
   }
}

int
pv_spirv_env(uint32_t api_version, bool spirv_1_4)
{
   uint32_t minor = VK_API_VERSION_MINOR(api_version);
   if (VK_API_VERSION_MAJOR(api_version) > 1 || minor >= 3)
      return SPV_ENV_VULKAN_1_3;
   if (minor == 2)
      return SPV_ENV_VULKAN_1_2;
   if (minor == 1)
      return spirv_1_4 ? SPV_ENV_VULKAN_1_1_SPIRV_1_4 : SPV_ENV_VULKAN_1_1;
   return SPV_ENV_VULKAN_1_0;
}

/* ----- validation ---------------------------------------------------------------------------- */

const char *
pv_spirv_unvalidated_violation(const uint32_t *words, size_t count)
{
   const char *why = pv_spirv_shape_violation(words, count);
   if (!why)
      why = pv_spirv_entry_violation(words, count);
   if (!why)
      why = pv_spirv_call_violation(words, count);
   if (!why)
      why = pv_spirv_value_violation(words, count);
   return why ? why : pv_spirv_image_violation(words, count);
}

/* The validator's checks of block layouts and workgroup sizes depend on device features the
 * guest may have enabled (scalar layouts, maintenance4); they decide nothing the host compiler
 * could crash on, so they are relaxed to their most permissive setting rather than risk
 * refusing a real guest's valid shader. */
bool
pv_spirv_validate(const uint32_t *words, size_t count, int env, char *err, size_t err_size)
{
   spv_context ctx = spvContextCreate((spv_target_env)env);
   spv_validator_options opt = spvValidatorOptionsCreate();
   if (!ctx || !opt) {
      snprintf(err, err_size, "no memory for the validator");
      spvValidatorOptionsDestroy(opt);
      spvContextDestroy(ctx);
      return false;
   }
   spvValidatorOptionsSetRelaxBlockLayout(opt, true);
   spvValidatorOptionsSetUniformBufferStandardLayout(opt, true);
   spvValidatorOptionsSetScalarBlockLayout(opt, true);
   spvValidatorOptionsSetWorkgroupScalarBlockLayout(opt, true);
   spvValidatorOptionsSetSkipBlockLayout(opt, true);
   spvValidatorOptionsSetAllowLocalSizeId(opt, true);
   spvValidatorOptionsSetFriendlyNames(opt, false);
   /* its error path names ids in time quadratic in a name's repeats: a copy with unique names
    * is validated instead (spirv_names.c) */
   uint32_t *named = NULL;
   size_t named_count = 0;
   spv_result_t r = SPV_ERROR_OUT_OF_MEMORY;
   if (pv_spirv_named_copy(words, count, &named, &named_count)) {
      spv_const_binary_t bin = {named ? named : words, named ? named_count : count};
      spv_diagnostic diag = NULL;
      r = spvValidateWithOptions(ctx, opt, &bin, &diag);
      if (r != SPV_SUCCESS)
         snprintf(err, err_size, "%s", diag && diag->error ? diag->error : "invalid");
      spvDiagnosticDestroy(diag);
   } else {
      snprintf(err, err_size, "no memory for the validator");
   }
   free(named);
   spvValidatorOptionsDestroy(opt);
   spvContextDestroy(ctx);
   return r == SPV_SUCCESS;
}

struct each_result {
   const uint32_t *words;
   void (*fn)(void *user, size_t pos, uint32_t opcode, uint32_t result, uint32_t type);
   void *user;
};

static spv_result_t
each_result_one(void *user, const spv_parsed_instruction_t *in)
{
   const struct each_result *e = user;
   if (in->result_id)
      e->fn(e->user, (size_t)(in->words - e->words), in->opcode, in->result_id, in->type_id);
   return SPV_SUCCESS;
}

bool
pv_spirv_each_result(const uint32_t *words, size_t count,
                     void (*fn)(void *user, size_t pos, uint32_t opcode, uint32_t result,
                                uint32_t type),
                     void *user)
{
   struct each_result e = {words, fn, user};
   spv_context ctx = spvContextCreate(SPV_ENV_UNIVERSAL_1_6);
   bool ok =
      ctx && spvBinaryParse(ctx, &e, words, count, NULL, each_result_one, NULL) == SPV_SUCCESS;
   spvContextDestroy(ctx);
   return ok;
}

/* ----- samplers read without a depth reference ------------------------------------------------ */

/* What our walks read from the instructions (SPIRV-Tools' parser feeds both). */
struct walks {
   struct pv_spirv_plain_walk *plain;
   struct pv_spirv_workgroup *workgroup;
};

static spv_result_t
walk_instruction(void *user, const spv_parsed_instruction_t *in)
{
   struct walks *w = user;
   return pv_spirv_plain_walk_add(w->plain, in->opcode, in->words, in->num_words) &&
                pv_spirv_workgroup_add(w->workgroup, in->opcode, in->words, in->num_words)
             ? SPV_SUCCESS
             : SPV_ERROR_OUT_OF_MEMORY;
}

/* spirv_sample.h's and spirv_workgroup.h's answers for a validated module; false when out of
 * memory (or past the entry points a module may have). */
static bool
walk_module(const uint32_t *words, size_t count, int env, struct pv_spirv_plain *plain,
            struct pv_spirv_workgroup **workgroup)
{
   struct walks w = {pv_spirv_plain_walk_new(), pv_spirv_workgroup_new()};
   spv_context ctx = spvContextCreate((spv_target_env)env);
   bool parsed = w.plain && w.workgroup && ctx &&
                 spvBinaryParse(ctx, &w, words, count, NULL, walk_instruction, NULL) ==
                    SPV_SUCCESS;
   spvContextDestroy(ctx);
   bool ok = pv_spirv_plain_walk_end(w.plain, plain);
   if (ok && !parsed)
      pv_spirv_plain_fini(plain);
   if (!ok || !parsed) {
      pv_spirv_workgroup_free(w.workgroup);
      return false;
   }
   *workgroup = w.workgroup;
   return true;
}

/* ----- reflection ---------------------------------------------------------------------------- */

static VkShaderStageFlagBits
stage_of(SpvExecutionModel m)
{
   switch ((uint32_t)m) {
   case 0:
      return VK_SHADER_STAGE_VERTEX_BIT;
   case 1:
      return VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT;
   case 2:
      return VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT;
   case 3:
      return VK_SHADER_STAGE_GEOMETRY_BIT;
   case 4:
      return VK_SHADER_STAGE_FRAGMENT_BIT;
   case 5:
      return VK_SHADER_STAGE_COMPUTE_BIT;
   case 5267: /* TaskNV */
   case 5364: /* TaskEXT */
      return VK_SHADER_STAGE_TASK_BIT_EXT;
   case 5268: /* MeshNV */
   case 5365: /* MeshEXT */
      return VK_SHADER_STAGE_MESH_BIT_EXT;
   case 5313:
      return VK_SHADER_STAGE_RAYGEN_BIT_KHR;
   case 5314:
      return VK_SHADER_STAGE_INTERSECTION_BIT_KHR;
   case 5315:
      return VK_SHADER_STAGE_ANY_HIT_BIT_KHR;
   case 5316:
      return VK_SHADER_STAGE_CLOSEST_HIT_BIT_KHR;
   case 5317:
      return VK_SHADER_STAGE_MISS_BIT_KHR;
   case 5318:
      return VK_SHADER_STAGE_CALLABLE_BIT_KHR;
   default:
      return 0;
   }
}

#define BIT(t) pv_spirv_type_bit(VK_DESCRIPTOR_TYPE_##t)

/* The descriptor types that may back a resource of this kind (Vulkan spec, "Shader Resource
 * and Descriptor Type Correspondence"); 0 for what is not a descriptor. */
static uint32_t
types_of(spvc_compiler comp, spvc_resource_type kind, spvc_type_id base)
{
   spvc_type bt = spvc_compiler_get_type_handle(comp, base);
   bool texel = bt && spvc_type_get_basetype(bt) == SPVC_BASETYPE_IMAGE
                   ? spvc_type_get_image_dimension(bt) == SpvDimBuffer
                   : false;
   if (bt && spvc_type_get_basetype(bt) == SPVC_BASETYPE_SAMPLED_IMAGE)
      texel = spvc_type_get_image_dimension(bt) == SpvDimBuffer;
   switch (kind) {
   case SPVC_RESOURCE_TYPE_UNIFORM_BUFFER:
      return BIT(UNIFORM_BUFFER) | BIT(UNIFORM_BUFFER_DYNAMIC) | BIT(INLINE_UNIFORM_BLOCK);
   case SPVC_RESOURCE_TYPE_STORAGE_BUFFER:
      return BIT(STORAGE_BUFFER) | BIT(STORAGE_BUFFER_DYNAMIC);
   case SPVC_RESOURCE_TYPE_STORAGE_IMAGE:
      return texel ? BIT(STORAGE_TEXEL_BUFFER) : BIT(STORAGE_IMAGE);
   case SPVC_RESOURCE_TYPE_SAMPLED_IMAGE:
      return texel ? BIT(UNIFORM_TEXEL_BUFFER) : BIT(COMBINED_IMAGE_SAMPLER);
   case SPVC_RESOURCE_TYPE_SEPARATE_IMAGE:
      return texel ? BIT(UNIFORM_TEXEL_BUFFER) : BIT(SAMPLED_IMAGE) | BIT(COMBINED_IMAGE_SAMPLER);
   case SPVC_RESOURCE_TYPE_SEPARATE_SAMPLERS:
      return BIT(SAMPLER) | BIT(COMBINED_IMAGE_SAMPLER);
   case SPVC_RESOURCE_TYPE_SUBPASS_INPUT:
      return BIT(INPUT_ATTACHMENT);
   case SPVC_RESOURCE_TYPE_ACCELERATION_STRUCTURE:
      return BIT(ACCELERATION_STRUCTURE_KHR) | BIT(ACCELERATION_STRUCTURE_NV);
   default:
      return 0;
   }
}

/* The element count of a (possibly arrayed) resource type. A dimension given by an
 * OpSpecConstant keeps its SpecId (the pipeline's specialization decides); one given by an
 * expression is unknown. */
static void
count_of(spvc_compiler comp, spvc_type_id type, struct pv_spirv_resource *r)
{
   spvc_type t = spvc_compiler_get_type_handle(comp, type);
   unsigned dims = t ? spvc_type_get_num_array_dimensions(t) : 0;
   uint64_t n = 1;
   r->count = 1;
   for (unsigned d = 0; d < dims; d++) {
      SpvId v = spvc_type_get_array_dimension(t, d);
      uint64_t len = v;
      if (!spvc_type_array_dimension_is_literal(t, d)) {
         spvc_constant k = spvc_compiler_has_decoration(comp, v, SpvDecorationSpecId)
                              ? spvc_compiler_get_constant_handle(comp, v)
                              : NULL;
         if (!k || dims != 1) {
            r->count = PV_SPIRV_COUNT_UNKNOWN;
            return;
         }
         r->has_spec = true;
         r->spec_id = spvc_compiler_get_decoration(comp, v, SpvDecorationSpecId);
         len = spvc_constant_get_scalar_u32(k, 0, 0);
      } else if (v == 0) {
         r->count = PV_SPIRV_COUNT_RUNTIME; /* only the outermost dimension may be runtime */
         return;
      }
      n *= len;
      if (n >= PV_SPIRV_COUNT_UNKNOWN) {
         r->count = PV_SPIRV_COUNT_UNKNOWN - 1; /* more than any layout has */
         return;
      }
   }
   r->count = (uint32_t)n;
}

static const spvc_resource_type kinds[] = {
   SPVC_RESOURCE_TYPE_UNIFORM_BUFFER, SPVC_RESOURCE_TYPE_STORAGE_BUFFER,
   SPVC_RESOURCE_TYPE_STORAGE_IMAGE,  SPVC_RESOURCE_TYPE_SAMPLED_IMAGE,
   SPVC_RESOURCE_TYPE_SEPARATE_IMAGE, SPVC_RESOURCE_TYPE_SEPARATE_SAMPLERS,
   SPVC_RESOURCE_TYPE_SUBPASS_INPUT,  SPVC_RESOURCE_TYPE_ACCELERATION_STRUCTURE,
};

static bool
add_resources(spvc_compiler comp, spvc_resources res, const struct pv_spirv_plain *plain,
              struct pv_spirv_entry *e)
{
   for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
      const spvc_reflected_resource *list = NULL;
      size_t n = 0;
      if (spvc_resources_get_resource_list_for_type(res, kinds[k], &list, &n) != SPVC_SUCCESS)
         return false;
      if (!n)
         continue;
      struct pv_spirv_resource *v = realloc(e->res, (e->count + n) * sizeof(*v));
      if (!v)
         return false;
      e->res = v;
      for (size_t i = 0; i < n; i++) {
         struct pv_spirv_resource *r = &e->res[e->count++];
         *r = (struct pv_spirv_resource){
            .set = spvc_compiler_get_decoration(comp, list[i].id, SpvDecorationDescriptorSet),
            .binding = spvc_compiler_get_decoration(comp, list[i].id, SpvDecorationBinding),
            .types = types_of(comp, kinds[k], list[i].base_type_id),
            .plain = (kinds[k] == SPVC_RESOURCE_TYPE_SAMPLED_IMAGE ||
                      kinds[k] == SPVC_RESOURCE_TYPE_SEPARATE_SAMPLERS) &&
                     pv_spirv_plain_has(plain, list[i].id),
         };
         count_of(comp, list[i].type_id, r);
      }
   }
   return true;
}

/* The end of the push constant bytes the entry point reads (SPIRV-Cross's active ranges:
 * members it accesses, not all it declares). */
static bool
add_push(spvc_compiler comp, spvc_resources res, struct pv_spirv_entry *e)
{
   const spvc_reflected_resource *list = NULL;
   size_t n = 0;
   if (spvc_resources_get_resource_list_for_type(res, SPVC_RESOURCE_TYPE_PUSH_CONSTANT, &list,
                                                 &n) != SPVC_SUCCESS)
      return false;
   for (size_t i = 0; i < n; i++) {
      const spvc_buffer_range *r = NULL;
      size_t nr = 0;
      if (spvc_compiler_get_active_buffer_ranges(comp, list[i].id, &r, &nr) != SPVC_SUCCESS)
         return false;
      for (size_t j = 0; j < nr; j++) {
         uint64_t end = (uint64_t)r[j].offset + r[j].range;
         if (end > UINT32_MAX)
            end = UINT32_MAX;
         if (end > e->push_end)
            e->push_end = (uint32_t)end;
      }
   }
   return true;
}

struct module_walks {
   const struct pv_spirv_plain *plain;
   const struct pv_spirv_workgroup *workgroup;
};

static bool
reflect_entry(spvc_compiler comp, const spvc_entry_point *ep, const struct module_walks *mw,
              struct pv_spirv_entry *e)
{
   e->name = strdup(ep->name);
   e->stage = stage_of(ep->execution_model);
   e->model = (uint32_t)ep->execution_model;
   pv_spirv_workgroup_of(mw->workgroup, ep->name, (uint32_t)ep->execution_model, e->local,
                         e->local_spec);
   struct pv_spirv_modes modes;
   pv_spirv_modes_of(mw->workgroup, ep->name, (uint32_t)ep->execution_model, &modes);
   e->output_vertices = modes.output_vertices;
   e->has_output_vertices = modes.has_output_vertices;
   e->invocations = modes.invocations;
   e->output_primitive = modes.output_primitive;
   e->conflicting_modes = modes.conflicting;
   spvc_set active = NULL;
   spvc_resources res = NULL;
   return e->name &&
          spvc_compiler_set_entry_point(comp, ep->name, ep->execution_model) == SPVC_SUCCESS &&
          spvc_compiler_get_active_interface_variables(comp, &active) == SPVC_SUCCESS &&
          spvc_compiler_create_shader_resources_for_active_variables(comp, &res, active) ==
             SPVC_SUCCESS &&
          add_resources(comp, res, mw->plain, e) && add_push(comp, res, e) &&
          pv_spirv_io_ends(comp, res, e->stage, &e->in_end, &e->out_end) &&
          pv_spirv_io_extents(comp, res, e->stage, &e->io);
}

static struct pv_spirv_module *
reflect(spvc_context ctx, const uint32_t *words, size_t count, const struct module_walks *mw)
{
   spvc_parsed_ir ir = NULL;
   spvc_compiler comp = NULL;
   const spvc_entry_point *eps = NULL;
   size_t n = 0;
   if (spvc_context_parse_spirv(ctx, words, count, &ir) != SPVC_SUCCESS ||
       spvc_context_create_compiler(ctx, SPVC_BACKEND_NONE, ir, SPVC_CAPTURE_MODE_TAKE_OWNERSHIP,
                                    &comp) != SPVC_SUCCESS ||
       spvc_compiler_get_entry_points(comp, &eps, &n) != SPVC_SUCCESS)
      return NULL;
   struct pv_spirv_module *m = calloc(1, sizeof(*m));
   if (!m || !(m->entries = calloc(n ? n : 1, sizeof(*m->entries)))) {
      free(m);
      return NULL;
   }
   VkShaderStageFlags stages = 0;
   for (size_t i = 0; i < n; i++)
      stages |= stage_of(eps[i].execution_model);
   spvc_resources all = NULL;
   if (spvc_compiler_create_shader_resources(comp, &all) != SPVC_SUCCESS ||
       !pv_spirv_io_first_end(comp, all, stages, &m->io_first_end)) {
      pv_spirv_module_free(m);
      return NULL;
   }
   for (size_t i = 0; i < n; i++) {
      m->count++;
      if (!reflect_entry(comp, &eps[i], mw, &m->entries[i])) {
         pv_spirv_module_free(m);
         return NULL;
      }
   }
   return m;
}

struct pv_spirv_module *
pv_spirv_reflect(const uint32_t *words, size_t count, int env, char *err, size_t err_size,
                 const char **why)
{
   if (!words || !count) {
      *why = "empty module";
      return NULL;
   }
   if (!pv_spirv_validate(words, count, env, err, err_size)) {
      *why = err;
      return NULL;
   }
   struct pv_spirv_plain plain;
   struct pv_spirv_workgroup *workgroup = NULL;
   spvc_context ctx = NULL;
   if (!walk_module(words, count, env, &plain, &workgroup)) {
      *why = "no memory for reflection, or more entry points than we read";
      return NULL;
   }
   if (spvc_context_create(&ctx) != SPVC_SUCCESS) {
      pv_spirv_plain_fini(&plain);
      pv_spirv_workgroup_free(workgroup);
      *why = "no memory for reflection";
      return NULL;
   }
   const struct module_walks mw = {&plain, workgroup};
   struct pv_spirv_module *m = reflect(ctx, words, count, &mw);
   pv_spirv_plain_fini(&plain);
   pv_spirv_workgroup_free(workgroup);
   if (!m) {
      snprintf(err, err_size, "cannot be reflected: %s", spvc_context_get_last_error_string(ctx));
      *why = err;
   }
   spvc_context_destroy(ctx);
   bool nomem = false;
   if (m && !(m->vars = pv_spirv_var_use_new(words, count, &nomem)) && nomem) {
      pv_spirv_module_free(m);
      *why = "no memory for reflection";
      return NULL;
   }
   return m;
}

void
pv_spirv_module_free(struct pv_spirv_module *m)
{
   if (!m)
      return;
   for (uint32_t i = 0; i < m->count; i++) {
      free(m->entries[i].name);
      free(m->entries[i].res);
   }
   free(m->entries);
   pv_spirv_var_use_free(m->vars);
   free(m);
}

const struct pv_spirv_entry *
pv_spirv_entry_find(const struct pv_spirv_module *m, const char *name, VkShaderStageFlagBits stage)
{
   for (uint32_t i = 0; m && name && i < m->count; i++)
      if (m->entries[i].stage == stage && !strcmp(m->entries[i].name, name))
         return &m->entries[i];
   return NULL;
}
