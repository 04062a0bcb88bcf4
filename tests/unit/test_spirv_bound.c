/* SPDX-License-Identifier: MIT */
/*
 * Strip geometry shaders bounded for lavapipe (src/vk/spirv_bound.c), and Workgroup memory
 * indices clamped for it (src/vk/spirv_shared.c), at the end. The bounded module must
 * validate, raise OutputVertices by the strip's slack, and put every emit of the guest's under
 * a guard that compares a load of one Private counter with the guest's OutputVertices; the
 * checks below read that instruction by instruction. The shaders come from glslang, two of them
 * through spirv-opt (-Os): a single-block loop whose header holds the emit, and emits in a
 * function called from a loop, a selection and a switch of a SPIR-V 1.5 module.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <spirv_cross/spirv.h>

#include "vk/spirv_bound.h"
#include "vk/spirv_reflect.h"
#include "vk/spirv_shared.h"

#include "geometry_geom_spv.h"
#include "shared_comp_spv.h"
#include "shared_const_comp_spv.h"
#include "shared_narrow_comp_spv.h"
#include "strip_calls_geom_spv.h"
#include "strip_loop_geom_spv.h"
#include "workgroup_comp_spv.h"

/* What the checks read of a module. */
struct facts {
   uint32_t emits, guarded, selection_merges, loop_merges, private_vars;
   uint32_t output_vertices;
   uint32_t header_emits; /* emits in a block that also holds an OpLoopMerge */
   bool counter_listed;   /* the Private variable is in the geometry entry point's interface */
};

/* Per-id facts of a walk (ids below the module's bound). */
struct ids {
   uint32_t *constant, *load_of, *ult_a, *ult_b, *cond_of_true;
   bool *private_var;
};

static void
ids_init(struct ids *t, uint32_t bound)
{
   t->constant = calloc(bound, 4);
   t->load_of = calloc(bound, 4);
   t->ult_a = calloc(bound, 4);
   t->ult_b = calloc(bound, 4);
   t->cond_of_true = calloc(bound, 4);
   t->private_var = calloc(bound, 1);
   assert_true(t->constant && t->load_of && t->ult_a && t->ult_b && t->cond_of_true &&
               t->private_var);
}

static void
ids_fini(struct ids *t)
{
   free(t->constant), free(t->load_of), free(t->ult_a), free(t->ult_b), free(t->cond_of_true);
   free(t->private_var);
}

/* An emit right after label `label` is guarded when that label is the true target of a branch
 * on (load of a Private variable) < a constant of `limit`. */
static bool
guarded(const struct ids *t, uint32_t label, uint32_t limit)
{
   uint32_t cond = label ? t->cond_of_true[label] : 0;
   return cond && t->private_var[t->load_of[t->ult_a[cond]]] &&
          t->constant[t->ult_b[cond]] == limit;
}

static void
note(struct facts *f, struct ids *t, const uint32_t *in, uint32_t op, uint32_t len, uint32_t limit,
     uint32_t *label, bool *block_has_loop_merge, uint32_t *block_emits, uint32_t prev_op)
{
   if (op == SpvOpConstant && len == 4)
      t->constant[in[2]] = in[3];
   else if (op == SpvOpVariable && len >= 4 && in[3] == SpvStorageClassPrivate)
      t->private_var[in[2]] = true, f->private_vars++;
   else if (op == SpvOpLoad && len >= 4)
      t->load_of[in[2]] = in[3];
   else if (op == SpvOpULessThan && len == 5)
      t->ult_a[in[2]] = in[3], t->ult_b[in[2]] = in[4];
   else if (op == SpvOpBranchConditional && len >= 4)
      t->cond_of_true[in[2]] = in[1];
   else if (op == SpvOpSelectionMerge)
      f->selection_merges++;
   else if (op == SpvOpLoopMerge)
      f->loop_merges++, *block_has_loop_merge = true;
   if (op == SpvOpLabel || op == SpvOpFunctionEnd) {
      if (*block_has_loop_merge)
         f->header_emits += *block_emits;
      *label = op == SpvOpLabel ? in[1] : 0;
      *block_has_loop_merge = false;
      *block_emits = 0;
   }
   if (op == SpvOpEmitVertex || op == SpvOpEmitStreamVertex) {
      f->emits++;
      (*block_emits)++;
      f->guarded += prev_op == SpvOpLabel && guarded(t, *label, limit);
   }
}

