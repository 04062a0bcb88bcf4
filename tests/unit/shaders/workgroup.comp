/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_shader_guard.c: a workgroup size whose x comes from specialization
 * constant 7 (default 1) and y is 2 (glslang emits a WorkgroupSize constant; spirv_reflect.c
 * must take it over the LocalSize mode). */
#version 450
layout(local_size_x_id = 7, local_size_y = 2) in;
layout(std430, set = 0, binding = 0) buffer Out { uint v[]; } outb;

void main()
{
    outb.v[gl_LocalInvocationIndex] = gl_WorkGroupSize.x;
}
