/* SPDX-License-Identifier: MIT */
/*
 * Command-buffer state checks (src/vk/guard_cmdbuf.c): every refusal class, each on a fresh
 * context of a real renderer, through pv_context_submit with hand-encoded wire-0 commands. No
 * host driver is needed: the objects (command buffers, a queue, pipelines, a render pass) are
 * put in the context's object table with the state a real recording would have given them, and
 * a command that passes the checks reaches the generated pass-through, which finds no host entry
 * point ("host driver lacks vkCmdX"): that is how the cases that must pass are told from the
 * refused ones ("refused: ..."). Also checked: every vkCmd* of both dialects has a class.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire0_commands.h"
#include "pearvisor/pearvisor.h"
#include "renderer/context.h"
#include "renderer/renderer.h"
#include "util/log.h"
#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* guest ids (their host handles are id + PV_TEST_HOST) */
enum {
   PRIMARY = 0x100,
   SECONDARY = 0x200,
   QUEUE = 0x300,
   GFX_PIPE = 0x400,
   COMPUTE_PIPE = 0x401,
   LIB_PIPE = 0x402,
   RENDER_PASS = 0x500,
   DEVICE = 0x600,
};

static struct pv_context *
fresh_context(void)
{
   struct pv_context *ctx = pv_context_create(renderer, PV_CAPSET_VENUS, "scope");
   assert_non_null(ctx);
   return ctx;
}

/* The device every command buffer belongs to: lavapipe's limits that the tests reach. */
static struct pv_vk_physdev limits_pd = {
   .limits = {.maxViewports = 16,
              .maxVertexInputBindings = 32,
              .maxVertexInputAttributes = 32,
              .maxColorAttachments = 8,
              .maxComputeWorkGroupCount = {65535, 65535, 65535},
              .maxTessellationPatchSize = 32},
   .max_xfb_buffers = 4,
   .max_xfb_stride = 512,
   .max_multiview_views = 6};

/* A command buffer in `state`, inside `pass`, with `bound` pipelines. */
static struct pv_vk_cmd_scope *
add_cmdbuf(struct pv_context *ctx, uint64_t id, bool secondary, enum pv_cmdbuf_state state,
           enum pv_pass pass, uint8_t bound)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_of(add_object(ctx, VK_OBJECT_TYPE_COMMAND_BUFFER, id));
   assert_non_null(cb);
   cb->scope = (struct pv_vk_cmd_scope){
      .state = (uint8_t)state, .pass = (uint8_t)pass, .bound = bound, .secondary = secondary};
   cb->pd = &limits_pd;
   cb->features = ~0ull; /* a device with every gated feature: setters_need_features clears them */
   return &cb->scope;
}

static void
add_pipeline(struct pv_context *ctx, uint64_t id, enum pv_bind bind, bool library)
{
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_PIPELINE, id);
   struct pv_vk_pipeline *p = malloc(sizeof(*p));
   assert_non_null(p);
   *p = (struct pv_vk_pipeline){.bind = (uint8_t)bind, .library = library};
   o->data = p;
   o->free_data = pv_vk_state_free;
}

/* A render pass made by vkCreateRenderPass: `subpasses` subpasses of one color attachment, no
 * view masks. */
static struct pv_object *
add_render_pass(struct pv_context *ctx, uint32_t subpasses)
{
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_RENDER_PASS, RENDER_PASS);
   struct pv_vk_render_pass *rp = calloc(1, sizeof(*rp) + 2 * subpasses * sizeof(rp->colors[0]));
   assert_non_null(rp);
   rp->subpasses = subpasses;
   rp->attachments = 1;
   rp->view_masks = rp->colors + subpasses;
   for (uint32_t i = 0; i < subpasses; i++)
      rp->colors[i] = 1;
   o->data = rp;
   o->free_data = pv_vk_state_free;
   return o;
}

static void
enc_draw(struct buf *b, uint64_t cb)
{
   w32(b, cmd("vkCmdDraw")), w32(b, 0), w64(b, cb), w32(b, 3), w32(b, 1), w32(b, 0), w32(b, 0);
}

static void
enc_dispatch(struct buf *b, uint64_t cb)
{
   w32(b, cmd("vkCmdDispatch")), w32(b, 0), w64(b, cb), w32(b, 1), w32(b, 1), w32(b, 1);
}

/* Commands whose only parameter is the command buffer. */
static void
enc_plain(struct buf *b, const char *name, uint64_t cb)
{
   w32(b, cmd(name)), w32(b, 0), w64(b, cb);
}

static void
enc_next_subpass(struct buf *b, uint64_t cb)
{
   w32(b, cmd("vkCmdNextSubpass")), w32(b, 0), w64(b, cb), w32(b, VK_SUBPASS_CONTENTS_INLINE);
}

static void
enc_execute(struct buf *b, uint64_t cb, uint64_t secondary)
{
   w32(b, cmd("vkCmdExecuteCommands")), w32(b, 0), w64(b, cb), w32(b, 1), w64(b, 1);
   w64(b, secondary);
}

static void
enc_bind_pipeline(struct buf *b, uint64_t cb, VkPipelineBindPoint point, uint64_t pipeline)
{
   w32(b, cmd("vkCmdBindPipeline")), w32(b, 0), w64(b, cb), w32(b, point), w64(b, pipeline);
}

/* vkQueueSubmit of one VkSubmitInfo with one command buffer and no fence. */
static void
enc_submit(struct buf *b, uint64_t cb)
{
   w32(b, cmd("vkQueueSubmit")), w32(b, 0), w64(b, QUEUE), w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_SUBMIT_INFO), w64(b, 0), w32(b, 0), w64(b, 0), w64(b, 0);
   w32(b, 1), w64(b, 1), w64(b, cb);
   w32(b, 0), w64(b, 0), w64(b, 0);
}

/* ----- recording state, scope and level --------------------------------------------------- */

static void
not_recording(void **state)
{
   (void)state;
   enum pv_cmdbuf_state states[] = {PV_CMDBUF_INITIAL, PV_CMDBUF_EXECUTABLE, PV_CMDBUF_INVALID};
   for (size_t i = 0; i < 3; i++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, states[i], PV_PASS_RENDER_PASS, 1u << PV_BIND_GRAPHICS);
      struct buf b = {0};
      enc_draw(&b, PRIMARY);
      REFUSED(ctx, &b, "vkCmdDraw: the command buffer is not recording");
   }
}

static void
inside_only_outside(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 1u << PV_BIND_GRAPHICS);
   struct buf b = {0};
   enc_draw(&b, PRIMARY);
   REFUSED(ctx, &b, "vkCmdDraw: not allowed outside a render pass");
}

static void
outside_only_inside(void **state)
{
   (void)state;
   enum pv_pass passes[] = {PV_PASS_RENDER_PASS, PV_PASS_RENDERING};
   for (size_t i = 0; i < 2; i++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, passes[i], 1u << PV_BIND_COMPUTE);
      struct buf b = {0};
      enc_dispatch(&b, PRIMARY);
      REFUSED(ctx, &b, "vkCmdDispatch: not allowed inside a render pass");
   }
   /* a secondary that continues a render pass is inside it from its begin */
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_RECORDING, PV_PASS_INHERITED, 1u << PV_BIND_COMPUTE);
   struct buf b = {0};
   enc_dispatch(&b, SECONDARY);
   REFUSED(ctx, &b, "vkCmdDispatch: not allowed inside a render pass");
}

static void
primary_only_in_secondary(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   struct pv_vk_cmd_scope *s =
      add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_RECORDING, PV_PASS_INHERITED, 0);
   s->subpasses = 2;
   struct buf b = {0};
   enc_next_subpass(&b, SECONDARY);
   REFUSED(ctx, &b, "vkCmdNextSubpass: not allowed in a secondary command buffer");
   /* vkCmdExecuteCommands from a secondary: no nested command buffers */
   ctx = fresh_context();
   add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   add_cmdbuf(ctx, SECONDARY + 1, true, PV_CMDBUF_EXECUTABLE, PV_PASS_NONE, 0);
   b.n = 0;
   enc_execute(&b, SECONDARY, SECONDARY + 1);
   REFUSED(ctx, &b, "vkCmdExecuteCommands: not allowed in a secondary command buffer");
}

/* A command buffer whose state was made on first use (not by vkAllocateCommandBuffers) is a
 * primary in the initial state. */
static void
fresh_state_not_recording(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_COMMAND_BUFFER, PRIMARY);
   assert_non_null(pv_vk_cmdbuf_of(o)); /* made on first use: INITIAL, primary */
   struct buf b = {0};
   enc_plain(&b, "vkCmdEndRenderPass", PRIMARY);
   REFUSED(ctx, &b, "vkCmdEndRenderPass: the command buffer is not recording");
}

/* ----- pipelines -------------------------------------------------------------------------- */

static void
no_pipeline_bound(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDER_PASS, 0);
   struct buf b = {0};
   enc_draw(&b, PRIMARY);
   REFUSED(ctx, &b, "vkCmdDraw: no pipeline bound to the bind point it uses (graphics)");
   /* a compute pipeline does not make a draw's bind point bound, nor the reverse */
   ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 1u << PV_BIND_GRAPHICS);
   b.n = 0;
   enc_dispatch(&b, PRIMARY);
   REFUSED(ctx, &b, "vkCmdDispatch: no pipeline bound to the bind point it uses (compute)");
   ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING, 1u << PV_BIND_COMPUTE);
   b.n = 0;
   w32(&b, cmd("vkCmdDrawIndexed")), w32(&b, 0), w64(&b, PRIMARY);
   w32(&b, 3), w32(&b, 1), w32(&b, 0), w32(&b, 0), w32(&b, 0);
   REFUSED(ctx, &b, "vkCmdDrawIndexed: no pipeline bound");
}

static void
wrong_pipeline_kind(void **state)
{
   (void)state;
   struct {
      VkPipelineBindPoint point;
      uint64_t pipeline;
      const char *why;
   } cases[] = {
      {VK_PIPELINE_BIND_POINT_GRAPHICS, COMPUTE_PIPE, "compute pipeline at bind point 0"},
      {VK_PIPELINE_BIND_POINT_COMPUTE, GFX_PIPE, "graphics pipeline at bind point 1"},
      {VK_PIPELINE_BIND_POINT_GRAPHICS, LIB_PIPE, "a library pipeline at bind point 0"},
      {VK_PIPELINE_BIND_POINT_RAY_TRACING_KHR, GFX_PIPE,
       "graphics pipeline at bind point 1000165000"},
      /* not a bind point at all: the codec refuses it first (quirks.json rules.enum_values) */
      {(VkPipelineBindPoint)7, GFX_PIPE, NULL},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
      add_pipeline(ctx, GFX_PIPE, PV_BIND_GRAPHICS, false);
      add_pipeline(ctx, COMPUTE_PIPE, PV_BIND_COMPUTE, false);
      add_pipeline(ctx, LIB_PIPE, PV_BIND_GRAPHICS, true);
      struct buf b = {0};
      enc_bind_pipeline(&b, PRIMARY, cases[i].point, cases[i].pipeline);
      char want[160];
      if (cases[i].why)
         snprintf(want, sizeof(want), "refused: vkCmdBindPipeline: %s", cases[i].why);
      else
         snprintf(want, sizeof(want), "vkCmdBindPipeline.pipelineBindPoint: %d is no value",
                  (int)cases[i].point);
      expect(ctx, &b, want);
   }
}

/* The right pipeline kind passes, and then a dispatch does. */
static void
bound_pipeline_passes(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   add_pipeline(ctx, COMPUTE_PIPE, PV_BIND_COMPUTE, false);
   struct buf b = {0};
   enc_bind_pipeline(&b, PRIMARY, VK_PIPELINE_BIND_POINT_COMPUTE, COMPUTE_PIPE);
   PASSED(ctx, &b, "vkCmdBindPipeline");
   ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 1u << PV_BIND_COMPUTE);
   b.n = 0;
   enc_dispatch(&b, PRIMARY);
   PASSED(ctx, &b, "vkCmdDispatch");
   ctx = fresh_context();
   add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_RECORDING, PV_PASS_INHERITED, 1u << PV_BIND_GRAPHICS);
   b.n = 0;
   enc_draw(&b, SECONDARY);
   PASSED(ctx, &b, "vkCmdDraw");
}

/* ----- render pass instances -------------------------------------------------------------- */

static void
end_render_pass_without_one(void **state)
{
   (void)state;
   /* the fuzz_hostile find: no render pass at all (a NULL read in lavapipe) */
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   struct buf b = {0};
   enc_plain(&b, "vkCmdEndRenderPass", PRIMARY);
   REFUSED(ctx, &b, "vkCmdEndRenderPass: not allowed outside a render pass");
   /* inside dynamic rendering, not a render pass begun with vkCmdBeginRenderPass */
   ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING, 0);
   b.n = 0;
   enc_plain(&b, "vkCmdEndRenderPass2", PRIMARY);
   w64(&b, 1), w32(&b, VK_STRUCTURE_TYPE_SUBPASS_END_INFO), w64(&b, 0); /* pSubpassEndInfo */
   REFUSED(ctx, &b, "vkCmdEndRenderPass2: no render pass begun with vkCmdBeginRenderPass");
}

static void
subpass_count(void **state)
{
   (void)state;
   /* ending in subpass 0 of 2 */
   struct pv_context *ctx = fresh_context();
   struct pv_vk_cmd_scope *s =
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDER_PASS, 0);
   s->subpasses = 2;
   struct buf b = {0};
   enc_plain(&b, "vkCmdEndRenderPass", PRIMARY);
   REFUSED(ctx, &b, "vkCmdEndRenderPass: not in the last subpass (subpass 0 of 2)");
   /* a next subpass past the last */
   ctx = fresh_context();
   s = add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDER_PASS, 0);
   s->subpass = 1, s->subpasses = 2;
   b.n = 0;
   enc_next_subpass(&b, PRIMARY);
   REFUSED(ctx, &b, "vkCmdNextSubpass: already in the last subpass (subpass 1 of 2)");
   /* a next subpass inside dynamic rendering */
   ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING, 0);
   b.n = 0;
   enc_next_subpass(&b, PRIMARY);
   REFUSED(ctx, &b, "vkCmdNextSubpass: no render pass begun with vkCmdBeginRenderPass");
   /* a next subpass once its render pass is gone (the host would step through freed memory) */
   ctx = fresh_context();
   s = add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDER_PASS, 0);
   s->subpasses = 2, s->pass_id = RENDER_PASS, s->pass_serial = 1;
   b.n = 0;
   enc_next_subpass(&b, PRIMARY);
   REFUSED(ctx, &b, "vkCmdNextSubpass: its render pass was destroyed while recording");
   /* the legal ones pass: next from 0 of 2, end in the last */
   ctx = fresh_context();
   s = add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDER_PASS, 0);
   struct pv_object *rp = add_render_pass(ctx, 2);
   s->subpasses = 2, s->pass_id = rp->id, s->pass_serial = rp->serial;
   b.n = 0;
   enc_next_subpass(&b, PRIMARY);
   PASSED(ctx, &b, "vkCmdNextSubpass");
   ctx = fresh_context();
   s = add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDER_PASS, 0);
   s->subpass = 1, s->subpasses = 2;
   b.n = 0;
   enc_plain(&b, "vkCmdEndRenderPass", PRIMARY);
   PASSED(ctx, &b, "vkCmdEndRenderPass");
}

