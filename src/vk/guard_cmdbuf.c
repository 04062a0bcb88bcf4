/* SPDX-License-Identifier: MIT */
/*
 * Command-buffer state checks (guard.h). Ids are values: one mutated id re-targets a command to
 * another command buffer, so a guest can record a draw into a buffer that is not recording, end
 * a render pass it never began or submit a secondary. Host drivers trust the application there
 * (lavapipe reads its current render pass in vkCmdEndRenderPass and its bound pipeline in a
 * draw: a NULL or stale pointer in our process). So each command buffer keeps its lifecycle
 * state, level, render pass instance and bound pipelines, and every vkCmd* is checked against
 * the generated scope table (codegen/gen_cmd_scope.py) before its handler: one table load and a
 * few compares (pv_vk_command_check). The handlers here move the state; a refused command does
 * not reach the host and loses the context.
 */
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/lifetime.h"

/* ----- registration and the per-command check ----------------------------------------------- */

void
pv_vk_scope_register(struct pv_overrides *o)
{
   if (!o->classes)
      return;
   for (const struct pv_cmd_scope_entry *e = pv_cmd_scopes; e->name; e++) {
      int32_t i = pv_protocol_command_find(o->table, e->name);
      if (i >= 0)
         o->classes[i] = e->flags;
   }
}

static const char *
bind_name(unsigned bind)
{
   static const char *const names[] = {"none", "graphics", "compute", "ray tracing"};
   return names[bind & 3];
}

static const char no_pipeline[] = "no pipeline bound to the bind point it uses";

/* Why a command of class `cls` may not be recorded now, or NULL. */
static const char *
scope_violation(const struct pv_vk_cmd_scope *s, uint8_t cls)
{
   if (s->state != PV_CMDBUF_RECORDING)
      return "the command buffer is not recording";
   if (!(cls & (s->secondary ? PV_SCOPE_SECONDARY : PV_SCOPE_PRIMARY)))
      return s->secondary ? "not allowed in a secondary command buffer"
                          : "not allowed in a primary command buffer";
   if (!(cls & (s->pass != PV_PASS_NONE ? PV_SCOPE_INSIDE : PV_SCOPE_OUTSIDE)))
      return s->pass != PV_PASS_NONE ? "not allowed inside a render pass"
                                     : "not allowed outside a render pass";
   unsigned bind = PV_SCOPE_BIND_OF(cls);
   if (bind && !(s->bound & (1u << bind)))
      return no_pipeline;
   return NULL;
}

__attribute__((noinline)) struct pv_vk_cmdbuf *
pv_vk_cmdbuf_looked_up(struct pv_dispatch_ctx *c, VkCommandBuffer cmd)
{
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmd));
   return o ? o->data : NULL;
}

struct pv_vk_cmdbuf *
pv_vk_cmdbuf_get(struct pv_dispatch_ctx *c, VkCommandBuffer cmd)
{
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmd));
   return o ? pv_vk_cmdbuf_of(o) : NULL;
}

/* The refusal, out of line: the check below stays a leaf for the commands that pass. */
static __attribute__((noinline)) void
refuse_scope(struct pv_dispatch_ctx *c, int32_t type, uint8_t cls, const char *why)
{
   const char *name = pv_venus_table(pv_venus_from(c))->entries[type].name;
   if (why == no_pipeline)
      pv_venus_refuse(c, "%s: %s (%s)", name, why, bind_name(PV_SCOPE_BIND_OF(cls)));
   else
      pv_venus_refuse(c, "%s: %s", name, why);
}

/* A draw or dispatch after a bind changed: the descriptors (and vertex bindings) its pipeline
 * uses. Out of line, so the check below saves no registers for the commands that pass. */
static __attribute__((noinline)) void
check_bound(struct pv_dispatch_ctx *c, int32_t type, unsigned bind, struct pv_vk_cmdbuf *cb,
            struct pv_vk_bind_state *s)
{
   const char *name = pv_venus_table(pv_venus_from(c))->entries[type].name;
   if (pv_vk_descriptors_ready(c, cb->pd, s, name) && bind == PV_BIND_GRAPHICS)
      pv_vk_vertex_ready(c, cb, s, name);
}

/* The check of a command buffer whose state was found. */
static inline void
check_state(struct pv_dispatch_ctx *c, int32_t type, uint8_t cls, struct pv_vk_cmdbuf *cb,
            uint64_t handle)
{
   const char *why = scope_violation(&cb->scope, cls);
   if (__builtin_expect(why != NULL, 0)) {
      refuse_scope(c, type, cls, why);
      return;
   }
   pv_venus_set_checked(c, handle, cb); /* the guards after it find it here */
   unsigned bind = PV_SCOPE_BIND_OF(cls);
   struct pv_vk_bind_state *s = bind && cb->bound ? &cb->bound->bp[bind] : NULL;
   if (s && s->dirty)
      check_bound(c, type, bind, cb, s);
}

