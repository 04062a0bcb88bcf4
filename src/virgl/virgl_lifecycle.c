/* SPDX-License-Identifier: MIT */
/*
 * Lifecycle and capsets of the virgl front end: configuration from the environment, the capset
 * answers QEMU asks for before init, init (again after every reset), poll, reset and cleanup.
 */
/* dladdr: where this library was loaded from */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "virgl/frontend.h"
#include "virgl/render_server.h"
#include "virgl/virgl_state.h"
#include "virgl/virgl_stats.h"

#define WORKER_NAME "pearvisor-virgl-worker"

static struct {
   bool initialized;
   void *cookie;
   int flags;
} S;

bool
vg_state_initialized(void)
{
   return S.initialized;
}

/* ----- configuration ----------------------------------------------------------------------- */

static uint32_t
env_u32(const char *name, uint32_t fallback)
{
   const char *v = getenv(name);
   if (!v || !*v)
      return fallback;
   char *end;
   unsigned long n = strtoul(v, &end, 10);
   if (*end || n > UINT32_MAX) {
      pv_warn("virgl: ignoring %s=%s (not a number)", name, v);
      return fallback;
   }
   return (uint32_t)n;
}

/* The worker lives next to this library, in the build tree and in $libdir/pearvisor alike. */
static void
default_worker_path(char *out, size_t size)
{
   Dl_info info;
   const char *dir_end = NULL;
   if (dladdr((void *)default_worker_path, &info) && info.dli_fname)
      dir_end = strrchr(info.dli_fname, '/');
   if (dir_end && (size_t)(dir_end - info.dli_fname) + sizeof(WORKER_NAME) + 1 < size) {
      size_t n = (size_t)(dir_end - info.dli_fname) + 1;
      memcpy(out, info.dli_fname, n);
      memcpy(out + n, WORKER_NAME, sizeof(WORKER_NAME));
   } else {
      snprintf(out, size, "%s", WORKER_NAME);
   }
}

static struct vg_config config;

static void
config_load(void)
{
   const char *level = getenv("PEARVISOR_VIRGL_LOG");
   int lv = level ? pv_log_level_from_name(level) : -1;
   /* a library in someone else's process: warnings and errors only, unless asked */
   pv_log_set_level(lv >= 0 ? (enum pv_log_level)lv : PV_LOG_WARN);
   config.wire_format = env_u32("PEARVISOR_VIRGL_WIRE", 1);
   if (config.wire_format > 1) {
      pv_warn("virgl: PEARVISOR_VIRGL_WIRE=%u is not served; using 1", config.wire_format);
      config.wire_format = 1;
   }
   config.in_process = env_u32("PEARVISOR_VIRGL_INPROCESS", 0) != 0;
   config.reply_timeout_ms = env_u32("PEARVISOR_VIRGL_REPLY_TIMEOUT_MS", 5000);
   /* a destroyed context's worker frees what the guest left (which can take seconds on a real
    * GPU); only one stuck in a guest's endless wait needs the kill */
   config.close_grace_ms = env_u32("PEARVISOR_VIRGL_CLOSE_GRACE_MS", 10000);
   /* a guest (root in the VM) chooses how many contexts it creates: each is a process here */
   config.max_contexts = env_u32("PEARVISOR_VIRGL_MAX_CONTEXTS", 64);
   /* how long the poll after a fence's creation may wait for it (fences.c: the poll's grace) */
   config.fence_grace_us = env_u32("PEARVISOR_VIRGL_FENCE_GRACE_US", 200);
   /* a worker loaded and waiting for the next context (worker_spawn.c) */
   config.spare_worker = env_u32("PEARVISOR_VIRGL_SPARE_WORKER", 1) != 0;
   const char *worker = getenv("PEARVISOR_VIRGL_WORKER");
   if (worker && *worker)
      snprintf(config.worker_path, sizeof(config.worker_path), "%s", worker);
   else
      default_worker_path(config.worker_path, sizeof(config.worker_path));
}

const struct vg_config *
vg_config_get(void)
{
   static pthread_once_t once = PTHREAD_ONCE_INIT;
   pthread_once(&once, config_load);
   return &config;
}

/* ----- capsets ------------------------------------------------------------------------------- */

/* The capset needs no renderer (pv_get_capset). It is made once (QEMU asks at every
 * GET_CAPSET_INFO), for the wire format of the environment. */
static uint8_t capset_bytes[256];
static size_t capset_size;

static void
capset_load(void)
{
   uint32_t wire = vg_config_get()->wire_format;
   size_t size = pv_get_capset(PV_CAPSET_VENUS, 0, wire, NULL, 0);
   if (size <= sizeof(capset_bytes))
      capset_size = pv_get_capset(PV_CAPSET_VENUS, 0, wire, capset_bytes, size);
}

/* Venus capset version 0, or NULL with *size 0 for any other version. */
static const uint8_t *
venus_capset(uint32_t version, size_t *size)
{
   static pthread_once_t once = PTHREAD_ONCE_INIT;
   pthread_once(&once, capset_load);
   *size = version == 0 ? capset_size : 0;
   return *size ? capset_bytes : NULL;
}