static void
end_rendering_mismatch(void **state)
{
   (void)state;
   enum pv_pass passes[] = {PV_PASS_RENDER_PASS, PV_PASS_INHERITED};
   for (size_t i = 0; i < 2; i++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY + i, i == 1, PV_CMDBUF_RECORDING, passes[i], 0);
      struct buf b = {0};
      enc_plain(&b, "vkCmdEndRendering", PRIMARY + i);
      REFUSED(ctx, &b, "vkCmdEndRendering: no render pass begun with vkCmdBeginRendering");
   }
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING, 0);
   struct buf b = {0};
   enc_plain(&b, "vkCmdEndRendering", PRIMARY);
   PASSED(ctx, &b, "vkCmdEndRendering");
}

static void
begin_render_pass_unknown(void **state)
{
   (void)state;
   /* a render pass object without its subpass count (not made by vkCreateRenderPass) */
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   add_object(ctx, VK_OBJECT_TYPE_RENDER_PASS, RENDER_PASS);
   add_object(ctx, VK_OBJECT_TYPE_FRAMEBUFFER, RENDER_PASS + 1);
   struct buf b = {0};
   w32(&b, cmd("vkCmdBeginRenderPass")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, 1);
   w32(&b, VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO), w64(&b, 0), w64(&b, RENDER_PASS);
   w64(&b, RENDER_PASS + 1), w32(&b, 0), w32(&b, 0), w32(&b, 16), w32(&b, 16);
   w32(&b, 0), w64(&b, 0), w32(&b, VK_SUBPASS_CONTENTS_INLINE);
   REFUSED(ctx, &b, "vkCmdBeginRenderPass: unknown render pass");
}

/* ----- ending, submitting and executing ----------------------------------------------------- */

static void
end_command_buffer(void **state)
{
   (void)state;
   enum pv_pass passes[] = {PV_PASS_RENDER_PASS, PV_PASS_RENDERING};
   for (size_t i = 0; i < 2; i++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, passes[i], 0);
      struct buf b = {0};
      enc_plain(&b, "vkEndCommandBuffer", PRIMARY);
      REFUSED(ctx, &b, "vkEndCommandBuffer: inside a render pass");
   }
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_EXECUTABLE, PV_PASS_NONE, 0);
   struct buf b = {0};
   enc_plain(&b, "vkEndCommandBuffer", PRIMARY);
   REFUSED(ctx, &b, "vkEndCommandBuffer: not recording");
   /* a secondary continuing a render pass ends inside it */
   ctx = fresh_context();
   add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_RECORDING, PV_PASS_INHERITED, 0);
   b.n = 0;
   enc_plain(&b, "vkEndCommandBuffer", SECONDARY);
   PASSED(ctx, &b, "vkEndCommandBuffer");
}

static void
submit_not_executable(void **state)
{
   (void)state;
   struct {
      bool secondary;
      enum pv_cmdbuf_state state;
      const char *why;
   } cases[] = {
      {false, PV_CMDBUF_RECORDING, "command buffer 0 is still recording"},
      {false, PV_CMDBUF_INITIAL, "command buffer 0 was not recorded"},
      {false, PV_CMDBUF_INVALID, "command buffer 0 was not recorded"},
      {true, PV_CMDBUF_EXECUTABLE, "command buffer 0 is a secondary command buffer"},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_object(ctx, VK_OBJECT_TYPE_QUEUE, QUEUE);
      add_cmdbuf(ctx, PRIMARY, cases[i].secondary, cases[i].state, PV_PASS_NONE, 0);
      struct buf b = {0};
      enc_submit(&b, PRIMARY);
      char want[160];
      snprintf(want, sizeof(want), "refused: vkQueueSubmit: %s", cases[i].why);
      expect(ctx, &b, want);
   }
}

static void
submit_one_time_twice(void **state)
{
   (void)state;
   for (int submitted = 0; submitted < 2; submitted++) {
      struct pv_context *ctx = fresh_context();
      add_object(ctx, VK_OBJECT_TYPE_QUEUE, QUEUE);
      struct pv_vk_cmd_scope *s =
         add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_EXECUTABLE, PV_PASS_NONE, 0);
      s->one_time = true, s->submitted = submitted;
      struct buf b = {0};
      enc_submit(&b, PRIMARY);
      if (submitted)
         REFUSED(ctx, &b, "vkQueueSubmit: command buffer 0 was begun for one submission and "
                          "submitted already");
      else
         PASSED(ctx, &b, "vkQueueSubmit");
   }
}

enum { SEM_A = 0x700, SEM_B = 0x701 };

/* vkQueueSubmit of PRIMARY signalling SEM_A and SEM_B, with `chain` (its pNext bytes, one
 * chained struct) encoded by `enc_chain`. */
static void
enc_submit_chained(struct buf *b, void (*enc_chain)(struct buf *, uint32_t), uint32_t n)
{
   w32(b, cmd("vkQueueSubmit")), w32(b, 0), w64(b, QUEUE), w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_SUBMIT_INFO), w64(b, 1);
   enc_chain(b, n);
   w32(b, 0), w64(b, 0), w64(b, 0);       /* no waits */
   w32(b, 1), w64(b, 1), w64(b, PRIMARY); /* one command buffer */
   w32(b, 2), w64(b, 2), w64(b, SEM_A), w64(b, SEM_B);
   w64(b, 0); /* no fence */
}

/* VkTimelineSemaphoreSubmitInfo with `n` signal values. */
static void
enc_timeline_values(struct buf *b, uint32_t n)
{
   w32(b, VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO), w64(b, 0);
   w32(b, 0), w64(b, 0);
   w32(b, n), w64(b, n);
   for (uint32_t i = 0; i < n; i++)
      w64(b, 1 + i);
}

/* VkDeviceGroupSubmitInfo of no waits, one command buffer and `n` signals. */
static void
enc_group(struct buf *b, uint32_t n)
{
   w32(b, VK_STRUCTURE_TYPE_DEVICE_GROUP_SUBMIT_INFO), w64(b, 0);
   w32(b, 0), w64(b, 0);
   w32(b, 1), w64(b, 1), w32(b, 1);
   w32(b, n), w64(b, n);
   for (uint32_t i = 0; i < n; i++)
      w32(b, 0);
}

/* Mesa's runtime reads a timeline struct's values and a device group struct's indices at every
 * index of the batch's own counts: an array shorter than the batch was read past its end (a
 * group struct without arrays through NULL). Nonzero value counts, and every group count, must
 * be the batch's (0 values, or as many as semaphores, pass). */
static void
submit_chain_counts(void **state)
{
   (void)state;
   const struct {
      void (*enc)(struct buf *, uint32_t);
      uint32_t n;
      const char *refusal;
   } cases[] = {
      {enc_timeline_values, 1, "vkQueueSubmit: 0 wait and 1 signal values for 0 and 2 semaphores"},
      {enc_timeline_values, 2, NULL},
      {enc_timeline_values, 0, NULL},
      {enc_group, 1,
       "vkQueueSubmit: a device group struct's counts (0, 1, 1) are not the batch's (0, 1, 2)"},
      {enc_group, 2, NULL},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_object(ctx, VK_OBJECT_TYPE_QUEUE, QUEUE);
      add_object(ctx, VK_OBJECT_TYPE_SEMAPHORE, SEM_A);
      add_object(ctx, VK_OBJECT_TYPE_SEMAPHORE, SEM_B);
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_EXECUTABLE, PV_PASS_NONE, 0);
      struct buf b = {0};
      enc_submit_chained(&b, cases[i].enc, cases[i].n);
      if (cases[i].refusal) {
         char want[200];
         snprintf(want, sizeof(want), "refused: %s", cases[i].refusal);
         expect(ctx, &b, want);
      } else {
         PASSED(ctx, &b, "vkQueueSubmit");
      }
   }
}

/* Pipeline statistics past the eleven core counters: lavapipe copied one counter a set bit out
 * of a result struct on its stack, the queue's stack words to the guest. */
static void
query_statistics_defined(void **state)
{
   (void)state;
   const uint32_t stats[] = {0x7ff, 0xfffff800, 0x800};
   for (size_t i = 0; i < 3; i++) {
      struct pv_context *ctx = fresh_context();
      add_object(ctx, VK_OBJECT_TYPE_DEVICE, DEVICE);
      struct buf b = {0};
      w32(&b, cmd("vkCreateQueryPool")), w32(&b, 0), w64(&b, DEVICE), w64(&b, 1);
      w32(&b, VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO), w64(&b, 0), w32(&b, 0);
      w32(&b, VK_QUERY_TYPE_PIPELINE_STATISTICS), w32(&b, 4), w32(&b, stats[i]);
      w64(&b, 0), w64(&b, 1), w64(&b, 0x900); /* pAllocator, pQueryPool */
      if (i == 0) {
         PASSED(ctx, &b, "vkCreateQueryPool");
      } else {
         char want[160];
         snprintf(want, sizeof(want),
                  "refused: vkCreateQueryPool: pipeline statistics 0x%x past the core counters "
                  "(0x7ff)",
                  stats[i]);
         expect(ctx, &b, want);
      }
   }
}

static void
execute_not_executable(void **state)
{
   (void)state;
   struct {
      bool secondary;
      enum pv_cmdbuf_state state;
      const char *why;
   } cases[] = {
      {false, PV_CMDBUF_EXECUTABLE, "command buffer 0 is a primary command buffer"},
      {true, PV_CMDBUF_RECORDING, "command buffer 0 is still recording"},
      {true, PV_CMDBUF_INITIAL, "command buffer 0 was not recorded"},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
      add_cmdbuf(ctx, SECONDARY, cases[i].secondary, cases[i].state, PV_PASS_NONE, 0);
      struct buf b = {0};
      enc_execute(&b, PRIMARY, SECONDARY);
      char want[160];
      snprintf(want, sizeof(want), "refused: vkCmdExecuteCommands: %s", cases[i].why);
      expect(ctx, &b, want);
   }
   /* itself: a primary */
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   struct buf b = {0};
   enc_execute(&b, PRIMARY, PRIMARY);
   REFUSED(ctx, &b, "vkCmdExecuteCommands: command buffer 0 is a primary command buffer");
   /* a secondary continuing a render pass only inside one, any other only outside */
   enum pv_pass where[] = {PV_PASS_NONE, PV_PASS_RENDER_PASS, PV_PASS_RENDERING};
   for (size_t i = 0; i < 3; i++) {
      ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, where[i], 0);
      add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_EXECUTABLE,
                 where[i] == PV_PASS_NONE ? PV_PASS_INHERITED : PV_PASS_NONE, 0);
      b.n = 0;
      enc_execute(&b, PRIMARY, SECONDARY);
      expect(ctx, &b,
             where[i] == PV_PASS_NONE
                ? "refused: vkCmdExecuteCommands: command buffer 0 continues a render "
                  "pass, executed outside one"
                : "refused: vkCmdExecuteCommands: command buffer 0 does not continue a "
                  "render pass, executed inside one");
      ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, where[i], 0);
      add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_EXECUTABLE,
                 where[i] == PV_PASS_NONE ? PV_PASS_NONE : PV_PASS_INHERITED, 0);
      b.n = 0;
      enc_execute(&b, PRIMARY, SECONDARY);
      PASSED(ctx, &b, "vkCmdExecuteCommands");
   }
   /* an executable secondary passes */
   ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_EXECUTABLE, PV_PASS_NONE, 0);
   b.n = 0;
   enc_execute(&b, PRIMARY, SECONDARY);
   PASSED(ctx, &b, "vkCmdExecuteCommands");
}

/* ----- render pass creation (guard_renderpass.c) ------------------------------------------- */

/* vkCreateRenderPass of one attachment and one subpass whose one color attachment is `color`
 * and whose one dependency runs from `src` to subpass 0. */
static void
enc_create_render_pass_views(struct buf *b, uint32_t color, uint32_t src, uint32_t view_mask)
{
   w32(b, cmd("vkCreateRenderPass")), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO);
   if (view_mask) { /* a VkRenderPassMultiviewCreateInfo: the subpass's view mask, no offsets */
      w64(b, 1), w32(b, VK_STRUCTURE_TYPE_RENDER_PASS_MULTIVIEW_CREATE_INFO), w64(b, 0);
      w32(b, 1), w64(b, 1), w32(b, view_mask), w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0);
   } else {
      w64(b, 0);
   }
   w32(b, 0);
   w32(b, 1), w64(b, 1); /* one VkAttachmentDescription */
   w32(b, 0), w32(b, VK_FORMAT_R8G8B8A8_UNORM), w32(b, VK_SAMPLE_COUNT_1_BIT);
   w32(b, VK_ATTACHMENT_LOAD_OP_CLEAR), w32(b, VK_ATTACHMENT_STORE_OP_STORE);
   w32(b, VK_ATTACHMENT_LOAD_OP_DONT_CARE), w32(b, VK_ATTACHMENT_STORE_OP_DONT_CARE);
   w32(b, VK_IMAGE_LAYOUT_UNDEFINED), w32(b, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
   w32(b, 1), w64(b, 1); /* one VkSubpassDescription */
   w32(b, 0), w32(b, VK_PIPELINE_BIND_POINT_GRAPHICS), w32(b, 0), w64(b, 0);
   w32(b, 1), w64(b, 1), w32(b, color), w32(b, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL);
   w64(b, 0), w64(b, 0), w32(b, 0), w64(b, 0); /* no resolve, depth or preserve */
   w32(b, 1), w64(b, 1); /* one VkSubpassDependency */
   w32(b, src), w32(b, 0), w32(b, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT);
   w32(b, VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT), w32(b, 0), w32(b, 0), w32(b, 0);
   w64(b, 0), w64(b, 1), w64(b, RENDER_PASS); /* pAllocator, pRenderPass */
}

