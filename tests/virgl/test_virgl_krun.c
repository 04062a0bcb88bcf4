/* SPDX-License-Identifier: MIT */
/*
 * The built libvirglrenderer.so.1, loaded with dlopen and called the way libkrun's rutabaga
 * (src/rutabaga_gfx/src/virgl_renderer.rs, features virgl_renderer + virgl_renderer_next) calls
 * it: virgl_set_debug_callback before init, init in the async fence mode with version-3
 * callbacks that include get_server_fd, an EXPORT_QUERY through virgl_renderer_execute for every
 * blob it creates, virgl_renderer_resource_import_blob for another component's fd before it
 * attaches the resource to a context, and virgl_renderer_export_fence. Each of the four imports
 * QEMU does not use is also called with bad arguments: the library refuses, never crashes, and
 * leaves an fd it refused with the caller.
 *
 * argv[1] is the library. PEARVISOR_VIRGL_INPROCESS=1 runs the renderer in this process (the
 * pending-fence step, which stops the worker, is then skipped).
 */
/* memfd_create */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sync_file.h>
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "virgl/virgl_abi.h"
#include "vmm_util.h"

/* libkrun's async fence mode; with RENDER_SERVER rutabaga offers a socket through get_server_fd */
#define KRUN_FLAGS                                                                                 \
   (VIRGL_RENDERER_VENUS | VIRGL_RENDERER_NO_VIRGL | VIRGL_RENDERER_THREAD_SYNC |                  \
    VIRGL_RENDERER_ASYNC_FENCE_CB | VIRGL_RENDERER_RENDER_SERVER)
#define CTX 3u
#define BLOB_SIZE (64u * 1024)

static struct {
   void *dl;
   virgl_debug_callback_type (*set_debug_callback)(virgl_debug_callback_type);
   int (*execute)(void *, uint32_t);
   int (*import_blob)(const struct virgl_renderer_resource_import_blob_args *);
   int (*export_fence)(uint64_t, int *);
   int (*init)(void *, int, struct virgl_renderer_callbacks *);
   void (*cleanup)(void *);
   void (*reset)(void);
   int (*context_create)(uint32_t, uint32_t, const char *);
   int (*context_create_with_flags)(uint32_t, uint32_t, uint32_t, const char *);
   void (*context_destroy)(uint32_t);
   int (*create_fence)(int, uint32_t);
   int (*submit_cmd)(void *, int, int);
   int (*context_create_fence)(uint32_t, uint32_t, uint32_t, uint64_t);
   int (*create_blob)(const struct virgl_renderer_resource_create_blob_args *);
   int (*get_info)(int, struct virgl_renderer_resource_info *);
   int (*map)(uint32_t, void **, uint64_t *);
   int (*unmap)(uint32_t);
   int (*get_map_info)(uint32_t, uint32_t *);
   void (*unref)(uint32_t);
   void (*ctx_attach)(int, int);
   void (*ctx_detach)(int, int);
   int (*export_blob)(uint32_t, uint32_t *, int *);
} V;

static bool in_process;

#define RESOLVE(field, name)                                                                       \
   do {                                                                                            \
      *(void **)&V.field = dlsym(V.dl, name);                                                      \
      assert_non_null(V.field);                                                                    \
   } while (0)

