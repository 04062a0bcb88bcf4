/* SPDX-License-Identifier: MIT */
/*
 * A test-only Vulkan layer that makes a host-driver call misbehave on demand: vkCreateImage with
 * an image 7777 texels wide calls abort(); 7778 texels wide takes PV_SLOW_SECONDS before it
 * answers; 7779 wide runs a shell (what code injected into the host driver would try first);
 * 7780 wide tries what the sandboxed user may not (a network socket, reading /etc/shadow),
 * reports the outcome on stderr (the server log) and then creates the image; vkCmdFillBuffer
 * with the word 0x7777dead calls abort() (a crash while recording, which the renderer may make
 * on a ring's recording thread: src/renderer/recorder.h); vkCmdSetLineWidth(7.75) takes
 * PV_SLOW_RECORD_US before it records (a driver slow to record, so that a ring's recording
 * thread still has calls to make when the ring's commands have ended: tests/host/
 * test_cmdbuf_race.c), and a command buffer freed or reset (with its pool or device) while such
 * a call records calls abort(): the host driver would go on recording into freed memory;
 * vkCreateImage 7783 texels wide recurses until its stack overflows (SIGSEGV);
 * vkResetQueryPool or vkGetQueryPoolResults of first query 7 takes PV_SLOW_RESET_US, and a
 * vkQueueSubmit that reaches the driver meanwhile calls abort() (lavapipe resets queries and reads
 * their results on its queue's context); with
 * PV_LAYER_SLOW_POOLS=1 in the environment every command pool call (allocate, free, reset,
 * destroy, and the slow vkCmdSetLineWidth above) takes PV_SLOW_POOL_US and two of them at once
 * call abort() (the driver's pool lists would be corrupted); a pipeline cache created with
 * EXTERNALLY_SYNCHRONIZED_BIT calls abort() (the renderer makes the host's without it); with
 * PV_LAYER_SLOW_SYNC=1 fence and event calls are slowed and checked (pv_crash_layer_sync.c), and
 * with PV_LAYER_FAKE_SYNC_FD=1 the layer stands in for sync_fd (pv_crash_layer_syncfd.c), and with
 * PV_LAYER_CHECK_PENDING=1 a semaphore or fence destroyed while a submission naming it runs
 * calls abort() (pv_crash_layer_pending.c). Loaded
 * into our server (VK_INSTANCE_LAYERS) by tests/fault/test-crash-isolation (a guest whose host
 * calls crash takes down only its own server process), tests/fault/test-slow-host-call (a ring busy
 * in a long host call keeps reporting ALIVE) and tests/fault/test-sandbox (the sandbox stops the
 * escape). Everything else is passed down the layer chain untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vulkan/vk_layer.h>
#include <vulkan/vulkan.h>

#include "pv_crash_layer_sync.h"

#define PV_CRASH_WIDTH 7777u
#define PV_CRASH_FILL_WORD 0x7777deadu
#define PV_SLOW_WIDTH 7778u
/* A host call that never returns (issue 12: the client's process must still go away). */
#define PV_STUCK_WIDTH 7779u
/* The renderer waits for the guest in slices of 100 ms (renderer/wait.c); a longer host wait
 * means a guest's "infinite" timeout reached the driver as it was. */
#define PV_MAX_HOST_WAIT_NS 200000000ull
#define PV_EXEC_WIDTH 7781u
#define PV_FORBIDDEN_WIDTH 7782u
/* A host call that recurses until its thread's stack is gone (a compiler walking a deeply
 * nested shader): the fault must be contained like abort() (src/renderer/crash_guard.c). */
#define PV_OVERFLOW_WIDTH 7783u
/* Longer than two watchdog checks of a Mesa 25 guest (at ~3.5 s and ~14 s of waiting). */
#define PV_SLOW_SECONDS 20u
#define PV_SLOW_LINE_WIDTH 7.75f
#define PV_SLOW_RECORD_US 200u
#define PV_SLOW_RESET_FIRST 7u
#define PV_SLOW_RESET_US 1000u
#define PV_SLOW_POOL_US 100u

