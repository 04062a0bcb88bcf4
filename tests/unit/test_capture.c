/* SPDX-License-Identifier: MIT */
/*
 * Capture files (docs/CAPTURE.md): a context recorded without a host driver parses into the
 * records the format promises and replays without divergence; hand-made files exercise every
 * refusal of the parser (framing, payloads, order rules).
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "pearvisor/pearvisor.h"
#include "renderer/capture_read.h"

/* ----- building files by hand -------------------------------------------------------------- */

struct buf {
   uint8_t data[4096];
   size_t len;
};

static void
put(struct buf *b, const void *p, size_t n)
{
   assert_true(b->len + n <= sizeof(b->data));
   memcpy(b->data + b->len, p, n);
   b->len += n;
}

static void
u32(struct buf *b, uint32_t v)
{
   put(b, &v, 4);
}

static void
u64(struct buf *b, uint64_t v)
{
   put(b, &v, 8);
}

static void
header(struct buf *b, uint32_t version)
{
   put(b, "PVCAPTUR", 8);
   u32(b, version);
   u32(b, 32);
   u32(b, 1); /* wire format */
   u32(b, 4); /* capset */
   u64(b, 0);
}

/* A record whose payload is `payload` (already padded). */
static void
record(struct buf *b, uint32_t type, uint64_t path, const struct buf *payload)
{
   u32(b, type);
   u32(b, 0);
   u64(b, payload->len);
   u64(b, 0);
   u64(b, path);
   put(b, payload->data, payload->len);
}

static void
context_record(struct buf *b)
{
   struct buf p = {0};
   u32(&p, 4);
   u32(&p, 1);
   u64(&p, 3);
   put(&p, "abc\0", 4);
   record(b, PV_CAPTURE_CONTEXT, 0, &p);
}

static void
end_records(struct buf *b)
{
   struct buf p = {0};
   u32(&p, 0); /* clock: no other paths */
   record(b, PV_CAPTURE_END, 0, &p);
   struct buf m = {0};
   u32(&m, PV_CAPTURE_MEMORY_FINAL);
   u32(&m, 0);
   record(b, PV_CAPTURE_MEMORY, 0, &m);
}

static int
parse(const struct buf *b, char *err, size_t n)
{
   struct pv_capture_file f;
   int ret = pv_capture_parse(b->data, b->len, &f, err, n);
   if (ret == 0)
      pv_capture_file_fini(&f);
   return ret;
}

static void
expect_refused(const struct buf *b, const char *why)
{
   char err[256] = "";
   assert_int_equal(parse(b, err, sizeof(err)), -1);
   if (!strstr(err, why))
      fail_msg("'%s' does not say '%s'", err, why);
}

static void
minimal_file_parses(void **state)
{
   (void)state;
   struct buf b = {0};
   header(&b, 1);
   context_record(&b);
   end_records(&b);
   struct pv_capture_file f;
   char err[256];
   assert_int_equal(pv_capture_parse(b.data, b.len, &f, err, sizeof(err)), 0);
   assert_int_equal(f.count, 3);
   assert_true(f.ended);
   assert_int_equal(f.name_len, 3);
   assert_memory_equal(f.name, "abc", 3);
   pv_capture_file_fini(&f);
}

static void
framing_refused(void **state)
{
   (void)state;
   struct buf b = {0};
   expect_refused(&b, "bad magic"); /* empty */
   header(&b, PV_CAPTURE_VERSION + 1); /* a newer writer */
   expect_refused(&b, "unsupported format version");
   b.len = 0;
   header(&b, 0);
   expect_refused(&b, "unsupported format version");
   b.len = 0;
   header(&b, 1);
   b.len -= 4;
   expect_refused(&b, "truncated");
   b.len = 0;
   header(&b, 1);
   expect_refused(&b, "no records");
   context_record(&b);
   size_t whole = b.len;
   b.len -= 2;
   expect_refused(&b, "truncated"); /* inside the payload */
   b.len = whole - 36;
   expect_refused(&b, "truncated record header");
   b.len = whole;
   struct buf p = {0};
   u32(&b, 99); /* unknown type */
   u32(&b, 0);
   u64(&b, 0);
   u64(&b, 0);
   u64(&b, 0);
   expect_refused(&b, "unknown record type");
   (void)p;
}