/* Its command buffer's state when it is not the command's first named object (the list of named
 * objects was cut short, or the handle names no command buffer). */
static __attribute__((noinline)) void
check_looked_up(struct pv_dispatch_ctx *c, int32_t type, uint8_t cls, VkCommandBuffer cmd)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   if (!cb) {
      refuse_scope(c, type, cls, "unknown command buffer");
      return;
   }
   check_state(c, type, cls, cb, PV_FROM_HANDLE(cmd));
}

void
pv_vk_command_check(struct pv_dispatch_ctx *c, int32_t type, uint8_t cls, void *args)
{
   /* every vkCmd* command's args start with its command buffer, the first id it decoded */
   VkCommandBuffer cmd = *(const VkCommandBuffer *)args;
   uint64_t handle = PV_FROM_HANDLE(cmd);
   struct pv_object *o = pv_venus_named_first(c);
   if (__builtin_expect(
          o && o->host == handle && o->type == VK_OBJECT_TYPE_COMMAND_BUFFER && o->data, 1))
      check_state(c, type, cls, o->data, handle); /* made at allocate or begin */
   else
      check_looked_up(c, type, cls, cmd);
}

const char *
pv_vk_cmdbuf_not_runnable(const struct pv_vk_cmd_scope *s, bool secondary)
{
   if (s->secondary != secondary)
      return secondary ? "is a primary command buffer" : "is a secondary command buffer";
   if (s->state != PV_CMDBUF_EXECUTABLE)
      return s->state == PV_CMDBUF_RECORDING ? "is still recording" : "was not recorded";
   return NULL;
}

/* ----- lifecycle: allocate, begin, end, reset ----------------------------------------------- */

void
pv_guard_AllocateCommandBuffers(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkAllocateCommandBuffers *a = args;
   VkCommandBufferLevel level = a->pAllocateInfo ? a->pAllocateInfo->level : 0;
   if (level != VK_COMMAND_BUFFER_LEVEL_PRIMARY && level != VK_COMMAND_BUFFER_LEVEL_SECONDARY) {
      /* the level decides every later check: none the host might read its own way */
      pv_venus_refuse(c, "vkAllocateCommandBuffers: level %d", (int)level);
      return;
   }
   pv_handle_vkAllocateCommandBuffers(c, args);
   if (a->ret != VK_SUCCESS || !a->pAllocateInfo || !a->pCommandBuffers || pv_cs_fatal(c->dec))
      return;
   struct pv_context *ctx = pv_venus_from(c);
   for (uint32_t i = 0; i < a->pAllocateInfo->commandBufferCount; i++) {
      struct pv_object *o =
         pv_object_find(ctx, PV_FROM_HANDLE(a->pCommandBuffers[i]), VK_OBJECT_TYPE_COMMAND_BUFFER);
      struct pv_vk_cmdbuf *cb = o ? pv_vk_cmdbuf_of(o) : NULL;
      if (!cb) {
         pv_venus_refuse(c, "vkAllocateCommandBuffers: no memory for a command buffer's state");
         return;
      }
      cb->scope = (struct pv_vk_cmd_scope){.secondary = a->pAllocateInfo->level ==
                                                        VK_COMMAND_BUFFER_LEVEL_SECONDARY};
      pv_vk_cmdbuf_set_pool(c, cb, a->pAllocateInfo->commandPool);
   }
}

/* Views of a view mask (at most 32). */
static uint8_t
view_count(uint32_t mask)
{
   return (uint8_t)__builtin_popcount(mask);
}

/* The highest view + 1 (0: no view mask). */
static uint32_t
view_end(uint32_t mask)
{
   return mask ? 32 - (uint32_t)__builtin_clz(mask) : 0;
}

static uint8_t
subpass_views(const struct pv_vk_render_pass *rp, uint32_t subpass)
{
   return rp->view_masks ? view_count(rp->view_masks[subpass]) : 0;
}

/* vkBeginCommandBuffer (guard_destroy.c runs the host call): a secondary that continues a
 * render pass records entirely inside it (and keeps PV_PASS_INHERITED once executable: where it
 * may be executed, pv_guard_CmdExecuteCommands). */
