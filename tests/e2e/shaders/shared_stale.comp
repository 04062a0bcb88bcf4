/* SPDX-License-Identifier: MIT */
/* pv-hostile valid: pc.mode 0 fills a shared array with pc.pattern; mode 1 copies the array to
 * the output before writing it. Vulkan leaves that read undefined; llvmpipe hands each
 * workgroup its thread's block as the last workgroup left it (or as the heap held it), so
 * natively mode 1 reads mode 0's pattern. Through PearVisor on lavapipe every Workgroup
 * variable is zeroed first (src/vk/spirv_shared.c): mode 1 reads 0. */
#version 450
layout(local_size_x = 64) in;
layout(push_constant) uniform P { uint mode; uint pattern; } pc;
layout(set = 0, binding = 0) buffer O { uint o[]; } outb;
shared uint s[256];

void main()
{
    uint i = gl_LocalInvocationIndex;
    uint base = gl_WorkGroupID.x * 256u;
    if (pc.mode == 1u) {
        for (uint k = 0u; k < 4u; k++)
            outb.o[base + i * 4u + k] = s[i * 4u + k];
        return;
    }
    for (uint k = 0u; k < 4u; k++)
        s[i * 4u + k] = pc.pattern;
    barrier();
    if (i == 0u)
        outb.o[base] = s[255];
}
