/* SPDX-License-Identifier: MIT */
/*
 * Runtime of the generated conformance test (gen_samples.py): deterministic sample values, a
 * per-sample arena, pNext chain building, and field comparison with a path for each mismatch.
 *
 * Fill/compare modes (one generated function per struct serves all three):
 *   CONF_IN       a full input struct, as an application hands it to the guest driver;
 *   CONF_PARTIAL  a guest-side output struct before the call: sType, pNext chain, handles and
 *                 array capacities only (what Mesa's *_partial encoders send);
 *   CONF_HOST     the host driver's answer: every member Mesa's reply decoder reads, written in
 *                 place (sType, pNext and capacities are kept).
 */
#ifndef CONF_RUNTIME_H
#define CONF_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vulkan/vulkan.h>

/* MESA structs and sTypes (not in the Khronos headers) */
#include "vn_protocol_driver_defines.h"

enum { CONF_IN, CONF_PARTIAL, CONF_HOST };
/* or-ed into a mode: the struct's own members only (chain elements; the walker does the chain) */
#define CONF_SELF 16

/* What the host driver answers for in/out counts (params and out-struct members):
 *   CONF_REPLY_FULL   every element the guest has room for;
 *   CONF_REPLY_FEWER  one element fewer than the capacity (the count goes down);
 *   CONF_REPLY_QUERY  the guest passes NULL arrays, the host answers CONF_QUERY_COUNT. */
enum { CONF_REPLY_FULL, CONF_REPLY_FEWER, CONF_REPLY_QUERY };
#define CONF_QUERY_COUNT 5

#define CONF_PATH_MAX 256
#define CONF_MAX_REPORTS 8

struct conf_ctx {
   uint64_t rng;
   uint64_t next_id;
   int nested_variant; /* -1: no chains on nested structs, -2: every known chain struct */
   int reply_mode;     /* CONF_REPLY_*, reset by conf_begin_variant */
   void **allocs;
   size_t alloc_count, alloc_cap;

   const char *command;
   const char *variant;
   unsigned variants;       /* samples run for the current command */
   unsigned failures;       /* mismatches in the current command */
   unsigned reports;        /* mismatches printed for the current command */
   size_t bytes;            /* request bytes encoded for the current command */
   const char *never_sent;  /* set when our table rejects the command on purpose */
   bool verbose;
};

struct conf_command {
   const char *name;
   void (*run)(struct conf_ctx *c);
   const char *not_modelled; /* reason the generator could not build samples, or NULL */
};

extern const struct conf_command conf_commands[];
extern const uint32_t conf_command_count;
extern const char conf_wire_name[];

void conf_ctx_init(struct conf_ctx *c, bool verbose);
void conf_ctx_fini(struct conf_ctx *c);
void conf_begin_command(struct conf_ctx *c, const char *name);
void conf_begin_variant(struct conf_ctx *c, const char *variant, int chain_variant);
void conf_free_all(struct conf_ctx *c);

void conf_fail(struct conf_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* values */
void *conf_alloc(struct conf_ctx *c, size_t size);
uint32_t conf_u32(struct conf_ctx *c);
uint64_t conf_u64(struct conf_ctx *c);
float conf_f32(struct conf_ctx *c);
uint64_t conf_id(struct conf_ctx *c);
uint32_t conf_count(struct conf_ctx *c);
void conf_bytes(struct conf_ctx *c, void *dst, size_t size);
const char *conf_string(struct conf_ctx *c);
void conf_string_into(struct conf_ctx *c, char *dst, size_t size);
/* A host-written fixed-size string: empty, size - 1 characters, or 1..24 characters. */
void conf_host_string_into(struct conf_ctx *c, char *dst, size_t size);

/* pNext chains: list is a 0-terminated sType list; variant -1 none, -2 all, k the k-th */
void *conf_build_chain(struct conf_ctx *c, const int32_t *list, int variant);
void conf_host_fill_chain(struct conf_ctx *c, const void *pnext);
void *conf_alloc_fill_any(struct conf_ctx *c, int32_t stype, int mode);
void conf_fill_any_host(struct conf_ctx *c, void *s);
bool conf_cmp_any(struct conf_ctx *c, const char *path, const void *a, const void *b, int mode);

/* comparison */
void conf_path(char *dst, const char *path, const char *member, int index);
void conf_cmp_i32(struct conf_ctx *c, const char *path, const char *m, int32_t a, int32_t b);
void conf_cmp_u64(struct conf_ctx *c, const char *path, const char *m, uint64_t a, uint64_t b);
void conf_cmp_f32(struct conf_ctx *c, const char *path, const char *m, float a, float b);
void conf_cmp_bytes(struct conf_ctx *c, const char *path, const char *m, const void *a,
                    const void *b, size_t size);
void conf_cmp_string(struct conf_ctx *c, const char *path, const char *m, const char *a,
                     const char *b);
bool conf_cmp_ptr(struct conf_ctx *c, const char *path, const char *m, const void *a,
                  const void *b);
void conf_cmp_chain(struct conf_ctx *c, const char *path, const void *a, const void *b, int mode);

#endif /* CONF_RUNTIME_H */