void
virgl_renderer_get_cap_set(uint32_t set, uint32_t *max_ver, uint32_t *max_size)
{
   size_t size = 0;
   if (set == VIRGL_RENDERER_CAPSET_VENUS)
      venus_capset(0, &size);
   /* capsets 1 and 2 (GL) are not served: 0/0 tells QEMU so (it still advertises capset 1) */
   if (max_ver)
      *max_ver = 0;
   if (max_size)
      *max_size = (uint32_t)size;
}

void
virgl_renderer_fill_caps(uint32_t set, uint32_t version, void *caps)
{
   if (set == VIRGL_RENDERER_CAPSET_VENUS && caps) {
      /* the VMM sized `caps` with get_cap_set */
      size_t size;
      const uint8_t *bytes = venus_capset(version, &size);
      if (bytes)
         memcpy(caps, bytes, size);
   }
}

/* ----- lifecycle ----------------------------------------------------------------------------- */

/*
 * With RENDER_SERVER a VMM may have started a render server itself (crosvm does, inside its
 * sandbox, whose GPU jail lets the VMM's process start no process) and hands its socket over
 * through get_server_fd, the library's from then on. If it is PearVisor's own
 * (`pearvisor-virgl-worker --socket-fd N`), workers are asked of it; anything else (such as
 * virglrenderer's render server) is closed, which ends it, and workers are started here.
 */
static void
take_render_server(void *cookie, int flags, const struct virgl_renderer_callbacks *cbs)
{
   if (!(flags & VIRGL_RENDERER_RENDER_SERVER) || cbs->version < 3 || !cbs->get_server_fd)
      return;
   int fd = cbs->get_server_fd(cookie, 0);
   if (fd < 0)
      return;
   if (vg_config_get()->in_process) {
      close(fd);
      pv_info("virgl: the VMM's render server (fd %d) is not used in process mode: closed", fd);
   } else if (vg_server_attach(fd))
      pv_info("virgl: workers come from the VMM's render server (fd %d)", fd);
   else
      pv_info("virgl: the VMM's render server (fd %d) is not PearVisor's: closed; PearVisor "
              "starts a worker per context itself",
              fd);
}

int
virgl_renderer_init(void *cookie, int flags, struct virgl_renderer_callbacks *cbs)
{
   vg_config_get();
   if (S.initialized) /* QEMU calls init after every reset; a second init is fine */
      return S.cookie == cookie && S.flags == flags ? 0 : -EBUSY;
   if (!cbs || cbs->version < 1 || cbs->version > PV_VIRGL_CALLBACKS_MAX_VERSION) {
      pv_err("virgl: invalid renderer callbacks");
      return -1;
   }
   if (!(flags & VIRGL_RENDERER_VENUS))
      pv_warn("virgl: init without VIRGL_RENDERER_VENUS: only Venus is served here");
   const struct vg_callbacks vcb = {
      .cookie = cookie,
      .write_fence = cbs->write_fence,
      .write_context_fence = cbs->version >= 3 ? cbs->write_context_fence : NULL,
   };
   const bool thread_sync = flags & VIRGL_RENDERER_THREAD_SYNC;
   const bool async = thread_sync && (flags & VIRGL_RENDERER_ASYNC_FENCE_CB);
   int ret = vg_fences_init(&vcb, thread_sync, async);
   if (ret != 0)
      return ret;
   take_render_server(cookie, flags, cbs);
   S.cookie = cookie;
   S.flags = flags;
   S.initialized = true;
   vg_control_start();
   vg_worker_spare_fill();
   pv_info("virgl: PearVisor Venus renderer, wire format %u, %s", vg_config_get()->wire_format,
           vg_config_get()->in_process ? "in process" : "a worker process per context");
   return 0;
}

void
virgl_renderer_poll(void)
{
   if (S.initialized)
      vg_fences_poll();
}

int
virgl_renderer_get_poll_fd(void)
{
   return S.initialized ? vg_fences_poll_fd() : -1;
}

void
virgl_renderer_force_ctx_0(void)
{
   /* nothing: there is no GL context 0 to make current */
}

/* Device reset: every context and resource goes; the VMM calls init next. */
void
virgl_renderer_reset(void)
{
   vg_contexts_destroy_all();
   vg_resources_destroy_all();
   if (S.initialized)
      vg_fences_reset();
}

void
virgl_renderer_cleanup(void *cookie)
{
   (void)cookie;
   vg_contexts_destroy_all();
   vg_resources_destroy_all();
   vg_backend_worker_reap_all();
   vg_worker_spare_drop();
   vg_server_detach(); /* after the workers: they were asked of it */
   vg_sync_file_fini();
   if (S.initialized)
      vg_fences_fini();
   vg_control_stop();
   S.initialized = false;
   S.cookie = NULL;
   S.flags = 0;
}
