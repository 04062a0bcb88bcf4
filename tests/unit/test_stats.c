/* SPDX-License-Identifier: MIT */
/*
 * Live statistics (issue 15): the renderer's counters through pv_context_get_stats (a real
 * context: replies, rings going idle and being woken, loss), the seqlock slot under a concurrent
 * writer, the wire line's encoder and parser (escapes, malformed lines, unknown keys), and every
 * output of `pearvisor-gpu stats` (table, JSON, Prometheus text, the atomic file write).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "../codegen/wire_buf.h"
#include "venus_guest.h"
#include "pearvisor/pearvisor.h"
#include "stats_format.h"
#include "vtest/stats_record.h"
#include "vtest/vtest_stats.h"

enum {
   CMD_SET_REPLY = 178,
   CMD_SEEK_REPLY = 179,
   CMD_CREATE_RING = 188,
   CMD_DESTROY_RING = 189,
   CMD_EXPERIMENTAL = 195,
   STYPE_RING_CREATE_INFO = 1000384000,
};
#define RING_ID 0x77ull

static void
get_stats(struct pv_context *ctx, struct pv_context_stats *st)
{
   memset(st, 0, sizeof(*st));
   st->struct_size = sizeof(*st);
   assert_int_equal(pv_context_get_stats(ctx, st), 0);
}

static void
cmd_experimental(struct buf *b)
{
   w32(b, CMD_EXPERIMENTAL), w32(b, 1), w64(b, 1), w64(b, 16), w64(b, 16);
}

static void
test_context_counters(void **state)
{
   (void)state;
   struct pv_renderer *r = pv_renderer_create(NULL);
   assert_non_null(r);
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "stats-test");
   assert_non_null(ctx);
   uint8_t *reply = map_blob(ctx, 1, 4096);
   uint8_t *ring = map_blob(ctx, 2, 8192);
   struct pv_context_stats st;
   get_stats(ctx, &st);
   assert_int_equal(st.commands, 0);
   assert_int_equal(st.last_command, -1);
   assert_int_equal(st.blob_bytes, 4096 + 8192);
   assert_true(st.blob_bytes_max > 0 && st.device_memory_max > 0);
   assert_int_equal(st.queue_drains, 0);
   assert_int_equal(st.kept_objects, 0);
   assert_int_equal(st.kept_device_memory, 0);
   struct pv_context_stats small = {.struct_size = 8};
   assert_int_equal(pv_context_get_stats(ctx, &small), -1);
   /* A caller of the first version (up to lost_reason) is served what it knows, no more. */
   struct pv_context_stats v1;
   memset(&v1, 0xa5, sizeof(v1));
   v1.struct_size = offsetof(struct pv_context_stats, queue_drains);
   assert_int_equal(pv_context_get_stats(ctx, &v1), 0);
   assert_int_equal(v1.struct_size, offsetof(struct pv_context_stats, queue_drains));
   assert_int_equal(v1.blob_bytes, 4096 + 8192);
   assert_int_equal(v1.queue_drains, 0xa5a5a5a5a5a5a5a5ull); /* beyond its size: untouched */

   /* context path: set reply, seek, a command with a reply */
   struct buf b = {0};
   w32(&b, CMD_SET_REPLY), w32(&b, 0), w64(&b, 1), w32(&b, 1), w64(&b, 0), w64(&b, 4096);
   w32(&b, CMD_SEEK_REPLY), w32(&b, 0), w64(&b, 64);
   cmd_experimental(&b);
   assert_int_equal(pv_context_submit(ctx, b.b, b.n), 0);
   get_stats(ctx, &st);
   assert_int_equal(st.commands, 3);
   assert_int_equal(st.bytes_in, b.n);
   assert_int_equal(st.replies, 1);
   assert_int_equal(st.last_command, CMD_EXPERIMENTAL);
   assert_non_null(strstr(st.last_command_name, "Experimental"));

   /* a ring: it goes idle (1 ms timeout), a notify wakes it, its counts outlive it */
   struct buf c = {0};
   w32(&c, CMD_CREATE_RING), w32(&c, 0), w64(&c, RING_ID), w64(&c, 1);
   w32(&c, STYPE_RING_CREATE_INFO), w64(&c, 0), w32(&c, 0), w32(&c, 2);
   w64(&c, 0), w64(&c, RING_AREA), w64(&c, 1000000);
   w64(&c, RING_HEAD), w64(&c, RING_TAIL), w64(&c, RING_STATUS);
   w64(&c, RING_BUF), w64(&c, RING_BUFFER), w64(&c, RING_BUF + RING_BUFFER), w64(&c, 4);
   assert_int_equal(pv_context_submit(ctx, c.b, c.n), 0);
   assert_true(wait_until(ring_ctl(ring, RING_STATUS), STATUS_IDLE, STATUS_IDLE));
   /* IDLE is published just before the ring thread blocks: a command that lands in between is
    * run without a wake-up (a CI run of the POSIX build under load). Give it time to block. */
   sleep_ms(50);
   get_stats(ctx, &st);
   assert_int_equal(st.rings, 1);
   struct buf on_ring = {0};
   w32(&on_ring, CMD_SEEK_REPLY), w32(&on_ring, 0), w64(&on_ring, 128);
   cmd_experimental(&on_ring);
   uint32_t tail = guest_ring_submit(ctx, ring, RING_ID, &on_ring);
   assert_true(wait_until(ring_ctl(ring, RING_HEAD), ~0u, tail));
   /* the ring's first IDLE is counted before it sleeps; give the count a moment to land */
   for (int i = 0; i < 1000; i++) {
      get_stats(ctx, &st);
      if (st.ring_idle >= 1 && st.ring_wakeups >= 1)
         break;
      sleep_ms(1);
   }
   assert_true(st.ring_idle >= 1);
   assert_true(st.ring_wakeups >= 1);
   assert_int_equal(st.replies, 2);
   assert_int_equal(st.last_command, CMD_EXPERIMENTAL); /* the ring ran last */
   uint64_t before = st.commands;
   struct buf d = {0};
   w32(&d, CMD_DESTROY_RING), w32(&d, 0), w64(&d, RING_ID);
   assert_int_equal(pv_context_submit(ctx, d.b, d.n), 0);
   get_stats(ctx, &st);
   assert_int_equal(st.rings, 0);
   assert_int_equal(st.commands, before + 1); /* the ring's commands stay counted */
   assert_true(st.ring_wakeups >= 1);

   assert_false(st.lost);
   assert_string_equal(st.lost_reason, "");
   pv_context_mark_lost(ctx, "stats test reason");
   get_stats(ctx, &st);
   assert_true(st.lost);
   assert_string_equal(st.lost_reason, "stats test reason");
   pv_context_destroy(ctx);
   munmap(reply, 4096);
   munmap(ring, 8192);
   pv_renderer_destroy(r);
}

