/* SPDX-License-Identifier: MIT */
/* Strip geometry shaders bounded for a host that lists their primitives by the decomposed count
 * of OutputVertices (spirv_bound.c says why): pure functions of the code, for guard_shader.c, the
 * unit tests and fuzz_spirv. */
#ifndef PV_VK_SPIRV_BOUND_H
#define PV_VK_SPIRV_BOUND_H

#include <stddef.h>
#include <stdint.h>

/* What a strip of `output_primitive` (PV_SPIRV_OUTPUT_*) adds to OutputVertices for the host:
 * 2 for a triangle strip, 1 for a line strip, 0 otherwise. */
uint32_t pv_spirv_strip_slack(uint32_t output_primitive);

/* For a module spvValidate accepted. When its geometry entry point outputs a line or triangle
 * strip and emits vertices, *out (malloc'd, *out_count words) receives the module the host
 * compiles instead: OutputVertices raised by pv_spirv_strip_slack, and every emit skipped once
 * the guest's OutputVertices vertices were emitted. Returns NULL with *out NULL when there is
 * nothing to bound; a reason when the module cannot be bounded (or no memory), *out NULL. */
const char *pv_spirv_bound_strips(const uint32_t *words, size_t count, uint32_t **out,
                                  size_t *out_count);

#endif
