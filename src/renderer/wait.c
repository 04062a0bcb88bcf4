/* SPDX-License-Identifier: MIT */
/*
 * Bounded host waits. The guest chooses wait timeouts (UINT64_MAX for "forever") and the objects
 * it waits on, so a host wait may never end by itself. Every wait the renderer does for a guest
 * therefore runs in slices of PV_WAIT_SLICE_NS and checks between slices whether the context is
 * stopping (its client went away: pv_context_stop) or lost: a disconnected client's process or
 * thread must be free within a second, whatever it was waiting for.
 */
#include "renderer/capture.h"
#include "renderer/context.h"
#include "renderer/ring.h"
#include "util/os.h"

void
pv_context_stop(struct pv_context *ctx)
{
   if (atomic_exchange(&ctx->stopping, true))
      return;
   if (ctx->capture)
      pv_capture_stop(ctx);
   /* Out of vkWaitVirtqueueSeqnoMESA / vkWaitRingSeqnoMESA and idle sleeps. */
   pv_ring_wake_all(ctx);
}

bool
pv_venus_should_stop(struct pv_context *ctx)
{
   return atomic_load_explicit(&ctx->stopping, memory_order_relaxed) ||
          atomic_load_explicit(&ctx->lost, memory_order_relaxed);
}

VkResult
pv_venus_wait_sliced(struct pv_context *ctx, uint64_t timeout_ns, pv_wait_slice_fn wait, void *data)
{
   uint64_t start = pv_os_time_ns();
   for (;;) {
      uint64_t spent = pv_os_time_ns() - start;
      uint64_t left = timeout_ns > spent ? timeout_ns - spent : 0;
      uint64_t slice = left < PV_WAIT_SLICE_NS ? left : PV_WAIT_SLICE_NS;
      VkResult r = wait(data, slice);
      if (r != VK_TIMEOUT || slice == left)
         return r; /* done, failed, or the guest's own timeout ran out */
      if (pv_venus_should_stop(ctx))
         return VK_ERROR_DEVICE_LOST;
   }
}