/* ----- the seqlock slot ----- */

struct writer_arg {
   struct vtest_stats_slot *slot;
   atomic_bool stop;
};

static void *
writer(void *p)
{
   struct writer_arg *a = p;
   struct vtest_stats_record r;
   memset(&r, 0, sizeof(r));
   for (uint64_t i = 1; !atomic_load(&a->stop); i++) {
      r.commands = r.bytes_in = r.replies = r.objects_by_type[PV_STATS_OBJECT_SLOTS - 1] = i;
      snprintf(r.name, sizeof(r.name), "n%llu", (unsigned long long)i);
      vtest_stats_slot_write(a->slot, &r);
   }
   return NULL;
}

static void
test_slot_consistent_under_writer(void **state)
{
   (void)state;
   struct writer_arg a = {.slot = calloc(1, sizeof(struct vtest_stats_slot))};
   assert_non_null(a.slot);
   atomic_init(&a.stop, false);
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, writer, &a), 0);
   uint64_t last = 0;
   for (int i = 0; i < 20000; i++) {
      struct vtest_stats_record r;
      if (!vtest_stats_slot_read(a.slot, &r))
         continue; /* the writer was always inside: allowed, never torn when true */
      assert_int_equal(r.commands, r.bytes_in);
      assert_int_equal(r.commands, r.replies);
      assert_int_equal(r.commands, r.objects_by_type[PV_STATS_OBJECT_SLOTS - 1]);
      if (r.commands) {
         char want[32];
         snprintf(want, sizeof(want), "n%llu", (unsigned long long)r.commands);
         assert_string_equal(r.name, want);
      }
      assert_true(r.commands >= last);
      last = r.commands;
   }
   atomic_store(&a.stop, true);
   pthread_join(t, NULL);
   free(a.slot);
}

