/* SPDX-License-Identifier: MIT */
/*
 * Malformed wire-0 input against the generated decoders and pass-through handlers: truncation
 * at every byte, oversized and overflowing counts, an unknown chain sType, a chain longer than
 * PV_CHAIN_MAX, id 0 where an object is required. Each must set the fatal flag, never reach the
 * host driver, never crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pv_protocol_gen.h"
#include "wire_buf.h"


/* Every non-zero id exists and has the asked type; the host handle is the id itself. */
static bool
lookup(void *data, uint64_t id, int32_t objtype, uint64_t *host)
{
   (void)data;
   (void)objtype;
   *host = id;
   return true;
}

static bool
created(void *data, int32_t objtype, uint64_t id, uint64_t host)
{
   (void)data, (void)objtype, (void)id, (void)host;
   return true;
}

static const struct pv_cs_hooks hooks = {.lookup = lookup, .created = created};

static int host_calls;

static VKAPI_ATTR VkResult VKAPI_CALL
fake_create_buffer(VkDevice device, const VkBufferCreateInfo *info,
                   const VkAllocationCallbacks *alloc, VkBuffer *buffer)
{
   (void)device, (void)info, (void)alloc;
   host_calls++;
   *buffer = (VkBuffer)(uintptr_t)0x5000;
   return VK_SUCCESS;
}

static VKAPI_ATTR VkResult VKAPI_CALL
fake_create_shader_module(VkDevice device, const VkShaderModuleCreateInfo *info,
                          const VkAllocationCallbacks *alloc, VkShaderModule *module)
{
   (void)device, (void)info, (void)alloc, (void)module;
   host_calls++;
   return VK_SUCCESS;
}

static bool last_refused; /* the last run_is_fatal command was refused (well formed) */

/* Runs one command through the wire-0 table; returns whether it was fatal. */
static bool
run_is_fatal(const struct buf *b)
{
   static struct pv_vk_dispatch vk;
   vk.CreateBuffer = fake_create_buffer;
   vk.CreateShaderModule = fake_create_shader_module;
   struct pv_cs_arena arena;
   struct pv_cs_status st = {0};
   struct pv_cs_decoder dec;
   pv_cs_arena_init(&arena, 1u << 20);
   pv_cs_decoder_init(&dec, b->b, b->n, &arena, &st, &hooks);
   uint8_t reply[256];
   struct pv_cs_encoder enc;
   pv_cs_encoder_init(&enc, reply, sizeof(reply), &st);
   struct pv_dispatch_ctx ctx = {.dec = &dec, .reply = &enc, .vk = &vk};
   bool ok = pv_protocol_execute_one(&ctx, &pv_protocol_wire0);
   pv_cs_arena_fini(&arena);
   assert_true(ok != st.fatal);
   last_refused = dec.refused;
   assert_true(!dec.refused || ctx.refused); /* a refused command's handler did not run */
   return st.fatal;
}

/* The command decoded whole but its values were refused (not fatal: the stream goes on). */
static bool
run_is_refused(const struct buf *b)
{
   assert_false(run_is_fatal(b));
   return last_refused;
}

/* vkCreateBuffer of venus-wire.md §1.9 without the chain: device, info, buffer id. */
static void
create_buffer_cmd(struct buf *b, uint64_t device, uint64_t buffer)
{
   b->n = 0;
   w32(b, 50), w32(b, 1), w64(b, device), w64(b, 1), w32(b, 12), w64(b, 0);
   w32(b, 0), w64(b, 65536), w32(b, 0x82), w32(b, VK_SHARING_MODE_EXCLUSIVE), w32(b, 0);
   w64(b, 0), w64(b, 0), w64(b, 1), w64(b, buffer);
}

static void
well_formed_reaches_the_host(void **state)
{
   (void)state;
   struct buf b;
   create_buffer_cmd(&b, 0x1000, 0x2000);
   host_calls = 0;
   assert_false(run_is_fatal(&b));
   assert_int_equal(host_calls, 1);
}

static void
truncation_at_every_byte(void **state)
{
   (void)state;
   struct buf b;
   create_buffer_cmd(&b, 0x1000, 0x2000);
   size_t full = b.n;
   host_calls = 0;
   for (size_t n = 0; n < full; n++) {
      b.n = n;
      assert_true(run_is_fatal(&b));
   }
   assert_int_equal(host_calls, 0);
}

