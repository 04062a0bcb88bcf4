/* SPDX-License-Identifier: MIT */
/*
 * The rest of virglrenderer 1.1.1's ABI, beyond what QEMU 10.0 and libkrun import
 * (tests/virgl/virglrenderer-1.1.1-exports.txt), called through dlopen the way the VMMs that use
 * them do:
 *  - per-context fence polling in THREAD_SYNC mode (virgl_renderer_context_get_poll_fd and
 *    virgl_renderer_context_poll: libkrun forks and QEMU forks that watch each context's fd);
 *  - virgl_set_log_callback (virglrenderer 1.1's logging hook, with the VMM's data);
 *  - virgl_renderer_submit_cmd2, virgl_renderer_export_signalled_fence,
 *    virgl_renderer_resource_set_priv/get_priv;
 *  - the GL renderer's functions, refused as virglrenderer refuses them without GL;
 *  - virglrenderer 1.3's additions: resource_map_fixed (a blob at the VMM's address), and the
 *    entry points of its vtest server (attach_fence, get_fence_fd, get_dev_fd);
 *  - a socket handed over through get_server_fd that is not PearVisor's render server (such as
 *    virglrenderer's): the library takes it and closes it, so that server ends.
 * With argv[2] "server" only the render-server group runs: as crosvm does, this process starts
 * `pearvisor-virgl-worker --socket-fd N` and hands the library the other end; then a seccomp
 * filter forbids this process execve, fork and clone (crosvm's GPU jail allows none of them;
 * threads come from clone3), so every worker must come
 * from the server: contexts work, a killed worker is the server's to reap, the server's death
 * fails new contexts without harm.
 *
 * argv[1] is the library. PEARVISOR_VIRGL_INPROCESS=1 runs the renderer in this process.
 */
/* memfd_create */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <seccomp.h>
#include <signal.h>
#include <spawn.h>
#include <linux/sync_file.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "virgl/virgl_abi.h"
#include "virgl/worker_io.h"
#include "virgl/worker_protocol.h"
#include "vmm_util.h"

#define VENUS_FLAGS (VIRGL_RENDERER_VENUS | VIRGL_RENDERER_NO_VIRGL)
#define SYNC_FLAGS (VENUS_FLAGS | VIRGL_RENDERER_THREAD_SYNC)
#define ASYNC_FLAGS (SYNC_FLAGS | VIRGL_RENDERER_ASYNC_FENCE_CB)

static struct {
   void *dl;
   int (*init)(void *, int, struct virgl_renderer_callbacks *);
   void (*cleanup)(void *);
   void (*reset)(void);
   void (*poll)(void);
   int (*get_poll_fd)(void);
   int (*context_create_with_flags)(uint32_t, uint32_t, uint32_t, const char *);
   void (*context_destroy)(uint32_t);
   int (*create_fence)(int, uint32_t);
   int (*context_create_fence)(uint32_t, uint32_t, uint32_t, uint64_t);
   int (*import_blob)(const struct virgl_renderer_resource_import_blob_args *);
   void (*unref)(uint32_t);
   /* the functions under test */
   void (*set_log_callback)(virgl_log_callback_type, void *, virgl_free_data_callback_type);
   virgl_debug_callback_type (*set_debug_callback)(virgl_debug_callback_type);
   void (*context_poll)(uint32_t);
   int (*context_get_poll_fd)(uint32_t);
   int (*submit_cmd2)(void *, int, int, uint64_t *, uint32_t);
   int (*export_signalled_fence)(void);
   void (*set_priv)(uint32_t, void *);
   void *(*get_priv)(uint32_t);
   void (*get_rect)(int, struct iovec *, unsigned int, uint32_t, int, int, int, int);
   int (*get_fd_for_texture)(uint32_t, int *);
   int (*get_fd_for_texture2)(uint32_t, int *, int *, int *);
   int (*import_eglimage)(struct virgl_renderer_resource_create_args *, void *);
   int (*map_fixed)(uint32_t, void *);
   int (*attach_fence)(int, int);
   int (*get_fence_fd)(uint64_t);
   int (*get_dev_fd)(int);
   int (*export_fence)(uint64_t, int *);
} V;

#define RESOLVE(field, name)                                                                       \
   do {                                                                                            \
      *(void **)&V.field = dlsym(V.dl, name);                                                      \
      if (!V.field)                                                                                \
         fail_msg("%s is not exported", name);                                                     \
   } while (0)

