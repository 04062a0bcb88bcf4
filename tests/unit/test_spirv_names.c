/* SPDX-License-Identifier: MIT */
/*
 * The validator's copy with unique names (src/vk/spirv_names.c), on modules built here word by
 * word and on the unit shaders:
 * - 60,000 ids of one name, from OpName, identical arrays, identical constants or BuiltIn
 *   decorations, then one invalid instruction: refused at once (the mapper's quadratic renaming
 *   took 33 s for 8,192 and would take over half an hour here; the test's timeout fails it);
 * - the mapper's names on the copy (SPIRV-Tools' friendly disassembly) are "_<id>" for each of
 *   those ids, so none is ever tried twice;
 * - the copy's verdict equals the module's, for the unit shaders (16-bit storage-only values,
 *   which OpName may not name, among them) and for invalid modules: no memory model, OpName
 *   after a type, OpName of an id never declared, a module cut inside an OpName.
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
/* libspirv.h defines (not declares) this constant in C, as spirv_reflect.c's copy does too:
 * renamed here so that the two do not collide at link time */
#define kDefaultMaxIdBound pv_test_default_max_id_bound
#include <spirv-tools/libspirv.h>
#undef kDefaultMaxIdBound
#include <spirv_cross/spirv.h>

#include "vk/spirv_names.h"
#include "vk/spirv_reflect.h"

#include "calls_comp_spv.h"
#include "geometry_geom_spv.h"
#include "io_vert_spv.h"
#include "reflect_comp_15_spv.h"
#include "sample_mask_frag_spv.h"
#include "shared_narrow_comp_spv.h"
#include "storage16_comp_spv.h"
#include "ubos_comp_spv.h"
#include "spirv_test_words.h"

/* ----- a module, word by word --------------------------------------------------------------- */

