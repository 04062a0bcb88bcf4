/* SPDX-License-Identifier: MIT */
/*
 * Loading exactly the configured host driver. The Vulkan loader can take a driver's entry point
 * directly (VK_LUNARG_direct_driver_loading, exclusive mode: no other driver is even scanned),
 * which is per instance and so per renderer. Loaders without it (Debian 12's 1.3.239 ignores the
 * structure) only read VK_DRIVER_FILES / VK_ICD_FILENAMES, which are process-wide: the renderer
 * sets them, and renderers of one process must then agree on one host_icd.
 */
#define _GNU_SOURCE
#include "renderer/host_driver.h"

#include <ctype.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/venus.h"
#include "util/icd_manifest.h"
#include "util/log.h"

#define PV_DIRECT_DRIVER_EXT "VK_LUNARG_direct_driver_loading"

/* The environment fallback: which manifest this process's renderers hold, and how many. */
static pthread_mutex_t g_env_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_env_icd[PATH_MAX];
static unsigned g_env_users;

/* Everything through vkGetInstanceProcAddr, as the contexts reach the loader (context.c): one
 * symbol to stub where there is no loader (the fuzz targets). */
bool
pv_venus_loader_has_extension(PFN_vkEnumerateInstanceExtensionProperties fn, const char *name)
{
   uint32_t n = 0;
   if (!fn || fn(NULL, &n, NULL) != VK_SUCCESS || n == 0)
      return false;
   VkExtensionProperties *props = calloc(n, sizeof(*props));
   bool found = false;
   if (props && fn(NULL, &n, props) >= 0) {
      for (uint32_t i = 0; i < n && !found; i++)
         found = !strcmp(props[i].extensionName, name);
   }
   free(props);
   return found;
}

static pthread_once_t g_direct_once = PTHREAD_ONCE_INIT;
static bool g_direct;

static void
ask_loader_for_direct_loading(void)
{
   g_direct = pv_venus_loader_has_extension(
      (PFN_vkEnumerateInstanceExtensionProperties)vkGetInstanceProcAddr(
         NULL, "vkEnumerateInstanceExtensionProperties"),
      PV_DIRECT_DRIVER_EXT);
}

/* The loader's own extension, so the answer holds for the process (and for the client
 * processes the server forks after asking): the loader lists instance extensions by loading
 * every driver it finds, ~16 M instructions a time (callgrind), once per renderer before. */
static bool
loader_has_direct_loading(void)
{
   pthread_once(&g_direct_once, ask_loader_for_direct_loading);
   return g_direct;
}

static bool
env_hold(const char *host_icd)
{
   pthread_mutex_lock(&g_env_lock);
   bool ok = true;
   if (g_env_users && strcmp(g_env_icd, host_icd)) {
      pv_err("host_icd %s: this process's renderers already use %s, and the Vulkan loader here "
             "has no per-instance driver choice (VK_LUNARG_direct_driver_loading)",
             host_icd, g_env_icd);
      ok = false;
   } else if (strlen(host_icd) >= sizeof(g_env_icd)) {
      ok = false;
   } else {
      if (!g_env_users) {
         snprintf(g_env_icd, sizeof(g_env_icd), "%s", host_icd);
         /* Both names: VK_DRIVER_FILES for current loaders, VK_ICD_FILENAMES for older ones.
          * Only written when different: other threads may be reading the environment. */
         const char *cur = getenv("VK_DRIVER_FILES");
         if (!cur || strcmp(cur, host_icd))
            setenv("VK_DRIVER_FILES", host_icd, 1);
         cur = getenv("VK_ICD_FILENAMES");
         if (!cur || strcmp(cur, host_icd))
            setenv("VK_ICD_FILENAMES", host_icd, 1);
      }
      g_env_users++;
   }
   pthread_mutex_unlock(&g_env_lock);
   return ok;
}

static void
env_release(void)
{
   pthread_mutex_lock(&g_env_lock);
   if (g_env_users)
      g_env_users--;
   pthread_mutex_unlock(&g_env_lock);
}

