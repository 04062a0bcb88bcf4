/* SPDX-License-Identifier: MIT */
/*
 * A command buffer pending twice. Vulkan lets a command buffer begun without SIMULTANEOUS_USE be
 * submitted again only once its earlier submission has finished (VUID-vkQueueSubmit-
 * pCommandBuffers-00071; for the secondaries a primary executes, -00072). What a driver does
 * with one pending twice is its own business: lavapipe's queue thread only reads the recorded
 * commands, but a GPU driver may patch a submission's own values into what it runs or reuse its
 * memory when the first submission ends. So before the host sees a submission, each such
 * command buffer (and each such secondary its primaries execute) whose last submission may
 * still run is waited for, as a reset of it waits (lifetime.c), and the submission claims them
 * under the device's track lock, all at once, until pv_vk_queue_end_submit has marked them: a
 * submission of one on another ring meanwhile waits for the claim, then for the work. One named
 * twice in one submission cannot be waited for and is refused.
 *
 * Nothing is held while waiting (no claim, no lock), so two rings' submissions never wait for
 * each other. A legal guest pays one lock and a look per command buffer: it has seen the earlier
 * submission finish, and so has our tracking when the guest said so through its fence (a wait, a
 * reset); a guest that learnt it otherwise (its timeline semaphore) costs one wait for the queue.
 */
#include <pthread.h>

#include "renderer/context.h"
#include "util/os.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* How long a submission waits before it looks again at a command buffer that another ring's
 * submission is making (a host vkQueueSubmit and its marks, microseconds). */
#define PV_RESUBMIT_CLAIM_RETRY_NS 20000ull

enum claim_result {
   CLAIMED, /* every command buffer that needs it is ours until the marks */
   NAMED_TWICE,
   BUSY,  /* `busy` may still run: wait for it, then try again */
   TAKEN, /* another ring's submission is making one: try again shortly */
};

struct claim {
   struct pv_context *ctx;
   const struct pv_vk_device *d;
   const void *me;
   struct pv_vk_cmdbuf *busy;
   uint64_t busy_value; /* busy's last submission when it was found busy */
};

static struct pv_vk_cmdbuf *
state_of(struct pv_dispatch_ctx *c, VkCommandBuffer cmdbuf)
{
   struct pv_object *o =
      cmdbuf ? pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmdbuf)) : NULL;
   return o ? o->data : NULL;
}

/* A secondary without SIMULTANEOUS_USE that may still run from another primary's submission. */
static bool
secondary_idle(struct pv_vk_cmdbuf *s, void *data)
{
   struct claim *k = data;
   if (s->scope.simultaneous || !pv_vk_cmdbuf_busy_locked(k->d, s))
      return true;
   k->busy = s;
   k->busy_value = s->value;
   return false;
}

/* One command buffer of the submission: claims it when it needs a claim. */
static enum claim_result
claim_one(struct claim *k, struct pv_vk_cmdbuf *cb)
{
   if (!pv_vk_cmdbuf_each_secondary(k->ctx, cb, secondary_idle, k))
      return BUSY;
   if (cb->scope.simultaneous)
      return CLAIMED;
   if (cb->submitting == k->me)
      return NAMED_TWICE;
   if (cb->submitting)
      return TAKEN;
   if (pv_vk_cmdbuf_busy_locked(k->d, cb)) {
      k->busy = cb;
      k->busy_value = cb->value;
      return BUSY;
   }
   cb->submitting = k->me;
   return CLAIMED;
}

/* All or none; the caller holds the device's track lock. */
static enum claim_result
claim_all(struct pv_dispatch_ctx *c, struct claim *k, uint32_t count, const VkCommandBuffer *cbs)
{
   for (uint32_t i = 0; i < count; i++) {
      struct pv_vk_cmdbuf *cb = state_of(c, cbs[i]);
      enum claim_result r = cb ? claim_one(k, cb) : CLAIMED;
      if (r != CLAIMED) {
         pv_vk_cmdbufs_unclaim_locked(c, i, cbs);
         return r;
      }
   }
   return CLAIMED;
}

void
pv_vk_cmdbufs_unclaim_locked(struct pv_dispatch_ctx *c, uint32_t count,
                             const VkCommandBuffer *cmdbufs)
{
   for (uint32_t i = 0; cmdbufs && i < count; i++) {
      struct pv_vk_cmdbuf *cb = state_of(c, cmdbufs[i]);
      if (cb && cb->submitting == c->user)
         cb->submitting = NULL;
   }
}

/* Waits for k->busy (nothing held); false when the submission it was found busy with may still
 * run after the wait (its queue is closed, or the context stops). Submitted again meanwhile (by
 * another ring), it is looked at again. */
static bool
wait_for(struct pv_context *ctx, struct pv_vk_device *d, const struct claim *k)
{
   pv_vk_cmdbuf_wait_state(ctx, d, k->busy);
   if (pv_venus_stopping(ctx))
      return false;
   pthread_mutex_lock(&d->track_lock);
   bool stuck = k->busy->value == k->busy_value && pv_vk_cmdbuf_busy_locked(d, k->busy);
   pthread_mutex_unlock(&d->track_lock);
   return !stuck;
}

bool
pv_vk_queue_begin_submit_cmdbufs(struct pv_dispatch_ctx *c, const char *what, VkQueue queue,
                                 uint32_t count, const VkCommandBuffer *cmdbufs,
                                 struct pv_vk_queue **q, struct pv_vk_device **d)
{
   struct pv_context *ctx = pv_venus_from(c);
   for (;;) {
      *q = pv_vk_queue_begin_submit(c, queue, d);
      if (!*q || !*d || !count || pv_vk_bench_unchecked)
         return true; /* untracked: nothing to wait for (nor to mark) */
      struct claim k = {ctx, *d, c->user, NULL, 0};
      pthread_mutex_lock(&(*d)->track_lock);
      enum claim_result r = claim_all(c, &k, count, cmdbufs);
      pthread_mutex_unlock(&(*d)->track_lock);
      if (r == CLAIMED)
         return true;
      pthread_mutex_unlock(&(*q)->submit_lock);
      if (r == NAMED_TWICE) {
         pv_venus_refuse(c, "%s: a command buffer without SIMULTANEOUS_USE is named twice", what);
         return false;
      }
      if (r == BUSY && !wait_for(ctx, *d, &k)) {
         pv_venus_refuse(c, "%s: a command buffer without SIMULTANEOUS_USE is still pending", what);
         return false;
      }
      if (r == TAKEN) {
         if (pv_venus_stopping(ctx))
            return false;
         pv_os_sleep_ns(PV_RESUBMIT_CLAIM_RETRY_NS);
      }
   }
}
