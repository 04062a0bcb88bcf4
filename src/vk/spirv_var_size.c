/* SPDX-License-Identifier: MIT */
/*
 * The memory an entry point's variables take after specialization (spirv_var_size.h).
 *
 * Workgroup memory: Vulkan bounds it by maxComputeSharedMemorySize
 * (VUID-RuntimeSpirv-Workgroup-06530), and nothing on the way to lavapipe checks that:
 * spirv_to_nir lays the variables out in a 32-bit size (nir shader_info.shared_size), llvmpipe
 * REALLOCs a block of that size per thread of its pool (lp_state_cs.c cs_exec_fn; its
 * llvmpipe_create_compute_state adds the size to itself, 32 bits again) and the JIT addresses
 * the variables at their real offsets. `shared uint s[N]` specialized to N = 0x40000001 is
 * 4 GiB + 4 bytes, a block of 8: every element past the first two is the heap's, read and
 * written at in-bounds indices. A length of 0 after specialization (SPIR-V requires at least 1)
 * leaves the block NULL.
 *
 * Private and Function memory: no Vulkan limit at all, and llvmpipe keeps each array in a
 * stack frame of its JIT thread, one element per SIMD lane (8 on a 256-bit host), zeroed when
 * the shader starts, with no stack probe (lp_bld_nir.c, lp_bld_flow.c lp_build_alloca; read in
 * Mesa 22.3.6 and run natively there, 2026-12-07): a frame past the thread's stack lands in the
 * next mapping, and a 384 KiB one under a 256 KiB stack zeroed another worker's stack; a length
 * of 0xFFFFFFFF made spirv_to_nir write through a failed allocation, and 2^18 elements ran LLVM
 * out of memory. guard_shader.c caps it on such a host.
 *
 * Both are counted as the least any layout can take (no padding, a bool 1 byte), so a pipeline
 * refused for Workgroup memory is past the limit under every layout and the check is never
 * stricter than Vulkan. Blocks of an explicit layout (VK_KHR_workgroup_memory_explicit_layout)
 * alias one another and count as the largest. Lengths fold as Mesa folds them (spirv_fold.c); a
 * length that does not fold or is 0 is refused: the one case where the Workgroup check may
 * refuse a legal pipeline.
 *
 * Which variables an entry point uses is its call tree's: the Workgroup and Private variables
 * that an instruction of a function it reaches names (SPIR-V before 1.4 does not list them in
 * the entry point), and the Function variables those functions declare, once per copy of the
 * function that inlining makes: Mesa inlines every call, and llvmpipe gives each call site's
 * copy its own arrays on the stack (a 28 KB array in a function called 8 times took 25 s and
 * 1.7 GiB to compile natively; counted once, 64 calls passed the 32 KiB cap). The copies also
 * give the entry point's size after inlining (pv_spirv_inlined_words): a chain of functions
 * each calling the next twice doubles it per level, 1.6 KB of SPIR-V took 50 s and 2.2 GiB at
 * depth 18 (the tenth reading's shader sweep).
 */
#include "vk/spirv_var_size.h"

#include <spirv_cross/spirv.h>
#include <stdlib.h>
#include <string.h>

#include "vk/spirv_fold.h"
#include "vk/spirv_words.h"

struct entry {
   char *name;
   uint32_t model;
   uint32_t *workgroup; /* pointer types of the Workgroup variables it uses */
   size_t nworkgroup;
   uint32_t *own; /* pointer types of its Private variables and its functions' Function ones */
   uint64_t *own_copies; /* how many of each: inlined copies of the function declaring it */
   size_t nown;
   uint64_t inlined_words; /* its call tree's words with every call inlined, saturating */
};

struct pv_spirv_var_use {
   uint32_t *globals; /* the module's words before its first function, header excluded */
   size_t nglobals;
   bool spec_ops; /* it has OpSpecConstantOp */
   struct entry *entries;
   uint32_t nentries;
};

/* ----- which variables each entry point uses --------------------------------------------- */

