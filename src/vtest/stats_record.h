/* SPDX-License-Identifier: MIT */
/*
 * One client's live statistics as the server shows them (`pearvisor-gpu stats`), and the text
 * form they travel in over the control socket (control.h).
 *
 * The wire form is one line per client: `client key=value key=value ...`, values percent-encoded
 * (%XX for '%', '=', space and anything outside printable ASCII). A table of fields
 * (vtest_stats_fields) drives the encoder, the parser and every output of the `stats` command,
 * so a field added here appears everywhere; a parser meeting a key it does not know skips it,
 * so an older `stats` command reads a newer server.
 */
#ifndef PV_VTEST_STATS_RECORD_H
#define PV_VTEST_STATS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pearvisor/pearvisor.h"

/* First line of a reply to "stats": the format's name and version. */
#define VTEST_STATS_MAGIC "pearvisor-stats 1"

/* Every field a multiple of 8 bytes: the record is copied as 64-bit words (vtest_stats.c). */
struct vtest_stats_record {
   uint64_t id;        /* the server's number for the connection (1, 2, ...) */
   uint64_t pid;       /* the process serving it (with --threads: the server) */
   uint64_t start_ns;  /* CLOCK_REALTIME of the connection */
   uint64_t uptime_ms; /* filled when sent */
   uint64_t connected; /* 1 while the client is connected */
   uint64_t wire_format;
   uint64_t commands;
   uint64_t commands_per_s; /* over the last second or so */
   uint64_t bytes_in;
   uint64_t replies;
   uint64_t ring_wakeups;
   uint64_t ring_idle;
   uint64_t queue_drains;
   uint64_t recorded_calls;
   uint64_t destroys_deferred;
   uint64_t kept_objects;
   uint64_t kept_device_memory;
   uint64_t rings;
   uint64_t objects;
   uint64_t objects_by_type[PV_STATS_OBJECT_SLOTS];
   uint64_t device_memory, device_memory_max;
   uint64_t blob_bytes, blob_bytes_max;
   int64_t last_command; /* wire id, -1: none */
   uint64_t lost;        /* 1: the context is lost (lost_reason says why) */
   char name[64];        /* the guest's process name (vtest CREATE_RENDERER) */
   char last_command_name[64];
   char lost_reason[256];
   char state[64]; /* "connecting", "serving", "hung up", "crashed (signal 11)", ... */
};

/* VTEST_FIELD_TYPES: objects_by_type, as "buffer:3,image:2" (non-zero slots only). */
enum vtest_stats_field_type {
   VTEST_FIELD_U64,
   VTEST_FIELD_I64,
   VTEST_FIELD_STR,
   VTEST_FIELD_TYPES
};

/* How Prometheus sees a field (or not at all). */
enum vtest_stats_metric { VTEST_METRIC_NONE, VTEST_METRIC_COUNTER, VTEST_METRIC_GAUGE };

struct vtest_stats_field {
   const char *key;
   enum vtest_stats_field_type type;
   size_t offset, size; /* size: of a string field's buffer */
   enum vtest_stats_metric metric;
   const char *help;
};

extern const struct vtest_stats_field vtest_stats_fields[];
extern const size_t vtest_stats_field_count;

/* Name of objects_by_type slot `slot` ("buffer", "image", ...; slot 0 "other"). */
const char *vtest_stats_object_type_name(unsigned slot);

/* Appends the record's wire line (with its newline) to `buf` of `cap` bytes at *len; false when it
 * does not fit (nothing appended). */
bool vtest_stats_encode(const struct vtest_stats_record *r, char *buf, size_t cap, size_t *len);
/* Parses one wire line (without or with its newline). False when it is not a client line or a
 * value is malformed. Unknown keys are skipped. */
bool vtest_stats_decode(const char *line, struct vtest_stats_record *r);

/* A field's value as u64/i64/str (by its table entry). */
static inline const void *
vtest_stats_field_ptr(const struct vtest_stats_record *r, const struct vtest_stats_field *f)
{
   return (const char *)r + f->offset;
}

#endif