static void
load_library(const char *path)
{
   V.dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
   if (!V.dl)
      fail_msg("dlopen %s: %s", path, dlerror());
   RESOLVE(init, "virgl_renderer_init");
   RESOLVE(cleanup, "virgl_renderer_cleanup");
   RESOLVE(reset, "virgl_renderer_reset");
   RESOLVE(poll, "virgl_renderer_poll");
   RESOLVE(get_poll_fd, "virgl_renderer_get_poll_fd");
   RESOLVE(context_create_with_flags, "virgl_renderer_context_create_with_flags");
   RESOLVE(context_destroy, "virgl_renderer_context_destroy");
   RESOLVE(create_fence, "virgl_renderer_create_fence");
   RESOLVE(context_create_fence, "virgl_renderer_context_create_fence");
   RESOLVE(import_blob, "virgl_renderer_resource_import_blob");
   RESOLVE(unref, "virgl_renderer_resource_unref");
   RESOLVE(set_log_callback, "virgl_set_log_callback");
   RESOLVE(set_debug_callback, "virgl_set_debug_callback");
   RESOLVE(context_poll, "virgl_renderer_context_poll");
   RESOLVE(context_get_poll_fd, "virgl_renderer_context_get_poll_fd");
   RESOLVE(submit_cmd2, "virgl_renderer_submit_cmd2");
   RESOLVE(export_signalled_fence, "virgl_renderer_export_signalled_fence");
   RESOLVE(set_priv, "virgl_renderer_resource_set_priv");
   RESOLVE(get_priv, "virgl_renderer_resource_get_priv");
   RESOLVE(get_rect, "virgl_renderer_get_rect");
   RESOLVE(get_fd_for_texture, "virgl_renderer_get_fd_for_texture");
   RESOLVE(get_fd_for_texture2, "virgl_renderer_get_fd_for_texture2");
   RESOLVE(import_eglimage, "virgl_renderer_resource_import_eglimage");
   RESOLVE(map_fixed, "virgl_renderer_resource_map_fixed");
   RESOLVE(attach_fence, "virgl_renderer_attach_fence");
   RESOLVE(get_fence_fd, "virgl_renderer_get_fence_fd");
   RESOLVE(get_dev_fd, "virgl_renderer_get_dev_fd");
   RESOLVE(export_fence, "virgl_renderer_export_fence");
}

/* ----- the VMM's fence callbacks ---------------------------------------------------------------
 */

struct delivered {
   uint32_t ctx_id;
   uint64_t fence_id;
};

static struct {
   pthread_mutex_t lock;
   int cookie;
   struct delivered ctx[64];
   unsigned nctx;
   uint32_t global[64];
   unsigned nglobal;
   int server_fd; /* what get_server_fd hands over (-1: none) */
   unsigned server_fd_asked;
} cb = {.lock = PTHREAD_MUTEX_INITIALIZER, .server_fd = -1};

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
   assert_int_equal(ring_idx, 0);
   pthread_mutex_lock(&cb.lock);
   if (cb.nctx < 64)
      cb.ctx[cb.nctx++] = (struct delivered){ctx_id, fence_id};
   pthread_mutex_unlock(&cb.lock);
}

static int
get_server_fd(void *cookie, uint32_t version)
{
   assert_ptr_equal(cookie, &cb.cookie);
   assert_int_equal(version, 0);
   cb.server_fd_asked++;
   int fd = cb.server_fd;
   cb.server_fd = -1; /* the library's from now on */
   return fd;
}

static struct virgl_renderer_callbacks cbs = {
   .version = 3,
   .write_fence = write_fence,
   .write_context_fence = write_context_fence,
   .get_server_fd = get_server_fd,
};

static void
forget_delivered(void)
{
   pthread_mutex_lock(&cb.lock);
   cb.nctx = cb.nglobal = 0;
   pthread_mutex_unlock(&cb.lock);
}

static unsigned
ctx_delivered(uint32_t ctx_id, uint64_t fence_id)
{
   unsigned n = 0;
   pthread_mutex_lock(&cb.lock);
   for (unsigned i = 0; i < cb.nctx; i++)
      n += cb.ctx[i].ctx_id == ctx_id && cb.ctx[i].fence_id == fence_id;
   pthread_mutex_unlock(&cb.lock);
   return n;
}

static unsigned
ctx_delivered_total(void)
{
   pthread_mutex_lock(&cb.lock);
   unsigned n = cb.nctx;
   pthread_mutex_unlock(&cb.lock);
   return n;
}

