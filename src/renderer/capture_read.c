/* SPDX-License-Identifier: MIT */
/* Reading capture files (capture_read.h): framing, payloads and order rules, all through the
 * bounds-checked reader. A capture comes from anywhere (a bug report), so it is input like a
 * guest's stream: a bad one is refused with the reason, never trusted. */
#include "renderer/capture_read.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cs/pv_cs.h"

static const char *const k_type_names[PV_CAPTURE_TYPE_MAX + 1] = {
   [PV_CAPTURE_CONTEXT] = "CONTEXT",     [PV_CAPTURE_BLOB_CREATE] = "BLOB_CREATE",
   [PV_CAPTURE_BLOB_DESTROY] = "BLOB_DESTROY", [PV_CAPTURE_SUBMIT] = "SUBMIT",
   [PV_CAPTURE_RING_BATCH] = "RING_BATCH", [PV_CAPTURE_NESTED] = "NESTED",
   [PV_CAPTURE_REPLY] = "REPLY",         [PV_CAPTURE_MEMORY] = "MEMORY",
   [PV_CAPTURE_FENCE] = "FENCE",         [PV_CAPTURE_LOST] = "LOST",
   [PV_CAPTURE_STOP] = "STOP",           [PV_CAPTURE_END] = "END",
   [PV_CAPTURE_CAPPED] = "CAPPED",       [PV_CAPTURE_TRANSPORT] = "TRANSPORT",
};

const char *
pv_capture_type_name(uint32_t type)
{
   return type <= PV_CAPTURE_TYPE_MAX && k_type_names[type] ? k_type_names[type] : "?";
}

bool
pv_capture_type_is_top(uint32_t type)
{
   switch (type) {
   case PV_CAPTURE_BLOB_CREATE:
   case PV_CAPTURE_BLOB_DESTROY:
   case PV_CAPTURE_SUBMIT:
   case PV_CAPTURE_RING_BATCH:
   case PV_CAPTURE_FENCE:
   case PV_CAPTURE_END:
      return true;
   default:
      return false;
   }
}

static void
read_bytes(struct pv_cs_decoder *dec, struct pv_capture_payload *p)
{
   p->bytes_len = pv_cs_read_u64(dec);
   p->bytes = pv_cs_read_view(dec, p->bytes_len);
}

static void
read_clock(struct pv_cs_decoder *dec, struct pv_capture_payload *p)
{
   p->clock_count = pv_cs_read_u32(dec);
   uint64_t n;
   if (!pv_cs_mul(p->clock_count, 16, &n)) {
      pv_cs_set_fatal(dec, "clock count overflows");
      return;
   }
   p->clock = pv_cs_read_view(dec, n);
}

/* Checks every allocation and run of a MEMORY payload. */
static void
check_runs(struct pv_cs_decoder *dec, uint32_t allocs)
{
   for (uint32_t a = 0; a < allocs && !pv_cs_fatal(dec); a++) {
      pv_cs_read_u64(dec); /* memory id */
      uint64_t size = pv_cs_read_u64(dec);
      uint32_t runs = pv_cs_read_u32(dec);
      for (uint32_t r = 0; r < runs && !pv_cs_fatal(dec); r++) {
         uint64_t off = pv_cs_read_u64(dec);
         uint64_t len = pv_cs_read_u64(dec);
         if (off > size || len > size - off) {
            pv_cs_set_fatal(dec, "memory run outside its allocation");
            return;
         }
         pv_cs_read_view(dec, len);
      }
   }
}

static void
read_payload(struct pv_cs_decoder *dec, uint32_t type, struct pv_capture_payload *p)
{
   if (pv_capture_type_is_top(type))
      read_clock(dec, p);
   switch (type) {
   case PV_CAPTURE_CONTEXT:
      p->res_id = pv_cs_read_u32(dec); /* capset */
      p->flags = pv_cs_read_u32(dec);  /* wire format */
      read_bytes(dec, p);
      break;
   case PV_CAPTURE_BLOB_CREATE:
      p->res_id = pv_cs_read_u32(dec);
      p->flags = pv_cs_read_u32(dec);
      p->blob_id = pv_cs_read_u64(dec);
      p->size = pv_cs_read_u64(dec);
      p->result = pv_cs_read_i32(dec);
      break;
   case PV_CAPTURE_BLOB_DESTROY:
      p->res_id = pv_cs_read_u32(dec);
      break;
   case PV_CAPTURE_NESTED:
      p->res_id = pv_cs_read_u32(dec);
      p->offset = pv_cs_read_u64(dec);
      read_bytes(dec, p);
      break;
   case PV_CAPTURE_SUBMIT:
   case PV_CAPTURE_RING_BATCH:
   case PV_CAPTURE_REPLY:
   case PV_CAPTURE_LOST:
      read_bytes(dec, p);
      break;
   case PV_CAPTURE_TRANSPORT:
      p->flags = pv_cs_read_u32(dec); /* protocol */
      read_bytes(dec, p);
      break;
   case PV_CAPTURE_MEMORY:
      p->kind = pv_cs_read_u32(dec);
      p->allocs = pv_cs_read_u32(dec);
      p->runs = dec->cur;
      check_runs(dec, p->allocs);
      p->runs_len = (uint64_t)(dec->cur - p->runs);
      if (p->kind > PV_CAPTURE_MEMORY_FINAL)
         pv_cs_set_fatal(dec, "unknown memory snapshot kind");
      break;
   case PV_CAPTURE_FENCE:
      p->ring_idx = pv_cs_read_u32(dec);
      p->fence_id = pv_cs_read_u64(dec);
      break;
   case PV_CAPTURE_CAPPED:
      p->size = pv_cs_read_u64(dec);
      break;
   case PV_CAPTURE_STOP:
   case PV_CAPTURE_END:
      break;
   default:
      pv_cs_set_fatal(dec, "unknown record type");
   }
   if (!pv_cs_fatal(dec) && pv_cs_remaining(dec))
      pv_cs_set_fatal(dec, "bytes left over after the payload");
}