static void
enc_create_render_pass(struct buf *b, uint32_t color, uint32_t src)
{
   enc_create_render_pass_views(b, color, src, 0);
}

static void
render_pass_indices(void **state)
{
   (void)state;
   struct {
      uint32_t color, src;
      const char *why;
   } cases[] = {
      {1, VK_SUBPASS_EXTERNAL, "a color or resolve attachment index past the attachments"},
      {0, 1, "a dependency names a subpass past the subpasses"},
      {VK_ATTACHMENT_UNUSED, VK_SUBPASS_EXTERNAL, NULL},
      {0, 0, NULL},
   };
   /* the device's limits (guard_limits.c): 8 color attachments */
   static struct pv_vk_physdev pd = {.limits = {.maxColorAttachments = 8}};
   static struct pv_vk_device dev = {.pd = &pd};
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_object(ctx, VK_OBJECT_TYPE_DEVICE, DEVICE)->data = &dev;
      struct buf b = {0};
      enc_create_render_pass(&b, cases[i].color, cases[i].src);
      char want[160];
      snprintf(want, sizeof(want), "refused: vkCreateRenderPass: %s", cases[i].why);
      if (cases[i].why)
         expect(ctx, &b, want);
      else
         PASSED(ctx, &b, "vkCreateRenderPass");
   }
}

/* A subpass's view mask past maxMultiviewViewCount is refused (VUID-VkRenderPassMultiview
 * CreateInfo-pViewMasks-06697: lavapipe 25 takes a query per view); 6 views of 6 pass. */
static void
render_pass_views_past_limit(void **state)
{
   (void)state;
   static struct pv_vk_physdev pd = {.limits = {.maxColorAttachments = 8},
                                     .max_multiview_views = 6};
   static struct pv_vk_device dev = {.pd = &pd};
   const uint32_t masks[] = {0x7f, 0x40, 0x3f, 0x21};
   for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_object(ctx, VK_OBJECT_TYPE_DEVICE, DEVICE)->data = &dev;
      struct buf b = {0};
      enc_create_render_pass_views(&b, 0, VK_SUBPASS_EXTERNAL, masks[i]);
      if (i < 2)
         REFUSED(ctx, &b, "vkCreateRenderPass: 0+7 past the device's maxMultiviewViewCount (6)");
      else
         PASSED(ctx, &b, "vkCreateRenderPass");
   }
}

/* ----- framebuffer shape (guard_renderpass.c) ---------------------------------------------- */

enum { IMAGE = 0x700, VIEW_FULL = 0x701, VIEW_TEXELS = 0x702, VIEW_SHORT = 0x703, FB = 0x800 };

/* A view of a live (sparse) image, width x height, one layer. */
static void
add_view(struct pv_context *ctx, uint64_t id, uint32_t width, uint32_t height)
{
   struct pv_object *im = pv_object_find(ctx, IMAGE, VK_OBJECT_TYPE_IMAGE);
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_IMAGE_VIEW, id);
   struct pv_vk_view *v = malloc(sizeof(*v));
   assert_non_null(v);
   *v = (struct pv_vk_view){.target = {im->id, im->serial},
                            .target_type = VK_OBJECT_TYPE_IMAGE,
                            .width = width,
                            .height = height,
                            .layers = 1};
   o->data = v;
   o->free_data = pv_vk_state_free;
}

/* A context with a render pass of a color attachment and, when `texel` is not 0, a shading
 * rate attachment read one texel per texel x texel pixels (as vkCreateRenderPass2 marks it), and
 * views of 64x64 (full), 4x4 (texels) and 64x63 (short). */
static struct pv_context *
reduced_context(uint32_t texel)
{
   static const struct pv_vk_physdev pd = {.limits = {.maxFramebufferWidth = 4096,
                                                      .maxFramebufferHeight = 4096,
                                                      .maxFramebufferLayers = 256}};
   static struct pv_vk_device dev = {.pd = &pd};
   struct pv_context *ctx = fresh_context();
   add_object(ctx, VK_OBJECT_TYPE_DEVICE, DEVICE)->data = &dev;
   struct pv_object *im = add_object(ctx, VK_OBJECT_TYPE_IMAGE, IMAGE);
   struct pv_vk_image *image = calloc(1, sizeof(*image));
   assert_non_null(image);
   image->sparse = true;
   im->data = image;
   im->free_data = pv_vk_state_free;
   add_view(ctx, VIEW_FULL, 64, 64);
   add_view(ctx, VIEW_TEXELS, 4, 4);
   add_view(ctx, VIEW_SHORT, 64, 63);
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_RENDER_PASS, RENDER_PASS);
   struct pv_vk_render_pass *rp = calloc(1, sizeof(*rp) + 2 * sizeof(rp->colors[0]) +
                                               2 * sizeof(rp->texel[0]));
   assert_non_null(rp);
   rp->subpasses = 1, rp->attachments = 2, rp->colors[0] = 1;
   rp->texel = (uint32_t(*)[2])&rp->colors[2];
   rp->texel[1][0] = rp->texel[1][1] = texel;
   o->data = rp;
   o->free_data = pv_vk_state_free;
   return ctx;
}

static void
enc_create_framebuffer_sized(struct buf *b, uint64_t color, uint64_t rate, uint32_t width,
                             uint32_t height, uint32_t layers)
{
   w32(b, cmd("vkCreateFramebuffer")), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO), w64(b, 0), w32(b, 0), w64(b, RENDER_PASS);
   w32(b, 2), w64(b, 2), w64(b, color), w64(b, rate);
   w32(b, width), w32(b, height), w32(b, layers);
   w64(b, 0), w64(b, 1), w64(b, FB); /* pAllocator, pFramebuffer */
}

static void
enc_create_framebuffer(struct buf *b, uint64_t color, uint64_t rate)
{
   enc_create_framebuffer_sized(b, color, rate, 64, 64, 1);
}

/* Width, height and layers are each 1 up to the device's maxFramebuffer* (fuzz input 29636452:
 * 0 layers made lavapipe 22.3's attachment surfaces end at layer 2^32 - 1). */
static void
framebuffer_size(void **state)
{
   (void)state;
   static const struct {
      uint32_t width, height, layers;
      const char *refusal; /* NULL: passes */
   } cases[] = {
      {64, 64, 1, NULL},
      {64, 64, 0,
       "vkCreateFramebuffer: layers 0 outside 1..256 (the device's "
       "maxFramebufferLayers)"},
      {0, 64, 1, "vkCreateFramebuffer: width 0 outside 1..4096 (the device's maxFramebufferWidth)"},
      {64, 0, 1,
       "vkCreateFramebuffer: height 0 outside 1..4096 (the device's "
       "maxFramebufferHeight)"},
      {4097, 64, 1,
       "vkCreateFramebuffer: width 4097 outside 1..4096 (the device's "
       "maxFramebufferWidth)"},
      {64, 64, 257,
       "vkCreateFramebuffer: layers 257 outside 1..256 (the device's "
       "maxFramebufferLayers)"},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct buf b = {0};
      enc_create_framebuffer_sized(&b, VIEW_FULL, VIEW_TEXELS, cases[i].width, cases[i].height,
                                   cases[i].layers);
      if (cases[i].refusal) {
         char want[200];
         snprintf(want, sizeof(want), "refused: %s", cases[i].refusal);
         expect(reduced_context(16), &b, want);
      } else {
         PASSED(reduced_context(16), &b, "vkCreateFramebuffer");
      }
   }
}

/* A shading rate (or density map) attachment covers the framebuffer with one texel per its
 * texel size: a 4x4 view is enough for 64x64 at 16x16, 3 rows short is not; every other
 * attachment still covers the whole framebuffer. */
static void
framebuffer_reduced_attachments(void **state)
{
   (void)state;
   struct buf b = {0};
   enc_create_framebuffer(&b, VIEW_FULL, VIEW_TEXELS);
   PASSED(reduced_context(16), &b, "vkCreateFramebuffer");
   /* the same views where attachment 1 is a plain one */
   REFUSED(reduced_context(0), &b, "vkCreateFramebuffer: an attachment view smaller than the "
                                   "framebuffer");
   PASSED(reduced_context(32), &b, "vkCreateFramebuffer"); /* 2x2 texels are enough */
   /* a density map's texel (guard_renderpass.c's DENSITY_TEXEL): any view of one texel */
   PASSED(reduced_context(1u << 31), &b, "vkCreateFramebuffer");
   b.n = 0;
   enc_create_framebuffer(&b, VIEW_SHORT, VIEW_TEXELS);
   REFUSED(reduced_context(16), &b, "vkCreateFramebuffer: an attachment view smaller than the "
                                    "framebuffer");
   b.n = 0;
   enc_create_framebuffer(&b, VIEW_FULL, VIEW_SHORT); /* 1x1 texels: a row short */
   REFUSED(reduced_context(1), &b, "vkCreateFramebuffer: a shading rate or density map view "
                                   "smaller than the framebuffer's texels");
   b.n = 0;
   enc_create_framebuffer(&b, VIEW_FULL, VIEW_TEXELS);
   REFUSED(reduced_context(8), &b, "vkCreateFramebuffer: a shading rate or density map view "
                                   "smaller than the framebuffer's texels");
}

/* ----- counts and indices against the device's limits (guard_limits.c) -------------------- */

/* A recording primary whose device has limits_pd's limits. */
static struct pv_context *
limited_cmdbuf(void)
{
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   return ctx;
}

/* vkCmdBeginRendering without attachments: 0 layers and no view mask are refused
 * (VUID-VkRenderingInfo-viewMask-06069; lavapipe 22.3 would end its surfaces at layer 2^32 - 1),
 * 1 layer passes. */
static void
rendering_without_layers(void **state)
{
   (void)state;
   for (uint32_t layers = 0; layers < 2; layers++) {
      struct buf b = {0};
      w32(&b, cmd("vkCmdBeginRendering")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, 1);
      w32(&b, VK_STRUCTURE_TYPE_RENDERING_INFO), w64(&b, 0), w32(&b, 0); /* sType, pNext, flags */
      w32(&b, 0), w32(&b, 0), w32(&b, 64), w32(&b, 64);                  /* renderArea */
      w32(&b, layers), w32(&b, 0), w32(&b, 0); /* layerCount, viewMask, colorAttachmentCount */
      w64(&b, 0), w64(&b, 0), w64(&b, 0); /* pColorAttachments, pDepth..., pStencilAttachment */
      if (layers)
         PASSED(limited_cmdbuf(), &b, "vkCmdBeginRendering");
      else
         REFUSED(limited_cmdbuf(), &b, "vkCmdBeginRendering: 0 layers without a view mask");
   }
}

/* Workgroups past maxComputeWorkGroupCount (fuzz input 42b13d29: 1024 x 2^32-1 workgroups kept
 * lavapipe's queue busy for days); the largest legal ones pass. */
static void
dispatch_past_limit(void **state)
{
   (void)state;
   const uint32_t cases[][6] = {
      /* base x y z, count x y z (vkCmdDispatch when the base is 0) */
      {0, 0, 0, 1024, 0xffffffffu, 1},
      {0, 0, 0, 65536, 1, 1},
      {0, 0, 65535, 1, 1, 1},
      {0xffffffffu, 0, 0, 2, 1, 1},
      {0, 0, 0, 65535, 65535, 65535},
      {65534, 0, 0, 1, 1, 1},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      const uint32_t *v = cases[i];
      bool base = v[0] || v[1] || v[2];
      bool legal = i >= 4;
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 1u << PV_BIND_COMPUTE);
      struct buf b = {0};
      w32(&b, cmd(base ? "vkCmdDispatchBase" : "vkCmdDispatch")), w32(&b, 0), w64(&b, PRIMARY);
      for (int k = base ? 0 : 3; k < 6; k++)
         w32(&b, v[k]);
      const char *name = base ? "vkCmdDispatchBase" : "vkCmdDispatch";
      char want[160];
      snprintf(want, sizeof(want), legal ? "host driver lacks %s" : "refused: %s: workgroups",
               name);
      expect(ctx, &b, want);
   }
}

static void
scissors_past_limit(void **state)
{
   (void)state;
   const uint32_t firsts[] = {16, 15, 0xffffffffu, 0};
   const uint32_t counts[] = {1, 2, 2, 16};
   for (size_t i = 0; i < 4; i++) {
      struct pv_context *ctx = limited_cmdbuf();
      struct buf b = {0};
      w32(&b, cmd("vkCmdSetScissor")), w32(&b, 0), w64(&b, PRIMARY), w32(&b, firsts[i]);
      w32(&b, counts[i]), w64(&b, counts[i]);
      for (uint32_t r = 0; r < counts[i]; r++)
         w32(&b, 0), w32(&b, 0), w32(&b, 16), w32(&b, 16);
      char want[160];
      snprintf(want, sizeof(want),
               "refused: vkCmdSetScissor: %u+%u past the device's maxViewports (16)", firsts[i],
               counts[i]);
      if (i < 3)
         expect(ctx, &b, want);
      else
         PASSED(ctx, &b, "vkCmdSetScissor");
   }
   /* a command buffer of an unknown device: nothing fits */
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER))->pd = NULL;
   struct buf b = {0};
   w32(&b, cmd("vkCmdSetScissor")), w32(&b, 0), w64(&b, PRIMARY), w32(&b, 0), w32(&b, 1);
   w64(&b, 1), w32(&b, 0), w32(&b, 0), w32(&b, 16), w32(&b, 16);
   REFUSED(ctx, &b, "vkCmdSetScissor: 0+1 past the device's maxViewports (0)");
}

static void
vertex_bindings_past_limit(void **state)
{
   (void)state;
   struct pv_context *ctx = limited_cmdbuf();
   add_object(ctx, VK_OBJECT_TYPE_BUFFER, RENDER_PASS + 7);
   struct buf b = {0};
   w32(&b, cmd("vkCmdBindVertexBuffers")), w32(&b, 0), w64(&b, PRIMARY), w32(&b, 31), w32(&b, 2);
   w64(&b, 2), w64(&b, RENDER_PASS + 7), w64(&b, RENDER_PASS + 7), w64(&b, 2), w64(&b, 0);
   w64(&b, 0);
   REFUSED(ctx, &b, "vkCmdBindVertexBuffers: 31+2 past the device's maxVertexInputBindings (32)");
}

