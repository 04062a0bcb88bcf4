/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_var_size.c: an invocation's own memory: a Function array of a
 * specialization-constant length in main, a Private array and a Function array of a function
 * main calls. By default a 16 + main's parameter temporary 4 + g 32 + h 64 = 116 bytes. */
#version 450
layout(local_size_x = 1) in;
layout(constant_id = 0) const uint N = 4;
layout(push_constant) uniform P { uint i; } pc;
layout(set = 0, binding = 0) buffer O { uint o[]; } outb;
uint g[8];

uint helper(uint i)
{
    uint h[16];
    h[i & 15u] = i;
    return h[(i + 1u) & 15u];
}

void main()
{
    uint a[N];
    a[pc.i % N] = 1u;
    g[pc.i & 7u] = 2u;
    outb.o[0] = a[0] + g[1] + helper(pc.i);
}
