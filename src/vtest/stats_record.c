/* SPDX-License-Identifier: MIT */
/* The field table of a client's statistics and their wire line (stats_record.h). */
#include "vtest/stats_record.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define U64(k, m, h)                                                                               \
   {#k, VTEST_FIELD_U64, offsetof(struct vtest_stats_record, k), 8, m, h}
#define STR(k, h)                                                                                  \
   {#k, VTEST_FIELD_STR, offsetof(struct vtest_stats_record, k),                                    \
    sizeof(((struct vtest_stats_record *)0)->k), VTEST_METRIC_NONE, h}

/* Order is the order of the wire line and of --json. */
const struct vtest_stats_field vtest_stats_fields[] = {
   U64(id, VTEST_METRIC_NONE, "the server's number for the connection"),
   U64(pid, VTEST_METRIC_NONE, "process serving the client"),
   STR(name, "guest process name"),
   STR(state, "connecting, serving, hung up, crashed (signal N), ..."),
   U64(connected, VTEST_METRIC_GAUGE, "1 while the client is connected"),
   U64(wire_format, VTEST_METRIC_NONE, "Venus wire format"),
   U64(start_ns, VTEST_METRIC_NONE, "connection time, ns since the epoch"),
   U64(uptime_ms, VTEST_METRIC_GAUGE, "milliseconds since the client connected"),
   U64(commands, VTEST_METRIC_COUNTER, "Venus commands decoded"),
   U64(commands_per_s, VTEST_METRIC_GAUGE, "Venus commands decoded per second, last second"),
   U64(bytes_in, VTEST_METRIC_COUNTER, "command-stream bytes run"),
   U64(replies, VTEST_METRIC_COUNTER, "replies written"),
   U64(ring_wakeups, VTEST_METRIC_COUNTER, "idle ring threads woken by the guest"),
   U64(ring_idle, VTEST_METRIC_COUNTER, "ring threads that went idle"),
   U64(queue_drains, VTEST_METRIC_COUNTER, "waits for all of a queue's work (pipeline stalls)"),
   U64(recorded_calls, VTEST_METRIC_COUNTER, "vkCmd* host calls made on a recording thread"),
   U64(destroys_deferred, VTEST_METRIC_COUNTER,
       "objects destroyed once their GPU work finished, without a queue wait"),
   U64(kept_objects, VTEST_METRIC_GAUGE,
       "host objects the guest destroyed, kept until their GPU work finishes"),
   U64(kept_device_memory, VTEST_METRIC_GAUGE,
       "bytes of device_memory held by freed memory and query pools kept for their GPU work"),
   U64(rings, VTEST_METRIC_GAUGE, "rings alive"),
   U64(objects, VTEST_METRIC_GAUGE, "live Vulkan objects"),
   {"objects_by_type", VTEST_FIELD_TYPES, offsetof(struct vtest_stats_record, objects_by_type),
    sizeof(((struct vtest_stats_record *)0)->objects_by_type), VTEST_METRIC_GAUGE,
    "live Vulkan objects by type"},
   U64(device_memory, VTEST_METRIC_GAUGE, "bytes of VkDeviceMemory"),
   U64(device_memory_max, VTEST_METRIC_GAUGE, "device memory quota in bytes"),
   U64(blob_bytes, VTEST_METRIC_GAUGE, "blob bytes (and ring copies)"),
   U64(blob_bytes_max, VTEST_METRIC_GAUGE, "blob quota in bytes"),
   U64(lost, VTEST_METRIC_GAUGE, "1 when the context is lost"),
   STR(lost_reason, "why the context was lost"),
   {"last_command", VTEST_FIELD_I64, offsetof(struct vtest_stats_record, last_command), 8,
    VTEST_METRIC_NONE, "wire id of the last command decoded (-1: none)"},
   STR(last_command_name, "name of the last command decoded"),
};
const size_t vtest_stats_field_count = sizeof(vtest_stats_fields) / sizeof(vtest_stats_fields[0]);

static const char *const k_type_names[PV_STATS_OBJECT_SLOTS] = {
   "other",          "instance",        "physical_device",       "device",
   "queue",          "semaphore",       "command_buffer",        "fence",
   "device_memory",  "buffer",          "image",                 "event",
   "query_pool",     "buffer_view",     "image_view",            "shader_module",
   "pipeline_cache", "pipeline_layout", "render_pass",           "pipeline",
   "descriptor_set_layout", "sampler",  "descriptor_pool",       "descriptor_set",
   "framebuffer",    "command_pool",
};

const char *
vtest_stats_object_type_name(unsigned slot)
{
   return slot < PV_STATS_OBJECT_SLOTS ? k_type_names[slot] : "other";
}

/* A small appender that remembers running out of room. */
struct out {
   char *buf;
   size_t cap, len;
   bool full;
};

static void
put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
   if (o->full)
      return;
   va_list ap;
   va_start(ap, fmt);
   int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
   va_end(ap);
   if (n < 0 || (size_t)n >= o->cap - o->len)
      o->full = true;
   else
      o->len += (size_t)n;
}

static bool
plain_char(unsigned char ch)
{
   return ch > 0x20 && ch < 0x7f && ch != '%' && ch != '=' && ch != ',' && ch != ':';
}

static void
put_escaped(struct out *o, const char *s, size_t max)
{
   for (size_t i = 0; i < max && s[i]; i++) {
      unsigned char ch = (unsigned char)s[i];
      if (plain_char(ch))
         put(o, "%c", ch);
      else
         put(o, "%%%02X", ch);
   }
}

