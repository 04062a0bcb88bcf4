/* SPDX-License-Identifier: MIT */
/* The copy of a module that spvValidate is given (spirv_names.c says why): a pure function of
 * the code, for spirv_reflect.c and the unit tests. */
#ifndef PV_VK_SPIRV_NAMES_H
#define PV_VK_SPIRV_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* For any module (validated or not): a copy that is valid exactly when `words` is, in which
 * every id that SPIRV-Tools' friendly-name mapper would name from an OpName, a BuiltIn
 * decoration, a type's structure or a constant's value first gets an OpName of its own number
 * ("_<id>"), unique in the module. *out is NULL (and the call true) when no id needs one, so
 * `words` is validated as it is; false only when out of memory. Free *out with free(). */
bool pv_spirv_named_copy(const uint32_t *words, size_t count, uint32_t **out, size_t *out_count);

#endif
