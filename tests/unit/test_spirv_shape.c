/* SPDX-License-Identifier: MIT */
/*
 * Type shapes and specialization-constant expressions (src/vk/spirv_shape.c) and entry points
 * (src/vk/spirv_entries.c), on modules built here word by word (no function: the scans read
 * types, constants and entry points): nesting 255 deep
 * taken and 256 refused, of arrays, structs, both alternating and pointers; structs of copies
 * of structs up to and past 65,536 types expanded; SPIRV-Cross's copies of base types by many
 * arrays and pointers, and by forward pointers' fixups; specialization-constant chains and
 * doubling DAGs; a large type or expression named again and again; a deep value loaded, stored
 * or copied whole again and again; too many entry points or interface ids, or ids shared by too
 * many entry points; modules cut, with words
 * replaced, ids past the bound, declared twice or used before their declaration (no read out of
 * bounds under ASan); and the unit shaders compiled, all far below every limit.
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

#include "vk/spirv_entries.h"
#include "vk/spirv_shape.h"

#include "calls_comp_spv.h"
#include "compare_frag_spv.h"
#include "doubling_comp_spv.h"
#include "geometry_geom_spv.h"
#include "geometry_varyings_geom_spv.h"
#include "io_vert_spv.h"
#include "private_spec_comp_spv.h"
#include "reflect_comp_10_spv.h"
#include "reflect_comp_15_spv.h"
#include "shared_comp_spv.h"
#include "shared_const_comp_spv.h"
#include "shared_narrow_comp_spv.h"
#include "shared_spec_comp_spv.h"
#include "spec_div_comp_spv.h"
#include "strip_calls_geom_spv.h"
#include "strip_loop_geom_spv.h"
#include "ubos_comp_spv.h"
#include "unroll_comp_spv.h"
#include "values_big_comp_spv.h"
#include "values_small_comp_spv.h"
#include "workgroup_comp_spv.h"
#include "spirv_test_words.h"

/* ----- a module, word by word --------------------------------------------------------------- */

struct mod {
   uint32_t *w;
   size_t n, cap;
   uint32_t next;          /* the next free id */
   uint32_t f32, u32, one; /* float, uint and the uint constant 1 */
};

static void
word(struct mod *m, uint32_t x)
{
   pv_test_word(&m->w, &m->n, &m->cap, x);
}

/* An instruction of opcode `op` and operands `ops` then `more` (either may be empty). */
static void
emitv(struct mod *m, uint32_t op, const uint32_t *ops, size_t n, const uint32_t *more, size_t nm)
{
   pv_test_instruction(&m->w, &m->n, &m->cap, op, ops, n, more, nm);
}

#define OPS(...) (const uint32_t[]){__VA_ARGS__}, sizeof((const uint32_t[]){__VA_ARGS__}) / 4
#define EMIT(m, op, ...) emitv(m, op, OPS(__VA_ARGS__), NULL, 0)

static uint32_t
fresh(struct mod *m)
{
   return m->next++;
}

/* The header, OpCapability Shader and PhysicalStorageBufferAddresses, OpMemoryModel, float,
 * uint and the constant 1. */
static struct mod
begin(void)
{
   struct mod m = {.next = 1};
   const uint32_t header[] = {0x07230203u, 0x00010500u, 0, 0, 0};
   for (size_t k = 0; k < 5; k++)
      word(&m, header[k]);
   EMIT(&m, SpvOpCapability, SpvCapabilityShader);
   EMIT(&m, SpvOpCapability, SpvCapabilityPhysicalStorageBufferAddresses);
   EMIT(&m, SpvOpMemoryModel, SpvAddressingModelPhysicalStorageBuffer64, SpvMemoryModelGLSL450);
   m.f32 = fresh(&m), m.u32 = fresh(&m), m.one = fresh(&m);
   EMIT(&m, SpvOpTypeFloat, m.f32, 32);
   EMIT(&m, SpvOpTypeInt, m.u32, 32, 0);
   EMIT(&m, SpvOpConstant, m.u32, m.one, 1);
   return m;
}