/* A global Workgroup or Private variable (sorted by id). */
struct gvar {
   uint32_t id, type, workgroup;
};

struct scan {
   const uint32_t *w;
   size_t n, first_function;
   bool spec_ops;
   struct gvar *vars;
   size_t nvars, capvars;
   struct pv_spirv_pair *funcs; /* (function id, index), sorted by id */
   size_t nfuncs;
   struct pv_spirv_pair *refs; /* (function index, variable index) */
   size_t nrefs, caprefs;
   struct pv_spirv_pair *calls; /* (caller index, callee id), sorted by caller */
   size_t ncalls, capcalls;
   struct pv_spirv_pair *locals; /* (function index, pointer type of a Function variable) */
   size_t nlocals, caplocals;
   uint64_t *fwords; /* per function index: the words of its body */
};

static bool
push_var(struct scan *s, const uint32_t *in)
{
   struct gvar *v = pv_spirv_grow(s->vars, &s->capvars, s->nvars + 1, sizeof(*v));
   if (!v)
      return false;
   s->vars = v;
   s->vars[s->nvars++] = (struct gvar){in[2], in[1], in[3] == SpvStorageClassWorkgroup};
   return true;
}

/* The global Workgroup and Private variables and the functions of the module. */
static bool
scan_globals(struct scan *s)
{
   size_t capf = 0;
   uint32_t len;
   for (size_t i = 5; i < s->n && (len = pv_spirv_len_at(s->w, s->n, i)); i += len) {
      uint32_t op = s->w[i] & 0xffffu;
      s->spec_ops |= op == SpvOpSpecConstantOp && !s->first_function;
      if (op == SpvOpFunction && len >= 3) {
         s->first_function = s->first_function ? s->first_function : i;
         if (!pv_spirv_push_pair(&s->funcs, &s->nfuncs, &capf, s->w[i + 2], (uint32_t)s->nfuncs))
            return false;
      } else if (op == SpvOpVariable && len >= 4 && !s->first_function &&
                 (s->w[i + 3] == SpvStorageClassWorkgroup ||
                  s->w[i + 3] == SpvStorageClassPrivate) &&
                 !push_var(s, s->w + i)) {
         return false;
      }
   }
   pv_spirv_sort(s->vars, s->nvars, sizeof(*s->vars), pv_spirv_u32_cmp);
   pv_spirv_sort(s->funcs, s->nfuncs, sizeof(*s->funcs), pv_spirv_pair_cmp);
   return true;
}

/* One instruction of function `f`: a call, a Function variable, the global variables named. */
static bool
scan_instruction(struct scan *s, uint32_t f, const uint32_t *in, uint32_t len)
{
   uint32_t op = in[0] & 0xffffu;
   if (op == SpvOpFunctionCall && len >= 4 &&
       !pv_spirv_push_pair(&s->calls, &s->ncalls, &s->capcalls, f, in[3]))
      return false;
   if (op == SpvOpVariable && len >= 4 && in[3] == SpvStorageClassFunction &&
       !pv_spirv_push_pair(&s->locals, &s->nlocals, &s->caplocals, f, in[1]))
      return false;
   for (uint32_t k = 1; k < len; k++) {
      const struct gvar *v =
         pv_spirv_find(&in[k], s->vars, s->nvars, sizeof(*s->vars), pv_spirv_u32_cmp);
      if (v && !pv_spirv_push_pair(&s->refs, &s->nrefs, &s->caprefs, f, (uint32_t)(v - s->vars)))
         return false;
   }
   return true;
}

