/* SPDX-License-Identifier: MIT */
/*
 * Workgroup sizes (spirv_workgroup.h). A compute shader's size comes from its LocalSize or
 * LocalSizeId execution mode, unless a constant is decorated BuiltIn WorkgroupSize, which then
 * holds it; any of those constants may be a specialization constant. The host driver runs
 * whatever size it gets (lavapipe 22.3 crashed on 256 x 65536 x 65536, fuzz input 4a7c6a8f), so
 * the pipeline check needs it. SPIRV-Cross answers this only through calls that throw on a
 * decoration where it expects a constant (fuzz_spirv), so this reads the instructions
 * SPIRV-Tools' parser hands over instead.
 */
#include "vk/spirv_workgroup.h"

#include <spirv_cross/spirv_cross_c.h>
#include <stdlib.h>
#include <string.h>

#include "vk/spirv_entries.h"
#include "vk/spirv_reflect.h"

/* A scalar constant, or a composite whose components are ids. */
struct wg_const {
   uint32_t id, value, spec; /* spec: SpecId or PV_SPIRV_NO_SPEC */
   uint32_t parts[3];
   bool composite;
};
struct wg_entry {
   uint32_t id, model;
   char *name;
   uint32_t size[3], ids[3]; /* LocalSize literals, or LocalSizeId ids when by_id */
   bool by_id, has_size;
   struct pv_spirv_modes modes;
};
struct pv_spirv_workgroup {
   struct wg_const *k;
   size_t nk, capk;
   struct wg_entry *e;
   size_t ne, cape;
   uint32_t *specid; /* pairs (target, SpecId) */
   size_t nspec, capspec;
   uint32_t builtin; /* the constant decorated WorkgroupSize, 0: none */
   bool nomem;
};

static void *
grow(void *v, size_t *cap, size_t need, size_t size, bool *nomem)
{
   if (need <= *cap)
      return v;
   size_t n = *cap ? *cap * 2 : 16;
   while (n < need)
      n *= 2;
   void *p = realloc(v, n * size);
   if (!p) {
      *nomem = true;
      return v;
   }
   *cap = n;
   return p;
}

struct pv_spirv_workgroup *
pv_spirv_workgroup_new(void)
{
   return calloc(1, sizeof(struct pv_spirv_workgroup));
}

static struct wg_const *
add_const(struct pv_spirv_workgroup *w, uint32_t id)
{
   w->k = grow(w->k, &w->capk, w->nk + 1, sizeof(*w->k), &w->nomem);
   if (w->nomem)
      return NULL;
   struct wg_const *c = &w->k[w->nk++];
   *c = (struct wg_const){.id = id, .spec = PV_SPIRV_NO_SPEC};
   return c;
}

static struct wg_entry *
entry_by_id(struct pv_spirv_workgroup *w, uint32_t id)
{
   for (size_t i = 0; i < w->ne; i++)
      if (w->e[i].id == id)
         return &w->e[i];
   return NULL;
}

/* More entry points than any real module has: refused before validation (spirv_entries.h);
 * kept here too, as the mode lookups are linear. */
#define MAX_ENTRIES PV_SPIRV_MAX_ENTRY_POINTS

static void
add_entry(struct pv_spirv_workgroup *w, const uint32_t *v, uint32_t n)
{
   if (w->ne >= MAX_ENTRIES) {
      w->nomem = true;
      return;
   }
   /* OpEntryPoint model id "name" interface...: the name is nul-terminated inside n words */
   size_t max = (size_t)(n - 3) * 4;
   const char *name = (const char *)(v + 3);
   size_t len = strnlen(name, max);
   w->e = grow(w->e, &w->cape, w->ne + 1, sizeof(*w->e), &w->nomem);
   char *copy = w->nomem ? NULL : malloc(len + 1);
   if (!copy) {
      w->nomem = true;
      return;
   }
   memcpy(copy, name, len);
   copy[len] = 0;
   w->e[w->ne++] =
      (struct wg_entry){.id = v[2], .model = v[1], .name = copy, .modes = {.invocations = 1}};
}

static void
add_mode(struct pv_spirv_workgroup *w, const uint32_t *v, uint32_t n)
{
   /* OpExecutionMode(Id) entry mode args...; LocalSize is 17, LocalSizeId 38; OutputVertices
    * 26 and Invocations 0 take a literal (no Id form), the output primitives none */
   struct wg_entry *e = n >= 3 ? entry_by_id(w, v[1]) : NULL;
   if (!e)
      return;
   struct pv_spirv_modes *m = &e->modes;
   switch (v[2]) {
   case SpvExecutionModeOutputVertices:
      if (n >= 4) {
         m->conflicting |= m->has_output_vertices && m->output_vertices != v[3];
         m->has_output_vertices = true;
         m->output_vertices = v[3];
      }
      return;
   case SpvExecutionModeInvocations:
      if (n >= 4) {
         m->conflicting |= m->has_invocations && m->invocations != v[3];
         m->has_invocations = true;
         m->invocations = v[3];
      }
      return;
   case PV_SPIRV_OUTPUT_POINTS:
   case PV_SPIRV_OUTPUT_LINE_STRIP:
   case PV_SPIRV_OUTPUT_TRIANGLE_STRIP:
      /* spvValidate: exactly one of them */
      m->output_primitive = v[2];
      return;
   default:
      break;
   }
   if (n < 6 || (v[2] != 17 && v[2] != 38))
      return;
   e->has_size = true;
   e->by_id = v[2] == 38;
   for (int i = 0; i < 3; i++)
      (e->by_id ? e->ids : e->size)[i] = v[3 + i];
}

