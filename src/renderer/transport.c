/* SPDX-License-Identifier: MIT */
/*
 * The Venus transport commands (venus-wire.md §3, §4, §6.3): where replies go, nested command
 * streams, rings, and the experimental-feature query. They keep working in a lost context so a
 * guest waiting on a reply position, a ring head or a round trip is always answered.
 */
#include <string.h>

#include "renderer/capture.h"
#include "renderer/context.h"
#include "renderer/ring.h"
#include "util/log.h"

static void
set_reply_stream(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkSetReplyCommandStreamMESA *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   if (!a->pStream) {
      pv_venus_fatal(c, "vkSetReplyCommandStreamMESA without a stream");
      return;
   }
   const VkCommandStreamDescriptionMESA *s = a->pStream;
   struct pv_resource *res = pv_context_resource_get(ctx, s->resourceId);
   if (!res || s->offset > res->size || s->size > res->size - s->offset || !res->map) {
      pv_venus_fatal(c, "reply stream: resource %u range [%zu, +%zu) is not valid",
                     s->resourceId, s->offset, s->size);
      pv_resource_put(res);
      return;
   }
   struct pv_reply_stream *r = pv_exec_from(c)->reply;
   pthread_mutex_lock(&r->lock);
   struct pv_resource *old = r->res;
   r->res = res;
   r->base = (uint8_t *)res->map + s->offset;
   r->size = s->size;
   r->pos = 0;
   pthread_mutex_unlock(&r->lock);
   pv_resource_put(old);
}

static void
seek_reply_stream(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkSeekReplyCommandStreamMESA *a = args;
   struct pv_reply_stream *r = pv_exec_from(c)->reply;
   pthread_mutex_lock(&r->lock);
   bool ok = r->base && a->position <= r->size;
   if (ok)
      r->pos = a->position;
   pthread_mutex_unlock(&r->lock);
   if (!ok)
      pv_venus_fatal(c, "reply stream: seek to %zu outside the stream", a->position);
}

static bool
run_one_stream(struct pv_dispatch_ctx *c, const VkCommandStreamDescriptionMESA *s)
{
   struct pv_context *ctx = pv_venus_from(c);
   if (s->size == 0)
      return true;
   struct pv_resource *res = pv_context_resource_get(ctx, s->resourceId);
   if (!res || !res->map || s->offset > res->size || s->size > res->size - s->offset) {
      pv_venus_fatal(c, "command stream: resource %u range [%zu, +%zu) is not valid",
                     s->resourceId, s->offset, s->size);
      pv_resource_put(res);
      return false;
   }
   uint8_t *data = (uint8_t *)res->map + s->offset;
   if (pv_capture_active(ctx) &&
       !pv_capture_nested(pv_exec_from(c), s->resourceId, s->offset, data, s->size)) {
      pv_venus_fatal(c, "command stream: the replay diverged from the capture here");
      pv_resource_put(res);
      return false;
   }
   /* The reference keeps the resource alive for the stream; so do we (a ref). */
   bool ok = pv_exec_run_nested(pv_exec_from(c), data, s->size);
   pv_resource_put(res);
   return ok;
}

static void
execute_command_streams(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkExecuteCommandStreamsMESA *a = args;
   struct pv_exec *x = pv_exec_from(c);
   if (x->nested) {
      pv_venus_fatal(c, "vkExecuteCommandStreamsMESA inside an executed stream");
      return;
   }
   if (a->streamCount == 0 || !a->pStreams) {
      pv_venus_fatal(c, "vkExecuteCommandStreamsMESA without streams");
      return;
   }
   for (uint32_t i = 0; i < a->streamCount; i++) {
      if (a->pReplyPositions) {
         struct pv_args_vkSeekReplyCommandStreamMESA seek = {.position = a->pReplyPositions[i]};
         seek_reply_stream(c, &seek);
      }
      if (pv_cs_fatal(c->dec) || !run_one_stream(c, &a->pStreams[i]))
         return;
   }
}

