/* SPDX-License-Identifier: MIT */
/*
 * Workgroup (shared) memory indices clamped for lavapipe (spirv_shared.h).
 *
 * llvmpipe gives a compute shader's shared variables one heap block (lp_state_cs.c cs_exec_fn,
 * a REALLOC of the shader's shared size) and its JIT loads, stores and atomics there at the
 * index the shader computes, with no bound (lp_bld_nir_soa.c mem_access_base_pointer returns
 * no bounds for shared memory), in Mesa 22.3.6 and 25.0.7 alike. Vulkan leaves an index past a
 * shared array undefined, and robustBufferAccess does not cover Workgroup memory, so a guest
 * reads and writes the serving process's heap through `shared uint s[4]; s[i]` (measured on
 * 22.3.6 by the fourth reading of 2026-12-07: heap pointers read back, valgrind's invalid
 * write 16 bytes past a 32-byte block, SIGSEGV at index 10^8). No check of the guest's values
 * can refuse that; the module has to bound its own indices.
 *
 * So on such a host every index of an access chain into Workgroup memory that selects an
 * element of an array, a component of a vector or a column of a matrix, unless it is a constant
 * inside, becomes
 *       %in  = OpULessThan %bool %index %length
 *       %i   = OpSelect %index_type %in %index %zero
 * right before the access chain, which takes %i. An index past the end reads or writes
 * element 0 of that level, inside the variable: no control flow changes, and a shader whose
 * indices stay in bounds computes what it did. Struct members are constants by rule. A length
 * of another width than the index gets a constant of the index's type; a specialization
 * constant length of another width, a runtime array (only with explicit layouts) and pointer
 * access chains (variable pointers) are refused on such a host.
 *
 * The block is not cleared either: cs_exec_fn REALLOCs it once per thread of llvmpipe's pool
 * and hands it to every later workgroup as it is, so a shader that reads shared memory before
 * writing it reads what the heap held (freed host data, pointers) or what the last workgroup
 * of any pipeline on that thread left there (measured natively on 22.3.6: a dispatch read the
 * pattern an earlier one wrote; pv-hostile valid). Vulkan leaves such a read undefined. So each
 * Workgroup variable without an initializer gets OpConstantNull as one (the form
 * VK_KHR_zero_initialize_workgroup_memory defines, which lavapipe offers): spirv_to_nir then
 * marks the shader, and cs_exec_fn clears the whole block before each workgroup. The caller
 * validates the result again.
 */
#include "vk/spirv_shared.h"

#include <spirv_cross/spirv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vk/spirv_reflect.h"
#include "vk/spirv_words.h"

#define SPIRV_MAGIC 0x07230203u
#define ID_BOUND_MAX 0x3fffffu
#define CLAMP_WORDS 11u /* OpULessThan (5) + OpSelect (6) */

/* Where each result id is defined (sorted by id). */
struct def {
   uint32_t id;
   uint32_t pos;
   uint32_t type; /* its result type, 0: none */
};

/* A constant the clamps need, of an integer type: `words` literal words. */
struct konst {
   uint32_t type, value, id, width;
};

/* A Workgroup variable without an initializer (its OpVariable at `at`): it gets `null`, an
 * OpConstantNull of its pointee `type` declared right before it. */
struct zeroed {
   size_t at;
   uint32_t type, null;
};

/* One index to clamp: in the access chain at `chain`, operand `k`. */
struct clamp {
   size_t chain;
   uint32_t k, type, bound, zero, cond, sel;
};

/* A Workgroup array variable given slack: its array's length doubled (new constant, array and
 * pointer types, declared right before it). */
struct grown {
   uint32_t var, length_type, length, value, elem, array, pointer;
   size_t at; /* its OpVariable */
};

struct plan {
   const uint32_t *w;
   size_t n;
   struct def *defs;
   size_t ndefs;
   uint32_t next, bool_type, new_bool;
   size_t first_function;
   struct konst *k;
   size_t nk, capk;
   struct clamp *c;
   size_t nc, capc;
   struct grown *g;
   size_t ng, capg;
   struct zeroed *z;
   size_t nz, capz;
};

