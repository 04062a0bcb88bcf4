/* SPDX-License-Identifier: MIT */
/*
 * Unique names for the validator's error path (spirv_names.h; the twelfth reading, 2026-12-08).
 * When spvValidate (SPIRV-Tools 2023.1) refuses an instruction, its diagnostic disassembles it
 * with friendly names, and the name mapper it builds for that walks the whole module: an id
 * is named by its OpName, its BuiltIn decoration, or for types and constants by their
 * structure ("_arr_float_uint_4", "uint_4"). A name already taken is tried with "_0", "_1"
 * and so on until one is free, so k ids of one name cost k^2/2 tries: 8,192 OpName "a" or
 * 8,192 identical arrays, then one invalid instruction, held the guest's process for 33 s and
 * 34 s, and a module of a few megabytes could hold it for days.
 *
 * The validator is given a copy instead, in which each such id first gets an OpName "_<id>",
 * unique and taken by no name the mapper makes (it makes decimal numbers for other ids and
 * "_struct_<id>" for structs, and a name the mapper saved first wins over the later ones), so
 * every name is found at the first try. The copy is valid exactly when the module is:
 * - the names go where OpName belongs, before the first instruction of a later layout
 *   section than OpString's, so every instruction before and after them meets the same
 *   layout state as in the module;
 * - OpName may name any id, declared before or after it, and the validator's rules on an
 *   id's uses all take OpName, but one: a result of an 8- or 16-bit type of limited use
 *   (storage-only capabilities) may not be named. The ids named here are types (no type of
 *   their own), constants and BuiltIn variables (whose 8- and 16-bit forms are refused anyway:
 *   constants of those types, and BuiltIn on anything but a variable or a constant), and ids
 *   the module names itself, which already have an OpName among their uses;
 * - only instructions are added, none taken away or changed, and no rule asks for fewer.
 * The guest's module itself goes on unchanged to SPIRV-Cross and the driver.
 */
#include "vk/spirv_names.h"

#include <spirv_cross/spirv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vk/spirv_values.h"
#include "vk/spirv_words.h"

/* Whether the instruction belongs to a layout section up to OpString's: capabilities,
 * extensions, imports, the memory model, entry points, execution modes, the first debug
 * instructions. */
static bool
before_names(uint32_t op)
{
   switch (op) {
   case SpvOpCapability:
   case SpvOpExtension:
   case SpvOpExtInstImport:
   case SpvOpMemoryModel:
   case SpvOpEntryPoint:
   case SpvOpExecutionMode:
   case SpvOpExecutionModeId:
   case SpvOpString:
   case SpvOpSourceExtension:
   case SpvOpSource:
   case SpvOpSourceContinued:
   case SpvOpSamplerImageAddressingModeNV:
      return true;
   default:
      return false;
   }
}

static bool
is_constant(uint32_t op)
{
   return (op >= SpvOpConstantTrue && op <= SpvOpConstantNull) ||
          (op >= SpvOpSpecConstantTrue && op <= SpvOpSpecConstantOp);
}

/* The id the mapper would name from the instruction `in` of `len` words, or 0. */
static uint32_t
named_id(const uint32_t *in, uint32_t len)
{
   uint32_t op = in[0] & 0xffff;
   if (op == SpvOpName && len >= 2)
      return in[1];
   if (op == SpvOpDecorate && len >= 4 && in[2] == SpvDecorationBuiltIn)
      return in[1];
   if ((pv_spirv_is_type(op) || op == SpvOpTypeCooperativeMatrixNV) &&
       op != SpvOpTypeForwardPointer && len >= 2)
      return in[1];
   if (is_constant(op) && len >= 3)
      return in[2];
   return 0;
}

/* The name of `id` ("_<id>") in `s`; its length. */
static uint32_t
name_of(uint32_t id, char s[16])
{
   return (uint32_t)snprintf(s, 16, "_%u", id);
}

/* The words of an OpName of `id`: the opcode, the id, the string and its terminating 0. */
static uint32_t
name_words(uint32_t id)
{
   char s[16];
   return 2 + (name_of(id, s) + 4) / 4;
}

static uint32_t *
write_name(uint32_t *o, uint32_t id)
{
   char s[16];
   uint32_t len = name_of(id, s), n = 2 + (len + 4) / 4;
   o[0] = n << 16 | SpvOpName;
   o[1] = id;
   memset(o + 2, 0, (n - 2) * sizeof(*o));
   for (uint32_t k = 0; k < len; k++) /* a string's first byte is its first word's lowest */
      o[2 + k / 4] |= (uint32_t)(uint8_t)s[k] << (8 * (k % 4));
   return o + n;
}

/* Marks in `seen` (one bit per id below `bound`) the ids to name; returns the words their
 * names take, and in *at the word before which they go. */
static size_t
mark_ids(const uint32_t *words, size_t count, uint32_t bound, uint8_t *seen, size_t *at)
{
   size_t extra = 0;
   *at = count;
   for (size_t i = 5, len; i < count && (len = pv_spirv_len_at(words, count, i)); i += len) {
      if (*at == count && !before_names(words[i] & 0xffff))
         *at = i;
      uint32_t id = named_id(&words[i], (uint32_t)len);
      if (!id || id >= bound || seen[id / 8] & (1u << id % 8))
         continue;
      seen[id / 8] |= (uint8_t)(1u << id % 8);
      extra += name_words(id);
   }
   return extra;
}

bool
pv_spirv_named_copy(const uint32_t *words, size_t count, uint32_t **out, size_t *out_count)
{
   *out = NULL;
   *out_count = 0;
   const size_t header = 5;
   /* a bound past SPIR-V's is refused by the validator before any name is made */
   uint32_t bound = count > header ? words[3] : 0;
   if (!bound || bound > PV_SPIRV_MAX_ID_BOUND)
      return true;
   uint8_t *seen = calloc(bound / 8 + 1, 1);
   if (!seen)
      return false;
   size_t at;
   size_t extra = mark_ids(words, count, bound, seen, &at);
   uint32_t *copy = extra ? malloc((count + extra) * sizeof(*copy)) : NULL;
   if (extra && copy) {
      memcpy(copy, words, at * sizeof(*copy));
      uint32_t *o = copy + at;
      for (uint32_t id = 1; id < bound; id++)
         if (seen[id / 8] & (1u << id % 8))
            o = write_name(o, id);
      memcpy(o, words + at, (count - at) * sizeof(*copy));
      *out = copy;
      *out_count = count + extra;
   }
   free(seen);
   return !extra || copy;
}