static void
id_zero_where_an_object_is_required(void **state)
{
   (void)state;
   struct buf b;
   host_calls = 0;
   create_buffer_cmd(&b, 0, 0x2000); /* device id 0: refused (rules.handle_required) */
   assert_true(run_is_refused(&b));
   create_buffer_cmd(&b, 0x1000, 0); /* the new buffer's id 0 */
   assert_true(run_is_fatal(&b));
   assert_int_equal(host_calls, 0);
}

static void
unknown_chain_stype(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 50), w32(&b, 1), w64(&b, 0x1000), w64(&b, 1), w32(&b, 12);
   w64(&b, 1), w32(&b, 0x7fff0001), w64(&b, 0); /* a chain struct nobody knows */
   w32(&b, 0), w64(&b, 65536), w32(&b, 0x82), w32(&b, 0), w32(&b, 0), w64(&b, 0);
   w64(&b, 0), w64(&b, 1), w64(&b, 0x2000);
   host_calls = 0;
   assert_true(run_is_fatal(&b));
   assert_int_equal(host_calls, 0);
}

/* vkCreateBuffer whose info chains `n` VkExternalMemoryBufferCreateInfo structs. */
static void
create_buffer_with_chain(struct buf *b, uint32_t n)
{
   b->n = 0;
   w32(b, 50), w32(b, 1), w64(b, 0x1000), w64(b, 1), w32(b, 12);
   for (uint32_t i = 0; i < n; i++)
      w64(b, 1), w32(b, 1000072000);
   w64(b, 0);
   for (uint32_t i = 0; i < n; i++)
      w32(b, 0); /* handleTypes, innermost first */
   w32(b, 0), w64(b, 65536), w32(b, 0x82), w32(b, VK_SHARING_MODE_EXCLUSIVE), w32(b, 0);
   w64(b, 0), w64(b, 0), w64(b, 1), w64(b, 0x2000);
}

static void
chain_length_limit(void **state)
{
   (void)state;
   struct buf b;
   host_calls = 0;
   create_buffer_with_chain(&b, PV_CHAIN_MAX); /* the longest accepted */
   assert_false(run_is_fatal(&b));
   assert_int_equal(host_calls, 1);
   create_buffer_with_chain(&b, PV_CHAIN_MAX + 1); /* one more is fatal, cleanly */
   assert_true(run_is_fatal(&b));
   assert_int_equal(host_calls, 1);
}

/* Reply side: a chain the decoder could never have produced is fatal, not cut short. */
static void
reply_chain_length_limit(void **state)
{
   (void)state;
   static VkFormatProperties3 ext[PV_CHAIN_MAX + 1];
   static uint8_t out[64 * (PV_CHAIN_MAX + 8)]; /* 36 bytes per chained struct */
   for (uint32_t n = PV_CHAIN_MAX; n <= PV_CHAIN_MAX + 1; n++) {
      memset(ext, 0, sizeof(ext));
      for (uint32_t i = 0; i < n; i++) {
         ext[i].sType = VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_3;
         ext[i].pNext = i + 1 < n ? &ext[i + 1] : NULL;
      }
      VkFormatProperties2 props = {.sType = VK_STRUCTURE_TYPE_FORMAT_PROPERTIES_2, .pNext = ext};
      struct pv_cs_status st = {0};
      struct pv_cs_encoder enc;
      pv_cs_encoder_init(&enc, out, sizeof(out), &st);
      pv_encode_VkFormatProperties2(&enc, &props);
      assert_int_equal(st.fatal, n > PV_CHAIN_MAX);
   }
}

