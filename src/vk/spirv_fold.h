/* SPDX-License-Identifier: MIT */
/* A module's global constants and types evaluated with specialization data (spirv_fold.c), for
 * spirv_var_size.c: internal. */
#ifndef PV_VK_SPIRV_FOLD_H
#define PV_VK_SPIRV_FOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vulkan/vulkan.h>

/* Sizes saturate here, far past any limit. */
#define PV_SPIRV_FOLD_SIZE_MAX (UINT64_C(1) << 62)

struct pv_spirv_fold;

/* `globals`: a validated module's words before its first function, header excluded (kept by
 * the caller while the fold lives). NULL when out of memory. */
struct pv_spirv_fold *pv_spirv_fold_new(const uint32_t *globals, size_t n,
                                        const VkSpecializationInfo *si);
void pv_spirv_fold_free(struct pv_spirv_fold *f);

enum pv_spirv_fold_size {
   PV_SPIRV_FOLD_SIZED,
   PV_SPIRV_FOLD_UNKNOWN, /* an array length that does not fold, or not a type */
   PV_SPIRV_FOLD_EMPTY,   /* an array of 0 elements */
};

/* Type `type`'s size counted as the least any layout takes (no padding, a bool 1 byte; a
 * negative length counts as too large), into *bytes; *block when it is decorated Block. */
enum pv_spirv_fold_size pv_spirv_fold_size(const struct pv_spirv_fold *f, uint32_t type,
                                           uint64_t *bytes, bool *block);
/* Why folding the module's specialization constants as Mesa does would trap the host (a
 * signed division or remainder of INT_MIN by -1 at 32 or 64 bits), or may (one this does not
 * fold), or NULL. */
const char *pv_spirv_fold_trap(const struct pv_spirv_fold *f);
/* The pointee of pointer type `pointer`, 0 when it is none. */
uint32_t pv_spirv_fold_pointee(const struct pv_spirv_fold *f, uint32_t pointer);

/* The value specialization constant `id` gets from `si`, as Mesa reads it (vk_util.c
 * vk_spec_info_to_nir_spirv): an entry of 1, 2, 4 or 8 bytes zero-extended, of any other size
 * 0. False when `si` does not set it. */
bool pv_spirv_spec_raw(const VkSpecializationInfo *si, uint32_t id, uint64_t *v);

#endif
