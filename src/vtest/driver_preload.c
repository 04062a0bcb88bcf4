/* SPDX-License-Identifier: MIT */
/*
 * Loads the host Vulkan driver's library into the server before it forks client processes.
 *
 * Each client process would otherwise load and relocate the driver itself when its guest creates
 * an instance: for lavapipe that is libLLVM, whose relocated data and static initialisation cost
 * every idle client about 10 MiB of private memory. Loaded once here, those pages are shared
 * copy-on-write by every child, and the loader in the child finds the library already loaded.
 * Nothing is initialised: no instance is created (drivers must not be forked with live device
 * state), only the library is mapped and its constructors run.
 *
 * The manifests are the ones the Vulkan loader reads (VK_DRIVER_FILES / VK_ICD_FILENAMES, as set
 * by --icd, or the standard directories); they are host configuration, not guest data.
 */
#include "vtest/driver_preload.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/icd_manifest.h"
#include "util/log.h"

#define PV_PRELOAD_MAX 16

static const char *const k_manifest_dirs[] = {
   "/etc/vulkan/icd.d",
   "/usr/local/share/vulkan/icd.d",
   "/usr/share/vulkan/icd.d",
};

bool
vtest_manifest_library(const char *manifest, const char *json, char *out, size_t out_size)
{
   return pv_icd_manifest_library(manifest, json, out, out_size);
}

/* `named`: the manifest was named by the configuration, so a failure to load it is worth a
 * warning; one found by scanning a directory may be for another architecture (multiarch hosts
 * install both), which the loader skips silently too. */
static unsigned
preload_manifest(const char *manifest, bool named)
{
   char *json = pv_icd_manifest_read(manifest);
   char path[PATH_MAX];
   bool found = json && vtest_manifest_library(manifest, json, path, sizeof(path));
   free(json);
   if (!found) {
      pv_dbg("driver preload: no usable library_path in %s", manifest);
      return 0;
   }
   /* Kept for the life of the server: the handle is what keeps the pages shared. */
   if (!dlopen(path, RTLD_NOW | RTLD_LOCAL)) {
      const char *err = dlerror();
      if (named)
         pv_warn("driver preload: %s: %s", path, err ? err : "cannot load");
      else
         pv_dbg("driver preload: %s: %s", path, err ? err : "cannot load");
      return 0;
   }
   pv_info("host driver %s loaded once, shared by every client process", path);
   return 1;
}

static bool
is_manifest_name(const char *name)
{
   size_t n = strlen(name);
   return n > 5 && !strcmp(name + n - 5, ".json");
}

static unsigned
preload_dir(const char *dir, unsigned budget)
{
   DIR *d = opendir(dir);
   if (!d)
      return 0;
   unsigned loaded = 0;
   struct dirent *e;
   while (loaded < budget && (e = readdir(d)) != NULL) {
      char path[PATH_MAX];
      if (!is_manifest_name(e->d_name))
         continue;
      snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
      loaded += preload_manifest(path, false);
   }
   closedir(d);
   return loaded;
}

/* A colon-separated list of manifests (or directories of them), as the loader takes it. */
static unsigned
preload_list(const char *list)
{
   char *copy = strdup(list);
   unsigned loaded = 0;
   char *save = NULL;
   for (char *item = copy ? strtok_r(copy, ":", &save) : NULL;
        item && loaded < PV_PRELOAD_MAX; item = strtok_r(NULL, ":", &save)) {
      if (is_manifest_name(item))
         loaded += preload_manifest(item, true);
      else
         loaded += preload_dir(item, PV_PRELOAD_MAX - loaded);
   }
   free(copy);
   return loaded;
}

unsigned
vtest_preload_host_driver(void)
{
   const char *list = getenv("VK_DRIVER_FILES");
   if (!list || !*list)
      list = getenv("VK_ICD_FILENAMES");
   if (list && *list)
      return preload_list(list);
   unsigned loaded = 0;
   for (size_t i = 0; i < sizeof(k_manifest_dirs) / sizeof(k_manifest_dirs[0]); i++)
      loaded += preload_dir(k_manifest_dirs[i], PV_PRELOAD_MAX - loaded);
   return loaded;
}
