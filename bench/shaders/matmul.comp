// SPDX-License-Identifier: MIT
// bench-compute: C = A * B for n x n row-major float matrices, n a multiple of 64. A workgroup
// of 16 x 16 computes a 64 x 64 tile of C, 4 x 4 elements per invocation, through 64 x 16 and
// 16 x 64 tiles of A and B in shared memory.
#version 450
layout(local_size_x = 16, local_size_y = 16) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer C { float c[]; };
layout(push_constant) uniform P { uint n; } p;
shared float as[16][65];
shared float bs[16][64];
void main() {
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
    uint tid = ty * 16u + tx;
    uint row0 = gl_WorkGroupID.y * 64u, col0 = gl_WorkGroupID.x * 64u;
    uint n = p.n;
    float acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            acc[i][j] = 0.0;
    for (uint k0 = 0u; k0 < n; k0 += 16u) {
        for (uint i = 0u; i < 4u; i++) {
            uint e = tid + i * 256u;
            uint r = e / 16u, kk = e % 16u;
            as[kk][r] = a[(row0 + r) * n + k0 + kk];
            uint kb = e / 64u, cb = e % 64u;
            bs[kb][cb] = b[(k0 + kb) * n + col0 + cb];
        }
        barrier();
        for (uint kk = 0u; kk < 16u; kk++) {
            float av[4], bv[4];
            for (uint i = 0u; i < 4u; i++) {
                av[i] = as[kk][ty + 16u * i];
                bv[i] = bs[kk][tx + 16u * i];
            }
            for (uint i = 0u; i < 4u; i++)
                for (uint j = 0u; j < 4u; j++)
                    acc[i][j] += av[i] * bv[j];
        }
        barrier();
    }
    for (uint i = 0u; i < 4u; i++)
        for (uint j = 0u; j < 4u; j++)
            c[(row0 + ty + 16u * i) * n + col0 + tx + 16u * j] = acc[i][j];
}
