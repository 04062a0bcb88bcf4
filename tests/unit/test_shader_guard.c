/* SPDX-License-Identifier: MIT */
/*
 * Shaders against layouts and descriptors never written (src/vk/spirv_reflect.c,
 * guard_shader.c, guard_written.c). The reflection is tested directly on shaders/reflect.comp
 * compiled for SPIR-V 1.0 and 1.5 (whose entry point lists every global: static use must still
 * leave the unused block out). The checks run on a fresh context of a real renderer through
 * pv_context_submit with hand-encoded wire-0 commands, as in test_cmd_scope.c: the objects are
 * put in the context's table with the state real creation would have given them, and a command
 * that passes reaches the generated pass-through, which finds no host entry point ("host
 * driver lacks vkX"); a refused one loses the context with "refused: ...".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <spirv_cross/spirv.h>

#include "wire0_commands.h"
#include "compare_frag_spv.h"
#include "geometry_geom_spv.h"
#include "ubos_comp_spv.h"
#include "geometry_varyings_geom_spv.h"
#include "calls_comp_spv.h"
#include "doubling_comp_spv.h"
#include "unroll_comp_spv.h"
#include "values_big_comp_spv.h"
#include "values_small_comp_spv.h"
#include "io_vert_spv.h"
#include "sample_mask_frag_spv.h"
#include "pearvisor/pearvisor.h"
#include "reflect_comp_10_spv.h"
#include "reflect_comp_15_spv.h"
#include "renderer/context.h"
#include "workgroup_comp_spv.h"
#include "renderer/renderer.h"
#include "util/log.h"
#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/spirv_loops.h"
#include "vk/spirv_reflect.h"
#include "vk/spirv_images.h"
#include "vk/spirv_values.h"
#include "vk/spirv_var_size.h"

#define STORAGE_BUF pv_spirv_type_bit(VK_DESCRIPTOR_TYPE_STORAGE_BUFFER)
#define BIT(t) pv_spirv_type_bit(VK_DESCRIPTOR_TYPE_##t)

/* Devices here were created with the geometry and tessellation features (guard_features.c): the
 * stages' own checks are what the tests reach. */
#define STAGE_FEATURES                                                                             \
   (PV_FEATURE(PV_FEATURE_GEOMETRY_SHADER) | PV_FEATURE(PV_FEATURE_TESSELLATION_SHADER))

/* ----- reflection ------------------------------------------------------------------------- */

static const struct pv_spirv_resource *
find_res(const struct pv_spirv_entry *e, uint32_t set, uint32_t binding)
{
   for (uint32_t i = 0; i < e->count; i++)
      if (e->res[i].set == set && e->res[i].binding == binding)
         return &e->res[i];
   return NULL;
}

static void
check_reflection(const uint32_t *words, size_t size, int env)
{
   char err[256];
   const char *why = NULL;
   struct pv_spirv_module *m = pv_spirv_reflect(words, size / 4, env, err, sizeof(err), &why);
   if (!m)
      fail_msg("not reflected: %s", why);
   assert_int_equal(m->count, 1);
   const struct pv_spirv_entry *e = pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_COMPUTE_BIT);
   assert_non_null(e);
   assert_null(pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_FRAGMENT_BIT));
   assert_null(pv_spirv_entry_find(m, "other", VK_SHADER_STAGE_COMPUTE_BIT));
   /* six used resources; the block at set 2 binding 0 is declared, never used */
   assert_int_equal(e->count, 6);
   assert_null(find_res(e, 2, 0));
   const struct pv_spirv_resource *r = find_res(e, 0, 0);
   assert_non_null(r);
   assert_int_equal(r->types, BIT(STORAGE_BUFFER) | BIT(STORAGE_BUFFER_DYNAMIC));
   assert_int_equal(r->count, 1);
   r = find_res(e, 0, 1);
   assert_non_null(r);
   assert_int_equal(r->types, BIT(COMBINED_IMAGE_SAMPLER));
   assert_int_equal(r->count, 3);
   r = find_res(e, 1, 2);
   assert_non_null(r);
   assert_int_equal(r->types, BIT(SAMPLED_IMAGE) | BIT(COMBINED_IMAGE_SAMPLER));
   assert_true(r->has_spec);
   assert_int_equal(r->spec_id, 3);
   assert_int_equal(r->count, 4); /* the constant's default */
   r = find_res(e, 1, 3);
   assert_non_null(r);
   assert_int_equal(r->types, BIT(SAMPLER) | BIT(COMBINED_IMAGE_SAMPLER));
   /* both samplers are read by texture(), which has no depth reference (spirv_sample.c) */
   assert_true(r->plain);
   assert_true(find_res(e, 0, 1)->plain);
   assert_false(find_res(e, 1, 2)->plain); /* an image: its sampler is the one that counts */
   assert_false(find_res(e, 0, 0)->plain);
   r = find_res(e, 1, 4);
   assert_non_null(r);
   assert_int_equal(r->types, BIT(STORAGE_IMAGE));
   r = find_res(e, 2, 5);
   assert_non_null(r);
   assert_int_equal(r->types, BIT(UNIFORM_TEXEL_BUFFER));
   assert_int_equal(e->push_end, 8); /* only pc.b (bytes 4..8) is read */
   for (int i = 0; i < 3; i++) { /* LocalSize 1 1 1 */
      assert_int_equal(e->local[i], 1);
      assert_int_equal(e->local_spec[i], PV_SPIRV_NO_SPEC);
   }
   pv_spirv_module_free(m);
}

static void
reflect_spirv_1_0(void **state)
{
   (void)state;
   check_reflection(pv_reflect_comp_10_spv, sizeof(pv_reflect_comp_10_spv),
                    pv_spirv_env(VK_API_VERSION_1_0, false));
}

static void
reflect_spirv_1_5(void **state)
{
   (void)state;
   check_reflection(pv_reflect_comp_15_spv, sizeof(pv_reflect_comp_15_spv),
                    pv_spirv_env(VK_API_VERSION_1_2, false));
}

/* Interface locations (spirv_io.c): the entry point's, and every location the module declares. */
static void
io_locations(void **state)
{
   (void)state;
   char err[256];
   const char *why = NULL;
   int env = pv_spirv_env(VK_API_VERSION_1_0, false);
   size_t n = sizeof(pv_io_vert_spv) / 4;
   struct pv_spirv_module *m = pv_spirv_reflect(pv_io_vert_spv, n, env, err, sizeof(err), &why);
   if (!m)
      fail_msg("not reflected: %s", why);
   const struct pv_spirv_entry *e = pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_VERTEX_BIT);
   assert_non_null(e);
   assert_int_equal(e->in_end, 6);
   /* the unused output too: it is in the entry point's interface, which Vulkan's location
    * limits are about, and SPIRV-Cross keeps interface outputs */
   assert_int_equal(e->out_end, 21);
   assert_int_equal(m->io_first_end, 21);
   pv_spirv_module_free(m);
   /* The unused output moved to Location 0xffffff00 (fuzz input c5d274c9's value): spvValidate
    * takes it, the module-wide end shows it. */
   uint32_t *w = malloc(sizeof(pv_io_vert_spv));
   assert_non_null(w);
   memcpy(w, pv_io_vert_spv, sizeof(pv_io_vert_spv));
   bool moved = false;
   for (size_t i = 5; i + 3 < n; i++)
      if (w[i] == (4u << 16 | 71u) && w[i + 2] == 30 /* Location */ && w[i + 3] == 20) {
         w[i + 3] = 0xffffff00u;
         moved = true;
      }
   assert_true(moved);
   m = pv_spirv_reflect(w, n, env, err, sizeof(err), &why);
   if (!m)
      fail_msg("not reflected: %s", why);
   assert_int_equal(m->io_first_end, 0xffffff01u);
   pv_spirv_module_free(m);
   free(w);
}

/* Samplers read without a depth reference (spirv_sample.c): through a function parameter and
 * by a gather; not by the depth-compare instructions, whether the sampler is combined or
 * separate. */
static void
plain_samplers(void **state)
{
   (void)state;
   char err[256];
   const char *why = NULL;
   struct pv_spirv_module *m =
      pv_spirv_reflect(pv_compare_frag_spv, sizeof(pv_compare_frag_spv) / 4,
                       pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
   if (!m)
      fail_msg("not reflected: %s", why);
   const struct pv_spirv_entry *e = pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_FRAGMENT_BIT);
   assert_non_null(e);
   const bool want[5] = {false, true, false, false, true};
   for (uint32_t b = 0; b < 5; b++) {
      const struct pv_spirv_resource *r = find_res(e, 0, b);
      assert_non_null(r);
      if (r->plain != want[b])
         fail_msg("binding %u: plain %d", b, r->plain);
   }
   pv_spirv_module_free(m);
}

/* The workgroup size from a WorkgroupSize constant with a specialization constant in it. */
static void
workgroup_sizes(void **state)
{
   (void)state;
   char err[256];
   const char *why = NULL;
   struct pv_spirv_module *m =
      pv_spirv_reflect(pv_workgroup_comp_spv, sizeof(pv_workgroup_comp_spv) / 4,
                       pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
   if (!m)
      fail_msg("not reflected: %s", why);
   const struct pv_spirv_entry *e = pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_COMPUTE_BIT);
   assert_non_null(e);
   assert_int_equal(e->local[0], 1);
   assert_int_equal(e->local_spec[0], 7);
   assert_int_equal(e->local[1], 2);
   assert_int_equal(e->local_spec[1], PV_SPIRV_NO_SPEC);
   assert_int_equal(e->local[2], 1);
   pv_spirv_module_free(m);
}

static void
reflect_refuses_invalid(void **state)
{
   (void)state;
   char err[256];
   const char *why = NULL;
   int env = pv_spirv_env(VK_API_VERSION_1_3, false);
   assert_null(pv_spirv_reflect(NULL, 0, env, err, sizeof(err), &why));
   assert_string_equal(why, "empty module");
   /* SPIR-V 1.5 is too new for a Vulkan 1.0 device */
   why = NULL;
   assert_null(pv_spirv_reflect(pv_reflect_comp_15_spv, sizeof(pv_reflect_comp_15_spv) / 4,
                                pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why));
   assert_non_null(why);
   /* every way of cutting or bending the module is refused or reflected, never a crash */
   static uint32_t w[sizeof(pv_reflect_comp_10_spv) / 4];
   size_t n = sizeof(w) / 4;
   unsigned refused = 0;
   for (size_t i = 0; i < n; i++) {
      memcpy(w, pv_reflect_comp_10_spv, sizeof(w));
      w[i] ^= i < 5 ? 0x00ff0000u : 0x0000ffffu;
      struct pv_spirv_module *m = pv_spirv_reflect(w, n, env, err, sizeof(err), &why);
      refused += !m;
      pv_spirv_module_free(m);
      m = pv_spirv_reflect(pv_reflect_comp_10_spv, i, env, err, sizeof(err), &why);
      refused += !m;
      pv_spirv_module_free(m);
   }
   assert_true(refused > n); /* every truncation and most bent words */
}

static void
target_environments(void **state)
{
   (void)state;
   /* (libspirv.h defines a constant, so it cannot be included here as well: judged by what
    * each environment accepts) */
   const int env[] = {
      pv_spirv_env(VK_API_VERSION_1_0, true), pv_spirv_env(VK_API_VERSION_1_1, false),
      pv_spirv_env(VK_API_VERSION_1_1, true), pv_spirv_env(VK_API_VERSION_1_2, false),
      pv_spirv_env(VK_API_VERSION_1_3, false)};
   const bool takes_1_5[] = {false, false, false, true, true};
   for (int i = 0; i < 5; i++) {
      for (int j = 0; j < i; j++)
         assert_int_not_equal(env[i], env[j]);
      char err[256];
      const char *why;
      struct pv_spirv_module *m =
         pv_spirv_reflect(pv_reflect_comp_10_spv, sizeof(pv_reflect_comp_10_spv) / 4, env[i], err,
                          sizeof(err), &why);
      assert_non_null(m);
      pv_spirv_module_free(m);
      m = pv_spirv_reflect(pv_reflect_comp_15_spv, sizeof(pv_reflect_comp_15_spv) / 4, env[i], err,
                           sizeof(err), &why);
      assert_int_equal(m != NULL, takes_1_5[i]);
      pv_spirv_module_free(m);
   }
   assert_int_equal(pv_spirv_env(VK_MAKE_API_VERSION(0, 1, 4, 0), false), env[4]);
}

/* ----- checks through the renderer -------------------------------------------------------- */

enum {
   DEVICE = 0x10,
   CMD = 0x100,
   MODULE = 0x200,
   LAYOUT = 0x300,
   PIPE = 0x400,
   NEW_PIPE = 0x401,
   SET = 0x500,
   SET2 = 0x501,
};

static void
module_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   pv_spirv_module_free(obj->data);
   obj->data = NULL;
}

