/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_shader_guard.c (src/vk/spirv_sample.c): which samplers are read without a
 * depth reference. `color` is, through a function parameter; `shadow` and the separate `cmp`
 * only by depth-compare instructions; `gathered` by a gather (no reference either). */
#version 450
layout(set = 0, binding = 0) uniform sampler2DShadow shadow;
layout(set = 0, binding = 1) uniform sampler2D color;
layout(set = 0, binding = 2) uniform sampler cmp;
layout(set = 0, binding = 3) uniform texture2D depth_tex;
layout(set = 0, binding = 4) uniform sampler2D gathered;
layout(location = 0) out vec4 o;

vec4 look(sampler2D s)
{
    return texture(s, vec2(0.5));
}

void main()
{
    o = look(color) + textureGather(gathered, vec2(0.5)) +
        vec4(texture(shadow, vec3(0.5)) + texture(sampler2DShadow(depth_tex, cmp), vec3(0.5)));
}
