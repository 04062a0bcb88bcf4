/* SPDX-License-Identifier: MIT */
/* Capture bookkeeping shared by recording and replay: the host-visible allocations a context
 * maps, and which commands take memory snapshots (capture.h). */
#include <stdlib.h>
#include <string.h>

#include "renderer/capture_internal.h"
#include "renderer/context.h"
#include "renderer/exec.h"

struct pv_capture_mapping *
pv_capture_mappings_find(struct pv_capture_mappings *m, uint64_t id)
{
   for (uint32_t i = 0; i < m->count; i++)
      if (m->items[i].id == id)
         return &m->items[i];
   return NULL;
}

bool
pv_capture_mappings_add(struct pv_capture_mappings *m, uint64_t id, void *map, uint64_t size,
                        bool shadow)
{
   pv_capture_mappings_remove(m, id); /* a guest id in use again: the old mapping is gone */
   if (m->count == m->cap) {
      uint32_t n = m->cap ? m->cap * 2 : 16;
      struct pv_capture_mapping *items = realloc(m->items, n * sizeof(*items));
      if (!items)
         return false;
      m->items = items;
      m->cap = n;
   }
   /* New memory is zero (a fresh memfd) at capture and at replay: so is the shadow. */
   uint8_t *copy = NULL;
   if (shadow && (size > SIZE_MAX || !(copy = calloc(1, (size_t)size))))
      return false;
   m->items[m->count++] =
      (struct pv_capture_mapping){.id = id, .map = map, .size = size, .shadow = copy};
   return true;
}

void
pv_capture_mappings_remove(struct pv_capture_mappings *m, uint64_t id)
{
   struct pv_capture_mapping *e = pv_capture_mappings_find(m, id);
   if (!e)
      return;
   free(e->shadow);
   *e = m->items[--m->count];
}

void
pv_capture_mappings_fini(struct pv_capture_mappings *m)
{
   for (uint32_t i = 0; i < m->count; i++)
      free(m->items[i].shadow);
   free(m->items);
   memset(m, 0, sizeof(*m));
}

static void
command_ids(const struct pv_context *ctx, const char *const *names, unsigned n, int32_t *out)
{
   for (unsigned i = 0; i < n; i++)
      out[i] = pv_protocol_command_find(ctx->table, names[i]);
}

void
pv_capture_find_types(struct pv_capture *cap, const struct pv_context *ctx)
{
   static const char *const submits[4] = {"vkQueueSubmit", "vkQueueSubmit2", "vkQueueSubmit2KHR",
                                          "vkQueueBindSparse"};
   command_ids(ctx, submits, 4, cap->submit_types);
   cap->free_memory_type = pv_protocol_command_find(ctx->table, "vkFreeMemory");
   static const char *const waits[5] = {"vkWaitForFences", "vkQueueWaitIdle", "vkDeviceWaitIdle",
                                        "vkWaitSemaphores", "vkWaitSemaphoresKHR"};
   command_ids(ctx, waits, 5, cap->wait_types);
   static const char *const status[5] = {"vkGetFenceStatus", "vkGetEventStatus",
                                         "vkGetSemaphoreCounterValue",
                                         "vkGetSemaphoreCounterValueKHR", "vkGetQueryPoolResults"};
   command_ids(ctx, status, 5, cap->status_types);
}

bool
pv_capture_submit_is_empty(const struct pv_exec *x)
{
   /* vkQueueSubmit, vkQueueSubmit2, vkQueueBindSparse: command type and flags, the queue's
    * id, then the batch count (venus-wire.md: parameters in order, a handle is a u64). */
   struct pv_cs_decoder peek = x->dec;
   struct pv_cs_status st = {0};
   peek.status = &st;
   pv_cs_read_u32(&peek);
   pv_cs_read_u32(&peek);
   pv_cs_read_u64(&peek);
   uint32_t count = pv_cs_read_u32(&peek);
   return !st.fatal && count == 0;
}

/* Whether `type` (a command id; -1 for a name the dialect lacks) is one of `types`. */
static bool
type_in(const int32_t *types, unsigned n, int32_t type)
{
   for (unsigned i = 0; i < n; i++)
      if (type >= 0 && types[i] == type)
         return true;
   return false;
}

bool
pv_capture_is_host_wait(const struct pv_context *ctx, int32_t type)
{
   const struct pv_capture *cap = ctx->capture;
   return type_in(cap->wait_types, sizeof(cap->wait_types) / sizeof(cap->wait_types[0]), type);
}

bool
pv_capture_is_status_query(const struct pv_context *ctx, int32_t type)
{
   const struct pv_capture *cap = ctx->capture;
   return type_in(cap->status_types, sizeof(cap->status_types) / sizeof(cap->status_types[0]), type);
}

bool
pv_capture_is_queue_submit(const struct pv_context *ctx, int32_t type)
{
   const struct pv_capture *cap = ctx->capture;
   return type_in(cap->submit_types, sizeof(cap->submit_types) / sizeof(cap->submit_types[0]), type);
}

bool
pv_capture_is_free_memory(const struct pv_context *ctx, int32_t type)
{
   return type >= 0 && ctx->capture->free_memory_type == type;
}
