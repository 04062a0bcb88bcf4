/* SPDX-License-Identifier: MIT */
/*
 * How object families plug into the renderer. The renderer (src/renderer/) owns contexts,
 * streams, rings, blobs and the object table; a family (the Vulkan families of src/vk/) owns the
 * host objects behind guest commands. Calls go one way: families call the renderer (venus.h),
 * and the renderer reaches a family only through this table, never by name. The library's
 * composition root (src/pearvisor.c) is the one place that names both.
 */
#ifndef PV_RENDERER_FAMILY_H
#define PV_RENDERER_FAMILY_H

#include <stdint.h>

#include "pearvisor/pearvisor.h"

struct pv_context;
struct pv_object;
struct pv_overrides;
struct pv_dispatch_ctx;

struct pv_family {
   const char *name;
   /* Installs the family's command handlers into a dialect's table (once per dialect), and
    * those that still run in a lost context (telling the guest; may be NULL). */
   void (*register_handlers)(struct pv_overrides *o);
   void (*register_lost_handlers)(struct pv_overrides *o);
   /* After every command that ran, the objects it named in decode order (the Vulkan families
    * track what command buffers reference); may be NULL. */
   void (*command_named)(struct pv_context *ctx, int32_t type, struct pv_object *const *named,
                         uint32_t count);
   /* Before the handler of every command whose class byte (set by register_handlers in
    * pv_overrides.classes) is not 0: refuses it with pv_venus_refuse (the Vulkan families
    * check command-buffer state); may be NULL. */
   void (*command_check)(struct pv_dispatch_ctx *c, int32_t type, uint8_t cls, void *args);
   /* Per-context state, made when the context is created (NULL: out of memory) and freed after
    * context_teardown; the family reaches it with pv_venus_family_state(). */
   void *(*context_init)(struct pv_context *ctx);
   void (*context_fini)(struct pv_context *ctx, void *state);
   /* Instead of context_fini after a host-driver crash (its threads may be stuck in the
    * driver): makes sure none of them touches the context once it is freed; may be NULL. */
   void (*context_abandon)(struct pv_context *ctx);
   /* Blob resource for guest object `id` (a VkDeviceMemory); 0 or a negative errno value. */
   int (*export_blob)(struct pv_context *ctx, uint64_t id, uint64_t size, uint32_t flags,
                      struct pv_blob *out);
   /* A fence on timeline `ring_idx` (pv_context_submit_fence): NULL when queued (the family
    * calls the context's fence callback when it retires), else why it cannot be honoured. */
   const char *(*fence_submit)(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id);
   /* Destroys every host object the guest left behind (rings are stopped before). */
   void (*context_teardown)(struct pv_context *ctx);
   /* Waits until the host has finished the work submitted so far (capture.h: memory snapshots
    * must not catch the GPU mid-write); may be NULL. */
   void (*wait_idle)(struct pv_context *ctx);
};

#endif