/* A context with a device and reflect.comp's module (SPIR-V 1.0). */
static struct pv_context *
fresh_context(void)
{
   struct pv_context *ctx = pv_context_create(renderer, PV_CAPSET_VENUS, "shader");
   assert_non_null(ctx);
   add_object(ctx, VK_OBJECT_TYPE_DEVICE, DEVICE);
   struct pv_object *m = add_object(ctx, VK_OBJECT_TYPE_SHADER_MODULE, MODULE);
   char err[256];
   const char *why;
   m->data = pv_spirv_reflect(pv_reflect_comp_10_spv, sizeof(pv_reflect_comp_10_spv) / 4,
                              pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
   assert_non_null(m->data);
   m->free_data = module_free;
   return ctx;
}

/* What reflect.comp needs, binding by binding; tests bend one entry. */
struct binding {
   uint32_t set, binding, count;
   VkDescriptorType type;
   VkShaderStageFlags stages;
};
static const struct binding reflect_bindings[] = {
   {0, 0, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
   {0, 1, 3, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_COMPUTE_BIT},
   {1, 2, 4, VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE, VK_SHADER_STAGE_COMPUTE_BIT},
   {1, 3, 1, VK_DESCRIPTOR_TYPE_SAMPLER, VK_SHADER_STAGE_COMPUTE_BIT},
   {1, 4, 1, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, VK_SHADER_STAGE_COMPUTE_BIT},
   {2, 5, 1, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT},
};
#define NB (sizeof(reflect_bindings) / sizeof(reflect_bindings[0]))

/* A pipeline layout of 3 sets from `b` and push constants [0, push) for compute. */
static void
add_layout(struct pv_context *ctx, const struct binding *b, size_t nb, uint32_t push)
{
   struct pv_vk_pipeline_layout *l = calloc(1, sizeof(*l));
   assert_non_null(l);
   l->sets = l->set_layout_count = 3;
   l->set_layouts = calloc(3, sizeof(*l->set_layouts));
   l->push = calloc(1, sizeof(*l->push));
   assert_true(l->set_layouts && l->push);
   for (uint32_t s = 0; s < 3; s++) {
      VkDescriptorSetLayoutBinding v[NB];
      uint32_t n = 0;
      for (size_t i = 0; i < nb; i++)
         if (b[i].set == s)
            v[n++] = (VkDescriptorSetLayoutBinding){b[i].binding, b[i].type, b[i].count,
                                                    b[i].stages, NULL};
      const VkDescriptorSetLayoutCreateInfo ci = {
         .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
         .bindingCount = n,
         .pBindings = v,
      };
      l->set_layouts[s] = pv_vk_set_layout_create(&ci);
      assert_non_null(l->set_layouts[s]);
   }
   *l->push = (VkPushConstantRange){VK_SHADER_STAGE_COMPUTE_BIT, 0, push};
   l->push_count = 1;
   l->push_end = push;
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_PIPELINE_LAYOUT, LAYOUT);
   o->data = l;
   o->free_data = pv_vk_pipeline_layout_free;
}

/* vkCreateComputePipelines of reflect.comp's "main" (or `name`) on LAYOUT; with `spec`,
 * spec constant 3 = *spec at offset `spec_offset` of 4 bytes of data. */
static void
enc_create_compute(struct buf *b, const char *name, const uint32_t *spec, uint32_t spec_offset)
{
   w32(b, cmd("vkCreateComputePipelines")), w32(b, 0), w64(b, DEVICE), w64(b, 0);
   w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w32(b, VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w32(b, VK_SHADER_STAGE_COMPUTE_BIT), w64(b, MODULE), wstr(b, name);
   if (spec) {
      w64(b, 1);            /* pSpecializationInfo */
      w32(b, 1), w64(b, 1); /* one map entry */
      w32(b, 3), w32(b, spec_offset), w64(b, 4);
      w64(b, 4), w64(b, 4), w32(b, *spec); /* dataSize, pData */
   } else {
      w64(b, 0);
   }
   w64(b, LAYOUT), w64(b, 0), w32(b, (uint32_t)-1);
   w64(b, 0); /* pAllocator */
   w64(b, 1), w64(b, NEW_PIPE);
}

/* Creates the pipeline on a layout of `b` with `push` bytes; `want` NULL: must pass. */
static void
pipeline_case(const struct binding *b, size_t nb, uint32_t push, const char *name,
              const uint32_t *spec, uint32_t spec_offset, const char *want)
{
   struct pv_context *ctx = fresh_context();
   add_layout(ctx, b, nb, push);
   struct buf buf = {0};
   enc_create_compute(&buf, name, spec, spec_offset);
   if (want)
      expect(ctx, &buf, want);
   else
      PASSED(ctx, &buf, "vkCreateComputePipelines");
}

static void
pipeline_matching_layout_passes(void **state)
{
   (void)state;
   pipeline_case(reflect_bindings, NB, 12, "main", NULL, 0, NULL);
   /* the shader reads push constant bytes 4..8: a range to 8 is enough */
   pipeline_case(reflect_bindings, NB, 8, "main", NULL, 0, NULL);
   /* a storage buffer may be dynamic; a separate image may be a combined one */
   struct binding v[NB];
   memcpy(v, reflect_bindings, sizeof(v));
   v[0].type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
   v[2].type = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
   pipeline_case(v, NB, 12, "main", NULL, 0, NULL);
}

static void
pipeline_layout_mismatch(void **state)
{
   (void)state;
   struct binding v[NB];
   /* binding left out */
   pipeline_case(reflect_bindings + 1, NB - 1, 12, "main", NULL, 0,
                 "uses set 0 binding 0 (1 elements): its binding is not in the set layout");
   /* wrong type */
   memcpy(v, reflect_bindings, sizeof(v));
   v[4].type = VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE;
   pipeline_case(v, NB, 12, "main", NULL, 0,
                 "set 1 binding 4 (1 elements): the binding's descriptor type does not match");
   /* array larger than the binding */
   memcpy(v, reflect_bindings, sizeof(v));
   v[1].count = 2;
   pipeline_case(v, NB, 12, "main", NULL, 0,
                 "set 0 binding 1 (3 elements): the shader's array is larger than the binding");
   /* not visible to the stage */
   memcpy(v, reflect_bindings, sizeof(v));
   v[5].stages = VK_SHADER_STAGE_FRAGMENT_BIT;
   pipeline_case(v, NB, 12, "main", NULL, 0,
                 "set 2 binding 5 (1 elements): the binding is not visible to the stage");
   /* set past the layout */
   struct pv_context *ctx = fresh_context();
   add_layout(ctx, reflect_bindings, NB, 12);
   struct pv_object *o = pv_object_find(ctx, LAYOUT, VK_OBJECT_TYPE_PIPELINE_LAYOUT);
   ((struct pv_vk_pipeline_layout *)o->data)->sets = 2;
   pv_vk_set_layout_unref(((struct pv_vk_pipeline_layout *)o->data)->set_layouts[2]);
   ((struct pv_vk_pipeline_layout *)o->data)->set_layout_count = 2;
   struct buf b = {0};
   enc_create_compute(&b, "main", NULL, 0);
   REFUSED(ctx, &b,
           "vkCreateComputePipelines: stage 0 (0x20) uses set 2 binding 5 (1 "
           "elements): its set is not in the pipeline layout");
}

static void
pipeline_push_and_entry(void **state)
{
   (void)state;
   pipeline_case(reflect_bindings, NB, 4, "main", NULL, 0,
                 "refused: vkCreateComputePipelines: stage 0 (0x20, \"main\"): its push "
                 "constants are outside the layout's ranges for the stage");
   pipeline_case(reflect_bindings, NB, 12, "other", NULL, 0,
                 "refused: vkCreateComputePipelines: stage 0 (0x20, \"other\"): no entry point "
                 "of that name for the stage");
}

static void
pipeline_specialization(void **state)
{
   (void)state;
   uint32_t n = 4;
   pipeline_case(reflect_bindings, NB, 12, "main", &n, 0, NULL);
   n = 5; /* imgs[5], the binding has 4 */
   pipeline_case(reflect_bindings, NB, 12, "main", &n, 0,
                 "set 1 binding 2 (5 elements): the shader's array is larger than the binding");
   n = 2;
   pipeline_case(reflect_bindings, NB, 12, "main", &n, 0, NULL);
   /* a map entry past its 4 bytes of data: the host would copy from past pData */
   pipeline_case(reflect_bindings, NB, 12, "main", &n, 1,
                 "refused: vkCreateComputePipelines: stage 0: a specialization map entry "
                 "outside its data");
}

/* vkCreateShaderModule with `words`: passes validation (reaches the missing host entry) or is
 * refused. */
static void
shader_module_case(const uint32_t *words, uint64_t size, const char *want)
{
   struct pv_context *ctx = fresh_context();
   struct buf b = {0};
   w32(&b, cmd("vkCreateShaderModule")), w32(&b, 0), w64(&b, DEVICE);
   w64(&b, 1), w32(&b, VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO), w64(&b, 0), w32(&b, 0);
   w64(&b, size), w64(&b, size / 4);
   for (uint64_t i = 0; i < size / 4; i++)
      w32(&b, words[i]);
   w64(&b, 0), w64(&b, 1), w64(&b, MODULE + 1);
   if (want)
      expect(ctx, &b, want);
   else
      PASSED(ctx, &b, "vkCreateShaderModule");
}

static void
shader_module_validated(void **state)
{
   (void)state;
   shader_module_case(pv_reflect_comp_10_spv, sizeof(pv_reflect_comp_10_spv), NULL);
   /* SPIR-V 1.5 on a device we know nothing of (Vulkan 1.0 rules) */
   shader_module_case(pv_reflect_comp_15_spv, sizeof(pv_reflect_comp_15_spv),
                      "refused: vkCreateShaderModule: invalid SPIR-V");
   static uint32_t w[sizeof(pv_reflect_comp_10_spv) / 4];
   memcpy(w, pv_reflect_comp_10_spv, sizeof(w));
   w[3] = 2; /* id bound: refused by the scans before validation (spirv_shape.c) */
   shader_module_case(w, sizeof(w),
                      "refused: vkCreateShaderModule: an id past the module's id bound");
   shader_module_case(pv_reflect_comp_10_spv, sizeof(pv_reflect_comp_10_spv) - 2,
                      "refused: vkCreateShaderModule: codeSize 2266 is not a whole number of "
                      "words");
}

/* ----- tessellation patch size ------------------------------------------------------------- */

/* A tessellation control shader, hand-assembled (spirv-as, SPIR-V 1.0):
 *    OpCapability Tessellation / OpMemoryModel Logical GLSL450
 *    OpEntryPoint TessellationControl %1 "main" / OpExecutionMode %1 OutputVertices 3
 *    a void main that returns.
 * Word TCS_PATCH is the OutputVertices literal. */
static const uint32_t tcs_words[] = {
   0x07230203, 0x00010000, 0x00070000, 0x00000005, 0x00000000, 0x00020011, 0x00000003,
   0x0003000e, 0x00000000, 0x00000001, 0x0005000f, 0x00000001, 0x00000001, 0x6e69616d,
   0x00000000, 0x00040010, 0x00000001, 0x0000001a, 0x00000003, 0x00020013, 0x00000002,
   0x00030021, 0x00000003, 0x00000002, 0x00050036, 0x00000002, 0x00000001, 0x00000000,
   0x00000003, 0x000200f8, 0x00000004, 0x000100fd, 0x00010038};
enum { TCS_PATCH = 18, TCS_MODULE = MODULE + 2 };

/* tcs_words with OutputVertices `patch`, reflected into TCS_MODULE of `ctx`. */
static void
add_tcs_module(struct pv_context *ctx, uint32_t patch)
{
   uint32_t w[sizeof(tcs_words) / 4];
   memcpy(w, tcs_words, sizeof(w));
   w[TCS_PATCH] = patch;
   char err[256];
   const char *why = NULL;
   struct pv_object *m = add_object(ctx, VK_OBJECT_TYPE_SHADER_MODULE, TCS_MODULE);
   m->data = pv_spirv_reflect(w, sizeof(w) / 4, pv_spirv_env(VK_API_VERSION_1_0, false), err,
                              sizeof(err), &why);
   if (!m->data)
      fail_msg("not reflected: %s", why);
   m->free_data = module_free;
   const struct pv_spirv_entry *e =
      pv_spirv_entry_find(m->data, "main", VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT);
   assert_non_null(e);
   assert_true(e->has_output_vertices);
   assert_int_equal(e->output_vertices, patch);
}

/* vkCreateComputePipelines of one create info naming `module`'s entry point "main" for `stage`:
 * the stage checks run for every create info's stages alike, and a compute create info is the
 * smallest that carries one. */
static void
enc_one_stage(struct buf *b, VkShaderStageFlagBits stage, uint64_t module)
{
   w32(b, cmd("vkCreateComputePipelines")), w32(b, 0), w64(b, DEVICE), w64(b, 0);
   w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w32(b, VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w32(b, stage), w64(b, module), wstr(b, "main");
   w64(b, 0); /* pSpecializationInfo */
   w64(b, LAYOUT), w64(b, 0), w32(b, (uint32_t)-1);
   w64(b, 0), w64(b, 1), w64(b, NEW_PIPE);
}

/*
 * OutputVertices past maxTessellationPatchSize (or 0) is refused at pipeline creation
 * (VUID-VkPipelineShaderStageCreateInfo-stage-00713): llvmpipe's draw module loops over it
 * against arrays of 32 control points (draw_tess.c llvm_store_tcs_output). The SPIR-V
 * validator lets such a module through, so vkCreateShaderModule passes it. The stage check runs
 * for every create info's stages alike: a compute create info naming the TCS stage is the
 * smallest that carries one.
 */
static void
tessellation_patch_size(void **state)
{
   (void)state;
   static uint32_t w[sizeof(tcs_words) / 4];
   memcpy(w, tcs_words, sizeof(w));
   w[TCS_PATCH] = 64;
   shader_module_case(w, sizeof(w), NULL);
   static struct pv_vk_physdev pd = {.limits = {.maxTessellationPatchSize = 32,
                                                .maxClipDistances = 8,
                                                .maxCullDistances = 8,
                                                .maxCombinedClipAndCullDistances = 8}};
   static struct pv_vk_device dev = {.pd = &pd, .features = STAGE_FEATURES};
   const uint32_t patches[] = {33, 0, 64, 32, 1};
   for (size_t i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
      struct pv_context *ctx = fresh_context();
      pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = &dev;
      add_layout(ctx, reflect_bindings, NB, 12);
      add_tcs_module(ctx, patches[i]);
      struct buf b = {0};
      enc_one_stage(&b, VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT, TCS_MODULE);
      if (i < 3)
         REFUSED(ctx, &b,
                 "vkCreateComputePipelines: stage 0 (0x2, \"main\"): an OutputVertices "
                 "patch size of 0 or past the device's maxTessellationPatchSize");
      else
         PASSED(ctx, &b, "vkCreateComputePipelines");
   }
}

/* tcs_words as a tessellation evaluation shader (word TESS_MODEL is the execution model), and
 * as a control shader that declares no OutputVertices (its OpExecutionMode, words
 * TCS_MODE..TCS_MODE + 3, left out); reflected into `id` for `stage`. */
enum { TESS_MODEL = 11, TCS_MODE = 15, TES_MODULE = MODULE + 4 };

static void
add_tess_module(struct pv_context *ctx, uint64_t id, VkShaderStageFlagBits stage, uint32_t patch)
{
   uint32_t w[sizeof(tcs_words) / 4];
   size_t n = 0;
   for (size_t i = 0; i < sizeof(w) / 4; i++)
      if (patch || i < TCS_MODE || i > TCS_MODE + 3)
         w[n++] = tcs_words[i];
   if (patch)
      w[TCS_PATCH] = patch;
   if (stage == VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT)
      w[TESS_MODEL] = 2; /* TessellationEvaluation */
   char err[256];
   const char *why = NULL;
   struct pv_object *m = add_object(ctx, VK_OBJECT_TYPE_SHADER_MODULE, id);
   m->data =
      pv_spirv_reflect(w, n, pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
   if (!m->data)
      fail_msg("not reflected: %s (%s)", why, err);
   m->free_data = module_free;
   assert_non_null(pv_spirv_entry_find(m->data, "main", stage));
}

/* vkCreateGraphicsPipelines of TCS_MODULE and TES_MODULE with a tessellation state of 3
 * control points, LAYOUT, no render pass. */
static void
enc_tess_stages(struct buf *b)
{
   w32(b, cmd("vkCreateGraphicsPipelines")), w32(b, 0), w64(b, DEVICE), w64(b, 0), w32(b, 1);
   w64(b, 1), w32(b, VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w32(b, 2), w64(b, 2);
   const uint64_t modules[] = {TCS_MODULE, TES_MODULE};
   for (int i = 0; i < 2; i++) {
      w32(b, VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO), w64(b, 0), w32(b, 0);
      w32(b, i ? VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT
               : VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT);
      w64(b, modules[i]), wstr(b, "main"), w64(b, 0);
   }
   w64(b, 0), w64(b, 0); /* pVertexInputState, pInputAssemblyState */
   w64(b, 1), w32(b, VK_STRUCTURE_TYPE_PIPELINE_TESSELLATION_STATE_CREATE_INFO), w64(b, 0);
   w32(b, 0), w32(b, 3);
   w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0); /* viewport ... dynamic */
   w64(b, LAYOUT), w64(b, 0), w32(b, 0), w64(b, 0), w32(b, (uint32_t)-1);
   w64(b, 0), w64(b, 1), w64(b, NEW_PIPE);
}

/*
 * Either tessellation stage may declare OutputVertices, and both must agree where both do
 * (VUID-VkGraphicsPipelineCreateInfo-pStages-00735). lavapipe takes the patch size from the
 * control stage alone: one declaring none gives the evaluation stage blocks of 0 vertices to
 * read past (a SIGSEGV on 22.3.6), so there the control stage must declare it; elsewhere the
 * evaluation stage's suffices, as Vulkan allows.
 */
static void
tessellation_stages_agree(void **state)
{
   (void)state;
   static const char *const differ = "the tessellation stages declare different OutputVertices";
   static const char *const control = "a tessellation control stage without OutputVertices "
                                      "(this host takes the patch size from that stage alone)";
   static struct pv_vk_physdev gpu = {.limits = {.maxTessellationPatchSize = 32}};
   static struct pv_vk_physdev lavapipe = {.limits = {.maxTessellationPatchSize = 32},
                                           .sizes_patches_by_control = true};
   static struct pv_vk_device on_gpu = {.pd = &gpu, .features = STAGE_FEATURES},
                              on_lavapipe = {.pd = &lavapipe, .features = STAGE_FEATURES};
   const struct {
      struct pv_vk_device *dev;
      uint32_t tcs, tes; /* OutputVertices, 0: none */
      const char *why;
   } cases[] = {
      {&on_gpu, 3, 4, differ}, {&on_lavapipe, 4, 3, differ}, {&on_lavapipe, 0, 3, control},
      {&on_gpu, 0, 3, NULL},   {&on_lavapipe, 3, 3, NULL},   {&on_lavapipe, 3, 0, NULL},
      {&on_gpu, 32, 32, NULL},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = cases[i].dev;
      add_layout(ctx, reflect_bindings, NB, 12);
      add_tess_module(ctx, TCS_MODULE, VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT, cases[i].tcs);
      add_tess_module(ctx, TES_MODULE, VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT, cases[i].tes);
      struct buf b = {0};
      enc_tess_stages(&b);
      char want[300];
      snprintf(want, sizeof(want), "refused: vkCreateGraphicsPipelines: %s", cases[i].why);
      if (cases[i].why)
         expect(ctx, &b, want);
      else
         PASSED(ctx, &b, "vkCreateGraphicsPipelines");
   }
}

/* ----- geometry shaders -------------------------------------------------------------------- */

enum { GS_MODULE = MODULE + 3, ABSENT = 0xffffffffu, CONFLICT = 0xfffffffeu };

/* The word index of `module`'s OpExecutionMode instruction of `mode` (the first), 0 if none. */
static size_t
mode_at(const uint32_t *w, size_t n, uint32_t mode)
{
   for (size_t i = 5; i < n && w[i] >> 16; i += w[i] >> 16)
      if ((w[i] & 0xffffu) == 16 /* OpExecutionMode */ && i + 2 < n && w[i + 2] == mode)
         return i;
   return 0;
}

/* The module of `words` with OutputVertices `vertices` (ABSENT: that instruction made a second
 * Invocations of the same value) and Invocations `invocations` (ABSENT: made a second
 * OutputVertices of the same value; CONFLICT: of vertices + 1), and output primitive
 * `primitive` (PV_SPIRV_OUTPUT_*) when not 0; malloc'ed. */
static uint32_t *
gs_words(const uint32_t *words, size_t size, uint32_t vertices, uint32_t invocations,
         uint32_t primitive)
{
   size_t n = size / 4;
   uint32_t *w = malloc(size);
   assert_non_null(w);
   memcpy(w, words, size);
   size_t ov = mode_at(w, n, 26), inv = mode_at(w, n, 0);
   size_t prim = 0;
   for (uint32_t p = PV_SPIRV_OUTPUT_POINTS; p <= PV_SPIRV_OUTPUT_TRIANGLE_STRIP && !prim; p++)
      prim = mode_at(w, n, p);
   assert_true(ov && inv && prim);
   if (vertices == ABSENT) {
      w[ov + 2] = 0;
      w[ov + 3] = invocations;
   } else {
      w[ov + 3] = vertices;
   }
   if (invocations == ABSENT || invocations == CONFLICT) {
      w[inv + 2] = 26;
      w[inv + 3] = invocations == ABSENT ? vertices : vertices + 1;
   } else {
      w[inv + 3] = invocations;
   }
   if (primitive)
      w[prim + 2] = primitive;
   return w;
}

/* That module reflected into GS_MODULE of `ctx`. */
static void
add_gs_module(struct pv_context *ctx, const uint32_t *words, size_t size, uint32_t vertices,
              uint32_t invocations, uint32_t primitive)
{
   uint32_t *w = gs_words(words, size, vertices, invocations, primitive);
   char err[256];
   const char *why = NULL;
   struct pv_object *m = add_object(ctx, VK_OBJECT_TYPE_SHADER_MODULE, GS_MODULE);
   m->data = pv_spirv_reflect(w, size / 4, pv_spirv_env(VK_API_VERSION_1_0, false), err,
                              sizeof(err), &why);
   free(w);
   if (!m->data)
      fail_msg("not reflected: %s", why);
   m->free_data = module_free;
}

/* OutputVertices, Invocations (absent: 1) and the output primitive, per entry point; a mode
 * declared twice with two values is marked. */
static void
geometry_modes_reflected(void **state)
{
   (void)state;
   const struct {
      uint32_t vertices, invocations, primitive, want_invocations;
      bool conflicting;
   } cases[] = {
      {3, 1, 0, 1, false},
      {65535, 255, PV_SPIRV_OUTPUT_LINE_STRIP, 255, false},
      {2, ABSENT, PV_SPIRV_OUTPUT_POINTS, 1, false},
      {2, CONFLICT, 0, 1, true},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      uint32_t *w = gs_words(pv_geometry_geom_spv, sizeof(pv_geometry_geom_spv), cases[i].vertices,
                             cases[i].invocations, cases[i].primitive);
      char err[256];
      const char *why = NULL;
      struct pv_spirv_module *m =
         pv_spirv_reflect(w, sizeof(pv_geometry_geom_spv) / 4,
                          pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
      free(w);
      if (!m)
         fail_msg("not reflected: %s", why);
      const struct pv_spirv_entry *e = pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_GEOMETRY_BIT);
      assert_non_null(e);
      assert_true(e->has_output_vertices);
      assert_int_equal(e->output_vertices, cases[i].vertices);
      assert_int_equal(e->invocations, cases[i].want_invocations);
      assert_int_equal(e->output_primitive,
                       cases[i].primitive ? cases[i].primitive : PV_SPIRV_OUTPUT_TRIANGLE_STRIP);
      assert_int_equal(e->conflicting_modes, cases[i].conflicting);
      assert_int_equal(e->out_end, 0);
      pv_spirv_module_free(m);
   }
   /* a tessellation shader: Invocations absent, no output primitive */
   char err[256];
   const char *why = NULL;
   struct pv_spirv_module *m =
      pv_spirv_reflect(tcs_words, sizeof(tcs_words) / 4, pv_spirv_env(VK_API_VERSION_1_0, false),
                       err, sizeof(err), &why);
   assert_non_null(m);
   const struct pv_spirv_entry *e =
      pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT);
   assert_non_null(e);
   assert_int_equal(e->invocations, 1);
   assert_int_equal(e->output_primitive, 0);
   assert_false(e->conflicting_modes);
   pv_spirv_module_free(m);
   /* OutputVertices 64, then 3: Mesa takes 64, this reflection kept 3 before */
   uint32_t w2[sizeof(tcs_words) / 4 + 4];
   memcpy(w2, tcs_words, (TCS_PATCH + 1) * 4);
   memcpy(w2 + TCS_PATCH + 1, tcs_words + TCS_PATCH - 3, 16);
   memcpy(w2 + TCS_PATCH + 5, tcs_words + TCS_PATCH + 1, sizeof(tcs_words) - (TCS_PATCH + 1) * 4);
   w2[TCS_PATCH] = 64;
   m = pv_spirv_reflect(w2, sizeof(w2) / 4, pv_spirv_env(VK_API_VERSION_1_0, false), err,
                        sizeof(err), &why);
   if (!m)
      fail_msg("not reflected: %s", why);
   e = pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT);
   assert_non_null(e);
   assert_true(e->conflicting_modes);
   pv_spirv_module_free(m);
   m = pv_spirv_reflect(pv_geometry_varyings_geom_spv, sizeof(pv_geometry_varyings_geom_spv) / 4,
                        pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
   assert_non_null(m);
   e = pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_GEOMETRY_BIT);
   assert_non_null(e);
   assert_int_equal(e->out_end, 16);
   pv_spirv_module_free(m);
}

/* lavapipe's limits, on a host with its quirk (pv_vk_physdev.sizes_gs_output_32bit) and one
 * without. */
#define GS_LIMITS                                                                                  \
   .maxClipDistances = 8, .maxCullDistances = 8, .maxCombinedClipAndCullDistances = 8,             \
   .maxGeometryOutputVertices = 1024, .maxGeometryShaderInvocations = 32,                          \
   .maxGeometryInputComponents = 128, .maxGeometryOutputComponents = 128,                          \
   .maxVertexOutputComponents = 128, .maxTessellationPatchSize = 32,                               \
   .maxTessellationControlPerVertexInputComponents = 128,                                          \
   .maxTessellationControlPerVertexOutputComponents = 128
static struct pv_vk_physdev gs_pd = {.limits = {GS_LIMITS}};
static struct pv_vk_physdev gs_lavapipe_pd = {.limits = {GS_LIMITS}, .sizes_gs_output_32bit = true};
static struct pv_vk_device gs_dev = {.pd = &gs_pd, .features = STAGE_FEATURES};
static struct pv_vk_device gs_lavapipe_dev = {.pd = &gs_lavapipe_pd, .features = STAGE_FEATURES};

/* vkCreateComputePipelines naming GS_MODULE's geometry stage (enc_one_stage). On `dev`, refused
 * for `want` or passed (NULL). */
static void
gs_stage_case(struct pv_vk_device *dev, const uint32_t *words, size_t size, uint32_t vertices,
              uint32_t invocations, uint32_t primitive, const char *want)
{
   struct pv_context *ctx = fresh_context();
   pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = dev;
   add_layout(ctx, reflect_bindings, NB, 12);
   add_gs_module(ctx, words, size, vertices, invocations, primitive);
   struct buf b = {0};
   enc_one_stage(&b, VK_SHADER_STAGE_GEOMETRY_BIT, GS_MODULE);
   if (want) {
      char full[300];
      snprintf(full, sizeof(full), "refused: vkCreateComputePipelines: %s", want);
      expect(ctx, &b, full);
   } else {
      PASSED(ctx, &b, "vkCreateComputePipelines");
   }
}

#define GS pv_geometry_geom_spv, sizeof(pv_geometry_geom_spv)
#define GS_STAGE "stage 0 (0x8, \"main\"): "

/*
 * OutputVertices in 1..maxGeometryOutputVertices and Invocations in 1..
 * maxGeometryShaderInvocations on every host (VUID-VkPipelineShaderStageCreateInfo-stage-00714,
 * -00715). SPIR-V validation takes any value (vkCreateShaderModule passes OutputVertices 65535),
 * and llvmpipe multiplies them into its output buffer's 32-bit size: 65535 vertices with 32
 * invocations of 1024 points wrapped it to 512 bytes on 22.3.6. Two declarations of different
 * values are refused: Mesa keeps the first, our reflection could not say which a host keeps.
 */
static void
geometry_limits(void **state)
{
   (void)state;
   uint32_t *w = gs_words(GS, 65535, 32, 0);
   shader_module_case(w, sizeof(pv_geometry_geom_spv), NULL);
   free(w);
   static const char vertices[] =
      GS_STAGE "OutputVertices absent, 0 or past the device's maxGeometryOutputVertices";
   static const char invocations[] =
      GS_STAGE "Invocations of 0 or past the device's maxGeometryShaderInvocations";
   gs_stage_case(&gs_dev, GS, 65535, 32, 0, vertices);
   gs_stage_case(&gs_dev, GS, 1025, 1, 0, vertices);
   gs_stage_case(&gs_dev, GS, 0, 1, 0, vertices);
   gs_stage_case(&gs_dev, GS, ABSENT, 1, 0, vertices);
   gs_stage_case(&gs_dev, GS, 3, 33, 0, invocations);
   gs_stage_case(&gs_dev, GS, 3, 255, 0, invocations);
   gs_stage_case(&gs_dev, GS, 3, 0, 0, invocations);
   gs_stage_case(&gs_dev, GS, 3, CONFLICT, 0,
                 GS_STAGE "OutputVertices or Invocations declared twice with different values");
   /* the limits themselves, and Invocations absent (1) */
   gs_stage_case(&gs_dev, GS, 1024, 32, 0, NULL);
   gs_stage_case(&gs_dev, GS, 3, 1, 0, NULL);
   gs_stage_case(&gs_dev, GS, 3, ABSENT, 0, NULL);
   gs_stage_case(&gs_dev, GS, 1, 1, PV_SPIRV_OUTPUT_POINTS, NULL);
}

/* Aggregate values past 65,536 scalars are refused where the host builds them element by
 * element (spirv_values.c: a whole-array load of 70,000 floats; lavapipe's OpConstantNull of
 * 2^32 - 1 elements crashed it); 1,000 pass. */
static void
values_bounded(void **state)
{
   (void)state;
   assert_non_null(
      pv_spirv_value_violation(pv_values_big_comp_spv, sizeof(pv_values_big_comp_spv) / 4));
   assert_null(
      pv_spirv_value_violation(pv_values_small_comp_spv, sizeof(pv_values_small_comp_spv) / 4));
   assert_null(
      pv_spirv_value_violation(pv_reflect_comp_10_spv, sizeof(pv_reflect_comp_10_spv) / 4));
   /* a null constant of float[2^32 - 1] (SPIRV-Cross's reflection threw std::bad_alloc on it):
    * refused before any validation; of float[16], not; an absurd id bound is refused */
   uint32_t null_array[] = {
      0x07230203,      0x00010000, 0,  6,           0, /* header, bound 6 */
      (4u << 16) | 21, 1,          32, 0,              /* %1 = OpTypeInt 32 0 */
      (4u << 16) | 43, 1,          2,  0xffffffffu,    /* %2 = OpConstant %1 2^32 - 1 */
      (3u << 16) | 22, 3,          32,                 /* %3 = OpTypeFloat 32 */
      (4u << 16) | 28, 4,          3,  2,              /* %4 = OpTypeArray %3 %2 */
      (3u << 16) | 46, 4,          5,                  /* %5 = OpConstantNull %4 */
   };
   const size_t words = sizeof(null_array) / 4;
   assert_non_null(pv_spirv_value_violation(null_array, words));
   null_array[12] = 16;
   assert_null(pv_spirv_value_violation(null_array, words));
   null_array[3] = 0x400000;
   assert_non_null(pv_spirv_value_violation(null_array, words));
}

/* Image types no Vulkan view can back are refused before validation (spirv_images.c: lavapipe
 * 22.3.6 crashed on its queue thread querying a 3D-arrayed storage image's size); the types
 * views exist for pass. */
static void
image_types_viewable(void **state)
{
   (void)state;
   static const struct {
      uint32_t dim, arrayed, ms;
      bool refused;
   } cases[] = {
      {SpvDim2D, 1, 1, false},          {SpvDim3D, 0, 0, false}, {SpvDimCube, 1, 0, false},
      {SpvDimSubpassData, 0, 1, false}, {SpvDim3D, 1, 0, true},  {SpvDimRect, 0, 0, true},
      {SpvDimBuffer, 1, 0, true},       {SpvDim1D, 0, 1, true},  {SpvDimCube, 0, 1, true},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      const uint32_t module[] = {
         0x07230203,
         0x00010000,
         0,
         4,
         0, /* header, bound 4 */
         (3u << 16) | SpvOpTypeFloat,
         1,
         32,
         (9u << 16) | SpvOpTypeImage,
         2,
         1,
         cases[i].dim,
         0,
         cases[i].arrayed,
         cases[i].ms,
         2,
         SpvImageFormatRgba8,
      };
      const char *why = pv_spirv_image_violation(module, sizeof(module) / 4);
      if (cases[i].refused != (why != NULL))
         fail_msg("case %zu: %s", i, why ? why : "passed");
      assert_ptr_equal(pv_spirv_unvalidated_violation(module, sizeof(module) / 4), why);
   }
   /* a truncated declaration is the validator's to refuse */
   const uint32_t cut[] = {0x07230203, 0x00010000, 0, 4, 0, (4u << 16) | SpvOpTypeImage, 2, 1, 2};
   assert_null(pv_spirv_image_violation(cut, sizeof(cut) / 4));
}

/* The Unroll hint leaves the host's copy of a module (spirv_loops.c: lavapipe unrolls any trip
 * count it asks for); a module without it is left alone. */
static void
unroll_hint_cleared(void **state)
{
   (void)state;
   uint32_t *out = NULL;
   size_t n = 0;
   const size_t count = sizeof(pv_unroll_comp_spv) / 4;
   assert_null(pv_spirv_plain_loops(pv_unroll_comp_spv, count, &out, &n));
   assert_non_null(out);
   assert_int_equal(n, count);
   int hinted = 0, left = 0;
   for (size_t i = 5, len; i < count && (len = pv_unroll_comp_spv[i] >> 16); i += len)
      if ((pv_unroll_comp_spv[i] & 0xffff) == 246 /* OpLoopMerge */) {
         hinted += (pv_unroll_comp_spv[i + 3] & 1) != 0;
         left += (out[i + 3] & 1) != 0;
      }
   assert_int_equal(hinted, 1);
   assert_int_equal(left, 0);
   free(out);
   assert_null(
      pv_spirv_plain_loops(pv_reflect_comp_10_spv, sizeof(pv_reflect_comp_10_spv) / 4, &out, &n));
   assert_null(out);
}

/* Function variables count once per copy inlining makes (spirv_var_size.c): 7,000 floats in a
 * function called 8 times are 224,000 bytes an invocation, past the 32 KiB cap where counting
 * each function once made 28,000; and a call tree that doubles per level inlines to more than
 * 2^20 words. */
static void
calls_inlined(void **state)
{
   (void)state;
   bool nomem = false;
   struct pv_spirv_var_use *u =
      pv_spirv_var_use_new(pv_calls_comp_spv, sizeof(pv_calls_comp_spv) / 4, &nomem);
   assert_non_null(u);
   struct pv_spirv_var_bytes bytes;
   const char *why = NULL;
   assert_true(
      pv_spirv_var_bytes_of(u, "main", 5u /* GLCompute */, NULL, false, true, &bytes, &why));
   assert_true(bytes.invocation >= 8 * 28000ull);
   assert_true(pv_spirv_inlined_words(u, "main", 5u /* GLCompute */) < sizeof(pv_calls_comp_spv));
   pv_spirv_var_use_free(u);
   u = pv_spirv_var_use_new(pv_doubling_comp_spv, sizeof(pv_doubling_comp_spv) / 4, &nomem);
   assert_non_null(u);
   assert_true(pv_spirv_inlined_words(u, "main", 5u /* GLCompute */) > (1ull << 20));
   pv_spirv_var_use_free(u);
}

/* Clip and cull distances inside the device's limits (VUID-VkPipelineShaderStageCreateInfo-
 * maxClipDistances-00708, -maxCullDistances-00709, -maxCombinedClipAndCullDistances-00710):
 * lavapipe 22.3 assigns them into a fixed array on its stack (gl_ClipDistance[512] smashed it).
 * geometry.geom's output block has a ClipDistance and a CullDistance of 1 each. (Per-vertex
 * inputs longer than a primitive: fuzz regression 2d2c9553.) */
static void
geometry_distances(void **state)
{
   (void)state;
   static struct pv_vk_physdev no_clip = {.limits = {GS_LIMITS}},
                               one_in_all = {.limits = {GS_LIMITS}};
   no_clip.limits.maxClipDistances = 0;
   one_in_all.limits.maxCombinedClipAndCullDistances = 1;
   static struct pv_vk_device no_clip_dev = {.pd = &no_clip, .features = STAGE_FEATURES},
                              one_in_all_dev = {.pd = &one_in_all, .features = STAGE_FEATURES};
   gs_stage_case(&gs_dev, GS, 3, 1, 0, NULL);
   /* without the device's geometryShader feature (VUID-...-stage-00704) */
   static struct pv_vk_device no_gs_dev = {.pd = &gs_pd,
                                           .features = PV_FEATURE(PV_FEATURE_TESSELLATION_SHADER)};
   gs_stage_case(&no_gs_dev, GS, 3, 1, 0,
                 "stage 0: a geometry stage on a device created without geometryShader");
   gs_stage_case(&no_clip_dev, GS, 3, 1, 0,
                 GS_STAGE "ClipDistance past the device's maxClipDistances");
   gs_stage_case(&one_in_all_dev, GS, 3, 1, 0,
                 GS_STAGE "ClipDistance and CullDistance past the device's "
                          "maxCombinedClipAndCullDistances");
}

/* An output SampleMask of 100 words against the device's maxSampleMaskWords
 * (VUID-VkPipelineShaderStageCreateInfo-maxSampleMaskWords-00711): lavapipe 22.3.6 assigned them
 * into a 96-slot array on its stack while compiling (the eleventh reading). */
static void
sample_mask_words(void **state)
{
   (void)state;
   static struct pv_vk_physdev one = {.limits = {GS_LIMITS, .maxFragmentOutputAttachments = 8,
                                                 .maxSampleMaskWords = 1}},
                               many = {.limits = {GS_LIMITS, .maxFragmentOutputAttachments = 8,
                                                  .maxSampleMaskWords = 100}};
   static struct pv_vk_device one_dev = {.pd = &one}, many_dev = {.pd = &many};
   struct pv_vk_device *devs[2] = {&one_dev, &many_dev};
   for (int i = 0; i < 2; i++) {
      struct pv_context *ctx = fresh_context();
      pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = devs[i];
      add_layout(ctx, reflect_bindings, NB, 12);
      struct pv_object *m = add_object(ctx, VK_OBJECT_TYPE_SHADER_MODULE, GS_MODULE);
      char err[256];
      const char *why = NULL;
      m->data = pv_spirv_reflect(pv_sample_mask_frag_spv, sizeof(pv_sample_mask_frag_spv) / 4,
                                 pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
      if (!m->data)
         fail_msg("not reflected: %s", why);
      m->free_data = module_free;
      struct buf b = {0};
      enc_one_stage(&b, VK_SHADER_STAGE_FRAGMENT_BIT, GS_MODULE);
      if (i == 0)
         REFUSED(ctx, &b,
                 "vkCreateComputePipelines: stage 0 (0x10, \"main\"): a SampleMask array past "
                 "the device's maxSampleMaskWords");
      else
         PASSED(ctx, &b, "vkCreateComputePipelines");
   }
}

/*
 * Every output primitive and count passes the pipeline checks, on lavapipe too: there a strip's
 * module is compiled bounded (src/vk/spirv_bound.c, unit test spirv_bound), which fits
 * llvmpipe's tables of primitive lengths. Before, a triangle strip of 2 was refused on lavapipe
 * (its JIT table of max(1, 4 x 0) rows took a second EndPrimitive through row 1, 22.3.6).
 */
static void
geometry_strips_on_lavapipe(void **state)
{
   (void)state;
   const struct {
      uint32_t primitive, vertices;
   } fits[] = {
      {PV_SPIRV_OUTPUT_TRIANGLE_STRIP, 1}, {PV_SPIRV_OUTPUT_TRIANGLE_STRIP, 2},
      {PV_SPIRV_OUTPUT_TRIANGLE_STRIP, 3}, {PV_SPIRV_OUTPUT_TRIANGLE_STRIP, 4},
      {PV_SPIRV_OUTPUT_LINE_STRIP, 1},     {PV_SPIRV_OUTPUT_LINE_STRIP, 2},
      {PV_SPIRV_OUTPUT_POINTS, 1},         {PV_SPIRV_OUTPUT_POINTS, 2},
   };
   for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
      gs_stage_case(&gs_lavapipe_dev, GS, fits[i].vertices, 1, fits[i].primitive, NULL);
      gs_stage_case(&gs_lavapipe_dev, GS, fits[i].vertices, 32, fits[i].primitive, NULL);
      gs_stage_case(&gs_dev, GS, fits[i].vertices, 1, fits[i].primitive, NULL);
   }
}

/*
 * On lavapipe, the worst case of llvmpipe's 32-bit output buffer size without tessellation:
 * (32 + 16 x (output locations + 16)) x (OutputVertices + 1) x Invocations x 4096 input
 * primitives must stay below 2^31. OutputVertices 1024 with 32 invocations (both at the limits)
 * crashed 22.3.6 with one draw of 4096 points; with a vertex of gl_Position alone, 1024 with 1
 * invocation, or 256 with 7, fit. 16 output locations more make 1024 with 1 too large.
 */
static void
geometry_output_size(void **state)
{
   (void)state;
   static const char size[] =
      "the geometry shader's worst-case output buffer (OutputVertices + 1, Invocations, output "
      "locations, 4096 input primitives) reaches 2^31 bytes";
   gs_stage_case(&gs_lavapipe_dev, GS, 1024, 32, PV_SPIRV_OUTPUT_POINTS, size);
   gs_stage_case(&gs_lavapipe_dev, GS, 1024, 2, PV_SPIRV_OUTPUT_POINTS, size);
   gs_stage_case(&gs_lavapipe_dev, GS, 256, 8, 0, size);
   gs_stage_case(&gs_lavapipe_dev, GS, 1024, 1, PV_SPIRV_OUTPUT_POINTS, NULL);
   gs_stage_case(&gs_lavapipe_dev, GS, 256, 7, 0, NULL);
   gs_stage_case(&gs_lavapipe_dev, GS, 256, 1, 0, NULL);
   gs_stage_case(&gs_lavapipe_dev, GS, 3, 32, 0, NULL);
   /* a strip's module is compiled with its slack on lavapipe (2 more vertices for a triangle
    * strip, 1 for a line strip), and counted so: 909 vertices of 2 invocations fit as points,
    * (909 + 1) x 2 x 288 x 4096 < 2^31, and not as a strip */
   gs_stage_case(&gs_lavapipe_dev, GS, 909, 2, PV_SPIRV_OUTPUT_POINTS, NULL);
   gs_stage_case(&gs_lavapipe_dev, GS, 909, 2, PV_SPIRV_OUTPUT_TRIANGLE_STRIP, size);
   gs_stage_case(&gs_lavapipe_dev, GS, 909, 2, PV_SPIRV_OUTPUT_LINE_STRIP, size);
   gs_stage_case(&gs_dev, GS, 909, 2, PV_SPIRV_OUTPUT_TRIANGLE_STRIP, NULL);
   /* other hosts: only the limits */
   gs_stage_case(&gs_dev, GS, 1024, 32, PV_SPIRV_OUTPUT_POINTS, NULL);
   /* 16 output locations: 544 bytes a vertex */
   const uint32_t *v = pv_geometry_varyings_geom_spv;
   size_t vn = sizeof(pv_geometry_varyings_geom_spv);
   gs_stage_case(&gs_lavapipe_dev, v, vn, 1024, 1, 0, size);
   gs_stage_case(&gs_lavapipe_dev, v, vn, 256, 1, 0, NULL);
   gs_stage_case(&gs_dev, v, vn, 1024, 1, 0, NULL);
}

/*
 * lavapipe 22.3's uniform inlining (src/vk/guard_inline.c): its offset table keeps rows for
 * constant buffer blocks 0 to 3 only, a block being 1 + the stage's uniform buffer descriptors
 * of lower sets and bindings + the element. ubos.comp reads three uniform blocks of set 0; on
 * such a host it passes with one descriptor each, and is refused when binding 0 holds 2 (its
 * third buffer is then block 4), or when binding 0 is an inline uniform block beside uniform
 * buffers (block 0's inlining walks constant buffer slot -1). A uniform buffer at a higher
 * binding, or one the stage does not see, moves nothing. Other hosts take every layout.
 * (Sets before the stage's count the same way: guard_inline.c ubos_before over each.)
 */
static struct pv_vk_physdev inline_pd = {
   .limits = {GS_LIMITS, .maxComputeWorkGroupSize = {1024, 1024, 64},
              .maxComputeWorkGroupInvocations = 1024,
              .maxComputeWorkGroupCount = {65535, 65535, 65535}},
   .misrows_inlined_uniforms = true};
static struct pv_vk_physdev inline_other_pd = {
   .limits = {GS_LIMITS, .maxComputeWorkGroupSize = {1024, 1024, 64},
              .maxComputeWorkGroupInvocations = 1024,
              .maxComputeWorkGroupCount = {65535, 65535, 65535}}};
static struct pv_vk_device inline_dev = {.pd = &inline_pd, .features = STAGE_FEATURES};
static struct pv_vk_device inline_other_dev = {.pd = &inline_other_pd, .features = STAGE_FEATURES};

static void
inline_case(struct pv_vk_device *dev, const struct binding *b, size_t nb, const char *want)
{
   struct pv_context *ctx = fresh_context();
   pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = dev;
   struct pv_object *m = pv_object_find(ctx, MODULE, VK_OBJECT_TYPE_SHADER_MODULE);
   pv_spirv_module_free(m->data);
   char err[256];
   const char *why = NULL;
   m->data = pv_spirv_reflect(pv_ubos_comp_spv, sizeof(pv_ubos_comp_spv) / 4,
                              pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
   assert_non_null(m->data);
   add_layout(ctx, b, nb, 0);
   struct buf buf = {0};
   enc_create_compute(&buf, "main", NULL, 0);
   if (want) {
      char full[300];
      snprintf(full, sizeof(full),
               "refused: vkCreateComputePipelines: stage 0 (0x20, \"main\"): %s", want);
      expect(ctx, &buf, full);
   } else {
      PASSED(ctx, &buf, "vkCreateComputePipelines");
   }
}

static void
inline_uniform_rows(void **state)
{
   (void)state;
   const VkShaderStageFlags cs = VK_SHADER_STAGE_COMPUTE_BIT, fs = VK_SHADER_STAGE_FRAGMENT_BIT;
   const VkDescriptorType ubo = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
   struct binding v[6] = {
      {0, 0, 1, ubo, cs},
      {0, 1, 1, ubo, cs},
      {0, 2, 1, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC, cs},
      {0, 3, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, cs},
   };
   static const char past[] = "a uniform buffer past the stage's first 3 uniform buffer "
                              "descriptors (lavapipe 22.3's uniform inlining writes such a "
                              "buffer's offsets past its table)";
   inline_case(&inline_dev, v, 4, NULL);
   /* more buffers at a higher binding, or for another stage only: still blocks 1..3 */
   v[4] = (struct binding){0, 5, 4, ubo, cs};
   v[5] = (struct binding){1, 0, 4, ubo, fs};
   inline_case(&inline_dev, v, 6, NULL);
   /* binding 0 of 2 elements: the third buffer is block 4 */
   v[0].count = 2;
   inline_case(&inline_dev, v, 4, past);
   inline_case(&inline_other_dev, v, 4, NULL);
   /* binding 1 of 2 elements: the same */
   v[0].count = 1, v[1].count = 2;
   inline_case(&inline_dev, v, 4, past);
   v[1].count = 1;
   /* an inline uniform block with uniform buffers for the stage */
   v[0] = (struct binding){0, 0, 16, VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, cs};
   inline_case(&inline_dev, v, 4,
               "an inline uniform block in a stage whose layout has uniform buffers (lavapipe "
               "22.3's uniform inlining then reads constant buffer slot -1)");
   inline_case(&inline_other_dev, v, 4, NULL);
}

/*
 * A specialization entry of a size other than 1, 2, 4 or 8 gives its constant 0 in Mesa
 * (vk_util.c), whatever its bytes: workgroup.comp's x from SpecId 7, of size 3 holding 8, passed
 * the workgroup check as 8 and reached lavapipe as 0 (a heap write in its compute loop). Now it
 * counts as 0 and is refused; size 4 holding 8 passes, and size 1 holding 8 too.
 */
static void
spec_entry_sizes(void **state)
{
   (void)state;
   const struct {
      uint64_t size;
      bool passes;
   } cases[] = {{3, false}, {5, false}, {6, false}, {7, false}, {4, true}, {1, true}, {2, true}};
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = &inline_other_dev;
      struct pv_object *m = pv_object_find(ctx, MODULE, VK_OBJECT_TYPE_SHADER_MODULE);
      pv_spirv_module_free(m->data);
      char err[256];
      const char *why = NULL;
      m->data = pv_spirv_reflect(pv_workgroup_comp_spv, sizeof(pv_workgroup_comp_spv) / 4,
                                 pv_spirv_env(VK_API_VERSION_1_0, false), err, sizeof(err), &why);
      assert_non_null(m->data);
      const struct binding b[1] = {
         {0, 0, 1, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_SHADER_STAGE_COMPUTE_BIT}};
      add_layout(ctx, b, 1, 0);
      struct buf buf = {0};
      w32(&buf, cmd("vkCreateComputePipelines")), w32(&buf, 0), w64(&buf, DEVICE), w64(&buf, 0);
      w32(&buf, 1), w64(&buf, 1);
      w32(&buf, VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO), w64(&buf, 0), w32(&buf, 0);
      w32(&buf, VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO), w64(&buf, 0), w32(&buf, 0);
      w32(&buf, VK_SHADER_STAGE_COMPUTE_BIT), w64(&buf, MODULE), wstr(&buf, "main");
      w64(&buf, 1);                                           /* pSpecializationInfo */
      w32(&buf, 1), w64(&buf, 1);                             /* one map entry */
      w32(&buf, 7), w32(&buf, 0), w64(&buf, cases[i].size);   /* SpecId 7 at 0 */
      w64(&buf, 8), w64(&buf, 8), w32(&buf, 8), w32(&buf, 0); /* dataSize 8: 8, 0 */
      w64(&buf, LAYOUT), w64(&buf, 0), w32(&buf, (uint32_t)-1);
      w64(&buf, 0), w64(&buf, 1), w64(&buf, NEW_PIPE);
      if (cases[i].passes)
         PASSED(ctx, &buf, "vkCreateComputePipelines");
      else
         expect(ctx, &buf,
                "refused: vkCreateComputePipelines: stage 0 (0x20, \"main\"): a workgroup size "
                "dimension of 0 or past maxComputeWorkGroupSize");
   }
}

/* vkCreateGraphicsPipelines of GS_MODULE's geometry stage, after TCS_MODULE's control stage
 * and TES_MODULE's evaluation stage when `tessellates`, with a tessellation state of `points` (0:
 * none) and the patch size dynamic when `dynamic`; layout LAYOUT, no render pass. */
static void
enc_gs_pipeline(struct buf *b, bool tessellates, uint32_t points, bool dynamic)
{
   uint32_t nstages = tessellates ? 3 : 1;
   w32(b, cmd("vkCreateGraphicsPipelines")), w32(b, 0), w64(b, DEVICE), w64(b, 0), w32(b, 1);
   w64(b, 1), w32(b, VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w32(b, nstages), w64(b, nstages);
   for (uint32_t i = 0; i < nstages; i++) {
      static const VkShaderStageFlagBits stage[] = {VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT,
                                                    VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT};
      static const uint64_t module[] = {TCS_MODULE, TES_MODULE};
      bool gs = i == nstages - 1;
      w32(b, VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO), w64(b, 0), w32(b, 0);
      w32(b, gs ? VK_SHADER_STAGE_GEOMETRY_BIT : stage[i]);
      w64(b, gs ? GS_MODULE : module[i]), wstr(b, "main"), w64(b, 0);
   }
   w64(b, 0), w64(b, 0); /* pVertexInputState, pInputAssemblyState */
   if (!points)
      w64(b, 0);
   else
      w64(b, 1), w32(b, VK_STRUCTURE_TYPE_PIPELINE_TESSELLATION_STATE_CREATE_INFO), w64(b, 0),
         w32(b, 0), w32(b, points);
   w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0); /* viewport ... color blend */
   if (!dynamic) {
      w64(b, 0);
   } else {
      w64(b, 1), w32(b, VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO), w64(b, 0);
      w32(b, 0), w32(b, 1), w64(b, 1), w32(b, VK_DYNAMIC_STATE_PATCH_CONTROL_POINTS_EXT);
   }
   w64(b, LAYOUT), w64(b, 0), w32(b, 0), w64(b, 0), w32(b, (uint32_t)-1);
   w64(b, 0), w64(b, 1), w64(b, NEW_PIPE);
}

/*
 * On lavapipe, a geometry shader after tessellation: its input is every primitive of up to
 * 4096 / patch size patches, up to 24576 indices each (a quad domain at level 64), which the
 * guest's control shader picks when it runs. So (32 + 16 x 16) x (OutputVertices + 1) x
 * Invocations x 4096 / patch size x 24576 must stay below 2^31: with 32 control points only
 * OutputVertices 1 and 1 invocation fit, a dynamic patch size counts as 1 and fits nothing.
 * Other hosts, and the same geometry shader without tessellation, pass.
 */
static void
geometry_after_tessellation(void **state)
{
   (void)state;
   static const char tess[] =
      "refused: vkCreateGraphicsPipelines: the geometry shader's worst-case output buffer after "
      "tessellation reaches 2^31 bytes";
   const struct {
      struct pv_vk_device *dev;
      bool tessellates;
      uint32_t points;
      bool dynamic;
      uint32_t vertices, invocations;
      const char *want;
   } cases[] = {
      {&gs_lavapipe_dev, true, 32, false, 3, 1, tess},
      {&gs_lavapipe_dev, true, 32, false, 255, 32, tess},
      {&gs_lavapipe_dev, true, 32, false, 1, 2, tess},
      {&gs_lavapipe_dev, true, 3, false, 1, 1, tess},
      {&gs_lavapipe_dev, true, 32, true, 1, 1, tess},
      {&gs_lavapipe_dev, true, 32, false, 1, 1, NULL},
      {&gs_lavapipe_dev, false, 0, false, 255, 1, NULL},
      {&gs_dev, true, 32, false, 255, 32, NULL},
      {&gs_dev, true, 3, true, 1024, 32, NULL},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = cases[i].dev;
      add_layout(ctx, reflect_bindings, NB, 12);
      add_tcs_module(ctx, 3);
      add_tess_module(ctx, TES_MODULE, VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT, 3);
      add_gs_module(ctx, GS, cases[i].vertices, cases[i].invocations, PV_SPIRV_OUTPUT_POINTS);
      struct buf b = {0};
      enc_gs_pipeline(&b, cases[i].tessellates, cases[i].points, cases[i].dynamic);
      if (cases[i].want)
         expect(ctx, &b, cases[i].want);
      else
         PASSED(ctx, &b, "vkCreateGraphicsPipelines");
   }
}

/* ----- descriptors never written ---------------------------------------------------------- */

static void
pipeline_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_pipeline *p = obj->data;
   for (uint32_t i = 0; i < p->layout_sets; i++)
      pv_vk_set_layout_unref(p->layouts[i]);
   free(p->layouts);
   free(p->uses);
   free(p);
   obj->data = NULL;
}

/* A recording command buffer with PIPE (using set 0 bindings 0 and 1, 3 elements) bound for
 * compute, and SET (of layout `l`) bound at set 0 when `bind_set`. */
static struct pv_vk_bind_state *
draw_setup(struct pv_context *ctx, struct pv_vk_set_layout *l, bool bind_set,
           struct pv_vk_written **w)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_of(add_object(ctx, VK_OBJECT_TYPE_COMMAND_BUFFER, CMD));
   assert_non_null(cb);
   cb->scope =
      (struct pv_vk_cmd_scope){.state = PV_CMDBUF_RECORDING, .bound = 1u << PV_BIND_COMPUTE};
   /* its device: dispatches are checked against maxComputeWorkGroupCount too */
   static struct pv_vk_physdev pd = {
      .limits = {.maxComputeWorkGroupCount = {65535, 65535, 65535}}};
   cb->pd = &pd;
   struct pv_object *po = add_object(ctx, VK_OBJECT_TYPE_PIPELINE, PIPE);
   struct pv_vk_pipeline *p = calloc(1, sizeof(*p));
   assert_non_null(p);
   p->bind = PV_BIND_COMPUTE;
   p->use_count = 2;
   p->uses = calloc(2, sizeof(*p->uses));
   assert_non_null(p->uses);
   p->uses[0] = (struct pv_vk_use){0, 0, 1, STORAGE_BUF, false};
   p->uses[1] = (struct pv_vk_use){0, 1, 3, BIT(COMBINED_IMAGE_SAMPLER), false};
   po->data = p;
   po->free_data = pipeline_free;
   struct pv_object *so = add_object(ctx, VK_OBJECT_TYPE_DESCRIPTOR_SET, SET);
   struct pv_vk_descriptor_set *s = pv_vk_descriptor_set_of(so);
   assert_non_null(s);
   s->written = pv_vk_written_create(l, 0, false);
   assert_non_null(s->written);
   *w = s->written;
   cb->bound = calloc(1, sizeof(*cb->bound));
   assert_non_null(cb->bound);
   struct pv_vk_bind_state *bs = &cb->bound->bp[PV_BIND_COMPUTE];
   bs->pipeline = (struct pv_vk_ref){po->id, po->serial};
   if (bind_set) {
      bs->bound = 1;
      bs->sets[0] = (struct pv_vk_ref){so->id, so->serial};
   }
   bs->dirty = true;
   return bs;
}