static int
def_cmp(const void *a, const void *b)
{
   uint32_t x = ((const struct def *)a)->id, y = ((const struct def *)b)->id;
   return x < y ? -1 : x > y;
}

/* The word position of id's definition, or 0 (position 0 is the header: never an instruction). */
static size_t
def_of(const struct plan *p, uint32_t id)
{
   struct def key = {id, 0, 0};
   const struct def *d = bsearch(&key, p->defs, p->ndefs, sizeof(*p->defs), def_cmp);
   return d ? d->pos : 0;
}

static uint32_t
op_at(const struct plan *p, size_t pos)
{
   return pos ? p->w[pos] & 0xffffu : 0;
}

static uint32_t
len_at(const struct plan *p, size_t pos)
{
   return pos ? p->w[pos] >> 16 : 0;
}

/* The result type of value `id`, 0 when it has none. */
static uint32_t
type_of(const struct plan *p, uint32_t id)
{
   struct def key = {id, 0, 0};
   const struct def *d = bsearch(&key, p->defs, p->ndefs, sizeof(*p->defs), def_cmp);
   return d ? d->type : 0;
}

/* SPIRV-Tools' parser says which operand is an instruction's result and its type. */
static void
note_def(void *user, size_t pos, uint32_t opcode, uint32_t result, uint32_t type)
{
   struct plan *p = user;
   if (p->ndefs < p->n / 2 + 1)
      p->defs[p->ndefs++] = (struct def){result, (uint32_t)pos, type};
   if (opcode == SpvOpTypeBool)
      p->bool_type = result;
   if (opcode == SpvOpFunction && !p->first_function)
      p->first_function = pos;
}

/* Pass 1: every result id's definition and type, the bool type, the first function. */
static const char *
index_defs(struct plan *p)
{
   if (p->n < 5 || p->w[0] != SPIRV_MAGIC)
      return "not SPIR-V in the host's byte order";
   p->defs = malloc((p->n / 2 + 1) * sizeof(*p->defs));
   if (!p->defs || !pv_spirv_each_result(p->w, p->n, note_def, p))
      return p->defs ? "a module SPIRV-Tools cannot parse" : "no memory";
   qsort(p->defs, p->ndefs, sizeof(*p->defs), def_cmp);
   p->next = p->w[3];
   return NULL;
}

/* The id of a new constant of integer type `type` (of `width` bits) holding `value`. */
static uint32_t
konst(struct plan *p, uint32_t type, uint32_t width, uint32_t value)
{
   for (size_t i = 0; i < p->nk; i++)
      if (p->k[i].type == type && p->k[i].value == value)
         return p->k[i].id;
   struct konst *k = pv_spirv_grow(p->k, &p->capk, p->nk + 1, sizeof(*k));
   if (!k)
      return 0;
   p->k = k;
   p->k[p->nk++] = (struct konst){type, value, p->next++, width};
   return p->k[p->nk - 1].id;
}

/* A plain 32-bit constant's value into *v (specialization constants are not plain). */
static bool
plain_value(const struct plan *p, uint32_t id, uint32_t *v)
{
   size_t pos = def_of(p, id);
   if (op_at(p, pos) != SpvOpConstant || len_at(p, pos) < 4)
      return false;
   *v = p->w[pos + 3];
   return true;
}

static uint32_t
int_width(const struct plan *p, uint32_t type)
{
   size_t pos = def_of(p, type);
   return op_at(p, pos) == SpvOpTypeInt && len_at(p, pos) == 4 ? p->w[pos + 2] : 0;
}

/* The literal word of `value` in integer type `type` of `width` < 32 bits: a signed type's is
 * sign-extended (SPIR-V's rule for narrow literals). */
