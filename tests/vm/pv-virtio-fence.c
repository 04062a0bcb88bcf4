/* SPDX-License-Identifier: MIT */
/*
 * pv-virtio-fence: runs in the VM test guest and makes the guest kernel ask the renderer for
 * virtio-gpu fences, which Mesa 25.0.7's Venus driver never does on lavapipe (it would only for a
 * sync-file export that lavapipe 22.3.6 does not offer the guest). Through the virtio-gpu DRM
 * uAPI directly: a Venus context (context-init, capset 4) with one ring, then empty command
 * submissions with an out-fence, each fence a sync file that must signal:
 *   ring     EXECBUFFER with RING_IDX 0: QEMU calls virgl_renderer_context_create_fence and
 *            completes the command when write_context_fence comes back from virgl_renderer_poll
 *   global   EXECBUFFER without RING_IDX: virgl_renderer_create_fence, then write_fence
 * An empty submission is a valid (empty) Venus command stream. The first fence of each kind is
 * timed apart (first_*_fence_ms): the context's first submission waits for the renderer to
 * start the context (a worker process that loads the host driver: hundreds of ms on a GPU), which
 * is start-up, not fence latency, and would otherwise dominate the mean. Prints
 * "pv-virtio-fence: PASS: ..." (with mean, worst, min and median latency per kind, and RESULT
 * lines for bench/run --vm) or "pv-virtio-fence: FAIL: ..." (exit 1).
 * usage: pv-virtio-fence [COUNT]   (fences of each kind, default 50)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* The virtio-gpu DRM uAPI of Linux >= 5.16 (include/uapi/drm/virtgpu_drm.h), spelled out: the
 * build host's libdrm headers predate context-init. */
#define PV_DRM_IOCTL_BASE 'd'
#define PV_DRM_COMMAND_BASE 0x40
#define PV_VIRTGPU_EXECBUFFER 0x02
#define PV_VIRTGPU_GETPARAM 0x03
#define PV_VIRTGPU_CONTEXT_INIT 0x0b
#define PV_VIRTGPU_PARAM_CONTEXT_INIT 6
#define PV_VIRTGPU_CONTEXT_PARAM_CAPSET_ID 1
#define PV_VIRTGPU_CONTEXT_PARAM_NUM_RINGS 2
#define PV_VIRTGPU_EXECBUF_FENCE_FD_OUT 0x02
#define PV_VIRTGPU_EXECBUF_RING_IDX 0x04
#define PV_CAPSET_VENUS 4

struct pv_virtgpu_getparam {
   uint64_t param;
   uint64_t value; /* a user pointer to an int */
};

struct pv_virtgpu_context_set_param {
   uint64_t param;
   uint64_t value;
};

struct pv_virtgpu_context_init {
   uint32_t num_params;
   uint32_t pad;
   uint64_t ctx_set_params;
};

struct pv_virtgpu_execbuffer {
   uint32_t flags;
   uint32_t size;
   uint64_t command;
   uint64_t bo_handles;
   uint32_t num_bo_handles;
   int32_t fence_fd;
   uint32_t ring_idx;
   uint32_t pad;
};

#define PV_IOWR(nr, type) _IOWR(PV_DRM_IOCTL_BASE, PV_DRM_COMMAND_BASE + (nr), type)

/* Longest a fence may take: the VMM polls the renderer at least every 10 ms, and a TCG guest on
 * a loaded host is slow, but a fence that never signals must fail the test, not hang it. */
#define PV_FENCE_TIMEOUT_MS 30000

__attribute__((noreturn, format(printf, 1, 2))) static void
fail(const char *fmt, ...)
{
   va_list ap;
   va_start(ap, fmt);
   printf("pv-virtio-fence: FAIL: ");
   vprintf(fmt, ap);
   printf("\n");
   va_end(ap);
   exit(1);
}

static int
xioctl(int fd, unsigned long req, void *arg)
{
   int r;
   do {
      r = ioctl(fd, req, arg);
   } while (r < 0 && (errno == EINTR || errno == EAGAIN));
   return r;
}

