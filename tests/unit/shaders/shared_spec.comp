/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_var_size.c: Workgroup arrays sized by specialization constants,
 * an expression of them and the workgroup size; one used only in a called function, one used
 * by no entry point. Counted tightly by default: a 16 + b 112 + c 4 + f 32 = 164 bytes. */
#version 450
layout(local_size_x_id = 2) in;
layout(constant_id = 0) const uint N = 4;
layout(constant_id = 1) const int M = 2;
shared uint a[N];
shared vec4 b[M * 3 + 1];
shared float c[gl_WorkGroupSize.x];
shared uint f[8];
shared uint unused[1000];
layout(set = 0, binding = 0) buffer O { uint o[]; } outb;

uint helper(uint i)
{
    f[i & 7u] = i;
    return f[(i + 1u) & 7u];
}

void main()
{
    uint i = gl_LocalInvocationIndex;
    a[i % N] = i;
    b[i % uint(M * 3 + 1)] = vec4(i);
    c[i] = 1.0;
    barrier();
    outb.o[i] = a[0] + uint(b[0].x) + uint(c[0]) + helper(i);
}
