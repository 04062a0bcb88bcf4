/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_shader_guard.c: three uniform blocks (set 0 bindings 0..2; uniform
 * buffers, or an inline uniform block at binding 0) and a storage buffer (binding 3), each
 * read or written. */
#version 450
layout(local_size_x = 1) in;
layout(set = 0, binding = 0) uniform U0 { uint a; } u0;
layout(set = 0, binding = 1) uniform U1 { uint a; } u1;
layout(set = 0, binding = 2) uniform U2 { uint a; } u2;
layout(set = 0, binding = 3) buffer O { uint o[]; } outb;

void
main()
{
   outb.o[0] = u0.a + u1.a + u2.a;
}