static uint32_t
narrow_literal(const struct plan *p, uint32_t type, uint32_t width, uint32_t value)
{
   size_t pos = def_of(p, type);
   uint32_t sign = 1u << (width - 1);
   bool is_signed = op_at(p, pos) == SpvOpTypeInt && len_at(p, pos) == 4 && p->w[pos + 3];
   return is_signed && (value & sign) ? value | ~((sign << 1) - 1) : value;
}

/* The bound of index `idx` at a level of `count` elements given by the id `length` (0: by the
 * literal `count`); 0 after setting *why.
 *
 * spirv_to_nir sign-extends an index to the address width, so an 8- or 16-bit index past its
 * type's signed maximum is negative there, before the array. Such an index (llama.cpp's
 * quantization tables are indexed with 8-bit values) is clamped by a bound of its own width,
 * the length or the first negative value if that is smaller, compared unsigned: what passes is
 * both inside the array and non-negative. */
static uint32_t
bound_of(struct plan *p, uint32_t idx_type, uint32_t length, uint32_t count, const char **why)
{
   uint32_t width = int_width(p, idx_type);
   if (width != 8 && width != 16 && width != 32 && width != 64) {
      *why = "a Workgroup index that is not an 8-, 16-, 32- or 64-bit integer";
      return 0;
   }
   if (length) {
      if (width >= 32 && int_width(p, type_of(p, length)) == width)
         return length;
      if (!plain_value(p, length, &count)) {
         *why = "a Workgroup array of specialization-constant length indexed in another width";
         return 0;
      }
   }
   if (width < 32) {
      uint32_t half = 1u << (width - 1);
      count = narrow_literal(p, idx_type, width, count < half ? count : half);
   }
   uint32_t id = konst(p, idx_type, width, count);
   if (!id)
      *why = "no memory";
   return id;
}

/* Plans the clamps of one index at a level of type `cur`; the next level's type into *cur. At
 * level 0 of a grown variable (`g`) the bound is its doubled length. */
static const char *
plan_index(struct plan *p, size_t chain, uint32_t k, uint32_t *cur, const struct grown *g)
{
   uint32_t idx = p->w[chain + 4 + k];
   size_t tpos = def_of(p, *cur);
   uint32_t op = op_at(p, tpos), tlen = len_at(p, tpos), v;
   if (op == SpvOpTypeStruct) {
      if (!plain_value(p, idx, &v) || v >= tlen - 2)
         return "a struct member index that is no constant inside the struct";
      *cur = p->w[tpos + 2 + v];
      return NULL;
   }
   if ((op != SpvOpTypeArray && op != SpvOpTypeVector && op != SpvOpTypeMatrix) || tlen < 4)
      return op == SpvOpTypeRuntimeArray ? "a runtime array in Workgroup memory"
                                         : "an access chain index into a type it cannot index";
   *cur = p->w[tpos + 2];
   uint32_t length = op == SpvOpTypeArray ? p->w[tpos + 3] : 0;
   uint32_t count = op == SpvOpTypeArray ? 0 : p->w[tpos + 3], n;
   if (g && k == 0) { /* the grown length: a plain constant, by value */
      length = 0;
      count = g->value;
   }
   /* (spirv_to_nir reads a narrow constant index as signed: an 8-bit 200 is -56) */
   uint32_t iw = int_width(p, type_of(p, idx));
   if (plain_value(p, idx, &v) && (length ? plain_value(p, length, &n) : (n = count, true)) &&
       (iw >= 32 || (iw && !(v & (1u << (iw - 1))))) && v < n)
      return NULL; /* a constant inside */
   const char *why = NULL;
   uint32_t type = type_of(p, idx);
   uint32_t bound = bound_of(p, type, length, count, &why);
   uint32_t zero = bound ? konst(p, type, int_width(p, type), 0) : 0;
   if (!bound || !zero)
      return why ? why : "no memory";
   struct clamp *c = pv_spirv_grow(p->c, &p->capc, p->nc + 1, sizeof(*c));
   if (!c)
      return "no memory";
   p->c = c;
   p->c[p->nc++] = (struct clamp){chain, k, type, bound, zero, p->next, p->next + 1};
   p->next += 2;
   return NULL;
}

