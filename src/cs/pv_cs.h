/* SPDX-License-Identifier: MIT */
/*
 * The one bounds-checked reader/writer for Venus command streams, plus the per-command temp
 * arena and the sticky fatal flag. Every byte the guest controls is read through here.
 *
 * Wire facts (venus-wire.md §1.2–1.4): items occupy multiples of 4 bytes; a u64 may start at
 * any 4-byte offset (memcpy, never aligned loads); padding carries stale guest memory and is
 * never validated.
 *
 * Contract used by the generated code (src/protocol, build dir). The generated decoders and
 * encoders call ONLY these primitives:
 *   reading     pv_cs_read_u32/i32/u64/i64/f32/f64/u8/u16/i8/i16 (scalar in a 4/8-byte slot),
 *               pv_cs_read_array(dec, dst, count, elem_size)   packed scalar array, padded to 4,
 *               pv_cs_read_count(dec)                          a u64 array size / presence word,
 *               pv_cs_check_count(dec, wire, expected, what)   wire must be 0 or == expected,
 *               pv_cs_check_count_exact(dec, wire, expected, what)  wire must == expected,
 *               pv_cs_read_string(dec, what)                   count + bytes, NUL forced, arena,
 *               pv_cs_read_blob(dec, count)                    count bytes into the arena,
 *               pv_cs_read_id(dec, objtype)                    u64 id -> host handle via hook,
 *               pv_cs_read_raw_id(dec)                         u64 id kept as is (out handles),
 *               pv_cs_read_id_required(dec, objtype, what)     read_id, id 0 refused,
 *               pv_cs_bad_enum(dec, value, what)               an enum value out of range,
 *               pv_cs_absent(dec, what)                        a required pointer absent
 *                                                              (these three refuse the
 *                                                              command: dec->refused),
 *               pv_cs_expect_absent(dec, what)                 presence word that must be 0,
 *               pv_cs_check_static(dec, wire, size, what)      static array count == size,
 *               pv_cs_check_stype(dec, got, want, what)        a struct's fixed sType,
 *   memory      pv_cs_alloc(dec, count, elem_size)             zeroed, capped, overflow-safe,
 *   errors      pv_cs_set_fatal(dec, reason), pv_cs_fatal(dec),
 *   objects     pv_cs_created(dec, objtype, id, host), pv_cs_destroyed(dec, objtype, host),
 *               pv_cs_admit(dec, objtype, count)               quota check before creating,
 *   writing     pv_cs_write_u32/i32/u64/i64/f32/f64/u8/u16/i8/i16, pv_cs_write_array,
 *               pv_cs_write_count, pv_cs_write_string, pv_cs_write_blob.
 * After a fatal error every read returns zeros and writes do nothing, so generated code never
 * has to test the flag between reads; it tests it once before calling the host driver.
 */
#ifndef PV_CS_H
#define PV_CS_H

#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Shared by the decoder and encoder of one context: the first fatal reason wins. */
struct pv_cs_status {
   bool fatal;
   char reason[160];
};