/* Set 0 of reflect_bindings (storage buffer, 3 combined image samplers), binding 1 with
 * `flags`. */
static struct pv_vk_set_layout *
set0_layout(VkDescriptorBindingFlags flags)
{
   const VkDescriptorSetLayoutBinding v[2] = {
      {0, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
      {1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 3, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
   };
   const VkDescriptorBindingFlags f[2] = {0, flags};
   const VkDescriptorSetLayoutBindingFlagsCreateInfo fi = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_BINDING_FLAGS_CREATE_INFO,
      .bindingCount = 2,
      .pBindingFlags = f,
   };
   const VkDescriptorSetLayoutCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .pNext = &fi,
      .bindingCount = 2,
      .pBindings = v,
   };
   struct pv_vk_set_layout *l = pv_vk_set_layout_create(&ci);
   assert_non_null(l);
   return l;
}

static void
enc_dispatch(struct buf *b)
{
   w32(b, cmd("vkCmdDispatch")), w32(b, 0), w64(b, CMD), w32(b, 1), w32(b, 1), w32(b, 1);
}

static void
mark(struct pv_vk_written *w, uint32_t bit)
{
   w->bits[bit / 64] |= 1ull << (bit % 64);
}

/* A pipeline layout of VK_NULL_HANDLE set layouts (allowed with graphicsPipelineLibrary):
 * refused where the host reads through them when later sets are bound (lavapipe before 25:
 * SIGSEGV), passed elsewhere. */
