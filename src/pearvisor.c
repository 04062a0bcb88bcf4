/* SPDX-License-Identifier: MIT */
/*
 * The library's composition root: the one file that names both the renderer and the object
 * families it serves (renderer/family.h says why the two layers never name each other).
 */
#include "pearvisor/pearvisor.h"
#include "renderer/renderer.h"
#include "vk/pv_vk.h"

struct pv_renderer *
pv_renderer_create(const struct pv_renderer_config *config)
{
   return pv_renderer_new(config, &pv_vk_family);
}
