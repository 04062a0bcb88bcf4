/* SPDX-License-Identifier: MIT */
/*
 * The wire-1 table (Mesa 25.0.7 guests) and the generated decoders against hand-built byte
 * sequences of the commands and structs wire 1 adds (venus-wire.md §8; layouts as Mesa
 * 25.0.7's vn_protocol_driver_transport.h encodes them), checked field by field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pv_protocol_gen.h"
#include "wire_buf.h"


/* Ids are their own host handles (plus a marker), typed by their top bits. */
static bool
lookup(void *data, uint64_t id, int32_t objtype, uint64_t *host)
{
   (void)data;
   if ((int32_t)(id >> 12) != objtype)
      return false;
   *host = id | 0xff000000ull;
   return true;
}

static const struct pv_cs_hooks hooks = {.lookup = lookup};

#define DEVICE_ID ((uint64_t)VK_OBJECT_TYPE_DEVICE << 12 | 1)
#define SEMAPHORE_ID ((uint64_t)VK_OBJECT_TYPE_SEMAPHORE << 12 | 2)
#define CMDBUF_ID ((uint64_t)VK_OBJECT_TYPE_COMMAND_BUFFER << 12 | 3)
#define BUFFER_ID(n) ((uint64_t)VK_OBJECT_TYPE_BUFFER << 12 | (n))
#define HOST(id) ((id) | 0xff000000ull)
#define RING 0x5555aaaa0000ull

struct fx {
   struct pv_cs_arena arena;
   struct pv_cs_status st;
   struct pv_cs_decoder dec;
   _Alignas(16) uint8_t args[256];
};

/* Decodes b through the wire-1 table entry its header names, as the executor does; the
 * header must carry `want_type`. Returns the args. */
static void *
decode_via_table(struct fx *f, struct buf *b, int32_t want_type, const char *want_name)
{
   memset(f, 0, sizeof(*f));
   pv_cs_arena_init(&f->arena, 0);
   pv_cs_decoder_init(&f->dec, b->b, b->n, &f->arena, &f->st, &hooks);
   int32_t type = pv_cs_read_i32(&f->dec);
   pv_cs_read_u32(&f->dec); /* flags */
   assert_int_equal(type, want_type);
   const struct pv_protocol_table *t = pv_protocol_table_get("wire1");
   assert_non_null(t);
   const struct pv_command_entry *e = &t->entries[type];
   assert_string_equal(e->name, want_name);
   assert_non_null(e->decode);
   assert_true(e->args_size <= sizeof(f->args));
   e->decode(&f->dec, f->args);
   assert_false(f->st.fatal);
   assert_int_equal(pv_cs_remaining(&f->dec), 0);
   return f->args;
}

static void
submit_virtqueue_seqno(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 251), w32(&b, 0), w64(&b, RING), w64(&b, 0x100000007ull);
   struct fx f;
   struct pv_args_vkSubmitVirtqueueSeqnoMESA *a =
      decode_via_table(&f, &b, 251, "vkSubmitVirtqueueSeqnoMESA");
   assert_true(a->ring == RING);
   assert_true(a->seqno == 0x100000007ull);
   pv_cs_arena_fini(&f.arena);
}

static void
wait_virtqueue_and_ring_seqno(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 252), w32(&b, 0), w64(&b, 42);
   struct fx f;
   struct pv_args_vkWaitVirtqueueSeqnoMESA *wv =
      decode_via_table(&f, &b, 252, "vkWaitVirtqueueSeqnoMESA");
   assert_true(wv->seqno == 42);
   pv_cs_arena_fini(&f.arena);

   b.n = 0;
   w32(&b, 253), w32(&b, 0), w64(&b, RING), w64(&b, 43);
   struct pv_args_vkWaitRingSeqnoMESA *wr = decode_via_table(&f, &b, 253, "vkWaitRingSeqnoMESA");
   assert_true(wr->ring == RING && wr->seqno == 43);
   pv_cs_arena_fini(&f.arena);
}

/* Mesa 25.0.7 creates every ring with VkRingMonitorInfoMESA and, for TLS rings at
 * VK_MESA_venus_protocol spec >= 2, VkRingPriorityInfoMESA chained behind it. */
