/* SPDX-License-Identifier: MIT */
/*
 * The Workgroup (shared) memory of an entry point after specialization (spirv_shared_size.h).
 *
 * Vulkan bounds it by maxComputeSharedMemorySize (VUID-RuntimeSpirv-Workgroup-06530), and
 * nothing on the way to lavapipe checks that: spirv_to_nir lays the variables out in a 32-bit
 * size (nir shader_info.shared_size), llvmpipe REALLOCs a block of that size per thread of its
 * pool (lp_state_cs.c cs_exec_fn) and the JIT addresses the variables at their real offsets.
 * `shared uint s[N]` specialized to N = 0x40000001 is 4 GiB + 4 bytes, which wraps to a block of
 * 4: every element past the first is the heap's. A length of 0 after specialization (SPIR-V
 * requires at least 1) leaves the block unallocated (NULL). Both are guest values, so the
 * pipeline's size is checked once its specialization is known.
 *
 * The size counted is the least any layout can take (no padding, a bool 1 byte): a pipeline
 * refused for it is past the limit under every layout, so the check is never stricter than
 * Vulkan, and one it takes is at most a few times the limit on the host (lavapipe pads and
 * stores a bool in 4 bytes), far from a wrap. Blocks of an explicit layout
 * (VK_KHR_workgroup_memory_explicit_layout) alias one another and count as the largest.
 *
 * Lengths are evaluated as Mesa 22.3 and 25.0 evaluate them (spirv_to_nir.c
 * vtn_handle_constant): a specialization value replaces an OpSpecConstant's literal (and, Mesa
 * being Mesa, an OpSpecConstantOp's opcode when that is decorated with a SpecId), and the
 * integer, logical and comparison opcodes of OpSpecConstantOp fold as nir's constant folding
 * does (a division or remainder by 0 is 0, a shift count masked to the width). A length made
 * of anything else (a vector shuffle, a float) cannot be evaluated, and its pipeline is
 * refused: the one case where this check may refuse a legal pipeline.
 *
 * Which variables an entry point uses is its call tree's: every Workgroup variable that an
 * instruction of a function it reaches names (SPIR-V before 1.4 does not list them in the
 * entry point).
 */
#include "vk/spirv_shared_size.h"

#include <spirv_cross/spirv.h>
#include <stdlib.h>
#include <string.h>

#define SIZE_MAX_COUNTED (UINT64_C(1) << 62) /* sizes saturate here: far past any limit */

struct entry {
   char *name;
   uint32_t model;
   uint32_t *vars; /* Workgroup variable ids it uses */
   uint32_t nvars;
};

struct pv_spirv_shared_use {
   uint32_t *globals; /* the module's words before its first function, header excluded */
   size_t nglobals;
   struct entry *entries;
   uint32_t nentries;
};

/* ----- which variables each entry point uses --------------------------------------------- */

struct pair {
   uint32_t a, b;
};

struct scan {
   const uint32_t *w;
   size_t n, first_function;
   uint32_t *wg; /* Workgroup variable ids, sorted */
   size_t nwg;
   struct pair *funcs; /* (function id, index), sorted by id */
   size_t nfuncs;
   struct pair *refs; /* (function index, variable index) */
   size_t nrefs, caprefs;
   struct pair *calls; /* (caller index, callee id) */
   size_t ncalls, capcalls;
};

static int
u32_cmp(const void *a, const void *b)
{
   uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
   return x < y ? -1 : x > y;
}

static int
pair_cmp(const void *a, const void *b)
{
   return u32_cmp(&((const struct pair *)a)->a, &((const struct pair *)b)->a);
}

/* qsort and bsearch, which take no NULL array even of 0 elements. */
static void
sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
   if (n)
      qsort(v, n, size, cmp);
}

static void *
find(const void *key, const void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
   return n ? bsearch(key, v, n, size, cmp) : NULL;
}

static bool
push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
   if (*n == *cap) {
      size_t c = *cap ? *cap * 2 : 64;
      uint32_t *q = realloc(*v, c * sizeof(*q));
      if (!q)
         return false;
      *v = q, *cap = c;
   }
   (*v)[(*n)++] = x;
   return true;
}

static bool
push_pair(struct pair **v, size_t *n, size_t *cap, uint32_t a, uint32_t b)
{
   if (*n == *cap) {
      size_t c = *cap ? *cap * 2 : 64;
      struct pair *q = realloc(*v, c * sizeof(*q));
      if (!q)
         return false;
      *v = q, *cap = c;
   }
   (*v)[(*n)++] = (struct pair){a, b};
   return true;
}

/* Instruction length at `i`, 0 when the module ends there or is cut (validated: never). */
static uint32_t
len_at(const uint32_t *w, size_t n, size_t i)
{
   uint32_t len = w[i] >> 16;
   return len && len <= n - i ? len : 0;
}

