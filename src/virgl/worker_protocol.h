/* SPDX-License-Identifier: MIT */
/*
 * The private protocol between the libvirglrenderer front end (in the VMM's process) and one
 * worker process per guest context (DESIGN.md "src/virgl"). A stream socketpair; every message is
 * a header and a fixed-size body (SUBMIT and INIT add bytes after it). Both ends are this build,
 * so structs travel in host byte order; the sizes are still checked, as a worker is where guest
 * bytes run and is trusted no more than the guest.
 *
 * Only CREATE_BLOB is answered synchronously; the front end never waits for anything else.
 */
#ifndef PV_VIRGL_WORKER_PROTOCOL_H
#define PV_VIRGL_WORKER_PROTOCOL_H

#include <stdatomic.h>
#include <stdint.h>

#include "vtest/vtest_stats.h"

enum pvw_type {
   /* front end -> worker */
   PVW_INIT = 1,         /* pvw_init + debug name bytes, the fence page's fd attached; the worker
                          * exits if it cannot serve */
   PVW_SUBMIT = 2,       /* pvw_submit + command bytes -> PVW_SUBMIT_DONE */
   PVW_CREATE_BLOB = 3,  /* pvw_create_blob -> PVW_BLOB (+ the fd when result is 0) */
   PVW_DESTROY_BLOB = 4, /* pvw_destroy_blob */
   PVW_FENCE = 5,        /* pvw_fence -> PVW_FENCE_RETIRED once the ring retired it */
   /* worker -> front end */
   PVW_SUBMIT_DONE = 16, /* pvw_submit_done */
   PVW_BLOB = 17,        /* pvw_blob */
   PVW_FENCE_RETIRED = 18,
   PVW_RING = 19, /* pvw_ring: a wire 1 ring's status word, for FATAL if the worker dies */
};

struct pvw_header {
   uint32_t type;
   uint32_t size; /* bytes after the header */
};

struct pvw_init {
   uint32_t wire_format;
   uint32_t capset_id;
};

struct pvw_submit {
   uint64_t seq; /* the front end's global submission number, echoed in SUBMIT_DONE */
};

struct pvw_submit_done {
   uint64_t seq;
   int32_t result; /* pv_context_submit's: 0, or -1 when the context is lost */
   uint32_t pad;
};

struct pvw_create_blob {
   uint32_t request;
   uint32_t res_id;
   uint64_t blob_id;
   uint64_t size;
   uint32_t flags;
   uint32_t pad;
};

struct pvw_blob {
   uint32_t request;
   int32_t result; /* 0 or a negative errno */
   uint32_t fd_type;
   uint32_t pad;
   uint64_t size;
};

struct pvw_destroy_blob {
   uint32_t res_id;
   uint32_t pad;
};

/* PVW_FENCE and PVW_FENCE_RETIRED. `fence_id` is not the guest's: the front end numbers the
 * fences of each ring 1, 2, 3... itself, so what a worker reports can be checked against what it
 * was given, and the guest's ids never reach the worker. */
struct pvw_fence {
   uint32_t ring_idx;
   uint32_t pad;
   uint64_t fence_id;
};

/*
 * The fence page: one shared page per context (a sealed memfd the front end creates and passes
 * with PVW_INIT). The worker stores, with release semantics, the last submission it completed
 * and the last fence it retired on each ring index below PVW_FENCE_RINGS, before it sends the
 * matching message; virgl_renderer_poll on the VMM's thread reads them with acquire loads and
 * no system call. QEMU polls right after each control command and then only every 10 ms: a
 * fence retired while the message is still on its way to the reader thread is delivered by the
 * first poll instead of the timer's. The messages stay: they wake the THREAD_SYNC poll fd and
 * the ASYNC_FENCE_CB thread, and anything on the page is checked as a message is.
 */
#define PVW_FENCE_RINGS 64u
struct pvw_fence_page {
   _Atomic uint64_t submit_done;                 /* the last pvw_submit.seq completed */
   _Atomic uint64_t ring_seqno[PVW_FENCE_RINGS]; /* the last pvw_fence.fence_id retired */
   /* The context's live statistics for the VMM's control socket (virgl_stats.h): the front end
    * writes the first record before the worker starts, then the worker is the one writer. Read
    * like anything else a worker writes: strings are terminated by the reader, the pid is the
    * one the front end spawned. */
   struct vtest_stats_slot stats;
};
#define PVW_FENCE_PAGE_SIZE 4096u
_Static_assert(sizeof(struct pvw_fence_page) <= PVW_FENCE_PAGE_SIZE, "one page");

struct pvw_ring {
   uint32_t res_id;
   uint32_t pad;
   uint64_t offset;
};

/* The largest message body either side accepts: a submission of up to 64 MiB. */
#define PVW_MAX_BODY (64u << 20)
/* The largest message a worker sends the front end (pvw_blob, 24 bytes, is the largest now): the
 * front end refuses anything bigger before allocating for it. */
#define PVW_MAX_WORKER_MESSAGE 256u
/* Worker argv[1] names the fd of its end of the socketpair. */
#define PVW_WORKER_FD 3

/*
 * The render server: `pearvisor-virgl-worker --socket-fd N`, started by a VMM whose own process
 * may not start processes (crosvm's GPU jail allows neither execve nor a plain clone, so it
 * starts virglrenderer's render server itself and hands the library the other end of a
 * SOCK_SEQPACKET pair through get_server_fd). The library asks it for each worker; the server
 * forks one and answers with the library's end of a new socketpair, over which the worker
 * protocol above runs as with a worker the library started. One packet per message.
 * `worker` identifies a worker to the server (its pid there, which need not be a pid in the
 * VMM's namespace: only the server signals or reaps its workers).
 */
#define PVS_MAGIC 0x53525650u /* "PVRS" */
enum pvs_op {
   PVS_HELLO = 1,       /* -> reply, result 0: the peer is a PearVisor render server */
   PVS_NEW_WORKER = 2,  /* -> reply with the worker's socket attached, or a negative errno */
   PVS_KILL_WORKER = 3, /* no reply; a worker the server did not start (or reaped) is ignored */
   /* -> how a worker ended: result 0 with its wait status in `worker` (once: the answer is
    * forgotten then), -EAGAIN while it runs, -ESRCH for a pid the server does not know (or
    * whose end it no longer remembers). Answered at once: the library waits between asks. */
   PVS_WORKER_STATUS = 4,
};
struct pvs_request {
   uint32_t magic;
   uint32_t op;
   uint64_t seq;   /* echoed in the reply: a late answer to a request given up is told apart */
   int64_t worker; /* PVS_KILL_WORKER, PVS_WORKER_STATUS */
};
struct pvs_reply {
   uint32_t magic;
   uint32_t op;
   uint64_t seq;
   int32_t result; /* 0 or a negative errno */
   uint32_t pad;
   int64_t worker; /* PVS_NEW_WORKER: the worker; PVS_WORKER_STATUS: its wait status */
};
/* Workers one server keeps at once (live contexts, the spare, and ones still ending). */
#define PVS_MAX_WORKERS 1024u
/* Ended workers whose status the server remembers until the library asks (the oldest goes). */
#define PVS_ENDED_KEPT 64u

#endif
