/* SPDX-License-Identifier: MIT */
/*
 * The generated wire-0 decoders against the hand-checked byte dumps of venus-wire.md §1.9
 * (Mesa 22.3.6 encoders), and the reply encoders against the sizes/bytes the guest expects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pv_protocol_gen.h"
#include "wire_buf.h"


/* Ids are their own host handles, plus a type check: ids 0x1000+ are devices etc. */
static bool
lookup(void *data, uint64_t id, int32_t objtype, uint64_t *host)
{
   (void)data;
   int32_t want = (int32_t)(id >> 12);
   if (want != objtype)
      return false;
   *host = id | 0xff000000ull;
   return true;
}

static const struct pv_cs_hooks hooks = {.lookup = lookup};

struct fx {
   struct pv_cs_arena arena;
   struct pv_cs_status st;
   struct pv_cs_decoder dec;
};

static void
fx_init(struct fx *f, struct buf *b)
{
   memset(&f->st, 0, sizeof(f->st));
   pv_cs_arena_init(&f->arena, 0);
   pv_cs_decoder_init(&f->dec, b->b, b->n, &f->arena, &f->st, &hooks);
}

#define DEVICE_ID ((uint64_t)VK_OBJECT_TYPE_DEVICE << 12 | 1)
#define PHYSDEV_ID ((uint64_t)VK_OBJECT_TYPE_PHYSICAL_DEVICE << 12 | 2)
#define CMDBUF_ID ((uint64_t)VK_OBJECT_TYPE_COMMAND_BUFFER << 12 | 3)
#define IMAGE_ID ((uint64_t)VK_OBJECT_TYPE_IMAGE << 12 | 4)
#define LAYOUT_ID ((uint64_t)VK_OBJECT_TYPE_PIPELINE_LAYOUT << 12 | 5)
#define HOST(id) ((id) | 0xff000000ull)

static void
create_buffer(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 50), w32(&b, 1), w64(&b, DEVICE_ID), w64(&b, 1), w32(&b, 12);
   w64(&b, 1), w32(&b, 1000072000), w64(&b, 1), w32(&b, 1000257002), w64(&b, 0);
   w64(&b, 0x123456789aull);     /* opaqueCaptureAddress at 60 */
   w32(&b, 0x40);                /* handleTypes */
   w32(&b, 0), w64(&b, 65536), w32(&b, 0x82), w32(&b, VK_SHARING_MODE_CONCURRENT);
   w32(&b, 2), w64(&b, 2), w32(&b, 0), w32(&b, 1);
   w64(&b, 0), w64(&b, 1), w64(&b, 0xb0ffe7ull);
   assert_int_equal(b.n, 136);

   struct fx f;
   fx_init(&f, &b);
   assert_int_equal(pv_cs_read_i32(&f.dec), 50);
   assert_int_equal(pv_cs_read_u32(&f.dec), 1);
   struct pv_args_vkCreateBuffer a = {0};
   pv_decode_vkCreateBuffer(&f.dec, &a);
   assert_false(f.st.fatal);
   assert_int_equal(pv_cs_remaining(&f.dec), 0);
   assert_true((uint64_t)(uintptr_t)a.device == HOST(DEVICE_ID));
   const VkBufferCreateInfo *ci = a.pCreateInfo;
   assert_int_equal(ci->sType, VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
   assert_true(ci->size == 65536);
   assert_int_equal(ci->usage, 0x82);
   assert_int_equal(ci->sharingMode, VK_SHARING_MODE_CONCURRENT);
   assert_int_equal(ci->queueFamilyIndexCount, 2);
   assert_int_equal(ci->pQueueFamilyIndices[0], 0);
   assert_int_equal(ci->pQueueFamilyIndices[1], 1);
   const VkExternalMemoryBufferCreateInfo *ext = ci->pNext;
   assert_int_equal(ext->sType, VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO);
   assert_int_equal(ext->handleTypes, 0x40);
   const VkBufferOpaqueCaptureAddressCreateInfo *cap = ext->pNext;
   assert_int_equal(cap->sType, VK_STRUCTURE_TYPE_BUFFER_OPAQUE_CAPTURE_ADDRESS_CREATE_INFO);
   assert_true(cap->opaqueCaptureAddress == 0x123456789aull);
   assert_null(cap->pNext);
   assert_null(a.pAllocator);
   assert_true(PV_FROM_HANDLE(*a.pBuffer) == 0xb0ffe7ull); /* out handle: the guest id */

   uint8_t reply[24];
   struct pv_cs_encoder e;
   pv_cs_encoder_init(&e, reply, sizeof(reply), &f.st);
   a.ret = VK_SUCCESS;
   pv_encode_reply_vkCreateBuffer(&e, &a);
   assert_false(f.st.fatal);
   assert_ptr_equal(e.cur, reply + 24);
   uint32_t w[6];
   memcpy(w, reply, 24);
   assert_int_equal(w[0], 50);
   assert_int_equal(w[1], 0);
   assert_int_equal(w[2], 1);
   assert_int_equal(w[4], 0xb0ffe7);
   pv_cs_arena_fini(&f.arena);
}

