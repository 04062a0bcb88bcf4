/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_names.c: 16-bit values with storage-only capabilities, whose
 * results SPIRV-Tools lets few instructions use (OpName not among them). */
#version 450
#extension GL_EXT_shader_16bit_storage : require
layout(local_size_x = 1) in;
layout(std430, set = 0, binding = 0) buffer H { f16vec2 h; uint16_t u; } b;
layout(set = 0, binding = 1) buffer O { float o[]; } outb;

void main()
{
    vec2 v = vec2(b.h);
    outb.o[0] = v.x + float(uint(b.u));
    b.h = f16vec2(vec2(outb.o[1]));
}
