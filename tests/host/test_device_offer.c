/* SPDX-License-Identifier: MIT */
/*
 * vkCreateDevice against the host driver (lavapipe): a guest may enable only what the device
 * offered it. An extension it was not offered (one withheld, as buffer device addresses are on a
 * CPU device, or one the host lacks) fails the create with VK_ERROR_EXTENSION_NOT_PRESENT, a
 * withheld feature with VK_ERROR_FEATURE_NOT_PRESENT, as a driver answers; neither reaches the
 * host driver. Mesa's guests check this themselves, so only a hostile stream sends them.
 * Whether the device was made is seen by using its id next (an unknown id loses the context).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../codegen/wire_buf.h"
#include "../unit/venus_guest.h"
#include "pearvisor/pearvisor.h"

#include "host_icd.h"

#define INSTANCE 0x10u
#define PHYSDEV 0x20u
#define DEVICE 0x30u
#define FENCE 0x40u

enum {
   CMD_CREATE_DEVICE = 11,
   CMD_CREATE_FENCE = 35,
   STYPE_DEVICE_CREATE_INFO = 3,
   STYPE_DEVICE_QUEUE_CREATE_INFO = 2,
   STYPE_FENCE_CREATE_INFO = 8,
   STYPE_BUFFER_DEVICE_ADDRESS_FEATURES = 1000257000,
};

static pthread_mutex_t g_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_warning[512];

static void
keep_warning(void *data, enum pv_log_level level, const char *message)
{
   (void)data;
   pthread_mutex_lock(&g_log_lock);
   if (level == PV_LOG_WARN && strstr(message, "vkCreateDevice"))
      snprintf(g_warning, sizeof(g_warning), "%s", message);
   pthread_mutex_unlock(&g_log_lock);
}

/* vkCreateDevice of one queue with `exts` enabled and, if `address_feature`, the buffer device
 * address feature chained. */
static void
create_device(struct buf *b, const char *const *exts, uint32_t ext_count, bool address_feature)
{
   w32(b, CMD_CREATE_DEVICE), w32(b, 0), w64(b, PHYSDEV), w64(b, 1);
   w32(b, STYPE_DEVICE_CREATE_INFO);
   if (address_feature) {
      w64(b, 1), w32(b, STYPE_BUFFER_DEVICE_ADDRESS_FEATURES), w64(b, 0);
      w32(b, 1), w32(b, 0), w32(b, 0);
   } else {
      w64(b, 0);
   }
   w32(b, 0), w32(b, 1), w64(b, 1); /* flags, one queue create info */
   w32(b, STYPE_DEVICE_QUEUE_CREATE_INFO), w64(b, 0), w32(b, 0), w32(b, 0), w32(b, 1);
   w64(b, 1), w32(b, 0x3f800000);
   w32(b, 0), w64(b, 0); /* no layers */
   w32(b, ext_count), w64(b, ext_count);
   for (uint32_t i = 0; i < ext_count; i++)
      wstr(b, exts[i]);
   w64(b, 0), w64(b, 0), w64(b, 1), w64(b, DEVICE); /* features, allocator, the id */
}

/* Creates the instance, its physical device and the device of `create`, then a fence of that
 * device. True when the device was made (the fence's command found it); the warning logged. */
static bool
device_made(struct pv_renderer *r, const struct buf *create)
{
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "device-offer");
   assert_non_null(ctx);
   struct buf setup = {0};
   guest_device_stream(&setup, INSTANCE, PHYSDEV, 0x99); /* the stream's own device, unused */
   assert_int_equal(pv_context_submit(ctx, setup.b, setup.n), 0);
   assert_false(pv_context_is_lost(ctx));
   g_warning[0] = '\0';
   struct buf b = *create;
   w32(&b, CMD_CREATE_FENCE), w32(&b, 0), w64(&b, DEVICE), w64(&b, 1);
   w32(&b, STYPE_FENCE_CREATE_INFO), w64(&b, 0), w32(&b, 0);
   w64(&b, 0), w64(&b, 1), w64(&b, FENCE);
   (void)pv_context_submit(ctx, b.b, b.n);
   bool made = !pv_context_is_lost(ctx);
   pv_context_destroy(ctx);
   return made;
}

static void
test_device_offer(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);

   static const char *const offered[] = {"VK_EXT_robustness2", "VK_KHR_maintenance4"};
   struct buf b = {0};
   create_device(&b, offered, 2, false);
   assert_true(device_made(r, &b));
   assert_string_equal(g_warning, "");

   static const struct {
      const char *name;
      const char *want; /* in the warning */
   } refused[] = {
      {"VK_KHR_buffer_device_address", "VK_KHR_buffer_device_address"}, /* withheld here */
      {"VK_EXT_buffer_device_address", "VK_EXT_buffer_device_address"},
      {"VK_PV_no_such_extension", "VK_PV_no_such_extension"},
   };
   for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
      const char *const exts[] = {"VK_EXT_robustness2", refused[i].name};
      b.n = 0;
      create_device(&b, exts, 2, false);
      if (device_made(r, &b) || !strstr(g_warning, refused[i].want))
         fail_msg("%s: the device was made or no warning (%s)", refused[i].name, g_warning);
   }
   /* the feature without the extension: Vulkan 1.2 has it in core */
   b.n = 0;
   create_device(&b, NULL, 0, true);
   if (device_made(r, &b) || !strstr(g_warning, "buffer device addresses"))
      fail_msg("the buffer device address feature: made, or no warning (%s)", g_warning);
   pv_renderer_destroy(r);
}

int
main(void)
{
   if (pv_test_host_missing())
      return 77;
   if (!pv_test_host_is_lavapipe()) {
      printf("skip: the withheld extensions are a CPU device's\n");
      return 77;
   }
   pv_set_log_level(PV_LOG_WARN);
   pv_set_log_callback(keep_warning, NULL);
   const struct CMUnitTest tests[] = {cmocka_unit_test(test_device_offer)};
   int rc = cmocka_run_group_tests(tests, NULL, NULL);
   pv_set_log_callback(NULL, NULL);
   return rc;
}