void pv_cs_status_fatal(struct pv_cs_status *st, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

/*
 * Per-command temporaries. Decoded structs, arrays and strings of one command live here and
 * die together when the command is done (pv_cs_arena_reset). Memory comes in chunks; the
 * total is capped so a garbage count fails the command instead of allocating gigabytes.
 * Large chunks come zeroed from the system (calloc: fresh pages) and are not cleared again, so
 * a guest count that asks for a huge array costs address space, not memory, until the decoder
 * really writes elements (which the stream's own bytes bound). Several arenas may share a
 * budget (one per context: every ring's arenas together) for the chunks beyond the kept one.
 */
struct pv_cs_arena_chunk;
struct pv_cs_arena_budget {
   _Atomic size_t used;
   size_t cap;
};
struct pv_cs_arena {
   struct pv_cs_arena_chunk *chunks;
   size_t used_total; /* bytes handed out since the last reset */
   size_t cap;        /* maximum of used_total */
   struct pv_cs_arena_budget *budget; /* NULL: only cap applies */
   /* The newest chunk as the inline fast path sees it: [next, limit) is free, and from clean
    * on it still holds zeros (never handed out). All NULL without a chunk. */
   unsigned char *next, *limit, *clean;
   /* Non-NULL while the arena holds only its small kept chunk (the case after almost every
    * command): a reset is then next = reset_to, inline. */
   unsigned char *reset_to;
};

#define PV_CS_ARENA_DEFAULT_CAP ((size_t)64 << 20)

void pv_cs_arena_init(struct pv_cs_arena *a, size_t cap);
/* Charges this arena's extra chunks to `budget` too (set before the first allocation). */
void pv_cs_arena_set_budget(struct pv_cs_arena *a, struct pv_cs_arena_budget *budget);
void pv_cs_arena_reset_slow(struct pv_cs_arena *a);
/* Hands every block back (after each command). */
static inline void
pv_cs_arena_reset(struct pv_cs_arena *a)
{
   if (a->reset_to) {
      a->next = a->reset_to;
      a->used_total = 0;
      return;
   }
   pv_cs_arena_reset_slow(a);
}
void pv_cs_arena_fini(struct pv_cs_arena *a);
/* Zeroed, 16-byte aligned; NULL when the cap would be exceeded or malloc fails. */
void *pv_cs_arena_alloc_slow(struct pv_cs_arena *a, size_t size);

#define PV_CS_ARENA_ALIGN 16
/* Blocks up to this size take the inline path when the newest chunk has room. */
#define PV_CS_ARENA_FAST_MAX ((size_t)4096)

/*
 * Inline because every command allocates its args struct and most allocate an array or two
 * here: the call, the cap arithmetic and the chunk bookkeeping of the general path were about
 * a seventh of the decode path's own instructions per command (callgrind, bench-stream).
 */
static inline void *
pv_cs_arena_alloc(struct pv_cs_arena *a, size_t size)
{
   size_t rounded = (size + PV_CS_ARENA_ALIGN - 1) & ~(size_t)(PV_CS_ARENA_ALIGN - 1);
   /* size - 1 wraps for 0, which the general path turns into 1 */
   if (size - 1 < PV_CS_ARENA_FAST_MAX && rounded <= (size_t)(a->limit - a->next) &&
       rounded <= a->cap - a->used_total) {
      unsigned char *p = a->next;
      if (p < a->clean && rounded <= 64) {
         /* most args structs and small arrays: a few fixed 16-byte stores instead of a memset
          * call ([p, p + rounded) is this allocation's own) */
         for (size_t i = 0; i < rounded; i += 16)
            memset(p + i, 0, 16);
      } else if (p < a->clean) {
         size_t old = (size_t)(a->clean - p);
         memset(p, 0, old < size ? old : size);
      }
      a->next = p + rounded;
      if (a->next > a->clean)
         a->clean = a->next;
      a->used_total += rounded;
      return p;
   }
   return pv_cs_arena_alloc_slow(a, size);
}

/*
 * Object hooks, implemented by the context. lookup: id -> host handle; must fail for an
 * unknown id or an object of another type (objtype is a VkObjectType value). Never called for
 * id 0 (that is VK_NULL_HANDLE). created/destroyed: bookkeeping after the host driver call.
 */
struct pv_cs_hooks {
   bool (*lookup)(void *data, uint64_t id, int32_t objtype, uint64_t *host);
   bool (*created)(void *data, int32_t objtype, uint64_t id, uint64_t host);
   void (*destroyed)(void *data, int32_t objtype, uint64_t host);
   /* The command being decoded destroys the object of objtype this command named as `host`:
    * false when another command claimed it first (two rings destroying it at once). */
   bool (*claim)(void *data, int32_t objtype, uint64_t host);
   /* Quotas: may `count` more objects of objtype be created? Asked before the host call; a
    * refusal makes the command return VK_ERROR_OUT_OF_HOST_MEMORY (not fatal). NULL: yes. */
   bool (*admit)(void *data, int32_t objtype, uint64_t count);
   void *data;
};

struct pv_cs_decoder {
   const uint8_t *cur;
   const uint8_t *end;
   struct pv_cs_arena *arena;
   struct pv_cs_status *status;
   const struct pv_cs_hooks *hooks;
   /* The command being decoded is well formed but holds a value the registry rules out
    * (rules.handle_required / pointer_required / enum_values): decoding goes on, so the stream
    * stays in step and the rest of it runs in lost mode, but the command's handler does not
    * run (pv_protocol_execute_one). Reset per command; the first reason wins. */
   bool refused;
   char refused_reason[160];
};

struct pv_cs_encoder {
   uint8_t *cur;
   uint8_t *end;
   struct pv_cs_status *status;
};

void pv_cs_decoder_init(struct pv_cs_decoder *dec, const void *data, size_t size,
                        struct pv_cs_arena *arena, struct pv_cs_status *status,
                        const struct pv_cs_hooks *hooks);
void pv_cs_encoder_init(struct pv_cs_encoder *enc, void *data, size_t size,
                        struct pv_cs_status *status);

static inline bool
pv_cs_fatal(const struct pv_cs_decoder *dec)
{
   return dec->status->fatal;
}

static inline size_t
pv_cs_remaining(const struct pv_cs_decoder *dec)
{
   return (size_t)(dec->end - dec->cur);
}

void pv_cs_set_fatal(struct pv_cs_decoder *dec, const char *reason);

/* Raw read of `size` value bytes occupying align4(size) stream bytes. False (fatal) on overrun;
 * dst is then zero-filled. */
bool pv_cs_read(struct pv_cs_decoder *dec, void *dst, size_t size);
/* The next `size` bytes (occupying align4(size)) in place, without a copy: for files whose bytes
 * cannot change under the reader (captures, docs/CAPTURE.md). NULL (fatal) on overrun. */
const void *pv_cs_read_view(struct pv_cs_decoder *dec, uint64_t size);
bool pv_cs_write(struct pv_cs_encoder *enc, const void *src, size_t size);

/*
 * Scalars. Inline because the generated decoders read every field through them (the hottest
 * code on a command stream): the bounds check is the same as pv_cs_read's, which handles
 * everything but the plain in-bounds case. A scalar occupies align4(size) stream bytes.
 */
#define PV_CS_READ_SCALAR_INLINE(name, type)                                                   \
   static inline type pv_cs_read_##name(struct pv_cs_decoder *dec)                             \
   {                                                                                           \
      type v;                                                                                  \
      const size_t slot = sizeof(type) < 4 ? 4 : sizeof(type);                                 \
      if (!dec->status->fatal && (size_t)(dec->end - dec->cur) >= slot) {                      \
         memcpy(&v, dec->cur, sizeof(type));                                                   \
         dec->cur += slot;                                                                     \
         return v;                                                                             \
      }                                                                                        \
      pv_cs_read(dec, &v, sizeof(type)); /* fatal, v zeroed */                                 \
      return v;                                                                                \
   }

PV_CS_READ_SCALAR_INLINE(u32, uint32_t)
PV_CS_READ_SCALAR_INLINE(i32, int32_t)
PV_CS_READ_SCALAR_INLINE(u64, uint64_t)
PV_CS_READ_SCALAR_INLINE(i64, int64_t)
PV_CS_READ_SCALAR_INLINE(f32, float)
PV_CS_READ_SCALAR_INLINE(f64, double)
/* 8- and 16-bit scalars occupy a whole 4-byte slot (value in the low bytes). */
PV_CS_READ_SCALAR_INLINE(u8, uint8_t)
PV_CS_READ_SCALAR_INLINE(u16, uint16_t)
PV_CS_READ_SCALAR_INLINE(i8, int8_t)
PV_CS_READ_SCALAR_INLINE(i16, int16_t)

/* `size` bytes (a multiple of 4) whose wire layout is their C layout: a flat struct (codegen,
 * emit_members.py `flat`). Fatal on overrun, as a scalar read. */
static inline void
pv_cs_read_flat(struct pv_cs_decoder *dec, void *dst, size_t size)
{
   if (!dec->status->fatal && (size_t)(dec->end - dec->cur) >= size) {
      memcpy(dst, dec->cur, size);
      dec->cur += size;
      return;
   }
   pv_cs_read(dec, dst, size);
}
/* The generated decoders' form: the wire size codegen computed, checked against C's. */
#define PV_CS_READ_FLAT(dec, lv, wire_size)                                                        \
   do {                                                                                            \
      _Static_assert(sizeof(lv) == (wire_size), "C layout is not the wire layout");                \
      pv_cs_read_flat((dec), &(lv), (wire_size));                                                  \
   } while (0)

uint64_t pv_cs_read_count(struct pv_cs_decoder *dec);
/* A wire array count must be 0 (NULL) or equal what the count field says: arrays the registry
 * marks optional or noautovalidity (quirks.json rules.array_zero_is_null). */
bool pv_cs_check_count(struct pv_cs_decoder *dec, uint64_t wire, uint64_t expected,
                       const char *what);
/* Every other array: the wire count must equal the count field, so the host driver never sees
 * NULL with a non-zero count (rules.array_required). */
bool pv_cs_check_count_exact(struct pv_cs_decoder *dec, uint64_t wire, uint64_t expected,
                             const char *what);
/* Static arrays carry their full size as count (venus-wire.md 1.4); anything else is fatal. */
bool pv_cs_check_static(struct pv_cs_decoder *dec, uint64_t wire, uint64_t size, const char *what);
bool pv_cs_check_stype(struct pv_cs_decoder *dec, int32_t got, int32_t want, const char *what);
/* `count` packed elements of elem_size bytes, padded to 4 as a whole (u8 arrays). */
bool pv_cs_read_array(struct pv_cs_decoder *dec, void *dst, uint64_t count, size_t elem_size);
/* Before an array of n elements each read from the stream, every one taking at least 4 bytes
 * of it: a count the rest of the stream cannot hold is fatal at once, so a 16-byte command
 * saying 2^25 elements neither fills 256 MiB of arena nor loops 2^25 times. */
static inline void
pv_cs_check_elements(struct pv_cs_decoder *dec, uint64_t n)
{
   if (n > (uint64_t)(dec->end - dec->cur) / 4)
      pv_cs_set_fatal(dec, "an array's count is past the end of the stream");
}
/* Zeroed arena memory for count elements; count 0 gives NULL without error. */
void *pv_cs_alloc_slow(struct pv_cs_decoder *dec, uint64_t count, size_t elem_size);
/* The common case inline: a small block (every command's args struct, most arrays). Both
 * factors are at most 4096, so the product cannot overflow. Anything else, and a failed
 * attempt (which changes nothing, so it is simply made again), goes through the above, which
 * sets the fatal reason. */
static inline void *
pv_cs_alloc(struct pv_cs_decoder *dec, uint64_t count, size_t elem_size)
{
   if (!dec->status->fatal && count - 1 < PV_CS_ARENA_FAST_MAX &&
       elem_size - 1 < PV_CS_ARENA_FAST_MAX && count * elem_size <= PV_CS_ARENA_FAST_MAX) {
      void *p = pv_cs_arena_alloc(dec->arena, (size_t)(count * elem_size));
      if (p)
         return p;
   }
   return pv_cs_alloc_slow(dec, count, elem_size);
}
/* A null-terminated string: u64 size incl. NUL, then bytes. Size 0 gives NULL. */
char *pv_cs_read_string(struct pv_cs_decoder *dec);
/* A blob of `count` bytes (count already read), padded to 4; NULL when count is 0. */
void *pv_cs_read_blob(struct pv_cs_decoder *dec, uint64_t count);
/* Handles: a u64 id. read_id maps it to the host handle (0 stays 0); read_raw_id keeps it. */
/* Makes the decoder fatal for an id the hooks do not know; returns 0. */
uint64_t pv_cs_unknown_id(struct pv_cs_decoder *dec, uint64_t id, int32_t objtype);
/* Inline: most commands name an object or two, and the out-of-line call around the hook was
 * a measurable part of the decode path per command (callgrind, bench-stream). */
static inline uint64_t
pv_cs_read_id(struct pv_cs_decoder *dec, int32_t objtype)
{
   uint64_t id = pv_cs_read_u64(dec), host = 0;
   if (id == 0 || dec->status->fatal)
      return 0;
   const struct pv_cs_hooks *h = dec->hooks;
   if (h && h->lookup && h->lookup(h->data, id, objtype, &host))
      return host;
   return pv_cs_unknown_id(dec, id, objtype);
}
/* A well-formed command whose values are refused (dec->refused): not fatal. */
void pv_cs_refuse(struct pv_cs_decoder *dec, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));
/* A handle the registry does not let be VK_NULL_HANDLE (quirks.json rules.handle_required):
 * id 0 refuses the command, so the host driver never reads through a NULL it did not allow. */
