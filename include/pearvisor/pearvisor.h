/* SPDX-License-Identifier: MIT */
/*
 * PearVisor GPU — the renderer's public C API (libpearvisor, `pkg-config pearvisor`).
 *
 * This is the one entry point for guest bytes: the vtest server in this repository is a client of
 * it, and a VMM (virtio-gpu device model) embeds the same renderer through it. The VMM owns the
 * transport (resource ids, fds, fences on its side); the renderer owns everything Venus.
 * docs/EMBEDDING.md maps each virtio-gpu command to these calls.
 *
 * Threading and blocking:
 * - A pv_context is used from one transport thread at a time (calls on one context are not
 *   synchronised against each other). Calls on different contexts, and on different renderers,
 *   may run concurrently. pv_renderer_destroy runs after every context of it is destroyed.
 * - The renderer starts threads of its own: one per guest ring (executing ring commands), one
 *   monitor per context with rings, one per queue timeline (fences). Fence and log callbacks run
 *   on those threads too.
 * - pv_context_submit runs the guest's commands to completion on the calling thread, host driver
 *   calls included: a vkQueueSubmit or vkCreateDevice blocks it as long as the host driver takes,
 *   and a wait the guest puts on the context path (vkWaitForFences, vkWaitSemaphores,
 *   vkWaitRingSeqnoMESA) blocks it with the guest's timeout. Mesa's Venus driver sends its
 *   blocking waits on rings, which run on ring threads, but a hostile guest need not. A VMM
 *   that must never block its main loop calls pv_context_submit from a per-context worker
 *   thread (or process).
 * - pv_context_destroy blocks until the context's threads have stopped and its queues' pending
 *   fences have retired (see the fence section).
 * - No call keeps a pointer to caller memory after it returns, except the callbacks' `data`.
 *
 * Process-wide state: the log callback and level only. Everything else hangs off a renderer.
 */
#ifndef PEARVISOR_H
#define PEARVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pearvisor/version.h"

/* Marks the library's exported calls (it is built with -fvisibility=hidden). */
#if defined(__GNUC__) || defined(__clang__)
#define PV_EXPORT __attribute__((visibility("default")))
#else
#define PV_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version at run time, PV_MAKE_VERSION(major, minor, patch): compare it with
 * PV_VERSION_NUMBER (what the caller compiled against). The minor version grows with additions,
 * the major one (and the SONAME) with breaks. */
PV_EXPORT uint32_t pv_version(void);
/* "MAJOR.MINOR.PATCH" */
PV_EXPORT const char *pv_version_string(void);

/* ----- logging ---------------------------------------------------------------------------- */

enum pv_log_level {
   PV_LOG_ERROR = 0,
   PV_LOG_WARN = 1,
   PV_LOG_INFO = 2,
   PV_LOG_DEBUG = 3,
};

/*
 * Where the library's log lines go. `message` has no trailing newline and is only valid during
 * the call. The callback may run on any thread (transport threads, ring and sync threads of the
 * renderer), several at once, so it must be thread-safe and must not call back into the library.
 * NULL restores the default: "pearvisor-gpu[PID] LEVEL: message" lines on stderr, with a syslog
 * "<N>" prefix when stderr is the systemd journal. Process-wide; set it before creating
 * renderers. Lines a guest can trigger are rate-limited at the source.
 */
typedef void (*pv_log_fn)(void *data, enum pv_log_level level, const char *message);
PV_EXPORT void pv_set_log_callback(pv_log_fn callback, void *data);
/* Lines above `level` are dropped before they are formatted (default PV_LOG_INFO; PV_LOG_DEBUG
 * traces every Venus command). Process-wide. */
PV_EXPORT void pv_set_log_level(enum pv_log_level level);

/* Capset id of Venus, as virtio-gpu and vtest number it. */
#define PV_CAPSET_VENUS 4u

/* Blob flags, same values as virtio-gpu and vtest. */
#define PV_BLOB_FLAG_MAPPABLE 0x1u
#define PV_BLOB_FLAG_SHAREABLE 0x2u
#define PV_BLOB_FLAG_CROSS_DEVICE 0x4u

