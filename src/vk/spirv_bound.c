/* SPDX-License-Identifier: MIT */
/*
 * Strip geometry shaders bounded for lavapipe (spirv_bound.h).
 *
 * llvmpipe's draw module gives a geometry shader's run a list of primitive lengths of
 * max(1, decomposed primitives of OutputVertices x input primitives) x Invocations entries
 * (draw_gs.c draw_geometry_shader_run, Mesa 22.3.6 and 25.0.7 alike), and copies one entry per
 * primitive the shader ended into it (llvm_fetch_gs_outputs). A primitive needs one vertex
 * (lp_bld_nir_soa.c end_primitive_masked ends only lanes that emitted since the last end), and
 * a lane emits at most OutputVertices vertices (clamp_mask_to_max_output_vertices), so a lane
 * ends at most OutputVertices primitives. A strip of n vertices decomposes into n - 1 lines or
 * n - 2 triangles: a legal shader that ends one-vertex primitives writes up to 2 entries a lane
 * past the list (measured on 22.3.6 under valgrind). Raising the OutputVertices the host sees by
 * that slack alone does not help: the JIT's clamp rises with it.
 *
 * So the host gets OutputVertices + slack, and every OpEmitVertex and OpEmitStreamVertex is
 * skipped once the guest's OutputVertices vertices were emitted, counted in a Private variable
 * (one count for every stream: the count of each stream stays inside it, and lavapipe's strips
 * may use one stream only, transformFeedbackStreamsLinesTriangles being false). A lane then
 * emits at most OutputVertices vertices, so it ends at most that many primitives, and the list
 * has decomposed(OutputVertices + slack) = OutputVertices entries a lane. The guest sees what
 * the host did before: vertices past OutputVertices were dropped by the JIT's clamp (and are
 * undefined in Vulkan).
 *
 * Each emit becomes a selection construct of its own:
 *       %c  = OpLoad %uint %count
 *       %ok = OpULessThan %bool %c %OutputVertices
 *             OpSelectionMerge %m None
 *             OpBranchConditional %ok %d %m
 *       %d  = OpLabel
 *             OpEmitVertex
 *       %c1 = OpIAdd %uint %c %1
 *             OpStore %count %c1
 *             OpBranch %m
 *       %m  = OpLabel          ; the rest of the block, its merge instruction and terminator
 * which splits the emit's block: OpPhi instructions naming that block as a parent name its last
 * piece instead. A loop header holding an emit (spirv-opt makes single-block loops) keeps its
 * OpPhi and OpLoopMerge and branches to a new block that takes the rest; a header that is its
 * own continue target gets a new latch block (OpBranch back to the header) as its continue
 * target, and its back edges and OpPhi parents go through it.
 *
 * The caller validates the result again: a module this cannot bound correctly is refused, never
 * compiled.
 */
#include "vk/spirv_bound.h"

#include <spirv_cross/spirv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vk/spirv_reflect.h"

#define SPIRV_MAGIC 0x07230203u
#define SPIRV_1_4 0x00010400u
/* SPIRV-Tools' default universal limit on a module's id bound */
#define ID_BOUND_MAX 0x3fffffu
/* OutputVertices past this is refused by the pipeline checks (maxGeometryOutputVertices) */
#define VERTICES_MAX 0xffffu
/* The ids and the words one emit's guard adds, besides the emit itself. */
#define GUARD_IDS 5u
#define GUARD_WORDS 30u

uint32_t
pv_spirv_strip_slack(uint32_t output_primitive)
{
   return output_primitive == PV_SPIRV_OUTPUT_TRIANGLE_STRIP ? 2
          : output_primitive == PV_SPIRV_OUTPUT_LINE_STRIP   ? 1
                                                             : 0;
}

/* A block holding emits. The execution modes' output primitives are PV_SPIRV_OUTPUT_*'s values. */
struct split {
   size_t at; /* the word its OpLabel starts at */
   uint32_t label, emits;
   uint32_t first_id; /* its guards' ids, GUARD_IDS each, consecutive */
   uint32_t body;     /* a loop header: the block the rest of it moves to; 0: not a header */
   uint32_t latch;    /* a header continuing to itself: its new continue target; 0: none */
   uint32_t cont;     /* a header: its continue target */
   size_t loop_merge; /* a header: the word its OpLoopMerge starts at */
};