/* The facts of `w`, guards counted against `limit`. */
static struct facts
facts_of(const uint32_t *w, size_t n, uint32_t limit)
{
   struct facts f = {0};
   struct ids t;
   assert_true(n > 5);
   ids_init(&t, w[3]);
   uint32_t label = 0, block_emits = 0, prev = 0;
   bool loop_merge = false;
   for (size_t i = 5; i < n; i += w[i] >> 16) {
      const uint32_t *in = w + i;
      uint32_t op = in[0] & 0xffffu, len = in[0] >> 16;
      assert_true(len > 0 && len <= n - i);
      note(&f, &t, in, op, len, limit, &label, &loop_merge, &block_emits, prev);
      if (op == SpvOpExecutionMode && in[2] == SpvExecutionModeOutputVertices)
         f.output_vertices = in[3];
      prev = op;
   }
   /* the entry point's interface (its operands after the name) */
   for (size_t i = 5; i < n; i += w[i] >> 16) {
      const uint32_t *in = w + i;
      uint32_t len = in[0] >> 16;
      if ((in[0] & 0xffffu) != SpvOpEntryPoint || in[1] != SpvExecutionModelGeometry)
         continue;
      uint32_t k = 3;
      while (k < len && memchr(&in[k], 0, 4) == NULL)
         k++;
      for (k++; k < len; k++)
         f.counter_listed |= t.private_var[in[k]];
   }
   ids_fini(&t);
   return f;
}

struct strip_case {
   const char *name;
   const uint32_t *words;
   size_t size;
   uint32_t api; /* the device's Vulkan version: the SPIR-V environment */
   uint32_t vertices, slack;
   bool header_emit; /* the module has a loop header holding an emit */
};

static void
bounds_case(const struct strip_case *k)
{
   size_t n = k->size / 4;
   int env = pv_spirv_env(k->api, false);
   char err[256];
   assert_true(pv_spirv_validate(k->words, n, env, err, sizeof(err)));
   uint32_t *out = NULL;
   size_t out_n = 0;
   const char *why = pv_spirv_bound_strips(k->words, n, &out, &out_n);
   if (why)
      fail_msg("%s: refused: %s", k->name, why);
   assert_non_null(out);
   if (!pv_spirv_validate(out, out_n, env, err, sizeof(err)))
      fail_msg("%s: the bounded module is invalid: %s", k->name, err);
   struct facts in = facts_of(k->words, n, k->vertices);
   struct facts got = facts_of(out, out_n, k->vertices);
   assert_int_equal(in.output_vertices, k->vertices);
   assert_int_equal(got.output_vertices, k->vertices + k->slack);
   assert_true(in.emits > 0);
   assert_int_equal(in.guarded, 0);
   assert_int_equal(got.emits, in.emits);
   assert_int_equal(got.guarded, got.emits);
   assert_int_equal(got.selection_merges, in.selection_merges + in.emits);
   assert_int_equal(got.loop_merges, in.loop_merges);
   assert_int_equal(got.private_vars, in.private_vars + 1);
   assert_int_equal(got.header_emits, 0);
   assert_int_equal(in.header_emits > 0, k->header_emit);
   /* SPIR-V 1.4 on lists every global an entry point uses; before, only inputs and outputs */
   assert_int_equal(got.counter_listed, k->words[1] >= 0x00010400u);
   /* the reflection the pipeline checks read takes it too */
   const char *rwhy = NULL;
   struct pv_spirv_module *m = pv_spirv_reflect(out, out_n, env, err, sizeof(err), &rwhy);
   assert_non_null(m);
   const struct pv_spirv_entry *e = pv_spirv_entry_find(m, "main", VK_SHADER_STAGE_GEOMETRY_BIT);
   assert_non_null(e);
   assert_int_equal(e->output_vertices, k->vertices + k->slack);
   pv_spirv_module_free(m);
   free(out);
}

