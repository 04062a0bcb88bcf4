/* SPDX-License-Identifier: MIT */
/* pv-hostile shared-size: a shared array whose length is a specialization constant. Specialized
 * to 0x40000001 it is 4 GiB + 4 bytes, which Mesa's 32-bit shared size wraps to a block of 8
 * that every invocation past the second writes beyond (src/vk/spirv_var_size.c). */
#version 450
layout(local_size_x = 64) in;
layout(constant_id = 0) const uint N = 64;
layout(set = 0, binding = 0) buffer O { uint o[]; } outb;
shared uint s[N];

void main()
{
    uint i = gl_LocalInvocationIndex;
    s[i] = 0x41414141u;
    barrier();
    outb.o[i] = s[63u - i];
}