static void
count_mismatch_and_huge_counts(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   /* queueFamilyIndexCount 2 but an array of 2^62 elements. */
   w32(&b, 50), w32(&b, 1), w64(&b, 0x1000), w64(&b, 1), w32(&b, 12), w64(&b, 0);
   w32(&b, 0), w64(&b, 65536), w32(&b, 0x82), w32(&b, VK_SHARING_MODE_CONCURRENT), w32(&b, 2);
   w64(&b, 1ull << 62), w32(&b, 0), w32(&b, 1), w64(&b, 0), w64(&b, 1), w64(&b, 0x2000);
   host_calls = 0;
   assert_true(run_is_fatal(&b));
   /* vkCreateShaderModule with codeSize 2^63 + 4: pCode count (codeSize / 4) * 4 bytes overflows
    * 64 bits; must fail on the count, never allocate or read out of bounds. */
   b.n = 0;
   w32(&b, 59), w32(&b, 0), w64(&b, 0x1000), w64(&b, 1), w32(&b, 16), w64(&b, 0), w32(&b, 0);
   w64(&b, (1ull << 63) + 4), w64(&b, (1ull << 61) + 1), w32(&b, 0x07230203);
   w64(&b, 0), w64(&b, 1), w64(&b, 0x3000);
   assert_true(run_is_fatal(&b));
   /* Same with a consistent but absurd size: more bytes than the stream has. */
   b.n = 0;
   w32(&b, 59), w32(&b, 0), w64(&b, 0x1000), w64(&b, 1), w32(&b, 16), w64(&b, 0), w32(&b, 0);
   w64(&b, 1ull << 40), w64(&b, 1ull << 38), w32(&b, 0x07230203);
   assert_true(run_is_fatal(&b));
   assert_int_equal(host_calls, 0);
}

/* Decodes `b` with one struct decoder into *out; returns whether it was fatal. The arena is
 * gone afterwards: only pointer NULL-ness of *out may be looked at. */
#define DECODE_IS_FATAL(type, bufp, out)                                                          \
   ({                                                                                         \
      struct pv_cs_arena arena_;                                                              \
      struct pv_cs_status st_ = {0};                                                          \
      struct pv_cs_decoder dec_;                                                              \
      pv_cs_arena_init(&arena_, 1u << 20);                                                    \
      pv_cs_decoder_init(&dec_, (bufp)->b, (bufp)->n, &arena_, &st_, &hooks);                       \
      memset((out), 0, sizeof(*(out)));                                                       \
      pv_decode_##type(&dec_, (out));                                                         \
      if (!st_.fatal) /* a good decode consumes exactly the struct */                        \
         assert_true(dec_.cur == dec_.end);                                                   \
      pv_cs_arena_fini(&arena_);                                                              \
      assert_false(st_.fatal && dec_.refused);                                                \
      st_.fatal || dec_.refused;                                                              \
   })

/* VkSubmitInfo with waitSemaphoreCount `count` and a pWaitSemaphores wire array of `wire`. */
static void
submit_info(struct buf *b, uint32_t count, uint32_t wire)
{
   b->n = 0;
   w32(b, VK_STRUCTURE_TYPE_SUBMIT_INFO), w64(b, 0), w32(b, count), w64(b, wire);
   for (uint32_t i = 0; i < wire; i++)
      w64(b, 0x4000 + i);
   w64(b, wire);
   for (uint32_t i = 0; i < wire; i++)
      w32(b, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT);
   w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0);
}

/* quirks.json rules.array_required: a required array sent as absent (wire count 0) while its
 * count field is not 0 is fatal, so the host driver never sees NULL with a count. */
static void
required_array_absent_is_fatal(void **state)
{
   (void)state;
   struct buf b;
   VkSubmitInfo si;
   submit_info(&b, 2, 2);
   assert_false(DECODE_IS_FATAL(VkSubmitInfo, &b, &si));
   submit_info(&b, 0, 0);
   assert_false(DECODE_IS_FATAL(VkSubmitInfo, &b, &si));
   submit_info(&b, 2, 0); /* pWaitSemaphores NULL, waitSemaphoreCount 2 */
   assert_true(DECODE_IS_FATAL(VkSubmitInfo, &b, &si));
   submit_info(&b, 1, 2); /* plain mismatch, as before */
   assert_true(DECODE_IS_FATAL(VkSubmitInfo, &b, &si));

   /* vkCreateShaderModule, codeSize 8 but pCode absent: fatal before the host call. */
   b.n = 0;
   w32(&b, 59), w32(&b, 0), w64(&b, 0x1000), w64(&b, 1), w32(&b, 16), w64(&b, 0), w32(&b, 0);
   w64(&b, 8), w64(&b, 0), w64(&b, 0), w64(&b, 1), w64(&b, 0x3000);
   host_calls = 0;
   assert_true(run_is_fatal(&b));
   assert_int_equal(host_calls, 0);
}