/* Each strip through the rewrite: glslang's plain output, a single-block loop from spirv-opt,
 * and emits in a called function of a SPIR-V 1.5 line strip. */
static void
strips_bounded(void **state)
{
   (void)state;
   const struct strip_case cases[] = {
      {"geometry.geom", pv_geometry_geom_spv, sizeof(pv_geometry_geom_spv), VK_API_VERSION_1_0, 3,
       2, false},
      {"strip_loop.geom", pv_strip_loop_geom_spv, sizeof(pv_strip_loop_geom_spv),
       VK_API_VERSION_1_0, 6, 2, true},
      {"strip_calls.geom", pv_strip_calls_geom_spv, sizeof(pv_strip_calls_geom_spv),
       VK_API_VERSION_1_2, 5, 1, false},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
      bounds_case(&cases[i]);
   assert_int_equal(pv_spirv_strip_slack(PV_SPIRV_OUTPUT_TRIANGLE_STRIP), 2);
   assert_int_equal(pv_spirv_strip_slack(PV_SPIRV_OUTPUT_LINE_STRIP), 1);
   assert_int_equal(pv_spirv_strip_slack(PV_SPIRV_OUTPUT_POINTS), 0);
   assert_int_equal(pv_spirv_strip_slack(0), 0);
}

/* The word index of the first instruction `op` (with operand 1 `first` when not 0). */
static size_t
find_op(const uint32_t *w, size_t n, uint32_t op, uint32_t first, uint32_t second)
{
   for (size_t i = 5; i < n; i += w[i] >> 16)
      if ((w[i] & 0xffffu) == op && (!first || w[i + 1] == first) &&
          (!second || w[i + 2] == second))
         return i;
   fail_msg("no instruction %u", op);
   return 0;
}

/* Points and other stages need no bound: nothing comes back. */
static void
others_untouched(void **state)
{
   (void)state;
   size_t n = sizeof(pv_geometry_geom_spv) / 4;
   uint32_t *w = malloc(n * 4);
   assert_non_null(w);
   memcpy(w, pv_geometry_geom_spv, n * 4);
   size_t at = find_op(w, n, SpvOpExecutionMode, 0, SpvExecutionModeOutputTriangleStrip);
   w[at + 2] = SpvExecutionModeOutputPoints;
   uint32_t *out = (uint32_t *)1;
   size_t out_n = 1;
   assert_null(pv_spirv_bound_strips(w, n, &out, &out_n));
   assert_null(out);
   assert_int_equal(out_n, 0);
   free(w);
   assert_null(pv_spirv_bound_strips(pv_workgroup_comp_spv, sizeof(pv_workgroup_comp_spv) / 4, &out,
                                     &out_n));
   assert_null(out);
}

/* Two geometry entry points, one a strip (hand-assembled, spirv-as, SPIR-V 1.0):
 *    OpCapability Geometry / OpMemoryModel Logical GLSL450
 *    OpEntryPoint Geometry %a "a" / OpEntryPoint Geometry %b "b"
 *    %a: InputPoints, Invocations 1, OutputTriangleStrip, OutputVertices 3
 *    %b: InputPoints, Invocations 1, OutputPoints, OutputVertices 1
 *    each a void function that emits one vertex and returns.
 * Valid, and refused: one bound a module. */
static const uint32_t two_entries[] = {
   0x07230203, 0x00010000, 0x00070000, 0x00000007, 0x00000000, 0x00020011, 0x00000002, 0x0003000e,
   0x00000000, 0x00000001, 0x0004000f, 0x00000003, 0x00000001, 0x00000061, 0x0004000f, 0x00000003,
   0x00000002, 0x00000062, 0x00030010, 0x00000001, 0x00000013, 0x00040010, 0x00000001, 0x00000000,
   0x00000001, 0x00030010, 0x00000001, 0x0000001d, 0x00040010, 0x00000001, 0x0000001a, 0x00000003,
   0x00030010, 0x00000002, 0x00000013, 0x00040010, 0x00000002, 0x00000000, 0x00000001, 0x00030010,
   0x00000002, 0x0000001b, 0x00040010, 0x00000002, 0x0000001a, 0x00000001, 0x00020013, 0x00000003,
   0x00030021, 0x00000004, 0x00000003, 0x00050036, 0x00000003, 0x00000001, 0x00000000, 0x00000004,
   0x000200f8, 0x00000005, 0x000100da, 0x000100fd, 0x00010038, 0x00050036, 0x00000003, 0x00000002,
   0x00000000, 0x00000004, 0x000200f8, 0x00000006, 0x000100da, 0x000100fd, 0x00010038};

static void
two_geometry_entries_refused(void **state)
{
   (void)state;
   size_t n = sizeof(two_entries) / 4;
   char err[256];
   if (!pv_spirv_validate(two_entries, n, pv_spirv_env(VK_API_VERSION_1_0, false), err,
                          sizeof(err)))
      fail_msg("the module of two entry points is invalid: %s", err);
   uint32_t *out = NULL;
   size_t out_n = 0;
   const char *why = pv_spirv_bound_strips(two_entries, n, &out, &out_n);
   assert_non_null(why);
   assert_non_null(strstr(why, "several geometry entry points"));
   assert_null(out);
}

/* Input the validator would refuse never reaches the rewrite in the server; here it does, and
 * must not read or write out of bounds (ASan): every truncation, and every word replaced by
 * 0, 0xffffffff or a length field of 0xffff. */
static void
malformed_is_safe(void **state)
{
   (void)state;
   size_t n = sizeof(pv_strip_loop_geom_spv) / 4;
   uint32_t *w = malloc(n * 4);
   assert_non_null(w);
   for (size_t cut = 0; cut <= n; cut++) {
      uint32_t *cw = malloc(cut ? cut * 4 : 4);
      assert_non_null(cw);
      memcpy(cw, pv_strip_loop_geom_spv, cut * 4);
      uint32_t *out = NULL;
      size_t out_n = 0;
      pv_spirv_bound_strips(cw, cut, &out, &out_n);
      free(out);
      free(cw);
   }
   const uint32_t values[] = {0, 0xffffffffu, 0xffff0000u};
   for (size_t i = 0; i < n; i++)
      for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
         memcpy(w, pv_strip_loop_geom_spv, n * 4);
         w[i] = values[v] | (v == 2 ? (w[i] & 0xffffu) : 0);
         uint32_t *out = NULL;
         size_t out_n = 0;
         pv_spirv_bound_strips(w, n, &out, &out_n);
         free(out);
      }
   w[0] = 0x03022307u; /* the other byte order */
   uint32_t *out = NULL;
   size_t out_n = 0;
   assert_non_null(pv_spirv_bound_strips(w, n, &out, &out_n));
   free(w);
}