/* The Workgroup variables and functions of the module. */
static bool
scan_globals(struct scan *s)
{
   size_t capwg = 0, capf = 0;
   uint32_t len;
   for (size_t i = 5; i < s->n && (len = len_at(s->w, s->n, i)); i += len) {
      uint32_t op = s->w[i] & 0xffffu;
      if (op == SpvOpFunction && len >= 3) {
         s->first_function = s->first_function ? s->first_function : i;
         if (!push_pair(&s->funcs, &s->nfuncs, &capf, s->w[i + 2], (uint32_t)s->nfuncs))
            return false;
      } else if (op == SpvOpVariable && len >= 4 && s->w[i + 3] == SpvStorageClassWorkgroup &&
                 !s->first_function && !push_u32(&s->wg, &s->nwg, &capwg, s->w[i + 2])) {
         return false;
      }
   }
   sort(s->wg, s->nwg, sizeof(*s->wg), u32_cmp);
   sort(s->funcs, s->nfuncs, sizeof(*s->funcs), pair_cmp);
   return true;
}

/* Every instruction of every function: the Workgroup variables it names, the functions it
 * calls. */
static bool
scan_functions(struct scan *s)
{
   uint32_t len, f = 0;
   bool in = false;
   for (size_t i = s->first_function; i && i < s->n && (len = len_at(s->w, s->n, i)); i += len) {
      uint32_t op = s->w[i] & 0xffffu;
      if (op == SpvOpFunction) {
         struct pair key = {len >= 3 ? s->w[i + 2] : 0, 0};
         const struct pair *p = find(&key, s->funcs, s->nfuncs, sizeof(key), pair_cmp);
         f = p ? p->b : 0, in = p != NULL;
         continue;
      }
      if (!in)
         continue;
      if (op == SpvOpFunctionCall && len >= 4 &&
          !push_pair(&s->calls, &s->ncalls, &s->capcalls, f, s->w[i + 3]))
         return false;
      for (uint32_t k = 1; k < len; k++) {
         const uint32_t *v = find(&s->w[i + k], s->wg, s->nwg, sizeof(*s->wg), u32_cmp);
         if (v && !push_pair(&s->refs, &s->nrefs, &s->caprefs, f, (uint32_t)(v - s->wg)))
            return false;
      }
   }
   return true;
}

/* The first of the calls (sorted by caller) that function `f` makes. */
static size_t
first_call(const struct scan *s, uint32_t f)
{
   size_t lo = 0, hi = s->ncalls;
   while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (s->calls[mid].a < f)
         lo = mid + 1;
      else
         hi = mid;
   }
   return lo;
}

/* The variables the call tree of function `root` names, into e. */
static bool
entry_vars(const struct scan *s, uint32_t root, struct entry *e)
{
   struct pair key = {root, 0};
   const struct pair *r = find(&key, s->funcs, s->nfuncs, sizeof(key), pair_cmp);
   bool *seen = calloc(s->nfuncs + 1, 1), *used = calloc(s->nwg + 1, 1);
   uint32_t *stack = malloc((s->nfuncs + 1) * sizeof(*stack));
   bool ok = seen && used && stack;
   size_t top = 0;
   if (ok && r)
      stack[top++] = r->b, seen[r->b] = true;
   while (ok && top) {
      uint32_t f = stack[--top];
      for (size_t c = first_call(s, f); c < s->ncalls && s->calls[c].a == f; c++) {
         key.a = s->calls[c].b;
         const struct pair *p = find(&key, s->funcs, s->nfuncs, sizeof(key), pair_cmp);
         if (p && !seen[p->b])
            stack[top++] = p->b, seen[p->b] = true;
      }
   }
   for (size_t k = 0; ok && k < s->nrefs; k++)
      used[s->refs[k].b] |= seen[s->refs[k].a];
   e->vars = ok ? malloc((s->nwg + 1) * sizeof(*e->vars)) : NULL;
   ok = ok && e->vars;
   for (size_t v = 0; ok && v < s->nwg; v++)
      if (used[v])
         e->vars[e->nvars++] = s->wg[v];
   free(seen), free(used), free(stack);
   return ok;
}

/* Each entry point's name, model and variables. */
static bool
scan_entries(const struct scan *s, struct pv_spirv_shared_use *u)
{
   uint32_t len;
   for (size_t i = 5; i < s->first_function && (len = len_at(s->w, s->n, i)); i += len) {
      if ((s->w[i] & 0xffffu) != SpvOpEntryPoint || len < 4)
         continue;
      struct entry *e = realloc(u->entries, (u->nentries + 1) * sizeof(*e));
      if (!e)
         return false;
      u->entries = e;
      e = &u->entries[u->nentries++];
      *e = (struct entry){.model = s->w[i + 1]};
      size_t max = (len - 3) * 4;
      const char *name = (const char *)&s->w[i + 3];
      e->name = malloc(max + 1);
      if (!e->name)
         return false;
      memcpy(e->name, name, max);
      e->name[max] = '\0';
      if (!entry_vars(s, s->w[i + 2], e))
         return false;
   }
   return true;
}

