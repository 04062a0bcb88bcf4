/* SPDX-License-Identifier: MIT */
#include "conf_runtime.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t
hash_str(const char *s)
{
   uint64_t h = 1469598103934665603ull;
   for (; *s; s++)
      h = (h ^ (uint8_t)*s) * 1099511628211ull;
   return h;
}

void
conf_ctx_init(struct conf_ctx *c, bool verbose)
{
   memset(c, 0, sizeof(*c));
   c->verbose = verbose;
   c->nested_variant = -1;
}

void
conf_free_all(struct conf_ctx *c)
{
   for (size_t i = 0; i < c->alloc_count; i++)
      free(c->allocs[i]);
   c->alloc_count = 0;
}

void
conf_ctx_fini(struct conf_ctx *c)
{
   conf_free_all(c);
   free(c->allocs);
   c->allocs = NULL;
}

void
conf_begin_command(struct conf_ctx *c, const char *name)
{
   c->command = name;
   c->variant = "";
   c->variants = 0;
   c->failures = 0;
   c->reports = 0;
   c->bytes = 0;
   c->never_sent = NULL;
}

void
conf_begin_variant(struct conf_ctx *c, const char *variant, int chain_variant)
{
   conf_free_all(c);
   c->variant = variant;
   c->variants++;
   c->nested_variant = chain_variant == -2 ? -2 : -1;
   c->reply_mode = CONF_REPLY_FULL;
   /* deterministic per command and variant, so a failure reproduces alone */
   c->rng = hash_str(c->command) ^ (hash_str(variant) * 31u);
   /* ids above 32 bits catch truncation; distinct per sample */
   c->next_id = 0x5a00000000000000ull | ((c->rng & 0xffffu) << 16);
}

void
conf_fail(struct conf_ctx *c, const char *fmt, ...)
{
   c->failures++;
   if (c->reports >= CONF_MAX_REPORTS && !c->verbose)
      return;
   c->reports++;
   va_list ap;
   va_start(ap, fmt);
   printf("  FAIL %s [%s]: ", c->command, c->variant);
   vprintf(fmt, ap);
   printf("\n");
   va_end(ap);
}

void *
conf_alloc(struct conf_ctx *c, size_t size)
{
   if (c->alloc_count == c->alloc_cap) {
      size_t cap = c->alloc_cap ? c->alloc_cap * 2 : 256;
      void **n = realloc(c->allocs, cap * sizeof(*n));
      if (!n) {
         fprintf(stderr, "conformance: out of memory\n");
         exit(2);
      }
      c->allocs = n;
      c->alloc_cap = cap;
   }
   void *p = calloc(1, size ? size : 1);
   if (!p) {
      fprintf(stderr, "conformance: out of memory\n");
      exit(2);
   }
   c->allocs[c->alloc_count++] = p;
   return p;
}

uint32_t
conf_u32(struct conf_ctx *c)
{
   return (uint32_t)(conf_u64(c) >> 32);
}

uint64_t
conf_u64(struct conf_ctx *c)
{
   /* splitmix64 */
   uint64_t z = (c->rng += 0x9e3779b97f4a7c15ull);
   z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
   z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
   return z ^ (z >> 31);
}

float
conf_f32(struct conf_ctx *c)
{
   /* exact in binary, never NaN */
   return (float)(int32_t)(conf_u32(c) % 20001u - 10000) / 8.0f;
}

uint64_t
conf_id(struct conf_ctx *c)
{
   return ++c->next_id;
}

uint32_t
conf_count(struct conf_ctx *c)
{
   return 2 + (conf_u32(c) & 1);
}

void
conf_bytes(struct conf_ctx *c, void *dst, size_t size)
{
   uint8_t *d = dst;
   for (size_t i = 0; i < size; i++)
      d[i] = (uint8_t)conf_u32(c);
}

const char *
conf_string(struct conf_ctx *c)
{
   /* lengths 1..12 so that every padding case (0..3 bytes) occurs */
   size_t len = 1 + conf_u32(c) % 12;
   char *s = conf_alloc(c, len + 1);
   for (size_t i = 0; i < len; i++)
      s[i] = (char)('a' + conf_u32(c) % 26);
   return s;
}

void
conf_string_into(struct conf_ctx *c, char *dst, size_t size)
{
   memset(dst, 0, size);
   size_t len = 1 + conf_u32(c) % (size - 1 < 24 ? size - 1 : 24);
   for (size_t i = 0; i < len; i++)
      dst[i] = (char)('A' + conf_u32(c) % 26);
}

