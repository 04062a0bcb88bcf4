/* SPDX-License-Identifier: MIT */
/*
 * Shared state of the hand-written Vulkan families (src/vk/). The core's object table holds one
 * struct pv_object per guest object; the families hang their own state off pv_object.data:
 *   VkInstance        struct pv_vk_instance   host entry points with no pass-through, the host's
 *                                            physical devices and the guest ids bound to them
 *   VkPhysicalDevice  struct pv_vk_physdev    capped properties, filtered extensions, memory
 *   VkDevice          struct pv_vk_device     device entry points, queues, host-pointer import
 *   VkDeviceMemory    struct pv_vk_memory     the memfd and mapping behind host-visible memory
 * That state is written when the object is created and only read afterwards, so handlers on the
 * transport thread and on ring threads can share it without locks (the guest keeps Vulkan's
 * external synchronization rules for create/destroy, as for a native driver).
 */
#ifndef PV_VK_H
#define PV_VK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "renderer/family.h"
#include "renderer/venus.h"
#include "util/id_table.h"

/* Venus-only sTypes (VK_MESA_venus_protocol, extension 385 -> 1000384000 + offset). */
#define PV_STYPE_IMPORT_MEMORY_RESOURCE_INFO_MESA 1000384002
#define PV_STYPE_DEVICE_QUEUE_TIMELINE_INFO_MESA 1000384005

/* The reference renderer caps every API version it reports to 1.3 (vkr VKR_MAX_API_VERSION). */
#define PV_VK_MAX_API_MINOR 3u

struct pv_vk_physdev;

/* A 4-byte slot the guest asks the device to fill with VK_SUCCESS (lifetime.h). */
struct pv_vk_status_slot {
   uint64_t buffer_id, buffer_serial, offset;
};

struct pv_vk_instance {
   uint32_t api_version; /* apiVersion the host instance was created with */
   /* the guest's fence feedback slots, told VK_ERROR_DEVICE_LOST when the context is lost */
   struct pv_vk_status_slot *status;
   uint32_t status_count, status_cap;
   /* the list above: every ring of the context records fills into it, and a lost context's
    * submission walks it, on threads of their own */
   pthread_mutex_t status_lock;
   VkDebugUtilsMessengerEXT messenger;
   PFN_vkDestroyInstance DestroyInstance;
   PFN_vkEnumeratePhysicalDevices EnumeratePhysicalDevices;
   PFN_vkEnumeratePhysicalDeviceGroups EnumeratePhysicalDeviceGroups;
   PFN_vkEnumerateDeviceExtensionProperties EnumerateDeviceExtensionProperties;
   PFN_vkGetPhysicalDeviceProperties2 GetPhysicalDeviceProperties2;
   PFN_vkGetPhysicalDeviceMemoryProperties GetPhysicalDeviceMemoryProperties;
   PFN_vkGetPhysicalDeviceQueueFamilyProperties GetPhysicalDeviceQueueFamilyProperties;
   PFN_vkCreateDevice CreateDevice;
   PFN_vkGetDeviceProcAddr GetDeviceProcAddr;
   PFN_vkDestroyDebugUtilsMessengerEXT DestroyDebugUtilsMessengerEXT;
   /* host physical devices, enumerated once; phys_ids[i] is the bound guest id or 0 */
   uint32_t phys_count;
   VkPhysicalDevice *phys;
   uint64_t *phys_ids;
};

