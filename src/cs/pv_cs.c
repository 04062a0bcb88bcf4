/* SPDX-License-Identifier: MIT */
/* The stream reader/writer; see pv_cs.h for the rules and the contract list. */
#include "cs/pv_cs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
pv_cs_status_fatal(struct pv_cs_status *st, const char *fmt, ...)
{
   if (st->fatal)
      return; /* sticky: keep the first reason, it is the cause */
   st->fatal = true;
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
   va_end(ap);
}

void
pv_cs_decoder_init(struct pv_cs_decoder *dec, const void *data, size_t size,
                   struct pv_cs_arena *arena, struct pv_cs_status *status,
                   const struct pv_cs_hooks *hooks)
{
   dec->cur = data;
   dec->end = dec->cur + size;
   dec->arena = arena;
   dec->status = status;
   dec->hooks = hooks;
   dec->refused = false;
   dec->refused_reason[0] = 0;
}

void
pv_cs_refuse(struct pv_cs_decoder *dec, const char *fmt, ...)
{
   if (dec->refused || dec->status->fatal)
      return; /* the first reason is the cause (after a fatal error reads return zeros) */
   dec->refused = true;
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(dec->refused_reason, sizeof(dec->refused_reason), fmt, ap);
   va_end(ap);
}

void
pv_cs_encoder_init(struct pv_cs_encoder *enc, void *data, size_t size,
                   struct pv_cs_status *status)
{
   enc->cur = data;
   enc->end = enc->cur + size;
   enc->status = status;
}

void
pv_cs_set_fatal(struct pv_cs_decoder *dec, const char *reason)
{
   pv_cs_status_fatal(dec->status, "%s", reason);
}

/* Reserve align4(size) bytes of input; NULL (and fatal) when they are not there. */
static const uint8_t *
take(struct pv_cs_decoder *dec, uint64_t size)
{
   uint64_t padded;
   if (dec->status->fatal)
      return NULL;
   if (!pv_cs_align4(size, &padded) || padded > pv_cs_remaining(dec)) {
      pv_cs_status_fatal(dec->status, "read of %llu bytes overruns the stream (%zu left)",
                         (unsigned long long)size, pv_cs_remaining(dec));
      dec->cur = dec->end;
      return NULL;
   }
   const uint8_t *p = dec->cur;
   dec->cur += padded;
   return p;
}

bool
pv_cs_read(struct pv_cs_decoder *dec, void *dst, size_t size)
{
   const uint8_t *p = take(dec, size);
   if (!p) {
      memset(dst, 0, size);
      return false;
   }
   memcpy(dst, p, size);
   return true;
}

const void *
pv_cs_read_view(struct pv_cs_decoder *dec, uint64_t size)
{
   return take(dec, size);
}

uint64_t
pv_cs_read_count(struct pv_cs_decoder *dec)
{
   return pv_cs_read_u64(dec);
}

bool
pv_cs_check_count(struct pv_cs_decoder *dec, uint64_t wire, uint64_t expected, const char *what)
{
   if (wire == 0 || wire == expected)
      return true;
   char msg[120];
   snprintf(msg, sizeof(msg), "%s: array size %llu, count field says %llu", what,
            (unsigned long long)wire, (unsigned long long)expected);
   pv_cs_set_fatal(dec, msg);
   return false;
}

bool
pv_cs_check_count_exact(struct pv_cs_decoder *dec, uint64_t wire, uint64_t expected,
                        const char *what)
{
   if (wire == expected)
      return true;
   if (wire != 0)
      return pv_cs_check_count(dec, wire, expected, what);
   pv_cs_status_fatal(dec->status, "%s: array absent, count field says %llu", what,
                      (unsigned long long)expected);
   return false;
}

bool
pv_cs_check_static(struct pv_cs_decoder *dec, uint64_t wire, uint64_t size, const char *what)
{
   if (wire == size)
      return true;
   pv_cs_status_fatal(dec->status, "%s: static array count %llu, expected %llu", what,
                      (unsigned long long)wire, (unsigned long long)size);
   return false;
}

bool
pv_cs_check_stype(struct pv_cs_decoder *dec, int32_t got, int32_t want, const char *what)
{
   if (got == want || dec->status->fatal)
      return true;
   pv_cs_status_fatal(dec->status, "%s: sType %d, expected %d", what, got, want);
   return false;
}