void
conf_host_string_into(struct conf_ctx *c, char *dst, size_t size)
{
   memset(dst, 0, size);
   const uint32_t k = conf_u32(c) % 4;
   size_t len = k == 0 ? 0 : k == 1 ? size - 1 : 1 + conf_u32(c) % (size - 1 < 24 ? size - 1 : 24);
   for (size_t i = 0; i < len; i++)
      dst[i] = (char)('a' + conf_u32(c) % 26);
}

void *
conf_build_chain(struct conf_ctx *c, const int32_t *list, int variant)
{
   if (variant == -1)
      return NULL;
   size_t n = 0;
   while (list[n])
      n++;
   void *head = NULL;
   /* build back to front so the chain order equals the list order */
   for (size_t i = n; i-- > 0;) {
      if (variant >= 0 && (size_t)variant != i)
         continue;
      VkBaseOutStructure *s = conf_alloc_fill_any(c, list[i], CONF_IN);
      if (!s)
         continue;
      s->pNext = head;
      head = s;
   }
   return head;
}

void
conf_host_fill_chain(struct conf_ctx *c, const void *pnext)
{
   for (VkBaseOutStructure *s = (VkBaseOutStructure *)pnext; s; s = s->pNext)
      conf_fill_any_host(c, s);
}

void
conf_path(char *dst, const char *path, const char *member, int index)
{
   if (index >= 0)
      snprintf(dst, CONF_PATH_MAX, "%s.%s[%d]", path, member, index);
   else
      snprintf(dst, CONF_PATH_MAX, "%s.%s", path, member);
}

void
conf_cmp_i32(struct conf_ctx *c, const char *path, const char *m, int32_t a, int32_t b)
{
   if (a != b)
      conf_fail(c, "%s%s%s: %" PRId32 " != %" PRId32, path, *m ? "." : "", m, a, b);
}

void
conf_cmp_u64(struct conf_ctx *c, const char *path, const char *m, uint64_t a, uint64_t b)
{
   if (a != b)
      conf_fail(c, "%s%s%s: 0x%" PRIx64 " != 0x%" PRIx64, path, *m ? "." : "", m, a, b);
}

void
conf_cmp_f32(struct conf_ctx *c, const char *path, const char *m, float a, float b)
{
   if (memcmp(&a, &b, sizeof(a)) != 0)
      conf_fail(c, "%s%s%s: %g != %g", path, *m ? "." : "", m, (double)a, (double)b);
}

void
conf_cmp_bytes(struct conf_ctx *c, const char *path, const char *m, const void *a,
               const void *b, size_t size)
{
   if (size && memcmp(a, b, size) != 0)
      conf_fail(c, "%s%s%s: %zu bytes differ", path, *m ? "." : "", m, size);
}

void
conf_cmp_string(struct conf_ctx *c, const char *path, const char *m, const char *a,
                const char *b)
{
   if (!a || !b) {
      if (a != b)
         conf_fail(c, "%s%s%s: string %s vs %s", path, *m ? "." : "", m, a ? "set" : "NULL",
                   b ? "set" : "NULL");
      return;
   }
   if (strcmp(a, b) != 0)
      conf_fail(c, "%s%s%s: \"%s\" != \"%s\"", path, *m ? "." : "", m, a, b);
}

bool
conf_cmp_ptr(struct conf_ctx *c, const char *path, const char *m, const void *a, const void *b)
{
   if (!a != !b) {
      conf_fail(c, "%s%s%s: pointer %s vs %s", path, *m ? "." : "", m, a ? "set" : "NULL",
                b ? "set" : "NULL");
      return false;
   }
   return a != NULL;
}

void
conf_cmp_chain(struct conf_ctx *c, const char *path, const void *a, const void *b, int mode)
{
   const VkBaseInStructure *x = a, *y = b;
   char p[CONF_PATH_MAX];
   for (int i = 0; x || y; i++) {
      conf_path(p, path, "pNext", i);
      if (!x || !y) {
         conf_fail(c, "%s: chain ends early on the %s side", p, x ? "second" : "first");
         return;
      }
      if (x->sType != y->sType) {
         conf_fail(c, "%s: sType %d != %d", p, (int)x->sType, (int)y->sType);
         return;
      }
      if (!conf_cmp_any(c, p, x, y, mode))
         conf_fail(c, "%s: sType %d has no generated comparator", p, (int)x->sType);
      x = x->pNext;
      y = y->pNext;
   }
}
