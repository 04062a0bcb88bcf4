/* SPDX-License-Identifier: MIT */
/*
 * Vulkan ICD manifests (the JSON files in /usr/share/vulkan/icd.d): which library a host driver
 * is. Read by the library (a configured host_icd) and by the server's driver preload. Manifests
 * are host configuration, never guest data.
 */
#ifndef PV_UTIL_ICD_MANIFEST_H
#define PV_UTIL_ICD_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

/* The manifest's text (at most 64 KiB, NUL-terminated, to free()), or NULL. */
char *pv_icd_manifest_read(const char *path);

/*
 * The library an ICD manifest (JSON text `json`, read from path `manifest`) names, as the
 * loader would open it: absolute as is, relative to the manifest's directory when it contains a
 * slash, a bare file name for dlopen's own search. False when there is none or it is too long.
 */
bool pv_icd_manifest_library(const char *manifest, const char *json, char *out, size_t out_size);

#endif
