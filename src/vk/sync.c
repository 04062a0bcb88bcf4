/* SPDX-License-Identifier: MIT */
/*
 * Blocking waits. With allow_vk_wait_syncs the guest sends vkWaitForFences (and newer guests
 * vkWaitSemaphores) asynchronously on its ring and relies on the renderer really waiting there
 * before it runs the next command (venus-wire.md 1.8). They run on a ring thread, which may
 * block; the transport thread never does (DESIGN.md decision 4). The guest's timeout is honoured
 * in slices (renderer/wait.c) so a client that leaves an infinite wait behind and disconnects
 * frees its thread.
 *
 * vkWaitForFences holds its fences shared (renderer/holds.h) in slices of PV_FENCE_HOLD_SLICE_NS:
 * Vulkan lets a wait run beside other waits and status queries, but a reset, a submission or a
 * destroy of the fence is externally synchronized with it, and two rings of a guest that breaks
 * that rule would otherwise reach the host driver with both at once. Not for the whole wait: the
 * fence may be waited for before another ring submits it (legal), and that submission needs
 * the fence exclusively. Between slices the wait steps aside while such a command waits.
 */
#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "util/log.h"
#include "util/os.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

#define PV_FENCE_HOLD_SLICE_NS 2000000ull
/* How long a wait steps aside at most, between two slices, for commands waiting for its fences. */
#define PV_FENCE_ASIDE_NS 20000000ull
#define PV_FENCE_ASIDE_STEP_NS 20000ull

struct fence_wait {
   struct pv_dispatch_ctx *c;
   struct pv_vk_device *d;
   struct pv_args_vkWaitForFences *a;
};

static void
step_aside(struct fence_wait *w, const uint64_t *fences)
{
   for (uint64_t waited = 0;
        waited < PV_FENCE_ASIDE_NS &&
        pv_venus_hold_wanted(w->c, VK_OBJECT_TYPE_FENCE, fences, w->a->fenceCount);
        waited += PV_FENCE_ASIDE_STEP_NS)
      pv_os_sleep_ns(PV_FENCE_ASIDE_STEP_NS);
}

static VkResult
fence_slice(void *data, uint64_t timeout_ns)
{
   struct fence_wait *w = data;
   _Static_assert(sizeof(VkFence) == sizeof(uint64_t), "a fence handle is 64 bits");
   const uint64_t *fences = (const uint64_t *)w->a->pFences;
   uint64_t end = pv_os_time_ns() + timeout_ns;
   for (;;) {
      uint64_t now = pv_os_time_ns(), left = end > now ? end - now : 0;
      uint64_t slice = left < PV_FENCE_HOLD_SLICE_NS ? left : PV_FENCE_HOLD_SLICE_NS;
      uint32_t mark;
      if (!pv_venus_hold(w->c, VK_OBJECT_TYPE_FENCE, fences, w->a->fenceCount, false, &mark))
         return VK_ERROR_DEVICE_LOST; /* the command is fatal: the context stopped, say */
      VkResult r =
         w->d->WaitForFences(w->d->host, w->a->fenceCount, w->a->pFences, w->a->waitAll, slice);
      pv_venus_release_holds(w->c, mark);
      if (r != VK_TIMEOUT || slice == left)
         return r;
      step_aside(w, fences);
   }
}

struct semaphore_wait {
   struct pv_vk_device *d;
   const VkSemaphoreWaitInfo *info;
};

static VkResult
semaphore_slice(void *data, uint64_t timeout_ns)
{
   struct semaphore_wait *w = data;
   return w->d->WaitSemaphores(w->d->host, w->info, timeout_ns);
}

