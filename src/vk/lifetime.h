/* SPDX-License-Identifier: MIT */
/*
 * Object lifetime against GPU work (issue 12): the host driver must never run a command buffer
 * that names a destroyed object, nor see an object destroyed while work that uses it runs. A CPU
 * driver such as lavapipe would otherwise read or write freed host memory.
 *
 * - Recording: every object a vkCmd* command names (the decoder resolved it, exec.c remembers
 *   it) is added to the command buffer's reference set, as (id, serial) so id reuse is seen.
 *   Descriptor sets remember what each descriptor slot names, views their image or buffer, and
 *   buffers and images their memory (guard.h).
 * - Submission: each command buffer's references are checked to still be the same live objects
 *   (everything they stand on included); a stale one makes the submission fatal instead of
 *   reaching the host. Answers are kept per liveness epoch (the table's removal generation plus
 *   the marks dropped when a descriptor set is given a dead descriptor): a reference is checked
 *   once when recorded, a descriptor set once per epoch, so while nothing is destroyed a
 *   submission walks nothing; a command buffer that executes secondaries walks its own
 *   references each time. A primary names each secondary by the recording it executed
 *   (struct pv_vk_cmdbuf.recording): one recorded again, reset, freed or executed by another
 *   primary since makes the submission fatal, since the host driver would run whatever the
 *   secondary holds now, never checked against this primary's render pass.
 * - Destruction: submissions are counted per queue, and what is known finished too (a guest
 *   fence the host saw signalled, a queue or device waited idle). An object the GPU may use,
 *   destroyed while some submission is not known finished, is kept on the host with the counts
 *   of that moment and destroyed once they are finished (graveyard.c: buffers, images, views,
 *   pipelines and the like, which nothing else reaches); memory and descriptor sets, and
 *   anything past the graveyard's bound, wait instead: an empty batch with a fence of ours,
 *   waited for in slices that notice a stopping context. Nothing is added to the guest's own
 *   submissions (a timeline semaphore there cost lavapipe 4 us per submit).
 */
#ifndef PV_VK_LIFETIME_H
#define PV_VK_LIFETIME_H

#include "vk/guard.h"

/* Descriptor pools a command buffer keeps apart (pool_uses.c); more make them "unknown". */
#define PV_CMDBUF_POOLS 4

struct pv_vk_ref_entry {
   uint64_t id, serial;
   int32_t type;
};
/* A refset's entries with their count of slots (a power of two); lifetime.c. */
struct pv_vk_refblock;
/*
 * A set of (id, serial, type) references, open addressing on the serial (never 0). The path
 * recording into it adds; another ring's submission may walk it at the same time (a guest
 * breaking Vulkan's external synchronization), so the entries and their size are one block,
 * loaded once by a walker, and a block outgrown is freed only once every path has left its
 * command (reclaim.h).
 */
struct pv_vk_refset {
   struct pv_vk_refblock *_Atomic blk;
   uint32_t count;
};

/* State of a command buffer (pv_object.data). */
struct pv_args_vkQueueSubmit;
struct pv_args_vkQueueSubmit2;
struct pv_vk_queue;

/* A timeline semaphore a batch signals, and the value (resubmit.c); id 0: none. */
struct pv_vk_batch_signal {
   uint64_t id, serial, value;
};

/* State of a timeline VkSemaphore (resubmit.c; binary ones have none): its counter is believed
 * only while every
 * signal of it came from submissions to one queue of its device, in increasing values above
 * its initial one (under the device's track lock); anything else (another queue, a host
 * signal, an import, a sparse bind, a value not above the last) makes it foreign for good. */
struct pv_vk_semaphore {
   atomic_bool foreign;
   const struct pv_vk_queue *queue;
   uint64_t last_value;
};
/* A submission the host took signals these (resubmit.c); the caller holds its submit lock. */
void pv_vk_semaphores_signalled(struct pv_dispatch_ctx *c, struct pv_vk_device *d,
                                const struct pv_vk_queue *q, const struct pv_args_vkQueueSubmit *a1,
                                const struct pv_args_vkQueueSubmit2 *a2);
/* The semaphores' counters are no longer believed (a host signal, an import, a sparse bind). */
void pv_vk_semaphores_foreign(struct pv_dispatch_ctx *c, uint32_t count, const VkSemaphore *sems);

