/* SPDX-License-Identifier: MIT */
/* Call graphs and control flow past what the host's SPIR-V validator walks in bounded time
 * (spirv_calls.c says why and how each is counted): a pure function of the code, for
 * spirv_reflect.c and the unit tests. Times are spvValidate's (SPIRV-Tools 2023.1) on this
 * project's build host, one core. */
#ifndef PV_VK_SPIRV_CALLS_H
#define PV_VK_SPIRV_CALLS_H

#include <stddef.h>
#include <stdint.h>

/* The most OpFunction instructions. 10,000 functions never called or all called from main took
 * the validator 0.1 s, 4,096 never called 0.06 s; real shaders have tens to hundreds (the unit
 * and piglit shaders at most 24). */
#define PV_SPIRV_MAX_FUNCTIONS 4096u

/* The most the validator's call-graph walks visit: for each function, then once for each
 * OpEntryPoint's function, the functions it reaches, each counted with the distinct callees it
 * lists, plus 1 (a chain of n calls from the entry point: (n + 1)^2 + n). A chain of 3,000
 * functions each calling the next (about 9M) took 0.53 s, 10,000 (100M) 5.8 s; 2,046 (at this
 * limit) 0.22 s. The unit and piglit shaders: at most 599. */
#define PV_SPIRV_MAX_CALL_WALK (1u << 22)

/* The deepest structured nesting: selection and loop constructs holding one block, counted on
 * the structural dominator tree. 400 nested selections took 2.3 s, 1,000 27 s, 1,000 nested
 * loops 79 s or more (the validator itself allows 1,023); 128 selections 0.08 s, 128 loops
 * 0.23 s. The unit and piglit shaders: at most 25. */
#define PV_SPIRV_MAX_NESTING 128u

/* The most the validator spends on block order: for each function, its blocks squared over 2
 * (PerformCfgChecks looks up each block's dominator from the function's first block) plus, for
 * each structural edge, the depth-first walk's stack it scans for a back edge (n blocks in a
 * row: n(n - 1)). A chain of 100,000 blocks (1e10) took 14.6 s, 10,000 (1e8) 0.11 s, 16,384
 * (at this limit) 0.26 s. The unit and piglit shaders: at most 4,850. */
#define PV_SPIRV_MAX_BLOCK_ORDER (1u << 28)

/* The most steps the validator's dominator computation (Cooper, Harvey and Kennedy's, run
 * three times per function) takes: the predecessors it looks at per pass and its fingers'
 * moves, as counted on the structural graph. Structured code needs two passes: 100,000 blocks
 * in a row 200,002 steps; the unit and piglit shaders at most 404. */
#define PV_SPIRV_MAX_DOMINATOR_STEPS (1u << 24)

/* The most the validator's construct checks walk: for each construct, each block in it (as
 * the dominator tree bounds it) and its successors, times their depth in the dominator tree
 * (each block's dominance is checked by walking that chain). One selection around a chain of
 * 10,000 blocks (about 1e8) took 1.6 s, 30,000 14.8 s, 2,892 (at this limit) 0.14 s; 3,000
 * if-blocks in a row (2.7e7) 0.21 s. The unit and piglit shaders: at most 55,173. */
#define PV_SPIRV_MAX_CONSTRUCT_WALK (1u << 23)

/* The most work the back edges cost: back edges (one per loop in real code; a switch with N
 * cases to a loop header makes N^2) times their function's constructs and its loops' continue
 * targets' predecessors (the validator matches each back edge against every construct, copying
 * it, and against those predecessors). 3,000 loops in a row took 0.9 s, a switch sending 3,000
 * cases back to its loop header 1.1 s, 1,447 (at this limit) 0.17 s; 1,290 loops in a row
 * (1e7, refused) 0.17 s. The unit and piglit shaders: at most 300. */
#define PV_SPIRV_MAX_BACK_EDGE_WORK (1u << 23)

/* For any module (validated or not): NULL, or why its call graph or control flow is refused:
 * recursion (a cycle in the static call graph, which Vulkan forbids), or past a limit above
 * ("no memory" when the scan cannot allocate). */
const char *pv_spirv_call_violation(const uint32_t *words, size_t count);

#endif
