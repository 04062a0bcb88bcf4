/* SPDX-License-Identifier: MIT */
/* The Workgroup (shared) memory each entry point of a module uses, after specialization
 * (spirv_shared_size.c says why): pure functions of the code and the specialization data, for
 * spirv_reflect.c, guard_shader.c and the unit tests. */
#ifndef PV_VK_SPIRV_SHARED_SIZE_H
#define PV_VK_SPIRV_SHARED_SIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

/* What a module's Workgroup memory is made of, per entry point. */
struct pv_spirv_shared_use;

/* For a module spvValidate accepted. NULL when it declares no Workgroup variable (*nomem
 * false) or when out of memory (*nomem true). */
struct pv_spirv_shared_use *pv_spirv_shared_use_new(const uint32_t *words, size_t count,
                                                    bool *nomem);
void pv_spirv_shared_use_free(struct pv_spirv_shared_use *u);

#define PV_SPIRV_SHARED_UNKNOWN UINT64_MAX

/* The bytes of Workgroup memory that entry point `name` of SPIR-V execution model `model`
 * statically uses with specialization `si`, counted as the least any layout takes: no padding,
 * a bool one byte, and blocks of an explicit layout (which alias) as the largest of them.
 * PV_SPIRV_SHARED_UNKNOWN with *why set when an array length it needs cannot be evaluated or is
 * 0 after specialization. 0 for an entry point with none (or no such entry point). */
uint64_t pv_spirv_shared_bytes(const struct pv_spirv_shared_use *u, const char *name,
                               uint32_t model, const VkSpecializationInfo *si, const char **why);

/* The value specialization constant `id` gets from `si`, as Mesa reads it (vk_util.c
 * vk_spec_info_to_nir_spirv): an entry of 1, 2, 4 or 8 bytes zero-extended, of any other size
 * 0. False when `si` does not set it. */
bool pv_spirv_spec_raw(const VkSpecializationInfo *si, uint32_t id, uint64_t *v);

#endif