struct plan {
   const uint32_t *w;
   size_t n;
   uint32_t bound, next;
   uint32_t entry, geometry_entries, strip_modes;
   size_t entry_at;
   uint32_t vertices, primitive;
   bool has_vertices;
   uint32_t uint_type, bool_type, ptr_type;
   size_t first_function;
   uint32_t emits, headers, latches;
   struct split *s;
   size_t ns, caps;
   struct split cur; /* the block being scanned */
   bool in_block;
   /* ids of the declarations */
   uint32_t id_uint, id_bool, id_ptr, id_zero, id_one, id_limit, id_count;
};

static bool
push_split(struct plan *p)
{
   if (p->in_block && p->cur.emits) {
      if (p->ns == p->caps) {
         size_t cap = p->caps ? p->caps * 2 : 8;
         struct split *s = realloc(p->s, cap * sizeof(*s));
         if (!s)
            return false;
         p->s = s;
         p->caps = cap;
      }
      p->s[p->ns++] = p->cur;
   }
   memset(&p->cur, 0, sizeof(p->cur));
   p->in_block = false;
   return true;
}

static void
scan_mode(struct plan *p, const uint32_t *in, uint32_t len)
{
   uint32_t mode = in[2];
   if (mode == SpvExecutionModeOutputLineStrip || mode == SpvExecutionModeOutputTriangleStrip)
      p->strip_modes++;
   if (in[1] != p->entry)
      return;
   if (mode == SpvExecutionModeOutputVertices && len >= 4 && !p->has_vertices) {
      p->vertices = in[3];
      p->has_vertices = true; /* Mesa keeps the first; the pipeline checks refuse two */
   } else if ((mode == SpvExecutionModeOutputPoints || mode == SpvExecutionModeOutputLineStrip ||
               mode == SpvExecutionModeOutputTriangleStrip) &&
              !p->primitive) {
      p->primitive = mode;
   }
}

/* One instruction of the first pass; a reason when the module cannot be bounded. */
static const char *
scan_one(struct plan *p, size_t i, uint32_t op, uint32_t len)
{
   const uint32_t *in = p->w + i;
   switch (op) {
   case SpvOpEntryPoint:
      if (len >= 3 && in[1] == SpvExecutionModelGeometry) {
         p->geometry_entries++;
         p->entry = in[2];
         p->entry_at = i;
      }
      break;
   case SpvOpExecutionMode:
      if (len >= 3)
         scan_mode(p, in, len);
      break;
   case SpvOpTypeInt:
      if (len == 4 && in[2] == 32 && in[3] == 0)
         p->uint_type = in[1];
      break;
   case SpvOpTypeBool:
      if (len == 2)
         p->bool_type = in[1];
      break;
   case SpvOpFunction:
      p->first_function = p->first_function ? p->first_function : i;
      break;
   case SpvOpLabel:
   case SpvOpFunctionEnd:
      if (!push_split(p))
         return "no memory";
      if (op == SpvOpLabel && len == 2) {
         p->cur.at = i;
         p->cur.label = in[1];
         p->in_block = true;
      }
      break;
   case SpvOpLoopMerge:
      if (p->in_block && len >= 3) {
         p->cur.cont = in[2];
         p->cur.loop_merge = i;
      }
      break;
   case SpvOpEmitVertex:
   case SpvOpEmitStreamVertex:
      if (!p->in_block)
         return "an emit outside a block";
      p->cur.emits++;
      p->emits++;
      break;
   default:
      break;
   }
   return NULL;
}

static const char *
scan(struct plan *p)
{
   if (p->n < 5 || p->w[0] != SPIRV_MAGIC)
      return "not SPIR-V in the host's byte order";
   p->bound = p->w[3];
   for (size_t i = 5; i < p->n;) {
      uint32_t len = p->w[i] >> 16, op = p->w[i] & 0xffffu;
      if (len == 0 || len > p->n - i)
         return "a malformed instruction";
      const char *why = scan_one(p, i, op, len);
      if (why)
         return why;
      i += len;
   }
   return push_split(p) ? NULL : "no memory";
}

/* A Private pointer to the 32-bit unsigned type the module declares, 0: none. */
static uint32_t
find_private_uint_ptr(const struct plan *p)
{
   for (size_t i = 5; p->uint_type && i < p->n; i += p->w[i] >> 16) {
      const uint32_t *in = p->w + i;
      if ((in[0] & 0xffffu) == SpvOpTypePointer && in[0] >> 16 == 4 &&
          in[2] == SpvStorageClassPrivate && in[3] == p->uint_type)
         return in[1];
   }
   return 0;
}