/* Why the module is refused (its bound set to the ids used), NULL when taken; into *out. */
static const char *
shape_of(struct mod *m, struct pv_spirv_shape *out)
{
   m->w[3] = m->next;
   return pv_spirv_shape_measure(m->w, m->n, out);
}

static const char *
check(struct mod *m)
{
   struct pv_spirv_shape s;
   const char *why = shape_of(m, &s);
   assert_int_equal(why == NULL, pv_spirv_shape_violation(m->w, m->n) == NULL);
   free(m->w);
   m->w = NULL;
   return why;
}

/* Refused, for a reason that says `what`. */
static void
refused_for(struct mod *m, const char *what)
{
   const char *why = check(m);
   assert_non_null(why);
   assert_non_null(strstr(why, what));
}

enum kind { ARRAYS, STRUCTS, MIXED, POINTERS };

/* A chain of `depth` types from float: arrays of 1, structs of one member, both alternating
 * (an array first) or pointers; its last type. */
static uint32_t
chain(struct mod *m, enum kind kind, uint32_t depth)
{
   uint32_t prev = m->f32;
   for (uint32_t k = 0; k < depth; k++) {
      uint32_t id = fresh(m);
      if (kind == ARRAYS || (kind == MIXED && k % 2 == 0))
         EMIT(m, SpvOpTypeArray, id, prev, m->one);
      else if (kind == POINTERS)
         EMIT(m, SpvOpTypePointer, id, SpvStorageClassFunction, prev);
      else
         EMIT(m, SpvOpTypeStruct, id, prev);
      prev = id;
   }
   return prev;
}

static const char *
chain_of(enum kind kind, uint32_t depth)
{
   struct mod m = begin();
   chain(&m, kind, depth);
   return check(&m);
}

/* ----- the limits --------------------------------------------------------------------------- */

/* 255 levels taken, 256 refused, whatever nests (a struct's limit alone misses arrays). */
static void
depth_limits(void **state)
{
   (void)state;
   const enum kind kinds[] = {ARRAYS, STRUCTS, MIXED, POINTERS};
   for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
      assert_null(chain_of(kinds[k], 1));
      assert_null(chain_of(kinds[k], PV_SPIRV_MAX_TYPE_DEPTH));
      const char *why = chain_of(kinds[k], PV_SPIRV_MAX_TYPE_DEPTH + 1);
      assert_non_null(why);
      assert_non_null(strstr(why, "255 deep"));
   }
   /* the research's chains: the depth is what refuses them, long before the copies */
   assert_non_null(strstr(chain_of(ARRAYS, 3000), "255 deep"));
   assert_non_null(strstr(chain_of(MIXED, 65536), "255 deep"));

   struct mod m = begin();
   uint32_t top = chain(&m, MIXED, 200);
   struct pv_spirv_shape s;
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.depth, 200);
   assert_int_equal(s.size, 201);
   /* a function type counts its parameters' and result's depth */
   uint32_t fn = fresh(&m);
   EMIT(&m, SpvOpTypeFunction, fn, m.f32, m.u32, top);
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.depth, 201);
   top = chain(&m, STRUCTS, PV_SPIRV_MAX_TYPE_DEPTH);
   EMIT(&m, SpvOpTypeFunction, fresh(&m), m.f32, top);
   refused_for(&m, "255 deep");
}

/* A struct of `wide` copies of the previous one, `deep` levels from float: the last. */
static uint32_t
fan(struct mod *m, uint32_t wide, uint32_t deep)
{
   uint32_t prev = m->f32, *members = malloc(wide * sizeof(*members));
   assert_non_null(members);
   for (uint32_t d = 0; d < deep; d++) {
      uint32_t id = fresh(m);
      for (uint32_t k = 0; k < wide; k++)
         members[k] = prev;
      emitv(m, SpvOpTypeStruct, &id, 1, members, wide);
      prev = id;
   }
   free(members);
   return prev;
}