static bool
readable(int fd, int timeout_ms)
{
   struct pollfd p = {.fd = fd, .events = POLLIN};
   return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static int baseline_fds;

static void
init_with(int flags)
{
   baseline_fds = count_fds();
   forget_delivered();
   assert_int_equal(V.init(&cb.cookie, flags, &cbs), 0);
}

static void
cleanup_all(void)
{
   V.cleanup(&cb.cookie);
   assert_int_equal(count_fds(), baseline_fds);
}

/* ----- per-context polling ---------------------------------------------------------------------
 */

/* THREAD_SYNC without ASYNC_FENCE_CB: each context has an fd of its own that turns readable when
 * one of its fences retires, and context_poll delivers that context's fences and no other's. */
static void
test_context_poll_fd(void **state)
{
   (void)state;
   init_with(SYNC_FLAGS);
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 1, "a"), 0);
   assert_int_equal(V.context_create_with_flags(4, VIRGL_RENDERER_CAPSET_VENUS, 1, "b"), 0);
   int fd3 = V.context_get_poll_fd(3), fd4 = V.context_get_poll_fd(4);
   assert_true(fd3 >= 0);
   assert_true(fd4 >= 0);
   assert_int_not_equal(fd3, fd4);
   assert_int_not_equal(fd3, V.get_poll_fd());
   assert_int_equal(V.context_get_poll_fd(5), -1); /* no such context */
   assert_false(readable(fd3, 0));

   assert_int_equal(V.context_create_fence(3, VIRGL_RENDERER_FENCE_FLAG_MERGEABLE, 0, 10), 0);
   assert_true(readable(fd3, 10000));
   assert_false(readable(fd4, 0));
   V.context_poll(4); /* nothing of 4's: nothing delivered */
   assert_int_equal(ctx_delivered_total(), 0);
   V.context_poll(3);
   assert_int_equal(ctx_delivered(3, 10), 1);
   assert_false(readable(fd3, 0)); /* drained */

   /* both retire; each poll takes its own context's only */
   assert_int_equal(V.context_create_fence(3, 0, 0, 11), 0);
   assert_int_equal(V.context_create_fence(4, 0, 0, 20), 0);
   assert_true(readable(fd3, 10000));
   assert_true(readable(fd4, 10000));
   V.context_poll(4);
   assert_int_equal(ctx_delivered(4, 20), 1);
   assert_int_equal(ctx_delivered(3, 11), 0);
   V.context_poll(3);
   assert_int_equal(ctx_delivered(3, 11), 1);
   assert_int_equal(ctx_delivered_total(), 3);

   /* the global poll still delivers every context's, and empties their fds */
   assert_int_equal(V.context_create_fence(3, 0, 0, 12), 0);
   assert_true(readable(fd3, 10000));
   V.poll();
   assert_int_equal(ctx_delivered(3, 12), 1);
   assert_false(readable(fd3, 0));
   V.context_poll(3); /* nothing left: nothing twice */
   assert_int_equal(ctx_delivered(3, 12), 1);

   /* a global fence is the global poll's, not a context's */
   assert_int_equal(V.create_fence(7, 0), 0);
   assert_true(readable(V.get_poll_fd(), 10000));
   V.context_poll(3);
   V.context_poll(4);
   pthread_mutex_lock(&cb.lock);
   assert_int_equal(cb.nglobal, 0);
   pthread_mutex_unlock(&cb.lock);
   V.poll();
   pthread_mutex_lock(&cb.lock);
   assert_int_equal(cb.nglobal, 1);
   assert_int_equal(cb.global[0], 7);
   pthread_mutex_unlock(&cb.lock);

   /* a destroyed context's fd goes with it (cleanup_all counts the fds) */
   V.context_destroy(3);
   assert_int_equal(V.context_get_poll_fd(3), -1);
   V.context_poll(3); /* unknown now: nothing */
   assert_true(V.context_get_poll_fd(4) >= 0);
   cleanup_all();
}

/* Without THREAD_SYNC (QEMU's mode) a context has no fd, but context_poll still delivers its
 * fences; with ASYNC_FENCE_CB our thread delivers them and context_poll has nothing to do. */
static void
test_context_poll_other_modes(void **state)
{
   (void)state;
   init_with(VENUS_FLAGS);
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 1, "a"), 0);
   assert_int_equal(V.context_get_poll_fd(3), -1);
   assert_int_equal(V.context_create_fence(3, 0, 0, 30), 0);
   for (int i = 0; i < 1000 && !ctx_delivered(3, 30); i++) {
      sleep_ms(10);
      V.context_poll(3);
   }
   assert_int_equal(ctx_delivered(3, 30), 1);
   cleanup_all();

   init_with(ASYNC_FLAGS);
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 1, "a"), 0);
   assert_int_equal(V.context_get_poll_fd(3), -1);
   assert_int_equal(V.context_create_fence(3, 0, 0, 31), 0);
   V.context_poll(3);
   for (int i = 0; i < 1000 && !ctx_delivered(3, 31); i++)
      sleep_ms(10);
   assert_int_equal(ctx_delivered(3, 31), 1);
   cleanup_all();
}

/* ----- virgl_set_log_callback ------------------------------------------------------------------
 */

#define MAX_LINES 32
static struct {
   pthread_mutex_t lock;
   char lines[MAX_LINES][256];
   enum virgl_log_level_flags levels[MAX_LINES];
   unsigned n;
   int data_a, data_b;
   unsigned freed_a, freed_b;
} logs = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void
keep_log(enum virgl_log_level_flags level, const char *message, void *user_data)
{
   assert_ptr_equal(user_data, &logs.data_a);
   pthread_mutex_lock(&logs.lock);
   if (logs.n < MAX_LINES) {
      snprintf(logs.lines[logs.n], sizeof(logs.lines[0]), "%s", message);
      logs.levels[logs.n++] = level;
   }
   pthread_mutex_unlock(&logs.lock);
}

static void
free_data(void *user_data)
{
   if (user_data == &logs.data_a)
      logs.freed_a++;
   else if (user_data == &logs.data_b)
      logs.freed_b++;
   else
      fail_msg("free_data called with %p", user_data);
}

/* The index of the first line containing `needle`, or -1. */
static int
find_line(const char *needle)
{
   int at = -1;
   pthread_mutex_lock(&logs.lock);
   for (unsigned i = 0; i < logs.n && at < 0; i++)
      if (strstr(logs.lines[i], needle))
         at = (int)i;
   pthread_mutex_unlock(&logs.lock);
   return at;
}

static unsigned debug_lines;

static void
count_debug(const char *fmt, va_list ap)
{
   char line[256];
   assert_true(vsnprintf(line, sizeof(line), fmt, ap) > 0);
   debug_lines++;
}

/* Lines reach the hook with virglrenderer's levels, whole and newline-terminated, with the
 * VMM's data; replacing the hook frees the old data exactly once, whichever setter replaces it. */
