/* SPDX-License-Identifier: MIT */
/*
 * Aggregate values past PV_SPIRV_MAX_VALUE_SCALARS (spirv_values.h), refused. Mesa's
 * spirv_to_nir builds every constant, null and undefined value element by element, and a load
 * or copy of an aggregate becomes one access per element: an unused OpConstantNull of an array
 * of 2^32 - 1 elements wrote through a failed allocation (SIGSEGV), one of 2^26 took 569 MiB,
 * an OpUndef of float[1024][4096] 860 MiB and a whole-array OpLoad of a storage buffer 3.2 GiB
 * (natively on lavapipe 22.3.6, the tenth reading's shader sweep). spvValidate accepts them
 * all and Vulkan sets no limit; no shader of the e2e, piglit or ffmpeg workloads comes near.
 * Our own reflection is the first to meet them: SPIRV-Cross makes an element per element of a
 * null constant, so the 2^32 - 1 one threw std::bad_alloc out of it and aborted the process.
 * The scan therefore runs on every host, before reflection, on a module not yet validated:
 * every index it follows is checked.
 */
#include "vk/spirv_values.h"

#include <spirv_cross/spirv.h>
#include <stdbool.h>
#include <stdlib.h>

#include "vk/spirv_words.h"

#define TOO_MANY UINT64_MAX

struct values {
   uint32_t bound;
   uint64_t *scalars;  /* per type id: how many scalars a value of it holds; 0: not a type */
   uint32_t *type_of;  /* per result id: its type id (values and pointers we follow) */
   uint32_t *pointee;  /* per pointer type id: the type it points to */
   uint64_t *constant; /* per id: an OpConstant's value + 1; 0: not a plain constant */
};

static uint64_t
mul(uint64_t a, uint64_t b)
{
   return a && b > TOO_MANY / a ? TOO_MANY : a * b;
}

static uint64_t
add(uint64_t a, uint64_t b)
{
   return a > TOO_MANY - b ? TOO_MANY : a + b;
}

static uint64_t
scalars_of(const struct values *v, uint32_t id)
{
   return id < v->bound && v->scalars[id] ? v->scalars[id] : TOO_MANY;
}

/* A type's scalar count from its declaration (types come before their uses). */
static void
type_decl(struct values *v, uint32_t op, const uint32_t *in, uint32_t len)
{
   uint32_t id = len >= 2 ? in[1] : UINT32_MAX;
   if (id >= v->bound)
      return;
   switch (op) {
   case SpvOpTypeVector:
   case SpvOpTypeMatrix:
      v->scalars[id] = len >= 4 ? mul(scalars_of(v, in[2]), in[3]) : TOO_MANY;
      return;
   case SpvOpTypeArray: {
      uint64_t c = len >= 4 && in[3] < v->bound ? v->constant[in[3]] : 0;
      v->scalars[id] = c ? mul(scalars_of(v, in[2]), c - 1) : TOO_MANY; /* spec lengths too */
      return;
   }
   case SpvOpTypeStruct: {
      uint64_t sum = 0;
      for (uint32_t k = 2; k < len; k++)
         sum = add(sum, scalars_of(v, in[k]));
      v->scalars[id] = sum ? sum : 1;
      return;
   }
   case SpvOpTypePointer:
      v->scalars[id] = 1;
      if (len >= 4)
         v->pointee[id] = in[3];
      return;
   default: /* scalars, opaque types, runtime arrays (never a whole value) */
      v->scalars[id] = 1;
      return;
   }
}

static bool
is_type(uint32_t op)
{
   return (op >= SpvOpTypeVoid && op <= SpvOpTypeForwardPointer) ||
          op == SpvOpTypeAccelerationStructureKHR || op == SpvOpTypeRayQueryKHR;
}

/* Whether the instruction's result is a value whose size we hold to the limit. */
static bool
makes_value(uint32_t op)
{
   switch (op) {
   case SpvOpUndef:
   case SpvOpConstantComposite:
   case SpvOpConstantNull:
   case SpvOpSpecConstantComposite:
   case SpvOpFunctionParameter:
   case SpvOpFunctionCall:
   case SpvOpLoad:
   case SpvOpCompositeConstruct:
   case SpvOpCompositeInsert:
   case SpvOpCopyObject:
   case SpvOpCopyLogical:
   case SpvOpSelect:
   case SpvOpPhi:
      return true;
   default:
      return false;
   }
}

/* The scalars a memory copy moves: its target pointer's pointee. */
static uint64_t
copy_scalars(const struct values *v, const uint32_t *in, uint32_t len)
{
   uint32_t ptr = len >= 2 && in[1] < v->bound ? v->type_of[in[1]] : 0;
   uint32_t t = ptr && ptr < v->bound ? v->pointee[ptr] : 0;
   return t ? scalars_of(v, t) : 0; /* a pointer we did not follow: not a variable's */
}

/* One instruction: records types, constants and result types; NULL or why it is refused. */
static const char *
visit(struct values *v, const uint32_t *in, uint32_t len)
{
   uint32_t op = in[0] & 0xffff;
   if (is_type(op)) {
      type_decl(v, op, in, len);
      return NULL;
   }
   if (op == SpvOpConstant && len >= 4 && in[2] < v->bound) /* a 64-bit one past 2^32: too many */
      v->constant[in[2]] = len >= 5 && in[4] ? TOO_MANY : (uint64_t)in[3] + 1;
   if ((op == SpvOpVariable || op == SpvOpAccessChain || op == SpvOpInBoundsAccessChain) &&
       len >= 3 && in[2] < v->bound)
      v->type_of[in[2]] = in[1];
   if (makes_value(op) && len >= 3 && in[1] < v->bound &&
       scalars_of(v, in[1]) > PV_SPIRV_MAX_VALUE_SCALARS)
      return "a value of more than 65,536 scalars (a constant, null, undefined, loaded or "
             "built aggregate)";
   if ((op == SpvOpCopyMemory || op == SpvOpCopyMemorySized) &&
       copy_scalars(v, in, len) > PV_SPIRV_MAX_VALUE_SCALARS)
      return "a memory copy of more than 65,536 scalars";
   return NULL;
}

const char *
pv_spirv_value_violation(const uint32_t *words, size_t count)
{
   const size_t header = 5;
   if (count <= header)
      return NULL;
   if (words[3] > PV_SPIRV_MAX_ID_BOUND)
      return "an id bound past SPIR-V's limit";
   struct values v = {.bound = words[3]};
   v.scalars = calloc(v.bound, sizeof(*v.scalars));
   v.type_of = calloc(v.bound, sizeof(*v.type_of));
   v.pointee = calloc(v.bound, sizeof(*v.pointee));
   v.constant = calloc(v.bound, sizeof(*v.constant));
   const char *why = v.scalars && v.type_of && v.pointee && v.constant ? NULL : "no memory";
   for (size_t i = header, len; !why && i < count && (len = pv_spirv_len_at(words, count, i));
        i += len)
      why = visit(&v, &words[i], (uint32_t)len);
   free(v.scalars), free(v.type_of), free(v.pointee), free(v.constant);
   return why;
}
