/* SPDX-License-Identifier: MIT */
/*
 * The malformed-input suite (issue 7 item 4): a table of crafted guest inputs, each run on a
 * fresh context through the public API (pv_context_submit, a ring, pv_context_create_blob) or
 * through the vtest client, for both wire formats. Every case must leave the process alive, the
 * bad context lost AND the guest told (wire 0: reply commands still answered, with
 * VK_ERROR_DEVICE_LOST where they return a VkResult, the ring head advancing, the extra-word
 * round trip answered; wire 1: the FATAL ring status bit), a second healthy context of the same
 * renderer untouched, and nothing leaked (fds counted here, memory by ASan's leak check: this
 * runs under ASan+UBSan). Most cases need no host Vulkan instance: Vulkan commands name ids the
 * context does not have, and wrong object types are checked at the decoder level with a typed id
 * hook. Where lavapipe is installed, a last category builds a real instance, device, queue,
 * buffer and fence through the stream first (double destroy, use after destroy, ids already in
 * use, wrong types, an absent required array in vkQueueSubmit); lavapipe's own small leaks are
 * suppressed by module name. "N malformed cases" at the end counts them all.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../codegen/wire_buf.h"
#include "venus_guest.h"
#include "pearvisor/pearvisor.h"
#include "protocol/pv_protocol.h"
#include "pv_protocol_gen.h"
#include "util/log.h"
#include "vtest_harness.h"

enum {
   CMD_CREATE_INSTANCE = 0,
   CMD_ENUM_INSTANCE_EXTENSIONS = 13,
   CMD_SET_REPLY = 178,
   CMD_SEEK_REPLY = 179,
   CMD_EXECUTE_STREAMS = 180,
   CMD_CREATE_RING = 188,
   CMD_DESTROY_RING = 189,
   CMD_WRITE_RING_EXTRA = 191,
   CMD_GET_MEMORY_RESOURCE_PROPS = 192,
   CMD_EXPERIMENTAL = 195,
   CMD_ENUM_INSTANCE_VERSION = 137,
   CMD_SUBMIT_VQ_SEQNO = 251,
   CMD_WAIT_RING_SEQNO = 253,
   STYPE_RING_CREATE_INFO = 1000384000,
   STYPE_MEMORY_RESOURCE_PROPS = 1000384001,
   REPLY_FLAG = 1,
   VK_ERROR_INVALID_EXTERNAL_HANDLE_ = -1000072003,
};

#define RING_A 0x5595c5a3c230ull /* valid, res 2, created before every context case */
#define RING_B 0x5595c5a3c231ull /* the bad ones, res 3 */
#define REPLY_SIZE 4096u
#define RING_RES_SIZE 8192u
#define UPLOAD_SIZE 4096u

/* ----- the table ---------------------------------------------------------------------------- */

enum category {
   CAT_TRUNCATION,
   CAT_HUGE_COUNT,
   CAT_RING_LAYOUT,
   CAT_BLOB,
   CAT_BAD_ID,
   CAT_UNKNOWN_COMMAND,
   CAT_LIFETIME,
   CAT_RING_PATH,
   CAT_WRONG_TYPE,
   CAT_BLOB_API,
   CAT_VTEST,
   CAT_REAL_OBJECTS,
   CAT_COUNT
};

static const char *const category_names[CAT_COUNT] = {
   "truncation", "huge count / size overflow", "ring layout", "blob offsets and resources",
   "bad ids", "unknown or never-sent command", "double destroy / use after destroy",
   "bad command on a ring", "wrong object type (decoder)", "blob API", "vtest message size",
   "real objects on lavapipe (double destroy, use after destroy, ids in use, wrong types)",
};

enum pre_action {
   PRE_NONE,
   PRE_DESTROY_RING_A,
   PRE_UNREF_UPLOAD,
   PRE_NESTED_STREAM,
   PRE_LAVAPIPE, /* a real instance, device, queue, buffer and fence exist (ids below) */
};

#define LVP_ICD "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"
#define OBJ_INSTANCE 0x10u
#define OBJ_PHYSDEV 0x20u
#define OBJ_DEVICE 0x30u
#define OBJ_QUEUE 0x40u
#define OBJ_BUFFER 0x50u
#define OBJ_FENCE 0x60u
static bool have_lavapipe;

/* lavapipe (and the LLVM it loads) leaves a few small allocations behind per instance; the
 * loader dlcloses it, so LeakSanitizer could not even name the module. The suite keeps it
 * loaded (RTLD_NODELETE) and suppresses leaks whose stacks are in it, nothing else. */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
   return "leak:libvulkan_lvp.so\nleak:libLLVM\n";
}

struct mcase {
   char name[96];
   enum category cat;
   uint32_t wire;
   bool on_ring;         /* the bytes go through ring A instead of the context path */
   bool kills_ring_a;    /* the bytes destroy ring A before their fatal command */
   size_t index;         /* blob API cases: the row of blob_api[] */
   enum pre_action pre;
   struct buf *bytes;    /* guest bytes (context cases, decoder cases) */
   uint32_t vtest_cmd;   /* vtest cases: command and payload size in dwords */
   uint32_t vtest_dwords;
   int32_t want_objtype; /* decoder cases */
   const char *want_reason; /* real-object cases: the lost reason holds this, when set */
   int32_t lost_reply;      /* real-object cases: the fatal command's type, whose reply at
                             * LOST_REPLY_AT must say VK_ERROR_DEVICE_LOST; 0: none asked */
};

/* Where a real-object case that asks for a reply has it written (check_guest_told uses 1024
 * and 2048). */
#define LOST_REPLY_AT 3072u

#define MAX_CASES 720
static struct mcase cases[MAX_CASES];
static size_t ncases;

static struct mcase *
add(enum category cat, uint32_t wire, const struct buf *b, const char *fmt, ...)
   __attribute__((format(printf, 4, 5)));

static struct mcase *
add(enum category cat, uint32_t wire, const struct buf *b, const char *fmt, ...)
{
   assert_true(ncases < MAX_CASES);
   struct mcase *c = &cases[ncases++];
   memset(c, 0, sizeof(*c));
   c->cat = cat;
   c->wire = wire;
   if (b) {
      c->bytes = malloc(sizeof(*b));
      assert_non_null(c->bytes);
      memcpy(c->bytes, b, sizeof(*b));
   }
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(c->name, sizeof(c->name), fmt, ap);
   va_end(ap);
   return c;
}

/* ----- command builders --------------------------------------------------------------------- */

static void
cmd_set_reply(struct buf *b, uint32_t res, uint64_t offset, uint64_t size)
{
   w32(b, CMD_SET_REPLY), w32(b, 0), w64(b, 1), w32(b, res), w64(b, offset), w64(b, size);
}

static void
cmd_seek(struct buf *b, uint64_t pos)
{
   w32(b, CMD_SEEK_REPLY), w32(b, 0), w64(b, pos);
}

static void
cmd_write_extra(struct buf *b, uint64_t ring, uint64_t offset, uint32_t value)
{
   w32(b, CMD_WRITE_RING_EXTRA), w32(b, 0), w64(b, ring), w64(b, offset), w32(b, value);
}

static void
cmd_destroy_ring(struct buf *b, uint64_t ring)
{
   w32(b, CMD_DESTROY_RING), w32(b, 0), w64(b, ring);
}

static void
cmd_props(struct buf *b, uint32_t res)
{
   w32(b, CMD_GET_MEMORY_RESOURCE_PROPS), w32(b, REPLY_FLAG), w64(b, 0), w32(b, res);
   w64(b, 1), w32(b, STYPE_MEMORY_RESOURCE_PROPS), w64(b, 0);
}

static void
cmd_instance_version(struct buf *b)
{
   w32(b, CMD_ENUM_INSTANCE_VERSION), w32(b, REPLY_FLAG), w64(b, 1);
}

struct ring_layout {
   uint64_t ring;
   uint32_t res;
   uint64_t offset, size, head, tail, status, buffer, buffer_size, extra, extra_size;
};

static const struct ring_layout good_layout = {
   .ring = RING_B, .res = 3, .offset = 0, .size = RING_AREA, .head = 0, .tail = 64,
   .status = 128, .buffer = 192, .buffer_size = RING_BUFFER, .extra = 192 + RING_BUFFER,
   .extra_size = 4,
};

