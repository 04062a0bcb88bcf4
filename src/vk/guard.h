/* SPDX-License-Identifier: MIT */
/*
 * Bounds checks of guest *values* (issue 12, DESIGN.md decision 6). A well-formed Venus command
 * can still name an offset past a buffer, a mip level an image does not have or a query past its
 * pool. The host driver does not check those (valid usage is the application's duty), and a CPU
 * driver such as lavapipe executes "GPU" copies as memcpy inside our process: an unchecked
 * srcOffset reads the server's own pages. So the renderer keeps what it needs to judge each
 * value (sizes of buffers, memory and images, bindings, query counts) and refuses, before the
 * host call, every command that would reach outside the guest's own objects. A refusal loses
 * the context (pv_venus_fatal): the guest is told, nothing reaches the host driver.
 *
 * What is checked, command by command, with the reason, is the table in guard.c. Shader
 * accesses through descriptors and vertex/index fetches are bounded by the host itself: every
 * device is created with robustBufferAccess (device.c), and descriptor ranges are checked here.
 */
#ifndef PV_VK_GUARD_H
#define PV_VK_GUARD_H

#include <stdbool.h>
#include <stdint.h>

#include "util/id_table.h"
#include "vk/pv_vk.h"

/* ----- tracked state (pv_object.data of each type) ------------------------------------------ */

/* A reference to another object that survives id reuse: compare the serial. */
struct pv_vk_ref {
   uint64_t id, serial;
};

struct pv_vk_buffer {
   uint64_t size;
   bool sparse;              /* bound through vkQueueBindSparse: the host pages its holes */
   bool bound;               /* to memory that was alive when bound */
   struct pv_vk_ref memory;  /* what it is bound to */
   uint64_t memory_offset;
};

struct pv_vk_image {
   VkImageType type;
   VkFormat format;
   VkExtent3D extent;
   uint32_t mips, layers;
   VkSampleCountFlagBits samples;
   bool sparse;
   bool bound;                  /* every plane it needs bound */
   uint32_t planes_needed, planes_bound; /* bit per plane: 1 unless disjoint multi-planar */
   struct pv_vk_ref memory;     /* the first plane's memory for disjoint images */
};

struct pv_vk_query_pool {
   VkQueryType type;
   uint32_t count;
   uint32_t values; /* values one query writes (pipeline statistics: one per flag) */
};

/* A descriptor set's dynamic buffers: a dynamic offset may add at most `dynamic_slack` bytes
 * before some descriptor's range would leave its buffer. UINT64_MAX when it has none. */
struct pv_vk_descriptor_set {
   uint64_t dynamic_slack;
   struct pv_id_table slots; /* what each descriptor names now (lifetime.h) */
};

/* The state of an object a command named, or NULL (unknown, or no state: fatal for callers). */
struct pv_vk_buffer *pv_vk_buffer_get(struct pv_dispatch_ctx *c, VkBuffer buffer);
struct pv_vk_image *pv_vk_image_get(struct pv_dispatch_ctx *c, VkImage image);
struct pv_vk_query_pool *pv_vk_query_pool_get(struct pv_dispatch_ctx *c, VkQueryPool pool);
/* The guest's allocation size of a VkDeviceMemory, 0 when unknown. */
uint64_t pv_vk_memory_size(struct pv_dispatch_ctx *c, VkDeviceMemory memory);

/* Attaches fresh state to the object with guest id `id` (after its create succeeded). */
void pv_vk_buffer_track(struct pv_dispatch_ctx *c, uint64_t id, const VkBufferCreateInfo *ci);
void pv_vk_image_track(struct pv_dispatch_ctx *c, uint64_t id, const VkImageCreateInfo *ci);

/* Refuses image creation parameters the host does not support (fatal). */
bool pv_guard_image_create(struct pv_dispatch_ctx *c, VkDevice device, const VkImageCreateInfo *ci);
/* free_data of the objects above: their state is one malloc'ed block. */
void pv_vk_state_free(struct pv_context *ctx, struct pv_object *obj);

/* Remembers what a new view (guest id `id`) views, by the target's host handle. */
void pv_vk_view_track(struct pv_dispatch_ctx *c, int32_t type, uint64_t id, int32_t target_type,
                      uint64_t target_host);