void
pv_vk_cmdbuf_begun(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                   const VkCommandBufferBeginInfo *info, VkResult r)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   if (!cb)
      return; /* every command on it is refused */
   pv_vk_cmd_bound_reset(pv_venus_from(c), cb->bound);
   bool inherit = cb->scope.secondary && info &&
                  (info->flags & VK_COMMAND_BUFFER_USAGE_RENDER_PASS_CONTINUE_BIT);
   cb->scope = (struct pv_vk_cmd_scope){
      .state = r == VK_SUCCESS ? PV_CMDBUF_RECORDING : PV_CMDBUF_INITIAL,
      .pass = inherit ? PV_PASS_INHERITED : PV_PASS_NONE,
      .secondary = cb->scope.secondary,
      .views = inherit ? view_count(pv_vk_inherited_view_mask(c, info)) : 0,
      .views_own = !cb->scope.secondary,
      .topology = cb->scope.secondary ? PV_TOPOLOGY_UNKNOWN : PV_TOPOLOGY_NOT_PATCHES,
      .one_time = info && !cb->scope.secondary &&
                  (info->flags & VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT),
      .simultaneous = info && (info->flags & VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT)};
}

void
pv_guard_EndCommandBuffer(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEndCommandBuffer *a = args;
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, a->commandBuffer);
   const char *why = !cb                                      ? "unknown command buffer"
                     : cb->scope.state != PV_CMDBUF_RECORDING ? "not recording"
                     : cb->scope.pass == PV_PASS_RENDER_PASS || cb->scope.pass == PV_PASS_RENDERING
                        ? "inside a render pass"
                     : cb->scope.conditional  ? "conditional rendering still active"
                     : cb->scope.active_count ? "a query still active (guard_query.c)"
                                              : NULL;
   if (why) {
      pv_venus_refuse(c, "vkEndCommandBuffer: %s", why);
      return;
   }
   pv_handle_vkEndCommandBuffer(c, args);
   cb->scope.state = a->ret == VK_SUCCESS ? PV_CMDBUF_EXECUTABLE : PV_CMDBUF_INVALID;
}

void
pv_vk_cmdbuf_reset(struct pv_dispatch_ctx *c, VkCommandBuffer cmd)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   if (cb) {
      cb->scope = (struct pv_vk_cmd_scope){.secondary = cb->scope.secondary};
      pv_vk_cmd_bound_reset(pv_venus_from(c), cb->bound);
   }
}

void
pv_vk_cmdpool_reset(struct pv_dispatch_ctx *c, VkCommandPool pool)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_object *p = pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_POOL, PV_FROM_HANDLE(pool));
   uint64_t *ids = NULL;
   size_t n = p ? pv_object_list_children(ctx, p->id, VK_OBJECT_TYPE_COMMAND_BUFFER, &ids) : 0;
   for (size_t i = 0; i < n; i++) {
      struct pv_object *o = pv_object_find(ctx, ids[i], VK_OBJECT_TYPE_COMMAND_BUFFER);
      struct pv_vk_cmdbuf *cb = o ? o->data : NULL;
      if (cb) {
         cb->scope = (struct pv_vk_cmd_scope){.secondary = cb->scope.secondary};
         pv_vk_cmd_bound_reset(ctx, cb->bound);
      }
   }
   free(ids);
}

/* ----- index buffers ------------------------------------------------------------------------ */

void
pv_vk_cmd_index_bind(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, bool bound)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   if (cb)
      cb->scope.index_bound = bound;
}

bool
pv_vk_cmd_index_ready(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, const char *what)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   if (cb && cb->scope.index_bound)
      return true;
   pv_venus_refuse(c, "%s: no index buffer bound in this command buffer", what);
   return false;
}

void
pv_guard_CmdDrawIndexed(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdDrawIndexed *a = args;
   if (pv_vk_cmd_index_ready(c, a->commandBuffer, "vkCmdDrawIndexed"))
      pv_handle_vkCmdDrawIndexed(c, args);
}

/* ----- conditional rendering ----------------------------------------------------------------- */

/* lavapipe hands the condition's buffer to its gallium context, which reads the 32-bit value at
 * buffer + offset before each draw, clear and dispatch; the context outlives the command buffer
 * and keeps the buffer (a plain pointer) until vkCmdEndConditionalRenderingEXT. So the value must
 * be inside the buffer, and a command buffer must end what it began (VUID-vkEndCommandBuffer-
 * None-01978), or a later command buffer reads a buffer that may be freed by then. */