struct pv_vk_physdev {
   VkPhysicalDevice host;
   uint32_t api_version; /* min(capped device version, instance version) */
   VkPhysicalDeviceType device_type;
   /* buffer device addresses not offered to the guest (pv_vk_withholds_addresses) */
   bool withholds_addresses;
   /* the host's memory types, less HOST_* flags where the renderer cannot map (memory_types.c) */
   VkPhysicalDeviceMemoryProperties mem;
   /* device extensions the guest may see: host's intersected with the protocol table */
   VkExtensionProperties *exts;
   uint32_t ext_count;
   /* VK_EXT_external_memory_host: how host-visible memory reaches the guest (DESIGN.md 3) */
   bool has_memory_host;
   uint64_t host_ptr_align; /* minImportedHostPointerAlignment */
   /* the host requires VK_KHR_portability_subset enabled where it exposes it (MoltenVK) */
   bool has_portability_subset;
   /* sync_fd plumbing for the guest's …Resource100000MESA commands (sync.c) */
   bool has_semaphore_fd, has_fence_fd;
   /* queue families, to check the guest's queue requests before the host sees them */
   VkQueueFamilyProperties *qf;
   uint32_t qf_count;
   /* lavapipe before Mesa 25: a barrier first or last in a command buffer is dropped
    * (edge_barriers.c) */
   bool drops_edge_barriers;
   /* lavapipe before Mesa 23.1 copies the sampler of every sampler descriptor of a set when
    * the set is bound, written or not (guard_descriptor.c) */
   bool reads_samplers_at_bind;
   /* lavapipe before Mesa 25 (22.3 seen; 25.0's texture functions skip a sampler whose compare
    * mode the instruction lacks; versions between not verified, so included): a compare-enabled
    * sampler read without a depth reference crashes its shader compiler (guard_written.c) */
   bool compare_needs_dref;
   /* lavapipe before Mesa 23.1 keeps each stage's descriptors in arrays sized by the plain
    * per-stage limits, also for update-after-bind sets (guard_counts.c) */
   bool arrays_per_stage;
   /* lavapipe before Mesa 25 (22.3 seen, later versions not verified): a shader reading push
    * constants before any vkCmdPushConstants reads through NULL (guard_written.c) */
   bool reads_unpushed_constants;
   /* lavapipe (22.3 seen, later versions not verified): the gallium context keeps the vertex
    * buffers of the last command buffer that bound some; a draw whose pipeline fetches from a
    * binding this command buffer never bound reads those, memory since freed (guard_vertex.c) */
   bool keeps_vertex_buffers;
   /* lavapipe: a host vkResetQueryPool frees the queries it resets (and may flush the queue's
    * context from the calling thread), so it must not run under the work that writes them
    * (guard_query.c); a GPU driver's reset writes query memory */
   bool frees_reset_queries;
   /* what the guard checks counts and indices against: the host driver keeps viewports, vertex
    * bindings, color attachments and transform feedback buffers in fixed arrays of these sizes
    * (guard_limits.c) */
   VkPhysicalDeviceLimits limits;
   uint32_t max_multiview_views; /* maxMultiviewViewCount, 0 before Vulkan 1.1 */
   uint32_t max_push_descriptors; /* maxPushDescriptors, 0 without VK_KHR_push_descriptor */
   /* lavapipe after Mesa 22.3 (25.0 seen, versions between not verified, so included): a
    * query begun or a timestamp written takes one query per view of the view mask of the last
    * subpass or rendering begun in the command buffer, also after it ended (guard_query.c) */
   bool queries_keep_views;
   uint32_t max_xfb_buffers; /* 0 without VK_EXT_transform_feedback */
   uint32_t max_xfb_streams;
   /* maxTransformFeedbackBufferDataStride: vkCmdDrawIndirectByteCountEXT's vertexStride */
   uint32_t max_xfb_stride;
   /* lavapipe (22.3 and 25.0 read): vkCmdBeginTransformFeedbackEXT's counter word, guest memory,
    * becomes llvmpipe's write offset, bounded by a 32-bit sum that wraps (draw_pt_so_emit.c): a
    * counter near 2^32 writes about 4 GiB past the buffer. No check at record time can see the
    * word, so the begin reads the device's own copy of it instead (xfb_counters.c). */
   bool trusts_xfb_counters;
   /* lavapipe (22.3 and 25.0 read, 22.3 run): the patch size is the tessellation control
    * stage's OutputVertices alone, also where only the evaluation stage declares it, as Vulkan
    * allows; 0 then, and the evaluation stage reads past blocks of 0 vertices (guard_limits.c) */
   bool sizes_patches_by_control;
   /* lavapipe (22.3 measured, 25.0 read): llvmpipe sizes a geometry shader's output buffer with
    * a 32-bit product of the vertex size, OutputVertices + 1, Invocations and the primitives
    * of one run, which wraps (guard_limits.c, pv_vk_geometry_output_violation) */
   bool sizes_gs_output_32bit;
   /* lavapipe (22.3 measured, 25.0 read): llvmpipe lists a geometry shader's primitives by the
    * decomposed primitives of its OutputVertices, which a strip's one-vertex primitives outrun:
    * such a module is compiled bounded (spirv_bound.c) */
   bool bounds_gs_strips;
   /* lavapipe (22.3 run, 25.0 read): vkCmdCopyQueryPoolResults WITH_AVAILABILITY zeroes a query
    * never begun as `stride` bytes, past the last record's results (guard_query.c) */
   bool zeroes_query_stride;
   /* lavapipe 22.3 (read, run): its uniform inlining writes a block's offsets at row block x 32
    * of a table whose rows are 4 apart, past it from the stage's fourth uniform buffer on
    * (guard_inline.c) */
   bool misrows_inlined_uniforms;
   /* lavapipe (22.3 run, 25.0 read): llvmpipe's JIT loads and stores Workgroup memory at any
    * index and never clears it, so modules are compiled with their indices there clamped and
    * their Workgroup variables zeroed (spirv_shared.c) */
   bool unbounded_shared;
   /* lavapipe (22.3 run): llvmpipe keeps Private and Function arrays in its JIT threads' stack
    * frames, 8 lanes an element, unprobed: a stage's are capped (spirv_var_size.c,
    * guard_limits.c pv_vk_private_violation) */
   bool stacks_private_arrays;
   /* lavapipe (22.3 run): a buffer copy region's size reaches memcpy through an int, so one of
    * 2^31 bytes or more is split (guard_buffer.c copy_split), and so does a buffer-to-image
    * region's row pitch in the buffer, so rows of such a pitch go one a region
    * (guard_image_buffer.c) */
   bool copies_int_width;
   /* lavapipe (22.3 run, 25.0 read): llvmpipe's vertex fetch adds 32-bit offsets sign-extended,
    * so a vertex buffer over 2^31 bytes is refused (guard_buffer.c vertex_buffer_size_ok) */
   bool fetches_vertices_int32;
   /* lavapipe (25.0 read): binds sparse memory with MAP_FIXED at guest offsets and sizes it
    * barely checks; sparse binding is withheld from the guest (guard_sparse.c) */
   bool binds_sparse_unchecked;
   /* lavapipe before 25 (22.3 run): VK_NULL_HANDLE set layouts of a pipeline layout are read
    * through when later sets are bound, pushed or compiled (guard_descriptor.c null_sets_ok) */
   bool reads_null_set_layouts;
   /* lavapipe (25.0 read): an image descriptor element has one plane's room unless its immutable
    * sampler's conversion has more; views of several planes are refused in descriptors
    * (guard_descriptor.c planes_ok) */
   bool one_plane_per_descriptor;
   /* lavapipe (22.3 run): llvmpipe blends a second source on color attachment 0 only; a
    * SRC1 factor on another attachment made its fragment compile read NULL on the queue thread
    * (guard_limits.c pv_vk_dual_source_violation) */
   bool dual_source_rt0_only;
   /* unrolls any constant trip count of a loop that asks for Unroll (lavapipe: Mesa's loop
    * unrolling; spirv_loops.c): the host gets its modules without the hint */
   bool unrolls_on_hint;
};