/* An indexed query's stream: llvmpipe reads per-stream counters at the index. */
static void
query_stream_past_limit(void **state)
{
   (void)state;
   limits_pd.max_xfb_streams = 4;
   struct {
      VkQueryType type;
      uint32_t index;
      const char *why;
   } cases[] = {
      {VK_QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM_EXT, 4,
       "vkCmdBeginQueryIndexedEXT: 4+1 past the device's maxTransformFeedbackStreams (4)"},
      {VK_QUERY_TYPE_PIPELINE_STATISTICS, 1,
       "vkCmdBeginQueryIndexedEXT: index 1 of a query type without streams"},
      {VK_QUERY_TYPE_TRANSFORM_FEEDBACK_STREAM_EXT, 3, NULL},
      {VK_QUERY_TYPE_OCCLUSION, 0, NULL},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = limited_cmdbuf();
      struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_QUERY_POOL, RENDER_PASS + 8);
      struct pv_vk_query_pool *q = calloc(1, sizeof(*q));
      assert_non_null(q);
      *q = (struct pv_vk_query_pool){.type = cases[i].type, .count = 2, .values = 1};
      o->data = q;
      o->free_data = pv_vk_state_free;
      struct buf b = {0};
      w32(&b, cmd("vkCmdBeginQueryIndexedEXT")), w32(&b, 0), w64(&b, PRIMARY);
      w64(&b, RENDER_PASS + 8), w32(&b, 1), w32(&b, 0), w32(&b, cases[i].index);
      char want[160];
      snprintf(want, sizeof(want), "refused: %s", cases[i].why);
      if (cases[i].why)
         expect(ctx, &b, want);
      else
         PASSED(ctx, &b, "vkCmdBeginQueryIndexedEXT");
   }
}

/* ----- queries against the views of multiview (guard_query.c) ------------------------------ */

enum { POOL = 0x900 };

/* A query pool of `count` occlusion queries. */
static void
add_pool_of(struct pv_context *ctx, uint32_t count, VkQueryType type)
{
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_QUERY_POOL, POOL);
   struct pv_vk_query_pool *q = calloc(1, sizeof(*q));
   assert_non_null(q);
   *q = (struct pv_vk_query_pool){.type = type, .count = count, .values = 1};
   o->data = q;
   o->free_data = pv_vk_state_free;
}

static void
add_pool(struct pv_context *ctx, uint32_t count)
{
   add_pool_of(ctx, count, VK_QUERY_TYPE_OCCLUSION);
}

/* Query `query` of POOL begun (or written) by each command that takes one per view. */
static const char *const view_query_cmds[] = {"vkCmdBeginQuery", "vkCmdBeginQueryIndexedEXT",
                                              "vkCmdWriteTimestamp", "vkCmdWriteTimestamp2"};

static void
enc_view_query(struct buf *b, const char *name, uint64_t cb, uint32_t query)
{
   w32(b, cmd(name)), w32(b, 0), w64(b, cb);
   if (!strcmp(name, "vkCmdWriteTimestamp"))
      w32(b, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT), w64(b, POOL), w32(b, query);
   else if (!strcmp(name, "vkCmdWriteTimestamp2"))
      w64(b, VK_PIPELINE_STAGE_2_BOTTOM_OF_PIPE_BIT), w64(b, POOL), w32(b, query);
   else if (!strcmp(name, "vkCmdBeginQuery"))
      w64(b, POOL), w32(b, query), w32(b, 0);
   else
      w64(b, POOL), w32(b, query), w32(b, 0), w32(b, 0); /* flags, index */
}

/* vkCmdBeginRendering with no attachments and view mask `mask`. */
static void
enc_begin_rendering_views(struct buf *b, uint64_t cb, uint32_t mask)
{
   w32(b, cmd("vkCmdBeginRendering")), w32(b, 0), w64(b, cb), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_RENDERING_INFO), w64(b, 0), w32(b, 0);
   w32(b, 0), w32(b, 0), w32(b, 64), w32(b, 64); /* renderArea */
   w32(b, 1), w32(b, mask), w32(b, 0);           /* layerCount, viewMask, colors */
   w64(b, 0), w64(b, 0), w64(b, 0);
}

/*
 * Inside a render pass instance of 6 views (VUID-vkCmdBeginQuery-query-00808 and the like:
 * lavapipe 25 begins queries query..query+5) a query needs 6 of the pool from it: 1 query and
 * 6 queries from query 1 of 6 are refused, 6 from 0 pass; without views 1 query passes.
 */
static void
queries_inside_multiview(void **state)
{
   (void)state;
   const struct {
      uint8_t views;
      uint32_t count, query;
      const char *refused; /* after the command's name */
   } cases[] = {
      {6, 1, 0, "queries 0+6 outside the pool (1)"},
      {6, 6, 1, "queries 1+6 outside the pool (6)"},
      {6, 6, 0, NULL},
      {0, 1, 0, NULL},
   };
   for (size_t k = 0; k < 4; k++)
      for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
         struct pv_context *ctx = fresh_context();
         add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING,
                    k % 2 ? PV_PASS_RENDERING : PV_PASS_RENDER_PASS, 0)
            ->views = cases[i].views;
         /* timestamps into a timestamp pool, begins into an occlusion pool */
         add_pool_of(ctx, cases[i].count,
                     k >= 2 ? VK_QUERY_TYPE_TIMESTAMP : VK_QUERY_TYPE_OCCLUSION);
         struct buf b = {0};
         enc_view_query(&b, view_query_cmds[k], PRIMARY, cases[i].query);
         char want[160];
         if (cases[i].refused)
            snprintf(want, sizeof(want), "refused: %s: %s", view_query_cmds[k], cases[i].refused);
         else
            snprintf(want, sizeof(want), "host driver lacks %s", view_query_cmds[k]);
         expect(ctx, &b, want);
      }
}

/* A recording primary with query 1 of a POOL of 4 occlusion queries active (begun with one
 * view), and that scope for the caller to change. */
static struct pv_vk_cmd_scope *
query_active(struct pv_context **out)
{
   struct pv_context *ctx = fresh_context();
   struct pv_vk_cmd_scope *s =
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   add_pool(ctx, 4);
   const struct pv_vk_query_pool *q = pv_object_find(ctx, POOL, VK_OBJECT_TYPE_QUERY_POOL)->data;
   s->active[s->active_count++] = (struct pv_vk_active_query){q, 1, 1, 0, VK_QUERY_TYPE_OCCLUSION};
   *out = ctx;
   return s;
}

/* lavapipe crashed ending a query never begun and wrote into one freed while active
 * (src/vk/guard_query.c): each command buffer tracks what it has begun. */
static void
queries_tracked(void **state)
{
   (void)state;
   struct pv_context *ctx;
   struct buf b = {0};
   query_active(&ctx);
   w32(&b, cmd("vkCmdEndQuery")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, POOL), w32(&b, 2);
   REFUSED(ctx, &b, "vkCmdEndQuery: a query not active in this command buffer (query 2)");
   query_active(&ctx);
   b.n = 0;
   enc_view_query(&b, "vkCmdBeginQuery", PRIMARY, 1);
   REFUSED(ctx, &b, "vkCmdBeginQuery: a query already active (query 1)");
   query_active(&ctx);
   b.n = 0;
   enc_view_query(&b, "vkCmdBeginQuery", PRIMARY, 3);
   REFUSED(ctx, &b, "vkCmdBeginQuery: a query of a type already active (query 3)");
   query_active(&ctx);
   b.n = 0;
   w32(&b, cmd("vkCmdResetQueryPool")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, POOL);
   w32(&b, 0), w32(&b, 2);
   REFUSED(ctx, &b, "vkCmdResetQueryPool: queries 0..1 hold an active query");
   query_active(&ctx);
   b.n = 0;
   enc_plain(&b, "vkEndCommandBuffer", PRIMARY);
   REFUSED(ctx, &b, "vkEndCommandBuffer: a query still active (guard_query.c)");
   query_active(&ctx)->active[0].views = 2; /* begun in a multiview instance, ended outside */
   b.n = 0;
   w32(&b, cmd("vkCmdEndQuery")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, POOL), w32(&b, 1);
   REFUSED(ctx, &b,
           "vkCmdEndQuery: a query begun with another view mask (the host ends one per "
           "view) (query 1)");
   query_active(&ctx);
   b.n = 0;
   w32(&b, cmd("vkCmdEndQuery")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, POOL), w32(&b, 1);
   PASSED(ctx, &b, "vkCmdEndQuery");
}

/* Runs `b`, whose last command passes every check (the pass-through then loses the context). */
static void
run_passing(struct pv_context *ctx, const struct buf *b)
{
   pv_context_submit(ctx, b->b, b->n);
   assert_non_null(strstr(pv_context_lost_reason(ctx), "host driver lacks"));
}

/* The view count comes from the commands: vkCmdBeginRendering's view mask, a subpass's (as
 * vkCmdNextSubpass enters it), kept after the instance ends, where a host that keeps it counts
 * it for queries outside too. */
static void
query_views_tracked(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   struct pv_vk_cmd_scope *s =
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
   struct buf b = {0};
   enc_begin_rendering_views(&b, PRIMARY, 0x3f);
   run_passing(ctx, &b);
   assert_int_equal(s->views, 6);
   pv_context_destroy(ctx);
   /* past maxMultiviewViewCount (VUID-VkRenderingInfo-viewMask-06128) */
   ctx = limited_cmdbuf();
   b.n = 0;
   enc_begin_rendering_views(&b, PRIMARY, 0x41);
   REFUSED(ctx, &b, "vkCmdBeginRendering: 0+7 past the device's maxMultiviewViewCount (6)");
   /* vkCmdNextSubpass into a subpass of view mask 0x5 */
   ctx = fresh_context();
   s = add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDER_PASS, 0);
   struct pv_object *rp = add_render_pass(ctx, 2);
   ((struct pv_vk_render_pass *)rp->data)->view_masks[1] = 0x5;
   s->subpasses = 2, s->pass_id = rp->id, s->pass_serial = rp->serial, s->views = 6;
   b.n = 0;
   enc_next_subpass(&b, PRIMARY);
   run_passing(ctx, &b);
   assert_int_equal(s->views, 2);
   pv_context_destroy(ctx);
   /* vkCmdEndRendering keeps the views */
   ctx = fresh_context();
   s = add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING, 0);
   s->views = 6;
   b.n = 0;
   enc_plain(&b, "vkCmdEndRendering", PRIMARY);
   run_passing(ctx, &b);
   assert_int_equal(s->pass, PV_PASS_NONE);
   assert_int_equal(s->views, 6);
   pv_context_destroy(ctx);
   /* a query after it: refused where the host keeps the view mask */
   for (int keeps = 0; keeps < 2; keeps++) {
      limits_pd.queries_keep_views = keeps;
      ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0)->views = 6;
      add_pool(ctx, 1);
      b.n = 0;
      enc_view_query(&b, "vkCmdBeginQuery", PRIMARY, 0);
      if (keeps)
         REFUSED(ctx, &b, "vkCmdBeginQuery: queries 0+6 outside the pool (1)");
      else
         PASSED(ctx, &b, "vkCmdBeginQuery");
   }
   limits_pd.queries_keep_views = false;
}

/* A secondary's query takes the views it is executed with: recorded, it keeps the room its
 * pool has left, and a primary inside 6 views executes it only with room for 6. */
static void
secondary_query_views(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   struct pv_vk_cmd_scope *s =
      add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_RECORDING, PV_PASS_INHERITED, 0);
   add_pool(ctx, 4);
   struct buf b = {0};
   enc_view_query(&b, "vkCmdBeginQuery", SECONDARY, 1);
   run_passing(ctx, &b);
   assert_int_equal(s->query_room, 3);
   pv_context_destroy(ctx);
   for (uint32_t room = 5; room < 7; room++) {
      ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING, 0)->views = 6;
      struct pv_vk_cmd_scope *sec =
         add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_EXECUTABLE, PV_PASS_INHERITED, 0);
      sec->query_room = room;
      b.n = 0;
      enc_execute(&b, PRIMARY, SECONDARY);
      if (room < 6)
         REFUSED(ctx, &b,
                 "vkCmdExecuteCommands: command buffer 0 begins or writes a query with "
                 "fewer queries left in its pool than the views it is executed with");
      else
         PASSED(ctx, &b, "vkCmdExecuteCommands");
   }
}

/* An indexed draw with no index buffer bound: lavapipe divides by the missing buffer's size. */
static void
draw_indexed_without_index_buffer(void **state)
{
   (void)state;
   for (int bound = 0; bound < 2; bound++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING,
                 1u << PV_BIND_GRAPHICS)
         ->index_bound = bound;
      struct buf b = {0};
      w32(&b, cmd("vkCmdDrawIndexed")), w32(&b, 0), w64(&b, PRIMARY), w32(&b, 3), w32(&b, 1);
      w32(&b, 0), w32(&b, 0), w32(&b, 0);
      if (bound)
         PASSED(ctx, &b, "vkCmdDrawIndexed");
      else
         REFUSED(ctx, &b, "vkCmdDrawIndexed: no index buffer bound in this command buffer");
   }
}

/* ----- transform feedback and tessellation (guard_buffer.c, guard_limits.c) ---------------- */

enum { XFB_BUF = 0x900, XFB_SMALL = 0x901, XFB_UNBOUND = 0x902, XFB_MEM = 0x903, XFB_POOL = 0x904 };

static struct pv_vk_buffer *
pv_vk_buffer_of_test(struct pv_context *ctx, uint64_t id)
{
   struct pv_object *o = pv_object_find(ctx, id, VK_OBJECT_TYPE_BUFFER);
   assert_non_null(o);
   return o->data;
}

/* A buffer of `size` bytes, bound to live memory (as vkBindBufferMemory leaves it) or not. */
static void
add_buffer(struct pv_context *ctx, uint64_t id, uint64_t size, bool bound)
{
   struct pv_object *m = pv_object_find(ctx, XFB_MEM, VK_OBJECT_TYPE_DEVICE_MEMORY);
   if (!m)
      m = add_object(ctx, VK_OBJECT_TYPE_DEVICE_MEMORY, XFB_MEM);
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_BUFFER, id);
   struct pv_vk_buffer *b = calloc(1, sizeof(*b));
   assert_non_null(b);
   *b = (struct pv_vk_buffer){.size = size, .bound = bound, .memory = {m->id, m->serial}};
   o->data = b;
   o->free_data = pv_vk_state_free;
}

