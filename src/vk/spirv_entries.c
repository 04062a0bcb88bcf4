/* SPDX-License-Identifier: MIT */
/*
 * Entry points and their interfaces, bounded before the validator and SPIRV-Cross see a module
 * (spirv_entries.h; the twelfth reading, 2026-12-08). Both look at an interface id once for
 * every other entry point that lists it (its uses), so their time grows with the square of
 * the entry points that share an interface, and with the number of entry points twice: 16,000
 * entry points of one function (700 KB) took spvValidate 6.2 s and SPIRV-Cross's reflection
 * 6.3 s; 1,024 entry points listing the same 16 outputs 0.9 s each, and 1,000 listing the same
 * 1,000 (4 MB, invalid for want of Location decorations) 246 s before the validator refused it.
 * spirv_workgroup.c already refused more than 1,024 entry points, but only after both had run.
 * Real modules have a few entry points of tens of interface ids; the limits are far past them
 * and hold both tools under about half a second.
 */
#include "vk/spirv_entries.h"

#include <spirv_cross/spirv.h>
#include <stdbool.h>
#include <stdlib.h>

#include "vk/spirv_values.h"
#include "vk/spirv_words.h"

struct entries {
   uint32_t bound;
   uint16_t *listings; /* per id: the entry points listing it so far (at most 1,024) */
   uint64_t count, ids, walks;
};

/* Whether one of the word's four bytes is 0 (a string's last word). */
static bool
ends_string(uint32_t w)
{
   for (int k = 0; k < 4; k++)
      if (!((w >> (8 * k)) & 0xffu))
         return true;
   return false;
}

/* The first interface id of OpEntryPoint `in` of `len` words: after the model, the function and
 * the nul-terminated name; len when the name runs to the end. */
static uint32_t
first_interface(const uint32_t *in, uint32_t len)
{
   for (uint32_t k = 3; k < len; k++)
      if (ends_string(in[k]))
         return k + 1;
   return len;
}

static const char *
add_entry(struct entries *e, const uint32_t *in, uint32_t len)
{
   if (++e->count > PV_SPIRV_MAX_ENTRY_POINTS)
      return "more than 1,024 entry points";
   for (uint32_t k = first_interface(in, len); k < len; k++) {
      if (++e->ids > PV_SPIRV_MAX_INTERFACE_IDS)
         return "entry points listing more than 16,384 interface ids in all";
      uint32_t id = in[k];
      if (id >= e->bound)
         continue; /* the validator refuses it before it walks anything */
      if (!e->listings && !(e->listings = calloc(e->bound, sizeof(*e->listings))))
         return "no memory";
      e->walks += 2u * e->listings[id]++ + 1u; /* (c + 1)^2 - c^2 */
      if (e->walks > PV_SPIRV_MAX_INTERFACE_WALKS)
         return "interface ids listed by so many entry points that the validator would walk "
                "them more than 4,194,304 times";
   }
   return NULL;
}

const char *
pv_spirv_entry_violation(const uint32_t *words, size_t count)
{
   const size_t header = 5;
   struct entries e = {.bound = count > header ? words[3] : 0};
   if (e.bound > PV_SPIRV_MAX_ID_BOUND)
      return NULL; /* the shape scan refuses it */
   const char *why = NULL;
   for (size_t i = header, len; !why && i < count && (len = pv_spirv_len_at(words, count, i));
        i += len)
      if ((words[i] & 0xffffu) == SpvOpEntryPoint && len >= 4)
         why = add_entry(&e, &words[i], (uint32_t)len);
   free(e.listings);
   return why;
}
