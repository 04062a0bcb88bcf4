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

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "renderer/reclaim.h"
#include "util/id_table.h"
#include "vk/pv_vk.h"

/* ----- tracked state (pv_object.data of each type) ------------------------------------------ */

/* A reference to another object that survives id reuse: compare the serial. */
struct pv_vk_ref {
   uint64_t id, serial;
};

/* The most memory planes an image binds separately (a disjoint three-plane format). */
#define PV_VK_IMAGE_PLANES 3u

/*
 * Binding memory is claimed before the host call (pv_guard_bind_claim), with one atomic
 * read-modify-write: two rings binding one buffer or image plane at once would both find it
 * unbound, both reach the host driver and leave our record naming one memory while the host
 * object uses the other, so the liveness checks would follow the wrong memory.
 */
struct pv_vk_buffer {
   uint64_t size;
   bool sparse;              /* bound through vkQueueBindSparse: the host pages its holes */
   bool bound;               /* to memory that was alive when bound */
   uint32_t bind_claimed;    /* 1: a bind of it went ahead (atomic) */
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
   bool mutable_format;         /* MUTABLE_FORMAT: views may reinterpret its texels */
   VkImageCreateFlags flags;    /* as created: which view types it allows (CUBE_COMPATIBLE, ...) */
   bool bound;                  /* every plane it needs bound */
   uint32_t planes_needed, planes_bound; /* bit per plane: 1 unless disjoint multi-planar */
   uint32_t planes_claimed;              /* planes a bind went ahead for (atomic) */
   struct pv_vk_ref memory[PV_VK_IMAGE_PLANES]; /* each plane's (disjoint images: several) */
};

struct pv_vk_query_pool {
   VkQueryType type;
   uint32_t count;
   uint32_t values; /* values one query writes (pipeline statistics: one per flag) */
   uint64_t charged; /* bytes of the context's device-memory quota it holds */
};

/* A descriptor set layout's bindings (guard_shader.c), sorted by binding number. Shared, with
 * a count: pipeline layouts and sets keep using it after the guest destroys the layout. */
struct pv_vk_layout_binding {
   uint32_t binding, count;
   VkDescriptorType type;
   VkShaderStageFlags stages;
   uint32_t first_bit; /* its first element's bit in a written map; UINT32_MAX: not tracked */
   bool partial;       /* PARTIALLY_BOUND: unwritten elements allowed (SECURITY.md) */
   bool variable;      /* VARIABLE_DESCRIPTOR_COUNT: `count` is the most a set may have */
   bool immutable;     /* has immutable samplers */
   bool immutable_compare; /* one of them is compare-enabled (guard_sampler.c) */
   /* MUTABLE: pv_spirv_type_bit of each type its list lets it take (guard_mutable.c) */
   uint32_t mutable_types;
};
struct pv_vk_set_layout {
   _Atomic uint32_t refs;
   bool update_after_bind; /* UPDATE_AFTER_BIND_POOL: the per-stage limits are those for it */
   bool push;              /* PUSH_DESCRIPTOR: only vkCmdPushDescriptorSetKHR writes it */
   uint32_t count; /* bindings */
   uint64_t bits;  /* elements tracked in a written map (inline uniform blocks are not) */
   struct pv_vk_layout_binding b[];
};
/* Which elements of a set (or of a command buffer's pushed set) have been written. On a host
 * that needs a depth reference with a compare-enabled sampler (pv_vk.h compare_needs_dref),
 * two more maps of as many words follow the written bits: the elements holding such a sampler
 * now, and the elements a draw has read without a depth reference (only ever growing: a
 * command buffer recorded with that draw runs it with whatever the set holds when it runs). */
struct pv_vk_written {
   struct pv_vk_set_layout *layout; /* a reference */
   uint32_t variable;               /* the variable-count binding's count in this set */
   uint32_t words;                  /* of each map */
   bool compare;                    /* the two extra maps follow */
   /* A command buffer's pushed map replaced or reset while another ring's draw check may walk
    * it (a guest recording one command buffer on two rings): freed once no path may (reclaim.h). */
   struct pv_reclaim_item retired;
   uint64_t bits[];
};

/* A descriptor set's dynamic buffers: a dynamic offset may add at most `dynamic_slack` bytes
 * before some descriptor's range would leave its buffer. UINT64_MAX when it has none. */
/* A command buffer's recording that bound a descriptor set (set_writes.c): its id, serial and
 * struct pv_vk_cmdbuf.ended when it bound the set. */
struct pv_vk_set_binder {
   uint64_t cmdbuf, serial, ended;
};
#define PV_SET_BINDERS 4

struct pv_vk_descriptor_set {
   uint64_t dynamic_slack;
   struct pv_id_table slots; /* what each descriptor names now (lifetime.h), under slots_lock */
   /* A guest may update a set on one ring while another ring's submission walks it (breaking
    * Vulkan's external synchronization): the table must not be rehashed or freed under it. */
   pthread_mutex_t slots_lock;
   uint64_t alive_gen; /* liveness epoch (lifetime.c) at which every slot was alive; 0: none */
   struct pv_vk_written *written; /* NULL until allocated by a vkAllocateDescriptorSets we saw */
   /* every sampler element written (pv_vk_written_sampler_gap found none): written bits only
    * grow, so a bind on a reads_samplers_at_bind host checks the set once, not per bind */
   bool samplers_complete;
   uint64_t pool_serial; /* its pool's serial (pool_uses.c), 0 until looked up */
   /* The largest dynamic offset a bind applied to it since `binding` last changed, and that
    * value (0: its object serial), which command buffers that bind it keep in their references
    * (lifetime.c). The host reads a set's descriptors, and adds the bound offsets, when the work
    * runs: a write that leaves less room than an earlier bind used gives the set a new value, so
    * a command buffer bound before it is refused. Binds hold a set shared, so two may raise it
    * at once. */
   _Atomic uint64_t max_bound;
   _Atomic uint64_t binding;
   /* set_writes.c, where a torn descriptor would reach host memory: the recordings that bound
    * it (under slots_lock; more than fit: binders_overflow, and its pool stands for them) and
    * how many of the host's writes of it are under way, which submissions naming it wait out */
   struct pv_vk_set_binder binders[PV_SET_BINDERS];
   uint32_t binder_count;
   bool binders_overflow;
   _Atomic uint32_t writers;
};
/* After a write to `set` (state `s`), before the host's: when it left less room than a bind
 * used, a new binding value, and a wait for the work that used its pool (which reads the set's
 * descriptors with the offsets bound). */
void pv_vk_descriptor_set_room(struct pv_dispatch_ctx *c, VkDescriptorSet set,
                               struct pv_vk_descriptor_set *s);

/*
 * Descriptor writes against running work (set_writes.c). Where a torn descriptor would reach
 * host memory (pv_vk_physdev_withholds_addresses), a bind notes its command buffer's recording
 * in the set; a write of the set waits for those of them that may still run, and submissions
 * naming a set wait while the host writes it. Elsewhere none of it runs.
 */
