/* SPDX-License-Identifier: MIT */
#include "renderer/context.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/renderer.h"
#include "util/log.h"

struct pv_context *
pv_context_create(struct pv_renderer *renderer, uint32_t capset_id, const char *debug_name)
{
   if (capset_id != PV_CAPSET_VENUS)
      return NULL;
   struct pv_context *ctx = calloc(1, sizeof(*ctx));
   if (!ctx)
      return NULL;
   ctx->renderer = renderer;
   snprintf(ctx->name, sizeof(ctx->name), "%s", debug_name ? debug_name : "");
   pv_id_table_init(&ctx->resources);
   return ctx;
}

static void
destroy_resource_cb(uint64_t key, void *value, void *data)
{
   (void)key;
   (void)data;
   pv_resource_destroy(value);
}

void
pv_context_destroy(struct pv_context *ctx)
{
   if (!ctx)
      return;
   pv_id_table_foreach(&ctx->resources, destroy_resource_cb, NULL);
   pv_id_table_fini(&ctx->resources);
   free(ctx);
}

void
pv_context_set_lost(struct pv_context *ctx, const char *fmt, ...)
{
   if (ctx->lost)
      return;
   ctx->lost = true;
   char why[256];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(why, sizeof(why), fmt, ap);
   va_end(ap);
   pv_warn("context '%s' lost: %s", ctx->name, why);
}

void
pv_context_mark_lost(struct pv_context *ctx, const char *reason)
{
   pv_context_set_lost(ctx, "%s", reason);
}

bool
pv_context_is_lost(const struct pv_context *ctx)
{
   return ctx->lost;
}

int
pv_context_submit(struct pv_context *ctx, const void *data, size_t size)
{
   (void)data;
   if (ctx->lost)
      return -1;
   if (size == 0)
      return 0;
   /* The capset promised no decodable Vulkan version, so a guest that still sends commands is
    * not one we can serve. */
   pv_context_set_lost(ctx, "received %zu bytes of Venus commands, but this build has no decoder",
                       size);
   return -1;
}