/* A record with every kind of field set, strings with every character that needs escaping. */
static struct vtest_stats_record
sample(void)
{
   struct vtest_stats_record r;
   memset(&r, 0, sizeof(r));
   r.id = 7;
   r.pid = 4242;
   r.connected = 1;
   r.wire_format = 1;
   r.commands = 123456789012ull;
   r.commands_per_s = 1000;
   r.bytes_in = 1 << 20;
   r.replies = 5;
   r.objects = 4;
   r.objects_by_type[9] = 3; /* buffer */
   r.objects_by_type[0] = 1; /* other */
   r.device_memory_max = 8ull << 30;
   r.last_command = -1;
   r.lost = 1;
   snprintf(r.name, sizeof(r.name), "my app=1 %%50 \"q\"\\");
   snprintf(r.lost_reason, sizeof(r.lost_reason), "refused: a,b:c\nnext\ttab \xc3\xa9");
   snprintf(r.state, sizeof(r.state), "serving");
   snprintf(r.last_command_name, sizeof(r.last_command_name), "vkQueueSubmit");
   return r;
}

static void
test_wire_round_trip(void **state)
{
   (void)state;
   struct vtest_stats_record r = sample(), back;
   char buf[4096];
   size_t len = 0;
   assert_true(vtest_stats_encode(&r, buf, sizeof(buf), &len));
   assert_int_equal(len, strlen(buf));
   assert_int_equal(buf[len - 1], '\n');
   assert_null(memchr(buf, '\n', len - 1)); /* one line, whatever the strings hold */
   assert_non_null(strstr(buf, " objects_by_type=other:1,buffer:3 "));
   assert_true(vtest_stats_decode(buf, &back));
   assert_memory_equal(&r, &back, sizeof(r));
   /* an empty record: types "-", strings empty */
   struct vtest_stats_record z, zb;
   memset(&z, 0, sizeof(z));
   len = 0;
   assert_true(vtest_stats_encode(&z, buf, sizeof(buf), &len));
   assert_non_null(strstr(buf, "objects_by_type=- "));
   assert_true(vtest_stats_decode(buf, &zb));
   assert_memory_equal(&z, &zb, sizeof(z));
   /* too small a buffer: nothing appended */
   len = 3;
   assert_false(vtest_stats_encode(&r, buf, 100, &len));
   assert_int_equal(len, 3);
}

static void
test_wire_malformed(void **state)
{
   (void)state;
   struct vtest_stats_record r;
   static const char *const bad[] = {
      "",
      "clients id=1",
      "server id=1",
      "client id",
      "client id=",
      "client id=-1",
      "client id=12x",
      "client id=99999999999999999999999",
      "client name=%4",
      "client name=%G0",
      "client name=%",
      "client last_command=--1",
      "client objects_by_type=buffer",
      "client objects_by_type=buffer:x",
      "client objects_by_type=buffer:1,",
   };
   for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
      if (vtest_stats_decode(bad[i], &r))
         fail_msg("accepted '%s'", bad[i]);
   }
   char longname[200] = "client name=";
   memset(longname + strlen(longname), 'a', 100);
   assert_false(vtest_stats_decode(longname, &r)); /* longer than the name field */
   /* unknown keys and type names (a newer server) are skipped */
   assert_true(
      vtest_stats_decode("client id=3 future=x%20y objects_by_type=widget:4,image:2\n", &r));
   assert_int_equal(r.id, 3);
   assert_int_equal(r.objects_by_type[10], 2);
   assert_int_equal(r.last_command, -1);
}