static void
payloads_refused(void **state)
{
   (void)state;
   struct buf base = {0};
   header(&base, 1);
   context_record(&base);

   struct buf b = base, p = {0};
   u32(&p, 0);
   u64(&p, 100); /* bytes longer than the payload */
   record(&b, PV_CAPTURE_SUBMIT, 0, &p);
   expect_refused(&b, "overruns");

   b = base;
   p.len = 0;
   u32(&p, 0);
   u64(&p, 0);
   u32(&p, 7); /* left over */
   record(&b, PV_CAPTURE_SUBMIT, 0, &p);
   expect_refused(&b, "left over");

   b = base;
   p.len = 0;
   u32(&p, 0x10000000u); /* clock entries that cannot be there */
   record(&b, PV_CAPTURE_RING_BATCH, 5, &p);
   expect_refused(&b, "overruns");

   b = base;
   p.len = 0;
   u32(&p, PV_CAPTURE_MEMORY_CHECK);
   u32(&p, 1);
   u64(&p, 9);    /* memory id */
   u64(&p, 4096); /* size */
   u32(&p, 1);
   u64(&p, 4092); /* offset */
   u64(&p, 8);    /* 8 bytes from 4092: outside */
   u64(&p, 0);
   record(&b, PV_CAPTURE_MEMORY, 5, &p);
   expect_refused(&b, "outside its allocation");
}

static void
order_refused(void **state)
{
   (void)state;
   struct buf b = {0}, p = {0};
   header(&b, 1);
   end_records(&b);
   expect_refused(&b, "first record is not CONTEXT");

   b.len = 0;
   header(&b, 1);
   context_record(&b);
   context_record(&b);
   expect_refused(&b, "second CONTEXT");

   b.len = 0;
   header(&b, 1);
   context_record(&b);
   end_records(&b);
   u32(&p, 0);
   u64(&p, 0);
   record(&b, PV_CAPTURE_SUBMIT, 0, &p);
   expect_refused(&b, "after END");

   b.len = 0;
   header(&b, 1);
   context_record(&b);
   record(&b, PV_CAPTURE_SUBMIT, 7, &p);
   expect_refused(&b, "transport record on a ring path");

   b.len = 0;
   header(&b, 1);
   context_record(&b);
   record(&b, PV_CAPTURE_RING_BATCH, 0, &p);
   expect_refused(&b, "ring batch on the context path");

   b.len = 0;
   header(&b, 2);
   context_record(&b);
   p.len = 0;
   u32(&p, PV_CAPTURE_PROTOCOL_VTEST);
   u64(&p, 0);
   record(&b, PV_CAPTURE_TRANSPORT, 7, &p);
   expect_refused(&b, "transport message on a ring path");
}

/* What the replay hands the transport (pv_replay_config.transport). */
struct seen_messages {
   uint32_t count, protocol, wire_format;
   uint8_t last[16];
   size_t last_size;
};

static void
seen_message(void *data, uint32_t wire_format, uint32_t protocol, const void *msg, size_t size)
{
   struct seen_messages *s = data;
   s->count++;
   s->protocol = protocol;
   s->wire_format = wire_format;
   s->last_size = size;
   memcpy(s->last, msg, size < sizeof(s->last) ? size : sizeof(s->last));
}

/* ----- a recorded context ------------------------------------------------------------------ */