struct mod {
   uint32_t *w;
   size_t n, cap;
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

/* The header (its bound set by finish) and the module's first instructions. */
static void
begin(struct mod *m, bool memory_model)
{
   const uint32_t header[] = {SpvMagicNumber, 0x00010000, 0, 0, 0};
   for (size_t k = 0; k < 5; k++)
      word(m, header[k]);
   EMIT(m, SpvOpCapability, SpvCapabilityShader);
   if (memory_model)
      EMIT(m, SpvOpMemoryModel, SpvAddressingModelLogical, SpvMemoryModelGLSL450);
}

static void
finish(struct mod *m, uint32_t bound)
{
   m->w[3] = bound;
}

/* OpName `id` "a" (one word of string). */
static void
name_a(struct mod *m, uint32_t id)
{
   EMIT(m, SpvOpName, id, 'a');
}

enum {
   UINT = 2,
   FOUR = 3,
   FLOAT = 4,
   V4 = 5,
   PTR = 6,
   BAD = 7, /* a second OpTypeInt 32 0: invalid */
   FIRST = 16,
};

/* The types every built module declares, then the invalid one. */
static void
base_types(struct mod *m)
{
   EMIT(m, SpvOpTypeInt, UINT, 32, 0);
   EMIT(m, SpvOpConstant, UINT, FOUR, 4);
   EMIT(m, SpvOpTypeFloat, FLOAT, 32);
   EMIT(m, SpvOpTypeVector, V4, FLOAT, 4);
   EMIT(m, SpvOpTypePointer, PTR, SpvStorageClassOutput, V4);
   EMIT(m, SpvOpTypeInt, BAD, 32, 0);
}

enum alike { BY_NAME, BY_ARRAY, BY_CONSTANT, BY_BUILTIN };

/* `n` ids from FIRST on that the mapper names alike, then an invalid instruction. */
static struct mod
alike_ids(enum alike how, uint32_t n)
{
   struct mod m = {0};
   begin(&m, true);
   for (uint32_t k = 0; how == BY_NAME && k < n; k++)
      name_a(&m, FIRST + k);
   for (uint32_t k = 0; how == BY_BUILTIN && k < n; k++)
      EMIT(&m, SpvOpDecorate, FIRST + k, SpvDecorationBuiltIn, SpvBuiltInPosition);
   base_types(&m);
   for (uint32_t k = 0; k < n; k++) {
      uint32_t id = FIRST + k;
      if (how == BY_NAME)
         EMIT(&m, SpvOpTypeStruct, id);
      else if (how == BY_ARRAY)
         EMIT(&m, SpvOpTypeArray, id, FLOAT, FOUR);
      else if (how == BY_CONSTANT)
         EMIT(&m, SpvOpConstant, UINT, id, 4);
      else
         EMIT(&m, SpvOpVariable, PTR, id, SpvStorageClassOutput);
   }
   finish(&m, FIRST + n);
   return m;
}

static void
refused_at_once(enum alike how)
{
   struct mod m = alike_ids(how, 60000);
   char err[512] = "";
   assert_false(
      pv_spirv_validate(m.w, m.n, pv_spirv_env(VK_API_VERSION_1_2, false), err, sizeof(err)));
   if (!strstr(err, "Duplicate non-aggregate type declarations"))
      fail_msg("refused for another reason: %s", err);
   free(m.w);
}

static void
repeated_names_refused_at_once(void **state)
{
   (void)state;
   refused_at_once(BY_NAME);
}

static void
identical_arrays_refused_at_once(void **state)
{
   (void)state;
   refused_at_once(BY_ARRAY);
}

static void
identical_constants_refused_at_once(void **state)
{
   (void)state;
   refused_at_once(BY_CONSTANT);
}

static void
repeated_builtins_refused_at_once(void **state)
{
   (void)state;
   refused_at_once(BY_BUILTIN);
}

/* ----- the mapper's names on the copy --------------------------------------------------------- */

/* The friendly disassembly of `words`. */
static char *
friendly_text(const uint32_t *words, size_t n)
{
   spv_context ctx = spvContextCreate(SPV_ENV_VULKAN_1_2);
   spv_text text = NULL;
   assert_int_equal(
      spvBinaryToText(ctx, words, n, SPV_BINARY_TO_TEXT_OPTION_FRIENDLY_NAMES, &text, NULL),
      SPV_SUCCESS);
   char *s = strndup(text->str, text->length);
   spvTextDestroy(text);
   spvContextDestroy(ctx);
   return s;
}

static void
mapper_takes_the_copys_names(void **state)
{
   (void)state;
   for (enum alike how = BY_NAME; how <= BY_BUILTIN; how++) {
      struct mod m = alike_ids(how, 8);
      uint32_t *copy = NULL;
      size_t n = 0;
      assert_true(pv_spirv_named_copy(m.w, m.n, &copy, &n));
      assert_non_null(copy);
      char *text = friendly_text(copy, n);
      for (uint32_t id = FIRST; id < FIRST + 8; id++) {
         char def[32];
         snprintf(def, sizeof(def), "%%_%u = Op", id);
         assert_non_null(strstr(text, def));
      }
      /* no name the mapper makes itself, and none tried twice */
      assert_null(strstr(text, "%a"));
      assert_null(strstr(text, "_arr_"));
      assert_null(strstr(text, "%uint_4"));
      assert_null(strstr(text, "gl_Position"));
      assert_null(strstr(text, "_0 = Op"));
      free(text);
      free(copy);
      free(m.w);
   }
}

static void
nothing_to_name_no_copy(void **state)
{
   (void)state;
   struct mod m = {0};
   begin(&m, true);
   EMIT(&m, SpvOpExtInstImport, 1, 0x4c534c47, 0x6474732e, 0x3035342e, 0); /* "GLSL.std.450" */
   finish(&m, 2);
   uint32_t *copy = (uint32_t *)&m;
   size_t n = 1;
   assert_true(pv_spirv_named_copy(m.w, m.n, &copy, &n));
   assert_null(copy);
   assert_int_equal(n, 0);
   free(m.w);
}

/* ----- the copy's verdict is the module's ---------------------------------------------------- */

static bool
valid(const uint32_t *words, size_t n)
{
   spv_context ctx = spvContextCreate(SPV_ENV_VULKAN_1_2);
   spv_const_binary_t bin = {words, n};
   spv_diagnostic diag = NULL;
   spv_result_t r = spvValidate(ctx, &bin, &diag);
   spvDiagnosticDestroy(diag);
   spvContextDestroy(ctx);
   return r == SPV_SUCCESS;
}

static void
same_verdict(const uint32_t *words, size_t n, bool expect)
{
   assert_int_equal(valid(words, n), expect);
   uint32_t *copy = NULL;
   size_t cn = 0;
   assert_true(pv_spirv_named_copy(words, n, &copy, &cn));
   assert_int_equal(valid(copy ? copy : words, copy ? cn : n), expect);
   free(copy);
}

#define SHADER(s)                                                                                  \
   {                                                                                               \
      s, sizeof(s) / sizeof(s[0])                                                                  \
   }

static void
shaders_keep_their_verdict(void **state)
{
   (void)state;
   const struct {
      const uint32_t *w;
      size_t n;
   } shaders[] = {
      SHADER(pv_storage16_comp_spv),   SHADER(pv_calls_comp_spv),
      SHADER(pv_geometry_geom_spv),    SHADER(pv_io_vert_spv),
      SHADER(pv_ubos_comp_spv),        SHADER(pv_reflect_comp_15_spv),
      SHADER(pv_sample_mask_frag_spv), SHADER(pv_shared_narrow_comp_spv),
   };
   for (size_t k = 0; k < sizeof(shaders) / sizeof(shaders[0]); k++) {
      uint32_t *copy = NULL;
      size_t n = 0;
      assert_true(pv_spirv_named_copy(shaders[k].w, shaders[k].n, &copy, &n));
      assert_non_null(copy); /* each names types and constants */
      free(copy);
      same_verdict(shaders[k].w, shaders[k].n, true);
   }
}

static void
invalid_modules_stay_invalid(void **state)
{
   (void)state;
   struct mod m = {0};
   begin(&m, false); /* no memory model */
   EMIT(&m, SpvOpTypeInt, UINT, 32, 0);
   finish(&m, 3);
   same_verdict(m.w, m.n, false);
   free(m.w);

   m = (struct mod){0};
   begin(&m, true);
   EMIT(&m, SpvOpTypeInt, UINT, 32, 0);
   name_a(&m, UINT); /* OpName after the types */
   finish(&m, 3);
   same_verdict(m.w, m.n, false);
   free(m.w);

   m = (struct mod){0};
   begin(&m, true);
   name_a(&m, 9); /* an id never declared */
   EMIT(&m, SpvOpTypeInt, UINT, 32, 0);
   finish(&m, 10);
   same_verdict(m.w, m.n, false);
   free(m.w);

   m = (struct mod){0};
   begin(&m, true);
   EMIT(&m, SpvOpTypeInt, UINT, 32, 0);
   word(&m, 4u << 16 | SpvOpName); /* an OpName cut off by the module's end */
   word(&m, UINT);
   finish(&m, 3);
   same_verdict(m.w, m.n, false);
   free(m.w);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(repeated_names_refused_at_once),
      cmocka_unit_test(identical_arrays_refused_at_once),
      cmocka_unit_test(identical_constants_refused_at_once),
      cmocka_unit_test(repeated_builtins_refused_at_once),
      cmocka_unit_test(mapper_takes_the_copys_names),
      cmocka_unit_test(nothing_to_name_no_copy),
      cmocka_unit_test(shaders_keep_their_verdict),
      cmocka_unit_test(invalid_modules_stay_invalid),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
