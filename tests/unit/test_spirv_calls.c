/* SPDX-License-Identifier: MIT */
/*
 * Call graphs and control flow bounded before validation (src/vk/spirv_calls.c), on modules
 * built here word by word: each limit taken at its value (or the largest module of its shape
 * under it) and refused one past it, recursion refused, the unit shaders taken, and modules cut
 * anywhere or with any word changed scanned safely (the unit tests run under ASan). The
 * refusals go through pv_spirv_unvalidated_violation too, so the test fails if the scan is
 * taken out of that chain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <spirv_cross/spirv.h>

#include "vk/spirv_calls.h"
#include "vk/spirv_reflect.h"

#include "calls_comp_spv.h"
#include "doubling_comp_spv.h"
#include "geometry_geom_spv.h"
#include "io_vert_spv.h"
#include "reflect_comp_15_spv.h"
#include "sample_mask_frag_spv.h"
#include "strip_calls_geom_spv.h"
#include "strip_loop_geom_spv.h"
#include "ubos_comp_spv.h"
#include "unroll_comp_spv.h"
#include "spirv_test_words.h"

/* ----- a module, word by word --------------------------------------------------------------- */

struct mod {
   uint32_t *w;
   size_t n, cap;
   uint32_t next; /* the next free id */
};

static void
word(struct mod *m, uint32_t x)
{
   pv_test_word(&m->w, &m->n, &m->cap, x);
}

static void
emitv(struct mod *m, uint32_t op, const uint32_t *ops, size_t n)
{
   pv_test_instruction(&m->w, &m->n, &m->cap, op, ops, n, NULL, 0);
}