static void
test_parse_reply(void **state)
{
   (void)state;
   struct vtest_stats_record a = sample(), b = sample(), *out;
   b.id = 8;
   char reply[8192];
   size_t len = (size_t)snprintf(reply, sizeof(reply), "%s\n", VTEST_STATS_MAGIC);
   assert_true(vtest_stats_encode(&a, reply, sizeof(reply), &len));
   assert_true(vtest_stats_encode(&b, reply, sizeof(reply), &len));
   size_t body = len;
   snprintf(reply + len, sizeof(reply) - len, "end\n");
   size_t n;
   char err[256];
   assert_true(pv_stats_parse_reply(reply, &out, &n, err, sizeof(err)));
   assert_int_equal(n, 2);
   assert_int_equal(out[1].id, 8);
   free(out);
   /* no clients */
   snprintf(reply, sizeof(reply), "%s\nend\n", VTEST_STATS_MAGIC);
   assert_true(pv_stats_parse_reply(reply, &out, &n, err, sizeof(err)));
   assert_int_equal(n, 0);
   assert_null(out);
   /* truncated: no end line, or cut inside a line */
   len = (size_t)snprintf(reply, sizeof(reply), "%s\n", VTEST_STATS_MAGIC);
   assert_true(vtest_stats_encode(&a, reply, sizeof(reply), &len));
   assert_false(pv_stats_parse_reply(reply, &out, &n, err, sizeof(err)));
   assert_non_null(strstr(err, "truncated"));
   reply[body / 2] = '\0';
   assert_false(pv_stats_parse_reply(reply, &out, &n, err, sizeof(err)));
   /* not a stats reply, a malformed line */
   assert_false(pv_stats_parse_reply("error permission denied\n", &out, &n, err, sizeof(err)));
   assert_non_null(strstr(err, "not a stats reply"));
   snprintf(reply, sizeof(reply), "%s\nclient id=x\nend\n", VTEST_STATS_MAGIC);
   assert_false(pv_stats_parse_reply(reply, &out, &n, err, sizeof(err)));
   assert_non_null(strstr(err, "malformed"));
   assert_null(out);
}

/* What `print` wrote for `r`, NUL-terminated (malloc'ed). */
static char *
render(void (*print)(FILE *, const struct vtest_stats_record *, size_t),
       const struct vtest_stats_record *r, size_t n)
{
   char *text = NULL;
   size_t size = 0;
   FILE *f = open_memstream(&text, &size);
   assert_non_null(f);
   print(f, r, n);
   fclose(f);
   return text;
}