/* ----- Workgroup indices clamped (src/vk/spirv_shared.c) ----------------------------------- */

/* Per id: a Workgroup pointer type, an OpULessThan's first operand, an OpSelect's condition
 * and first object, and whether it is a constant. */
struct shared_ids {
   bool *wg_ptr, *constant;
   uint32_t *ult_a, *sel_cond, *sel_obj;
};

static void
shared_ids_init(struct shared_ids *t, uint32_t bound)
{
   t->wg_ptr = calloc(bound, 1), t->constant = calloc(bound, 1);
   t->ult_a = calloc(bound, 4), t->sel_cond = calloc(bound, 4), t->sel_obj = calloc(bound, 4);
   assert_true(t->wg_ptr && t->constant && t->ult_a && t->sel_cond && t->sel_obj);
}

static void
shared_ids_fini(struct shared_ids *t)
{
   free(t->wg_ptr), free(t->constant), free(t->ult_a), free(t->sel_cond), free(t->sel_obj);
}

/* Access chains into Workgroup memory, and how many of their indices are not constants and not
 * (index < bound ? index : 0) selects. */
static void
shared_census(const uint32_t *w, size_t n, uint32_t *chains, uint32_t *raw, uint32_t *clamped)
{
   struct shared_ids t;
   shared_ids_init(&t, w[3]);
   *chains = *raw = *clamped = 0;
   for (size_t i = 5; i < n; i += w[i] >> 16) {
      const uint32_t *in = w + i;
      uint32_t op = in[0] & 0xffffu, len = in[0] >> 16;
      if (op == SpvOpTypePointer && in[2] == SpvStorageClassWorkgroup)
         t.wg_ptr[in[1]] = true;
      else if (op == SpvOpConstant || op == SpvOpSpecConstant)
         t.constant[in[2]] = true;
      else if (op == SpvOpULessThan)
         t.ult_a[in[2]] = in[3];
      else if (op == SpvOpSelect && len == 6)
         t.sel_cond[in[2]] = in[3], t.sel_obj[in[2]] = in[4];
      if ((op != SpvOpAccessChain && op != SpvOpInBoundsAccessChain) || !t.wg_ptr[in[1]])
         continue;
      (*chains)++;
      for (uint32_t k = 4; k < len; k++) {
         uint32_t x = in[k];
         if (t.sel_cond[x] && t.ult_a[t.sel_cond[x]] == t.sel_obj[x])
            (*clamped)++;
         else if (!t.constant[x])
            (*raw)++;
      }
   }
   shared_ids_fini(&t);
}