/* Whether this thread is making the transform feedback resume's own fill and copy (which Vulkan
 * rules out inside a render pass instance; lavapipe, the one host that gets them, runs them as
 * a memset and a memcpy): xfb_counters.c. */
bool pv_vk_xfb_own_call(void);

/* Paths that wait for one queue at once with fences of their own; more wait for a free one. */
#define PV_QUEUE_DRAINERS 4u

struct pv_vk_queue {
   uint32_t family, index, flags;
   VkQueue host; /* NULL until the guest binds an id */
   uint64_t id;
   /* lifetime.h: submissions counted; `completed` is the count known finished (a guest fence
    * seen signalled, or our own empty submission waited for) */
   _Atomic uint64_t submitted, completed;
   /* ours, for waiting on everything submitted so far (pv_vk_queue_drain): one for each path
    * that waits at once, taken under submit_lock (one fence shared by two waits was reset and
    * sent again by the second while the first's submission of it still ran, which then signalled
    * it: the second took work still running for finished) */
   VkFence drain_fences[PV_QUEUE_DRAINERS];
   bool drain_taken[PV_QUEUE_DRAINERS];
   bool closed; /* its device is being destroyed: no fence of ours is made or sent any more */
   /* graveyard.c: an empty submission of ours looked at without waiting; probe_value is the
    * count it covers, 0 when none is in flight (both under the device's graveyard lock) */
   VkFence probe_fence;
   uint64_t probe_value;
   /* pool_uses.c: its last submission whose descriptor pools are not known (under the device's
    * track lock) */
   uint64_t pools_unknown_value;
   pthread_mutex_t submit_lock; /* every host submission to this queue, ours and the guest's */
};