static uint32_t
new_id(struct plan *p, uint32_t existing)
{
   return existing ? existing : p->next++;
}

/* The new ids, and the words of the bounded module; a reason when there are too many. */
static const char *
assign(struct plan *p, size_t *words)
{
   p->next = p->bound;
   p->ptr_type = find_private_uint_ptr(p);
   p->id_uint = new_id(p, p->uint_type);
   p->id_bool = new_id(p, p->bool_type);
   p->id_ptr = new_id(p, p->ptr_type);
   p->id_zero = p->next++;
   p->id_one = p->next++;
   p->id_limit = p->next++;
   p->id_count = p->next++;
   uint64_t next = p->next;
   for (size_t k = 0; k < p->ns; k++) {
      struct split *s = &p->s[k];
      if (s->loop_merge) {
         s->body = (uint32_t)next++;
         p->headers++;
         if (s->cont == s->label) {
            s->latch = (uint32_t)next++;
            p->latches++;
         }
      }
      s->first_id = (uint32_t)next;
      next += (uint64_t)GUARD_IDS * s->emits;
      if (next > ID_BOUND_MAX)
         return "the bounded module needs more ids than a module may have";
   }
   p->next = (uint32_t)next;
   size_t decl = (p->uint_type ? 0 : 4) + (p->bool_type ? 0 : 2) + (p->ptr_type ? 0 : 4) + 12 + 5;
   /* emits, headers and latches are each at most the module's words: no overflow below */
   *words = p->n + decl + 1 + (size_t)GUARD_WORDS * p->emits + 4 * (size_t)p->headers +
            4 * (size_t)p->latches;
   return NULL;
}

/* ----- the second pass: writing ------------------------------------------------------------ */

/* The output and its size from the first pass. Both passes walk the same instructions, so the
 * size holds; the writer checks it all the same and marks `over` rather than write past it. */
struct writer {
   uint32_t *o;
   size_t at, cap;
   bool over;
};

static bool
room(struct writer *wr, uint32_t len)
{
   wr->over |= len > wr->cap - wr->at;
   return !wr->over;
}

static void
put(struct writer *wr, uint32_t op, uint32_t len, const uint32_t *operands)
{
   if (!room(wr, len))
      return;
   wr->o[wr->at++] = len << 16 | op;
   for (uint32_t k = 1; k < len; k++)
      wr->o[wr->at++] = operands[k - 1];
}

/* Copies `in`; returns where the copy starts (its words may be changed there), or NULL. */
static uint32_t *
put_copy(struct writer *wr, const uint32_t *in)
{
   uint32_t len = in[0] >> 16;
   if (!room(wr, len))
      return NULL;
   uint32_t *copy = wr->o + wr->at;
   memcpy(copy, in, (size_t)len * 4);
   wr->at += len;
   return copy;
}

static void
put_declarations(const struct plan *p, struct writer *wr)
{
   if (!p->uint_type)
      put(wr, SpvOpTypeInt, 4, (uint32_t[]){p->id_uint, 32, 0});
   if (!p->bool_type)
      put(wr, SpvOpTypeBool, 2, (uint32_t[]){p->id_bool});
   if (!p->ptr_type)
      put(wr, SpvOpTypePointer, 4, (uint32_t[]){p->id_ptr, SpvStorageClassPrivate, p->id_uint});
   put(wr, SpvOpConstant, 4, (uint32_t[]){p->id_uint, p->id_zero, 0});
   put(wr, SpvOpConstant, 4, (uint32_t[]){p->id_uint, p->id_one, 1});
   put(wr, SpvOpConstant, 4, (uint32_t[]){p->id_uint, p->id_limit, p->vertices});
   put(wr, SpvOpVariable, 5,
       (uint32_t[]){p->id_ptr, p->id_count, SpvStorageClassPrivate, p->id_zero});
}

