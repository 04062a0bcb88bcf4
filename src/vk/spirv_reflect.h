/* SPDX-License-Identifier: MIT */
/*
 * What a guest's shader module declares and uses (issue 12: shaders against layouts). A host
 * compiler trusts that every descriptor a shader names exists in the pipeline layout with a
 * compatible type and enough elements (lavapipe crashes compiling one that does not), and the
 * host's draw trusts that every descriptor a shader uses was written. Neither is in the Venus
 * command: it is in the SPIR-V.
 *
 * So every module is validated when it is created (SPIRV-Tools' spvValidate, for the target
 * environment of the device's API version: a malformed module never reaches the host compiler
 * nor our reflection) and then reflected with SPIRV-Cross's C API (Debian's and Homebrew's
 * spirv-cross): per entry point, every descriptor variable it statically uses (SPIRV-Cross walks
 * the entry point's call tree, so it is the same for SPIR-V before and after 1.4) with its set,
 * binding, the descriptor types that may back it and its array size, and the end of the push
 * constant bytes it uses. Both libraries are well-kept parsers of their own (Debian and
 * Homebrew ship both); ours is only the glue here, not a third SPIR-V parser. tests/fuzz's
 * fuzz_spirv runs this on mutated modules, fuzz_hostile through recorded streams.
 *
 * Pure functions of the code (no context): the unit tests call them directly.
 */
#ifndef PV_VK_SPIRV_REFLECT_H
#define PV_VK_SPIRV_REFLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

/* Descriptor types as bits (pv_spirv_type_bit): which types may back a variable. */
uint32_t pv_spirv_type_bit(VkDescriptorType t);

/* Element counts that are not a number the module states. */
#define PV_SPIRV_COUNT_RUNTIME 0u         /* OpTypeRuntimeArray: the binding's whole count */
#define PV_SPIRV_COUNT_UNKNOWN UINT32_MAX /* sized by an expression of spec constants */
#define PV_SPIRV_NO_SPEC UINT32_MAX

/* A geometry entry point's output primitive: SPIR-V's execution modes OutputPoints,
 * OutputLineStrip, OutputTriangleStrip. */
#define PV_SPIRV_OUTPUT_POINTS 27u
#define PV_SPIRV_OUTPUT_LINE_STRIP 28u
#define PV_SPIRV_OUTPUT_TRIANGLE_STRIP 29u

struct pv_spirv_resource {
   uint32_t set, binding;
   uint32_t types;   /* pv_spirv_type_bit of every descriptor type that may back it */
   uint32_t count;   /* elements (product of array dimensions), or PV_SPIRV_COUNT_* */
   uint32_t spec_id; /* count comes from this SpecId (default `count`) when has_spec */
   bool has_spec;
   bool plain; /* a sampler some instruction without a Dref operand reads (spirv_sample.h) */
};

/*
 * What a stage's interface asks the compiler to make per vertex and per distance: lavapipe
 * lowers per-vertex input arrays element by element (a geometry shader input of 16,777,217
 * elements made it allocate without end, tests/fuzz/README.md) and assigns clip and cull
 * distances, and a fragment shader's SampleMask words, into a fixed array on its stack
 * (gl_ClipDistance[512] and an output SampleMask of 96 words smashed it).
 */
struct pv_spirv_io_extents {
   uint32_t in_vertices; /* the longest per-vertex input array (tessellation, geometry) */
   uint32_t clip, cull;  /* ClipDistance and CullDistance array sizes, inputs or outputs */
   uint32_t sample_mask; /* the SampleMask array's size, input or output */
};

struct pv_spirv_entry {
   char *name;
   VkShaderStageFlagBits stage; /* 0 for execution models Vulkan has no stage for */
   uint32_t model;              /* its SPIR-V execution model */
   uint32_t push_end;           /* end of the push constant bytes it uses, 0: none */
   uint32_t in_end, out_end;    /* first location past the inputs/outputs it uses (spirv_io.h) */
   struct pv_spirv_io_extents io; /* per-vertex input lengths, clip and cull distances */
   /* workgroup size (compute, task, mesh): each dimension's value, or the SpecId that may
    * replace it (PV_SPIRV_NO_SPEC when none); an id-given size that is no constant counts as
    * PV_SPIRV_COUNT_UNKNOWN */
   uint32_t local[3], local_spec[3];
   /* OpExecutionMode OutputVertices (tessellation: the patch size; geometry: the most vertices
    * an invocation emits), when has_output_vertices */
   uint32_t output_vertices;
   bool has_output_vertices;
   /* geometry: Invocations (1 when absent) and the output primitive (PV_SPIRV_OUTPUT_*, 0: none) */
   uint32_t invocations, output_primitive;
   /* OutputVertices or Invocations declared twice with different values (spirv_workgroup.h) */
   bool conflicting_modes;
   uint32_t count;
   struct pv_spirv_resource *res;
};

struct pv_spirv_var_use;

struct pv_spirv_module {
   uint32_t io_first_end; /* one past the last location an input or output reaches, used or
                           * not; 0: none */
   /* its variables per entry point, sized with a pipeline's specialization
    * (spirv_var_size.h); NULL when it has none */
   struct pv_spirv_var_use *vars;
   uint32_t count;
   struct pv_spirv_entry *entries;
};

/* The SPIR-V target environment of a device of this apiVersion (spv_target_env values). */
int pv_spirv_env(uint32_t api_version, bool spirv_1_4);

/* Calls `fn` for each instruction of `words` that has a result id, with its word position, its
 * opcode, its result id and result type id (0: none), as SPIRV-Tools' parser reads them; false
 * when it cannot parse the module (or no memory). For spirv_shared.c: libspirv.h defines an
 * object, so one file includes it. */
bool pv_spirv_each_result(const uint32_t *words, size_t count,
                          void (*fn)(void *user, size_t pos, uint32_t opcode, uint32_t result,
                                     uint32_t type),
                          void *user);

/* What must be refused before spvValidate and SPIRV-Cross see a module, whose own walks it would
 * make allocate without end, run for minutes or crash a host compiler (spirv_shape.h,
 * spirv_entries.h, spirv_values.h, spirv_images.h): NULL, or
 * why. Runs on the unvalidated words, on every host. */
const char *pv_spirv_unvalidated_violation(const uint32_t *words, size_t count);

/* Whether spvValidate takes `words` for `env`; `err` receives the validator's message when not
 * (pv_spirv_reflect validates first; a module we rewrote is validated again with this). */
bool pv_spirv_validate(const uint32_t *words, size_t count, int env, char *err, size_t err_size);

/* Validates `words` for `env` and reflects it. NULL with *why set (a static or `err` string)
 * when it is invalid or cannot be reflected; `err` receives the validator's message. */
struct pv_spirv_module *pv_spirv_reflect(const uint32_t *words, size_t count, int env, char *err,
                                         size_t err_size, const char **why);
void pv_spirv_module_free(struct pv_spirv_module *m);

/* The entry point `name` of `stage`, or NULL. */
const struct pv_spirv_entry *pv_spirv_entry_find(const struct pv_spirv_module *m, const char *name,
                                                 VkShaderStageFlagBits stage);

#endif
