/* SPDX-License-Identifier: MIT */
/*
 * Chunked bump allocator. A command's temporaries are allocated here and released together by
 * pv_cs_arena_reset after the command. The first chunk is kept across resets so the common
 * small command does not touch malloc; larger chunks are freed so one huge command does not pin
 * memory. used_total is checked against cap (and extra chunks against the shared budget) before
 * any allocation, so a garbage count from the guest fails fast instead of asking the system for
 * gigabytes. Chunks come from calloc and each remembers how far it was ever handed out
 * (`dirty`): memory past that is still zero and is not cleared again, so a huge array the
 * guest's count asks for costs no memory until elements are really written (issue 12: a 36-byte
 * command with a count of 10^6 used to clear 248 MiB).
 *
 * The small allocations of the newest chunk take the inline path of pv_cs.h, which keeps that
 * chunk's `used` and `dirty` in the arena's next/clean pointers: every function here that
 * looks at chunks first writes them back (sync_out) and afterwards reloads them (sync_in).
 */
#include "cs/pv_cs.h"

#include <stdlib.h>
#include <string.h>

#define PV_CS_ARENA_CHUNK_MIN ((size_t)64 << 10)

struct pv_cs_arena_chunk {
   struct pv_cs_arena_chunk *next;
   size_t size;  /* usable bytes after the header */
   size_t used;  /* handed out since the last reset */
   size_t dirty; /* [0, dirty) may hold old data; the rest is still zero */
   bool charged; /* size bytes of the arena's budget */
   _Alignas(PV_CS_ARENA_ALIGN) unsigned char data[];
};

/* The inline path's pointers back into the newest chunk's used and dirty. */
static void
sync_out(struct pv_cs_arena *a)
{
   struct pv_cs_arena_chunk *c = a->chunks;
   if (c) {
      c->used = (size_t)(a->next - c->data);
      c->dirty = (size_t)(a->clean - c->data);
   }
}

/* ...and the newest chunk's (after a change of chunks) into the pointers. */
static void
sync_in(struct pv_cs_arena *a)
{
   struct pv_cs_arena_chunk *c = a->chunks;
   a->next = c ? c->data + c->used : NULL;
   a->limit = c ? c->data + c->size : NULL;
   a->clean = c ? c->data + c->dirty : NULL;
   a->reset_to = c && !c->next && c->size == PV_CS_ARENA_CHUNK_MIN ? c->data : NULL;
}

void
pv_cs_arena_init(struct pv_cs_arena *a, size_t cap)
{
   a->chunks = NULL;
   a->used_total = 0;
   a->cap = cap ? cap : PV_CS_ARENA_DEFAULT_CAP;
   a->budget = NULL;
   sync_in(a);
}

void
pv_cs_arena_set_budget(struct pv_cs_arena *a, struct pv_cs_arena_budget *budget)
{
   a->budget = budget;
}

static void
free_chunks(struct pv_cs_arena *a, struct pv_cs_arena_chunk *c)
{
   while (c) {
      struct pv_cs_arena_chunk *next = c->next;
      if (c->charged)
         atomic_fetch_sub(&a->budget->used, c->size);
      free(c);
      c = next;
   }
}

static void
keep_only(struct pv_cs_arena_chunk *c)
{
   c->dirty = c->used > c->dirty ? c->used : c->dirty;
   c->used = 0;
   c->next = NULL;
}

void
pv_cs_arena_reset_slow(struct pv_cs_arena *a)
{
   struct pv_cs_arena_chunk *c = a->chunks;
   if (c && !c->next && c->size == PV_CS_ARENA_CHUNK_MIN) {
      /* the common case after every small command: just the kept chunk */
      a->next = c->data;
      a->used_total = 0;
      return;
   }
   sync_out(a);
   if (c) {
      /* the oldest chunk is the last in the list; keep it if it is the small default one */
      struct pv_cs_arena_chunk *prev = NULL;
      while (c->next) {
         prev = c;
         c = c->next;
      }
      if (c->size == PV_CS_ARENA_CHUNK_MIN && !c->charged) {
         if (prev)
            prev->next = NULL;
         if (a->chunks != c)
            free_chunks(a, a->chunks);
         keep_only(c);
         a->chunks = c;
      } else {
         free_chunks(a, a->chunks);
         a->chunks = NULL;
      }
   }
   a->used_total = 0;
   sync_in(a);
}

void
pv_cs_arena_fini(struct pv_cs_arena *a)
{
   free_chunks(a, a->chunks);
   a->chunks = NULL;
   a->used_total = 0;
   sync_in(a);
}

/* Reserves `size` bytes of the shared budget; false when it would go over. */
static bool
budget_take(struct pv_cs_arena_budget *b, size_t size)
{
   size_t used = atomic_load(&b->used);
   do {
      if (size > b->cap || used > b->cap - size)
         return false;
   } while (!atomic_compare_exchange_weak(&b->used, &used, used + size));
   return true;
}

static struct pv_cs_arena_chunk *
new_chunk(struct pv_cs_arena *a, size_t need)
{
   size_t size = need > PV_CS_ARENA_CHUNK_MIN ? need : PV_CS_ARENA_CHUNK_MIN;
   /* Only the small first chunk (kept across commands) is the arena's own; every further or
    * larger one counts against the shared budget. */
   bool charge = a->budget && (a->chunks || size > PV_CS_ARENA_CHUNK_MIN);
   if (charge && !budget_take(a->budget, size))
      return NULL;
   struct pv_cs_arena_chunk *c = calloc(1, sizeof(*c) + size);
   if (!c) {
      if (charge)
         atomic_fetch_sub(&a->budget->used, size);
      return NULL;
   }
   c->size = size;
   c->charged = charge;
   c->next = a->chunks;
   a->chunks = c;
   return c;
}

void *
pv_cs_arena_alloc_slow(struct pv_cs_arena *a, size_t size)
{
   if (size == 0)
      size = 1;
   if (size > a->cap - a->used_total || size > SIZE_MAX - PV_CS_ARENA_ALIGN)
      return NULL;
   size_t rounded = (size + PV_CS_ARENA_ALIGN - 1) & ~(size_t)(PV_CS_ARENA_ALIGN - 1);
   sync_out(a);
   struct pv_cs_arena_chunk *c = a->chunks;
   if (!c || c->size - c->used < rounded) {
      c = new_chunk(a, rounded);
      if (!c)
         return NULL;
   }
   void *p = c->data + c->used;
   if (c->used < c->dirty) {
      size_t old = c->dirty - c->used;
      memset(p, 0, old < size ? old : size);
   }
   c->used += rounded;
   if (c->used > c->dirty)
      c->dirty = c->used;
   a->used_total += rounded;
   sync_in(a);
   return p;
}
