/* SPDX-License-Identifier: MIT */
/* pv-hostile private-size: a Function array whose length is a specialization constant. Vulkan
 * sets no limit on it; lavapipe keeps it in an unprobed stack frame, and specialized to
 * 0xFFFFFFFF spirv_to_nir wrote through a failed allocation (src/vk/spirv_var_size.c). */
#version 450
layout(local_size_x = 1) in;
layout(constant_id = 0) const uint N = 4;
layout(push_constant) uniform P { uint i; } pc;
layout(set = 0, binding = 0) buffer O { uint o[]; } outb;

void main()
{
    uint a[N];
    a[pc.i % N] = 0x41414141u;
    outb.o[0] = a[(pc.i + 1u) % N];
}
