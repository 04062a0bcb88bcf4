/* SPDX-License-Identifier: MIT */
#ifndef PV_PIGLIT_COMPILE_H
#define PV_PIGLIT_COMPILE_H

#include "script.h"

/* Compiles GLSL for STAGE with glslangValidator (PIGLIT_GLSLANG_VALIDATOR_BINARY overrides the
 * name) into SPIR-V; *code is malloc'ed. On error returns false with a message in err. */
bool pv_compile_glsl(enum pv_stage stage, const char *source, uint32_t **code, size_t *size,
                     char *err, size_t err_size);

#endif