/* The 22.3.6 layout (venus-wire.md 4.2), no chain, idle timeout 1 ms. */
static void
cmd_create_ring(struct buf *b, const struct ring_layout *l)
{
   w32(b, CMD_CREATE_RING), w32(b, 0), w64(b, l->ring), w64(b, 1);
   w32(b, STYPE_RING_CREATE_INFO), w64(b, 0), w32(b, 0), w32(b, l->res);
   w64(b, l->offset), w64(b, l->size), w64(b, 1000000);
   w64(b, l->head), w64(b, l->tail), w64(b, l->status);
   w64(b, l->buffer), w64(b, l->buffer_size), w64(b, l->extra), w64(b, l->extra_size);
}

struct stream_desc {
   uint32_t res;
   uint64_t offset, size;
};

static void
cmd_execute(struct buf *b, uint32_t count, uint64_t wire_count, const struct stream_desc *s,
            uint32_t ns)
{
   w32(b, CMD_EXECUTE_STREAMS), w32(b, 0), w32(b, count), w64(b, wire_count);
   for (uint32_t i = 0; i < ns; i++)
      w32(b, s[i].res), w64(b, s[i].offset), w64(b, s[i].size);
   w64(b, 0), w32(b, 0), w64(b, 0), w32(b, 0);
}

/* ----- real objects (lavapipe) ----------------------------------------------------------------- */

static void
cmd_create_buffer(struct buf *b, uint64_t device, uint64_t id)
{
   w32(b, 50), w32(b, 0), w64(b, device), w64(b, 1), w32(b, 12), w64(b, 0);
   w32(b, 0), w64(b, 65536), w32(b, 0x82), w32(b, VK_SHARING_MODE_EXCLUSIVE), w32(b, 0);
   w64(b, 0), w64(b, 0), w64(b, 1), w64(b, id);
}

static void
cmd_destroy_buffer(struct buf *b, uint64_t device, uint64_t id)
{
   w32(b, 51), w32(b, 0), w64(b, device), w64(b, id), w64(b, 0);
}

static void
cmd_create_fence(struct buf *b, uint64_t device, uint64_t id)
{
   w32(b, 35), w32(b, 0), w64(b, device), w64(b, 1), w32(b, 8), w64(b, 0), w32(b, 0);
   w64(b, 0), w64(b, 1), w64(b, id);
}

static void
cmd_get_queue(struct buf *b, uint64_t device, uint64_t id)
{
   w32(b, 17), w32(b, 0), w64(b, device), w32(b, 0), w32(b, 0), w64(b, 1), w64(b, id);
}

/* vkQueueSubmit of one VkSubmitInfo: `waits` semaphores claimed, `wait_ids` on the wire. */
static void
cmd_queue_submit(struct buf *b, uint64_t queue, uint32_t waits, uint32_t wait_ids,
                 uint64_t cmdbuf, uint64_t fence)
{
   w32(b, 18), w32(b, 0), w64(b, queue), w32(b, 1), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_SUBMIT_INFO), w64(b, 0), w32(b, waits), w64(b, wait_ids);
   for (uint32_t i = 0; i < wait_ids; i++)
      w64(b, OBJ_FENCE); /* never reached: the count check comes first */
   w64(b, wait_ids);
   for (uint32_t i = 0; i < wait_ids; i++)
      w32(b, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT);
   w32(b, cmdbuf ? 1 : 0), w64(b, cmdbuf ? 1 : 0);
   if (cmdbuf)
      w64(b, cmdbuf);
   w32(b, 0), w64(b, 0), w64(b, fence);
}

/* Instance, physical device, device with one queue, the queue, a buffer and a fence. */
static void
lvp_objects(struct buf *b)
{
   guest_device_stream(b, OBJ_INSTANCE, OBJ_PHYSDEV, OBJ_DEVICE);
   cmd_get_queue(b, OBJ_DEVICE, OBJ_QUEUE);
   cmd_create_buffer(b, OBJ_DEVICE, OBJ_BUFFER);
   cmd_create_fence(b, OBJ_DEVICE, OBJ_FENCE);
}

/* ----- the environment of one context case -------------------------------------------------- */

static struct pv_renderer *renderers[2];
static struct pv_context *healthy[2];
static uint8_t *healthy_reply[2];

struct env {
   uint32_t wire;
   struct pv_context *ctx;
   uint8_t *reply, *ring, *upload;
   bool ring_alive;
};

/* The guest side of ring A; returns the new tail. */
static uint32_t
ring_submit(struct env *e, const struct buf *b)
{
   return guest_ring_submit(e->ctx, e->ring, RING_A, b);
}

static void
env_open(struct env *e, uint32_t wire)
{
   memset(e, 0, sizeof(*e));
   e->wire = wire;
   e->ctx = pv_context_create(renderers[wire], PV_CAPSET_VENUS, "malformed");
   assert_non_null(e->ctx);
   e->reply = map_blob(e->ctx, 1, REPLY_SIZE);
   e->ring = map_blob(e->ctx, 2, RING_RES_SIZE);
   e->upload = map_blob(e->ctx, 3, UPLOAD_SIZE);
   struct buf b = {0};
   struct ring_layout a = good_layout;
   a.ring = RING_A, a.res = 2;
   cmd_set_reply(&b, 1, 0, REPLY_SIZE);
   cmd_create_ring(&b, &a);
   assert_int_equal(pv_context_submit(e->ctx, b.b, b.n), 0);
   e->ring_alive = true;
}

static void
env_close(struct env *e)
{
   pv_context_destroy(e->ctx);
   munmap(e->reply, REPLY_SIZE);
   munmap(e->ring, RING_RES_SIZE);
   munmap(e->upload, UPLOAD_SIZE);
}

static bool
wait_lost(struct pv_context *ctx)
{
   for (int i = 0; i < 5000 && !pv_context_is_lost(ctx); i++)
      sleep_ms(1);
   return pv_context_is_lost(ctx);
}

/* The healthy context of this wire format still answers. */
static void
check_healthy(uint32_t wire)
{
   struct buf b = {0};
   memset(healthy_reply[wire], 0xee, 64);
   cmd_set_reply(&b, 1, 0, 64);
   cmd_props(&b, 1);
   assert_int_equal(pv_context_submit(healthy[wire], b.b, b.n), 0);
   assert_false(pv_context_is_lost(healthy[wire]));
   assert_int_equal(rd32(healthy_reply[wire]), CMD_GET_MEMORY_RESOURCE_PROPS);
   assert_int_equal((int32_t)rd32(healthy_reply[wire] + 4), VK_ERROR_INVALID_EXTERNAL_HANDLE_);
}

/* The lost context still tells the guest. */
static void
check_guest_told(struct env *e)
{
   /* Context path: a VkResult reply command answers VK_ERROR_DEVICE_LOST. */
   struct buf b = {0};
   memset(e->reply + 1024, 0xee, 64);
   cmd_set_reply(&b, 1, 1024, 64);
   cmd_instance_version(&b);
   assert_int_equal(pv_context_submit(e->ctx, b.b, b.n), -1);
   assert_int_equal(rd32(e->reply + 1024), CMD_ENUM_INSTANCE_VERSION);
   assert_int_equal((int32_t)rd32(e->reply + 1028), VK_ERROR_DEVICE_LOST);
   if (!e->ring_alive)
      return;
   if (e->wire == 1) {
      assert_true(wait_until(ring_ctl(e->ring, 128), STATUS_FATAL, STATUS_FATAL));
      return;
   }
   /* Wire 0: the ring keeps advancing and answering, round trips through the extra word. */
   struct buf r = {0};
   memset(e->reply + 2048, 0xee, 64);
   cmd_set_reply(&r, 1, 2048, 64);
   cmd_instance_version(&r);
   uint32_t tail = ring_submit(e, &r);
   assert_true(wait_until(ring_ctl(e->ring, 0), ~0u, tail));
   assert_int_equal(rd32(e->reply + 2048), CMD_ENUM_INSTANCE_VERSION);
   assert_int_equal((int32_t)rd32(e->reply + 2052), VK_ERROR_DEVICE_LOST);
   struct buf x = {0};
   cmd_write_extra(&x, RING_A, 0, 0xc0ffee);
   pv_context_submit(e->ctx, x.b, x.n);
   assert_int_equal(rd32(e->ring + 192 + RING_BUFFER), 0xc0ffee);
}