void
pv_vk_handle_WaitForFences(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkWaitForFences *a = args;
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   if (!d || !d->WaitForFences) {
      pv_venus_fatal(c, "vkWaitForFences: unknown device");
      return;
   }
   if (a->fenceCount == 0) {
      a->ret = VK_SUCCESS; /* invalid usage, harmless: nothing to wait for */
      return;
   }
   if (!a->pFences) {
      pv_venus_fatal(c, "vkWaitForFences: pFences missing");
      return;
   }
   for (uint32_t i = 0; i < a->fenceCount; i++) {
      if (a->pFences[i] == VK_NULL_HANDLE) {
         pv_venus_fatal(c, "vkWaitForFences: fence id 0");
         return;
      }
   }
   struct fence_wait w = {c, d, a};
   a->ret = pv_venus_wait_sliced(pv_venus_from(c), a->timeout, fence_slice, &w);
   if (a->ret == VK_SUCCESS && (a->waitAll || a->fenceCount == 1))
      pv_vk_fences_signalled(c, a->fenceCount, a->pFences); /* lifetime.h */
}

void
pv_vk_handle_WaitSemaphores(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkWaitSemaphores *a = args;
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   if (!d || !d->WaitSemaphores) {
      pv_venus_fatal(c, "vkWaitSemaphores: unknown device or no timeline semaphores");
      return;
   }
   const VkSemaphoreWaitInfo *info = a->pWaitInfo;
   if (!info) {
      pv_venus_fatal(c, "vkWaitSemaphores: pWaitInfo missing");
      return;
   }
   if (info->semaphoreCount == 0) {
      a->ret = VK_SUCCESS;
      return;
   }
   if (!info->pSemaphores || !info->pValues) {
      pv_venus_fatal(c, "vkWaitSemaphores: pSemaphores or pValues missing");
      return;
   }
   for (uint32_t i = 0; i < info->semaphoreCount; i++) {
      if (info->pSemaphores[i] == VK_NULL_HANDLE) {
         pv_venus_fatal(c, "vkWaitSemaphores: semaphore id 0");
         return;
      }
   }
   struct semaphore_wait w = {d, info};
   a->ret = pv_venus_wait_sliced(pv_venus_from(c), a->timeout, semaphore_slice, &w);
}

/*
 * The guest's sync_fd plumbing (venus-wire.md 5.4). A guest sends these only when the host
 * reported SYNC_FD import/export for semaphores or fences (which needs the host's
 * VK_KHR_external_{semaphore,fence}_fd, enabled on every device that has them), so a host
 * without the entry point means a guest that ignored what it was told: fatal.
 */

/*
 * resourceId 0: give the semaphore an already-signaled temporary payload (sync_fd -1).
 *
 * An import replaces a semaphore's temporary payload, and a submission takes a waited
 * semaphore's temporary payload; Mesa's common runtime does both without a lock, relying on
 * Vulkan's external synchronization, which a guest's two rings can break (an import on one ring
 * freeing the payload another ring's submission just took). The import holds the semaphore
 * exclusively and submissions hold theirs shared (renderer/holds.h); it also holds every
 * queue's submit lock (lifetime.h), so it runs between submissions of other rings whatever
 * semaphores they name (a driver's payloads may be per queue as well as per semaphore).
 */
void
pv_vk_handle_ImportSemaphoreResource(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkImportSemaphoreResource100000MESA *a = args;
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   const VkImportSemaphoreResourceInfo100000MESA *info = a->pImportSemaphoreResourceInfo;
   if (!d || !d->ImportSemaphoreFdKHR || !info || info->semaphore == VK_NULL_HANDLE) {
      pv_venus_fatal(c, "vkImportSemaphoreResourceMESA: no host sync_fd import or no semaphore");
      return;
   }
   if (info->resourceId != 0) {
      /* vtest has no sync_fd resources to import from */
      pv_venus_fatal(c, "vkImportSemaphoreResourceMESA: resource %u", info->resourceId);
      return;
   }
   pv_vk_semaphores_foreign(c, 1, &info->semaphore);
   const VkImportSemaphoreFdInfoKHR import = {
      .sType = VK_STRUCTURE_TYPE_IMPORT_SEMAPHORE_FD_INFO_KHR,
      .semaphore = info->semaphore,
      .flags = VK_SEMAPHORE_IMPORT_TEMPORARY_BIT,
      .handleType = VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT,
      .fd = -1,
   };
   pv_vk_lock_submitters(d);
   VkResult r = d->ImportSemaphoreFdKHR(d->host, &import);
   pv_vk_unlock_submitters(d);
   if (r != VK_SUCCESS)
      pv_warn_limited("vkImportSemaphoreResourceMESA: the host refused a signaled sync_fd payload");
}

