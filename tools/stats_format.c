/* SPDX-License-Identifier: MIT */
/* Parsing and printing `pearvisor-gpu stats` output (stats_format.h). */
#include "stats_format.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
pv_stats_parse_reply(const char *text, struct vtest_stats_record **out, size_t *count, char *err,
                     size_t err_size)
{
   *out = NULL;
   *count = 0;
   size_t magic = strlen(VTEST_STATS_MAGIC);
   if (strncmp(text, VTEST_STATS_MAGIC, magic) || text[magic] != '\n') {
      snprintf(err, err_size, "not a stats reply: %.60s", text);
      return false;
   }
   const char *line = text + magic + 1;
   size_t cap = 0;
   while (*line) {
      const char *nl = strchr(line, '\n');
      if (!nl)
         break;
      if (!strncmp(line, "end\n", 4))
         return true;
      if (*count == cap) {
         cap = cap ? cap * 2 : 16;
         struct vtest_stats_record *n = realloc(*out, cap * sizeof(*n));
         if (!n) {
            snprintf(err, err_size, "out of memory");
            break;
         }
         *out = n;
      }
      if (!vtest_stats_decode(line, &(*out)[*count])) {
         snprintf(err, err_size, "malformed client line: %.*s", (int)(nl - line), line);
         break;
      }
      (*count)++;
      line = nl + 1;
   }
   if (!*line)
      snprintf(err, err_size, "truncated reply (no end line)");
   free(*out);
   *out = NULL;
   *count = 0;
   return false;
}

void
pv_stats_human_bytes(uint64_t v, char *buf, size_t size)
{
   static const char units[] = "KMGTPE";
   if (v < 1024) {
      snprintf(buf, size, "%llu", (unsigned long long)v);
      return;
   }
   double x = (double)v / 1024;
   unsigned u = 0;
   while (x >= 1024 && u + 1 < sizeof(units) - 1) {
      x /= 1024;
      u++;
   }
   snprintf(buf, size, "%.1f%c", x, units[u]);
}

static void
human_duration(uint64_t ms, char *buf, size_t size)
{
   uint64_t s = ms / 1000;
   if (s < 3600)
      snprintf(buf, size, "%llu:%02llu", (unsigned long long)(s / 60),
               (unsigned long long)(s % 60));
   else
      snprintf(buf, size, "%lluh%02llu", (unsigned long long)(s / 3600),
               (unsigned long long)(s / 60 % 60));
}

/* Length of the UTF-8 sequence at s (0: not one) whose code point is printable: not a C0 or C1
 * control, not an overlong form, a surrogate or past U+10FFFF. */
static size_t
printable_utf8(const unsigned char *s)
{
   if (s[0] >= 0x20 && s[0] < 0x7f)
      return 1;
   size_t n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 ? 2 : 0;
   if (!n || s[0] >= 0xf5)
      return 0;
   uint32_t cp = s[0] & (0x7f >> n);
   for (size_t i = 1; i < n; i++) {
      if ((s[i] & 0xc0) != 0x80)
         return 0;
      cp = cp << 6 | (s[i] & 0x3f);
   }
   static const uint32_t min[5] = {0, 0, 0xa0, 0x800, 0x10000}; /* 0x80-0x9f: C1 controls */
   if (cp < min[n] || (cp >= 0xd800 && cp < 0xe000) || cp > 0x10ffff)
      return 0;
   return n;
}

/* `s` for a terminal: guests choose names (their process's) and parts of lost reasons, so
 * control characters (a newline, an escape sequence that retitles or clears the operator's
 * terminal) and malformed UTF-8 become '?'. */
static const char *
for_terminal(const char *s, char *buf, size_t size)
{
   size_t o = 0;
   const unsigned char *p = (const unsigned char *)s;
   while (*p && o + 1 < size) {
      size_t n = printable_utf8(p);
      if (!n || o + n >= size) {
         buf[o++] = '?';
         p++;
         continue;
      }
      memcpy(buf + o, p, n);
      o += n;
      p += n;
   }
   buf[o] = '\0';
   return buf;
}

/* Prints `s` (valid UTF-8, as for_terminal leaves it) in a column `cols` characters wide: cut
 * after `cols` code points, never inside a sequence, and padded with spaces. printf's "%-18.18s"
 * counts bytes, so it cut a long non-ASCII name in the middle of a character. */
static void
print_column(FILE *f, const char *s, size_t cols)
{
   size_t bytes = 0, chars = 0;
   while (s[bytes] && chars < cols) {
      bytes++;
      while (((unsigned char)s[bytes] & 0xc0) == 0x80)
         bytes++;
      chars++;
   }
   fprintf(f, "%.*s%*s", (int)bytes, s, (int)(cols - chars), "");
}

