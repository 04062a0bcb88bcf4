/* SPDX-License-Identifier: MIT */
/* pv-gs-strip: point i at the centre of cell (i % 8, i / 8) of an 8 x 8 grid over the frame. */
#version 450

void main()
{
    vec2 cell = vec2(gl_VertexIndex % 8, gl_VertexIndex / 8);
    gl_Position = vec4(cell * 0.25 - 0.875, 0.0, 1.0);
}