static void
load_library(const char *path)
{
   V.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
   if (!V.dl)
      fail_msg("dlopen %s: %s", path, dlerror());
   RESOLVE(set_debug_callback, "virgl_set_debug_callback");
   RESOLVE(execute, "virgl_renderer_execute");
   RESOLVE(import_blob, "virgl_renderer_resource_import_blob");
   RESOLVE(export_fence, "virgl_renderer_export_fence");
   RESOLVE(init, "virgl_renderer_init");
   RESOLVE(cleanup, "virgl_renderer_cleanup");
   RESOLVE(reset, "virgl_renderer_reset");
   RESOLVE(context_create, "virgl_renderer_context_create");
   RESOLVE(context_create_with_flags, "virgl_renderer_context_create_with_flags");
   RESOLVE(context_destroy, "virgl_renderer_context_destroy");
   RESOLVE(create_fence, "virgl_renderer_create_fence");
   RESOLVE(submit_cmd, "virgl_renderer_submit_cmd");
   RESOLVE(context_create_fence, "virgl_renderer_context_create_fence");
   RESOLVE(create_blob, "virgl_renderer_resource_create_blob");
   RESOLVE(get_info, "virgl_renderer_resource_get_info");
   RESOLVE(map, "virgl_renderer_resource_map");
   RESOLVE(unmap, "virgl_renderer_resource_unmap");
   RESOLVE(get_map_info, "virgl_renderer_resource_get_map_info");
   RESOLVE(unref, "virgl_renderer_resource_unref");
   RESOLVE(ctx_attach, "virgl_renderer_ctx_attach_resource");
   RESOLVE(ctx_detach, "virgl_renderer_ctx_detach_resource");
   RESOLVE(export_blob, "virgl_renderer_resource_export_blob");
}

/* ----- the debug callbacks: rutabaga's formats each line with vsnprintf into 256 bytes -------- */

#define MAX_LINES 64
static struct {
   pthread_mutex_t lock;
   char lines[MAX_LINES][256];
   unsigned n;
   _Atomic unsigned a, b; /* lines each of the two racing callbacks got */
} logs = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void
keep_line(const char *fmt, va_list ap)
{
   char line[256];
   int len = vsnprintf(line, sizeof(line), fmt, ap);
   assert_true(len > 0);
   pthread_mutex_lock(&logs.lock);
   if (logs.n < MAX_LINES)
      snprintf(logs.lines[logs.n++], sizeof(logs.lines[0]), "%s", line);
   pthread_mutex_unlock(&logs.lock);
}

static void
count_a(const char *fmt, va_list ap)
{
   char line[256];
   assert_true(vsnprintf(line, sizeof(line), fmt, ap) > 0);
   atomic_fetch_add(&logs.a, 1);
}

static void
count_b(const char *fmt, va_list ap)
{
   char line[256];
   assert_true(vsnprintf(line, sizeof(line), fmt, ap) > 0);
   atomic_fetch_add(&logs.b, 1);
}

static unsigned
lines_containing(const char *needle)
{
   unsigned hits = 0;
   pthread_mutex_lock(&logs.lock);
   for (unsigned i = 0; i < logs.n; i++)
      hits += strstr(logs.lines[i], needle) != NULL;
   pthread_mutex_unlock(&logs.lock);
   return hits;
}

/* ----- the VMM's fence callbacks (from the library's thread in this mode) ----------------------
 */

static struct {
   pthread_mutex_t lock;
   int cookie;
   uint32_t global[64];
   unsigned nglobal;
   uint64_t ctx_ids[64];
   unsigned nctx;
   int server_fd_asked;
} cb = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void
write_fence(void *cookie, uint32_t fence)
{
   assert_ptr_equal(cookie, &cb.cookie);
   pthread_mutex_lock(&cb.lock);
   if (cb.nglobal < 64)
      cb.global[cb.nglobal++] = fence;
   pthread_mutex_unlock(&cb.lock);
}

static void
write_context_fence(void *cookie, uint32_t ctx_id, uint32_t ring_idx, uint64_t fence_id)
{
   assert_ptr_equal(cookie, &cb.cookie);
   (void)ctx_id, (void)ring_idx;
   pthread_mutex_lock(&cb.lock);
   if (cb.nctx < 64)
      cb.ctx_ids[cb.nctx++] = fence_id;
   pthread_mutex_unlock(&cb.lock);
}

/* rutabaga hands over a render server socket here when RENDER_SERVER is set; libkrun starts
 * none, so it has none to give (the library asks once per init: test_virgl_abi's
 * render-server test gives one). */