static void
print_detail(FILE *f, const struct vtest_stats_record *r)
{
   bool any = false;
   for (unsigned t = 0; t < PV_STATS_OBJECT_SLOTS; t++) {
      if (!r->objects_by_type[t])
         continue;
      fprintf(f, "%s %s %llu", any ? "," : "    objects:", vtest_stats_object_type_name(t),
              (unsigned long long)r->objects_by_type[t]);
      any = true;
   }
   if (any)
      fputc('\n', f);
   char reason[sizeof(r->lost_reason)];
   if (r->lost)
      fprintf(f, "    lost: %s\n", for_terminal(r->lost_reason, reason, sizeof(reason)));
}

void
pv_stats_print_table(FILE *f, const struct vtest_stats_record *r, size_t n)
{
   fprintf(f, "%-4s %-7s %-18s %-4s %-7s %-19s %10s %8s %8s %8s %6s %6s %6s %15s %15s  %s\n", "ID",
           "PID", "NAME", "WIRE", "UPTIME", "STATE", "CMDS", "CMD/S", "IN", "REPLIES", "WAKE",
           "IDLE", "OBJS", "DEVMEM/QUOTA", "BLOB/QUOTA", "LAST COMMAND");
   for (size_t i = 0; i < n; i++) {
      const struct vtest_stats_record *c = &r[i];
      char up[32], in[16], dm[16], dmq[16], bb[16], bbq[16], mem[40], blob[40];
      human_duration(c->uptime_ms, up, sizeof(up));
      pv_stats_human_bytes(c->bytes_in, in, sizeof(in));
      pv_stats_human_bytes(c->device_memory, dm, sizeof(dm));
      pv_stats_human_bytes(c->device_memory_max, dmq, sizeof(dmq));
      pv_stats_human_bytes(c->blob_bytes, bb, sizeof(bb));
      pv_stats_human_bytes(c->blob_bytes_max, bbq, sizeof(bbq));
      snprintf(mem, sizeof(mem), "%s/%s", dm, dmq);
      snprintf(blob, sizeof(blob), "%s/%s", bb, bbq);
      char name[sizeof(c->name)], state[sizeof(c->state)], last[sizeof(c->last_command_name)];
      for_terminal(c->name, name, sizeof(name));
      for_terminal(c->lost ? "LOST" : c->state, state, sizeof(state));
      for_terminal(c->last_command_name[0] ? c->last_command_name : "-", last, sizeof(last));
      fprintf(f, "%-4llu %-7llu ", (unsigned long long)c->id, (unsigned long long)c->pid);
      print_column(f, name, 18);
      fprintf(f, " %-4llu %-7s ", (unsigned long long)c->wire_format, up);
      print_column(f, state, 19);
      fprintf(f, " %10llu %8llu %8s %8llu %6llu %6llu %6llu %15s %15s  %s\n",
              (unsigned long long)c->commands, (unsigned long long)c->commands_per_s, in,
              (unsigned long long)c->replies, (unsigned long long)c->ring_wakeups,
              (unsigned long long)c->ring_idle, (unsigned long long)c->objects, mem, blob, last);
      if (c->lost && strcmp(c->state, "serving"))
         fprintf(f, "    state: %s\n", for_terminal(c->state, state, sizeof(state)));
      print_detail(f, c);
   }
   if (!n)
      fprintf(f, "(no clients)\n");
}

/* A JSON string (RFC 8259 escapes). */
static void
json_string(FILE *f, const char *s)
{
   fputc('"', f);
   for (; *s; s++) {
      unsigned char ch = (unsigned char)*s;
      if (ch == '"' || ch == '\\')
         fprintf(f, "\\%c", ch);
      else if (ch < 0x20 || ch == 0x7f)
         fprintf(f, "\\u%04x", ch);
      else
         fputc(ch, f);
   }
   fputc('"', f);
}

static void
json_field(FILE *f, const struct vtest_stats_record *r, const struct vtest_stats_field *fd)
{
   const void *p = vtest_stats_field_ptr(r, fd);
   switch (fd->type) {
   case VTEST_FIELD_U64:
      fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p);
      break;
   case VTEST_FIELD_I64:
      fprintf(f, "%lld", (long long)*(const int64_t *)p);
      break;
   case VTEST_FIELD_STR:
      json_string(f, p);
      break;
   case VTEST_FIELD_TYPES: {
      const uint64_t *slots = p;
      fputc('{', f);
      bool first = true;
      for (unsigned t = 0; t < PV_STATS_OBJECT_SLOTS; t++) {
         if (!slots[t])
            continue;
         fprintf(f, "%s\"%s\": %llu", first ? "" : ", ", vtest_stats_object_type_name(t),
                 (unsigned long long)slots[t]);
         first = false;
      }
      fputc('}', f);
      break;
   }
   }
}

