/* SPDX-License-Identifier: MIT */
/*
 * fuzz_spirv: the guest-SPIR-V path of vkCreateShaderModule (src/vk/spirv_reflect.h) on its
 * own: validation (SPIRV-Tools) and, for what it accepts, reflection (SPIRV-Cross, which is not
 * written for hostile input: only validated modules reach it, and this is where that is
 * exercised). The input is the module's bytes (whole words; a trailing partial word is
 * dropped, as vkCreateShaderModule refuses it), tried for a Vulkan 1.0 and a 1.3 device. Seeds:
 * the e2e and unit-test shaders, compiled. fuzz_hostile reaches the same code from real
 * recorded streams, at a few inputs per second; this runs thousands.
 *
 * A module the validator takes also goes through lavapipe's bound of strip geometry shaders
 * (src/vk/spirv_bound.h) and its clamp of Workgroup indices (src/vk/spirv_shared.h): a
 * rewritten module the validator then refuses is our bug, and aborts (the server would refuse
 * it, so a guest would only lose a valid shader). Its variables are counted for each entry
 * point (src/vk/spirv_var_size.h) with specialization values taken from the input's first
 * words, so that specialized lengths and opcodes are reached too.
 *
 * The validator is given a copy with unique names (src/vk/spirv_names.h), claimed valid exactly
 * when the module is: for inputs small enough that the module's own names cost little, both
 * are validated, and differing verdicts abort.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PV_FUZZ_NO_HOST_VULKAN
#include "fuzz_common.h"
/* libspirv.h defines (not declares) this constant in C, as spirv_reflect.c's copy does too */
#define kDefaultMaxIdBound pv_fuzz_default_max_id_bound
#include <spirv-tools/libspirv.h>
#undef kDefaultMaxIdBound
#include "vk/spirv_bound.h"
#include "vk/spirv_names.h"
#include "vk/spirv_reflect.h"
#include "vk/spirv_loops.h"
#include "vk/spirv_shared.h"
#include "vk/spirv_values.h"
#include "vk/spirv_var_size.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint32_t sink;

/* Specialization constants 0-7 set from the module's own words after its header (any values
 * reach the evaluation of lengths that way), of entry sizes 4 and 8 alternating. */
static const VkSpecializationInfo *
spec_of_input(const uint32_t *words, size_t n)
{
   static VkSpecializationMapEntry e[8];
   static uint32_t data[16];
   static VkSpecializationInfo si;
   memset(data, 0, sizeof(data));
   for (uint32_t i = 0; i < 8; i++)
      e[i] = (VkSpecializationMapEntry){i, i * 8, i % 2 ? 8 : 4};
   for (size_t i = 0; i < 16 && 5 + i < n; i++)
      data[i] = words[5 + i];
   si = (VkSpecializationInfo){8, e, sizeof(data), data};
   return &si;
}

static bool
valid_as_is(spv_context ctx, const uint32_t *words, size_t n)
{
   spv_const_binary_t bin = {words, n};
   spv_diagnostic diag = NULL;
   spv_result_t r = spvValidate(ctx, &bin, &diag);
   spvDiagnosticDestroy(diag);
   return r == SPV_SUCCESS;
}

/* The validator's verdict on the named copy must be the module's. */
static void
check_named_copy(const uint32_t *words, size_t n)
{
   static spv_context ctx;
   uint32_t *copy = NULL;
   size_t cn = 0;
   if (n > 4096 || !pv_spirv_named_copy(words, n, &copy, &cn) || !copy)
      return;
   if (!ctx)
      ctx = spvContextCreate(SPV_ENV_VULKAN_1_2);
   if (valid_as_is(ctx, words, n) != valid_as_is(ctx, copy, cn))
      abort();
   free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   static int quiet;
   if (!quiet++)
      pv_fuzz_quiet();
   size_t n = size / 4;
   uint32_t *words = malloc(n ? n * 4 : 4);
   if (!words)
      return 0;
   if (n)
      memcpy(words, data, n * 4);
   /* as the server does: the scans of unvalidated words first (spirv_reflect.h), and nothing
    * they refuse reaches the validator or SPIRV-Cross */
   const uint32_t versions[] = {VK_API_VERSION_1_0, VK_API_VERSION_1_3};
   bool unvalidated_ok = !pv_spirv_unvalidated_violation(words, n);
   if (unvalidated_ok)
      check_named_copy(words, n);
   for (int i = unvalidated_ok ? 0 : 2; i < 2; i++) {
      char err[256];
      const char *why = NULL;
      struct pv_spirv_module *m =
         pv_spirv_reflect(words, n, pv_spirv_env(versions[i], false), err, sizeof(err), &why);
      /* what the pipeline checks read of it */
      for (uint32_t e = 0; m && e < m->count; e++) {
         const struct pv_spirv_entry *ep = &m->entries[e];
         if (pv_spirv_entry_find(m, ep->name, ep->stage) == NULL)
            abort(); /* an entry point must be found by its own name and stage */
         for (uint32_t r = 0; r < ep->count; r++) /* every element read: ASan sees a bad array */
            sink += ep->res[r].set + ep->res[r].binding + ep->res[r].count + ep->res[r].types;
         const char *size_why = NULL;
         struct pv_spirv_var_bytes b;
         if (pv_spirv_var_bytes_of(m->vars, ep->name, ep->model, spec_of_input(words, n), true,
                                   true, &b, &size_why))
            sink += (uint32_t)(b.workgroup + b.invocation);
         sink += (uint32_t)pv_spirv_inlined_words(m->vars, ep->name, ep->model);
      }
      /* lavapipe's rewrites (spirv_bound.h, spirv_shared.h, spirv_loops.h) of a module it
       * takes */
      const char *(*const rewrites[])(const uint32_t *, size_t, uint32_t **, size_t *) = {
         pv_spirv_bound_strips, pv_spirv_guard_shared, pv_spirv_plain_loops};
      for (int k = 0; m && k < 3; k++) {
         uint32_t *out = NULL;
         size_t out_n = 0;
         rewrites[k](words, n, &out, &out_n);
         if (out &&
             !pv_spirv_validate(out, out_n, pv_spirv_env(versions[i], false), err, sizeof(err)))
            abort();
         free(out);
      }
      pv_spirv_module_free(m);
   }
   free(words);
   return 0;
}
