/* SPDX-License-Identifier: MIT */
/* Builds Venus byte streams for the codec tests: little-endian words appended to a buffer. */
#ifndef PV_TESTS_WIRE_BUF_H
#define PV_TESTS_WIRE_BUF_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
   uint8_t b[8192]; /* room for a chain of PV_CHAIN_MAX + 1 structs */
   size_t n;
};

static inline void
w32(struct buf *b, uint32_t v)
{
   assert(b->n + 4 <= sizeof(b->b));
   memcpy(b->b + b->n, &v, 4);
   b->n += 4;
}

static inline void
w64(struct buf *b, uint64_t v)
{
   assert(b->n + 8 <= sizeof(b->b));
   memcpy(b->b + b->n, &v, 8);
   b->n += 8;
}

/* A string as the wire carries it: u64 size with the NUL, then the bytes padded to 4. */
static inline void
wstr(struct buf *b, const char *s)
{
   size_t n = strlen(s) + 1;
   w64(b, n);
   for (size_t i = 0; i < n; i += 4) {
      uint32_t v = 0;
      memcpy(&v, s + i, n - i < 4 ? n - i : 4);
      w32(b, v);
   }
}

#endif
