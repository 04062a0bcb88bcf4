/* SPDX-License-Identifier: MIT */
/*
 * pv-fd-hog: allocates and maps 1 MiB host-visible allocations (too large for the guest driver's
 * suballocation pool; each keeps a memfd open in the server) until the server refuses, for
 * tests/fault/test-fd-budget: with `serve --threads` the refusal must come from the client's fd
 * budget long before the shared fd table is full, as a Vulkan error (at allocation, or at the
 * map when the guest allocated asynchronously); freeing gives the budget back.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pv_common.h"

#define MAX_ALLOCS 8192u

int
main(void)
{
   struct pv_ctx c;
   pv_init(&c, "pv-fd-hog", NULL);
   uint32_t type = pv_find_memory_type(&c, ~0u, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
   if (type == UINT32_MAX)
      pv_fail("no host-visible memory type");
   VkDeviceMemory *mem = calloc(MAX_ALLOCS, sizeof(*mem));
   if (!mem)
      pv_fail("out of memory");
   const VkMemoryAllocateInfo info = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                      .allocationSize = 1u << 20,
                                      .memoryTypeIndex = type};
   uint32_t n = 0;
   VkResult r = VK_SUCCESS;
   for (; n < MAX_ALLOCS; n++) {
      r = vkAllocateMemory(c.device, &info, NULL, &mem[n]);
      if (r != VK_SUCCESS)
         break;
      void *p;
      r = vkMapMemory(c.device, mem[n], 0, VK_WHOLE_SIZE, 0, &p);
      if (r != VK_SUCCESS)
         break; /* an asynchronous allocation the server refused: its handle is dead, not freed */
   }
   if (n == MAX_ALLOCS)
      pv_fail("%u allocations and no refusal", n);
   if (r != VK_ERROR_OUT_OF_DEVICE_MEMORY && r != VK_ERROR_OUT_OF_HOST_MEMORY &&
       r != VK_ERROR_MEMORY_MAP_FAILED)
      pv_fail("allocation %u refused with %s", n, pv_result_name(r));
   printf("pv-fd-hog: refused after %u allocations (%s)\n", n, pv_result_name(r));
   for (uint32_t i = 0; i < n; i++)
      vkFreeMemory(c.device, mem[i], NULL);
   PV_CHECK(vkAllocateMemory(c.device, &info, NULL, &mem[0]));
   vkFreeMemory(c.device, mem[0], NULL);
   free(mem);
   pv_pass(&c, "refused after %u allocations, the budget came back", n);
   pv_fini(&c);
   return 0;
}