/* One instance and device per server process (one process per client), so globals suffice. */
static PFN_vkGetInstanceProcAddr next_gipa;
static PFN_vkGetDeviceProcAddr next_gdpa;
static PFN_vkCreateImage next_create_image;
static PFN_vkWaitForFences next_wait_fences;
static PFN_vkWaitSemaphores next_wait_semaphores;
static PFN_vkCmdFillBuffer next_fill_buffer;
static PFN_vkCmdSetLineWidth next_set_line_width;
static PFN_vkFreeCommandBuffers next_free_command_buffers;
static PFN_vkResetCommandPool next_reset_command_pool;
static PFN_vkDestroyCommandPool next_destroy_command_pool;
static PFN_vkDestroyDevice next_destroy_device;
static PFN_vkResetQueryPool next_reset_query_pool;
static PFN_vkGetQueryPoolResults next_get_query_pool_results;
static PFN_vkQueueSubmit next_queue_submit;
/* Slow recording calls running now (any command buffer: the test that uses them has one), and
 * slow query resets. */
static _Atomic int slow_recording, slow_resetting, pool_calls;
static PFN_vkAllocateCommandBuffers next_allocate_command_buffers;
static PFN_vkCreatePipelineCache next_create_pipeline_cache;

VKAPI_ATTR VkResult VKAPI_CALL pv_crash_CreateInstance(const VkInstanceCreateInfo *info,
                                                       const VkAllocationCallbacks *alloc,
                                                       VkInstance *out);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_CreateDevice(VkPhysicalDevice phys,
                                                     const VkDeviceCreateInfo *info,
                                                     const VkAllocationCallbacks *alloc,
                                                     VkDevice *out);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_CreateImage(VkDevice device, const VkImageCreateInfo *info,
                                                    const VkAllocationCallbacks *alloc,
                                                    VkImage *out);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_WaitForFences(VkDevice device, uint32_t count,
                                                      const VkFence *fences, VkBool32 all,
                                                      uint64_t timeout);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_WaitSemaphores(VkDevice device,
                                                       const VkSemaphoreWaitInfo *info,
                                                       uint64_t timeout);
VKAPI_ATTR void VKAPI_CALL pv_crash_CmdFillBuffer(VkCommandBuffer cmd, VkBuffer buffer,
                                                  VkDeviceSize offset, VkDeviceSize size,
                                                  uint32_t data);
VKAPI_ATTR void VKAPI_CALL pv_crash_CmdSetLineWidth(VkCommandBuffer cmd, float width);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_AllocateCommandBuffers(
   VkDevice device, const VkCommandBufferAllocateInfo *info, VkCommandBuffer *out);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_CreatePipelineCache(VkDevice device,
                                                            const VkPipelineCacheCreateInfo *info,
                                                            const VkAllocationCallbacks *alloc,
                                                            VkPipelineCache *out);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_GetQueryPoolResults(VkDevice device, VkQueryPool pool,
                                                            uint32_t first, uint32_t count,
                                                            size_t size, void *data,
                                                            VkDeviceSize stride,
                                                            VkQueryResultFlags flags);
VKAPI_ATTR void VKAPI_CALL pv_crash_FreeCommandBuffers(VkDevice device, VkCommandPool pool,
                                                       uint32_t count, const VkCommandBuffer *cmds);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_ResetCommandPool(VkDevice device, VkCommandPool pool,
                                                         VkCommandPoolResetFlags flags);
VKAPI_ATTR void VKAPI_CALL pv_crash_DestroyCommandPool(VkDevice device, VkCommandPool pool,
                                                       const VkAllocationCallbacks *alloc);
VKAPI_ATTR void VKAPI_CALL pv_crash_DestroyDevice(VkDevice device,
                                                  const VkAllocationCallbacks *alloc);
VKAPI_ATTR void VKAPI_CALL pv_crash_ResetQueryPool(VkDevice device, VkQueryPool pool,
                                                   uint32_t first, uint32_t count);
VKAPI_ATTR VkResult VKAPI_CALL pv_crash_QueueSubmit(VkQueue queue, uint32_t count,
                                                    const VkSubmitInfo *submits, VkFence fence);
VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL pv_crash_GetDeviceProcAddr(VkDevice device,
                                                                    const char *name);
VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL pv_crash_GetInstanceProcAddr(VkInstance instance,
                                                                      const char *name);
VKAPI_ATTR VkResult VKAPI_CALL
vkNegotiateLoaderLayerInterfaceVersion(VkNegotiateLayerInterface *iface);