/* Reported by 22.3.6's vkGetVenusExperimentalFeatureData100000MESA (venus-wire.md 6.3). */
struct pv_experimental_features {
   uint32_t memory_resource_allocation_size; /* dma-buf import size query: vtest has none */
   uint32_t global_fencing;                  /* Android sync_fd paths: never */
   uint32_t large_ring;                      /* 64 KiB rings, 4 KiB direct submissions */
   uint32_t sync_fd_fencing;                 /* read but unused by 22.3.6 */
};

static void
get_experimental_features(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetVenusExperimentalFeatureData100000MESA *a = args;
   const struct pv_experimental_features f = {.large_ring = 1};
   if (!a->pDataSize) {
      pv_venus_fatal(c, "experimental feature query without pDataSize");
      return;
   }
   if (!a->pData) {
      *a->pDataSize = sizeof(f);
      return;
   }
   size_t n = *a->pDataSize < sizeof(f) ? *a->pDataSize : sizeof(f);
   memcpy(a->pData, &f, n);
   *a->pDataSize = n;
}

static void
get_memory_resource_properties(struct pv_dispatch_ctx *c, void *args)
{
   (void)c;
   struct pv_args_vkGetMemoryResourcePropertiesMESA *a = args;
   /* Importing a transport resource as device memory is the virtio-gpu dma-buf path; vtest
    * guests never have dma-bufs to import (has_dma_buf_import is false there). */
   a->ret = VK_ERROR_INVALID_EXTERNAL_HANDLE;
}

/* Reply streams, nested streams and rings: run by every context, a lost one included, so the
 * guest keeps getting answers and its rings keep advancing. */
static void
register_streams_and_rings(struct pv_overrides *o)
{
   pv_overrides_set(o, "vkSetReplyCommandStreamMESA", set_reply_stream);
   pv_overrides_set(o, "vkSeekReplyCommandStreamMESA", seek_reply_stream);
   pv_overrides_set(o, "vkExecuteCommandStreamsMESA", execute_command_streams);
   pv_overrides_set(o, "vkCreateRingMESA", pv_ring_handle_create);
   pv_overrides_set(o, "vkDestroyRingMESA", pv_ring_handle_destroy);
   pv_overrides_set(o, "vkNotifyRingMESA", pv_ring_handle_notify);
   pv_overrides_set(o, "vkWriteRingExtraMESA", pv_ring_handle_write_extra);
}

void
pv_transport_register(struct pv_overrides *o)
{
   register_streams_and_rings(o);
   pv_overrides_set(o, "vkGetMemoryResourcePropertiesMESA", get_memory_resource_properties);
   /* Wire 1 removed the experimental query (the features are always on) and added round trips
    * between the context path and rings; each dialect registers only what it has. */
   if (o->table->entries && !strcmp(o->table->name, "wire0"))
      pv_overrides_set(o, "vkGetVenusExperimentalFeatureData100000MESA",
                       get_experimental_features);
   if (o->table->entries && !strcmp(o->table->name, "wire1")) {
      pv_overrides_set(o, "vkSubmitVirtqueueSeqnoMESA", pv_ring_handle_submit_virtqueue_seqno);
      pv_overrides_set(o, "vkWaitVirtqueueSeqnoMESA", pv_ring_handle_wait_virtqueue_seqno);
      pv_overrides_set(o, "vkWaitRingSeqnoMESA", pv_ring_handle_wait_ring_seqno);
   }
}

void
pv_transport_register_lost(struct pv_overrides *o)
{
   register_streams_and_rings(o);
   /* A lost wire 1 context still records virtqueue seqnos, so no ring waits on a lost guest.
    * The context path still waits for a ring's seqno, as the guest asked (bounded as when
    * live: lost rings never wait for the context path, and it ends at disconnect). Mesa 25 sends
    * that wait before it asks for the blob of memory it allocated on the ring; the wait alone
    * did not stop such blob requests from failing now and then (test-hostile --threads), so
    * the blob request of a lost context also waits for the rings (blob.c). */
   if (o->table->entries && !strcmp(o->table->name, "wire1")) {
      pv_overrides_set(o, "vkSubmitVirtqueueSeqnoMESA", pv_ring_handle_submit_virtqueue_seqno);
      pv_overrides_set(o, "vkWaitRingSeqnoMESA", pv_ring_handle_wait_ring_seqno);
   }
}
