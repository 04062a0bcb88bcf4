/* SPDX-License-Identifier: MIT */
/*
 * The embedding API as a VMM sees it, through the shared library and its public header only:
 * version, the Venus capset before any renderer exists, the config's ABI rules, host_icd loaded
 * by the library itself (the environment names a driver that does not exist), the GPU choice,
 * the log callback, why a context was lost, and a renderer promised one context per process held
 * to it. Needs lavapipe.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pearvisor/pearvisor.h"

#define LVP_ICD "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"

static int g_failures;

#define CHECK(cond)                                                                                \
   do {                                                                                            \
      if (!(cond)) {                                                                               \
         fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                  \
         g_failures++;                                                                             \
      }                                                                                            \
   } while (0)

static pthread_mutex_t g_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_last_error[1024];
static int g_lines;

static void
capture_log(void *data, enum pv_log_level level, const char *message)
{
   (void)data;
   pthread_mutex_lock(&g_log_lock);
   g_lines++;
   if (level == PV_LOG_ERROR)
      snprintf(g_last_error, sizeof(g_last_error), "%s", message);
   pthread_mutex_unlock(&g_log_lock);
}

static void
test_version(void)
{
   CHECK(pv_version() == PV_VERSION_NUMBER);
   CHECK(!strcmp(pv_version_string(), PV_VERSION_STRING));
   CHECK(PV_VERSION_NUMBER ==
         PV_MAKE_VERSION(PV_VERSION_MAJOR, PV_VERSION_MINOR, PV_VERSION_PATCH));
}

/* The capset comes without a renderer and equals what a renderer of that wire format offers. */
static void
test_capset_without_renderer(void)
{
   for (uint32_t wire = 0; wire <= 1; wire++) {
      uint32_t caps[64] = {0}, from_renderer[64] = {0};
      size_t size = pv_get_capset(PV_CAPSET_VENUS, 0, wire, caps, sizeof(caps));
      CHECK(size == 160);
      CHECK(pv_get_capset(PV_CAPSET_VENUS, 0, wire, NULL, 0) == size);
      CHECK(caps[0] == wire); /* wire_format_version comes first */
      struct pv_renderer_config config = PV_RENDERER_CONFIG_INIT;
      config.wire_format = wire;
      struct pv_renderer *r = pv_renderer_create(&config);
      CHECK(r);
      if (r) {
         CHECK(pv_renderer_get_capset(r, PV_CAPSET_VENUS, 0, from_renderer,
                                      sizeof(from_renderer)) == size);
         CHECK(!memcmp(caps, from_renderer, size));
      }
      pv_renderer_destroy(r);
   }
   uint32_t small[4] = {0};
   CHECK(pv_get_capset(PV_CAPSET_VENUS, 0, 0, small, sizeof(small)) == 160); /* truncated copy */
   CHECK(pv_get_capset(1, 0, 0, NULL, 0) == 0);               /* virgl: not offered */
   CHECK(pv_get_capset(2, 0, 0, NULL, 0) == 0);               /* virgl2: not offered */
   CHECK(pv_get_capset(PV_CAPSET_VENUS, 1, 0, NULL, 0) == 0); /* unknown version */
   CHECK(pv_get_capset(PV_CAPSET_VENUS, 0, 2, NULL, 0) == 0); /* unknown wire format */
}

/* struct_size rules: missing, too small, larger with unknown non-zero fields are refused; a
 * larger struct whose extra bytes are 0 (a newer caller using no new field) is accepted. */
static void
test_config_abi(void)
{
   struct pv_renderer_config none = {.wire_format = 0};
   g_last_error[0] = '\0';
   CHECK(pv_renderer_create(&none) == NULL);
   CHECK(strstr(g_last_error, "struct_size") != NULL);

   struct {
      struct pv_renderer_config config;
      uint64_t newer_field;
   } newer = {{.struct_size = sizeof(newer)}, 0};
   struct pv_renderer *r = pv_renderer_create(&newer.config);
   CHECK(r);
   pv_renderer_destroy(r);
   newer.newer_field = 1;
   CHECK(pv_renderer_create(&newer.config) == NULL);

   struct pv_renderer_config bad_wire = PV_RENDERER_CONFIG_INIT;
   bad_wire.wire_format = 2;
   g_last_error[0] = '\0';
   CHECK(pv_renderer_create(&bad_wire) == NULL);
   CHECK(strstr(g_last_error, "wire format 2") != NULL);
   CHECK((r = pv_renderer_create(NULL)) != NULL);
   pv_renderer_destroy(r);
}

/* The environment names no usable driver; the library loads host_icd itself. */
static void
test_host_icd(void)
{
   struct pv_renderer_config config = PV_RENDERER_CONFIG_INIT;
   config.host_icd = "/nonexistent/icd.json";
   g_last_error[0] = '\0';
   CHECK(pv_renderer_create(&config) == NULL);
   CHECK(strstr(g_last_error, "/nonexistent/icd.json") != NULL);

   char copy[sizeof(LVP_ICD)];
   memcpy(copy, LVP_ICD, sizeof(copy));
   config.host_icd = copy;
   struct pv_renderer *r = pv_renderer_create(&config);
   CHECK(r);
   memset(copy, 'x', sizeof(copy) - 1); /* the renderer keeps its own copy */
   char devices[2048];
   int n = r ? pv_renderer_probe_host(r, devices, sizeof(devices)) : -1;
   CHECK(n == 1);
   CHECK(strstr(devices, "llvmpipe") != NULL);
   pv_renderer_destroy(r);
}

