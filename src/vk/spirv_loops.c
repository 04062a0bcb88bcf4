/* SPDX-License-Identifier: MIT */
/*
 * The Unroll loop-control hint, cleared for lavapipe (spirv_loops.h). Mesa's loop unrolling
 * keeps within 32 iterations and a cost limit, except where the loop asks for Unroll: then it
 * unrolls any constant trip count (nir_opt_loop_unroll.c). A loop of 10^5 iterations with the
 * hint ran lavapipe 22.3.6's compile for more than 60 s and 855 MiB (natively, the tenth
 * reading's shader sweep); 10^4 took 0.77 s. The hint is legal and only a hint, so the host gets
 * the loop without it (Mesa then unrolls what its own limits allow) rather than a refusal.
 */
#include "vk/spirv_loops.h"

#include <spirv_cross/spirv.h>
#include <stdlib.h>
#include <string.h>

#include "vk/spirv_words.h"

/* The word index of each OpLoopMerge's loop control that asks for Unroll, first one found. */
static size_t
next_unroll(const uint32_t *w, size_t n, size_t i)
{
   for (size_t len; i < n && (len = pv_spirv_len_at(w, n, i)); i += len)
      if ((w[i] & 0xffff) == SpvOpLoopMerge && len >= 4 && (w[i + 3] & SpvLoopControlUnrollMask))
         return i;
   return n;
}

const char *
pv_spirv_plain_loops(const uint32_t *words, size_t count, uint32_t **out, size_t *out_count)
{
   *out = NULL;
   *out_count = 0;
   const size_t header = 5;
   size_t i = count > header ? next_unroll(words, count, header) : count;
   if (i >= count)
      return NULL;
   uint32_t *w = malloc(count * sizeof(*w));
   if (!w)
      return "no memory";
   memcpy(w, words, count * sizeof(*w));
   for (; i < count; i = next_unroll(w, count, i))
      w[i + 3] &= ~(uint32_t)SpvLoopControlUnrollMask;
   *out = w;
   *out_count = count;
   return NULL;
}