/* Structs of copies of structs: 2 wide and 15 deep are 65,535 types expanded, 16 deep 131,071
 * (spvValidate's walks without memo took 11 s on 8 wide and 8 deep); and 8 x 8, 2 x 24. */
static void
fan_out(void **state)
{
   (void)state;
   struct mod m = begin();
   fan(&m, 4, 3);
   struct pv_spirv_shape s;
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.size, 1 + 4 * (1 + 4 * (1 + 4)));
   assert_int_equal(s.depth, 3);
   free(m.w);

   m = begin();
   uint32_t top = fan(&m, 2, 15);
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.size, 65535);
   /* one array of it is one more type: 65,536 is the limit, taken */
   EMIT(&m, SpvOpTypeArray, fresh(&m), top, m.one);
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.size, 65536);
   /* a pointer to that array is one too many */
   uint32_t arr = m.next - 1;
   EMIT(&m, SpvOpTypePointer, fresh(&m), SpvStorageClassPrivate, arr);
   refused_for(&m, "65,536 types");

   m = begin();
   fan(&m, 2, 16);
   refused_for(&m, "65,536 types");
   m = begin();
   fan(&m, 8, 8);
   refused_for(&m, "65,536 types");
   m = begin();
   fan(&m, 2, 24);
   refused_for(&m, "65,536 types");
}

/* `n` arrays of type `base` (SPIRV-Cross copies the base into each). */
static void
arrays_of(struct mod *m, uint32_t base, uint32_t n)
{
   for (uint32_t k = 0; k < n; k++)
      EMIT(m, SpvOpTypeArray, fresh(m), base, m->one);
}

/* SPIRV-Cross's copies: a chain of 250 arrays copies 0 + 1 + ... + 249 dimensions, and each of
 * its own arrays or pointers 250 more: 16,000 of them are taken, 16,800 (past 4,194,304)
 * refused. */
static void
copy_budget(void **state)
{
   (void)state;
   const uint64_t chain_copies = 249 * 250 / 2;
   struct mod m = begin();
   uint32_t top = chain(&m, ARRAYS, 250);
   arrays_of(&m, top, 16000);
   struct pv_spirv_shape s;
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.copies, chain_copies + 16000 * 250);
   free(m.w);

   m = begin();
   top = chain(&m, ARRAYS, 250);
   arrays_of(&m, top, 16800);
   refused_for(&m, "4,194,304");

   m = begin();
   top = chain(&m, ARRAYS, 250);
   for (uint32_t k = 0; k < 16800; k++)
      EMIT(&m, SpvOpTypePointer, fresh(&m), SpvStorageClassPrivate, top);
   refused_for(&m, "4,194,304");

   /* a pointer keeps its pointee's dimensions: arrays of pointers to the chain copy them too */
   m = begin();
   top = chain(&m, ARRAYS, 250);
   uint32_t ptr = fresh(&m);
   EMIT(&m, SpvOpTypePointer, ptr, SpvStorageClassPhysicalStorageBuffer, top);
   arrays_of(&m, ptr, 16800);
   refused_for(&m, "4,194,304");

   m = begin();
   top = chain(&m, ARRAYS, 200);
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.copies, 199 * 200 / 2);
   free(m.w);
}

/* A struct of 16,383 floats: each array of it copies 16,383 members (32,768 of them took
 * SPIRV-Cross 2.1 GB); 200 taken, 257 refused. */
static uint32_t
wide_struct(struct mod *m)
{
   enum { MEMBERS = 16383 };
   uint32_t id = fresh(m), *members = malloc(MEMBERS * sizeof(*members));
   assert_non_null(members);
   for (uint32_t k = 0; k < MEMBERS; k++)
      members[k] = m->f32;
   emitv(m, SpvOpTypeStruct, &id, 1, members, MEMBERS);
   free(members);
   return id;
}

