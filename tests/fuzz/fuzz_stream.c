/* SPDX-License-Identifier: MIT */
/*
 * fuzz_stream_wire0 / fuzz_stream_wire1: the generated codec alone, decode-only (no renderer,
 * no host driver). Compiled once per dialect with -DPV_FUZZ_WIRE="wire0" or "wire1".
 *
 * Input: one flags byte, then a Venus command stream (what a guest puts in a ring or a
 * SUBMIT_CMD2 batch). Commands run one after another through pv_protocol_execute_one until the
 * stream ends or a command is fatal, exactly as the renderer's executor does.
 *   flags bit 0  lost mode: decode only, lost handlers for the transport commands, replies carry
 *                VK_ERROR_DEVICE_LOST (the path a lost context takes);
 *   flags bit 1  generated pass-through handlers (id -> handle translation inside structs and
 *                chains, out-handle bookkeeping) against a stub host driver whose every entry
 *                point returns 0 (VK_SUCCESS) and writes nothing; otherwise a no-op handler
 *                overrides every command;
 *   flags bit 2  a 64-byte reply buffer instead of 64 KiB (reply encoders running out of room).
 * Object ids follow a fixed rule (fake_lookup): every id exists with the asked type, except ids
 * with bit 63 set (unknown) or a non-zero tag in bits 56..62 that differs from the asked
 * VkObjectType (wrong type); creating an id with bit 62 set fails (id in use).
 * Every decoder and reply encoder the dialect has is reachable.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv_protocol_gen.h"

#ifndef PV_FUZZ_WIRE
#error "PV_FUZZ_WIRE (the dialect name) must be defined"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
fake_lookup(void *data, uint64_t id, int32_t objtype, uint64_t *host)
{
   (void)data;
   if (id >> 63)
      return false;
   uint32_t tag = (uint32_t)(id >> 56) & 0x7f;
   if (tag && tag != ((uint32_t)objtype & 0x7f))
      return false;
   *host = id;
   return true;
}

static bool
fake_created(void *data, int32_t objtype, uint64_t id, uint64_t host)
{
   (void)data, (void)objtype, (void)host;
   return !((id >> 62) & 1);
}

static void
fake_destroyed(void *data, int32_t objtype, uint64_t host)
{
   (void)data, (void)objtype, (void)host;
}

static const struct pv_cs_hooks hooks = {
   .lookup = fake_lookup, .created = fake_created, .destroyed = fake_destroyed};

static void
noop_handler(struct pv_dispatch_ctx *ctx, void *args)
{
   (void)ctx, (void)args;
}

/* Stands in for every host entry point: 0 in the return register is VK_SUCCESS, a NULL handle
 * or address, or nothing for void functions (x86-64 and AArch64 calling conventions). */
static uint64_t
stub_entry_point(void)
{
   return 0;
}

static const struct pv_protocol_table *table;
static pv_handler_fn *noop_overrides;
static pv_handler_fn *lost_handlers;
static struct pv_vk_dispatch stub_vk;
static struct pv_cs_arena arena;
static uint8_t *reply_buf;
#define REPLY_BIG (64u << 10)
#define REPLY_SMALL 64u
/* Smaller than the renderer's 256 MiB so a hostile count fails fast; big enough for any real
 * command. */
#define ARENA_CAP ((size_t)16 << 20)

static bool verbose;

static void
init_once(void)
{
   verbose = getenv("PV_FUZZ_VERBOSE") != NULL;
   table = pv_protocol_table_get(PV_FUZZ_WIRE);
   if (!table)
      abort();
   noop_overrides = calloc(table->count, sizeof(*noop_overrides));
   lost_handlers = calloc(table->count, sizeof(*lost_handlers));
   if (!noop_overrides || !lost_handlers)
      abort();
   for (uint32_t i = 0; i < table->count; i++) {
      noop_overrides[i] = noop_handler;
      const char *n = table->entries[i].name;
      /* what the renderer keeps running in a lost context: the transport commands */
      if (n && (strstr(n, "CommandStream") || strstr(n, "RingMESA") || strstr(n, "RingExtra")))
         lost_handlers[i] = noop_handler;
   }
   PFN_vkVoidFunction stub = (PFN_vkVoidFunction)(void (*)(void))stub_entry_point;
   for (size_t i = 0; i < pv_vk_dispatch_entry_count; i++)
      memcpy((char *)&stub_vk + pv_vk_dispatch_entries[i].offset, &stub, sizeof(stub));
   pv_cs_arena_init(&arena, ARENA_CAP);
   reply_buf = malloc(REPLY_BIG);
   if (!reply_buf)
      abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   if (!table)
      init_once();
   if (size < 1)
      return 0;
   uint8_t flags = data[0];
   size_t n = size - 1;
   /* an exact-size heap copy, so ASan sees a read one byte past the stream */
   uint8_t *stream = malloc(n ? n : 1);
   if (!stream)
      return 0;
   memcpy(stream, data + 1, n);

   struct pv_cs_status st = {0};
   struct pv_cs_decoder dec;
   pv_cs_decoder_init(&dec, stream, n, &arena, &st, &hooks);
   struct pv_cs_encoder enc;
   struct pv_dispatch_ctx ctx = {
      .dec = &dec,
      .reply = &enc,
      .lost = flags & 1,
      .lost_handlers = lost_handlers,
      .vk = &stub_vk,
      .overrides = (flags & 2) ? NULL : noop_overrides,
      .override_count = table->count,
   };
   size_t reply_size = (flags & 4) ? REPLY_SMALL : REPLY_BIG;
   unsigned commands = 0;
   while (pv_cs_remaining(&dec) > 0) {
      /* each command answers at the start of the buffer: the encoder sees the full room */
      pv_cs_encoder_init(&enc, reply_buf + REPLY_BIG - reply_size, reply_size, &st);
      if (!pv_protocol_execute_one(&ctx, table))
         break;
      commands++;
   }
   if (verbose) /* PV_FUZZ_VERBOSE=1: what a seed does, for checking corpora */
      fprintf(stderr, "fuzz_stream_%s: flags %#x, %u commands, %s\n", PV_FUZZ_WIRE, flags,
              commands, st.fatal ? st.reason : "no error");
   pv_cs_arena_reset(&arena);
   free(stream);
   return 0;
}
