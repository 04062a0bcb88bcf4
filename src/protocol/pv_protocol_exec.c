/* SPDX-License-Identifier: MIT */
/* One command: header, table lookup, decode, handler, reply, arena reset. */
#include "protocol/pv_protocol.h"

#include <stdio.h>
#include <string.h>

#include <vulkan/vulkan_core.h>

static void
fatal_cmd(struct pv_cs_decoder *d, int32_t type, const char *name, const char *why)
{
   pv_cs_status_fatal(d->status, "command %d (%s): %s", type, name ? name : "?", why);
}

static pv_handler_fn
pick_handler(const struct pv_dispatch_ctx *ctx, int32_t type, const struct pv_command_entry *e)
{
   if (ctx->overrides && (size_t)type < ctx->override_count && ctx->overrides[type])
      return ctx->overrides[type];
   return e->default_handler;
}

static const struct pv_command_entry *
lookup_entry(struct pv_cs_decoder *d, const struct pv_protocol_table *t, int32_t type)
{
   if (type < 0 || (uint32_t)type >= t->count) {
      fatal_cmd(d, type, NULL, "unknown command type");
      return NULL;
   }
   const struct pv_command_entry *e = &t->entries[type];
   const char *why = e->never_sent     ? e->never_sent
                     : e->not_decodable ? e->not_decodable
                     : !e->decode       ? "empty table slot"
                                        : NULL;
   if (why) {
      fatal_cmd(d, type, e->name, why);
      return NULL;
   }
   return e;
}

/* A command that returns a VkResult answers VK_ERROR_DEVICE_LOST (args may be NULL). */
static void
set_result_lost(const struct pv_command_entry *e, void *args)
{
   if (e->result_offset && args) {
      VkResult lost = VK_ERROR_DEVICE_LOST;
      memcpy((char *)args + e->result_offset - 1, &lost, sizeof(lost));
   }
}

/* The handler to run now; NULL with no error means "skip" (lost context). */
static pv_handler_fn
handler_for(struct pv_dispatch_ctx *ctx, int32_t type, const struct pv_command_entry *e,
            void *args)
{
   if (ctx->lost) {
      if (ctx->lost_handlers && (size_t)type < ctx->override_count && ctx->lost_handlers[type])
         return ctx->lost_handlers[type];
      set_result_lost(e, args);
      return NULL;
   }
   pv_handler_fn h = pick_handler(ctx, type, e);
   if (!h)
      fatal_cmd(ctx->dec, type, e->name, e->no_handler ? e->no_handler : "no handler");
   return h;
}

static void
write_reply(struct pv_dispatch_ctx *ctx, int32_t type, const struct pv_command_entry *e,
            const void *args)
{
   struct pv_cs_decoder *d = ctx->dec;
   struct pv_cs_encoder *enc = ctx->reply_begin ? ctx->reply_begin(ctx) : ctx->reply;
   if (!enc) {
      fatal_cmd(d, type, e->name, "reply requested without a reply stream");
      return;
   }
   e->encode_reply(enc, args);
   if (enc->status->fatal && !d->status->fatal)
      fatal_cmd(d, type, e->name, enc->status->reason);
   if (ctx->reply_end)
      ctx->reply_end(ctx, enc);
}

/*
 * A command that asked for a reply and was dropped as malformed (or named an object the context
 * does not have, as after a create the host failed and the guest did not wait for). The guest
 * reads its reply whatever happens; left unwritten, it would read what its buffer held before:
 * zeros, i.e. VK_SUCCESS, or an earlier reply. It reads VK_ERROR_DEVICE_LOST instead, with every
 * output absent, which its decoder takes as well formed. The stream's status is fatal, and
 * writes under it do nothing: this one reply is written under a status of its own.
 */
static void
write_lost_reply(struct pv_dispatch_ctx *ctx, const struct pv_command_entry *e, void *args)
{
   struct pv_cs_encoder *enc = ctx->reply_begin ? ctx->reply_begin(ctx) : ctx->reply;
   if (!enc)
      return;
   memset(args, 0, e->args_size);
   set_result_lost(e, args);
   struct pv_cs_status own = {0}, *shared = enc->status;
   enc->status = &own;
   e->encode_reply(enc, args);
   enc->status = shared;
   if (ctx->reply_end)
      ctx->reply_end(ctx, enc);
}

void
pv_protocol_defer_or_call(struct pv_dispatch_ctx *ctx, pv_host_call_fn call, void *args)
{
   if (!ctx->defer(ctx, call, args))
      call(ctx->vk, args);
}

bool
pv_protocol_execute_one(struct pv_dispatch_ctx *ctx, const struct pv_protocol_table *t)
{
   struct pv_cs_decoder *d = ctx->dec;
   int32_t type = pv_cs_read_i32(d);
   uint32_t flags = pv_cs_read_u32(d);
   const struct pv_command_entry *e = pv_cs_fatal(d) ? NULL : lookup_entry(d, t, type);
   d->refused = false;
   ctx->type = e ? type : -1;
   if (e && ctx->before)
      ctx->before(ctx, type, flags);
   if (e) {
      void *args = pv_cs_alloc(d, 1, e->args_size);
      if (args)
         e->decode(d, args);
      ctx->args = args;
      pv_handler_fn h = pv_cs_fatal(d) ? NULL : handler_for(ctx, type, e, args);
      ctx->refused = false;
      if (d->refused && !pv_cs_fatal(d)) { /* well formed, values ruled out: no handler */
         h = NULL;
         ctx->refused = true;
         if (ctx->on_refused)
            ctx->on_refused(ctx, d->refused_reason);
      }
      /* one byte per command: most commands that are not vkCmd* cost this load only */
      if (h && !ctx->lost && ctx->check_classes && ctx->check_classes[type])
         ctx->check(ctx, type, ctx->check_classes[type], args);
      if (h && !ctx->refused)
         h(ctx, args);
      if (ctx->refused) {
         ctx->lost = true;
         set_result_lost(e, args);
      }
      if ((flags & PV_COMMAND_GENERATE_REPLY) && !pv_cs_fatal(d))
         write_reply(ctx, type, e, args);
      else if ((flags & PV_COMMAND_GENERATE_REPLY) && args)
         write_lost_reply(ctx, e, args);
   }
   if (!ctx->arena_held)
      pv_cs_arena_reset(d->arena);
   return !pv_cs_fatal(d) && !(ctx->reply && ctx->reply->status->fatal);
}

void
pv_protocol_table_stats(const struct pv_protocol_table *t, const pv_handler_fn *overrides,
                        size_t override_count, struct pv_protocol_stats *out)
{
   memset(out, 0, sizeof(*out));
   for (uint32_t i = 0; i < t->count; i++) {
      const struct pv_command_entry *e = &t->entries[i];
      if (!e->name)
         continue;
      out->in_table++;
      out->never_sent += e->never_sent != NULL;
      if (!e->decode)
         continue;
      out->decodable++;
      bool over = overrides && i < override_count && overrides[i];
      out->with_handler += over || e->default_handler;
   }
}