/* Emit `in` (OpEmitVertex or OpEmitStreamVertex) under guard `ids` (GUARD_IDS of them). */
static void
put_guarded_emit(const struct plan *p, struct writer *wr, const uint32_t *in, uint32_t ids)
{
   uint32_t c = ids, ok = ids + 1, d = ids + 2, c1 = ids + 3, m = ids + 4;
   put(wr, SpvOpLoad, 4, (uint32_t[]){p->id_uint, c, p->id_count});
   put(wr, SpvOpULessThan, 5, (uint32_t[]){p->id_bool, ok, c, p->id_limit});
   put(wr, SpvOpSelectionMerge, 3, (uint32_t[]){m, SpvSelectionControlMaskNone});
   put(wr, SpvOpBranchConditional, 4, (uint32_t[]){ok, d, m});
   put(wr, SpvOpLabel, 2, (uint32_t[]){d});
   put_copy(wr, in);
   put(wr, SpvOpIAdd, 5, (uint32_t[]){p->id_uint, c1, c, p->id_one});
   put(wr, SpvOpStore, 3, (uint32_t[]){p->id_count, c1});
   put(wr, SpvOpBranch, 2, (uint32_t[]){m});
   put(wr, SpvOpLabel, 2, (uint32_t[]){m});
}

/* The split whose block is `label`, or NULL (p->s is in module order, labels unique: a search
 * of the sorted index). */
struct label_index {
   uint32_t label;
   uint32_t split;
};

static int
label_cmp(const void *a, const void *b)
{
   uint32_t x = ((const struct label_index *)a)->label, y = ((const struct label_index *)b)->label;
   return x < y ? -1 : x > y;
}

static const struct split *
split_of(const struct plan *p, const struct label_index *ix, uint32_t label)
{
   struct label_index key = {label, 0};
   const struct label_index *f = bsearch(&key, ix, p->ns, sizeof(*ix), label_cmp);
   return f ? &p->s[f->split] : NULL;
}

static uint32_t
last_piece(const struct split *s)
{
   return s->first_id + GUARD_IDS * (s->emits - 1) + 4;
}

/* An OpPhi in block `block`: a parent that was split is its last piece, or the latch for the
 * back edge of a header that continues to itself. */
static void
put_phi(const struct plan *p, const struct label_index *ix, struct writer *wr, const uint32_t *in,
        uint32_t block)
{
   uint32_t *copy = put_copy(wr, in);
   uint32_t len = in[0] >> 16;
   for (uint32_t k = 4; copy && k < len; k += 2) {
      const struct split *s = split_of(p, ix, in[k]);
      if (s)
         copy[k] = s->latch && in[k] == block ? s->latch : last_piece(s);
   }
}

/* The state of the block being written. */
struct block {
   const struct split *s; /* NULL: a block left as it is */
   uint32_t label, guard;
   bool moved; /* a header: its OpLoopMerge and the branch to its body written */
};

/* A header's OpLoopMerge (its continue target the latch where it continued to itself) and the
 * branch to the block that takes the rest of it. */
static void
move_header(const struct plan *p, struct writer *wr, struct block *b)
{
   uint32_t *copy = put_copy(wr, p->w + b->s->loop_merge);
   if (copy && b->s->latch)
      copy[2] = b->s->latch;
   put(wr, SpvOpBranch, 2, (uint32_t[]){b->s->body});
   put(wr, SpvOpLabel, 2, (uint32_t[]){b->s->body});
   b->moved = true;
}

/* The terminator of a header that continues to itself: its back edge goes to the latch, which
 * follows it and branches to the header. */
static void
put_terminator(struct writer *wr, const uint32_t *in, struct block *b)
{
   uint32_t *copy = put_copy(wr, in);
   uint32_t op = in[0] & 0xffffu, len = in[0] >> 16;
   uint32_t first = op == SpvOpBranch ? 1 : 2, last = op == SpvOpBranch ? 1 : 3;
   for (uint32_t k = first; copy && k <= last && k < len; k++)
      if (copy[k] == b->label)
         copy[k] = b->s->latch;
   put(wr, SpvOpLabel, 2, (uint32_t[]){b->s->latch});
   put(wr, SpvOpBranch, 2, (uint32_t[]){b->label});
}

static bool
is_phi_or_line(uint32_t op)
{
   return op == SpvOpPhi || op == SpvOpLine || op == SpvOpNoLine;
}