static void
null_set_layouts(void **state)
{
   (void)state;
   static struct pv_vk_physdev gpu, lavapipe = {.reads_null_set_layouts = true};
   static struct pv_vk_device on_gpu = {.pd = &gpu, .features = STAGE_FEATURES},
                              on_lavapipe = {.pd = &lavapipe, .features = STAGE_FEATURES};
   for (int host = 0; host < 2; host++) {
      struct pv_context *ctx = fresh_context();
      pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = host ? &on_lavapipe : &on_gpu;
      struct buf b = {0};
      w32(&b, cmd("vkCreatePipelineLayout")), w32(&b, 0), w64(&b, DEVICE), w64(&b, 1);
      w32(&b, VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO), w64(&b, 0), w32(&b, 0);
      w32(&b, 2), w64(&b, 2), w64(&b, 0), w64(&b, 0); /* two VK_NULL_HANDLE set layouts */
      w32(&b, 0), w64(&b, 0);                         /* no push constant ranges */
      w64(&b, 0), w64(&b, 1), w64(&b, LAYOUT);
      if (host)
         REFUSED(ctx, &b,
                 "vkCreatePipelineLayout: set layout 0 is VK_NULL_HANDLE (this host reads "
                 "through it when later sets are bound)");
      else
         PASSED(ctx, &b, "vkCreatePipelineLayout");
   }
}