struct pv_args_vkUpdateDescriptorSets;
void pv_vk_sets_bound(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf, uint32_t count,
                      const VkDescriptorSet *sets);
/* The sets a vkUpdateDescriptorSets writes on the host (its writes' and copies' destinations),
 * counted as being written from pv_vk_sets_write_begin to pv_vk_sets_write_end (in the
 * command's arena). */
struct pv_vk_set_writes {
   struct pv_vk_descriptor_set **sets;
   struct pv_object **objects; /* the sets' objects */
   uint32_t count;
};
/* Before the host's call: false (the command refused, nothing counted) when the context stops
 * meanwhile or there is no memory. */
bool pv_vk_sets_write_begin(struct pv_dispatch_ctx *c, VkDevice device,
                            const struct pv_args_vkUpdateDescriptorSets *a,
                            struct pv_vk_set_writes *w);
void pv_vk_sets_write_end(struct pv_context *ctx, const struct pv_vk_set_writes *w);

/* A descriptor set's state, made on first need (NULL: unknown set or no memory). */
struct pv_vk_descriptor_set *pv_vk_descriptor_set_state(struct pv_dispatch_ctx *c,
                                                        VkDescriptorSet set);
/* The same for the set object itself (by guest id, e.g. one a command just made). */
struct pv_vk_descriptor_set *pv_vk_descriptor_set_of(struct pv_object *o);

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
bool pv_guard_image_create(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                           const VkImageCreateInfo *ci);
/* vkGetDeviceImageSubresourceLayoutKHR: its image as pv_guard_image_create, its subresource as
 * vkGetImageSubresourceLayout's. */
bool pv_guard_device_image_subresource(struct pv_dispatch_ctx *c, VkDevice device,
                                       const VkDeviceImageSubresourceInfoKHR *info);
/* free_data of the objects above: their state is one malloc'ed block. */
void pv_vk_state_free(struct pv_context *ctx, struct pv_object *obj);
/* State made on first need (a descriptor set's, a command buffer's): two rings naming the object
 * at once may both make it. Installs `state` unless another did first, and returns the state
 * the object has now; the caller frees its own when that is not it. */
void *pv_vk_state_publish(struct pv_object *o, void *state,
                          void (*free_data)(struct pv_context *ctx, struct pv_object *obj));
/* The object's state as pv_vk_state_publish left it (the writes that filled it seen too). */
static inline void *
pv_vk_state_peek(struct pv_object *o)
{
   return __atomic_load_n(&o->data, __ATOMIC_ACQUIRE);
}

/* v / d rounded up (d > 0): texel blocks of an extent, rows of a pitch. */
static inline uint32_t
pv_div_up(uint32_t v, uint32_t d)
{
   return v / d + (v % d != 0);
}

/* The first structure of type `stype` in a decoded pNext chain, or NULL. */
static inline const void *
pv_vk_chain_find(const void *pnext, VkStructureType stype)
{
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext)
      if (s->sType == stype)
         return s;
   return NULL;
}

/* The state subsets the libraries a create info's chain links define together (guard_shader.c),
 * and those it defines itself. */
uint8_t pv_vk_linked_subsets(struct pv_dispatch_ctx *c, const void *pnext);
uint8_t pv_vk_own_subsets(const void *pnext, uint64_t flags);
/* Two set layouts defined alike: the same bindings of the same types, counts, stages and
 * flags (guard_descriptor.c). */
bool pv_vk_set_layouts_alike(const struct pv_vk_set_layout *a, const struct pv_vk_set_layout *b);
/* A submission's chained per-semaphore and per-command-buffer arrays are as long as the
 * batch's own (guard_submit.c); false after refusing the command. */
bool pv_vk_submit_chains_ok(struct pv_dispatch_ctx *c, const char *what, uint32_t n,
                            const VkSubmitInfo *s);
bool pv_vk_bind_sparse_chains_ok(struct pv_dispatch_ctx *c, uint32_t n, const VkBindSparseInfo *b);
/* vkQueueBindSparse's binds inside sparse resources and their memory (guard_sparse.c); false
 * after refusing the command. */
bool pv_vk_sparse_binds_ok(struct pv_dispatch_ctx *c, uint32_t n, const VkBindSparseInfo *b);

/* Remembers what a new view (guest id `id`) views, by the target's host handle. */
void pv_vk_view_track(struct pv_dispatch_ctx *c, int32_t type, uint64_t id, int32_t target_type,
                      uint64_t target_host);

/* The first structure of `type` in a pNext chain, NULL when there is none. */
const void *pv_vk_find_chained(const void *pnext, VkStructureType type);

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
/* Claims `bit` of `claimed` for a bind about to reach the host; refused (fatal) when a bind
 * claimed it first: this command's, an earlier one's or another ring's at this moment. */
bool pv_guard_bind_claim(struct pv_dispatch_ctx *c, const char *what, uint32_t *claimed,
                         uint32_t bit);
/* Gives a claim back: its bind did not reach the host, or the host refused it. */
void pv_guard_bind_unclaim(uint32_t *claimed, uint32_t bit);
/* The image is bound, and `alive` accepts the memory of every plane it needs. */
bool pv_vk_image_memory_alive(const struct pv_vk_image *im,
                              bool (*alive)(const void *arg, struct pv_vk_ref memory),
                              const void *arg);
/* The image is bound to live memory (or sparse). */
bool pv_guard_image_bound(struct pv_dispatch_ctx *c, const char *what, VkImage image,
                          struct pv_vk_image **out);
/* Mip level and layers (VK_REMAINING_ARRAY_LAYERS allowed) exist in the image. */
bool pv_guard_image_layers(struct pv_dispatch_ctx *c, const char *what,
                           const struct pv_vk_image *im, const VkImageSubresourceLayers *sub);
/* A VkImageSubresourceRange (VK_REMAINING_* allowed) inside the image. */
bool pv_guard_image_range(struct pv_dispatch_ctx *c, const char *what,
                          const struct pv_vk_image *im, const VkImageSubresourceRange *r);
/* One dimension of mip `level` of an image `dim` texels wide: at least 1. */
uint32_t pv_vk_mip_dim(uint32_t dim, uint32_t level);
/* [offset, offset + extent) inside mip `level` of the image. */
bool pv_guard_image_box(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
                        uint32_t level, VkOffset3D offset, VkExtent3D extent);
/* A box of a 1D image is one row at y 0, of a 1D or 2D image one slice at z 0. */
bool pv_guard_flat_box(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
                       VkOffset3D offset, VkExtent3D extent);
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
/* Bytes per block and the block extent of `aspect` copied to or from a buffer, or false when
 * the format has no such aspect (guard_image_buffer.c). */
bool pv_guard_aspect_block(const struct pv_format_info *f, VkImageAspectFlags aspect,
                           uint32_t *bytes, uint32_t block[3]);

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