static int
get_server_fd(void *cookie, uint32_t version)
{
   (void)cookie;
   assert_int_equal(version, 0);
   cb.server_fd_asked++;
   return -1;
}

static struct virgl_renderer_callbacks krun_cbs = {
   .version = 3,
   .write_fence = write_fence,
   .write_context_fence = write_context_fence,
   .get_server_fd = get_server_fd,
};

static bool
delivered(uint64_t id, bool global)
{
   pthread_mutex_lock(&cb.lock);
   bool seen = false;
   for (unsigned j = 0; global && j < cb.nglobal; j++)
      seen |= cb.global[j] == id;
   for (unsigned j = 0; !global && j < cb.nctx; j++)
      seen |= cb.ctx_ids[j] == id;
   pthread_mutex_unlock(&cb.lock);
   return seen;
}

/* Waits up to 10 s for the library's fence thread to deliver the fence. */
static bool
fence_seen(uint64_t id, bool global)
{
   for (int i = 0; i < 1000; i++) {
      if (delivered(id, global))
         return true;
      sleep_ms(10);
   }
   return false;
}

static int baseline_fds;

static void
init_krun(void)
{
   baseline_fds = count_fds();
   assert_int_equal(V.init(&cb.cookie, KRUN_FLAGS, &krun_cbs), 0);
}

static void
cleanup_krun(void)
{
   V.cleanup(&cb.cookie);
   assert_int_equal(count_fds(), baseline_fds);
   assert_true(cb.server_fd_asked > 0);
}

/* ----- virgl_set_debug_callback ------------------------------------------------------------------
 */

/* The library's lines reach the VMM's hook (as printf-style format + va_list); the previous hook
 * comes back; NULL gives the lines back to stderr. PEARVISOR_VIRGL_LOG=info (main) makes the
 * refusal of a context without context-init a line. */
static void
test_debug_callback(void **state)
{
   (void)state;
   assert_null(V.set_debug_callback(keep_line)); /* rutabaga: before init */
   init_krun();
   assert_int_not_equal(V.context_create(7, 4, "kern"), 0);
   assert_int_equal(lines_containing("pearvisor info: virgl: context 7 without context-init"), 1);
   pthread_mutex_lock(&logs.lock);
   assert_non_null(strchr(logs.lines[logs.n - 1], '\n')); /* one whole line per call */
   pthread_mutex_unlock(&logs.lock);

   assert_ptr_equal(V.set_debug_callback(count_a), keep_line);
   assert_int_not_equal(V.context_create(8, 4, "kern"), 0);
   assert_int_equal(atomic_load(&logs.a), 1);
   assert_int_equal(lines_containing("context 8"), 0);
   assert_ptr_equal(V.set_debug_callback(NULL), count_a);
   assert_int_not_equal(V.context_create(9, 4, "kern"), 0); /* to stderr */
   assert_int_equal(atomic_load(&logs.a), 1);
   assert_null(V.set_debug_callback(NULL));
   cleanup_krun();
}

static atomic_bool flipping;

static void *
flip_hooks(void *arg)
{
   (void)arg;
   for (unsigned i = 0; atomic_load(&flipping); i++)
      V.set_debug_callback(i % 2 ? count_a : count_b);
   return NULL;
}

/* The VMM replaces the hook while lines are being written: every line reaches one of the two
 * hooks, none is lost or torn. */
static void
test_debug_callback_threads(void **state)
{
   (void)state;
   init_krun();
   atomic_store(&logs.a, 0);
   atomic_store(&logs.b, 0);
   V.set_debug_callback(count_a);
   atomic_store(&flipping, true);
   pthread_t t;
   assert_int_equal(pthread_create(&t, NULL, flip_hooks, NULL), 0);
   enum { LINES = 2000 };
   for (uint32_t i = 0; i < LINES; i++)
      V.context_create(100 + i, 4, "kern");
   atomic_store(&flipping, false);
   pthread_join(t, NULL);
   assert_int_equal(atomic_load(&logs.a) + atomic_load(&logs.b), LINES);
   V.set_debug_callback(NULL);
   cleanup_krun();
}

