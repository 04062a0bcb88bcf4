/* SPDX-License-Identifier: MIT */
/* pv-gs-strip: a line strip of OutputVertices 2 that ends two one-vertex primitives per point:
 * nothing drawn, one list entry past llvmpipe's per point. */
#version 450
layout(points) in;
layout(line_strip, max_vertices = 2) out;

void main()
{
    gl_Position = gl_in[0].gl_Position;
    EmitVertex();
    EndPrimitive();
    gl_Position = gl_in[0].gl_Position + vec4(0.1, 0.0, 0.0, 0.0);
    EmitVertex();
    EndPrimitive();
}