/* rules.array_zero_is_null still holds where the registry allows NULL: optional
 * (pImmutableSamplers) and noautovalidity (pImageInfo, pQueueFamilyIndices). */
static void
ignorable_array_absent_is_null(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   VkDescriptorSetLayoutBinding dslb;
   w32(&b, 0), w32(&b, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER), w32(&b, 3), w32(&b, 1), w64(&b, 0);
   assert_false(DECODE_IS_FATAL(VkDescriptorSetLayoutBinding, &b, &dslb));
   assert_null(dslb.pImmutableSamplers);
   assert_int_equal(dslb.descriptorCount, 3);

   VkWriteDescriptorSet wds;
   b.n = 0;
   w32(&b, VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET), w64(&b, 0), w64(&b, 0x5000), w32(&b, 0);
   w32(&b, 0), w32(&b, 2), w32(&b, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER);
   w64(&b, 0); /* pImageInfo absent */
   w64(&b, 2);
   for (int i = 0; i < 2; i++)
      w64(&b, 0x6000), w64(&b, 0), w64(&b, 256);
   w64(&b, 0); /* pTexelBufferView absent */
   assert_false(DECODE_IS_FATAL(VkWriteDescriptorSet, &b, &wds));
   assert_null(wds.pImageInfo);
   assert_non_null(wds.pBufferInfo);

   /* vkCreateBuffer, EXCLUSIVE with queueFamilyIndexCount 2 and no indices: reaches the host. */
   b.n = 0;
   w32(&b, 50), w32(&b, 1), w64(&b, 0x1000), w64(&b, 1), w32(&b, 12), w64(&b, 0);
   w32(&b, 0), w64(&b, 65536), w32(&b, 0x82), w32(&b, VK_SHARING_MODE_EXCLUSIVE), w32(&b, 2);
   w64(&b, 0), w64(&b, 0), w64(&b, 1), w64(&b, 0x2000);
   host_calls = 0;
   assert_false(run_is_fatal(&b));
   assert_int_equal(host_calls, 1);
}

/* quirks.json rules.handle_required: id 0 in a handle the registry requires refuses the
 * command; where it lets the handle (or an array's elements) be VK_NULL_HANDLE, 0 decodes to
 * NULL. (DECODE_IS_FATAL is true for a refusal too; run_is_refused tells them apart.) */
static void
null_handle_only_where_the_registry_allows(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   VkBufferMemoryRequirementsInfo2 bmri;
   w32(&b, VK_STRUCTURE_TYPE_BUFFER_MEMORY_REQUIREMENTS_INFO_2), w64(&b, 0), w64(&b, 0);
   assert_true(DECODE_IS_FATAL(VkBufferMemoryRequirementsInfo2, &b, &bmri));
   b.n = 0;
   w32(&b, VK_STRUCTURE_TYPE_BUFFER_MEMORY_REQUIREMENTS_INFO_2), w64(&b, 0), w64(&b, 0x3000);
   assert_false(DECODE_IS_FATAL(VkBufferMemoryRequirementsInfo2, &b, &bmri));

   VkMemoryDedicatedAllocateInfo mdai; /* image and buffer optional="true" */
   b.n = 0;
   w32(&b, VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO), w64(&b, 0), w64(&b, 0), w64(&b, 0);
   assert_false(DECODE_IS_FATAL(VkMemoryDedicatedAllocateInfo, &b, &mdai));
   assert_true(mdai.image == VK_NULL_HANDLE);

   /* VkSubmitInfo.pCommandBuffers: every element must be a command buffer */
   VkSubmitInfo si;
   for (int bad = 0; bad < 2; bad++) {
      b.n = 0;
      w32(&b, VK_STRUCTURE_TYPE_SUBMIT_INFO), w64(&b, 0), w32(&b, 0), w64(&b, 0), w64(&b, 0);
      w32(&b, 2), w64(&b, 2), w64(&b, 0x10), w64(&b, bad ? 0 : 0x11);
      w32(&b, 0), w64(&b, 0);
      assert_int_equal(DECODE_IS_FATAL(VkSubmitInfo, &b, &si), bad);
   }
   /* VkPipelineLayoutCreateInfo.pSetLayouts is optional="false,true": elements may be NULL */
   VkPipelineLayoutCreateInfo plci;
   b.n = 0;
   w32(&b, VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO), w64(&b, 0), w32(&b, 0);
   w32(&b, 2), w64(&b, 2), w64(&b, 0x10), w64(&b, 0), w32(&b, 0), w64(&b, 0);
   assert_false(DECODE_IS_FATAL(VkPipelineLayoutCreateInfo, &b, &plci));
}

