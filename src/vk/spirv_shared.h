/* SPDX-License-Identifier: MIT */
/* Workgroup (shared) memory zeroed and its indices clamped for a host that neither clears nor
 * bounds it (spirv_shared.c says why): a pure function of the code, for guard_shader.c, the unit
 * tests and fuzz_spirv. */
#ifndef PV_VK_SPIRV_SHARED_H
#define PV_VK_SPIRV_SHARED_H

#include <stddef.h>
#include <stdint.h>

/* For a module spvValidate accepted. When an access chain into Workgroup memory has an index
 * into an array, vector or matrix that is not a constant inside it, *out (malloc'd, *out_count
 * words) receives the module with each such index replaced by (index < length ? index : 0),
 * after a Workgroup array variable used only through access chains got twice its length as
 * slack (its first index then clamped to that).
 * Returns NULL with *out NULL when there is nothing to clamp; a reason when the module cannot
 * be clamped (a pointer access chain into Workgroup memory, a runtime array there, an index of
 * another width than a specialization-constant length, or no memory), *out NULL. */
const char *pv_spirv_guard_shared(const uint32_t *words, size_t count, uint32_t **out,
                                  size_t *out_count);

#endif
