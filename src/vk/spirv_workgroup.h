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
/* Whether entry point `name` of `model` declares OutputVertices, and its value into *count. */
bool pv_spirv_output_vertices_of(const struct pv_spirv_workgroup *w, const char *name,
                                 uint32_t model, uint32_t *count);
void pv_spirv_workgroup_free(struct pv_spirv_workgroup *w);
#endif
