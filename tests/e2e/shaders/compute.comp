/* SPDX-License-Identifier: MIT */
/* dst[i] = src[i] * mul + i + add over `count` uints; 2D dispatch so more than 65535 * 256
 * elements fit in the minimum maxComputeWorkGroupCount. */
#version 450
layout(local_size_x = 256) in;
layout(std430, set = 0, binding = 0) readonly buffer Src { uint v[]; } src;
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint v[]; } dst;
layout(push_constant) uniform Params { uint count; uint mul; uint add; } pc;

void main()
{
    uint i = gl_GlobalInvocationID.y * gl_NumWorkGroups.x * gl_WorkGroupSize.x +
             gl_GlobalInvocationID.x;
    if (i < pc.count)
        dst.v[i] = src.v[i] * pc.mul + i + pc.add;
}