struct pv_renderer;
struct pv_context;

/*
 * Renderer configuration. ABI-extensible: the first field is the size of the struct the caller
 * compiled against, fields are only ever added at the end, and the library treats fields beyond
 * the caller's size as 0 (their default). A size smaller than the first version's or larger than
 * the library knows with non-zero bytes beyond what it knows is refused. Start from
 * PV_RENDERER_CONFIG_INIT (or set struct_size = sizeof(struct pv_renderer_config)); every other
 * field 0 picks its default.
 */
struct pv_renderer_config {
   uint32_t struct_size;
   /*
    * Vulkan ICD manifest (JSON) of the host driver; NULL lets the Vulkan loader choose. The
    * renderer loads exactly this driver: through VK_LUNARG_direct_driver_loading (exclusive mode)
    * where the Vulkan loader lists that extension, otherwise (e.g. Debian 12's loader 1.3.239) by
    * pointing the loader's VK_DRIVER_FILES/VK_ICD_FILENAMES at it: that is process-wide, so the
    * renderers of one process then share one host_icd and a renderer asking for another fails.
    * pv_renderer_create fails when the manifest or its library cannot be loaded.
    */
   const char *host_icd;
   /* Enable the Khronos validation layer on the renderer's own host calls. */
   bool validate;
   /*
    * Venus wire format the renderer's contexts speak and its capset advertises: 0 for Mesa <= 23.0
    * guests (e.g. Debian 12's 22.3.6), 1 for Mesa >= 23.1 (e.g. Debian 13's 25.0). Guests compare
    * it for equality and nothing in the vtest or virtio-gpu handshake tells the two apart, so the
    * transport chooses, e.g. per socket or per VM. Other values make pv_renderer_create fail.
    */
   uint32_t wire_format;
   /* Per-context quotas; 0 picks the default (PV_DEFAULT_*). Exceeding one fails the guest's
    * call the way a driver would (VK_ERROR_OUT_OF_DEVICE_MEMORY / _HOST_MEMORY, a failed
    * blob), never the host. */
   uint64_t max_device_memory; /* bytes of VkDeviceMemory */
   uint64_t max_objects;       /* live Vulkan objects */
   uint64_t max_blob_bytes;    /* bytes of shared-memory blobs (rings, replies, uploads) and
                                  the renderer's private copy of every ring buffer */
   /*
    * Which host GPU the guest sees; NULL: every physical device the driver offers. A decimal
    * index ("0", "1": the host's vkEnumeratePhysicalDevices order), a deviceUUID (32 hex digits,
    * dashes allowed) or a substring of VkPhysicalDeviceProperties.deviceName. The guest then
    * enumerates only that device (and device groups containing only it); when nothing matches,
    * its vkEnumeratePhysicalDevices returns no device and pv_renderer_probe_host fails.
    */
   const char *gpu;
   uint64_t max_rings;         /* rings (a host thread each) */
   uint64_t max_fds;           /* fds kept open for the guest (host-visible memory, waits) */
   /*
    * This process serves this renderer's guest alone (a worker process per guest): a host
    * driver crash (a fatal signal) inside a call the renderer made for a guest stream then loses
    * that context, which answers the guest as a lost context does, instead of killing the
    * process. Installs process-wide signal handlers; the host driver is not called again for
    * that context and its host objects are left for the process exit.
    */
   bool contain_host_crashes;
   /*
    * Each process this renderer runs in holds one guest context at a time (a worker process per
    * context). On a GPU the guest is then offered buffer device addresses: a shader can load and
    * store through any address of its device's address space, and only that context's devices
    * live in the process. Otherwise (several contexts in one process) they are withheld on every
    * device, since whether a driver gives each VkDevice an address space of its own is the
    * driver's choice. Held to: pv_context_create fails while another context of the process
    * lives. (On a CPU device they are withheld either way: addresses are host pointers.)
    */
   bool one_context_per_process;
};

#define PV_RENDERER_CONFIG_INIT                                                                    \
   {                                                                                               \
      .struct_size = sizeof(struct pv_renderer_config)                                             \
   }

