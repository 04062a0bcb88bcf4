/* SPDX-License-Identifier: MIT */
/*
 * Vertex bindings a draw fetches from (guard.h). lavapipe hands a command buffer's vertex
 * buffers to its gallium context only when the command buffer binds some, and that context
 * outlives the command buffer: a draw whose pipeline fetches from a binding its own command
 * buffer never bound reads the buffers of an earlier command buffer, whose memory the guest may
 * have freed since (fuzz input b194b004 from the H200 machine's campaign: a read in the vertex
 * fetch code through a guest mapping that was gone). Vulkan requires every binding a draw's
 * vertex shader reads to be bound; on such a host every binding the pipeline's attributes name
 * must be (lavapipe fetches them all), a VK_NULL_HANDLE buffer included (nullDescriptor: it
 * reads zeros).
 */
#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* The tracking holds 64 bindings; the devices seen have 32 (maxVertexInputBindings). */
#define TRACKED_BINDINGS 64u

bool
pv_vk_has_dynamic_state(const VkGraphicsPipelineCreateInfo *ci, VkDynamicState state)
{
   const VkPipelineDynamicStateCreateInfo *d = ci->pDynamicState;
   for (uint32_t i = 0; d && d->pDynamicStates && i < d->dynamicStateCount; i++)
      if (d->pDynamicStates[i] == state)
         return true;
   return false;
}

/* A create info with a tessellation control stage whose patch size is dynamic: a draw needs
 * vkCmdSetPatchControlPointsEXT in its own command buffer first (VUID-vkCmdDraw-None-04875).
 * lavapipe's is 0 until then, and its draw divides by it (a SIGFPE that ends the process). */
static bool
patch_size_dynamic(const VkGraphicsPipelineCreateInfo *ci)
{
   for (uint32_t i = 0; ci->pStages && i < ci->stageCount; i++)
      if (ci->pStages[i].stage == VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT)
         return pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_PATCH_CONTROL_POINTS_EXT);
   return false;
}

static bool
has_tessellation(const VkGraphicsPipelineCreateInfo *ci)
{
   for (uint32_t i = 0; ci->pStages && i < ci->stageCount; i++)
      if (ci->pStages[i].stage &
          (VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT | VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT))
         return true;
   return false;
}

/* Whether the create info's vertex input state is used: a vertex stage reads it, or a library
 * that is (or may be) the vertex input interface part carries it. */
static bool
uses_vertex_input(const VkGraphicsPipelineCreateInfo *ci)
{
   for (uint32_t i = 0; ci->pStages && i < ci->stageCount; i++)
      if (ci->pStages[i].stage == VK_SHADER_STAGE_VERTEX_BIT)
         return true;
   const VkGraphicsPipelineLibraryCreateInfoEXT *lib =
      pv_vk_find_chained(ci->pNext, VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_LIBRARY_CREATE_INFO_EXT);
   return lib && (lib->flags & VK_GRAPHICS_PIPELINE_LIBRARY_VERTEX_INPUT_INTERFACE_BIT_EXT);
}

const char *
pv_vk_pipeline_vertex_needs(struct pv_dispatch_ctx *c, const VkGraphicsPipelineCreateInfo *ci,
                            struct pv_vk_pipeline *p)
{
   const VkPipelineVertexInputStateCreateInfo *vi = ci->pVertexInputState;
   p->vertex_dynamic = pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_VERTEX_INPUT_EXT);
   p->patch_dynamic = patch_size_dynamic(ci);
   p->tessellates = has_tessellation(ci);
   p->topology_dynamic = pv_vk_has_dynamic_state(ci, VK_DYNAMIC_STATE_PRIMITIVE_TOPOLOGY);
   /* the input assembly state is the vertex input interface's, as the vertex input is */
   p->patch_list = !p->topology_dynamic && uses_vertex_input(ci) && ci->pInputAssemblyState &&
                   ci->pInputAssemblyState->topology == VK_PRIMITIVE_TOPOLOGY_PATCH_LIST;
   p->vertex_needs = 0;
   if (vi && vi->pVertexAttributeDescriptions && !p->vertex_dynamic && uses_vertex_input(ci)) {
      for (uint32_t i = 0; i < vi->vertexAttributeDescriptionCount; i++) {
         uint32_t b = vi->pVertexAttributeDescriptions[i].binding;
         if (b >= TRACKED_BINDINGS)
            return "a vertex attribute's binding past the 64 this renderer tracks";
         p->vertex_needs |= 1ull << b;
      }
   }
   const VkPipelineLibraryCreateInfoKHR *libs =
      pv_vk_find_chained(ci->pNext, VK_STRUCTURE_TYPE_PIPELINE_LIBRARY_CREATE_INFO_KHR);
   for (uint32_t i = 0; libs && libs->pLibraries && i < libs->libraryCount; i++) {
      struct pv_object *o =
         pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE, PV_FROM_HANDLE(libs->pLibraries[i]));
      const struct pv_vk_pipeline *l = o ? o->data : NULL;
      if (l) {
         p->vertex_needs |= l->vertex_needs;
         p->vertex_dynamic |= l->vertex_dynamic;
         p->patch_dynamic |= l->patch_dynamic;
         p->tessellates |= l->tessellates;
         p->topology_dynamic |= l->topology_dynamic;
         p->patch_list |= l->patch_list;
      }
   }
   return NULL;
}

