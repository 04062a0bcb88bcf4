/* SPDX-License-Identifier: MIT */
/*
 * pv-sync: synchronization primitives.
 *   fences: timeout 0 on an unsignaled fence -> VK_TIMEOUT, status NOT_READY, submit, wait
 *           UINT64_MAX, reset; a 10 ms wait on a never-signaled fence -> VK_TIMEOUT; waitAll
 *           false / true over a signaled and an unsignaled fence
 *   timeline semaphores: host signal / wait / counter; GPU batches that wait for a value the
 *           host signaled and for one the GPU signaled, plus a binary semaphore between them
 *   events: host set / reset / status, vkCmdSetEvent + vkGetEventStatus, vkCmdResetEvent,
 *           vkCmdWaitEvents on a host-set event
 *   threads: two threads each submit many small batches (vkQueueSubmit under a mutex, as the
 *           queue needs external synchronization), each signaling its own timeline
 */
#include "pv_common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 2u
#define BATCHES 100u
#define SLOT 256u /* bytes each batch fills */

static struct pv_ctx c;
static struct pv_buffer buf; /* host visible, results of every part */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;

static VkFence
make_fence(bool signaled)
{
   const VkFenceCreateInfo ci = {VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, NULL,
                                 signaled ? VK_FENCE_CREATE_SIGNALED_BIT : 0};
   VkFence f;
   PV_CHECK(vkCreateFence(c.device, &ci, NULL, &f));
   return f;
}

static VkSemaphore
make_semaphore(bool timeline, uint64_t initial)
{
   const VkSemaphoreTypeCreateInfo type = {VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO, NULL,
                                           VK_SEMAPHORE_TYPE_TIMELINE, initial};
   const VkSemaphoreCreateInfo ci = {VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
                                     timeline ? &type : NULL, 0};
   VkSemaphore s;
   PV_CHECK(vkCreateSemaphore(c.device, &ci, NULL, &s));
   return s;
}

static VkResult
wait_value(VkSemaphore s, uint64_t value, uint64_t timeout)
{
   const VkSemaphoreWaitInfo wi = {VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO, NULL, 0, 1, &s, &value};
   return vkWaitSemaphores(c.device, &wi, timeout);
}

static uint64_t
counter(VkSemaphore s)
{
   uint64_t v = 0;
   PV_CHECK(vkGetSemaphoreCounterValue(c.device, s, &v));
   return v;
}

static VkCommandBuffer
record_fill(VkCommandPool pool, VkDeviceSize offset, VkDeviceSize size, uint32_t value)
{
   const VkCommandBufferAllocateInfo ai = {VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, NULL,
                                           pool, VK_COMMAND_BUFFER_LEVEL_PRIMARY, 1};
   VkCommandBuffer cmd;
   PV_CHECK(vkAllocateCommandBuffers(c.device, &ai, &cmd));
   const VkCommandBufferBeginInfo bi = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
   PV_CHECK(vkBeginCommandBuffer(cmd, &bi));
   vkCmdFillBuffer(cmd, buf.buffer, offset, size, value);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                     VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_HOST_READ_BIT);
   PV_CHECK(vkEndCommandBuffer(cmd));
   return cmd;
}

static void
expect_words(const char *what, VkDeviceSize offset, VkDeviceSize size, uint32_t value)
{
   const uint32_t *p = (const uint32_t *)((const uint8_t *)buf.map + offset);
   for (VkDeviceSize i = 0; i < size / 4; i++) {
      if (p[i] != value)
         pv_fail("%s: word %llu at offset %llu is 0x%08x, expected 0x%08x", what,
                 (unsigned long long)i, (unsigned long long)offset, p[i], value);
   }
}