/* The loader's link in a pNext chain of create infos. */
static void *
find_link(const void *pnext, VkStructureType stype)
{
   for (VkBaseInStructure *s = (VkBaseInStructure *)pnext; s; s = (VkBaseInStructure *)s->pNext) {
      if (s->sType == stype && ((VkLayerInstanceCreateInfo *)s)->function == VK_LAYER_LINK_INFO)
         return s;
   }
   return NULL;
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_CreateInstance(const VkInstanceCreateInfo *info, const VkAllocationCallbacks *alloc,
                        VkInstance *out)
{
   VkLayerInstanceCreateInfo *link =
      find_link(info->pNext, VK_STRUCTURE_TYPE_LOADER_INSTANCE_CREATE_INFO);
   if (!link)
      return VK_ERROR_INITIALIZATION_FAILED;
   next_gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
   link->u.pLayerInfo = link->u.pLayerInfo->pNext;
   PFN_vkCreateInstance create = (PFN_vkCreateInstance)next_gipa(NULL, "vkCreateInstance");
   VkResult r = create(info, alloc, out);
   if (r == VK_SUCCESS)
      pv_crash_syncfd_instance_init(*out, next_gipa);
   return r;
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_CreateDevice(VkPhysicalDevice phys, const VkDeviceCreateInfo *info,
                      const VkAllocationCallbacks *alloc, VkDevice *out)
{
   VkLayerDeviceCreateInfo *link = find_link(info->pNext, VK_STRUCTURE_TYPE_LOADER_DEVICE_CREATE_INFO);
   if (!link)
      return VK_ERROR_INITIALIZATION_FAILED;
   PFN_vkGetInstanceProcAddr gipa = link->u.pLayerInfo->pfnNextGetInstanceProcAddr;
   next_gdpa = link->u.pLayerInfo->pfnNextGetDeviceProcAddr;
   link->u.pLayerInfo = link->u.pLayerInfo->pNext;
   PFN_vkCreateDevice create = (PFN_vkCreateDevice)gipa(NULL, "vkCreateDevice");
   VkDeviceCreateInfo own = *info;
   const char **names = NULL;
   if (pv_crash_syncfd_faking()) { /* the driver is not asked for what the layer fakes */
      names = pv_crash_syncfd_strip(info, &own.enabledExtensionCount);
      if (!names)
         return VK_ERROR_OUT_OF_HOST_MEMORY;
      own.ppEnabledExtensionNames = names;
   }
   VkResult r = create(phys, &own, alloc, out);
   free(names);
   if (r == VK_SUCCESS) {
      next_create_image = (PFN_vkCreateImage)next_gdpa(*out, "vkCreateImage");
      next_wait_fences = (PFN_vkWaitForFences)next_gdpa(*out, "vkWaitForFences");
      next_wait_semaphores = (PFN_vkWaitSemaphores)next_gdpa(*out, "vkWaitSemaphores");
      next_fill_buffer = (PFN_vkCmdFillBuffer)next_gdpa(*out, "vkCmdFillBuffer");
      next_set_line_width = (PFN_vkCmdSetLineWidth)next_gdpa(*out, "vkCmdSetLineWidth");
      next_free_command_buffers = (PFN_vkFreeCommandBuffers)next_gdpa(*out, "vkFreeCommandBuffers");
      next_reset_command_pool = (PFN_vkResetCommandPool)next_gdpa(*out, "vkResetCommandPool");
      next_destroy_command_pool = (PFN_vkDestroyCommandPool)next_gdpa(*out, "vkDestroyCommandPool");
      next_destroy_device = (PFN_vkDestroyDevice)next_gdpa(*out, "vkDestroyDevice");
      next_allocate_command_buffers =
         (PFN_vkAllocateCommandBuffers)next_gdpa(*out, "vkAllocateCommandBuffers");
      next_create_pipeline_cache =
         (PFN_vkCreatePipelineCache)next_gdpa(*out, "vkCreatePipelineCache");
      next_reset_query_pool = (PFN_vkResetQueryPool)next_gdpa(*out, "vkResetQueryPool");
      next_get_query_pool_results =
         (PFN_vkGetQueryPoolResults)next_gdpa(*out, "vkGetQueryPoolResults");
      next_queue_submit = (PFN_vkQueueSubmit)next_gdpa(*out, "vkQueueSubmit");
      pv_crash_sync_init(*out, next_gdpa);
      pv_crash_pending_init(*out, next_gdpa);
   }
   return r;
}

static void
check_wait(const char *what, uint64_t timeout)
{
   if (timeout > PV_MAX_HOST_WAIT_NS) {
      fprintf(stderr, "pv_crash_layer: %s with a %llu ns timeout reached the host driver\n", what,
              (unsigned long long)timeout);
      abort();
   }
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_WaitForFences(VkDevice device, uint32_t count, const VkFence *fences, VkBool32 all,
                       uint64_t timeout)
{
   check_wait("vkWaitForFences", timeout);
   for (uint32_t i = 0; i < count; i++) /* a wait reads each fence (pv_crash_layer_sync.c) */
      pv_crash_sync_begin("vkWaitForFences", (uint64_t)fences[i], false);
   VkResult r = next_wait_fences(device, count, fences, all, timeout);
   for (uint32_t i = 0; i < count; i++)
      pv_crash_sync_end((uint64_t)fences[i], false);
   return r;
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_WaitSemaphores(VkDevice device, const VkSemaphoreWaitInfo *info, uint64_t timeout)
{
   check_wait("vkWaitSemaphores", timeout);
   return next_wait_semaphores(device, info, timeout);
}

/* An escape attempt: a shell that leaves a file at $PV_ESCAPE_FILE, proof that it ran. */
static void
try_exec(void)
{
   fprintf(stderr, "pv_crash_layer: trying execve\n");
   execl("/bin/sh", "sh", "-c", "echo escaped >\"$PV_ESCAPE_FILE\"", (char *)NULL);
   fprintf(stderr, "pv_crash_layer: execve: %s\n", strerror(errno));
   abort();
}

/* What the sandbox refuses without killing: each outcome on stderr (the server's log). */
static void
try_forbidden(void)
{
   int fd = socket(AF_INET, SOCK_STREAM, 0);
   fprintf(stderr, "pv_crash_layer: socket(AF_INET): %s\n", fd < 0 ? strerror(errno) : "allowed");
   if (fd >= 0)
      close(fd);
   fd = open("/etc/shadow", O_RDONLY | O_CLOEXEC);
   fprintf(stderr, "pv_crash_layer: open /etc/shadow: %s\n", fd < 0 ? strerror(errno) : "allowed");
   if (fd >= 0)
      close(fd);
}

/* Each call keeps a page of its own frame alive; `depth` never reaches UINT32_MAX first. */
static __attribute__((noinline)) uint32_t
overflow_stack(uint32_t depth)
{
   volatile char frame[4096];
   frame[0] = (char)depth;
   if (depth == UINT32_MAX)
      return frame[0];
   return overflow_stack(depth + 1) + (uint32_t)frame[0];
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_CreateImage(VkDevice device, const VkImageCreateInfo *info,
                     const VkAllocationCallbacks *alloc, VkImage *out)
{
   if (info->extent.width == PV_CRASH_WIDTH)
      abort(); /* the "host driver" crashes */
   if (info->extent.width == PV_SLOW_WIDTH)
      sleep(PV_SLOW_SECONDS); /* the "host driver" is busy for a long time */
   if (info->extent.width == PV_STUCK_WIDTH)
      for (;;)
         pause(); /* ... or forever */
   if (info->extent.width == PV_EXEC_WIDTH)
      try_exec();
   if (info->extent.width == PV_FORBIDDEN_WIDTH)
      try_forbidden();
   if (info->extent.width == PV_OVERFLOW_WIDTH) {
      (void)overflow_stack(0); /* never returns: the stack runs out first */
      return VK_ERROR_UNKNOWN;
   }
   return next_create_image(device, info, alloc, out);
}

VKAPI_ATTR void VKAPI_CALL
pv_crash_CmdFillBuffer(VkCommandBuffer cmd, VkBuffer buffer, VkDeviceSize offset, VkDeviceSize size,
                       uint32_t data)
{
   if (data == PV_CRASH_FILL_WORD)
      abort();
   next_fill_buffer(cmd, buffer, offset, size, data);
}

static void
check_not_recording(const char *what)
{
   if (atomic_load(&slow_recording)) {
      fprintf(stderr, "pv_crash_layer: %s while a command buffer records\n", what);
      abort();
   }
}

/* A command pool call begins (PV_LAYER_SLOW_POOLS: slowly, alone); pool_call_end ends it. */
static void
pool_call_begin(const char *what)
{
   check_not_recording(what);
   const char *slow = getenv("PV_LAYER_SLOW_POOLS");
   if (!slow || strcmp(slow, "1"))
      return;
   if (atomic_fetch_add(&pool_calls, 1)) {
      fprintf(stderr, "pv_crash_layer: %s while another command pool call runs\n", what);
      abort();
   }
   usleep(PV_SLOW_POOL_US);
}

static void
pool_call_end(void)
{
   const char *slow = getenv("PV_LAYER_SLOW_POOLS");
   if (slow && !strcmp(slow, "1"))
      atomic_fetch_sub(&pool_calls, 1);
}

VKAPI_ATTR void VKAPI_CALL
pv_crash_CmdSetLineWidth(VkCommandBuffer cmd, float width)
{
   if (width != PV_SLOW_LINE_WIDTH) {
      next_set_line_width(cmd, width);
      return;
   }
   pool_call_begin("vkCmdSetLineWidth");
   atomic_fetch_add(&slow_recording, 1);
   usleep(PV_SLOW_RECORD_US);
   next_set_line_width(cmd, width);
   atomic_fetch_sub(&slow_recording, 1);
   pool_call_end();
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_AllocateCommandBuffers(VkDevice device, const VkCommandBufferAllocateInfo *info,
                                VkCommandBuffer *out)
{
   pool_call_begin("vkAllocateCommandBuffers");
   VkResult r = next_allocate_command_buffers(device, info, out);
   pool_call_end();
   return r;
}

VKAPI_ATTR void VKAPI_CALL
pv_crash_FreeCommandBuffers(VkDevice device, VkCommandPool pool, uint32_t count,
                            const VkCommandBuffer *cmds)
{
   pool_call_begin("vkFreeCommandBuffers");
   pv_crash_pending_freeing(count, cmds);
   next_free_command_buffers(device, pool, count, cmds);
   pool_call_end();
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_ResetCommandPool(VkDevice device, VkCommandPool pool, VkCommandPoolResetFlags flags)
{
   pool_call_begin("vkResetCommandPool");
   VkResult r = next_reset_command_pool(device, pool, flags);
   pool_call_end();
   return r;
}

VKAPI_ATTR void VKAPI_CALL
pv_crash_DestroyCommandPool(VkDevice device, VkCommandPool pool, const VkAllocationCallbacks *alloc)
{
   pool_call_begin("vkDestroyCommandPool");
   next_destroy_command_pool(device, pool, alloc);
   pool_call_end();
}

VKAPI_ATTR void VKAPI_CALL
pv_crash_DestroyDevice(VkDevice device, const VkAllocationCallbacks *alloc)
{
   check_not_recording("vkDestroyDevice");
   pv_crash_pending_device_gone();
   next_destroy_device(device, alloc);
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_CreatePipelineCache(VkDevice device, const VkPipelineCacheCreateInfo *info,
                             const VkAllocationCallbacks *alloc, VkPipelineCache *out)
{
   if (info->flags & VK_PIPELINE_CACHE_CREATE_EXTERNALLY_SYNCHRONIZED_BIT) {
      fprintf(stderr, "pv_crash_layer: an externally synchronized pipeline cache\n");
      abort();
   }
   return next_create_pipeline_cache(device, info, alloc, out);
}

VKAPI_ATTR void VKAPI_CALL
pv_crash_ResetQueryPool(VkDevice device, VkQueryPool pool, uint32_t first, uint32_t count)
{
   if (first != PV_SLOW_RESET_FIRST) {
      next_reset_query_pool(device, pool, first, count);
      return;
   }
   atomic_fetch_add(&slow_resetting, 1);
   usleep(PV_SLOW_RESET_US);
   next_reset_query_pool(device, pool, first, count);
   atomic_fetch_sub(&slow_resetting, 1);
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_GetQueryPoolResults(VkDevice device, VkQueryPool pool, uint32_t first, uint32_t count,
                             size_t size, void *data, VkDeviceSize stride, VkQueryResultFlags flags)
{
   if (first != PV_SLOW_RESET_FIRST)
      return next_get_query_pool_results(device, pool, first, count, size, data, stride, flags);
   atomic_fetch_add(&slow_resetting, 1);
   usleep(PV_SLOW_RESET_US);
   VkResult r = next_get_query_pool_results(device, pool, first, count, size, data, stride, flags);
   atomic_fetch_sub(&slow_resetting, 1);
   return r;
}

VKAPI_ATTR VkResult VKAPI_CALL
pv_crash_QueueSubmit(VkQueue queue, uint32_t count, const VkSubmitInfo *submits, VkFence fence)
{
   if (atomic_load(&slow_resetting)) {
      fprintf(stderr, "pv_crash_layer: vkQueueSubmit while a query pool resets or is read\n");
      abort();
   }
   pv_crash_sync_begin("vkQueueSubmit", (uint64_t)fence, true);
   pv_crash_syncfd_submit(count, submits, true);
   pv_crash_pending_submitting(count, submits);
   VkResult r = next_queue_submit(queue, count, submits, fence);
   if (r == VK_SUCCESS)
      pv_crash_pending_submitted(queue, count, submits, fence);
   pv_crash_syncfd_submit(count, submits, false);
   pv_crash_sync_end((uint64_t)fence, true);
   return r;
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
pv_crash_GetDeviceProcAddr(VkDevice device, const char *name)
{
   if (!strcmp(name, "vkGetDeviceProcAddr"))
      return (PFN_vkVoidFunction)pv_crash_GetDeviceProcAddr;
   if (!strcmp(name, "vkCreateImage"))
      return (PFN_vkVoidFunction)pv_crash_CreateImage;
   if (!strcmp(name, "vkWaitForFences"))
      return (PFN_vkVoidFunction)pv_crash_WaitForFences;
   if (!strcmp(name, "vkCmdFillBuffer") && next_fill_buffer)
      return (PFN_vkVoidFunction)pv_crash_CmdFillBuffer;
   static const struct {
      const char *name;
      PFN_vkVoidFunction fn;
   } checked[] = {
      {"vkCmdSetLineWidth", (PFN_vkVoidFunction)pv_crash_CmdSetLineWidth},
      {"vkAllocateCommandBuffers", (PFN_vkVoidFunction)pv_crash_AllocateCommandBuffers},
      {"vkFreeCommandBuffers", (PFN_vkVoidFunction)pv_crash_FreeCommandBuffers},
      {"vkResetCommandPool", (PFN_vkVoidFunction)pv_crash_ResetCommandPool},
      {"vkDestroyCommandPool", (PFN_vkVoidFunction)pv_crash_DestroyCommandPool},
      {"vkDestroyDevice", (PFN_vkVoidFunction)pv_crash_DestroyDevice},
      {"vkResetQueryPool", (PFN_vkVoidFunction)pv_crash_ResetQueryPool},
      {"vkGetQueryPoolResults", (PFN_vkVoidFunction)pv_crash_GetQueryPoolResults},
      {"vkCreatePipelineCache", (PFN_vkVoidFunction)pv_crash_CreatePipelineCache},
      {"vkQueueSubmit", (PFN_vkVoidFunction)pv_crash_QueueSubmit},
   };
   for (size_t i = 0; next_set_line_width && i < sizeof(checked) / sizeof(checked[0]); i++)
      if (!strcmp(name, checked[i].name))
         return checked[i].fn;
   if (!strcmp(name, "vkWaitSemaphores") && next_wait_semaphores)
      return (PFN_vkVoidFunction)pv_crash_WaitSemaphores;
   PFN_vkVoidFunction sync = pv_crash_sync_proc(name);
   if (!sync)
      sync = pv_crash_syncfd_device_proc(name);
   if (!sync)
      sync = pv_crash_pending_proc(name);
   return sync ? sync : next_gdpa(device, name);
}

VKAPI_ATTR PFN_vkVoidFunction VKAPI_CALL
pv_crash_GetInstanceProcAddr(VkInstance instance, const char *name)
{
   if (!strcmp(name, "vkGetInstanceProcAddr"))
      return (PFN_vkVoidFunction)pv_crash_GetInstanceProcAddr;
   if (!strcmp(name, "vkCreateInstance"))
      return (PFN_vkVoidFunction)pv_crash_CreateInstance;
   if (!strcmp(name, "vkCreateDevice"))
      return (PFN_vkVoidFunction)pv_crash_CreateDevice;
   if (!strcmp(name, "vkGetDeviceProcAddr"))
      return (PFN_vkVoidFunction)pv_crash_GetDeviceProcAddr;
   if (!strcmp(name, "vkCreateImage"))
      return (PFN_vkVoidFunction)pv_crash_CreateImage;
   PFN_vkVoidFunction faked = pv_crash_syncfd_instance_proc(name);
   if (faked)
      return faked;
   return next_gipa ? next_gipa(instance, name) : NULL;
}

VKAPI_ATTR VkResult VKAPI_CALL
vkNegotiateLoaderLayerInterfaceVersion(VkNegotiateLayerInterface *iface)
{
   if (iface->loaderLayerInterfaceVersion > 2)
      iface->loaderLayerInterfaceVersion = 2;
   iface->pfnGetInstanceProcAddr = pv_crash_GetInstanceProcAddr;
   iface->pfnGetDeviceProcAddr = pv_crash_GetDeviceProcAddr;
   iface->pfnGetPhysicalDeviceProcAddr = NULL;
   return VK_SUCCESS;
}
