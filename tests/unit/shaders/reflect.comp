/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_shader_guard.c: one resource of every kind the reflection maps, an
 * array sized by a specialization constant, a declared but unused uniform block, and push
 * constants of which only the second word is read (the used range ends at byte 8). */
#version 450
layout(local_size_x = 1) in;
layout(constant_id = 3) const int N = 4;
layout(std430, set = 0, binding = 0) buffer Out { uint v[]; } outb;
layout(set = 0, binding = 1) uniform sampler2D tex[3];
layout(set = 1, binding = 2) uniform texture2D imgs[N];
layout(set = 1, binding = 3) uniform sampler smp;
layout(set = 1, binding = 4, rgba8) uniform writeonly image2D storage;
layout(set = 2, binding = 0) uniform Unused { vec4 a; } unused;
layout(set = 2, binding = 5) uniform samplerBuffer tb;
layout(push_constant) uniform PC { uint a; uint b; uint c; } pc;

void main()
{
    float t = texture(tex[2], vec2(0)).x + texture(sampler2D(imgs[1], smp), vec2(0)).x +
              texelFetch(tb, 0).x;
    outb.v[0] = uint(t) + pc.b;
    imageStore(storage, ivec2(0), vec4(0));
}
