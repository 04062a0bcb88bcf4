#version 450
// A whole-array load of 1,000 floats: inside PV_SPIRV_MAX_VALUE_SCALARS (spirv_values.c).
layout(local_size_x = 1) in;
layout(std430, binding = 0) buffer B { float data[1000]; float result[]; } b;
void main()
{
   float copy[1000] = b.data;
   b.result[0] = copy[gl_GlobalInvocationID.x];
}
