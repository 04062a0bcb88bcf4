/* SPDX-License-Identifier: MIT */
/* Small helpers the SPIR-V walks share (spirv_fold.c, spirv_shared.c, spirv_var_size.c):
 * internal. */
#ifndef PV_VK_SPIRV_WORDS_H
#define PV_VK_SPIRV_WORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An id and what it maps to, sorted by the id (pv_spirv_pair_cmp). */
struct pv_spirv_pair {
   uint32_t a, b;
};

int pv_spirv_u32_cmp(const void *a, const void *b);
int pv_spirv_pair_cmp(const void *a, const void *b);
/* qsort and bsearch, which take no NULL array even of 0 elements. */
void pv_spirv_sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *));
void *pv_spirv_find(const void *key, const void *v, size_t n, size_t size,
                    int (*cmp)(const void *, const void *));
/* The first of `n` pairs sorted by `a` whose `a` is not below `a`, or n. */
size_t pv_spirv_pair_lower(const struct pv_spirv_pair *v, size_t n, uint32_t a);
/* Room for `need` elements of `size` bytes in growing array `v` of capacity *cap: the array
 * (moved perhaps), or NULL when out of memory (`v` then kept as it was). */
void *pv_spirv_grow(void *v, size_t *cap, size_t need, size_t size);
/* Appends to a growing array; false when out of memory (the array is kept). */
bool pv_spirv_push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x);
bool pv_spirv_push_pair(struct pv_spirv_pair **v, size_t *n, size_t *cap, uint32_t a, uint32_t b);
/* Whether `op` declares a type (OpTypeForwardPointer included, which names one ahead). */
bool pv_spirv_is_type(uint32_t op);
/* The length of the instruction at word `i` of `n`, 0 when it is 0 or runs past the end. */
uint32_t pv_spirv_len_at(const uint32_t *w, size_t n, size_t i);

#endif
