#version 450
#extension GL_EXT_control_flow_attributes : require
// A loop that asks for Unroll, of 100,000 iterations (spirv_loops.c).
layout(local_size_x = 1) in;
layout(std430, binding = 0) buffer B { uint v[]; } b;
void main()
{
   [[unroll]] for (uint i = 0; i < 100000u; i++)
      b.v[i] += i;
}