uint64_t pv_cs_null_id(struct pv_cs_decoder *dec, const char *what);
static inline uint64_t
pv_cs_read_id_required(struct pv_cs_decoder *dec, int32_t objtype, const char *what)
{
   uint64_t id = pv_cs_read_u64(dec), host = 0;
   if (dec->status->fatal)
      return 0;
   if (id == 0)
      return pv_cs_null_id(dec, what);
   const struct pv_cs_hooks *h = dec->hooks;
   if (h && h->lookup && h->lookup(h->data, id, objtype, &host))
      return host;
   return pv_cs_unknown_id(dec, id, objtype);
}
/* A single pointer the registry requires, sent absent (rules.pointer_required): refused. */
void pv_cs_absent(struct pv_cs_decoder *dec, const char *what);
/* An enum value the registry does not define for its type (rules.enum_values): refused. */
void pv_cs_bad_enum(struct pv_cs_decoder *dec, int32_t value, const char *what);
uint64_t pv_cs_read_raw_id(struct pv_cs_decoder *dec);
/* pAllocator and similar presence words the protocol always sends as 0. */
void pv_cs_expect_absent(struct pv_cs_decoder *dec, const char *what);

bool pv_cs_created(struct pv_cs_decoder *dec, int32_t objtype, uint64_t id, uint64_t host);
/* False when the context's object quota refuses `count` new objects (hooks.admit). */
bool pv_cs_admit(struct pv_cs_decoder *dec, int32_t objtype, uint64_t count);
void pv_cs_destroyed(struct pv_cs_decoder *dec, int32_t objtype, uint64_t host);
/* The end of a vkDestroy* / vkFree* decode: claims the object it destroys (hooks.claim), fatal
 * when another path already did. host 0 (VK_NULL_HANDLE, or an id lost mode decodes as none)
 * claims nothing. */