static void
test_log_callback(void **state)
{
   (void)state;
   V.set_log_callback(keep_log, &logs.data_a, free_data);
   /* without VIRGL_RENDERER_VENUS: a warning; a context without context-init: an info line */
   init_with(VIRGL_RENDERER_NO_VIRGL);
   int warn = find_line("init without VIRGL_RENDERER_VENUS");
   assert_true(warn >= 0);
   assert_int_equal(logs.levels[warn], VIRGL_LOG_LEVEL_WARNING);
   assert_int_not_equal(V.context_create_with_flags(9, 2, 1, "g"), 0); /* capset 2: GL */
   int info = find_line("context 9 asks for capset 2");
   assert_true(info >= 0);
   assert_int_equal(logs.levels[info], VIRGL_LOG_LEVEL_INFO);
   const char *line = logs.lines[info];
   assert_int_equal(strncmp(line, "pearvisor: ", 11), 0);
   assert_int_equal(line[strlen(line) - 1], '\n');
   assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1); /* one line */
   assert_int_equal(logs.freed_a, 0);

   /* replaced by another log hook: the first data is freed, once */
   V.set_log_callback(keep_log, &logs.data_a, free_data);
   assert_int_equal(logs.freed_a, 1);
   /* replaced by the debug hook: freed again (the second registration's), lines go there */
   assert_null(V.set_debug_callback(count_debug));
   assert_int_equal(logs.freed_a, 2);
   unsigned before = logs.n;
   assert_int_not_equal(V.context_create_with_flags(10, 2, 1, "g"), 0);
   assert_int_equal(debug_lines, 1);
   assert_int_equal(logs.n, before);
   /* a log hook replaces the debug hook; the debug setter then says none was set */
   V.set_log_callback(keep_log, &logs.data_b, free_data);
   assert_null(V.set_debug_callback(NULL));
   assert_int_equal(logs.freed_b, 1);
   /* NULL silences the library, as in virglrenderer: nothing reaches any hook */
   V.set_log_callback(NULL, NULL, NULL);
   assert_int_not_equal(V.context_create_with_flags(11, 2, 1, "g"), 0);
   assert_int_equal(debug_lines, 1);
   assert_int_equal(logs.n, before);
   V.set_debug_callback(NULL); /* back to stderr */
   cleanup_all();
}

/* ----- submit_cmd2, export_signalled_fence, priv ------------------------------------------------
 */

/* No in-fences: submit_cmd's answers. In-fences: -EINVAL, as virglrenderer for Venus contexts. */
static void
test_submit_cmd2(void **state)
{
   (void)state;
   init_with(SYNC_FLAGS);
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 1, "a"), 0);
   uint32_t words[2] = {0, 0};
   uint64_t in[1] = {1};
   assert_int_equal(V.submit_cmd2(words, 3, 0, NULL, 0), 0);
   assert_int_equal(V.submit_cmd2(words, 3, 0, in, 1), -EINVAL);
   assert_int_equal(V.submit_cmd2(words, 8, 0, NULL, 0), EINVAL); /* no such context */
   assert_int_equal(V.submit_cmd2(words, 3, -1, NULL, 0), EINVAL);
   assert_int_equal(V.submit_cmd2((char *)words + 1, 3, 1, NULL, 0), EFAULT);
   /* the context still works: a fence after them retires */
   assert_int_equal(V.context_create_fence(3, 0, 0, 40), 0);
   assert_true(readable(V.context_get_poll_fd(3), 10000));
   V.context_poll(3);
   assert_int_equal(ctx_delivered(3, 40), 1);
   cleanup_all();
}

static void
test_export_signalled_fence(void **state)
{
   (void)state;
   assert_int_equal(V.export_signalled_fence(), -1); /* before init */
   init_with(SYNC_FLAGS);
   int fd = V.export_signalled_fence();
   if (!host_has_sync_file_source()) {
      assert_int_equal(fd, -1);
      print_message("no render node or DMA-BUF heap here: no signalled sync file\n");
   } else {
      assert_true(fd >= 0);
      struct sync_file_info info = {0};
      assert_int_equal(ioctl(fd, SYNC_IOC_FILE_INFO, &info), 0);
      assert_int_equal(info.status, 1); /* signalled */
      assert_true(readable(fd, 0));
      close(fd);
   }
   cleanup_all();
}

static int
import_shm(uint32_t res, int fd, uint64_t size)
{
   const struct virgl_renderer_resource_import_blob_args a = {
      .res_handle = res,
      .blob_mem = VIRGL_RENDERER_BLOB_MEM_HOST3D,
      .fd_type = VIRGL_RENDERER_BLOB_FD_TYPE_SHM,
      .fd = fd,
      .size = size};
   return V.import_blob(&a);
}

/* The VMM's pointer stays with its resource until the resource goes (unref or reset). */
static void
test_resource_priv(void **state)
{
   (void)state;
   init_with(SYNC_FLAGS);
   int marker;
   V.set_priv(50, &marker); /* no such resource: nothing kept */
   assert_null(V.get_priv(50));
   assert_int_equal(import_shm(50, memfd_with(4096, 1), 4096), 0);
   assert_int_equal(import_shm(51, memfd_with(4096, 2), 4096), 0);
   assert_null(V.get_priv(50));
   V.set_priv(50, &marker);
   V.set_priv(51, &baseline_fds);
   assert_ptr_equal(V.get_priv(50), &marker);
   assert_ptr_equal(V.get_priv(51), &baseline_fds);
   V.unref(50);
   assert_null(V.get_priv(50));
   assert_int_equal(import_shm(50, memfd_with(4096, 3), 4096), 0); /* the id again: a new one */
   assert_null(V.get_priv(50));
   V.reset();
   assert_null(V.get_priv(51));
   assert_int_equal(V.init(&cb.cookie, SYNC_FLAGS, &cbs), 0);
   cleanup_all();
}

