/* SPDX-License-Identifier: MIT */
/*
 * PearVisor GPU — the renderer's public C API.
 *
 * This is the one entry point for guest bytes: the vtest server in this repository is a client of
 * it, and a VMM (virtio-gpu device model) embeds the same renderer through it. The VMM owns the
 * transport (resource ids, fds, fences on its side); the renderer owns everything Venus.
 *
 * Threading: a pv_context may be used from one transport thread at a time. Calls on different
 * contexts may run concurrently.
 */
#ifndef PEARVISOR_H
#define PEARVISOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Capset id of Venus, as virtio-gpu and vtest number it. */
#define PV_CAPSET_VENUS 4u

/* Blob flags, same values as virtio-gpu and vtest. */
#define PV_BLOB_FLAG_MAPPABLE 0x1u
#define PV_BLOB_FLAG_SHAREABLE 0x2u
#define PV_BLOB_FLAG_CROSS_DEVICE 0x4u

struct pv_renderer;
struct pv_context;

struct pv_renderer_config {
   /* Vulkan ICD manifest of the host driver; NULL lets the Vulkan loader choose. */
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
};

#define PV_DEFAULT_MAX_DEVICE_MEMORY (8ull << 30)
#define PV_DEFAULT_MAX_OBJECTS (1ull << 20)
#define PV_DEFAULT_MAX_BLOB_BYTES (2ull << 30)
/* Mesa 25 makes one ring per application thread that calls Vulkan. */
#define PV_DEFAULT_MAX_RINGS 64ull
#define PV_DEFAULT_MAX_FDS 16384ull

/* Returns NULL on failure (the reason is logged). */
struct pv_renderer *pv_renderer_create(const struct pv_renderer_config *config);
void pv_renderer_destroy(struct pv_renderer *renderer);

/*
 * Copies capset `capset_id`/`version` into `out` (up to `out_size` bytes). Returns the capset's
 * full size, or 0 when the renderer does not offer that capset.
 */
size_t pv_renderer_get_capset(struct pv_renderer *renderer, uint32_t capset_id, uint32_t version,
                              void *out, size_t out_size);

/* A human-readable line saying what the renderer can serve right now (for the CLI and logs). */
const char *pv_renderer_describe(const struct pv_renderer *renderer);

/* Returns NULL when `capset_id` is not offered. `debug_name` is the guest's process name.
 * The context speaks the renderer's configured wire format. */
struct pv_context *pv_context_create(struct pv_renderer *renderer, uint32_t capset_id,
                                     const char *debug_name);
void pv_context_destroy(struct pv_context *context);

/*
 * Executes a Venus command stream from the transport's context path. Returns 0 on success, -1
 * when the context is lost (now or before). A lost context keeps accepting calls so the transport
 * never has to drop the guest; it just does nothing useful any more.
 */
int pv_context_submit(struct pv_context *context, const void *data, size_t size);
bool pv_context_is_lost(const struct pv_context *context);
/*
 * Marks the context lost for a reason the transport found (a malformed transport message, an
 * unknown resource). The renderer tells the guest the way its wire dialect allows.
 */
void pv_context_mark_lost(struct pv_context *context, const char *reason);
/*
 * The transport's peer is gone (the vtest client disconnected, the VM's context is being torn
 * down): host waits the guest asked for end within about 100 ms (even "infinite" ones), command
 * streams stop before their next command, and queued ring work is dropped. Safe from any thread,
 * also while another thread is inside pv_context_submit; pv_context_destroy must still be called
 * (it stops the context itself first).
 */
void pv_context_stop(struct pv_context *context);

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
 * work. Returns 0, or -1 when the request was not honoured as asked (unbound index, lost context;
 * the context is then lost and the callback has still run). No callback runs after
 * pv_context_destroy returns; fences still pending then are dropped without a callback.
 */
typedef void (*pv_fence_retired_fn)(void *data, uint32_t ring_idx, uint64_t fence_id);
#define PV_MAX_RING_IDX 64u
void pv_context_set_fence_callback(struct pv_context *context, pv_fence_retired_fn cb,
                                   void *data);
int pv_context_submit_fence(struct pv_context *context, uint32_t ring_idx, uint64_t fence_id);

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
int pv_context_create_blob(struct pv_context *context, uint32_t res_id, uint64_t blob_id,
                           uint64_t size, uint32_t flags, struct pv_blob *out);
void pv_context_destroy_blob(struct pv_context *context, uint32_t res_id);

#ifdef __cplusplus
}
#endif

#endif
