/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile (issue 12): a guest that passes well-formed Vulkan calls with hostile *values*
 * (offsets, sizes, ranges, subresources, lifetimes) through the real Mesa Venus driver, which
 * encodes whatever the application passes, so the values reach the renderer exactly as a
 * malicious guest would send them. pv-hostile.c runs one case per process and judges it; the
 * cases live in pv_hostile_cases.c.
 *
 * What a case must see: an error (VK_ERROR_DEVICE_LOST from a call, or the guest driver aborting
 * on the ring's FATAL status: "context lost, guest told"), and every canary byte intact — canary
 * buffers are host-visible allocations filled with a known byte around and behind the hostile
 * command, read through the guest's own mapping. The `valid` case does legal work at the edges
 * and must succeed.
 */
#ifndef PV_HOSTILE_H
#define PV_HOSTILE_H

#include "pv_common.h"

/* Every buffer a case makes is this big unless it says otherwise (one 64 KiB allocation, as in
 * the report). */
#define PV_HOSTILE_SIZE ((VkDeviceSize)64 << 10)
#define PV_HOSTILE_CANARY 0xa5u
#define PV_HOSTILE_SECRET 0x5eu
#define PV_HOSTILE_MAX_CANARIES 8

struct pv_hostile {
   struct pv_ctx c;
   const char *name;
   const char *what; /* the case's hostile values, in words */
   /* the first call that did not return VK_SUCCESS, and what it returned (the one that returned
    * VK_ERROR_DEVICE_LOST once there is one) */
   const char *err_call;
   VkResult err;
   /* host-visible buffers that must keep PV_HOSTILE_CANARY in every byte */
   struct pv_buffer *canary[PV_HOSTILE_MAX_CANARIES];
   unsigned ncanary;
   /* lifetime cases: a destination filled with the canary that a copy from a live source may
    * legitimately fill with `copied` (when the renderer keeps a destroyed object alive until its
    * work ends); any other byte is memory the source no longer owned */
   struct pv_buffer *copy_dst;
   uint8_t copied;
};

/* Records a call's result: prints it when it is not VK_SUCCESS and keeps the first error. On
 * VK_ERROR_DEVICE_LOST (outside `valid`) it checks the canaries and ends the case: the guest
 * was told. */
VkResult pv_hostile_note(struct pv_hostile *h, const char *call, VkResult r);
#define PV_HOSTILE_NOTE(h, expr) pv_hostile_note((h), #expr, (expr))
/* Ends the case with its PASS or FAIL line: passes when the first error was
 * VK_ERROR_DEVICE_LOST (canaries are checked before). */
__attribute__((noreturn)) void pv_hostile_verdict(struct pv_hostile *h);

/* A host-visible coherent buffer filled with `byte`, with its own 64 KiB-or-more allocation. */
void pv_hostile_buffer(struct pv_hostile *h, struct pv_buffer *b, VkDeviceSize size,
                       VkBufferUsageFlags usage, uint8_t byte);
/* The same filled with PV_HOSTILE_CANARY and registered as a canary. */
void pv_hostile_canary(struct pv_hostile *h, struct pv_buffer *b, VkDeviceSize size,
                       VkBufferUsageFlags usage);
/* Canary buffers on both sides (allocated just before and after) of whatever the case makes in
 * between: a host write past an allocation lands in a neighbour when the renderer's mappings
 * are adjacent. */
void pv_hostile_neighbours(struct pv_hostile *h);
/* A buffer filled with PV_HOSTILE_SECRET, allocated next to (before and after) a source a case
 * reads past: host memory the guest may not read, with a value a canary never has, so a read
 * past the source that lands in a neighbouring allocation still changes the destination. */
void pv_hostile_secret(struct pv_hostile *h);
/* Checks every canary byte; fails the case (FAIL line naming the buffer and offset) if one
 * changed. `when` says at which step. */
void pv_hostile_check_canaries(struct pv_hostile *h, const char *when);

/* Ends, submits and waits for `cmd` (3 s), checks canaries, then waits for the queue and the
 * device; every result goes through pv_hostile_note. The command buffer is not freed (its
 * objects may be gone). */
void pv_hostile_submit(struct pv_hostile *h, VkCommandBuffer cmd);
/* The same for a command buffer the case ended (the guest driver sends a command buffer's
 * commands at its vkEndCommandBuffer). */
void pv_hostile_submit_ended(struct pv_hostile *h, VkCommandBuffer cmd);
/* A round trip that must report a lost context (vkDeviceWaitIdle and a fence status). */
void pv_hostile_sync(struct pv_hostile *h);

/* A 2D RGBA8 optimal image with its own memory, in TRANSFER_DST layout after `cmd` (recorded
 * barrier). */
VkImage pv_hostile_image(struct pv_hostile *h, VkDeviceMemory *mem, uint32_t extent,
                         uint32_t mips, uint32_t layers, VkSampleCountFlagBits samples,
                         VkImageUsageFlags usage);
/* The same of another format. */
VkImage pv_hostile_image_of(struct pv_hostile *h, VkDeviceMemory *mem, VkFormat format,
                            uint32_t extent, uint32_t mips, uint32_t layers,
                            VkSampleCountFlagBits samples, VkImageUsageFlags usage);
void pv_hostile_to_layout(VkCommandBuffer cmd, VkImage image, uint32_t mips, uint32_t layers,
                          VkImageLayout from, VkImageLayout to);

/* ----- objects the cases share (pv_hostile_objects.c) --------------------------------------- */

#define PV_HOSTILE_IMG 64u /* images are 64x64 RGBA8: 16 KiB */
#define PV_HOSTILE_FB 16u  /* the graphics target is 16x16 */
#define PV_HOSTILE_QUERIES 4u
#define PV_HOSTILE_ALL_BUF                                                                         \
   (VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_INDIRECT_BUFFER_BIT |                     \
    VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_INDEX_BUFFER_BIT)

/* A transfer buffer with no memory bound. */
VkBuffer pv_hostile_unbound_buffer(struct pv_hostile *h, VkDeviceSize size);
/* A pool of PV_HOSTILE_QUERIES timestamp queries, every one reset and written. */
VkQueryPool pv_hostile_query_pool(struct pv_hostile *h);
/* The compute.comp kernel's SPIR-V (its header defines the array: one file includes it). */
const uint32_t *pv_hostile_compute_spv(size_t *size);
/* The compute.comp kernel (pv_compute_init) with a pool for `max_sets` sets. */
void pv_hostile_compute_init(struct pv_hostile *h, struct pv_compute *k, uint32_t max_sets);
/* A storage-buffer set for compute.comp (pv_compute_init) written with the infos as given. */
VkDescriptorSet pv_hostile_compute_set(struct pv_hostile *h, struct pv_compute *k,
                                       VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst);

/* A render pass, framebuffer and pipeline drawing opaque red into a PV_HOSTILE_FB square from
 * one vec4 vertex attribute (hostile.vert/.frag); the target ends in TRANSFER_SRC layout. */
struct pv_hostile_gfx {
   VkRenderPass rp;
   VkFramebuffer fb;
   VkPipeline pipe;
   VkImage target;
};

void pv_hostile_gfx_init(struct pv_hostile *h, struct pv_hostile_gfx *g);
/* The pipeline of pv_hostile_gfx_init for render pass `rp`, rasterizing `samples` (a pipeline
 * of more than one sample is noted, not required: cases make such pipelines to be refused). */
VkPipeline pv_hostile_gfx_pipeline(struct pv_hostile *h, VkRenderPass rp,
                                   VkPrimitiveTopology topology, VkSampleCountFlagBits samples);
/* The same with a pipeline of another primitive topology. */
void pv_hostile_gfx_init_topology(struct pv_hostile *h, struct pv_hostile_gfx *g,
                                  VkPrimitiveTopology topology);
/* Begins the render pass and binds the pipeline. */
void pv_hostile_gfx_begin(VkCommandBuffer cmd, const struct pv_hostile_gfx *g);
/* One triangle covering the target, as three vec4 at `at` in host-visible `b`. */
void pv_hostile_put_triangle(struct pv_buffer *b, VkDeviceSize at);

struct pv_hostile_case {
   const char *name;
   const char *what;
   void (*run)(struct pv_hostile *h);
   bool needs_host_query_reset;
};
/* queries begun, ended and reset out of turn; timestamps in other pools (pv_hostile_queries.c) */
void pv_hostile_query_end_unbegun(struct pv_hostile *h);
void pv_hostile_query_reset_active(struct pv_hostile *h);
void pv_hostile_query_left_active(struct pv_hostile *h);
void pv_hostile_query_timestamp_statistics(struct pv_hostile *h);
/* the `valid` case */
void pv_hostile_valid(struct pv_hostile *h);
/* valid's Workgroup memory read past its end and before it is written (pv_hostile_shared.c) */
void pv_hostile_valid_shared(struct pv_hostile *h);
/* valid's copy of 2^31 bytes (pv_hostile_ranges.c) */
void pv_hostile_valid_big_copy(struct pv_hostile *h);
/* command-buffer state cases (pv_hostile_scope.c) */
void pv_hostile_draw_no_pipeline(struct pv_hostile *h);
void pv_hostile_dispatch_no_pipeline(struct pv_hostile *h);
void pv_hostile_draw_outside_pass(struct pv_hostile *h);
void pv_hostile_end_inside_pass(struct pv_hostile *h);
/* render pass instances (pv_hostile_scope.c) */
void pv_hostile_render_area(struct pv_hostile *h);
void pv_hostile_clear_rect(struct pv_hostile *h);
void pv_hostile_clear_color(struct pv_hostile *h);
void pv_hostile_clear_layers(struct pv_hostile *h);
void pv_hostile_secondary_clear_color(struct pv_hostile *h);
void pv_hostile_dynamic_offset_rewritten(struct pv_hostile *h);
/* device limits (pv_hostile_scope.c) */
void pv_hostile_limit_scissor(struct pv_hostile *h);
void pv_hostile_limit_vertex_binding(struct pv_hostile *h);
void pv_hostile_vertex_unbound(struct pv_hostile *h);
/* conditional rendering (pv_hostile_values.c; the device gets VK_EXT_conditional_rendering) */
void pv_hostile_cond_offset(struct pv_hostile *h);
void pv_hostile_cond_unended(struct pv_hostile *h);
/* shaders against layouts, descriptors never written (pv_hostile_shader.c) */
void pv_hostile_shader_binding_missing(struct pv_hostile *h);
void pv_hostile_shader_binding_type(struct pv_hostile *h);
void pv_hostile_shader_push_range(struct pv_hostile *h);
void pv_hostile_shader_invalid(struct pv_hostile *h);
/* lavapipe 22.3's uniform inlining past its table (pv_hostile_inline.c) */
void pv_hostile_inline_uniform_rows(struct pv_hostile *h);
/* a shared array specialized to 4 GiB + 4 bytes (pv_hostile_shared.c) */
void pv_hostile_shared_size(struct pv_hostile *h);
/* a Function array specialized to 0xFFFFFFFF elements (pv_hostile_shared.c) */
void pv_hostile_private_size(struct pv_hostile *h);
/* a specialization constant INT_MIN divided by -1 (pv_hostile_shared.c) */
void pv_hostile_spec_divide(struct pv_hostile *h);
/* a storage descriptor and a texel view past the device's limits (pv_hostile_ranges.c) */
void pv_hostile_descriptor_limit(struct pv_hostile *h);
void pv_hostile_texel_view_limit(struct pv_hostile *h);
void pv_hostile_raw_device_address(struct pv_hostile *h);
void pv_hostile_descriptor_unwritten(struct pv_hostile *h);
void pv_hostile_descriptor_copy_unwritten(struct pv_hostile *h);
/* values the registry or the device's limits rule out (pv_hostile_values.c) */
void pv_hostile_null_barrier_buffer(struct pv_hostile *h);
void pv_hostile_enum_border_color(struct pv_hostile *h);
void pv_hostile_descriptor_count(struct pv_hostile *h);
void pv_hostile_stage_storage_buffers(struct pv_hostile *h);
void pv_hostile_descriptor_pool_size(struct pv_hostile *h);
/* image formats and boxes Vulkan rules out (pv_hostile_formats.c) */
void pv_hostile_resolve_z(struct pv_hostile *h);
void pv_hostile_clear_color_compressed(struct pv_hostile *h);
void pv_hostile_clear_color_depth(struct pv_hostile *h);
void pv_hostile_clear_depth_compressed(struct pv_hostile *h);
void pv_hostile_copy_depth_to_color(struct pv_hostile *h);
/* objects that must agree and values past the device's limits (pv_hostile_agree.c) */
void pv_hostile_query_statistics_bits(struct pv_hostile *h);
void pv_hostile_bind_set_other_layout(struct pv_hostile *h);
void pv_hostile_view_compressed_of_plain(struct pv_hostile *h);
void pv_hostile_framebuffer_view_format(struct pv_hostile *h);
void pv_hostile_pipeline_samples(struct pv_hostile *h);
void pv_hostile_viewport_limit(struct pv_hostile *h);
/* push descriptors and feature-gated setters (pv_hostile_push.c) */
void pv_hostile_push_across_stages(struct pv_hostile *h);
void pv_hostile_push_plain_layout(struct pv_hostile *h);
void pv_hostile_setter_without_feature(struct pv_hostile *h);
void pv_hostile_render_pass_layout(struct pv_hostile *h);
void pv_hostile_mutable_unlisted(struct pv_hostile *h);

extern const struct pv_hostile_case pv_hostile_cases[];
extern const unsigned pv_hostile_case_count;

#endif
