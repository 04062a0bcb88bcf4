/* SPDX-License-Identifier: MIT */
/*
 * The capture file format (docs/CAPTURE.md is the reference; keep both in step). Little-endian,
 * every field a multiple of 4 bytes (byte strings are padded to 4), so the one bounds-checked
 * reader of src/cs parses it. A file is a header, then records in the order they were written:
 *
 *   header   magic "PVCAPTUR", u32 version, u32 header size, u32 wire format, u32 capset id,
 *            u64 start time (CLOCK_REALTIME ns)
 *   record   u32 type, u32 flags (0), u64 payload length, u64 time (ns since the start),
 *            u64 path (0: the transport and context path, else the ring id), payload
 */
#ifndef PV_RENDERER_CAPTURE_FORMAT_H
#define PV_RENDERER_CAPTURE_FORMAT_H

#include <stdint.h>

#define PV_CAPTURE_MAGIC "PVCAPTUR"
#define PV_CAPTURE_VERSION 2u
/* The oldest version this build still reads (version 1 clocks count top-level records only). */
#define PV_CAPTURE_VERSION_MIN 1u
#define PV_CAPTURE_HEADER_SIZE 32u
#define PV_CAPTURE_RECORD_HEADER_SIZE 32u

/* Record types. "Top-level" records start work on their path and carry a clock (how far each
 * other path had got when this one started, in steps: top-level records plus, from version 2,
 * every command their streams completed; replay waits for the same); the others happen inside
 * the top-level record running on their path. */
enum pv_capture_record_type {
   PV_CAPTURE_CONTEXT = 1,      /* u32 capset, u32 wire format, string name */
   PV_CAPTURE_BLOB_CREATE = 2,  /* top: u32 res_id, u32 flags, u64 blob_id, u64 size, i32 result */
   PV_CAPTURE_BLOB_DESTROY = 3, /* top: u32 res_id */
   PV_CAPTURE_SUBMIT = 4,       /* top: bytes (a transport submission on the context path) */
   PV_CAPTURE_RING_BATCH = 5,   /* top: bytes (what a ring thread executed at once) */
   PV_CAPTURE_NESTED = 6,       /* u32 res_id, u64 offset, bytes (vkExecuteCommandStreamsMESA) */
   PV_CAPTURE_REPLY = 7,        /* bytes (one command's reply, as written) */
   PV_CAPTURE_MEMORY = 8,       /* u32 kind, u32 allocations, per allocation: u64 memory id,
                                   u64 size, u32 runs, per run: u64 offset, bytes */
   PV_CAPTURE_FENCE = 9,        /* top: u32 ring_idx, u64 fence_id */
   PV_CAPTURE_LOST = 10,        /* string reason */
   PV_CAPTURE_STOP = 11,        /* the transport's peer is gone (pv_context_stop) */
   PV_CAPTURE_END = 12,         /* top: the context is being destroyed; the last record */
   PV_CAPTURE_CAPPED = 13,      /* u64 cap: the size cap was reached, nothing follows */
   PV_CAPTURE_TRANSPORT = 14,   /* u32 protocol (1: vtest), bytes: a raw transport message, as
                                   received (version 2; path 0, no clock) */
};
#define PV_CAPTURE_TYPE_MAX PV_CAPTURE_TRANSPORT

/* PV_CAPTURE_MEMORY kinds. */
enum pv_capture_memory_kind {
   PV_CAPTURE_MEMORY_RESTORE = 0, /* before a queue submission: what the guest wrote */
   PV_CAPTURE_MEMORY_CHECK = 1,   /* before vkFreeMemory: what the guest could read back */
   PV_CAPTURE_MEMORY_FINAL = 2,   /* at the end: the same for every allocation still mapped */
};

/* Memory is compared and written in pages of this size. */
#define PV_CAPTURE_PAGE 4096u

#endif