/* ----- virgl_renderer_execute ------------------------------------------------------------------
 */

static void
test_execute_supported_structures(void **state)
{
   (void)state;
   struct virgl_renderer_supported_structures q = {
      .hdr = {VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES, 0, sizeof(q)},
      .in_stype_version = 0,
      .out_supported_structures_mask = 0xdead,
   };
   assert_int_equal(V.execute(&q, sizeof(q)), 0); /* no init needed, as virglrenderer */
   assert_int_equal(q.out_supported_structures_mask,
                    VIRGL_RENDERER_STRUCTURE_TYPE_EXPORT_QUERY |
                       VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES);
   q.in_stype_version = 1; /* no version-1 structures exist */
   assert_int_equal(V.execute(&q, sizeof(q)), 0);
   assert_int_equal(q.out_supported_structures_mask, 0);

   /* bad requests: -EINVAL, the struct untouched */
   q.out_supported_structures_mask = 0xdead;
   assert_int_equal(V.execute(&q, sizeof(q) - 1), -EINVAL);
   assert_int_equal(V.execute(&q, sizeof(q) + 4), -EINVAL);
   q.hdr.size = sizeof(q) + 4;
   assert_int_equal(V.execute(&q, sizeof(q)), -EINVAL);
   q.hdr.size = sizeof(q);
   q.hdr.stype_version = 1;
   assert_int_equal(V.execute(&q, sizeof(q)), -EINVAL);
   q.hdr.stype_version = 0;
   q.hdr.stype = 1u << 2; /* no such type */
   assert_int_equal(V.execute(&q, sizeof(q)), -EINVAL);
   q.hdr.stype = VIRGL_RENDERER_STRUCTURE_TYPE_NONE;
   assert_int_equal(V.execute(&q, sizeof(q)), -EINVAL);
   assert_int_equal(q.out_supported_structures_mask, 0xdead);
   assert_int_equal(V.execute(NULL, 64), -EINVAL);
   struct virgl_renderer_hdr tiny = {VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES, 0, 20};
   assert_int_equal(V.execute(&tiny, 8), -EINVAL); /* shorter than a header */
   assert_int_equal(V.execute(&tiny, sizeof(tiny)), -EINVAL);

   /* random requests inside a 256-byte buffer (the ASan runs see any read or write past what
    * execute_size allows): 0 only for a well-formed one */
   uint8_t buf[256];
   srand(7);
   for (int i = 0; i < 20000; i++) {
      for (size_t j = 0; j < sizeof(buf); j++)
         buf[j] = (uint8_t)rand();
      struct virgl_renderer_hdr h;
      h.stype = (uint32_t)(rand() % 2 ? 1u << (rand() % 4) : (uint32_t)rand());
      h.stype_version = (uint32_t)(rand() % 4 ? 0 : rand());
      uint32_t size = (uint32_t)(rand() % 3 ? rand() % (int)sizeof(buf) : rand() % 100);
      h.size = rand() % 2 ? size : (uint32_t)rand();
      memcpy(buf, &h, sizeof(h));
      int ret = V.execute(buf, size);
      /* no resource exists here (no init): every EXPORT_QUERY is refused */
      const bool known = h.stype_version == 0 &&
                         h.stype == VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES &&
                         size == sizeof(q) && h.size == size;
      assert_int_equal(ret, known ? 0 : -EINVAL);
   }
}

static int
export_query(uint32_t res, uint32_t export_fds, struct virgl_renderer_export_query *q)
{
   memset(q, 0x5a, sizeof(*q));
   q->hdr = (struct virgl_renderer_hdr){VIRGL_RENDERER_STRUCTURE_TYPE_EXPORT_QUERY, 0, sizeof(*q)};
   q->in_resource_id = res;
   q->in_export_fds = export_fds;
   return V.execute(q, q->hdr.size);
}