/* A render pass instance as vkCmdClearAttachments sees it: the host clears the rectangles and
 * layers it is given in the attachments it indexes, trusting both. */
struct pv_vk_area {
   uint32_t x_end, y_end; /* where the render area ends */
   uint32_t layers;       /* layers of the instance (multiview: highest view + 1) */
   uint32_t colors;       /* color attachments of the current subpass or rendering */
};

/* The primitive topology the host's command buffer state holds, as far as it matters: lavapipe
 * starts a primary at points, a static pipeline's bind sets its own, vkCmdSetPrimitiveTopology
 * sets one, and a secondary runs in (and leaves behind) the state of the primary executing it. */
enum pv_topology { PV_TOPOLOGY_NOT_PATCHES, PV_TOPOLOGY_PATCHES, PV_TOPOLOGY_UNKNOWN };

/* Per command buffer (embedded in struct pv_vk_cmdbuf, lifetime.h). */
/* A query begun in a command buffer and not yet ended (guard_query.c): queries
 * [query, query + views) of `pool`, of its type, at vertex stream `index`. */
#define PV_MAX_ACTIVE_QUERIES 16
struct pv_vk_active_query {
   const struct pv_vk_query_pool *pool; /* compared, never read: the guest may destroy it */
   uint32_t query, views, index;
   VkQueryType type;
};
struct pv_vk_cmd_scope {
   uint8_t state;    /* enum pv_cmdbuf_state */
   uint8_t pass;     /* enum pv_pass */
   uint8_t bound;    /* bit (1 << PV_BIND_*) per bind point with a pipeline bound */
   bool secondary;   /* its level, from vkAllocateCommandBuffers */
   bool one_time;    /* begun with ONE_TIME_SUBMIT: one submission per recording */
   bool simultaneous; /* begun with SIMULTANEOUS_USE: may be pending more than once */
   bool index_bound; /* an index buffer bound since it was begun */
   bool conditional; /* inside vkCmdBegin/EndConditionalRenderingEXT */
   uint64_t vertex_bound;   /* bit per vertex binding bound since it was begun */
   uint64_t vertex_dynamic; /* bindings the last vkCmdSetVertexInputEXT's attributes fetch from */
   bool patch_size_set;     /* vkCmdSetPatchControlPointsEXT since it was begun */
   uint8_t topology;        /* enum pv_topology: what the host draws with a dynamic topology */
   bool submitted;   /* submitted since it was begun */
   uint32_t subpass, subpasses; /* in a PV_PASS_RENDER_PASS: current and count */
   uint64_t pass_id, pass_serial; /* that render pass (its per-subpass color counts) */
   struct pv_vk_area area; /* PV_PASS_RENDER_PASS or _RENDERING: what clears may reach */
   struct pv_vk_area needs; /* PV_PASS_INHERITED: what its clears reach, checked when executed */
   /* Views of the view mask the host's queries take now (guard_query.c): the popcount of the
    * last subpass or rendering begun, kept past its end (lavapipe 25 keeps it); a secondary's
    * inherited one until it begins a rendering of its own (views_own). */
   uint8_t views;
   bool views_own;
   /* a secondary: the fewest queries left in a pool from one it began or wrote before
    * views_own (checked against the views it is executed in); 0: none */
   uint32_t query_room;
   /* queries begun and not yet ended; a secondary that resets queries (guard_query.c) */
   uint8_t active_count;
   bool resets_queries;
   struct pv_vk_active_query active[PV_MAX_ACTIVE_QUERIES];
};
/* A VkPipelineLayout's set count (binds and pushes name set indices the host stores by) and
 * where its push constant ranges end (the host copies pushed bytes to that offset of a
 * fixed-size block of its own). */
struct pv_vk_pipeline_layout {
   uint32_t sets;
   uint32_t push_end;
   /* for the shader checks (guard_shader.c): each set's layout (a reference, NULL where the
    * guest passed none) and the push constant ranges */
   struct pv_vk_set_layout **set_layouts;
   uint32_t set_layout_count; /* entries of set_layouts (sets, unless the guest sent none) */
   uint32_t push_count;
   VkPushConstantRange *push;
};
/* A descriptor a pipeline's shaders statically use: elements [0, count) of (set, binding),
 * count UINT32_MAX for "the binding's whole count", `types` as in spirv_reflect.h. */
struct pv_vk_use {
   uint32_t set, binding, count, types;
   bool plain; /* its sampler is read without a depth reference (spirv_sample.h) */
};
/* A use of push constants instead: set PV_VK_USE_PUSH, binding the stage that reads them (so
 * a linked pipeline takes its libraries' like the descriptors). */
#define PV_VK_USE_PUSH UINT32_MAX
struct pv_vk_pipeline {
   uint8_t bind;  /* enum pv_bind it must be bound to */
   bool library;  /* VK_PIPELINE_CREATE_LIBRARY_BIT_KHR: never bound */
   bool vertex_dynamic;   /* its vertex input is vkCmdSetVertexInputEXT's (guard_vertex.c) */
   bool patch_dynamic;    /* tessellates with a dynamic patch size (guard_vertex.c) */
   bool tessellates;      /* has tessellation stages, its own or its libraries' */
   bool topology_dynamic; /* draws the topology vkCmdSetPrimitiveTopology set */
   bool patch_list;       /* its own primitive topology is VK_PRIMITIVE_TOPOLOGY_PATCH_LIST */
   uint64_t vertex_needs; /* bit per vertex binding its attributes fetch from */
   uint32_t use_count;
   struct pv_vk_use *uses; /* its stages' and its libraries' */
   /* The graphics state subsets it defines (VkGraphicsPipelineLibraryFlagsEXT), its libraries'
    * included; a library without VkGraphicsPipelineLibraryCreateInfoEXT counts as all four, as
    * lavapipe makes it */
   uint8_t subsets;
   /* References to its layout's set layouts (none where it was made without a layout we know):
    * the sets a draw uses must be defined alike (guard_written.c use_unready) */
   uint32_t layout_sets;
   struct pv_vk_set_layout **layouts;
};

/* ----- shaders against layouts (guard_shader.c) ---------------------------------------------- */

/* Sets a command buffer tracks per bind point (more is refused at pipeline creation). */
#define PV_VK_MAX_SETS 32u
/* What is bound at one bind point of a command buffer, for the draw-time check that every
 * descriptor the bound pipeline uses was written. `dirty` when something changed since the
 * last check passed: a draw with nothing changed costs one test. */
