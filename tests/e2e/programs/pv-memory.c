/* SPDX-License-Identifier: MIT */
/*
 * pv-memory: host-visible memory written and read by the app through mappings, with the GPU
 * copying (vkCmdCopyBuffer) and transforming (compute: x * mul + i + add) in between.
 *   4 KiB: eight buffers suballocated from one allocation at aligned offsets, each written
 *          through its own vkMapMemory(offset, 4096) / vkUnmapMemory; read back through a whole
 *          mapping and through a mapping at one buffer's offset.
 *   1 MiB and 64 MiB: source written in four mappings at offsets, results read back through
 *          mappings of each half and a whole mapping, with flush / invalidate calls.
 */
#include "pv_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute_comp_spv.h"

#define SUB_COUNT 8u
#define SUB_SIZE 4096u

static const VkMemoryPropertyFlags host_flags =
   VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
static const VkBufferUsageFlags usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                        VK_BUFFER_USAGE_TRANSFER_DST_BIT |
                                        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;

static uint32_t
pattern(uint32_t seed, uint32_t i)
{
   return (i * 0x01000193u) ^ seed;
}

static VkDeviceSize
round_up(VkDeviceSize v, VkDeviceSize a)
{
   return (v + a - 1) / a * a;
}

static void *
map(const struct pv_ctx *c, VkDeviceMemory mem, VkDeviceSize offset, VkDeviceSize size)
{
   void *p = NULL;
   PV_CHECK(vkMapMemory(c->device, mem, offset, size, 0, &p));
   if (!p)
      pv_fail("vkMapMemory returned NULL");
   return p;
}

static void
flush(const struct pv_ctx *c, VkDeviceMemory mem, VkDeviceSize mapped_offset, bool invalidate)
{
   const VkMappedMemoryRange range = {VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE, NULL, mem,
                                      mapped_offset, VK_WHOLE_SIZE};
   if (invalidate)
      PV_CHECK(vkInvalidateMappedMemoryRanges(c->device, 1, &range));
   else
      PV_CHECK(vkFlushMappedMemoryRanges(c->device, 1, &range));
}

/* got[0..count) against pattern(seed, first + i), or its transform x * mul + index + add when
 * xf (the index counting from the start of the dispatch, which is element 0 here). */
static void
check(const char *what, const uint32_t *got, uint32_t first, uint32_t count, uint32_t seed, bool xf,
      uint32_t mul, uint32_t add)
{
   for (uint32_t i = 0; i < count; i++) {
      uint32_t want = pattern(seed, first + i);
      if (xf)
         want = want * mul + first + i + add;
      if (got[i] != want)
         pv_fail("%s: element %u is 0x%08x, expected 0x%08x", what, first + i, got[i], want);
   }
}