static void
assert_untyped_blob(const struct virgl_renderer_export_query *q)
{
   assert_int_equal(q->out_num_fds, 1); /* rutabaga calls a blob with 0 unsupported */
   assert_int_equal(q->out_fourcc, 0);
   assert_int_equal(q->out_fds[0], -1);
   assert_int_equal(q->out_strides[0], 0);
   assert_int_equal(q->out_offsets[0], 0);
   assert_true(q->out_modifier == PV_DRM_FORMAT_MOD_INVALID);
}

/* rutabaga's resource_create_blob: create, then EXPORT_QUERY, map info, export for mapping. */
static void
test_execute_export_query(void **state)
{
   (void)state;
   init_krun();
   assert_int_equal(V.context_create_with_flags(CTX, VIRGL_RENDERER_CAPSET_VENUS, 4, "krun"), 0);
   const struct virgl_renderer_resource_create_blob_args args = {
      .res_handle = 20,
      .ctx_id = CTX,
      .blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D,
      .blob_flags = VIRGL_RENDERER_BLOB_FLAG_USE_MAPPABLE,
      .blob_id = 0,
      .size = BLOB_SIZE};
   assert_int_equal(V.create_blob(&args), 0);
   struct virgl_renderer_export_query q;
   assert_int_equal(export_query(20, 0, &q), 0);
   assert_untyped_blob(&q);
   assert_int_equal(q.in_resource_id, 20);
   uint32_t map_info = 0;
   assert_int_equal(V.get_map_info(20, &map_info), 0);
   uint32_t fd_type = 0;
   int fd = -1;
   assert_int_equal(V.export_blob(20, &fd_type, &fd), 0);
   assert_int_equal(fd_type, VIRGL_RENDERER_BLOB_FD_TYPE_SHM);
   close(fd);

   /* asked for fds (virglrenderer: only typed GL resources give them), unknown ids, bad sizes */
   assert_int_equal(export_query(20, 1, &q), -EINVAL);
   assert_int_equal(export_query(21, 0, &q), -EINVAL);
   assert_int_equal(export_query(0, 0, &q), -EINVAL);
   export_query(20, 0, &q);
   q.hdr.size = 64;
   assert_int_equal(V.execute(&q, sizeof(q)), -EINVAL);
   q.hdr.size = sizeof(q);
   assert_int_equal(V.execute(&q, 64), -EINVAL);
   V.unref(20);
   assert_int_equal(export_query(20, 0, &q), -EINVAL); /* gone */
   V.context_destroy(CTX);
   cleanup_krun();
}

/* ----- virgl_renderer_resource_import_blob ------------------------------------------------------
 */

static int
import(uint32_t res, uint32_t blob_mem, uint32_t fd_type, int fd, uint64_t size)
{
   const struct virgl_renderer_resource_import_blob_args a = {
      .res_handle = res, .blob_mem = blob_mem, .fd_type = fd_type, .fd = fd, .size = size};
   return V.import_blob(&a);
}

