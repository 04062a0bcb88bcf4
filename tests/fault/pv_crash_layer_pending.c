/* SPDX-License-Identifier: MIT */
/*
 * The test layer's check that no semaphore or fence is destroyed while a submission naming it
 * may still run (pv_crash_layer.c loads it). With PV_LAYER_CHECK_PENDING=1 every vkQueueSubmit
 * the driver takes is followed by an empty submission of the layer's own fence on that queue;
 * the submission's semaphores and fence are remembered with it. A vkDestroySemaphore or
 * vkDestroyFence of one of them before that fence signalled calls abort(): the driver's queue
 * would signal or wait on freed memory (lavapipe's queue thread did: valgrind, 2026-12-06).
 * tests/host/test_cmdbuf_race.c, mode `destroy-pending`.
 *
 * The submission's command buffers are remembered too: one begun without SIMULTANEOUS_USE that
 * a vkQueueSubmit names while an earlier submission of it may still run, or names twice, also
 * calls abort() (pending twice: what a driver does then is its own business). Mode
 * `resubmit-pending`. A submission whose last timeline signal (with no command buffer after it)
 * has happened has ended for that check, fence or not: its command buffers finished before the
 * signal (mode `resubmit-timeline`).
 *
 * And a submitted primary must run the recordings of its secondaries that it executed: one
 * begun, reset or freed since its primary's vkCmdExecuteCommands also calls abort() (lavapipe
 * would run whatever the secondary holds now). Mode `secondary-stale`. A pool reset is not
 * followed (the layer does not know a pool's command buffers): a check left out there.
 *
 * And a descriptor set is not written while a submission whose command buffer (or a secondary
 * it executes) bound it may still run: a vkUpdateDescriptorSets of such a set calls abort()
 * (lavapipe's queue thread could read a descriptor half written). Mode `set-write-pending`.
 * With PV_LAYER_SLOW_WRITES=1 as well each vkUpdateDescriptorSets takes PV_SLOW_WRITE_US, and a
 * vkQueueSubmit whose command buffers bind a set being written meanwhile calls abort() (the
 * queue would read it half written). Mode `set-write-race`.
 */
#include "pv_crash_layer_sync.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Submissions followed at once: more than a test makes before their work ends. */
#define PENDING_MAX 64u
#define PENDING_HANDLES 8u
#define PENDING_CMDBUFS 16u
/* Command buffers begun with SIMULTANEOUS_USE at once (the others are the rule). */
#define SIMULTANEOUS_MAX 64u

