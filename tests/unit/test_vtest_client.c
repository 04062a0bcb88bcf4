/* SPDX-License-Identifier: MIT */
/*
 * Drives vtest_client_serve() over a socketpair the way Mesa 22.3.6 does, plus malformed
 * messages: every bad message must leave the connection open and still be answered. One case
 * speaks wire format 1 the way Mesa 25.0.7 does (6-dword batches, RING_IDX timelines).
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/log.h"
#include "vtest/vtest_client.h"
#include "vtest/vtest_protocol.h"
#include "vtest_harness.h"

static void
start(struct harness *h)
{
   start_wire(h, 0);
}

/* The 22.3.6 sequence up to CONTEXT_INIT. */
static void
handshake(struct harness *h)
{
   uint32_t r[64];
   create_renderer(h, "unit-test");
   send_msg(h, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
   const uint32_t probe[2] = {0, 0};
   send_msg(h, VCMD_RESOURCE_BUSY_WAIT, probe, 2);
   recv_reply(h, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
   recv_reply(h, VCMD_RESOURCE_BUSY_WAIT, r, 1);
   assert_int_equal(r[0], 0);
   const uint32_t version = 3;
   send_msg(h, VCMD_PROTOCOL_VERSION, &version, 1);
   recv_reply(h, VCMD_PROTOCOL_VERSION, r, 1);
   assert_int_equal(r[0], 3);
   const uint32_t param = VCMD_PARAM_MAX_TIMELINE_COUNT;
   send_msg(h, VCMD_GET_PARAM, &param, 1);
   recv_reply(h, VCMD_GET_PARAM, r, 2);
   assert_int_equal(r[0], 1);
   assert_true(r[1] > 0);
   const uint32_t capset[2] = {4, 0};
   send_msg(h, VCMD_GET_CAPSET, capset, 2);
   recv_reply(h, VCMD_GET_CAPSET, r, 41); /* valid + 160-byte capset */
   assert_int_equal(r[0], 1);
   assert_int_equal(r[1], h->wire); /* wire format */
   const uint32_t init = 4;
   send_msg(h, VCMD_CONTEXT_INIT, &init, 1);
}

static void
handshake_and_blob(void **state)
{
   (void)state;
   struct harness h;
   start(&h);
   handshake(&h);
   /* A 1 MiB shmem, as the guest creates for its reply stream. */
   const uint32_t blob[6] = {VCMD_BLOB_TYPE_HOST3D, 1, 1u << 20, 0, 0, 0};
   send_msg(&h, VCMD_RESOURCE_CREATE_BLOB, blob, 6);
   uint32_t res_id;
   recv_reply(&h, VCMD_RESOURCE_CREATE_BLOB, &res_id, 1);
   assert_int_not_equal(res_id, 0);
   int fd = recv_fd(&h);
   void *map = mmap(NULL, 1u << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   assert_true(map != MAP_FAILED);
   memset(map, 0xab, 1u << 20);
   munmap(map, 1u << 20);
   close(fd);
   send_msg(&h, VCMD_RESOURCE_UNREF, &res_id, 1);
   finish(&h);
   assert_int_equal(h.server_ret, 0);
}

static void
submit_signals_syncs_even_when_lost(void **state)
{
   (void)state;
   struct harness h;
   start(&h);
   handshake(&h);
   const uint32_t initial[2] = {0, 0};
   uint32_t sync_id;
   send_msg(&h, VCMD_SYNC_CREATE, initial, 2);
   recv_reply(&h, VCMD_SYNC_CREATE, &sync_id, 1);
   /* One batch, flags 0 (CPU timeline), a 2-dword command, one sync set to 1. */
   uint32_t p[1 + 8 + 2 + 3] = {1, 0, 9, 2, 11, 1, 0, 0, 0, 195, 1, sync_id, 1, 0};
   send_msg(&h, VCMD_SUBMIT_CMD2, p, 14);
   const uint32_t wait[5] = {0, VCMD_SYNC_WAIT_INFINITE, sync_id, 1, 0};
   send_msg(&h, VCMD_SYNC_WAIT, wait, 5);
   recv_reply(&h, VCMD_SYNC_WAIT, NULL, 0);
   int fd = recv_fd(&h);
   struct pollfd pfd = {.fd = fd, .events = POLLIN};
   assert_int_equal(poll(&pfd, 1, 1000), 1);
   close(fd);
   finish(&h);
}

static bool
signaled_now(struct harness *h, uint32_t sync_id)
{
   const uint32_t wait[5] = {0, 0, sync_id, 1, 0}; /* timeout 0 */
   send_msg(h, VCMD_SYNC_WAIT, wait, 5);
   recv_reply(h, VCMD_SYNC_WAIT, NULL, 0);
   int fd = recv_fd(h);
   struct pollfd pfd = {.fd = fd, .events = POLLIN};
   bool ready = poll(&pfd, 1, 1000) == 1;
   close(fd);
   return ready;
}

/* Mesa 25.0.7 framing: batch headers 6 dwords apart, every batch with RING_IDX. The CPU timeline
 * signals at once; a timeline no queue is bound to is refused (context lost) but its syncs are
 * still signaled, so the guest cannot hang on them. */
static void
wire1_batches_and_timelines(void **state)
{
   (void)state;
   struct harness h;
   start_wire(&h, 1);
   handshake(&h);
   const uint32_t initial[2] = {0, 0};
   uint32_t a, b;
   send_msg(&h, VCMD_SYNC_CREATE, initial, 2);
   recv_reply(&h, VCMD_SYNC_CREATE, &a, 1);
   send_msg(&h, VCMD_SYNC_CREATE, initial, 2);
   recv_reply(&h, VCMD_SYNC_CREATE, &b, 1);
   const uint32_t f = VCMD_SUBMIT_CMD2_FLAG_RING_IDX;
   /* count, 2 x {flags, cmd_offset, cmd_size, sync_offset, sync_count, ring_idx}, 2 syncs */
   uint32_t p[1 + 12 + 6] = {2, f, 13, 0, 13, 1, 0, f, 13, 0, 16, 1, 3, a, 1, 0, b, 5, 0};
   send_msg(&h, VCMD_SUBMIT_CMD2, p, 19);
   assert_true(signaled_now(&h, a));
   assert_true(signaled_now(&h, b));
   uint32_t r[2];
   send_msg(&h, VCMD_SYNC_READ, &b, 1);
   recv_reply(&h, VCMD_SYNC_READ, r, 2);
   assert_int_equal(r[0], 5);
   finish(&h);
   assert_int_equal(h.server_ret, 0);
}

static void
malformed_messages_keep_the_connection(void **state)
{
   (void)state;
   struct harness h;
   start(&h);
   handshake(&h);
   uint32_t r[4];
   /* Unknown command with a payload: drained, no reply. */
   const uint32_t junk[3] = {1, 2, 3};
   send_msg(&h, 999, junk, 3);
   /* GET_PARAM with the wrong size: drained, answered as failed. */
   send_msg(&h, VCMD_GET_PARAM, junk, 3);
   recv_reply(&h, VCMD_GET_PARAM, r, 2);
   assert_int_equal(r[0], 0);
   /* SYNC_READ of an unknown id. */
   const uint32_t bad_id = 77;
   send_msg(&h, VCMD_SYNC_READ, &bad_id, 1);
   recv_reply(&h, VCMD_SYNC_READ, r, 2);
   /* SUBMIT_CMD2 whose batch points past the payload, and one claiming 2^32-1 batches. */
   const uint32_t bad_submit[9] = {1, 0, 9, 1000, 9, 0, 0, 0, 0};
   send_msg(&h, VCMD_SUBMIT_CMD2, bad_submit, 9);
   const uint32_t huge[1] = {UINT32_MAX};
   send_msg(&h, VCMD_SUBMIT_CMD2, huge, 1);
   /* A blob the renderer cannot make still gets a reply and an fd. */
   const uint32_t blob[6] = {VCMD_BLOB_TYPE_HOST3D, 1, 0, 0, 0, 0};
   send_msg(&h, VCMD_RESOURCE_CREATE_BLOB, blob, 6);
   recv_reply(&h, VCMD_RESOURCE_CREATE_BLOB, r, 1);
   assert_int_equal(r[0], 0);
   int fd = recv_fd(&h);
   assert_true(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED);
   close(fd);
   /* A wait on an unknown sync comes back signaled, so the guest cannot hang on it. */
   const uint32_t wait[5] = {0, VCMD_SYNC_WAIT_INFINITE, 1234, 1, 0};
   send_msg(&h, VCMD_SYNC_WAIT, wait, 5);
   recv_reply(&h, VCMD_SYNC_WAIT, NULL, 0);
   fd = recv_fd(&h);
   struct pollfd pfd = {.fd = fd, .events = POLLIN};
   assert_int_equal(poll(&pfd, 1, 1000), 1);
   close(fd);
   /* Still alive: PING answers. */
   send_msg(&h, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
   recv_reply(&h, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
   finish(&h);
   assert_int_equal(h.server_ret, 0);
}

static void
garbage_before_create_renderer_closes(void **state)
{
   (void)state;
   struct harness h;
   start(&h);
   const uint32_t v = 3;
   send_msg(&h, VCMD_PROTOCOL_VERSION, &v, 1);
   char byte;
   /* EOF, or a reset because the server closed with our payload unread. */
   assert_true(read(h.sock, &byte, 1) <= 0);
   finish(&h);
}

static int
open_fds(void)
{
   int n = 0;
   for (int fd = 0; fd < 1024; fd++)
      n += fcntl(fd, F_GETFD) != -1;
   return n;
}

/* The failed form of SYNC_WAIT (an already signalled fd) to a guest that is gone: the answer
 * cannot be written, and the eventfd made for it is closed, not leaked one per connection (a
 * --threads server, or the parent answering for a dead client process, would run out of fds). */
static void
failure_reply_to_a_gone_guest_leaks_nothing(void **state)
{
   (void)state;
   for (int round = 0; round < 2; round++) {
      int sv[2];
      assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
      if (round == 1)
         close(sv[1]); /* gone before the answer */
      const int before = open_fds();
      const int r = vtest_client_reply_failure_on(sv[0], VCMD_SYNC_WAIT);
      assert_int_equal(open_fds(), before);
      assert_true(round == 0 ? r == 0 : r != 0);
      close(sv[0]);
      if (round == 0)
         close(sv[1]);
   }
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(handshake_and_blob),
      cmocka_unit_test(submit_signals_syncs_even_when_lost),
      cmocka_unit_test(wire1_batches_and_timelines),
      cmocka_unit_test(malformed_messages_keep_the_connection),
      cmocka_unit_test(garbage_before_create_renderer_closes),
      cmocka_unit_test(failure_reply_to_a_gone_guest_leaks_nothing),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
