/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile's Workgroup (shared) and private memory checks, and specialization constants that
 * size or trap the host's compiler (pv_hostile.h). On lavapipe
 * llvmpipe neither bounds nor clears the block a compute shader's shared variables live in, and
 * sizes it in 32 bits; the server clamps the indices, zeroes the variables
 * (src/vk/spirv_shared.c) and bounds the size (src/vk/spirv_var_size.c), and caps what an
 * invocation's Private and Function arrays take of llvmpipe's stacks.
 */
#include "pv_hostile.h"

#include <stdio.h>
#include <string.h>

#include "private_size_comp_spv.h"
#include "shared_oob_comp_spv.h"
#include "shared_size_comp_spv.h"
#include "shared_stale_comp_spv.h"
#include "spec_divide_comp_spv.h"

#define STALE_GROUPS 16u
#define STALE_WORDS (STALE_GROUPS * 256u)
#define STALE_PATTERN 0x5a5a5a5au

static void
barrier(VkCommandBuffer cmd)
{
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT,
                     VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                     VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT);
}

/* Whether the run goes through the server to lavapipe, the one host whose shared memory it
 * changes: natively these are that driver's own heap accesses, and a GPU traps an index past
 * the end (NVIDIA: the context is lost) and keeps its own shared memory. */
static bool
served_lavapipe(const struct pv_hostile *h, const char *what)
{
   if (strstr(h->c.props.deviceName, "llvmpipe") && strstr(h->c.props.deviceName, "Venus"))
      return true;
   printf("pv-hostile: valid: %s left out on %s (it runs through the server on lavapipe)\n", what,
          h->c.props.deviceName);
   return false;
}

static void
stale_dispatch(struct pv_hostile *h, const struct pv_compute *k, VkDescriptorSet set, uint32_t mode,
               uint32_t groups)
{
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   const uint32_t push[2] = {mode, STALE_PATTERN};
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->layout, 0, 1, &set, 0, NULL);
   vkCmdPushConstants(cmd, k->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
   vkCmdDispatch(cmd, groups, 1, 1);
   barrier(cmd);
   pv_cmd_submit_wait(&h->c, cmd);
}

/* Shared memory read before it is written (shaders/shared_stale.comp): 64 workgroups fill
 * their array with a pattern, then 16 read theirs first. Natively on lavapipe (22.3.6) the
 * second dispatch reads the pattern, the block as its thread last left it; through the server
 * every word reads 0. */
static void
shared_read_first(struct pv_hostile *h)
{
   static struct pv_compute k;
   static struct pv_buffer out;
   pv_compute_init_layout(&h->c, &k, pv_shared_stale_comp_spv, sizeof(pv_shared_stale_comp_spv), 1,
                          8, 1);
   pv_hostile_buffer(h, &out, 4 * 64 * 256, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   VkDescriptorSet set = pv_compute_set_buffers(&h->c, &k, &out.buffer, 1);
   stale_dispatch(h, &k, set, 0, 64);
   memset(out.map, 0x77, 4 * STALE_WORDS);
   stale_dispatch(h, &k, set, 1, STALE_GROUPS);
   const uint32_t *o = out.map;
   for (uint32_t i = 0; i < STALE_WORDS; i++)
      if (o[i] != 0)
         pv_fail("%s: word %u of shared memory read before any write is 0x%08x, not 0", h->name, i,
                 o[i]);
}

/* A shared array of 4 written at index 10^8 and read from index 8 on (shaders/shared_oob.comp):
 * undefined in Vulkan, and on lavapipe its heap (SIGSEGV at that index; heap pointers read).
 * Through the server on lavapipe the indices are clamped: the run ends and every word read back
 * is one the array held. Elsewhere it is left out and said so: natively on lavapipe it is that
 * driver's own heap access, and a GPU traps it (NVIDIA: the context is lost), which the server
 * does not change. */
static void
shared_past_end(struct pv_hostile *h)
{
   static struct pv_compute k;
   static struct pv_buffer out;
   pv_compute_init_layout(&h->c, &k, pv_shared_oob_comp_spv, sizeof(pv_shared_oob_comp_spv), 1, 12,
                          1);
   pv_hostile_buffer(h, &out, PV_HOSTILE_SIZE, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   VkDescriptorSet set = pv_compute_set_buffers(&h->c, &k, &out.buffer, 1);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   /* reads from index 8 on: past the array and the slack of as many elements it gets
    * (src/vk/spirv_shared.c), which holds what the block held before, as shared memory does */
   const uint32_t push[3] = {100000000u, 0x5eedu, 8u};
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.pipeline);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.layout, 0, 1, &set, 0, NULL);
   vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
   vkCmdDispatch(cmd, 1, 1, 1);
   barrier(cmd);
   pv_cmd_submit_wait(&h->c, cmd);
   const uint32_t *o = out.map;
   for (int i = 0; i < 16; i++)
      if (o[i] != 0x5eedu && o[i] != 0x11u && o[i] != 0x22u && o[i] != 0x33u && o[i] != 0x44u)
         pv_fail("%s: word %d read past a shared array is 0x%08x, which it never held", h->name, i,
                 o[i]);
}