static void
wide_struct_copies(void **state)
{
   (void)state;
   struct mod m = begin();
   arrays_of(&m, wide_struct(&m), 200);
   struct pv_spirv_shape s;
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.copies, 200 * 16383);
   assert_int_equal(s.size, 16385);
   free(m.w);

   m = begin();
   arrays_of(&m, wide_struct(&m), 257);
   refused_for(&m, "4,194,304");
   m = begin();
   arrays_of(&m, wide_struct(&m), 32768);
   refused_for(&m, "4,194,304");
}

/* Pointers forward-declared: a struct holding a pointer to itself is taken (the pointer a
 * leaf); arrays and pointers named one before its declaration copy its members again at the
 * end of SPIRV-Cross's parse. */
static void
forward_pointers(void **state)
{
   (void)state;
   struct mod m = begin();
   uint32_t p = fresh(&m), node = fresh(&m);
   EMIT(&m, SpvOpTypeForwardPointer, p, SpvStorageClassPhysicalStorageBuffer);
   EMIT(&m, SpvOpTypeStruct, node, m.f32, p);
   EMIT(&m, SpvOpTypePointer, p, SpvStorageClassPhysicalStorageBuffer, node);
   EMIT(&m, SpvOpTypeStruct, fresh(&m), p, node);
   struct pv_spirv_shape s;
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.depth, 2);
   assert_int_equal(s.size, 1 + 1 + (1 + 1 + 1));
   free(m.w);

   for (uint32_t n = 200; n <= 300; n += 100) {
      m = begin();
      p = fresh(&m);
      EMIT(&m, SpvOpTypeForwardPointer, p, SpvStorageClassPhysicalStorageBuffer);
      for (uint32_t k = 0; k < n; k++)
         EMIT(&m, SpvOpTypePointer, fresh(&m), SpvStorageClassPhysicalStorageBuffer, p);
      uint32_t wide = wide_struct(&m);
      EMIT(&m, SpvOpTypePointer, p, SpvStorageClassPhysicalStorageBuffer, wide);
      if (n == 200) {
         assert_null(shape_of(&m, &s));
         assert_int_equal(s.copies, (n + 1) * 16383);
         free(m.w);
      } else {
         refused_for(&m, "4,194,304");
      }
   }
}

/* c_0 a specialization constant, c_k = c_(k-1) + c_(k-1) (or the composite {c_(k-1),
 * c_(k-1)}): 2^(k+1) - 1 paths. */
static void
spec_dag(struct mod *m, uint32_t deep, bool composite)
{
   uint32_t prev = fresh(m);
   EMIT(m, SpvOpSpecConstant, m->u32, prev, 1);
   for (uint32_t k = 0; k < deep; k++) {
      uint32_t id = fresh(m);
      if (composite)
         EMIT(m, SpvOpSpecConstantComposite, m->u32, id, prev, prev);
      else
         EMIT(m, SpvOpSpecConstantOp, m->u32, id, SpvOpIAdd, prev, prev);
      prev = id;
   }
}

/* Doubling DAGs: 15 levels are 65,535 paths, taken; 16 and 17 refused (30 took SPIRV-Cross
 * 11.5 s, doubling per level). */
static void
spec_dags(void **state)
{
   (void)state;
   struct pv_spirv_shape s;
   for (int composite = 0; composite < 2; composite++) {
      struct mod m = begin();
      spec_dag(&m, 10, composite);
      assert_null(shape_of(&m, &s));
      assert_int_equal(s.spec_depth, 10);
      assert_int_equal(s.spec_paths, 2047);
      free(m.w);

      m = begin();
      spec_dag(&m, 15, composite);
      assert_null(shape_of(&m, &s));
      assert_int_equal(s.spec_paths, 65535);
      free(m.w);

      m = begin();
      spec_dag(&m, 16, composite);
      refused_for(&m, "65,536 paths");
      m = begin();
      spec_dag(&m, 17, composite);
      refused_for(&m, "65,536 paths");
   }
}