static int
probe_with_gpu(const char *gpu, char *devices, size_t size)
{
   struct pv_renderer_config config = PV_RENDERER_CONFIG_INIT;
   config.host_icd = LVP_ICD;
   config.gpu = gpu;
   struct pv_renderer *r = pv_renderer_create(&config);
   int n = r ? pv_renderer_probe_host(r, devices, size) : -2;
   pv_renderer_destroy(r);
   return n;
}

static void
test_gpu_choice(void)
{
   char devices[2048];
   CHECK(probe_with_gpu("llvmpipe", devices, sizeof(devices)) == 1);
   const char *uuid = strstr(devices, "uuid ");
   CHECK(uuid != NULL);
   char want[40] = "";
   if (uuid)
      snprintf(want, sizeof(want), "%.32s", uuid + 5);
   CHECK(probe_with_gpu(want, devices, sizeof(devices)) == 1);
   CHECK(probe_with_gpu("0", devices, sizeof(devices)) == 1);
   CHECK(probe_with_gpu("1", devices, sizeof(devices)) == -1);
   CHECK(probe_with_gpu("no such gpu", devices, sizeof(devices)) == -1);
   CHECK(probe_with_gpu("00000000000000000000000000000000", devices, sizeof(devices)) == -1);
}

static void
test_lost_reason(void)
{
   struct pv_renderer *r = pv_renderer_create(NULL);
   struct pv_context *ctx = r ? pv_context_create(r, PV_CAPSET_VENUS, "api-test") : NULL;
   CHECK(ctx);
   if (ctx) {
      CHECK(pv_context_lost_reason(ctx) == NULL);
      pv_context_mark_lost(ctx, "transport said so");
      CHECK(pv_context_is_lost(ctx));
      CHECK(pv_context_lost_reason(ctx) &&
            !strcmp(pv_context_lost_reason(ctx), "transport said so"));
      pv_context_mark_lost(ctx, "second reason"); /* the first one stays */
      CHECK(!strcmp(pv_context_lost_reason(ctx), "transport said so"));
      pv_context_destroy(ctx);
   }
   CHECK(pv_context_create(r, 1, "virgl") == NULL); /* not a capset we serve */
   pv_renderer_destroy(r);
}

/* Whether a context of `r` is refused now (one that is made is destroyed again). */
static bool
context_refused(struct pv_renderer *r)
{
   struct pv_context *ctx = pv_context_create(r, PV_CAPSET_VENUS, "extra");
   pv_context_destroy(ctx);
   return ctx == NULL;
}

/* one_context_per_process offers GPU device addresses on that promise: no second context, of
 * any renderer, while such a context lives, and none of those beside another. */
static void
test_one_context_per_process(void)
{
   struct pv_renderer_config config = PV_RENDERER_CONFIG_INIT;
   config.host_icd = LVP_ICD;
   config.one_context_per_process = true;
   struct pv_renderer *alone = pv_renderer_create(&config);
   config.one_context_per_process = false;
   struct pv_renderer *shared = pv_renderer_create(&config);
   CHECK(alone && shared);
   if (!alone || !shared)
      goto out;
   struct pv_context *ctx = pv_context_create(alone, PV_CAPSET_VENUS, "alone");
   CHECK(ctx);
   CHECK(context_refused(alone));
   CHECK(context_refused(shared));
   pv_context_destroy(ctx);
   ctx = pv_context_create(shared, PV_CAPSET_VENUS, "shared");
   CHECK(ctx);
   CHECK(context_refused(alone));
   CHECK(!context_refused(shared));
   pv_context_destroy(ctx);
   CHECK(!context_refused(alone)); /* nothing lives any more */
out:
   pv_renderer_destroy(alone);
   pv_renderer_destroy(shared);
}

int
main(void)
{
   if (access(LVP_ICD, R_OK)) {
      printf("skip: no lavapipe at %s\n", LVP_ICD);
      return 77;
   }
   /* What the library must ignore in favour of host_icd. */
   setenv("VK_DRIVER_FILES", "/nonexistent/other_icd.json", 1);
   setenv("VK_ICD_FILENAMES", "/nonexistent/other_icd.json", 1);
   pv_set_log_callback(capture_log, NULL);
   test_version();
   test_capset_without_renderer();
   test_config_abi();
   test_host_icd();
   test_gpu_choice();
   test_lost_reason();
   test_one_context_per_process();
   CHECK(g_lines > 0); /* the callback, not stderr, got the lines */
   pv_set_log_callback(NULL, NULL);
   printf("%s (%d failures)\n", g_failures ? "FAIL" : "PASS", g_failures);
   return g_failures ? 1 : 0;
}