/* vkCreateGraphicsPipelines linking the `n` libraries `libs`, and no stages of its own. */
static void
enc_link(struct buf *b, uint32_t n, const uint64_t *libs)
{
   w32(b, cmd("vkCreateGraphicsPipelines")), w32(b, 0), w64(b, DEVICE), w64(b, 0), w32(b, 1);
   w64(b, 1), w32(b, VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO);
   w64(b, 1), w32(b, VK_STRUCTURE_TYPE_PIPELINE_LIBRARY_CREATE_INFO_KHR), w64(b, 0);
   w32(b, n), w64(b, n);
   for (uint32_t i = 0; i < n; i++)
      w64(b, libs[i]);
   w32(b, 0), w32(b, 0), w64(b, 0); /* flags, no stages */
   w64(b, 0), w64(b, 0), w64(b, 0); /* vertex input, input assembly, tessellation */
   w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0); /* viewport ... dynamic */
   w64(b, LAYOUT), w64(b, 0), w32(b, 0), w64(b, 0), w32(b, (uint32_t)-1);
   w64(b, 0), w64(b, 1), w64(b, NEW_PIPE);
}

static void
add_library(struct pv_context *ctx, uint64_t id, uint8_t subsets)
{
   struct pv_object *lib = add_object(ctx, VK_OBJECT_TYPE_PIPELINE, id);
   struct pv_vk_pipeline *p = calloc(1, sizeof(*p));
   assert_non_null(p);
   p->bind = PV_BIND_GRAPHICS, p->library = true, p->subsets = subsets;
   lib->data = p;
   lib->free_data = pipeline_free;
}