/* Host fences a device keeps for reuse: about what a guest has in flight at once. */
#define PV_FENCE_POOL 16u

struct pv_vk_device {
   VkDevice host;
   uint64_t id;
   const struct pv_vk_physdev *pd; /* lives until the instance goes, after its devices */
   bool memory_host;               /* VK_EXT_external_memory_host enabled on this device */
   uint64_t host_ptr_align;
   /* every memory type is host-visible, so every bind is to imported memory: buffers and
    * images get the host-allocation handle type at creation (resource.c) */
   bool external_resources;
   /* Set when its destroy unbinds its queues' timelines, under the context's timelines_lock:
    * another ring's vkGetDeviceQueue2 must not bind one again (queue.c). */
   bool timelines_closed;
   /* The features of guard_features.c the guest enabled (PV_FEATURE bits). */
   uint64_t features;
   PFN_vkDestroyDevice DestroyDevice;
   PFN_vkDeviceWaitIdle DeviceWaitIdle;
   PFN_vkGetDeviceQueue GetDeviceQueue;
   PFN_vkGetDeviceQueue2 GetDeviceQueue2;
   PFN_vkAllocateMemory AllocateMemory;
   PFN_vkFreeMemory FreeMemory;
   PFN_vkGetMemoryHostPointerPropertiesEXT GetMemoryHostPointerPropertiesEXT;
   PFN_vkWaitForFences WaitForFences;
   PFN_vkWaitSemaphores WaitSemaphores;
   /* lifetime.h: waiting for a queue's submitted work */
   PFN_vkCreateFence CreateFence;
   PFN_vkDestroyFence DestroyFence;
   PFN_vkResetFences ResetFences;
   PFN_vkQueueSubmit QueueSubmit;
   PFN_vkImportSemaphoreFdKHR ImportSemaphoreFdKHR; /* NULL without the host extension */
   PFN_vkGetSemaphoreFdKHR GetSemaphoreFdKHR;
   PFN_vkGetFenceFdKHR GetFenceFdKHR;
   uint32_t queue_count;
   struct pv_vk_queue *queues;
   /* Guards the submission marks of its command buffers (struct pv_vk_cmdbuf: queue, value,
    * queues_overlap), which submissions to different queues write (lifetime.c); taken inside a
    * queue's submit lock, never the other way round. */
   pthread_mutex_t track_lock;
   /* The host's query pools as the host driver reads and frees them from the calling thread
    * (guard_query.c): vkGetQueryPoolResults reads, a host vkResetQueryPool writes (lavapipe
    * frees the queries it resets), so two rings never do both at once. */
   pthread_rwlock_t query_lock;
   /* Descriptor pools' last submissions by pool serial (pool_uses.c), under track_lock. */
   struct pv_id_table pool_uses;
   /* This device's entry points for the generated pass-through (struct pv_object.vk):
    * instance-level ones from the instance, device-level ones from vkGetDeviceProcAddr, so a
    * command the device did not enable is NULL and fails closed. */
   struct pv_vk_dispatch vk;
   /* Host fences kept for reuse (fence_pool.c). */
   struct {
      pthread_mutex_t lock;
      uint32_t count;
      bool closed; /* the device is being destroyed: nothing is kept any more */
      VkFence fences[PV_FENCE_POOL];
   } fence_pool;
   PFN_vkGetFenceStatus GetFenceStatus;
   PFN_vkGetSemaphoreCounterValue GetSemaphoreCounterValue; /* NULL: a host before Vulkan 1.2 */
   /* Host handles the guest destroyed while the GPU may still use them (graveyard.c), oldest
    * first, each tomb with the queues' submission counts it waits for. */
   struct pv_vk_graveyard {
      pthread_mutex_t lock;
      struct pv_vk_tomb *head, *tail;
      uint32_t graves;
      uint32_t states; /* kept memory and query pools: they hold quota (pv_vk_charge) */
   } graveyard;
   /* On a host that trusts transform feedback counters (pv_vk_physdev.trusts_xfb_counters):
    * the device's own counter slots a resumed begin reads instead (xfb_counters.c), when the
    * guest enabled VK_EXT_transform_feedback; VK_NULL_HANDLE otherwise. */
   VkBuffer xfb_shadow;
   VkDeviceMemory xfb_shadow_memory;
};