void
pv_guard_CmdBeginConditionalRenderingEXT(struct pv_dispatch_ctx *c, void *args)
{
   static const char what[] = "vkCmdBeginConditionalRenderingEXT";
   struct pv_args_vkCmdBeginConditionalRenderingEXT *a = args;
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, a->commandBuffer);
   const VkConditionalRenderingBeginInfoEXT *info = a->pConditionalRenderingBegin;
   if (!cb || cb->scope.conditional || !info || (info->offset & 3)) {
      pv_venus_refuse(c, "%s: %s", what,
                      !cb                    ? "unknown command buffer"
                      : cb->scope.conditional ? "conditional rendering already active"
                      : !info                 ? "no begin info"
                                              : "offset not a multiple of 4");
      return;
   }
   if (!pv_guard_buffer_range(c, what, info->buffer, info->offset, 4))
      return;
   cb->scope.conditional = true;
   pv_handle_vkCmdBeginConditionalRenderingEXT(c, args);
}

void
pv_guard_CmdEndConditionalRenderingEXT(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdEndConditionalRenderingEXT *a = args;
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, a->commandBuffer);
   if (!cb || !cb->scope.conditional) {
      pv_venus_refuse(c, "vkCmdEndConditionalRenderingEXT: %s",
                      cb ? "conditional rendering not active" : "unknown command buffer");
      return;
   }
   cb->scope.conditional = false;
   pv_handle_vkCmdEndConditionalRenderingEXT(c, args);
}

/* ----- render pass instances ----------------------------------------------------------------- */

/* The scope check ran (outside a render pass, primary, recording): enter subpass 0. */
static bool
begin_render_pass(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
                  const VkRenderPassBeginInfo *info)
{
   struct pv_vk_area area;
   const struct pv_object *o = pv_vk_render_pass_begin(c, what, info, &area);
   if (!o)
      return false;
   const struct pv_vk_render_pass *rp = o->data;
   struct pv_vk_cmd_scope *s = &pv_vk_cmdbuf_get(c, cmd)->scope;
   s->pass = PV_PASS_RENDER_PASS;
   s->subpass = 0;
   s->subpasses = rp->subpasses;
   s->pass_id = o->id;
   s->pass_serial = o->serial;
   s->area = area;
   s->views = subpass_views(rp, 0);
   return true;
}

void
pv_guard_CmdBeginRenderPass(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBeginRenderPass *a = args;
   if (begin_render_pass(c, "vkCmdBeginRenderPass", a->commandBuffer, a->pRenderPassBegin))
      pv_handle_vkCmdBeginRenderPass(c, args);
}

void
pv_guard_CmdBeginRenderPass2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBeginRenderPass2 *a = args;
   if (begin_render_pass(c, "vkCmdBeginRenderPass2", a->commandBuffer, a->pRenderPassBegin))
      pv_handle_vkCmdBeginRenderPass2(c, args);
}

/* Next subpass (end: false) or the end of the render pass (end: true), both only in a render
 * pass this command buffer began with vkCmdBeginRenderPass, and the end only in its last
 * subpass (the host indexes its subpass array with the count). */
static bool
subpass_step(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd, bool end)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   struct pv_vk_cmd_scope *s = &cb->scope;
   const char *why = s->pass != PV_PASS_RENDER_PASS           ? "no render pass begun with "
                                                                "vkCmdBeginRenderPass in this command buffer"
                     : end && s->subpass + 1 != s->subpasses  ? "not in the last subpass"
                     : !end && s->subpass + 1 >= s->subpasses ? "already in the last subpass"
                                                              : NULL;
   if (why) {
      pv_venus_refuse(c, "%s: %s (subpass %u of %u)", what, why, s->subpass, s->subpasses);
      return false;
   }
   if (end) {
      s->pass = PV_PASS_NONE;
      return true;
   }
   /* the host steps through the render pass it began with: it must still be that one */
   const struct pv_vk_render_pass *rp = pv_vk_render_pass_get(c, s->pass_id, s->pass_serial);
   if (!rp) {
      pv_venus_refuse(c, "%s: its render pass was destroyed while recording", what);
      return false;
   }
   s->subpass++;
   s->area.colors = rp->colors[s->subpass];
   s->views = subpass_views(rp, s->subpass);
   return true;
}

void
pv_guard_CmdNextSubpass(struct pv_dispatch_ctx *c, void *args)
{
   if (subpass_step(c, "vkCmdNextSubpass", *(VkCommandBuffer *)args, false))
      pv_handle_vkCmdNextSubpass(c, args);
}

void
pv_guard_CmdNextSubpass2(struct pv_dispatch_ctx *c, void *args)
{
   if (subpass_step(c, "vkCmdNextSubpass2", *(VkCommandBuffer *)args, false))
      pv_handle_vkCmdNextSubpass2(c, args);
}

void
pv_guard_CmdEndRenderPass(struct pv_dispatch_ctx *c, void *args)
{
   if (subpass_step(c, "vkCmdEndRenderPass", *(VkCommandBuffer *)args, true))
      pv_handle_vkCmdEndRenderPass(c, args);
}