/* ----- checks: each returns true when the value is safe, else makes the command fatal -------- */

/* [offset, offset + size) inside the buffer, which is bound to memory that is still alive. */
bool pv_guard_buffer_range(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer,
                           uint64_t offset, uint64_t size);
/* As above with VK_WHOLE_SIZE meaning "to the end"; offset must be inside the buffer. */
bool pv_guard_buffer_range_whole(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer,
                                 uint64_t offset, uint64_t size);
/* count records of `record` bytes, `stride` apart, from `offset` (indirect draws, query copies). */
bool pv_guard_buffer_records(struct pv_dispatch_ctx *c, const char *what, VkBuffer buffer,
                             uint64_t offset, uint64_t count, uint64_t stride, uint64_t record);
/* What the host requires for a resource fits in the memory at offset, aligned. */
bool pv_guard_bind_fits(struct pv_dispatch_ctx *c, const char *what, const VkMemoryRequirements *req,
                        uint64_t offset, uint64_t mem_size);
/* The image is bound to live memory (or sparse). */
bool pv_guard_image_bound(struct pv_dispatch_ctx *c, const char *what, VkImage image,
                          struct pv_vk_image **out);
/* Mip level and layers (VK_REMAINING_ARRAY_LAYERS allowed) exist in the image. */
bool pv_guard_image_layers(struct pv_dispatch_ctx *c, const char *what,
                           const struct pv_vk_image *im, const VkImageSubresourceLayers *sub);
/* A VkImageSubresourceRange (VK_REMAINING_* allowed) inside the image. */
bool pv_guard_image_range(struct pv_dispatch_ctx *c, const char *what,
                          const struct pv_vk_image *im, const VkImageSubresourceRange *r);
/* [offset, offset + extent) inside mip `level` of the image. */
bool pv_guard_image_box(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
                        uint32_t level, VkOffset3D offset, VkExtent3D extent);
/* Queries [first, first + count) inside the pool. */
bool pv_guard_queries(struct pv_dispatch_ctx *c, const char *what, VkQueryPool pool,
                      uint32_t first, uint32_t count, struct pv_vk_query_pool **out);

/* ----- formats (generated from vk.xml by codegen/gen_formats.py) --------------------------- */

struct pv_format_info {
   uint32_t block_bytes;
   uint32_t block_extent[3];
   uint32_t depth_bytes;   /* bytes per texel of the depth aspect in a buffer, 0: none */
   uint32_t stencil_bytes; /* 1 with a stencil aspect, else 0 */
   uint32_t plane_count;   /* 0 for single-plane formats */
   struct {
      uint32_t width_divisor, height_divisor, bytes;
   } planes[3];
};
bool pv_format_info(VkFormat format, struct pv_format_info *info);

/* ----- command-buffer state (guard_cmdbuf.c; table generated by codegen/gen_cmd_scope.py) --- */

/* What a recorded command needs of its command buffer: one byte per command type
 * (pv_overrides.classes), checked before its handler by pv_vk_command_check. */
#define PV_SCOPE_CMD 0x01u       /* a vkCmd*: its first parameter is the command buffer */
#define PV_SCOPE_INSIDE 0x02u    /* allowed inside a render pass */
#define PV_SCOPE_OUTSIDE 0x04u   /* allowed outside one */
#define PV_SCOPE_PRIMARY 0x08u   /* allowed in a primary command buffer */
#define PV_SCOPE_SECONDARY 0x10u /* allowed in a secondary one */
/* the pipeline bind point it runs (draws, dispatches), 0: none */
enum pv_bind { PV_BIND_NONE, PV_BIND_GRAPHICS, PV_BIND_COMPUTE, PV_BIND_RAY_TRACING };
#define PV_SCOPE_BIND(b) ((unsigned)(b) << 5)
#define PV_SCOPE_BIND_OF(cls) ((unsigned)(cls) >> 5)

struct pv_cmd_scope_entry {
   const char *name;
   uint8_t flags;
};
/* Every vkCmd* of vk.xml and its aliases, terminated by a NULL name. */
extern const struct pv_cmd_scope_entry pv_cmd_scopes[];