/* rutabaga's import_resource for a cross-domain resource, then the context attaches it. */
static void
test_import_blob(void **state)
{
   (void)state;
   int fd = memfd_with(BLOB_SIZE, 0x42);
   assert_int_equal(
      import(30, VIRGL_RENDERER_BLOB_MEM_HOST3D, VIRGL_RENDERER_BLOB_FD_TYPE_SHM, fd, BLOB_SIZE),
      -EINVAL); /* before init */
   init_krun();
   assert_int_equal(V.context_create_with_flags(CTX, VIRGL_RENDERER_CAPSET_VENUS, 4, "krun"), 0);
   assert_int_equal(
      import(30, VIRGL_RENDERER_BLOB_MEM_HOST3D, VIRGL_RENDERER_BLOB_FD_TYPE_SHM, fd, BLOB_SIZE),
      0);
   V.ctx_attach((int)CTX, 30); /* accepted; the Venus context cannot import it (VIRGL.md) */

   /* mapped in the VMM's process: the same pages as the fd */
   uint8_t *p = NULL;
   uint64_t size = 0;
   assert_int_equal(V.map(30, (void **)&p, &size), 0);
   assert_int_equal(size, BLOB_SIZE);
   assert_int_equal(p[BLOB_SIZE - 1], 0x42);
   p[0] = 0x17;
   uint32_t fd_type = 0;
   int copy = -1;
   assert_int_equal(V.export_blob(30, &fd_type, &copy), 0);
   assert_int_equal(fd_type, VIRGL_RENDERER_BLOB_FD_TYPE_SHM);
   uint8_t *again = mmap(NULL, BLOB_SIZE, PROT_READ, MAP_SHARED, copy, 0);
   assert_true(again != MAP_FAILED);
   assert_int_equal(again[0], 0x17);
   munmap(again, BLOB_SIZE);
   close(copy);
   uint32_t map_info = 0;
   assert_int_equal(V.get_map_info(30, &map_info), -EINVAL); /* unknown caching, as there */
   struct virgl_renderer_resource_info info;
   assert_int_equal(V.get_info(30, &info), 0);
   assert_int_equal(info.fd, -1); /* not a dma-buf */
   struct virgl_renderer_export_query q;
   assert_int_equal(export_query(30, 0, &q), 0);
   assert_untyped_blob(&q);

   /* the id is taken now: a second import is refused and the caller keeps that fd (rutabaga
    * closes it and attaches anyway) */
   int other = memfd_with(BLOB_SIZE, 1);
   assert_int_equal(
      import(30, VIRGL_RENDERER_BLOB_MEM_HOST3D, VIRGL_RENDERER_BLOB_FD_TYPE_SHM, other, BLOB_SIZE),
      -EINVAL);
   assert_true(fd_open(other));
   V.ctx_attach((int)CTX, 30);
   V.ctx_detach((int)CTX, 30);

   /* the library owns the imported fd: unref closes it (nothing else opens fds meanwhile) */
   assert_int_equal(V.unmap(30), 0);
   V.unref(30);
   assert_false(fd_open(fd));
   baseline_fds--; /* it was open when init_krun counted */

   /* a dma-buf import (GUEST_VRAM as well) is exported as one; the type is the caller's word */
   assert_int_equal(import(31, VIRGL_RENDERER_BLOB_MEM_GUEST_VRAM,
                           VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF, other, BLOB_SIZE),
                    0);
   assert_int_equal(V.export_blob(31, &fd_type, &copy), 0);
   assert_int_equal(fd_type, VIRGL_RENDERER_BLOB_FD_TYPE_DMABUF);
   close(copy);
   assert_int_equal(V.get_info(31, &info), 0);
   assert_int_equal(info.fd, other); /* QEMU-style scanout would use it; it stays ours */
   V.context_destroy(CTX);           /* an import belongs to no context: it outlives this one */
   assert_int_equal(V.map(31, (void **)&p, &size), 0);
   assert_int_equal(p[7], 1);
   V.reset(); /* ... and goes with a reset */
   assert_false(fd_open(other));
   assert_int_not_equal(V.get_info(31, &info), 0);
   cleanup_krun();
}