void
pv_guard_CmdEndRenderPass2(struct pv_dispatch_ctx *c, void *args)
{
   if (subpass_step(c, "vkCmdEndRenderPass2", *(VkCommandBuffer *)args, true))
      pv_handle_vkCmdEndRenderPass2(c, args);
}

/* The attachments' layouts against the device's extensions (guard_layouts.c). */
static bool
rendering_layouts_ok(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, const VkRenderingInfo *ri)
{
   const struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   const char *why = pv_vk_rendering_layouts(cb ? cb->features : 0, ri);
   if (why)
      pv_venus_refuse(c, "vkCmdBeginRendering: %s", why);
   return !why;
}

void
pv_guard_CmdBeginRendering(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBeginRendering *a = args;
   struct pv_vk_area area;
   /* pv_vk_rendering_begin refuses a missing rendering info; the limits need one. The view
    * mask inside maxMultiviewViewCount: VUID-VkRenderingInfo-viewMask-06128 */
   if (!pv_vk_rendering_begin(c, a->pRenderingInfo, &area) ||
       !rendering_layouts_ok(c, a->commandBuffer, a->pRenderingInfo) ||
       !pv_vk_cmd_range_ok(c, "vkCmdBeginRendering", a->commandBuffer, 0,
                           a->pRenderingInfo->colorAttachmentCount, PV_LIMIT_COLOR_ATTACHMENTS) ||
       !pv_vk_cmd_range_ok(c, "vkCmdBeginRendering", a->commandBuffer, 0,
                           view_end(a->pRenderingInfo->viewMask), PV_LIMIT_MULTIVIEW_VIEWS))
      return;
   struct pv_vk_cmd_scope *s = &pv_vk_cmdbuf_get(c, a->commandBuffer)->scope;
   s->pass = PV_PASS_RENDERING;
   s->area = area;
   s->views = view_count(a->pRenderingInfo->viewMask);
   s->views_own = true; /* a secondary's queries from here take its own views */
   pv_handle_vkCmdBeginRendering(c, args);
}

void
pv_guard_CmdEndRendering(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdEndRendering *a = args;
   struct pv_vk_cmd_scope *s = &pv_vk_cmdbuf_get(c, a->commandBuffer)->scope;
   if (s->pass != PV_PASS_RENDERING) {
      pv_venus_refuse(c, "vkCmdEndRendering: no render pass begun with vkCmdBeginRendering in "
                         "this command buffer");
      return;
   }
   s->pass = PV_PASS_NONE;
   pv_handle_vkCmdEndRendering(c, args);
}

/* ----- pipelines ----------------------------------------------------------------------------- */

/* VK_KHR_maintenance5's flags replace the create info's own when chained. */
static uint64_t
pipeline_flags(const void *pnext, VkPipelineCreateFlags flags)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext)
      if (s->sType == VK_STRUCTURE_TYPE_PIPELINE_CREATE_FLAGS_2_CREATE_INFO_KHR)
         return ((const VkPipelineCreateFlags2CreateInfoKHR *)s)->flags;
   return flags;
}

static void
pipeline_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_pipeline *p = obj->data;
   for (uint32_t i = 0; i < p->layout_sets; i++)
      pv_vk_set_layout_unref(p->layouts[i]);
   free(p->layouts);
   free(p->uses);
   free(p);
   obj->data = NULL;
}

/*
 * References to the set layouts of the pipeline's layout. lavapipe 25 compiles a shader's
 * descriptor accesses at the offsets its pipeline layout gives and reads them from the sets bound
 * at draw time, so a set of another layout (a bind layout other than the pipeline's, VUID
 * vkCmdDraw-None-08600) would be read at offsets past its own descriptors (read by a helper,
 * 2026-12-07; not run). A layout the guest destroyed since is still referenced (set layouts are
 * counted).
 */
static void
keep_layouts(struct pv_dispatch_ctx *c, struct pv_vk_pipeline *p, VkPipelineLayout layout)
{
   struct pv_object *o =
      layout ? pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE_LAYOUT, PV_FROM_HANDLE(layout)) : NULL;
   const struct pv_vk_pipeline_layout *l = o ? o->data : NULL;
   uint32_t n = l && l->set_layouts ? l->set_layout_count : 0;
   p->layouts = n ? calloc(n, sizeof(*p->layouts)) : NULL;
   if (!p->layouts)
      return; /* not checked at draw time (no memory, or no layout we know) */
   for (uint32_t i = 0; i < n; i++)
      p->layouts[i] = l->set_layouts[i] ? pv_vk_set_layout_ref(l->set_layouts[i]) : NULL;
   p->layout_sets = n;
}