/* Waits for the sync_fd a host export gives (and releases it): the export itself consumes the
 * semaphore's signal, which is what the guest's semaphore wait needs. */
static VkResult
fd_slice(void *data, uint64_t timeout_ns)
{
   struct pollfd p = {.fd = *(int *)data, .events = POLLIN};
   int r = poll(&p, 1, (int)(timeout_ns / 1000000u));
   return r > 0 ? VK_SUCCESS : r == 0 || errno == EINTR ? VK_TIMEOUT : VK_ERROR_DEVICE_LOST;
}

static void
wait_and_close(struct pv_context *ctx, int fd)
{
   if (fd < 0)
      return; /* -1: already signaled */
   pv_venus_wait_sliced(ctx, UINT64_MAX, fd_slice, &fd);
   close(fd);
}

void
pv_vk_handle_WaitSemaphoreResource(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkWaitSemaphoreResource100000MESA *a = args;
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   if (!d || !d->GetSemaphoreFdKHR || a->semaphore == VK_NULL_HANDLE) {
      pv_venus_fatal(c, "vkWaitSemaphoreResourceMESA: no host sync_fd export or no semaphore");
      return;
   }
   const VkSemaphoreGetFdInfoKHR info = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_GET_FD_INFO_KHR,
                                         .semaphore = a->semaphore,
                                         .handleType =
                                            VK_EXTERNAL_SEMAPHORE_HANDLE_TYPE_SYNC_FD_BIT};
   /* The export takes the semaphore's payload, which another ring's submission or import may
    * be taking or replacing at once (renderer/holds.h): held exclusively for the host call, not
    * for the wait on what it gave. Not under the submit locks, as the import: with threaded
    * submission Mesa's export first waits until the signal is submitted, which a guest breaking
    * the rules may leave to another ring's next submission (one not naming this semaphore). */
   uint64_t host = (uint64_t)(uintptr_t)a->semaphore;
   uint32_t mark;
   if (!pv_venus_hold(c, VK_OBJECT_TYPE_SEMAPHORE, &host, 1, true, &mark))
      return;
   int fd = -1;
   VkResult r = d->GetSemaphoreFdKHR(d->host, &info, &fd);
   pv_venus_release_holds(c, mark);
   if (r == VK_SUCCESS)
      wait_and_close(pv_venus_from(c), fd);
   else
      pv_warn_limited("vkWaitSemaphoreResourceMESA: the host could not export a sync_fd");
}

/* Exporting a fence's sync_fd resets the fence (the spec's copy semantics for SYNC_FD). */
void
pv_vk_handle_ResetFenceResource(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkResetFenceResource100000MESA *a = args;
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   if (!d || !d->GetFenceFdKHR || a->fence == VK_NULL_HANDLE) {
      pv_venus_fatal(c, "vkResetFenceResourceMESA: no host sync_fd export or no fence");
      return;
   }
   const VkFenceGetFdInfoKHR info = {.sType = VK_STRUCTURE_TYPE_FENCE_GET_FD_INFO_KHR,
                                     .fence = a->fence,
                                     .handleType = VK_EXTERNAL_FENCE_HANDLE_TYPE_SYNC_FD_BIT};
   int fd = -1;
   /* held exclusively, as vkResetFences (renderer/holds.h); not under the submit locks, as the
    * semaphore's export */
   VkResult r = d->GetFenceFdKHR(d->host, &info, &fd);
   if (r == VK_SUCCESS) {
      if (fd >= 0)
         close(fd);
   } else {
      pv_warn_limited("vkResetFenceResourceMESA: the host could not export a sync_fd");
   }
   pv_vk_fences_reset(c, 1, &a->fence, r == VK_SUCCESS); /* lifetime.h */
}
