/* SPDX-License-Identifier: MIT */
/* Which samplers a module reads without a depth reference (spirv_sample.c), for
 * spirv_reflect.c: internal. */
#ifndef PV_VK_SPIRV_SAMPLE_H
#define PV_VK_SPIRV_SAMPLE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The variables (combined image samplers and samplers) that some sampling or gather
 * instruction without a Dref operand reads, sorted; `unknown` when one such instruction's
 * sampler could not be traced to its variable, so every sampler counts as read that way. */
struct pv_spirv_plain {
   uint32_t *vars;
   size_t count;
   bool unknown;
};

/* The walk takes the instructions of a module spvValidate accepted, in order (spirv_reflect.c
 * feeds it from SPIRV-Tools' parser, whose header only one file may include); _add is false
 * when out of memory; _end fills `out` (false: out of memory) and frees the walk. */
struct pv_spirv_plain_walk;
struct pv_spirv_plain_walk *pv_spirv_plain_walk_new(void);
bool pv_spirv_plain_walk_add(struct pv_spirv_plain_walk *w, uint32_t opcode, const uint32_t *words,
                             uint32_t n);
bool pv_spirv_plain_walk_end(struct pv_spirv_plain_walk *w, struct pv_spirv_plain *out);
bool pv_spirv_plain_has(const struct pv_spirv_plain *p, uint32_t var);
void pv_spirv_plain_fini(struct pv_spirv_plain *p);
#endif