/* `w` (`n` words) through pv_spirv_guard_shared: the rewritten module (malloc'd, *out_n words),
 * which must come back and validate for `env`. */
static uint32_t *
shared_guarded(const uint32_t *w, size_t n, int env, size_t *out_n)
{
   uint32_t *out = NULL;
   char err[256];
   const char *why = pv_spirv_guard_shared(w, n, &out, out_n);
   if (why)
      fail_msg("refused: %s", why);
   assert_non_null(out);
   if (!pv_spirv_validate(out, *out_n, env, err, sizeof(err)))
      fail_msg("the rewritten module is invalid: %s", err);
   return out;
}

/* How many Workgroup variables `w` declares, and how many of them have an OpConstantNull of
 * their pointee type as initializer. */
static void
zero_census(const uint32_t *w, size_t n, uint32_t *vars, uint32_t *zeroed)
{
   uint32_t bound = w[3];
   uint32_t *pointee = calloc(bound, 4), *null_of = calloc(bound, 4);
   assert_true(pointee && null_of);
   *vars = *zeroed = 0;
   for (size_t i = 5; i < n; i += w[i] >> 16) {
      const uint32_t *in = w + i;
      uint32_t op = in[0] & 0xffffu, len = in[0] >> 16;
      if (op == SpvOpTypePointer && in[2] == SpvStorageClassWorkgroup)
         pointee[in[1]] = in[3];
      else if (op == SpvOpConstantNull)
         null_of[in[2]] = in[1];
      else if (op == SpvOpVariable && in[3] == SpvStorageClassWorkgroup) {
         (*vars)++;
         if (len == 5 && null_of[in[4]] && null_of[in[4]] == pointee[in[1]])
            (*zeroed)++;
      }
   }
   free(pointee);
   free(null_of);
}