static double
now_ms(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct stats {
   double min, median, mean, max;
};

static int
cmp_double(const void *a, const void *b)
{
   const double x = *(const double *)a, y = *(const double *)b;
   return (x > y) - (x < y);
}

/* Sorts `v` in place. */
static struct stats
summarize(double *v, unsigned n)
{
   qsort(v, n, sizeof(*v), cmp_double);
   struct stats s = {.min = v[0], .max = v[n - 1]};
   s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
   for (unsigned i = 0; i < n; i++)
      s.mean += v[i] / n;
   return s;
}

/* One empty submission with an out-fence (on ring 0 when `ring`), waited for; returns ms. */
static double
fenced_submit(int fd, int ring, unsigned i)
{
   uint32_t empty = 0;
   struct pv_virtgpu_execbuffer eb = {
      .flags = PV_VIRTGPU_EXECBUF_FENCE_FD_OUT | (ring ? PV_VIRTGPU_EXECBUF_RING_IDX : 0),
      .size = 0,
      .command = (uint64_t)(uintptr_t)&empty,
      .fence_fd = -1,
      .ring_idx = 0,
   };
   double t0 = now_ms();
   if (xioctl(fd, PV_IOWR(PV_VIRTGPU_EXECBUFFER, struct pv_virtgpu_execbuffer), &eb) != 0)
      fail("%s submission %u: EXECBUFFER: %s", ring ? "ring" : "global", i, strerror(errno));
   if (eb.fence_fd < 0)
      fail("%s submission %u: no out-fence", ring ? "ring" : "global", i);
   struct pollfd p = {.fd = eb.fence_fd, .events = POLLIN};
   int r = poll(&p, 1, PV_FENCE_TIMEOUT_MS);
   if (r != 1 || !(p.revents & POLLIN))
      fail("%s fence %u did not signal within %d ms (poll %d, revents 0x%x)",
           ring ? "ring" : "global", i, PV_FENCE_TIMEOUT_MS, r, p.revents);
   close(eb.fence_fd);
   return now_ms() - t0;
}

static int
open_venus(void)
{
   int fd = open("/dev/dri/renderD128", O_RDWR | O_CLOEXEC);
   if (fd < 0)
      fail("open /dev/dri/renderD128: %s", strerror(errno));
   int has_init = 0;
   struct pv_virtgpu_getparam gp = {.param = PV_VIRTGPU_PARAM_CONTEXT_INIT,
                                    .value = (uint64_t)(uintptr_t)&has_init};
   if (xioctl(fd, PV_IOWR(PV_VIRTGPU_GETPARAM, struct pv_virtgpu_getparam), &gp) != 0 || !has_init)
      fail("the kernel or device offers no context-init");
   struct pv_virtgpu_context_set_param params[2] = {
      {PV_VIRTGPU_CONTEXT_PARAM_CAPSET_ID, PV_CAPSET_VENUS},
      {PV_VIRTGPU_CONTEXT_PARAM_NUM_RINGS, 1},
   };
   struct pv_virtgpu_context_init init = {.num_params = 2,
                                          .ctx_set_params = (uint64_t)(uintptr_t)params};
   if (xioctl(fd, PV_IOWR(PV_VIRTGPU_CONTEXT_INIT, struct pv_virtgpu_context_init), &init) != 0)
      fail("CONTEXT_INIT (Venus, one ring): %s", strerror(errno));
   return fd;
}

int
main(int argc, char **argv)
{
   unsigned count = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 50;
   if (count == 0 || count > 100000)
      fail("usage: pv-virtio-fence [COUNT]  (1..100000)");
   setvbuf(stdout, NULL, _IOLBF, 0);
   int fd = open_venus();
   double *ms[2] = {calloc(count, sizeof(double)), calloc(count, sizeof(double))};
   if (!ms[0] || !ms[1])
      fail("out of memory");
   double first[2];
   for (int ring = 0; ring < 2; ring++)
      first[ring] = fenced_submit(fd, ring, 0);
   for (unsigned i = 0; i < count; i++)
      for (int ring = 0; ring < 2; ring++)
         ms[ring][i] = fenced_submit(fd, ring, i + 1);
   close(fd);
   struct stats st[2];
   for (int ring = 0; ring < 2; ring++)
      st[ring] = summarize(ms[ring], count);
   printf("pv-virtio-fence: PASS: %u ring fences (context fence, ring 0) and %u global fences "
          "signalled; mean/worst %.2f/%.2f ms and %.2f/%.2f ms; min/median %.2f/%.2f ms and "
          "%.2f/%.2f ms (after a first of each: %.2f and %.2f ms)\n",
          count, count, st[1].mean, st[1].max, st[0].mean, st[0].max, st[1].min, st[1].median,
          st[0].min, st[0].median, first[1], first[0]);
   /* for bench/run --vm (bench/bench_vm.py): lower is better */
   static const char *const kind[2] = {"global", "ring"};
   for (int ring = 1; ring >= 0; ring--)
      printf("RESULT metric=%s_fence_median_ms value=%.4f\n"
             "RESULT metric=%s_fence_mean_ms value=%.4f\n"
             "RESULT metric=first_%s_fence_ms value=%.4f\n",
             kind[ring], st[ring].median, kind[ring], st[ring].mean, kind[ring], first[ring]);
   free(ms[0]);
   free(ms[1]);
   return 0;
}
