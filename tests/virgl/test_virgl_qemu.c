/* SPDX-License-Identifier: MIT */
/*
 * The built libvirglrenderer.so.1, loaded with dlopen and called the way QEMU 10.0's
 * virtio-gpu-gl device calls it (shared/protocol/qemu-venus.md §5): capsets before init, init
 * with VENUS | RENDER_SERVER and version-3 callbacks, the guest kernel's own context refused,
 * Venus contexts with flags, real Venus streams from a wire-1 guest (ring creation, replies in
 * mapped shared memory, a lavapipe device and a VkDeviceMemory blob), both fence kinds delivered
 * from virgl_renderer_poll on this thread (and from the library's own thread in the async
 * mode libkrun uses), reset then init again, and a worker killed with SIGKILL mid-submit.
 *
 * argv[1] is the library; with argv[2] "hostile" only the hostile-worker test runs (its
 * PEARVISOR_VIRGL_WORKER is tests/virgl/hostile_worker.c), with "limit" only the context-limit
 * test (PEARVISOR_VIRGL_MAX_CONTEXTS=3), with "capsets" only the capset test (run with
 * PEARVISOR_VIRGL_WIRE=0). PEARVISOR_VIRGL_INPROCESS=1 in the environment runs the
 * same tests with the renderer in this process (the kill test then has no worker and is skipped).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../codegen/wire_buf.h"
#include "../unit/venus_guest.h"
#include "virgl/virgl_abi.h"

enum {
   CMD_SET_REPLY = 178,
   CMD_GET_MEMORY_RESOURCE_PROPS = 192,
   CMD_ALLOCATE_MEMORY = 21,
   STYPE_MEMORY_RESOURCE_PROPS = 1000384001,
   STYPE_MEMORY_ALLOCATE_INFO = 5,
   REPLY_FLAG = 1,
   VK_ERROR_INVALID_EXTERNAL_HANDLE_ = -1000072003,
};

#define LVP_ICD "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"
#define OBJ_INSTANCE 0x10u
#define OBJ_PHYSDEV 0x20u
#define OBJ_DEVICE 0x30u
#define OBJ_MEMORY 0x70u
#define RING_ID 0x1001ull
#define RES_REPLY 10u
#define RES_RING 11u
#define RES_MEMORY 12u
#define MEMORY_SIZE (64u * 1024)

/* ----- the library, resolved by name as the VMM's dynamic linker does ----------------------- */

static struct {
   void *dl;
   int (*init)(void *, int, struct virgl_renderer_callbacks *);
   void (*poll)(void);
   void (*reset)(void);
   void (*cleanup)(void *);
   int (*get_poll_fd)(void);
   void (*get_cap_set)(uint32_t, uint32_t *, uint32_t *);
   void (*fill_caps)(uint32_t, uint32_t, void *);
   int (*context_create)(uint32_t, uint32_t, const char *);
   int (*context_create_with_flags)(uint32_t, uint32_t, uint32_t, const char *);
   void (*context_destroy)(uint32_t);
   int (*submit_cmd)(void *, int, int);
   int (*create_fence)(int, uint32_t);
   int (*context_create_fence)(uint32_t, uint32_t, uint32_t, uint64_t);
   int (*create_blob)(const struct virgl_renderer_resource_create_blob_args *);
   int (*get_info)(int, struct virgl_renderer_resource_info *);
   int (*get_info_ext)(int, struct virgl_renderer_resource_info_ext *);
   int (*map)(uint32_t, void **, uint64_t *);
   int (*unmap)(uint32_t);
   int (*get_map_info)(uint32_t, uint32_t *);
   void (*unref)(uint32_t);
   int (*resource_create)(struct virgl_renderer_resource_create_args *, struct iovec *, uint32_t);
   int (*attach_iov)(int, struct iovec *, int);
   void (*detach_iov)(int, struct iovec **, int *);
   void (*ctx_attach)(int, int);
   int (*export_blob)(uint32_t, uint32_t *, int *);
} V;

static const char *lib_path;
static bool in_process;

#define RESOLVE(field, name)                                                                       \
   do {                                                                                            \
      *(void **)&V.field = dlsym(V.dl, name);                                                      \
      assert_non_null(V.field);                                                                    \
   } while (0)

static void
load_library(void)
{
   V.dl = dlopen(lib_path, RTLD_NOW | RTLD_LOCAL);
   if (!V.dl)
      fail_msg("dlopen %s: %s", lib_path, dlerror());
   RESOLVE(init, "virgl_renderer_init");
   RESOLVE(poll, "virgl_renderer_poll");
   RESOLVE(reset, "virgl_renderer_reset");
   RESOLVE(cleanup, "virgl_renderer_cleanup");
   RESOLVE(get_poll_fd, "virgl_renderer_get_poll_fd");
   RESOLVE(get_cap_set, "virgl_renderer_get_cap_set");
   RESOLVE(fill_caps, "virgl_renderer_fill_caps");
   RESOLVE(context_create, "virgl_renderer_context_create");
   RESOLVE(context_create_with_flags, "virgl_renderer_context_create_with_flags");
   RESOLVE(context_destroy, "virgl_renderer_context_destroy");
   RESOLVE(submit_cmd, "virgl_renderer_submit_cmd");
   RESOLVE(create_fence, "virgl_renderer_create_fence");
   RESOLVE(context_create_fence, "virgl_renderer_context_create_fence");
   RESOLVE(create_blob, "virgl_renderer_resource_create_blob");
   RESOLVE(get_info, "virgl_renderer_resource_get_info");
   RESOLVE(get_info_ext, "virgl_renderer_resource_get_info_ext");
   RESOLVE(map, "virgl_renderer_resource_map");
   RESOLVE(unmap, "virgl_renderer_resource_unmap");
   RESOLVE(get_map_info, "virgl_renderer_resource_get_map_info");
   RESOLVE(unref, "virgl_renderer_resource_unref");
   RESOLVE(resource_create, "virgl_renderer_resource_create");
   RESOLVE(attach_iov, "virgl_renderer_resource_attach_iov");
   RESOLVE(detach_iov, "virgl_renderer_resource_detach_iov");
   RESOLVE(ctx_attach, "virgl_renderer_ctx_attach_resource");
   RESOLVE(export_blob, "virgl_renderer_resource_export_blob");
   /* the library's renderer stays private: nothing but the virgl ABI is visible */
   assert_null(dlsym(V.dl, "pv_renderer_create"));
}

/* ----- the VMM's callbacks ------------------------------------------------------------------ */