struct pv_vk_cmdbuf {
   struct pv_vk_refset refs;
   bool broken;             /* a reference could not be recorded (no memory) */
   uint64_t checked_gen;    /* table generation its references were last found alive at */
   bool runs_secondaries;   /* its references include secondaries it executes */
   bool queues_overlap;     /* submitted to a second queue while the first may still run it:
                             * its last submission does not say when it is idle */
   struct pv_vk_queue *queue; /* its last submission: queue and tracking value; a secondary's
                               * is that of the last primary submitted with it */
   struct pv_vk_device *device;
   uint64_t value;
   struct pv_vk_cmd_scope scope; /* recording state, level, render pass (guard_cmdbuf.c) */
   const struct pv_vk_physdev *pd; /* its device's, for the limits (guard_limits.c) */
   uint64_t features;              /* its device's gated features (guard_features.c) */
   struct pv_vk_cmd_bound *bound; /* bound pipelines and sets (guard_written.c), or NULL */
   /* pool_uses.c: serials of the descriptor pools whose sets its commands name; pools_unknown:
    * more than fit, or a set whose pool was not found */
   uint64_t pools[PV_CMDBUF_POOLS];
   uint32_t pool_count;
   bool pools_unknown;
   /* resubmit.c: the path whose submission of it runs (claimed under its device's track lock
    * until the submission's marks), when begun without SIMULTANEOUS_USE; NULL when none */
   const void *submitting;
   /* Which recording of it a primary executes (lifetime.c, new_recording): a value of its own
    * space, never an object's serial. A new one before every begin, reset or free waits (so a
    * submission that still finds the old one is marked before the host call that changes it)
    * and, for a secondary begun without SIMULTANEOUS_USE, at every vkCmdExecuteCommands naming
    * it: Vulkan makes the primaries that executed it before invalid then. A primary keeps the
    * value it recorded in its references. */
   _Atomic uint64_t recording;
   /* How many of its recordings ended with a wait for their submissions (begin, reset, free, pool
    * reset or destroy): counted after the wait, so a descriptor set that a recording of it bound
    * (set_writes.c) knows that recording's work is over once this moved. */
   _Atomic uint64_t ended;
   /* resubmit.c: a timeline semaphore its last submission's batch signals (id, serial) and the
    * value, whose host counter tells that batch finished (only to submit it again) */
   struct pv_vk_batch_signal signal;
};
/* The state of an object the running command names, by its host handle; NULL when it has none
 * (or the command names no such object). */
static inline void *
pv_vk_named_state(struct pv_dispatch_ctx *c, int32_t type, uint64_t handle)
{
   struct pv_object *o = handle ? pv_venus_object(c, type, handle) : NULL;
   return o ? o->data : NULL;
}

/* The command buffer's state, made on first use; NULL when out of memory or not a command
 * buffer. Inline when it exists: every vkCmd* is checked against it (pv_vk_command_check). */
struct pv_vk_cmdbuf *pv_vk_cmdbuf_make(struct pv_object *o);
static inline struct pv_vk_cmdbuf *
pv_vk_cmdbuf_of(struct pv_object *o)
{
   if (o->type != VK_OBJECT_TYPE_COMMAND_BUFFER)
      return NULL;
   return o->data ? (struct pv_vk_cmdbuf *)o->data : pv_vk_cmdbuf_make(o);
}

/* The state of command buffer `cmd` by lookup (NULL if unknown or without state). */
struct pv_vk_cmdbuf *pv_vk_cmdbuf_looked_up(struct pv_dispatch_ctx *c, VkCommandBuffer cmd);

/* The state of `cmd`, the running vkCmd*'s command buffer: what the scope check found
 * (pv_vk_command_check), else looked up (out of line, so a guard's passing path stays a leaf). */
static inline struct pv_vk_cmdbuf *
pv_vk_cmdbuf_checked(struct pv_dispatch_ctx *c, VkCommandBuffer cmd)
{
   struct pv_vk_cmdbuf *cb = pv_venus_checked(c, PV_FROM_HANDLE(cmd));
   return __builtin_expect(cb != NULL, 1) ? cb : pv_vk_cmdbuf_looked_up(c, cmd);
}

/* The physical device a command buffer records for (NULL if unknown). */
static inline const struct pv_vk_physdev *
pv_vk_cmdbuf_physdev(struct pv_dispatch_ctx *c, VkCommandBuffer cmd)
{
   const struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, cmd);
   return cb ? cb->pd : NULL;
}

