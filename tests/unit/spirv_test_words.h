/* SPDX-License-Identifier: MIT */
/* A SPIR-V module built word by word, for the unit tests of the scans of unvalidated modules
 * (test_spirv_shape.c, test_spirv_names.c, test_spirv_calls.c): each keeps its words in an
 * array of its own, grown here. */
#ifndef PV_TEST_SPIRV_WORDS_H
#define PV_TEST_SPIRV_WORDS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

/* Appends `x` to the array `*w` of `*n` words and capacity `*cap`. */
static inline void
pv_test_word(uint32_t **w, size_t *n, size_t *cap, uint32_t x)
{
   if (*n == *cap) {
      *cap = *cap ? *cap * 2 : 256;
      *w = realloc(*w, *cap * sizeof(**w));
      assert_non_null(*w);
   }
   (*w)[(*n)++] = x;
}

/* Appends an instruction of opcode `op` and operands `ops` then `more` (either may be
 * empty). */
static inline void
pv_test_instruction(uint32_t **w, size_t *n, size_t *cap, uint32_t op, const uint32_t *ops,
                    size_t nops, const uint32_t *more, size_t nmore)
{
   pv_test_word(w, n, cap, (uint32_t)(1 + nops + nmore) << 16 | op);
   for (size_t k = 0; k < nops; k++)
      pv_test_word(w, n, cap, ops[k]);
   for (size_t k = 0; k < nmore; k++)
      pv_test_word(w, n, cap, more[k]);
}

#endif