#define PV_DEFAULT_MAX_DEVICE_MEMORY (8ull << 30)
#define PV_DEFAULT_MAX_OBJECTS (1ull << 20)
#define PV_DEFAULT_MAX_BLOB_BYTES (2ull << 30)
/* Mesa 25 makes one ring per application thread that calls Vulkan. */
#define PV_DEFAULT_MAX_RINGS 64ull
#define PV_DEFAULT_MAX_FDS 16384ull

/*
 * Copies capset `capset_id`/`version` as a renderer of Venus wire format `wire_format` would
 * offer it into `out` (up to `out_size` bytes; `out` may be NULL to ask for the size). Needs no
 * renderer and loads no host driver, so a VMM can answer the guest's GET_CAPSET_INFO/GET_CAPSET
 * before it creates one. Returns the capset's full size, or 0 when that capset, version or wire
 * format is not offered (only PV_CAPSET_VENUS version 0, wire formats 0 and 1). Thread-safe.
 */
PV_EXPORT size_t pv_get_capset(uint32_t capset_id, uint32_t version, uint32_t wire_format,
                               void *out, size_t out_size);

/* `config` may be NULL (all defaults). Returns NULL on failure (the reason is logged): a bad
 * config (struct_size, wire_format), or a host_icd that cannot be loaded. */
PV_EXPORT struct pv_renderer *pv_renderer_create(const struct pv_renderer_config *config);
PV_EXPORT void pv_renderer_destroy(struct pv_renderer *renderer);

/* pv_get_capset for the renderer's configured wire format. */
PV_EXPORT size_t pv_renderer_get_capset(struct pv_renderer *renderer, uint32_t capset_id,
                                        uint32_t version, void *out, size_t out_size);

/* A human-readable line saying what the renderer can serve right now (for the CLI and logs). */
PV_EXPORT const char *pv_renderer_describe(const struct pv_renderer *renderer);

/*
 * Checks that the host driver loads and the chosen GPU exists: creates a host Vulkan instance the
 * way a guest context will, writes one line per physical device the guest would see
 * ("NAME (Vulkan X.Y.Z, uuid HEX)") into `out` (NUL-terminated, truncated to `out_size`), and
 * destroys it. Returns the number of such devices, or -1 when the driver cannot be loaded or no
 * device is left (the reason is logged). Blocks for the host driver's start-up (milliseconds on
 * lavapipe, more on a discrete GPU); optional, contexts do not need it.
 */
PV_EXPORT int pv_renderer_probe_host(struct pv_renderer *renderer, char *out, size_t out_size);

/* Returns NULL when `capset_id` is not offered. `debug_name` is the guest's process name.
 * The context speaks the renderer's configured wire format. */
PV_EXPORT struct pv_context *pv_context_create(struct pv_renderer *renderer, uint32_t capset_id,
                                               const char *debug_name);
PV_EXPORT void pv_context_destroy(struct pv_context *context);

/*
 * Executes a Venus command stream from the transport's context path. Returns 0 on success, -1
 * when the context is lost (now or before). A lost context keeps accepting calls so the transport
 * never has to drop the guest; it just does nothing useful any more.
 */
PV_EXPORT int pv_context_submit(struct pv_context *context, const void *data, size_t size);
PV_EXPORT bool pv_context_is_lost(const struct pv_context *context);
/*
 * Why the context was lost ("vkCmdCopyBuffer: ...", "malformed stream: ...", a transport's
 * pv_context_mark_lost reason), or NULL while it is not. The string lives as long as the context.
 * Thread-safe.
 */
PV_EXPORT const char *pv_context_lost_reason(const struct pv_context *context);
/*
 * Marks the context lost for a reason the transport found (a malformed transport message, an
 * unknown resource). The renderer tells the guest the way its wire dialect allows.
 */
