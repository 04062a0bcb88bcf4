/* SPDX-License-Identifier: MIT */
#ifndef PV_VTEST_DRIVER_PRELOAD_H
#define PV_VTEST_DRIVER_PRELOAD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Loads the libraries of the host Vulkan drivers the loader will use (from VK_DRIVER_FILES,
 * VK_ICD_FILENAMES or the standard manifest directories) without initialising them, so that
 * client processes forked afterwards share their pages. Returns how many were loaded; failures
 * are logged and only cost the sharing.
 */
unsigned vtest_preload_host_driver(void);

/*
 * The library an ICD manifest (JSON text `json`, read from path `manifest`) names, as the
 * loader would open it: absolute as is, relative to the manifest's directory when it contains a
 * slash, a bare file name for dlopen's own search. False when there is none or it is too long.
 */
bool vtest_manifest_library(const char *manifest, const char *json, char *out, size_t out_size);

#endif
