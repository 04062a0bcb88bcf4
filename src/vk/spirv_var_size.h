/* SPDX-License-Identifier: MIT */
/* The memory each entry point's variables take after specialization: its Workgroup (shared)
 * memory, and each invocation's Private and Function memory (spirv_var_size.c says why). Pure
 * functions of the code and the specialization data, for spirv_reflect.c, guard_shader.c and
 * the unit tests. */
#ifndef PV_VK_SPIRV_VAR_SIZE_H
#define PV_VK_SPIRV_VAR_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

/* What a module's variables are, per entry point. */
struct pv_spirv_var_use;

/* For a module spvValidate accepted. NULL when it declares no Workgroup, Private or Function
 * variable and no OpSpecConstantOp (*nomem false) or when out of memory (*nomem true). */
struct pv_spirv_var_use *pv_spirv_var_use_new(const uint32_t *words, size_t count, bool *nomem);
void pv_spirv_var_use_free(struct pv_spirv_var_use *u);

/* Bytes, counted as the least any layout takes: no padding, a bool one byte. */
struct pv_spirv_var_bytes {
   /* the Workgroup variables the entry point's call tree names; blocks of an explicit layout
    * (which alias) as the largest of them */
   uint64_t workgroup;
   /* one invocation's: the Private variables its call tree names and the Function variables
    * of the functions it reaches */
   uint64_t invocation;
};

/* The bytes of entry point `name` of SPIR-V execution model `model` with specialization `si`,
 * for the classes asked (the other reads 0); all 0 for no such entry point. False with *why
 * when a length it needs cannot be evaluated or is 0 after specialization (SPIR-V requires 1
 * at the least), or when Mesa's folding of the module's specialization constants would trap
 * the host (spirv_fold.c: a signed division or remainder of INT_MIN by -1 at 32 or 64 bits, a
 * SIGFPE in vkCreate*Pipelines on lavapipe 22.3.6), or may (a signed division it does not
 * fold: a vector's, or of operands it cannot evaluate); Mesa folds every one of them, used or
 * not, so that is looked at whatever is asked. Sizes saturate far past any limit. */
bool pv_spirv_var_bytes_of(const struct pv_spirv_var_use *u, const char *name, uint32_t model,
                           const VkSpecializationInfo *si, bool workgroup, bool invocation,
                           struct pv_spirv_var_bytes *out, const char **why);

/* The words of entry point `name`'s call tree with every call inlined (each function's body as
 * many times as inlining copies it), saturating; 0 for no such entry point or a module
 * spirv_var_use made nothing for (no variables, constants folded or calls). */
uint64_t pv_spirv_inlined_words(const struct pv_spirv_var_use *u, const char *name, uint32_t model);

#endif