struct pv_vk_bind_state {
   struct pv_vk_ref pipeline;
   uint32_t bound;               /* bit per set index bound by vkCmdBindDescriptorSets */
   struct pv_vk_ref sets[PV_VK_MAX_SETS];
   uint32_t push_set;            /* the set index of `push`, when `push` */
   /* what vkCmdPushDescriptorSetKHR wrote, owned; replaced through pv_vk_written_retire and
    * loaded once by a reader (another ring may replace it meanwhile) */
   struct pv_vk_written *_Atomic push;
   VkShaderStageFlags pushed;    /* stages vkCmdPushConstants gave values since the begin */
   bool dirty;
};
struct pv_vk_cmd_bound {
   struct pv_vk_bind_state bp[4]; /* by enum pv_bind */
};
void pv_vk_cmd_bound_free(struct pv_vk_cmd_bound *b);
/* vkCmdPushConstants gave `stages` values: the record the draw-time check reads on a host that
 * reads unpushed constants through NULL (guard_written.c, push_unready). */
static inline void
pv_vk_bound_pushed(struct pv_vk_cmd_bound *b, VkShaderStageFlags stages)
{
   _Static_assert(sizeof(b->bp) / sizeof(b->bp[0]) == 4, "one line per bind point");
   b->bp[0].pushed |= stages;
   b->bp[1].pushed |= stages;
   b->bp[2].pushed |= stages;
   b->bp[3].pushed |= stages;
}
/* Back to nothing bound (a command buffer begun or reset keeps its allocation: glibc's
 * calloc of it per recording cost more than the rest of the checks); its pushed maps are
 * retired in ctx (pv_vk_written_retire), or freed now when ctx is NULL. */
void pv_vk_cmd_bound_reset(struct pv_context *ctx, struct pv_vk_cmd_bound *b);
/* A set layout's state from its create info (one reference), NULL when out of memory. */
struct pv_vk_set_layout *pv_vk_set_layout_create(const VkDescriptorSetLayoutCreateInfo *ci);
void pv_vk_set_layout_unref(struct pv_vk_set_layout *l);
struct pv_vk_set_layout *pv_vk_set_layout_ref(struct pv_vk_set_layout *l);
/* The state of a VkDescriptorSetLayout (NULL: unknown or VK_NULL_HANDLE). */
struct pv_vk_set_layout *pv_vk_set_layout_get(struct pv_dispatch_ctx *c, VkDescriptorSetLayout h);
/* Binding `binding` of the layout, or NULL. */
const struct pv_vk_layout_binding *pv_vk_layout_binding_find(const struct pv_vk_set_layout *l,
                                                             uint32_t binding);
/* A written map of a set of layout `l` (its variable-count binding has `variable` elements):
 * nothing written but immutable samplers. NULL when out of memory. */
struct pv_vk_written *pv_vk_written_create(struct pv_vk_set_layout *l, uint32_t variable,
                                           bool compare);
void pv_vk_written_free(struct pv_vk_written *w);
/* Frees `w` once no path of ctx may still hold it (a pushed map another ring's check walks). */
void pv_vk_written_retire(struct pv_context *ctx, struct pv_vk_written *w);
/* The binding of the first sampler (or combined image sampler) element without an immutable
 * sampler that was never written, UINT32_MAX if none (pv_vk.h reads_samplers_at_bind). */
uint32_t pv_vk_written_sampler_gap(const struct pv_vk_written *w);
/* Fills the layout's set layouts and push ranges (vkCreatePipelineLayout). */
bool pv_vk_pipeline_layout_fill(struct pv_dispatch_ctx *c, struct pv_vk_pipeline_layout *l,
                                const VkPipelineLayoutCreateInfo *ci);
void pv_vk_pipeline_layout_free(struct pv_context *ctx, struct pv_object *obj);
/* Checks every stage's shader against the layout before the host compiles it, and a geometry
 * stage with the tessellation state of `graphics` (NULL: a compute create info); on success
 * *uses (malloc'ed) lists what the pipeline's shaders use. False: refused. */
bool pv_vk_stages_check(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                        VkPipelineLayout layout, uint32_t count,
                        const VkPipelineShaderStageCreateInfo *stages, const void *pnext,
                        const VkGraphicsPipelineCreateInfo *graphics, struct pv_vk_use **uses,
                        uint32_t *use_count);
/* Descriptor writes and copies into the sets' written maps (vkUpdateDescriptorSets). */
bool pv_vk_written_update(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s,
                          const VkWriteDescriptorSet *w);
bool pv_vk_written_copy(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *src,
                        struct pv_vk_descriptor_set *dst, const VkCopyDescriptorSet *cp);
/* Bind-time tracking (vkCmdBindPipeline, vkCmdBindDescriptorSets, vkCmdPushDescriptorSetKHR). */
struct pv_vk_bind_state *pv_vk_bind_state_of(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                                             unsigned bind);
bool pv_vk_push_written(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, VkPipelineBindPoint bp,
                        VkPipelineLayout layout, uint32_t set, uint32_t count,
                        const VkWriteDescriptorSet *w);
/* The draw/dispatch check: false (refused) when a used descriptor was never written. */
bool pv_vk_descriptors_ready(struct pv_dispatch_ctx *c, const struct pv_vk_physdev *pd,
                             struct pv_vk_bind_state *s, const char *what);
/* vkCmdPushConstants gave `stages` values (for the draw check of PV_VK_USE_PUSH). */
void pv_vk_push_constants_noted(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                                VkShaderStageFlags stages);

/* The check before every command of class `cls` != 0 (pv_family.command_check). */
void pv_vk_command_check(struct pv_dispatch_ctx *c, int32_t type, uint8_t cls, void *args);
/* Fills the dialect's class bytes from pv_cmd_scopes (families.c). */
void pv_vk_scope_register(struct pv_overrides *o);

/*
 * Issue 12's cost, measured (bench/decode_cost.c, `bench/run --only decode-cost`): true makes
 * renderers created afterwards register none of the value and state checks (the guards above,
 * the command-buffer scope checks, reference tracking and the submit-time liveness check), so
 * the same decode path runs without them. Only that benchmark program sets it: it links the
 * static library; the variable is not exported from libpearvisor.so, and no option, variable or
 * guest input of the server or the library's API reaches it.
 */
extern bool pv_vk_bench_unchecked;
/* Why a command buffer may not be submitted (primary: vkQueueSubmit) or executed (secondary:
 * vkCmdExecuteCommands), NULL when it may. */
const char *pv_vk_cmdbuf_not_runnable(const struct pv_vk_cmd_scope *s, bool secondary);
/* State moves of the lifecycle commands guard_destroy.c handles. */
void pv_vk_cmdbuf_begun(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                        const VkCommandBufferBeginInfo *info, VkResult r);
void pv_vk_cmdbuf_reset(struct pv_dispatch_ctx *c, VkCommandBuffer cmd);
/* vkCmdBindIndexBuffer(2) bound a buffer (or VK_NULL_HANDLE: none). */
void pv_vk_cmd_index_bind(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, bool bound);
/* An indexed draw has an index buffer to read (refused otherwise: lavapipe reads the missing
 * buffer's size, 0, and divides by it). */
