/* SPDX-License-Identifier: MIT */
/*
 * Two paths of one context destroying the same objects at once, against the host driver
 * (lavapipe): a guest that breaks Vulkan's external synchronization across its rings. A ring
 * destroys 60 semaphores first to last while the context path destroys them last to first, so
 * the two meet on some semaphore, often inside the same moment. Before the destroy claim
 * (pv_cs_claim) both could hand one host handle to vkDestroySemaphore: a double free in the
 * host driver, which glibc or the sanitizers abort on. Now exactly one destroy of each runs and
 * the context is lost with a reason: the other path found the id gone, or found it claimed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "../codegen/wire_buf.h"
#include "../unit/venus_guest.h"
#include "pearvisor/pearvisor.h"

#include "host_icd.h"

#define INSTANCE 0x10u
#define PHYSDEV 0x20u
#define DEVICE 0x30u
#define RING_ID 0x1001u
#define RING_RES 2u
#define FIRST_SEMAPHORE 0x100u
/* vkDestroySemaphore is 32 bytes: 60 of them fit the ring's 2 KiB buffer in one go */
#define SEMAPHORES 60u
#define ROUNDS 300u

enum { CMD_CREATE_SEMAPHORE = 40, CMD_DESTROY_SEMAPHORE = 41, STYPE_SEMAPHORE_CREATE_INFO = 9 };

static void
create_semaphore(struct buf *b, uint64_t id)
{
   w32(b, CMD_CREATE_SEMAPHORE), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, STYPE_SEMAPHORE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w64(b, 0), w64(b, 1), w64(b, id);
}

static void
destroy_semaphore(struct buf *b, uint64_t id)
{
   w32(b, CMD_DESTROY_SEMAPHORE), w32(b, 0), w64(b, DEVICE), w64(b, id), w64(b, 0);
}

/* One round in a context of its own (the first failed destroy loses it); true when the loser
 * found the semaphore claimed rather than gone. */
static bool
race_round(struct pv_renderer *r)
{
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "destroy-race");
   assert_non_null(ctx);
   uint8_t *ring = map_blob(ctx, RING_RES, 8192);

   struct buf setup = {0};
   guest_device_stream(&setup, INSTANCE, PHYSDEV, DEVICE);
   for (uint32_t i = 0; i < SEMAPHORES; i++)
      create_semaphore(&setup, FIRST_SEMAPHORE + i);
   guest_create_ring(&setup, RING_ID, RING_RES, 3000000);
   assert_int_equal(pv_context_submit(ctx, setup.b, setup.n), 0);
   assert_false(pv_context_is_lost(ctx));

   struct buf up = {0}, down = {0};
   for (uint32_t i = 0; i < SEMAPHORES; i++) {
      destroy_semaphore(&up, FIRST_SEMAPHORE + i);
      destroy_semaphore(&down, FIRST_SEMAPHORE + SEMAPHORES - 1 - i);
   }
   uint32_t tail = guest_ring_submit(ctx, ring, RING_ID, &up);
   (void)pv_context_submit(ctx, down.b, down.n); /* fails once it meets the ring's work */
   if (!guest_ring_settled(ring, tail))
      fail_msg("the ring neither finished nor failed in 5 s");

   /* Whichever way they met, one destroy of some semaphore was refused. */
   assert_true(pv_context_is_lost(ctx));
   const char *why = pv_context_lost_reason(ctx);
   assert_non_null(why);
   bool claimed = strstr(why, "destroyed by two commands at once") != NULL;
   if (!claimed && !strstr(why, "unknown object id"))
      fail_msg("unexpected reason: %s", why);
   pv_context_destroy(ctx);
   munmap(ring, 8192);
   return claimed;
}

static void
test_destroy_race(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_test_renderer();
   assert_non_null(r);
   unsigned claimed = 0;
   for (unsigned i = 0; i < ROUNDS; i++)
      claimed += race_round(r);
   /* How often the two met inside one destroy depends on scheduling: reported, not required. */
   printf("%u of %u rounds met inside one destroy (refused by the claim)\n", claimed, ROUNDS);
   pv_renderer_destroy(r);
}

int
main(void)
{
   if (pv_test_host_missing())
      return 77;
   pv_set_log_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {cmocka_unit_test(test_destroy_race)};
   return cmocka_run_group_tests(tests, NULL, NULL);
}
