/* SPDX-License-Identifier: MIT */
/* Loops without the Unroll hint, for a host that unrolls whatever the hint asks (spirv_loops.c
 * says why): a pure function of the code, for guard_shader.c and the unit tests. */
#ifndef PV_VK_SPIRV_LOOPS_H
#define PV_VK_SPIRV_LOOPS_H

#include <stddef.h>
#include <stdint.h>

/* For a module spvValidate accepted. When an OpLoopMerge asks for Unroll, *out (malloc'd,
 * *out_count words) receives the module with that bit cleared from every loop control.
 * Returns NULL with *out NULL when no loop asks; "no memory" when the copy fails. */
const char *pv_spirv_plain_loops(const uint32_t *words, size_t count, uint32_t **out,
                                 size_t *out_count);

#endif