void pv_cs_claim(struct pv_cs_decoder *dec, int32_t objtype, uint64_t host);

void pv_cs_write_u32(struct pv_cs_encoder *enc, uint32_t v);
void pv_cs_write_i32(struct pv_cs_encoder *enc, int32_t v);
void pv_cs_write_u64(struct pv_cs_encoder *enc, uint64_t v);
void pv_cs_write_i64(struct pv_cs_encoder *enc, int64_t v);
void pv_cs_write_f32(struct pv_cs_encoder *enc, float v);
void pv_cs_write_f64(struct pv_cs_encoder *enc, double v);
void pv_cs_write_u8(struct pv_cs_encoder *enc, uint8_t v);
void pv_cs_write_u16(struct pv_cs_encoder *enc, uint16_t v);
void pv_cs_write_i8(struct pv_cs_encoder *enc, int8_t v);
void pv_cs_write_i16(struct pv_cs_encoder *enc, int16_t v);
void pv_cs_write_count(struct pv_cs_encoder *enc, uint64_t count);
void pv_cs_write_array(struct pv_cs_encoder *enc, const void *src, uint64_t count,
                       size_t elem_size);
void pv_cs_write_string(struct pv_cs_encoder *enc, const char *s);
void pv_cs_write_blob(struct pv_cs_encoder *enc, const void *data, uint64_t count);

/* Overflow-safe helpers; false on overflow. */
static inline bool
pv_cs_mul(uint64_t a, uint64_t b, uint64_t *out)
{
   return !__builtin_mul_overflow(a, b, out);
}

static inline bool
pv_cs_align4(uint64_t v, uint64_t *out)
{
   if (v > UINT64_MAX - 3)
      return false;
   *out = (v + 3) & ~(uint64_t)3;
   return true;
}

#endif