static void
test_fences(void)
{
   VkFence f = make_fence(false), never = make_fence(false), done = make_fence(true);
   PV_EXPECT(vkWaitForFences(c.device, 1, &f, VK_TRUE, 0), VK_TIMEOUT);
   PV_EXPECT(vkGetFenceStatus(c.device, f), VK_NOT_READY);
   VkCommandBuffer cmd = record_fill(c.pool, 0, SLOT, 0xf00df00du);
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};
   PV_CHECK(vkQueueSubmit(c.queue, 1, &si, f));
   PV_EXPECT(vkWaitForFences(c.device, 1, &f, VK_TRUE, UINT64_MAX), VK_SUCCESS);
   PV_EXPECT(vkGetFenceStatus(c.device, f), VK_SUCCESS);
   expect_words("fence-guarded fill", 0, SLOT, 0xf00df00du);
   PV_CHECK(vkResetFences(c.device, 1, &f));
   PV_EXPECT(vkGetFenceStatus(c.device, f), VK_NOT_READY);

   const uint64_t t0 = pv_now_ns();
   PV_EXPECT(vkWaitForFences(c.device, 1, &never, VK_TRUE, 10 * 1000 * 1000), VK_TIMEOUT);
   const uint64_t waited = pv_now_ns() - t0;
   if (waited > 5ull * 1000 * 1000 * 1000)
      pv_fail("a 10 ms fence wait took %llu ms", (unsigned long long)(waited / 1000000));
   VkFence pair[2] = {never, done};
   PV_EXPECT(vkWaitForFences(c.device, 2, pair, VK_FALSE, 1000 * 1000), VK_SUCCESS);
   PV_EXPECT(vkWaitForFences(c.device, 2, pair, VK_TRUE, 1000 * 1000), VK_TIMEOUT);

   vkFreeCommandBuffers(c.device, c.pool, 1, &cmd);
   vkDestroyFence(c.device, f, NULL);
   vkDestroyFence(c.device, never, NULL);
   vkDestroyFence(c.device, done, NULL);
}

