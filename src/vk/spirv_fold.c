/* SPDX-License-Identifier: MIT */
/*
 * A module's global constants and types evaluated with a pipeline's specialization data
 * (spirv_fold.h), as Mesa 22.3 and 25.0 evaluate them (spirv_to_nir.c vtn_handle_constant):
 * a specialization value replaces an OpSpecConstant's literal (and, Mesa being Mesa, an
 * OpSpecConstantOp's opcode when that is decorated with a SpecId), and the integer, logical
 * and comparison opcodes of OpSpecConstantOp fold as nir's constant folding does (a division
 * or remainder by 0 is 0, a shift count masked to the width, INT_MIN / -1 the wrapped
 * quotient). Anything else (a vector shuffle, a float) has no value here. Two passes over the
 * words in the module's order, in which every id is defined before it is used: nothing
 * recurses, whatever the nesting.
 */
#include "vk/spirv_fold.h"

#include <spirv_cross/spirv.h>
#include <stdlib.h>
#include <string.h>

#include "vk/spirv_words.h"

bool
pv_spirv_spec_raw(const VkSpecializationInfo *si, uint32_t id, uint64_t *v)
{
   for (uint32_t i = 0; si && si->pMapEntries && i < si->mapEntryCount; i++) {
      const VkSpecializationMapEntry *e = &si->pMapEntries[i];
      if (e->constantID != id)
         continue;
      uint64_t x = 0;
      size_t n = e->size == 1 || e->size == 2 || e->size == 4 || e->size == 8 ? e->size : 0;
      if (n && si->pData && (uint64_t)e->offset + n <= si->dataSize)
         memcpy(&x, (const uint8_t *)si->pData + e->offset, n); /* little-endian host */
      *v = x;
      return true;
   }
   return false;
}

/* What one global definition evaluates to: a scalar's value (of `width` bits, 1 for a bool), a
 * type's counted size. */
enum { VAL_NONE, VAL_SCALAR, VAL_SIZE, VAL_UNKNOWN_SIZE, VAL_EMPTY_SIZE };
enum { TRAP_NONE, TRAP_YES, TRAP_UNKNOWN };

struct val {
   uint32_t id, pos;
   uint8_t kind, width, is_signed;
   uint8_t trap; /* TRAP_*: a signed division whose folding traps the host, or may */
   uint64_t v; /* the scalar, or the size */
};

struct pv_spirv_fold {
   const uint32_t *globals;
   size_t nglobals;
   const VkSpecializationInfo *si;
   struct val *vals; /* sorted by id */
   size_t nvals;
   struct pv_spirv_pair *spec; /* (id, SpecId), sorted */
   size_t nspec;
   uint32_t *blocks; /* ids decorated Block, sorted */
   size_t nblocks;
};

static struct val *
val_of(const struct pv_spirv_fold *e, uint32_t id)
{
   struct val key = {.id = id};
   return pv_spirv_find(&key, e->vals, e->nvals, sizeof(key), pv_spirv_u32_cmp);
}

/* The specialization value of `id` when it is decorated with a SpecId that `si` sets. */
static bool
spec_of(const struct pv_spirv_fold *e, uint32_t id, uint64_t *v)
{
   struct pv_spirv_pair key = {id, 0};
   const struct pv_spirv_pair *p =
      pv_spirv_find(&key, e->spec, e->nspec, sizeof(key), pv_spirv_pair_cmp);
   return p && pv_spirv_spec_raw(e->si, p->b, v);
}

static uint64_t
mask(uint64_t v, unsigned width)
{
   return width >= 64 ? v : v & ((UINT64_C(1) << width) - 1);
}

static int64_t
sext(uint64_t v, unsigned width)
{
   if (width >= 64)
      return (int64_t)v;
   uint64_t sign = UINT64_C(1) << (width - 1);
   return (int64_t)((mask(v, width) ^ sign) - sign);
}

/* A scalar operand's value, false when it has none. */
static bool
scalar(const struct pv_spirv_fold *e, uint32_t id, uint64_t *v, unsigned *width)
{
   const struct val *x = val_of(e, id);
   if (!x || x->kind != VAL_SCALAR)
      return false;
   *v = x->v, *width = x->width;
   return true;
}

