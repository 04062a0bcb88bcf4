#version 450
// A whole-array load of 70,000 floats: one value past PV_SPIRV_MAX_VALUE_SCALARS (spirv_values.c).
layout(local_size_x = 1) in;
layout(std430, binding = 0) buffer B { float data[70000]; float result[]; } b;
void main()
{
   float copy[70000] = b.data;
   b.result[0] = copy[gl_GlobalInvocationID.x];
}