bool pv_vk_cmd_index_ready(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, const char *what);
void pv_vk_cmdpool_reset(struct pv_dispatch_ctx *c, VkCommandPool pool);

/* ----- vertex bindings (guard_vertex.c) ---------------------------------------------------- */

struct pv_vk_cmdbuf;

/* A command buffer's state (made on first use, guard_cmdbuf.c); NULL when unknown or out of
 * memory. */
struct pv_vk_cmdbuf *pv_vk_cmdbuf_get(struct pv_dispatch_ctx *c, VkCommandBuffer cmd);
/* The vertex bindings a graphics pipeline's attributes fetch from, its own and its libraries';
 * NULL, or why the pipeline is refused (a binding this tracking cannot hold). */
const char *pv_vk_pipeline_vertex_needs(struct pv_dispatch_ctx *c,
                                        const VkGraphicsPipelineCreateInfo *ci,
                                        struct pv_vk_pipeline *p);
/* vkCmdBindVertexBuffers(2) bound [first, first + count). */
void pv_vk_cmd_vertex_bind(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, uint32_t first,
                           uint32_t count);
/* vkCmdSetVertexInputEXT gave these attributes (a pipeline with dynamic vertex input). */
void pv_vk_cmd_vertex_input(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                            const VkVertexInputAttributeDescription2EXT *at, uint32_t count);
/* A resumed transform feedback begin on a host that trusts counter words: each guest counter's
 * low bytes copied into the device's own slots, which the begin reads instead
 * (xfb_counters.c); false: refused. */
struct pv_args_vkCmdBeginTransformFeedbackEXT;
bool pv_vk_xfb_resume_from_shadow(struct pv_dispatch_ctx *c,
                                  struct pv_args_vkCmdBeginTransformFeedbackEXT *a);
/* Whether a graphics pipeline's create info makes `state` dynamic. */
bool pv_vk_has_dynamic_state(const VkGraphicsPipelineCreateInfo *ci, VkDynamicState state);
/* vkCmdSetPatchControlPointsEXT passed: draws of a pipeline with a dynamic patch size may run. */
void pv_vk_cmd_patch_size_set(struct pv_dispatch_ctx *c, VkCommandBuffer cmd);
/* The host's topology (enum pv_topology) changed: a dynamic one set, a static one bound, or
 * secondaries executed. */
void pv_vk_cmd_topology_set(struct pv_vk_cmdbuf *cb, enum pv_topology topology);
/* A draw (at a changed graphics bind state) draws patches only with tessellation stages, has
 * its dynamic topology and patch size set, and fetches only from bindings its command buffer
 * bound where the host keeps stale ones (pv_vk_physdev.keeps_vertex_buffers); refused
 * otherwise. */
bool pv_vk_vertex_ready(struct pv_dispatch_ctx *c, const struct pv_vk_cmdbuf *cb,
                        const struct pv_vk_bind_state *s, const char *what);

/* ----- render passes and framebuffers (guard_renderpass.c) -------------------------------- */

/* State of a VkRenderPass (pv_object.data): the host indexes its attachment and subpass arrays
 * with the indices the create info, begins, steps and clears give. */
struct pv_vk_render_pass {
   uint32_t subpasses;
   uint32_t attachments;
   uint32_t clears;      /* clear values a begin must give: last attachment it clears + 1 */
   uint32_t view_layers; /* layers multiview renders to: highest view-mask bit + 1, 0: none */
   uint32_t *view_masks; /* per subpass (NULL: none has one); past colors[] */
   /* Per attachment, NULL or {0, 0}: a view must cover the framebuffer. Shading rate and
    * density map attachments cover it with one texel per {width, height} pixels and may have
    * one layer. Points into the same allocation (past colors[]). */
   uint32_t (*texel)[2];
   VkFormat *formats; /* per attachment, its description's format (past texel[]) */
   uint32_t colors[]; /* color attachment count of each subpass */
};
struct pv_vk_framebuffer; /* lifetime.h */
/* The render pass object of a begin (its data a struct pv_vk_render_pass), checked against its
 * framebuffer, render area and clear values; fills `area` for subpass 0. NULL (refused) when it
 * does not fit. */
const struct pv_object *pv_vk_render_pass_begin(struct pv_dispatch_ctx *c, const char *what,
                                                const VkRenderPassBeginInfo *info,
                                                struct pv_vk_area *area);
/* The render pass (id, serial) if it still exists. */
const struct pv_vk_render_pass *pv_vk_render_pass_get(struct pv_dispatch_ctx *c, uint64_t id,
                                                      uint64_t serial);
/* Every attachment of a vkCmdBeginRendering covers its render area and layers; fills `area`. */
bool pv_vk_rendering_begin(struct pv_dispatch_ctx *c, const VkRenderingInfo *info,
                           struct pv_vk_area *area);
/* A secondary's inheritance names a render pass we know, a subpass in it, a framebuffer that
 * matches it, a view mask inside the device's views. */
bool pv_vk_inheritance_ok(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                          const VkCommandBufferBeginInfo *info);
/* The view mask a secondary begun with `info` inherits (0: none); its inheritance passed. */
uint32_t pv_vk_inherited_view_mask(struct pv_dispatch_ctx *c, const VkCommandBufferBeginInfo *info);
/* The view mask of subpass `subpass` of render pass (id, serial), 0 when it has none or is gone. */
uint32_t pv_vk_subpass_view_mask(struct pv_dispatch_ctx *c, uint64_t id, uint64_t serial,
                                 uint32_t subpass);
/* A graphics pipeline's subpass exists in its render pass. */
bool pv_vk_pipeline_subpass_ok(struct pv_dispatch_ctx *c, const char *what,
                               const VkGraphicsPipelineCreateInfo *ci);
/* A framebuffer's shape against its render pass and views (guard_renderpass.c), into `fb`. */
bool pv_vk_framebuffer_shape(struct pv_dispatch_ctx *c, const VkFramebufferCreateInfo *ci,
                             struct pv_vk_framebuffer *fb);
/* The layers a view made from `ci` (its range checked) has: a 3D image's 2D views count its
 * slices, its 3D views have the mip's depth. */
uint32_t pv_vk_view_layers(const struct pv_vk_image *im, const VkImageViewCreateInfo *ci);
/* Records what an image view made from `ci` offers an attachment (width, height, layers). */
void pv_vk_image_view_track(struct pv_dispatch_ctx *c, const VkImageViewCreateInfo *ci,
                            const struct pv_vk_image *im, VkImageView view);

/* ----- counts and indices against the device's limits (guard_limits.c) --------------------- */