/* shared_const.comp (Workgroup memory, no index to clamp) comes back with each Workgroup
 * variable zeroed and nothing clamped; shared.comp's variables (one of them grown) are zeroed
 * too. Both validate for their environment. */
static void
shared_zeroed(void **state)
{
   (void)state;
   struct {
      const uint32_t *w;
      size_t n;
      uint32_t api;
   } mods[] = {
      {pv_shared_const_comp_spv, sizeof(pv_shared_const_comp_spv) / 4, VK_API_VERSION_1_0},
      {pv_shared_comp_spv, sizeof(pv_shared_comp_spv) / 4, VK_API_VERSION_1_2},
   };
   for (size_t m = 0; m < 2; m++) {
      int env = pv_spirv_env(mods[m].api, false);
      uint32_t vars, zeroed, chains, raw, clamped;
      zero_census(mods[m].w, mods[m].n, &vars, &zeroed);
      assert_true(vars >= 2);
      assert_int_equal(zeroed, 0);
      shared_census(mods[m].w, mods[m].n, &chains, &raw, &clamped);
      size_t out_n = 0;
      uint32_t *out = shared_guarded(mods[m].w, mods[m].n, env, &out_n);
      uint32_t vars2, zeroed2, chains2, raw2, clamped2;
      zero_census(out, out_n, &vars2, &zeroed2);
      assert_int_equal(vars2, vars);
      assert_int_equal(zeroed2, vars);
      shared_census(out, out_n, &chains2, &raw2, &clamped2);
      assert_int_equal(chains2, chains);
      assert_int_equal(raw2, 0);
      assert_int_equal(clamped2, clamped + raw);
      if (m == 0)
         assert_int_equal(raw, 0);
      free(out);
   }
}

/* shared.comp through the clamp: valid for Vulkan 1.2, every non-constant index of a Workgroup
 * access chain a select on (index < bound) (before: none), reflection unchanged. */
static void
shared_indices_clamped(void **state)
{
   (void)state;
   size_t n = sizeof(pv_shared_comp_spv) / 4;
   int env = pv_spirv_env(VK_API_VERSION_1_2, false);
   char err[256];
   assert_true(pv_spirv_validate(pv_shared_comp_spv, n, env, err, sizeof(err)));
   uint32_t chains, raw, clamped;
   shared_census(pv_shared_comp_spv, n, &chains, &raw, &clamped);
   assert_true(chains >= 6);
   assert_true(raw >= 8);
   assert_int_equal(clamped, 0);
   size_t out_n = 0;
   uint32_t *out = shared_guarded(pv_shared_comp_spv, n, env, &out_n);
   uint32_t chains2, raw2, clamped2;
   shared_census(out, out_n, &chains2, &raw2, &clamped2);
   assert_int_equal(chains2, chains);
   assert_int_equal(raw2, 0);
   assert_int_equal(clamped2, raw);
   free(out);
   /* no Workgroup memory: nothing comes back */
   assert_null(pv_spirv_guard_shared(pv_workgroup_comp_spv, sizeof(pv_workgroup_comp_spv) / 4, &out,
                                     &out_n));
   assert_null(out);
   assert_null(
      pv_spirv_guard_shared(pv_geometry_geom_spv, sizeof(pv_geometry_geom_spv) / 4, &out, &out_n));
   assert_null(out);
}

/* A Workgroup array that already has OpConstantNull as its initializer, written at a dynamic
 * index (the guest's own zero-initialization), as spirv-as assembles:
 *    OpCapability Shader; OpMemoryModel Logical GLSL450
 *    OpEntryPoint GLCompute %main "main" %gid; OpExecutionMode %main LocalSize 4 1 1
 *    OpDecorate %gid BuiltIn LocalInvocationIndex
 *    %arr = OpTypeArray %uint %c4; %ptr = OpTypePointer Workgroup %arr
 *    %null = OpConstantNull %arr; %s = OpVariable %ptr Workgroup %null
 *    main: %i = OpLoad %uint %gid; %p = OpAccessChain %pel %s %i; OpStore %p %c7 */
