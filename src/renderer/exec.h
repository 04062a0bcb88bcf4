/* SPDX-License-Identifier: MIT */
/*
 * The stream executor: the one place guest command bytes enter, whatever carried them (a
 * transport submission, a ring, a vkExecuteCommandStreamsMESA stream). One pv_exec per path,
 * each with its own decoder, arena and fatal status, so paths run concurrently.
 */
#ifndef PV_RENDERER_EXEC_H
#define PV_RENDERER_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cs/pv_cs.h"
#include "protocol/pv_protocol.h"

struct pv_context;
struct pv_ring;

struct pv_exec {
   struct pv_context *ctx;
   struct pv_ring *ring; /* NULL for the context path */
   struct pv_cs_arena arena;
   struct pv_cs_arena nested_arena; /* for vkExecuteCommandStreamsMESA streams */
   struct pv_cs_status status;
   struct pv_cs_hooks hooks;
   struct pv_cs_decoder dec;
   struct pv_cs_encoder reply_enc;
   struct pv_dispatch_ctx dispatch;
   bool nested; /* inside vkExecuteCommandStreamsMESA: nesting again is fatal */
   /* Objects the running command named, so new objects get their parent (objects.c). */
   uint64_t last_device, last_command_pool, last_descriptor_pool, last_physical_device;
};

void pv_exec_init(struct pv_exec *x, struct pv_context *ctx, struct pv_ring *ring);
void pv_exec_fini(struct pv_exec *x);
/* Executes every command in [data, data + size). False when the context is (now) lost. */
bool pv_exec_run(struct pv_exec *x, const void *data, size_t size);
/* Executes a nested stream with the current dispatch state (vkExecuteCommandStreamsMESA). */
bool pv_exec_run_nested(struct pv_exec *x, const void *data, size_t size);

static inline struct pv_exec *
pv_exec_from(struct pv_dispatch_ctx *c)
{
   return c->user;
}

#endif
