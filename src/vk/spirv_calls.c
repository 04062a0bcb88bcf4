/* SPDX-License-Identifier: MIT */
/*
 * Call graphs and control flow that spvValidate (SPIRV-Tools 2023.1) walks in more than linear
 * time, bounded before it sees a module (spirv_calls.h; the twelfth reading, 2026-12-08). Small
 * modules took it seconds to minutes:
 *
 * - ValidationState_t::ComputeRecursiveEntryPoints walks the call graph from every function,
 *   ComputeFunctionToEntryPointMapping from every entry point, each without memo: a chain of
 *   10,000 functions each calling the next took 5.8 s. Counted exactly here: the functions each
 *   reaches (bitsets, callees first, in a topological order that also finds any cycle), each
 *   with its distinct callees (the validator keeps them in a set).
 * - ValidateCfg (PerformCfgChecks) finds each block's dominator by a linear search from the
 *   function's first block, and CFA::DepthFirstTraversal scans its whole stack for every edge
 *   to find back edges: a chain of 100,000 blocks took 14.6 s. Counted: blocks squared over 2,
 *   and the stack's depth at every edge of the same walk, done here the same way.
 * - BasicBlock::structurally_dominates walks the dominator chain (std::find over an iterator of
 *   std::function), and StructuredControlFlowChecks' Construct::blocks checks every block of
 *   every construct, and its successors, that way: 1,000 nested selections took 27 s, 1,000
 *   nested loops 79 s or more, one selection around 30,000 blocks 14.8 s. Counted on the
 *   structural dominator tree computed here as the validator does (Cooper, Harvey and Kennedy
 *   over a post-order of the same walk, its steps counted too): each construct's blocks lie in
 *   the subtree of its header less that of its merge (of the loop's merge, for a continue
 *   construct), so each block's constructs come from differences over the tree's pre-order;
 *   each block then costs its successors times its depth (plus the function's blocks in a
 *   continue construct, for the post-dominator chain). Its deepest nesting is bounded too.
 * - UpdateContinueConstructExitBlocks copies every construct for every back edge, and a block
 *   whose structural successors repeat a loop header makes a back edge per pair: 3,000 loops in
 *   a row took 0.9 s, a switch of 3,000 cases back to its loop header 1.1 s (and 30,000 would
 *   record 900M back edges). Counted: the back edges the walk finds (every edge of a block it
 *   does not reach), times the function's constructs and edges.
 *
 * A function that branches to a label it does not define is refused by the validator before
 * any of this and costs nothing here. Each count is an upper bound of the validator's work,
 * exact for structured code. No real shader comes near a limit (spirv_calls.h gives the
 * largest counts of the unit and bench shaders and 1,187 compiled from piglit's tests, a
 * hundredth of each limit or less, but for nesting: 25 deep of 128). The scan runs on every
 * host before validation, on
 * words not yet validated: every operand is checked against the instruction's length and every
 * id against the header's bound, nothing recurses, and its own work is linear but for the
 * dominators' steps, which are bounded.
 */
#include "vk/spirv_calls.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SPV_ENABLE_UTILITY_CODE
#include <spirv_cross/spirv.h>

#include "vk/spirv_values.h"
#include "vk/spirv_words.h"

/* The header's table of which instructions have a result type, defined (not only inline) here. */
extern void SpvHasResultAndType(SpvOp opcode, bool *hasResult, bool *hasResultType);

enum { SELECTION = 1, LOOP = 2 };

#define NONE UINT32_MAX

struct block {
   uint32_t label, first, nreal; /* its id, its first edge, its branch targets */
   uint32_t merge, cont;         /* its merge instruction's targets (ids), 0 when none */
   uint8_t kind;                 /* SELECTION, LOOP or 0 */
};

struct calls {
   uint32_t bound;
   uint8_t *lit;        /* per id: words of a literal of its type (a value's: its type's) */
   uint32_t *fn_of_id;  /* per function id: its index */
   uint32_t *blk_of_id; /* per label id: its block in the current function */
   uint32_t *fn_ids;    /* per function: its id */
   size_t nfns, capfns;
   struct pv_spirv_pair *calls; /* (caller, callee id) */
   size_t ncalls, capcalls;
   uint32_t *eps; /* each OpEntryPoint's function */
   size_t neps, capeps;
   /* the current function */
   bool in_fn, in_block;
   struct block *blocks;
   size_t nblocks, capblocks;
   uint32_t *edges; /* per block: its merge and continue targets, then its branch targets */
   size_t nedges, capedges;
   uint64_t order, doms, walks, back;
};