static void
run_context_case(const struct mcase *c)
{
   struct env e;
   env_open(&e, c->wire);
   if (c->pre == PRE_DESTROY_RING_A) {
      struct buf d = {0};
      cmd_destroy_ring(&d, RING_A);
      assert_int_equal(pv_context_submit(e.ctx, d.b, d.n), 0);
      e.ring_alive = false;
   } else if (c->pre == PRE_UNREF_UPLOAD) {
      pv_context_destroy_blob(e.ctx, 3);
   } else if (c->pre == PRE_NESTED_STREAM) {
      struct stream_desc s = {3, 0, 64};
      struct buf n = {0};
      cmd_execute(&n, 1, 1, &s, 1); /* the stream executes itself */
      assert_int_equal(n.n, 64);
      memcpy(e.upload, n.b, n.n);
   } else if (c->pre == PRE_LAVAPIPE) {
      struct buf o = {0};
      lvp_objects(&o);
      assert_int_equal(pv_context_submit(e.ctx, o.b, o.n), 0);
   }
   if (c->kills_ring_a)
      e.ring_alive = false;
   assert_false(pv_context_is_lost(e.ctx));
   memset(e.reply + LOST_REPLY_AT, 0xee, 64);
   if (c->on_ring) {
      uint32_t tail = ring_submit(&e, c->bytes);
      assert_true(wait_lost(e.ctx));
      assert_true(wait_until(ring_ctl(e.ring, 0), ~0u, tail)); /* skipped, not stuck */
   } else {
      assert_int_equal(pv_context_submit(e.ctx, c->bytes->b, c->bytes->n), -1);
   }
   assert_true(pv_context_is_lost(e.ctx));
   if (c->want_reason && !strstr(pv_context_lost_reason(e.ctx), c->want_reason))
      fail_msg("%s: lost for %s, want %s", c->name, pv_context_lost_reason(e.ctx), c->want_reason);
   /* The command that went fatal asked for a reply: its reply is written, and says lost (not
    * the zeros, i.e. VK_SUCCESS, or the stale bytes its buffer held). */
   if (c->lost_reply) {
      assert_int_equal(rd32(e.reply + LOST_REPLY_AT), c->lost_reply);
      assert_int_equal((int32_t)rd32(e.reply + LOST_REPLY_AT + 4), VK_ERROR_DEVICE_LOST);
   }
   check_guest_told(&e);
   env_close(&e);
   check_healthy(c->wire);
}

/* ----- decoder-level cases: wrong object types --------------------------------------------- */

/* Ids carry their type: id >> 12 is the VkObjectType the object has. */
static bool
typed_lookup(void *data, uint64_t id, int32_t objtype, uint64_t *host)
{
   (void)data;
   if ((int32_t)(id >> 12) != objtype)
      return false;
   *host = id;
   return true;
}

static const struct pv_cs_hooks typed_hooks = {.lookup = typed_lookup};

static void
run_decoder_case(const struct mcase *c)
{
   static struct pv_vk_dispatch vk; /* empty: nothing may reach a host driver */
   struct pv_cs_arena arena;
   struct pv_cs_status st = {0};
   struct pv_cs_decoder dec;
   pv_cs_arena_init(&arena, 1u << 20);
   pv_cs_decoder_init(&dec, c->bytes->b, c->bytes->n, &arena, &st, &typed_hooks);
   uint8_t reply[256];
   struct pv_cs_encoder enc;
   pv_cs_encoder_init(&enc, reply, sizeof(reply), &st);
   struct pv_dispatch_ctx ctx = {.dec = &dec, .reply = &enc, .vk = &vk};
   bool ok = pv_protocol_execute_one(&ctx, c->wire ? &pv_protocol_wire1 : &pv_protocol_wire0);
   pv_cs_arena_fini(&arena);
   assert_false(ok);
   assert_true(st.fatal);
   if (!strstr(st.reason, "type") && !strstr(st.reason, "id"))
      fail_msg("%s: unexpected reason: %s", c->name, st.reason);
}

/* ----- blob API cases ------------------------------------------------------------------------ */

struct blob_api_case {
   uint32_t res_id;
   uint64_t size;
   uint32_t flags;
};

static const struct blob_api_case blob_api[] = {
   {1, 4096, PV_BLOB_FLAG_MAPPABLE},           /* res id already in use */
   {2, 4096, PV_BLOB_FLAG_MAPPABLE},           /* ditto */
   {9, 0, PV_BLOB_FLAG_MAPPABLE},              /* empty */
   {9, 1ull << 62, PV_BLOB_FLAG_MAPPABLE},     /* beyond the blob quota */
   {9, UINT64_MAX, PV_BLOB_FLAG_MAPPABLE},     /* page rounding overflows */
   {9, UINT64_MAX - 4095, PV_BLOB_FLAG_MAPPABLE},
   {0, 4096, PV_BLOB_FLAG_MAPPABLE},           /* res id 0 */
};

static void
run_blob_api_case(const struct mcase *c, size_t i)
{
   struct env e;
   env_open(&e, c->wire);
   struct pv_blob blob = {.fd = -1};
   int rc = pv_context_create_blob(e.ctx, blob_api[i].res_id, 0, blob_api[i].size,
                                   blob_api[i].flags, &blob);
   if (rc == 0)
      fail_msg("%s: accepted", c->name);
   /* The guest's later use of the refused resource is fatal, and told. */
   struct buf b = {0};
   cmd_set_reply(&b, blob_api[i].res_id == 0 ? 0 : 9, 0, 64);
   if (blob_api[i].res_id == 1 || blob_api[i].res_id == 2) {
      /* the existing resource still works: the refusal did not replace it */
      b.n = 0;
      cmd_set_reply(&b, 1, 0, 64);
      cmd_props(&b, 1);
      assert_int_equal(pv_context_submit(e.ctx, b.b, b.n), 0);
      assert_int_equal(rd32(e.reply), CMD_GET_MEMORY_RESOURCE_PROPS);
      b.n = 0;
      cmd_set_reply(&b, 9, 0, 64);
   }
   assert_int_equal(pv_context_submit(e.ctx, b.b, b.n), -1);
   assert_true(pv_context_is_lost(e.ctx));
   check_guest_told(&e);
   env_close(&e);
   check_healthy(c->wire);
}

/* ----- vtest cases --------------------------------------------------------------------------- */

static void
handshake(struct harness *h)
{
   uint32_t r[64];
   create_renderer(h, "malformed");
   const uint32_t version = 3;
   send_msg(h, VCMD_PROTOCOL_VERSION, &version, 1);
   recv_reply(h, VCMD_PROTOCOL_VERSION, r, 1);
   const uint32_t capset[2] = {4, 0};
   send_msg(h, VCMD_GET_CAPSET, capset, 2);
   recv_reply(h, VCMD_GET_CAPSET, r, 41);
   assert_int_equal(r[1], h->wire);
   const uint32_t init = 4;
   send_msg(h, VCMD_CONTEXT_INIT, &init, 1);
}

