/* SPDX-License-Identifier: MIT */
/* pv-xfb-counter: the vertex's position captured by transform feedback, 16 bytes a vertex. */
#version 450
layout(location = 0) in vec4 in_pos;
layout(location = 0, xfb_buffer = 0, xfb_offset = 0, xfb_stride = 16) out vec4 captured;

void main()
{
    captured = in_pos;
    gl_Position = in_pos;
}
