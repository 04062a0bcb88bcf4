/* SPDX-License-Identifier: MIT */
/* Interface locations of an entry point's stage inputs and outputs (spirv_io.c), for
 * spirv_reflect.c: internal, it takes SPIRV-Cross's handles. */
#ifndef PV_VK_SPIRV_IO_H
#define PV_VK_SPIRV_IO_H
#include <spirv_cross/spirv_cross_c.h>
#include <stdbool.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

/* The first location past every non-builtin input and output of `res` (a Component past 3, or
 * an array sized by a specialization constant, gives UINT32_MAX). */
bool pv_spirv_io_ends(spvc_compiler comp, spvc_resources res, VkShaderStageFlagBits stage,
                      uint32_t *in_end, uint32_t *out_end);
/* One past the last location a non-builtin input or output (or block member) of `res` reaches,
 * 0 for none (UINT32_MAX for a Component past 3): every variable of a module, used or not;
 * `stages`: its entry points' stages, whose per-vertex arrays are not locations. */
bool pv_spirv_io_first_end(spvc_compiler comp, spvc_resources res, VkShaderStageFlags stages,
                           uint32_t *max);

struct pv_spirv_io_extents; /* spirv_reflect.h */
/* Fills `out` for the entry point of `res` (UINT32_MAX where a specialization constant sizes
 * the array). */
bool pv_spirv_io_extents(spvc_compiler comp, spvc_resources res, VkShaderStageFlagBits stage,
                         struct pv_spirv_io_extents *out);
#endif
