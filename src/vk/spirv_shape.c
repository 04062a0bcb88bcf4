/* SPDX-License-Identifier: MIT */
/*
 * Type shapes and specialization-constant expressions that the host's own SPIR-V tools walk
 * without bound, refused (spirv_shape.h; the eleventh reading, 2026-12-08). Small, valid
 * modules made our process hang, take gigabytes or overflow its stack on every host:
 *
 * - spvValidate (SPIRV-Tools 2023.1) walks a type's tree without memo (ValidateInterfaces,
 *   ContainsType): a vertex output of structs of 8 copies of the previous struct, 8 deep
 *   (512 bytes of SPIR-V), took 11 s and 2.9 GB, the types alone 2 wide and 24 deep 1.2 s;
 *   structs and arrays alternating 65,536 deep overflowed an 8 MiB stack (isMissingOffsetIn-
 *   Struct, recursive), in quadratic time. SPIR-V's limit of 255 nested structs is checked on
 *   structs alone, so arrays between them pass it.
 * - SPIRV-Cross's parser copies the base type into every OpTypeArray and OpTypePointer, its
 *   array dimensions and member list with it: a chain of 32,768 arrays (524 KB) took 2.85 GB,
 *   32,768 arrays of a struct of 16,383 members 2.1 GB.
 * - SPIRV-Cross's ParsedIR::mark_used_as_array_length follows OpSpecConstantOp operands
 *   recursively without memo for every array length: c_k = c_(k-1) + c_(k-1) 30 deep (1 KB)
 *   took 11.5 s, doubling per level, and a chain of 1M operations overflowed the stack.
 * - lavapipe loaded a whole value of a deep type of one scalar in 3 s at depth 4,096, in more
 *   than 60 s at 16,384, and overflowed its stack at 262,144 levels. Within the depth limit,
 *   moving such a value again and again adds up (the twelfth reading): 1,000 loads of one 254
 *   deep took 6.5 s to compile, 1,000 OpCopyMemory of it 14 s (a deref chain per type in it,
 *   as long as it is deep), so the types moved are counted over the module, times their depth.
 *
 * Each of those is bounded twice: per type or expression, and over the module, as the validator
 * walks a variable's type once per variable (1,000 Private variables of a type of 65,536 types
 * expanded took it 4.2 s, 16 KB of SPIR-V) and SPIRV-Cross an expression once per array length.
 *
 * Each type's depth and expanded size (its tree's nodes, as those walks visit them) and each
 * expression's depth and paths are counted from the ones it names, declared before it (SPIR-V
 * requires that, the validator checks it; one used before its declaration is refused here, as
 * the counts would miss it). A pointer declared ahead by OpTypeForwardPointer (a struct may
 * hold one to itself) counts as a leaf where it is named, as the validator's walks stop there.
 * No shader of the e2e, unit and bench suites nor 1,187 compiled from piglit's tests comes near
 * a limit (at most 7 deep, 23 types expanded, 45 copies, 4 paths; walks a quarter of the
 * module's words, 280,050 for values_big.comp's 1.19M). The scan runs on
 * every host before validation, on words not yet validated: every operand is checked against
 * the instruction's length and every id against the header's bound, and nothing recurses.
 */
#include "vk/spirv_shape.h"

#include <spirv_cross/spirv.h>
#include <stdbool.h>
#include <stdlib.h>

#include "vk/spirv_values.h"
#include "vk/spirv_words.h"

enum {
   TYPE = 1,     /* declared as a type: depth, size, dims and members hold */
   FORWARD = 2,  /* named by an OpTypeForwardPointer */
   USED = 4,     /* named as a type before it was declared */
   SPEC = 8,     /* a specialization constant: depth and size hold its depth and paths */
   POINTER = 16, /* declared as a pointer type */
};

struct shape {
   uint32_t bound;
   uint8_t *flags;
   uint16_t *depth;   /* per type or specialization constant: its depth */
   uint32_t *size;    /* per type: its size expanded; per specialization constant: its paths */
   uint32_t *dims;    /* per type: the array dimensions SPIRV-Cross keeps in it */
   uint32_t *members; /* per type: the struct members SPIRV-Cross keeps in it */
   uint32_t *value_type; /* per value (a result with a result type): that type */
   uint32_t *fixups;  /* arrays' and pointers' bases forward-declared when they were named */
   size_t nfixups, capfixups;
   struct pv_spirv_shape m;
};

/* One type as another names it. */
struct node {
   uint64_t depth, size;
   uint32_t dims, members;
};

