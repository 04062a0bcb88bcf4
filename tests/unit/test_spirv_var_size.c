/* SPDX-License-Identifier: MIT */
/*
 * Variables counted per entry point after specialization (src/vk/spirv_var_size.c): Workgroup
 * memory of constant sizes, of specialization constants and expressions of them and of the
 * workgroup size, a variable only a called function uses, a length that wraps 32 bits, one of
 * 0, a negative one; an invocation's Private and Function memory; and modules cut or with words
 * replaced (no read out of bounds under ASan).
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

#include "vk/spirv_var_size.h"

#include "private_spec_comp_spv.h"
#include "shared_const_comp_spv.h"
#include "shared_spec_comp_spv.h"
#include "spec_div_comp_spv.h"
#include "workgroup_comp_spv.h"

#define GLCOMPUTE SpvExecutionModelGLCompute

static struct pv_spirv_var_use *
use_of(const uint32_t *w, size_t bytes)
{
   bool nomem = true;
   struct pv_spirv_var_use *u = pv_spirv_var_use_new(w, bytes / 4, &nomem);
   assert_false(nomem);
   return u;
}

/* Specialization data of up to three 4-byte entries. */
struct spec {
   VkSpecializationMapEntry e[3];
   uint32_t data[3];
   VkSpecializationInfo si;
};

static const VkSpecializationInfo *
spec3(struct spec *s, uint32_t n, const uint32_t *ids, const uint32_t *values)
{
   for (uint32_t i = 0; i < n; i++) {
      s->e[i] = (VkSpecializationMapEntry){ids[i], i * 4, 4};
      s->data[i] = values[i];
   }
   s->si = (VkSpecializationInfo){n, s->e, n * 4, s->data};
   return &s->si;
}

#define FAILED UINT64_MAX

/* main's Workgroup bytes (or its invocation's, `own`), FAILED with *why when refused. */
static uint64_t
bytes_as(const struct pv_spirv_var_use *u, const VkSpecializationInfo *si, bool own,
         const char **why)
{
   struct pv_spirv_var_bytes b;
   *why = NULL;
   if (!pv_spirv_var_bytes_of(u, "main", GLCOMPUTE, si, !own, own, &b, why))
      return FAILED;
   assert_int_equal(own ? b.workgroup : b.invocation, 0); /* the class not asked reads 0 */
   return own ? b.invocation : b.workgroup;
}

static uint64_t
bytes_of(const struct pv_spirv_var_use *u, const VkSpecializationInfo *si, const char **why)
{
   return bytes_as(u, si, false, why);
}

/* shared_const.comp: uint[4] and a struct {uint, vec2}: 28 bytes, no padding counted. An entry
 * point of another name or model has 0. */
static void
constant_sizes(void **state)
{
   (void)state;
   const char *why;
   struct pv_spirv_var_use *u = use_of(pv_shared_const_comp_spv, sizeof(pv_shared_const_comp_spv));
   assert_non_null(u);
   assert_int_equal(bytes_of(u, NULL, &why), 28);
   assert_null(why);
   struct pv_spirv_var_bytes b;
   assert_true(pv_spirv_var_bytes_of(u, "other", GLCOMPUTE, NULL, true, true, &b, &why));
   assert_int_equal(b.workgroup + b.invocation, 0);
   assert_true(
      pv_spirv_var_bytes_of(u, "main", SpvExecutionModelVertex, NULL, true, true, &b, &why));
   assert_int_equal(b.workgroup + b.invocation, 0);
   pv_spirv_var_use_free(u);
}

/* shared_spec.comp by default: a[4] 16 + b[M*3+1 = 7] vec4 112 + c[local x = 1] 4 + f[8] 32
 * (used in a function main calls); `unused` is not counted. */
static void
specialized_sizes(void **state)
{
   (void)state;
   const char *why;
   struct spec s;
   struct pv_spirv_var_use *u = use_of(pv_shared_spec_comp_spv, sizeof(pv_shared_spec_comp_spv));
   assert_non_null(u);
   assert_int_equal(bytes_of(u, NULL, &why), 164);
   /* N = 10, M = 4 (b: 13 vec4), local x = 64 */
   assert_int_equal(bytes_of(u, spec3(&s, 3, (uint32_t[]){0, 1, 2}, (uint32_t[]){10, 4, 64}), &why),
                    40 + 13 * 16 + 64 * 4 + 32);
   assert_null(why);
   /* N = 0x40000001: 4 GiB + 4 bytes, which a 32-bit size wraps to 4 */
   uint64_t big = bytes_of(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){0x40000001u}), &why);
   assert_null(why);
   assert_true(big > UINT64_C(0x100000000));
   /* N = 0: an array of no elements */
   assert_int_equal(bytes_of(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){0}), &why), FAILED);
   assert_non_null(why);
   assert_non_null(strstr(why, "0 elements"));
   /* M = -1: b's length -2, negative: counted as too large, never as small */
   assert_true(bytes_of(u, spec3(&s, 1, (uint32_t[]){1}, (uint32_t[]){0xffffffffu}), &why) >
               UINT64_C(0x100000000));
   /* M = 0xaaaaaaab (negative): M * 3 + 1 wraps 32 bits to 2, as Mesa folds it: b is 32 bytes */
   assert_int_equal(bytes_of(u, spec3(&s, 1, (uint32_t[]){1}, (uint32_t[]){0xaaaaaaabu}), &why),
                    16 + 2 * 16 + 4 + 32);
   /* an 8-byte entry for the 32-bit N: its low 32 bits, as Mesa reads it */
   uint64_t wide = UINT64_C(0x500000006);
   VkSpecializationMapEntry e8 = {0, 0, 8};
   VkSpecializationInfo si8 = {1, &e8, 8, &wide};
   assert_int_equal(bytes_of(u, &si8, &why), 6 * 4 + 112 + 4 + 32);
   pv_spirv_var_use_free(u);
}