/* Queries a vkCmdBeginQuery or a timestamp takes in `cb` now (guard_query.c): one, or one per
 * view of the view mask the host's state holds. */
uint32_t pv_vk_query_views(const struct pv_vk_cmdbuf *cb);

/* State of an image or buffer view: what it views. */
struct pv_vk_view {
   struct pv_vk_ref target;
   int32_t target_type;
   uint32_t width, height, layers; /* image views: what an attachment may cover */
   VkFormat format;                /* image views: the view's format */
   uint32_t planes;                /* image views: the planes it views (a color view of a
                                    * multi-planar format all of them), else 1 */
};

/* State of a framebuffer (guard_framebuffer.c): references to its attachments, so a command
 * buffer that begins a render pass on it is refused once one of their images is destroyed or
 * unbound; and its shape, which begins are checked against (guard_renderpass.c). */
struct pv_vk_framebuffer {
   struct pv_vk_refset refs;
   uint32_t width, height, layers;
   uint32_t attachments;
   uint32_t view_layers; /* the fewest layers of its attachments' views */
   bool imageless;
};

/* The object is the same live one, and so is everything it stands on (a view's image and its
 * memory, a framebuffer's views). */
bool pv_vk_object_alive(struct pv_context *ctx, const struct pv_object *o);

/* struct pv_family hooks (families.c): recording references, lost-context handlers (lost.c). */
struct pv_overrides;
void pv_vk_named_register(struct pv_overrides *o);
void pv_vk_command_named(struct pv_context *ctx, int32_t type, struct pv_object *const *named,
                         uint32_t count);
void pv_vk_register_lost(struct pv_overrides *o);

bool pv_vk_refset_add(struct pv_context *ctx, struct pv_vk_refset *s, const struct pv_object *o);
void pv_vk_refset_fini(struct pv_vk_refset *s);

/* Descriptor slots (guard_descriptor.c): what each (binding, element) of a set names now. */
void pv_vk_descriptor_slot_set(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s,
                               uint32_t binding, uint32_t element, struct pv_object *o);
/* The same for a descriptor copied from one whose object is gone: it names the dead object. */
void pv_vk_descriptor_slot_set_dead(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s,
                                    uint32_t binding, uint32_t element,
                                    const struct pv_vk_ref_entry *dead);

/* False (and the command fatal) when a command buffer names an object that is gone. */
bool pv_vk_cmdbufs_alive(struct pv_dispatch_ctx *c, const char *what, uint32_t count,
                         const VkCommandBuffer *cmdbufs);
/* The same look again, under the queue's submit lock (resubmit.c): one load per command buffer
 * that executes no secondaries unless the liveness epoch moved since. What changes a secondary
 * (reset, free, begin) or rewrites a set past a bound dynamic offset on another ring takes a new
 * value first and then syncs with the submitters: found unchanged here, this submission's marks
 * come before its wait. */
bool pv_vk_cmdbufs_still_alive(struct pv_dispatch_ctx *c, uint32_t count,
                               const VkCommandBuffer *cmdbufs);
/* False (and the command refused) when a command buffer or the fence of a submission belongs to
 * another device than its queue. */
bool pv_vk_submit_on_one_device(struct pv_dispatch_ctx *c, const char *what, VkQueue queue,
                                uint32_t count, const VkCommandBuffer *cmdbufs, VkFence fence);
/* Whether two command buffers come from pools of the same device (or both of none known). */
bool pv_vk_cmdbufs_share_device(struct pv_dispatch_ctx *c, VkCommandBuffer a, VkCommandBuffer b);

/* Queue tracking (queue.c): the queue's state (NULL if unknown) with its submit lock held;
 * _submitted counts an accepted submission and remembers it in its command buffers and fence,
 * then releases the lock. */
struct pv_vk_queue *pv_vk_queue_begin_submit(struct pv_dispatch_ctx *c, VkQueue queue,
                                             struct pv_vk_device **device);
void pv_vk_queue_end_submit(struct pv_dispatch_ctx *c, struct pv_vk_queue *q,
                            struct pv_vk_device *d, bool accepted, uint32_t count,
                            const VkCommandBuffer *cmdbufs,
                            const struct pv_vk_batch_signal *signals, VkFence fence);
/* Guest fences as completion evidence (fences.c): the fence's submission, counted on `q`
 * (NULL: a signal we do not count, e.g. vkQueueBindSparse's), and fences the guest saw signalled
 * on the host, whose submissions are finished unless the fence is foreign. */
