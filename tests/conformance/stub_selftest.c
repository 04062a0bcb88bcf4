/* SPDX-License-Identifier: MIT */
/*
 * Checks the Mesa stand-ins in mesa-stubs/ by encoding two commands with Mesa's own generated
 * guest encoders and comparing the bytes with the verified layouts of
 * docs venus-wire.md §1.9 (vkCreateBuffer with a pNext chain, 136 bytes; vkCreateRingMESA,
 * 124 bytes), then decoding a hand-made reply with Mesa's reply decoder.
 */
#include <inttypes.h>
#include <stdio.h>

#include "vn_protocol_driver.h"

static int failures;

#define CHECK(cond)                                                                               \
   do {                                                                                           \
      if (!(cond)) {                                                                              \
         fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                 \
         failures++;                                                                              \
      }                                                                                           \
   } while (0)

/* little-endian expected-bytes builder */
struct bytes {
   uint8_t b[512];
   size_t n;
};

static void
put32(struct bytes *e, uint32_t v)
{
   memcpy(e->b + e->n, &v, 4);
   e->n += 4;
}

static void
put64(struct bytes *e, uint64_t v)
{
   memcpy(e->b + e->n, &v, 8);
   e->n += 8;
}

static void
dump_diff(const char *what, const uint8_t *got, size_t got_len, const struct bytes *want)
{
   if (got_len == want->n && memcmp(got, want->b, want->n) == 0)
      return;
   failures++;
   fprintf(stderr, "%s: got %zu bytes, want %zu\n", what, got_len, want->n);
   for (size_t i = 0; i < got_len || i < want->n; i += 4) {
      uint32_t g = 0, w = 0;
      if (i + 4 <= got_len)
         memcpy(&g, got + i, 4);
      if (i + 4 <= want->n)
         memcpy(&w, want->b + i, 4);
      fprintf(stderr, "  %4zu: %08" PRIx32 " %08" PRIx32 "%s\n", i, g, w, g != w ? "  <--" : "");
   }
}

static void
test_create_buffer(void)
{
   const uint64_t device_id = 0x1111000011110000ull, buffer_id = 0x2222000022220000ull;
   VkDevice device = (VkDevice)(uintptr_t)device_id;
   VkBuffer buffer = (VkBuffer)(uintptr_t)buffer_id;
   const uint32_t families[2] = {0, 1};

   VkBufferOpaqueCaptureAddressCreateInfo addr = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_OPAQUE_CAPTURE_ADDRESS_CREATE_INFO,
      .opaqueCaptureAddress = 0x0123456789abcdefull,
   };
   /* a struct the guest does not know for this parent: must be skipped */
   VkImageViewUsageCreateInfo unknown = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_USAGE_CREATE_INFO,
      .pNext = &addr,
   };
   VkExternalMemoryBufferCreateInfo ext = {
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
      .pNext = &unknown,
      .handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
   };
   VkBufferCreateInfo info = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .pNext = &ext,
      .flags = VK_BUFFER_CREATE_DEVICE_ADDRESS_CAPTURE_REPLAY_BIT,
      .size = 65536,
      .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
      .sharingMode = VK_SHARING_MODE_CONCURRENT,
      .queueFamilyIndexCount = 2,
      .pQueueFamilyIndices = families,
   };

   struct vn_cs_encoder enc;
   vn_cs_encoder_init_dynamic(&enc);
   const size_t size = vn_sizeof_vkCreateBuffer(device, &info, NULL, &buffer);
   vn_encode_vkCreateBuffer(&enc, VK_COMMAND_GENERATE_REPLY_BIT_EXT, device, &info, NULL, &buffer);
   CHECK(!enc.overflowed);
   CHECK(size == 136);
   CHECK(enc.len == size);

   struct bytes e = {.n = 0};
   put32(&e, VK_COMMAND_TYPE_vkCreateBuffer_EXT);
   put32(&e, VK_COMMAND_GENERATE_REPLY_BIT_EXT);
   put64(&e, device_id);
   put64(&e, 1);
   put32(&e, VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
   put64(&e, 1);
   put32(&e, VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO);
   put64(&e, 1);
   put32(&e, VK_STRUCTURE_TYPE_BUFFER_OPAQUE_CAPTURE_ADDRESS_CREATE_INFO);
   put64(&e, 0);
   CHECK(e.n == 60);
   put64(&e, addr.opaqueCaptureAddress);
   put32(&e, ext.handleTypes);
   put32(&e, info.flags);
   put64(&e, info.size);
   put32(&e, info.usage);
   put32(&e, info.sharingMode);
   put32(&e, info.queueFamilyIndexCount);
   put64(&e, 2);
   put32(&e, 0);
   put32(&e, 1);
   put64(&e, 0);
   put64(&e, 1);
   put64(&e, buffer_id);
   dump_diff("vkCreateBuffer", enc.buf, enc.len, &e);

   /* reply: type | VkResult | 1(8) | buffer id(8) */
   const size_t reply_size = vn_sizeof_vkCreateBuffer_reply(device, &info, NULL, &buffer);
   CHECK(reply_size == 24);
   struct bytes r = {.n = 0};
   put32(&r, VK_COMMAND_TYPE_vkCreateBuffer_EXT);
   put32(&r, (uint32_t)VK_ERROR_OUT_OF_DEVICE_MEMORY);
   put64(&r, 1);
   put64(&r, 0x3333000033330000ull);
   struct vn_cs_decoder dec;
   vn_cs_decoder_init(&dec, r.b, r.n);
   VkBuffer out = buffer;
   VkResult ret = vn_decode_vkCreateBuffer_reply(&dec, device, &info, NULL, &out);
   CHECK(!dec.fatal);
   CHECK(vn_cs_decoder_remaining(&dec) == 0);
   CHECK(ret == VK_ERROR_OUT_OF_DEVICE_MEMORY);
   CHECK((uint64_t)(uintptr_t)out == 0x3333000033330000ull);

   /* a truncated reply must set the decoder's fatal flag (Mesa would abort) */
   vn_cs_decoder_init(&dec, r.b, r.n - 4);
   vn_decode_vkCreateBuffer_reply(&dec, device, &info, NULL, &out);
   CHECK(dec.fatal);

   vn_cs_encoder_fini(&enc);
}

