/* SPDX-License-Identifier: MIT */
/* Entry points and interfaces past what the host's SPIR-V tools walk in bounded time
 * (spirv_entries.c says why): a pure function of the code, for spirv_reflect.c and the unit
 * tests. */
#ifndef PV_VK_SPIRV_ENTRIES_H
#define PV_VK_SPIRV_ENTRIES_H

#include <stddef.h>
#include <stdint.h>

/* The most OpEntryPoint instructions (spirv_workgroup.c reads no more). */
#define PV_SPIRV_MAX_ENTRY_POINTS 1024u

/* The most interface ids all entry points list together. */
#define PV_SPIRV_MAX_INTERFACE_IDS 16384u

/* The most the validator and SPIRV-Cross walk over interfaces: for each id, the entry points
 * listing it, squared, summed (each listing looks at every other). */
#define PV_SPIRV_MAX_INTERFACE_WALKS (1u << 22)

/* For any module (validated or not): NULL, or why its entry points are refused (past a limit
 * above; "no memory" when the scan cannot allocate). An entry point whose name runs to the end
 * of its instruction lists no interface (the validator refuses it). */
const char *pv_spirv_entry_violation(const uint32_t *words, size_t count);

#endif