static bool
decode_checked(const struct pv_capture_record *r, struct pv_capture_payload *p,
               struct pv_cs_status *st)
{
   struct pv_cs_decoder dec;
   memset(p, 0, sizeof(*p));
   memset(st, 0, sizeof(*st));
   if (r->size > SIZE_MAX) {
      st->fatal = true;
      snprintf(st->reason, sizeof(st->reason), "payload too large");
      return false;
   }
   pv_cs_decoder_init(&dec, r->payload, (size_t)r->size, NULL, st, NULL);
   read_payload(&dec, r->type, p);
   return !st->fatal;
}

void
pv_capture_decode(const struct pv_capture_record *r, struct pv_capture_payload *p)
{
   struct pv_cs_status st;
   decode_checked(r, p, &st);
}

void
pv_capture_runs_begin(struct pv_capture_run_iter *it, const struct pv_capture_payload *p)
{
   memset(it, 0, sizeof(*it));
   it->cur = p->runs;
   it->end = p->runs + p->runs_len;
   it->allocs_left = p->allocs;
}

bool
pv_capture_runs_next(struct pv_capture_run_iter *it, struct pv_capture_run *run)
{
   struct pv_cs_status st = {0};
   struct pv_cs_decoder dec;
   pv_cs_decoder_init(&dec, it->cur, (size_t)(it->end - it->cur), NULL, &st, NULL);
   while (it->runs_left == 0) {
      if (it->allocs_left == 0)
         return false;
      it->allocs_left--;
      it->memory_id = pv_cs_read_u64(&dec);
      it->size = pv_cs_read_u64(&dec);
      it->runs_left = pv_cs_read_u32(&dec);
   }
   run->memory_id = it->memory_id;
   run->size = it->size;
   run->offset = pv_cs_read_u64(&dec);
   run->len = pv_cs_read_u64(&dec);
   run->data = pv_cs_read_view(&dec, run->len);
   it->runs_left--;
   it->cur = dec.cur;
   return !st.fatal;
}

/* ----- the whole file --------------------------------------------------------------------- */

struct parse_state {
   struct pv_capture_file *f;
   size_t cap;
   char *err;
   size_t err_size;
};

static int __attribute__((format(printf, 2, 3)))
fail(struct parse_state *s, const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(s->err, s->err_size, fmt, ap);
   va_end(ap);
   return -1;
}

static int
read_header(struct pv_cs_decoder *dec, struct parse_state *s)
{
   const char *magic = pv_cs_read_view(dec, 8);
   if (!magic || memcmp(magic, PV_CAPTURE_MAGIC, 8))
      return fail(s, "%s (offset %llu): not a PearVisor capture (bad magic)", "header", 0ull);
   s->f->version = pv_cs_read_u32(dec);
   uint32_t header_size = pv_cs_read_u32(dec);
   s->f->wire_format = pv_cs_read_u32(dec);
   s->f->capset = pv_cs_read_u32(dec);
   s->f->start_time_ns = pv_cs_read_u64(dec);
   if (pv_cs_fatal(dec))
      return fail(s, "%s (offset %llu): truncated", "header", 0ull);
   if (s->f->version < PV_CAPTURE_VERSION_MIN || s->f->version > PV_CAPTURE_VERSION)
      return fail(s, "%s (offset %llu): unsupported format version %u (this build reads %u to %u)",
                  "header", 8ull, s->f->version, PV_CAPTURE_VERSION_MIN, PV_CAPTURE_VERSION);
   if (header_size != PV_CAPTURE_HEADER_SIZE || s->f->wire_format > 1 || s->f->capset != 4)
      return fail(s, "%s (offset %llu): bad header size, wire format or capset", "header", 12ull);
   return 0;
}