/* quirks.json rules.enum_values: a value the registry does not define for the member's enum
 * type refuses the command before the host driver sees it; members, parameters and array
 * elements. A refused command is decoded whole: the stream stays in step. */
static void
enum_values_outside_the_registry(void **state)
{
   (void)state;
   struct buf b;
   host_calls = 0;
   for (uint32_t mode = 0; mode < 3; mode++) { /* EXCLUSIVE, CONCURRENT, no such mode */
      b.n = 0;
      w32(&b, 50), w32(&b, 1), w64(&b, 0x1000), w64(&b, 1), w32(&b, 12), w64(&b, 0);
      w32(&b, 0), w64(&b, 65536), w32(&b, 0x82), w32(&b, mode), w32(&b, 0);
      w64(&b, 0), w64(&b, 0), w64(&b, 1), w64(&b, 0x2000);
      assert_int_equal(run_is_refused(&b), mode == 2);
   }
   assert_int_equal(host_calls, 2);

   /* borderColor: a custom border color (an extension's value) passes, one past it does not */
   const int32_t border[] = {VK_BORDER_COLOR_INT_OPAQUE_WHITE, VK_BORDER_COLOR_INT_CUSTOM_EXT,
                             VK_BORDER_COLOR_INT_OPAQUE_WHITE + 1, 65536, -1};
   for (size_t i = 0; i < sizeof(border) / sizeof(border[0]); i++) {
      VkSamplerCreateInfo sci;
      b.n = 0;
      w32(&b, VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO), w64(&b, 0), w32(&b, 0);
      w32(&b, 0), w32(&b, 0), w32(&b, 0); /* filters, mipmap mode */
      w32(&b, 0), w32(&b, 0), w32(&b, 0); /* address modes */
      w32(&b, 0), w32(&b, 0), w32(&b, 0), w32(&b, 0), w32(&b, 0); /* bias, aniso, compare */
      w32(&b, 0), w32(&b, 0), w32(&b, (uint32_t)border[i]), w32(&b, 0);
      assert_int_equal(DECODE_IS_FATAL(VkSamplerCreateInfo, &b, &sci), i >= 2);
   }

   /* pDynamicStates: a packed array of enums, each element checked */
   for (int bad = 0; bad < 2; bad++) {
      VkPipelineDynamicStateCreateInfo pdsci;
      b.n = 0;
      w32(&b, VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO), w64(&b, 0), w32(&b, 0);
      w32(&b, 2), w64(&b, 2), w32(&b, VK_DYNAMIC_STATE_VIEWPORT);
      w32(&b, bad ? 0x7fffffff : VK_DYNAMIC_STATE_SCISSOR);
      assert_int_equal(DECODE_IS_FATAL(VkPipelineDynamicStateCreateInfo, &b, &pdsci), bad);
   }
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(well_formed_reaches_the_host),
      cmocka_unit_test(truncation_at_every_byte),
      cmocka_unit_test(id_zero_where_an_object_is_required),
      cmocka_unit_test(unknown_chain_stype),
      cmocka_unit_test(chain_length_limit),
      cmocka_unit_test(reply_chain_length_limit),
      cmocka_unit_test(count_mismatch_and_huge_counts),
      cmocka_unit_test(required_array_absent_is_fatal),
      cmocka_unit_test(ignorable_array_absent_is_null),
      cmocka_unit_test(null_handle_only_where_the_registry_allows),
      cmocka_unit_test(enum_values_outside_the_registry),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
