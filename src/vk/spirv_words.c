/* SPDX-License-Identifier: MIT */
/* Small helpers the SPIR-V walks share (spirv_words.h). */
#include "vk/spirv_words.h"

#include <spirv_cross/spirv.h>
#include <stdlib.h>

int
pv_spirv_u32_cmp(const void *a, const void *b)
{
   uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
   return x < y ? -1 : x > y;
}

int
pv_spirv_pair_cmp(const void *a, const void *b)
{
   return pv_spirv_u32_cmp(&((const struct pv_spirv_pair *)a)->a,
                           &((const struct pv_spirv_pair *)b)->a);
}

void
pv_spirv_sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
   if (n)
      qsort(v, n, size, cmp);
}

void *
pv_spirv_find(const void *key, const void *v, size_t n, size_t size,
              int (*cmp)(const void *, const void *))
{
   return n ? bsearch(key, v, n, size, cmp) : NULL;
}

size_t
pv_spirv_pair_lower(const struct pv_spirv_pair *v, size_t n, uint32_t a)
{
   size_t lo = 0, hi = n;
   while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (v[mid].a < a)
         lo = mid + 1;
      else
         hi = mid;
   }
   return lo;
}

void *
pv_spirv_grow(void *v, size_t *cap, size_t need, size_t size)
{
   if (need <= *cap)
      return v;
   size_t c = *cap ? *cap * 2 : 64;
   while (c < need)
      c *= 2;
   void *q = realloc(v, c * size);
   if (q)
      *cap = c;
   return q;
}

bool
pv_spirv_push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
   uint32_t *q = pv_spirv_grow(*v, cap, *n + 1, sizeof(*q));
   if (!q)
      return false;
   *v = q;
   q[(*n)++] = x;
   return true;
}

bool
pv_spirv_push_pair(struct pv_spirv_pair **v, size_t *n, size_t *cap, uint32_t a, uint32_t b)
{
   struct pv_spirv_pair *q = pv_spirv_grow(*v, cap, *n + 1, sizeof(*q));
   if (!q)
      return false;
   *v = q;
   q[(*n)++] = (struct pv_spirv_pair){a, b};
   return true;
}

uint32_t
pv_spirv_len_at(const uint32_t *w, size_t n, size_t i)
{
   uint32_t len = i < n ? w[i] >> 16 : 0;
   return len && len <= n - i ? len : 0;
}

bool
pv_spirv_is_type(uint32_t op)
{
   return (op >= SpvOpTypeVoid && op <= SpvOpTypeForwardPointer) || op == SpvOpTypePipeStorage ||
          op == SpvOpTypeNamedBarrier || op == SpvOpTypeAccelerationStructureKHR ||
          op == SpvOpTypeRayQueryKHR;
}