/* ----- virglrenderer 1.3's additions ------------------------------------------------------------
 */

/* A blob mapped where the VMM says, over what was there; the mapping is the VMM's: it outlives
 * the resource and shares the blob's pages. */
static void
test_map_fixed(void **state)
{
   (void)state;
   init_with(SYNC_FLAGS);
   const size_t page = (size_t)sysconf(_SC_PAGESIZE), size = 16 * page;
   int fd = memfd_with(size, 0x42);
   int mine = fcntl(fd, F_DUPFD_CLOEXEC, 0); /* to see the blob's pages after the import */
   assert_int_equal(import_shm(80, fd, size), 0);
   /* the VMM's window: reserved, inaccessible, one page more on each side */
   uint8_t *window = mmap(NULL, size + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
   assert_true(window != MAP_FAILED);
   assert_int_equal(V.map_fixed(81, window + page), -EINVAL); /* no such resource */
   assert_int_equal(V.map_fixed(80, NULL), -EINVAL);
   assert_int_equal(V.map_fixed(80, window + page + 1), -EINVAL); /* not page-aligned */
   assert_int_equal(V.map_fixed(80, window + page), 0);
   uint8_t *at = window + page;
   assert_int_equal(at[0], 0x42);
   assert_int_equal(at[size - 1], 0x42);
   at[5] = 7;
   uint8_t *check = mmap(NULL, size, PROT_READ, MAP_SHARED, mine, 0);
   assert_true(check != MAP_FAILED);
   assert_int_equal(check[5], 7); /* the blob's own pages */
   V.unref(80);
   at[6] = 8; /* still mapped: the VMM's */
   assert_int_equal(check[6], 8);
   munmap(check, size);
   munmap(window, size + 2 * page);
   close(mine);
   cleanup_all();
}

/* The vtest server's entry points: a Venus context takes no in-fence fd (consumed, refused), has
 * no DRM device, and a fence's fd is export_fence's. */
static void
test_vtest_entry_points(void **state)
{
   (void)state;
   init_with(SYNC_FLAGS);
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 1, "a"), 0);
   int p[2];
   assert_int_equal(pipe(p), 0);
   assert_int_equal(V.attach_fence(9, p[1]), EINVAL); /* no such context: still ours */
   assert_true(fd_open(p[1]));
   assert_int_equal(V.attach_fence(3, p[1]), -EINVAL);
   char c;
   assert_int_equal(read(p[0], &c, 1), 0); /* the write end was closed by the library */
   close(p[0]);
   assert_int_equal(V.get_dev_fd(3), -ENODEV);
   assert_int_equal(V.get_dev_fd(9), -EINVAL);
   assert_int_equal(V.get_fence_fd(90), -1); /* never created */
   assert_int_equal(V.context_create_fence(3, 0, 0, 90), 0);
   assert_true(readable(V.context_get_poll_fd(3), 10000));
   V.context_poll(3);
   int exported = -1;
   int ret = V.export_fence(90, &exported);
   int fd = V.get_fence_fd(90);
   if (ret == 0) {
      assert_true(fd >= 0);
      assert_true(readable(fd, 0)); /* signalled */
      close(fd);
      close(exported);
   } else {
      assert_false(host_has_sync_file_source());
      assert_int_equal(fd, -1);
   }
   cleanup_all();
}

/* ----- the render server itself, with bad requests
 * ------------------------------------------------
 */

static pid_t server_pid;
static int second_server_fd = -1;
static pid_t second_server_pid;
static int start_render_server(const char *library);
static const char *library_path;

static struct pvs_reply
ask(int fd, const void *req, size_t size)
{
   assert_int_equal(send(fd, req, size, 0), (ssize_t)size);
   struct pvs_reply r;
   struct pollfd p = {.fd = fd, .events = POLLIN};
   assert_int_equal(poll(&p, 1, 10000), 1);
   assert_int_equal(recv(fd, &r, sizeof(r), 0), (ssize_t)sizeof(r));
   return r;
}

/* A reply with the socket it carries (PVS_NEW_WORKER). */
static struct pvs_reply
recv_reply_with_fd(int fd, int *passed)
{
   struct pvs_reply r;
   union pvw_fd_control control;
   struct iovec iov = {&r, sizeof(r)};
   struct msghdr msg = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof(control.buf)};
   struct pollfd p = {.fd = fd, .events = POLLIN};
   assert_int_equal(poll(&p, 1, 10000), 1);
   assert_int_equal(recvmsg(fd, &msg, MSG_CMSG_CLOEXEC), (ssize_t)sizeof(r));
   struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
   assert_non_null(c);
   assert_int_equal(c->cmsg_type, SCM_RIGHTS);
   memcpy(passed, CMSG_DATA(c), sizeof(int));
   return r;
}

