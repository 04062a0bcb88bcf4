#version 450
// Each function calls the next twice, 22 levels: the call tree doubles per level once inlined
// (spirv_var_size.c, pv_spirv_inlined_words).
layout(local_size_x = 1) in;
layout(std430, binding = 0) buffer B { uint v[]; } b;
void f22(uint i) { b.v[i] += 1u; }
void f21(uint i) { f22(i); f22(i + 1u); }
void f20(uint i) { f21(i); f21(i + 1u); }
void f19(uint i) { f20(i); f20(i + 1u); }
void f18(uint i) { f19(i); f19(i + 1u); }
void f17(uint i) { f18(i); f18(i + 1u); }
void f16(uint i) { f17(i); f17(i + 1u); }
void f15(uint i) { f16(i); f16(i + 1u); }
void f14(uint i) { f15(i); f15(i + 1u); }
void f13(uint i) { f14(i); f14(i + 1u); }
void f12(uint i) { f13(i); f13(i + 1u); }
void f11(uint i) { f12(i); f12(i + 1u); }
void f10(uint i) { f11(i); f11(i + 1u); }
void f9(uint i) { f10(i); f10(i + 1u); }
void f8(uint i) { f9(i); f9(i + 1u); }
void f7(uint i) { f8(i); f8(i + 1u); }
void f6(uint i) { f7(i); f7(i + 1u); }
void f5(uint i) { f6(i); f6(i + 1u); }
void f4(uint i) { f5(i); f5(i + 1u); }
void f3(uint i) { f4(i); f4(i + 1u); }
void f2(uint i) { f3(i); f3(i + 1u); }
void f1(uint i) { f2(i); f2(i + 1u); }
void f0(uint i) { f1(i); f1(i + 1u); }
void main() { f0(gl_GlobalInvocationID.x); }