static bool
scan_functions(struct scan *s)
{
   uint32_t len, f = 0;
   bool in = false;
   s->fwords = calloc(s->nfuncs + 1, sizeof(*s->fwords));
   if (!s->fwords)
      return false;
   for (size_t i = s->first_function; i && i < s->n && (len = pv_spirv_len_at(s->w, s->n, i));
        i += len) {
      if ((s->w[i] & 0xffffu) == SpvOpFunction) {
         struct pv_spirv_pair key = {len >= 3 ? s->w[i + 2] : 0, 0};
         const struct pv_spirv_pair *p =
            pv_spirv_find(&key, s->funcs, s->nfuncs, sizeof(key), pv_spirv_pair_cmp);
         f = p ? p->b : 0, in = p != NULL;
      } else if (in && !scan_instruction(s, f, s->w + i, len)) {
         return false;
      }
      if (in)
         s->fwords[f] += len;
   }
   pv_spirv_sort(s->calls, s->ncalls, sizeof(*s->calls), pv_spirv_pair_cmp);
   return true;
}

/* The functions the call tree of function `root` reaches, into seen[] (by index). */
static bool
reach(const struct scan *s, uint32_t root, bool *seen)
{
   struct pv_spirv_pair key = {root, 0};
   const struct pv_spirv_pair *r =
      pv_spirv_find(&key, s->funcs, s->nfuncs, sizeof(key), pv_spirv_pair_cmp);
   uint32_t *stack = malloc((s->nfuncs + 1) * sizeof(*stack));
   size_t top = 0;
   if (stack && r)
      stack[top++] = r->b, seen[r->b] = true;
   while (stack && top) {
      uint32_t f = stack[--top];
      for (size_t c = pv_spirv_pair_lower(s->calls, s->ncalls, f);
           c < s->ncalls && s->calls[c].a == f; c++) {
         key.a = s->calls[c].b;
         const struct pv_spirv_pair *p =
            pv_spirv_find(&key, s->funcs, s->nfuncs, sizeof(key), pv_spirv_pair_cmp);
         if (p && !seen[p->b])
            stack[top++] = p->b, seen[p->b] = true;
      }
   }
   free(stack);
   return stack != NULL;
}

