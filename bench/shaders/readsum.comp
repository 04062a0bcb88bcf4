// SPDX-License-Identifier: MIT
// bench-hostmem: the GPU reads a host-visible buffer once: sum of every 32-bit word (mod 2^32).
#version 450
layout(local_size_x = 256) in;
layout(std430, binding = 0) readonly buffer Src { uvec4 src[]; };
layout(std430, binding = 1) buffer Dst { uint sum; };
layout(push_constant) uniform P { uint count; } p; // in uvec4 units
shared uint partial[256];
void main() {
    uint stride = gl_NumWorkGroups.x * 256u;
    uvec4 acc = uvec4(0);
    for (uint i = gl_GlobalInvocationID.x; i < p.count; i += stride)
        acc += src[i];
    uint l = gl_LocalInvocationID.x;
    partial[l] = acc.x + acc.y + acc.z + acc.w;
    barrier();
    for (uint s = 128u; s > 0u; s >>= 1) {
        if (l < s)
            partial[l] += partial[l + s];
        barrier();
    }
    if (l == 0u)
        atomicAdd(sum, partial[0]);
}
