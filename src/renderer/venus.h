/* SPDX-License-Identifier: MIT */
/*
 * The Venus side of a context, as the core (context, stream executor, transport commands, rings)
 * and the Vulkan object families in src/vk/ share it.
 *
 * Data path: transport (vtest) -> pv_context_submit / ring thread -> pv_venus_execute (one
 * bounds-checked decoder per path) -> generated dispatch -> a family override in src/vk/ or the
 * generated pass-through -> host driver. Handlers reach their context with pv_venus_from(c).
 *
 * Threads: the transport thread (context path) and one thread per ring execute commands
 * concurrently. Shared state has its own short locks (object table, resources, reply stream);
 * no lock is held while the host driver runs, so a ring blocked in vkWaitForFences never stalls
 * the transport. Vulkan's external synchronization rules are the guest's to keep, as in a native
 * driver; a guest that breaks them can only hurt its own process (one process per client).
 */
#ifndef PV_RENDERER_VENUS_H
#define PV_RENDERER_VENUS_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"
#include "protocol/pv_protocol.h"
#include "pv_protocol_gen.h"

struct pv_context;

/* ----- objects ------------------------------------------------------------------------------ */

/*
 * One guest object. The guest picks `id` (never 0); `host` is the host driver's handle. `parent`
 * is the id of the object whose destruction frees this one implicitly: the VkCommandPool of a
 * command buffer, the VkDescriptorPool of a descriptor set, the VkDevice of every other device
 * child, the VkInstance of physical devices and devices; 0 for the instance.
 * The core fills parent for objects made by generated pass-through handlers from the command's
 * own arguments (the pool, else the device it named).
 */
struct pv_object {
   uint64_t id;
   int32_t type; /* VkObjectType */
   uint64_t host;
   uint64_t parent;
   /* Unique per table and never reused, unlike the guest's ids: "the same object as before"
    * is (id, serial), which is how bounds state refers to other objects (src/vk/guard.h). */
   uint64_t serial;
   /* Host entry points for commands on this object: the device's own table for a device, its
    * queues, pools and command buffers (so a command the device did not enable has no entry
    * and fails closed instead of jumping through a loader stub); NULL: the instance table. */
   const struct pv_vk_dispatch *vk;
   /* Family state (e.g. the memfd behind a VkDeviceMemory); free_data runs when the object
    * leaves the table, after the host object is gone. */
   void *data;
   void (*free_data)(struct pv_context *ctx, struct pv_object *obj);
   /* Set by the one command that destroys it (pv_cs_claim, before any host call): two rings
    * that destroy one object at once would otherwise both hand its handle to the host driver's
    * destroy, or both put a fence in the pool. */
   atomic_bool claimed;
   /* Commands waiting for an exclusive hold of it (holds.h): a wait that holds it shared slice by
    * slice steps aside between slices while there are any (pv_venus_hold_wanted). */
   _Atomic uint16_t wanted;
   /* Command buffers and descriptor sets: the commands holding it now, shared and exclusive
    * (holds.h), so it is never recorded into, read, reset or freed by two rings at once. */
   _Atomic uint32_t use;
};

/* The object with this id and type, or NULL. Valid until the object is removed; the guest
 * controls removal, so keep it only for the duration of one command. */
struct pv_object *pv_object_find(struct pv_context *ctx, uint64_t id, int32_t type);
/* The same through the running path's lookup cache (objects.h), without the table's lock when
 * it hits: for checks that run per recorded command (a draw's bound sets and pipeline). */
struct pv_object *pv_venus_find(struct pv_dispatch_ctx *c, uint64_t id, int32_t type);
/* The object of `type` whose host handle is `host` (reverse lookup), or NULL. */
struct pv_object *pv_object_find_host(struct pv_context *ctx, int32_t type, uint64_t host);
/* Adds an object. NULL when id is 0 or already in use (the caller makes that fatal) or no
 * memory. */
struct pv_object *pv_object_add(struct pv_context *ctx, int32_t type, uint64_t id, uint64_t host,
                                uint64_t parent);
/* Adds an object with no host object behind it (host 0; a lost context's own bookkeeping,
 * src/vk/lost.c). NULL when id is 0 or in use, or no memory. */