bool
pv_host_driver_open(struct pv_host_driver *d, const char *host_icd)
{
   memset(d, 0, sizeof(*d));
   if (!host_icd)
      return true;
   char *json = pv_icd_manifest_read(host_icd);
   char path[PATH_MAX];
   bool found = json && pv_icd_manifest_library(host_icd, json, path, sizeof(path));
   free(json);
   if (!found) {
      pv_err("host_icd %s: not a readable Vulkan ICD manifest with a library_path", host_icd);
      return false;
   }
   d->lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
   if (d->lib)
      d->icd_gipa = (PFN_vkGetInstanceProcAddr)dlsym(d->lib, "vk_icdGetInstanceProcAddr");
   if (!d->icd_gipa) {
      const char *err = dlerror();
      pv_err("host_icd %s: cannot load its driver %s: %s", host_icd, path,
             d->lib ? "no vk_icdGetInstanceProcAddr"
             : err  ? err
                    : "dlopen failed");
      pv_host_driver_close(d);
      return false;
   }
   d->direct = loader_has_direct_loading();
   if (!d->direct) {
      d->env_held = env_hold(host_icd);
      if (!d->env_held) {
         pv_host_driver_close(d);
         return false;
      }
   }
   pv_dbg("host_icd %s: driver %s, %s", host_icd, path,
          d->direct ? "direct driver loading" : "through VK_DRIVER_FILES");
   return true;
}

void
pv_host_driver_close(struct pv_host_driver *d)
{
   if (d->env_held)
      env_release();
   /* The library stays mapped: drivers register atexit handlers and TLS destructors that must
    * not outlive their code, so a driver is never unloaded (dlopen's count keeps it alive). */
   memset(d, 0, sizeof(*d));
}

const char *
pv_host_driver_chain(const struct pv_host_driver *d, struct pv_host_driver_chain *c,
                     VkInstanceCreateInfo *info)
{
   if (!d || !d->direct)
      return NULL;
   c->info = (VkDirectDriverLoadingInfoLUNARG){
      .sType = VK_STRUCTURE_TYPE_DIRECT_DRIVER_LOADING_INFO_LUNARG,
      .pfnGetInstanceProcAddr = (PFN_vkGetInstanceProcAddrLUNARG)d->icd_gipa,
   };
   c->list = (VkDirectDriverLoadingListLUNARG){
      .sType = VK_STRUCTURE_TYPE_DIRECT_DRIVER_LOADING_LIST_LUNARG,
      .pNext = info->pNext,
      .mode = VK_DIRECT_DRIVER_LOADING_MODE_EXCLUSIVE_LUNARG,
      .driverCount = 1,
      .pDrivers = &c->info,
   };
   info->pNext = &c->list;
   return PV_DIRECT_DRIVER_EXT;
}

/* 32 hex digits, dashes ignored, into 16 bytes; false when `s` is not a UUID. */
static bool
parse_uuid(const char *s, uint8_t out[VK_UUID_SIZE])
{
   unsigned n = 0;
   for (; *s; s++) {
      if (*s == '-')
         continue;
      if (!isxdigit((unsigned char)*s) || n == 2 * VK_UUID_SIZE)
         return false;
      unsigned v = isdigit((unsigned char)*s) ? (unsigned)(*s - '0')
                                              : (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
      out[n / 2] = (uint8_t)(n % 2 ? (out[n / 2] << 4) | v : v);
      n++;
   }
   return n == 2 * VK_UUID_SIZE;
}

bool
pv_host_gpu_matches(const char *gpu, uint32_t index, const VkPhysicalDeviceProperties *props,
                    const uint8_t uuid[VK_UUID_SIZE])
{
   if (!gpu || !*gpu)
      return true;
   /* An index is a few decimal digits; a UUID's 32 hex digits may all be decimal ones. */
   char *end;
   unsigned long n = strtoul(gpu, &end, 10);
   if (isdigit((unsigned char)gpu[0]) && *end == '\0' && strlen(gpu) <= 9)
      return n == index;
   uint8_t want[VK_UUID_SIZE];
   if (parse_uuid(gpu, want))
      return !memcmp(want, uuid, VK_UUID_SIZE);
   return strstr(props->deviceName, gpu) != NULL;
}