static void
test_outputs(void **state)
{
   (void)state;
   struct vtest_stats_record r[2] = {sample(), sample()};
   r[1].id = 9;
   r[1].connected = 0;
   r[1].lost = 0;
   r[1].lost_reason[0] = '\0';
   snprintf(r[1].state, sizeof(r[1].state), "crashed (signal 11)");
   char *t = render(pv_stats_print_table, r, 2);
   assert_non_null(strstr(t, "LAST COMMAND"));
   assert_non_null(strstr(t, "LOST"));
   assert_non_null(strstr(t, "crashed (signal 11)"));
   assert_non_null(strstr(t, "objects: other 1, buffer 3"));
   assert_non_null(strstr(t, "lost: refused: a,b:c?next?tab \xc3\xa9\n"));
   assert_non_null(strstr(t, "1.0M"));
   free(t);
   t = render(pv_stats_print_table, r, 0);
   assert_non_null(strstr(t, "(no clients)"));
   free(t);

   /* What guests choose (their process's name, parts of lost reasons) reaches the operator's
    * terminal without its control characters: no escape sequence, no line of its own. */
   struct vtest_stats_record evil = sample();
   snprintf(evil.name, sizeof(evil.name),
            "a\x1b]2;pwned\x07"
            "b\xc2\x9b\xc0\xaf\xe2\x82");
   snprintf(evil.lost_reason, sizeof(evil.lost_reason),
            "x\ny\x1b[2J\x7f \xc3\xa9 \xf0\x9f\x8d\x90");
   snprintf(evil.state, sizeof(evil.state), "crashed\r(signal 9)");
   evil.lost = 0;
   t = render(pv_stats_print_table, &evil, 1);
   assert_null(strchr(t, '\x1b'));
   assert_null(strchr(t, '\x07'));
   assert_null(strchr(t, '\r'));
   assert_null(strstr(t, "\xc2\x9b"));             /* a C1 control (CSI) in UTF-8 */
   assert_non_null(strstr(t, "a?]2;pwned?b????")); /* C1, an overlong '/', a cut sequence */
   free(t);
   evil.lost = 1;
   t = render(pv_stats_print_table, &evil, 1);
   assert_non_null(strstr(t, "    lost: x?y?[2J? \xc3\xa9 \xf0\x9f\x8d\x90\n")); /* UTF-8 stays */
   assert_non_null(strstr(t, "    state: crashed?(signal 9)\n"));
   assert_null(strchr(t, '\x1b'));
   free(t);

   /* A long non-ASCII name is cut after 18 characters, not 18 bytes (never inside one), and
    * padded by characters, so the next column stays where the header puts it. */
   struct vtest_stats_record wide = sample();
   wide.name[0] = '\0';
   for (int i = 0; i < 20; i++)
      strcat(wide.name, "\xc3\xa9"); /* U+00E9, two bytes */
   t = render(pv_stats_print_table, &wide, 1);
   char cut[64] = "";
   for (int i = 0; i < 18; i++)
      strcat(cut, "\xc3\xa9");
   strcat(cut, " 1    "); /* the WIRE column right after */
   assert_non_null(strstr(t, cut));
   free(t);
   snprintf(wide.name, sizeof(wide.name), "\xc3\xa9t\xc3\xa9");
   t = render(pv_stats_print_table, &wide, 1);
   assert_non_null(strstr(t, "\xc3\xa9t\xc3\xa9" "                1    "));
   free(t);

   char *j = render(pv_stats_print_json, r, 2);
   assert_non_null(strstr(j, "\"name\": \"my app=1 %50 \\\"q\\\"\\\\\""));
   assert_non_null(strstr(j, "\"lost_reason\": \"refused: a,b:c\\u000anext\\u0009tab \xc3\xa9\""));
   assert_non_null(strstr(j, "\"objects_by_type\": {\"other\": 1, \"buffer\": 3}"));
   assert_non_null(strstr(j, "\"commands\": 123456789012,"));
   assert_non_null(strstr(j, "\"last_command\": -1,"));
   free(j);
   j = render(pv_stats_print_json, r, 0);
   assert_string_equal(j, "{\"clients\": []}\n");
   free(j);

   char *p = render(pv_stats_print_prometheus, r, 2);
   assert_non_null(strstr(p, "pearvisor_clients 1\n"));
   assert_non_null(strstr(p, "# TYPE pearvisor_client_commands_total counter\n"));
   assert_non_null(strstr(p, "# TYPE pearvisor_client_device_memory_max gauge\n"));
   assert_non_null(strstr(p, "pearvisor_client_commands_total{id=\"7\",pid=\"4242\","
                             "name=\"my app=1 %50 \\\"q\\\"\\\\\",wire=\"1\"} 123456789012\n"));
   assert_non_null(strstr(p, ",type=\"buffer\"} 3\n"));
   assert_non_null(strstr(p, "reason=\"refused: a,b:c\\nnext\ttab \xc3\xa9\"} 1\n"));
   assert_null(strstr(p, "pearvisor_client_name")); /* strings are labels, not metrics */
   /* every sample line is NAME{labels} VALUE or a comment */
   for (char *line = p; *line;) {
      char *nl = strchr(line, '\n');
      assert_non_null(nl);
      if (*line != '#')
         assert_true(strncmp(line, "pearvisor_", 10) == 0);
      line = nl + 1;
   }
   char dir[] = "/tmp/pv-stats-test-XXXXXX";
   assert_non_null(mkdtemp(dir));
   char path[128];
   snprintf(path, sizeof(path), "%s/pearvisor.prom", dir);
   assert_int_equal(pv_stats_write_prometheus_file(path, r, 2), 0);
   FILE *f = fopen(path, "r");
   assert_non_null(f);
   char file[16384];
   size_t got = fread(file, 1, sizeof(file) - 1, f);
   fclose(f);
   file[got] = '\0';
   assert_string_equal(file, p);
   unlink(path);
   assert_int_equal(rmdir(dir), 0); /* no temporary file left behind */
   snprintf(path, sizeof(path), "%s/missing/pearvisor.prom", dir);
   assert_int_equal(pv_stats_write_prometheus_file(path, r, 2), -1);
   free(p);
}