/* vkQueueBindSparse of one bind of `size` bytes at `offset` of buffer XFB_BUF, no memory (an
 * unbind). */
static void
enc_bind_sparse(struct buf *b, uint64_t offset, uint64_t size)
{
   w32(b, cmd("vkQueueBindSparse")), w32(b, 0), w64(b, QUEUE), w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_BIND_SPARSE_INFO), w64(b, 0), w32(b, 0), w64(b, 0);
   w32(b, 1), w64(b, 1), w64(b, XFB_BUF), w32(b, 1), w64(b, 1); /* one buffer, one bind */
   w64(b, offset), w64(b, size), w64(b, 0), w64(b, 0), w32(b, 0);
   w32(b, 0), w64(b, 0), w32(b, 0), w64(b, 0); /* no image binds */
   w32(b, 0), w64(b, 0);                       /* no signals */
   w64(b, 0);                                  /* no fence */
}

/* A sparse bind inside its buffer passes; one past it, or of a buffer not made sparse, is
 * refused (VkSparseMemoryBind VUIDs resourceOffset-01099, size-01100). */
static void
sparse_binds_inside(void **state)
{
   (void)state;
   const struct {
      bool sparse;
      uint64_t offset, size;
      const char *refusal;
   } cases[] = {
      {true, 0, 4096, NULL},
      {true, 8192, 4096, "vkQueueBindSparse: 4096 bytes at 8192 outside the buffer (8192 bytes)"},
      {true, 4096, 8192, "vkQueueBindSparse: 8192 bytes at 4096 outside the buffer (8192 bytes)"},
      {false, 0, 4096, "vkQueueBindSparse: a buffer not made sparse"},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_object(ctx, VK_OBJECT_TYPE_QUEUE, QUEUE);
      add_buffer(ctx, XFB_BUF, 8192, false);
      pv_vk_buffer_of_test(ctx, XFB_BUF)->sparse = cases[i].sparse;
      struct buf b = {0};
      enc_bind_sparse(&b, cases[i].offset, cases[i].size);
      if (cases[i].refusal) {
         char want[200];
         snprintf(want, sizeof(want), "refused: %s", cases[i].refusal);
         expect(ctx, &b, want);
      } else {
         PASSED(ctx, &b, "vkQueueBindSparse");
      }
   }
}

/* VK_INDEX_TYPE_NONE_KHR has no index size (VUID-vkCmdBindIndexBuffer-indexType-08786), which
 * lavapipe divides by at the next indexed draw: refused on every host (the same check guards
 * vkCmdBindIndexBuffer2KHR, a wire-1 command); the other types pass. */
static void
index_type_none(void **state)
{
   (void)state;
   for (int none = 0; none < 2; none++) {
      struct pv_context *ctx = limited_cmdbuf();
      struct buf b = {0};
      w32(&b, cmd("vkCmdBindIndexBuffer")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, 0), w64(&b, 0);
      w32(&b, none ? VK_INDEX_TYPE_NONE_KHR : VK_INDEX_TYPE_UINT16);
      if (none)
         REFUSED(ctx, &b,
                 "vkCmdBindIndexBuffer: index type VK_INDEX_TYPE_NONE_KHR (no index size)");
      else
         PASSED(ctx, &b, "vkCmdBindIndexBuffer");
   }
}

/* llvmpipe fetches vertices at 32-bit offsets it adds sign-extended: from 2^31 on a fetch read
 * 4 GiB below its buffer. On such a host a vertex buffer over 2^31 bytes is refused; one of
 * 2^31 passes, and so does the larger one on another host. */
static void
vertex_buffer_past_int(void **state)
{
   (void)state;
   const uint64_t sizes[] = {(UINT64_C(1) << 31) + 4096, UINT64_C(1) << 31};
   for (int host = 0; host < 2; host++)
      for (size_t i = 0; i < 2; i++) {
         limits_pd.fetches_vertices_int32 = host;
         struct pv_context *ctx = limited_cmdbuf();
         add_buffer(ctx, XFB_BUF, sizes[i], true);
         struct buf b = {0};
         w32(&b, cmd("vkCmdBindVertexBuffers")), w32(&b, 0), w64(&b, PRIMARY), w32(&b, 0);
         w32(&b, 1), w64(&b, 1), w64(&b, XFB_BUF), w64(&b, 1), w64(&b, 0);
         if (host && i == 0)
            REFUSED(ctx, &b,
                    "vkCmdBindVertexBuffers: a vertex buffer of 2147487744 bytes (this host "
                    "fetches vertices at 32-bit signed offsets: at most 2^31 bytes)");
         else
            PASSED(ctx, &b, "vkCmdBindVertexBuffers");
      }
   limits_pd.fetches_vertices_int32 = false;
}

/* The wire-1 type of a command (vkCmdSetVertexInputEXT is not in wire format 0). */
static uint32_t
cmd_wire1(const char *name)
{
   const struct pv_protocol_table *t = pv_protocol_table_get("wire1");
   for (uint32_t i = 0; i < t->count; i++)
      if (t->entries[i].name && !strcmp(t->entries[i].name, name))
         return i;
   fail_msg("wire1 has no %s", name);
   return 0;
}

/* vkCmdSetVertexInputEXT (wire format 1): every attribute's binding described in the same call
 * (VUID-vkCmdSetVertexInputEXT-binding-04793); lavapipe 22.3 read the missing description's
 * stride through NULL on its queue thread. Attribute of binding 1 with only binding 0
 * described: refused; with binding 1 described: passes. */
static void
vertex_input_described(void **state)
{
   (void)state;
   const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                             .wire_format = 1};
   struct pv_renderer *r1 = pv_renderer_create(&config);
   assert_non_null(r1);
   for (uint32_t described = 0; described < 2; described++) {
      struct pv_context *ctx = pv_context_create(r1, PV_CAPSET_VENUS, "scope-wire1");
      assert_non_null(ctx);
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
      struct buf b = {0};
      w32(&b, cmd_wire1("vkCmdSetVertexInputEXT")), w32(&b, 0), w64(&b, PRIMARY);
      w32(&b, 1), w64(&b, 1); /* one binding description */
      w32(&b, VK_STRUCTURE_TYPE_VERTEX_INPUT_BINDING_DESCRIPTION_2_EXT), w64(&b, 0);
      w32(&b, described), w32(&b, 16), w32(&b, VK_VERTEX_INPUT_RATE_VERTEX), w32(&b, 1);
      w32(&b, 1), w64(&b, 1); /* one attribute, of binding 1 */
      w32(&b, VK_STRUCTURE_TYPE_VERTEX_INPUT_ATTRIBUTE_DESCRIPTION_2_EXT), w64(&b, 0);
      w32(&b, 0), w32(&b, 1), w32(&b, VK_FORMAT_R32G32B32A32_SFLOAT), w32(&b, 0);
      if (described)
         PASSED(ctx, &b, "vkCmdSetVertexInputEXT");
      else
         REFUSED(ctx, &b,
                 "vkCmdSetVertexInputEXT: an attribute whose binding has no binding "
                 "description");
   }
   pv_renderer_destroy(r1);
}

/* The setters of extended_dynamic_state2/3 (and vertex input, color write enable) need their
 * feature on the command buffer's device (VUID-vkCmdSet*-None-09423 and the like): lavapipe's
 * vkCmdSetColorBlendAdvancedEXT is Mesa's unreachable() body. Each is refused on a device
 * without it and passes with it; another feature does not stand in for it. */
static void
setters_need_features(void **state)
{
   (void)state;
   const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                             .wire_format = 1};
   struct pv_renderer *r1 = pv_renderer_create(&config);
   assert_non_null(r1);
   static const struct {
      const char *name;
      enum pv_feature feature;
      const char *feature_name;
   } setters[] = {
      {"vkCmdSetColorBlendAdvancedEXT", PV_FEATURE_COLOR_BLEND_ADVANCED,
       "extendedDynamicState3ColorBlendAdvanced"},
      {"vkCmdSetDepthClampEnableEXT", PV_FEATURE_DEPTH_CLAMP_ENABLE,
       "extendedDynamicState3DepthClampEnable"},
      {"vkCmdSetRasterizationStreamEXT", PV_FEATURE_RASTERIZATION_STREAM,
       "extendedDynamicState3RasterizationStream"},
      {"vkCmdSetLogicOpEXT", PV_FEATURE_LOGIC_OP, "extendedDynamicState2LogicOp"},
      {"vkCmdSetPatchControlPointsEXT", PV_FEATURE_PATCH_CONTROL_POINTS,
       "extendedDynamicState2PatchControlPoints"},
   };
   for (size_t i = 0; i < sizeof(setters) / sizeof(setters[0]); i++)
      for (int enabled = 0; enabled < 2; enabled++) {
         struct pv_context *ctx = pv_context_create(r1, PV_CAPSET_VENUS, "scope-wire1");
         assert_non_null(ctx);
         add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
         pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER))->features =
            enabled ? PV_FEATURE(setters[i].feature) : ~PV_FEATURE(setters[i].feature);
         struct buf b = {0};
         w32(&b, cmd_wire1(setters[i].name)), w32(&b, 0), w64(&b, PRIMARY);
         if (setters[i].feature == PV_FEATURE_COLOR_BLEND_ADVANCED) {
            w32(&b, 0), w32(&b, 1), w64(&b, 1); /* attachment 0, one VkColorBlendAdvancedEXT */
            w32(&b, VK_BLEND_OP_MULTIPLY_EXT), w32(&b, 1), w32(&b, 1);
            w32(&b, VK_BLEND_OVERLAP_UNCORRELATED_EXT), w32(&b, 0);
         } else {
            w32(&b, setters[i].feature == PV_FEATURE_PATCH_CONTROL_POINTS ? 3 : 0);
         }
         char want[200];
         if (enabled)
            snprintf(want, sizeof(want), "host driver lacks %s", setters[i].name);
         else
            snprintf(want, sizeof(want), "refused: %s: its device was created without %s",
                     setters[i].name, setters[i].feature_name);
         expect(ctx, &b, want);
      }
   /* the device's chain decides: only VK_TRUE members count */
   VkPhysicalDeviceExtendedDynamicState3FeaturesEXT eds3 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_3_FEATURES_EXT,
      .extendedDynamicState3ColorBlendEnable = VK_TRUE};
   VkPhysicalDeviceExtendedDynamicState2FeaturesEXT eds2 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_2_FEATURES_EXT,
      .pNext = &eds3,
      .extendedDynamicState2PatchControlPoints = VK_TRUE};
   VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = &eds2};
   assert_int_equal(pv_vk_gated_features(&dci), PV_FEATURE(PV_FEATURE_COLOR_BLEND_ENABLE) |
                                                   PV_FEATURE(PV_FEATURE_PATCH_CONTROL_POINTS));
   /* core features: from pEnabledFeatures, or from VkPhysicalDeviceFeatures2 in the chain */
   VkPhysicalDeviceFeatures core = {.geometryShader = VK_TRUE};
   VkDeviceCreateInfo plain = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                               .pEnabledFeatures = &core};
   assert_int_equal(pv_vk_gated_features(&plain), PV_FEATURE(PV_FEATURE_GEOMETRY_SHADER));
   VkPhysicalDeviceFeatures2 f2 = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                   .features = {.tessellationShader = VK_TRUE}};
   VkDeviceCreateInfo chained = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, .pNext = &f2};
   assert_int_equal(pv_vk_gated_features(&chained), PV_FEATURE(PV_FEATURE_TESSELLATION_SHADER));
   VkDeviceCreateInfo none = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
   assert_int_equal(pv_vk_gated_features(&none), 0);
   pv_renderer_destroy(r1);
}

/* A SRC1 blend factor past color attachment 0 on a host that blends a second source on
 * attachment 0 only (lavapipe: its fragment compile read NULL): vkCmdSetColorBlendEquationEXT
 * (wire 1) is refused there for attachment 1, passes for attachment 0 and on other hosts; a
 * pipeline's blend state likewise where blending is enabled (or dynamic), not where it is off
 * or the equation is dynamic. */
static void
dual_source_past_rt0(void **state)
{
   (void)state;
   const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                             .wire_format = 1};
   struct pv_renderer *r1 = pv_renderer_create(&config);
   assert_non_null(r1);
   for (int host = 0; host < 2; host++)
      for (uint32_t first = 0; first < 2; first++) {
         limits_pd.dual_source_rt0_only = host;
         struct pv_context *ctx = pv_context_create(r1, PV_CAPSET_VENUS, "scope-wire1");
         assert_non_null(ctx);
         add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
         struct buf b = {0};
         w32(&b, cmd_wire1("vkCmdSetColorBlendEquationEXT")), w32(&b, 0), w64(&b, PRIMARY);
         w32(&b, first), w32(&b, 1), w64(&b, 1);
         w32(&b, VK_BLEND_FACTOR_SRC1_COLOR), w32(&b, VK_BLEND_FACTOR_ONE_MINUS_SRC1_COLOR);
         w32(&b, VK_BLEND_OP_ADD), w32(&b, VK_BLEND_FACTOR_ONE), w32(&b, VK_BLEND_FACTOR_ZERO);
         w32(&b, VK_BLEND_OP_ADD);
         if (host && first)
            REFUSED(ctx, &b,
                    "vkCmdSetColorBlendEquationEXT: a dual-source (SRC1) blend factor past "
                    "color attachment 0 (this host blends a second source on attachment 0 only)");
         else
            PASSED(ctx, &b, "vkCmdSetColorBlendEquationEXT");
      }
   limits_pd.dual_source_rt0_only = true;
   VkPipelineColorBlendAttachmentState att[2] = {
      {.blendEnable = VK_TRUE,
       .srcColorBlendFactor = VK_BLEND_FACTOR_SRC1_COLOR,
       .dstColorBlendFactor = VK_BLEND_FACTOR_ONE_MINUS_SRC1_ALPHA},
      {.blendEnable = VK_FALSE, .srcAlphaBlendFactor = VK_BLEND_FACTOR_SRC1_ALPHA}};
   VkPipelineColorBlendStateCreateInfo cb = {
      .sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO,
      .attachmentCount = 2,
      .pAttachments = att};
   VkDynamicState dyn = VK_DYNAMIC_STATE_COLOR_BLEND_ENABLE_EXT;
   VkPipelineDynamicStateCreateInfo ds = {.sType =
                                             VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO,
                                          .dynamicStateCount = 1,
                                          .pDynamicStates = &dyn};
   VkGraphicsPipelineCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO,
                                      .pColorBlendState = &cb};
   /* attachment 0 may blend two sources; attachment 1's SRC1 factor with blending off passes */
   assert_null(pv_vk_pipeline_dual_source_violation(&limits_pd, &ci));
   att[1].blendEnable = VK_TRUE;
   assert_non_null(pv_vk_pipeline_dual_source_violation(&limits_pd, &ci));
   att[1].blendEnable = VK_FALSE, ci.pDynamicState = &ds; /* enable is dynamic */
   assert_non_null(pv_vk_pipeline_dual_source_violation(&limits_pd, &ci));
   dyn = VK_DYNAMIC_STATE_COLOR_BLEND_EQUATION_EXT; /* the factors are the command's */
   att[1].blendEnable = VK_TRUE;
   assert_null(pv_vk_pipeline_dual_source_violation(&limits_pd, &ci));
   limits_pd.dual_source_rt0_only = false; /* another host */
   dyn = VK_DYNAMIC_STATE_COLOR_BLEND_ENABLE_EXT;
   assert_null(pv_vk_pipeline_dual_source_violation(&limits_pd, &ci));
   limits_pd.dual_source_rt0_only = false;
   pv_renderer_destroy(r1);
}

