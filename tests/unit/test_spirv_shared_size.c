/* SPDX-License-Identifier: MIT */
/*
 * Workgroup memory counted per entry point after specialization (src/vk/spirv_shared_size.c):
 * constant sizes, specialization constants and expressions of them, the workgroup size, a
 * variable only a called function uses, a length that wraps 32 bits, one of 0, a negative one,
 * and modules cut or with words replaced (no read out of bounds under ASan).
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

#include "vk/spirv_shared_size.h"

#include "shared_const_comp_spv.h"
#include "shared_spec_comp_spv.h"
#include "workgroup_comp_spv.h"

#define GLCOMPUTE SpvExecutionModelGLCompute

static struct pv_spirv_shared_use *
use_of(const uint32_t *w, size_t bytes)
{
   bool nomem = true;
   struct pv_spirv_shared_use *u = pv_spirv_shared_use_new(w, bytes / 4, &nomem);
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

static uint64_t
bytes_of(const struct pv_spirv_shared_use *u, const VkSpecializationInfo *si, const char **why)
{
   *why = NULL;
   return pv_spirv_shared_bytes(u, "main", GLCOMPUTE, si, why);
}

/* shared_const.comp: uint[4] and a struct {uint, vec2}: 28 bytes, no padding counted. A module
 * without Workgroup memory has nothing to count; an entry point of another name or model 0. */
static void
constant_sizes(void **state)
{
   (void)state;
   const char *why;
   struct pv_spirv_shared_use *u =
      use_of(pv_shared_const_comp_spv, sizeof(pv_shared_const_comp_spv));
   assert_non_null(u);
   assert_int_equal(bytes_of(u, NULL, &why), 28);
   assert_null(why);
   assert_int_equal(pv_spirv_shared_bytes(u, "other", GLCOMPUTE, NULL, &why), 0);
   assert_int_equal(pv_spirv_shared_bytes(u, "main", SpvExecutionModelVertex, NULL, &why), 0);
   pv_spirv_shared_use_free(u);
   assert_null(use_of(pv_workgroup_comp_spv, sizeof(pv_workgroup_comp_spv)));
}

/* shared_spec.comp by default: a[4] 16 + b[M*3+1 = 7] vec4 112 + c[local x = 1] 4 + f[8] 32
 * (used in a function main calls); `unused` is not counted. */
static void
specialized_sizes(void **state)
{
   (void)state;
   const char *why;
   struct spec s;
   struct pv_spirv_shared_use *u = use_of(pv_shared_spec_comp_spv, sizeof(pv_shared_spec_comp_spv));
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
   assert_int_equal(bytes_of(u, spec3(&s, 1, (uint32_t[]){0}, (uint32_t[]){0}), &why),
                    PV_SPIRV_SHARED_UNKNOWN);
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
   pv_spirv_shared_use_free(u);
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
      struct pv_spirv_shared_use *u = pv_spirv_shared_use_new(pv_shared_spec_comp_spv, cut, &nomem);
      bytes_of(u, si, &why);
      pv_spirv_shared_use_free(u);
   }
   const uint32_t values[] = {0, 0xffffffffu, 0x00010000u, 3};
   for (size_t i = 5; i < n; i++)
      for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
         memcpy(w, pv_shared_spec_comp_spv, n * 4);
         w[i] = values[v];
         bool nomem;
         struct pv_spirv_shared_use *u = pv_spirv_shared_use_new(w, n, &nomem);
         bytes_of(u, si, &why);
         pv_spirv_shared_use_free(u);
      }
   free(w);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(constant_sizes),
      cmocka_unit_test(specialized_sizes),
      cmocka_unit_test(malformed_is_safe),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
