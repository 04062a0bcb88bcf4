/* SPDX-License-Identifier: MIT */
/*
 * pv-address-space: do two VkDevices of one process share a device address space? Device A
 * fills a buffer with its pattern; device B, given A's buffer device address, copies four words
 * from it into a buffer of its own with a shader (address_copy.comp). The finding:
 *   shared    B's shader read A's words: a device address of one device reaches the other's
 *             memory (on a CPU device both are plain pointers of the process);
 *   separate  it did not: B read its own buffer at the same address, or something else, or the
 *             read faulted (the device was lost);
 *   withheld  the device offers no buffer device addresses (what PearVisor does where they could
 *             reach another context's memory: SECURITY.md).
 * Two instances, each with its device, are what two guest contexts sharing a renderer process
 * hold (`serve --threads`, the library in-process); through a Venus guest each instance is a
 * context of its own. `--expect FINDING` (or `offered`: shared or separate; default any) makes
 * another finding a FAIL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv_common.h"

#include "address_copy_comp_spv.h"

#define WORDS 4

struct addr_buffer {
   VkBuffer buffer;
   VkDeviceMemory memory;
   uint32_t *map;
   VkDeviceAddress address;
};

/* Whether the first physical device offers bufferDeviceAddress, and its name (a throwaway
 * instance: pv_init would fail on a feature the device lacks). */
static bool
offers_addresses(char *name, size_t size)
{
   VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                            .apiVersion = VK_API_VERSION_1_3};
   VkInstanceCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                               .pApplicationInfo = &app};
   VkInstance instance;
   PV_CHECK(vkCreateInstance(&ici, NULL, &instance));
   uint32_t n = 1;
   VkPhysicalDevice phys;
   VkResult r = vkEnumeratePhysicalDevices(instance, &n, &phys);
   if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || n == 0)
      pv_fail("no Vulkan physical device (%s)", pv_result_name(r));
   VkPhysicalDeviceProperties props;
   vkGetPhysicalDeviceProperties(phys, &props);
   snprintf(name, size, "%s", props.deviceName);
   VkPhysicalDeviceVulkan12Features f12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
   VkPhysicalDeviceFeatures2 f = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                  .pNext = &f12};
   bool offered = false;
   if (props.apiVersion >= VK_API_VERSION_1_2) {
      vkGetPhysicalDeviceFeatures2(phys, &f);
      offered = f12.bufferDeviceAddress;
   }
   vkDestroyInstance(instance, NULL);
   return offered;
}

static void
addr_buffer_create(const struct pv_ctx *c, struct addr_buffer *b, uint32_t first_word)
{
   VkBufferCreateInfo bci = {
      .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
      .size = WORDS * sizeof(uint32_t),
      .usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
   };
   PV_CHECK(vkCreateBuffer(c->device, &bci, NULL, &b->buffer));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(c->device, b->buffer, &req);
   uint32_t type = pv_find_memory_type(c, req.memoryTypeBits,
                                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                          VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   if (type == UINT32_MAX)
      pv_fail("no host-visible coherent memory type for a storage buffer");
   VkMemoryAllocateFlagsInfo flags = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
                                      .flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT};
   VkMemoryAllocateInfo mai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                               .pNext = &flags,
                               .allocationSize = req.size,
                               .memoryTypeIndex = type};
   PV_CHECK(vkAllocateMemory(c->device, &mai, NULL, &b->memory));
   PV_CHECK(vkBindBufferMemory(c->device, b->buffer, b->memory, 0));
   PV_CHECK(vkMapMemory(c->device, b->memory, 0, VK_WHOLE_SIZE, 0, (void **)&b->map));
   for (uint32_t i = 0; i < WORDS; i++)
      b->map[i] = first_word + i;
   VkBufferDeviceAddressInfo info = {.sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO,
                                     .buffer = b->buffer};
   b->address = vkGetBufferDeviceAddress(c->device, &info);
}

static void
addr_buffer_destroy(const struct pv_ctx *c, struct addr_buffer *b)
{
   vkDestroyBuffer(c->device, b->buffer, NULL);
   vkFreeMemory(c->device, b->memory, NULL);
}

/* Device c copies WORDS words from address src to dst; the submission's result (a fault may
 * lose the device). */