/* Takes `uses` (what its shaders use, guard_shader.c) in every case. */
static void
track_pipeline(struct pv_dispatch_ctx *c, const char *what, VkPipeline pipeline,
               const VkGraphicsPipelineCreateInfo *g, VkPipelineLayout layout, uint64_t flags,
               struct pv_vk_use *uses, uint32_t use_count)
{
   uint8_t bind = g ? PV_BIND_GRAPHICS : PV_BIND_COMPUTE;
   struct pv_object *o = pv_venus_find(c, PV_FROM_HANDLE(pipeline), VK_OBJECT_TYPE_PIPELINE);
   struct pv_vk_pipeline *p = o && !o->data ? malloc(sizeof(*p)) : NULL;
   if (!p) {
      free(uses);
      if (o && !o->data)
         pv_venus_refuse(c, "%s: no memory for a pipeline's state", what);
      return; /* or not made (VK_NULL_HANDLE) */
   }
   *p = (struct pv_vk_pipeline){.bind = bind,
                                .library = (flags & VK_PIPELINE_CREATE_LIBRARY_BIT_KHR) != 0,
                                .use_count = use_count,
                                .uses = uses};
   keep_layouts(c, p, layout);
   if (g)
      p->subsets = pv_vk_own_subsets(g->pNext, flags) | pv_vk_linked_subsets(c, g->pNext);
   o->data = p;
   o->free_data = pipeline_free;
   const char *why = g ? pv_vk_pipeline_vertex_needs(c, g, p) : NULL;
   if (why)
      pv_venus_refuse(c, "%s: %s", what, why);
}

/* Every create info's shaders against its layout (guard_shader.c), before the host compiles
 * them; what each pipeline uses goes to uses[i]. False: refused, uses freed. */
static bool
pipelines_check(struct pv_dispatch_ctx *c, const char *what, VkDevice device, uint32_t n,
                const VkGraphicsPipelineCreateInfo *g, const VkComputePipelineCreateInfo *k,
                struct pv_vk_use **uses, uint32_t *counts)
{
   for (uint32_t i = 0; i < n; i++) {
      bool ok = g ? pv_vk_stages_check(c, what, device, g[i].layout, g[i].stageCount, g[i].pStages,
                                       g[i].pNext, &g[i], &uses[i], &counts[i])
                  : pv_vk_stages_check(c, what, device, k[i].layout, 1, &k[i].stage, k[i].pNext,
                                       NULL, &uses[i], &counts[i]);
      if (!ok) {
         for (uint32_t j = 0; j < i; j++)
            free(uses[j]);
         return false;
      }
   }
   return true;
}

static void
pipelines_track(struct pv_dispatch_ctx *c, const char *what, uint32_t n, const VkPipeline *out,
                const VkGraphicsPipelineCreateInfo *g, const VkComputePipelineCreateInfo *k,
                struct pv_vk_use **uses, const uint32_t *counts)
{
   for (uint32_t i = 0; i < n; i++) {
      if (!out || pv_cs_fatal(c->dec) || c->refused) {
         free(uses[i]);
         continue;
      }
      track_pipeline(c, what, out[i], g ? &g[i] : NULL, g ? g[i].layout : k[i].layout,
                     g ? pipeline_flags(g[i].pNext, g[i].flags)
                       : pipeline_flags(k[i].pNext, k[i].flags),
                     uses[i], counts[i]);
   }
}

/* The per-pipeline arrays of pipelines_check; NULL (refused) when out of memory. */
static struct pv_vk_use **
uses_alloc(struct pv_dispatch_ctx *c, const char *what, uint32_t n, uint32_t **counts)
{
   struct pv_vk_use **uses = calloc(n ? n : 1, sizeof(*uses));
   *counts = calloc(n ? n : 1, sizeof(**counts));
   if (!uses || !*counts) {
      free(uses);
      free(*counts);
      *counts = NULL;
      pv_venus_refuse(c, "%s: no memory", what);
      return NULL;
   }
   return uses;
}

void
pv_guard_CreateGraphicsPipelines(struct pv_dispatch_ctx *c, void *args)
{
   static const char what[] = "vkCreateGraphicsPipelines";
   struct pv_args_vkCreateGraphicsPipelines *a = args;
   for (uint32_t i = 0; a->pCreateInfos && i < a->createInfoCount; i++)
      if (!pv_vk_pipeline_subpass_ok(c, "vkCreateGraphicsPipelines", &a->pCreateInfos[i]) ||
          !pv_vk_pipeline_limits_ok(c, "vkCreateGraphicsPipelines", a->device,
                                    &a->pCreateInfos[i]))
         return;
   uint32_t n = a->pCreateInfos ? a->createInfoCount : 0, *counts;
   struct pv_vk_use **uses = uses_alloc(c, what, n, &counts);
   if (uses && pipelines_check(c, what, a->device, n, a->pCreateInfos, NULL, uses, counts)) {
      pv_handle_vkCreateGraphicsPipelines(c, args);
      pipelines_track(c, what, n, a->pPipelines, a->pCreateInfos, NULL, uses, counts);
   }
   free(uses);
   free(counts);
}