/* nir's folding of a binary integer or logical opcode at `width` bits (nir_opcodes.py). */
static bool
fold_binary(uint32_t op, uint64_t a, uint64_t b, unsigned width, uint64_t *r)
{
   int64_t sa = sext(a, width), sb = sext(b, width);
   unsigned sh = width >= 64 ? (unsigned)(b & 63) : (unsigned)(b & (width - 1));
   switch (op) {
   case SpvOpIAdd:
      *r = a + b;
      return true;
   case SpvOpISub:
      *r = a - b;
      return true;
   case SpvOpIMul:
      *r = a * b;
      return true;
   case SpvOpUDiv:
      *r = b ? mask(a, width) / mask(b, width) : 0;
      return true;
   case SpvOpUMod:
      *r = b ? mask(a, width) % mask(b, width) : 0;
      return true;
   case SpvOpSDiv:
      *r = !sb ? 0 : (sb == -1 ? (uint64_t)0 - (uint64_t)sa : (uint64_t)(sa / sb));
      return true;
   case SpvOpSRem:
      *r = !sb || sb == -1 ? 0 : (uint64_t)(sa % sb);
      return true;
   case SpvOpSMod: {
      int64_t m = !sb || sb == -1 ? 0 : sa % sb;
      *r = (uint64_t)(m != 0 && (m < 0) != (sb < 0) ? m + sb : m);
      return true;
   }
   case SpvOpShiftLeftLogical:
      *r = a << sh;
      return true;
   case SpvOpShiftRightLogical:
      *r = mask(a, width) >> sh;
      return true;
   case SpvOpShiftRightArithmetic:
      *r = (uint64_t)(sa >> sh);
      return true;
   case SpvOpBitwiseOr:
   case SpvOpLogicalOr:
      *r = a | b;
      return true;
   case SpvOpBitwiseXor:
      *r = a ^ b;
      return true;
   case SpvOpBitwiseAnd:
   case SpvOpLogicalAnd:
      *r = a & b;
      return true;
   default:
      return false;
   }
}

/* Comparisons: a bool from two integers (or bools) of `width` bits. */
static bool
fold_compare(uint32_t op, uint64_t a, uint64_t b, unsigned width, uint64_t *r)
{
   uint64_t ua = mask(a, width), ub = mask(b, width);
   int64_t sa = sext(a, width), sb = sext(b, width);
   switch (op) {
   case SpvOpIEqual:
   case SpvOpLogicalEqual:
      *r = ua == ub;
      return true;
   case SpvOpINotEqual:
   case SpvOpLogicalNotEqual:
      *r = ua != ub;
      return true;
   case SpvOpULessThan:
      *r = ua < ub;
      return true;
   case SpvOpSLessThan:
      *r = sa < sb;
      return true;
   case SpvOpUGreaterThan:
      *r = ua > ub;
      return true;
   case SpvOpSGreaterThan:
      *r = sa > sb;
      return true;
   case SpvOpULessThanEqual:
      *r = ua <= ub;
      return true;
   case SpvOpSLessThanEqual:
      *r = sa <= sb;
      return true;
   case SpvOpUGreaterThanEqual:
      *r = ua >= ub;
      return true;
   case SpvOpSGreaterThanEqual:
      *r = sa >= sb;
      return true;
   default:
      return false;
   }
}

/* The scalar a chain of literal indices selects in constant composite `id` (a null's parts
 * are 0). */
static bool
extract(const struct pv_spirv_fold *e, uint32_t id, const uint32_t *idx, uint32_t n, uint64_t *v)
{
   const uint32_t *g = e->globals;
   unsigned width;
   for (uint32_t k = 0; k < n; k++) {
      const struct val *x = val_of(e, id);
      if (!x)
         return false;
      uint32_t op = g[x->pos] & 0xffffu, len = pv_spirv_len_at(g, e->nglobals, x->pos);
      if (op == SpvOpConstantNull) {
         *v = 0;
         return true;
      }
      if ((op != SpvOpConstantComposite && op != SpvOpSpecConstantComposite) || len < 4 ||
          idx[k] >= len - 3)
         return false;
      id = g[x->pos + 3 + idx[k]];
   }
   return scalar(e, id, v, &width);
}

/* The opcode Mesa folds OpSpecConstantOp `in` with: a SpecId may replace it. */
static uint32_t
spec_opcode(const struct pv_spirv_fold *e, const uint32_t *in)
{
   uint64_t sv;
   return spec_of(e, in[2], &sv) ? (uint32_t)sv : in[3];
}

static bool
signed_division(uint32_t op)
{
   return op == SpvOpSDiv || op == SpvOpSRem || op == SpvOpSMod;
}