/* The Vulkan command-buffer lifecycle as far as the host driver depends on it. */
enum pv_cmdbuf_state { PV_CMDBUF_INITIAL, PV_CMDBUF_RECORDING, PV_CMDBUF_EXECUTABLE,
                       PV_CMDBUF_INVALID };
/* Which render pass instance a recording command buffer is inside. */
enum pv_pass { PV_PASS_NONE, PV_PASS_RENDER_PASS, PV_PASS_RENDERING, PV_PASS_INHERITED };

/* Per command buffer (embedded in struct pv_vk_cmdbuf, lifetime.h). */
struct pv_vk_cmd_scope {
   uint8_t state;    /* enum pv_cmdbuf_state */
   uint8_t pass;     /* enum pv_pass */
   uint8_t bound;    /* bit (1 << PV_BIND_*) per bind point with a pipeline bound */
   bool secondary;   /* its level, from vkAllocateCommandBuffers */
   uint32_t subpass, subpasses; /* in a PV_PASS_RENDER_PASS: current and count */
};

/* State of a VkRenderPass and a VkPipeline (pv_object.data). */
struct pv_vk_render_pass {
   uint32_t subpasses;
};
/* A VkPipelineLayout's set count (binds and pushes name set indices the host stores by) and
 * where its push constant ranges end (the host copies pushed bytes to that offset of a
 * fixed-size block of its own). */
struct pv_vk_pipeline_layout {
   uint32_t sets;
   uint32_t push_end;
};
struct pv_vk_pipeline {
   uint8_t bind;  /* enum pv_bind it must be bound to */
   bool library;  /* VK_PIPELINE_CREATE_LIBRARY_BIT_KHR: never bound */
};

/* The check before every command of class `cls` != 0 (pv_family.command_check). */
void pv_vk_command_check(struct pv_dispatch_ctx *c, int32_t type, uint8_t cls, void *args);
/* Fills the dialect's class bytes from pv_cmd_scopes (families.c). */
void pv_vk_scope_register(struct pv_overrides *o);
/* Why a command buffer may not be submitted (primary: vkQueueSubmit) or executed (secondary:
 * vkCmdExecuteCommands), NULL when it may. */
const char *pv_vk_cmdbuf_not_runnable(const struct pv_vk_cmd_scope *s, bool secondary);
/* State moves of the lifecycle commands guard_destroy.c handles. */
void pv_vk_cmdbuf_begun(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                        const VkCommandBufferBeginInfo *info, VkResult r);
void pv_vk_cmdbuf_reset(struct pv_dispatch_ctx *c, VkCommandBuffer cmd);
void pv_vk_cmdpool_reset(struct pv_dispatch_ctx *c, VkCommandPool pool);

/* ----- registration ------------------------------------------------------------------------- */