/* Every refusal leaves the fd with the caller and no resource behind. */
static void
test_import_blob_refused(void **state)
{
   (void)state;
   init_krun();
   int fd = memfd_with(BLOB_SIZE, 0);
   int sv[2];
   assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
   const uint32_t H = VIRGL_RENDERER_BLOB_MEM_HOST3D, SHM = VIRGL_RENDERER_BLOB_FD_TYPE_SHM;
   assert_int_equal(V.import_blob(NULL), -EINVAL);
   assert_int_equal(import(0, H, SHM, fd, BLOB_SIZE), -EINVAL); /* id 0 */
   assert_int_equal(import(40, VIRGL_RENDERER_BLOB_MEM_GUEST, SHM, fd, BLOB_SIZE), -EINVAL);
   assert_int_equal(import(40, VIRGL_RENDERER_BLOB_MEM_HOST3D_GUEST, SHM, fd, BLOB_SIZE), -EINVAL);
   assert_int_equal(import(40, 99, SHM, fd, BLOB_SIZE), -EINVAL);
   /* an opaque fd only its Vulkan driver can use: none lives in this process */
   assert_int_equal(import(40, H, VIRGL_RENDERER_BLOB_FD_TYPE_OPAQUE, fd, BLOB_SIZE), -EINVAL);
   assert_int_equal(import(40, H, 0, fd, BLOB_SIZE), -EINVAL);
   assert_int_equal(import(40, H, 7, fd, BLOB_SIZE), -EINVAL);
   assert_int_equal(import(40, H, SHM, -1, BLOB_SIZE), -EINVAL);
   assert_int_equal(import(40, H, SHM, 100000, BLOB_SIZE), -EINVAL); /* not open */
   assert_int_equal(import(40, H, SHM, fd, 0), -EINVAL);
   assert_int_equal(import(40, H, SHM, fd, BLOB_SIZE + 1), -EINVAL); /* past its end: SIGBUS */
   assert_int_equal(import(40, H, SHM, fd, UINT64_MAX), -EINVAL);
   assert_int_equal(import(40, H, SHM, sv[0], 4096), -EINVAL); /* no memory behind it */
   assert_true(fd_open(fd));
   assert_true(fd_open(sv[0]));
   struct virgl_renderer_resource_info info;
   assert_int_not_equal(V.get_info(40, &info), 0);
   void *p = NULL;
   assert_int_equal(V.map(40, &p, NULL), -EINVAL);
   close(sv[0]);
   close(sv[1]);
   /* a smaller size than the fd is fine: only that much is mapped */
   assert_int_equal(import(40, H, SHM, fd, 4096), 0);
   uint64_t size = 0;
   assert_int_equal(V.map(40, &p, &size), 0);
   assert_int_equal(size, 4096);
   cleanup_krun(); /* unmaps, closes fd */
   assert_false(fd_open(fd));
}

/* ----- virgl_renderer_export_fence -------------------------------------------------------------
 */

/* A signalled fence: a sync file the kernel says is signalled, or -EINVAL where this host has
 * no source of one (this test then checks that it really has none). */
static void
clear_lines(void)
{
   pthread_mutex_lock(&logs.lock);
   logs.n = 0;
   pthread_mutex_unlock(&logs.lock);
}

/* A refused export, for the reason the library's line gives (through the debug hook): pending
 * and unknown fences must be told apart from signalled ones even where no sync file exists. */
static void
expect_refused(uint64_t id, const char *why)
{
   clear_lines();
   int fd = 12345;
   assert_int_equal(V.export_fence(id, &fd), -EINVAL);
   assert_int_equal(fd, -1);
   char line[128];
   snprintf(line, sizeof(line), "fence %llu %s", (unsigned long long)id, why);
   if (lines_containing(line) != 1)
      fail_msg("no line \"%s\"", line);
}

static void
check_signalled_export(uint64_t id)
{
   clear_lines();
   int fd = 12345;
   int ret = V.export_fence(id, &fd);
   if (ret == -EINVAL) {
      assert_int_equal(fd, -1);
      char line[128];
      snprintf(line, sizeof(line), "fence %llu is not exported", (unsigned long long)id);
      assert_int_equal(lines_containing(line), 1);
      assert_false(host_has_sync_file_source());
      print_message("no render node or DMA-BUF heap here: signalled fence %llu refused\n",
                    (unsigned long long)id);
      return;
   }
   assert_int_equal(ret, 0);
   assert_true(fd >= 0);
   struct sync_file_info info = {0};
   assert_int_equal(ioctl(fd, SYNC_IOC_FILE_INFO, &info), 0);
   assert_int_equal(info.status, 1); /* signalled */
   struct pollfd p = {.fd = fd, .events = POLLIN};
   assert_int_equal(poll(&p, 1, 0), 1);
   close(fd);
}