void pv_vk_fence_submitted(struct pv_dispatch_ctx *c, VkFence fence, struct pv_vk_queue *q,
                           uint64_t value);
void pv_vk_fences_signalled(struct pv_dispatch_ctx *c, uint32_t count, const VkFence *fences);
/* Fences reset on the host (`done`: the reset succeeded), by vkResetFences or by a sync_fd
 * export, which resets too. */
void pv_vk_fences_reset(struct pv_dispatch_ctx *c, uint32_t count, const VkFence *fences,
                        bool done);
/* The queue's submissions up to `value` are finished; whether `value` may still run. */
void pv_vk_queue_completed_at_least(struct pv_vk_queue *q, uint64_t value);
bool pv_vk_queue_busy(const struct pv_vk_queue *q, uint64_t value);
/*
 * Telling a lost guest (both dialects; wire 0 has no FATAL ring bit): Mesa's Venus signals a
 * VkFence to itself by a recorded 4-byte fill of VK_SUCCESS into host-visible memory and then
 * polls that word, never the socket. Every such slot is remembered (also while the context is
 * lost: the fill is decoded, not run), and a submission in a lost context writes
 * VK_ERROR_DEVICE_LOST into all of them, which the guest returns from vkWaitForFences.
 */
void pv_vk_note_status_slot(struct pv_dispatch_ctx *c, VkBuffer buffer, uint64_t offset);
/* The same for a buffer object found by id (lost mode, where new buffers have no handle). */
void pv_vk_note_status_slot_of(struct pv_context *ctx, const struct pv_object *buffer,
                               uint64_t offset);
void pv_vk_tell_lost(struct pv_dispatch_ctx *c);
/* Whether the command buffer's last submission (or one on another queue) may still run; the
 * caller holds its device's track lock. */
bool pv_vk_cmdbuf_busy_locked(const struct pv_vk_device *d, const struct pv_vk_cmdbuf *cb);
/* Calls fn for each secondary the primary executes (its references), until fn says stop;
 * whether every call said go on. `s` is the state of the command buffer under that id now,
 * whichever recording (NULL when there is none). */
bool pv_vk_cmdbuf_each_secondary(struct pv_context *ctx, const struct pv_vk_cmdbuf *cb,
                                 bool (*fn)(struct pv_vk_cmdbuf *s, void *data), void *data);
/* The state of command buffer (id, serial) while its recording counted `ended` has not ended,
 * and its device (its pool's); NULL when it has (or the command buffer is gone). */
struct pv_vk_cmdbuf *pv_vk_cmdbuf_unended(struct pv_context *ctx, uint64_t id, uint64_t serial,
                                          uint64_t ended, struct pv_vk_device **d);
/* Whether a descriptor set the command buffers bind (or secondaries they execute) is being
 * written on the host now (set_writes.c); the caller holds their queue's submit lock. */
bool pv_vk_cmdbufs_bind_set_written(struct pv_dispatch_ctx *c, uint32_t count,
                                    const VkCommandBuffer *cmdbufs);
/* Waits until the state's last submission has finished; `d` is its device (its pool's). */
void pv_vk_cmdbuf_wait_state(struct pv_context *ctx, struct pv_vk_device *d,
                             struct pv_vk_cmdbuf *cb);
/* A submission of `count` command buffers (resubmit.c): pv_vk_queue_begin_submit once none of
 * them begun without SIMULTANEOUS_USE (nor such a secondary they execute) may still run from an
 * earlier submission, waiting for those first, with those claimed until
 * pv_vk_queue_end_submit. False (the command refused, nothing locked) when one is named twice
 * or cannot be waited for. */
bool pv_vk_queue_begin_submit_cmdbufs(struct pv_dispatch_ctx *c, const char *what, VkQueue queue,
                                      uint32_t count, const VkCommandBuffer *cmdbufs,
                                      struct pv_vk_queue **q, struct pv_vk_device **d);
/* For each of a submission's command buffers (as submit_cmdbufs lists them), a timeline
 * semaphore its batch signals, in the command's arena; NULL when there are none. */
struct pv_vk_batch_signal *pv_vk_batch_signals(struct pv_dispatch_ctx *c,
                                               const struct pv_args_vkQueueSubmit *a1,
                                               const struct pv_args_vkQueueSubmit2 *a2,
                                               uint32_t count);