static void
test_create_ring(void)
{
   const uint64_t ring_id = 0x00005600dead0000ull;
   const VkRingCreateInfoMESA info = {
      .sType = VK_STRUCTURE_TYPE_RING_CREATE_INFO_MESA,
      .flags = 0,
      .resourceId = 7,
      .offset = 0,
      .size = 192 + 65536 + 4,
      .idleTimeout = 50000000,
      .headOffset = 0,
      .tailOffset = 64,
      .statusOffset = 128,
      .bufferOffset = 192,
      .bufferSize = 65536,
      .extraOffset = 65728,
      .extraSize = 4,
   };
   struct vn_cs_encoder enc;
   vn_cs_encoder_init_dynamic(&enc);
   CHECK(vn_sizeof_vkCreateRingMESA(ring_id, &info) == 124);
   vn_encode_vkCreateRingMESA(&enc, 0, ring_id, &info);
   CHECK(!enc.overflowed);

   struct bytes e = {.n = 0};
   put32(&e, VK_COMMAND_TYPE_vkCreateRingMESA_EXT);
   CHECK(VK_COMMAND_TYPE_vkCreateRingMESA_EXT == 188);
   put32(&e, 0);
   put64(&e, ring_id);
   put64(&e, 1);
   put32(&e, 1000384000);
   put64(&e, 0);
   put32(&e, 0);
   put32(&e, 7);
   put64(&e, 0);
   put64(&e, 65732);
   put64(&e, 50000000);
   const uint64_t offs[7] = {0, 64, 128, 192, 65536, 65728, 4};
   for (int i = 0; i < 7; i++)
      put64(&e, offs[i]);
   dump_diff("vkCreateRingMESA", enc.buf, enc.len, &e);
   vn_cs_encoder_fini(&enc);
}

static void
test_call_through_stub_transport(void)
{
   /* vn_call_vkXxx through the pretend transport: request recorded, reply decoded */
   struct vn_instance instance;
   memset(&instance, 0, sizeof(instance));
   vn_cs_encoder_init_dynamic(&instance.transport.sent);
   const uint8_t reply[] = {12, 0, 0, 0}; /* vkDestroyDevice reply = just the type */
   instance.transport.reply = reply;
   instance.transport.reply_size = sizeof(reply);
   vn_call_vkDestroyDevice(&instance, (VkDevice)(uintptr_t)0x42, NULL);
   CHECK(instance.transport.sent.len == 24);
   CHECK(instance.transport.last_reply_size == 4);
   vn_cs_encoder_fini(&instance.transport.sent);
}

int
main(void)
{
   test_create_buffer();
   test_create_ring();
   test_call_through_stub_transport();
   printf("mesa stub self-test: %s\n", failures ? "FAILED" : "ok");
   return failures ? 1 : 0;
}