/* private_spec.comp's invocation: 116 bytes by default, N more words with N, refused at 0; its
 * Workgroup memory none. */
static void
invocation_sizes(void **state)
{
   (void)state;
   const char *why;
   struct spec s;
   struct pv_spirv_var_use *u = use_of(pv_private_spec_comp_spv, sizeof(pv_private_spec_comp_spv));
   assert_non_null(u);
   assert_int_equal(bytes_as(u, NULL, true, &why), 116);
   assert_int_equal(bytes_of(u, NULL, &why), 0);
   assert_int_equal(bytes_as(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){1000}), true, &why),
                    116 + 996 * 4);
   assert_true(bytes_as(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){0xffffffffu}), true, &why) >
               UINT64_C(0x3fffffff));
   assert_int_equal(bytes_as(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){0}), true, &why),
                    FAILED);
   assert_non_null(strstr(why, "0 elements"));
   pv_spirv_var_use_free(u);
   /* no module at all: nothing, and not for want of memory */
   bool nomem = true;
   assert_null(pv_spirv_var_use_new(pv_workgroup_comp_spv, 0, &nomem));
   assert_false(nomem);
}

/* Why the module's constants with `si` are refused whatever is asked of them, or NULL. */
static const char *
trap_of(const struct pv_spirv_var_use *u, const VkSpecializationInfo *si)
{
   struct pv_spirv_var_bytes b;
   const char *why = NULL;
   bool ok = pv_spirv_var_bytes_of(u, "main", GLCOMPUTE, si, false, false, &b, &why);
   assert_true(ok == (why == NULL));
   return why;
}

/* spec_div.comp: INT_MIN / -1 and INT_MIN % -1 of 32-bit constants, and a 64-bit INT64_MIN / -1,
 * trap Mesa's folding; other values, or B = -2, do not. A module without OpSpecConstantOp has
 * nothing to trap. */
static void
division_traps(void **state)
{
   (void)state;
   struct spec s;
   struct pv_spirv_var_use *u = use_of(pv_spec_div_comp_spv, sizeof(pv_spec_div_comp_spv));
   assert_non_null(u);
   assert_null(trap_of(u, NULL));
   assert_null(trap_of(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){5})));
   const char *why = trap_of(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){0x80000000u}));
   assert_non_null(why);
   assert_non_null(strstr(why, "INT_MIN"));
   /* B = -2: the 32-bit ones are fine, the 64-bit one (A * 2^32 = INT64_MIN) still traps */
   assert_non_null(
      trap_of(u, spec3(&s, 2, (uint32_t[]){0, 1}, (uint32_t[]){0x80000000u, 0xfffffffeu})));
   /* A = INT_MIN / 2: no operand is INT_MIN at its width */
   assert_null(trap_of(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){0xc0000000u})));
   pv_spirv_var_use_free(u);
   u = use_of(pv_shared_const_comp_spv, sizeof(pv_shared_const_comp_spv));
   assert_null(trap_of(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){0x80000000u})));
   pv_spirv_var_use_free(u);
}

/* Every truncation and every word replaced: nothing read out of bounds (ASan), no crash. */
static void
malformed_is_safe(void **state)
{
   (void)state;
   size_t n = sizeof(pv_shared_spec_comp_spv) / 4;
   uint32_t *w = malloc(n * 4);
   assert_non_null(w);
   const char *why;
   struct spec s;
   const VkSpecializationInfo *si = spec3(&s, 2, (uint32_t[]){0, 1}, (uint32_t[]){3, 5});
   for (size_t cut = 0; cut <= n; cut++) {
      bool nomem;
      struct pv_spirv_var_use *u = pv_spirv_var_use_new(pv_shared_spec_comp_spv, cut, &nomem);
      bytes_of(u, si, &why);
      bytes_as(u, si, true, &why);
      pv_spirv_var_use_free(u);
   }
   const uint32_t values[] = {0, 0xffffffffu, 0x00010000u, 3};
   for (size_t i = 5; i < n; i++)
      for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
         memcpy(w, pv_shared_spec_comp_spv, n * 4);
         w[i] = values[v];
         bool nomem;
         struct pv_spirv_var_use *u = pv_spirv_var_use_new(w, n, &nomem);
         bytes_of(u, si, &why);
         bytes_as(u, si, true, &why);
         trap_of(u, si);
         pv_spirv_var_use_free(u);
      }
   free(w);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(constant_sizes),    cmocka_unit_test(specialized_sizes),
      cmocka_unit_test(invocation_sizes),  cmocka_unit_test(division_traps),
      cmocka_unit_test(malformed_is_safe),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