/* Whether the pointer `base` points into Workgroup memory; its pointee into *pointee. */
static bool
workgroup_pointer(const struct plan *p, uint32_t base, uint32_t *pointee)
{
   size_t pos = def_of(p, type_of(p, base));
   if (op_at(p, pos) != SpvOpTypePointer || len_at(p, pos) != 4 ||
       p->w[pos + 2] != SpvStorageClassWorkgroup)
      return false;
   *pointee = p->w[pos + 3];
   return true;
}

/* Whether `var` appears in a function only as the base of access chains (a whole-array load,
 * store, copy or call argument would see the grown type). A literal word equal to it counts as
 * a use too: such a variable is only clamped, not grown. */
static bool
only_chained(const struct plan *p, uint32_t var)
{
   for (size_t i = p->first_function; i && i < p->n; i += p->w[i] >> 16) {
      uint32_t op = p->w[i] & 0xffffu, len = p->w[i] >> 16;
      bool chain = op == SpvOpAccessChain || op == SpvOpInBoundsAccessChain;
      for (uint32_t k = 1; k < len; k++)
         if (p->w[i + k] == var && !(chain && k == 3))
            return false;
   }
   return true;
}

static bool
decorated(const struct plan *p, uint32_t id)
{
   for (size_t i = 5; i < p->first_function; i += p->w[i] >> 16)
      if ((p->w[i] & 0xffffu) == SpvOpDecorate && p->w[i] >> 16 >= 3 && p->w[i + 1] == id)
         return true;
   return false;
}

/*
 * Slack for Workgroup arrays. Natively an index a little past a shared array lands in the heap
 * after llvmpipe's block and reads back what was written there, and real applications rely on
 * it: ffmpeg's Vulkan blur filters write and read past their `cache` array. Clamped to the
 * array, their frames differed from native lavapipe's. So a Workgroup variable of an array
 * with a plain constant length, used only through access chains and not decorated, gets twice
 * the length, and its first index is clamped to that: an overshoot up to the array's own length
 * behaves as it did natively, inside memory of its own, and anything past it stays clamped.
 */
static const char *
plan_growth(struct plan *p)
{
   for (size_t d = 0; d < p->ndefs; d++) {
      size_t pos = p->defs[d].pos, tpos, apos;
      uint32_t value;
      if (op_at(p, pos) != SpvOpVariable || len_at(p, pos) < 4 ||
          p->w[pos + 3] != SpvStorageClassWorkgroup)
         continue;
      tpos = def_of(p, p->w[pos + 1]);
      if (op_at(p, tpos) != SpvOpTypePointer || len_at(p, tpos) != 4)
         continue;
      apos = def_of(p, p->w[tpos + 3]);
      if (op_at(p, apos) != SpvOpTypeArray || len_at(p, apos) != 4 ||
          !plain_value(p, p->w[apos + 3], &value) || value == 0 || value > 0x7fffffffu ||
          int_width(p, type_of(p, p->w[apos + 3])) != 32 || decorated(p, p->w[apos + 1]) ||
          !only_chained(p, p->w[pos + 2]))
         continue;
      struct grown *g = pv_spirv_grow(p->g, &p->capg, p->ng + 1, sizeof(*g));
      if (!g)
         return "no memory";
      p->g = g;
      p->g[p->ng++] = (struct grown){p->w[pos + 2],  type_of(p, p->w[apos + 3]),
                                     p->next,        2 * value,
                                     p->w[apos + 2], p->next + 1,
                                     p->next + 2,    pos};
      p->next += 3;
   }
   return NULL;
}

