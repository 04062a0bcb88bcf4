/* SPDX-License-Identifier: MIT */
/* vk/fence_pool: which destroyed fences are kept (reset first) and handed to the next create, and
 * which are destroyed as before: one a submission may still signal, one on a lost device, one
 * past the pool's size; one given twice is kept once; the pool's fences are destroyed with the
 * device, after another path's running command. A stub driver counts the calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "renderer/context.h"
#include "vk/pv_vk.h"

static VkResult status_answer;
static int resets, destroys;

static VKAPI_ATTR VkResult VKAPI_CALL
stub_status(VkDevice d, VkFence f)
{
   (void)d, (void)f;
   return status_answer;
}

static VKAPI_ATTR VkResult VKAPI_CALL
stub_reset(VkDevice d, uint32_t n, const VkFence *f)
{
   (void)d, (void)f;
   resets += (int)n;
   return VK_SUCCESS;
}

static VKAPI_ATTR void VKAPI_CALL
stub_destroy(VkDevice d, VkFence f, const VkAllocationCallbacks *a)
{
   (void)d, (void)f, (void)a;
   destroys++;
}

static struct pv_vk_device
stub_device(void)
{
   struct pv_vk_device d = {
      .GetFenceStatus = stub_status, .ResetFences = stub_reset, .DestroyFence = stub_destroy};
   pthread_mutex_init(&d.fence_pool.lock, NULL);
   resets = destroys = 0;
   return d;
}

#define FENCE(n) ((VkFence)(uintptr_t)(n))

static void
test_kept_and_taken(void **state)
{
   (void)state;
   struct pv_vk_device d = stub_device();
   assert_ptr_equal(pv_vk_fence_pool_take(&d), VK_NULL_HANDLE);
   status_answer = VK_SUCCESS; /* signalled: its submission is done */
   assert_true(pv_vk_fence_pool_give(&d, FENCE(0x10), false));
   assert_int_equal(resets, 1);
   status_answer = VK_NOT_READY; /* never submitted since its reset */
   assert_true(pv_vk_fence_pool_give(&d, FENCE(0x20), false));
   assert_int_equal(resets, 2); /* reset anyway: drops a payload imported for a while */
   assert_ptr_equal(pv_vk_fence_pool_take(&d), FENCE(0x20));
   assert_ptr_equal(pv_vk_fence_pool_take(&d), FENCE(0x10));
   assert_ptr_equal(pv_vk_fence_pool_take(&d), VK_NULL_HANDLE);
   assert_int_equal(destroys, 0);
   pthread_mutex_destroy(&d.fence_pool.lock);
}

/* One fence destroyed on two rings at once is given twice: it must be handed out once, not to
 * two vkCreateFence calls, and never destroyed by the second give. */
static void
test_given_twice_kept_once(void **state)
{
   (void)state;
   struct pv_vk_device d = stub_device();
   status_answer = VK_SUCCESS;
   assert_true(pv_vk_fence_pool_give(&d, FENCE(0x10), false));
   assert_true(pv_vk_fence_pool_give(&d, FENCE(0x10), false));
   assert_ptr_equal(pv_vk_fence_pool_take(&d), FENCE(0x10));
   assert_ptr_equal(pv_vk_fence_pool_take(&d), VK_NULL_HANDLE);
   assert_int_equal(destroys, 0);
   pthread_mutex_destroy(&d.fence_pool.lock);
}

static void
test_refused(void **state)
{
   (void)state;
   struct pv_vk_device d = stub_device();
   status_answer = VK_NOT_READY; /* a tracked submission may still signal it */
   assert_false(pv_vk_fence_pool_give(&d, FENCE(0x10), true));
   status_answer = VK_ERROR_DEVICE_LOST;
   assert_false(pv_vk_fence_pool_give(&d, FENCE(0x20), false));
   assert_int_equal(resets, 0);
   assert_ptr_equal(pv_vk_fence_pool_take(&d), VK_NULL_HANDLE);
   pthread_mutex_destroy(&d.fence_pool.lock);
}

/* Emptied with its device: destroyed once a command another path runs now has ended (it may
 * have taken one just before), and nothing is kept afterwards. */
static void
test_full_then_emptied(void **state)
{
   (void)state;
   struct pv_vk_device d = stub_device();
   struct pv_context ctx = {0};
   struct pv_reclaim_reader other;
   pv_reclaim_init(&ctx.reclaim, &ctx);
   pv_reclaim_join(&ctx.reclaim, &other);
   status_answer = VK_SUCCESS;
   for (uint32_t i = 0; i < PV_FENCE_POOL; i++)
      assert_true(pv_vk_fence_pool_give(&d, FENCE(0x100 + i), false));
   assert_false(pv_vk_fence_pool_give(&d, FENCE(0x999), false)); /* the caller destroys it */
   pv_reclaim_enter(&ctx.reclaim, &other);                       /* another ring's command begins */
   pv_vk_fence_pool_empty(&ctx, &d);
   assert_int_equal(destroys, 0);
   assert_ptr_equal(pv_vk_fence_pool_take(&d), VK_NULL_HANDLE);
   assert_false(pv_vk_fence_pool_give(&d, FENCE(0x10), false)); /* closed: the caller destroys */
   pv_reclaim_exit(&ctx.reclaim, &other);                       /* ... and ends */
   assert_int_equal(destroys, (int)PV_FENCE_POOL);
   pv_reclaim_leave(&ctx.reclaim, &other);
   pv_reclaim_fini(&ctx.reclaim, true);
   pthread_mutex_destroy(&d.fence_pool.lock);
}

static void
test_plain(void **state)
{
   (void)state;
   VkFenceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   assert_true(pv_vk_fence_is_plain(&ci));
   ci.flags = VK_FENCE_CREATE_SIGNALED_BIT;
   assert_false(pv_vk_fence_is_plain(&ci));
   VkExportFenceCreateInfo ex = {.sType = VK_STRUCTURE_TYPE_EXPORT_FENCE_CREATE_INFO};
   ci = (VkFenceCreateInfo){.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, .pNext = &ex};
   assert_false(pv_vk_fence_is_plain(&ci));
   assert_false(pv_vk_fence_is_plain(NULL));
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kept_and_taken),
      cmocka_unit_test(test_given_twice_kept_once),
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_full_then_emptied),
      cmocka_unit_test(test_plain),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