struct pv_object *pv_object_add_unbacked(struct pv_context *ctx, int32_t type, uint64_t id,
                                         uint64_t parent);
/* Removes an object (running free_data). Unknown ids are ignored. */
void pv_object_remove(struct pv_context *ctx, uint64_t id);
/* Removes every object whose parent is `parent` and whose type is `type` (-1: any type), and
 * their children, without touching the host: for frees the host driver did implicitly
 * (vkDestroyCommandPool, vkResetDescriptorPool, ...). */
void pv_object_remove_children(struct pv_context *ctx, uint64_t parent, int32_t type);
/* Ids of the children of `parent` of `type` (-1: any), into a malloc'ed array the caller frees.
 * A snapshot: the callback may remove objects. Returns the count (0 and *ids NULL if none). */
size_t pv_object_list_children(struct pv_context *ctx, uint64_t parent, int32_t type,
                               uint64_t **ids);
/* The same; *complete false when memory ran out and the list misses some (a caller that must
 * see every child then falls back to something coarser). */
size_t pv_object_list_children_checked(struct pv_context *ctx, uint64_t parent, int32_t type,
                                       uint64_t **ids, bool *complete);

/* The objects the running command named, in decode order: what the executor (renderer/exec.c)
 * shows its handlers, at the start of what pv_dispatch_ctx.user points to (exec.c asserts it),
 * so the lookup below is inline: every vkCmd* is checked against its command buffer's state. */
struct pv_venus_named {
   struct pv_object **objs;
   uint32_t count, cap;
   /* The state the family's command check found for the running command's first object (a
    * vkCmd*'s command buffer, host handle `checked_host`), or NULL: the guards after it read
    * the command buffer's device limits and bind state without looking it up again. */
   void *checked;
   uint64_t checked_host;
};
struct pv_object *pv_venus_object_by_host(struct pv_dispatch_ctx *c, int32_t type, uint64_t host);
/* The object of `type` behind host handle `host` that the running command named (no second
 * table lookup for ids the decoder just resolved), else found by host handle; NULL if unknown.
 * Valid for the running command only, like pv_object_find. */
static inline struct pv_object *
pv_venus_object(struct pv_dispatch_ctx *c, int32_t type, uint64_t host)
{
   const struct pv_venus_named *n = c->user;
   for (uint32_t i = 0; i < n->count; i++)
      if (n->objs[i]->host == host && n->objs[i]->type == type)
         return n->objs[i];
   return host ? pv_venus_object_by_host(c, type, host) : NULL;
}
/* What the command check found for host handle `host` (pv_venus_named.checked), or NULL. */
static inline void *
pv_venus_checked(struct pv_dispatch_ctx *c, uint64_t host)
{
   const struct pv_venus_named *n = c->user;
   return n->checked && n->checked_host == host ? n->checked : NULL;
}
static inline void
pv_venus_set_checked(struct pv_dispatch_ctx *c, uint64_t host, void *state)
{
   struct pv_venus_named *n = c->user;
   n->checked = state;
   n->checked_host = host;
}
/* The object the running command named `i`th, when it has `type` and host handle `host`, else
 * NULL (a guard's first look, before pv_venus_object). */
static inline struct pv_object *
pv_venus_named_is(struct pv_dispatch_ctx *c, uint32_t i, int32_t type, uint64_t host)
{
   const struct pv_venus_named *n = c->user;
   struct pv_object *o = i < n->count ? n->objs[i] : NULL;
   return o && o->host == host && o->type == type ? o : NULL;
}
/* The first object the running command named (a vkCmd*'s command buffer), or NULL. */
static inline struct pv_object *
pv_venus_named_first(struct pv_dispatch_ctx *c)
{
   const struct pv_venus_named *n = c->user;
   return n->count ? n->objs[0] : NULL;
}
/* Lost mode only: the nth object of `type` (0 first) the running command named, in decode order;
 * NULL when that id is unknown or the command named fewer. Objects made after the loss have host
 * handle 0, so the lost handlers (src/vk/lost.c) find them this way, not by handle. */