/* Pass 2: the clamps of every access chain into Workgroup memory. */
static const char *
plan_chains(struct plan *p)
{
   for (size_t i = p->first_function; i && i < p->n; i += p->w[i] >> 16) {
      uint32_t op = p->w[i] & 0xffffu, len = p->w[i] >> 16, cur;
      bool chain = op == SpvOpAccessChain || op == SpvOpInBoundsAccessChain;
      bool ptr_chain = op == SpvOpPtrAccessChain || op == SpvOpInBoundsPtrAccessChain;
      if ((!chain && !ptr_chain) || len < 4 || !workgroup_pointer(p, p->w[i + 3], &cur))
         continue;
      if (ptr_chain)
         return "a pointer access chain into Workgroup memory";
      const struct grown *g = NULL;
      for (size_t j = 0; j < p->ng && !g; j++)
         g = p->g[j].var == p->w[i + 3] ? &p->g[j] : NULL;
      for (uint32_t k = 0; k + 4 < len; k++) {
         const char *why = plan_index(p, i, k, &cur, g);
         if (why)
            return why;
      }
   }
   if (!p->nc)
      p->ng = 0; /* nothing indexed: nothing grown either */
   if (p->nc && !p->bool_type) {
      p->bool_type = p->next++;
      p->new_bool = true;
   }
   return p->next > ID_BOUND_MAX ? "the clamped module needs more ids than a module may have"
                                 : NULL;
}

/* Pass 3: the Workgroup variables to zero, after pass 2. A grown one's pointee is its new array,
 * so one that had an initializer (OpConstantNull by rule) gets a null of that type instead. */
static const char *
plan_zeroes(struct plan *p)
{
   for (size_t d = 0; d < p->ndefs; d++) {
      size_t pos = p->defs[d].pos, tpos;
      if (op_at(p, pos) != SpvOpVariable || p->w[pos + 3] != SpvStorageClassWorkgroup)
         continue;
      tpos = def_of(p, p->w[pos + 1]);
      if (op_at(p, tpos) != SpvOpTypePointer || len_at(p, tpos) != 4)
         continue;
      uint32_t type = p->w[tpos + 3];
      bool grown = false;
      for (size_t j = 0; j < p->ng; j++)
         if (p->g[j].at == pos)
            type = p->g[j].array, grown = true;
      if (len_at(p, pos) != 4 && !(grown && len_at(p, pos) == 5))
         continue;
      struct zeroed *z = pv_spirv_grow(p->z, &p->capz, p->nz + 1, sizeof(*z));
      if (!z)
         return "no memory";
      p->z = z;
      p->z[p->nz++] = (struct zeroed){pos, type, p->next++};
   }
   return p->next > ID_BOUND_MAX ? "the rewritten module needs more ids than a module may have"
                                 : NULL;
}

/* ----- writing -------------------------------------------------------------------------------- */

struct out {
   uint32_t *o;
   size_t at, cap;
   bool over;
};

static void
put(struct out *o, uint32_t op, uint32_t len, const uint32_t *operands)
{
   if (o->over || len > o->cap - o->at) {
      o->over = true;
      return;
   }
   o->o[o->at++] = len << 16 | op;
   for (uint32_t k = 1; k < len; k++)
      o->o[o->at++] = operands[k - 1];
}

static void
put_declarations(const struct plan *p, struct out *o)
{
   if (p->new_bool)
      put(o, SpvOpTypeBool, 2, (uint32_t[]){p->bool_type});
   for (size_t i = 0; i < p->nk; i++) {
      const struct konst *k = &p->k[i];
      if (k->width == 64)
         put(o, SpvOpConstant, 5, (uint32_t[]){k->type, k->id, k->value, 0});
      else
         put(o, SpvOpConstant, 4, (uint32_t[]){k->type, k->id, k->value});
   }
}