/* Mesa folds a signed division of specialization constants in C (nir_constant_expressions:
 * `src0 / src1` once src1 is not 0), where INT_MIN / -1 and INT_MIN % -1 at 32 and 64 bits
 * are x86's divide error: vkCreateComputePipelines died of SIGFPE on lavapipe 22.3.6 with
 * `const int C = A / -1` (and `A % -1`, and a 64-bit quotient) specialized to A = INT_MIN.
 * 8- and 16-bit operands are promoted to int first. */
static uint8_t
division_trap(uint64_t a, uint64_t b, unsigned width)
{
   bool wide = width == 32 || width == 64;
   return wide && mask(a, width) == UINT64_C(1) << (width - 1) &&
                mask(b, width) == mask(~0ull, width)
             ? TRAP_YES
             : TRAP_NONE;
}

/* An OpSpecConstantOp (`in`, `len` words) into x, whose width its result type gave; false when
 * it is not one this folds. */
static bool
fold_op(const struct pv_spirv_fold *e, const uint32_t *in, uint32_t len, struct val *x)
{
   uint32_t op = spec_opcode(e, in), na = len - 4;
   const uint32_t *a = in + 4;
   uint64_t v[3] = {0};
   unsigned w[3] = {0};
   if (op == SpvOpCompositeExtract)
      return na >= 2 && extract(e, a[0], a + 1, na - 1, &x->v);
   for (uint32_t k = 0; k < na && k < 3; k++)
      if (!scalar(e, a[k], &v[k], &w[k])) {
         x->trap = signed_division(op) ? TRAP_UNKNOWN : TRAP_NONE;
         return false;
      }
   if (na == 2 && signed_division(op))
      x->trap = division_trap(v[0], v[1], w[0]);
   if (na == 3 && op == SpvOpSelect) {
      x->v = v[0] & 1 ? v[1] : v[2];
      return true;
   }
   if (na == 1) {
      switch (op) {
      case SpvOpSConvert:
         x->v = (uint64_t)sext(v[0], w[0]);
         return true;
      case SpvOpUConvert:
         x->v = mask(v[0], w[0]);
         return true;
      case SpvOpSNegate:
         x->v = 0 - v[0];
         return true;
      case SpvOpNot:
         x->v = ~v[0];
         return true;
      case SpvOpLogicalNot:
         x->v = !(v[0] & 1);
         return true;
      default:
         return false;
      }
   }
   return na == 2 && (fold_compare(op, v[0], v[1], w[0], &x->v) ||
                      fold_binary(op, v[0], v[1], x->width, &x->v));
}

static uint64_t
times(uint64_t a, uint64_t b)
{
   return a && b > PV_SPIRV_FOLD_SIZE_MAX / a ? PV_SPIRV_FOLD_SIZE_MAX : a * b;
}

/* A composite type's size from its parts': `count` of `part`. */
static void
size_of_parts(struct val *x, const struct val *part, uint64_t count)
{
   x->kind = part ? part->kind : VAL_UNKNOWN_SIZE;
   if (x->kind == VAL_SIZE)
      x->v = times(count, part->v);
   else if (x->kind != VAL_EMPTY_SIZE)
      x->kind = VAL_UNKNOWN_SIZE;
}

/* An array's length, counted: a negative or wide one as too large, 0 as empty. */
static void
size_of_array(const struct pv_spirv_fold *e, struct val *x, const uint32_t *in)
{
   const struct val *elem = val_of(e, in[2]), *n = val_of(e, in[3]);
   if (!n || n->kind != VAL_SCALAR) {
      x->kind = VAL_UNKNOWN_SIZE;
      return;
   }
   uint64_t len = n->is_signed && sext(n->v, n->width) < 0 ? PV_SPIRV_FOLD_SIZE_MAX : n->v;
   if (len == 0) {
      x->kind = VAL_EMPTY_SIZE;
      return;
   }
   size_of_parts(x, elem, len);
}