struct pv_object *pv_venus_lost_named(struct pv_dispatch_ctx *c, int32_t type, uint32_t nth);
/* A pool reset changes every command buffer or set of the pool on the host: the running command
 * holds each of them exclusively first (renderer/holds.h), so no other ring's command is inside
 * one. False (the command fatal) when one cannot be held. */
bool pv_venus_hold_children(struct pv_dispatch_ctx *c, uint64_t pool_id, int32_t type);
/* Holds objects the running command named (host handles of `type`) for part of its handler:
 * a host wait one slice at a time, shared, so a reset, a submission or a destroy of one on
 * another ring runs between slices, never during one; a sync_fd export exclusively, for its host
 * call only. False (the command fatal) when one cannot be held; `*mark` is what
 * pv_venus_release_holds ends. */
bool pv_venus_hold(struct pv_dispatch_ctx *c, int32_t type, const uint64_t *hosts, uint32_t n,
                   bool exclusive, uint32_t *mark);
void pv_venus_release_holds(struct pv_dispatch_ctx *c, uint32_t mark);
/* Whether a command on another path waits for an exclusive hold of one of them. */
bool pv_venus_hold_wanted(struct pv_dispatch_ctx *c, int32_t type, const uint64_t *hosts,
                          uint32_t n);

/* ----- host driver -------------------------------------------------------------------------- */

struct pv_vk_host {
   PFN_vkGetInstanceProcAddr GetInstanceProcAddr;
   VkInstance instance;         /* host instance of this context, or NULL */
   uint64_t instance_id;        /* its guest id */
   uint32_t instance_api_version; /* what the host loader supports */
   struct pv_vk_dispatch vk;    /* generated pass-through targets, loaded at vkCreateInstance */
};

/* ----- per-command access for handlers ------------------------------------------------------ */

/* The context a handler runs for. */
struct pv_context *pv_venus_from(struct pv_dispatch_ctx *c);
/* The running command handed work to a host queue (how its ring thread then waits: ring.c). */
void pv_venus_note_host_submit(struct pv_dispatch_ctx *c);
struct pv_vk_host *pv_venus_host(struct pv_context *ctx);
/* The dialect's protocol table (extension allow-list, vk_xml_version). */
const struct pv_protocol_table *pv_venus_table(struct pv_context *ctx);
const struct pv_renderer_config *pv_venus_config(struct pv_context *ctx);
/* The host driver the renderer was configured with (renderer/host_driver.h). */
const struct pv_host_driver *pv_venus_host_driver(struct pv_context *ctx);
const char *pv_venus_name(struct pv_context *ctx);
/*
 * Makes call(fn, parent, victim), the host destroy of an object that already left the table, once
 * no command another path began before may still hand that object to the host driver (a
 * descriptor update naming a view, a submission of a pool's command buffer): now when none may.
 * In the order of the removals, so a device's (or instance's) own destroy deferred this way runs
 * after its children's; `quota` as pv_dispatch_ctx.destroy_later. Any thread may make it.
 */
void pv_venus_host_destroy_later(struct pv_context *ctx, pv_host_destroy_fn call, pv_host_fn fn,
                                 uint64_t parent, uint64_t victim, bool quota);
/*
 * The same for the host destroy of a parent (a device, the instance) whose children a command
 * another path runs now may still be destroying: such a command hands its destroys over after
 * this one, so this one is handed over again `levels` times once those commands ended (each
 * level of parents below it, whose own destroys do the same, adds one), and so runs after them.
 */
void pv_venus_host_destroy_last(struct pv_context *ctx, pv_host_destroy_fn call, pv_host_fn fn,
                                uint64_t parent, uint64_t victim, unsigned levels);
/* Claims `o` for the one command (or teardown) that destroys it; false when another did first
 * (struct pv_object.claimed). */
static inline bool
pv_object_claim(struct pv_object *o)
{
   bool unclaimed = false;
   return o && atomic_compare_exchange_strong(&o->claimed, &unclaimed, true);
}
/*
 * Refuses the running command for a guest value the host must not see (src/vk/guard*.c): the
 * command does not reach the host, the context is lost (the guest is told the way its dialect
 * allows), and the command still answers, with VK_ERROR_DEVICE_LOST where it returns a VkResult,
 * so the stream stays in step. The handler returns right after.
 */