enum pv_limit {
   PV_LIMIT_VIEWPORTS,
   PV_LIMIT_VERTEX_BINDINGS,
   PV_LIMIT_VERTEX_ATTRIBUTES,
   PV_LIMIT_COLOR_ATTACHMENTS,
   PV_LIMIT_XFB_BUFFERS,
   PV_LIMIT_XFB_STREAMS,
   PV_LIMIT_MULTIVIEW_VIEWS,
};
struct pv_vk_cmdbuf;
/* Remembers the device of the pool a command buffer was allocated from (its limits). */
void pv_vk_cmdbuf_set_pool(struct pv_dispatch_ctx *c, struct pv_vk_cmdbuf *cb, VkCommandPool pool);
/* A command pool's device state (its parent), or NULL for an unknown pool or device. */
const struct pv_vk_device *pv_vk_pool_device(struct pv_dispatch_ctx *c,
                                             const struct pv_object *pool);
/* [first, first + count) inside the limit of the command buffer's (or device's) device;
 * refused otherwise (also when the device is unknown). */
bool pv_vk_cmd_range_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
                        uint32_t first, uint32_t count, enum pv_limit l);
bool pv_vk_device_range_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                           uint32_t first, uint32_t count, enum pv_limit l);
/* Where sparse binding is withheld from the guest (pv_vk_physdev.binds_sparse_unchecked,
 * guard_sparse.c), and the sparse features of a reply cleared. */
bool pv_vk_physdev_hides_sparse(struct pv_dispatch_ctx *c, VkPhysicalDevice physical);
void pv_vk_hide_sparse_features(VkPhysicalDeviceFeatures *f);
/* `flags` (a create info's sparse bits) only on a device that can bind sparse memory. */
bool pv_vk_sparse_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device, uint32_t flags);
/* A framebuffer's width, height and layers: each at least 1 and at most the device's
 * maxFramebuffer* (VUIDs 00885-00890). Refused otherwise. */
bool pv_vk_framebuffer_size_ok(struct pv_dispatch_ctx *c, VkDevice device,
                               const VkFramebufferCreateInfo *ci);
/* Whether the sampler was made with compareEnable (guard_sampler.c). */
bool pv_vk_sampler_compares(struct pv_dispatch_ctx *c, VkSampler sampler);
/* Records it of a sampler object (vkCreateSampler; the unit tests). */
void pv_vk_sampler_mark_compare(struct pv_object *o);
/* On a host that blends a second source on color attachment 0 only
 * (pv_vk_physdev.dual_source_rt0_only), why blend equations `eq` (`n` of them, the first for
 * attachment `first`) use a SRC1 factor past attachment 0, or NULL. */
const char *pv_vk_dual_source_violation(const struct pv_vk_physdev *pd, uint32_t first, uint32_t n,
                                        const VkColorBlendEquationEXT *eq);
/* The same for a graphics pipeline's blend attachments, where blending is on or may be turned
 * on and the equation is not dynamic. */
/* Why a graphics pipeline's static viewports or rasterization samples are past the device's
 * limits, or NULL (guard_raster.c). */
const char *pv_vk_pipeline_raster_violation(const struct pv_vk_physdev *pd,
                                            const VkGraphicsPipelineCreateInfo *ci);
const char *pv_vk_pipeline_dual_source_violation(const struct pv_vk_physdev *pd,
                                                 const VkGraphicsPipelineCreateInfo *ci);
/* A graphics pipeline's vertex input, viewport, blend and rendering counts and indices. */
bool pv_vk_pipeline_limits_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                              const VkGraphicsPipelineCreateInfo *ci);
/* Why a compute stage's Workgroup memory of `bytes` (spirv_var_size.h, counted after
 * specialization) is past maxComputeSharedMemorySize, or NULL. */
const char *pv_vk_shared_violation(struct pv_dispatch_ctx *c, VkDevice device, uint64_t bytes);
/* Why a stage's Private and Function variables of `bytes` per invocation (counted after
 * specialization) are too many for a host that keeps them on its threads' stacks
 * (pv_vk_physdev.stacks_private_arrays), or NULL. Vulkan sets no limit; this host's is ours:
 * llvmpipe gives each element 8 lanes of an unprobed stack frame (a 384 KiB frame under a
 * 256 KiB stack zeroed another worker's stack; glibc's thread stacks are 2 MiB with an
 * unlimited stack rlimit), and compiling 2^16 elements took LLVM 32 s and 2 GB. 32 KiB makes a
 * frame of 256 KiB (1 MiB for bools, which it keeps in 4 bytes) and compiles in seconds. */
#define PV_VK_PRIVATE_BYTES_MAX (32u * 1024u)
const char *pv_vk_private_violation(struct pv_dispatch_ctx *c, VkDevice device, uint64_t bytes);
/* Why a compute workgroup of `size` is past the device's limits (lavapipe 22.3 crashed running
 * one of 256 x 65536 x 65536, fuzz input 4a7c6a8f), or NULL. */
const char *pv_vk_workgroup_violation(struct pv_dispatch_ctx *c, VkDevice device,
                                      const uint32_t size[3]);
/* A tessellation shader's OutputVertices inside 1..maxTessellationPatchSize, or why not. */
const char *pv_vk_patch_size_violation(struct pv_dispatch_ctx *c, VkDevice device, uint32_t size);
/* The OutputVertices a pipeline's tessellation control and evaluation stages declare (0: none)
 * agree, and the control stage's is there where the host reads it alone; why not, or NULL. */
const char *pv_vk_tess_vertices_violation(struct pv_dispatch_ctx *c, VkDevice device,
                                          uint32_t control, uint32_t evaluation);
/* How many interface locations a stage's inputs (output false) or outputs may use on the
 * device; stage 0: the most any stage may (0 for an unknown device). */
uint32_t pv_vk_stage_locations(struct pv_dispatch_ctx *c, VkDevice device,
                               VkShaderStageFlagBits stage, bool output);
/* A geometry entry point's OutputVertices and Invocations inside the device's limits, and on
 * lavapipe (pv_vk_physdev.sizes_gs_output_32bit) an output primitive whose emitted primitives
 * fit the host's table; or why not. */
struct pv_spirv_entry;
/* On lavapipe 22.3 (pv_vk_physdev.misrows_inlined_uniforms, guard_inline.c): a stage that uses a
 * uniform buffer past the stage's first 3 uniform buffer descriptors of its layout, or an inline
 * uniform block where the layout has uniform buffers for the stage; NULL elsewhere. */
const char *pv_vk_inline_uniforms_violation(struct pv_dispatch_ctx *c, VkDevice device,
                                            const struct pv_vk_pipeline_layout *l,
                                            const struct pv_spirv_entry *e);
const char *pv_vk_geometry_violation(struct pv_dispatch_ctx *c, VkDevice device,
                                     const struct pv_spirv_entry *e);
/* On lavapipe, why a pipeline's geometry shader (OutputVertices, Invocations, the end of its
 * output locations) could wrap the host's 32-bit size of its output buffer, or NULL;
 * patch_size: the pipeline's tessellation patch size (1 when dynamic), 0 without tessellation. */
const char *pv_vk_geometry_output_violation(struct pv_dispatch_ctx *c, VkDevice device,
                                            uint32_t output_vertices, uint32_t invocations,
                                            uint32_t out_end, uint32_t patch_size);