/* The clamps of the chain at `pos` (from *next on), then the chain taking their results. */
static void
put_chain(const struct plan *p, struct out *o, size_t pos, size_t *next)
{
   size_t first = *next;
   while (*next < p->nc && p->c[*next].chain == pos) {
      const struct clamp *c = &p->c[(*next)++];
      uint32_t idx = p->w[pos + 4 + c->k];
      put(o, SpvOpULessThan, 5, (uint32_t[]){p->bool_type, c->cond, idx, c->bound});
      put(o, SpvOpSelect, 6, (uint32_t[]){c->type, c->sel, c->cond, idx, c->zero});
   }
   uint32_t len = p->w[pos] >> 16;
   size_t start = o->at;
   put(o, p->w[pos] & 0xffffu, len, p->w + pos + 1);
   for (size_t i = first; !o->over && i < *next; i++)
      o->o[start + 4 + p->c[i].k] = p->c[i].sel;
}

/* A Workgroup variable that is grown (`g`) or zeroed (`z`): a grown one's doubled length, array
 * and pointer types first, a zeroed one's null value, then the variable itself, of the grown
 * type and with the null as its initializer. */
static void
put_variable(const struct plan *p, struct out *o, size_t at, const struct grown *g,
             const struct zeroed *z)
{
   if (g) {
      put(o, SpvOpConstant, 4, (uint32_t[]){g->length_type, g->length, g->value});
      put(o, SpvOpTypeArray, 4, (uint32_t[]){g->array, g->elem, g->length});
      put(o, SpvOpTypePointer, 4, (uint32_t[]){g->pointer, SpvStorageClassWorkgroup, g->array});
   }
   if (z)
      put(o, SpvOpConstantNull, 3, (uint32_t[]){z->type, z->null});
   size_t start = o->at;
   put(o, SpvOpVariable, z ? 5 : 4,
       (uint32_t[]){p->w[at + 1], p->w[at + 2], p->w[at + 3], z ? z->null : 0});
   if (!o->over && g)
      o->o[start + 1] = g->pointer;
}

static bool
write_module(const struct plan *p, uint32_t *words, size_t cap, size_t *count)
{
   struct out o = {words, 5, cap, false};
   memcpy(words, p->w, 5 * 4);
   words[3] = p->next;
   size_t next = 0;
   for (size_t i = 5; i < p->n; i += p->w[i] >> 16) {
      const struct grown *g = NULL;
      const struct zeroed *z = NULL;
      for (size_t j = 0; j < p->ng && !g; j++)
         g = p->g[j].at == i ? &p->g[j] : NULL;
      for (size_t j = 0; j < p->nz && !z; j++)
         z = p->z[j].at == i ? &p->z[j] : NULL;
      if (i == p->first_function)
         put_declarations(p, &o);
      if (g || z)
         put_variable(p, &o, i, g, z);
      else if (next < p->nc && p->c[next].chain == i)
         put_chain(p, &o, i, &next);
      else
         put(&o, p->w[i] & 0xffffu, p->w[i] >> 16, p->w + i + 1);
   }
   *count = o.at;
   return !o.over && next == p->nc;
}

const char *
pv_spirv_guard_shared(const uint32_t *words, size_t count, uint32_t **out, size_t *out_count)
{
   *out = NULL;
   *out_count = 0;
   struct plan p = {.w = words, .n = count};
   const char *why = index_defs(&p);
   if (!why)
      why = plan_growth(&p);
   if (!why)
      why = plan_chains(&p);
   if (!why)
      why = plan_zeroes(&p);
   if (!why && (p.nc || p.nz)) {
      size_t size = p.n + 2 + 5 * p.nk + (size_t)CLAMP_WORDS * p.nc + 12 * p.ng + 4 * p.nz;
      uint32_t *o = malloc(size * 4);
      if (!o)
         why = "no memory";
      else if (!write_module(&p, o, size, out_count))
         why = "the module changed shape between the two passes (not valid SPIR-V)", free(o);
      else
         *out = o;
   }
   if (why)
      *out_count = 0;
   free(p.defs);
   free(p.k);
   free(p.c);
   free(p.g);
   free(p.z);
   return why;
}