/* vkCmdCopyQueryPoolResults WITH_AVAILABILITY on a host that zeroes a never-begun query's
 * record as `stride` bytes in an int (lavapipe, pv_vk_physdev.zeroes_query_stride): a stride past
 * INT32_MAX over more than one query is refused there (its records before the last would take
 * it); one query of that stride is made with its result bytes as the stride (two host calls of
 * our own: the first reaches the missing entry point here), and other hosts take both. */
static void
query_copy_stride(void **state)
{
   (void)state;
   const uint64_t big = (uint64_t)1 << 31;
   for (int zeroes = 0; zeroes < 2; zeroes++)
      for (uint32_t count = 1; count <= 2; count++) {
         limits_pd.zeroes_query_stride = zeroes;
         struct pv_context *ctx = limited_cmdbuf();
         add_pool(ctx, 4);
         add_buffer(ctx, XFB_SMALL, (uint64_t)8 << 30, true);
         struct buf b = {0};
         w32(&b, cmd("vkCmdCopyQueryPoolResults")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, POOL);
         w32(&b, 0), w32(&b, count), w64(&b, XFB_SMALL), w64(&b, 0), w64(&b, big);
         w32(&b, VK_QUERY_RESULT_WITH_AVAILABILITY_BIT);
         if (zeroes && count == 2)
            REFUSED(ctx, &b,
                    "vkCmdCopyQueryPoolResults: a stride of 2147483648 with "
                    "availability over 2 queries (this host zeroes a stride a query, in "
                    "an int)");
         else
            PASSED(ctx, &b, "vkCmdCopyQueryPoolResults");
      }
   limits_pd.zeroes_query_stride = false;
}

/* A recording primary inside a render pass instance with a graphics pipeline bound, and the
 * buffers: 256 bytes, 2 bytes, 256 bytes never bound. */
static struct pv_context *
xfb_context(void)
{
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING, 1u << PV_BIND_GRAPHICS);
   add_buffer(ctx, XFB_BUF, 256, true);
   add_buffer(ctx, XFB_SMALL, 2, true);
   add_buffer(ctx, XFB_UNBOUND, 256, false);
   return ctx;
}

#define NO_SIZES (~0ull - 1) /* enc_bind_xfb: pSizes absent */

static void
enc_bind_xfb(struct buf *b, uint32_t first, uint64_t buffer, uint64_t offset, uint64_t size)
{
   w32(b, cmd("vkCmdBindTransformFeedbackBuffersEXT")), w32(b, 0), w64(b, PRIMARY);
   w32(b, first), w32(b, 1);                             /* firstBinding, bindingCount */
   w64(b, 1), w64(b, buffer), w64(b, 1), w64(b, offset); /* pBuffers, pOffsets */
   if (size == NO_SIZES)
      w64(b, 0);
   else
      w64(b, 1), w64(b, size);
}

/* Each binding's offset 4-aligned and inside its buffer, offset + size (or the rest of the
 * buffer) inside it, the buffer bound: llvmpipe writes vertex outputs at buffer + offset up to
 * the size (a 256-byte buffer bound with size 0x1000000 or offset 2^31 wrote past it). */
static void
xfb_bind_ranges(void **state)
{
   (void)state;
   struct {
      uint32_t first;
      uint64_t buffer, offset, size;
      const char *why;
   } cases[] = {
      {0, XFB_BUF, 0, 0x1000000, "range 0x0+0x1000000 outside the buffer (0x100 bytes)"},
      {0, XFB_BUF, 1ull << 31, 4, "offset 0x80000000 outside the buffer (0x100 bytes)"},
      {0, XFB_BUF, 0x200, VK_WHOLE_SIZE, "offset 0x200 outside the buffer (0x100 bytes)"},
      {0, XFB_BUF, 0x200, NO_SIZES, "offset 0x200 outside the buffer (0x100 bytes)"},
      {0, XFB_BUF, 0x100, 0, "offset 0x100 outside the buffer (0x100 bytes)"},
      {0, XFB_BUF, 0xfc, 8, "range 0xfc+0x8 outside the buffer (0x100 bytes)"},
      {0, XFB_BUF, 2, 4, "offset 0x2 not a multiple of 4"},
      {0, XFB_UNBOUND, 0, 4, "buffer not bound to live memory"},
      {4, XFB_BUF, 0, 4, "4+1 past the device's maxTransformFeedbackBuffers (4)"},
      {0, XFB_BUF, 0, 0x100, NULL},
      {3, XFB_BUF, 0xfc, 4, NULL},
      {0, XFB_BUF, 0x80, VK_WHOLE_SIZE, NULL},
      {0, XFB_BUF, 0x10, NO_SIZES, NULL},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct buf b = {0};
      enc_bind_xfb(&b, cases[i].first, cases[i].buffer, cases[i].offset, cases[i].size);
      char want[200];
      snprintf(want, sizeof(want), "refused: vkCmdBindTransformFeedbackBuffersEXT: %s",
               cases[i].why);
      if (cases[i].why)
         expect(xfb_context(), &b, want);
      else
         PASSED(xfb_context(), &b, "vkCmdBindTransformFeedbackBuffersEXT");
   }
}

/* One counter buffer (none when `buffer` is NO_SIZES), its offset (offsets absent when `offset`
 * is NO_SIZES). */
static void
enc_xfb_counters(struct buf *b, const char *name, uint64_t buffer, uint64_t offset)
{
   w32(b, cmd(name)), w32(b, 0), w64(b, PRIMARY), w32(b, 0), w32(b, 1);
   if (buffer == NO_SIZES)
      w64(b, 0);
   else
      w64(b, 1), w64(b, buffer);
   if (offset == NO_SIZES)
      w64(b, 0);
   else
      w64(b, 1), w64(b, offset);
}

/* Begin reads, end writes, the 32-bit counter at each counter buffer's offset (0 without
 * offsets): the word inside its buffer; VK_NULL_HANDLE entries and absent buffers have none. */
static void
xfb_counter_ranges(void **state)
{
   (void)state;
   static const char *const names[] = {"vkCmdBeginTransformFeedbackEXT",
                                       "vkCmdEndTransformFeedbackEXT"};
   struct {
      uint64_t buffer, offset;
      const char *why;
   } cases[] = {
      {XFB_BUF, 0xfd, "range 0xfd+0x4 outside the buffer (0x100 bytes)"},
      {XFB_BUF, 0x100, "range 0x100+0x4 outside the buffer (0x100 bytes)"},
      {XFB_BUF, 1ull << 40, "range 0x10000000000+0x4 outside the buffer (0x100 bytes)"},
      {XFB_SMALL, NO_SIZES, "range 0x0+0x4 outside the buffer (0x2 bytes)"},
      {XFB_UNBOUND, 0, "buffer not bound to live memory"},
      {XFB_BUF, 0xfc, NULL},
      {XFB_BUF, NO_SIZES, NULL},
      {0, 1ull << 40, NULL},
      {NO_SIZES, NO_SIZES, NULL},
   };
   for (size_t n = 0; n < 2; n++)
      for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
         struct buf b = {0};
         enc_xfb_counters(&b, names[n], cases[i].buffer, cases[i].offset);
         char want[200];
         snprintf(want, sizeof(want), cases[i].why ? "refused: %s: %s" : "host driver lacks %s",
                  names[n], cases[i].why);
         expect(xfb_context(), &b, want);
      }
}

/* lavapipe's begin takes the counter's word (guest memory) as llvmpipe's write offset under a
 * 32-bit bound that wraps: there a begin with counter buffers reads the device's own slots,
 * filled and copied into first (xfb_counters.c: the fill is the first host call the pass-through
 * lacks here), and is refused on a device without them; an end, or a begin without counter
 * buffers, passes as it is. */
static void
xfb_resume_on_lavapipe(void **state)
{
   (void)state;
   static struct pv_vk_physdev lavapipe_pd;
   lavapipe_pd = limits_pd;
   lavapipe_pd.trusts_xfb_counters = true;
   static struct pv_vk_device with_slots = {.xfb_shadow = (VkBuffer)(uintptr_t)0x5107};
   static struct pv_vk_device without = {0};
   const char *names[] = {"vkCmdBeginTransformFeedbackEXT", "vkCmdEndTransformFeedbackEXT"};
   for (size_t n = 0; n < 2; n++)
      for (int slots = 0; slots < 2; slots++)
         for (uint64_t buffer = 0; buffer <= XFB_BUF; buffer += XFB_BUF) {
            struct pv_context *ctx = xfb_context();
            add_object(ctx, VK_OBJECT_TYPE_DEVICE, DEVICE)->data = slots ? &with_slots : &without;
            struct pv_object *pool = add_object(ctx, VK_OBJECT_TYPE_COMMAND_POOL, XFB_POOL);
            pool->parent = DEVICE;
            struct pv_object *cbo = pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER);
            cbo->parent = XFB_POOL;
            pv_vk_cmdbuf_of(cbo)->pd = &lavapipe_pd;
            struct buf b = {0};
            enc_xfb_counters(&b, names[n], buffer, 0xfc);
            if (n == 0 && buffer && !slots)
               REFUSED(ctx, &b,
                       "vkCmdBeginTransformFeedbackEXT: counter buffers on a host that writes at "
                       "their word's offset unchecked (lavapipe), without the device's own copy "
                       "of them");
            else if (n == 0 && buffer)
               PASSED(ctx, &b, "vkCmdFillBuffer");
            else
               expect(ctx, &b, names[n]); /* "host driver lacks vkCmd...TransformFeedbackEXT" */
         }
}

/* lavapipe divides the counter by vertexStride: 1..maxTransformFeedbackBufferDataStride. */
static void
draw_byte_count_stride(void **state)
{
   (void)state;
   const uint32_t strides[] = {0, 513, 0xffffffffu, 1, 512};
   for (size_t i = 0; i < sizeof(strides) / sizeof(strides[0]); i++) {
      struct buf b = {0};
      w32(&b, cmd("vkCmdDrawIndirectByteCountEXT")), w32(&b, 0), w64(&b, PRIMARY);
      w32(&b, 1), w32(&b, 0), w64(&b, XFB_BUF), w64(&b, 0xfc), w32(&b, 0), w32(&b, strides[i]);
      char want[200];
      snprintf(want, sizeof(want),
               "refused: vkCmdDrawIndirectByteCountEXT: vertexStride %u outside 1..512 (the "
               "device's maxTransformFeedbackBufferDataStride)",
               strides[i]);
      if (i < 3)
         expect(xfb_context(), &b, want);
      else
         PASSED(xfb_context(), &b, "vkCmdDrawIndirectByteCountEXT");
   }
   /* a device without transform feedback (or an unknown one) has no legal stride */
   struct pv_context *ctx = xfb_context();
   pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER))->pd = NULL;
   struct buf b = {0};
   w32(&b, cmd("vkCmdDrawIndirectByteCountEXT")), w32(&b, 0), w64(&b, PRIMARY);
   w32(&b, 1), w32(&b, 0), w64(&b, XFB_BUF), w64(&b, 0), w32(&b, 0), w32(&b, 4);
   REFUSED(ctx, &b, "vkCmdDrawIndirectByteCountEXT: vertexStride 4 outside 1..0");
}

/* lavapipe keeps the patch size in 8 bits and llvmpipe fetches that many vertices into an array
 * of 32: 1..maxTessellationPatchSize. */
static void
patch_control_points_set(void **state)
{
   (void)state;
   const uint32_t points[] = {0, 33, 255, 256, 1, 32};
   for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
      struct buf b = {0};
      w32(&b, cmd("vkCmdSetPatchControlPointsEXT")), w32(&b, 0), w64(&b, PRIMARY);
      w32(&b, points[i]);
      char want[200];
      snprintf(want, sizeof(want),
               "refused: vkCmdSetPatchControlPointsEXT: %u outside 1..32 (the device's "
               "maxTessellationPatchSize)",
               points[i]);
      if (i < 4)
         expect(limited_cmdbuf(), &b, want);
      else
         PASSED(limited_cmdbuf(), &b, "vkCmdSetPatchControlPointsEXT");
   }
}

/* A recording primary in a render pass with GFX_PIPE bound for a draw to check: a pipeline that
 * tessellates with a dynamic patch size. */
static struct pv_context *
patch_dynamic_bound(void)
{
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDER_PASS,
              1u << PV_BIND_GRAPHICS);
   add_pipeline(ctx, GFX_PIPE, PV_BIND_GRAPHICS, false);
   struct pv_object *po = pv_object_find(ctx, GFX_PIPE, VK_OBJECT_TYPE_PIPELINE);
   ((struct pv_vk_pipeline *)po->data)->patch_dynamic = true;
   struct pv_vk_cmdbuf *cb =
      pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER));
   cb->bound = calloc(1, sizeof(*cb->bound));
   assert_non_null(cb->bound);
   cb->bound->bp[PV_BIND_GRAPHICS].pipeline = (struct pv_vk_ref){po->id, po->serial};
   return ctx;
}

