/* SPDX-License-Identifier: MIT */
/* pv-hostile spec-divide: a specialization constant divided by -1. Specialized to INT_MIN,
 * Mesa's folding of it (in C) is x86's divide error: lavapipe died of SIGFPE creating the
 * pipeline (src/vk/spirv_fold.c). */
#version 450
layout(local_size_x = 1) in;
layout(constant_id = 0) const int A = 1;
const int C = A / -1;
layout(set = 0, binding = 0) buffer O { int o[]; } outb;

void main()
{
    outb.o[0] = C;
}
