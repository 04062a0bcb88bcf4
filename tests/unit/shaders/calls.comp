#version 450
// A function with 7,000 floats of Function memory (28,000 bytes), called 8 times: 8 copies once
// inlined (spirv_var_size.c).
layout(local_size_x = 1) in;
layout(std430, binding = 0) buffer B { float v[]; } b;
float pick(uint i)
{
   float tmp[7000];
   for (uint k = 0; k < 7000u; k++)
      tmp[k] = b.v[k];
   return tmp[i % 7000u];
}
void main()
{
   uint i = gl_GlobalInvocationID.x;
   b.v[0] = pick(i) + pick(i + 1) + pick(i + 2) + pick(i + 3) + pick(i + 4) + pick(i + 5) +
            pick(i + 6) + pick(i + 7);
}
