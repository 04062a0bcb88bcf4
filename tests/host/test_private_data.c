/* SPDX-License-Identifier: MIT */
/*
 * vkSetPrivateData and vkGetPrivateData against the host driver (lavapipe): their object is a
 * bare 64-bit handle, which the host driver casts to its object and writes through. A guest's
 * value must never reach it as such (src/vk/guard_private_data.c): an id of the device or of one
 * of its objects becomes our host handle, anything else (a made-up handle, an id of another type,
 * the instance) loses the context with a reason. Before the guard, the host driver dereferenced
 * the guest's value (a segfault here, or a write to wherever it pointed).
 */
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
#define SLOT 0x50u

enum {
   CMD_CREATE_FENCE = 35,
   CMD_CREATE_PRIVATE_DATA_SLOT = 197,
   CMD_SET_PRIVATE_DATA = 199,
   CMD_GET_PRIVATE_DATA = 200,
   STYPE_FENCE_CREATE_INFO = 8,
   STYPE_PRIVATE_DATA_SLOT_CREATE_INFO = 1000295002,
   TYPE_INSTANCE = 1,
   TYPE_DEVICE = 3,
   TYPE_FENCE = 7,
   TYPE_BUFFER = 9,
};

static void
set_data(struct buf *b, uint32_t type, uint64_t handle, uint64_t data)
{
   w32(b, CMD_SET_PRIVATE_DATA), w32(b, 0), w64(b, DEVICE), w32(b, type), w64(b, handle);
   w64(b, SLOT), w64(b, data);
}

static void
get_data(struct buf *b, uint32_t type, uint64_t handle)
{
   w32(b, CMD_GET_PRIVATE_DATA), w32(b, 0), w64(b, DEVICE), w32(b, type), w64(b, handle);
   w64(b, SLOT), w64(b, 1);
}

/* A context with a device, a fence and a private data slot; then `b`. The reason it was lost
 * for, or NULL. */
static const char *
run(struct pv_renderer *r, const struct buf *b, char *why, size_t size)
{
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "private-data");
   assert_non_null(ctx);
   struct buf setup = {0};
   guest_device_stream(&setup, INSTANCE, PHYSDEV, DEVICE);
   w32(&setup, CMD_CREATE_FENCE), w32(&setup, 0), w64(&setup, DEVICE), w64(&setup, 1);
   w32(&setup, STYPE_FENCE_CREATE_INFO), w64(&setup, 0), w32(&setup, 0);
   w64(&setup, 0), w64(&setup, 1), w64(&setup, FENCE);
   w32(&setup, CMD_CREATE_PRIVATE_DATA_SLOT), w32(&setup, 0), w64(&setup, DEVICE), w64(&setup, 1);
   w32(&setup, STYPE_PRIVATE_DATA_SLOT_CREATE_INFO), w64(&setup, 0), w32(&setup, 0);
   w64(&setup, 0), w64(&setup, 1), w64(&setup, SLOT);
   assert_int_equal(pv_context_submit(ctx, setup.b, setup.n), 0);
   assert_false(pv_context_is_lost(ctx));
   (void)pv_context_submit(ctx, b->b, b->n);
   const char *lost = NULL;
   if (pv_context_is_lost(ctx)) {
      snprintf(why, size, "%s", pv_context_lost_reason(ctx));
      lost = why;
   }
   pv_context_destroy(ctx);
   return lost;
}

static void
test_private_data(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   char why[512];

   struct buf ok = {0};
   set_data(&ok, TYPE_DEVICE, DEVICE, 7);
   set_data(&ok, TYPE_FENCE, FENCE, 8);
   get_data(&ok, TYPE_FENCE, FENCE);
   const char *lost = run(r, &ok, why, sizeof(why));
   if (lost)
      fail_msg("the device's own objects: lost: %s", lost);

   static const struct {
      const char *what;
      bool get;
      uint32_t type;
      uint64_t handle;
   } bad[] = {
      {"a made-up handle", false, TYPE_BUFFER, 0x4141414141410000ull},
      {"a made-up handle read", true, TYPE_FENCE, 0x4141414141410000ull},
      {"the fence's id as a buffer", false, TYPE_BUFFER, FENCE},
      {"the instance", false, TYPE_INSTANCE, INSTANCE},
      {"the fence's id as the device", true, TYPE_DEVICE, FENCE},
   };
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      struct buf b = {0};
      if (bad[i].get)
         get_data(&b, bad[i].type, bad[i].handle);
      else
         set_data(&b, bad[i].type, bad[i].handle, 9);
      lost = run(r, &b, why, sizeof(why));
      if (!lost || !strstr(lost, "is not an object of the device"))
         fail_msg("%s: %s", bad[i].what, lost ? lost : "not lost");
   }
   pv_renderer_destroy(r);
}

int
main(void)
{
   if (pv_test_host_missing())
      return 77;
   pv_set_log_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {cmocka_unit_test(test_private_data)};
   return cmocka_run_group_tests(tests, NULL, NULL);
}