struct pv_vk_guard_entry {
   const char *name;
   pv_handler_fn fn;
   const char *reason; /* what the check keeps the host driver from doing */
};
/* The guarded handlers (guard_buffer.c, guard_image.c, guard_query.c, guard_descriptor.c). */
#define PV_GUARD(name) void pv_guard_##name(struct pv_dispatch_ctx *c, void *args);
PV_GUARD(CmdCopyBuffer)
PV_GUARD(CmdCopyBuffer2)
PV_GUARD(CmdFillBuffer)
PV_GUARD(CmdUpdateBuffer)
PV_GUARD(CmdBindVertexBuffers)
PV_GUARD(CmdBindVertexBuffers2)
PV_GUARD(CmdBindIndexBuffer)
PV_GUARD(CmdBindIndexBuffer2KHR)
PV_GUARD(CmdDrawIndirect)
PV_GUARD(CmdDrawIndexedIndirect)
PV_GUARD(CmdDispatchIndirect)
PV_GUARD(CmdDrawIndirectCount)
PV_GUARD(CmdDrawIndexedIndirectCount)
PV_GUARD(CmdDrawIndirectByteCountEXT)
PV_GUARD(CreateBufferView)
PV_GUARD(BindBufferMemory)
PV_GUARD(BindBufferMemory2)
PV_GUARD(BindImageMemory)
PV_GUARD(BindImageMemory2)
PV_GUARD(CmdCopyBufferToImage)
PV_GUARD(CmdCopyImageToBuffer)
PV_GUARD(CmdCopyBufferToImage2)
PV_GUARD(CmdCopyImageToBuffer2)
PV_GUARD(CmdCopyImage)
PV_GUARD(CmdCopyImage2)
PV_GUARD(CmdResolveImage)
PV_GUARD(CmdResolveImage2)
PV_GUARD(CmdBlitImage)
PV_GUARD(CmdBlitImage2)
PV_GUARD(CmdClearColorImage)
PV_GUARD(CmdClearDepthStencilImage)
PV_GUARD(CreateImageView)
PV_GUARD(CreateQueryPool)
PV_GUARD(CmdResetQueryPool)
PV_GUARD(ResetQueryPool)
PV_GUARD(GetQueryPoolResults)
PV_GUARD(CmdCopyQueryPoolResults)
PV_GUARD(CmdBeginQuery)
PV_GUARD(CmdEndQuery)
PV_GUARD(CmdBeginQueryIndexedEXT)
PV_GUARD(CmdEndQueryIndexedEXT)
PV_GUARD(CmdWriteTimestamp)
PV_GUARD(CmdWriteTimestamp2)
PV_GUARD(UpdateDescriptorSets)
PV_GUARD(CmdPushDescriptorSetKHR)
PV_GUARD(CmdBindDescriptorSets)
PV_GUARD(DestroyBuffer)
PV_GUARD(DestroyImage)
PV_GUARD(FreeMemory)
PV_GUARD(DestroyBufferView)
PV_GUARD(DestroyImageView)
PV_GUARD(DestroySampler)
PV_GUARD(DestroyPipeline)
PV_GUARD(DestroyQueryPool)
PV_GUARD(DestroyFramebuffer)
PV_GUARD(DestroyRenderPass)
PV_GUARD(DestroyEvent)
PV_GUARD(DestroySamplerYcbcrConversion)
PV_GUARD(FreeDescriptorSets)
PV_GUARD(FreeCommandBuffers)
PV_GUARD(ResetCommandPool)
PV_GUARD(ResetCommandBuffer)
PV_GUARD(BeginCommandBuffer)
PV_GUARD(GetFenceStatus)
PV_GUARD(AllocateCommandBuffers)
PV_GUARD(EndCommandBuffer)
PV_GUARD(CmdBeginRenderPass)
PV_GUARD(CmdBeginRenderPass2)
PV_GUARD(CmdNextSubpass)
PV_GUARD(CmdNextSubpass2)
PV_GUARD(CmdEndRenderPass)
PV_GUARD(CmdEndRenderPass2)
PV_GUARD(CmdBeginRendering)
PV_GUARD(CmdEndRendering)
PV_GUARD(CmdBindPipeline)
PV_GUARD(CmdExecuteCommands)
PV_GUARD(CreateRenderPass)
PV_GUARD(CreateRenderPass2)
PV_GUARD(CreateGraphicsPipelines)
PV_GUARD(CreateComputePipelines)
PV_GUARD(CreatePipelineLayout)
PV_GUARD(CmdPushConstants)
PV_GUARD(CreateDescriptorSetLayout)
PV_GUARD(CreateDescriptorPool)
PV_GUARD(CreateFramebuffer)
#undef PV_GUARD
/* Descriptor counts against the device's limits (guard_counts.c): false, and the context
 * refused, when a set layout's bindings or a pool's sizes exceed them. */
bool pv_guard_set_layout_counts(struct pv_dispatch_ctx *c, VkDevice device,
                                const VkDescriptorSetLayoutCreateInfo *ci);
bool pv_guard_pool_counts(struct pv_dispatch_ctx *c, VkDevice device,
                          const VkDescriptorPoolCreateInfo *ci);
/* Waits for the device's submitted work (guard_destroy.c), for the pool overrides (pools.c). */
void pv_vk_quiesce_for(struct pv_dispatch_ctx *c, VkDevice device);

/* The table of guarded commands (guard.c), terminated by a NULL name. */
extern const struct pv_vk_guard_entry pv_vk_guards[];

#endif