/* Nothing a request can hold makes the server misbehave: malformed packets are ignored, an
 * unknown op refused, a kill only reaches its own workers (not this process), and it ends when
 * its VMM end closes. */
static void
test_server_bad_requests(void **state)
{
   (void)state;
   int fd = start_render_server(library_path);
   uint8_t junk[64];
   memset(junk, 0x5a, sizeof(junk));
   assert_int_equal(send(fd, junk, 3, 0), 3);             /* short */
   assert_int_equal(send(fd, junk, sizeof(junk), 0), 64); /* long */
   struct pvs_request req = {.magic = 0x12345678, .op = PVS_HELLO, .seq = 1};
   assert_int_equal(send(fd, &req, sizeof(req), 0), (ssize_t)sizeof(req)); /* bad magic */
   req = (struct pvs_request){.magic = PVS_MAGIC, .op = PVS_KILL_WORKER, .worker = getpid()};
   assert_int_equal(send(fd, &req, sizeof(req), 0), (ssize_t)sizeof(req));
   req.worker = -1;
   assert_int_equal(send(fd, &req, sizeof(req), 0), (ssize_t)sizeof(req));
   req = (struct pvs_request){.magic = PVS_MAGIC, .op = 99, .seq = 7};
   struct pvs_reply r = ask(fd, &req, sizeof(req)); /* the first answer: nothing before */
   assert_int_equal(r.op, 99);
   assert_int_equal(r.seq, 7);
   assert_int_equal(r.result, -EINVAL);
   req = (struct pvs_request){.magic = PVS_MAGIC, .op = PVS_HELLO, .seq = 8};
   r = ask(fd, &req, sizeof(req));
   assert_int_equal(r.magic, PVS_MAGIC);
   assert_int_equal(r.seq, 8);
   assert_int_equal(r.result, 0);
   /* how a worker ended: unknown for a pid not its own, running, killed (once), then forgotten */
   req = (struct pvs_request){.magic = PVS_MAGIC, .op = PVS_WORKER_STATUS, .seq = 9};
   for (int i = 0; i < 3; i++) {
      req.worker = i == 0 ? getpid() : i == 1 ? -1 : INT64_MAX;
      assert_int_equal(ask(fd, &req, sizeof(req)).result, -ESRCH);
   }
   req = (struct pvs_request){.magic = PVS_MAGIC, .op = PVS_NEW_WORKER, .seq = 10};
   assert_int_equal(send(fd, &req, sizeof(req), 0), (ssize_t)sizeof(req));
   int worker_sock = -1;
   r = recv_reply_with_fd(fd, &worker_sock);
   assert_int_equal(r.result, 0);
   assert_true(r.worker > 0 && worker_sock >= 0);
   const int64_t worker = r.worker;
   req = (struct pvs_request){
      .magic = PVS_MAGIC, .op = PVS_WORKER_STATUS, .seq = 11, .worker = worker};
   assert_int_equal(ask(fd, &req, sizeof(req)).result, -EAGAIN);
   req.op = PVS_KILL_WORKER;
   assert_int_equal(send(fd, &req, sizeof(req), 0), (ssize_t)sizeof(req));
   req.op = PVS_WORKER_STATUS;
   r.result = -EAGAIN;
   for (int i = 0; i < 500 && r.result == -EAGAIN; i++) {
      r = ask(fd, &req, sizeof(req));
      if (r.result == -EAGAIN)
         sleep_ms(10);
   }
   assert_int_equal(r.result, 0);
   assert_true(WIFSIGNALED((int)r.worker) && WTERMSIG((int)r.worker) == SIGKILL);
   assert_int_equal(ask(fd, &req, sizeof(req)).result, -ESRCH); /* told once */
   close(worker_sock);
   close(fd);
   int status = -1;
   assert_int_equal(waitpid(server_pid, &status, 0), server_pid);
   assert_true(WIFEXITED(status));
   assert_int_equal(WEXITSTATUS(status), 0);
}

/* ----- GL's functions and a render server's socket ----------------------------------------------
 */

/* No GL renderer: virglrenderer's answers without one; nothing is written to the VMM's memory. */
static void
test_gl_only_refused(void **state)
{
   (void)state;
   init_with(SYNC_FLAGS);
   assert_int_equal(import_shm(60, memfd_with(4096, 4), 4096), 0);
   uint8_t buf[256];
   memset(buf, 0xaa, sizeof(buf));
   struct iovec iov = {buf, sizeof(buf)};
   V.get_rect(60, &iov, 1, 0, 0, 0, 8, 8);
   V.get_rect(61, &iov, 1, 0, 0, 0, 8, 8);
   V.get_rect(60, NULL, 0, 0, 0, 0, 0, 0);
   for (size_t i = 0; i < sizeof(buf); i++)
      assert_int_equal(buf[i], 0xaa);
   int fd = 77, stride = 5, offset = 6;
   assert_int_equal(V.get_fd_for_texture(1, &fd), -1);
   assert_int_equal(V.get_fd_for_texture2(1, &fd, &stride, &offset), -1);
   assert_int_equal(V.get_fd_for_texture(1, NULL), -1);
   assert_int_equal(fd, 77);
   struct virgl_renderer_resource_create_args args = {.handle = 62, .target = 2, .width = 8};
   assert_int_equal(V.import_eglimage(&args, buf), EINVAL);
   assert_int_equal(V.import_eglimage(NULL, NULL), EINVAL);
   assert_null(V.get_priv(62)); /* nothing created */
   cleanup_all();
}