/* Whether a guest's shaders could reach memory beyond its own through a device address, so the
 * guest is not offered them (guard_address.c): on a CPU device (lavapipe) an address is a
 * pointer into the host process; on any device when other contexts share the process
 * (`one_context_per_process` false) and so may share the driver's address space. */
bool pv_vk_withholds_addresses(VkPhysicalDeviceType type, bool one_context_per_process);
/* That answer for `pd`, as its physical device was set up (pd->withholds_addresses). */
bool pv_vk_physdev_withholds_addresses(const struct pv_vk_physdev *pd);
/* Whether a device create chain enables a buffer device address feature `pd` withholds (the
 * device is then refused, VK_ERROR_FEATURE_NOT_PRESENT, as a driver does for a feature it lacks).
 */
bool pv_vk_enables_withheld_features(const struct pv_vk_physdev *pd, const void *create_pnext);

/* ----- feature-gated commands (guard_features.c) ------------------------------------------- */

/* Device features that a command needs (bits of pv_vk_device.features and
 * pv_vk_cmdbuf.features). */
enum pv_feature {
   PV_FEATURE_TESSELLATION_DOMAIN_ORIGIN,
   PV_FEATURE_DEPTH_CLAMP_ENABLE,
   PV_FEATURE_POLYGON_MODE,
   PV_FEATURE_RASTERIZATION_SAMPLES,
   PV_FEATURE_SAMPLE_MASK,
   PV_FEATURE_ALPHA_TO_COVERAGE_ENABLE,
   PV_FEATURE_ALPHA_TO_ONE_ENABLE,
   PV_FEATURE_LOGIC_OP_ENABLE,
   PV_FEATURE_COLOR_BLEND_ENABLE,
   PV_FEATURE_COLOR_BLEND_EQUATION,
   PV_FEATURE_COLOR_WRITE_MASK,
   PV_FEATURE_RASTERIZATION_STREAM,
   PV_FEATURE_CONSERVATIVE_RASTERIZATION_MODE,
   PV_FEATURE_EXTRA_PRIMITIVE_OVERESTIMATION_SIZE,
   PV_FEATURE_DEPTH_CLIP_ENABLE,
   PV_FEATURE_SAMPLE_LOCATIONS_ENABLE,
   PV_FEATURE_COLOR_BLEND_ADVANCED,
   PV_FEATURE_PROVOKING_VERTEX_MODE,
   PV_FEATURE_LINE_RASTERIZATION_MODE,
   PV_FEATURE_LINE_STIPPLE_ENABLE,
   PV_FEATURE_DEPTH_CLIP_NEGATIVE_ONE_TO_ONE,
   PV_FEATURE_LOGIC_OP,
   PV_FEATURE_PATCH_CONTROL_POINTS,
   PV_FEATURE_VERTEX_INPUT,
   PV_FEATURE_COLOR_WRITE_ENABLE,
   PV_FEATURE_MUTABLE_DESCRIPTORS, /* set layouts and pools, not a setter (guard_mutable.c) */
   PV_FEATURE_GEOMETRY_SHADER,     /* pipeline stages (guard_shader.c) */
   PV_FEATURE_TESSELLATION_SHADER,
   PV_FEATURE_COUNT, /* no bit: "no feature needed" */
   /* device extensions that define image layouts (guard_layouts.c) */
   PV_LAYOUTS_SWAPCHAIN,
   PV_LAYOUTS_SHARED_PRESENT,
   PV_LAYOUTS_SHADING_RATE,
   PV_LAYOUTS_DENSITY_MAP,
   PV_LAYOUTS_FEEDBACK_LOOP,
   PV_LAYOUTS_LOCAL_READ,
   PV_LAYOUTS_VIDEO_DECODE,
   PV_LAYOUTS_VIDEO_ENCODE,
   PV_LAYOUTS_QUANTIZATION_MAP,
   PV_LAYOUTS_END,
   /* device extensions whose structs and values image creation takes (guard_image.c) */
   PV_EXT_IMAGE_DRM_FORMAT_MODIFIER,
};
#define PV_FEATURE(f) (1ull << (f))

/* The gated features a vkCreateDevice enables (its chain, and pEnabledFeatures). */
uint64_t pv_vk_gated_features(const VkDeviceCreateInfo *ci);
/* The PV_FEATURE bits of the device with host handle `device`; 0 for one we do not know. */
uint64_t pv_vk_device_features(struct pv_dispatch_ctx *c, VkDevice device);
/* Why a pipeline stage is not the device's to compile (its geometry or tessellation feature was
 * not enabled, VUID-VkPipelineShaderStageCreateInfo-stage-00704/00705), or NULL. */
const char *pv_vk_stage_feature_missing(struct pv_dispatch_ctx *c, VkDevice device,
                                        VkShaderStageFlagBits stage);
/* The PV_LAYOUTS_* bits of the extensions a vkCreateDevice enables (guard_layouts.c). */
uint64_t pv_vk_layout_extensions(const VkDeviceCreateInfo *ci);
/* Why the render pass's or rendering's image layouts are not the device's to use (a layout of
 * an extension it was created without), or NULL. `features`: the device's PV_FEATURE bits. */
const char *pv_vk_render_pass_layouts(uint64_t features, const VkRenderPassCreateInfo *ci);
const char *pv_vk_render_pass2_layouts(uint64_t features, const VkRenderPassCreateInfo2 *ci);
const char *pv_vk_rendering_layouts(uint64_t features, const VkRenderingInfo *ri);
/* Whether the command buffer's device has `feature`; refuses the command (`what`) if not. */
bool pv_vk_cmd_feature_ok(struct pv_dispatch_ctx *c, const char *what, VkCommandBuffer cmd,
                          enum pv_feature feature);

/* ----- mutable descriptors (guard_mutable.c) ------------------------------------------------ */

/* Why a set layout's or pool's mutable descriptors are not a device's to make, or NULL.
 * `features`: the device's PV_FEATURE bits (pv_vk_device_features). */
const char *pv_vk_mutable_layout_misfit(uint64_t features,
                                        const VkDescriptorSetLayoutCreateInfo *ci);
const char *pv_vk_mutable_pool_misfit(uint64_t features, const VkDescriptorPoolCreateInfo *ci);
/* The types binding i (in create order) of a layout may take if it is MUTABLE, as type bits. */
uint32_t pv_vk_mutable_binding_types(const VkDescriptorSetLayoutCreateInfo *ci, uint32_t i);
/* Whether the binding may hold a descriptor of one of `type_bits` (pv_spirv_type_bit): its type,
 * or for a MUTABLE binding one its list gives. */
bool pv_vk_binding_takes(const struct pv_vk_layout_binding *b, uint32_t type_bits);

/* ----- registration ------------------------------------------------------------------------- */