static const uint32_t initialized_shared[] = {
   0x07230203, 0x00010300, 0x00070000, 0x00000011, 0x00000000, 0x00020011,
   0x00000001,                                                             /* OpCapability Shader */
   0x0003000e, 0x00000000, 0x00000001,                                     /* OpMemoryModel */
   0x0006000f, 0x00000005, 0x00000001, 0x6e69616d, 0x00000000, 0x00000002, /* OpEntryPoint */
   0x00060010, 0x00000001, 0x00000011, 0x00000004, 0x00000001, 0x00000001, /* LocalSize */
   0x00040047, 0x00000002, 0x0000000b, 0x0000001d,             /* OpDecorate %gid BuiltIn */
   0x00020013, 0x00000003,                                     /* %void */
   0x00030021, 0x00000004, 0x00000003,                         /* %fn */
   0x00040015, 0x00000005, 0x00000020, 0x00000000,             /* %uint */
   0x0004002b, 0x00000005, 0x00000006, 0x00000004,             /* %c4 */
   0x0004002b, 0x00000005, 0x00000007, 0x00000007,             /* %c7 */
   0x0004001c, 0x00000008, 0x00000005, 0x00000006,             /* %arr */
   0x00040020, 0x00000009, 0x00000004, 0x00000008,             /* %ptr Workgroup */
   0x0003002e, 0x00000008, 0x0000000a,                         /* %null */
   0x0005003b, 0x00000009, 0x0000000b, 0x00000004, 0x0000000a, /* %s, initialized */
   0x00040020, 0x0000000c, 0x00000001, 0x00000005,             /* %pin */
   0x0004003b, 0x0000000c, 0x00000002, 0x00000001,             /* %gid */
   0x00040020, 0x0000000d, 0x00000004, 0x00000005,             /* %pel */
   0x00050036, 0x00000003, 0x00000001, 0x00000000, 0x00000004, /* %main */
   0x000200f8, 0x0000000e,                                     /* OpLabel */
   0x0004003d, 0x00000005, 0x0000000f, 0x00000002,             /* %i */
   0x00050041, 0x0000000d, 0x00000010, 0x0000000b, 0x0000000f, /* %p */
   0x0003003e, 0x00000010, 0x00000007,                         /* OpStore */
   0x000100fd, 0x00010038,                                     /* OpReturn, OpFunctionEnd */
};

/* An initialized Workgroup array that gets slack: it keeps an initializer, a null of its grown
 * type, and the module stays valid. */
static void
shared_initialized_grown(void **state)
{
   (void)state;
   size_t n = sizeof(initialized_shared) / 4;
   int env = pv_spirv_env(VK_API_VERSION_1_1, false);
   char err[256];
   assert_true(pv_spirv_validate(initialized_shared, n, env, err, sizeof(err)));
   size_t out_n = 0;
   uint32_t *out = shared_guarded(initialized_shared, n, env, &out_n);
   uint32_t vars, zeroed, chains, raw, clamped;
   zero_census(out, out_n, &vars, &zeroed);
   assert_int_equal(vars, 1);
   assert_int_equal(zeroed, 1);
   shared_census(out, out_n, &chains, &raw, &clamped);
   assert_int_equal(raw, 0);
   assert_int_equal(clamped, 1);
   free(out);
}

/* Every OpULessThan's bound in `w`: a constant of its index's type whose value, at that width,
 * is at most 2^(width - 1) when the width is under 32 (spirv_to_nir sign-extends such an
 * index). How many there are into *n. */
