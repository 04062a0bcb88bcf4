/* SPDX-License-Identifier: MIT */
#ifndef PV_RENDERER_RENDERER_H
#define PV_RENDERER_RENDERER_H

#include "pearvisor/pearvisor.h"
#include "renderer/capset.h"

struct pv_renderer {
   struct pv_renderer_config config;
   struct pv_venus_capset venus_capset;
};

#endif
