/* SPDX-License-Identifier: MIT */
/* Copies four words from one device address to another (pv-address-space): whether a device's
 * shader reaches memory that another device of the same process allocated. */
#version 450
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(local_size_x = 4) in;
layout(buffer_reference, std430, buffer_reference_align = 16) buffer Words { uint v[4]; };
layout(push_constant) uniform Params { uint64_t src; uint64_t dst; } pc;

void main()
{
    uint i = gl_LocalInvocationID.x;
    Words(pc.dst).v[i] = Words(pc.src).v[i];
}