void
pv_guard_CreateComputePipelines(struct pv_dispatch_ctx *c, void *args)
{
   static const char what[] = "vkCreateComputePipelines";
   struct pv_args_vkCreateComputePipelines *a = args;
   uint32_t n = a->pCreateInfos ? a->createInfoCount : 0, *counts;
   struct pv_vk_use **uses = uses_alloc(c, what, n, &counts);
   if (uses && pipelines_check(c, what, a->device, n, NULL, a->pCreateInfos, uses, counts)) {
      pv_handle_vkCreateComputePipelines(c, args);
      pipelines_track(c, what, n, a->pPipelines, NULL, a->pCreateInfos, uses, counts);
   }
   free(uses);
   free(counts);
}

static unsigned
bind_point(VkPipelineBindPoint p)
{
   switch (p) {
   case VK_PIPELINE_BIND_POINT_GRAPHICS:
      return PV_BIND_GRAPHICS;
   case VK_PIPELINE_BIND_POINT_COMPUTE:
      return PV_BIND_COMPUTE;
   case VK_PIPELINE_BIND_POINT_RAY_TRACING_KHR:
      return PV_BIND_RAY_TRACING;
   default:
      return PV_BIND_NONE;
   }
}

/* The pipeline is bound at the bind point of its kind: a compute pipeline bound for graphics
 * would be read as a graphics one by the host. */
void
pv_guard_CmdBindPipeline(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBindPipeline *a = args;
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE, PV_FROM_HANDLE(a->pipeline));
   const struct pv_vk_pipeline *p = o ? o->data : NULL;
   unsigned bind = bind_point(a->pipelineBindPoint);
   if (!p || p->library || !bind || p->bind != bind) {
      pv_venus_refuse(c, "vkCmdBindPipeline: %s pipeline at bind point %d",
                      !p           ? "unknown"
                      : p->library ? "a library"
                                   : bind_name(p->bind),
                      (int)a->pipelineBindPoint);
      return;
   }
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, a->commandBuffer);
   cb->scope.bound |= (uint8_t)(1u << bind);
   if (!cb->bound && !(cb->bound = calloc(1, sizeof(*cb->bound)))) {
      pv_venus_refuse(c, "vkCmdBindPipeline: no memory for the bound state");
      return;
   }
   /* the same pipeline again (guests rebind often) leaves a passed check standing */
   struct pv_vk_bind_state *s = &cb->bound->bp[bind];
   if (s->pipeline.id != o->id || s->pipeline.serial != o->serial) {
      s->pipeline = (struct pv_vk_ref){o->id, o->serial};
      s->dirty = true;
   }
   if (bind == PV_BIND_GRAPHICS && !p->topology_dynamic)
      pv_vk_cmd_topology_set(cb, p->patch_list ? PV_TOPOLOGY_PATCHES : PV_TOPOLOGY_NOT_PATCHES);
   pv_handle_vkCmdBindPipeline(c, args);
}

/* ----- secondary command buffers ------------------------------------------------------------- */

/* A secondary's commands were checked against the scope it was begun for: one that continues
 * a render pass (draws) runs only inside one, any other only outside; its queries begun before
 * a rendering of its own take the views of the primary's (guard_query.c). */
static const char *
secondary_place(const struct pv_vk_cmd_scope *primary, const struct pv_vk_cmd_scope *s)
{
   bool continues = s->pass == PV_PASS_INHERITED;
   if (continues != (primary->pass != PV_PASS_NONE))
      return continues ? "continues a render pass, executed outside one"
                       : "does not continue a render pass, executed inside one";
   const struct pv_vk_area *n = &s->needs, *a = &primary->area;
   if (continues && (n->x_end > a->x_end || n->y_end > a->y_end || n->layers > a->layers ||
                     n->colors > a->colors))
      return "clears past the render area, layers or color attachments it is executed in";
   return NULL;
}

static const char *
secondary_misplaced(const struct pv_vk_cmdbuf *primary, const struct pv_vk_cmd_scope *s)
{
   if (s->query_room && pv_vk_query_views(primary) > s->query_room)
      return "begins or writes a query with fewer queries left in its pool than the views it "
             "is executed with";
   return secondary_place(&primary->scope, s);
}