/* The context's worker: the oldest (the spare, if any, came after it). */
static int
find_worker(void)
{
   pid_t oldest, newest;
   return children_of(getpid(), "(pearvisor-virg", &oldest, &newest) > 0 ? oldest : -1;
}

static void
test_export_fence(void **state)
{
   (void)state;
   int fd = 7;
   assert_int_equal(V.export_fence(1, &fd), -EINVAL); /* before init */
   V.set_debug_callback(keep_line);
   init_krun();
   assert_int_equal(V.export_fence(1, NULL), -EINVAL);
   expect_refused(1, "is unknown"); /* never created */
   assert_int_equal(V.context_create_with_flags(CTX, VIRGL_RENDERER_CAPSET_VENUS, 4, "krun"), 0);

   /* a global fence with nothing before it retires at once */
   assert_int_equal(V.create_fence(5, 0), 0);
   assert_true(fence_seen(5, true));
   check_signalled_export(5);
   check_signalled_export(4);       /* below a retired id and not pending: signalled too */
   expect_refused(6, "is unknown"); /* not created yet */

   /* a context fence on ring 0 */
   assert_int_equal(V.context_create_fence(CTX, 0, 0, 10), 0);
   assert_true(fence_seen(10, false));
   check_signalled_export(10);

   if (!in_process) {
      /* the worker stopped: its next fence stays pending and cannot be exported */
      int worker = find_worker();
      assert_true(worker > 0);
      assert_int_equal(kill(worker, SIGSTOP), 0);
      assert_int_equal(V.context_create_fence(CTX, 0, 0, 11), 0);
      sleep_ms(100);
      expect_refused(11, "is not signalled yet");
      assert_false(delivered(11, false));
      /* a global fence behind a submission to it waits too, even with an id below a retired
       * one: pending wins */
      uint32_t nothing = 0;
      assert_int_equal(V.submit_cmd(&nothing, (int)CTX, 0), 0);
      assert_int_equal(V.create_fence(3, 0), 0);
      expect_refused(3, "is not signalled yet");
      assert_int_equal(kill(worker, SIGCONT), 0);
      assert_true(fence_seen(11, false));
      assert_true(fence_seen(3, true));
      check_signalled_export(11);
      check_signalled_export(3);
   }

   /* a reset forgets every fence */
   V.context_destroy(CTX);
   V.reset();
   assert_int_equal(V.init(&cb.cookie, KRUN_FLAGS, &krun_cbs), 0);
   expect_refused(5, "is unknown");
   expect_refused(UINT64_MAX, "is unknown");
   V.set_debug_callback(NULL);
   cleanup_krun();
}

int
main(int argc, char **argv)
{
   if (argc < 2) {
      fprintf(stderr, "usage: %s path/to/libvirglrenderer.so.1\n", argv[0]);
      return 2;
   }
   /* read by the library at its first call: info lines make the debug hook testable */
   setenv("PEARVISOR_VIRGL_LOG", "info", 1);
   const char *ip = getenv("PEARVISOR_VIRGL_INPROCESS");
   in_process = ip && strcmp(ip, "0") != 0;
   load_library(argv[1]);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_debug_callback),
      cmocka_unit_test(test_debug_callback_threads),
      cmocka_unit_test(test_execute_supported_structures),
      cmocka_unit_test(test_execute_export_query),
      cmocka_unit_test(test_import_blob),
      cmocka_unit_test(test_import_blob_refused),
      cmocka_unit_test(test_export_fence),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