#define MAX_FENCES 64
static struct {
   pthread_mutex_t lock;
   pthread_t vmm_thread;
   int cookie;
   uint32_t global[MAX_FENCES];
   uint32_t nglobal;
   struct {
      uint32_t ctx, ring;
      uint64_t id;
   } ctxf[MAX_FENCES];
   uint32_t nctx;
   bool off_thread; /* a callback ran on another thread than the VMM's */
} cb = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void
note_thread(void)
{
   if (!pthread_equal(pthread_self(), cb.vmm_thread))
      cb.off_thread = true;
}

static void
write_fence(void *cookie, uint32_t fence)
{
   assert_ptr_equal(cookie, &cb.cookie);
   pthread_mutex_lock(&cb.lock);
   note_thread();
   if (cb.nglobal < MAX_FENCES)
      cb.global[cb.nglobal++] = fence;
   pthread_mutex_unlock(&cb.lock);
}

static void
write_context_fence(void *cookie, uint32_t ctx_id, uint32_t ring_idx, uint64_t fence_id)
{
   assert_ptr_equal(cookie, &cb.cookie);
   pthread_mutex_lock(&cb.lock);
   note_thread();
   if (cb.nctx < MAX_FENCES) {
      cb.ctxf[cb.nctx].ctx = ctx_id;
      cb.ctxf[cb.nctx].ring = ring_idx;
      cb.ctxf[cb.nctx].id = fence_id;
      cb.nctx++;
   }
   pthread_mutex_unlock(&cb.lock);
}

static virgl_renderer_gl_context
create_gl_context(void *cookie, int scanout, struct virgl_renderer_gl_ctx_param *p)
{
   (void)cookie, (void)scanout, (void)p;
   fail_msg("a Venus-only renderer asked for a GL context");
   return NULL;
}

static void
destroy_gl_context(void *cookie, virgl_renderer_gl_context ctx)
{
   (void)cookie, (void)ctx;
}

static int
make_current(void *cookie, int scanout, virgl_renderer_gl_context ctx)
{
   (void)cookie, (void)scanout, (void)ctx;
   return 0;
}

/* QEMU 10.0's callbacks: version 3, no get_drm_fd/get_server_fd. */
static struct virgl_renderer_callbacks qemu_cbs = {
   .version = 3,
   .write_fence = write_fence,
   .create_gl_context = create_gl_context,
   .destroy_gl_context = destroy_gl_context,
   .make_current = make_current,
   .write_context_fence = write_context_fence,
};

static void
reset_fence_log(void)
{
   pthread_mutex_lock(&cb.lock);
   cb.nglobal = cb.nctx = 0;
   cb.off_thread = false;
   pthread_mutex_unlock(&cb.lock);
}

/* Polls as QEMU's 10 ms timer does until `done` holds (up to 10 s). */
static bool
poll_until(bool (*done)(void *), void *arg, bool call_poll)
{
   for (int i = 0; i < 1000; i++) {
      if (call_poll)
         V.poll();
      pthread_mutex_lock(&cb.lock);
      bool d = done(arg);
      pthread_mutex_unlock(&cb.lock);
      if (d)
         return true;
      sleep_ms(10);
   }
   return false;
}

static bool
has_global(void *arg)
{
   uint32_t want = *(uint32_t *)arg;
   for (uint32_t i = 0; i < cb.nglobal; i++)
      if (cb.global[i] == want)
         return true;
   return false;
}

struct ctx_fence {
   uint32_t ctx, ring;
   uint64_t id;
};

static bool
has_ctx_fence(void *arg)
{
   const struct ctx_fence *w = arg;
   for (uint32_t i = 0; i < cb.nctx; i++)
      if (cb.ctxf[i].ctx == w->ctx && cb.ctxf[i].ring == w->ring && cb.ctxf[i].id == w->id)
         return true;
   return false;
}

/* A global fence is written once every earlier submission completed: the way to wait for an
 * asynchronous submit_cmd, as a guest waits for a fenced SUBMIT_3D. */
static void
wait_submits_done(uint32_t fence_id)
{
   assert_int_equal(V.create_fence((int)fence_id, 0), 0);
   assert_true(poll_until(has_global, &fence_id, true));
}

static int
count_dir(const char *path)
{
   int n = 0;
   DIR *d = opendir(path);
   assert_non_null(d);
   for (struct dirent *e; (e = readdir(d));)
      n += e->d_name[0] != '.';
   closedir(d);
   return n;
}

/* What "QEMU's" process holds before init; cleanup must give all of it back. */
static int baseline_fds, baseline_threads;

static void
init_qemu(int flags)
{
   baseline_fds = count_dir("/proc/self/fd");
   baseline_threads = count_dir("/proc/self/task");
   cb.vmm_thread = pthread_self();
   reset_fence_log();
   assert_int_equal(V.init(&cb.cookie, flags, &qemu_cbs), 0);
}

#define QEMU_FLAGS (VIRGL_RENDERER_VENUS | VIRGL_RENDERER_RENDER_SERVER)

/* cleanup, then no fd, thread or worker of the library is left in the VMM's process */
static int list_workers(pid_t *out, int max);
/* The threads of this process, once `want` is among the counts seen within 2 s: a thread that
 * pthread_join() saw end can still be listed for a moment (the kernel clears the joined tid
 * before the task has left /proc; seen on a fresh GPU machine). */
static int
threads_settled(int want)
{
   int n = count_dir("/proc/self/task");
   for (int i = 0; i < 200 && n != want; i++) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
      n = count_dir("/proc/self/task");
   }
   return n;
}

static void
cleanup_qemu(void)
{
   V.cleanup(&cb.cookie);
   assert_int_equal(count_dir("/proc/self/fd"), baseline_fds);
   assert_int_equal(threads_settled(baseline_threads), baseline_threads);
   pid_t left[16];
   assert_int_equal(list_workers(left, 16), 0);
}

/* ----- guest streams -------------------------------------------------------------------------- */

static void
cmd_set_reply(struct buf *b, uint32_t res, uint64_t offset, uint64_t size)
{
   w32(b, CMD_SET_REPLY), w32(b, 0), w64(b, 1), w32(b, res), w64(b, offset), w64(b, size);
}

static void
cmd_memory_resource_props(struct buf *b)
{
   w32(b, CMD_GET_MEMORY_RESOURCE_PROPS), w32(b, REPLY_FLAG), w64(b, 0), w32(b, 1);
   w64(b, 1), w32(b, STYPE_MEMORY_RESOURCE_PROPS), w64(b, 0);
}

