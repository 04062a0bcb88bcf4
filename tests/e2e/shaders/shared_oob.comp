/* SPDX-License-Identifier: MIT */
/* pv-hostile valid: a shared array of 4 written at index pc.widx and read at pc.ridx.. past its
 * end. Undefined in Vulkan, and on lavapipe a read and write of its heap (llvmpipe does not
 * bound Workgroup memory); through PearVisor the indices are clamped (src/vk/spirv_shared.c),
 * so every word read back is one the array held. */
#version 450
layout(local_size_x = 1) in;
layout(push_constant) uniform P { int widx; uint wval; int ridx; } pc;
layout(set = 0, binding = 0) buffer O { uint o[]; } outb;
shared uint s[4];

void main()
{
    for (int i = 0; i < 4; i++)
        s[i] = 0x11u * uint(i + 1);
    s[pc.widx] = pc.wval;
    barrier();
    for (int i = 0; i < 16; i++)
        outb.o[i] = s[pc.ridx + i];
}
