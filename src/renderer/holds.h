/* SPDX-License-Identifier: MIT */
/*
 * Command buffers and descriptor sets held by the command that names them. Their host objects
 * are freed or reset at once by the command that frees or resets them (vkFreeCommandBuffers,
 * vkFreeDescriptorSets, a pool reset, vkBeginCommandBuffer's implicit reset): unlike other
 * objects (reclaim.h, pv_dispatch_ctx.destroy_later) that cannot wait for another thread,
 * because Vulkan makes the pool's external synchronization the caller's. So a guest that
 * records into, submits, binds or updates one on one ring while another ring frees or resets it
 * would make the host driver use freed memory, and two rings recording into one command buffer
 * would corrupt the driver's heap.
 *
 * Command pools and descriptor pools are held too, exclusively, by the commands that name them
 * (allocations from them, frees to them, their resets, trims and destroys): the host driver keeps
 * lists of a pool's children that those change, and the pool's synchronization is the caller's, so
 * two rings allocating from or freeing to one pool at once would corrupt them. A command that holds
 * a command buffer exclusively (records into, begins, ends, resets or frees it) holds its pool
 * exclusively too: a driver may record into memory the pool owns, and Vulkan extends the pool's
 * synchronization to every command buffer allocated from it. The kept hold of a run of vkCmd* keeps
 * both.
 *
 * Fences and events are held by the host commands Vulkan makes their external synchronization
 * the caller's: exclusively by the ones that change them (vkResetFences, a submission's fence,
 * vkSetEvent, vkResetEvent, their destroys), shared by the status queries beside those. Two rings
 * resetting one fence, or one setting an event while another resets it, would otherwise reach
 * the host driver at once. vkWaitForFences holds its fences shared slice by slice, not for the
 * whole wait (src/vk/sync.c: a submission it waits for may be on another ring, and needs the
 * fence exclusively), and steps aside between slices while a command waits for an exclusive hold
 * of one (pv_object.wanted). A vkCmd* naming an event is not held (recording does not touch the
 * host event).
 *
 * Binary semaphores carry a temporary payload that a sync_fd import replaces and that a
 * submission waiting on it, or a sync_fd export, takes; Mesa's common runtime does either without
 * a lock (Vulkan leaves those semaphores' synchronization to the caller, which a guest's two
 * rings can break). Submissions hold their semaphores shared, a sync_fd import
 * (vkImportSemaphoreResourceMESA) holds its semaphore exclusively, and a sync_fd export
 * (vkWaitSemaphoreResourceMESA) holds it exclusively for its host call only (src/vk/sync.c: it
 * then waits for the payload's fd without the hold, for as long as the GPU takes). A fence's
 * sync_fd export (vkResetFenceResourceMESA) resets it: held exclusively like vkResetFences.
 * Those exports may wait in the host driver until the signal they take is submitted, which a
 * guest that keeps Vulkan's rules has done before (Venus sends submissions and these commands
 * on one ring, in order); one that has not waits only for itself.
 *
 * Each such object has one atomic word (pv_object.use): how many commands hold it, and how
 * many of those hold it exclusively. A command that changes the host object (records into a
 * command buffer, begins, ends, resets or frees it, writes or frees a set) holds it exclusively;
 * one that only reads it (a submission, vkCmdExecuteCommands' secondaries, a bind, a copy's
 * source) holds it shared. A hold that meets a conflicting one is taken back and retried after
 * a pause, so the second command runs after the first instead of beside it; a guest that keeps
 * Vulkan's rules only meets that in the moment after a submission's host call, before its
 * handler returns. An object found freed once its hold is granted makes the command fatal.
 *
 * Holds end with the command (top-level or nested); lost mode takes none. With recording
 * threads (recorder.h; on where PEARVISOR_RECORD_THREAD asks for them) they end once the recording
 * thread has made the command's host call: the path keeps them (pv_exec.deferred) until it
 * waits for that thread, which it does before any command that is not a vkCmd*, at the end of
 * each stream and before it waits for another command's hold.
 */
#ifndef PV_RENDERER_HOLDS_H
#define PV_RENDERER_HOLDS_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol/pv_protocol.h"

struct pv_exec;
struct pv_object;

/* How a command holds the command buffers and descriptor sets it names (one byte per command
 * type, made from the names like recorder.h's kinds). Default: command buffers exclusive, sets
 * shared. Fences and events are held only by the commands given a PV_HOLD_SYNC_* bit, semaphores
 * only by those given a PV_HOLD_SEMAPHORES_* one. */
enum {
   PV_HOLD_CMDBUFS_SHARED = 1 << 0,       /* submissions */
   PV_HOLD_FIRST_CMDBUF_ONLY = 1 << 1,    /* vkCmdExecuteCommands: its secondaries are read */
   PV_HOLD_SETS_EXCLUSIVE = 1 << 2,       /* descriptor updates and frees */
   PV_HOLD_RECORDS = 1 << 3,              /* a vkCmd*: never waits, so its hold may be kept */
   PV_HOLD_SYNC_SHARED = 1 << 4,          /* reads a fence's or event's state: holds it shared */
   PV_HOLD_SYNC_EXCLUSIVE = 1 << 5,       /* changes it (Vulkan: externally synchronized) */
   PV_HOLD_SEMAPHORES_SHARED = 1 << 6,    /* submissions: signal or wait on them */
   PV_HOLD_SEMAPHORES_EXCLUSIVE = 1 << 7, /* a sync_fd import: replaces the temporary payload */
};
uint8_t *pv_hold_kinds(const struct pv_protocol_table *t);

/* One hold of the running path. */
struct pv_hold {
   struct pv_object *obj;
   uint32_t amount; /* what it added to obj->use */
};

/* Whether a lookup of `type` in the running command holds exclusively (exec.c decides when the
 * type is held at all, and counts the command buffers the command named, this one included, in
 * x->cmdbufs_held). */
bool pv_hold_wants_exclusive(struct pv_exec *x, int32_t type);
/* Holds `o` for the running command (exec.c's hold_named takes the kept hold inline); false
 * (the command fatal, reason set) when the context stops or is lost while waiting, the object
 * was freed meanwhile, or no memory. */
bool pv_hold_named_slow(struct pv_exec *x, struct pv_object *o, bool exclusive);
/* Ends the holds taken since `mark` (the path's hold count then), or defers them while the
 * recording thread has calls to make. */
void pv_holds_release(struct pv_exec *x, uint32_t mark);
/* Ends the holds kept for the recording thread's calls (exec.c, once it made them). */
void pv_holds_release_deferred(struct pv_exec *x);
/*
 * Ends the running command's holds (from `mark` on), keeping the one of a vkCmd* recording
 * into a command buffer for the path's next command: a guest records dozens of commands into
 * one command buffer in a row, and taking and ending the hold for each was two atomic
 * read-modify-writes per command (8-12% of record-only throughput on an H100). The kept hold
 * is ended by the next command unless it records into the same command buffer, and before any
 * command that is not a vkCmd* (one that may wait) and at the end of each stream
 * (pv_holds_unpark), so it never outlives a run of vkCmd*. exec.c's end_command_holds keeps
 * it inline.
 */
void pv_holds_end_command_slow(struct pv_exec *x, uint32_t mark, int32_t type);
void pv_holds_unpark(struct pv_exec *x);

#endif