/* c_k = c_(k-1) + 1 (a chain of 1M overflowed SPIRV-Cross's stack): 255 deep taken, 256 and
 * 300 refused. A literal operand (CompositeExtract's index) that is no specialization constant
 * is a leaf; plain constants are not counted. */
static const char *
spec_chain(uint32_t deep, struct pv_spirv_shape *s)
{
   struct mod m = begin();
   uint32_t prev = fresh(&m);
   EMIT(&m, SpvOpSpecConstantTrue, m.u32, prev);
   for (uint32_t k = 0; k < deep; k++) {
      uint32_t id = fresh(&m);
      if (k % 3 == 2)
         EMIT(&m, SpvOpSpecConstantOp, m.u32, id, SpvOpCompositeExtract, prev, 0);
      else
         EMIT(&m, SpvOpSpecConstantOp, m.u32, id, SpvOpIAdd, prev, m.one);
      prev = id;
   }
   const char *why = shape_of(&m, s);
   free(m.w);
   return why;
}

static void
spec_chains(void **state)
{
   (void)state;
   struct pv_spirv_shape s;
   assert_null(spec_chain(0, &s));
   assert_int_equal(s.spec_depth, 0);
   assert_int_equal(s.spec_paths, 1);
   assert_null(spec_chain(200, &s));
   assert_int_equal(s.spec_depth, 200);
   assert_int_equal(s.spec_paths, 201);
   assert_null(spec_chain(255, &s));
   assert_non_null(strstr(spec_chain(256, &s), "255 deep"));
   assert_non_null(strstr(spec_chain(300, &s), "255 deep"));

   /* an operation of plain constants alone is 1 deep */
   struct mod m = begin();
   EMIT(&m, SpvOpSpecConstantOp, m.u32, fresh(&m), SpvOpIAdd, m.one, m.one);
   assert_null(shape_of(&m, &s));
   assert_int_equal(s.spec_depth, 1);
   free(m.w);
}

/* A type or expression named again and again: Private variables of a type of 65,536 types
 * (1,000 of them took spvValidate 4.2 s) and arrays whose length is an expression of 65,535
 * paths (SPIRV-Cross walks it per array); 100 taken, 130 refused. Debug and annotation
 * instructions do not count. */
static const char *
named_again(uint32_t n, bool arrays, struct pv_spirv_shape *s)
{
   struct mod m = begin();
   uint32_t top = fan(&m, 2, 15), ptr = fresh(&m), len = m.next + 15;
   EMIT(&m, SpvOpTypePointer, ptr, SpvStorageClassPrivate, top);
   for (uint32_t k = 0; k < 1000; k++) {
      EMIT(&m, SpvOpDecorate, ptr, SpvDecorationRelaxedPrecision);
      EMIT(&m, SpvOpName, ptr, 0);
   }
   spec_dag(&m, 15, false);
   for (uint32_t k = 0; k < n; k++)
      if (arrays)
         EMIT(&m, SpvOpTypeArray, fresh(&m), m.f32, len);
      else
         EMIT(&m, SpvOpVariable, ptr, fresh(&m), SpvStorageClassPrivate);
   const char *why = shape_of(&m, s);
   free(m.w);
   return why;
}

static void
walk_budget(void **state)
{
   (void)state;
   struct pv_spirv_shape s;
   for (int arrays = 0; arrays < 2; arrays++) {
      assert_null(named_again(0, arrays, &s));
      uint64_t base = s.walks;
      assert_true(base < 4 * 65536);
      assert_null(named_again(100, arrays, &s));
      assert_int_equal(s.walks, base + 100 * 65536);
      const char *why = named_again(130, arrays, &s);
      assert_non_null(why);
      assert_non_null(strstr(why, "8,388,608"));
   }
}

/* A value of one float 254 deep (255 types: 65,025 per move) loaded, stored or copied whole
 * again and again: natively, 1,000 loads of it took lavapipe 6.5 s to compile, 1,000 copies
 * 14 s. The variable and the pointer to it cost a word each; 128 loads or 64 copies taken. */
