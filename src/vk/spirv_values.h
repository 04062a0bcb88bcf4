/* SPDX-License-Identifier: MIT */
/* Aggregate values a host compiles element by element (spirv_values.c says why): a pure function
 * of the code, for guard_shader.c and the unit tests. */
#ifndef PV_VK_SPIRV_VALUES_H
#define PV_VK_SPIRV_VALUES_H

#include <stddef.h>
#include <stdint.h>

/* The most scalars one value may hold (a struct or array flattened): 256 KiB of 32-bit words. */
#define PV_SPIRV_MAX_VALUE_SCALARS 65536u

/* The largest id bound spvValidate takes (SPIR-V's universal limit, 0x3FFFFF). */
#define PV_SPIRV_MAX_ID_BOUND 0x3fffffu

/* For any module (validated or not): NULL, or why a value it makes (a null, undefined or
 * composite constant, a load, a composite, a copy, a phi, a parameter or call result) or a
 * memory copy holds more than PV_SPIRV_MAX_VALUE_SCALARS scalars ("no memory" when the scan
 * cannot allocate). An array whose length is a specialization constant counts as too long. */
const char *pv_spirv_value_violation(const uint32_t *words, size_t count);

#endif