static void
run_vtest_case(const struct mcase *c)
{
   struct harness h;
   start_wire(&h, c->wire);
   handshake(&h);
   uint32_t payload[64];
   for (uint32_t i = 0; i < 64; i++)
      payload[i] = 0x7f000000u + i; /* ids, sizes and counts nobody has */
   send_msg(&h, c->vtest_cmd, payload, c->vtest_dwords);
   send_msg(&h, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
   /* Whatever the bad message got back, the ping is answered next, on a connection still open. */
   for (int guard = 0;; guard++) {
      assert_true(guard < 4);
      uint32_t hdr[2];
      if (vtest_read_full(h.sock, hdr, sizeof(hdr)) != 0)
         fail_msg("%s: connection closed", c->name);
      if (hdr[1] == VCMD_PING_PROTOCOL_VERSION) {
         assert_int_equal(hdr[0], 0);
         break;
      }
      assert_int_equal(hdr[1], c->vtest_cmd);
      assert_true(hdr[0] <= 64);
      uint32_t junk[64];
      if (hdr[0])
         assert_int_equal(vtest_read_full(h.sock, junk, hdr[0] * 4u), 0);
      if (hdr[1] == VCMD_RESOURCE_CREATE_BLOB || hdr[1] == VCMD_SYNC_WAIT)
         close(recv_fd(&h));
   }
   finish(&h);
   assert_int_equal(h.server_ret, 0);
}

/* ----- building the table ------------------------------------------------------------------- */

static void
add_truncations(uint32_t wire, const struct buf *full, const char *what)
{
   for (size_t n = 4; n < full->n; n += 4) {
      struct buf t = *full;
      t.n = n;
      add(CAT_TRUNCATION, wire, &t, "wire%u %s cut at %zu of %zu", wire, what, n, full->n);
   }
}

static void
build_cases(void)
{
   struct buf b;
   for (uint32_t wire = 0; wire <= 1; wire++) {
      /* truncations of every transport command, at every word */
      b.n = 0, cmd_set_reply(&b, 1, 0, 64);
      add_truncations(wire, &b, "vkSetReplyCommandStreamMESA");
      b.n = 0, cmd_create_ring(&b, &good_layout);
      add_truncations(wire, &b, "vkCreateRingMESA");
      b.n = 0, cmd_write_extra(&b, RING_A, 0, 1);
      add_truncations(wire, &b, "vkWriteRingExtraMESA");
      b.n = 0, cmd_notify(&b, RING_A);
      add_truncations(wire, &b, "vkNotifyRingMESA");
      b.n = 0, cmd_destroy_ring(&b, RING_A);
      add_truncations(wire, &b, "vkDestroyRingMESA");
      b.n = 0, cmd_props(&b, 1);
      add_truncations(wire, &b, "vkGetMemoryResourcePropertiesMESA");
      if (wire == 0) {
         b.n = 0, cmd_seek(&b, 64);
         add_truncations(wire, &b, "vkSeekReplyCommandStreamMESA");
         struct stream_desc s = {3, 0, 16};
         b.n = 0, cmd_execute(&b, 1, 1, &s, 1);
         add_truncations(wire, &b, "vkExecuteCommandStreamsMESA");
      }
      /* messages that are not a whole number of words */
      for (uint32_t extra = 1; extra <= 3; extra++) {
         b.n = 0, cmd_set_reply(&b, 1, 0, 64), cmd_props(&b, 1);
         b.n += extra;
         add(CAT_TRUNCATION, wire, &b, "wire%u props + %u stray bytes", wire, extra);
      }

      /* huge counts and size overflows */
      const uint64_t huge[] = {1ull << 32, 1ull << 62, UINT64_MAX, UINT64_MAX - 3};
      for (size_t i = 0; i < 4; i++) {
         b.n = 0;
         w32(&b, CMD_CREATE_INSTANCE), w32(&b, REPLY_FLAG), w64(&b, 1);
         w32(&b, VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO), w64(&b, 0), w32(&b, 0), w64(&b, 0);
         w32(&b, 0), w64(&b, 0), w32(&b, 2), w64(&b, huge[i]); /* ppEnabledExtensionNames */
         add(CAT_HUGE_COUNT, wire, &b, "wire%u vkCreateInstance extension names %#llx", wire,
             (unsigned long long)huge[i]);
         b.n = 0;
         w32(&b, CMD_ENUM_INSTANCE_EXTENSIONS), w32(&b, REPLY_FLAG), w64(&b, huge[i]);
         w32(&b, 0x41414141);
         add(CAT_HUGE_COUNT, wire, &b, "wire%u layer name string of %#llx bytes", wire,
             (unsigned long long)huge[i]);
         b.n = 0;
         w32(&b, CMD_CREATE_INSTANCE), w32(&b, REPLY_FLAG), w64(&b, 1);
         w32(&b, VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO), w64(&b, 0), w32(&b, 0), w64(&b, 1);
         w32(&b, VK_STRUCTURE_TYPE_APPLICATION_INFO), w64(&b, 0), w64(&b, huge[i]);
         add(CAT_HUGE_COUNT, wire, &b, "wire%u application name of %#llx bytes", wire,
             (unsigned long long)huge[i]);
      }
      /* a count field the array disagrees with, and a required array left out */
      b.n = 0;
      w32(&b, CMD_CREATE_INSTANCE), w32(&b, REPLY_FLAG), w64(&b, 1);
      w32(&b, VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO), w64(&b, 0), w32(&b, 0), w64(&b, 0);
      w32(&b, 0), w64(&b, 0), w32(&b, 3), w64(&b, 0), w64(&b, 1), w64(&b, 0x1001);
      add(CAT_HUGE_COUNT, wire, &b, "wire%u enabledExtensionCount 3, names absent", wire);
      b.n = 0;
      w32(&b, CMD_CREATE_INSTANCE), w32(&b, REPLY_FLAG), w64(&b, 1);
      w32(&b, VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO), w64(&b, 0), w32(&b, 0), w64(&b, 0);
      w32(&b, 0), w64(&b, 0), w32(&b, 3), w64(&b, 1), w64(&b, 4), w32(&b, 0x00636261);
      add(CAT_HUGE_COUNT, wire, &b, "wire%u enabledExtensionCount 3, 1 name", wire);
      /* an array of 2^32 - 1 stream descriptions that are not there */
      if (wire == 0) {
         b.n = 0, cmd_execute(&b, UINT32_MAX, UINT32_MAX, NULL, 0);
         add(CAT_HUGE_COUNT, wire, &b, "wire0 vkExecuteCommandStreamsMESA 2^32-1 streams");
         b.n = 0, cmd_execute(&b, 2, 1ull << 62, NULL, 0);
         add(CAT_HUGE_COUNT, wire, &b, "wire0 vkExecuteCommandStreamsMESA count 2^62");
         /* a seek past the stream, then a reply */
         b.n = 0, cmd_set_reply(&b, 1, 0, 64), cmd_seek(&b, UINT64_MAX - 3);
         cmd_instance_version(&b);
         add(CAT_HUGE_COUNT, wire, &b, "wire0 seek to 2^64-4, then a reply");
         b.n = 0, cmd_set_reply(&b, 1, 0, 64), cmd_seek(&b, 60), cmd_instance_version(&b);
         add(CAT_HUGE_COUNT, wire, &b, "wire0 reply crossing the stream end");
      }

      /* ring layouts */
      struct {
         const char *what;
         struct ring_layout l;
      } bad_layouts[] = {
         {"buffer size 3000", good_layout},         {"buffer size 0", good_layout},
         {"buffer size 2^31", good_layout},         {"buffer size 2^63", good_layout},
         {"area beyond the resource", good_layout}, {"area offset 2^64-64", good_layout},
         {"area offset unaligned", good_layout},    {"head beyond the area", good_layout},
         {"tail == head", good_layout},             {"status inside the buffer", good_layout},
         {"buffer beyond the area", good_layout},   {"buffer over the head", good_layout},
         {"head unaligned", good_layout},           {"extra beyond the area", good_layout},
         {"extra size 2^64-1", good_layout},        {"unknown resource", good_layout},
         {"resource 0", good_layout},               {"ring id 0", good_layout},
         {"ring id already in use", good_layout},   {"area size 0", good_layout},
         {"status offset 2^64-4", good_layout},     {"extra offset unaligned", good_layout},
      };
      bad_layouts[0].l.buffer_size = 3000;
      bad_layouts[1].l.buffer_size = 0;
      bad_layouts[2].l.buffer_size = 1ull << 31;
      bad_layouts[3].l.buffer_size = 1ull << 63;
      bad_layouts[4].l.size = 8192;
      bad_layouts[5].l.offset = UINT64_MAX - 63;
      bad_layouts[6].l.offset = 2;
      bad_layouts[7].l.head = 3000;
      bad_layouts[8].l.tail = 0;
      bad_layouts[9].l.status = 200;
      bad_layouts[10].l.buffer = 1024;
      bad_layouts[11].l.buffer = 0;
      bad_layouts[12].l.head = 2;
      bad_layouts[13].l.extra = RING_AREA;
      bad_layouts[14].l.extra_size = UINT64_MAX;
      bad_layouts[15].l.res = 77;
      bad_layouts[16].l.res = 0;
      bad_layouts[17].l.ring = 0;
      bad_layouts[18].l.ring = RING_A;
      bad_layouts[19].l.size = 0;
      bad_layouts[20].l.status = UINT64_MAX - 3;
      bad_layouts[21].l.extra = 192 + RING_BUFFER + 1;
      for (size_t i = 0; i < sizeof(bad_layouts) / sizeof(bad_layouts[0]); i++) {
         b.n = 0, cmd_create_ring(&b, &bad_layouts[i].l);
         add(CAT_RING_LAYOUT, wire, &b, "wire%u vkCreateRingMESA %s", wire, bad_layouts[i].what);
      }

      /* reply streams and executed streams outside their resources */
      const struct {
         uint32_t res;
         uint64_t off, size;
      } regions[] = {
         {9, 0, 64},      {0, 0, 64},     {1, 4096, 1},         {1, 0, 4097},
         {1, 4095, 2},    {1, UINT64_MAX - 7, 16}, {1, 0, UINT64_MAX}, {1, 1ull << 40, 0},
      };
      for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
         b.n = 0, cmd_set_reply(&b, regions[i].res, regions[i].off, regions[i].size);
         add(CAT_BLOB, wire, &b, "wire%u reply stream res %u [%#llx, +%#llx)", wire,
             regions[i].res, (unsigned long long)regions[i].off,
             (unsigned long long)regions[i].size);
         if (wire == 0 && regions[i].size) { /* an empty stream touches nothing: skipped */
            struct stream_desc s = {regions[i].res == 1 ? 3 : regions[i].res, regions[i].off,
                                    regions[i].size};
            b.n = 0, cmd_execute(&b, 1, 1, &s, 1);
            add(CAT_BLOB, wire, &b, "wire0 executed stream res %u [%#llx, +%#llx)", s.res,
                (unsigned long long)s.offset, (unsigned long long)s.size);
         }
      }
      const uint64_t extra_offsets[] = {4, 2, 1ull << 32, UINT64_MAX - 3, UINT64_MAX};
      for (size_t i = 0; i < 5; i++) {
         b.n = 0, cmd_write_extra(&b, RING_A, extra_offsets[i], 1);
         add(CAT_BLOB, wire, &b, "wire%u vkWriteRingExtraMESA offset %#llx", wire,
             (unsigned long long)extra_offsets[i]);
      }
      if (wire == 0) {
         /* an executed stream that executes a stream */
         struct stream_desc s = {3, 0, 64};
         b.n = 0, cmd_execute(&b, 1, 1, &s, 1);
         add(CAT_BLOB, wire, &b, "wire0 nested vkExecuteCommandStreamsMESA")->pre =
            PRE_NESTED_STREAM;
      }

      /* ids nobody created (the context has no Vulkan objects) */
      const uint64_t ids[] = {0x1234, UINT64_MAX};
      for (size_t i = 0; i < 2; i++) {
         uint64_t id = ids[i];
         b.n = 0, cmd_notify(&b, id);
         add(CAT_BAD_ID, wire, &b, "wire%u vkNotifyRingMESA ring %#llx", wire,
             (unsigned long long)id);
         b.n = 0, cmd_destroy_ring(&b, id);
         add(CAT_BAD_ID, wire, &b, "wire%u vkDestroyRingMESA ring %#llx", wire,
             (unsigned long long)id);
         b.n = 0, cmd_write_extra(&b, id, 0, 1);
         add(CAT_BAD_ID, wire, &b, "wire%u vkWriteRingExtraMESA ring %#llx", wire,
             (unsigned long long)id);
         if (wire == 1) {
            b.n = 0;
            w32(&b, CMD_SUBMIT_VQ_SEQNO), w32(&b, 0), w64(&b, id), w64(&b, 1);
            add(CAT_BAD_ID, wire, &b, "wire1 vkSubmitVirtqueueSeqnoMESA ring %#llx",
                (unsigned long long)id);
            b.n = 0;
            w32(&b, CMD_WAIT_RING_SEQNO), w32(&b, 0), w64(&b, id), w64(&b, 1);
            add(CAT_BAD_ID, wire, &b, "wire1 vkWaitRingSeqnoMESA ring %#llx",
                (unsigned long long)id);
         }
         /* Vulkan commands naming objects that do not exist */
         b.n = 0; /* vkCreateBuffer(device) */
         w32(&b, 50), w32(&b, 1), w64(&b, id), w64(&b, 1), w32(&b, 12), w64(&b, 0);
         w32(&b, 0), w64(&b, 65536), w32(&b, 0x82), w32(&b, 0), w32(&b, 0), w64(&b, 0);
         w64(&b, 0), w64(&b, 1), w64(&b, 0x2000);
         add(CAT_BAD_ID, wire, &b, "wire%u vkCreateBuffer device %#llx", wire,
             (unsigned long long)id);
         b.n = 0; /* vkDestroyBuffer(device, buffer) */
         w32(&b, 51), w32(&b, 0), w64(&b, id), w64(&b, id + 1), w64(&b, 0);
         add(CAT_BAD_ID, wire, &b, "wire%u vkDestroyBuffer %#llx", wire, (unsigned long long)id);
         b.n = 0; /* vkCmdDraw */
         w32(&b, 106), w32(&b, 0), w64(&b, id), w32(&b, 3), w32(&b, 1), w32(&b, 0), w32(&b, 0);
         add(CAT_BAD_ID, wire, &b, "wire%u vkCmdDraw cmdbuf %#llx", wire, (unsigned long long)id);
         b.n = 0; /* vkDestroyDevice */
         w32(&b, 12), w32(&b, 0), w64(&b, id), w64(&b, 0);
         add(CAT_BAD_ID, wire, &b, "wire%u vkDestroyDevice %#llx", wire, (unsigned long long)id);
         b.n = 0; /* vkDestroyInstance */
         w32(&b, 1), w32(&b, 0), w64(&b, id), w64(&b, 0);
         add(CAT_BAD_ID, wire, &b, "wire%u vkDestroyInstance %#llx", wire,
             (unsigned long long)id);
         b.n = 0; /* vkEnumeratePhysicalDevices(instance, count query) */
         w32(&b, 2), w32(&b, REPLY_FLAG), w64(&b, id), w64(&b, 1), w32(&b, 0), w64(&b, 0);
         add(CAT_BAD_ID, wire, &b, "wire%u vkEnumeratePhysicalDevices instance %#llx", wire,
             (unsigned long long)id);
         b.n = 0; /* vkGetDeviceQueue(device, 0, 0, queue id) */
         w32(&b, 17), w32(&b, 0), w64(&b, id), w32(&b, 0), w32(&b, 0), w64(&b, 1);
         w64(&b, 0x3000);
         add(CAT_BAD_ID, wire, &b, "wire%u vkGetDeviceQueue device %#llx", wire,
             (unsigned long long)id);
         b.n = 0; /* vkQueueSubmit(queue, 0, NULL, fence 0) */
         w32(&b, 18), w32(&b, REPLY_FLAG), w64(&b, id), w32(&b, 0), w64(&b, 0), w64(&b, 0);
         add(CAT_BAD_ID, wire, &b, "wire%u vkQueueSubmit queue %#llx", wire,
             (unsigned long long)id);
         b.n = 0; /* vkFreeMemory(device, memory) */
         w32(&b, 22), w32(&b, 0), w64(&b, id), w64(&b, id), w64(&b, 0);
         add(CAT_BAD_ID, wire, &b, "wire%u vkFreeMemory %#llx", wire, (unsigned long long)id);
         b.n = 0; /* vkResetFences(device, 1, fence) */
         w32(&b, 37), w32(&b, REPLY_FLAG), w64(&b, id), w32(&b, 1), w64(&b, 1), w64(&b, id);
         add(CAT_BAD_ID, wire, &b, "wire%u vkResetFences %#llx", wire, (unsigned long long)id);
      }

      /* command types without a decoder: unknown, removed, never sent */
      const uint32_t unknown[] = {9999, 0x7fffffff, 0xffffffff, 0x80000000, 300, 1000};
      for (size_t i = 0; i < 6; i++) {
         b.n = 0, w32(&b, unknown[i]), w32(&b, 0), w64(&b, 0);
         add(CAT_UNKNOWN_COMMAND, wire, &b, "wire%u command type %#x", wire, unknown[i]);
      }
      const struct {
         uint32_t id;
         const char *name;
      } never[] = {
         {9, "vkGetInstanceProcAddr"},   {10, "vkGetDeviceProcAddr"},
         {23, "vkMapMemory"},            {24, "vkUnmapMemory"},
         {25, "vkFlushMappedMemoryRanges"}, {26, "vkInvalidateMappedMemoryRanges"},
         {160, "vkUpdateDescriptorSetWithTemplate"}, {193, "vkGetMemoryFdKHR"},
         {194, "vkGetMemoryFdPropertiesKHR"}, {238, "vkImportFenceFdKHR"},
         {239, "vkGetFenceFdKHR"},       {242, "vkImportSemaphoreFdKHR"},
         {243, "vkGetSemaphoreFdKHR"},   {250, "vkCmdPushDescriptorSetWithTemplateKHR"},
         {19, "vkQueueWaitIdle"},        {20, "vkDeviceWaitIdle"},
      };
      for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
         b.n = 0, w32(&b, never[i].id), w32(&b, 0), w64(&b, 0x1000), w64(&b, 0);
         add(CAT_UNKNOWN_COMMAND, wire, &b, "wire%u never sent %s", wire, never[i].name);
      }
      if (wire == 1) {
         b.n = 0;
         w32(&b, CMD_EXPERIMENTAL), w32(&b, REPLY_FLAG), w64(&b, 1), w64(&b, 16), w64(&b, 16);
         add(CAT_UNKNOWN_COMMAND, wire, &b, "wire1 removed experimental-feature query");
      }

      /* lifetimes */
      b.n = 0, cmd_destroy_ring(&b, RING_A), cmd_destroy_ring(&b, RING_A);
      add(CAT_LIFETIME, wire, &b, "wire%u ring destroyed twice in one submit", wire)
         ->kills_ring_a = true;
      b.n = 0, cmd_destroy_ring(&b, RING_A);
      add(CAT_LIFETIME, wire, &b, "wire%u ring destroyed twice", wire)->pre = PRE_DESTROY_RING_A;
      b.n = 0, cmd_notify(&b, RING_A);
      add(CAT_LIFETIME, wire, &b, "wire%u notify after destroy", wire)->pre = PRE_DESTROY_RING_A;
      b.n = 0, cmd_write_extra(&b, RING_A, 0, 5);
      add(CAT_LIFETIME, wire, &b, "wire%u extra word after destroy", wire)->pre =
         PRE_DESTROY_RING_A;
      b.n = 0, cmd_destroy_ring(&b, RING_A), cmd_notify(&b, RING_A);
      add(CAT_LIFETIME, wire, &b, "wire%u destroy then notify in one submit", wire)
         ->kills_ring_a = true;
      b.n = 0, cmd_set_reply(&b, 3, 0, 64);
      add(CAT_LIFETIME, wire, &b, "wire%u reply stream on an unref'd blob", wire)->pre =
         PRE_UNREF_UPLOAD;
      {
         struct ring_layout l = good_layout;
         b.n = 0, cmd_create_ring(&b, &l);
         add(CAT_LIFETIME, wire, &b, "wire%u ring on an unref'd blob", wire)->pre =
            PRE_UNREF_UPLOAD;
         b.n = 0, cmd_create_ring(&b, &l), cmd_create_ring(&b, &l);
         add(CAT_LIFETIME, wire, &b, "wire%u ring created twice", wire);
      }
      if (wire == 0) {
         struct stream_desc s = {3, 0, 16};
         b.n = 0, cmd_execute(&b, 1, 1, &s, 1);
         add(CAT_LIFETIME, wire, &b, "wire0 executing an unref'd blob")->pre = PRE_UNREF_UPLOAD;
      }

      /* bad commands arriving on a ring instead of the context path */
      for (size_t i = 0; i < ncases; i++) {
         struct mcase *c = &cases[i];
         if (c->wire != wire || c->on_ring || c->pre != PRE_NONE)
            continue;
         bool pick = c->cat == CAT_UNKNOWN_COMMAND || c->cat == CAT_HUGE_COUNT ||
                     (c->cat == CAT_BAD_ID && strstr(c->name, "0x1234") &&
                      !strstr(c->name, "Ring") && !strstr(c->name, "Seqno"));
         if (!pick || strstr(c->name, "seek") || strstr(c->name, "reply crossing"))
            continue;
         struct mcase *r = add(CAT_RING_PATH, wire, c->bytes, "%s (on a ring)", c->name);
         r->on_ring = true;
         if (wire == 1) { /* wire 1 rings set their reply stream themselves */
            struct buf rb = {0};
            cmd_set_reply(&rb, 1, 3072, 512);
            memcpy(rb.b + rb.n, c->bytes->b, c->bytes->n);
            rb.n += c->bytes->n;
            memcpy(r->bytes, &rb, sizeof(rb));
         }
      }

      /* wrong object types, decoder level: ids carry their type in bits 12+ */
      const struct {
         uint32_t cmd;
         const char *what;
         int32_t have;
      } typed[] = {
         {50, "vkCreateBuffer on a command buffer", VK_OBJECT_TYPE_COMMAND_BUFFER},
         {50, "vkCreateBuffer on a queue", VK_OBJECT_TYPE_QUEUE},
         {50, "vkCreateBuffer on an instance", VK_OBJECT_TYPE_INSTANCE},
         {106, "vkCmdDraw on a device", VK_OBJECT_TYPE_DEVICE},
         {106, "vkCmdDraw on a buffer", VK_OBJECT_TYPE_BUFFER},
         {12, "vkDestroyDevice on a physical device", VK_OBJECT_TYPE_PHYSICAL_DEVICE},
         {12, "vkDestroyDevice on an instance", VK_OBJECT_TYPE_INSTANCE},
         {18, "vkQueueSubmit on a device", VK_OBJECT_TYPE_DEVICE},
         {51, "vkDestroyBuffer of an image", VK_OBJECT_TYPE_IMAGE},
         {22, "vkFreeMemory of a buffer", VK_OBJECT_TYPE_BUFFER},
         {37, "vkResetFences of a semaphore", VK_OBJECT_TYPE_SEMAPHORE},
         {2, "vkEnumeratePhysicalDevices on a device", VK_OBJECT_TYPE_DEVICE},
      };
      for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
         uint64_t id = (uint64_t)typed[i].have << 12 | 1;
         uint64_t dev = (uint64_t)VK_OBJECT_TYPE_DEVICE << 12 | 1;
         b.n = 0;
         switch (typed[i].cmd) {
         case 50:
            w32(&b, 50), w32(&b, 1), w64(&b, id), w64(&b, 1), w32(&b, 12), w64(&b, 0);
            w32(&b, 0), w64(&b, 65536), w32(&b, 0x82), w32(&b, 0), w32(&b, 0), w64(&b, 0);
            w64(&b, 0), w64(&b, 1), w64(&b, 0x2000);
            break;
         case 106:
            w32(&b, 106), w32(&b, 0), w64(&b, id), w32(&b, 3), w32(&b, 1), w32(&b, 0);
            w32(&b, 0);
            break;
         case 12:
            w32(&b, 12), w32(&b, 0), w64(&b, id), w64(&b, 0);
            break;
         case 18:
            w32(&b, 18), w32(&b, REPLY_FLAG), w64(&b, id), w32(&b, 0), w64(&b, 0), w64(&b, 0);
            break;
         case 51:
            w32(&b, 51), w32(&b, 0), w64(&b, dev), w64(&b, id), w64(&b, 0);
            break;
         case 22:
            w32(&b, 22), w32(&b, 0), w64(&b, dev), w64(&b, id), w64(&b, 0);
            break;
         case 37:
            w32(&b, 37), w32(&b, REPLY_FLAG), w64(&b, dev), w32(&b, 1), w64(&b, 1), w64(&b, id);
            break;
         case 2:
            w32(&b, 2), w32(&b, REPLY_FLAG), w64(&b, id), w64(&b, 1), w32(&b, 0), w64(&b, 0);
            break;
         }
         add(CAT_WRONG_TYPE, wire, &b, "wire%u %s", wire, typed[i].what)->want_objtype =
            typed[i].have;
      }

      /* blob API */
      for (size_t i = 0; i < sizeof(blob_api) / sizeof(blob_api[0]); i++)
         add(CAT_BLOB_API, wire, NULL, "wire%u create_blob res %u size %#llx", wire,
             blob_api[i].res_id, (unsigned long long)blob_api[i].size)
            ->index = i;

      /* real objects: only with lavapipe */
      if (have_lavapipe) {
         const uint64_t D = OBJ_DEVICE;
         struct {
            const char *what, *reason;
            struct buf b;
         } r[48];
         size_t nr = 0;
#define REAL(w) (r[nr].what = (w), r[nr].reason = NULL, r[nr].b.n = 0, &r[nr++].b)
         struct buf *x = REAL("buffer destroyed twice");
         cmd_destroy_buffer(x, D, OBJ_BUFFER), cmd_destroy_buffer(x, D, OBJ_BUFFER);
         x = REAL("buffer used after destroy");
         cmd_destroy_buffer(x, D, OBJ_BUFFER);
         w32(x, 30), w32(x, 0), w64(x, D), w64(x, OBJ_BUFFER), w64(x, 1);
         x = REAL("fence used after destroy");
         w32(x, 36), w32(x, 0), w64(x, D), w64(x, OBJ_FENCE), w64(x, 0);
         cmd_set_reply(x, 1, LOST_REPLY_AT, 64);
         w32(x, 38), w32(x, REPLY_FLAG), w64(x, D), w64(x, OBJ_FENCE);
         /* a create the host failed and the guest did not wait for: its first use names an
          * object the context does not have */
         x = REAL("vkGetFenceStatus of a fence never created");
         cmd_set_reply(x, 1, LOST_REPLY_AT, 64);
         w32(x, 38), w32(x, REPLY_FLAG), w64(x, D), w64(x, 0x61);
         x = REAL("buffer created with its own id again");
         cmd_create_buffer(x, D, OBJ_BUFFER);
         x = REAL("buffer created with the device's id");
         cmd_create_buffer(x, D, OBJ_DEVICE);
         x = REAL("fence created with the queue's id");
         cmd_create_fence(x, D, OBJ_QUEUE);
         x = REAL("queue fetched into the buffer's id");
         cmd_get_queue(x, D, OBJ_BUFFER);
         x = REAL("buffer created with id 0");
         cmd_create_buffer(x, D, 0);
         x = REAL("vkCreateBuffer on the queue");
         cmd_create_buffer(x, OBJ_QUEUE, 0x70);
         x = REAL("vkGetBufferMemoryRequirements of the fence");
         w32(x, 30), w32(x, 0), w64(x, D), w64(x, OBJ_FENCE), w64(x, 1);
         x = REAL("vkDestroyBuffer of the device");
         cmd_destroy_buffer(x, D, OBJ_DEVICE);
         x = REAL("vkQueueSubmit waitSemaphoreCount 2, pWaitSemaphores absent");
         cmd_queue_submit(x, OBJ_QUEUE, 2, 0, 0, 0);
         x = REAL("vkQueueSubmit of the buffer as a command buffer");
         cmd_queue_submit(x, OBJ_QUEUE, 0, 0, OBJ_BUFFER, 0);
         x = REAL("vkQueueSubmit with the buffer as fence");
         cmd_queue_submit(x, OBJ_QUEUE, 0, 0, 0, OBJ_BUFFER);
         x = REAL("vkQueueSubmit on the device");
         cmd_queue_submit(x, D, 0, 0, 0, 0);
         x = REAL("device destroyed twice");
         w32(x, 12), w32(x, 0), w64(x, D), w64(x, 0), w32(x, 12), w32(x, 0), w64(x, D), w64(x, 0);
         x = REAL("buffer created on a destroyed device");
         w32(x, 12), w32(x, 0), w64(x, D), w64(x, 0);
         cmd_create_buffer(x, D, 0x70);
         x = REAL("buffer destroyed after its device");
         w32(x, 12), w32(x, 0), w64(x, D), w64(x, 0);
         cmd_destroy_buffer(x, D, OBJ_BUFFER);
         x = REAL("physical devices of a destroyed instance");
         w32(x, 1), w32(x, 0), w64(x, OBJ_INSTANCE), w64(x, 0);
         w32(x, 2), w32(x, 0), w64(x, OBJ_INSTANCE), w64(x, 1), w32(x, 1), w64(x, 1), w64(x, 0x21);
         /* top-level arrays absent while their count says otherwise, hand-written handlers
          * (vkQueueSubmit, vkWaitForFences) and generated ones alike */
         x = REAL("vkQueueSubmit submitCount 1, pSubmits absent");
         w32(x, 18), w32(x, 0), w64(x, OBJ_QUEUE), w32(x, 1), w64(x, 0), w64(x, 0);
         x = REAL("vkWaitForFences fenceCount 2, pFences absent");
         w32(x, 39), w32(x, REPLY_FLAG), w64(x, D), w32(x, 2), w64(x, 0), w32(x, 1), w64(x, 0);
         x = REAL("vkResetFences fenceCount 2, pFences absent");
         w32(x, 37), w32(x, REPLY_FLAG), w64(x, D), w32(x, 2), w64(x, 0);
         x = REAL("vkUpdateDescriptorSets writeCount 2, pDescriptorWrites absent");
         w32(x, 79), w32(x, 0), w64(x, D), w32(x, 2), w64(x, 0), w32(x, 0), w64(x, 0);
         x = REAL("vkWaitForFences of the buffer");
         w32(x, 39), w32(x, REPLY_FLAG), w64(x, D), w32(x, 1), w64(x, 1), w64(x, OBJ_BUFFER);
         w32(x, 1), w64(x, 0);
         x = REAL("vkWaitForFences of a destroyed fence");
         w32(x, 36), w32(x, 0), w64(x, D), w64(x, OBJ_FENCE), w64(x, 0);
         w32(x, 39), w32(x, REPLY_FLAG), w64(x, D), w32(x, 1), w64(x, 1), w64(x, OBJ_FENCE);
         w32(x, 1), w64(x, 0);
         /* values the registry or the device's limits rule out (issue 12; fuzz inputs
          * 13a01bd9, d1c0ab48, 1f4add07): refused before lavapipe reads or allocates */
         x = REAL("vkGetBufferMemoryRequirements2 of buffer id 0");
         w32(x, 145), w32(x, 0), w64(x, D), w64(x, 1);
         w32(x, VK_STRUCTURE_TYPE_BUFFER_MEMORY_REQUIREMENTS_INFO_2), w64(x, 0), w64(x, 0);
         w64(x, 1), w32(x, VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2), w64(x, 0);
         x = REAL("vkCreateSampler borderColor 65536");
         w32(x, 70), w32(x, 0), w64(x, D), w64(x, 1), w32(x, VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO);
         w64(x, 0);
         for (int k = 0; k < 14; k++) /* flags .. maxLod, all 0 */
            w32(x, 0);
         w32(x, 65536), w32(x, 0), w64(x, 0), w64(x, 1), w64(x, 0x71);
         /* a custom border color without its create info: Mesa's vk_sampler.c read the color
          * through NULL inside lavapipe's vkCreateSampler (a crash the crash guard contains);
          * refused before, with its own reason */
         x = REAL("vkCreateSampler custom border color without its create info");
         r[nr - 1].reason = "refused: vkCreateSampler: a custom border color without its";
         w32(x, 70), w32(x, 0), w64(x, D), w64(x, 1), w32(x, VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO);
         w64(x, 0);
         for (int k = 0; k < 14; k++) /* flags .. maxLod, all 0 */
            w32(x, 0);
         w32(x, VK_BORDER_COLOR_FLOAT_CUSTOM_EXT), w32(x, 0), w64(x, 0), w64(x, 1), w64(x, 0x74);
         static const struct {
            const char *what;
            uint32_t binding, type, count;
         } dsl[] = {
            {"vkCreateDescriptorSetLayout 2^31-1 storage buffers", 0,
             VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 0x7fffffffu},
            {"vkCreateDescriptorSetLayout binding number 0xffffff00", 0xffffff00u,
             VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1},
            {"vkCreateDescriptorSetLayout inline uniform block of 2^20 bytes", 0,
             VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK, 1u << 20},
         };
         for (size_t k = 0; k < sizeof(dsl) / sizeof(dsl[0]); k++) {
            x = REAL(dsl[k].what);
            w32(x, 72), w32(x, 0), w64(x, D), w64(x, 1);
            w32(x, VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO), w64(x, 0), w32(x, 0);
            w32(x, 1), w64(x, 1), w32(x, dsl[k].binding), w32(x, dsl[k].type);
            w32(x, dsl[k].count), w32(x, VK_SHADER_STAGE_COMPUTE_BIT), w64(x, 0);
            w64(x, 0), w64(x, 1), w64(x, 0x72);
         }
         /* push descriptor layouts with a dynamic buffer or an inline uniform block (lavapipe
          * 22.3 read an offset array it never filled, and copied the block from NULL) */
         static const struct {
            const char *what;
            uint32_t type;
         } push[] = {
            {"vkCreateDescriptorSetLayout push descriptors with a dynamic uniform buffer",
             VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC},
            {"vkCreateDescriptorSetLayout push descriptors with an inline uniform block",
             VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK},
         };
         for (size_t k = 0; k < sizeof(push) / sizeof(push[0]); k++) {
            x = REAL(push[k].what);
            r[nr - 1].reason = "refused: vkCreateDescriptorSetLayout: a push descriptor layout";
            w32(x, 72), w32(x, 0), w64(x, D), w64(x, 1);
            w32(x, VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO), w64(x, 0);
            w32(x, VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR);
            w32(x, 1), w64(x, 1), w32(x, 0), w32(x, push[k].type);
            w32(x, 16), w32(x, VK_SHADER_STAGE_COMPUTE_BIT), w64(x, 0);
            w64(x, 0), w64(x, 1), w64(x, 0x75 + k);
         }
         x = REAL("vkCreateDescriptorPool 2^32-1 storage buffers for one set");
         w32(x, 74), w32(x, 0), w64(x, D), w64(x, 1);
         w32(x, VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO), w64(x, 0), w32(x, 0), w32(x, 1);
         w32(x, 1), w64(x, 1), w32(x, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER), w32(x, 0xffffffffu);
         w64(x, 0), w64(x, 1), w64(x, 0x73);
#undef REAL
         assert_true(nr <= sizeof(r) / sizeof(r[0]));
         for (size_t i = 0; i < nr; i++) {
            struct mcase *c = add(CAT_REAL_OBJECTS, wire, &r[i].b, "wire%u %s", wire, r[i].what);
            c->pre = PRE_LAVAPIPE;
            c->want_reason = r[i].reason;
            if (strstr(r[i].what, "fence used after destroy") ||
                strstr(r[i].what, "fence never created"))
               c->lost_reply = 38; /* vkGetFenceStatus */
         }
      }

      /* vtest messages of the wrong size */
      const struct {
         uint32_t cmd, dwords;
      } vt[] = {
         {VCMD_RESOURCE_UNREF, 0},        {VCMD_RESOURCE_UNREF, 2},
         {VCMD_RESOURCE_BUSY_WAIT, 0},    {VCMD_RESOURCE_BUSY_WAIT, 1},
         {VCMD_RESOURCE_BUSY_WAIT, 3},    {VCMD_PROTOCOL_VERSION, 0},
         {VCMD_PROTOCOL_VERSION, 2},      {VCMD_GET_PARAM, 0},
         {VCMD_GET_PARAM, 2},             {VCMD_GET_CAPSET, 0},
         {VCMD_GET_CAPSET, 1},            {VCMD_GET_CAPSET, 3},
         {VCMD_RESOURCE_CREATE_BLOB, 0},  {VCMD_RESOURCE_CREATE_BLOB, 5},
         {VCMD_RESOURCE_CREATE_BLOB, 7},  {VCMD_RESOURCE_CREATE_BLOB, 6},
         {VCMD_SYNC_CREATE, 0},           {VCMD_SYNC_CREATE, 1},
         {VCMD_SYNC_CREATE, 3},           {VCMD_SYNC_UNREF, 0},
         {VCMD_SYNC_UNREF, 2},            {VCMD_SYNC_READ, 0},
         {VCMD_SYNC_READ, 2},             {VCMD_SYNC_WRITE, 0},
         {VCMD_SYNC_WRITE, 2},            {VCMD_SYNC_WRITE, 4},
         {VCMD_SYNC_WAIT, 0},             {VCMD_SYNC_WAIT, 1},
         {VCMD_SYNC_WAIT, 3},             {VCMD_SYNC_WAIT, 6},
         {VCMD_SUBMIT_CMD2, 0},           {VCMD_SUBMIT_CMD2, 1},
         {VCMD_SUBMIT_CMD2, 5},           {VCMD_SUBMIT_CMD2, 9},
         {VCMD_SUBMIT_CMD2, 64},          {VCMD_PING_PROTOCOL_VERSION, 3},
         {VCMD_CONTEXT_INIT, 1},          {VCMD_CONTEXT_INIT, 2},
         {12345, 7},                      {0, 1},
      };
      for (size_t i = 0; i < sizeof(vt) / sizeof(vt[0]); i++) {
         struct mcase *c = add(CAT_VTEST, wire, NULL, "wire%u vtest command %u with %u dwords",
                               wire, vt[i].cmd, vt[i].dwords);
         c->vtest_cmd = vt[i].cmd;
         c->vtest_dwords = vt[i].dwords;
      }
   }
}