enum move { LOADS, STORES, COPIES };

static const char *
moved(uint32_t n, enum move how, struct pv_spirv_shape *s)
{
   struct mod m = begin();
   uint32_t top = chain(&m, MIXED, 254), ptr = fresh(&m), var = fresh(&m), val = fresh(&m);
   EMIT(&m, SpvOpTypePointer, ptr, SpvStorageClassFunction, top);
   EMIT(&m, SpvOpVariable, ptr, var, SpvStorageClassFunction);
   EMIT(&m, SpvOpLoad, top, val, var);
   for (uint32_t k = 0; k < n; k++)
      if (how == LOADS)
         EMIT(&m, SpvOpLoad, top, fresh(&m), var);
      else if (how == STORES)
         EMIT(&m, SpvOpStore, var, val);
      else
         EMIT(&m, SpvOpCopyMemory, var, var);
   const char *why = shape_of(&m, s);
   free(m.w);
   return why;
}

static void
move_budget(void **state)
{
   (void)state;
   struct pv_spirv_shape s;
   assert_null(moved(0, LOADS, &s));
   uint64_t base = s.moves;
   assert_true(base >= 65025 && base < 65025 + 16); /* the one load, the variable, constants */
   for (enum move how = LOADS; how <= COPIES; how++) {
      uint32_t per = how == COPIES ? 2 * 65025 : 65025, taken = how == COPIES ? 64 : 128;
      assert_null(moved(taken, how, &s));
      assert_int_equal(s.moves, base + (uint64_t)taken * per);
      const char *why = moved(taken + 1, how, &s);
      assert_non_null(why);
      assert_non_null(strstr(why, "a deep value moved again and again"));
   }
}

/* ----- entry points (src/vk/spirv_entries.c) ------------------------------------------------ */

/* `n` entry points named "e", each listing `v` interface ids: the same ids for all when
 * `shared`, ids of its own for each otherwise; why the module is refused, or NULL. */
static const char *
entries(uint32_t n, uint32_t v, bool shared)
{
   struct mod m = begin();
   uint32_t fn = fresh(&m), first = m.next;
   m.next += shared ? v : n * v;
   for (uint32_t e = 0; e < n; e++) {
      word(&m, (4 + v) << 16 | SpvOpEntryPoint);
      word(&m, SpvExecutionModelGLCompute);
      word(&m, fn);
      word(&m, 'e');
      for (uint32_t k = 0; k < v; k++)
         word(&m, first + (shared ? k : e * v + k));
   }
   m.w[3] = m.next;
   const char *why = pv_spirv_entry_violation(m.w, m.n);
   free(m.w);
   return why;
}

/* 16,000 entry points of one function (700 KB) took spvValidate and SPIRV-Cross 6 s each, 1,024
 * sharing 16 outputs 0.85 s each (they walk each id once per other entry point listing it). */
static void
entry_point_limits(void **state)
{
   (void)state;
   assert_null(entries(1024, 0, false));
   assert_non_null(strstr(entries(1025, 0, false), "more than 1,024 entry points"));
   assert_null(entries(1, 16384, false));
   assert_null(entries(64, 256, false));
   assert_non_null(strstr(entries(2, 8193, false), "16,384 interface ids"));
   /* shared: 64 ids listed 256 times each walk 64 x 256^2 = 4,194,304, taken */
   assert_null(entries(256, 64, true));
   assert_non_null(strstr(entries(512, 32, true), "more than 4,194,304 times"));
   assert_non_null(strstr(entries(1024, 16, true), "more than 4,194,304 times"));
}

/* ----- hostile words ------------------------------------------------------------------------ */

