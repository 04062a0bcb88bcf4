/* SPDX-License-Identifier: MIT */
/* vk/memory_types: a memory type host pointers cannot back (a discrete GPU's BAR, "ReBAR")
 * loses its HOST_* flags in what the guest is told; every other type keeps its flags, and
 * software and integrated devices (host memory throughout) keep all of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vk/pv_vk.h"

#define DL VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT
#define HV VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT
#define HC VK_MEMORY_PROPERTY_HOST_COHERENT_BIT
#define HCA VK_MEMORY_PROPERTY_HOST_CACHED_BIT

/* The H200's list as the NVIDIA driver gives it: device-local, two system-memory types, and the
 * BAR (type 4) that VK_EXT_external_memory_host cannot import into. */
static VkPhysicalDeviceMemoryProperties
nvidia_like(void)
{
   VkPhysicalDeviceMemoryProperties m = {.memoryTypeCount = 5, .memoryHeapCount = 2};
   VkMemoryPropertyFlags f[5] = {0, DL, HV | HC, HV | HC | HCA, DL | HV | HC};
   for (uint32_t i = 0; i < 5; i++)
      m.memoryTypes[i] = (VkMemoryType){.propertyFlags = f[i], .heapIndex = (f[i] & DL) ? 0 : 1};
   return m;
}

static void
test_bar_loses_host_flags(void **state)
{
   (void)state;
   VkPhysicalDeviceMemoryProperties m = nvidia_like();
   pv_vk_hide_unmappable(&m, (1u << 2) | (1u << 3));
   assert_int_equal(m.memoryTypes[4].propertyFlags, DL);
   assert_int_equal(m.memoryTypes[4].heapIndex, 0);
   assert_int_equal(m.memoryTypes[1].propertyFlags, DL);
   assert_int_equal(m.memoryTypes[2].propertyFlags, HV | HC);
   assert_int_equal(m.memoryTypes[3].propertyFlags, HV | HC | HCA);
   assert_int_equal(m.memoryTypeCount, 5);
}

static void
test_all_importable_unchanged(void **state)
{
   (void)state;
   VkPhysicalDeviceMemoryProperties m = nvidia_like(), before = nvidia_like();
   pv_vk_hide_unmappable(&m, ~0u);
   for (uint32_t i = 0; i < 5; i++)
      assert_int_equal(m.memoryTypes[i].propertyFlags, before.memoryTypes[i].propertyFlags);
}

static void
test_rule_discrete_bar_only(void **state)
{
   (void)state;
   VkPhysicalDeviceMemoryProperties m = nvidia_like();
   uint32_t bits = pv_vk_host_importable_types(&m, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU);
   assert_true(bits & (1u << 2));
   assert_true(bits & (1u << 3));
   assert_false(bits & (1u << 4));
   pv_vk_hide_unmappable(&m, bits);
   assert_int_equal(m.memoryTypes[4].propertyFlags, DL);
   assert_int_equal(m.memoryTypes[2].propertyFlags, HV | HC);
}

static void
test_rule_software_and_integrated_keep_all(void **state)
{
   (void)state;
   /* lavapipe: one type, DEVICE_LOCAL | HOST_*, and it is host memory */
   VkPhysicalDeviceMemoryProperties m = {.memoryTypeCount = 1};
   m.memoryTypes[0].propertyFlags = DL | HV | HC | HCA;
   assert_int_equal(pv_vk_host_importable_types(&m, VK_PHYSICAL_DEVICE_TYPE_CPU), ~0u);
   assert_int_equal(pv_vk_host_importable_types(&m, VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU),
                    ~0u);
}

static void
test_count_bounded(void **state)
{
   (void)state;
   /* a host count past the array never makes it read or write outside it */
   VkPhysicalDeviceMemoryProperties m = {.memoryTypeCount = 40};
   for (uint32_t i = 0; i < VK_MAX_MEMORY_TYPES; i++)
      m.memoryTypes[i].propertyFlags = DL | HV;
   pv_vk_hide_unmappable(&m, 0);
   for (uint32_t i = 0; i < VK_MAX_MEMORY_TYPES; i++)
      assert_int_equal(m.memoryTypes[i].propertyFlags, DL);
   assert_int_equal(pv_vk_host_importable_types(&m, VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU), 0);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bar_loses_host_flags),
      cmocka_unit_test(test_all_importable_unchanged),
      cmocka_unit_test(test_rule_discrete_bar_only),
      cmocka_unit_test(test_rule_software_and_integrated_keep_all),
      cmocka_unit_test(test_count_bounded),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