static bool
add_record(struct parse_state *s, const struct pv_capture_record *r)
{
   struct pv_capture_file *f = s->f;
   if (f->count == s->cap) {
      size_t n = s->cap ? s->cap * 2 : 256;
      struct pv_capture_record *rs = realloc(f->records, n * sizeof(*rs));
      if (!rs)
         return false;
      f->records = rs;
      s->cap = n;
   }
   f->records[f->count++] = *r;
   return true;
}

/* Order rules: CONTEXT first; after END only the FINAL memory record; CAPPED last. */
static const char *
check_order(struct pv_capture_file *f, const struct pv_capture_record *r,
            const struct pv_capture_payload *p)
{
   if (f->count == 0)
      return r->type == PV_CAPTURE_CONTEXT ? NULL : "the first record is not CONTEXT";
   if (r->type == PV_CAPTURE_CONTEXT)
      return "a second CONTEXT record";
   if (f->capped)
      return "a record after the CAPPED marker";
   if (f->ended && !(r->type == PV_CAPTURE_MEMORY && p->kind == PV_CAPTURE_MEMORY_FINAL &&
                     f->records[f->count - 1].type == PV_CAPTURE_END))
      return "a record after END";
   if (r->type == PV_CAPTURE_MEMORY && p->kind == PV_CAPTURE_MEMORY_FINAL && !f->ended)
      return "a final memory record before END";
   if ((r->type == PV_CAPTURE_BLOB_CREATE || r->type == PV_CAPTURE_BLOB_DESTROY ||
        r->type == PV_CAPTURE_SUBMIT || r->type == PV_CAPTURE_FENCE || r->type == PV_CAPTURE_END) &&
       r->path != 0)
      return "a transport record on a ring path";
   if (r->type == PV_CAPTURE_TRANSPORT && r->path != 0)
      return "a transport message on a ring path";
   if (r->type == PV_CAPTURE_RING_BATCH && r->path == 0)
      return "a ring batch on the context path";
   return NULL;
}

static int
read_record(struct pv_cs_decoder *dec, struct parse_state *s, uint64_t offset)
{
   struct pv_capture_record r = {.offset = offset};
   r.type = pv_cs_read_u32(dec);
   uint32_t flags = pv_cs_read_u32(dec);
   r.size = pv_cs_read_u64(dec);
   r.time_ns = pv_cs_read_u64(dec);
   r.path = pv_cs_read_u64(dec);
   if (pv_cs_fatal(dec))
      return fail(s, "%s at offset %llu: truncated record header", "record", (unsigned long long)offset);
   if (r.type == 0 || r.type > PV_CAPTURE_TYPE_MAX || flags != 0)
      return fail(s, "%s at offset %llu: unknown record type or flags", "record", (unsigned long long)offset);
   if (r.size > pv_cs_remaining(dec))
      return fail(s, "%s record at offset %llu: truncated: its payload runs past the end of "
                     "the file",
                  pv_capture_type_name(r.type), (unsigned long long)offset);
   r.payload = pv_cs_read_view(dec, r.size);
   if (!r.payload)
      return fail(s, "%s record at offset %llu: truncated: its padding runs past the end",
                  pv_capture_type_name(r.type), (unsigned long long)offset);
   struct pv_capture_payload p;
   struct pv_cs_status st;
   const char *why = decode_checked(&r, &p, &st) ? check_order(s->f, &r, &p) : st.reason;
   if (why) {
      snprintf(s->err, s->err_size, "%s record at offset %llu: malformed: %s",
               pv_capture_type_name(r.type), (unsigned long long)offset, why);
      return -1;
   }
   if (r.type == PV_CAPTURE_CONTEXT) {
      s->f->name = (const char *)p.bytes;
      s->f->name_len = p.bytes_len;
   }
   s->f->ended |= r.type == PV_CAPTURE_END;
   s->f->capped |= r.type == PV_CAPTURE_CAPPED;
   if (!add_record(s, &r)) {
      snprintf(s->err, s->err_size, "out of memory");
      return -1;
   }
   return 0;
}

int
pv_capture_parse(const void *data, size_t size, struct pv_capture_file *out, char *err,
                 size_t err_size)
{
   memset(out, 0, sizeof(*out));
   struct parse_state s = {.f = out, .err = err, .err_size = err_size};
   struct pv_cs_status st = {0};
   struct pv_cs_decoder dec;
   pv_cs_decoder_init(&dec, data, size, NULL, &st, NULL);
   int ret = read_header(&dec, &s);
   while (ret == 0 && pv_cs_remaining(&dec) > 0)
      ret = read_record(&dec, &s, (uint64_t)(dec.cur - (const uint8_t *)data));
   if (ret == 0 && out->count == 0)
      ret = fail(&s, "%s (%llu bytes): the capture has no records", "file", (unsigned long long)size);
   if (ret != 0)
      pv_capture_file_fini(out);
   return ret;
}

void
pv_capture_file_fini(struct pv_capture_file *f)
{
   free(f->records);
   f->records = NULL;
   f->count = 0;
}
