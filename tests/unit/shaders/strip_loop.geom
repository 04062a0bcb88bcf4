/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_bound.c, compiled with -Os: spirv-opt makes the loop one block, a
 * loop header that is its own continue target and holds the emit, with OpPhi naming it. */
#version 450
layout(points) in;
layout(triangle_strip, max_vertices = 6) out;
layout(location = 0) out float v;

void
main()
{
   int i = 0;
   float acc = 0.0;
   do {
      acc += gl_in[0].gl_Position.y;
      gl_Position = gl_in[0].gl_Position + vec4(acc);
      v = acc;
      EmitVertex();
      i++;
   } while (i < int(gl_in[0].gl_Position.z));
   EndPrimitive();
}