static uint64_t
add_sat(uint64_t a, uint64_t b)
{
   return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t
mul_sat(uint64_t a, uint64_t b)
{
   return a && b > UINT64_MAX / a ? UINT64_MAX : a * b;
}

/* The callee's function index of call c, or UINT32_MAX. */
static uint32_t
callee_of(const struct scan *s, size_t c)
{
   struct pv_spirv_pair key = {s->calls[c].b, 0};
   const struct pv_spirv_pair *p =
      pv_spirv_find(&key, s->funcs, s->nfuncs, sizeof(key), pv_spirv_pair_cmp);
   return p ? p->b : UINT32_MAX;
}

/* How many copies of each function inlining the call tree of `seen` (rooted at index `root`)
 * makes: 1 of the root, and per call site as many as its caller has; in topological order of
 * the calls (SPIR-V has no recursion; a cycle saturates what it reaches). */
static bool
inlined_copies(const struct scan *s, uint32_t root, const bool *seen, uint64_t *copies)
{
   uint32_t *indeg = calloc(s->nfuncs + 1, sizeof(*indeg));
   uint32_t *queue = malloc((s->nfuncs + 1) * sizeof(*queue));
   if (!indeg || !queue) {
      free(indeg), free(queue);
      return false;
   }
   for (size_t c = 0; c < s->ncalls; c++) {
      uint32_t g = callee_of(s, c);
      if (seen[s->calls[c].a] && g != UINT32_MAX)
         indeg[g]++;
   }
   size_t head = 0, tail = 0;
   if (!indeg[root])
      queue[tail++] = root;
   copies[root] = 1;
   while (head < tail) {
      uint32_t f = queue[head++];
      for (size_t c = pv_spirv_pair_lower(s->calls, s->ncalls, f);
           c < s->ncalls && s->calls[c].a == f; c++) {
         uint32_t g = callee_of(s, c);
         if (g == UINT32_MAX)
            continue;
         copies[g] = add_sat(copies[g], copies[f]);
         if (--indeg[g] == 0)
            queue[tail++] = g;
      }
   }
   for (size_t f = 0; f < s->nfuncs; f++)
      if (seen[f] && indeg[f])
         copies[f] = UINT64_MAX; /* on a cycle */
   free(indeg), free(queue);
   return true;
}

/* The variables of the call tree of function `root`, into e. */
static bool
push_own(struct entry *e, size_t *cap, size_t *capc, uint32_t type, uint64_t copies)
{
   size_t n = e->nown, c = n;
   uint64_t *v = pv_spirv_grow(e->own_copies, capc, n + 1, sizeof(*v));
   if (!v)
      return false;
   e->own_copies = v;
   if (!pv_spirv_push_u32(&e->own, &n, cap, type))
      return false;
   e->own_copies[c] = copies;
   e->nown = n;
   return true;
}

static bool
entry_vars(const struct scan *s, uint32_t root_id, struct entry *e)
{
   bool *seen = calloc(s->nfuncs + 1, 1), *used = calloc(s->nvars + 1, 1);
   uint64_t *copies = calloc(s->nfuncs + 1, sizeof(*copies));
   struct pv_spirv_pair key = {root_id, 0};
   const struct pv_spirv_pair *r =
      pv_spirv_find(&key, s->funcs, s->nfuncs, sizeof(key), pv_spirv_pair_cmp);
   size_t capw = 0, capo = 0, capc = 0;
   bool ok = seen && used && copies && reach(s, root_id, seen) &&
             (!r || inlined_copies(s, r->b, seen, copies));
   for (size_t k = 0; ok && k < s->nrefs; k++)
      used[s->refs[k].b] |= seen[s->refs[k].a];
   for (size_t v = 0; ok && v < s->nvars; v++)
      if (used[v])
         ok = s->vars[v].workgroup
                 ? pv_spirv_push_u32(&e->workgroup, &e->nworkgroup, &capw, s->vars[v].type)
                 : push_own(e, &capo, &capc, s->vars[v].type, 1);
   for (size_t k = 0; ok && k < s->nlocals; k++)
      if (seen[s->locals[k].a])
         ok = push_own(e, &capo, &capc, s->locals[k].b, copies[s->locals[k].a]);
   for (size_t f = 0; ok && f < s->nfuncs; f++)
      if (seen[f])
         e->inlined_words = add_sat(e->inlined_words, mul_sat(copies[f], s->fwords[f]));
   free(seen), free(used), free(copies);
   return ok;
}

/* Each entry point's name, model and variables. */
static bool
scan_entries(const struct scan *s, struct pv_spirv_var_use *u)
{
   uint32_t len;
   for (size_t i = 5; i < s->first_function && (len = pv_spirv_len_at(s->w, s->n, i)); i += len) {
      if ((s->w[i] & 0xffffu) != SpvOpEntryPoint || len < 4)
         continue;
      struct entry *e = realloc(u->entries, (u->nentries + 1) * sizeof(*e));
      if (!e)
         return false;
      u->entries = e;
      e = &u->entries[u->nentries++];
      *e = (struct entry){.model = s->w[i + 1]};
      size_t max = (len - 3) * 4;
      e->name = malloc(max + 1);
      if (!e->name)
         return false;
      memcpy(e->name, &s->w[i + 3], max);
      e->name[max] = '\0';
      if (!entry_vars(s, s->w[i + 2], e))
         return false;
   }
   return true;
}

void
pv_spirv_var_use_free(struct pv_spirv_var_use *u)
{
   if (!u)
      return;
   for (uint32_t i = 0; i < u->nentries; i++)
      free(u->entries[i].name), free(u->entries[i].workgroup), free(u->entries[i].own),
         free(u->entries[i].own_copies);
   free(u->entries);
   free(u->globals);
   free(u);
}

static bool
keep_globals(struct pv_spirv_var_use *u, const uint32_t *words, size_t first_function)
{
   u->nglobals = first_function - 5;
   u->globals = malloc(u->nglobals * sizeof(*u->globals) + 1);
   if (u->globals)
      memcpy(u->globals, words + 5, u->nglobals * sizeof(*u->globals));
   return u->globals != NULL;
}

struct pv_spirv_var_use *
pv_spirv_var_use_new(const uint32_t *words, size_t count, bool *nomem)
{
   struct scan s = {.w = words, .n = count};
   struct pv_spirv_var_use *u = NULL;
   bool ok = count >= 5 && scan_globals(&s) && scan_functions(&s);
   if (ok && (s.nvars || s.nlocals || s.spec_ops || s.ncalls) && s.first_function) {
      u = calloc(1, sizeof(*u));
      ok = u && scan_entries(&s, u) && keep_globals(u, words, s.first_function);
      if (ok)
         u->spec_ops = s.spec_ops;
   }
   free(s.vars), free(s.funcs), free(s.refs), free(s.calls), free(s.locals), free(s.fwords);
   *nomem = count >= 5 && !ok;
   if (!ok) {
      pv_spirv_var_use_free(u);
      return NULL;
   }
   return u;
}

/* ----- their sizes with the specialization data ------------------------------------------ */

/* The variables of pointer types `types` added up (blocks of Workgroup memory alias: the
 * largest), into *sum; false with *why. */
static bool
add_up(const struct pv_spirv_fold *f, const uint32_t *types, const uint64_t *copies, size_t n,
       bool aliasing, uint64_t *sum, const char **why)
{
   uint64_t plain = 0, blocks = 0;
   for (size_t k = 0; k < n; k++) {
      uint64_t bytes;
      bool block;
      switch (pv_spirv_fold_size(f, pv_spirv_fold_pointee(f, types[k]), &bytes, &block)) {
      case PV_SPIRV_FOLD_SIZED:
         break;
      case PV_SPIRV_FOLD_EMPTY:
         *why = "an array of 0 elements after specialization";
         return false;
      default:
         *why = "an array whose length this server cannot evaluate";
         return false;
      }
      if (copies)
         bytes = mul_sat(bytes, copies[k]);
      if (aliasing && block)
         blocks = bytes > blocks ? bytes : blocks;
      else if ((plain = add_sat(plain, bytes)) > PV_SPIRV_FOLD_SIZE_MAX)
         plain = PV_SPIRV_FOLD_SIZE_MAX;
   }
   *sum = plain + blocks;
   return true;
}

bool
pv_spirv_var_bytes_of(const struct pv_spirv_var_use *u, const char *name, uint32_t model,
                      const VkSpecializationInfo *si, bool workgroup, bool invocation,
                      struct pv_spirv_var_bytes *out, const char **why)
{
   const struct entry *ep = NULL;
   for (uint32_t i = 0; u && name && i < u->nentries && !ep; i++)
      if (u->entries[i].model == model && !strcmp(u->entries[i].name, name))
         ep = &u->entries[i];
   *out = (struct pv_spirv_var_bytes){0};
   workgroup = workgroup && ep && ep->nworkgroup;
   invocation = invocation && ep && ep->nown;
   if (!u || (!u->spec_ops && !workgroup && !invocation))
      return true;
   /* one fold for both: the module's constants (every one, as Mesa folds them all) and sizes */
   struct pv_spirv_fold *f = pv_spirv_fold_new(u->globals, u->nglobals, si);
   *why = !f ? "no memory" : u->spec_ops ? pv_spirv_fold_trap(f) : NULL;
   bool ok = !*why;
   if (ok && workgroup)
      ok = add_up(f, ep->workgroup, NULL, ep->nworkgroup, true, &out->workgroup, why);
   if (ok && invocation)
      ok = add_up(f, ep->own, ep->own_copies, ep->nown, false, &out->invocation, why);
   pv_spirv_fold_free(f);
   return ok;
}

uint64_t
pv_spirv_inlined_words(const struct pv_spirv_var_use *u, const char *name, uint32_t model)
{
   for (uint32_t i = 0; u && name && i < u->nentries; i++)
      if (u->entries[i].model == model && !strcmp(u->entries[i].name, name))
         return u->entries[i].inlined_words;
   return 0;
}
