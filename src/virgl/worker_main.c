/* SPDX-License-Identifier: MIT */
/*
 * pearvisor-virgl-worker: one guest context of a VMM, in its own process. Started by the
 * libvirglrenderer front end (backend_worker.c) with its end of a socketpair as fd 3, or forked
 * with it by the render server (`--socket-fd N`, render_server.c); serves the
 * worker protocol (worker_protocol.h) until the front end closes the socket, then tears the
 * context down and exits. Guest bytes run only here: a guest that crashes the host driver, or
 * a worker killed from outside, loses this context and nothing else.
 */
/* close_range */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "pearvisor/pearvisor.h"
#include "util/host_memory.h"
#include "util/log.h"
#include "virgl/backend_local.h"
#include "virgl/render_server.h"
#include "virgl/virgl_stats.h"
#include "virgl/worker_io.h"
#include "vtest/driver_preload.h"
#include "vtest/sandbox_os.h"

static int sock = PVW_WORKER_FD;
/* Fence callbacks come from ring threads while the main loop answers requests. */
static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;
/* Shared with the front end (worker_protocol.h): NULL when the front end sent none. */
static struct pvw_fence_page *fence_page;
/* Publishes the context's counters into the fence page (virgl_stats.h). */
static struct vg_stats stats;

static void
send_msg(uint32_t type, const void *body, size_t size, int fd)
{
   pthread_mutex_lock(&send_lock);
   /* a failed send means the front end is gone; the main loop sees EOF and exits */
   pvw_send(sock, type, body, size, NULL, 0, fd);
   pthread_mutex_unlock(&send_lock);
}

static void
fence_retired(void *data, uint32_t ring_idx, uint64_t fence_id)
{
   (void)data;
   /* visible to the VMM's next poll before the message even leaves */
   if (fence_page && ring_idx < PVW_FENCE_RINGS)
      atomic_store_explicit(&fence_page->ring_seqno[ring_idx], fence_id, memory_order_release);
   const struct pvw_fence f = {.ring_idx = ring_idx, .fence_id = fence_id};
   send_msg(PVW_FENCE_RETIRED, &f, sizeof(f), -1);
}

static void
ring_created(void *data, uint32_t res_id, uint64_t offset)
{
   (void)data;
   const struct pvw_ring r = {.res_id = res_id, .offset = offset};
   send_msg(PVW_RING, &r, sizeof(r), -1);
}

/* Fds the VMM had open are none of the guest's business. */
static void
close_inherited_fds(void)
{
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
   if (sock == PVW_WORKER_FD && close_range(PVW_WORKER_FD + 1, ~0u, 0) == 0)
      return;
#endif
   long max = sysconf(_SC_OPEN_MAX);
   if (max < 0 || max > 65536)
      max = 65536;
   for (int fd = 3; fd < max; fd++)
      if (fd != sock)
         close(fd);
}

static void
handle(struct vg_local *l, const struct pvw_header *hdr, const uint8_t *body)
{
   switch (hdr->type) {
   case PVW_SUBMIT: {
      struct pvw_submit s;
      if (hdr->size < sizeof(s))
         break;
      memcpy(&s, body, sizeof(s));
      struct pvw_submit_done d = {.seq = s.seq};
      d.result = pv_context_submit(l->ctx, body + sizeof(s), hdr->size - sizeof(s));
      if (fence_page)
         atomic_store_explicit(&fence_page->submit_done, s.seq, memory_order_release);
      send_msg(PVW_SUBMIT_DONE, &d, sizeof(d), -1);
      return;
   }
   case PVW_CREATE_BLOB: {
      struct pvw_create_blob c;
      if (hdr->size != sizeof(c))
         break;
      memcpy(&c, body, sizeof(c));
      struct pv_blob blob = {.fd = -1};
      struct pvw_blob r = {.request = c.request};
      r.result = pv_context_create_blob(l->ctx, c.res_id, c.blob_id, c.size, c.flags, &blob);
      if (r.result == 0) {
         r.fd_type = blob.fd_type;
         r.size = blob.size;
      }
      send_msg(PVW_BLOB, &r, sizeof(r), r.result == 0 ? blob.fd : -1);
      if (blob.fd >= 0)
         close(blob.fd);
      return;
   }
   case PVW_DESTROY_BLOB: {
      struct pvw_destroy_blob d;
      if (hdr->size != sizeof(d))
         break;
      memcpy(&d, body, sizeof(d));
      pv_context_destroy_blob(l->ctx, d.res_id);
      return;
   }
   case PVW_FENCE: {
      struct pvw_fence f;
      if (hdr->size != sizeof(f))
         break;
      memcpy(&f, body, sizeof(f));
      pv_context_submit_fence(l->ctx, f.ring_idx, f.fence_id);
      return;
   }
   default:
      break;
   }
   pv_context_mark_lost(l->ctx, "virgl worker: malformed request from the front end");
}