void
pv_vk_cmd_vertex_bind(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, uint32_t first,
                      uint32_t count)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   /* the range is inside the device's limit (checked before), so below 64 where tracked */
   for (uint32_t i = 0; cb && i < count && first + i < TRACKED_BINDINGS; i++)
      cb->scope.vertex_bound |= 1ull << (first + i);
}

void
pv_vk_cmd_vertex_input(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                       const VkVertexInputAttributeDescription2EXT *at, uint32_t count)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   if (!cb)
      return;
   cb->scope.vertex_dynamic = 0;
   /* bindings are inside the device's limit (checked before) */
   for (uint32_t i = 0; at && i < count; i++)
      if (at[i].binding < TRACKED_BINDINGS)
         cb->scope.vertex_dynamic |= 1ull << at[i].binding;
   if (cb->bound)
      cb->bound->bp[PV_BIND_GRAPHICS].dirty = true; /* the next draw checks the new needs */
}

void
pv_vk_cmd_patch_size_set(struct pv_dispatch_ctx *c, VkCommandBuffer cmd)
{
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, cmd);
   if (!cb || cb->scope.patch_size_set)
      return;
   cb->scope.patch_size_set = true;
   if (cb->bound)
      cb->bound->bp[PV_BIND_GRAPHICS].dirty = true; /* a draw refused before may pass now */
}

void
pv_vk_cmd_topology_set(struct pv_vk_cmdbuf *cb, enum pv_topology topology)
{
   /* guests set the topology, and rebind a pipeline, before most draws: only a change has
    * the next draw checked again */
   if (cb->scope.topology == (uint8_t)topology)
      return;
   cb->scope.topology = (uint8_t)topology;
   if (cb->bound)
      cb->bound->bp[PV_BIND_GRAPHICS].dirty = true;
}

void
pv_guard_CmdSetPrimitiveTopology(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdSetPrimitiveTopology *a = args;
   struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_get(c, a->commandBuffer);
   if (cb) /* (a failed host call loses the context: nothing is drawn after it) */
      pv_vk_cmd_topology_set(cb, a->primitiveTopology == VK_PRIMITIVE_TOPOLOGY_PATCH_LIST
                                    ? PV_TOPOLOGY_PATCHES
                                    : PV_TOPOLOGY_NOT_PATCHES);
   pv_handle_vkCmdSetPrimitiveTopology(c, args);
}

/* Patches drawn without tessellation stages, which Vulkan rules out, as it does a dynamic
 * topology not set since the command buffer began, bound a pipeline of a static one or executed
 * secondaries: lavapipe's patch size is then 0, never set, and its draw divides the vertex count
 * by it (draw_pt_trim_count), a SIGFPE that ends the process. A pipeline library's link can join
 * a vertex input part that draws patches to a pre-rasterization part without tessellation, and
 * a dynamic topology can be set to patches for any pipeline. A primary's unset topology is
 * lavapipe's start, points; a secondary's is whatever the primary executing it left. */
static const char *
topology_violation(const struct pv_vk_cmdbuf *cb, const struct pv_vk_pipeline *p)
{
   if (p->tessellates)
      return NULL;
   if (!p->topology_dynamic)
      return p->patch_list ? "draws a patch list without tessellation stages" : NULL;
   switch (cb->scope.topology) {
   case PV_TOPOLOGY_PATCHES:
      return "draws a patch list (set dynamically) without tessellation stages";
   case PV_TOPOLOGY_UNKNOWN:
      return "has a dynamic primitive topology not set since this command buffer began or "
             "executed secondaries";
   default:
      return NULL;
   }
}

bool
pv_vk_vertex_ready(struct pv_dispatch_ctx *c, const struct pv_vk_cmdbuf *cb,
                   const struct pv_vk_bind_state *s, const char *what)
{
   struct pv_object *o = pv_venus_find(c, s->pipeline.id, VK_OBJECT_TYPE_PIPELINE);
   const struct pv_vk_pipeline *p = o && o->serial == s->pipeline.serial ? o->data : NULL;
   if (!p)
      return true; /* pv_vk_descriptors_ready refused it */
   const char *why = topology_violation(cb, p);
   if (why) {
      pv_venus_refuse(c, "%s: the pipeline %s", what, why);
      return false;
   }
   if (p->patch_dynamic && !cb->scope.patch_size_set) {
      pv_venus_refuse(c,
                      "%s: the pipeline's patch size is dynamic and was never set in this "
                      "command buffer",
                      what);
      return false;
   }
   if (!cb->pd || !cb->pd->keeps_vertex_buffers)
      return true;
   uint64_t needs = p->vertex_dynamic ? cb->scope.vertex_dynamic : p->vertex_needs;
   uint64_t missing = needs & ~cb->scope.vertex_bound;
   if (!missing)
      return true;
   pv_venus_refuse(c, "%s: vertex binding %d is fetched but was never bound in this command "
                      "buffer (this host driver would read an earlier command buffer's)",
                   what, __builtin_ctzll(missing));
   return false;
}