PV_EXPORT void pv_context_mark_lost(struct pv_context *context, const char *reason);
/*
 * The transport's peer is gone (the vtest client disconnected, the VM's context is being torn
 * down): host waits the guest asked for end within about 100 ms (even "infinite" ones), command
 * streams stop before their next command, and queued ring work is dropped. Safe from any thread,
 * also while another thread is inside pv_context_submit; pv_context_destroy must still be called
 * (it stops the context itself first).
 */
PV_EXPORT void pv_context_stop(struct pv_context *context);

/*
 * Fences with callbacks: how a transport learns that GPU work retired (virtio-gpu fences with a
 * ring index, vtest SUBMIT_CMD2 batches with RING_IDX). Ring index 0 is the CPU timeline; the
 * guest binds ring indices 1..63 to its queues (wire 1: VkDeviceQueueTimelineInfoMESA in
 * vkGetDeviceQueue2).
 *
 * pv_context_submit_fence asks for `cb(data, ring_idx, fence_id)` once every piece of work the
 * context has submitted so far to the queue bound to `ring_idx` has retired. Callbacks of one
 * ring index come in submission order. Ring index 0, an unbound index or a lost context retire at
 * once (the callback runs before pv_context_submit_fence returns), so a guest waiting on the fence
 * is always released; other callbacks run on a renderer thread, so `cb` must only do thread-safe
 * work and must not call back into this context. Returns 0, or -1 when the request was not
 * honoured as asked (unbound index, lost context; the context is then lost and the callback has
 * still run).
 *
 * Teardown: when the guest destroys the device a timeline belongs to, and at the latest in
 * pv_context_destroy, the renderer waits for the host queue to finish the work of every fence
 * still pending (in 1 s slices; a host wait that fails retires the fence anyway) and runs each
 * fence's callback, in order, before the call returns. No fence is dropped without its callback
 * and no callback runs after pv_context_destroy returns.
 */
typedef void (*pv_fence_retired_fn)(void *data, uint32_t ring_idx, uint64_t fence_id);
#define PV_MAX_RING_IDX 64u
PV_EXPORT void pv_context_set_fence_callback(struct pv_context *context, pv_fence_retired_fn cb,
                                             void *data);
PV_EXPORT int pv_context_submit_fence(struct pv_context *context, uint32_t ring_idx,
                                      uint64_t fence_id);

/*
 * For a transport that can outlive its renderer (a VMM front end whose renderer runs in a worker
 * process that may die): `cb(data, res_id, offset)` runs once for every ring the guest creates in
 * a wire format 1 context, naming the ring's status word (a uint32 at `offset` bytes into blob
 * resource `res_id`). Should the renderer's process die, the transport ORs
 * PV_RING_STATUS_FATAL_BIT into that word itself, which is how the renderer tells a wire 1 guest
 * its context is lost. Runs on the thread that submitted the ring's creation, before
 * pv_context_submit returns.
 */
#define PV_RING_STATUS_FATAL_BIT 0x2u
typedef void (*pv_ring_created_fn)(void *data, uint32_t res_id, uint64_t offset);
PV_EXPORT void pv_context_set_ring_callback(struct pv_context *context, pv_ring_created_fn cb,
                                            void *data);

/* What kind of fd a blob export is, so the transport knows how the guest may map it. */
enum pv_blob_fd_type {
   PV_BLOB_FD_SHM = 1,    /* memfd / shm object: mmap(fd, 0, size) works */
   PV_BLOB_FD_DMABUF = 2, /* dma-buf: mmap(fd, 0, size) works */
};

struct pv_blob {
   int fd; /* owned by the caller */
   enum pv_blob_fd_type fd_type;
   uint64_t size;
};

/*
 * Creates blob resource `res_id` (chosen by the transport) of `size` bytes. blob_id 0 with flags
 * MAPPABLE is plain shared memory; other blob ids name a VkDeviceMemory object of the guest.
 * Returns 0 and fills `out`, or a negative errno value.
 */
PV_EXPORT int pv_context_create_blob(struct pv_context *context, uint32_t res_id, uint64_t blob_id,
                                     uint64_t size, uint32_t flags, struct pv_blob *out);
PV_EXPORT void pv_context_destroy_blob(struct pv_context *context, uint32_t res_id);