bool
pv_cs_read_array(struct pv_cs_decoder *dec, void *dst, uint64_t count, size_t elem_size)
{
   uint64_t bytes;
   if (!pv_cs_mul(count, elem_size, &bytes)) {
      pv_cs_set_fatal(dec, "array size overflows");
      return false;
   }
   const uint8_t *p = take(dec, bytes);
   if (!p)
      return false;
   memcpy(dst, p, (size_t)bytes);
   return true;
}

void *
pv_cs_alloc_slow(struct pv_cs_decoder *dec, uint64_t count, size_t elem_size)
{
   uint64_t bytes;
   if (dec->status->fatal || count == 0)
      return NULL;
   if (!pv_cs_mul(count, elem_size, &bytes) || bytes > SIZE_MAX) {
      pv_cs_set_fatal(dec, "allocation size overflows");
      return NULL;
   }
   void *p = pv_cs_arena_alloc(dec->arena, (size_t)bytes);
   if (!p)
      pv_cs_status_fatal(dec->status, "temp arena cap reached (%llu bytes asked)",
                         (unsigned long long)bytes);
   return p;
}

void *
pv_cs_read_blob(struct pv_cs_decoder *dec, uint64_t count)
{
   /* Check the stream first: a huge count must fail on the bytes left, not on malloc. */
   uint64_t padded;
   if (!pv_cs_align4(count, &padded) || padded > pv_cs_remaining(dec)) {
      take(dec, count);
      return NULL;
   }
   void *p = pv_cs_alloc(dec, count, 1);
   if (p)
      pv_cs_read_array(dec, p, count, 1);
   return p;
}

char *
pv_cs_read_string(struct pv_cs_decoder *dec)
{
   uint64_t size = pv_cs_read_count(dec);
   char *s = pv_cs_read_blob(dec, size);
   if (s)
      s[size - 1] = '\0'; /* the guest's NUL is not trusted */
   return s;
}

uint64_t
pv_cs_read_raw_id(struct pv_cs_decoder *dec)
{
   return pv_cs_read_u64(dec);
}

uint64_t
pv_cs_unknown_id(struct pv_cs_decoder *dec, uint64_t id, int32_t objtype)
{
   pv_cs_status_fatal(dec->status, "unknown object id 0x%llx or not of type %d",
                      (unsigned long long)id, objtype);
   return 0;
}

uint64_t
pv_cs_null_id(struct pv_cs_decoder *dec, const char *what)
{
   pv_cs_refuse(dec, "%s: VK_NULL_HANDLE where the registry requires a handle", what);
   return 0;
}

void
pv_cs_absent(struct pv_cs_decoder *dec, const char *what)
{
   pv_cs_refuse(dec, "%s: absent where the registry requires it", what);
}

void
pv_cs_bad_enum(struct pv_cs_decoder *dec, int32_t value, const char *what)
{
   pv_cs_refuse(dec, "%s: %d is no value of its enum type", what, (int)value);
}

void
pv_cs_expect_absent(struct pv_cs_decoder *dec, const char *what)
{
   if (pv_cs_read_u64(dec) != 0)
      pv_cs_status_fatal(dec->status, "%s must be absent", what);
}

bool
pv_cs_created(struct pv_cs_decoder *dec, int32_t objtype, uint64_t id, uint64_t host)
{
   if (!dec->hooks || !dec->hooks->created ||
       !dec->hooks->created(dec->hooks->data, objtype, id, host)) {
      pv_cs_status_fatal(dec->status, "cannot register object id 0x%llx (type %d)",
                         (unsigned long long)id, objtype);
      return false;
   }
   return true;
}

void
pv_cs_destroyed(struct pv_cs_decoder *dec, int32_t objtype, uint64_t host)
{
   if (dec->hooks && dec->hooks->destroyed && host)
      dec->hooks->destroyed(dec->hooks->data, objtype, host);
}

void
pv_cs_claim(struct pv_cs_decoder *dec, int32_t objtype, uint64_t host)
{
   if (host == 0 || dec->status->fatal || !dec->hooks || !dec->hooks->claim)
      return;
   if (!dec->hooks->claim(dec->hooks->data, objtype, host))
      pv_cs_status_fatal(dec->status,
                         "object of type %d destroyed by two commands at once (two rings, or "
                         "twice in one array)",
                         objtype);
}

bool
pv_cs_admit(struct pv_cs_decoder *dec, int32_t objtype, uint64_t count)
{
   return !dec->hooks || !dec->hooks->admit ||
          dec->hooks->admit(dec->hooks->data, objtype, count);
}
