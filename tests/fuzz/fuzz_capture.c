/* SPDX-License-Identifier: MIT */
/*
 * fuzz_capture: capture files (docs/CAPTURE.md) as `pearvisor-gpu replay` reads them. Every
 * input goes through pv_capture_parse; one it accepts has every payload decoded and every memory
 * run walked, then is replayed for real by pv_replay_file (from a memfd) without a host driver
 * (fuzz_common.h): streams run, rings get their replay threads, memory is restored and compared,
 * and every Vulkan command fails cleanly. A replay that cannot go on stops within the stall
 * timeout (1 s here), so no input hangs the target. Its vtest messages (TRANSPORT records) go
 * through the vtest replay (src/vtest/vtest_replay.c), sync objects and waits included.
 *
 * Input: a capture file. Seeds: real captures (tests/fuzz/capture-seeds).
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PV_FUZZ_NO_HOST_VULKAN
#include "fuzz_common.h"
#include "pearvisor/pearvisor.h"
#include "renderer/capture_read.h"
#include "vtest/vtest_replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every byte a decoded record points at, so ASan sees any read past the input. */
static uint64_t
walk(const struct pv_capture_file *f)
{
   uint64_t sum = 0;
   for (size_t i = 0; i < f->count; i++) {
      struct pv_capture_payload p;
      pv_capture_decode(&f->records[i], &p);
      for (uint64_t b = 0; p.bytes && b < p.bytes_len; b++)
         sum += p.bytes[b];
      for (uint32_t c = 0; c < p.clock_count * 16u; c++)
         sum += p.clock[c];
      if (f->records[i].type != PV_CAPTURE_MEMORY)
         continue;
      struct pv_capture_run_iter it;
      struct pv_capture_run run;
      pv_capture_runs_begin(&it, &p);
      while (pv_capture_runs_next(&it, &run))
         for (uint64_t b = 0; b < run.len; b++)
            sum += run.data[b];
   }
   return sum;
}

static void
replay(const uint8_t *data, size_t size)
{
   int fd = memfd_create("fuzz-capture", MFD_CLOEXEC);
   if (fd < 0)
      return;
   if (write(fd, data, size) == (ssize_t)size) {
      char path[64];
      snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
      struct pv_replay_config cfg = PV_REPLAY_CONFIG_INIT;
      cfg.partial = true;
      cfg.stall_timeout_ms = 1000;
      /* Its vtest messages go through the vtest replay, as `pearvisor-gpu replay` does. */
      struct vtest_replay vt;
      vtest_replay_init(&vt);
      vt.wait_max_ms = 10; /* an input's wait that nothing meets must not stall the fuzzer */
      cfg.transport = vtest_replay_message;
      cfg.fence = vtest_replay_fence;
      cfg.transport_data = &vt;
      struct pv_replay_result res;
      pv_replay_file(path, &cfg, &res);
      vtest_replay_fini(&vt);
   }
   close(fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   static int quiet;
   if (!quiet++)
      pv_fuzz_quiet();
   struct pv_capture_file f;
   char err[256];
   if (pv_capture_parse(data, size, &f, err, sizeof(err)) != 0)
      return 0;
   volatile uint64_t sum = walk(&f);
   (void)sum;
   pv_capture_file_fini(&f);
   replay(data, size);
   return 0;
}
