/* SPDX-License-Identifier: MIT */
/*
 * What the guard unit tests (test_cmd_scope.c, test_shader_guard.c, test_image_guard.c) share:
 * objects put in a fresh context's table with host handles of their own, hand-encoded wire-0
 * commands, and the check of why the context was lost. No host driver is needed: a command that
 * passes every check reaches the generated pass-through, which finds no host entry point ("host
 * driver lacks vkCmdX"), and one refused is lost "refused: ...". Include after cmocka.h.
 */
#ifndef PV_TESTS_WIRE0_COMMANDS_H
#define PV_TESTS_WIRE0_COMMANDS_H

#include <stdint.h>
#include <string.h>

#include "../codegen/wire_buf.h"
#include "renderer/context.h"
#include "pearvisor/pearvisor.h"
#include "renderer/renderer.h"

/* the host handle of a guest id is id + PV_TEST_HOST */
#define PV_TEST_HOST 0x10000u

/* The wire-0 renderer the group's contexts are made on (setup and teardown of the group). */
static struct pv_renderer *renderer;

static inline int
setup(void **state)
{
   (void)state;
   const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                             .wire_format = 0};
   renderer = pv_renderer_create(&config);
   return renderer ? 0 : -1;
}

static inline int
teardown(void **state)
{
   (void)state;
   pv_renderer_destroy(renderer);
   return 0;
}

static inline struct pv_object *
add_object(struct pv_context *ctx, int32_t type, uint64_t id)
{
   struct pv_object *o = pv_object_add(ctx, type, id, id + PV_TEST_HOST, 0);
   assert_non_null(o);
   return o;
}

/* The wire-0 type of a command. */
static inline uint32_t
cmd(const char *name)
{
   const struct pv_protocol_table *t = pv_protocol_table_get("wire0");
   for (uint32_t i = 0; i < t->count; i++)
      if (t->entries[i].name && !strcmp(t->entries[i].name, name))
         return i;
   fail_msg("wire0 has no %s", name);
   return 0;
}

/* Runs `b` and checks why the context was lost: `want` is part of the reason. */
static inline void
expect(struct pv_context *ctx, const struct buf *b, const char *want)
{
   pv_context_submit(ctx, b->b, b->n);
   assert_true(pv_context_is_lost(ctx));
   const char *why = pv_context_lost_reason(ctx);
   if (!strstr(why, want))
      fail_msg("lost for \"%s\", expected \"%s\"", why, want);
   pv_context_destroy(ctx);
}

#define REFUSED(ctx, b, what) expect((ctx), (b), "refused: " what)
/* Passed every check: the pass-through found no host entry point. */
#define PASSED(ctx, b, name) expect((ctx), (b), "host driver lacks " name)

#endif