static void
narrow_bounds(const uint32_t *w, size_t n, uint32_t *count)
{
   uint32_t bound = w[3];
   uint32_t *type_of = calloc(bound, 4), *width = calloc(bound, 4), *value = calloc(bound, 4);
   bool *is_const = calloc(bound, 1);
   assert_true(type_of && width && value && is_const);
   *count = 0;
   for (size_t i = 5; i < n; i += w[i] >> 16) {
      const uint32_t *in = w + i;
      uint32_t op = in[0] & 0xffffu, len = in[0] >> 16;
      if (op == SpvOpTypeInt)
         width[in[1]] = in[2];
      else if (op == SpvOpConstant && len == 4)
         type_of[in[2]] = in[1], value[in[2]] = in[3], is_const[in[2]] = true;
      else if (len >= 4 && op != SpvOpStore && op != SpvOpULessThan && in[2] < bound &&
               in[1] < bound)
         type_of[in[2]] = in[1]; /* a result's type (good enough for loads and conversions) */
      if (op != SpvOpULessThan)
         continue;
      uint32_t a = in[3], b = in[4], wd = width[type_of[a]];
      assert_true(is_const[b]);
      assert_int_equal(type_of[b], type_of[a]);
      if (wd < 32) {
         uint32_t v = value[b] & ((1u << wd) - 1);
         assert_true(v <= 1u << (wd - 1));
      }
      (*count)++;
   }
   free(type_of), free(width), free(value), free(is_const);
}

/* shared_narrow.comp: Workgroup arrays of 16 and 300 indexed by 8- and 16-bit values (as
 * llama.cpp's quantization tables are) are clamped, not refused: every such index selected,
 * each bound of the index's width and below its sign bit, the result valid; the 8-bit
 * constant 200 (which glslang widens) stays inside. */
static void
shared_narrow_indices(void **state)
{
   (void)state;
   size_t n = sizeof(pv_shared_narrow_comp_spv) / 4;
   int env = pv_spirv_env(VK_API_VERSION_1_2, false);
   uint32_t chains, raw, clamped, bounds;
   shared_census(pv_shared_narrow_comp_spv, n, &chains, &raw, &clamped);
   assert_true(raw >= 3);
   size_t out_n = 0;
   uint32_t *out = shared_guarded(pv_shared_narrow_comp_spv, n, env, &out_n);
   uint32_t chains2, raw2, clamped2;
   shared_census(out, out_n, &chains2, &raw2, &clamped2);
   assert_int_equal(raw2, 0);
   assert_int_equal(clamped2, raw);
   narrow_bounds(out, out_n, &bounds);
   assert_int_equal(bounds, raw);
   free(out);
}

/* Every truncation and every word replaced: no read or write out of bounds (ASan). */
static void
shared_malformed_is_safe(void **state)
{
   (void)state;
   size_t n = sizeof(pv_shared_comp_spv) / 4;
   uint32_t *w = malloc(n * 4);
   assert_non_null(w);
   for (size_t cut = 0; cut <= n; cut += 3) {
      uint32_t *out = NULL;
      size_t out_n = 0;
      pv_spirv_guard_shared(pv_shared_comp_spv, cut, &out, &out_n);
      free(out);
   }
   const uint32_t values[] = {0, 0xffffffffu, 7};
   for (size_t i = 5; i < n; i++)
      for (size_t v = 0; v < 3; v++) {
         memcpy(w, pv_shared_comp_spv, n * 4);
         w[i] = values[v];
         uint32_t *out = NULL;
         size_t out_n = 0;
         pv_spirv_guard_shared(w, n, &out, &out_n);
         free(out);
      }
   free(w);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(strips_bounded),
      cmocka_unit_test(others_untouched),
      cmocka_unit_test(two_geometry_entries_refused),
      cmocka_unit_test(malformed_is_safe),
      cmocka_unit_test(shared_indices_clamped),
      cmocka_unit_test(shared_zeroed),
      cmocka_unit_test(shared_narrow_indices),
      cmocka_unit_test(shared_initialized_grown),
      cmocka_unit_test(shared_malformed_is_safe),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
