/* SPDX-License-Identifier: MIT */
/*
 * Chunked bump allocator. A command's temporaries are allocated here and released together by
 * pv_cs_arena_reset after the command. The first chunk is kept across resets so the common
 * small command does not touch malloc; larger chunks are freed so one huge command does not pin
 * memory. used_total is checked against cap before any malloc, so a garbage count from the
 * guest fails fast instead of asking the system for gigabytes.
 */
#include "cs/pv_cs.h"

#include <stdlib.h>
#include <string.h>

#define PV_CS_ARENA_CHUNK_MIN ((size_t)64 << 10)
#define PV_CS_ARENA_ALIGN 16

struct pv_cs_arena_chunk {
   struct pv_cs_arena_chunk *next;
   size_t size; /* usable bytes after the header */
   size_t used;
   _Alignas(PV_CS_ARENA_ALIGN) unsigned char data[];
};

void
pv_cs_arena_init(struct pv_cs_arena *a, size_t cap)
{
   a->chunks = NULL;
   a->used_total = 0;
   a->cap = cap ? cap : PV_CS_ARENA_DEFAULT_CAP;
}

static void
free_chunks(struct pv_cs_arena_chunk *c)
{
   while (c) {
      struct pv_cs_arena_chunk *next = c->next;
      free(c);
      c = next;
   }
}

void
pv_cs_arena_reset(struct pv_cs_arena *a)
{
   struct pv_cs_arena_chunk *c = a->chunks;
   if (c && !c->next && c->size == PV_CS_ARENA_CHUNK_MIN) {
      /* the common case after every small command: just the kept chunk */
      c->used = 0;
      a->used_total = 0;
      return;
   }
   if (c) {
      /* the oldest chunk is the last in the list; keep it if it is the small default one */
      struct pv_cs_arena_chunk *prev = NULL;
      while (c->next) {
         prev = c;
         c = c->next;
      }
      if (c->size == PV_CS_ARENA_CHUNK_MIN) {
         if (prev)
            prev->next = NULL;
         if (a->chunks != c)
            free_chunks(a->chunks);
         c->used = 0;
         c->next = NULL;
         a->chunks = c;
      } else {
         free_chunks(a->chunks);
         a->chunks = NULL;
      }
   }
   a->used_total = 0;
}

void
pv_cs_arena_fini(struct pv_cs_arena *a)
{
   free_chunks(a->chunks);
   a->chunks = NULL;
   a->used_total = 0;
}

static struct pv_cs_arena_chunk *
new_chunk(struct pv_cs_arena *a, size_t need)
{
   size_t size = need > PV_CS_ARENA_CHUNK_MIN ? need : PV_CS_ARENA_CHUNK_MIN;
   struct pv_cs_arena_chunk *c = malloc(sizeof(*c) + size);
   if (!c)
      return NULL;
   c->size = size;
   c->used = 0;
   c->next = a->chunks;
   a->chunks = c;
   return c;
}

void *
pv_cs_arena_alloc(struct pv_cs_arena *a, size_t size)
{
   if (size == 0)
      size = 1;
   if (size > a->cap - a->used_total || size > SIZE_MAX - PV_CS_ARENA_ALIGN)
      return NULL;
   size_t rounded = (size + PV_CS_ARENA_ALIGN - 1) & ~(size_t)(PV_CS_ARENA_ALIGN - 1);
   struct pv_cs_arena_chunk *c = a->chunks;
   if (!c || c->size - c->used < rounded) {
      c = new_chunk(a, rounded);
      if (!c)
         return NULL;
   }
   void *p = c->data + c->used;
   c->used += rounded;
   a->used_total += rounded;
   memset(p, 0, size);
   return p;
}
