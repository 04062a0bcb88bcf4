#version 450
// Interface locations for the reflection test (test_shader_guard.c, io_locations): inputs end at
// 6 (a dvec4 takes two locations, a mat3 three); the outputs (an array of four from 2, a block
// member placed at 9) at 21, for the unused one at 20 is in the entry point's interface too.
layout(location = 0) in vec3 pos;
layout(location = 1) in dvec4 wide;
layout(location = 3) in mat3 m;
layout(location = 2) out vec4 o[4];
layout(location = 7) out Extra {
    vec4 a;
    layout(location = 9) vec2 b;
} extra;
layout(location = 20) out vec4 unused;

void main()
{
    gl_Position = vec4(m * pos, float(wide.x));
    for (int i = 0; i < 4; i++)
        o[i] = vec4(i);
    extra.a = vec4(1.0);
    extra.b = vec2(2.0);
}