/* Eight 4 KiB buffers in one allocation. */
static void
test_suballocated(const struct pv_ctx *c, const struct pv_compute *k)
{
   VkBuffer bufs[SUB_COUNT];
   VkMemoryRequirements req = {0};
   uint32_t type_bits = ~0u;
   for (uint32_t i = 0; i < SUB_COUNT; i++) {
      const VkBufferCreateInfo bci = {
         .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
         .size = SUB_SIZE,
         .usage = usage,
      };
      PV_CHECK(vkCreateBuffer(c->device, &bci, NULL, &bufs[i]));
      vkGetBufferMemoryRequirements(c->device, bufs[i], &req);
      type_bits &= req.memoryTypeBits;
   }
   VkDeviceSize align = req.alignment;
   if (align < c->props.limits.nonCoherentAtomSize)
      align = c->props.limits.nonCoherentAtomSize;
   if (align < c->props.limits.minStorageBufferOffsetAlignment)
      align = c->props.limits.minStorageBufferOffsetAlignment;
   const VkDeviceSize stride = round_up(req.size > SUB_SIZE ? req.size : SUB_SIZE, align);
   const uint32_t type = pv_find_memory_type(c, type_bits, host_flags);
   if (type == UINT32_MAX)
      pv_fail("no host-visible coherent memory type for buffers");
   const VkMemoryAllocateInfo mai = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, NULL,
                                     stride * SUB_COUNT, type};
   VkDeviceMemory mem;
   PV_CHECK(vkAllocateMemory(c->device, &mai, NULL, &mem));
   for (uint32_t i = 0; i < SUB_COUNT; i++)
      PV_CHECK(vkBindBufferMemory(c->device, bufs[i], mem, i * stride));

   /* Each buffer written through its own mapping at its offset; destinations get a marker. */
   for (uint32_t i = 0; i < SUB_COUNT; i++) {
      uint32_t *p = map(c, mem, i * stride, SUB_SIZE);
      for (uint32_t j = 0; j < SUB_SIZE / 4; j++)
         p[j] = i % 2 == 0 ? pattern(0x1000u * i, j) : 0xdeadbeefu;
      vkUnmapMemory(c->device, mem);
   }

   /* 0 -> 1 and 4 -> 5 copied, 2 -> 3 and 6 -> 7 transformed. */
   VkCommandBuffer cmd = pv_cmd_begin(c);
   for (uint32_t i = 0; i < SUB_COUNT; i += 2) {
      if (i % 4 == 0) {
         const VkBufferCopy region = {0, 0, SUB_SIZE};
         vkCmdCopyBuffer(cmd, bufs[i], bufs[i + 1], 1, &region);
      } else {
         VkDescriptorSet set = pv_compute_set(c, k, bufs[i], 0, bufs[i + 1], 0, SUB_SIZE);
         pv_compute_dispatch(cmd, k, set, SUB_SIZE / 4, 5, i);
      }
   }
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                     VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(c, cmd);

   const uint8_t *whole = map(c, mem, 0, VK_WHOLE_SIZE);
   for (uint32_t i = 0; i < SUB_COUNT; i++) {
      const uint32_t *p = (const uint32_t *)(whole + i * stride);
      const uint32_t seed = 0x1000u * (i & ~1u);
      if (i % 2 == 0 || i % 4 == 1)
         check("4 KiB suballocation (whole map)", p, 0, SUB_SIZE / 4, seed, false, 0, 0);
      else
         check("4 KiB suballocation (whole map)", p, 0, SUB_SIZE / 4, seed, true, 5, i - 1);
   }
   vkUnmapMemory(c->device, mem);
   const uint32_t *p7 = map(c, mem, 7 * stride, VK_WHOLE_SIZE);
   check("4 KiB suballocation (map at offset)", p7, 0, SUB_SIZE / 4, 0x6000u, true, 5, 6);
   vkUnmapMemory(c->device, mem);

   for (uint32_t i = 0; i < SUB_COUNT; i++)
      vkDestroyBuffer(c->device, bufs[i], NULL);
   vkFreeMemory(c->device, mem, NULL);
}

struct alloc {
   VkBuffer buffer;
   VkDeviceMemory memory;
};

static struct alloc
alloc_buffer(const struct pv_ctx *c, VkDeviceSize size)
{
   struct alloc a;
   const VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = size,
      .usage = usage,
   };
   PV_CHECK(vkCreateBuffer(c->device, &bci, NULL, &a.buffer));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(c->device, a.buffer, &req);
   const uint32_t type = pv_find_memory_type(c, req.memoryTypeBits, host_flags);
   if (type == UINT32_MAX)
      pv_fail("no host-visible coherent memory type for buffers");
   const VkMemoryAllocateInfo mai = {VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO, NULL, req.size, type};
   PV_CHECK(vkAllocateMemory(c->device, &mai, NULL, &a.memory));
   PV_CHECK(vkBindBufferMemory(c->device, a.buffer, a.memory, 0));
   return a;
}

