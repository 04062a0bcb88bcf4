/* SPDX-License-Identifier: MIT */
/* Texture (combined image sampler) modulated by the vertex colour. */
#version 450
layout(set = 0, binding = 0) uniform sampler2D tex;
layout(location = 0) in vec2 in_uv;
layout(location = 1) in vec3 in_color;
layout(location = 0) out vec4 out_color;

void main()
{
    out_color = texture(tex, in_uv) * vec4(in_color, 1.0);
}