/* Each state subset defined once (VUID VkGraphicsPipelineCreateInfo-pLibraries-06611): a library
 * linked twice, or two libraries of one subset, are refused (lavapipe adds every merged
 * library's push constant size into a 16-bit size over a 512-byte array); libraries of other
 * subsets pass. */
static void
library_linked_twice(void **state)
{
   (void)state;
   const uint64_t once[] = {PIPE}, twice[] = {PIPE, PIPE}, two[] = {PIPE, NEW_PIPE + 1};
   const struct {
      uint32_t n;
      const uint64_t *libs;
      uint8_t second; /* the second library's subsets */
      const char *refusal;
   } cases[] = {
      {1, once, 0, NULL},
      {2, twice, 0, "vkCreateGraphicsPipelines: library 1 is linked twice"},
      {2, two, VK_GRAPHICS_PIPELINE_LIBRARY_FRAGMENT_SHADER_BIT_EXT, NULL},
      {2, two, VK_GRAPHICS_PIPELINE_LIBRARY_PRE_RASTERIZATION_SHADERS_BIT_EXT,
       "vkCreateGraphicsPipelines: library 1 defines state (subsets 0x2) defined already"},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_layout(ctx, reflect_bindings, NB, 12);
      add_library(ctx, PIPE, VK_GRAPHICS_PIPELINE_LIBRARY_PRE_RASTERIZATION_SHADERS_BIT_EXT);
      add_library(ctx, NEW_PIPE + 1, cases[i].second);
      struct buf b = {0};
      enc_link(&b, cases[i].n, cases[i].libs);
      if (cases[i].refusal) {
         char want[200];
         snprintf(want, sizeof(want), "refused: %s", cases[i].refusal);
         expect(ctx, &b, want);
      } else {
         PASSED(ctx, &b, "vkCreateGraphicsPipelines");
      }
   }
}

/* A dispatch whose pipeline's layout gives set 0 another definition than the bound set's
 * (VUID vkCmdDraw-None-08600; lavapipe 25 reads descriptors at the pipeline layout's offsets):
 * refused; a pipeline layout of a set layout defined alike (another object) passes. */
static void
dispatch_layouts_alike(void **state)
{
   (void)state;
   for (int alike = 0; alike < 2; alike++) {
      struct pv_context *ctx = fresh_context();
      struct pv_vk_set_layout *l = set0_layout(0);
      struct pv_vk_written *w;
      draw_setup(ctx, l, true, &w);
      pv_vk_set_layout_unref(l);
      for (uint32_t bit = 0; bit < 4; bit++)
         mark(w, bit);
      struct pv_object *po = pv_object_find(ctx, PIPE, VK_OBJECT_TYPE_PIPELINE);
      struct pv_vk_pipeline *p = po->data;
      p->layouts = calloc(1, sizeof(*p->layouts));
      assert_non_null(p->layouts);
      p->layouts[0] = set0_layout(alike ? 0 : VK_DESCRIPTOR_BINDING_PARTIALLY_BOUND_BIT);
      p->layout_sets = 1;
      struct buf b = {0};
      enc_dispatch(&b);
      if (alike)
         PASSED(ctx, &b, "vkCmdDispatch");
      else
         REFUSED(ctx, &b,
                 "vkCmdDispatch: set 0 binding 0: the bound set's layout is not the pipeline "
                 "layout's");
   }
}

/* vkCmdBindDescriptorSets of SET (set 0's definition, a layout object of its own) on LAYOUT
 * at `first`: a set's layout must be defined as the pipeline layout's set layout at its index
 * (lavapipe 22.3 took slots from the set's layout past the bind layout's lower sets: a write
 * past its per-stage arrays). */
static void
bind_set_layouts_alike(void **state)
{
   (void)state;
   for (uint32_t first = 0; first < 2; first++) {
      struct pv_context *ctx = fresh_context();
      struct pv_vk_set_layout *l = set0_layout(0);
      struct pv_vk_written *w;
      draw_setup(ctx, l, false, &w);
      pv_vk_set_layout_unref(l);
      add_layout(ctx, reflect_bindings, NB, 16);
      struct buf b = {0};
      w32(&b, cmd("vkCmdBindDescriptorSets")), w32(&b, 0), w64(&b, CMD);
      w32(&b, VK_PIPELINE_BIND_POINT_COMPUTE), w64(&b, LAYOUT), w32(&b, first);
      w32(&b, 1), w64(&b, 1), w64(&b, SET), w32(&b, 0), w64(&b, 0);
      if (first == 0)
         PASSED(ctx, &b, "vkCmdBindDescriptorSets");
      else
         REFUSED(ctx, &b,
                 "vkCmdBindDescriptorSets: set 0's layout is not the pipeline layout's set "
                 "layout 1");
   }
}

static void
dispatch_unwritten(void **state)
{
   (void)state;
   for (uint32_t written = 0; written < 4; written++) {
      /* bits: binding 0 -> 0, binding 1 elements -> 1..3; leave element `written` of
       * binding 1 out (3: all written) */
      struct pv_context *ctx = fresh_context();
      struct pv_vk_set_layout *l = set0_layout(0);
      struct pv_vk_written *w;
      draw_setup(ctx, l, true, &w);
      pv_vk_set_layout_unref(l);
      mark(w, 0);
      for (uint32_t e = 0; e < 3; e++)
         if (e != written)
            mark(w, 1 + e);
      struct buf b = {0};
      enc_dispatch(&b);
      if (written < 3)
         REFUSED(ctx, &b,
                 "vkCmdDispatch: set 0 binding 1: a descriptor it uses was never "
                 "written");
      else
         PASSED(ctx, &b, "vkCmdDispatch");
   }
}

static void
dispatch_partially_bound(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   struct pv_vk_set_layout *l = set0_layout(VK_DESCRIPTOR_BINDING_PARTIALLY_BOUND_BIT);
   struct pv_vk_written *w;
   draw_setup(ctx, l, true, &w);
   pv_vk_set_layout_unref(l);
   mark(w, 0); /* binding 1 never written: allowed */
   struct buf b = {0};
   enc_dispatch(&b);
   PASSED(ctx, &b, "vkCmdDispatch");
}

static void
dispatch_set_missing_or_clean(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   struct pv_vk_set_layout *l = set0_layout(0);
   struct pv_vk_written *w;
   draw_setup(ctx, l, false, &w);
   struct buf b = {0};
   enc_dispatch(&b);
   REFUSED(ctx, &b, "vkCmdDispatch: set 0 binding 0: no descriptor set bound there");
   /* nothing changed since a check passed: the dispatch is not checked again (the written
    * bits only ever grow, so what passed still holds) */
   ctx = fresh_context();
   struct pv_vk_bind_state *s = draw_setup(ctx, l, true, &w);
   pv_vk_set_layout_unref(l);
   s->dirty = false;
   b.n = 0;
   enc_dispatch(&b);
   PASSED(ctx, &b, "vkCmdDispatch");
}

/* Rebinding what is bound keeps a passed check standing; anything else makes the next draw
 * check again. Each bind passes its check and then loses the context at the missing host entry
 * point, after the guard updated the state inspected here. */
static bool
dirty_after(uint64_t pipeline, bool sets, uint64_t set)
{
   struct pv_context *ctx = fresh_context();
   struct pv_vk_set_layout *l = set0_layout(0);
   struct pv_vk_written *w;
   struct pv_vk_bind_state *s = draw_setup(ctx, l, true, &w);
   pv_vk_set_layout_unref(l);
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_PIPELINE, PIPE + 1);
   struct pv_vk_pipeline *p = calloc(1, sizeof(*p));
   assert_non_null(p);
   p->bind = PV_BIND_COMPUTE;
   o->data = p;
   o->free_data = pipeline_free;
   add_object(ctx, VK_OBJECT_TYPE_DESCRIPTOR_SET, SET + 1);
   add_layout(ctx, reflect_bindings, NB, 12);
   s->dirty = false;
   struct buf b = {0};
   const char *name = sets ? "vkCmdBindDescriptorSets" : "vkCmdBindPipeline";
   w32(&b, cmd(name)), w32(&b, 0), w64(&b, CMD), w32(&b, VK_PIPELINE_BIND_POINT_COMPUTE);
   if (sets) /* layout, firstSet 0, one set, no dynamic offsets */
      w64(&b, LAYOUT), w32(&b, 0), w32(&b, 1), w64(&b, 1), w64(&b, set), w32(&b, 0), w64(&b, 0);
   else
      w64(&b, pipeline);
   pv_context_submit(ctx, b.b, b.n);
   char want[64];
   snprintf(want, sizeof(want), "host driver lacks %s", name);
   const char *why = pv_context_lost_reason(ctx);
   if (!why || !strstr(why, want))
      fail_msg("lost for \"%s\", expected \"%s\"", why ? why : "(not lost)", want);
   bool dirty = s->dirty;
   pv_context_destroy(ctx);
   return dirty;
}

static void
rebinding_the_same_is_free(void **state)
{
   (void)state;
   assert_false(dirty_after(PIPE, false, 0));
   assert_true(dirty_after(PIPE + 1, false, 0));
   assert_false(dirty_after(0, true, SET));
   assert_true(dirty_after(0, true, SET + 1));
}

/* Lavapipe before Mesa 23.1 reads the sampler of every sampler descriptor of a set it binds
 * (pv_vk.h reads_samplers_at_bind): on such a host a set with a never-written combined image
 * sampler is refused at vkCmdBindDescriptorSets; elsewhere, and once written, it binds. */
static void
bind_with(bool quirk, bool all_written)
{
   static struct pv_vk_physdev pd;
   pd.reads_samplers_at_bind = quirk;
   struct pv_context *ctx = fresh_context();
   struct pv_vk_set_layout *l = set0_layout(0);
   struct pv_vk_written *w;
   draw_setup(ctx, l, false, &w);
   pv_vk_set_layout_unref(l);
   struct pv_vk_cmdbuf *cb = pv_object_find(ctx, CMD, VK_OBJECT_TYPE_COMMAND_BUFFER)->data;
   cb->pd = &pd;
   add_layout(ctx, reflect_bindings, NB, 12);
   mark(w, 0);
   mark(w, 1);
   mark(w, 2);
   if (all_written)
      mark(w, 3);
   struct buf b = {0};
   w32(&b, cmd("vkCmdBindDescriptorSets")), w32(&b, 0), w64(&b, CMD);
   w32(&b, VK_PIPELINE_BIND_POINT_COMPUTE), w64(&b, LAYOUT), w32(&b, 0), w32(&b, 1), w64(&b, 1);
   w64(&b, SET), w32(&b, 0), w64(&b, 0);
   if (quirk && !all_written)
      REFUSED(ctx, &b,
              "vkCmdBindDescriptorSets: set 0 has a sampler never written at binding 1 (this "
              "host driver reads every sampler of a set it binds)");
   else
      PASSED(ctx, &b, "vkCmdBindDescriptorSets");
}

static void
bind_unwritten_sampler(void **state)
{
   (void)state;
   bind_with(true, false);
   bind_with(true, true);
   bind_with(false, false);
}

/* vkCmdPushDescriptorSetKHR into set 0 of LAYOUT: `count` combined image samplers (NULL) at
 * binding `binding`. */
static void
enc_push(struct buf *b, uint32_t binding, uint32_t count)
{
   w32(b, cmd("vkCmdPushDescriptorSetKHR")), w32(b, 0), w64(b, CMD);
   w32(b, VK_PIPELINE_BIND_POINT_COMPUTE), w64(b, LAYOUT), w32(b, 0);
   w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET), w64(b, 0), w64(b, 0);
   w32(b, binding), w32(b, 0), w32(b, count), w32(b, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
   w64(b, count);
   for (uint32_t i = 0; i < count; i++)
      w64(b, 0), w64(b, 0), w32(b, VK_IMAGE_LAYOUT_GENERAL);
   w64(b, 0), w64(b, 0);
}

/* Makes LAYOUT's set 0 a push descriptor set layout (or not). */
static void
push_layout_flag(struct pv_context *ctx, bool push)
{
   struct pv_object *o = pv_object_find(ctx, LAYOUT, VK_OBJECT_TYPE_PIPELINE_LAYOUT);
   ((struct pv_vk_pipeline_layout *)o->data)->set_layouts[0]->push = push;
}

/* Pushed descriptors get the command buffer's own written map for that set index, which
 * replaces the set bound there. */
static void
pushes_are_tracked(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   struct pv_vk_set_layout *l = set0_layout(0);
   struct pv_vk_written *w;
   struct pv_vk_bind_state *s = draw_setup(ctx, l, true, &w);
   pv_vk_set_layout_unref(l);
   add_layout(ctx, reflect_bindings, NB, 12);
   push_layout_flag(ctx, true);
   struct buf b = {0};
   enc_push(&b, 1, 3);
   pv_context_submit(ctx, b.b, b.n);
   const char *why = pv_context_lost_reason(ctx);
   if (!why || !strstr(why, "host driver lacks vkCmdPushDescriptorSetKHR"))
      fail_msg("lost for \"%s\"", why ? why : "(not lost)");
   assert_non_null(s->push);
   assert_int_equal(s->push_set, 0);
   assert_int_equal(s->push->bits[0], 0xe); /* binding 1's three elements; binding 0 not */
   assert_int_equal(s->bound & 1, 0);
   assert_true(s->dirty);
   pv_context_destroy(ctx);

   ctx = fresh_context();
   l = set0_layout(0);
   draw_setup(ctx, l, true, &w);
   pv_vk_set_layout_unref(l);
   add_layout(ctx, reflect_bindings, NB, 12);
   b.n = 0;
   enc_push(&b, 1, 4);
   push_layout_flag(ctx, true);
   REFUSED(ctx, &b,
           "vkCmdPushDescriptorSetKHR: set 0: its elements run past the bindings it "
           "may fill (consecutive ones of one type, stages and sampler kind)");
}