/* One instruction inside a function. */
static void
put_body(const struct plan *p, const struct label_index *ix, struct writer *wr, const uint32_t *in,
         struct block *b, size_t *next_split)
{
   uint32_t op = in[0] & 0xffffu;
   if (op == SpvOpLabel || op == SpvOpFunctionEnd) {
      memset(b, 0, sizeof(*b));
      if (op == SpvOpLabel) {
         b->label = in[1];
         if (*next_split < p->ns && p->s[*next_split].at == (size_t)(in - p->w))
            b->s = &p->s[(*next_split)++];
      }
      put_copy(wr, in);
      return;
   }
   if (op == SpvOpPhi) {
      put_phi(p, ix, wr, in, b->label);
      return;
   }
   if (!b->s) {
      put_copy(wr, in);
      return;
   }
   if (b->s->body && !b->moved && !is_phi_or_line(op))
      move_header(p, wr, b);
   if (op == SpvOpLoopMerge && b->s->body)
      return; /* moved above */
   if (op == SpvOpEmitVertex || op == SpvOpEmitStreamVertex)
      put_guarded_emit(p, wr, in, b->s->first_id + GUARD_IDS * b->guard++);
   else if (b->s->latch && (op == SpvOpBranch || op == SpvOpBranchConditional))
      put_terminator(wr, in, b);
   else
      put_copy(wr, in);
}

/* False when the module did not fit the first pass's size (a module the validator refuses). */
static bool
write_module(const struct plan *p, const struct label_index *ix, uint32_t *o, size_t cap,
             size_t *words)
{
   struct writer wr = {o, 5, cap, false};
   memcpy(o, p->w, 5 * 4);
   o[3] = p->next;
   struct block b = {0};
   size_t next_split = 0;
   bool interface = p->w[1] >= SPIRV_1_4; /* Private variables are listed from 1.4 on */
   for (size_t i = 5; i < p->n; i += p->w[i] >> 16) {
      const uint32_t *in = p->w + i;
      uint32_t op = in[0] & 0xffffu, len = in[0] >> 16;
      if (i == p->first_function)
         put_declarations(p, &wr);
      if (i == p->entry_at && interface) {
         if (room(&wr, len + 1)) {
            wr.o[wr.at++] = (len + 1) << 16 | op;
            memcpy(wr.o + wr.at, in + 1, (size_t)(len - 1) * 4);
            wr.at += len - 1;
            wr.o[wr.at++] = p->id_count;
         }
      } else if (op == SpvOpExecutionMode && len >= 4 && in[1] == p->entry &&
                 in[2] == SpvExecutionModeOutputVertices) {
         uint32_t *copy = put_copy(&wr, in);
         if (copy)
            copy[3] = in[3] + pv_spirv_strip_slack(p->primitive);
      } else if (i >= p->first_function) {
         put_body(p, ix, &wr, in, &b, &next_split);
      } else {
         put_copy(&wr, in);
      }
   }
   *words = wr.at;
   return !wr.over;
}

/* Whether the module needs bounding: one geometry entry point, a strip, emits. */
static const char *
needs_bound(const struct plan *p, bool *needed)
{
   *needed = false;
   if (!p->strip_modes)
      return NULL;
   if (p->geometry_entries > 1)
      return "several geometry entry points, one of them a strip (this host needs the emits "
             "of a strip bounded, one bound a module)";
   *needed = p->geometry_entries == 1 && p->has_vertices && p->vertices > 0 &&
             p->vertices <= VERTICES_MAX && p->emits &&
             (p->primitive == SpvExecutionModeOutputLineStrip ||
              p->primitive == SpvExecutionModeOutputTriangleStrip);
   return NULL;
}

const char *
pv_spirv_bound_strips(const uint32_t *words, size_t count, uint32_t **out, size_t *out_count)
{
   *out = NULL;
   *out_count = 0;
   struct plan p = {.w = words, .n = count};
   bool needed = false;
   const char *why = scan(&p);
   if (!why)
      why = needs_bound(&p, &needed);
   size_t size = 0;
   if (!why && needed)
      why = assign(&p, &size);
   struct label_index *ix = NULL;
   uint32_t *o = NULL;
   if (!why && needed) {
      ix = malloc((p.ns ? p.ns : 1) * sizeof(*ix));
      o = malloc(size * 4);
      if (!ix || !o)
         why = "no memory";
   }
   if (!why && needed) {
      for (size_t k = 0; k < p.ns; k++)
         ix[k] = (struct label_index){p.s[k].label, (uint32_t)k};
      qsort(ix, p.ns, sizeof(*ix), label_cmp);
      if (write_module(&p, ix, o, size, out_count)) {
         *out = o;
         o = NULL;
      } else {
         *out_count = 0;
         why = "the module changed shape between the two passes (not valid SPIR-V)";
      }
   }
   free(o);
   free(ix);
   free(p.s);
   return why;
}
