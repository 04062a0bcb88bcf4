#version 450
// SPDX-License-Identifier: MIT
// An output SampleMask of 100 words (its largest constant index sizes it): lavapipe 22.3.6
// assigned them into a 96-slot array on its stack ("stack smashing detected"; unit test
// sample_mask_words).
layout(location = 0) out vec4 color;
void main()
{
   color = vec4(1.0);
   gl_SampleMask[99] = 1;
}
