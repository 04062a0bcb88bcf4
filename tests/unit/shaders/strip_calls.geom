/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_bound.c, compiled with -Os for SPIR-V 1.5 (Private variables are
 * listed in the entry point from 1.4 on): a line strip emitting from a function, inside a
 * loop, a selection and a switch, with 4 invocations. */
#version 450
layout(triangles, invocations = 4) in;
layout(line_strip, max_vertices = 5) out;
layout(location = 0) out vec4 c;

void
put(int k)
{
   gl_Position = gl_in[k % 3].gl_Position;
   c = vec4(k);
   EmitVertex();
}

void
main()
{
   for (int i = 0; i < 3; i++) {
      put(i);
      if (i == gl_InvocationID) {
         put(i + 1);
         EndPrimitive();
      } else {
         put(i + 2);
      }
      switch (i) {
      case 0:
         put(0);
         break;
      default:
         EndPrimitive();
      }
   }
}