#define EMIT(m, op, ...)                                                                           \
   emitv(m, op, (const uint32_t[]){__VA_ARGS__},                                                   \
         sizeof((const uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t))

enum {
   VOID = 1,
   FN = 2,
   UINT = 3,
   BOOL = 4,
   TRUE = 5,
   U0 = 6,
   MAIN = 7,
   FIRST = 8,
};

/* A GLCompute entry point MAIN, the types every module here uses; the body is the caller's. */
static struct mod
begin(void)
{
   struct mod m = {.next = FIRST};
   const uint32_t header[] = {SpvMagicNumber, 0x00010000, 0, 0, 0};
   for (size_t k = 0; k < 5; k++)
      word(&m, header[k]);
   EMIT(&m, SpvOpCapability, SpvCapabilityShader);
   EMIT(&m, SpvOpMemoryModel, SpvAddressingModelLogical, SpvMemoryModelGLSL450);
   EMIT(&m, SpvOpEntryPoint, SpvExecutionModelGLCompute, MAIN, 0x6e69616d, 0);
   EMIT(&m, SpvOpExecutionMode, MAIN, SpvExecutionModeLocalSize, 1, 1, 1);
   EMIT(&m, SpvOpTypeVoid, VOID);
   EMIT(&m, SpvOpTypeFunction, FN, VOID);
   EMIT(&m, SpvOpTypeInt, UINT, 32, 0);
   EMIT(&m, SpvOpTypeBool, BOOL);
   EMIT(&m, SpvOpConstantTrue, BOOL, TRUE);
   EMIT(&m, SpvOpConstant, UINT, U0, 0);
   return m;
}

static uint32_t
fresh(struct mod *m)
{
   return m->next++;
}

static void
finish(struct mod *m)
{
   m->w[3] = m->next;
}

/* A function `id` of one block that calls `callee` (0: none), `ncallees` ids from `callee` on. */
static void
function(struct mod *m, uint32_t id, uint32_t callee, uint32_t ncallees)
{
   EMIT(m, SpvOpFunction, VOID, id, SpvFunctionControlMaskNone, FN);
   EMIT(m, SpvOpLabel, fresh(m));
   for (uint32_t k = 0; callee && k < ncallees; k++)
      EMIT(m, SpvOpFunctionCall, VOID, fresh(m), callee + k);
   EMIT(m, SpvOpReturn);
   EMIT(m, SpvOpFunctionEnd);
}

/* MAIN -> f0 -> ... -> f(n-1), then a function that no one calls, calling `pad` ids that are not
 * functions (each one step of the call walk). */
static struct mod
chain(uint32_t n, uint32_t pad)
{
   struct mod m = begin();
   uint32_t f0 = m.next;
   m.next += n + 1; /* f0 .. f(n-1), the pad function */
   function(&m, MAIN, n ? f0 : 0, 1);
   for (uint32_t k = 0; k < n; k++)
      function(&m, f0 + k, k + 1 < n ? f0 + k + 1 : 0, 1);
   if (pad)
      function(&m, f0 + n, 0x100000, pad);
   finish(&m);
   return m;
}

/* MAIN and n - 1 functions never called. */
static struct mod
uncalled(uint32_t n)
{
   struct mod m = begin();
   function(&m, MAIN, 0, 0);
   for (uint32_t k = 1; k < n; k++)
      function(&m, fresh(&m), 0, 0);
   finish(&m);
   return m;
}

/* MAIN -> a -> b -> a (or a -> a when `self`). */
static struct mod
cycle(bool self)
{
   struct mod m = begin();
   uint32_t a = fresh(&m), b = fresh(&m);
   function(&m, MAIN, a, 1);
   function(&m, a, self ? a : b, 1);
   function(&m, b, a, 1);
   finish(&m);
   return m;
}

static void
main_begin(struct mod *m)
{
   EMIT(m, SpvOpFunction, VOID, MAIN, SpvFunctionControlMaskNone, FN);
}

static void
main_end(struct mod *m)
{
   EMIT(m, SpvOpFunctionEnd);
   finish(m);
}

/* n selections, each in the last one's true branch. */
static struct mod
nested(uint32_t n, bool loops)
{
   struct mod m = begin();
   main_begin(&m);
   uint32_t base = m.next;
   m.next += 3 * n + 2; /* headers h0..hn, merges m0..m(n-1), continues c0..c(n-1), entry */
   uint32_t entry = base + 3 * n + 1;
#define H(i) (base + (i))
#define M(i) (base + n + 1 + (i))
#define C(i) (base + 2 * n + 1 + (i))
   EMIT(&m, SpvOpLabel, entry);
   EMIT(&m, SpvOpBranch, H(0));
   for (uint32_t i = 0; i < n; i++) {
      EMIT(&m, SpvOpLabel, H(i));
      if (loops) {
         EMIT(&m, SpvOpLoopMerge, M(i), C(i), SpvLoopControlMaskNone);
         EMIT(&m, SpvOpBranch, H(i + 1));
      } else {
         EMIT(&m, SpvOpSelectionMerge, M(i), SpvSelectionControlMaskNone);
         EMIT(&m, SpvOpBranchConditional, TRUE, H(i + 1), M(i));
      }
   }
   EMIT(&m, SpvOpLabel, H(n));
   EMIT(&m, SpvOpBranch, loops ? C(n - 1) : M(n - 1));
   for (uint32_t i = n; i-- > 0;) {
      if (loops) {
         EMIT(&m, SpvOpLabel, C(i));
         EMIT(&m, SpvOpBranchConditional, TRUE, H(i), M(i));
      }
      EMIT(&m, SpvOpLabel, M(i));
      if (i)
         EMIT(&m, SpvOpBranch, loops ? C(i - 1) : M(i - 1));
      else
         EMIT(&m, SpvOpReturn);
   }
#undef H
#undef M
#undef C
   main_end(&m);
   return m;
}

/* n blocks in a row (with `selection`, inside one selection). */
static struct mod
blocks(uint32_t n, bool selection)
{
   struct mod m = begin();
   main_begin(&m);
   uint32_t b0 = m.next, merge = b0 + n + 1, entry = b0 + n + 2;
   m.next += n + 3;
   EMIT(&m, SpvOpLabel, entry);
   if (selection) {
      EMIT(&m, SpvOpSelectionMerge, merge, SpvSelectionControlMaskNone);
      EMIT(&m, SpvOpBranchConditional, TRUE, b0, merge);
   } else
      EMIT(&m, SpvOpBranch, b0);
   for (uint32_t i = 0; i < n; i++) {
      EMIT(&m, SpvOpLabel, b0 + i);
      EMIT(&m, SpvOpBranch, i + 1 < n ? b0 + i + 1 : merge);
   }
   EMIT(&m, SpvOpLabel, merge);
   EMIT(&m, SpvOpReturn);
   main_end(&m);
   return m;
}

/* A loop whose body's switch sends n cases back to the loop header (each pair of them a back
 * edge to the validator). */
static struct mod
switch_back(uint32_t n)
{
   struct mod m = begin();
   main_begin(&m);
   uint32_t entry = fresh(&m), h = fresh(&m), s = fresh(&m), c = fresh(&m), merge = fresh(&m);
   EMIT(&m, SpvOpLabel, entry);
   EMIT(&m, SpvOpBranch, h);
   EMIT(&m, SpvOpLabel, h);
   EMIT(&m, SpvOpLoopMerge, merge, c, SpvLoopControlMaskNone);
   EMIT(&m, SpvOpBranch, s);
   EMIT(&m, SpvOpLabel, s);
   EMIT(&m, SpvOpSelectionMerge, c, SpvSelectionControlMaskNone);
   word(&m, (3 + 2 * n) << 16 | SpvOpSwitch);
   word(&m, U0);
   word(&m, c);
   for (uint32_t k = 0; k < n; k++) {
      word(&m, k);
      word(&m, h);
   }
   EMIT(&m, SpvOpLabel, c);
   EMIT(&m, SpvOpBranchConditional, TRUE, h, merge);
   EMIT(&m, SpvOpLabel, merge);
   EMIT(&m, SpvOpReturn);
   main_end(&m);
   return m;
}

/* ----- the checks ---------------------------------------------------------------------------- */

static void
taken(struct mod m)
{
   const char *why = pv_spirv_call_violation(m.w, m.n);
   if (why)
      fail_msg("refused: %s", why);
   free(m.w);
}

static void
refused(struct mod m, const char *reason)
{
   const char *why = pv_spirv_call_violation(m.w, m.n);
   if (!why || !strstr(why, reason))
      fail_msg("not refused for \"%s\": %s", reason, why ? why : "taken");
   why = pv_spirv_unvalidated_violation(m.w, m.n);
   if (!why || !strstr(why, reason))
      fail_msg("the unvalidated scans do not refuse it for \"%s\": %s", reason,
               why ? why : "taken");
   free(m.w);
}

static void
functions_bounded(void **state)
{
   (void)state;
   taken(uncalled(PV_SPIRV_MAX_FUNCTIONS));
   refused(uncalled(PV_SPIRV_MAX_FUNCTIONS + 1), "functions");
}

/* A chain of n calls from MAIN costs (n + 1)^2 + n (spirv_calls.c); 2,046 make 4,192,255, and
 * 2,049 ids the pad function calls bring it to the limit. */
static void
call_walk_bounded(void **state)
{
   (void)state;
   taken(chain(2046, PV_SPIRV_MAX_CALL_WALK - (2047u * 2047u + 2046u)));
   refused(chain(2046, PV_SPIRV_MAX_CALL_WALK - (2047u * 2047u + 2046u) + 1), "call graph");
   taken(chain(100, 0));
}

static void
recursion_refused(void **state)
{
   (void)state;
   refused(cycle(false), "recursion");
   refused(cycle(true), "recursion");
}

static void
nesting_bounded(void **state)
{
   (void)state;
   taken(nested(PV_SPIRV_MAX_NESTING, false));
   refused(nested(PV_SPIRV_MAX_NESTING + 1, false), "nested");
   taken(nested(PV_SPIRV_MAX_NESTING, true));
   refused(nested(PV_SPIRV_MAX_NESTING + 1, true), "nested");
}

/* n blocks in a row cost n(n - 1): blocks squared over 2, and the walk's stack at each edge. 2^14
 * blocks (with the entry and the last) make 268,419,072, 2^14 + 1 268,451,840. */
static void
block_order_bounded(void **state)
{
   (void)state;
   _Static_assert(16384ull * 16383 <= PV_SPIRV_MAX_BLOCK_ORDER, "");
   _Static_assert(16385ull * 16384 > PV_SPIRV_MAX_BLOCK_ORDER, "");
   taken(blocks(16384 - 2, false));
   refused(blocks(16384 - 1, false), "order");
}

/* One selection around n blocks in a row: the largest n it takes, found by the scan. */
static void
construct_walk_bounded(void **state)
{
   (void)state;
   taken(blocks(2892, true));
   refused(blocks(2893, true), "constructs");
}

static void
back_edges_bounded(void **state)
{
   (void)state;
   taken(switch_back(1447));
   refused(switch_back(1448), "back edges");
}

static void
unit_shaders_taken(void **state)
{
   (void)state;
   static const struct {
      const uint32_t *w;
      size_t size;
   } shaders[] = {
#define SHADER(s) {s, sizeof(s)}
      SHADER(pv_calls_comp_spv),       SHADER(pv_doubling_comp_spv),
      SHADER(pv_geometry_geom_spv),    SHADER(pv_io_vert_spv),
      SHADER(pv_reflect_comp_15_spv),  SHADER(pv_sample_mask_frag_spv),
      SHADER(pv_strip_calls_geom_spv), SHADER(pv_strip_loop_geom_spv),
      SHADER(pv_ubos_comp_spv),        SHADER(pv_unroll_comp_spv),
#undef SHADER
   };
   for (size_t k = 0; k < sizeof(shaders) / sizeof(shaders[0]); k++) {
      const char *why = pv_spirv_call_violation(shaders[k].w, shaders[k].size / 4);
      if (why)
         fail_msg("unit shader %zu refused: %s", k, why);
   }
}

/* Every cut of `m`, and `m` with each word set to a few values: scanned without a fault. */
static void
scan_broken(struct mod m)
{
   for (size_t n = 0; n <= m.n; n++)
      (void)pv_spirv_call_violation(m.w, n);
   const uint32_t values[] = {0, 1, 2, 0xffff, 0x10000, 0xffffffffu, m.w[3] - 1, m.w[3]};
   for (size_t i = 0; i < m.n; i++) {
      uint32_t keep = m.w[i];
      for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
         m.w[i] = values[v];
         (void)pv_spirv_call_violation(m.w, m.n);
         m.w[i] = keep ^ values[v];
         (void)pv_spirv_call_violation(m.w, m.n);
      }
      m.w[i] = keep;
   }
   free(m.w);
}

static void
broken_modules_safe(void **state)
{
   (void)state;
   scan_broken(chain(4, 3));
   scan_broken(cycle(false));
   scan_broken(nested(3, false));
   scan_broken(nested(3, true));
   scan_broken(blocks(4, true));
   scan_broken(switch_back(3));
   struct mod m = {0};
   for (size_t k = 0; k < sizeof(pv_calls_comp_spv) / 4; k++)
      word(&m, pv_calls_comp_spv[k]);
   scan_broken(m);
   assert_null(pv_spirv_call_violation(NULL, 0));
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(functions_bounded),   cmocka_unit_test(call_walk_bounded),
      cmocka_unit_test(recursion_refused),   cmocka_unit_test(nesting_bounded),
      cmocka_unit_test(block_order_bounded), cmocka_unit_test(construct_walk_bounded),
      cmocka_unit_test(back_edges_bounded),  cmocka_unit_test(unit_shaders_taken),
      cmocka_unit_test(broken_modules_safe),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
