/* SPDX-License-Identifier: MIT */
/*
 * The hand-written side of the generated Venus codec (the generated side lives in the build
 * dir: pv_protocol_gen.h and friends, made by codegen/gen.py).
 *
 * Generated code calls the src/cs primitives (list in cs/pv_cs.h) plus the two chain walkers
 * below and the handle macros. Running a command:
 *   pv_protocol_execute_one(ctx, table)  reads the header, decodes the args into the arena,
 *   calls the handler (an override from ctx->overrides, else the generated pass-through),
 *   encodes the reply when the guest asked for one, and resets the arena. An unknown command
 *   type, a command the protocol never sends, a command nobody handles, or any decode error is
 *   fatal for the context (fail closed; venus-wire.md §1.1).
 */
#ifndef PV_PROTOCOL_H
#define PV_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/pv_cs.h"

/* Handles are u64 ids on the wire and pointers on a 64-bit host (we require one). */
_Static_assert(sizeof(void *) == 8, "PearVisor needs a 64-bit host");
#define PV_TO_HANDLE(T, u) ((T)(uintptr_t)(u))
#define PV_FROM_HANDLE(h) ((uint64_t)(uintptr_t)(h))

#define PV_COMMAND_GENERATE_REPLY 0x1u

/* One struct that can appear in a pNext chain (every chain struct starts with sType, pNext). */
struct pv_chain_type {
   int32_t stype;
   size_t size;
   void (*decode_self)(struct pv_cs_decoder *d, void *v);
   void (*decode_self_partial)(struct pv_cs_decoder *d, void *v);
   void (*encode_self)(struct pv_cs_encoder *e, const void *v);
   const char *name;
};
/* Per parent: the chain structs it accepts; NULL for an unknown sType. */
typedef const struct pv_chain_type *(*pv_chain_lookup_fn)(int32_t stype);

/* Longest chain we accept; no parent has this many extending structs. */
#define PV_CHAIN_MAX 256

/* Decodes a chain: headers first, then the members' own fields in reverse (venus-wire.md 1.5).
 * lookup NULL means the parent takes no chain: any chain is then fatal. */
void *pv_protocol_decode_chain(struct pv_cs_decoder *d, pv_chain_lookup_fn lookup, bool partial,
                               const char *parent);
/* Writes the decoded chain back in the same order; structs the parent does not know are
 * skipped (the guest tolerates omissions, never additions; §3.3). */
void pv_protocol_encode_chain(struct pv_cs_encoder *e, pv_chain_lookup_fn lookup,
                              const void *pnext);

struct pv_vk_dispatch; /* generated: host driver entry points */
struct pv_dispatch_ctx;
typedef void (*pv_handler_fn)(struct pv_dispatch_ctx *ctx, void *args);
/* A vkCmd*'s host call alone, with the decoded (and checked) arguments (codegen: pv_call_*). */
typedef void (*pv_host_call_fn)(const struct pv_vk_dispatch *vk, void *args);
/* Any host entry point, as the dispatch table holds it (PFN_vkVoidFunction's shape). */
typedef void (*pv_host_fn)(void);
/* A host destroy alone (codegen: pv_destroy_*): calls `fn`, the host's vkDestroy* or vkFreeMemory,
 * cast back to its type, on `victim` of device `parent`. */
typedef void (*pv_host_destroy_fn)(pv_host_fn fn, uint64_t parent, uint64_t victim);