/* A draw of a pipeline that tessellates with a dynamic patch size needs
 * vkCmdSetPatchControlPointsEXT in its command buffer first: lavapipe's patch size is 0 until
 * then and its draw divides by it. A size passed marks the command buffer and has the next draw
 * check again; with it, the draw passes. */
static void
patch_size_set_before_draw(void **state)
{
   (void)state;
   struct pv_context *ctx = patch_dynamic_bound();
   struct pv_vk_cmdbuf *cb =
      pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER));
   cb->bound->bp[PV_BIND_GRAPHICS].dirty = true;
   struct buf b = {0};
   enc_draw(&b, PRIMARY);
   REFUSED(ctx, &b,
           "vkCmdDraw: the pipeline's patch size is dynamic and was never set in this "
           "command buffer");

   ctx = patch_dynamic_bound();
   cb = pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER));
   b.n = 0;
   w32(&b, cmd("vkCmdSetPatchControlPointsEXT")), w32(&b, 0), w64(&b, PRIMARY), w32(&b, 3);
   pv_context_submit(ctx, b.b, b.n);
   assert_true(cb->scope.patch_size_set);
   assert_true(cb->bound->bp[PV_BIND_GRAPHICS].dirty);
   pv_context_destroy(ctx);

   ctx = patch_dynamic_bound();
   cb = pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER));
   cb->scope.patch_size_set = true;
   cb->bound->bp[PV_BIND_GRAPHICS].dirty = true;
   b.n = 0;
   enc_draw(&b, PRIMARY);
   PASSED(ctx, &b, "vkCmdDraw");
}

/* A recording command buffer (a primary, or a secondary as begun) in a render pass with
 * GFX_PIPE bound: a pipeline without tessellation stages that draws patches when `patch_list`
 * and the command buffer's topology when `dynamic`. */
static struct pv_context *
topology_bound(bool secondary, bool patch_list, bool dynamic)
{
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, PRIMARY, secondary, PV_CMDBUF_RECORDING,
              secondary ? PV_PASS_INHERITED : PV_PASS_RENDER_PASS, 1u << PV_BIND_GRAPHICS)
      ->topology = secondary ? PV_TOPOLOGY_UNKNOWN : PV_TOPOLOGY_NOT_PATCHES;
   add_pipeline(ctx, GFX_PIPE, PV_BIND_GRAPHICS, false);
   struct pv_object *po = pv_object_find(ctx, GFX_PIPE, VK_OBJECT_TYPE_PIPELINE);
   struct pv_vk_pipeline *p = po->data;
   p->patch_list = patch_list;
   p->topology_dynamic = dynamic;
   struct pv_vk_cmdbuf *cb =
      pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER));
   cb->bound = calloc(1, sizeof(*cb->bound));
   assert_non_null(cb->bound);
   cb->bound->bp[PV_BIND_GRAPHICS].pipeline = (struct pv_vk_ref){po->id, po->serial};
   cb->bound->bp[PV_BIND_GRAPHICS].dirty = true;
   return ctx;
}

static void
enc_topology(struct buf *b, VkPrimitiveTopology t)
{
   w32(b, cmd("vkCmdSetPrimitiveTopology")), w32(b, 0), w64(b, PRIMARY), w32(b, t);
}

/* Patches drawn without tessellation stages: lavapipe's patch size is 0 then and its draw
 * divides by it (a SIGFPE). A static patch list, a dynamic one set, and a dynamic topology a
 * secondary never set (it runs in the state its primary left) are refused; a primary's unset
 * topology is lavapipe's points, and a topology set to triangles, or patches with tessellation
 * stages, pass. */
static void
patches_need_tessellation(void **state)
{
   (void)state;
   static const char *const prefix = "vkCmdDraw: the pipeline ";
   enum { UNSET = -1, NOT = PV_TOPOLOGY_NOT_PATCHES, PATCHES = PV_TOPOLOGY_PATCHES };
   struct {
      bool secondary, patch_list, dynamic, tessellates;
      int set; /* what vkCmdSetPrimitiveTopology left (topology_tracked), UNSET: none */
      const char *why;
   } cases[] = {
      {false, true, false, false, UNSET, "draws a patch list without tessellation stages"},
      {false, false, true, false, PATCHES,
       "draws a patch list (set dynamically) without tessellation stages"},
      {true, false, true, false, UNSET,
       "has a dynamic primitive topology not set since this command buffer began or executed "
       "secondaries"},
      {false, false, true, false, UNSET, NULL},
      {true, false, true, false, NOT, NULL},
      {false, true, false, true, UNSET, NULL},
      {false, false, true, true, PATCHES, NULL},
      {false, false, false, false, PATCHES, NULL},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx =
         topology_bound(cases[i].secondary, cases[i].patch_list, cases[i].dynamic);
      ((struct pv_vk_pipeline *)pv_object_find(ctx, GFX_PIPE, VK_OBJECT_TYPE_PIPELINE)->data)
         ->tessellates = cases[i].tessellates;
      if (cases[i].set != UNSET)
         pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER))
            ->scope.topology = (uint8_t)cases[i].set;
      struct buf b = {0};
      enc_draw(&b, PRIMARY);
      char want[300];
      snprintf(want, sizeof(want), "refused: %s%s", prefix, cases[i].why);
      if (cases[i].why)
         expect(ctx, &b, want);
      else
         PASSED(ctx, &b, "vkCmdDraw");
   }
}

/* What the host's topology is as commands change it: a set (which has the next draw check
 * again), a pipeline of a static topology bound (its own), secondaries executed (unknown). */
static void
topology_tracked(void **state)
{
   (void)state;
   /* each command on a context of its own: the pass-through behind it loses the context */
   struct pv_context *ctx = topology_bound(false, false, true);
   struct pv_vk_cmdbuf *cb =
      pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER));
   cb->bound->bp[PV_BIND_GRAPHICS].dirty = false;
   struct buf b = {0};
   enc_topology(&b, VK_PRIMITIVE_TOPOLOGY_PATCH_LIST);
   pv_context_submit(ctx, b.b, b.n);
   assert_int_equal(cb->scope.topology, PV_TOPOLOGY_PATCHES);
   assert_true(cb->bound->bp[PV_BIND_GRAPHICS].dirty);
   /* the same topology again leaves a passed draw check standing */
   cb->bound->bp[PV_BIND_GRAPHICS].dirty = false;
   pv_vk_cmd_topology_set(cb, PV_TOPOLOGY_PATCHES);
   assert_false(cb->bound->bp[PV_BIND_GRAPHICS].dirty);
   pv_context_destroy(ctx);
   /* a static pipeline's bind sets its own */
   ctx = topology_bound(false, false, true);
   cb = pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER));
   cb->scope.topology = PV_TOPOLOGY_PATCHES;
   add_pipeline(ctx, GFX_PIPE + 1, PV_BIND_GRAPHICS, false);
   b.n = 0;
   w32(&b, cmd("vkCmdBindPipeline")), w32(&b, 0), w64(&b, PRIMARY);
   w32(&b, VK_PIPELINE_BIND_POINT_GRAPHICS), w64(&b, GFX_PIPE + 1);
   pv_context_submit(ctx, b.b, b.n);
   assert_int_equal(cb->scope.topology, PV_TOPOLOGY_NOT_PATCHES);
   pv_context_destroy(ctx);
   /* secondaries executed leave theirs behind */
   ctx = topology_bound(false, false, true);
   cb = pv_vk_cmdbuf_of(pv_object_find(ctx, PRIMARY, VK_OBJECT_TYPE_COMMAND_BUFFER));
   cb->scope.pass = PV_PASS_RENDER_PASS;
   add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_EXECUTABLE, PV_PASS_INHERITED, 0);
   b.n = 0;
   w32(&b, cmd("vkCmdExecuteCommands")), w32(&b, 0), w64(&b, PRIMARY), w32(&b, 1);
   w64(&b, 1), w64(&b, SECONDARY);
   pv_context_submit(ctx, b.b, b.n);
   assert_int_equal(cb->scope.topology, PV_TOPOLOGY_UNKNOWN);
   pv_context_destroy(ctx);
}

/* A pipeline's create info says whether it tessellates, draws patches or a dynamic topology. */
static void
pipeline_topology_recorded(void **state)
{
   (void)state;
   struct pv_dispatch_ctx *c = NULL; /* read only for libraries, which these have none of */
   const VkPipelineShaderStageCreateInfo vs = {.stage = VK_SHADER_STAGE_VERTEX_BIT};
   const VkPipelineShaderStageCreateInfo tess[] = {
      vs,
      {.stage = VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT},
      {.stage = VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT}};
   const VkPipelineInputAssemblyStateCreateInfo patches = {.topology =
                                                              VK_PRIMITIVE_TOPOLOGY_PATCH_LIST};
   const VkDynamicState dyn = VK_DYNAMIC_STATE_PRIMITIVE_TOPOLOGY;
   const VkPipelineDynamicStateCreateInfo dynamic = {.dynamicStateCount = 1,
                                                     .pDynamicStates = &dyn};
   struct pv_vk_pipeline p = {0};
   VkGraphicsPipelineCreateInfo ci = {
      .stageCount = 1, .pStages = &vs, .pInputAssemblyState = &patches};
   assert_null(pv_vk_pipeline_vertex_needs(c, &ci, &p));
   assert_true(p.patch_list && !p.tessellates && !p.topology_dynamic);
   ci.pDynamicState = &dynamic;
   assert_null(pv_vk_pipeline_vertex_needs(c, &ci, &p));
   assert_true(!p.patch_list && p.topology_dynamic);
   ci = (VkGraphicsPipelineCreateInfo){
      .stageCount = 3, .pStages = tess, .pInputAssemblyState = &patches};
   assert_null(pv_vk_pipeline_vertex_needs(c, &ci, &p));
   assert_true(p.patch_list && p.tessellates);
}

#define NO_TESSELLATION_STATE 0xffffffffu

/* Which tessellation stages enc_tess_pipeline's create info has. */
enum { TESS_NONE, TESS_CONTROL, TESS_EVALUATION, TESS_BOTH };

/* vkCreateGraphicsPipelines of one create info: a vertex stage and the tessellation stages of
 * `tess`, a tessellation state of `points` (none: NO_TESSELLATION_STATE), `dynamic` dynamic
 * states; no layout, modules or render pass. */
static void
enc_tess_pipeline(struct buf *b, unsigned tess, uint32_t points, uint32_t ndynamic,
                  const VkDynamicState *dynamic)
{
   VkShaderStageFlagBits stages[3] = {VK_SHADER_STAGE_VERTEX_BIT};
   uint32_t nstages = 1;
   if (tess & TESS_CONTROL)
      stages[nstages++] = VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT;
   if (tess & TESS_EVALUATION)
      stages[nstages++] = VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT;
   w32(b, cmd("vkCreateGraphicsPipelines")), w32(b, 0), w64(b, DEVICE), w64(b, 0), w32(b, 1);
   w64(b, 1), w32(b, VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w32(b, nstages), w64(b, nstages);
   for (uint32_t i = 0; i < nstages; i++) {
      w32(b, VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO), w64(b, 0), w32(b, 0);
      w32(b, stages[i]), w64(b, 0), wstr(b, "main"), w64(b, 0);
   }
   w64(b, 0), w64(b, 0); /* pVertexInputState, pInputAssemblyState */
   if (points == NO_TESSELLATION_STATE)
      w64(b, 0);
   else
      w64(b, 1), w32(b, VK_STRUCTURE_TYPE_PIPELINE_TESSELLATION_STATE_CREATE_INFO), w64(b, 0),
         w32(b, 0), w32(b, points);
   w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0), w64(b, 0); /* viewport ... color blend */
   if (!ndynamic) {
      w64(b, 0);
   } else {
      w64(b, 1), w32(b, VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO), w64(b, 0);
      w32(b, 0), w32(b, ndynamic), w64(b, ndynamic);
      for (uint32_t i = 0; i < ndynamic; i++)
         w32(b, dynamic[i]);
   }
   w64(b, 0), w64(b, 0), w32(b, 0), w64(b, 0), w32(b, (uint32_t)-1); /* layout ... base index */
   w64(b, 0), w64(b, 1), w64(b, GFX_PIPE + 10);                      /* pAllocator, pPipelines */
}

/* A tessellation pipeline's patchControlPoints in 1..maxTessellationPatchSize unless dynamic;
 * its tessellation state present unless Mesa's runtime reads nothing of it. A pipeline that
 * passes goes on to the shader checks, which refuse it for its missing layout. */
static void
patch_control_points_pipeline(void **state)
{
   (void)state;
   static struct pv_vk_device dev = {.pd = &limits_pd};
   static const VkDynamicState points_only[] = {VK_DYNAMIC_STATE_PATCH_CONTROL_POINTS_EXT};
   static const VkDynamicState both[] = {VK_DYNAMIC_STATE_TESSELLATION_DOMAIN_ORIGIN_EXT,
                                         VK_DYNAMIC_STATE_PATCH_CONTROL_POINTS_EXT};
   static const char *const size = "patchControlPoints outside 1..the device's "
                                   "maxTessellationPatchSize";
   static const char *const absent = "tessellation stages without a tessellation state";
   static const char *const passed = "shader stages without a pipeline layout we know";
   /* lavapipe reads the control stage's shader when it makes the evaluation stage's */
   static const char *const alone = "one tessellation stage without the other";
   struct {
      unsigned tess;
      uint32_t points, ndynamic;
      const VkDynamicState *dynamic;
      const char *why;
   } cases[] = {
      {TESS_BOTH, 33, 0, NULL, size},
      {TESS_BOTH, 0, 0, NULL, size},
      {TESS_BOTH, 255, 0, NULL, size},
      {TESS_BOTH, 256, 0, NULL, size},
      {TESS_BOTH, NO_TESSELLATION_STATE, 0, NULL, absent},
      {TESS_BOTH, NO_TESSELLATION_STATE, 1, points_only, absent},
      {TESS_EVALUATION, 3, 0, NULL, alone},
      {TESS_CONTROL, 3, 0, NULL, alone},
      {TESS_BOTH, 32, 0, NULL, passed},
      {TESS_BOTH, 1, 0, NULL, passed},
      {TESS_BOTH, 0, 1, points_only, passed},
      {TESS_BOTH, NO_TESSELLATION_STATE, 2, both, passed},
      {TESS_NONE, 0, 0, NULL, passed},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_object(ctx, VK_OBJECT_TYPE_DEVICE, DEVICE)->data = &dev;
      struct buf b = {0};
      enc_tess_pipeline(&b, cases[i].tess, cases[i].points, cases[i].ndynamic, cases[i].dynamic);
      char want[200];
      snprintf(want, sizeof(want), "refused: vkCreateGraphicsPipelines: %s", cases[i].why);
      expect(ctx, &b, want);
   }
}

