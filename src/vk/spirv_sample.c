/* SPDX-License-Identifier: MIT */
/*
 * Samplers read without a depth reference (spirv_sample.h). A sampler made with compareEnable
 * and read by an instruction that has no Dref operand (OpImageSampleImplicitLod, a gather) is
 * undefined in Vulkan; lavapipe before Mesa 24 builds the comparison anyway, with a reference
 * value it does not have, and LLVM crashes compiling that shader variant at the draw (fuzz input
 * f9fffe01). Which descriptor a draw pairs with which instruction is only known from the
 * SPIR-V, so this finds, for each such instruction, the variable its sampler comes from.
 *
 * SPIRV-Tools' parser walks the (already validated) module for us (spirv_reflect.c); we follow each instruction's
 * sampled-image operand back through loads, copies, access chains and OpSampledImage's sampler
 * to a variable, and through a function parameter to the arguments of every call of that
 * function. Anything else on the way (a phi, a select, an undef) makes the answer `unknown`,
 * which the draw check takes as "every sampler": stricter, never blind.
 */
#include "vk/spirv_sample.h"

#include <spirv_cross/spirv_cross_c.h>
#include <stdlib.h>
#include <string.h>

/* An id on a sampler's path: what made it and the id it came from. */
struct def {
   uint32_t id, op;
   uint32_t from; /* the operand traced on; for a parameter, its function */
   uint32_t index; /* a parameter's position */
   bool seen;
};
struct call {
   uint32_t callee, first, count; /* arguments args[first, first + count) */
};
struct pv_spirv_plain_walk {
   struct def *defs;
   size_t ndefs, capdefs;
   struct call *calls;
   size_t ncalls, capcalls;
   uint32_t *args, *roots;
   size_t nargs, capargs, nroots, caproots;
   uint32_t function, param; /* the function being parsed and its next parameter */
   bool nomem;
};

static bool
grow(void **v, size_t *cap, size_t need, size_t size)
{
   if (need <= *cap)
      return true;
   size_t n = *cap ? *cap * 2 : 64;
   while (n < need)
      n *= 2;
   void *p = realloc(*v, n * size);
   if (!p)
      return false;
   *v = p;
   *cap = n;
   return true;
}

static void
add_def(struct pv_spirv_plain_walk *w, uint32_t id, uint32_t op, uint32_t from, uint32_t index)
{
   if (!grow((void **)&w->defs, &w->capdefs, w->ndefs + 1, sizeof(*w->defs))) {
      w->nomem = true;
      return;
   }
   w->defs[w->ndefs++] = (struct def){id, op, from, index, false};
}

static void
add_root(struct pv_spirv_plain_walk *w, uint32_t id)
{
   if (!grow((void **)&w->roots, &w->caproots, w->nroots + 1, sizeof(*w->roots))) {
      w->nomem = true;
      return;
   }
   w->roots[w->nroots++] = id;
}

static void
add_call(struct pv_spirv_plain_walk *w, const uint32_t *words, uint32_t n)
{
   uint32_t count = n - 4u;
   if (!grow((void **)&w->calls, &w->capcalls, w->ncalls + 1, sizeof(*w->calls)) ||
       !grow((void **)&w->args, &w->capargs, w->nargs + count, sizeof(*w->args))) {
      w->nomem = true;
      return;
   }
   w->calls[w->ncalls++] = (struct call){words[3], (uint32_t)w->nargs, count};
   memcpy(w->args + w->nargs, words + 4, count * sizeof(*words));
   w->nargs += count;
}

/* Sampling and gathering without a Dref operand: their operand 3 is the sampled image. */
static bool
plain_op(uint32_t op)
{
   switch (op) {
   case SpvOpImageSampleImplicitLod:
   case SpvOpImageSampleExplicitLod:
   case SpvOpImageSampleProjImplicitLod:
   case SpvOpImageSampleProjExplicitLod:
   case SpvOpImageGather:
   case SpvOpImageSparseSampleImplicitLod:
   case SpvOpImageSparseSampleExplicitLod:
   case SpvOpImageSparseSampleProjImplicitLod:
   case SpvOpImageSparseSampleProjExplicitLod:
   case SpvOpImageSparseGather:
      return true;
   default:
      return false;
   }
}

struct pv_spirv_plain_walk *
pv_spirv_plain_walk_new(void)
{
   return calloc(1, sizeof(struct pv_spirv_plain_walk));
}