struct pv_vk_guard_entry {
   const char *name;
   pv_handler_fn fn;
   const char *reason; /* what the check keeps the host driver from doing */
};
/* The guarded handlers (guard_buffer.c, guard_image.c, guard_query.c, guard_descriptor.c). */
#define PV_GUARD(name) void pv_guard_##name(struct pv_dispatch_ctx *c, void *args);
PV_GUARD(CmdCopyBuffer)
PV_GUARD(CmdBeginConditionalRenderingEXT)
PV_GUARD(CmdEndConditionalRenderingEXT)
PV_GUARD(CmdCopyBuffer2)
PV_GUARD(CreateSampler)
PV_GUARD(CreatePipelineCache)
PV_GUARD(SetPrivateData)
PV_GUARD(GetPrivateData)
PV_GUARD(GetPhysicalDeviceFeatures2)
PV_GUARD(GetPhysicalDeviceImageFormatProperties2)
PV_GUARD(GetPhysicalDeviceFeatures)
PV_GUARD(GetPhysicalDeviceQueueFamilyProperties)
PV_GUARD(GetPhysicalDeviceQueueFamilyProperties2)
PV_GUARD(GetBufferDeviceAddress)
PV_GUARD(GetBufferOpaqueCaptureAddress)
PV_GUARD(GetDeviceMemoryOpaqueCaptureAddress)
PV_GUARD(CmdFillBuffer)
PV_GUARD(CmdUpdateBuffer)
PV_GUARD(CmdBindVertexBuffers)
PV_GUARD(CmdBindVertexBuffers2)
PV_GUARD(CmdBindIndexBuffer)
PV_GUARD(CmdBindIndexBuffer2KHR)
PV_GUARD(CmdDrawIndirect)
PV_GUARD(CmdDispatch)
PV_GUARD(CmdDispatchBase)
PV_GUARD(CmdDrawIndexedIndirect)
PV_GUARD(CmdDispatchIndirect)
PV_GUARD(CmdDrawIndirectCount)
PV_GUARD(CmdDrawIndexedIndirectCount)
PV_GUARD(CmdDrawIndirectByteCountEXT)
PV_GUARD(CreateBufferView)
PV_GUARD(BindBufferMemory)
PV_GUARD(BindBufferMemory2)
PV_GUARD(GetImageSubresourceLayout)
PV_GUARD(GetImageSubresourceLayout2KHR)
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
PV_GUARD(DestroySemaphore)
PV_GUARD(DestroySamplerYcbcrConversion)
PV_GUARD(FreeDescriptorSets)
PV_GUARD(FreeCommandBuffers)
PV_GUARD(ResetCommandPool)
PV_GUARD(ResetCommandBuffer)
PV_GUARD(BeginCommandBuffer)
PV_GUARD(GetFenceStatus)
PV_GUARD(CreateFence)
PV_GUARD(CreateSemaphore)
PV_GUARD(SignalSemaphore)
PV_GUARD(DestroyFence)
PV_GUARD(ResetFences)
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
PV_GUARD(CreateFramebuffer)
PV_GUARD(CmdClearAttachments)
PV_GUARD(CmdSetViewport)
PV_GUARD(CmdSetScissor)
PV_GUARD(CmdSetViewportWithCount)
PV_GUARD(CmdSetScissorWithCount)
PV_GUARD(CmdBindTransformFeedbackBuffersEXT)
PV_GUARD(CmdBeginTransformFeedbackEXT)
PV_GUARD(CmdEndTransformFeedbackEXT)
PV_GUARD(CmdSetColorWriteEnableEXT)
PV_GUARD(CmdSetColorBlendEnableEXT)
PV_GUARD(CmdSetColorBlendEquationEXT)
PV_GUARD(CmdSetColorWriteMaskEXT)
PV_GUARD(CmdSetColorBlendAdvancedEXT)
PV_GUARD(CmdSetVertexInputEXT)
PV_GUARD(CmdSetPatchControlPointsEXT)
PV_GUARD(CmdSetPrimitiveTopology)
PV_GUARD(CmdSetTessellationDomainOriginEXT)
PV_GUARD(CmdSetDepthClampEnableEXT)
PV_GUARD(CmdSetPolygonModeEXT)
PV_GUARD(CmdSetRasterizationSamplesEXT)
PV_GUARD(CmdSetSampleMaskEXT)
PV_GUARD(CmdSetAlphaToCoverageEnableEXT)
PV_GUARD(CmdSetAlphaToOneEnableEXT)
PV_GUARD(CmdSetLogicOpEnableEXT)
PV_GUARD(CmdSetRasterizationStreamEXT)
PV_GUARD(CmdSetConservativeRasterizationModeEXT)
PV_GUARD(CmdSetExtraPrimitiveOverestimationSizeEXT)
PV_GUARD(CmdSetDepthClipEnableEXT)
PV_GUARD(CmdSetSampleLocationsEnableEXT)
PV_GUARD(CmdSetProvokingVertexModeEXT)
PV_GUARD(CmdSetLineRasterizationModeEXT)
PV_GUARD(CmdSetLineStippleEnableEXT)
PV_GUARD(CmdSetDepthClipNegativeOneToOneEXT)
PV_GUARD(CmdSetLogicOpEXT)
PV_GUARD(CmdDrawMultiEXT)
PV_GUARD(CmdDrawMultiIndexedEXT)
PV_GUARD(CmdDrawIndexed)
PV_GUARD(CreateGraphicsPipelines)
PV_GUARD(CreateComputePipelines)
PV_GUARD(CreatePipelineLayout)
PV_GUARD(CmdPushConstants)
PV_GUARD(CreateShaderModule)
PV_GUARD(CreateDescriptorSetLayout)
PV_GUARD(AllocateDescriptorSets)
PV_GUARD(CreateDescriptorPool)
#undef PV_GUARD
/* Descriptor counts against the device's limits (guard_counts.c): false, and the context
 * refused, when a set layout's bindings or a pool's sizes exceed them. */
/* The set layouts of a pipeline layout give no stage more descriptors than the device's
 * per-stage limits (update-after-bind ones when a set layout is update-after-bind, unless the
 * host sizes its per-stage state by the plain limits: pv_vk.h arrays_per_stage); refused else. */
bool pv_guard_pipeline_layout_counts(struct pv_dispatch_ctx *c, VkDevice device,
                                     const struct pv_vk_set_layout *const *sets, uint32_t n,
                                     bool arrays_per_stage);
bool pv_guard_set_layout_counts(struct pv_dispatch_ctx *c, VkDevice device,
                                const VkDescriptorSetLayoutCreateInfo *ci);
bool pv_guard_pool_counts(struct pv_dispatch_ctx *c, VkDevice device,
                          const VkDescriptorPoolCreateInfo *ci);

/* The table of guarded commands (guard.c), terminated by a NULL name. */
extern const struct pv_vk_guard_entry pv_vk_guards[];

#endif