void
pv_spirv_shared_use_free(struct pv_spirv_shared_use *u)
{
   if (!u)
      return;
   for (uint32_t i = 0; i < u->nentries; i++)
      free(u->entries[i].name), free(u->entries[i].vars);
   free(u->entries);
   free(u->globals);
   free(u);
}

struct pv_spirv_shared_use *
pv_spirv_shared_use_new(const uint32_t *words, size_t count, bool *nomem)
{
   struct scan s = {.w = words, .n = count};
   struct pv_spirv_shared_use *u = NULL;
   *nomem = false;
   if (count < 5)
      return NULL;
   bool ok = scan_globals(&s);
   if (ok && s.nwg && s.first_function) {
      u = calloc(1, sizeof(*u));
      ok = u && scan_functions(&s);
      if (ok) /* by caller (stable order not needed) */
         sort(s.calls, s.ncalls, sizeof(*s.calls), pair_cmp);
      ok = ok && scan_entries(&s, u);
      if (ok) {
         u->nglobals = s.first_function - 5;
         u->globals = malloc(u->nglobals * sizeof(*u->globals));
         ok = u->globals != NULL;
      }
      if (ok)
         memcpy(u->globals, words + 5, u->nglobals * sizeof(*u->globals));
   }
   free(s.wg), free(s.funcs), free(s.refs), free(s.calls);
   if (!ok) {
      pv_spirv_shared_use_free(u);
      *nomem = true;
      return NULL;
   }
   return u;
}

/* ----- evaluation with the specialization data ------------------------------------------- */

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

struct val {
   uint32_t id, pos;
   uint8_t kind, width, is_signed;
   uint64_t v; /* the scalar, or the size */
};

struct eval {
   const struct pv_spirv_shared_use *u;
   const VkSpecializationInfo *si;
   struct val *vals; /* sorted by id */
   size_t nvals;
   struct pair *spec; /* (id, SpecId), sorted */
   size_t nspec;
   uint32_t *blocks; /* ids decorated Block, sorted */
   size_t nblocks;
};

static struct val *
val_of(const struct eval *e, uint32_t id)
{
   struct val key = {.id = id};
   return find(&key, e->vals, e->nvals, sizeof(key), u32_cmp);
}