struct pv_dispatch_ctx {
   struct pv_cs_decoder *dec;
   struct pv_cs_encoder *reply;     /* NULL: replies are fatal (unless reply_begin is set) */
   /* Optional: the renderer's reply stream. reply_begin gives the encoder for the next reply
    * (NULL: no reply stream, fatal); reply_end publishes what was written. */
   struct pv_cs_encoder *(*reply_begin)(struct pv_dispatch_ctx *ctx);
   void (*reply_end)(struct pv_dispatch_ctx *ctx, struct pv_cs_encoder *enc);
   /* A lost context still decodes (so the stream stays in step) and still answers every reply
    * the guest waits for, but runs only lost_handlers[type] (transport bookkeeping); other
    * commands are skipped and report VK_ERROR_DEVICE_LOST where they return a VkResult. */
   bool lost;
   /* Set by a handler that refused its command (pv_venus_refuse): the command answers
    * VK_ERROR_DEVICE_LOST and the rest of the stream runs in lost mode. */
   bool refused;
   const pv_handler_fn *lost_handlers; /* indexed by command type, may be NULL */
   const struct pv_vk_dispatch *vk; /* host driver */
   const pv_handler_fn *overrides;  /* indexed by command type, may be NULL */
   size_t override_count;
   /* Optional: runs before the handler of every command whose check_classes[type] is not 0
    * (outside lost mode) and refuses it by setting `refused` (the renderer's command-buffer
    * state checks, src/vk/guard_cmdbuf.c); then the handler does not run. */
   void (*check)(struct pv_dispatch_ctx *ctx, int32_t type, uint8_t cls, void *args);
   const uint8_t *check_classes; /* override_count entries */
   /* Optional: told when the decoder refused a command's values (pv_cs_decoder.refused); the
    * command is then answered like a refused one (the renderer loses the context here). */
   void (*on_refused)(struct pv_dispatch_ctx *ctx, const char *why);
   /* Optional: takes a recording command's host call (a vkCmd* whose checks passed) to make
    * later, in order, on a recording thread (renderer/recorder.h), and sets arena_held; false:
    * the handler makes the call now. Generated handlers reach it through
    * pv_protocol_defer_or_call. */
   bool (*defer)(struct pv_dispatch_ctx *ctx, pv_host_call_fn call, void *args);
   /* Optional: takes the host destroy of one device child (a vkDestroy* or vkFreeMemory whose
    * object already left the table) to make once no other path's running command may still
    * pass that object to the host (renderer/reclaim.h); NULL: the handler makes it now. `quota`:
    * it gives back quota, so an allocation that finds its quota full may have it made early. */
   void (*destroy_later)(struct pv_dispatch_ctx *ctx, pv_host_destroy_fn call, pv_host_fn fn,
                         uint64_t parent, uint64_t victim, bool quota);
   /* Deferred calls still read the decoder's arena: commands keep their temporaries until the
    * owner of `defer` has them made and clears this. */
   bool arena_held;
   void *args; /* the running command's decoded arguments (in the decoder's arena) */
   /* The running command's type as read and validated once (an index into the table), or -1
    * when the stream held no known command. Streams may lie in memory the guest can still
    * write (nested streams): what runs a command acts on this, never on a second read. */
   int32_t type;
   /* Optional: once the command's type and flags are read and its entry found, before its
    * arguments are decoded (the renderer's recording-thread policy, exec.c). */
   void (*before)(struct pv_dispatch_ctx *ctx, int32_t type, uint32_t flags);
   void *user;
};

/* A generated vkCmd* handler with ctx->defer set: hands `call` to it, or makes it now when it
 * declines. */
void pv_protocol_defer_or_call(struct pv_dispatch_ctx *ctx, pv_host_call_fn call, void *args);

struct pv_command_entry {
   const char *name;
   size_t args_size;
   void (*decode)(struct pv_cs_decoder *d, void *args);
   void (*encode_reply)(struct pv_cs_encoder *e, const void *args);
   pv_handler_fn default_handler;
   /* offsetof(args, ret) + 1 for commands returning VkResult, else 0: lets a lost context
    * still answer well-formed replies that carry VK_ERROR_DEVICE_LOST */
   size_t result_offset;
   const char *never_sent;    /* why the guest never sends it (fatal) */
   const char *no_handler;    /* why there is no pass-through (must be overridden) */
   const char *not_decodable; /* why the tables cannot decode it */
};

/* A Vulkan extension the dialect's guest encoder knows (number = capset mask bit). */
struct pv_protocol_extension {
   const char *name;
   uint32_t number;
   uint32_t spec_version;
};

struct pv_protocol_table {
   const char *name;
   uint32_t count;
   const struct pv_command_entry *entries;
   uint32_t vk_xml_version; /* registry version the guest encoder was generated from */
   const struct pv_protocol_extension *extensions; /* sorted by name, in strcmp order */
   uint32_t extension_count;
   /* the indices of the named entries, in strcmp order of their names (pv_protocol_command_find) */
   const uint16_t *by_name;
   uint32_t named_count;
};

struct pv_protocol_stats {
   uint32_t in_table, decodable, with_handler, never_sent;
};

/* Runs one command from ctx->dec. False once the context is fatal. */
bool pv_protocol_execute_one(struct pv_dispatch_ctx *ctx, const struct pv_protocol_table *t);
const struct pv_protocol_table *pv_protocol_table_get(const char *name);
/* Whether a command's name starts with `prefix` (per-command policy tables built from names:
 * the recorder's kinds, the holds' kinds). */
static inline bool
pv_command_name_starts_with(const char *name, const char *prefix)
{
   return strncmp(name, prefix, strlen(prefix)) == 0;
}
/* The table's entry for extension `name`, or NULL. */
const struct pv_protocol_extension *pv_protocol_extension_find(const struct pv_protocol_table *t,
                                                               const char *name);
/* The index of the command named `name` in t (a binary search), or -1. */
int32_t pv_protocol_command_find(const struct pv_protocol_table *t, const char *name);
/* The dialect names the generated tables provide, NULL-terminated. */
extern const char *const pv_protocol_dialects[];
void pv_protocol_table_stats(const struct pv_protocol_table *t, const pv_handler_fn *overrides,
                             size_t override_count, struct pv_protocol_stats *out);

#endif