/* The type at `in` into x. */
static void
size_of_type(const struct pv_spirv_fold *e, struct val *x, uint32_t op, const uint32_t *in,
             uint32_t len)
{
   x->kind = VAL_SIZE;
   if (len < (op == SpvOpTypeFloat                           ? 3u
              : op == SpvOpTypeBool || op == SpvOpTypeStruct ? 2u
                                                             : 4u) &&
       op != SpvOpTypePointer && op != SpvOpTypeRuntimeArray) {
      x->kind = VAL_UNKNOWN_SIZE; /* cut short: not valid SPIR-V */
      return;
   }
   switch (op) {
   case SpvOpTypeBool:
      x->v = 1, x->width = 1;
      break;
   case SpvOpTypeInt:
      x->v = in[2] / 8, x->width = (uint8_t)in[2], x->is_signed = in[3] != 0;
      break;
   case SpvOpTypeFloat:
      x->v = in[2] / 8;
      break;
   case SpvOpTypePointer:
      x->v = 8;
      break;
   case SpvOpTypeVector:
   case SpvOpTypeMatrix:
      size_of_parts(x, val_of(e, in[2]), in[3]);
      break;
   case SpvOpTypeArray:
      size_of_array(e, x, in);
      break;
   case SpvOpTypeStruct:
      x->v = 0;
      for (uint32_t k = 2; k < len && x->kind == VAL_SIZE; k++) {
         const struct val *m = val_of(e, in[k]);
         x->kind = m ? m->kind : VAL_UNKNOWN_SIZE;
         x->v = m && m->kind == VAL_SIZE ? x->v + m->v : x->v;
         x->v = x->v > PV_SPIRV_FOLD_SIZE_MAX ? PV_SPIRV_FOLD_SIZE_MAX : x->v;
      }
      break;
   default:
      x->v = 0;
      break; /* runtime arrays and opaque types take none here */
   }
}

/* The constant at `in` into x: its type's width and signedness, then its value. */
static void
value_of_constant(const struct pv_spirv_fold *e, struct val *x, uint32_t op, const uint32_t *in,
                  uint32_t len)
{
   const struct val *t = val_of(e, in[1]);
   uint64_t sv;
   if (!t || t->kind != VAL_SIZE || !t->width) {
      /* not an integer or bool scalar: a composite's parts are read where extracted; a vector
       * division is not folded here, so whether Mesa's traps is not known */
      if (op == SpvOpSpecConstantOp && len >= 4 && signed_division(spec_opcode(e, in)))
         x->trap = TRAP_UNKNOWN;
      return;
   }
   x->width = t->width, x->is_signed = t->is_signed;
   x->kind = VAL_SCALAR;
   switch (op) {
   case SpvOpConstantTrue:
      x->v = 1;
      break;
   case SpvOpConstantFalse:
   case SpvOpConstantNull:
      x->v = 0;
      break;
   case SpvOpSpecConstantTrue:
   case SpvOpSpecConstantFalse:
      x->v = spec_of(e, in[2], &sv) ? (uint32_t)sv != 0 : op == SpvOpSpecConstantTrue;
      break;
   case SpvOpConstant:
   case SpvOpSpecConstant:
      x->v = len < 4 ? 0 : len == 4 || x->width < 64 ? in[3] : in[3] | (uint64_t)in[4] << 32;
      if (op == SpvOpSpecConstant && spec_of(e, in[2], &sv))
         x->v = sv;
      break;
   case SpvOpSpecConstantOp:
      if (len < 4 || !fold_op(e, in, len, x))
         x->kind = VAL_NONE;
      break;
   default:
      x->kind = VAL_NONE;
      break;
   }
   x->v = mask(x->v, x->width);
}

/* Where a global instruction's result id is: 1 for types, 2 for constants and variables, 0
 * for one this does not evaluate. */
static unsigned
result_word(uint32_t op)
{
   switch (op) {
   case SpvOpTypeBool:
   case SpvOpTypeInt:
   case SpvOpTypeFloat:
   case SpvOpTypeVector:
   case SpvOpTypeMatrix:
   case SpvOpTypeArray:
   case SpvOpTypeRuntimeArray:
   case SpvOpTypeStruct:
   case SpvOpTypePointer:
      return 1;
   case SpvOpConstantTrue:
   case SpvOpConstantFalse:
   case SpvOpConstant:
   case SpvOpConstantComposite:
   case SpvOpConstantNull:
   case SpvOpSpecConstantTrue:
   case SpvOpSpecConstantFalse:
   case SpvOpSpecConstant:
   case SpvOpSpecConstantComposite:
   case SpvOpSpecConstantOp:
   case SpvOpVariable:
      return 2;
   default:
      return 0;
   }
}