static VkResult
copy_by_address(const struct pv_ctx *c, VkDeviceAddress src, VkDeviceAddress dst)
{
   struct pv_compute k;
   pv_compute_init_layout(c, &k, pv_address_copy_comp_spv, sizeof(pv_address_copy_comp_spv), 0,
                          2 * sizeof(uint64_t), 0);
   VkCommandBuffer cmd = pv_cmd_begin(c);
   uint64_t push[2] = {src, dst};
   vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, k.pipeline);
   vkCmdPushConstants(cmd, k.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(push), push);
   vkCmdDispatch(cmd, 1, 1, 1);
   pv_memory_barrier(cmd, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                     VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
   PV_CHECK(vkEndCommandBuffer(cmd));
   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence;
   PV_CHECK(vkCreateFence(c->device, &fci, NULL, &fence));
   VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd};
   VkResult r = vkQueueSubmit(c->queue, 1, &si, fence);
   if (r == VK_SUCCESS)
      r = vkWaitForFences(c->device, 1, &fence, VK_TRUE, 10ull * 1000 * 1000 * 1000);
   if (r == VK_SUCCESS) { /* a lost device is left as it is: the program ends */
      vkDestroyFence(c->device, fence, NULL);
      vkFreeCommandBuffers(c->device, c->pool, 1, &cmd);
      pv_compute_fini(c, &k);
   }
   return r;
}

/* "shared" when B's shader copied A's words, whatever else it read otherwise. */
static const char *
finding_of(const uint32_t *out, uint32_t a_first)
{
   for (uint32_t i = 0; i < WORDS; i++)
      if (out[i] != a_first + i)
         return "separate";
   return "shared";
}

static bool
expected(const char *want, const char *finding)
{
   if (!strcmp(want, "any"))
      return true;
   if (!strcmp(want, "offered"))
      return strcmp(finding, "withheld") != 0;
   return !strcmp(want, finding);
}

int
main(int argc, char **argv)
{
   const char *want = "any";
   if (argc == 3 && !strcmp(argv[1], "--expect"))
      want = argv[2];
   else if (argc != 1) {
      fprintf(stderr, "usage: %s [--expect shared|separate|withheld|offered|any]\n", argv[0]);
      return 2;
   }
   pv_set_program("pv-address-space");
   char name[VK_MAX_PHYSICAL_DEVICE_NAME_SIZE];
   if (!offers_addresses(name, sizeof(name))) {
      if (!expected(want, "withheld"))
         pv_fail("device addresses withheld, expected %s", want);
      printf("pv-address-space: PASS: withheld: the device offers no buffer device addresses "
             "(device: %s)\n",
             name);
      return 0;
   }
   VkPhysicalDeviceVulkan12Features f12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
      .bufferDeviceAddress = VK_TRUE,
   };
   struct pv_init_options opts = {
      .device_pnext = &f12, .min_api_version = VK_API_VERSION_1_2, .no_validation = true};
   struct pv_ctx a, b;
   pv_init(&a, "pv-address-space", &opts);
   pv_init(&b, "pv-address-space", &opts);
   const uint32_t a_first = 0xa0000001u, b_first = 0xb0000001u;
   struct addr_buffer in_a, in_b, out_b;
   addr_buffer_create(&a, &in_a, a_first);
   addr_buffer_create(&b, &in_b, b_first);
   addr_buffer_create(&b, &out_b, 0);
   memset(out_b.map, 0, WORDS * sizeof(uint32_t));
   VkResult r = copy_by_address(&b, in_a.address, out_b.address);
   const char *finding = r == VK_SUCCESS ? finding_of(out_b.map, a_first) : "separate";
   char words[64];
   snprintf(words, sizeof(words), "%08x %08x %08x %08x", out_b.map[0], out_b.map[1], out_b.map[2],
            out_b.map[3]);
   if (!expected(want, finding))
      pv_fail("%s (B read %s through A's address), expected %s", finding,
              r == VK_SUCCESS ? words : pv_result_name(r), want);
   pv_pass(&b, "%s: device B %s through device A's address 0x%llx (B's own buffer: 0x%llx)",
           finding, r == VK_SUCCESS ? words : pv_result_name(r), (unsigned long long)in_a.address,
           (unsigned long long)in_b.address);
   if (r != VK_SUCCESS)
      return 0;
   addr_buffer_destroy(&b, &out_b);
   addr_buffer_destroy(&b, &in_b);
   addr_buffer_destroy(&a, &in_a);
   pv_fini(&b);
   pv_fini(&a);
   return 0;
}