/* A module of every kind of declaration the scan follows. */
static struct mod
sample_module(void)
{
   struct mod m = begin();
   uint32_t p = fresh(&m), node = fresh(&m), vec = fresh(&m);
   EMIT(&m, SpvOpTypeForwardPointer, p, SpvStorageClassPhysicalStorageBuffer);
   EMIT(&m, SpvOpTypeVector, vec, m.f32, 4);
   EMIT(&m, SpvOpTypeStruct, node, vec, p);
   EMIT(&m, SpvOpTypePointer, p, SpvStorageClassPhysicalStorageBuffer, node);
   uint32_t arr = chain(&m, MIXED, 6), rt = fresh(&m);
   EMIT(&m, SpvOpTypeRuntimeArray, rt, arr);
   EMIT(&m, SpvOpTypeFunction, fresh(&m), rt, arr, p);
   fan(&m, 3, 3);
   spec_dag(&m, 4, false);
   spec_dag(&m, 3, true);
   return m;
}

/* Past the bound, declared twice, used before its declaration; malformed headers. */
static void
bad_ids(void **state)
{
   (void)state;
   struct mod m = begin();
   EMIT(&m, SpvOpTypeArray, fresh(&m), m.next + 5, m.one);
   refused_for(&m, "past the module's id bound");
   m = begin();
   EMIT(&m, SpvOpTypeStruct, m.next + 5);
   refused_for(&m, "past the module's id bound");
   m = begin();
   EMIT(&m, SpvOpSpecConstant, m.u32, m.next + 5, 1);
   refused_for(&m, "past the module's id bound");
   m = begin();
   EMIT(&m, SpvOpTypeStruct, fresh(&m), m.f32, UINT32_MAX);
   refused_for(&m, "past the module's id bound");

   m = begin();
   EMIT(&m, SpvOpTypeFloat, m.f32, 64);
   refused_for(&m, "declared twice");
   m = begin();
   EMIT(&m, SpvOpSpecConstant, m.u32, m.f32, 1);
   refused_for(&m, "declared twice");
   m = begin();
   EMIT(&m, SpvOpTypeForwardPointer, m.f32, SpvStorageClassPhysicalStorageBuffer);
   refused_for(&m, "after its declaration");

   /* a chain declared backwards: every link a forward reference */
   m = begin();
   uint32_t first = m.next;
   m.next += 300;
   for (uint32_t k = 0; k < 300; k++)
      EMIT(&m, SpvOpTypeArray, first + k, k == 299 ? m.f32 : first + k + 1, m.one);
   refused_for(&m, "used before its declaration");
   m = begin();
   uint32_t s = fresh(&m);
   EMIT(&m, SpvOpTypeStruct, s, s); /* itself: a leaf, the validator refuses it */
   assert_null(check(&m));

   /* a literal or a forward reference among a specialization's operands is a leaf */
   m = begin();
   uint32_t later = fresh(&m), c = fresh(&m);
   EMIT(&m, SpvOpSpecConstantOp, m.u32, c, SpvOpIAdd, later, UINT32_MAX);
   EMIT(&m, SpvOpSpecConstant, m.u32, later, 1);
   struct pv_spirv_shape sh;
   assert_null(shape_of(&m, &sh));
   assert_int_equal(sh.spec_paths, 1);
   free(m.w);

   const uint32_t header[] = {0x07230203u, 0x00010000u, 0, 0x3fffffu, 0, 0x00020011u, 1};
   uint32_t w[7];
   memcpy(w, header, sizeof(w));
   assert_null(pv_spirv_shape_violation(w, 7));
   assert_null(pv_spirv_shape_violation(w, 5)); /* no instruction */
   assert_null(pv_spirv_shape_violation(w, 0));
   assert_null(pv_spirv_shape_violation(NULL, 0));
   w[3] = 0x400000u;
   assert_non_null(strstr(pv_spirv_shape_violation(w, 7), "SPIR-V's limit"));
   w[3] = 0;
   assert_non_null(strstr(pv_spirv_shape_violation(w, 7), "of 0"));
}

/* Cut at every length, a word count of 0 or past the end, every word replaced: no read out of
 * bounds under ASan, whatever it answers. */