/* ----- capture and replay (docs/CAPTURE.md) ----------------------------------------------- */

/*
 * Records everything this context is given and gives back to `fd` (the library keeps a dup of
 * it and writes from any of the context's threads): every transport call, every command stream
 * the renderer runs (context path, rings, nested streams), the host-visible memory contents the
 * guest changed before each queue submission and before vkFreeMemory, the replies written, and
 * the final memory at pv_context_destroy, which closes the file. A capture holds the guest's
 * data: give the file owner-only permissions. `max_bytes` (0: no cap) caps the file: at the cap
 * recording stops with a logged warning and a marker record. Call it right after
 * pv_context_create, before anything else reaches the context: returns 0, -EBUSY when the
 * context already records or has run commands, another negative errno when writing fails.
 * While recording, every host-visible allocation is kept twice (a copy to find changed pages).
 */
PV_EXPORT int pv_context_start_capture(struct pv_context *context, int fd, uint64_t max_bytes);

/* Transport protocols of pv_context_capture_message. */
#define PV_CAPTURE_PROTOCOL_VTEST 1u

/*
 * Records one transport message as the transport received it, `header` then `payload` (either
 * may be empty), when the context records; nothing otherwise. For the messages the renderer
 * never sees (a vtest server's sync objects, its handshake): a replay hands them back through
 * pv_replay_config.transport, in order with the context path's records. Call it from the thread
 * that calls pv_context_submit, after the message was handled.
 */
PV_EXPORT void pv_context_capture_message(struct pv_context *context, uint32_t protocol,
                                          const void *header, size_t header_size,
                                          const void *payload, size_t payload_size);

/* How to replay a capture. ABI-extensible like pv_renderer_config: PV_REPLAY_CONFIG_INIT. */
struct pv_replay_config {
   uint32_t struct_size;
   const char *host_icd; /* as in pv_renderer_config */
   const char *gpu;
   bool validate;
   /* Replay a capture that has no end record (the server died or was killed while recording)
    * instead of refusing it. */
   bool partial;
   /* Stop (as diverged) when no record could run for this long; 0: 60000 ms. */
   uint32_t stall_timeout_ms;
   /* The capture's transport messages (pv_context_capture_message), on the context path's
    * thread, in order with its records: a transport replays what it kept to itself (vtest sync
    * objects). `wire_format` is the capture's. NULL: they are skipped. */
   void (*transport)(void *data, uint32_t wire_format, uint32_t protocol, const void *msg,
                     size_t size);
   /* Fences the replay's renderer retires (pv_context_set_fence_callback), for the same. */
   void (*fence)(void *data, uint32_t ring_idx, uint64_t fence_id);
   void *transport_data;
};

#define PV_REPLAY_CONFIG_INIT                                                                      \
   {                                                                                               \
      .struct_size = sizeof(struct pv_replay_config)                                               \
   }

struct pv_replay_result {
   uint64_t records;           /* records in the file */
   uint64_t streams;           /* command streams run (context path, rings, nested) */
   uint64_t replies;           /* replies compared ... */
   uint64_t reply_mismatches;  /* ... and how many differed */
   uint64_t readback_bytes;    /* memory compared at vkFreeMemory and at the end ... */
   uint64_t readback_mismatch_bytes; /* ... and how many bytes differed */
   /* Bytes that differ where the replay's GPU did not write them (the guest wrote them after its
    * last submission, e.g. resetting a fence's feedback, which no capture can restore), or that
    * only the replay changed: reported, not a divergence. */
   uint64_t readback_unverified_bytes;
   uint64_t restored_bytes;    /* memory written back before queue submissions */
   uint64_t run_ns;            /* from the first record to the last (renderer set-up excluded) */
   bool capped;                /* the capture ended at its size cap: only its start was run */
   bool cut;                   /* ... and the replay stopped where the records ran out */
   char context_name[64];
   uint32_t wire_format;
   /* The first divergence, or why the replay could not run; empty when none. */
   char message[512];
};