static void
put_types(struct out *o, const uint64_t *slots)
{
   bool first = true;
   for (unsigned i = 0; i < PV_STATS_OBJECT_SLOTS; i++) {
      if (!slots[i])
         continue;
      put(o, "%s%s:%llu", first ? "" : ",", k_type_names[i], (unsigned long long)slots[i]);
      first = false;
   }
   if (first)
      put(o, "-");
}

bool
vtest_stats_encode(const struct vtest_stats_record *r, char *buf, size_t cap, size_t *len)
{
   struct out o = {buf, cap, *len, cap <= *len};
   put(&o, "client");
   for (size_t i = 0; i < vtest_stats_field_count; i++) {
      const struct vtest_stats_field *f = &vtest_stats_fields[i];
      const void *p = vtest_stats_field_ptr(r, f);
      put(&o, " %s=", f->key);
      if (f->type == VTEST_FIELD_U64)
         put(&o, "%llu", (unsigned long long)*(const uint64_t *)p);
      else if (f->type == VTEST_FIELD_I64)
         put(&o, "%lld", (long long)*(const int64_t *)p);
      else if (f->type == VTEST_FIELD_TYPES)
         put_types(&o, p);
      else
         put_escaped(&o, p, f->size);
   }
   put(&o, "\n");
   if (o.full) {
      if (*len < cap)
         buf[*len] = '\0';
      return false;
   }
   *len = o.len;
   return true;
}

static const struct vtest_stats_field *
find_field(const char *key, size_t n)
{
   for (size_t i = 0; i < vtest_stats_field_count; i++)
      if (strlen(vtest_stats_fields[i].key) == n && !memcmp(vtest_stats_fields[i].key, key, n))
         return &vtest_stats_fields[i];
   return NULL;
}

static int
hex(char ch)
{
   if (ch >= '0' && ch <= '9')
      return ch - '0';
   if (ch >= 'A' && ch <= 'F')
      return ch - 'A' + 10;
   if (ch >= 'a' && ch <= 'f')
      return ch - 'a' + 10;
   return -1;
}

static bool
decode_str(const char *v, size_t n, char *out, size_t size)
{
   size_t k = 0;
   for (size_t i = 0; i < n; i++) {
      char ch = v[i];
      if (ch == '%') {
         if (i + 2 >= n || hex(v[i + 1]) < 0 || hex(v[i + 2]) < 0)
            return false;
         ch = (char)(hex(v[i + 1]) * 16 + hex(v[i + 2]));
         i += 2;
      }
      if (k + 1 >= size)
         return false;
      out[k++] = ch;
   }
   out[k] = '\0';
   return true;
}

static bool
decode_num(const char *v, size_t n, bool is_signed, void *out)
{
   char tmp[32];
   if (n == 0 || n >= sizeof(tmp))
      return false;
   memcpy(tmp, v, n);
   tmp[n] = '\0';
   char *end;
   errno = 0;
   if (is_signed) {
      long long x = strtoll(tmp, &end, 10);
      *(int64_t *)out = x;
   } else {
      if (tmp[0] == '-')
         return false;
      unsigned long long x = strtoull(tmp, &end, 10);
      *(uint64_t *)out = x;
   }
   return !errno && *end == '\0';
}

static bool
decode_types(const char *v, size_t n, uint64_t *slots)
{
   memset(slots, 0, PV_STATS_OBJECT_SLOTS * sizeof(*slots));
   if (n == 1 && v[0] == '-')
      return true;
   const char *end = v + n;
   while (v < end) {
      const char *comma = memchr(v, ',', (size_t)(end - v));
      const char *item_end = comma ? comma : end;
      const char *colon = memchr(v, ':', (size_t)(item_end - v));
      if (!colon)
         return false;
      unsigned slot = PV_STATS_OBJECT_SLOTS;
      for (unsigned i = 0; i < PV_STATS_OBJECT_SLOTS; i++)
         if (strlen(k_type_names[i]) == (size_t)(colon - v) &&
             !memcmp(k_type_names[i], v, (size_t)(colon - v)))
            slot = i;
      uint64_t count;
      if (!decode_num(colon + 1, (size_t)(item_end - colon - 1), false, &count))
         return false;
      if (slot < PV_STATS_OBJECT_SLOTS) /* an unknown type name: a newer server, skipped */
         slots[slot] = count;
      if (comma && comma + 1 == end)
         return false; /* a trailing comma: cut short */
      v = comma ? comma + 1 : end;
   }
   return true;
}

static bool
decode_value(const struct vtest_stats_field *f, const char *v, size_t n,
             struct vtest_stats_record *r)
{
   void *p = (char *)r + f->offset;
   switch (f->type) {
   case VTEST_FIELD_U64:
      return decode_num(v, n, false, p);
   case VTEST_FIELD_I64:
      return decode_num(v, n, true, p);
   case VTEST_FIELD_TYPES:
      return decode_types(v, n, p);
   case VTEST_FIELD_STR:
      return decode_str(v, n, p, f->size);
   }
   return false;
}

bool
vtest_stats_decode(const char *line, struct vtest_stats_record *r)
{
   memset(r, 0, sizeof(*r));
   r->last_command = -1;
   if (strncmp(line, "client", 6) != 0 || (line[6] != ' ' && line[6] != '\n' && line[6]))
      return false;
   const char *s = line + 6;
   while (*s && *s != '\n') {
      if (*s == ' ') {
         s++;
         continue;
      }
      size_t tok = strcspn(s, " \n");
      const char *eq = memchr(s, '=', tok);
      if (!eq)
         return false;
      const struct vtest_stats_field *f = find_field(s, (size_t)(eq - s));
      if (f && !decode_value(f, eq + 1, (size_t)(s + tok - eq - 1), r))
         return false;
      s += tok;
   }
   return true;
}
