/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_bound.c: Workgroup arrays indexed by 8- and 16-bit integers, as
 * llama.cpp indexes its quantization tables (src/vk/spirv_shared.c clamps them with bounds of
 * the index's own width). */
#version 450
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : require
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : require
layout(local_size_x = 16) in;
layout(push_constant) uniform P { uint k; } pc;
shared float t[16];
shared float big[300];
layout(set = 0, binding = 0) buffer O { float o[]; } outb;

void main()
{
    uint8_t i8 = uint8_t(pc.k);
    int16_t i16 = int16_t(pc.k);
    t[gl_LocalInvocationIndex] = 1.0;
    big[gl_LocalInvocationIndex] = 2.0;
    barrier();
    outb.o[0] = t[i8] + big[i8] + big[i16] + big[uint8_t(200)];
}