void
pv_hostile_valid_shared(struct pv_hostile *h)
{
   if (served_lavapipe(h, "shared memory read past its end and before it is written")) {
      shared_past_end(h);
      shared_read_first(h);
   }
}

/* A compute pipeline of `k`'s module with specialization constant 0 set to `n`, dispatched
 * once with `push` (4 bytes, or none): the server refuses the pipeline. */
static void
specialized_dispatch(struct pv_hostile *h, struct pv_compute *k, uint32_t n, const uint32_t *push)
{
   static struct pv_buffer out;
   pv_hostile_buffer(h, &out, 4 * 64, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, 0);
   const VkSpecializationMapEntry e = {0, 0, 4};
   const VkSpecializationInfo si = {1, &e, 4, &n};
   const VkComputePipelineCreateInfo cpci = {
      .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
      .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = k->module,
                .pName = "main",
                .pSpecializationInfo = &si},
      .layout = k->layout};
   VkPipeline pipe = VK_NULL_HANDLE;
   if (PV_HOSTILE_NOTE(h, vkCreateComputePipelines(h->c.device, VK_NULL_HANDLE, 1, &cpci, NULL,
                                                   &pipe)) != VK_SUCCESS)
      return;
   VkDescriptorSet set = pv_compute_set_buffers(&h->c, k, &out.buffer, 1);
   VkCommandBuffer cmd = pv_cmd_begin(&h->c);
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipe);
   vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k->layout, 0, 1, &set, 0, NULL);
   if (push)
      vkCmdPushConstants(cmd, k->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, 4, push);
   vkCmdDispatch(cmd, 1, 1, 1);
   pv_hostile_submit(h, cmd);
}

/* The shared-size case: shaders/shared_size.comp's array specialized to 0x40000001 elements
 * (4 GiB + 4 bytes, past maxComputeSharedMemorySize on every device). The server refuses the
 * pipeline; natively on lavapipe the size wraps to a block of 8 bytes. */
void
pv_hostile_shared_size(struct pv_hostile *h)
{
   static struct pv_compute k; /* its own pipeline: N = 64 */
   pv_compute_init_layout(&h->c, &k, pv_shared_size_comp_spv, sizeof(pv_shared_size_comp_spv), 1, 0,
                          1);
   specialized_dispatch(h, &k, 0x40000001u, NULL);
}

/* The private-size case: shaders/private_size.comp's Function array specialized to 0xFFFFFFFF
 * elements. Vulkan sets no limit; the server refuses it where the host keeps such arrays on its
 * threads' stacks (lavapipe: natively a SIGSEGV in vkCreateComputePipelines). */
void
pv_hostile_private_size(struct pv_hostile *h)
{
   static struct pv_compute k; /* its own pipeline: N = 4 */
   pv_compute_init_layout(&h->c, &k, pv_private_size_comp_spv, sizeof(pv_private_size_comp_spv), 1,
                          4, 1);
   const uint32_t push = 7;
   specialized_dispatch(h, &k, 0xffffffffu, &push);
}

/* The spec-divide case: shaders/spec_divide.comp's `A / -1` specialized to A = INT_MIN. The
 * server refuses the pipeline on every host; natively lavapipe dies of SIGFPE creating it. */
void
pv_hostile_spec_divide(struct pv_hostile *h)
{
   static struct pv_compute k; /* its own pipeline: A = 1 */
   pv_compute_init_layout(&h->c, &k, pv_spec_divide_comp_spv, sizeof(pv_spec_divide_comp_spv), 1, 0,
                          1);
   specialized_dispatch(h, &k, 0x80000000u, NULL);
}