/* A socket whose peer is not PearVisor's render server (virglrenderer's would not answer our
 * hello): the library takes the fd (asked once, never without RENDER_SERVER), waits for the
 * hello at most a second, and closes it, so such a server sees its peer gone and ends; workers
 * are then started by the library itself. */
static void
test_render_server_fd(void **state)
{
   (void)state;
   int sv[2];
   assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
   cb.server_fd = sv[0];
   cb.server_fd_asked = 0;
   init_with(SYNC_FLAGS); /* no RENDER_SERVER: not asked */
   assert_int_equal(cb.server_fd_asked, 0);
   cleanup_all();

   int before = count_fds();
   assert_int_equal(V.init(&cb.cookie, SYNC_FLAGS | VIRGL_RENDERER_RENDER_SERVER, &cbs), 0);
   assert_int_equal(cb.server_fd_asked, 1);
   assert_int_equal(cb.server_fd, -1);
   struct pollfd p = {.fd = sv[1], .events = POLLIN};
   assert_int_equal(poll(&p, 1, 1000), 1);
   assert_true(p.revents & POLLHUP); /* closed by the library: the server's end sees it gone */
   /* contexts are served by our own workers all the same */
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 1, "a"), 0);
   assert_int_equal(V.context_create_fence(3, 0, 0, 70), 0);
   assert_true(readable(V.context_get_poll_fd(3), 10000));
   V.cleanup(&cb.cookie);
   assert_int_equal(count_fds(), before - 1); /* sv[0] went at init */
   close(sv[1]);
}

/* ----- PearVisor's render server, started by the "VMM" (argv[2] "server") ----------------------
 */

/* As crosvm: a SOCK_SEQPACKET pair, `WORKER --socket-fd N` with the server's end, ours kept. */
static int
start_render_server(const char *library)
{
   char worker[4096];
   const char *env = getenv("PEARVISOR_VIRGL_WORKER");
   char dir[4096];
   snprintf(dir, sizeof(dir), "%s", library);
   snprintf(worker, sizeof(worker), "%s/pearvisor-virgl-worker", dirname(dir));
   const char *path = env && env[0] ? env : worker;
   int sv[2];
   assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
   posix_spawn_file_actions_t fa;
   posix_spawn_file_actions_init(&fa);
   posix_spawn_file_actions_adddup2(&fa, sv[1], 10); /* dup2 clears close-on-exec */
   char *argv[] = {(char *)path, "--socket-fd", "10", NULL};
   extern char **environ;
   assert_int_equal(posix_spawn(&server_pid, path, &fa, NULL, argv, environ), 0);
   posix_spawn_file_actions_destroy(&fa);
   close(sv[1]);
   return sv[0];
}

/* crosvm's GPU jail lets the VMM's process start no program and make no process (threads
 * only, through clone3): neither may this one now. */
static void
forbid_exec(void)
{
   scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
   assert_non_null(f);
   const int denied[] = {
      SCMP_SYS(execve), SCMP_SYS(execveat),
#ifndef __SANITIZE_ADDRESS__ /* LeakSanitizer's exit check makes its tracer with clone */
      SCMP_SYS(fork),   SCMP_SYS(vfork),    SCMP_SYS(clone),
#endif
   };
   for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
      assert_int_equal(seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), denied[i], 0), 0);
   assert_int_equal(seccomp_load(f), 0); /* sets no_new_privs */
   seccomp_release(f);
}

/* The server's live worker processes, newest (highest pid) in *newest. */
static int
server_workers(pid_t *newest)
{
   pid_t oldest;
   return children_of(server_pid, "(pearvisor-virg", &oldest, newest);
}

static bool
fence_retires(uint32_t ctx, uint64_t id)
{
   if (V.context_create_fence(ctx, 0, 0, id) != 0 || !readable(V.context_get_poll_fd(ctx), 10000))
      return false;
   V.context_poll(ctx);
   return ctx_delivered(ctx, id) == 1;
}

