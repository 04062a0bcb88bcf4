/* SPDX-License-Identifier: MIT */
/*
 * Reading capture files (docs/CAPTURE.md): every byte through the bounds-checked reader of
 * src/cs. pv_capture_parse checks a whole file before anything runs: header, every record's
 * framing and payload, the order rules; a file that passes decodes without further checks.
 */
#ifndef PV_RENDERER_CAPTURE_READ_H
#define PV_RENDERER_CAPTURE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "renderer/capture_format.h"

struct pv_capture_record {
   uint32_t type;
   uint64_t time_ns, path;
   const uint8_t *payload;
   uint64_t size;
   uint64_t offset; /* of the record header in the file */
};

struct pv_capture_file {
   uint32_t version, wire_format, capset;
   uint64_t start_time_ns;
   const char *name; /* points into the file; not NUL-terminated: name_len */
   uint64_t name_len;
   struct pv_capture_record *records;
   size_t count;
   bool ended;  /* an END record */
   bool capped; /* a CAPPED marker */
};

/* A decoded payload (fields by record type; docs/CAPTURE.md). */
struct pv_capture_payload {
   uint32_t clock_count;
   const uint8_t *clock; /* clock_count x (u64 path, u64 completed), unaligned */
   uint32_t res_id, flags, ring_idx, kind, allocs;
   uint64_t blob_id, size, fence_id, offset;
   int32_t result;
   const uint8_t *bytes; /* SUBMIT, RING_BATCH, NESTED, REPLY, LOST, TRANSPORT, CONTEXT name */
   uint64_t bytes_len;
   const uint8_t *runs; /* MEMORY: the allocations, after kind and count */
   uint64_t runs_len;
};

/* One run of a MEMORY record: `len` bytes at `offset` of allocation `memory_id` (of `size`). */
struct pv_capture_run {
   uint64_t memory_id, size, offset, len;
   const uint8_t *data;
};

/* Parses `data` (the whole file). 0, or -1 with a message in `err`. `out->records` is
 * malloc'ed: pv_capture_file_fini. */
int pv_capture_parse(const void *data, size_t size, struct pv_capture_file *out, char *err,
                     size_t err_size);
void pv_capture_file_fini(struct pv_capture_file *f);

/* The payload of a record pv_capture_parse accepted. */
void pv_capture_decode(const struct pv_capture_record *r, struct pv_capture_payload *p);

/* Walks the runs of a MEMORY payload: call with *it = 0 first; false when done. */
struct pv_capture_run_iter {
   const uint8_t *cur, *end;
   uint64_t memory_id, size;
   uint32_t allocs_left, runs_left;
};
void pv_capture_runs_begin(struct pv_capture_run_iter *it, const struct pv_capture_payload *p);
bool pv_capture_runs_next(struct pv_capture_run_iter *it, struct pv_capture_run *run);

/* "SUBMIT", "RING_BATCH", ...; "?" for others. */
const char *pv_capture_type_name(uint32_t type);
/* Whether records of this type start work on their path (and carry a clock). */
bool pv_capture_type_is_top(uint32_t type);

#endif