bool
pv_spirv_workgroup_add(struct pv_spirv_workgroup *w, uint32_t opcode, const uint32_t *v, uint32_t n)
{
   struct wg_const *c;
   switch (opcode) {
   case SpvOpEntryPoint:
      if (n >= 4)
         add_entry(w, v, n);
      break;
   case SpvOpExecutionMode:
   case SpvOpExecutionModeId:
      add_mode(w, v, n);
      break;
   case SpvOpDecorate:
      if (n >= 4 && v[2] == SpvDecorationBuiltIn && v[3] == SpvBuiltInWorkgroupSize)
         w->builtin = v[1];
      if (n >= 4 && v[2] == SpvDecorationSpecId) {
         w->specid = grow(w->specid, &w->capspec, w->nspec + 2, sizeof(*w->specid), &w->nomem);
         if (!w->nomem) {
            w->specid[w->nspec++] = v[1];
            w->specid[w->nspec++] = v[3];
         }
      }
      break;
   case SpvOpConstant:
   case SpvOpSpecConstant:
      if (n >= 4 && (c = add_const(w, v[2])))
         c->value = v[3]; /* the low word: sizes are 32-bit */
      break;
   case SpvOpConstantComposite:
   case SpvOpSpecConstantComposite:
      if (n >= 6 && (c = add_const(w, v[2]))) {
         c->composite = true;
         memcpy(c->parts, v + 3, sizeof(c->parts));
      }
      break;
   default:
      break;
   }
   return !w->nomem; /* false also past MAX_ENTRIES */
}

static const struct wg_const *
const_of(const struct pv_spirv_workgroup *w, uint32_t id)
{
   for (size_t i = 0; id && i < w->nk; i++)
      if (w->k[i].id == id)
         return &w->k[i];
   return NULL;
}

static uint32_t
specid_of(const struct pv_spirv_workgroup *w, uint32_t id)
{
   for (size_t i = 0; i + 1 < w->nspec; i += 2)
      if (w->specid[i] == id)
         return w->specid[i + 1];
   return PV_SPIRV_NO_SPEC;
}

/* A scalar constant's value and SpecId; unknown for anything else (a spec constant op). */
static void
scalar(const struct pv_spirv_workgroup *w, uint32_t id, uint32_t *value, uint32_t *spec)
{
   const struct wg_const *c = const_of(w, id);
   *value = c && !c->composite ? c->value : PV_SPIRV_COUNT_UNKNOWN;
   *spec = c && !c->composite ? specid_of(w, id) : PV_SPIRV_NO_SPEC;
}

void
pv_spirv_workgroup_of(const struct pv_spirv_workgroup *w, const char *name, uint32_t model,
                      uint32_t size[3], uint32_t spec[3])
{
   const struct wg_entry *e = NULL;
   for (size_t i = 0; name && i < w->ne && !e; i++)
      if (w->e[i].model == model && !strcmp(w->e[i].name, name))
         e = &w->e[i];
   const struct wg_const *b = const_of(w, w->builtin);
   for (int i = 0; i < 3; i++) {
      spec[i] = PV_SPIRV_NO_SPEC;
      if (b && b->composite)
         scalar(w, b->parts[i], &size[i], &spec[i]);
      else if (b || !e || !e->has_size)
         size[i] = PV_SPIRV_COUNT_UNKNOWN; /* a size we cannot read counts as too large */
      else if (e->by_id)
         scalar(w, e->ids[i], &size[i], &spec[i]);
      else
         size[i] = e->size[i];
   }
}

bool
pv_spirv_modes_of(const struct pv_spirv_workgroup *w, const char *name, uint32_t model,
                  struct pv_spirv_modes *m)
{
   for (size_t i = 0; name && i < w->ne; i++)
      if (w->e[i].model == model && !strcmp(w->e[i].name, name)) {
         *m = w->e[i].modes;
         return true;
      }
   *m = (struct pv_spirv_modes){.invocations = 1};
   return false;
}

void
pv_spirv_workgroup_free(struct pv_spirv_workgroup *w)
{
   if (!w)
      return;
   for (size_t i = 0; i < w->ne; i++)
      free(w->e[i].name);
   free(w->e);
   free(w->k);
   free(w->specid);
   free(w);
}