static void
malformed_is_safe(void **state)
{
   (void)state;
   struct mod m = sample_module();
   struct pv_spirv_shape s;
   assert_null(shape_of(&m, &s));
   assert_true(s.depth >= 7 && s.spec_paths == 31);
   size_t n = m.n;
   uint32_t *w = malloc(n * sizeof(*w));
   assert_non_null(w);
   for (size_t cut = 0; cut <= n; cut++) {
      memcpy(w, m.w, cut * sizeof(*w));
      pv_spirv_shape_violation(w, cut);
   }
   const uint32_t values[] = {0,          1,      0xffffffffu, 0x00010000u, 0x7fff0000u,
                              m.next - 1, m.next, m.next + 1,  0x0002001eu, 0xffff0000u};
   for (size_t i = 0; i < n; i++)
      for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
         memcpy(w, m.w, n * sizeof(*w));
         w[i] = values[v];
         pv_spirv_shape_violation(w, n);
         w[i] = (w[i] & 0xffff0000u) | (m.w[i] & 0xffffu); /* the same opcode, another count */
         pv_spirv_shape_violation(w, n);
      }
   free(w);
   free(m.w);
}

/* ----- real shaders -------------------------------------------------------------------------- */

#define SHADER(name)                                                                               \
   {                                                                                               \
      name, sizeof(name) / 4                                                                       \
   }

/* The unit shaders, compiled by glslang (and spirv-opt for the strip ones): all taken, far
 * below every limit. */
static void
real_shaders(void **state)
{
   (void)state;
   const struct {
      const uint32_t *w;
      size_t n;
   } shaders[] = {
      SHADER(pv_calls_comp_spv),
      SHADER(pv_compare_frag_spv),
      SHADER(pv_doubling_comp_spv),
      SHADER(pv_geometry_geom_spv),
      SHADER(pv_geometry_varyings_geom_spv),
      SHADER(pv_io_vert_spv),
      SHADER(pv_private_spec_comp_spv),
      SHADER(pv_reflect_comp_10_spv),
      SHADER(pv_reflect_comp_15_spv),
      SHADER(pv_shared_comp_spv),
      SHADER(pv_shared_const_comp_spv),
      SHADER(pv_shared_narrow_comp_spv),
      SHADER(pv_shared_spec_comp_spv),
      SHADER(pv_spec_div_comp_spv),
      SHADER(pv_strip_calls_geom_spv),
      SHADER(pv_strip_loop_geom_spv),
      SHADER(pv_ubos_comp_spv),
      SHADER(pv_unroll_comp_spv),
      SHADER(pv_values_big_comp_spv),
      SHADER(pv_values_small_comp_spv),
      SHADER(pv_workgroup_comp_spv),
   };
   for (size_t k = 0; k < sizeof(shaders) / sizeof(shaders[0]); k++) {
      struct pv_spirv_shape s;
      assert_null(pv_spirv_shape_measure(shaders[k].w, shaders[k].n, &s));
      assert_true(s.depth <= 8);
      assert_true(s.size <= 256);
      assert_true(s.copies <= 4096);
      assert_true(s.walks <= shaders[k].n); /* 280,050 for values_big's 1,190,238 words */
      assert_true(s.moves <= shaders[k].n); /* 280,019 for values_big */
      assert_true(s.spec_depth <= 8);
      assert_true(s.spec_paths <= 64);
   }
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(depth_limits),     cmocka_unit_test(fan_out),
      cmocka_unit_test(copy_budget),      cmocka_unit_test(wide_struct_copies),
      cmocka_unit_test(forward_pointers), cmocka_unit_test(spec_dags),
      cmocka_unit_test(spec_chains),      cmocka_unit_test(walk_budget),
      cmocka_unit_test(move_budget),      cmocka_unit_test(entry_point_limits),
      cmocka_unit_test(bad_ids),          cmocka_unit_test(malformed_is_safe),
      cmocka_unit_test(real_shaders),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
