/* SPDX-License-Identifier: MIT */
/*
 * The vtest socket protocol, version 3, as the Mesa Venus driver speaks it
 * (shared/protocol/vtest-and-vkr.md §1). Every message is a header of two little-endian uint32 —
 * payload length in dwords, command id — followed by the payload. Replies use the same header.
 * File descriptors travel as SCM_RIGHTS on a one-byte message right after a reply.
 */
#ifndef PV_VTEST_PROTOCOL_H
#define PV_VTEST_PROTOCOL_H

#include <stdint.h>

#define VTEST_DEFAULT_SOCKET "/tmp/.virgl_test"

/* The highest protocol version we speak; v4 only adds DRM-syncobj commands Venus does not use. */
#define VTEST_PROTOCOL_VERSION 3u

#define VTEST_HDR_DWORDS 2u
#define VTEST_HDR_LEN 0u
#define VTEST_HDR_CMD 1u

enum vtest_cmd {
   VCMD_RESOURCE_UNREF = 3,        /* res_id */
   VCMD_RESOURCE_BUSY_WAIT = 7,    /* handle, flags -> busy */
   VCMD_CREATE_RENDERER = 8,       /* length in BYTES: NUL-terminated debug name */
   VCMD_PING_PROTOCOL_VERSION = 10,/* -> empty reply */
   VCMD_PROTOCOL_VERSION = 11,     /* client version -> chosen version */
   VCMD_GET_PARAM = 15,            /* param -> valid, value */
   VCMD_GET_CAPSET = 16,           /* capset id, version -> valid, capset bytes */
   VCMD_CONTEXT_INIT = 17,         /* capset id */
   VCMD_RESOURCE_CREATE_BLOB = 18, /* type, flags, size lo/hi, blob_id lo/hi -> res_id + fd */
   VCMD_SYNC_CREATE = 19,          /* value lo/hi -> sync id */
   VCMD_SYNC_UNREF = 20,           /* sync id */
   VCMD_SYNC_READ = 21,            /* sync id -> value lo/hi */
   VCMD_SYNC_WRITE = 22,           /* sync id, value lo/hi */
   VCMD_SYNC_WAIT = 23,            /* flags, timeout ms, (sync id, value lo/hi)* -> fd */
   VCMD_SUBMIT_CMD2 = 24,          /* batch count, batch headers, commands, syncs */
};

/* CREATE_RENDERER names are short process names; anything beyond this is garbage. */
#define VTEST_MAX_NAME_BYTES (1u << 20)

enum vtest_param {
   VCMD_PARAM_MAX_TIMELINE_COUNT = 1,
};

/* Timelines a context may use in SUBMIT_CMD2 (ring_idx < this). */
#define VTEST_MAX_TIMELINES 64u

enum vtest_blob_type {
   VCMD_BLOB_TYPE_GUEST = 1,
   VCMD_BLOB_TYPE_HOST3D = 2,
   VCMD_BLOB_TYPE_HOST3D_GUEST = 3,
};

#define VCMD_SYNC_WAIT_FLAG_ANY 0x1u
#define VCMD_SYNC_WAIT_INFINITE UINT32_MAX

/* SUBMIT_CMD2 batch header: 8 dwords. */
#define VCMD_SUBMIT_CMD2_BATCH_DWORDS 8u
/* Mesa >= 23.1 (wire format 1) dropped the 64-bit sync queue id from the batch header, so its
 * headers are 6 dwords apart (sizeof of its struct; its BATCH_* offset macros still say 8 and are
 * not what it sends). The handshake is the same, so the socket's wire format decides. */
#define VCMD_SUBMIT_CMD2_BATCH_DWORDS_WIRE1 6u
#define VCMD_SUBMIT_CMD2_FLAG_RING_IDX 0x1u

struct vtest_submit_batch {
   uint32_t flags;
   uint32_t cmd_offset; /* dwords from the start of the payload */
   uint32_t cmd_size;   /* dwords */
   uint32_t sync_offset;
   uint32_t sync_count; /* each sync: id, value lo, value hi */
   uint32_t ring_idx;
   uint32_t reserved[2]; /* 22.3.6: the VkQueue id; not needed by the server */
};

_Static_assert(sizeof(struct vtest_submit_batch) == VCMD_SUBMIT_CMD2_BATCH_DWORDS * 4,
               "SUBMIT_CMD2 batch header");

/* A socket submission larger than this is not something a Venus guest sends; it is refused. */
#define VTEST_MAX_SUBMIT_DWORDS (16u << 20)

#endif
