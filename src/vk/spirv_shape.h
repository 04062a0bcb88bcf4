/* SPDX-License-Identifier: MIT */
/* Type shapes and specialization-constant expressions past what the host's SPIR-V tools walk in
 * bounded time, memory and stack (spirv_shape.c says why): a pure function of the code, for
 * guard_shader.c and the unit tests. */
#ifndef PV_VK_SPIRV_SHAPE_H
#define PV_VK_SPIRV_SHAPE_H

#include <stddef.h>
#include <stdint.h>

/* The deepest type: structs, arrays, runtime arrays, pointers and function types nested, a
 * scalar, vector, matrix, image or sampler 0 (SPIR-V's universal limit on struct nesting, which
 * the validator checks on structs alone; a pointer to a struct 255 deep is 256, refused). */
#define PV_SPIRV_MAX_TYPE_DEPTH 255u

/* The most types one type holds, expanded as a tree: a struct 1 + its members', an array or
 * pointer 1 + its element's, any other type 1 (the walks of spvValidate and lavapipe that
 * visit a type's tree without memo; 2 wide x 15 deep is 65,535). */
#define PV_SPIRV_MAX_TYPE_SIZE 65536u

/* The most array dimensions and struct members all arrays and pointers of a module copy from
 * their base types (SPIRV-Cross's parser copies the base type into each). */
#define PV_SPIRV_MAX_TYPE_COPIES (1u << 22)

/* The most types the module's instructions name, expanded, summed: each instruction's result
 * type, the types each type declaration names, and each array length's paths (spvValidate walks
 * a variable's type once per variable, 7 ms for one of 65,536 types: 1,000 Private variables of
 * it took 4.2 s; SPIRV-Cross walks each array length's expression). */
#define PV_SPIRV_MAX_TYPE_WALKS (1u << 23)

/* The most lavapipe's compiler walks moving whole values, summed: for each instruction's result
 * type and each pointer OpStore and OpCopyMemory(Sized) move through, the type's size expanded
 * times its depth + 1 (a deref chain per type in it, as long as it is deep). Natively on
 * lavapipe 22.3.6, 1,000 loads of a 254-deep value of one float took 6.5 s to compile, 1,000
 * OpCopyMemory of it 14 s, about 100 ns per unit; this many is under a second. */
#define PV_SPIRV_MAX_VALUE_MOVES (1u << 23)

/* The deepest specialization-constant expression (OpSpecConstantOp, OpSpecConstantComposite),
 * a plain specialization constant 0. */
#define PV_SPIRV_MAX_SPEC_DEPTH 255u

/* The most operands a walk of one specialization-constant expression without memo visits: its
 * paths (c_k = c_(k-1) + c_(k-1) doubles them per level; 15 levels are 65,535). */
#define PV_SPIRV_MAX_SPEC_PATHS 65536u

/* A module's largest measures (to the first violation). */
struct pv_spirv_shape {
   uint32_t depth;      /* the deepest type */
   uint32_t size;       /* the largest type expanded */
   uint64_t copies;     /* what SPIRV-Cross's parser copies, the whole module's */
   uint64_t walks;      /* what its instructions name (PV_SPIRV_MAX_TYPE_WALKS) */
   uint64_t moves;      /* what its whole-value moves walk (PV_SPIRV_MAX_VALUE_MOVES) */
   uint32_t spec_depth; /* the deepest specialization-constant expression */
   uint32_t spec_paths; /* the most paths of one */
};

/* For any module (validated or not): NULL, or why its types or specialization constants are
 * refused (past a limit above; a type used before its declaration, an id declared twice or past
 * the id bound, an id bound of 0 or past SPIR-V's; "no memory" when the scan cannot allocate).
 * A module cut short is scanned up to the cut. `out` (may be NULL) receives the measures up to
 * the first violation. */
const char *pv_spirv_shape_measure(const uint32_t *words, size_t count, struct pv_spirv_shape *out);

/* pv_spirv_shape_measure without the measures. */
const char *pv_spirv_shape_violation(const uint32_t *words, size_t count);

#endif
