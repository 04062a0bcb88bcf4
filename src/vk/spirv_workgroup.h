/* SPDX-License-Identifier: MIT */
/* Each entry point's workgroup size (spirv_workgroup.c), for spirv_reflect.c: internal. */
#ifndef PV_VK_SPIRV_WORKGROUP_H
#define PV_VK_SPIRV_WORKGROUP_H
#include <stdbool.h>
#include <stdint.h>

/* Fed the instructions of a module spvValidate accepted, in order, as the sampler walk is
 * (spirv_sample.h); _add is false when out of memory. */
struct pv_spirv_workgroup;
struct pv_spirv_workgroup *pv_spirv_workgroup_new(void);
bool pv_spirv_workgroup_add(struct pv_spirv_workgroup *w, uint32_t opcode, const uint32_t *words,
                            uint32_t n);
/* The size of entry point `name` of execution model `model`: each dimension's value and the
 * SpecId that may replace it (spirv_reflect.h PV_SPIRV_NO_SPEC, PV_SPIRV_COUNT_UNKNOWN). */
void pv_spirv_workgroup_of(const struct pv_spirv_workgroup *w, const char *name, uint32_t model,
                           uint32_t size[3], uint32_t spec[3]);
/* The execution modes of an entry point that the pipeline checks read (literals: none has an Id
 * form): OutputVertices (tessellation: the patch size; geometry: the most vertices one
 * invocation emits) when has_output_vertices; Invocations (geometry), 1 when absent; the
 * geometry output primitive (PV_SPIRV_OUTPUT_*, spirv_reflect.h), 0 when none. spvValidate
 * takes OutputVertices or Invocations declared twice, and Mesa's spirv_to_nir keeps the first
 * (it walks a list built by prepending), so two different values are `conflicting`. */
struct pv_spirv_modes {
   uint32_t output_vertices;
   bool has_output_vertices;
   uint32_t invocations;
   bool has_invocations;
   uint32_t output_primitive;
   bool conflicting;
};
/* Entry point `name` of `model`'s modes into *m (the defaults when there is no such entry point:
 * false). */
bool pv_spirv_modes_of(const struct pv_spirv_workgroup *w, const char *name, uint32_t model,
                       struct pv_spirv_modes *m);
void pv_spirv_workgroup_free(struct pv_spirv_workgroup *w);
#endif