static const char *const no_memory = "no memory";

static uint64_t
add(uint64_t a, uint64_t b)
{
   return a + b < a ? UINT64_MAX : a + b;
}

static uint64_t
mul(uint64_t a, uint64_t b)
{
   uint64_t r;
   return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* ----- one function's control flow ---------------------------------------------------------- */

/* Per reachable block, by its post-order index (po). */
struct cfg {
   uint32_t n;               /* blocks reached from the first */
   uint32_t *post;           /* po -> block */
   uint32_t *po;             /* block -> po, NONE when not reached */
   uint32_t *retreat;        /* block -> edges to a block on the walk's stack */
   uint32_t *pfirst, *preds; /* po -> its predecessors' po (structural) */
   uint32_t *idom, *depth, *size, *tin, *next;
   int64_t *nest, *cont;
};

static void
free_cfg(struct cfg *g)
{
   free(g->post);
   free(g->po);
   free(g->retreat);
   free(g->pfirst);
   free(g->preds);
   free(g->idom);
   free(g->depth);
   free(g->size);
   free(g->tin);
   free(g->next);
   free(g->nest);
   free(g->cont);
}

static uint32_t
edge_end(const struct calls *c, uint32_t b)
{
   return b + 1 < c->nblocks ? c->blocks[b + 1].first : (uint32_t)c->nedges;
}

/* The depth-first walk the validator's back-edge search makes from the first block (merge,
 * continue, then branch targets, as it registers them): post-order, back edges, stack scans. */
static void
walk(struct calls *c, struct cfg *g, uint32_t *stack, uint32_t *cursor)
{
   const uint32_t nb = (uint32_t)c->nblocks;
   uint32_t top = 0;
   uint8_t *on = calloc(nb, 1); /* 1: on the stack, 2: done */
   if (!on) {
      g->n = NONE;
      return;
   }
   stack[top] = 0;
   cursor[top++] = c->blocks[0].first;
   on[0] = 1;
   while (top) {
      uint32_t u = stack[top - 1];
      if (cursor[top - 1] == edge_end(c, u)) {
         g->po[u] = g->n;
         g->post[g->n++] = u;
         on[u] = 2;
         top--;
         continue;
      }
      uint32_t v = c->edges[cursor[top - 1]++];
      c->order = add(c->order, top); /* FindInWorkList */
      if (on[v] == 1)
         g->retreat[u]++;
      else if (!on[v]) {
         on[v] = 1;
         stack[top] = v;
         cursor[top++] = c->blocks[v].first;
      }
   }
   free(on);
}

/* Cooper, Harvey and Kennedy's dominators over the post-order, as CFA::CalculateDominators. */
static const char *
dominators(struct calls *c, struct cfg *g)
{
   const uint32_t n = g->n;
   for (uint32_t i = 0; i < n; i++)
      g->idom[i] = NONE;
   g->idom[n - 1] = n - 1;
   for (bool changed = true; changed;) {
      changed = false;
      for (uint32_t i = n - 1; i-- > 0;) {
         uint32_t d = NONE;
         for (uint32_t k = g->pfirst[i]; k < g->pfirst[i + 1]; k++) {
            uint32_t p = g->preds[k], f1 = p, f2 = d;
            c->doms = add(c->doms, 1);
            if (g->idom[p] == NONE)
               continue;
            if (d == NONE) {
               d = p;
               continue;
            }
            while (f1 != f2) {
               while (f1 < f2)
                  f1 = g->idom[f1], c->doms = add(c->doms, 1);
               while (f2 < f1)
                  f2 = g->idom[f2], c->doms = add(c->doms, 1);
            }
            d = f1;
            if (c->doms > PV_SPIRV_MAX_DOMINATOR_STEPS)
               return "control flow whose dominators take more than 16,777,216 steps";
         }
         if (d != g->idom[i]) {
            g->idom[i] = d;
            changed = true;
         }
      }
      if (c->doms > PV_SPIRV_MAX_DOMINATOR_STEPS)
         return "control flow whose dominators take more than 16,777,216 steps";
   }
   return NULL;
}

/* +1 over the dominator subtree of `h` (po) less that of `x` (a block), in `diff` by pre-order. */
static void
region(const struct cfg *g, int64_t *diff, uint32_t h, uint32_t x)
{
   uint32_t a = g->tin[h], z = a + g->size[h];
   diff[a]++;
   diff[z]--;
   uint32_t xi = g->po[x];
   if (xi != NONE && g->tin[xi] > a && g->tin[xi] < z) {
      diff[g->tin[xi]]--;
      diff[g->tin[xi] + g->size[xi]]++;
   }
}

static const char *
finish_fn(struct calls *c)
{
   const uint32_t nb = (uint32_t)c->nblocks;
   c->in_fn = c->in_block = false;
   if (!nb)
      return NULL;
   /* labels to blocks: a target this function does not define ends the validator here */
   for (size_t k = 0; k < c->nedges; k++) {
      uint32_t t = c->edges[k], b = t < c->bound ? c->blk_of_id[t] : NONE;
      if (b >= nb || c->blocks[b].label != t)
         return NULL;
      c->edges[k] = b;
   }
   uint64_t constructs = 0;
   for (uint32_t b = 0; b < nb; b++)
      constructs += c->blocks[b].kind;
   c->order = add(c->order, (uint64_t)nb * (nb - 1) / 2);

   struct cfg g = {0};
   const char *why = NULL;
   const size_t ne = c->nedges;
   uint32_t *stack = malloc(sizeof(uint32_t) * nb), *cursor = malloc(sizeof(uint32_t) * nb);
   g.post = malloc(sizeof(uint32_t) * nb);
   g.po = malloc(sizeof(uint32_t) * nb);
   g.retreat = calloc(nb, sizeof(uint32_t));
   g.pfirst = calloc((size_t)nb + 1, sizeof(uint32_t));
   g.preds = malloc(sizeof(uint32_t) * (ne ? ne : 1));
   g.idom = malloc(sizeof(uint32_t) * nb);
   g.depth = malloc(sizeof(uint32_t) * nb);
   g.size = malloc(sizeof(uint32_t) * nb);
   g.tin = malloc(sizeof(uint32_t) * nb);
   g.next = malloc(sizeof(uint32_t) * nb);
   g.nest = calloc((size_t)nb + 1, sizeof(int64_t));
   g.cont = calloc((size_t)nb + 1, sizeof(int64_t));
   if (!stack || !cursor || !g.post || !g.po || !g.retreat || !g.pfirst || !g.preds || !g.idom ||
       !g.depth || !g.size || !g.tin || !g.next || !g.nest || !g.cont) {
      why = no_memory;
      goto out;
   }
   for (uint32_t b = 0; b < nb; b++)
      g.po[b] = NONE;
   walk(c, &g, stack, cursor);
   if (g.n == NONE) {
      why = no_memory;
      goto out;
   }

   /* back edges: those the walk found, and every edge of a block it did not reach */
   uint64_t back = 0;
   for (uint32_t b = 0; b < nb; b++) {
      uint64_t s = edge_end(c, b) - c->blocks[b].first;
      if (g.po[b] == NONE) {
         c->order = add(c->order, mul(s, nb));
         back = add(back, mul(s, c->blocks[b].nreal));
      } else
         back = add(back, mul(g.retreat[b], c->blocks[b].nreal));
   }
   /* each loop checks its continue target's predecessors against every back edge */
   uint64_t preds = 0;
   for (uint32_t b = 0; b < nb; b++)
      g.retreat[b] = 0;
   for (uint32_t b = 0; b < nb; b++)
      for (uint32_t k = c->blocks[b].first + c->blocks[b].kind; k < edge_end(c, b); k++)
         g.retreat[c->edges[k]]++; /* now: branches to each block */
   for (uint32_t b = 0; b < nb; b++)
      if (c->blocks[b].kind == LOOP)
         preds += g.retreat[c->blk_of_id[c->blocks[b].cont]];
   c->back = add(c->back, mul(back, constructs + preds));

   /* structural predecessors of the reached blocks, by po */
   for (uint32_t i = 0; i < g.n; i++)
      for (uint32_t k = c->blocks[g.post[i]].first; k < edge_end(c, g.post[i]); k++)
         g.pfirst[g.po[c->edges[k]] + 1]++;
   for (uint32_t i = 0; i < g.n; i++)
      g.pfirst[i + 1] += g.pfirst[i];
   for (uint32_t i = 0; i < g.n; i++)
      g.next[i] = g.pfirst[i];
   for (uint32_t i = 0; i < g.n; i++)
      for (uint32_t k = c->blocks[g.post[i]].first; k < edge_end(c, g.post[i]); k++)
         g.preds[g.next[g.po[c->edges[k]]]++] = i;
   if ((why = dominators(c, &g)))
      goto out;

   /* depth, subtree sizes and pre-order positions (a dominator has the higher po) */
   const uint32_t n = g.n;
   for (uint32_t i = n; i-- > 0;)
      g.depth[i] = i == n - 1 ? 1 : g.depth[g.idom[i]] + 1;
   for (uint32_t i = 0; i < n; i++)
      g.size[i] = 1;
   for (uint32_t i = 0; i + 1 < n; i++)
      g.size[g.idom[i]] += g.size[i];
   g.tin[n - 1] = 0;
   g.next[n - 1] = 1;
   for (uint32_t i = n - 1; i-- > 0;) {
      uint32_t p = g.idom[i];
      g.tin[i] = g.next[p];
      g.next[p] += g.size[i];
      g.next[i] = g.tin[i] + 1;
   }

   /* each construct of a reached header over its blocks, then each block's nesting and cost */
   for (uint32_t i = 0; i < n; i++) {
      const struct block *h = &c->blocks[g.post[i]];
      if (!h->kind)
         continue;
      uint32_t merge = c->blk_of_id[h->merge]; /* an edge: checked above */
      region(&g, g.nest, i, merge);
      uint32_t ct = h->kind == LOOP ? g.po[c->blk_of_id[h->cont]] : NONE;
      if (ct != NONE)
         region(&g, g.cont, ct, merge);
   }
   for (uint32_t i = 0; i < n; i++)
      g.next[g.tin[i]] = i; /* pre-order position -> po */
   int64_t nest = 0, cont = 0;
   for (uint32_t t = 0; t < n && !why; t++) {
      nest += g.nest[t];
      cont += g.cont[t];
      uint32_t i = g.next[t], b = g.post[i];
      if (nest > (int64_t)PV_SPIRV_MAX_NESTING)
         why = "control flow nested more than 128 deep";
      uint64_t s = 1 + (uint64_t)(edge_end(c, b) - c->blocks[b].first);
      uint64_t d = (uint64_t)g.depth[i] + 2;
      c->walks = add(c->walks, mul((uint64_t)nest, mul(s, d)));
      c->walks = add(c->walks, mul((uint64_t)cont, mul(s, d + nb)));
   }
out:
   free(stack);
   free(cursor);
   free_cfg(&g);
   return why;
}

/* ----- the call graph ------------------------------------------------------------------------ */

static const char *
call_graph(struct calls *c)
{
   const size_t nf = c->nfns, words = (nf + 63) / 64;
   if (!nf)
      return NULL;
   /* distinct callees (ids, as the validator's set holds them) */
   pv_spirv_sort(c->calls, c->ncalls, sizeof(*c->calls), pv_spirv_pair_cmp);
   size_t u = 0;
   for (size_t k = 0; k < c->ncalls; k++)
      if (!u || c->calls[k].a != c->calls[u - 1].a || c->calls[k].b != c->calls[u - 1].b)
         c->calls[u++] = c->calls[k];
   c->ncalls = u;
   const char *why = NULL;
   uint32_t *deg = calloc(nf, sizeof(uint32_t)), *indeg = calloc(nf, sizeof(uint32_t));
   uint32_t *order = malloc(sizeof(uint32_t) * nf), *first = calloc(nf + 1, sizeof(uint32_t));
   uint64_t *reach = calloc(nf * words, sizeof(uint64_t)), *walk = calloc(nf, sizeof(uint64_t));
   if (!deg || !indeg || !order || !first || !reach || !walk) {
      why = no_memory;
      goto out;
   }
   /* callee ids to functions: c->calls[k].b becomes an index, or NONE */
   for (size_t k = 0; k < c->ncalls; k++) {
      uint32_t id = c->calls[k].b, f = id < c->bound ? c->fn_of_id[id] : NONE;
      deg[c->calls[k].a]++;
      c->calls[k].b = f < nf && c->fn_ids[f] == id ? f : NONE;
      if (c->calls[k].b != NONE)
         indeg[c->calls[k].b]++;
      first[c->calls[k].a + 1]++;
   }
   for (size_t f = 0; f < nf; f++)
      first[f + 1] += first[f];
   /* Kahn's order, callers first; what it leaves out lies on a cycle */
   size_t head = 0, tail = 0;
   for (size_t f = 0; f < nf; f++)
      if (!indeg[f])
         order[tail++] = (uint32_t)f;
   while (head < tail) {
      uint32_t f = order[head++];
      for (uint32_t k = first[f]; k < first[f + 1]; k++) {
         uint32_t g = c->calls[k].b;
         if (g != NONE && !--indeg[g])
            order[tail++] = g;
      }
   }
   if (tail < nf) {
      why = "a function that calls itself, directly or not (recursion)";
      goto out;
   }
   /* callees first: each function's reach, and the walk from it over that reach */
   uint64_t total = 0;
   for (size_t k = nf; k-- > 0;) {
      uint32_t f = order[k];
      uint64_t *r = &reach[f * words];
      for (uint32_t e = first[f]; e < first[f + 1]; e++) {
         uint32_t g = c->calls[e].b;
         if (g == NONE)
            continue;
         r[g / 64] |= 1ull << (g % 64);
         for (size_t w = 0; w < words; w++)
            r[w] |= reach[g * words + w];
      }
      uint64_t cost = 0;
      for (size_t w = 0; w < words; w++)
         for (uint64_t bits = r[w]; bits; bits &= bits - 1)
            cost += 1 + deg[w * 64 + (size_t)__builtin_ctzll(bits)];
      walk[f] = cost;
      total = add(total, cost + deg[f]);
      if (total > PV_SPIRV_MAX_CALL_WALK)
         break;
   }
   for (size_t k = 0; k < c->neps && total <= PV_SPIRV_MAX_CALL_WALK; k++) {
      uint32_t id = c->eps[k], f = id < c->bound ? c->fn_of_id[id] : NONE;
      if (f < nf && c->fn_ids[f] == id)
         total = add(total, 1 + deg[f] + walk[f]);
   }
   if (total > PV_SPIRV_MAX_CALL_WALK)
      why = "a call graph the validator would walk more than 4,194,304 times";
out:
   free(deg);
   free(indeg);
   free(order);
   free(first);
   free(reach);
   free(walk);
   return why;
}

/* ----- the scan ------------------------------------------------------------------------------ */

static bool
push_edge(struct calls *c, uint32_t target)
{
   uint32_t *v = pv_spirv_grow(c->edges, &c->capedges, c->nedges + 1, sizeof(*v));
   if (!v)
      return false;
   c->edges = v;
   c->edges[c->nedges++] = target;
   return true;
}

static bool
is_terminator(uint32_t op)
{
   switch (op) {
   case SpvOpReturn:
   case SpvOpReturnValue:
   case SpvOpKill:
   case SpvOpUnreachable:
   case SpvOpTerminateInvocation:
   case SpvOpIgnoreIntersectionKHR:
   case SpvOpTerminateRayKHR:
   case SpvOpEmitMeshTasksEXT:
      return true;
   default:
      return false;
   }
}

/* Branch targets of the block's terminator `in` of `len` words. */
static bool
branch(struct calls *c, uint32_t op, const uint32_t *in, uint32_t len)
{
   struct block *b = &c->blocks[c->nblocks - 1];
   c->in_block = false;
   if (op == SpvOpBranch && len >= 2) {
      b->nreal++;
      return push_edge(c, in[1]);
   }
   if (op == SpvOpBranchConditional && len >= 4) {
      b->nreal += 2;
      return push_edge(c, in[2]) && push_edge(c, in[3]);
   }
   if (op == SpvOpSwitch && len >= 3) {
      /* (literal, label) pairs after the default, the literal as wide as the selector's type */
      uint32_t w = in[1] < c->bound && c->lit[in[1]] ? c->lit[in[1]] : 1;
      b->nreal++;
      if (!push_edge(c, in[2]))
         return false;
      for (uint32_t k = 3; k + w < len; k += w + 1) {
         b->nreal++;
         if (!push_edge(c, in[k + w]))
            return false;
      }
   }
   return true;
}

static const char *
instruction(struct calls *c, const uint32_t *in, uint32_t len)
{
   const uint32_t op = in[0] & 0xffffu;
   bool result = false, type = false;
   SpvHasResultAndType((SpvOp)op, &result, &type);
   if (type && len >= 3 && in[1] < c->bound && in[2] < c->bound)
      c->lit[in[2]] = c->lit[in[1]];
   switch (op) {
   case SpvOpTypeInt:
   case SpvOpTypeFloat:
      if (len >= 3 && in[1] < c->bound)
         c->lit[in[1]] = in[2] > 32 ? 2 : 1;
      return NULL;
   case SpvOpEntryPoint:
      if (len >= 3 && !pv_spirv_push_u32(&c->eps, &c->neps, &c->capeps, in[2]))
         return no_memory;
      return NULL;
   case SpvOpFunction: {
      const char *why = c->in_fn ? finish_fn(c) : NULL;
      if (why)
         return why;
      if (c->nfns >= PV_SPIRV_MAX_FUNCTIONS)
         return "more than 4,096 functions";
      uint32_t id = len >= 3 ? in[2] : NONE;
      if (!pv_spirv_push_u32(&c->fn_ids, &c->nfns, &c->capfns, id))
         return no_memory;
      if (id < c->bound)
         c->fn_of_id[id] = (uint32_t)c->nfns - 1;
      c->in_fn = true;
      c->nblocks = c->nedges = 0;
      return NULL;
   }
   case SpvOpFunctionEnd:
      return c->in_fn ? finish_fn(c) : NULL;
   case SpvOpFunctionCall:
      if (c->in_fn && len >= 4 &&
          !pv_spirv_push_pair(&c->calls, &c->ncalls, &c->capcalls, (uint32_t)c->nfns - 1, in[3]))
         return no_memory;
      return NULL;
   case SpvOpLabel: {
      if (!c->in_fn || len < 2)
         return NULL;
      struct block *v = pv_spirv_grow(c->blocks, &c->capblocks, c->nblocks + 1, sizeof(*v));
      if (!v)
         return no_memory;
      c->blocks = v;
      c->blocks[c->nblocks] = (struct block){.label = in[1], .first = (uint32_t)c->nedges};
      if (in[1] < c->bound)
         c->blk_of_id[in[1]] = (uint32_t)c->nblocks;
      c->nblocks++;
      c->in_block = true;
      return NULL;
   }
   case SpvOpSelectionMerge:
   case SpvOpLoopMerge: {
      bool loop = op == SpvOpLoopMerge;
      if (!c->in_block || len < (loop ? 3u : 2u))
         return NULL;
      struct block *b = &c->blocks[c->nblocks - 1];
      if (b->kind)
         return NULL; /* a second merge instruction: the validator refuses it first */
      b->kind = loop ? LOOP : SELECTION;
      b->merge = in[1];
      b->cont = loop ? in[2] : 0;
      if (!push_edge(c, in[1]) || (loop && !push_edge(c, in[2])))
         return no_memory;
      return NULL;
   }
   case SpvOpBranch:
   case SpvOpBranchConditional:
   case SpvOpSwitch:
      if (c->in_block && !branch(c, op, in, len))
         return no_memory;
      return NULL;
   default:
      if (is_terminator(op))
         c->in_block = false;
      return NULL;
   }
}

static const char *
limits(const struct calls *c)
{
   if (c->order > PV_SPIRV_MAX_BLOCK_ORDER)
      return "functions whose blocks the validator would order in more than 268,435,456 steps";
   if (c->walks > PV_SPIRV_MAX_CONSTRUCT_WALK)
      return "control flow whose constructs the validator would walk in more than 8,388,608 "
             "steps";
   if (c->back > PV_SPIRV_MAX_BACK_EDGE_WORK)
      return "back edges the validator would match in more than 8,388,608 steps";
   return NULL;
}

const char *
pv_spirv_call_violation(const uint32_t *words, size_t count)
{
   const size_t header = 5;
   struct calls c = {.bound = count > header ? words[3] : 0};
   if (c.bound > PV_SPIRV_MAX_ID_BOUND || count <= header)
      return NULL; /* the shape scan refuses it */
   c.lit = calloc(c.bound ? c.bound : 1, 1);
   c.fn_of_id = calloc(c.bound ? c.bound : 1, sizeof(uint32_t));
   c.blk_of_id = calloc(c.bound ? c.bound : 1, sizeof(uint32_t));
   const char *why = !c.lit || !c.fn_of_id || !c.blk_of_id ? no_memory : NULL;
   for (size_t i = header, len; !why && i < count && (len = pv_spirv_len_at(words, count, i));
        i += len)
      if (!(why = instruction(&c, &words[i], (uint32_t)len)))
         why = limits(&c);
   if (!why && c.in_fn)
      why = finish_fn(&c);
   if (!why)
      why = limits(&c);
   if (!why)
      why = call_graph(&c);
   free(c.lit);
   free(c.fn_of_id);
   free(c.blk_of_id);
   free(c.fn_ids);
   free(c.calls);
   free(c.eps);
   free(c.blocks);
   free(c.edges);
   return why;
}