/* xfb_counters.c: the counter slots, made with the device and destroyed in its teardown. */
void pv_vk_xfb_shadow_create(struct pv_vk_device *d);
void pv_vk_xfb_shadow_destroy(struct pv_context *ctx, struct pv_vk_device *d);

/* fence_pool.c: plain host fences the guest destroyed, kept for its next vkCreateFence. */
/* Destroys the kept fences (before the device, after the commands other paths run now: see
 * pv_vk_destroy_fence_later) and keeps none from then on; its lock lives until device_free. */
void pv_vk_fence_pool_empty(struct pv_context *ctx, struct pv_vk_device *d);
/* vkDestroyFence of a fence of ours on `d` once the commands other paths run now have ended
 * (pv_venus_host_destroy_later), in order with the device's teardown. */
void pv_vk_destroy_fence_later(struct pv_context *ctx, struct pv_vk_device *d, VkFence fence);
bool pv_vk_fence_is_plain(const VkFenceCreateInfo *info);
/* A reset host fence, or VK_NULL_HANDLE when none is kept. */
VkFence pv_vk_fence_pool_take(struct pv_vk_device *d);
/* Resets and keeps `fence` instead of destroying it; false when it cannot be (`submitted`: a
 * submission the tracking does not know finished may signal it), then the caller destroys it. */
bool pv_vk_fence_pool_give(struct pv_vk_device *d, VkFence fence, bool submitted);

struct pv_vk_memory {
   int fd;              /* memfd backing a host-visible allocation, -1 otherwise */
   void *map;           /* our mapping of it, imported as the host pointer */
   uint64_t size;       /* bytes of fd and map (page-rounded allocation size) */
   bool exported;       /* one blob export per VkDeviceMemory */
   uint64_t charged;    /* bytes of the context's device-memory quota it holds */
   bool fd_charged;     /* fd holds one of the context's fd quota */
   uint64_t alloc_size; /* the guest's allocationSize: what binds must fit in (guard.h) */
};
/* A page-rounded (at least `align`) shared-memory file of `size` bytes, mapped here; NULL when
 * none can be made. Not yet imported into any device (memory.c; lost.c uses it as it is). */