/* A push needs a push descriptor set layout (VUID-vkCmdPushDescriptorSetKHR-set-00365:
 * lavapipe 22.3 applied dynamic offsets to a push into another layout through a pointer it never
 * set), and rolls over only into consecutive bindings of its type, stages and sampler kind
 * (VUID-VkWriteDescriptorSet-descriptorCount-00317/00318: lavapipe 22.3 wrote a push past its
 * first binding's per-stage array). */
static void
push_needs_push_layout(void **state)
{
   (void)state;
   static const struct binding mixed[] = {
      {0, 0, 1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_COMPUTE_BIT},
      {0, 1, 2, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_COMPUTE_BIT},
      {0, 2, 2, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_FRAGMENT_BIT},
   };
   static const struct {
      bool push;
      uint32_t count;
      const char *want;
   } cases[] = {
      {false, 1,
       "refused: vkCmdPushDescriptorSetKHR: set 0: its set layout was not created for "
       "push descriptors"},
      {true, 3, "host driver lacks vkCmdPushDescriptorSetKHR"}, /* into binding 1: alike */
      {true, 4,
       "refused: vkCmdPushDescriptorSetKHR: set 0: its elements run past the bindings "
       "it may fill (consecutive ones of one type, stages and sampler kind)"},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      struct pv_vk_set_layout *l = set0_layout(0);
      struct pv_vk_written *w;
      draw_setup(ctx, l, true, &w);
      pv_vk_set_layout_unref(l);
      add_layout(ctx, mixed, 3, 12);
      push_layout_flag(ctx, cases[i].push);
      struct buf b = {0};
      enc_push(&b, 0, cases[i].count);
      expect(ctx, &b, cases[i].want);
   }
}

/* ----- writes and copies ------------------------------------------------------------------ */

/* vkUpdateDescriptorSets of one combined-image-sampler write (sampler and view NULL) to SET,
 * or one copy from SET2 to SET. */
static void
enc_write(struct buf *b, uint32_t binding, uint32_t elem, uint32_t count, VkDescriptorType t)
{
   w32(b, cmd("vkUpdateDescriptorSets")), w32(b, 0), w64(b, DEVICE);
   w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET), w64(b, 0), w64(b, SET);
   w32(b, binding), w32(b, elem), w32(b, count), w32(b, t);
   w64(b, count);
   for (uint32_t i = 0; i < count; i++)
      w64(b, 0), w64(b, 0), w32(b, VK_IMAGE_LAYOUT_GENERAL);
   w64(b, 0), w64(b, 0);
   w32(b, 0), w64(b, 0);
}

static void
enc_copy_at(struct buf *b, uint32_t src_binding, uint32_t dst_binding, uint32_t dst_elem,
            uint32_t count)
{
   w32(b, cmd("vkUpdateDescriptorSets")), w32(b, 0), w64(b, DEVICE);
   w32(b, 0), w64(b, 0);
   w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_COPY_DESCRIPTOR_SET), w64(b, 0);
   w64(b, SET2), w32(b, src_binding), w32(b, 0);
   w64(b, SET), w32(b, dst_binding), w32(b, dst_elem), w32(b, count);
}

static void
enc_copy(struct buf *b, uint32_t src_binding, uint32_t dst_binding, uint32_t count)
{
   enc_copy_at(b, src_binding, dst_binding, 0, count);
}

/* An inline uniform block write of `count` bytes at byte `at` of binding 4 carrying `data`
 * bytes; or (inline_block false) an image write with no pImageInfo. */
static void
enc_write_raw(struct buf *b, bool inline_block, uint32_t at, uint32_t count, uint32_t data)
{
   w32(b, cmd("vkUpdateDescriptorSets")), w32(b, 0), w64(b, DEVICE);
   w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
   if (inline_block) {
      /* a chain is its sTypes, a 0, then the structs' own members (last first) */
      w64(b, 1), w32(b, VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_INLINE_UNIFORM_BLOCK), w64(b, 0);
      w32(b, data), w64(b, data);
      for (uint32_t i = 0; i < data; i += 4)
         w32(b, 0x01020304);
      w64(b, SET), w32(b, 4), w32(b, at), w32(b, count);
      w32(b, VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK);
   } else {
      w64(b, 0), w64(b, SET), w32(b, 1), w32(b, 0), w32(b, count);
      w32(b, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
   }
   w64(b, 0), w64(b, 0), w64(b, 0); /* no image, buffer or texel-view array */
   w32(b, 0), w64(b, 0);
}

/* A context with SET and SET2 of a layout of bindings 1, 2 (3 and 2 combined image samplers),
 * 3 (a storage image) and 4 (a 16-byte inline uniform block); returns SET's and SET2's maps. */
static struct pv_context *
sets_context_with(struct pv_vk_written **dst, struct pv_vk_written **src, bool compare)
{
   struct pv_context *ctx = fresh_context();
   const VkDescriptorSetLayoutBinding v[4] = {
      {1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 3, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
      {2, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 2, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
      {3, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
      {4, VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, 16, VK_SHADER_STAGE_COMPUTE_BIT, NULL},
   };
   const VkDescriptorSetLayoutCreateInfo ci = {
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .bindingCount = 4,
      .pBindings = v,
   };
   struct pv_vk_set_layout *l = pv_vk_set_layout_create(&ci);
   assert_non_null(l);
   const uint64_t ids[2] = {SET, SET2};
   struct pv_vk_written **out[2] = {dst, src};
   for (int i = 0; i < 2; i++) {
      struct pv_vk_descriptor_set *s =
         pv_vk_descriptor_set_of(add_object(ctx, VK_OBJECT_TYPE_DESCRIPTOR_SET, ids[i]));
      assert_non_null(s);
      s->written = *out[i] = pv_vk_written_create(l, 0, compare);
      assert_non_null(s->written);
   }
   pv_vk_set_layout_unref(l);
   return ctx;
}

static struct pv_context *
sets_context(struct pv_vk_written **dst, struct pv_vk_written **src)
{
   return sets_context_with(dst, src, false);
}

static uint64_t
bits(const struct pv_vk_written *w)
{
   return w->bits[0];
}

/* Submits a command that must pass the checks (the host entry is missing, so it still loses
 * the context) and returns the map's bits after it; destroys the context. */
static uint64_t
passes(struct pv_context *ctx, const struct buf *b, const char *name, const struct pv_vk_written *w)
{
   pv_context_submit(ctx, b->b, b->n);
   const char *why = pv_context_lost_reason(ctx);
   char want[128];
   snprintf(want, sizeof(want), "host driver lacks %s", name);
   if (!why || !strstr(why, want))
      fail_msg("lost for \"%s\", expected \"%s\"", why ? why : "(not lost)", want);
   uint64_t v = bits(w);
   pv_context_destroy(ctx);
   return v;
}

/* A view of 3 planes written to a combined image sampler where the host gives each element one
 * plane's room (lavapipe 25: the other planes written past the set): refused there, passed
 * elsewhere. */
static void
write_view_planes(void **state)
{
   (void)state;
   enum { VIEW3 = 0x700 };
   static struct pv_vk_physdev gpu, lavapipe = {.one_plane_per_descriptor = true};
   static struct pv_vk_device on_gpu = {.pd = &gpu, .features = STAGE_FEATURES},
                              on_lavapipe = {.pd = &lavapipe, .features = STAGE_FEATURES};
   for (int host = 0; host < 2; host++) {
      struct pv_vk_written *dst, *src;
      struct pv_context *ctx = sets_context(&dst, &src);
      pv_object_find(ctx, DEVICE, VK_OBJECT_TYPE_DEVICE)->data = host ? &on_lavapipe : &on_gpu;
      struct pv_object *vo = add_object(ctx, VK_OBJECT_TYPE_IMAGE_VIEW, VIEW3);
      struct pv_vk_view *v = calloc(1, sizeof(*v));
      assert_non_null(v);
      *v = (struct pv_vk_view){.width = 8, .height = 8, .layers = 1, .planes = 3};
      vo->data = v;
      vo->free_data = pv_vk_state_free;
      struct buf b = {0};
      w32(&b, cmd("vkUpdateDescriptorSets")), w32(&b, 0), w64(&b, DEVICE);
      w32(&b, 1), w64(&b, 1);
      w32(&b, VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET), w64(&b, 0), w64(&b, SET);
      w32(&b, 1), w32(&b, 0), w32(&b, 1), w32(&b, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
      w64(&b, 1), w64(&b, 0), w64(&b, VIEW3), w32(&b, VK_IMAGE_LAYOUT_GENERAL);
      w64(&b, 0), w64(&b, 0);
      w32(&b, 0), w64(&b, 0);
      if (host)
         REFUSED(ctx, &b,
                 "vkUpdateDescriptorSets: a view of 3 planes in an image descriptor (this host "
                 "gives an element one plane's room)");
      else
         passes(ctx, &b, "vkUpdateDescriptorSets", dst);
   }
}

static void
writes_roll_over(void **state)
{
   (void)state;
   struct pv_vk_written *dst, *src;
   struct pv_context *ctx = sets_context(&dst, &src);
   struct buf b = {0};
   /* element 2 of binding 1, then binding 2's two elements (bits 0-2: binding 1, 3-4: 2) */
   enc_write(&b, 1, 2, 3, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
   assert_int_equal(passes(ctx, &b, "vkUpdateDescriptorSets", dst), 0x1c);
   /* past the layout: binding 3 has another type, so the roll-over stops at binding 2 */
   ctx = sets_context(&dst, &src);
   b.n = 0;
   enc_write(&b, 2, 1, 2, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: write to binding 2 element 1 (2): its elements "
           "run past the bindings it may fill (consecutive ones of one type, stages and sampler "
           "kind)");
   ctx = sets_context(&dst, &src);
   b.n = 0;
   enc_write(&b, 3, 0, 1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: write to binding 3 element 0 (1): its descriptor "
           "type is not the binding's");
   ctx = sets_context(&dst, &src);
   b.n = 0;
   enc_write(&b, 7, 0, 1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: write to binding 7 element 0 (1): its binding is "
           "not in the set's layout");
}

static void
writes_need_their_arrays(void **state)
{
   (void)state;
   struct pv_vk_written *dst, *src;
   struct pv_context *ctx = sets_context(&dst, &src);
   struct buf b = {0};
   enc_write_raw(&b, false, 0, 1, 0);
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: write to binding 1 element 0 (1): image "
           "descriptors without pImageInfo");
   ctx = sets_context(&dst, &src);
   b.n = 0;
   enc_write_raw(&b, true, 8, 8, 8); /* bytes 8..16 of 16 */
   passes(ctx, &b, "vkUpdateDescriptorSets", dst);
   ctx = sets_context(&dst, &src);
   b.n = 0;
   enc_write_raw(&b, true, 12, 8, 8);
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: write to binding 4 element 12 (8): its bytes run "
           "past the inline uniform block");
   ctx = sets_context(&dst, &src);
   b.n = 0;
   enc_write_raw(&b, true, 0, 8, 4); /* the host would copy 8 bytes from 4 */
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: write to binding 4 element 0 (8): inline uniform "
           "block bytes missing or not descriptorCount long");
   ctx = sets_context(&dst, &src);
   b.n = 0;
   enc_copy_at(&b, 4, 4, 12, 8);
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: copy of 8 descriptors: bytes past an inline "
           "uniform block");
}

static void
copies_keep_bits_growing(void **state)
{
   (void)state;
   struct pv_vk_written *dst, *src;
   struct pv_context *ctx = sets_context(&dst, &src);
   src->bits[0] = 0x5; /* binding 1 elements 0 and 2 */
   struct buf b = {0};
   enc_copy(&b, 1, 1, 3); /* element 1 unwritten onto an unwritten element: harmless */
   assert_int_equal(passes(ctx, &b, "vkUpdateDescriptorSets", dst), 0x5);
   ctx = sets_context(&dst, &src);
   src->bits[0] = 0x5;
   dst->bits[0] = 0x2;
   b.n = 0;
   enc_copy(&b, 1, 1, 3); /* now over a written one */
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: copy of 3 descriptors: a descriptor never written "
           "over a written one");
}

/* ----- mutable descriptors (guard_mutable.c) ---------------------------------------------- */

static const VkDescriptorType images_list[] = {VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE,
                                               VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER};

/* Bindings 0 (2 MUTABLE: sampled images or combined image samplers), 1 (a combined image
 * sampler), 2 (a storage image) and 3 (1 MUTABLE: sampled images only). */
static VkDescriptorSetLayoutCreateInfo
mutable_layout_info(VkMutableDescriptorTypeListEXT lists[4],
                    VkMutableDescriptorTypeCreateInfoEXT *m, VkDescriptorSetLayoutBinding v[4])
{
   lists[0] = (VkMutableDescriptorTypeListEXT){2, images_list};
   lists[1] = lists[2] = (VkMutableDescriptorTypeListEXT){0, NULL};
   lists[3] = (VkMutableDescriptorTypeListEXT){1, images_list};
   *m = (VkMutableDescriptorTypeCreateInfoEXT){
      .sType = VK_STRUCTURE_TYPE_MUTABLE_DESCRIPTOR_TYPE_CREATE_INFO_EXT,
      .mutableDescriptorTypeListCount = 4,
      .pMutableDescriptorTypeLists = lists,
   };
   v[0] = (VkDescriptorSetLayoutBinding){0, VK_DESCRIPTOR_TYPE_MUTABLE_EXT, 2,
                                         VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   v[1] = (VkDescriptorSetLayoutBinding){1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1,
                                         VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   v[2] = (VkDescriptorSetLayoutBinding){2, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 1,
                                         VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   v[3] = (VkDescriptorSetLayoutBinding){3, VK_DESCRIPTOR_TYPE_MUTABLE_EXT, 1,
                                         VK_SHADER_STAGE_COMPUTE_BIT, NULL};
   return (VkDescriptorSetLayoutCreateInfo){
      .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
      .pNext = m,
      .bindingCount = 4,
      .pBindings = v,
   };
}

/* A MUTABLE binding needs the device's feature and a type list of types it may hold; a type
 * list belongs to MUTABLE bindings only; pools the same. */
static void
mutable_layouts_need_lists(void **state)
{
   (void)state;
   const uint64_t on = PV_FEATURE(PV_FEATURE_MUTABLE_DESCRIPTORS);
   VkMutableDescriptorTypeListEXT lists[4];
   VkMutableDescriptorTypeCreateInfoEXT m;
   VkDescriptorSetLayoutBinding v[4];
   VkDescriptorSetLayoutCreateInfo ci = mutable_layout_info(lists, &m, v);
   assert_null(pv_vk_mutable_layout_misfit(on, &ci));
   assert_string_equal(pv_vk_mutable_layout_misfit(0, &ci),
                       "mutable descriptors on a device created without mutableDescriptorType");
   static const VkDescriptorType twice[] = {VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE,
                                            VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE};
   static const VkDescriptorType dynamic[] = {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC};
   static const VkDescriptorType itself[] = {VK_DESCRIPTOR_TYPE_MUTABLE_EXT};
   const VkMutableDescriptorTypeListEXT bad[] = {{2, twice}, {1, dynamic}, {1, itself}, {0, NULL}};
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      ci = mutable_layout_info(lists, &m, v);
      lists[0] = bad[i];
      assert_string_equal(pv_vk_mutable_layout_misfit(on, &ci),
                          "a MUTABLE binding without a type list of types it may hold (none "
                          "twice)");
   }
   ci = mutable_layout_info(lists, &m, v);
   m.mutableDescriptorTypeListCount = 3; /* binding 3 has none */
   assert_non_null(pv_vk_mutable_layout_misfit(on, &ci));
   ci = mutable_layout_info(lists, &m, v);
   lists[2] = lists[0]; /* a storage image binding with a list */
   assert_string_equal(pv_vk_mutable_layout_misfit(on, &ci),
                       "a type list for a binding that is not MUTABLE");
   ci = mutable_layout_info(lists, &m, v);
   ci.flags = VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR;
   assert_string_equal(pv_vk_mutable_layout_misfit(on, &ci),
                       "a MUTABLE binding in a push descriptor layout");
   /* a layout without mutable descriptors needs nothing */
   ci = mutable_layout_info(lists, &m, v);
   ci.pNext = NULL;
   ci.pBindings = &v[1];
   ci.bindingCount = 2;
   assert_null(pv_vk_mutable_layout_misfit(0, &ci));
   VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_STORAGE_IMAGE, 4},
                                    {VK_DESCRIPTOR_TYPE_MUTABLE_EXT, 4}};
   VkDescriptorPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                     .maxSets = 1,
                                     .poolSizeCount = 2,
                                     .pPoolSizes = sizes};
   assert_null(pv_vk_mutable_pool_misfit(on, &pci));
   assert_non_null(pv_vk_mutable_pool_misfit(0, &pci));
   pci.poolSizeCount = 1;
   assert_null(pv_vk_mutable_pool_misfit(0, &pci));
}