static void
cmd_create_ring(struct buf *b, uint64_t ring, uint32_t res)
{
   guest_create_ring(b, ring, res, 3000000);
}

/* Instance, physical device and a device with one queue (the stream test_malformed uses). */
static void
cmd_lavapipe_device(struct buf *b)
{
   guest_device_stream(b, OBJ_INSTANCE, OBJ_PHYSDEV, OBJ_DEVICE);
}

/* vkAllocateMemory of memory type 0 (lavapipe: device-local, host-visible, coherent). */
static void
cmd_allocate_memory(struct buf *b, uint64_t id, uint64_t size)
{
   w32(b, CMD_ALLOCATE_MEMORY), w32(b, 0), w64(b, OBJ_DEVICE);
   w64(b, 1), w32(b, STYPE_MEMORY_ALLOCATE_INFO), w64(b, 0), w64(b, size), w32(b, 0);
   w64(b, 0), w64(b, 1), w64(b, id);
}

static int
submit(uint32_t ctx, const struct buf *b)
{
   return V.submit_cmd((void *)b->b, (int)ctx, (int)(b->n / 4));
}

static void *
create_mapped_blob(uint32_t ctx, uint32_t res, uint64_t blob_id, uint64_t size)
{
   const struct virgl_renderer_resource_create_blob_args args = {
      .res_handle = res,
      .ctx_id = ctx,
      .blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D,
      .blob_flags = VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE,
      .blob_id = blob_id,
      .size = size};
   assert_int_equal(V.create_blob(&args), 0);
   struct virgl_renderer_resource_info info;
   assert_int_equal(V.get_info((int)res, &info), 0); /* QEMU fails the blob otherwise */
   assert_int_equal(info.handle, res);
   uint32_t map_info = 0;
   assert_int_equal(V.get_map_info(res, &map_info), 0);
   assert_int_equal(map_info & VIRGL_RENDERER_MAP_CACHE_MASK, VIRGL_RENDERER_MAP_CACHE_CACHED);
   void *p = NULL;
   uint64_t got = 0;
   assert_int_equal(V.map(res, &p, &got), 0);
   assert_non_null(p);
   assert_int_equal(got, size);
   return p;
}

static void
unmap_unref(uint32_t res)
{
   assert_int_equal(V.unmap(res), 0);
   struct iovec *iov = (struct iovec *)&iov;
   int n = -1;
   V.detach_iov((int)res, &iov, &n); /* QEMU calls it on every unref */
   assert_null(iov);
   assert_int_equal(n, 0);
   V.unref(res);
   struct virgl_renderer_resource_info info;
   assert_int_not_equal(V.get_info((int)res, &info), 0);
}

/*
 * The Venus path of one context: reply and ring blobs mapped in "QEMU's" process, a reply the
 * renderer writes into the mapped reply blob, a ring created and driven through the mapping (the
 * renderer sees the guest's writes), then a lavapipe device, a VkDeviceMemory blob mapped and
 * written, everything unmapped and unreffed.
 */
static void
run_venus_path(uint32_t ctx, uint32_t fence_base)
{
   uint8_t *reply = create_mapped_blob(ctx, RES_REPLY + ctx * 100, 0, 4096);
   uint8_t *ring = create_mapped_blob(ctx, RES_RING + ctx * 100, 0, 8192);
   memset(reply, 0xee, 64);
   struct buf b = {0};
   cmd_set_reply(&b, RES_REPLY + ctx * 100, 0, 32);
   cmd_memory_resource_props(&b);
   cmd_create_ring(&b, RING_ID, RES_RING + ctx * 100);
   assert_int_equal(submit(ctx, &b), 0);
   wait_submits_done(fence_base);
   assert_int_equal(rd32(reply), CMD_GET_MEMORY_RESOURCE_PROPS);
   assert_int_equal((int32_t)rd32(reply + 4), VK_ERROR_INVALID_EXTERNAL_HANDLE_);
   assert_true(atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_ALIVE);

   /* a command through the ring, written through our mapping: the ring's head moves on */
   struct buf r = {0};
   cmd_set_reply(&r, RES_REPLY + ctx * 100, 1024, 32);
   cmd_memory_resource_props(&r);
   uint32_t tail = atomic_load(ring_ctl(ring, RING_TAIL));
   for (size_t i = 0; i < r.n; i++)
      ring[RING_BUF + ((tail + i) & (RING_BUFFER - 1))] = r.b[i];
   atomic_store(ring_ctl(ring, RING_TAIL), tail + (uint32_t)r.n);
   if (atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_IDLE) {
      struct buf n = {0};
      cmd_notify(&n, RING_ID);
      assert_int_equal(submit(ctx, &n), 0);
   }
   assert_true(wait_until(ring_ctl(ring, RING_HEAD), ~0u, tail + (uint32_t)r.n));
   assert_int_equal(rd32(reply + 1024), CMD_GET_MEMORY_RESOURCE_PROPS);

   if (access(LVP_ICD, R_OK) == 0) {
      struct buf d = {0};
      cmd_lavapipe_device(&d);
      cmd_allocate_memory(&d, OBJ_MEMORY, MEMORY_SIZE);
      cmd_allocate_memory(&d, OBJ_MEMORY + 1, MEMORY_SIZE);
      assert_int_equal(submit(ctx, &d), 0);
      /* a blob the guest did not create MAPPABLE is not mapped into its window */
      const struct virgl_renderer_resource_create_blob_args shareable = {
         .res_handle = RES_MEMORY + 1 + ctx * 100,
         .ctx_id = ctx,
         .blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D,
         .blob_flags = VIRGL_RENDERER_BLOB_FLAG_USE_SHAREABLE,
         .blob_id = OBJ_MEMORY + 1,
         .size = MEMORY_SIZE};
      assert_int_equal(V.create_blob(&shareable), 0);
      void *no_map = NULL;
      assert_int_not_equal(V.map(shareable.res_handle, &no_map, NULL), 0);
      V.unref(shareable.res_handle);
      /* no wait: the blob request is ordered after the allocation on the context's queue */
      uint8_t *mem = create_mapped_blob(ctx, RES_MEMORY + ctx * 100, OBJ_MEMORY, MEMORY_SIZE);
      for (uint32_t i = 0; i < MEMORY_SIZE; i += 4096)
         mem[i] = (uint8_t)(i >> 12);
      for (uint32_t i = 0; i < MEMORY_SIZE; i += 4096)
         assert_int_equal(mem[i], (uint8_t)(i >> 12));
      /* the exported fd (rutabaga VMMs map it themselves) is the same memory */
      uint32_t fd_type = 0;
      int fd = -1;
      assert_int_equal(V.export_blob(RES_MEMORY + ctx * 100, &fd_type, &fd), 0);
      assert_int_equal(fd_type, VIRGL_RENDERER_BLOB_FD_TYPE_SHM);
      uint8_t *again = mmap(NULL, MEMORY_SIZE, PROT_READ, MAP_SHARED, fd, 0);
      assert_true(again != MAP_FAILED);
      assert_int_equal(again[4096 * 3], 3);
      munmap(again, MEMORY_SIZE);
      close(fd);
      unmap_unref(RES_MEMORY + ctx * 100);
   }
   unmap_unref(RES_RING + ctx * 100);
   unmap_unref(RES_REPLY + ctx * 100);
}

