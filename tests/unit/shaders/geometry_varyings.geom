/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_shader_guard.c: a geometry shader with an output at location 15, so 16
 * output locations in each vertex llvmpipe keeps (geometry_output_size). */
#version 450
layout(points, invocations = 1) in;
layout(points, max_vertices = 256) out;
layout(location = 15) out vec4 color;

void
main()
{
   gl_Position = gl_in[0].gl_Position;
   color = vec4(1.0);
   EmitVertex();
}
