/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_bound.c: Workgroup arrays of vectors, of a specialization-constant
 * length and of doubles, indexed by push constants, an invocation id and a sum, through a
 * store, an atomic and loads (src/vk/spirv_shared.c clamps each such index). */
#version 450
#extension GL_ARB_gpu_shader_fp64 : enable
layout(local_size_x = 64) in;
layout(constant_id = 3) const uint N = 16;
layout(push_constant) uniform P { int i; int j; uint k; } pc;
shared vec4 m[8][2];
shared uint s[N];
shared double d[4];
layout(set=0,binding=0) buffer O { vec4 o[]; } outb;
void main() {
  m[pc.i][pc.j][pc.k] = 1.0;
  m[gl_LocalInvocationID.x][1] = vec4(2.0);
  s[pc.k] = 5u;
  atomicAdd(s[pc.i], 1u);
  d[pc.j] = 1.0lf;
  barrier();
  outb.o[0] = m[pc.j][pc.i] + vec4(s[pc.k + 1u]) + vec4(float(d[pc.i]));
  outb.o[1] = m[3][1];
}
