/* SPDX-License-Identifier: MIT */
/* Writes a word through a device address from the push constants (GL_EXT_buffer_reference): on
 * a CPU device that address is a host pointer (pv-hostile raw-device-address). */
#version 450
#extension GL_EXT_buffer_reference : require
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require
layout(local_size_x = 1) in;
layout(buffer_reference, std430) buffer Word { uint v; };
layout(push_constant) uniform Params { uint64_t address; } pc;

void main()
{
    Word(pc.address).v = 0xdeadu;
}
