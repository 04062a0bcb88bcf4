/* SPDX-License-Identifier: MIT */
/* pv-gs-strip: a triangle strip of OutputVertices 3 that ends three one-vertex primitives per
 * point. Legal, and it draws nothing; llvmpipe's list of primitive lengths has room for one a
 * point (the decomposed triangles of 3 vertices), so lavapipe writes two past it per point. */
#version 450
layout(points) in;
layout(triangle_strip, max_vertices = 3) out;

void main()
{
    for (int i = 0; i < 3; i++) {
        gl_Position = gl_in[0].gl_Position;
        EmitVertex();
        EndPrimitive();
    }
}