/* ----- tests -------------------------------------------------------------------------------------
 */

static void
test_capsets_before_init(void **state)
{
   (void)state;
   uint32_t ver = 7, size = 7;
   V.get_cap_set(VIRGL_RENDERER_CAPSET_VIRGL, &ver, &size);
   assert_int_equal(ver, 0);
   assert_int_equal(size, 0);
   ver = size = 7;
   V.get_cap_set(VIRGL_RENDERER_CAPSET_VIRGL2, &ver, &size);
   assert_int_equal(ver, 0);
   assert_int_equal(size, 0);
   V.get_cap_set(VIRGL_RENDERER_CAPSET_VENUS, &ver, &size);
   assert_int_equal(ver, 0);
   assert_int_equal(size, 160);
   uint32_t caps[44];
   memset(caps, 0xab, sizeof(caps));
   V.fill_caps(VIRGL_RENDERER_CAPSET_VENUS, 0, caps);
   /* wire format 1 (Mesa >= 23.1, the only VM guests QEMU serves) unless the VMM's
    * environment chose 0 */
   const char *wire = getenv("PEARVISOR_VIRGL_WIRE");
   const bool wire0 = wire && !strcmp(wire, "0");
   assert_int_equal(caps[0], wire0 ? 0 : 1);
   assert_int_equal(caps[3], wire0 ? 100000 : 2); /* VK_MESA_venus_protocol spec version */
   assert_int_equal(caps[4], 1);                  /* supports_blob_id_0 */
   assert_int_equal(rd32((uint8_t *)caps + 160), 0xabababab); /* nothing past 160 bytes */
   uint32_t other[4] = {7, 7, 7, 7};
   V.fill_caps(VIRGL_RENDERER_CAPSET_VENUS, 1, other); /* no version 1: untouched */
   V.fill_caps(VIRGL_RENDERER_CAPSET_VIRGL, 1, other);
   assert_int_equal(other[0], 7);

   /* before init everything else is an error or nothing, never a crash */
   assert_int_not_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 1, "x"), 0);
   const struct virgl_renderer_resource_create_blob_args blob = {
      .res_handle = 1, .ctx_id = 2, .blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D, .size = 4096};
   assert_int_not_equal(V.create_blob(&blob), 0);
   assert_int_not_equal(V.create_fence(1, 0), 0);
   assert_int_equal(V.get_poll_fd(), -1);
   V.poll();
   V.reset();
   V.cleanup(NULL);
}

static void
test_init_and_contexts(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS);
   /* after init the answers are the same */
   uint32_t ver, size;
   V.get_cap_set(VIRGL_RENDERER_CAPSET_VENUS, &ver, &size);
   assert_int_equal(size, 160);
   /* the guest kernel's console context (no context-init): refused, harmlessly */
   assert_int_not_equal(V.context_create(1, 6, "insmod"), 0);
   assert_int_not_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VIRGL, 4, "gl"), 0);
   assert_int_not_equal(V.context_create_with_flags(0, VIRGL_RENDERER_CAPSET_VENUS, 1, "x"), 0);
   assert_int_not_equal(V.context_create_with_flags(4, 0x104, 1, "x"), 0);
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 10, "vulkaninfo"),
                    0);
   /* the same id again with the same capset is accepted, with another refused */
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 1, "x"), 0);
   assert_int_not_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VIRGL2, 1, "x"), 0);
   /* unknown contexts and resources, classic resources: errors, never a crash */
   uint32_t word = 0;
   assert_int_not_equal(V.submit_cmd(&word, 9, 1), 0);
   assert_int_not_equal(V.context_create_fence(9, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE, 0, 1), 0);
   struct virgl_renderer_resource_create_args ra = {.handle = 50,
                                                    .target = 2,
                                                    .format = 2,
                                                    .bind = 2,
                                                    .width = 64,
                                                    .height = 64,
                                                    .depth = 1,
                                                    .array_size = 1};
   assert_int_not_equal(V.resource_create(&ra, NULL, 0), 0);
   char page[64];
   struct iovec iov = {page, sizeof(page)};
   assert_int_not_equal(V.attach_iov(50, &iov, 1), 0);
   struct virgl_renderer_resource_info_ext ext;
   assert_int_not_equal(V.get_info_ext(50, &ext), 0);
   void *p;
   assert_int_not_equal(V.map(50, &p, NULL), 0);
   const struct virgl_renderer_resource_create_blob_args guest_blob = {
      .res_handle = 51, .ctx_id = 2, .blob_mem = VIRGL_RENDERER_BLOB_MEM_GUEST, .size = 4096};
   assert_int_not_equal(V.create_blob(&guest_blob), 0);
   V.ctx_attach(2, 50);
   V.unref(50);
   V.context_destroy(2);
   V.context_destroy(2);
   cleanup_qemu();
}

static void
test_venus_stream(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS);
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 4, "test"), 0);
   run_venus_path(2, 1);
   V.context_destroy(2);
   cleanup_qemu();
}