static void
create_ring_monitor_priority(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 188), w32(&b, 0), w64(&b, RING), w64(&b, 1), w32(&b, 1000384000);
   w64(&b, 1), w32(&b, 1000384006); /* monitor header */
   w64(&b, 1), w32(&b, 1000384007); /* priority header */
   w64(&b, 0);                      /* end of chain */
   w32(&b, (uint32_t)-3);           /* priority (innermost first) */
   w32(&b, 3000000);                /* maxReportingPeriodMicroseconds */
   w32(&b, 0), w32(&b, 9), w64(&b, 0), w64(&b, 16580), w64(&b, 1000000);
   uint64_t rest[7] = {0, 64, 128, 192, 16384, 16576, 4};
   for (int i = 0; i < 7; i++)
      w64(&b, rest[i]);
   assert_int_equal(b.n, 156); /* wire 0's 124 + 32 bytes of chain */
   struct fx f;
   struct pv_args_vkCreateRingMESA *a = decode_via_table(&f, &b, 188, "vkCreateRingMESA");
   assert_true(a->ring == RING);
   const VkRingCreateInfoMESA *ci = a->pCreateInfo;
   assert_int_equal(ci->sType, 1000384000);
   assert_int_equal(ci->flags, 0);
   assert_int_equal(ci->resourceId, 9);
   assert_true(ci->offset == 0 && ci->size == 16580 && ci->idleTimeout == 1000000);
   assert_true(ci->headOffset == 0 && ci->tailOffset == 64 && ci->statusOffset == 128);
   assert_true(ci->bufferOffset == 192 && ci->bufferSize == 16384);
   assert_true(ci->extraOffset == 16576 && ci->extraSize == 4);
   const VkRingMonitorInfoMESA *mon = ci->pNext;
   assert_non_null(mon);
   assert_int_equal(mon->sType, 1000384006);
   assert_int_equal(mon->maxReportingPeriodMicroseconds, 3000000);
   const VkRingPriorityInfoMESA *prio = mon->pNext;
   assert_non_null(prio);
   assert_int_equal(prio->sType, 1000384007);
   assert_int_equal(prio->priority, -3);
   assert_null(prio->pNext);
   pv_cs_arena_fini(&f.arena);
}

/* Queues are bound to a fence timeline with VkDeviceQueueTimelineInfoMESA (1000384005). */
static void
get_device_queue2_timeline(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 155), w32(&b, 0), w64(&b, DEVICE_ID), w64(&b, 1);
   w32(&b, VK_STRUCTURE_TYPE_DEVICE_QUEUE_INFO_2);
   w64(&b, 1), w32(&b, 1000384005), w64(&b, 0), w32(&b, 5); /* ringIdx */
   w32(&b, 0), w32(&b, 1), w32(&b, 2);                      /* flags, family, index */
   w64(&b, 1), w64(&b, 0x77);                               /* pQueue: the guest id */
   struct fx f;
   struct pv_args_vkGetDeviceQueue2 *a = decode_via_table(&f, &b, 155, "vkGetDeviceQueue2");
   assert_true(PV_FROM_HANDLE(a->device) == HOST(DEVICE_ID));
   assert_int_equal(a->pQueueInfo->queueFamilyIndex, 1);
   assert_int_equal(a->pQueueInfo->queueIndex, 2);
   const VkDeviceQueueTimelineInfoMESA *tl = a->pQueueInfo->pNext;
   assert_non_null(tl);
   assert_int_equal(tl->sType, 1000384005);
   assert_int_equal(tl->ringIdx, 5);
   assert_null(tl->pNext);
   assert_true(PV_FROM_HANDLE(*a->pQueue) == 0x77);
   pv_cs_arena_fini(&f.arena);
}

/* 246 keeps wire 0's encoding under its wire-1 name (no 100000). */
static void
import_semaphore_resource_renamed(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 246), w32(&b, 0), w64(&b, DEVICE_ID), w64(&b, 1), w32(&b, 1000384004);
   w64(&b, 0), w64(&b, SEMAPHORE_ID), w32(&b, 33);
   struct fx f;
   struct pv_args_vkImportSemaphoreResource100000MESA *a =
      decode_via_table(&f, &b, 246, "vkImportSemaphoreResourceMESA");
   const VkImportSemaphoreResourceInfoMESA *info = a->pImportSemaphoreResourceInfo;
   assert_int_equal(info->sType, 1000384004);
   assert_true(PV_FROM_HANDLE(info->semaphore) == HOST(SEMAPHORE_ID));
   assert_int_equal(info->resourceId, 33);
   pv_cs_arena_fini(&f.arena);
}

