/* SPDX-License-Identifier: MIT */
/* For tests/unit/test_spirv_var_size.c: signed divisions and remainders of specialization
 * constants, which Mesa folds in C (src/vk/spirv_fold.c): A = INT_MIN traps it. */
#version 450
#extension GL_ARB_gpu_shader_int64 : enable
layout(local_size_x = 1) in;
layout(constant_id = 0) const int A = 1;
layout(constant_id = 1) const int B = -1;
const int Q = A / B;
const int R = A % B;
const int64_t W = int64_t(A) * 4294967296l / -1l;
layout(set = 0, binding = 0) buffer O { int64_t o[]; } outb;

void main()
{
    outb.o[0] = int64_t(Q + R) + W;
}