/* Both kinds from poll on the VMM's thread, in order; none before poll is called. */
static void
test_fences_from_poll(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS);
   assert_int_equal(V.get_poll_fd(), -1); /* no THREAD_SYNC: no fd */
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 4, "test"), 0);
   assert_int_equal(V.context_create_fence(2, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE, 0, 5), 0);
   assert_int_equal(V.create_fence(6, 0), 0);
   sleep_ms(200);
   assert_int_equal(cb.nctx + cb.nglobal, 0); /* only poll delivers */
   struct ctx_fence want = {2, 0, 5};
   assert_true(poll_until(has_ctx_fence, &want, true));
   uint32_t g = 6;
   assert_true(poll_until(has_global, &g, true));
   assert_int_equal(V.create_fence(7, 0), 0);
   assert_int_equal(V.create_fence(8, 0), 0);
   g = 8;
   assert_true(poll_until(has_global, &g, true));
   assert_int_equal(cb.global[cb.nglobal - 2], 7); /* in id order */
   /* a ring index the guest never bound: retired all the same (the context is lost) */
   assert_int_equal(V.context_create_fence(2, 0, 9, 10), 0);
   want = (struct ctx_fence){2, 9, 10};
   assert_true(poll_until(has_ctx_fence, &want, true));
   assert_false(cb.off_thread);
   V.context_destroy(2);
   cleanup_qemu();
}

/* THREAD_SYNC: the poll fd becomes readable when a fence is ready; poll delivers it. */
static void
test_fences_thread_sync(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS | VIRGL_RENDERER_THREAD_SYNC);
   int fd = V.get_poll_fd();
   assert_true(fd >= 0);
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 4, "test"), 0);
   assert_int_equal(V.context_create_fence(2, 0, 0, 3), 0);
   struct pollfd p = {.fd = fd, .events = POLLIN};
   assert_int_equal(poll(&p, 1, 10000), 1);
   assert_int_equal(cb.nctx, 0);
   V.poll();
   assert_int_equal(cb.nctx, 1);
   assert_int_equal(cb.ctxf[0].id, 3);
   assert_false(cb.off_thread);
   V.context_destroy(2);
   cleanup_qemu();
}

/* THREAD_SYNC | ASYNC_FENCE_CB (libkrun): callbacks from the library's thread, no poll. */
static void
test_fences_async(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS | VIRGL_RENDERER_THREAD_SYNC | VIRGL_RENDERER_ASYNC_FENCE_CB);
   assert_int_equal(V.get_poll_fd(), -1);
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 4, "test"), 0);
   run_venus_path(2, 30); /* global fences here come from the library's thread too */
   assert_int_equal(V.context_create_fence(2, 0, 0, 11), 0);
   assert_int_equal(V.create_fence(12, 0), 0);
   struct ctx_fence want = {2, 0, 11};
   assert_true(poll_until(has_ctx_fence, &want, false));
   uint32_t g = 12;
   assert_true(poll_until(has_global, &g, false));
   assert_true(cb.off_thread);
   V.context_destroy(2);
   cleanup_qemu();
}

/* A device reset drops everything; QEMU then calls init again and Venus works as before. */
static void
test_reset_then_init(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS);
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 4, "before"), 0);
   void *reply = create_mapped_blob(2, RES_REPLY, 0, 4096);
   (void)reply;
   assert_int_equal(V.unmap(RES_REPLY), 0);
   V.reset();
   struct virgl_renderer_resource_info info;
   assert_int_not_equal(V.get_info(RES_REPLY, &info), 0); /* gone with the reset */
   assert_int_equal(V.init(&cb.cookie, QEMU_FLAGS, &qemu_cbs), 0);
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 5, "after"), 0);
   run_venus_path(2, 20);
   V.context_destroy(2);
   cleanup_qemu();
}

/* /proc/NAME/stat's state and parent, and whether it is a worker (named after the binary). */
static bool
proc_stat(const char *name, char *state, long *ppid, bool *worker)
{
   char path[300], stat[512];
   snprintf(path, sizeof(path), "/proc/%s/stat", name);
   FILE *f = fopen(path, "r");
   if (!f)
      return false;
   size_t len = fread(stat, 1, sizeof(stat) - 1, f);
   fclose(f);
   stat[len] = '\0';
   const char *close_paren = strrchr(stat, ')');
   *worker = strstr(stat, "(pearvisor-virg") != NULL;
   return close_paren && sscanf(close_paren + 1, " %c %ld", state, ppid) == 2;
}

/* The workers this process started, by pid (children named after the worker binary). */
static int
list_workers(pid_t *out, int max)
{
   int n = 0;
   DIR *d = opendir("/proc");
   assert_non_null(d);
   for (struct dirent *e; (e = readdir(d)) && n < max;) {
      long ppid;
      char st;
      bool worker;
      if (proc_stat(e->d_name, &st, &ppid, &worker) && worker && ppid == (long)getpid())
         out[n++] = (pid_t)atol(e->d_name);
   }
   closedir(d);
   return n;
}

static bool
contains(const pid_t *v, int n, pid_t p)
{
   for (int i = 0; i < n; i++)
      if (v[i] == p)
         return true;
   return false;
}

static pid_t
new_worker(const pid_t *before, int nbefore)
{
   pid_t now[16];
   int n = list_workers(now, 16);
   for (int i = 0; i < n; i++)
      if (!contains(before, nbefore, now[i]))
         return now[i];
   return -1;
}

/* The spare worker (src/virgl/worker_spawn.c): started at init, it becomes the next context's
 * worker and another is started; a spare that died is replaced by a worker started on demand;
 * cleanup ends the spare too (cleanup_qemu counts every child). */
static bool
is_zombie(pid_t pid)
{
   char name[24], st;
   long ppid;
   bool worker;
   snprintf(name, sizeof(name), "%ld", (long)pid);
   return proc_stat(name, &st, &ppid, &worker) && st == 'Z';
}

static void
test_spare_worker(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS);
   pid_t w[16];
   assert_int_equal(list_workers(w, 16), 1);
   const pid_t spare = w[0];
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 5, "first"), 0);
   struct ctx_fence f2 = {2, 0, 1};
   assert_int_equal(V.context_create_fence(2, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE, 0, 1), 0);
   assert_true(poll_until(has_ctx_fence, &f2, true));
   /* the spare serves context 2 and a new one waits */
   assert_int_equal(list_workers(w, 16), 2);
   assert_true(contains(w, 2, spare));
   pid_t next = w[0] == spare ? w[1] : w[0];
   /* a dead spare: the next context's worker is started on demand and serves it */
   assert_int_equal(kill(next, SIGKILL), 0);
   /* the front end must find it dead when it takes the spare: wait until it is a zombie */
   for (int i = 0; i < 400 && !is_zombie(next); i++)
      sleep_ms(5);
   assert_true(is_zombie(next));
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 6, "second"), 0);
   struct ctx_fence f3 = {3, 0, 1};
   assert_int_equal(V.context_create_fence(3, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE, 0, 1), 0);
   assert_true(poll_until(has_ctx_fence, &f3, true));
   V.context_destroy(2);
   V.context_destroy(3);
   cleanup_qemu();
}