void
pv_stats_print_json(FILE *f, const struct vtest_stats_record *r, size_t n)
{
   fprintf(f, "{\"clients\": [");
   for (size_t i = 0; i < n; i++) {
      fprintf(f, "%s\n  {", i ? "," : "");
      for (size_t k = 0; k < vtest_stats_field_count; k++) {
         const struct vtest_stats_field *fd = &vtest_stats_fields[k];
         fprintf(f, "%s\"%s\": ", k ? ", " : "", fd->key);
         json_field(f, &r[i], fd);
      }
      fputc('}', f);
   }
   fprintf(f, "%s]}\n", n ? "\n" : "");
}

/* A label value of the text exposition format: \\, \" and \n escaped. */
static void
prom_label(FILE *f, const char *name, const char *value)
{
   fprintf(f, "%s=\"", name);
   for (; *value; value++) {
      if (*value == '\\' || *value == '"')
         fprintf(f, "\\%c", *value);
      else if (*value == '\n')
         fputs("\\n", f);
      else
         fputc(*value, f);
   }
   fputc('"', f);
}

static void
prom_labels(FILE *f, const struct vtest_stats_record *c)
{
   fprintf(f, "{id=\"%llu\",pid=\"%llu\",", (unsigned long long)c->id, (unsigned long long)c->pid);
   prom_label(f, "name", c->name);
   fprintf(f, ",wire=\"%llu\"", (unsigned long long)c->wire_format);
}

static void
prom_metric(FILE *f, const struct vtest_stats_field *fd, const struct vtest_stats_record *r,
            size_t n)
{
   bool counter = fd->metric == VTEST_METRIC_COUNTER;
   fprintf(f, "# HELP pearvisor_client_%s%s %s\n", fd->key, counter ? "_total" : "", fd->help);
   fprintf(f, "# TYPE pearvisor_client_%s%s %s\n", fd->key, counter ? "_total" : "",
           counter ? "counter" : "gauge");
   for (size_t i = 0; i < n; i++) {
      const void *p = vtest_stats_field_ptr(&r[i], fd);
      if (fd->type == VTEST_FIELD_TYPES) {
         for (unsigned t = 0; t < PV_STATS_OBJECT_SLOTS; t++) {
            fprintf(f, "pearvisor_client_%s", fd->key);
            prom_labels(f, &r[i]);
            fprintf(f, ",type=\"%s\"} %llu\n", vtest_stats_object_type_name(t),
                    (unsigned long long)((const uint64_t *)p)[t]);
         }
         continue;
      }
      fprintf(f, "pearvisor_client_%s%s", fd->key, counter ? "_total" : "");
      prom_labels(f, &r[i]);
      if (!strcmp(fd->key, "lost")) { /* the reason rides on the lost gauge */
         fputc(',', f);
         prom_label(f, "reason", r[i].lost_reason);
      }
      fprintf(f, "} %llu\n", (unsigned long long)*(const uint64_t *)p);
   }
}

void
pv_stats_print_prometheus(FILE *f, const struct vtest_stats_record *r, size_t n)
{
   size_t connected = 0;
   for (size_t i = 0; i < n; i++)
      connected += r[i].connected ? 1 : 0;
   fprintf(f,
           "# HELP pearvisor_clients Clients connected to the server.\n"
           "# TYPE pearvisor_clients gauge\npearvisor_clients %zu\n",
           connected);
   for (size_t k = 0; k < vtest_stats_field_count; k++)
      if (vtest_stats_fields[k].metric != VTEST_METRIC_NONE)
         prom_metric(f, &vtest_stats_fields[k], r, n);
}

int
pv_stats_write_prometheus_file(const char *path, const struct vtest_stats_record *r, size_t n)
{
   size_t len = strlen(path) + 32;
   char *tmp = malloc(len);
   if (!tmp)
      return -1;
   /* Same directory: rename() is atomic only within one file system. */
   snprintf(tmp, len, "%s.%ld.tmp", path, (long)getpid());
   FILE *f = fopen(tmp, "w");
   if (!f) {
      free(tmp);
      return -1;
   }
   pv_stats_print_prometheus(f, r, n);
   bool ok = !ferror(f);
   ok = fclose(f) == 0 && ok;
   if (!ok || rename(tmp, path) != 0) {
      int e = errno;
      unlink(tmp);
      free(tmp);
      errno = e;
      return -1;
   }
   free(tmp);
   return 0;
}