static void
record_and_replay(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_renderer_create(NULL);
   assert_non_null(r);
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "capture-test");
   assert_non_null(ctx);
   int fd = memfd_create("capture-test", MFD_CLOEXEC);
   assert_true(fd >= 0);
   assert_int_equal(pv_context_start_capture(ctx, fd, 0), 0);
   assert_int_equal(pv_context_start_capture(ctx, fd, 0), -EBUSY);
   struct pv_blob blob;
   assert_int_equal(pv_context_create_blob(ctx, 1, 0, 4096, PV_BLOB_FLAG_MAPPABLE, &blob), 0);
   close(blob.fd);
   /* a transport message the renderer never sees: 2 header dwords and a 3-byte payload */
   const uint32_t hdr[2] = {1, 19};
   pv_context_capture_message(ctx, PV_CAPTURE_PROTOCOL_VTEST, hdr, sizeof(hdr), "xyz", 3);
   /* a command id no table has: the context is lost, in the capture and in the replay */
   const uint32_t bad[2] = {0x7fffffffu, 0};
   assert_int_equal(pv_context_submit(ctx, bad, sizeof(bad)), -1);
   pv_context_destroy_blob(ctx, 1);
   pv_context_destroy(ctx);
   pv_renderer_destroy(r);

   off_t size = lseek(fd, 0, SEEK_END);
   assert_true(size > 0);
   uint8_t *data = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
   assert_true(data != MAP_FAILED);
   struct pv_capture_file f;
   char err[256];
   assert_int_equal(pv_capture_parse(data, (size_t)size, &f, err, sizeof(err)), 0);
   static const uint32_t want[] = {
      PV_CAPTURE_CONTEXT, PV_CAPTURE_BLOB_CREATE, PV_CAPTURE_TRANSPORT,
      PV_CAPTURE_SUBMIT,  PV_CAPTURE_LOST,        PV_CAPTURE_BLOB_DESTROY,
      PV_CAPTURE_STOP,    PV_CAPTURE_END,         PV_CAPTURE_MEMORY};
   assert_int_equal(f.count, sizeof(want) / sizeof(want[0]));
   for (size_t i = 0; i < f.count; i++)
      assert_int_equal(f.records[i].type, want[i]);
   assert_int_equal(f.version, PV_CAPTURE_VERSION);
   struct pv_capture_payload p;
   pv_capture_decode(&f.records[2], &p);
   assert_int_equal(p.flags, PV_CAPTURE_PROTOCOL_VTEST);
   assert_int_equal(p.bytes_len, 11);
   assert_memory_equal(p.bytes, hdr, sizeof(hdr));
   assert_memory_equal(p.bytes + 8, "xyz", 3);
   pv_capture_decode(&f.records[3], &p);
   assert_int_equal(p.bytes_len, sizeof(bad));
   assert_memory_equal(p.bytes, bad, sizeof(bad));
   pv_capture_file_fini(&f);

   char path[64];
   snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
   struct pv_replay_result res;
   struct seen_messages seen = {0};
   struct pv_replay_config cfg = PV_REPLAY_CONFIG_INIT;
   cfg.transport = seen_message;
   cfg.transport_data = &seen;
   assert_int_equal(pv_replay_file(path, &cfg, &res), 0);
   assert_int_equal(res.records, sizeof(want) / sizeof(want[0]));
   assert_int_equal(res.streams, 1);
   assert_string_equal(res.context_name, "capture-test");
   assert_int_equal(seen.count, 1);
   assert_int_equal(seen.protocol, PV_CAPTURE_PROTOCOL_VTEST);
   assert_int_equal(seen.last_size, 11);
   assert_memory_equal(seen.last + 8, "xyz", 3);
   assert_int_equal(pv_replay_file(path, NULL, &res), 0); /* no transport: skipped */

   /* cut short: refused unless partial */
   assert_int_equal(ftruncate(fd, size - 8), 0);
   assert_int_equal(pv_replay_file(path, NULL, &res), -1);
   assert_non_null(strstr(res.message, "truncated"));
   munmap(data, (size_t)size);
   close(fd);
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(minimal_file_parses),
      cmocka_unit_test(framing_refused),
      cmocka_unit_test(payloads_refused),
      cmocka_unit_test(order_refused),
      cmocka_unit_test(record_and_replay),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