bool
pv_spirv_plain_walk_add(struct pv_spirv_plain_walk *w, uint32_t opcode, const uint32_t *v,
                        uint32_t n)
{
   switch (opcode) {
   case SpvOpFunction:
      w->function = n > 2 ? v[2] : 0;
      w->param = 0;
      break;
   case SpvOpFunctionParameter:
      if (n > 2)
         add_def(w, v[2], SpvOpFunctionParameter, w->function, w->param++);
      break;
   case SpvOpFunctionCall:
      if (n >= 4)
         add_call(w, v, n);
      break;
   case SpvOpVariable:
      if (n > 2)
         add_def(w, v[2], SpvOpVariable, 0, 0);
      break;
   case SpvOpLoad:
   case SpvOpCopyObject:
   case SpvOpCopyLogical:
   case SpvOpAccessChain:
   case SpvOpInBoundsAccessChain:
   case SpvOpPtrAccessChain:
   case SpvOpInBoundsPtrAccessChain:
      if (n > 3)
         add_def(w, v[2], opcode, v[3], 0);
      break;
   case SpvOpSampledImage: /* the image does not matter: its sampler does */
      if (n > 4)
         add_def(w, v[2], SpvOpSampledImage, v[4], 0);
      break;
   default:
      if (plain_op(opcode) && n > 3)
         add_root(w, v[3]);
   }
   return !w->nomem;
}

static int
def_cmp(const void *a, const void *b)
{
   uint32_t x = ((const struct def *)a)->id, y = ((const struct def *)b)->id;
   return x < y ? -1 : x > y;
}

static struct def *
def_find(struct pv_spirv_plain_walk *w, uint32_t id)
{
   struct def key = {.id = id};
   if (!w->ndefs)
      return NULL;
   return bsearch(&key, w->defs, w->ndefs, sizeof(*w->defs), def_cmp);
}

static bool
add_var(struct pv_spirv_plain *p, uint32_t id)
{
   uint32_t *v = realloc(p->vars, (p->count + 1) * sizeof(*v));
   if (!v)
      return false;
   p->vars = v;
   p->vars[p->count++] = id;
   return true;
}

static int
call_cmp(const void *a, const void *b)
{
   uint32_t x = ((const struct call *)a)->callee, y = ((const struct call *)b)->callee;
   return x < y ? -1 : x > y;
}

/* The first of the calls (sorted by callee) of `callee`, or ncalls. */
static size_t
calls_of(const struct pv_spirv_plain_walk *w, uint32_t callee)
{
   size_t lo = 0, hi = w->ncalls;
   while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (w->calls[mid].callee < callee)
         lo = mid + 1;
      else
         hi = mid;
   }
   return lo;
}

/* Follows every root back to its variables; the work list reuses `roots` (each def is
 * visited once, so it holds at most roots + defs + arguments). */
static bool
trace(struct pv_spirv_plain_walk *w, struct pv_spirv_plain *p)
{
   while (w->nroots && !p->unknown) {
      struct def *d = def_find(w, w->roots[--w->nroots]);
      if (!d) {
         p->unknown = true; /* made by something we do not follow */
         break;
      }
      if (d->seen)
         continue;
      d->seen = true;
      if (d->op == SpvOpVariable) {
         if (!add_var(p, d->id))
            return false;
      } else if (d->op == SpvOpFunctionParameter) {
         /* each parameter once, each call of its function once: the work is the module's
          * arguments, not parameters times calls */
         for (size_t i = calls_of(w, d->from); i < w->ncalls && w->calls[i].callee == d->from;
              i++) {
            const struct call *c = &w->calls[i];
            if (d->index < c->count) {
               add_root(w, w->args[c->first + d->index]);
               if (w->nomem)
                  return false;
            }
         }
      } else {
         add_root(w, d->from);
         if (w->nomem)
            return false;
      }
   }
   return true;
}

static int
u32_cmp(const void *a, const void *b)
{
   uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
   return x < y ? -1 : x > y;
}

bool
pv_spirv_plain_walk_end(struct pv_spirv_plain_walk *w, struct pv_spirv_plain *out)
{
   *out = (struct pv_spirv_plain){0};
   bool ok = w && !w->nomem;
   if (ok) {
      if (w->ndefs)
         qsort(w->defs, w->ndefs, sizeof(*w->defs), def_cmp);
      if (w->ncalls)
         qsort(w->calls, w->ncalls, sizeof(*w->calls), call_cmp);
      ok = trace(w, out);
   }
   if (w) {
      free(w->defs);
      free(w->calls);
      free(w->args);
      free(w->roots);
      free(w);
   }
   if (!ok) {
      pv_spirv_plain_fini(out);
      return false;
   }
   if (out->count)
      qsort(out->vars, out->count, sizeof(*out->vars), u32_cmp);
   return true;
}

bool
pv_spirv_plain_has(const struct pv_spirv_plain *p, uint32_t var)
{
   return p->unknown ||
          (p->count && bsearch(&var, p->vars, p->count, sizeof(*p->vars), u32_cmp) != NULL);
}

void
pv_spirv_plain_fini(struct pv_spirv_plain *p)
{
   free(p->vars);
   *p = (struct pv_spirv_plain){0};
}