static void
test_server_contexts(void **state)
{
   (void)state;
   cb.server_fd_asked = 0;
   assert_int_equal(V.init(&cb.cookie, SYNC_FLAGS | VIRGL_RENDERER_RENDER_SERVER, &cbs), 0);
   assert_int_equal(cb.server_fd_asked, 1);
   assert_int_equal(V.context_create_with_flags(3, VIRGL_RENDERER_CAPSET_VENUS, 1, "a"), 0);
   assert_int_equal(V.context_create_with_flags(4, VIRGL_RENDERER_CAPSET_VENUS, 1, "b"), 0);
   assert_true(fence_retires(3, 1));
   assert_true(fence_retires(4, 1));
   pid_t newest, oldest_ours, newest_ours;
   assert_true(server_workers(&newest) >= 2); /* the server's children, none of them ours */
   /* this process's only such children are the servers themselves (this one, and the one the
    * next init gets) */
   assert_int_equal(children_of(getpid(), "(pearvisor-virg", &oldest_ours, &newest_ours), 2);
   assert_true(oldest_ours == server_pid || newest_ours == server_pid);
   assert_true(oldest_ours == second_server_pid || newest_ours == second_server_pid);

   /* a worker killed from outside (the oldest: context 3's, whether or not a spare came first)
    * is the server's to reap, and the server tells the library how it ended; a new context is
    * served all the same */
   pid_t oldest;
   assert_true(children_of(server_pid, "(pearvisor-virg", &oldest, &newest) >= 2);
   logs.n = 0;
   V.set_log_callback(keep_log, &logs.data_a, free_data);
   assert_int_equal(kill(oldest, SIGKILL), 0);
   for (int i = 0; i < 500 && kill(oldest, 0) == 0; i++)
      sleep_ms(10);
   assert_int_equal(kill(oldest, 0), -1); /* reaped by the server, not left a zombie */
   char lost[128];
   snprintf(lost, sizeof(lost), "context 3: worker %d crashed (signal 9); the context is lost",
            (int)oldest);
   for (int i = 0; i < 500 && find_line(lost) < 0; i++)
      sleep_ms(10);
   assert_true(find_line(lost) >= 0);
   V.set_log_callback(NULL, NULL, NULL);
   assert_int_equal(V.context_create_with_flags(5, VIRGL_RENDERER_CAPSET_VENUS, 1, "c"), 0);
   assert_true(fence_retires(5, 1));
   assert_true(fence_retires(4, 2));

   /* the workers end with their contexts, the spare with cleanup (asked of the server), then
    * cleanup lets the server go: its socket closed, it ends by itself. (Its workers are not
    * counted while it ends: an ASan build's exit check forks a tracer that looks like one.) */
   V.context_destroy(3);
   V.context_destroy(4);
   V.context_destroy(5);
   V.cleanup(&cb.cookie);
   int status = -1;
   pid_t r = 0;
   for (int i = 0; i < 500 && r == 0; i++, sleep_ms(r ? 0 : 10))
      r = waitpid(server_pid, &status, WNOHANG);
   assert_int_equal(r, server_pid);
   assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
   /* nothing of it lives on: a worker it left would now be this process's child (subreaper);
    * the only one is the server the next init gets */
   pid_t first_left, last_left;
   int left = 0;
   for (int i = 0; i < 500; i++, sleep_ms(10)) {
      left = children_of(getpid(), "(pearvisor-virg", &first_left, &last_left);
      if (left == 1)
         break;
   }
   assert_int_equal(left, 1);
   assert_int_equal(first_left, second_server_pid);
}

/* The server gone: a new context fails at once (no worker, nothing spawned here instead; a
 * spare the server started died with it), and nothing else is harmed. */
static void
test_server_gone(void **state)
{
   (void)state;
   cb.server_fd = second_server_fd; /* the first ended with the cleanup before */
   server_pid = second_server_pid;
   assert_int_equal(V.init(&cb.cookie, SYNC_FLAGS | VIRGL_RENDERER_RENDER_SERVER, &cbs), 0);
   assert_int_equal(kill(server_pid, SIGKILL), 0);
   /* its workers die with it (PR_SET_PDEATHSIG, or at start when their parent is gone); this
    * process is their subreaper, so it sees each end: then the spare's socket has hung up */
   bool children_left = true;
   for (int i = 0; i < 1000 && children_left; i++) {
      pid_t r;
      while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
         continue;
      children_left = r == 0; /* -1 (ECHILD): none left */
      if (children_left)
         sleep_ms(10);
   }
   assert_false(children_left);
   assert_int_not_equal(V.context_create_with_flags(6, VIRGL_RENDERER_CAPSET_VENUS, 1, "d"), 0);
   assert_int_equal(V.context_get_poll_fd(6), -1);
   V.cleanup(&cb.cookie);
}

int
main(int argc, char **argv)
{
   if (argc < 2) {
      fprintf(stderr, "usage: %s path/to/libvirglrenderer.so.1\n", argv[0]);
      return 2;
   }
   setenv("PEARVISOR_VIRGL_LOG", "info", 1); /* info lines make the log hook testable */
   load_library(argv[1]);
   library_path = argv[1];
   if (argc > 2 && !strcmp(argv[2], "server")) {
      prctl(PR_SET_CHILD_SUBREAPER, 1); /* the server's workers outlive it only as our zombies */
      /* two servers, one per init: this process may start none once forbid_exec ran */
      second_server_fd = start_render_server(argv[1]);
      second_server_pid = server_pid;
      cb.server_fd = start_render_server(argv[1]);
      forbid_exec();
      const struct CMUnitTest server_tests[] = {
         cmocka_unit_test(test_server_contexts),
         cmocka_unit_test(test_server_gone),
      };
      return cmocka_run_group_tests(server_tests, NULL, NULL);
   }
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_context_poll_fd),
      cmocka_unit_test(test_context_poll_other_modes),
      cmocka_unit_test(test_log_callback),
      cmocka_unit_test(test_submit_cmd2),
      cmocka_unit_test(test_export_signalled_fence),
      cmocka_unit_test(test_resource_priv),
      cmocka_unit_test(test_gl_only_refused),
      cmocka_unit_test(test_map_fixed),
      cmocka_unit_test(test_vtest_entry_points),
      cmocka_unit_test(test_render_server_fd),
      cmocka_unit_test(test_server_bad_requests),
   };
   return cmocka_run_group_tests(tests, NULL, NULL);
}