static void
create_buffer_bad_count_is_fatal(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w64(&b, DEVICE_ID), w64(&b, 1), w32(&b, 12), w64(&b, 0);
   w32(&b, 0), w64(&b, 64), w32(&b, 0x82), w32(&b, 1);
   w32(&b, 2), w64(&b, 3), w32(&b, 0), w32(&b, 1), w32(&b, 2); /* 3 != count 2 */
   w64(&b, 0), w64(&b, 1), w64(&b, 7);
   struct fx f;
   fx_init(&f, &b);
   struct pv_args_vkCreateBuffer a = {0};
   pv_decode_vkCreateBuffer(&f.dec, &a);
   assert_true(f.st.fatal);
   pv_cs_arena_fini(&f.arena);
}

static void
create_ring(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 188), w32(&b, 0), w64(&b, 0x5555aaaa0000ull), w64(&b, 1), w32(&b, 1000384000);
   w64(&b, 0), w32(&b, 0), w32(&b, 17), w64(&b, 0), w64(&b, 65732), w64(&b, 50000000);
   uint64_t rest[7] = {0, 64, 128, 192, 65536, 65728, 4};
   for (int i = 0; i < 7; i++)
      w64(&b, rest[i]);
   assert_int_equal(b.n, 124);
   struct fx f;
   fx_init(&f, &b);
   pv_cs_read_i32(&f.dec), pv_cs_read_u32(&f.dec);
   struct pv_args_vkCreateRingMESA a = {0};
   pv_decode_vkCreateRingMESA(&f.dec, &a);
   assert_false(f.st.fatal);
   assert_int_equal(pv_cs_remaining(&f.dec), 0);
   assert_true(a.ring == 0x5555aaaa0000ull);
   const VkRingCreateInfoMESA *ci = a.pCreateInfo;
   assert_int_equal(ci->resourceId, 17);
   assert_true(ci->size == 65732 && ci->idleTimeout == 50000000);
   assert_true(ci->headOffset == 0 && ci->tailOffset == 64 && ci->statusOffset == 128);
   assert_true(ci->bufferOffset == 192 && ci->bufferSize == 65536);
   assert_true(ci->extraOffset == 65728 && ci->extraSize == 4);
   pv_cs_arena_fini(&f.arena);
}

static void
features2(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 147), w32(&b, 1), w64(&b, PHYSDEV_ID), w64(&b, 1), w32(&b, 1000059000);
   w64(&b, 1), w32(&b, 51), w64(&b, 0);
   assert_int_equal(b.n, 48);
   struct fx f;
   fx_init(&f, &b);
   pv_cs_read_i32(&f.dec), pv_cs_read_u32(&f.dec);
   struct pv_args_vkGetPhysicalDeviceFeatures2 a = {0};
   pv_decode_vkGetPhysicalDeviceFeatures2(&f.dec, &a);
   assert_false(f.st.fatal);
   assert_int_equal(pv_cs_remaining(&f.dec), 0);
   assert_true(PV_FROM_HANDLE(a.physicalDevice) == HOST(PHYSDEV_ID));
   VkPhysicalDeviceFeatures2 *feat = a.pFeatures;
   assert_int_equal(feat->sType, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
   VkPhysicalDeviceVulkan12Features *v12 = feat->pNext;
   assert_int_equal(v12->sType, VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES);
   assert_null(v12->pNext);
   v12->timelineSemaphore = VK_TRUE;
   feat->features.robustBufferAccess = VK_TRUE;

   uint8_t reply[444];
   struct pv_cs_encoder e;
   pv_cs_encoder_init(&e, reply, sizeof(reply), &f.st);
   pv_encode_reply_vkGetPhysicalDeviceFeatures2(&e, &a);
   assert_false(f.st.fatal);
   assert_ptr_equal(e.cur, reply + 444);
   int32_t head[9];
   memcpy(head, reply, sizeof(head));
   assert_int_equal(head[0], 147);
   assert_int_equal(head[1], 1);            /* pFeatures present */
   assert_int_equal(head[3], 1000059000);
   assert_int_equal(head[4], 1);            /* chain: Vulkan12Features */
   assert_int_equal(head[6], 51);
   assert_int_equal(head[7], 0);            /* end of chain */
   uint32_t rba;
   memcpy(&rba, reply + 36 + 188, 4);       /* first VkPhysicalDeviceFeatures bool */
   assert_int_equal(rba, 1);
   pv_cs_arena_fini(&f.arena);
}