/* ----- the runner ---------------------------------------------------------------------------- */

static size_t
count_fds(void)
{
   DIR *d = opendir("/proc/self/fd");
   assert_non_null(d);
   size_t n = 0;
   while (readdir(d))
      n++;
   closedir(d);
   return n;
}

static void
malformed_suite(void **state)
{
   (void)state;
   have_lavapipe = access(LVP_ICD, R_OK) == 0;
   if (have_lavapipe && !dlopen("libvulkan_lvp.so", RTLD_NOW | RTLD_NODELETE))
      have_lavapipe = false;
   if (have_lavapipe) {
      setenv("VK_DRIVER_FILES", LVP_ICD, 1);
      setenv("VK_ICD_FILENAMES", LVP_ICD, 1);
   } else {
      print_message("no lavapipe at %s: no real-object cases\n", LVP_ICD);
   }
   build_cases();
   for (uint32_t wire = 0; wire <= 1; wire++) {
      const struct pv_renderer_config config = {.struct_size = sizeof(struct pv_renderer_config),
                                                .wire_format = wire};
      renderers[wire] = pv_renderer_create(&config);
      assert_non_null(renderers[wire]);
      healthy[wire] = pv_context_create(renderers[wire], PV_CAPSET_VENUS, "healthy");
      assert_non_null(healthy[wire]);
      healthy_reply[wire] = map_blob(healthy[wire], 1, 4096);
      check_healthy(wire);
   }
   size_t fds = count_fds();
   size_t per_cat[CAT_COUNT] = {0};
   for (size_t i = 0; i < ncases; i++) {
      const struct mcase *c = &cases[i];
      print_message("case %zu: %s\n", i, c->name);
      switch (c->cat) {
      case CAT_VTEST:
         run_vtest_case(c);
         break;
      case CAT_WRONG_TYPE:
         run_decoder_case(c);
         break;
      case CAT_BLOB_API:
         run_blob_api_case(c, c->index);
         break;
      default:
         run_context_case(c);
         break;
      }
      per_cat[c->cat]++;
   }
   assert_int_equal(count_fds(), fds); /* nothing leaked an fd */
   for (uint32_t wire = 0; wire <= 1; wire++) {
      check_healthy(wire);
      pv_context_destroy(healthy[wire]);
      munmap(healthy_reply[wire], 4096);
      pv_renderer_destroy(renderers[wire]);
   }
   for (int c = 0; c < CAT_COUNT; c++)
      print_message("%4zu %s\n", per_cat[c], category_names[c]);
   print_message("%zu malformed cases\n", ncases);
   assert_true(ncases >= 200);
   for (size_t i = 0; i < ncases; i++)
      free(cases[i].bytes);
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(malformed_suite),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