struct pv_vk_memory *pv_vk_memory_shm(uint64_t size, uint64_t align);
/* free_data of a VkDeviceMemory: gives its quota back, unmaps, closes (and ends a recorded
 * context's tracking of the mapping, unless obj->id is 0: pv_vk_memory_forget did). */
void pv_vk_memory_free_data(struct pv_context *ctx, struct pv_object *obj);
/* A recorded context stops tracking the memory's mapping (the guest freed it; the graveyard
 * keeps the mapping until the host's vkFreeMemory). */
void pv_vk_memory_forget(struct pv_context *ctx, const struct pv_object *obj);

/* Family state of an object found by host handle; NULL when unknown. */
struct pv_vk_instance *pv_vk_instance_get(struct pv_context *ctx);
struct pv_vk_physdev *pv_vk_physdev_from_host(struct pv_context *ctx, VkPhysicalDevice host);
struct pv_vk_device *pv_vk_device_from_host(struct pv_context *ctx, VkDevice host);

/* Caps the minor version of `version` to PV_VK_MAX_API_MINOR, keeping the patch. */
uint32_t pv_vk_cap_api_version(uint32_t version);
/* Spec version of `name` in the dialect's protocol table, or -1 when the guest cannot use it. */
int64_t pv_vk_table_spec_version(struct pv_context *ctx, const char *name);
/* A host entry point by name, trying the KHR and EXT spellings when the core name is missing
 * (hosts older than the version that promoted it). */
PFN_vkVoidFunction pv_vk_instance_proc(struct pv_context *ctx, VkInstance instance,
                                       const char *name);
PFN_vkVoidFunction pv_vk_device_proc(struct pv_context *ctx, VkDevice device, const char *name);
/* Held around what changes the loader's instance and device lists and around device-level
 * lookups (common.c says why); recursive. */
void pv_vk_loader_lock(void);
void pv_vk_loader_unlock(void);

/* Destroys the messenger and the host instance, after what other paths' commands may still
 * hold (pv_venus_host_destroy_later); the family state stays (instance.c). */
void pv_vk_instance_destroy_host(struct pv_context *ctx, struct pv_vk_instance *inst,
                                 VkInstance instance);

/* Binds a physical device (physical_device.c), used by the enumerate handlers. */
struct pv_vk_physdev *pv_vk_physdev_create(struct pv_context *ctx, VkPhysicalDevice host);
/* Whether the device offers the guest extension `name` (pd->exts). */
bool pv_vk_physdev_offers(const struct pv_vk_physdev *pd, const char *name);
void pv_vk_physdev_init_memory_types(struct pv_vk_instance *inst, struct pv_vk_physdev *pd);
/* The memory types host memory can back (a bit per type), and clearing the HOST_* flags of
 * the others (memory_types.c). */
uint32_t pv_vk_host_importable_types(const VkPhysicalDeviceMemoryProperties *mem,
                                     VkPhysicalDeviceType type);
void pv_vk_hide_unmappable(VkPhysicalDeviceMemoryProperties *mem, uint32_t importable);

/* Destroys a device, everything the guest left on it and its table entries (device.c); the host
 * calls wait for the commands other paths run now. `by_guest`: a guest's command, which claimed
 * the device (struct pv_object.claimed), while other paths may run; false at the context's
 * teardown. */
void pv_vk_device_destroy(struct pv_context *ctx, uint64_t device_id, bool by_guest);
/* Waits until the work submitted so far to every queue of the context has finished
 * (pv_family.wait_idle: capture and replay). */
void pv_vk_wait_idle(struct pv_context *ctx);
/* Destroys every host child of `dev` in a safe order and removes it from the table
 * (teardown.c); `claim`: leaves a child another command claimed to that command. */
