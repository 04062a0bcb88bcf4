/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_shader_guard.c: a geometry shader that writes only gl_Position. The tests
 * patch its OutputVertices, Invocations and output primitive words. */
#version 450
layout(points, invocations = 1) in;
layout(triangle_strip, max_vertices = 3) out;

void
main()
{
   gl_Position = gl_in[0].gl_Position;
   EmitVertex();
   EndPrimitive();
}