static void
clear_color_image(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 119), w32(&b, 0), w64(&b, CMDBUF_ID), w64(&b, IMAGE_ID), w32(&b, 7);
   w64(&b, 1), w32(&b, 2), w64(&b, 4), w32(&b, 1), w32(&b, 2), w32(&b, 3), w32(&b, 0x3f800000);
   w32(&b, 1), w64(&b, 1), w32(&b, 1), w32(&b, 0), w32(&b, 1), w32(&b, 0), w32(&b, 1);
   assert_int_equal(b.n, 96);
   struct fx f;
   fx_init(&f, &b);
   pv_cs_read_i32(&f.dec), pv_cs_read_u32(&f.dec);
   struct pv_args_vkCmdClearColorImage a = {0};
   pv_decode_vkCmdClearColorImage(&f.dec, &a);
   assert_false(f.st.fatal);
   assert_int_equal(pv_cs_remaining(&f.dec), 0);
   assert_true(PV_FROM_HANDLE(a.image) == HOST(IMAGE_ID));
   assert_int_equal(a.imageLayout, 7);
   assert_int_equal(a.pColor->uint32[2], 3);
   assert_true(a.pColor->float32[3] == 1.0f);
   assert_int_equal(a.rangeCount, 1);
   assert_int_equal(a.pRanges[0].aspectMask, 1);
   assert_int_equal(a.pRanges[0].levelCount, 1);
   assert_int_equal(a.pRanges[0].layerCount, 1);
   pv_cs_arena_fini(&f.arena);
}

static void
push_constants(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 132), w32(&b, 0), w64(&b, CMDBUF_ID), w64(&b, LAYOUT_ID), w32(&b, 0x10);
   w32(&b, 0), w32(&b, 6), w64(&b, 6);
   memcpy(b.b + b.n, "abcdefXX", 8);
   b.n += 8;
   assert_int_equal(b.n, 52);
   struct fx f;
   fx_init(&f, &b);
   pv_cs_read_i32(&f.dec), pv_cs_read_u32(&f.dec);
   struct pv_args_vkCmdPushConstants a = {0};
   pv_decode_vkCmdPushConstants(&f.dec, &a);
   assert_false(f.st.fatal);
   assert_int_equal(pv_cs_remaining(&f.dec), 0);
   assert_int_equal(a.stageFlags, 0x10);
   assert_int_equal(a.size, 6);
   assert_memory_equal(a.pValues, "abcdef", 6);
   pv_cs_arena_fini(&f.arena);
}

static void
wrong_handle_type_is_fatal(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w64(&b, IMAGE_ID), w64(&b, LAYOUT_ID), w32(&b, 0x10), w32(&b, 0), w32(&b, 0), w64(&b, 0);
   struct fx f;
   fx_init(&f, &b);
   struct pv_args_vkCmdPushConstants a = {0};
   pv_decode_vkCmdPushConstants(&f.dec, &a); /* an image id where a command buffer goes */
   assert_true(f.st.fatal);
   pv_cs_arena_fini(&f.arena);
}

static void
experimental_features_reply(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 195), w32(&b, 1), w64(&b, 1), w64(&b, 16), w64(&b, 16);
   assert_int_equal(b.n, 32);
   struct fx f;
   fx_init(&f, &b);
   pv_cs_read_i32(&f.dec), pv_cs_read_u32(&f.dec);
   struct pv_args_vkGetVenusExperimentalFeatureData100000MESA a = {0};
   pv_decode_vkGetVenusExperimentalFeatureData100000MESA(&f.dec, &a);
   assert_false(f.st.fatal);
   assert_true(*a.pDataSize == 16);
   memset(a.pData, 1, 16);
   uint8_t reply[44];
   struct pv_cs_encoder e;
   pv_cs_encoder_init(&e, reply, sizeof(reply), &f.st);
   pv_encode_reply_vkGetVenusExperimentalFeatureData100000MESA(&e, &a);
   assert_false(f.st.fatal);
   assert_ptr_equal(e.cur, reply + 44);
   pv_cs_arena_fini(&f.arena);
}

static void
execute_unknown_and_never_sent_are_fatal(void **state)
{
   (void)state;
   int32_t types[3] = {251, 23, -1};
   for (int i = 0; i < 3; i++) {
      struct buf b = {.n = 0};
      w32(&b, (uint32_t)types[i]), w32(&b, 0), w64(&b, 0);
      struct fx f;
      fx_init(&f, &b);
      struct pv_dispatch_ctx ctx = {.dec = &f.dec};
      assert_false(pv_protocol_execute_one(&ctx, &pv_protocol_wire0));
      assert_true(f.st.fatal);
      pv_cs_arena_fini(&f.arena);
   }
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(create_buffer),
      cmocka_unit_test(create_buffer_bad_count_is_fatal),
      cmocka_unit_test(create_ring),
      cmocka_unit_test(features2),
      cmocka_unit_test(clear_color_image),
      cmocka_unit_test(push_constants),
      cmocka_unit_test(wrong_handle_type_is_fatal),
      cmocka_unit_test(experimental_features_reply),
      cmocka_unit_test(execute_unknown_and_never_sent_are_fatal),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