/* SET and SET2 of mutable_layout_info's layout. */
static struct pv_context *
mutable_sets_context(void)
{
   struct pv_context *ctx = fresh_context();
   VkMutableDescriptorTypeListEXT lists[4];
   VkMutableDescriptorTypeCreateInfoEXT m;
   VkDescriptorSetLayoutBinding v[4];
   VkDescriptorSetLayoutCreateInfo ci = mutable_layout_info(lists, &m, v);
   struct pv_vk_set_layout *l = pv_vk_set_layout_create(&ci);
   assert_non_null(l);
   const uint64_t ids[2] = {SET, SET2};
   for (int i = 0; i < 2; i++) {
      struct pv_vk_descriptor_set *s =
         pv_vk_descriptor_set_of(add_object(ctx, VK_OBJECT_TYPE_DESCRIPTOR_SET, ids[i]));
      assert_non_null(s);
      s->written = pv_vk_written_create(l, 0, false);
      assert_non_null(s->written);
   }
   pv_vk_set_layout_unref(l);
   return ctx;
}

/* Writes and copies into a MUTABLE binding give one of its listed types (lavapipe 25 updates a
 * set by a switch on the written type that ends in unreachable()); a MUTABLE binding's elements
 * go only where each type of its list may. */
static void
mutable_writes_take_listed_types(void **state)
{
   (void)state;
   struct buf b = {0};
   struct pv_context *ctx = mutable_sets_context();
   enc_write(&b, 0, 0, 2, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
   expect(ctx, &b, "host driver lacks vkUpdateDescriptorSets");
   static const VkDescriptorType unlisted[] = {VK_DESCRIPTOR_TYPE_STORAGE_IMAGE,
                                               VK_DESCRIPTOR_TYPE_MUTABLE_EXT};
   for (size_t i = 0; i < sizeof(unlisted) / sizeof(unlisted[0]); i++) {
      ctx = mutable_sets_context();
      b.n = 0;
      enc_write(&b, 0, 0, 1, unlisted[i]);
      expect(ctx, &b, "refused: vkUpdateDescriptorSets: write to binding 0 element 0 (1)");
   }
   static const struct {
      uint32_t src, dst;
      bool ok;
   } copies[] = {
      {1, 0, true},  /* a combined image sampler: listed */
      {2, 0, false}, /* a storage image: not listed */
      {3, 0, true},  /* sampled images into a list that has them */
      {0, 3, false}, /* combined image samplers may be among them: not listed there */
      {0, 1, false}, /* out of a MUTABLE binding: its elements' types are not kept */
   };
   for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
      ctx = mutable_sets_context();
      b.n = 0;
      enc_copy(&b, copies[i].src, copies[i].dst, 1);
      expect(ctx, &b,
             copies[i].ok ? "host driver lacks vkUpdateDescriptorSets"
                          : "refused: vkUpdateDescriptorSets: copy of 1 descriptors: different "
                            "descriptor types");
   }
}

/* ----- compare-enabled samplers read without a depth reference ---------------------------- */

/* Word `i` of a written map's compare (1) or plain-read (2) map. */
static uint64_t *
map_word(struct pv_vk_written *w, int map)
{
   return &w->bits[(size_t)map * w->words];
}

/* draw_setup on a host that needs a depth reference with a compare-enabled sampler: SET's map
 * tracks compare and plain reads, all written; PIPE reads binding 1 without a reference when
 * `plain`. */
static struct pv_vk_written *
compare_setup(struct pv_context *ctx, bool plain)
{
   struct pv_vk_set_layout *l = set0_layout(0);
   struct pv_vk_written *w;
   draw_setup(ctx, l, true, &w);
   struct pv_vk_descriptor_set *s =
      pv_vk_descriptor_set_of(pv_object_find(ctx, SET, VK_OBJECT_TYPE_DESCRIPTOR_SET));
   pv_vk_written_free(s->written);
   s->written = w = pv_vk_written_create(l, 0, true);
   assert_non_null(w);
   pv_vk_set_layout_unref(l);
   w->bits[0] = 0xf; /* binding 0 -> bit 0, binding 1 -> bits 1..3 */
   struct pv_vk_pipeline *p = pv_object_find(ctx, PIPE, VK_OBJECT_TYPE_PIPELINE)->data;
   p->uses[1].plain = plain;
   return w;
}

static void
compare_read_without_reference(void **state)
{
   (void)state;
   /* element 1 of binding 1 holds a compare-enabled sampler */
   struct pv_context *ctx = fresh_context();
   *map_word(compare_setup(ctx, true), 1) = 1u << 2;
   struct buf b = {0};
   enc_dispatch(&b);
   REFUSED(ctx, &b,
           "vkCmdDispatch: set 0 binding 1: a compare-enabled sampler read without a depth "
           "reference");
   /* read with a reference only: fine */
   ctx = fresh_context();
   *map_word(compare_setup(ctx, false), 1) = 1u << 2;
   PASSED(ctx, &b, "vkCmdDispatch");
   /* an immutable one */
   ctx = fresh_context();
   struct pv_vk_written *w = compare_setup(ctx, true);
   w->layout->b[1].immutable_compare = true;
   REFUSED(ctx, &b,
           "vkCmdDispatch: set 0 binding 1: an immutable compare-enabled sampler read "
           "without a depth reference");
   /* none there: passes, and the elements are marked read that way */
   ctx = fresh_context();
   w = compare_setup(ctx, true);
   pv_context_submit(ctx, b.b, b.n);
   const char *why = pv_context_lost_reason(ctx);
   if (!why || !strstr(why, "host driver lacks vkCmdDispatch"))
      fail_msg("lost for \"%s\"", why ? why : "(not lost)");
   assert_int_equal(*map_word(w, 2), 0xe);
   pv_context_destroy(ctx);
}

/* Push constants read before any vkCmdPushConstants: refused where the host reads them
 * through a buffer it sets up only on a push (pv_vk.h reads_unpushed_constants). */
static void
push_with(bool quirk, VkShaderStageFlags pushed, bool refused)
{
   static struct pv_vk_physdev pd;
   pd = (struct pv_vk_physdev){.limits = {.maxComputeWorkGroupCount = {65535, 65535, 65535}},
                               .reads_unpushed_constants = quirk};
   struct pv_context *ctx = fresh_context();
   struct pv_vk_set_layout *l = set0_layout(0);
   struct pv_vk_written *w;
   struct pv_vk_bind_state *s = draw_setup(ctx, l, true, &w);
   pv_vk_set_layout_unref(l);
   w->bits[0] = 0xf;
   struct pv_vk_cmdbuf *cb = pv_object_find(ctx, CMD, VK_OBJECT_TYPE_COMMAND_BUFFER)->data;
   cb->pd = &pd;
   struct pv_vk_pipeline *p = pv_object_find(ctx, PIPE, VK_OBJECT_TYPE_PIPELINE)->data;
   p->uses[0] = (struct pv_vk_use){PV_VK_USE_PUSH, VK_SHADER_STAGE_COMPUTE_BIT, 0, 0, false};
   s->pushed = pushed;
   struct buf b = {0};
   enc_dispatch(&b);
   if (refused)
      REFUSED(ctx, &b,
              "vkCmdDispatch: stage 0x20: it reads push constants no vkCmdPushConstants gave "
              "its stage");
   else
      PASSED(ctx, &b, "vkCmdDispatch");
}

static void
push_before_read(void **state)
{
   (void)state;
   push_with(true, 0, true);
   push_with(true, VK_SHADER_STAGE_VERTEX_BIT, true);
   push_with(true, VK_SHADER_STAGE_COMPUTE_BIT, false);
   push_with(false, 0, false);
}

/* vkUpdateDescriptorSets of one combined image sampler with sampler `sampler` (a guest id). */
static void
enc_write_sampler(struct buf *b, uint32_t binding, uint32_t elem, uint64_t sampler)
{
   w32(b, cmd("vkUpdateDescriptorSets")), w32(b, 0), w64(b, DEVICE);
   w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET), w64(b, 0), w64(b, SET);
   w32(b, binding), w32(b, elem), w32(b, 1), w32(b, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER);
   w64(b, 1), w64(b, sampler), w64(b, 0), w32(b, VK_IMAGE_LAYOUT_GENERAL);
   w64(b, 0), w64(b, 0);
   w32(b, 0), w64(b, 0);
}

enum { SAMPLER = 0x600 };

/* A set element a draw read without a depth reference never gets a compare-enabled sampler:
 * a command buffer recorded with that draw runs it with what the set holds then. */
static struct pv_context *
compare_sets(struct pv_vk_written **dst, struct pv_vk_written **src)
{
   struct pv_context *ctx = sets_context_with(dst, src, true);
   pv_vk_sampler_mark_compare(add_object(ctx, VK_OBJECT_TYPE_SAMPLER, SAMPLER));
   add_object(ctx, VK_OBJECT_TYPE_SAMPLER, SAMPLER + 1);
   return ctx;
}

static void
compare_written_after_read(void **state)
{
   (void)state;
   struct pv_vk_written *dst, *src;
   struct pv_context *ctx = compare_sets(&dst, &src);
   *map_word(dst, 2) = 1; /* binding 1 element 0 read without a reference */
   struct buf b = {0};
   enc_write_sampler(&b, 1, 0, SAMPLER);
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: write to binding 1 element 0 (1): a compare-enabled "
           "sampler into a descriptor a draw reads without a depth reference");
   /* another element takes it, and a plain sampler replaces it */
   ctx = compare_sets(&dst, &src);
   *map_word(dst, 2) = 1;
   b.n = 0;
   enc_write_sampler(&b, 1, 1, SAMPLER);
   pv_context_submit(ctx, b.b, b.n);
   assert_int_equal(*map_word(dst, 1), 2);
   pv_context_destroy(ctx);
   ctx = compare_sets(&dst, &src);
   *map_word(dst, 1) = 2;
   b.n = 0;
   enc_write_sampler(&b, 1, 1, SAMPLER + 1);
   pv_context_submit(ctx, b.b, b.n);
   assert_int_equal(*map_word(dst, 1), 0);
   pv_context_destroy(ctx);
   /* copies carry it */
   ctx = compare_sets(&dst, &src);
   src->bits[0] = 0x7;
   *map_word(src, 1) = 0x2;
   *map_word(dst, 2) = 0x2;
   b.n = 0;
   enc_copy(&b, 1, 1, 3);
   REFUSED(ctx, &b,
           "vkUpdateDescriptorSets: copy of 3 descriptors: a compare-enabled sampler into a "
           "descriptor a draw reads without a depth reference");
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(reflect_spirv_1_0),
      cmocka_unit_test(reflect_spirv_1_5),
      cmocka_unit_test(io_locations),
      cmocka_unit_test(plain_samplers),
      cmocka_unit_test(workgroup_sizes),
      cmocka_unit_test(reflect_refuses_invalid),
      cmocka_unit_test(target_environments),
      cmocka_unit_test(pipeline_matching_layout_passes),
      cmocka_unit_test(pipeline_layout_mismatch),
      cmocka_unit_test(pipeline_push_and_entry),
      cmocka_unit_test(pipeline_specialization),
      cmocka_unit_test(shader_module_validated),
      cmocka_unit_test(tessellation_patch_size),
      cmocka_unit_test(tessellation_stages_agree),
      cmocka_unit_test(geometry_modes_reflected),
      cmocka_unit_test(geometry_limits),
      cmocka_unit_test(geometry_distances),
      cmocka_unit_test(sample_mask_words),
      cmocka_unit_test(values_bounded),
      cmocka_unit_test(image_types_viewable),
      cmocka_unit_test(unroll_hint_cleared),
      cmocka_unit_test(calls_inlined),
      cmocka_unit_test(geometry_strips_on_lavapipe),
      cmocka_unit_test(geometry_output_size),
      cmocka_unit_test(geometry_after_tessellation),
      cmocka_unit_test(inline_uniform_rows),
      cmocka_unit_test(spec_entry_sizes),
      cmocka_unit_test(dispatch_unwritten),
      cmocka_unit_test(bind_set_layouts_alike),
      cmocka_unit_test(dispatch_layouts_alike),
      cmocka_unit_test(library_linked_twice),
      cmocka_unit_test(null_set_layouts),
      cmocka_unit_test(write_view_planes),
      cmocka_unit_test(dispatch_partially_bound),
      cmocka_unit_test(dispatch_set_missing_or_clean),
      cmocka_unit_test(rebinding_the_same_is_free),
      cmocka_unit_test(bind_unwritten_sampler),
      cmocka_unit_test(pushes_are_tracked),
      cmocka_unit_test(push_needs_push_layout),
      cmocka_unit_test(writes_roll_over),
      cmocka_unit_test(writes_need_their_arrays),
      cmocka_unit_test(copies_keep_bits_growing),
      cmocka_unit_test(mutable_layouts_need_lists),
      cmocka_unit_test(mutable_writes_take_listed_types),
      cmocka_unit_test(compare_read_without_reference),
      cmocka_unit_test(compare_written_after_read),
      cmocka_unit_test(push_before_read),
   };
   return cmocka_run_group_tests(tests, setup, teardown);
}