/* Ends the claims of pv_vk_queue_begin_submit_cmdbufs; the caller holds the track lock. */
void pv_vk_cmdbufs_unclaim_locked(struct pv_dispatch_ctx *c, uint32_t count,
                                  const VkCommandBuffer *cmdbufs);
/* Waits until the command buffer's last submission has finished (before it is reset), after
 * giving it a new recording value. */
void pv_vk_cmdbuf_wait(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf);
/* The same for every command buffer of a pool (before the pool is reset or destroyed), and for
 * a list of them (before they are freed). Each first gets a new recording value, so a primary
 * that executed it is refused from then on. False (the command refused) when the pool's command
 * buffers cannot be listed (no memory). */
bool pv_vk_cmdpool_wait(struct pv_dispatch_ctx *c, VkDevice device, VkCommandPool pool);
void pv_vk_cmdbufs_wait(struct pv_dispatch_ctx *c, uint32_t count, const VkCommandBuffer *cmdbufs);
/* An empty submission with `fence` to a queue, under the queue-timeline lock where it has one
 * (queue.c); the caller holds the queue's submit lock. */
VkResult pv_vk_queue_submit_locked(struct pv_context *ctx, VkQueue queue, PFN_vkQueueSubmit submit,
                                   VkFence fence);
/* Waits until everything submitted to the device's queues so far has finished. */
void pv_vk_device_quiesce(struct pv_context *ctx, struct pv_vk_device *d);
/* Takes (or lets go of) every queue's submit lock of the device: no host submission, sparse
 * bind or fence of ours (lifetime.c) reaches the driver meanwhile. */
void pv_vk_lock_submitters(struct pv_vk_device *d);
void pv_vk_unlock_submitters(struct pv_vk_device *d);
/* Whether submitted work of the device is not known finished (pv_vk_queue_busy). */
bool pv_vk_device_busy(const struct pv_vk_device *d);
/* An empty submission to `q` with *fence (ours: made on first use, reset after) behind
 * everything submitted to it so far, whose count is *covers; *sent (unless NULL) is *fence as
 * it was sent, read under the queue's lock. VK_ERROR_DEVICE_LOST once the queue is closed. */
VkResult pv_vk_queue_fence_behind(struct pv_context *ctx, struct pv_vk_device *d,
                                  struct pv_vk_queue *q, VkFence *fence, uint64_t *covers,
                                  VkFence *sent);
/* The same for one queue: an empty batch with our fence, waited for in slices. */
void pv_vk_queue_drain(struct pv_context *ctx, struct pv_vk_device *d, struct pv_vk_queue *q);
/* A command or descriptor pool's device: its parent's, else the one the guest's command names. */
struct pv_vk_device *pv_vk_device_of_pool(struct pv_context *ctx, const struct pv_object *pool,
                                          VkDevice device);
/* Waits for submissions between the host's vkQueueSubmit and their marks (other rings). */
void pv_vk_sync_with_submitters(struct pv_vk_device *d);
/* Descriptor pools' last submissions (pool_uses.c): a recorded command naming `set` notes its
 * pool in `cb`; a submission marks the pools of `cb` (under the device's track lock); a pool's
 * reset, destroy or free of sets waits for its own submissions only (then reaps the
 * graveyard); a destroyed pool is forgotten (before it leaves the table); the device's table
 * goes with it. */
void pv_vk_cmdbuf_note_set(struct pv_context *ctx, struct pv_vk_cmdbuf *cb, struct pv_object *set);
void pv_vk_pool_uses_mark(struct pv_vk_device *d, struct pv_vk_queue *q, uint64_t value,
                          const struct pv_vk_cmdbuf *cb);
void pv_vk_descpool_wait(struct pv_dispatch_ctx *c, VkDevice device, VkDescriptorPool pool);
/* Whether a submission that used the pool's sets may still run (NULL: any of the device's);
 * the caller synced with the submitters first. */
bool pv_vk_descpool_busy(struct pv_vk_device *d, const struct pv_object *pool);
void pv_vk_descpool_forget(struct pv_dispatch_ctx *c, VkDevice device, uint64_t pool_id);
void pv_vk_pool_uses_fini(struct pv_vk_device *d);
/* The objects kept for later (graveyard.c), as X(name, VkObjectType, handle type, the member
 * of vkDestroy<name>'s args that names it): nothing but command buffers, descriptor sets and
 * the views and framebuffers made from them reaches them, and those are checked when used.
 * Memory and query pools are kept too, with their state (PV_VK_KEPT_WITH_STATE, below). */