/* SIGKILL one context's worker while it runs guest work: that context is lost (its fences
 * retire, its blobs fail), this process and the other context go on. */
static void
test_worker_killed_mid_submit(void **state)
{
   (void)state;
   if (in_process)
      skip();
   init_qemu(QEMU_FLAGS);
   pid_t before[16];
   int nb = list_workers(before, 16);
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 6, "victim"), 0);
   pid_t victim = -1;
   for (int i = 0; i < 500 && victim < 0; i++, sleep_ms(10))
      victim = new_worker(before, nb);
   assert_true(victim > 0);
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 9, "bystander"), 0);
   /* the victim's guest has a ring (wire 1, monitored), mapped in "QEMU" like the hostmem
    * window */
   uint8_t *ring = create_mapped_blob(2, RES_RING + 200, 0, 8192);
   struct buf rb = {0};
   cmd_create_ring(&rb, RING_ID, RES_RING + 200);
   assert_int_equal(submit(2, &rb), 0);
   wait_submits_done(39);
   assert_true(atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_ALIVE);
   assert_false(atomic_load(ring_ctl(ring, RING_STATUS)) & STATUS_FATAL);
   /* the victim builds a device (lavapipe start-up takes a while) and is killed in the middle */
   struct buf d = {0};
   if (access(LVP_ICD, R_OK) == 0)
      cmd_lavapipe_device(&d);
   else
      cmd_memory_resource_props(&d);
   assert_int_equal(submit(2, &d), 0); /* once: a second would lose the context by itself */
   assert_int_equal(V.context_create_fence(2, 0, 0, 40), 0);
   sleep_ms(30);
   assert_int_equal(kill(victim, SIGKILL), 0);
   assert_int_equal(submit(2, &d), 0); /* accepted, goes nowhere */
   struct ctx_fence want = {2, 0, 40};
   assert_true(poll_until(has_ctx_fence, &want, true));
   wait_submits_done(41); /* the global timeline does not wait for the dead worker */
   /* the guest is told as the renderer would have told it: FATAL on its ring */
   assert_true(wait_until(ring_ctl(ring, RING_STATUS), STATUS_FATAL, STATUS_FATAL));
   unmap_unref(RES_RING + 200);
   const struct virgl_renderer_resource_create_blob_args args = {
      .res_handle = 70,
      .ctx_id = 2,
      .blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D,
      .blob_flags = VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE,
      .size = 4096};
   assert_true(V.create_blob(&args) < 0);
   assert_int_equal(V.context_create_fence(2, 0, 0, 42), 0);
   want.id = 42;
   assert_true(poll_until(has_ctx_fence, &want, true));
   /* a submission past the worker protocol's 64 MiB: that context is lost, nothing else */
   assert_int_equal(V.context_create_with_flags(4, VIRGL_RENDERER_CAPSET_VENUS, 4, "huge"), 0);
   const size_t huge = (64u << 20) + 4096;
   uint32_t *words = calloc(1, huge);
   assert_non_null(words);
   assert_int_equal(V.submit_cmd(words, 4, (int)(huge / 4)), 0);
   free(words);
   assert_int_equal(V.context_create_fence(4, 0, 0, 43), 0);
   want = (struct ctx_fence){4, 0, 43};
   assert_true(poll_until(has_ctx_fence, &want, true));
   V.context_destroy(4);
   run_venus_path(3, 50); /* the bystander is unaffected */
   V.context_destroy(2);
   V.context_destroy(3);
   cleanup_qemu();
}

/* The VMM's control socket (PEARVISOR_VIRGL_CONTROL, "%p" the pid) answers "stats": the whole
 * reply, NUL-terminated, in `buf` (empty when there is no socket). */
static void
control_stats(char *buf, size_t size)
{
   buf[0] = '\0';
   const char *tmpl = getenv("PEARVISOR_VIRGL_CONTROL");
   if (!tmpl)
      return;
   struct sockaddr_un addr = {.sun_family = AF_UNIX};
   const char *pid = strstr(tmpl, "%p");
   assert_non_null(pid);
   snprintf(addr.sun_path, sizeof(addr.sun_path), "%.*s%ld%s", (int)(pid - tmpl), tmpl,
            (long)getpid(), pid + 2);
   int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   assert_true(fd >= 0);
   assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
   assert_int_equal(write(fd, "stats\n", 6), 6);
   size_t len = 0;
   ssize_t n;
   while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
      len += (size_t)n;
   buf[len] = '\0';
   close(fd);
}

