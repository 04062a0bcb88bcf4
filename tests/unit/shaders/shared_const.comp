/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_bound.c: Workgroup memory indexed by constants only, one variable
 * of it a struct (src/vk/spirv_shared.c zeroes it and clamps nothing). */
#version 450
layout(local_size_x = 4) in;
struct S { uint a; vec2 b; };
shared uint s[4];
shared S t;
layout(set=0,binding=0) buffer O { uint o[]; } outb;
void main() {
  outb.o[0] = s[1] + t.a;
  barrier();
  s[2] = 7u;
  t.b = vec2(1.0);
}
