/* SPDX-License-Identifier: MIT */
/*
 * The Venus capset (capset id 4, version 0): what the guest reads before it creates a context.
 * Every field decides what the guest will put on the wire, so the values must never promise more
 * than our decoder tables handle (see shared/protocol/venus-wire.md §6.1).
 */
#ifndef PV_RENDERER_CAPSET_H
#define PV_RENDERER_CAPSET_H

#include <stdint.h>

#include "protocol/pv_protocol.h"

/* Byte layout shared with the guest: all little-endian uint32, no padding. */
struct pv_venus_capset {
   uint32_t wire_format_version;
   uint32_t vk_xml_version;
   uint32_t vk_ext_command_serialization_spec_version;
   uint32_t vk_mesa_venus_protocol_spec_version;
   uint32_t supports_blob_id_0;
   uint32_t vk_extension_mask1[32];
   uint32_t allow_vk_wait_syncs;
   uint32_t supports_multiple_timelines;
   uint32_t use_guest_vram;
};

_Static_assert(sizeof(struct pv_venus_capset) == 160, "Venus capset layout");
_Static_assert(__builtin_offsetof(struct pv_venus_capset, allow_vk_wait_syncs) == 148,
               "Venus capset: allow_vk_wait_syncs offset");

/* Fills the capset that this build of the renderer can honestly offer for `wire_format`. */
void pv_venus_capset_fill(struct pv_venus_capset *caps, const struct pv_protocol_table *table,
                          uint32_t wire_format);

#endif