/*
 * The worker runs guest-reachable code (our decoders, the Vulkan loader, the host driver and
 * its shader compiler), so it gets what a vtest client process gets (SECURITY.md, "Sandbox"):
 * no_new_privs and the same seccomp allowlist, before the first guest byte. No user switch: it
 * runs as the VMM's user, which chose what that may do. PEARVISOR_VIRGL_SANDBOX=0 turns it off
 * (debugging, or a host driver that needs a call the allowlist lacks: the log names it).
 * Returns false when the sandbox was asked for and could not be applied: then serve nothing.
 */
static bool
enter_sandbox(void)
{
   const char *v = getenv("PEARVISOR_VIRGL_SANDBOX");
   if (v && strcmp(v, "0") == 0) {
      pv_warn("virgl worker: PEARVISOR_VIRGL_SANDBOX=0: no system-call filter");
      return true;
   }
   vtest_sandbox_os_prepare();
   /* Mesa's shader cache asks glibc for the user's home directory (getpwuid_r), whose first
    * lookup tries nscd's socket: done here, before the filter refuses socket(), glibc has
    * loaded its NSS modules and remembers that nscd is not there (the vtest server's parent
    * does the same when it resolves the sandbox user, before it forks). */
   (void)getpwuid(getuid());
   if (vtest_sandbox_os_confine(false))
      return true;
   pv_err("virgl worker: cannot apply the sandbox (PEARVISOR_VIRGL_SANDBOX=0 turns it off)");
   return false;
}

/*
 * The worker's ceiling on host memory (util/host_memory.h): PEARVISOR_VIRGL_MAX_HOST_MEMORY in
 * bytes with a K, M or G suffix, or "none"; by default the default quotas' (the library's
 * contexts use them) plus the headroom. A value that does not parse keeps the default, said in
 * the log.
 */
static void
confine_host_memory(void)
{
   uint64_t bytes = pv_host_memory_default(0, 0);
   const char *v = getenv("PEARVISOR_VIRGL_MAX_HOST_MEMORY");
   if (v && *v && !pv_parse_size(v, true, &bytes))
      pv_warn("virgl worker: PEARVISOR_VIRGL_MAX_HOST_MEMORY='%s' is not a size or 'none'; "
              "using the default",
              v);
   pv_host_memory_confine(bytes, "virgl worker");
}