/* Workers that lie (hostile_worker.c): the VMM's process survives each, with nothing left. */
static void
test_hostile_workers(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS);
   const struct virgl_renderer_resource_create_blob_args args = {
      .res_handle = 80,
      .ctx_id = 2,
      .blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D,
      .blob_flags = VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE,
      .size = 8192};
   /* a blob fd shorter than the blob: refused, so the guest can never touch past its end */
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 5, "short"), 0);
   assert_true(V.create_blob(&args) < 0);
   void *p;
   assert_int_not_equal(V.map(80, &p, NULL), 0);
   /* no answer: the VMM's thread waits PEARVISOR_VIRGL_REPLY_TIMEOUT_MS, not forever */
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 6, "silent"), 0);
   struct virgl_renderer_resource_create_blob_args silent = args;
   silent.ctx_id = 3;
   const time_t start = time(NULL);
   assert_true(V.create_blob(&silent) < 0);
   assert_true(time(NULL) - start <= 3);
   assert_int_equal(V.context_create_fence(3, 0, 0, 5), 0); /* killed: fences still retire */
   struct ctx_fence want = {3, 0, 5};
   assert_true(poll_until(has_ctx_fence, &want, true));
   /* a malformed message: the worker is killed, its context lost, its fences retired */
   assert_int_equal(V.context_create_with_flags(4, VIRGL_RENDERER_CAPSET_VENUS, 7, "garbage"), 0);
   assert_int_equal(V.context_create_fence(4, 0, 1, 9), 0);
   uint32_t word = 0;
   assert_int_equal(V.submit_cmd(&word, 4, 1), 0);
   want = (struct ctx_fence){4, 1, 9};
   assert_true(poll_until(has_ctx_fence, &want, true));
   wait_submits_done(10);
   /* fences nobody asked for: the worker is killed before the VMM's queue can grow */
   assert_int_equal(V.context_create_with_flags(6, VIRGL_RENDERER_CAPSET_VENUS, 6, "fences"), 0);
   assert_int_equal(V.context_create_fence(6, 0, 2, 77), 0);
   assert_int_equal(V.submit_cmd(&word, 6, 1), 0);
   want = (struct ctx_fence){6, 2, 77};
   assert_true(poll_until(has_ctx_fence, &want, true));
   for (uint32_t i = 0; i < cb.nctx; i++)
      assert_false(cb.ctxf[i].ctx == 6 && cb.ctxf[i].id >= 1000);
   V.context_destroy(6);
   /* a fence page that names a fence never given (hostile_worker.c "page"): read by poll on the
    * VMM's thread, checked as a message is: the worker is killed and both fences retire by its
    * death (unchecked, ring 3's would be delivered and ring 2's never) */
   assert_int_equal(V.context_create_with_flags(7, VIRGL_RENDERER_CAPSET_VENUS, 4, "page"), 0);
   assert_int_equal(V.context_create_fence(7, 0, 3, 90), 0);
   assert_int_equal(V.context_create_fence(7, 0, 2, 91), 0);
   want = (struct ctx_fence){7, 2, 91};
   assert_true(poll_until(has_ctx_fence, &want, true));
   want = (struct ctx_fence){7, 3, 90};
   assert_true(has_ctx_fence(&want));
   V.context_destroy(7);
   /* a statistics slot of 0xff bytes, its seqlock never even (hostile_worker.c "stats"): the
    * control socket still answers in form, the worker's row with the pid the VMM spawned and
    * every string cut at its buffer; after the destroy the row is filed as destroyed */
   assert_int_equal(V.context_create_with_flags(8, VIRGL_RENDERER_CAPSET_VENUS, 5, "stats"), 0);
   sleep_ms(100);
   static char reply[65536];
   control_stats(reply, sizeof(reply));
   if (getenv("PEARVISOR_VIRGL_CONTROL")) {
      assert_true(!strncmp(reply, "pearvisor-stats 1\n", 18));
      assert_non_null(strstr(reply, "\nend\n"));
      assert_non_null(strstr(reply, "id=18446744073709551615 pid="));
      V.context_destroy(8);
      bool filed = false;
      for (int i = 0; i < 300 && !filed; i++, sleep_ms(10)) {
         control_stats(reply, sizeof(reply));
         filed = strstr(reply, "state=destroyed") != NULL;
      }
      assert_true(filed);
      assert_non_null(strstr(reply, "\nend\n"));
   } else {
      V.context_destroy(8);
   }
   /* a worker that closes its socket and lives on: its context is lost, its fences retire, and
    * its reap kills it; filed as killed after hanging up, not as crashed (a request that found
    * the socket closed and the reader's end of file both lead there, whichever comes first) */
   assert_int_equal(V.context_create_with_flags(13, VIRGL_RENDERER_CAPSET_VENUS, 6, "hangup"), 0);
   assert_int_equal(V.context_create_fence(13, 0, 0, 60), 0);
   assert_int_equal(V.submit_cmd(&word, 13, 1), 0);
   assert_int_equal(V.submit_cmd(&word, 13, 1), 0);
   want = (struct ctx_fence){13, 0, 60};
   assert_true(poll_until(has_ctx_fence, &want, true));
   if (getenv("PEARVISOR_VIRGL_CONTROL")) {
      bool filed = false;
      for (int i = 0; i < 300 && !filed; i++, sleep_ms(10)) {
         control_stats(reply, sizeof(reply));
         const char *row = strstr(reply, "client id=13 ");
         const char *end = row ? strchr(row, '\n') : NULL;
         const char *st = row ? strstr(row, " state=killed%20after%20hanging%20up ") : NULL;
         filed = st && end && st < end;
      }
      assert_true(filed);
   }
   V.context_destroy(13);
   /* a blob memfd that takes no seals: the worker could shrink it under the VMM's mapping, so
    * it is refused (and the worker killed) */
   assert_int_equal(V.context_create_with_flags(11, VIRGL_RENDERER_CAPSET_VENUS, 10, "unsealable"),
                    0);
   struct virgl_renderer_resource_create_blob_args blob = args;
   blob.ctx_id = 11;
   blob.res_handle = 81;
   assert_true(V.create_blob(&blob) < 0);
   assert_int_not_equal(V.map(81, &p, NULL), 0);
   /* one that does: sealed by the front end, so the worker's truncation after the VMM mapped it
    * fails, and the guest's access to the blob's last page stays valid (else SIGBUS here) */
   assert_int_equal(V.context_create_with_flags(12, VIRGL_RENDERER_CAPSET_VENUS, 6, "shrink"), 0);
   blob.ctx_id = 12;
   blob.res_handle = 82;
   assert_int_equal(V.create_blob(&blob), 0);
   uint64_t size = 0;
   assert_int_equal(V.map(82, &p, &size), 0);
   assert_int_equal(size, blob.size);
   assert_int_equal(V.context_create_fence(12, 0, 0, 44), 0);
   want = (struct ctx_fence){12, 0, 44};
   assert_true(poll_until(has_ctx_fence, &want, true)); /* after its truncation attempt */
   volatile uint8_t *bytes = p;
   bytes[0] = 1;
   bytes[size - 1] = 2;
   assert_int_equal(bytes[0] + bytes[size - 1], 3);
   assert_int_equal(V.unmap(82), 0);
   V.unref(82);
   /* after the destroy: one that keeps sending harmless messages, one that stops in the middle
    * of a header; neither may outlive its grace period nor hold up the cleanup below */
   assert_int_equal(V.context_create_with_flags(9, VIRGL_RENDERER_CAPSET_VENUS, 6, "chatty"), 0);
   assert_int_equal(V.context_create_with_flags(10, VIRGL_RENDERER_CAPSET_VENUS, 7, "partial"), 0);
   V.context_destroy(9);
   V.context_destroy(10);
   V.context_destroy(11);
   V.context_destroy(12);
   /* a worker whose teardown never ends: killed after PEARVISOR_VIRGL_CLOSE_GRACE_MS */
   assert_int_equal(V.context_create_with_flags(5, VIRGL_RENDERER_CAPSET_VENUS, 5, "stuck"), 0);
   V.context_destroy(2);
   V.context_destroy(3);
   V.context_destroy(4);
   V.context_destroy(5);
   if (getenv("PEARVISOR_VIRGL_CONTROL")) {
      /* its teardown does not end: shown closing, not as the worker last described it */
      control_stats(reply, sizeof(reply));
      const char *row = strstr(reply, "client id=5 ");
      assert_non_null(row);
      const char *end = strchr(row, '\n');
      const char *closing = strstr(row, " state=closing");
      assert_true(closing && closing < end);
   }
   const time_t before_cleanup = time(NULL);
   cleanup_qemu();
   assert_true(time(NULL) - before_cleanup <= 3);
}

