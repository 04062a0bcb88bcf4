/* SPDX-License-Identifier: MIT */
#ifndef PV_RENDERER_RENDERER_H
#define PV_RENDERER_RENDERER_H

#include "pearvisor/pearvisor.h"
#include "protocol/pv_protocol.h"
#include "renderer/capset.h"
#include "renderer/family.h"
#include "renderer/host_driver.h"

/* One wire dialect the renderer serves: its generated table and our handlers for it. */
struct pv_dialect {
   uint32_t wire_format; /* 0 or 1 (venus-wire.md §8) */
   const struct pv_protocol_table *table;
   pv_handler_fn *overrides;      /* table->count entries */
   pv_handler_fn *lost_handlers;  /* table->count entries */
   uint8_t *check_classes;        /* table->count entries (pv_overrides.classes) */
   uint8_t *named_min;            /* table->count entries (pv_overrides.named_min) */
   uint8_t *record_kinds;         /* table->count entries: PV_RECORD_* (recorder.h) */
   uint8_t *hold_kinds;           /* table->count entries: PV_HOLD_* (holds.h) */
   struct pv_venus_capset capset;
};

struct pv_renderer {
   /* The caller's config, normalised to this library's struct size (fields it did not know
    * are 0); host_icd and gpu point into the copies below. */
   struct pv_renderer_config config;
   char *host_icd, *gpu;
   struct pv_host_driver driver;
   /* The object families behind guest commands (src/pearvisor.c hands them in). */
   const struct pv_family *family;
   /* Both are set up (protocol --stats reports both); contexts use the configured one. */
   struct pv_dialect wire0, wire1;
   /* Rings hand vkCmd* host calls to a recording thread after this many in a row, or
    * PV_RECORDER_OFF (recorder.h pv_recorder_policy). */
   uint32_t record_min_run;
};

/* pv_renderer_create with the families to serve (src/pearvisor.c). */
struct pv_renderer *pv_renderer_new(const struct pv_renderer_config *config,
                                    const struct pv_family *family);

/* The dialect a context of capset `capset_id` speaks (the configured wire format), or NULL. */
const struct pv_dialect *pv_renderer_dialect(const struct pv_renderer *r, uint32_t capset_id);
/* The dialect whose table is named `name` ("wire0", "wire1"), or NULL. */
const struct pv_dialect *pv_renderer_dialect_by_name(const struct pv_renderer *r,
                                                     const char *name);

#endif
