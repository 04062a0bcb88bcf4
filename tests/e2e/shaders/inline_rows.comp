/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile inline-uniform-rows: legal, and on Mesa 22.3's lavapipe a stack overflow. The
 * shader is big enough (over 100 NIR values: the hash below) for lavapipe to inline the
 * uniforms its conditions read, and its one condition reads five offsets of the fourth uniform
 * buffer. lavapipe writes those offsets at row 4 x 32 of a table of 4-wide rows, into the
 * stage's counts, which then say 64 push-constant dwords are to be copied into an array of 4
 * on the stack at the dispatch (src/vk/guard_inline.c).
 */
#version 450
layout(local_size_x = 1) in;
layout(push_constant) uniform P { uint n; } pc;
layout(set = 0, binding = 0) uniform U0 { uint a; } u0;
layout(set = 0, binding = 1) uniform U1 { uint a; } u1;
layout(set = 0, binding = 2) uniform U2 { uint a; } u2;
layout(set = 0, binding = 3) uniform U3 {
    layout(offset = 64) uint a;
    layout(offset = 320) uint b;
    layout(offset = 576) uint c;
    layout(offset = 832) uint d;
    layout(offset = 1088) uint e;
} u3;
layout(set = 0, binding = 4) buffer O { uint o[]; } outb;

void main()
{
    uint h = outb.o[100] + gl_GlobalInvocationID.x;
    h = h * 1664525u + 1013904223u;
    h ^= h >> 3u;
    h = h * 1664527u + 1013904224u;
    h ^= h >> 4u;
    h = h * 1664529u + 1013904225u;
    h ^= h >> 5u;
    h = h * 1664531u + 1013904226u;
    h ^= h >> 6u;
    h = h * 1664533u + 1013904227u;
    h ^= h >> 7u;
    h = h * 1664535u + 1013904228u;
    h ^= h >> 8u;
    h = h * 1664537u + 1013904229u;
    h ^= h >> 9u;
    h = h * 1664539u + 1013904230u;
    h ^= h >> 10u;
    h = h * 1664541u + 1013904231u;
    h ^= h >> 11u;
    h = h * 1664543u + 1013904232u;
    h ^= h >> 12u;
    h = h * 1664545u + 1013904233u;
    h ^= h >> 13u;
    h = h * 1664547u + 1013904234u;
    h ^= h >> 14u;
    h = h * 1664549u + 1013904235u;
    h ^= h >> 15u;
    h = h * 1664551u + 1013904236u;
    h ^= h >> 3u;
    h = h * 1664553u + 1013904237u;
    h ^= h >> 4u;
    h = h * 1664555u + 1013904238u;
    h ^= h >> 5u;
    h = h * 1664557u + 1013904239u;
    h ^= h >> 6u;
    h = h * 1664559u + 1013904240u;
    h ^= h >> 7u;
    h = h * 1664561u + 1013904241u;
    h ^= h >> 8u;
    h = h * 1664563u + 1013904242u;
    h ^= h >> 9u;
    h = h * 1664565u + 1013904243u;
    h ^= h >> 10u;
    h = h * 1664567u + 1013904244u;
    h ^= h >> 11u;
    h = h * 1664569u + 1013904245u;
    h ^= h >> 12u;
    h = h * 1664571u + 1013904246u;
    h ^= h >> 13u;
    h = h * 1664573u + 1013904247u;
    h ^= h >> 14u;
    h = h * 1664575u + 1013904248u;
    h ^= h >> 15u;
    h = h * 1664577u + 1013904249u;
    h ^= h >> 3u;
    h = h * 1664579u + 1013904250u;
    h ^= h >> 4u;
    h = h * 1664581u + 1013904251u;
    h ^= h >> 5u;
    h = h * 1664583u + 1013904252u;
    h ^= h >> 6u;
    h = h * 1664585u + 1013904253u;
    h ^= h >> 7u;
    h = h * 1664587u + 1013904254u;
    h ^= h >> 8u;
    h = h * 1664589u + 1013904255u;
    h ^= h >> 9u;
    h = h * 1664591u + 1013904256u;
    h ^= h >> 10u;
    h = h * 1664593u + 1013904257u;
    h ^= h >> 11u;
    h = h * 1664595u + 1013904258u;
    h ^= h >> 12u;
    h = h * 1664597u + 1013904259u;
    h ^= h >> 13u;
    h = h * 1664599u + 1013904260u;
    h ^= h >> 14u;
    h = h * 1664601u + 1013904261u;
    h ^= h >> 15u;
    h = h * 1664603u + 1013904262u;
    h ^= h >> 3u;
    if (u3.a + u3.b + u3.c + u3.d + u3.e == 7u)
        outb.o[2] = 1u;
    outb.o[0] = h;
    outb.o[1] = u0.a + u1.a + u2.a + pc.n;
}