struct pending {
   VkFence done; /* the layer's; VK_NULL_HANDLE: a free slot */
   VkSemaphore timeline; /* its last timeline signal, none after it, and the value */
   uint64_t timeline_value;
   uint32_t count, cmdbuf_count;
   uint64_t handles[PENDING_HANDLES]; /* the submission's semaphores and fence */
   VkCommandBuffer cmdbufs[PENDING_CMDBUFS];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct pending pending[PENDING_MAX];
/* Handles of command buffers last begun with SIMULTANEOUS_USE (a freed one's handle reused by
 * another command buffer is taken for it: a check left out, never a false abort). */
static VkCommandBuffer simultaneous[SIMULTANEOUS_MAX];
static PFN_vkBeginCommandBuffer next_begin;
/* Timeline semaphores made so far (more are not looked at: a check made stricter, never left
 * out). */
#define TIMELINES_MAX 64u
static VkSemaphore timelines[TIMELINES_MAX];
static PFN_vkCreateSemaphore next_create_semaphore;
static PFN_vkGetSemaphoreCounterValue next_counter;
static VkDevice device;
static PFN_vkQueueSubmit next_submit;
static PFN_vkCreateFence next_create_fence;
static PFN_vkDestroyFence next_destroy_fence;
static PFN_vkGetFenceStatus next_fence_status;
static PFN_vkDestroySemaphore next_destroy_semaphore;
static PFN_vkCmdExecuteCommands next_execute;
static PFN_vkResetCommandBuffer next_reset_cmdbuf;
static PFN_vkCmdBindDescriptorSets next_bind_sets;
static PFN_vkUpdateDescriptorSets next_update_sets;

/* Command buffers' recordings: how often each was begun, reset or freed, and for a primary the
 * secondaries it executes with those counts then. More than fit abort (too_many). */
#define RECORDINGS_MAX 64u
#define EXECUTED_MAX 8u
#define BOUND_MAX 8u
/* Sets being written at the driver now (PV_LAYER_SLOW_WRITES=1), and how long a write takes. */
#define WRITING_MAX 16u
#define PV_SLOW_WRITE_US 5000u
static VkDescriptorSet writing[WRITING_MAX];
struct recording {
   VkCommandBuffer cb;
   uint64_t changes;
   uint32_t executed_count;
   VkCommandBuffer executed[EXECUTED_MAX];
   uint64_t executed_at[EXECUTED_MAX];
   uint32_t bound_count; /* the descriptor sets it binds */
   VkDescriptorSet bound[BOUND_MAX];
};
static struct recording recordings[RECORDINGS_MAX];

static bool
checking(void)
{
   const char *v = getenv("PV_LAYER_CHECK_PENDING");
   return v && !strcmp(v, "1") && next_submit;
}

void
pv_crash_pending_init(VkDevice dev, PFN_vkGetDeviceProcAddr gdpa)
{
   device = dev;
   next_submit = (PFN_vkQueueSubmit)gdpa(dev, "vkQueueSubmit");
   next_create_fence = (PFN_vkCreateFence)gdpa(dev, "vkCreateFence");
   next_destroy_fence = (PFN_vkDestroyFence)gdpa(dev, "vkDestroyFence");
   next_fence_status = (PFN_vkGetFenceStatus)gdpa(dev, "vkGetFenceStatus");
   next_destroy_semaphore = (PFN_vkDestroySemaphore)gdpa(dev, "vkDestroySemaphore");
   next_begin = (PFN_vkBeginCommandBuffer)gdpa(dev, "vkBeginCommandBuffer");
   next_create_semaphore = (PFN_vkCreateSemaphore)gdpa(dev, "vkCreateSemaphore");
   next_counter = (PFN_vkGetSemaphoreCounterValue)gdpa(dev, "vkGetSemaphoreCounterValue");
   next_execute = (PFN_vkCmdExecuteCommands)gdpa(dev, "vkCmdExecuteCommands");
   next_reset_cmdbuf = (PFN_vkResetCommandBuffer)gdpa(dev, "vkResetCommandBuffer");
   next_bind_sets = (PFN_vkCmdBindDescriptorSets)gdpa(dev, "vkCmdBindDescriptorSets");
   next_update_sets = (PFN_vkUpdateDescriptorSets)gdpa(dev, "vkUpdateDescriptorSets");
}

/* Forgets the submissions whose work has ended. The caller holds the lock. */
static void
forget_ended(void)
{
   for (uint32_t i = 0; i < PENDING_MAX; i++) {
      struct pending *p = &pending[i];
      if (p->done && next_fence_status(device, p->done) == VK_SUCCESS) {
         next_destroy_fence(device, p->done, NULL);
         p->done = VK_NULL_HANDLE;
      }
   }
}

static void
too_many(const char *what, unsigned max)
{
   fprintf(stderr, "pv_crash_layer: more than %u %s to follow\n", max, what);
   abort();
}

/* A submission naming more than the layer follows aborts: a check that left some out would
 * pass where it should not. */
static void
note(struct pending *p, uint64_t handle)
{
   if (!handle)
      return;
   if (p->count == PENDING_HANDLES)
      too_many("semaphores and fences in a submission", PENDING_HANDLES);
   p->handles[p->count++] = handle;
}

static bool
is_simultaneous(VkCommandBuffer cb)
{
   for (uint32_t i = 0; i < SIMULTANEOUS_MAX; i++)
      if (simultaneous[i] == cb)
         return true;
   return false;
}

static bool
is_timeline(VkSemaphore sem)
{
   for (uint32_t i = 0; sem && i < TIMELINES_MAX; i++)
      if (timelines[i] == sem)
         return true;
   return false;
}

/* Whether the submission's last timeline signal has happened. */
static bool
signalled(const struct pending *p)
{
   uint64_t v = 0;
   return p->timeline && next_counter && next_counter(device, p->timeline, &v) == VK_SUCCESS &&
          v >= p->timeline_value;
}

/* Whether `cb` is in a submission that may still run. The caller holds the lock. */
static bool
cmdbuf_pending(VkCommandBuffer cb)
{
   for (uint32_t i = 0; i < PENDING_MAX; i++)
      for (uint32_t j = 0; pending[i].done && j < pending[i].cmdbuf_count; j++)
         if (pending[i].cmdbufs[j] == cb)
            return !signalled(&pending[i]);
   return false;
}

/* The submission's last timeline signal, when no command buffer follows it. */
static void
note_timeline(struct pending *p, uint32_t count, const VkSubmitInfo *submits)
{
   p->timeline = VK_NULL_HANDLE;
   for (uint32_t i = count; i-- > 0;) {
      const VkTimelineSemaphoreSubmitInfo *t = submits[i].pNext;
      while (t && t->sType != VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO)
         t = t->pNext;
      for (uint32_t j = submits[i].signalSemaphoreCount; t && j-- > 0;) {
         if (j < t->signalSemaphoreValueCount && is_timeline(submits[i].pSignalSemaphores[j])) {
            p->timeline = submits[i].pSignalSemaphores[j];
            p->timeline_value = t->pSignalSemaphoreValues[j];
            return;
         }
      }
      if (submits[i].commandBufferCount)
         return; /* command buffers after every signal */
   }
}

static void too_many(const char *what, unsigned max);

/* The command buffer's entry, made when missing. The caller holds the lock. */
static struct recording *
recording_of(VkCommandBuffer cb)
{
   struct recording *free_slot = NULL;
   for (uint32_t i = 0; i < RECORDINGS_MAX; i++) {
      if (recordings[i].cb == cb)
         return &recordings[i];
      if (!recordings[i].cb && !free_slot)
         free_slot = &recordings[i];
   }
   if (!free_slot)
      too_many("command buffers' recordings", RECORDINGS_MAX);
   *free_slot = (struct recording){.cb = cb};
   return free_slot;
}

/* Begun, reset or freed: a primary that executed it before runs another recording now. */
static void
recording_changes(VkCommandBuffer cb)
{
   pthread_mutex_lock(&lock);
   struct recording *r = recording_of(cb);
   r->changes++;
   r->executed_count = 0;
   r->bound_count = 0;
   pthread_mutex_unlock(&lock);
}

/* The caller holds the lock. */
static void
check_secondaries(VkCommandBuffer primary)
{
   const struct recording *r = recording_of(primary);
   for (uint32_t i = 0; i < r->executed_count; i++) {
      if (recording_of(r->executed[i])->changes != r->executed_at[i]) {
         fprintf(stderr,
                 "pv_crash_layer: primary %p submitted after its secondary %p was begun, "
                 "reset or freed\n",
                 (void *)primary, (void *)r->executed[i]);
         abort();
      }
   }
}

static void
pending_twice(VkCommandBuffer cb, const char *how)
{
   fprintf(stderr, "pv_crash_layer: command buffer %p without SIMULTANEOUS_USE %s\n", (void *)cb,
           how);
   abort();
}

static bool binds(VkCommandBuffer cb, VkDescriptorSet set, int depth);

/* The caller holds the lock. */
static void
check_not_writing(VkCommandBuffer cb)
{
   for (uint32_t i = 0; i < WRITING_MAX; i++)
      if (writing[i] && binds(cb, writing[i], 0)) {
         fprintf(stderr,
                 "pv_crash_layer: a submission binding descriptor set 0x%llx reached the driver "
                 "while the set was being written\n",
                 (unsigned long long)writing[i]);
         abort();
      }
}

void
pv_crash_pending_submitting(uint32_t count, const VkSubmitInfo *submits)
{
   if (!checking())
      return;
   pthread_mutex_lock(&lock);
   forget_ended();
   for (uint32_t i = 0; i < count; i++) {
      for (uint32_t j = 0; j < submits[i].commandBufferCount; j++) {
         VkCommandBuffer cb = submits[i].pCommandBuffers[j];
         check_secondaries(cb);
         check_not_writing(cb);
         if (is_simultaneous(cb))
            continue;
         if (cmdbuf_pending(cb))
            pending_twice(cb, "submitted while an earlier submission of it runs");
         for (uint32_t k = 0; k <= i; k++)
            for (uint32_t l = 0; l < (k < i ? submits[k].commandBufferCount : j); l++)
               if (submits[k].pCommandBuffers[l] == cb)
                  pending_twice(cb, "named twice in one submission");
      }
   }
   pthread_mutex_unlock(&lock);
}

static void
note_cmdbufs(struct pending *p, uint32_t count, const VkSubmitInfo *submits)
{
   p->cmdbuf_count = 0;
   for (uint32_t i = 0; i < count; i++)
      for (uint32_t j = 0; j < submits[i].commandBufferCount; j++) {
         if (p->cmdbuf_count == PENDING_CMDBUFS)
            too_many("command buffers in a submission", PENDING_CMDBUFS);
         p->cmdbufs[p->cmdbuf_count++] = submits[i].pCommandBuffers[j];
      }
}

void
pv_crash_pending_submitted(VkQueue queue, uint32_t count, const VkSubmitInfo *submits,
                           VkFence fence)
{
   if (!checking())
      return;
   pthread_mutex_lock(&lock);
   forget_ended();
   struct pending *p = NULL;
   for (uint32_t i = 0; !p && i < PENDING_MAX; i++)
      if (!pending[i].done)
         p = &pending[i];
   const VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   if (!p || next_create_fence(device, &fci, NULL, &p->done) != VK_SUCCESS) {
      fprintf(stderr, "pv_crash_layer: cannot follow another submission\n");
      abort();
   }
   p->count = 0;
   note(p, (uint64_t)fence);
   note_cmdbufs(p, count, submits);
   note_timeline(p, count, submits);
   for (uint32_t i = 0; i < count; i++) {
      for (uint32_t j = 0; j < submits[i].waitSemaphoreCount; j++)
         note(p, (uint64_t)submits[i].pWaitSemaphores[j]);
      for (uint32_t j = 0; j < submits[i].signalSemaphoreCount; j++)
         note(p, (uint64_t)submits[i].pSignalSemaphores[j]);
   }
   if (next_submit(queue, 0, NULL, p->done) != VK_SUCCESS) {
      fprintf(stderr, "pv_crash_layer: cannot follow a submission\n");
      abort();
   }
   pthread_mutex_unlock(&lock);
}

void
pv_crash_pending_destroying(const char *what, uint64_t handle)
{
   if (!handle || !checking())
      return;
   pthread_mutex_lock(&lock);
   forget_ended();
   for (uint32_t i = 0; i < PENDING_MAX; i++)
      for (uint32_t j = 0; pending[i].done && j < pending[i].count; j++)
         if (pending[i].handles[j] == handle) {
            fprintf(stderr, "pv_crash_layer: %s of 0x%llx while a submission naming it runs\n",
                    what, (unsigned long long)handle);
            abort();
         }
   pthread_mutex_unlock(&lock);
}

static VKAPI_ATTR void VKAPI_CALL
pending_DestroySemaphore(VkDevice dev, VkSemaphore semaphore, const VkAllocationCallbacks *alloc)
{
   pv_crash_pending_destroying("vkDestroySemaphore", (uint64_t)semaphore);
   pthread_mutex_lock(&lock);
   for (uint32_t i = 0; semaphore && i < TIMELINES_MAX; i++)
      if (timelines[i] == semaphore)
         timelines[i] = VK_NULL_HANDLE; /* its handle may come back as a binary one */
   pthread_mutex_unlock(&lock);
   next_destroy_semaphore(dev, semaphore, alloc);
}

/* Remembers which command buffers may be pending more than once. */
static VKAPI_ATTR VkResult VKAPI_CALL
pending_BeginCommandBuffer(VkCommandBuffer cb, const VkCommandBufferBeginInfo *info)
{
   bool simultaneous_use = info->flags & VK_COMMAND_BUFFER_USAGE_SIMULTANEOUS_USE_BIT;
   pthread_mutex_lock(&lock);
   uint32_t free_slot = SIMULTANEOUS_MAX;
   for (uint32_t i = 0; i < SIMULTANEOUS_MAX; i++) {
      if (simultaneous[i] == cb)
         simultaneous[i] = VK_NULL_HANDLE;
      if (!simultaneous[i] && free_slot == SIMULTANEOUS_MAX)
         free_slot = i;
   }
   if (simultaneous_use && free_slot == SIMULTANEOUS_MAX)
      too_many("command buffers with SIMULTANEOUS_USE", SIMULTANEOUS_MAX);
   if (simultaneous_use)
      simultaneous[free_slot] = cb;
   pthread_mutex_unlock(&lock);
   recording_changes(cb);
   return next_begin(cb, info);
}

static VKAPI_ATTR VkResult VKAPI_CALL
pending_ResetCommandBuffer(VkCommandBuffer cb, VkCommandBufferResetFlags flags)
{
   recording_changes(cb);
   return next_reset_cmdbuf(cb, flags);
}

void
pv_crash_pending_freeing(uint32_t count, const VkCommandBuffer *cbs)
{
   for (uint32_t i = 0; checking() && i < count; i++)
      if (cbs[i])
         recording_changes(cbs[i]);
}

static VKAPI_ATTR void VKAPI_CALL
pending_CmdExecuteCommands(VkCommandBuffer primary, uint32_t count, const VkCommandBuffer *cbs)
{
   pthread_mutex_lock(&lock);
   for (uint32_t i = 0; i < count; i++) {
      uint64_t at = recording_of(cbs[i])->changes;
      struct recording *r = recording_of(primary);
      if (r->executed_count == EXECUTED_MAX)
         too_many("secondaries of a primary", EXECUTED_MAX);
      r->executed[r->executed_count] = cbs[i];
      r->executed_at[r->executed_count++] = at;
   }
   pthread_mutex_unlock(&lock);
   next_execute(primary, count, cbs);
}

static VKAPI_ATTR void VKAPI_CALL
pending_CmdBindDescriptorSets(VkCommandBuffer cb, VkPipelineBindPoint point,
                              VkPipelineLayout layout, uint32_t first, uint32_t count,
                              const VkDescriptorSet *sets, uint32_t offset_count,
                              const uint32_t *offsets)
{
   pthread_mutex_lock(&lock);
   struct recording *r = recording_of(cb);
   for (uint32_t i = 0; i < count; i++) {
      bool had = false;
      for (uint32_t j = 0; j < r->bound_count; j++)
         had |= r->bound[j] == sets[i];
      if (had || !sets[i])
         continue;
      if (r->bound_count == BOUND_MAX)
         too_many("descriptor sets bound in a recording", BOUND_MAX);
      r->bound[r->bound_count++] = sets[i];
   }
   pthread_mutex_unlock(&lock);
   next_bind_sets(cb, point, layout, first, count, sets, offset_count, offsets);
}

/* Whether the recording of `cb` binds `set`, itself or through the secondaries it executes. The
 * caller holds the lock. */
static bool
binds(VkCommandBuffer cb, VkDescriptorSet set, int depth)
{
   const struct recording *r = recording_of(cb);
   for (uint32_t i = 0; i < r->bound_count; i++)
      if (r->bound[i] == set)
         return true;
   for (uint32_t i = 0; depth == 0 && i < r->executed_count; i++)
      if (binds(r->executed[i], set, 1))
         return true;
   return false;
}

/* The caller holds the lock. */
static void
check_set_idle(VkDescriptorSet set)
{
   for (uint32_t i = 0; i < PENDING_MAX; i++) {
      if (!pending[i].done || signalled(&pending[i]))
         continue;
      for (uint32_t j = 0; j < pending[i].cmdbuf_count; j++)
         if (binds(pending[i].cmdbufs[j], set, 0)) {
            fprintf(stderr,
                    "pv_crash_layer: descriptor set 0x%llx written while a submission that "
                    "binds it runs\n",
                    (unsigned long long)set);
            abort();
         }
   }
}

static VKAPI_ATTR void VKAPI_CALL
pending_UpdateDescriptorSets(VkDevice dev, uint32_t write_count, const VkWriteDescriptorSet *writes,
                             uint32_t copy_count, const VkCopyDescriptorSet *copies)
{
   pthread_mutex_lock(&lock);
   forget_ended();
   for (uint32_t i = 0; i < write_count; i++)
      check_set_idle(writes[i].dstSet);
   for (uint32_t i = 0; i < copy_count; i++)
      check_set_idle(copies[i].dstSet);
   const char *slow = getenv("PV_LAYER_SLOW_WRITES");
   if (!slow || strcmp(slow, "1") || write_count != 1 || copy_count) {
      pthread_mutex_unlock(&lock);
      next_update_sets(dev, write_count, writes, copy_count, copies);
      return;
   }
   uint32_t slot = WRITING_MAX;
   for (uint32_t i = 0; slot == WRITING_MAX && i < WRITING_MAX; i++)
      if (!writing[i])
         slot = i;
   if (slot == WRITING_MAX)
      too_many("descriptor sets written at once", WRITING_MAX);
   writing[slot] = writes[0].dstSet;
   pthread_mutex_unlock(&lock);
   usleep(PV_SLOW_WRITE_US);
   next_update_sets(dev, write_count, writes, copy_count, copies);
   pthread_mutex_lock(&lock);
   writing[slot] = VK_NULL_HANDLE;
   pthread_mutex_unlock(&lock);
}

static VKAPI_ATTR VkResult VKAPI_CALL
pending_CreateSemaphore(VkDevice dev, const VkSemaphoreCreateInfo *info,
                        const VkAllocationCallbacks *alloc, VkSemaphore *out)
{
   VkResult r = next_create_semaphore(dev, info, alloc, out);
   const VkSemaphoreTypeCreateInfo *t = info->pNext;
   while (t && t->sType != VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO)
      t = t->pNext;
   if (r != VK_SUCCESS || !t || t->semaphoreType != VK_SEMAPHORE_TYPE_TIMELINE)
      return r;
   pthread_mutex_lock(&lock);
   for (uint32_t i = 0; i < TIMELINES_MAX; i++) {
      if (!timelines[i]) {
         timelines[i] = *out;
         break;
      }
   }
   pthread_mutex_unlock(&lock);
   return r;
}

PFN_vkVoidFunction
pv_crash_pending_proc(const char *name)
{
   if (!checking())
      return NULL;
   if (next_destroy_semaphore && !strcmp(name, "vkDestroySemaphore"))
      return (PFN_vkVoidFunction)pending_DestroySemaphore;
   if (next_begin && !strcmp(name, "vkBeginCommandBuffer"))
      return (PFN_vkVoidFunction)pending_BeginCommandBuffer;
   if (next_create_semaphore && !strcmp(name, "vkCreateSemaphore"))
      return (PFN_vkVoidFunction)pending_CreateSemaphore;
   if (next_execute && !strcmp(name, "vkCmdExecuteCommands"))
      return (PFN_vkVoidFunction)pending_CmdExecuteCommands;
   if (next_reset_cmdbuf && !strcmp(name, "vkResetCommandBuffer"))
      return (PFN_vkVoidFunction)pending_ResetCommandBuffer;
   if (next_bind_sets && !strcmp(name, "vkCmdBindDescriptorSets"))
      return (PFN_vkVoidFunction)pending_CmdBindDescriptorSets;
   if (next_update_sets && !strcmp(name, "vkUpdateDescriptorSets"))
      return (PFN_vkVoidFunction)pending_UpdateDescriptorSets;
   return NULL;
}

/* The device goes: the layer's fences with it (the driver waited for its queues first). */
void
pv_crash_pending_device_gone(void)
{
   pthread_mutex_lock(&lock);
   for (uint32_t i = 0; i < PENDING_MAX; i++) {
      if (pending[i].done && next_destroy_fence)
         next_destroy_fence(device, pending[i].done, NULL);
      pending[i].done = VK_NULL_HANDLE;
   }
   memset(timelines, 0, sizeof(timelines));
   memset(simultaneous, 0, sizeof(simultaneous));
   memset(recordings, 0, sizeof(recordings));
   memset(writing, 0, sizeof(writing));
   pthread_mutex_unlock(&lock);
}
