/* SPDX-License-Identifier: MIT */
#include "conf_host.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/pv_protocol.h"

#ifndef CONF_WIRE
#error "CONF_WIRE (the dialect name) must be defined"
#endif

/* Identity id -> handle mapping: the test's handles are their own ids. */
static bool
conf_lookup(void *data, uint64_t id, int32_t objtype, uint64_t *host)
{
   (void)data;
   (void)objtype;
   *host = id;
   return true;
}

static const struct pv_cs_hooks conf_hooks = {.lookup = conf_lookup};

static struct pv_cs_arena arena;
static bool arena_ready;
static uint8_t *reply_buf;

static const struct pv_command_entry *
conf_entry(struct conf_ctx *c, int32_t type)
{
   const struct pv_protocol_table *t = pv_protocol_table_get(CONF_WIRE);
   if (!t) {
      conf_fail(c, "our protocol tables have no dialect %s", CONF_WIRE);
      return NULL;
   }
   if (type >= 0 && (uint32_t)type < t->count && !t->entries[type].decode &&
       t->entries[type].never_sent) {
      /* the guest never sends it and our table rejects it on purpose (fatal) */
      c->never_sent = t->entries[type].never_sent;
      return NULL;
   }
   if (type < 0 || (uint32_t)type >= t->count || !t->entries[type].decode) {
      conf_fail(c, "our table has no decoder for command type %d", (int)type);
      return NULL;
   }
   return &t->entries[type];
}

void *
conf_host_decode(struct conf_ctx *c, int32_t type, const void *data, size_t size,
                 size_t args_size)
{
   const struct pv_command_entry *e = conf_entry(c, type);
   if (!e)
      return NULL;
   if (e->args_size != args_size) {
      conf_fail(c, "args size %zu differs from ours %zu", args_size, e->args_size);
      return NULL;
   }
   if (!arena_ready) {
      pv_cs_arena_init(&arena, PV_CS_ARENA_DEFAULT_CAP);
      arena_ready = true;
   }
   pv_cs_arena_reset(&arena);
   struct pv_cs_status st = {0};
   struct pv_cs_decoder d;
   pv_cs_decoder_init(&d, data, size, &arena, &st, &conf_hooks);
   int32_t got = pv_cs_read_i32(&d);
   (void)pv_cs_read_u32(&d);
   if (got != type)
      conf_fail(c, "header type %d, expected %d", (int)got, (int)type);
   void *args = pv_cs_alloc(&d, 1, e->args_size);
   if (args)
      e->decode(&d, args);
   if (st.fatal) {
      conf_fail(c, "our decoder failed on Mesa's encoding: %s", st.reason);
      return NULL;
   }
   if (pv_cs_remaining(&d))
      conf_fail(c, "our decoder left %zu of %zu bytes", pv_cs_remaining(&d), size);
   return args;
}

const void *
conf_host_encode_reply(struct conf_ctx *c, int32_t type, const void *args, size_t *size)
{
   const struct pv_command_entry *e = conf_entry(c, type);
   if (!e)
      return NULL;
   const size_t cap = 1u << 20;
   if (!reply_buf)
      reply_buf = malloc(cap);
   struct pv_cs_status st = {0};
   struct pv_cs_encoder enc;
   pv_cs_encoder_init(&enc, reply_buf, cap, &st);
   e->encode_reply(&enc, args);
   if (st.fatal) {
      conf_fail(c, "our reply encoder failed: %s", st.reason);
      return NULL;
   }
   *size = (size_t)(enc.cur - reply_buf);
   return reply_buf;
}

void
conf_host_truncations(struct conf_ctx *c, int32_t type, const void *data, size_t size)
{
   const struct pv_command_entry *e = conf_entry(c, type);
   if (!e)
      return;
   for (size_t len = 0; len < size; len++) {
      /* an exact-size heap copy, so ASan sees any read past the prefix */
      uint8_t *copy = malloc(len ? len : 1);
      memcpy(copy, data, len);
      pv_cs_arena_reset(&arena);
      struct pv_cs_status st = {0};
      struct pv_cs_decoder d;
      pv_cs_decoder_init(&d, copy, len, &arena, &st, &conf_hooks);
      (void)pv_cs_read_i32(&d);
      (void)pv_cs_read_u32(&d);
      void *args = pv_cs_alloc(&d, 1, e->args_size);
      if (args && !st.fatal)
         e->decode(&d, args);
      if (!st.fatal) {
         conf_fail(c, "prefix of %zu/%zu bytes decoded without the fatal flag", len, size);
         free(copy);
         return; /* one report per sample is enough */
      }
      free(copy);
   }
}
