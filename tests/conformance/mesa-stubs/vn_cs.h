/* SPDX-License-Identifier: MIT */
/*
 * Test stand-in for Mesa's src/virtio/vulkan/vn_cs.h, written for PearVisor's conformance test.
 *
 * Mesa's generated guest encoders (venus-protocol/vn_protocol_driver_cs.h) expect exactly these
 * primitives: struct vn_cs_encoder with _get_len/_reserve/_write, struct vn_cs_decoder with
 * _set_fatal/_read/_peek, vn_cs_handle_load_id/_store_id and
 * vn_cs_renderer_protocol_has_extension/_has_api_version. This file implements them over plain
 * memory:
 *
 *  - the encoder grows on the heap (or writes into a caller buffer of fixed size) and fills
 *    padding bytes with 0xa5, mimicking the stale memory the real guest leaves there, so that
 *    a host decoder which looks at padding is caught;
 *  - the decoder records failure in a sticky `fatal` flag instead of calling abort() as Mesa
 *    does, and zero-fills whatever it could not read;
 *  - handles are their own ids (a handle value is the uint64 id cast to a pointer);
 *  - the "renderer" supports every extension and API version, so the guest encodes every chain
 *    struct it knows.
 */
#ifndef PV_TEST_VN_CS_H
#define PV_TEST_VN_CS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <vulkan/vulkan.h>

#define VN_CS_PAD_BYTE 0xa5

struct vn_cs_encoder {
   uint8_t *buf;
   size_t len;
   size_t cap;
   bool fixed;      /* buf is caller storage of size cap; never reallocated */
   bool overflowed; /* a write did not fit (fixed) or allocation failed */
};

struct vn_cs_decoder {
   const uint8_t *cur;
   const uint8_t *end;
   bool fatal;
};

/* encoder */

static inline void
vn_cs_encoder_init_dynamic(struct vn_cs_encoder *enc)
{
   memset(enc, 0, sizeof(*enc));
}

static inline void
vn_cs_encoder_init_fixed(struct vn_cs_encoder *enc, void *buf, size_t size)
{
   memset(enc, 0, sizeof(*enc));
   enc->buf = buf;
   enc->cap = size;
   enc->fixed = true;
}

static inline void
vn_cs_encoder_fini(struct vn_cs_encoder *enc)
{
   if (!enc->fixed)
      free(enc->buf);
   memset(enc, 0, sizeof(*enc));
}

static inline void
vn_cs_encoder_reset(struct vn_cs_encoder *enc)
{
   enc->len = 0;
   enc->overflowed = false;
}

static inline size_t
vn_cs_encoder_get_len(const struct vn_cs_encoder *enc)
{
   return enc->len;
}

static inline bool
vn_cs_encoder_reserve(struct vn_cs_encoder *enc, size_t size)
{
   if (enc->overflowed)
      return false;
   if (size <= enc->cap - enc->len)
      return true;
   if (enc->fixed || size > SIZE_MAX / 2 - enc->len) {
      enc->overflowed = true;
      return false;
   }
   size_t cap = enc->cap ? enc->cap : 256;
   while (cap - enc->len < size)
      cap *= 2;
   uint8_t *buf = realloc(enc->buf, cap);
   if (!buf) {
      enc->overflowed = true;
      return false;
   }
   enc->buf = buf;
   enc->cap = cap;
   return true;
}

static inline void
vn_cs_encoder_write(struct vn_cs_encoder *enc, size_t size, const void *val, size_t val_size)
{
   if (val_size > size || !vn_cs_encoder_reserve(enc, size)) {
      enc->overflowed = true;
      return;
   }
   if (val_size)
      memcpy(enc->buf + enc->len, val, val_size);
   memset(enc->buf + enc->len + val_size, VN_CS_PAD_BYTE, size - val_size);
   enc->len += size;
}

/* decoder */

static inline void
vn_cs_decoder_init(struct vn_cs_decoder *dec, const void *data, size_t size)
{
   dec->cur = data;
   dec->end = dec->cur + size;
   dec->fatal = false;
}

static inline void
vn_cs_decoder_set_fatal(struct vn_cs_decoder *dec)
{
   dec->fatal = true;
}

static inline size_t
vn_cs_decoder_remaining(const struct vn_cs_decoder *dec)
{
   return (size_t)(dec->end - dec->cur);
}

static inline bool
vn_cs_decoder_peek_internal(struct vn_cs_decoder *dec, size_t size, void *val, size_t val_size)
{
   if (val_size > size || size > vn_cs_decoder_remaining(dec)) {
      vn_cs_decoder_set_fatal(dec);
      memset(val, 0, val_size);
      return false;
   }
   if (val_size)
      memcpy(val, dec->cur, val_size);
   return true;
}

static inline void
vn_cs_decoder_read(struct vn_cs_decoder *dec, size_t size, void *val, size_t val_size)
{
   if (vn_cs_decoder_peek_internal(dec, size, val, val_size))
      dec->cur += size;
}

static inline void
vn_cs_decoder_peek(struct vn_cs_decoder *dec, size_t size, void *val, size_t val_size)
{
   vn_cs_decoder_peek_internal(dec, size, val, val_size);
}

/* handles: the handle value is the object id */

static inline uint64_t
vn_cs_handle_load_id(const void **handle, VkObjectType type)
{
   (void)type;
   return (uint64_t)(uintptr_t)*handle;
}

static inline void
vn_cs_handle_store_id(void **handle, uint64_t id, VkObjectType type)
{
   (void)type;
   *handle = (void *)(uintptr_t)id;
}

/* the pretend renderer supports everything */

static inline bool
vn_cs_renderer_protocol_has_extension(uint32_t ext_number)
{
   (void)ext_number;
   return true;
}

static inline bool
vn_cs_renderer_protocol_has_api_version(uint32_t api_version)
{
   (void)api_version;
   return true;
}

#endif /* PV_TEST_VN_CS_H */