/* The specialization value of `id` when it is decorated with a SpecId that `si` sets. */
static bool
spec_of(const struct eval *e, uint32_t id, uint64_t *v)
{
   struct pair key = {id, 0};
   const struct pair *p = find(&key, e->spec, e->nspec, sizeof(key), pair_cmp);
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
scalar(const struct eval *e, uint32_t id, uint64_t *v, unsigned *width)
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
extract(const struct eval *e, uint32_t id, const uint32_t *idx, uint32_t n, uint64_t *v)
{
   const uint32_t *g = e->u->globals;
   unsigned width;
   for (uint32_t k = 0; k < n; k++) {
      const struct val *x = val_of(e, id);
      if (!x)
         return false;
      uint32_t op = g[x->pos] & 0xffffu, len = len_at(g, e->u->nglobals, x->pos);
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

/* An OpSpecConstantOp (`in`, `len` words) into x, whose width its result type gave; false when
 * it is not one this folds. */
static bool
fold_op(const struct eval *e, const uint32_t *in, uint32_t len, struct val *x)
{
   uint32_t op = in[3], na = len - 4;
   const uint32_t *a = in + 4;
   uint64_t sv, v[3] = {0};
   unsigned w[3] = {0};
   if (spec_of(e, in[2], &sv)) /* Mesa lets a SpecId replace the opcode itself */
      op = (uint32_t)sv;
   if (op == SpvOpCompositeExtract)
      return na >= 2 && extract(e, a[0], a + 1, na - 1, &x->v);
   for (uint32_t k = 0; k < na && k < 3; k++)
      if (!scalar(e, a[k], &v[k], &w[k]))
         return false;
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
   return a && b > SIZE_MAX_COUNTED / a ? SIZE_MAX_COUNTED : a * b;
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
size_of_array(const struct eval *e, struct val *x, const uint32_t *in)
{
   const struct val *elem = val_of(e, in[2]), *n = val_of(e, in[3]);
   if (!n || n->kind != VAL_SCALAR) {
      x->kind = VAL_UNKNOWN_SIZE;
      return;
   }
   uint64_t len = n->is_signed && sext(n->v, n->width) < 0 ? SIZE_MAX_COUNTED : n->v;
   if (len == 0) {
      x->kind = VAL_EMPTY_SIZE;
      return;
   }
   size_of_parts(x, elem, len);
}

/* The type at `in` into x. */
static void
size_of_type(const struct eval *e, struct val *x, uint32_t op, const uint32_t *in, uint32_t len)
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
         x->v = x->v > SIZE_MAX_COUNTED ? SIZE_MAX_COUNTED : x->v;
      }
      break;
   default:
      x->v = 0;
      break; /* runtime arrays and opaque types take none here */
   }
}

/* The constant at `in` into x: its type's width and signedness, then its value. */
static void
value_of_constant(const struct eval *e, struct val *x, uint32_t op, const uint32_t *in,
                  uint32_t len)
{
   const struct val *t = val_of(e, in[1]);
   uint64_t sv;
   if (!t || t->kind != VAL_SIZE || !t->width)
      return; /* not an integer or bool scalar: a composite's parts are read where extracted */
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
index_globals(struct eval *e)
{
   const uint32_t *g = e->u->globals;
   size_t n = e->u->nglobals, capv = 0, capb = 0, caps = 0;
   uint32_t len;
   for (size_t i = 0; i < n && (len = len_at(g, n, i)); i += len) {
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
         if (!push_pair(&e->spec, &e->nspec, &caps, g[i + 1], g[i + 3]))
            return false;
      } else if (dec && g[i + 2] == SpvDecorationBlock &&
                 !push_u32(&e->blocks, &e->nblocks, &capb, g[i + 1])) {
         return false;
      }
   }
   sort(e->vals, e->nvals, sizeof(*e->vals), u32_cmp);
   sort(e->spec, e->nspec, sizeof(*e->spec), pair_cmp);
   sort(e->blocks, e->nblocks, sizeof(*e->blocks), u32_cmp);
   return true;
}

/* Pass 2, in the module's order (each id is defined before it is used): every type's size and
 * every scalar constant's value. */
static void
evaluate(struct eval *e)
{
   const uint32_t *g = e->u->globals;
   size_t n = e->u->nglobals;
   uint32_t len;
   for (size_t i = 0; i < n && (len = len_at(g, n, i)); i += len) {
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

/* The counted size of the pointee of Workgroup variable `var`, into *bytes; false with *why. */
static bool
variable_size(const struct eval *e, uint32_t var, uint64_t *bytes, bool *block, const char **why)
{
   const struct val *v = val_of(e, var);
   const struct val *ptr = v ? val_of(e, e->u->globals[v->pos + 1]) : NULL;
   uint32_t pointee =
      ptr && len_at(e->u->globals, e->u->nglobals, ptr->pos) >= 4 ? e->u->globals[ptr->pos + 3] : 0;
   const struct val *t = val_of(e, pointee);
   *block = find(&pointee, e->blocks, e->nblocks, sizeof(pointee), u32_cmp) != NULL;
   if (t && t->kind == VAL_SIZE) {
      *bytes = t->v;
      return true;
   }
   *why = t && t->kind == VAL_EMPTY_SIZE
             ? "a Workgroup array of 0 elements after specialization"
             : "a Workgroup array whose length this server cannot evaluate";
   return false;
}

uint64_t
pv_spirv_shared_bytes(const struct pv_spirv_shared_use *u, const char *name, uint32_t model,
                      const VkSpecializationInfo *si, const char **why)
{
   const struct entry *ep = NULL;
   for (uint32_t i = 0; u && name && i < u->nentries && !ep; i++)
      ep =
         u->entries[i].model == model && !strcmp(u->entries[i].name, name) ? &u->entries[i] : NULL;
   if (!ep || !ep->nvars)
      return 0;
   struct eval e = {.u = u, .si = si};
   uint64_t sum = 0, blocks = 0;
   if (!index_globals(&e)) {
      *why = "no memory";
      sum = PV_SPIRV_SHARED_UNKNOWN;
   } else {
      evaluate(&e);
   }
   for (uint32_t k = 0; k < ep->nvars && sum != PV_SPIRV_SHARED_UNKNOWN; k++) {
      uint64_t bytes;
      bool block;
      if (!variable_size(&e, ep->vars[k], &bytes, &block, why))
         sum = PV_SPIRV_SHARED_UNKNOWN;
      else if (block)
         blocks = bytes > blocks ? bytes : blocks;
      else
         sum = sum + bytes > SIZE_MAX_COUNTED ? SIZE_MAX_COUNTED : sum + bytes;
   }
   free(e.vals), free(e.spec), free(e.blocks);
   return sum == PV_SPIRV_SHARED_UNKNOWN ? sum : sum + blocks;
}
