/* SPDX-License-Identifier: MIT */
/* pv-gs-strip: a triangle strip of OutputVertices 6: a one-vertex primitive, the left half of
 * the point's cell as a strip of 4 emitted in a loop (compiled with -Os, which makes it one
 * block: a loop header holding the emit), and another one-vertex primitive. The cell's left
 * half (4 x 8 pixels of a 64 x 64 frame) is all that is drawn. */
#version 450
layout(points) in;
layout(triangle_strip, max_vertices = 6) out;

void main()
{
    vec4 c = gl_in[0].gl_Position;
    gl_Position = c;
    EmitVertex();
    EndPrimitive();
    int i = 0;
    do {
        gl_Position = c + vec4(i % 2 == 0 ? -0.125 : 0.0, i < 2 ? -0.125 : 0.125, 0.0, 0.0);
        EmitVertex();
        i++;
    } while (i < 4);
    EndPrimitive();
    gl_Position = c;
    EmitVertex();
}