static void
test_size(const struct pv_ctx *c, const struct pv_compute *k, VkDeviceSize size)
{
   const uint32_t count = (uint32_t)(size / 4), quarter = count / 4, half = count / 2;
   const uint32_t seed = (uint32_t)size ^ 0xabcdef01u, mul = 0x9e3779b1u, add = 0x55u;
   struct alloc src = alloc_buffer(c, size), copy = alloc_buffer(c, size);
   struct alloc xform = alloc_buffer(c, size);

   for (uint32_t q = 0; q < 4; q++) {
      uint32_t *p = map(c, src.memory, (VkDeviceSize)q * quarter * 4, (VkDeviceSize)quarter * 4);
      for (uint32_t j = 0; j < quarter; j++)
         p[j] = pattern(seed, q * quarter + j);
      vkUnmapMemory(c->device, src.memory);
   }
   /* A mapping kept across the flush, then a fresh one to check the writes stuck. */
   const uint32_t *s = map(c, src.memory, 0, VK_WHOLE_SIZE);
   flush(c, src.memory, 0, false);
   check("source after 4 mapped writes", s, 0, count, seed, false, 0, 0);
   vkUnmapMemory(c->device, src.memory);

   VkCommandBuffer cmd = pv_cmd_begin(c);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_WRITE_BIT,
                     VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                     VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_SHADER_READ_BIT);
   const VkBufferCopy region = {0, 0, size};
   vkCmdCopyBuffer(cmd, src.buffer, copy.buffer, 1, &region);
   VkDescriptorSet set = pv_compute_set(c, k, src.buffer, 0, xform.buffer, 0, size);
   pv_compute_dispatch(cmd, k, set, count, mul, add);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                     VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   pv_cmd_submit_wait(c, cmd);

   char what[64];
   snprintf(what, sizeof(what), "%llu KiB copy, second half", (unsigned long long)size / 1024);
   const uint32_t *p = map(c, copy.memory, (VkDeviceSize)half * 4, VK_WHOLE_SIZE);
   flush(c, copy.memory, (VkDeviceSize)half * 4, true);
   check(what, p, half, count - half, seed, false, 0, 0);
   vkUnmapMemory(c->device, copy.memory);
   snprintf(what, sizeof(what), "%llu KiB copy, first half", (unsigned long long)size / 1024);
   p = map(c, copy.memory, 0, (VkDeviceSize)half * 4);
   check(what, p, 0, half, seed, false, 0, 0);
   vkUnmapMemory(c->device, copy.memory);
   snprintf(what, sizeof(what), "%llu KiB transform", (unsigned long long)size / 1024);
   p = map(c, xform.memory, 0, VK_WHOLE_SIZE);
   flush(c, xform.memory, 0, true);
   check(what, p, 0, count, seed, true, mul, add);
   vkUnmapMemory(c->device, xform.memory);

   struct alloc all[] = {src, copy, xform};
   for (size_t i = 0; i < PV_ARRAY_SIZE(all); i++) {
      vkDestroyBuffer(c->device, all[i].buffer, NULL);
      vkFreeMemory(c->device, all[i].memory, NULL);
   }
}

int
main(void)
{
   struct pv_ctx c;
   pv_init(&c, "pv-memory", NULL);
   struct pv_compute k;
   pv_compute_init(&c, &k, pv_compute_comp_spv, sizeof(pv_compute_comp_spv), 8);
   test_suballocated(&c, &k);
   PV_CHECK(vkResetDescriptorPool(c.device, k.pool, 0));
   test_size(&c, &k, 1u << 20);
   PV_CHECK(vkResetDescriptorPool(c.device, k.pool, 0));
   test_size(&c, &k, 64u << 20);
   pv_compute_fini(&c, &k);
   pv_fini(&c);
   pv_pass(&c, "8 x 4 KiB suballocated, 1 MiB and 64 MiB mapped at offsets, copied and "
               "transformed, every word checked");
   return 0;
}
