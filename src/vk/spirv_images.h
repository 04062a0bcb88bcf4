/* SPDX-License-Identifier: MIT */
/* Image types no Vulkan view can back (spirv_images.c says why): a pure function of the code,
 * for guard_shader.c and the unit tests. */
#ifndef PV_VK_SPIRV_IMAGES_H
#define PV_VK_SPIRV_IMAGES_H

#include <stddef.h>
#include <stdint.h>

/* For any module (validated or not): NULL, or why one of its OpTypeImage declarations is of a
 * kind Vulkan has no image view for: Dim Rect, an arrayed 3D, Rect or Buffer image, or a
 * multisampled one that is not 2D or a subpass input. */
const char *pv_spirv_image_violation(const uint32_t *words, size_t count);

#endif