/* The registry: a tracked slot shown with the pid it was tracked under and, once marked, the
 * mark's state; untracked, it stays among the departed with the state it left in. */
static void
test_registry_mark(void **state)
{
   (void)state;
   struct vtest_stats_slot *slot = calloc(1, sizeof(*slot));
   assert_non_null(slot);
   vtest_stats_slot_start(slot);
   struct vtest_stats_record r;
   vtest_stats_slot_read(slot, &r);
   snprintf(r.state, sizeof(r.state), "serving");
   r.pid = 1;
   vtest_stats_slot_write(slot, &r);
   vtest_stats_track(slot, 4321);
   const uint64_t id = r.id;
   struct vtest_stats_record *recs = NULL;
   size_t n = vtest_stats_collect(&recs), k;
   for (k = 0; k < n && recs[k].id != id; k++)
      ;
   assert_true(k < n);
   assert_int_equal(recs[k].pid, 4321); /* the tracker's pid, not the writer's */
   assert_string_equal(recs[k].state, "serving");
   free(recs);
   vtest_stats_mark(slot, "closing");
   n = vtest_stats_collect(&recs);
   for (k = 0; k < n && recs[k].id != id; k++)
      ;
   assert_true(k < n);
   assert_string_equal(recs[k].state, "closing");
   free(recs);
   vtest_stats_mark(slot, NULL);
   n = vtest_stats_collect(&recs);
   for (k = 0; k < n && recs[k].id != id; k++)
      ;
   assert_string_equal(recs[k].state, "serving");
   free(recs);
   vtest_stats_mark(slot, "closing");
   vtest_stats_untrack(slot, "destroyed");
   free(slot);
   n = vtest_stats_collect(&recs);
   for (k = 0; k < n && recs[k].id != id; k++)
      ;
   assert_true(k < n);
   assert_string_equal(recs[k].state, "destroyed");
   assert_int_equal(recs[k].connected, 0);
   free(recs);
}

static void
test_human_bytes(void **state)
{
   (void)state;
   char b[16];
   pv_stats_human_bytes(0, b, sizeof(b));
   assert_string_equal(b, "0");
   pv_stats_human_bytes(1023, b, sizeof(b));
   assert_string_equal(b, "1023");
   pv_stats_human_bytes(1536, b, sizeof(b));
   assert_string_equal(b, "1.5K");
   pv_stats_human_bytes(8ull << 30, b, sizeof(b));
   assert_string_equal(b, "8.0G");
   pv_stats_human_bytes(UINT64_MAX, b, sizeof(b));
   assert_string_equal(b, "16.0E");
}

int
main(void)
{
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_context_counters), cmocka_unit_test(test_slot_consistent_under_writer),
      cmocka_unit_test(test_wire_round_trip),  cmocka_unit_test(test_wire_malformed),
      cmocka_unit_test(test_parse_reply),      cmocka_unit_test(test_outputs),
      cmocka_unit_test(test_human_bytes),      cmocka_unit_test(test_registry_mark),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