static const char *const past_bound = "an id past the module's id bound";

static uint64_t
add(uint64_t a, uint64_t b)
{
   return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
max(uint64_t a, uint64_t b)
{
   return a > b ? a : b;
}

static uint32_t
clamp32(uint64_t v)
{
   return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static bool
is_spec(uint32_t op)
{
   return op >= SpvOpSpecConstantTrue && op <= SpvOpSpecConstantOp;
}

/* Type `id` (below the bound) as a type naming it sees it: a leaf when not declared yet or
 * forward-declared (the walks stop at those pointers); SPIRV-Cross copies it whole. */
static struct node
named(struct shape *s, uint32_t id)
{
   struct node n = {0, 1, 0, 0};
   if (!(s->flags[id] & TYPE)) {
      s->flags[id] |= USED;
      return n;
   }
   n.dims = s->dims[id], n.members = s->members[id];
   if (!(s->flags[id] & FORWARD))
      n.depth = s->depth[id], n.size = s->size[id];
   return n;
}

/* The type ids an instruction declaring a type names: [*first, *end) of its words. */
static void
type_operands(uint32_t op, uint32_t len, uint32_t *first, uint32_t *end)
{
   *first = *end = len;
   switch (op) {
   case SpvOpTypeStruct:
   case SpvOpTypeFunction:
      *first = 2;
      break;
   case SpvOpTypeArray:
   case SpvOpTypeRuntimeArray:
      *first = 2, *end = len < 3 ? len : 3;
      break;
   case SpvOpTypePointer:
      *first = 3, *end = len < 4 ? len : 4;
      break;
   default: /* scalars, vectors, matrices, images, samplers, opaque: leaves */
      break;
   }
   if (*first > *end)
      *first = *end;
}

/* What an array or pointer copies of its base in SPIRV-Cross's parser; a base not declared yet
 * but forward-declared is copied again at the end of the parse, once declared. */
static bool
copy_base(struct shape *s, uint32_t base, const struct node *b)
{
   s->m.copies = add(s->m.copies, (uint64_t)b->dims + b->members);
   if ((s->flags[base] & (FORWARD | TYPE)) == FORWARD)
      return pv_spirv_push_u32(&s->fixups, &s->nfixups, &s->capfixups, base);
   return true;
}

static const char *
check_type(struct shape *s, uint64_t depth, uint64_t size)
{
   s->m.depth = clamp32(max(s->m.depth, depth));
   s->m.size = clamp32(max(s->m.size, size));
   if (depth > PV_SPIRV_MAX_TYPE_DEPTH)
      return "a type nested more than 255 deep (structs, arrays and pointers)";
   if (size > PV_SPIRV_MAX_TYPE_SIZE)
      return "a type of more than 65,536 types expanded (structs holding copies of structs)";
   if (s->m.copies > PV_SPIRV_MAX_TYPE_COPIES)
      return "arrays and pointers whose base types hold more than 4,194,304 array dimensions "
             "and struct members in all";
   return NULL;
}

/* An instruction declaring a type (`in` its words, `len` of them). */
static const char *
declare_type(struct shape *s, uint32_t op, const uint32_t *in, uint32_t len)
{
   if (len < 2)
      return NULL; /* malformed: the validator refuses it */
   uint32_t id = in[1], first, end;
   if (id >= s->bound)
      return past_bound;
   if (op == SpvOpTypeForwardPointer) {
      s->flags[id] |= FORWARD;
      return s->flags[id] & TYPE ? "a pointer forward-declared after its declaration" : NULL;
   }
   if (s->flags[id] & (TYPE | SPEC))
      return "an id declared twice";
   if ((s->flags[id] & (USED | FORWARD)) == USED)
      return "a type used before its declaration";
   type_operands(op, len, &first, &end);
   struct node n = {0, 1, 0, 0};
   for (uint32_t k = first; k < end; k++) {
      if (in[k] >= s->bound)
         return past_bound;
      struct node e = named(s, in[k]);
      s->m.walks = add(s->m.walks, e.size);
      n.depth = max(n.depth, e.depth + 1);
      n.size = add(n.size, e.size);
      if (op != SpvOpTypeStruct && op != SpvOpTypeFunction) {
         n.dims = e.dims + (op != SpvOpTypePointer), n.members = e.members;
         if (!copy_base(s, in[k], &e))
            return "no memory";
      }
   }
   if (op == SpvOpTypeArray && len >= 4 && in[3] < s->bound && (s->flags[in[3]] & SPEC))
      s->m.walks = add(s->m.walks, s->size[in[3]]); /* SPIRV-Cross walks its length's paths */
   if (op == SpvOpTypeStruct)
      n.members = end - first;
   if (end > first || op == SpvOpTypeStruct || op == SpvOpTypeFunction)
      n.depth = max(n.depth, 1); /* a composite, of no member perhaps */
   const char *why = check_type(s, n.depth, n.size);
   if (!why) {
      s->flags[id] |= TYPE | (op == SpvOpTypePointer ? POINTER : 0);
      s->depth[id] = (uint16_t)n.depth, s->size[id] = (uint32_t)n.size;
      s->dims[id] = n.dims, s->members[id] = n.members;
   }
   return why;
}

/* An instruction declaring a specialization constant: an expression's depth and paths from the
 * specialization constants among its operands (any other word, a literal of OpSpecConstantOp
 * included, is a leaf the walk does not follow). */
static const char *
declare_spec(struct shape *s, uint32_t op, const uint32_t *in, uint32_t len)
{
   if (len < 3)
      return NULL; /* malformed: the validator refuses it */
   uint32_t id = in[2];
   if (id >= s->bound)
      return past_bound;
   if (s->flags[id] & (TYPE | SPEC))
      return "an id declared twice";
   uint32_t first = op == SpvOpSpecConstantOp ? 4 : op == SpvOpSpecConstantComposite ? 3 : len;
   uint64_t depth = 0, paths = 1;
   for (uint32_t k = first; k < len; k++) {
      uint32_t x = in[k];
      if (x < s->bound && (s->flags[x] & SPEC))
         depth = max(depth, s->depth[x]), paths = add(paths, s->size[x]);
   }
   depth += first < len || op == SpvOpSpecConstantOp;
   s->m.spec_depth = clamp32(max(s->m.spec_depth, depth));
   s->m.spec_paths = clamp32(max(s->m.spec_paths, paths));
   if (depth > PV_SPIRV_MAX_SPEC_DEPTH)
      return "a specialization constant expression nested more than 255 deep";
   if (paths > PV_SPIRV_MAX_SPEC_PATHS)
      return "a specialization constant expression of more than 65,536 paths (an operand "
             "reached twice counted twice)";
   s->flags[id] |= SPEC;
   s->depth[id] = (uint16_t)depth, s->size[id] = (uint32_t)paths;
   return NULL;
}

/* Instructions whose first operand is no result type: the module's preamble, debug and
 * annotation instructions (any other's first operand is its result type, or a value's id or
 * label's, which no valid module declares as a type). */
static bool
names_no_result_type(uint32_t op)
{
   switch (op) {
   case SpvOpCapability:
   case SpvOpExtension:
   case SpvOpExtInstImport:
   case SpvOpMemoryModel:
   case SpvOpEntryPoint:
   case SpvOpExecutionMode:
   case SpvOpExecutionModeId:
   case SpvOpSourceContinued:
   case SpvOpSource:
   case SpvOpSourceExtension:
   case SpvOpName:
   case SpvOpMemberName:
   case SpvOpString:
   case SpvOpLine:
   case SpvOpNoLine:
   case SpvOpModuleProcessed:
   case SpvOpDecorate:
   case SpvOpMemberDecorate:
   case SpvOpDecorationGroup:
   case SpvOpGroupDecorate:
   case SpvOpGroupMemberDecorate:
   case SpvOpDecorateId:
   case SpvOpDecorateString:
   case SpvOpMemberDecorateString:
      return true;
   default:
      return pv_spirv_is_type(op);
   }
}

/* What lavapipe's compiler walks to move a whole value of type `t` (a load, a store, a copy): a
 * deref chain per type in it, each as long as that type is deep, at most size x (depth + 1); a
 * pointer's own value is one word. 0 for an id that is no type. */
static uint64_t
value_cost(const struct shape *s, uint32_t t)
{
   if (t >= s->bound || !(s->flags[t] & TYPE))
      return 0;
   return (s->flags[t] & (POINTER | FORWARD)) ? 1 : (uint64_t)s->size[t] * (s->depth[t] + 1u);
}

/* The value a pointer of type `t` points to, as value_cost counts it (a pointer is 1 + its
 * pointee expanded and 1 deeper). */
static uint64_t
pointee_cost(const struct shape *s, uint32_t t)
{
   if (t >= s->bound || (s->flags[t] & (TYPE | POINTER)) != (TYPE | POINTER))
      return 0;
   return (uint64_t)(s->size[t] - 1u) * s->depth[t]; /* declared whole, forward-declared or not */
}

/* The values an instruction moves whole without a result of their type: those OpStore stores
 * through its pointer and OpCopyMemory(Sized) copies between its two. */
static uint64_t
moved_operands(const struct shape *s, uint32_t op, const uint32_t *in, uint32_t len)
{
   uint32_t n = op == SpvOpStore ? 1 : op == SpvOpCopyMemory || op == SpvOpCopyMemorySized ? 2 : 0;
   uint64_t cost = 0;
   for (uint32_t k = 1; k <= n && k < len; k++)
      if (in[k] < s->bound)
         cost = add(cost, pointee_cost(s, s->value_type[in[k]]));
   return cost;
}

/* An instruction's result type, expanded, into the walks (a type declaration counted the types
 * it names as it was declared), and what it moves into the moves; NULL, or why the module is
 * refused. A value's type is kept for the stores and copies through it, which come after it in
 * any module the validator takes (definitions dominate their uses and come first). */
static const char *
count_walks(struct shape *s, uint32_t op, const uint32_t *in, uint32_t len)
{
   if (!names_no_result_type(op) && len >= 2 && in[1] < s->bound && (s->flags[in[1]] & TYPE)) {
      s->m.walks = add(s->m.walks, s->flags[in[1]] & FORWARD ? 1 : s->size[in[1]]);
      s->m.moves = add(s->m.moves, value_cost(s, in[1]));
      if (len >= 3 && in[2] < s->bound)
         s->value_type[in[2]] = in[1];
   }
   s->m.moves = add(s->m.moves, moved_operands(s, op, in, len));
   if (s->m.walks > PV_SPIRV_MAX_TYPE_WALKS)
      return "instructions naming more than 8,388,608 types expanded and specialization "
             "constant paths in all (a large type or expression named again and again)";
   if (s->m.moves > PV_SPIRV_MAX_VALUE_MOVES)
      return "whole values loaded, stored and copied of more than 8,388,608 types expanded "
             "times their depth in all (a deep value moved again and again)";
   return NULL;
}

static const char *
visit(struct shape *s, const uint32_t *in, uint32_t len)
{
   uint32_t op = in[0] & 0xffffu;
   const char *why = pv_spirv_is_type(op) ? declare_type(s, op, in, len)
                     : is_spec(op)        ? declare_spec(s, op, in, len)
                                          : NULL;
   return why ? why : count_walks(s, op, in, len);
}

/* The copies forward pointers' fixups make at the end of SPIRV-Cross's parse: each array or
 * pointer that named one before its declaration takes its members then. */
static const char *
fix_up(struct shape *s)
{
   for (size_t k = 0; k < s->nfixups; k++)
      s->m.copies = add(s->m.copies, s->members[s->fixups[k]]);
   return check_type(s, 0, 0);
}

static const char *
scan(struct shape *s, const uint32_t *words, size_t count)
{
   s->flags = calloc(s->bound, sizeof(*s->flags));
   s->depth = calloc(s->bound, sizeof(*s->depth));
   s->size = calloc(s->bound, sizeof(*s->size));
   s->dims = calloc(s->bound, sizeof(*s->dims));
   s->members = calloc(s->bound, sizeof(*s->members));
   s->value_type = calloc(s->bound, sizeof(*s->value_type));
   if (!s->flags || !s->depth || !s->size || !s->dims || !s->members || !s->value_type)
      return "no memory";
   const char *why = NULL;
   for (size_t i = 5, len; !why && i < count && (len = pv_spirv_len_at(words, count, i)); i += len)
      why = visit(s, &words[i], (uint32_t)len);
   return why ? why : fix_up(s);
}

const char *
pv_spirv_shape_measure(const uint32_t *words, size_t count, struct pv_spirv_shape *out)
{
   const size_t header = 5;
   struct shape s = {.bound = count > header ? words[3] : 0};
   const char *why = NULL;
   if (count <= header)
      why = NULL; /* no instruction */
   else if (s.bound > PV_SPIRV_MAX_ID_BOUND)
      why = "an id bound past SPIR-V's limit";
   else if (!s.bound)
      why = "an id bound of 0";
   else
      why = scan(&s, words, count);
   free(s.flags), free(s.depth), free(s.size), free(s.dims), free(s.members), free(s.fixups);
   free(s.value_type);
   if (out)
      *out = s.m;
   return why;
}

const char *
pv_spirv_shape_violation(const uint32_t *words, size_t count)
{
   return pv_spirv_shape_measure(words, count, NULL);
}