void pv_vk_device_destroy_children(struct pv_context *ctx, struct pv_vk_device *dev, bool claim);

/* The Vulkan families as the renderer sees them (families.c; renderer/family.h). */
extern const struct pv_family pv_vk_family;
void pv_vk_register_all(struct pv_overrides *o);
/* Blob creation for a guest VkDeviceMemory (blob_id = its id): memory.c. */
int pv_vk_memory_export_blob(struct pv_context *ctx, uint64_t memory_id, uint64_t size,
                             uint32_t flags, struct pv_blob *out);
/* Context teardown: destroys every host object the guest left behind, children first, then
 * devices and the instance (teardown.c). Rings are stopped before this runs. */
void pv_vk_context_teardown(struct pv_context *ctx);
/* The same for the guest's vkDestroyInstance, while other paths may run commands. */
void pv_vk_instance_teardown(struct pv_context *ctx);

/* Per-context state of the Vulkan families (pv_family.context_init). */
struct pv_vk_timeline;
struct pv_vk_context_state {
   pthread_mutex_t timelines_lock;
   struct pv_vk_timeline *timelines[PV_MAX_RING_IDX]; /* by ring index; under timelines_lock */
};

static inline struct pv_vk_context_state *
pv_vk_state(struct pv_context *ctx)
{
   return pv_venus_family_state(ctx);
}

/* Queue timelines (queue.c). Bind/submit return NULL, or why the request is refused. */
const char *pv_vk_timeline_bind(struct pv_context *ctx, uint32_t ring_idx,
                                struct pv_vk_device *d, VkQueue queue);
const char *pv_vk_timeline_submit(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id);
/* Reports every pending fence of the device's timelines and stops them (before vkDestroyDevice);
 * binding the device's queues is refused from then on. */
void pv_vk_timelines_unbind_device(struct pv_context *ctx, struct pv_vk_device *d);
/* Stops whatever timeline is left (after teardown, which unbinds them with their devices). */
void pv_vk_timelines_release(struct pv_context *ctx);
/* After a host-driver crash: ends the sync threads without joining them (they may be stuck in
 * the driver) or letting them retire another fence into the freed context. */
void pv_vk_timelines_abandon(struct pv_context *ctx);

/* Handlers, registered by families.c. */
void pv_vk_handle_EnumerateInstanceVersion(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_EnumerateInstanceExtensionProperties(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_EnumerateInstanceLayerProperties(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_CreateInstance(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_DestroyInstance(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_EnumeratePhysicalDevices(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_EnumeratePhysicalDeviceGroups(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_EnumerateDeviceExtensionProperties(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_EnumerateDeviceLayerProperties(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetPhysicalDeviceProperties(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetPhysicalDeviceProperties2(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetPhysicalDeviceMemoryProperties(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetPhysicalDeviceMemoryProperties2(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_CreateDevice(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_DestroyDevice(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetDeviceQueue(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetDeviceQueue2(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_QueueSubmit(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_QueueSubmit2(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_QueueBindSparse(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_AllocateMemory(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_CreateBuffer(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_CreateImage(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetDeviceBufferMemoryRequirements(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetDeviceImageMemoryRequirements(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetDeviceImageSparseMemoryRequirements(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_GetDeviceImageSubresourceLayoutKHR(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_WaitForFences(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_WaitSemaphores(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_ImportSemaphoreResource(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_WaitSemaphoreResource(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_ResetFenceResource(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_DestroyCommandPool(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_DestroyDescriptorPool(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_ResetDescriptorPool(struct pv_dispatch_ctx *c, void *args);
void pv_vk_handle_EndCommandBuffer(struct pv_dispatch_ctx *c, void *args);

/* After a successful vkBeginCommandBuffer: keeps a guest barrier off the start of the command
 * buffer where the host driver would drop it (edge_barriers.c). */
void pv_vk_edge_barriers_begin(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf);

#endif