/* ----- vkCmdClearAttachments ----------------------------------------------------------------- */

static uint32_t
max_u32(uint32_t a, uint64_t b)
{
   return b > a ? (b > UINT32_MAX ? UINT32_MAX : (uint32_t)b) : a;
}

/* What the clears reach: color attachment index + 1, rectangle ends, layer end. */
static const char *
clears_reach(const struct pv_args_vkCmdClearAttachments *a, struct pv_vk_area *reach)
{
   *reach = (struct pv_vk_area){0};
   for (uint32_t i = 0; a->pAttachments && i < a->attachmentCount; i++)
      if (a->pAttachments[i].aspectMask & VK_IMAGE_ASPECT_COLOR_BIT)
         reach->colors = max_u32(reach->colors, (uint64_t)a->pAttachments[i].colorAttachment + 1);
   for (uint32_t i = 0; a->pRects && i < a->rectCount; i++) {
      const VkClearRect *r = &a->pRects[i];
      if (r->rect.offset.x < 0 || r->rect.offset.y < 0)
         return "a rectangle at a negative offset";
      /* VUID-vkCmdClearAttachments-layerCount-01934: lavapipe 22.3 clears layers base to
       * base + layerCount - 1 (create_img_surface_bo), past the image for 0, as for a framebuffer
       * of 0 layers (guard_limits.c) */
      if (!r->layerCount)
         return "a rectangle of 0 layers";
      reach->x_end = max_u32(reach->x_end, (uint64_t)r->rect.offset.x + r->rect.extent.width);
      reach->y_end = max_u32(reach->y_end, (uint64_t)r->rect.offset.y + r->rect.extent.height);
      reach->layers = max_u32(reach->layers, (uint64_t)r->baseArrayLayer + r->layerCount);
   }
   return NULL;
}

/* lavapipe indexes its color attachments with colorAttachment and clears the rectangles and
 * layers given, clamped only to the render area's end: inside a render pass instance they must
 * stay inside it; a secondary remembers what its clears reach for pv_guard_CmdExecuteCommands. */
void
pv_guard_CmdClearAttachments(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdClearAttachments *a = args;
   struct pv_vk_cmd_scope *s = &pv_vk_cmdbuf_get(c, a->commandBuffer)->scope;
   struct pv_vk_area reach;
   const char *why = clears_reach(a, &reach);
   if (!why && s->pass == PV_PASS_INHERITED) {
      s->needs.x_end = max_u32(s->needs.x_end, reach.x_end);
      s->needs.y_end = max_u32(s->needs.y_end, reach.y_end);
      s->needs.layers = max_u32(s->needs.layers, reach.layers);
      s->needs.colors = max_u32(s->needs.colors, reach.colors);
   } else if (!why && (reach.x_end > s->area.x_end || reach.y_end > s->area.y_end ||
                       reach.layers > s->area.layers || reach.colors > s->area.colors)) {
      why = "past the render area, its layers or its color attachments";
   }
   if (why) {
      pv_venus_refuse(c, "vkCmdClearAttachments: %s", why);
      return;
   }
   pv_handle_vkCmdClearAttachments(c, args);
}

void
pv_guard_CmdExecuteCommands(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdExecuteCommands *a = args;
   struct pv_vk_cmdbuf *primary = pv_vk_cmdbuf_get(c, a->commandBuffer);
   for (uint32_t i = 0; a->pCommandBuffers && i < a->commandBufferCount; i++) {
      struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, a->pCommandBuffers[i]);
      const char *why = cb ? pv_vk_cmdbuf_not_runnable(&cb->scope, true) : "is unknown";
      if (!why)
         why = secondary_misplaced(primary, &cb->scope);
      if (!why && !pv_vk_cmdbufs_share_device(c, a->commandBuffer, a->pCommandBuffers[i]))
         why = "is not of the primary's device"; /* its tracking would keep another's queue */
      if (!why && primary->scope.active_count && cb->scope.resets_queries)
         why = "resets queries while the primary has queries active (guard_query.c)";
      if (why) {
         pv_venus_refuse(c, "vkCmdExecuteCommands: command buffer %u %s", i, why);
         return;
      }
      /* one that began a rendering leaves its view mask in the host's state, where the next
       * one's queries take it (a refusal loses the context: no state to restore) */
      if (cb->scope.views_own)
         primary->scope.views = cb->scope.views;
   }
   /* a secondary leaves its topology in the host's state too */
   if (a->commandBufferCount)
      pv_vk_cmd_topology_set(primary, PV_TOPOLOGY_UNKNOWN);
   pv_handle_vkCmdExecuteCommands(c, args);
}