/* PEARVISOR_VIRGL_MAX_CONTEXTS=3: a fourth context is refused; after a destroy there is room
 * again once that context's worker has ended. */
static void
test_context_limit(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS);
   for (uint32_t id = 2; id < 5; id++)
      assert_int_equal(V.context_create_with_flags(id, VIRGL_RENDERER_CAPSET_VENUS, 4, "many"), 0);
   assert_int_not_equal(V.context_create_with_flags(5, VIRGL_RENDERER_CAPSET_VENUS, 4, "many"), 0);
   V.context_destroy(3);
   bool created = false;
   for (int i = 0; i < 500 && !created; i++, sleep_ms(10))
      created = V.context_create_with_flags(5, VIRGL_RENDERER_CAPSET_VENUS, 4, "many") == 0;
   assert_true(created);
   run_venus_path(5, 60);
   for (uint32_t id = 2; id < 6; id++)
      V.context_destroy(id);
   cleanup_qemu();
}

static double
now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Creates ring 0 fence `id` of context 2 and calls poll once, as QEMU does right after the
 * command; returns whether that one poll delivered it, and how long it took in *ms. */
static bool
fence_then_poll(uint64_t id, double *ms)
{
   assert_int_equal(V.context_create_fence(2, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE, 0, id), 0);
   double t0 = now_ms();
   V.poll();
   *ms = now_ms() - t0;
   struct ctx_fence want = {2, 0, id};
   pthread_mutex_lock(&cb.lock);
   bool got = has_ctx_fence(&want);
   pthread_mutex_unlock(&cb.lock);
   return got;
}

/*
 * The poll's grace (fences.c), run with PEARVISOR_VIRGL_FENCE_GRACE_US=300000: the poll right
 * after a fence's creation waits for the worker to retire it, so QEMU delivers it without its
 * 10 ms timer; the wait ends at the grace however long the worker takes (stopped here); after
 * three such timeouts in a row the poll stops waiting, but for one fence in eight, whose success
 * ends the back-off.
 */
static void
test_fence_grace(void **state)
{
   (void)state;
   init_qemu(QEMU_FLAGS);
   assert_int_equal(V.context_create_with_flags(2, VIRGL_RENDERER_CAPSET_VENUS, 4, "grace"), 0);
   struct ctx_fence first = {2, 0, 1};
   assert_int_equal(V.context_create_fence(2, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE, 0, 1), 0);
   assert_true(poll_until(has_ctx_fence, &first, true)); /* the worker is up */
   double ms;
   for (uint64_t id = 2; id < 5; id++)
      assert_true(fence_then_poll(id, &ms));
   /* a global fence after a submission (empty, as tests/vm/pv-virtio-fence's): the same poll
    * sees the worker complete it */
   static const uint32_t none[1];
   assert_int_equal(V.submit_cmd((void *)none, 2, 0), 0);
   assert_int_equal(V.create_fence(5, 0), 0);
   V.poll();
   uint32_t g = 5;
   pthread_mutex_lock(&cb.lock);
   assert_true(has_global(&g));
   pthread_mutex_unlock(&cb.lock);

   pid_t w[4];
   assert_int_equal(list_workers(w, 4), 1);
   assert_int_equal(kill(w[0], SIGSTOP), 0);
   for (uint64_t id = 10; id < 13; id++) {
      assert_false(fence_then_poll(id, &ms));
      assert_true(ms >= 250 && ms < 3000);
   }
   assert_false(fence_then_poll(13, &ms));
   assert_true(ms < 100); /* three timeouts in a row: no wait */
   assert_int_equal(kill(w[0], SIGCONT), 0);
   uint64_t id = 14;
   while (id < 14 + 8 && !fence_then_poll(id, &ms))
      id++;
   assert_true(id < 14 + 8); /* one in eight was waited for, and retired */
   for (uint64_t n = id + 1; n < id + 4; n++)
      assert_true(fence_then_poll(n, &ms)); /* and the back-off ended */
   assert_false(cb.off_thread);
   V.context_destroy(2);
   cleanup_qemu();
}

int
main(int argc, char **argv)
{
   if (argc < 2) {
      fprintf(stderr, "usage: %s path/to/libvirglrenderer.so.1\n", argv[0]);
      return 2;
   }
   lib_path = argv[1];
   const char *ip = getenv("PEARVISOR_VIRGL_INPROCESS");
   in_process = ip && strcmp(ip, "0") != 0;
   /* As test_malformed: the loader unloads the driver with its last instance, after which leak
    * reports could not name it (the suppressions match the driver's name). */
   dlopen("libvulkan_lvp.so", RTLD_NOW | RTLD_NODELETE);
   load_library();
   if (argc > 2 && !strcmp(argv[2], "hostile")) {
      const struct CMUnitTest hostile[] = {cmocka_unit_test(test_hostile_workers)};
      return cmocka_run_group_tests(hostile, NULL, NULL);
   }
   if (argc > 2 && !strcmp(argv[2], "capsets")) {
      const struct CMUnitTest capsets[] = {cmocka_unit_test(test_capsets_before_init)};
      return cmocka_run_group_tests(capsets, NULL, NULL);
   }
   if (argc > 2 && !strcmp(argv[2], "grace")) {
      const struct CMUnitTest grace[] = {cmocka_unit_test(test_fence_grace)};
      return cmocka_run_group_tests(grace, NULL, NULL);
   }
   if (argc > 2 && !strcmp(argv[2], "spare")) {
      const struct CMUnitTest spare_tests[] = {cmocka_unit_test(test_spare_worker)};
      return cmocka_run_group_tests(spare_tests, NULL, NULL);
   }
   if (argc > 2 && !strcmp(argv[2], "limit")) {
      const struct CMUnitTest limit[] = {cmocka_unit_test(test_context_limit)};
      return cmocka_run_group_tests(limit, NULL, NULL);
   }
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_capsets_before_init), cmocka_unit_test(test_init_and_contexts),
      cmocka_unit_test(test_venus_stream),        cmocka_unit_test(test_fences_from_poll),
      cmocka_unit_test(test_fences_thread_sync),  cmocka_unit_test(test_fences_async),
      cmocka_unit_test(test_reset_then_init),     cmocka_unit_test(test_worker_killed_mid_submit),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