/*
 * Replays the capture at `path` against a fresh renderer and context, without a guest: streams
 * run in their recorded order (each ring on a thread of its own, started when the capture says
 * the other paths had got that far), memory is restored at the recorded points, and replies and
 * read-backs are compared with the recorded ones. Returns 0 when the replay matched, 1 when it
 * diverged (a reply or read-back differs, a command fails now: `message` says where), -1 when
 * the capture is refused (corrupt, truncated, unknown version) or the renderer cannot start.
 * Blocks until done; logs through the library's log callback.
 */
PV_EXPORT int pv_replay_file(const char *path, const struct pv_replay_config *config,
                             struct pv_replay_result *result);

/*
 * Live statistics of one context (`pearvisor-gpu stats`). The renderer counts on the paths that
 * decode guest bytes with plain per-path counters (no lock, no syscall); this call sums them.
 * Thread-safe, also while other threads submit; the figures are a consistent-enough snapshot for
 * monitoring (each counter is exact, counters of different paths may be read a moment apart).
 * ABI-extensible like pv_renderer_config: set struct_size to sizeof(struct pv_context_stats);
 * a caller built against an older header passes its smaller size, and the fields beyond it are
 * not written (struct_size comes back as the size filled). Returns 0, or -1 for a struct_size
 * smaller than the first version's (up to lost_reason) or NULL.
 */
/* Live objects by VkObjectType: slot N counts type N for the core types 1..25 (VkBuffer = 9 ...
 * VkCommandPool = 25); slot 0 counts every other type (extensions, e.g. VkSamplerYcbcrConversion). */
#define PV_STATS_OBJECT_SLOTS 26u
struct pv_context_stats {
   uint32_t struct_size;
   uint32_t wire_format;
   uint64_t commands;     /* Venus commands decoded, every path (context path, rings, nested) */
   uint64_t bytes_in;     /* command-stream bytes run (socket submissions, ring batches, nested) */
   uint64_t replies;      /* replies written into the guest's reply streams */
   uint64_t ring_wakeups; /* an idle ring thread woken by the guest's vkNotifyRingMESA */
   uint64_t ring_idle;    /* a ring thread that set IDLE and went to sleep */
   uint64_t rings;        /* rings alive now */
   uint64_t objects;      /* live Vulkan objects */
   uint64_t objects_by_type[PV_STATS_OBJECT_SLOTS];
   uint64_t device_memory, device_memory_max; /* bytes of VkDeviceMemory, and its quota */
   uint64_t blob_bytes, blob_bytes_max;       /* blob bytes (and ring copies), and the quota */
   int32_t last_command; /* wire id of the last command decoded on the busiest-recent path, -1 */
   char last_command_name[64];
   bool lost;
   char lost_reason[256]; /* pv_context_lost_reason, "" while not lost */
   /* Added after 0.1.0 (struct_size tells whether it was filled). */
   uint64_t queue_drains; /* waits for all of a queue's work, each a stall of the guest's
                           * pipeline: resets and frees of objects the tracking cannot prove
                           * idle, device teardown */
   uint64_t recorded_calls; /* host calls of vkCmd* made on a ring's recording thread
                             * (PEARVISOR_RECORD_THREAD), beside the ring's decoding */
   uint64_t destroys_deferred; /* objects destroyed while the GPU might still use them, kept on
                                * the host until their submissions finished instead of
                                * waiting for the queues */
   uint64_t kept_objects;       /* of those, host handles kept now */
   uint64_t kept_device_memory; /* bytes of device_memory that kept memory and query pools
                                 * hold: freed by the guest, not yet by the host */
};
PV_EXPORT int pv_context_get_stats(const struct pv_context *context, struct pv_context_stats *out);

/*
 * Diagnostics (`pearvisor-gpu protocol --stats`): per wire dialect, the commands in the table,
 * decodable, with a handler, never sent by the guest drivers, round-trip verified (read from
 * `verified_dir`/<dialect>.verified when not NULL), served. Returns 0, -1 on failure.
 */
PV_EXPORT int pv_print_protocol_stats(FILE *out, const char *verified_dir);

#ifdef __cplusplus
}
#endif

#endif
