/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu stats`: the server's reply parsed, and printed as a table, JSON or Prometheus
 * text exposition (separate from cli_stats.c so the unit tests reach every output). */
#ifndef PV_TOOLS_STATS_FORMAT_H
#define PV_TOOLS_STATS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vtest/stats_record.h"

/* Parses a whole reply to "stats" (VTEST_STATS_MAGIC, client lines, "end"). On success *out is
 * malloc'ed (NULL when no client) and *count set; on failure `err` says why. */
bool pv_stats_parse_reply(const char *text, struct vtest_stats_record **out, size_t *count,
                          char *err, size_t err_size);

void pv_stats_print_table(FILE *f, const struct vtest_stats_record *r, size_t n);
void pv_stats_print_json(FILE *f, const struct vtest_stats_record *r, size_t n);
void pv_stats_print_prometheus(FILE *f, const struct vtest_stats_record *r, size_t n);

/* Writes the Prometheus text to `path` through a temporary file in the same directory and
 * rename(), so a textfile collector never reads half a file. 0, or -1 (errno set). */
int pv_stats_write_prometheus_file(const char *path, const struct vtest_stats_record *r, size_t n);

/* "1.5K", "12.0M", "3.2G" (1024-based), "512" below 1 KiB. */
void pv_stats_human_bytes(uint64_t v, char *buf, size_t size);

#endif