/* The front end's fence page, sent with PVW_INIT (none: fences go by message only). */
static void
map_fence_page(int fd)
{
   if (fd < 0)
      return;
   void *p = mmap(NULL, PVW_FENCE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
   close(fd);
   if (p != MAP_FAILED)
      fence_page = p;
}

/* The first message: which renderer to create. */
static struct vg_local *
serve_init(void)
{
   struct pvw_header hdr;
   void *body;
   int fd;
   if (pvw_recv(sock, &hdr, &body, &fd) != 0)
      return NULL;
   map_fence_page(fd);
   struct vg_local *l = NULL;
   struct pvw_init init;
   if (hdr.type == PVW_INIT && hdr.size >= sizeof(init) && hdr.size - sizeof(init) < 4096) {
      memcpy(&init, body, sizeof(init));
      char name[4096];
      size_t n = hdr.size - sizeof(init);
      memcpy(name, (char *)body + sizeof(init), n);
      name[n] = '\0';
      if (init.capset_id == PV_CAPSET_VENUS)
         l = vg_local_create(init.wire_format, true, name, fence_retired, NULL);
      if (l)
         pv_context_set_ring_callback(l->ctx, ring_created, NULL);
      if (l && fence_page) /* the front end wrote the record's id; the worker keeps it */
         vg_stats_start(&stats, &fence_page->stats, l->ctx, 0, name, init.wire_format);
   }
   free(body);
   return l;
}

/* A file descriptor number as given on the command line, or -1. */
static int
parse_fd(const char *arg)
{
   char *end;
   long v = strtol(arg, &end, 10);
   return *arg && !*end && v >= 0 && v <= 65535 ? (int)v : -1;
}

static int
usage(FILE *out, int status)
{
   fprintf(out, "usage: pearvisor-virgl-worker --socket-fd FD\n"
                "  PearVisor's render server for VMMs that start it themselves (crosvm's\n"
                "  --gpu-render-server): FD is a SOCK_SEQPACKET socket whose other end the VMM\n"
                "  hands to libvirglrenderer.so.1. Without options the program is a worker the\n"
                "  library starts itself (FD [PARENT_PID]).\n"
                "       pearvisor-virgl-worker --version | --help\n");
   return status;
}

/* Starts the render server when asked to; returns -1 to go on as a worker on `sock` (the
 * library's, or one the server forked), or the exit status. */
static int
server_or_worker(int argc, char **argv, pid_t *parent)
{
   if (argc < 2)
      return usage(stderr, 2);
   if (!strcmp(argv[1], "--help"))
      return usage(stdout, 0);
   if (!strcmp(argv[1], "--version")) {
      printf("pearvisor-virgl-worker %s\n", pv_version_string());
      return 0;
   }
   if (!strcmp(argv[1], "--socket-fd")) {
      struct stat st;
      int fd = argc == 3 ? parse_fd(argv[2]) : -1;
      if (fd < 0 || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
         fprintf(stderr, "pearvisor-virgl-worker: --socket-fd needs an open socket's number\n");
         return usage(stderr, 2);
      }
      /* started by the VMM as its render server (render_server.c): returns in each worker */
      sock = pvw_render_server(fd, parent);
      return sock < 0 ? 0 : -1; /* the server ended with the VMM, or this is a new worker */
   }
   sock = parse_fd(argv[1]);
   if (sock < 0 || argv[1][0] == '-')
      return usage(stderr, 2);
   *parent = argc > 2 ? (pid_t)atol(argv[2]) : 0;
   return -1;
}

int
main(int argc, char **argv)
{
   /* first: the render server logs too */
   const char *level = getenv("PEARVISOR_VIRGL_LOG");
   int lv = level ? pv_log_level_from_name(level) : -1;
   pv_log_set_level(lv >= 0 ? (enum pv_log_level)lv : PV_LOG_WARN);
   pid_t parent = 0;
   int status = server_or_worker(argc, argv, &parent);
   if (status >= 0)
      return status;
#ifdef __linux__
   /* the VMM's (or its render server's) death ends its contexts; a parent already gone means
    * nobody will talk to us */
   prctl(PR_SET_PDEATHSIG, SIGKILL);
   if (parent && getppid() != parent)
      return 1;
#endif
   signal(SIGPIPE, SIG_IGN);
   close_inherited_fds();
   /* The host driver stays loaded until exit (the loader would unload it with the instance):
    * a worker serves one context, and leak reports can then name the driver's own leftovers. */
   vtest_preload_host_driver();
   confine_host_memory();
   /* one thread so far: the filter is this thread's, and every thread made later inherits it */
   if (!enter_sandbox())
      return 1;
   struct vg_local *l = serve_init();
   if (!l) {
      pv_err("virgl worker: cannot create the guest's context");
      return 1;
   }
   for (;;) {
      struct pvw_header hdr;
      void *body;
      int fd;
      if (pvw_recv(sock, &hdr, &body, &fd) != 0)
         break;
      if (fd >= 0)
         close(fd);
      handle(l, &hdr, body);
      free(body);
   }
   vg_stats_stop(&stats, "destroyed");
   vg_local_destroy(l);
   return 0;
}
