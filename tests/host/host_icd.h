/* SPDX-License-Identifier: MIT */
/*
 * The host driver the host tests run their renderer on: lavapipe, or the driver whose ICD
 * manifest PV_TEST_HOST_ICD names (tests/virgl/gpu-run: NVIDIA's on the GPU machine).
 */
#ifndef PV_TEST_HOST_ICD_H
#define PV_TEST_HOST_ICD_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pearvisor/pearvisor.h"

#define PV_TEST_LVP_ICD "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"

static inline const char *
pv_test_host_icd(void)
{
   const char *icd = getenv("PV_TEST_HOST_ICD");
   return icd && *icd ? icd : PV_TEST_LVP_ICD;
}

static inline bool
pv_test_host_is_lavapipe(void)
{
   return strcmp(pv_test_host_icd(), PV_TEST_LVP_ICD) == 0;
}

/* True (and says so) when the driver is not installed: the test then exits 77, skipped. */
static inline bool
pv_test_host_missing(void)
{
   const char *icd = pv_test_host_icd();
   if (access(icd, R_OK) == 0)
      return false;
   printf("skip: no host driver at %s\n", icd);
   return true;
}

/* A renderer of wire format 1 on that driver (NULL when it cannot be made). */
static inline struct pv_renderer *
pv_test_renderer(void)
{
   const struct pv_renderer_config config = {
      .struct_size = sizeof(config), .host_icd = pv_test_host_icd(), .wire_format = 1};
   return pv_renderer_create(&config);
}

#endif