/* Table shape: 195 is gone (fatal, counted nowhere), ids wire 0 has keep their meaning. */
static void
table_ids(void **state)
{
   (void)state;
   const struct pv_protocol_table *w0 = pv_protocol_table_get("wire0");
   const struct pv_protocol_table *w1 = pv_protocol_table_get("wire1");
   assert_non_null(w0);
   assert_non_null(w1);
   assert_int_equal(w0->count, 251);
   assert_int_equal(w1->count, 283);
   assert_null(w1->entries[195].name);
   assert_non_null(w1->entries[195].not_decodable);
   assert_string_equal(w0->entries[195].name, "vkGetVenusExperimentalFeatureData100000MESA");
   assert_string_equal(w0->entries[244].name, "vkResetFenceResource100000MESA");
   assert_string_equal(w1->entries[244].name, "vkResetFenceResourceMESA");
   assert_ptr_equal(w0->entries[244].decode, w1->entries[244].decode);
   assert_string_equal(w1->entries[282].name, "vkGetImageSubresourceLayout2KHR");
   /* by name: every named entry of both tables at its own index, nothing else */
   for (uint32_t i = 0; i < w1->count; i++)
      if (w1->entries[i].name)
         assert_int_equal(pv_protocol_command_find(w1, w1->entries[i].name), i);
   for (uint32_t i = 0; i < w0->count; i++)
      if (w0->entries[i].name)
         assert_int_equal(pv_protocol_command_find(w0, w0->entries[i].name), i);
   assert_int_equal(pv_protocol_command_find(w1, "vkResetFenceResource100000MESA"), -1);
   assert_int_equal(pv_protocol_command_find(w0, "vkResetFenceResource100000MESA"), 244);
   assert_int_equal(pv_protocol_command_find(w1, "vkNoSuchCommand"), -1);
   assert_int_equal(pv_protocol_command_find(w1, ""), -1);
   struct pv_protocol_stats s;
   pv_protocol_table_stats(w1, NULL, 0, &s);
   assert_int_equal(s.in_table, 282);
   assert_int_equal(s.decodable + s.never_sent, s.in_table);

   struct buf b = {.n = 0};
   w32(&b, 195), w32(&b, 0), w64(&b, 0);
   struct fx f;
   memset(&f, 0, sizeof(f));
   pv_cs_arena_init(&f.arena, 0);
   pv_cs_decoder_init(&f.dec, b.b, b.n, &f.arena, &f.st, &hooks);
   struct pv_dispatch_ctx ctx = {.dec = &f.dec};
   assert_false(pv_protocol_execute_one(&ctx, w1));
   assert_true(f.st.fatal);
   pv_cs_arena_fini(&f.arena);
}

/* Structs whose wire layout is their C layout are decoded by copy (codegen `flat`): every field
 * lands where the scalar reads put it, signed values and 64-bit ones included. */
static void
flat_structs(void **state)
{
   (void)state;
   struct buf b = {.n = 0};
   w32(&b, 95), w32(&b, 0), w64(&b, CMDBUF_ID), w32(&b, 1), w32(&b, 2), w64(&b, 2);
   w32(&b, (uint32_t)-5), w32(&b, 7), w32(&b, 640), w32(&b, 480); /* VkRect2D */
   w32(&b, 0), w32(&b, (uint32_t)-1), w32(&b, 1), w32(&b, 2);
   struct fx f;
   struct pv_args_vkCmdSetScissor *s = decode_via_table(&f, &b, 95, "vkCmdSetScissor");
   assert_true(s->commandBuffer == (VkCommandBuffer)HOST(CMDBUF_ID));
   assert_int_equal(s->firstScissor, 1);
   assert_int_equal(s->scissorCount, 2);
   assert_int_equal(s->pScissors[0].offset.x, -5);
   assert_int_equal(s->pScissors[0].offset.y, 7);
   assert_int_equal(s->pScissors[0].extent.width, 640);
   assert_int_equal(s->pScissors[0].extent.height, 480);
   assert_int_equal(s->pScissors[1].offset.y, -1);
   assert_int_equal(s->pScissors[1].extent.height, 2);
   pv_cs_arena_fini(&f.arena);

   b.n = 0;
   w32(&b, 112), w32(&b, 0), w64(&b, CMDBUF_ID), w64(&b, BUFFER_ID(4)), w64(&b, BUFFER_ID(5));
   w32(&b, 1), w64(&b, 1);
   w64(&b, 0x100000010ull), w64(&b, 32), w64(&b, 0x200000000ull); /* VkBufferCopy */
   struct pv_args_vkCmdCopyBuffer *c = decode_via_table(&f, &b, 112, "vkCmdCopyBuffer");
   assert_int_equal(c->regionCount, 1);
   assert_true(c->pRegions[0].srcOffset == 0x100000010ull);
   assert_true(c->pRegions[0].dstOffset == 32);
   assert_true(c->pRegions[0].size == 0x200000000ull);
   pv_cs_arena_fini(&f.arena);

   /* the last rectangle cut short: fatal, as a scalar read past the end is */
   b.n = 0;
   w32(&b, 95), w32(&b, 0), w64(&b, CMDBUF_ID), w32(&b, 0), w32(&b, 1), w64(&b, 1);
   w32(&b, 1), w32(&b, 2), w32(&b, 3);
   memset(&f, 0, sizeof(f));
   pv_cs_arena_init(&f.arena, 0);
   pv_cs_decoder_init(&f.dec, b.b + 8, b.n - 8, &f.arena, &f.st, &hooks);
   pv_decode_vkCmdSetScissor(&f.dec, (struct pv_args_vkCmdSetScissor *)f.args);
   assert_true(f.st.fatal);
   pv_cs_arena_fini(&f.arena);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(submit_virtqueue_seqno),
      cmocka_unit_test(wait_virtqueue_and_ring_seqno),
      cmocka_unit_test(create_ring_monitor_priority),
      cmocka_unit_test(get_device_queue2_timeline),
      cmocka_unit_test(import_semaphore_resource_renamed),
      cmocka_unit_test(table_ids),
      cmocka_unit_test(flat_structs),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