/* ----- vkCmdClearAttachments ---------------------------------------------------------------- */

/* One color clear of attachment `color`, rectangle x..x+w by 16 rows, layers base..base+layers. */
static void
enc_clear(struct buf *b, uint64_t cb, uint32_t color, int32_t x, uint32_t w, uint32_t base,
          uint32_t layers)
{
   w32(b, cmd("vkCmdClearAttachments")), w32(b, 0), w64(b, cb), w32(b, 1), w64(b, 1);
   w32(b, VK_IMAGE_ASPECT_COLOR_BIT), w32(b, color);
   w32(b, 0), w32(b, 0), w64(b, 4), w32(b, 0), w32(b, 0), w32(b, 0), w32(b, 0); /* color.float32 */
   w32(b, 1), w64(b, 1);
   w32(b, (uint32_t)x), w32(b, 0), w32(b, w), w32(b, 16), w32(b, base), w32(b, layers);
}

static const struct pv_vk_area area64 = {64, 64, 2, 1}; /* 64 x 64, 2 layers, 1 color */

static void
clear_attachments_inside(void **state)
{
   (void)state;
   struct {
      uint32_t color;
      int32_t x;
      uint32_t w, base, layers;
      const char *why;
   } cases[] = {
      {1, 0, 64, 0, 1, "past the render area, its layers or its color attachments"},
      {0, 60, 8, 0, 1, "past the render area, its layers or its color attachments"},
      {0, 0, 64, 1, 2, "past the render area, its layers or its color attachments"},
      {0, -1, 4, 0, 1, "a rectangle at a negative offset"},
      {0, 0, 64, 0, 0, "a rectangle of 0 layers"},
      {0, 0, 64, 0, 2, NULL},
   };
   enum pv_pass passes[] = {PV_PASS_RENDER_PASS, PV_PASS_RENDERING};
   for (size_t p = 0; p < 2; p++)
      for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
         struct pv_context *ctx = fresh_context();
         add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, passes[p], 0)->area = area64;
         struct buf b = {0};
         enc_clear(&b, PRIMARY, cases[i].color, cases[i].x, cases[i].w, cases[i].base,
                   cases[i].layers);
         char want[160];
         snprintf(want, sizeof(want), "refused: vkCmdClearAttachments: %s", cases[i].why);
         if (cases[i].why)
            expect(ctx, &b, want);
         else
            PASSED(ctx, &b, "vkCmdClearAttachments");
      }
}

/* A secondary's clears are recorded whatever they reach (its render area is not known yet) and
 * checked where it is executed. */
static void
clear_attachments_secondary(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_RECORDING, PV_PASS_INHERITED, 0);
   struct buf b = {0};
   enc_clear(&b, SECONDARY, 3, 0, 4096, 0, 9);
   PASSED(ctx, &b, "vkCmdClearAttachments");
   const struct pv_vk_area needs[] = {{128, 16, 1, 1}, {64, 16, 3, 1}, {64, 16, 1, 2},
                                      {64, 64, 2, 1}};
   for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++) {
      ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_RENDERING, 0)->area = area64;
      add_cmdbuf(ctx, SECONDARY, true, PV_CMDBUF_EXECUTABLE, PV_PASS_INHERITED, 0)->needs =
         needs[i];
      b.n = 0;
      enc_execute(&b, PRIMARY, SECONDARY);
      if (i + 1 < sizeof(needs) / sizeof(needs[0]))
         REFUSED(ctx, &b, "vkCmdExecuteCommands: command buffer 0 clears past the render area, "
                          "layers or color attachments it is executed in");
      else
         PASSED(ctx, &b, "vkCmdExecuteCommands");
   }
}

/* A level that is neither primary nor secondary is refused before the host sees it: by the
 * codec since it checks enum values against the registry (rules.enum_values). */
static void
allocate_unknown_level(void **state)
{
   (void)state;
   struct pv_context *ctx = fresh_context();
   add_object(ctx, VK_OBJECT_TYPE_DEVICE, QUEUE + 1);
   add_object(ctx, VK_OBJECT_TYPE_COMMAND_POOL, QUEUE + 2);
   struct buf b = {0};
   w32(&b, cmd("vkAllocateCommandBuffers")), w32(&b, 0), w64(&b, QUEUE + 1), w64(&b, 1);
   w32(&b, VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO), w64(&b, 0), w64(&b, QUEUE + 2);
   w32(&b, 2), w32(&b, 1); /* level 2, one command buffer */
   w64(&b, 1), w64(&b, PRIMARY);
   expect(ctx, &b, "VkCommandBufferAllocateInfo.level: 2 is no value of its enum type");
}

/* Descriptor sets bound or pushed past the pipeline layout's set count (guard_descriptor.c). */
static void
sets_past_layout(void **state)
{
   (void)state;
   for (uint32_t first = 0; first < 3; first++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
      struct pv_object *l = add_object(ctx, VK_OBJECT_TYPE_PIPELINE_LAYOUT, RENDER_PASS + 2);
      struct pv_vk_pipeline_layout *pl = malloc(sizeof(*pl));
      assert_non_null(pl);
      *pl = (struct pv_vk_pipeline_layout){.sets = 2};
      l->data = pl;
      l->free_data = pv_vk_state_free;
      add_object(ctx, VK_OBJECT_TYPE_DESCRIPTOR_SET, RENDER_PASS + 3);
      struct buf b = {0};
      w32(&b, cmd("vkCmdBindDescriptorSets")), w32(&b, 0), w64(&b, PRIMARY);
      w32(&b, VK_PIPELINE_BIND_POINT_COMPUTE), w64(&b, RENDER_PASS + 2), w32(&b, first);
      w32(&b, 1), w64(&b, 1), w64(&b, RENDER_PASS + 3), w32(&b, 0), w64(&b, 0);
      if (first < 2) {
         PASSED(ctx, &b, "vkCmdBindDescriptorSets");
      } else {
         REFUSED(ctx, &b, "vkCmdBindDescriptorSets: sets 2+1 outside the layout (2 sets)");
      }
   }
}

/* Push constants inside the layout's ranges only (guard_descriptor.c). */
static void
push_constants_past_layout(void **state)
{
   (void)state;
   struct {
      uint32_t offset, size;
      bool ok;
   } cases[] = {{0, 16, true}, {12, 4, true},  {12, 8, false},       {2, 4, false},
                {0, 6, false}, {16, 4, false}, {0x200000, 4, false}, {0xfffffffc, 8, false}};
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_cmdbuf(ctx, PRIMARY, false, PV_CMDBUF_RECORDING, PV_PASS_NONE, 0);
      struct pv_object *l = add_object(ctx, VK_OBJECT_TYPE_PIPELINE_LAYOUT, RENDER_PASS + 2);
      struct pv_vk_pipeline_layout *pl = malloc(sizeof(*pl));
      assert_non_null(pl);
      *pl = (struct pv_vk_pipeline_layout){.sets = 1, .push_end = 16};
      l->data = pl;
      l->free_data = pv_vk_state_free;
      struct buf b = {0};
      w32(&b, cmd("vkCmdPushConstants")), w32(&b, 0), w64(&b, PRIMARY), w64(&b, RENDER_PASS + 2);
      w32(&b, VK_SHADER_STAGE_COMPUTE_BIT), w32(&b, cases[i].offset), w32(&b, cases[i].size);
      w64(&b, cases[i].size);
      for (uint32_t k = 0; k < cases[i].size; k++)
         b.b[b.n++] = (uint8_t)k;
      while (b.n % 4)
         b.b[b.n++] = 0;
      if (cases[i].ok) {
         PASSED(ctx, &b, "vkCmdPushConstants");
      } else {
         char want[160];
         snprintf(want, sizeof(want),
                  "refused: vkCmdPushConstants: %u bytes at %u outside the layout's push "
                  "constants (16 bytes)",
                  cases[i].size, cases[i].offset);
         expect(ctx, &b, want);
      }
   }
}

/* ----- the table ---------------------------------------------------------------------------- */

/* Extension lookups (every host extension of every enumerated device) binary-search the
 * generated tables: each must be in strcmp order and find every entry it has. */
static void
extension_tables_are_searchable(void **state)
{
   (void)state;
   for (const char *const *d = pv_protocol_dialects; *d; d++) {
      const struct pv_protocol_table *t = pv_protocol_table_get(*d);
      assert_non_null(t);
      assert_true(t->extension_count > 50);
      for (uint32_t i = 0; i < t->extension_count; i++) {
         if (i > 0)
            assert_true(strcmp(t->extensions[i - 1].name, t->extensions[i].name) < 0);
         assert_ptr_equal(pv_protocol_extension_find(t, t->extensions[i].name),
                          &t->extensions[i]);
      }
      assert_null(pv_protocol_extension_find(t, "VK_KHR_no_such_extension"));
      assert_null(pv_protocol_extension_find(t, ""));
   }
}

static void
every_recorded_command_has_a_class(void **state)
{
   (void)state;
   const struct pv_dialect *d[] = {&renderer->wire0, &renderer->wire1};
   for (size_t k = 0; k < 2; k++) {
      const struct pv_protocol_table *t = d[k]->table;
      uint32_t n = 0;
      for (uint32_t i = 0; i < t->count; i++) {
         const char *name = t->entries[i].name;
         bool recorded = name && !strncmp(name, "vkCmd", 5);
         if (recorded && !(d[k]->check_classes[i] & PV_SCOPE_CMD))
            fail_msg("%s: %s has no scope class", t->name, name);
         if (!recorded && d[k]->check_classes[i])
            fail_msg("%s: %s has a scope class", t->name, name);
         n += recorded;
      }
      assert_true(n >= 90);
   }
   /* spot checks of what vk.xml says (and our one level policy) */
   const struct pv_dialect *w = &renderer->wire0;
   assert_int_equal(w->check_classes[cmd("vkCmdDraw")], PV_SCOPE_CMD | PV_SCOPE_INSIDE |
                                                           PV_SCOPE_PRIMARY | PV_SCOPE_SECONDARY |
                                                           PV_SCOPE_BIND(PV_BIND_GRAPHICS));
   assert_int_equal(w->check_classes[cmd("vkCmdBeginRenderPass")],
                    PV_SCOPE_CMD | PV_SCOPE_OUTSIDE | PV_SCOPE_PRIMARY);
   assert_int_equal(w->check_classes[cmd("vkCmdExecuteCommands")],
                    PV_SCOPE_CMD | PV_SCOPE_INSIDE | PV_SCOPE_OUTSIDE | PV_SCOPE_PRIMARY);
   assert_int_equal(w->check_classes[cmd("vkCmdDispatchBase")],
                    PV_SCOPE_CMD | PV_SCOPE_OUTSIDE | PV_SCOPE_PRIMARY | PV_SCOPE_SECONDARY |
                       PV_SCOPE_BIND(PV_BIND_COMPUTE));
   assert_int_equal(w->check_classes[cmd("vkCmdPipelineBarrier")],
                    PV_SCOPE_CMD | PV_SCOPE_INSIDE | PV_SCOPE_OUTSIDE | PV_SCOPE_PRIMARY |
                       PV_SCOPE_SECONDARY);
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(not_recording),
      cmocka_unit_test(inside_only_outside),
      cmocka_unit_test(outside_only_inside),
      cmocka_unit_test(primary_only_in_secondary),
      cmocka_unit_test(fresh_state_not_recording),
      cmocka_unit_test(no_pipeline_bound),
      cmocka_unit_test(wrong_pipeline_kind),
      cmocka_unit_test(bound_pipeline_passes),
      cmocka_unit_test(end_render_pass_without_one),
      cmocka_unit_test(subpass_count),
      cmocka_unit_test(end_rendering_mismatch),
      cmocka_unit_test(begin_render_pass_unknown),
      cmocka_unit_test(end_command_buffer),
      cmocka_unit_test(submit_not_executable),
      cmocka_unit_test(submit_one_time_twice),
      cmocka_unit_test(execute_not_executable),
      cmocka_unit_test(render_pass_indices),
      cmocka_unit_test(scissors_past_limit),
      cmocka_unit_test(vertex_bindings_past_limit),
      cmocka_unit_test(query_stream_past_limit),
      cmocka_unit_test(queries_inside_multiview),
      cmocka_unit_test(queries_tracked),
      cmocka_unit_test(query_views_tracked),
      cmocka_unit_test(index_type_none),
      cmocka_unit_test(vertex_buffer_past_int),
      cmocka_unit_test(submit_chain_counts),
      cmocka_unit_test(query_statistics_defined),
      cmocka_unit_test(sparse_binds_inside),
      cmocka_unit_test(vertex_input_described),
      cmocka_unit_test(dual_source_past_rt0),
      cmocka_unit_test(query_copy_stride),
      cmocka_unit_test(secondary_query_views),
      cmocka_unit_test(render_pass_views_past_limit),
      cmocka_unit_test(draw_indexed_without_index_buffer),
      cmocka_unit_test(clear_attachments_inside),
      cmocka_unit_test(clear_attachments_secondary),
      cmocka_unit_test(allocate_unknown_level),
      cmocka_unit_test(sets_past_layout),
      cmocka_unit_test(push_constants_past_layout),
      cmocka_unit_test(every_recorded_command_has_a_class),
      cmocka_unit_test(extension_tables_are_searchable),
      cmocka_unit_test(framebuffer_reduced_attachments),
      cmocka_unit_test(framebuffer_size),
      cmocka_unit_test(rendering_without_layers),
      cmocka_unit_test(dispatch_past_limit),
      cmocka_unit_test(xfb_bind_ranges),
      cmocka_unit_test(xfb_counter_ranges),
      cmocka_unit_test(xfb_resume_on_lavapipe),
      cmocka_unit_test(draw_byte_count_stride),
      cmocka_unit_test(patch_control_points_set),
      cmocka_unit_test(setters_need_features),
      cmocka_unit_test(patch_size_set_before_draw),
      cmocka_unit_test(patches_need_tessellation),
      cmocka_unit_test(topology_tracked),
      cmocka_unit_test(pipeline_topology_recorded),
      cmocka_unit_test(patch_control_points_pipeline),
   };
   return cmocka_run_group_tests(tests, setup, teardown);
}