#define PV_VK_KEPT_OBJECTS(X)                                                                      \
   X(Buffer, VK_OBJECT_TYPE_BUFFER, VkBuffer, buffer)                                              \
   X(Image, VK_OBJECT_TYPE_IMAGE, VkImage, image)                                                  \
   X(BufferView, VK_OBJECT_TYPE_BUFFER_VIEW, VkBufferView, bufferView)                             \
   X(ImageView, VK_OBJECT_TYPE_IMAGE_VIEW, VkImageView, imageView)                                 \
   X(Sampler, VK_OBJECT_TYPE_SAMPLER, VkSampler, sampler)                                          \
   X(Pipeline, VK_OBJECT_TYPE_PIPELINE, VkPipeline, pipeline)                                      \
   X(Framebuffer, VK_OBJECT_TYPE_FRAMEBUFFER, VkFramebuffer, framebuffer)                          \
   X(RenderPass, VK_OBJECT_TYPE_RENDER_PASS, VkRenderPass, renderPass)                             \
   X(Event, VK_OBJECT_TYPE_EVENT, VkEvent, event)                                                  \
   X(Semaphore, VK_OBJECT_TYPE_SEMAPHORE, VkSemaphore, semaphore)                                  \
   X(SamplerYcbcrConversion, VK_OBJECT_TYPE_SAMPLER_YCBCR_CONVERSION, VkSamplerYcbcrConversion,    \
     ycbcrConversion)

/* Kept the same way by a destroy guard of their own, which tries something else first (fences:
 * the device's kept fences, fence_pool.c). */
#define PV_VK_KEPT_OWN_GUARD(X) X(Fence, VK_OBJECT_TYPE_FENCE, VkFence, fence)

/* Kept the same way with their state (graveyard.c: its quota stays charged, memory's mapping
 * stays, until the host handle goes), as X(the command, VkObjectType, handle type, the member of
 * its args that names it). */
#define PV_VK_KEPT_WITH_STATE(X)                                                                   \
   X(FreeMemory, VK_OBJECT_TYPE_DEVICE_MEMORY, VkDeviceMemory, memory)                             \
   X(DestroyQueryPool, VK_OBJECT_TYPE_QUERY_POOL, VkQueryPool, queryPool)

/* Destroying later (graveyard.c): keeps `handle` (of `type`: PV_VK_KEPT_OBJECTS, memory or a
 * query pool, whose state goes with it) until the submissions made so far are known finished
 * and removes the guest's object now; false when it is to be destroyed now (nothing may use it,
 * a type that is not kept, too many kept: the caller waits first). */
bool pv_vk_destroy_later(struct pv_dispatch_ctx *c, VkDevice device, int32_t type,
                         uint64_t handle);
/* What a destroy guard does first: keeps `handle` for later (true: the caller is done), or waits
 * for the device's work and destroys what was kept for after it (false: the caller destroys the
 * object now). */
bool pv_vk_keep_or_quiesce(struct pv_dispatch_ctx *c, VkDevice device, int32_t type,
                           uint64_t handle);
/* Destroys the kept handles whose submissions are known finished. */
void pv_vk_graveyard_reap(struct pv_context *ctx, struct pv_vk_device *d);
/* Destroys every kept handle (after vkDeviceWaitIdle, before vkDestroyDevice). */
void pv_vk_graveyard_flush(struct pv_context *ctx, struct pv_vk_device *d);
/* Whether kept memory or query pools still hold quota. */
bool pv_vk_graveyard_holds_state(struct pv_vk_device *d);
/* pv_venus_charge for device `d`'s objects: when the quota is full while kept memory or query
 * pools of `d` hold some, waits for the device, frees them and tries again. */
bool pv_vk_charge(struct pv_context *ctx, struct pv_vk_device *d, enum pv_quota q,
                  uint64_t amount);
/* Frees the graveyard's own memory and lock (the device's state goes). */
void pv_vk_graveyard_fini(struct pv_vk_device *d);
/* Destroys the queues' own fences (device.c, before vkDestroyDevice, after the commands other
 * paths run now) and closes the queues: no fence of ours is made or sent on them afterwards. */
void pv_vk_queue_tracks_fini(struct pv_context *ctx, struct pv_vk_device *d);

#endif