static void
test_semaphores(void)
{
   VkSemaphore tl = make_semaphore(true, 0), bin = make_semaphore(false, 0);
   if (counter(tl) != 0)
      pv_fail("new timeline semaphore has value %llu", (unsigned long long)counter(tl));
   const VkSemaphoreSignalInfo sig1 = {VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, NULL, tl, 1};
   PV_CHECK(vkSignalSemaphore(c.device, &sig1));
   if (counter(tl) != 1)
      pv_fail("timeline value after host signal 1 is %llu", (unsigned long long)counter(tl));
   PV_EXPECT(wait_value(tl, 1, 0), VK_SUCCESS);
   PV_EXPECT(wait_value(tl, 2, 0), VK_TIMEOUT);
   PV_EXPECT(wait_value(tl, 2, 1000 * 1000), VK_TIMEOUT);

   /* Host signals 2. Batch 1 waits on the GPU for 2, fills slot 1, signals 3 and a binary
    * semaphore; batch 2 waits for both (timeline value 3 signaled by the GPU), copies slot 1
    * to slot 2 and signals 4 and the fence. (No wait-before-signal from the host: lavapipe
    * 22.3.6 blocks inside vkQueueSubmit until such a wait is satisfied.) */
   const VkSemaphoreSignalInfo sig2 = {VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO, NULL, tl, 2};
   PV_CHECK(vkSignalSemaphore(c.device, &sig2));
   VkCommandBuffer fill = record_fill(c.pool, SLOT, SLOT, 0x7117e11eu);
   VkCommandBuffer copy = pv_cmd_begin(&c);
   const VkBufferCopy region = {SLOT, 2 * SLOT, SLOT};
   vkCmdCopyBuffer(copy, buf.buffer, buf.buffer, 1, &region);
   pv_memory_barrier(copy, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   PV_CHECK(vkEndCommandBuffer(copy));

   const uint64_t wait1 = 2, signal1[2] = {3, 0}, wait2[2] = {0, 3}, signal2 = 4;
   const VkSemaphore sems1[2] = {tl, bin}, waits2[2] = {bin, tl};
   const VkPipelineStageFlags stages[2] = {VK_PIPELINE_STAGE_TRANSFER_BIT,
                                           VK_PIPELINE_STAGE_TRANSFER_BIT};
   const VkTimelineSemaphoreSubmitInfo tsi[2] = {
      {VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO, NULL, 1, &wait1, 2, signal1},
      {VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO, NULL, 2, wait2, 1, &signal2},
   };
   const VkSubmitInfo si[2] = {
      {VK_STRUCTURE_TYPE_SUBMIT_INFO, &tsi[0], 1, &tl, stages, 1, &fill, 2, sems1},
      {VK_STRUCTURE_TYPE_SUBMIT_INFO, &tsi[1], 2, waits2, stages, 1, &copy, 1, &tl},
   };
   VkFence fence = make_fence(false);
   PV_CHECK(vkQueueSubmit(c.queue, 2, si, fence));
   PV_EXPECT(wait_value(tl, 4, UINT64_MAX), VK_SUCCESS);
   PV_EXPECT(vkWaitForFences(c.device, 1, &fence, VK_TRUE, UINT64_MAX), VK_SUCCESS);
   if (counter(tl) != 4)
      pv_fail("timeline value after the GPU signals is %llu", (unsigned long long)counter(tl));
   expect_words("batch after GPU timeline wait", SLOT, SLOT, 0x7117e11eu);
   expect_words("batch after binary + timeline wait", 2 * SLOT, SLOT, 0x7117e11eu);

   VkCommandBuffer cmds[2] = {fill, copy};
   vkFreeCommandBuffers(c.device, c.pool, 2, cmds);
   vkDestroyFence(c.device, fence, NULL);
   vkDestroySemaphore(c.device, tl, NULL);
   vkDestroySemaphore(c.device, bin, NULL);
}

static void
test_events(void)
{
   const VkEventCreateInfo eci = {.sType = VK_STRUCTURE_TYPE_EVENT_CREATE_INFO};
   VkEvent ev, gate;
   PV_CHECK(vkCreateEvent(c.device, &eci, NULL, &ev));
   PV_CHECK(vkCreateEvent(c.device, &eci, NULL, &gate));
   PV_EXPECT(vkGetEventStatus(c.device, ev), VK_EVENT_RESET);
   PV_CHECK(vkSetEvent(c.device, ev));
   PV_EXPECT(vkGetEventStatus(c.device, ev), VK_EVENT_SET);
   PV_CHECK(vkResetEvent(c.device, ev));
   PV_EXPECT(vkGetEventStatus(c.device, ev), VK_EVENT_RESET);

   /* GPU sets ev after a fill; the host-set gate is waited on before a copy. */
   PV_CHECK(vkSetEvent(c.device, gate));
   VkCommandBuffer cmd = pv_cmd_begin(&c);
   vkCmdFillBuffer(cmd, buf.buffer, 3 * SLOT, SLOT, 0xe7e7e7e7u);
   vkCmdSetEvent(cmd, ev, VK_PIPELINE_STAGE_TRANSFER_BIT);
   vkCmdWaitEvents(cmd, 1, &gate, VK_PIPELINE_STAGE_HOST_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0,
                   NULL, 0, NULL, 0, NULL);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
   const VkBufferCopy region = {3 * SLOT, 4 * SLOT, SLOT};
   vkCmdCopyBuffer(cmd, buf.buffer, buf.buffer, 1, &region);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(&c, cmd);
   PV_EXPECT(vkGetEventStatus(c.device, ev), VK_EVENT_SET);
   expect_words("fill before vkCmdSetEvent", 3 * SLOT, SLOT, 0xe7e7e7e7u);
   expect_words("copy after vkCmdWaitEvents", 4 * SLOT, SLOT, 0xe7e7e7e7u);

   cmd = pv_cmd_begin(&c);
   vkCmdResetEvent(cmd, ev, VK_PIPELINE_STAGE_TRANSFER_BIT);
   pv_cmd_submit_wait(&c, cmd);
   PV_EXPECT(vkGetEventStatus(c.device, ev), VK_EVENT_RESET);
   vkDestroyEvent(c.device, ev, NULL);
   vkDestroyEvent(c.device, gate, NULL);
}

struct worker {
   pthread_t thread;
   uint32_t id;
   VkSemaphore timeline;
   const char *error; /* set by the worker on failure */
};

static VkDeviceSize
worker_slot(uint32_t id, uint32_t batch)
{
   return (8 + (VkDeviceSize)id * BATCHES + batch) * SLOT;
}

static uint32_t
worker_value(uint32_t id, uint32_t batch)
{
   return (id + 1) << 24 | batch << 8 | 0x5a;
}

static void *
worker_main(void *arg)
{
   struct worker *w = arg;
   const VkCommandPoolCreateInfo pci = {VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, NULL, 0,
                                        c.queue_family};
   VkCommandPool pool;
   if (vkCreateCommandPool(c.device, &pci, NULL, &pool) != VK_SUCCESS) {
      w->error = "vkCreateCommandPool failed";
      return NULL;
   }
   VkCommandBuffer cmds[BATCHES];
   for (uint32_t i = 0; i < BATCHES; i++) {
      cmds[i] = record_fill(pool, worker_slot(w->id, i), SLOT, worker_value(w->id, i));
      const uint64_t value = i + 1;
      const VkTimelineSemaphoreSubmitInfo tsi = {
         .sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
         .signalSemaphoreValueCount = 1,
         .pSignalSemaphoreValues = &value,
      };
      const VkSubmitInfo si = {
         .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
         .pNext = &tsi,
         .commandBufferCount = 1,
         .pCommandBuffers = &cmds[i],
         .signalSemaphoreCount = 1,
         .pSignalSemaphores = &w->timeline,
      };
      pthread_mutex_lock(&queue_lock);
      VkResult r = vkQueueSubmit(c.queue, 1, &si, VK_NULL_HANDLE);
      pthread_mutex_unlock(&queue_lock);
      if (r != VK_SUCCESS) {
         w->error = "vkQueueSubmit failed";
         break;
      }
      if (i % 10 == 9 && wait_value(w->timeline, value, UINT64_MAX) != VK_SUCCESS) {
         w->error = "vkWaitSemaphores failed";
         break;
      }
   }
   if (!w->error && wait_value(w->timeline, BATCHES, UINT64_MAX) != VK_SUCCESS)
      w->error = "final vkWaitSemaphores failed";
   vkDestroyCommandPool(c.device, pool, NULL);
   return NULL;
}

static void
test_threads(void)
{
   struct worker workers[THREADS];
   for (uint32_t t = 0; t < THREADS; t++) {
      workers[t] = (struct worker){.id = t, .timeline = make_semaphore(true, 0)};
      if (pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]) != 0)
         pv_fail("pthread_create failed");
   }
   for (uint32_t t = 0; t < THREADS; t++) {
      pthread_join(workers[t].thread, NULL);
      if (workers[t].error)
         pv_fail("thread %u: %s", t, workers[t].error);
      if (counter(workers[t].timeline) != BATCHES)
         pv_fail("thread %u: timeline ends at %llu, expected %u", t,
                 (unsigned long long)counter(workers[t].timeline), BATCHES);
      vkDestroySemaphore(c.device, workers[t].timeline, NULL);
   }
   for (uint32_t t = 0; t < THREADS; t++)
      for (uint32_t i = 0; i < BATCHES; i++)
         expect_words("threaded batch", worker_slot(t, i), SLOT, worker_value(t, i));
}

int
main(void)
{
   VkPhysicalDeviceTimelineSemaphoreFeatures timeline = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_TIMELINE_SEMAPHORE_FEATURES,
      .timelineSemaphore = VK_TRUE,
   };
   const struct pv_init_options opts = {.device_pnext = &timeline,
                                        .min_api_version = VK_API_VERSION_1_2};
   pv_init(&c, "pv-sync", &opts);
   pv_buffer_create(&c, &buf, (8 + THREADS * BATCHES) * SLOT,
                    VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   memset(buf.map, 0, buf.size);
   test_fences();
   test_semaphores();
   test_events();
   test_threads();
   pv_buffer_destroy(&c, &buf);
   pv_fini(&c);
   pv_pass(&c, "fences, timeline + binary semaphores, events, %u threads x %u batches", THREADS,
           BATCHES);
   return 0;
}