/* Pass 1: the definitions (sorted by id), SpecIds and Block decorations of the globals. */
static bool
index_globals(struct pv_spirv_fold *e)
{
   const uint32_t *g = e->globals;
   size_t n = e->nglobals, capv = 0, capb = 0, caps = 0;
   uint32_t len;
   for (size_t i = 0; i < n && (len = pv_spirv_len_at(g, n, i)); i += len) {
      uint32_t op = g[i] & 0xffffu, r = result_word(op);
      bool dec = op == SpvOpDecorate && len >= 3;
      if (r && len > r) {
         if (e->nvals == capv) {
            capv = capv ? capv * 2 : 64;
            struct val *v = realloc(e->vals, capv * sizeof(*v));
            if (!v)
               return false;
            e->vals = v;
         }
         e->vals[e->nvals++] = (struct val){.id = g[i + r], .pos = (uint32_t)i};
      } else if (dec && g[i + 2] == SpvDecorationSpecId && len >= 4) {
         if (!pv_spirv_push_pair(&e->spec, &e->nspec, &caps, g[i + 1], g[i + 3]))
            return false;
      } else if (dec && g[i + 2] == SpvDecorationBlock &&
                 !pv_spirv_push_u32(&e->blocks, &e->nblocks, &capb, g[i + 1])) {
         return false;
      }
   }
   pv_spirv_sort(e->vals, e->nvals, sizeof(*e->vals), pv_spirv_u32_cmp);
   pv_spirv_sort(e->spec, e->nspec, sizeof(*e->spec), pv_spirv_pair_cmp);
   pv_spirv_sort(e->blocks, e->nblocks, sizeof(*e->blocks), pv_spirv_u32_cmp);
   return true;
}

/* Pass 2, in the module's order (each id is defined before it is used): every type's size and
 * every scalar constant's value. */
static void
evaluate(struct pv_spirv_fold *e)
{
   const uint32_t *g = e->globals;
   size_t n = e->nglobals;
   uint32_t len;
   for (size_t i = 0; i < n && (len = pv_spirv_len_at(g, n, i)); i += len) {
      uint32_t op = g[i] & 0xffffu, r = result_word(op);
      struct val *x = r && len > r ? val_of(e, g[i + r]) : NULL;
      if (!x || x->pos != i)
         continue; /* an id defined twice (not valid SPIR-V): the first one counts */
      if (r == 1)
         size_of_type(e, x, op, g + i, len);
      else if (op != SpvOpVariable)
         value_of_constant(e, x, op, g + i, len);
   }
}

struct pv_spirv_fold *
pv_spirv_fold_new(const uint32_t *globals, size_t n, const VkSpecializationInfo *si)
{
   struct pv_spirv_fold *e = calloc(1, sizeof(*e));
   if (!e)
      return NULL;
   *e = (struct pv_spirv_fold){.globals = globals, .nglobals = n, .si = si};
   if (!index_globals(e)) {
      pv_spirv_fold_free(e);
      return NULL;
   }
   evaluate(e);
   return e;
}

void
pv_spirv_fold_free(struct pv_spirv_fold *e)
{
   if (!e)
      return;
   free(e->vals), free(e->spec), free(e->blocks);
   free(e);
}

enum pv_spirv_fold_size
pv_spirv_fold_size(const struct pv_spirv_fold *e, uint32_t type, uint64_t *bytes, bool *block)
{
   const struct val *t = val_of(e, type);
   *block = pv_spirv_find(&type, e->blocks, e->nblocks, sizeof(type), pv_spirv_u32_cmp) != NULL;
   *bytes = t && t->kind == VAL_SIZE ? t->v : 0;
   return !t || t->kind == VAL_UNKNOWN_SIZE || t->kind == VAL_NONE || t->kind == VAL_SCALAR
             ? PV_SPIRV_FOLD_UNKNOWN
          : t->kind == VAL_EMPTY_SIZE ? PV_SPIRV_FOLD_EMPTY
                                      : PV_SPIRV_FOLD_SIZED;
}

const char *
pv_spirv_fold_trap(const struct pv_spirv_fold *e)
{
   const char *why = NULL;
   for (size_t i = 0; i < e->nvals; i++) {
      if (e->vals[i].trap == TRAP_YES)
         return "a specialization constant dividing INT_MIN by -1 (Mesa's folding of it traps)";
      if (e->vals[i].trap == TRAP_UNKNOWN)
         why = "a signed division of specialization constants this server cannot evaluate";
   }
   return why;
}

uint32_t
pv_spirv_fold_pointee(const struct pv_spirv_fold *e, uint32_t pointer)
{
   const struct val *p = val_of(e, pointer);
   return p && (e->globals[p->pos] & 0xffffu) == SpvOpTypePointer &&
                pv_spirv_len_at(e->globals, e->nglobals, p->pos) >= 4
             ? e->globals[p->pos + 3]
             : 0;
}
