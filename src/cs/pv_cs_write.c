/* SPDX-License-Identifier: MIT */
/*
 * The reply writer. The guest sized its reply buffer from its own request, so writing past
 * the end means our reply disagrees with the protocol: fatal, never a partial overwrite.
 * Padding is written as zeros (we do not leak host memory into the guest).
 */
#include "cs/pv_cs.h"

#include <string.h>

bool
pv_cs_write(struct pv_cs_encoder *enc, const void *src, size_t size)
{
   uint64_t padded;
   if (enc->status->fatal)
      return false;
   if (!pv_cs_align4(size, &padded) || padded > (uint64_t)(enc->end - enc->cur)) {
      pv_cs_status_fatal(enc->status, "reply of %zu more bytes overruns the reply buffer",
                         size);
      return false;
   }
   if (size)
      memcpy(enc->cur, src, size);
   memset(enc->cur + size, 0, (size_t)(padded - size));
   enc->cur += padded;
   return true;
}

#define PV_CS_WRITE_SCALAR(name, type)                                                         \
   void pv_cs_write_##name(struct pv_cs_encoder *enc, type v)                                  \
   {                                                                                           \
      pv_cs_write(enc, &v, sizeof(v));                                                         \
   }

PV_CS_WRITE_SCALAR(u32, uint32_t)
PV_CS_WRITE_SCALAR(i32, int32_t)
PV_CS_WRITE_SCALAR(u64, uint64_t)
PV_CS_WRITE_SCALAR(i64, int64_t)
PV_CS_WRITE_SCALAR(f32, float)
PV_CS_WRITE_SCALAR(f64, double)
PV_CS_WRITE_SCALAR(u8, uint8_t)
PV_CS_WRITE_SCALAR(u16, uint16_t)
PV_CS_WRITE_SCALAR(i8, int8_t)
PV_CS_WRITE_SCALAR(i16, int16_t)

void
pv_cs_write_count(struct pv_cs_encoder *enc, uint64_t count)
{
   pv_cs_write_u64(enc, count);
}

void
pv_cs_write_array(struct pv_cs_encoder *enc, const void *src, uint64_t count, size_t elem_size)
{
   uint64_t bytes;
   if (!pv_cs_mul(count, elem_size, &bytes) || bytes > SIZE_MAX) {
      pv_cs_status_fatal(enc->status, "reply array size overflows");
      return;
   }
   pv_cs_write(enc, src, (size_t)bytes);
}

void
pv_cs_write_string(struct pv_cs_encoder *enc, const char *s)
{
   if (!s) {
      pv_cs_write_count(enc, 0);
      return;
   }
   size_t n = strlen(s) + 1;
   pv_cs_write_count(enc, n);
   pv_cs_write(enc, s, n);
}

void
pv_cs_write_blob(struct pv_cs_encoder *enc, const void *data, uint64_t count)
{
   pv_cs_write_count(enc, data ? count : 0);
   if (data)
      pv_cs_write_array(enc, data, count, 1);
}