void pv_venus_refuse(struct pv_dispatch_ctx *c, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));
/* Whether the loader behind `fn` (its vkEnumerateInstanceExtensionProperties; NULL: no) offers
 * instance extension `name`. */
bool pv_venus_loader_has_extension(PFN_vkEnumerateInstanceExtensionProperties fn,
                                   const char *name);
/* True once the context is lost or being destroyed: a wait on its behalf should end. */
bool pv_venus_stopping(struct pv_context *ctx);
/* Makes the running command fatal (context lost) with a reason. */
void pv_venus_fatal(struct pv_dispatch_ctx *c, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

/* ----- bounded waits (wait.c) --------------------------------------------------------------- */

/* Longest single host wait the renderer does for a guest; between slices it checks for stop. */
#define PV_WAIT_SLICE_NS 100000000ull
/* One slice of a host wait: the host call with `timeout_ns` (VK_TIMEOUT when it ran out). */
typedef VkResult (*pv_wait_slice_fn)(void *data, uint64_t timeout_ns);
/* Runs `wait` in slices until it returns anything but VK_TIMEOUT, the guest's timeout_ns (may
 * be UINT64_MAX) has passed (VK_TIMEOUT), or the context stops or is lost
 * (VK_ERROR_DEVICE_LOST). */
VkResult pv_venus_wait_sliced(struct pv_context *ctx, uint64_t timeout_ns, pv_wait_slice_fn wait,
                              void *data);
/* The context's client went away or the context is lost: long work should end now. */
bool pv_venus_should_stop(struct pv_context *ctx);

/* ----- quotas ------------------------------------------------------------------------------- */

/* PV_QUOTA_FDS counts fds the renderer keeps open for the guest: with `serve --threads` every
 * client shares one process's fd table, so one guest must not take the others' fds. */
enum pv_quota { PV_QUOTA_DEVICE_MEMORY, PV_QUOTA_BLOB_BYTES, PV_QUOTA_FDS, PV_QUOTA_COUNT };
/* Reserves `amount` of a per-context quota; false (nothing reserved) when it would exceed it. */
bool pv_venus_charge(struct pv_context *ctx, enum pv_quota q, uint64_t amount);
/* The same without the warning when the quota is full (the caller may free some and retry). */
bool pv_venus_charge_quiet(struct pv_context *ctx, enum pv_quota q, uint64_t amount);
void pv_venus_uncharge(struct pv_context *ctx, enum pv_quota q, uint64_t amount);

/* ----- overrides ---------------------------------------------------------------------------- */

/* Hand-written handlers by command name, for the context's dialect. */
struct pv_overrides {
   const struct pv_protocol_table *table;
   pv_handler_fn *fns; /* table->count entries */
   /* What the family's command_check needs to know of each command (0: not checked), or NULL
    * where no check is registered (lost handlers). */
   uint8_t *classes;
   /* Per command: the family's command_named runs after it only when it named at least this
    * many objects (0: never), so the commands it has nothing to learn from cost one byte load
    * (NULL where no family hook is registered: lost handlers). */
   uint8_t *named_min;
};
/* Installs `fn` for the command named `name`; false (and a log line) if the dialect has no such
 * command, which is a programming error caught by the unit tests. */
bool pv_overrides_set(struct pv_overrides *o, const char *name, pv_handler_fn fn);

/* The renderer's own transport commands (src/renderer/transport.c); a family installs its
 * handlers through struct pv_family (renderer/family.h). */
void pv_transport_register(struct pv_overrides *o);

/* ----- for families ------------------------------------------------------------------------- */

/* The state the renderer's family made for this context (pv_family.context_init). */
void *pv_venus_family_state(struct pv_context *ctx);
/* Reports a fence of timeline `ring_idx` retired (pv_family.fence_submit queued it): runs the
 * transport's fence callback, on the calling thread. */
void pv_venus_fence_retired(struct pv_context *ctx, uint32_t ring_idx, uint64_t fence_id);

#endif
