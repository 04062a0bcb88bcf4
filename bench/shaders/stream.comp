// SPDX-License-Identifier: MIT
// bench-stream: an empty kernel; the benchmark measures recording and submission, not the GPU.
#version 450
layout(local_size_x = 1) in;
layout(push_constant) uniform P { uvec4 v; } p;
void main() {}
