/* SPDX-License-Identifier: MIT */
/*
 * Host memory of a process that serves guests (a vtest client process, a VMM's worker).
 *
 * The per-context quotas (pearvisor.h) count what the guest asks for by name: device memory,
 * objects, blobs. What the host driver allocates for work inside the device's limits is outside
 * them: lavapipe compiling a pipeline, its per-invocation frames, LLVM's own data. One fuzzed
 * pipeline made lavapipe malloc 1.5 GB in ten million small pieces (tests/fuzz/README.md). On a
 * host without a bound, the kernel's OOM killer then chooses by size, and the VMM, whose guest
 * RAM makes it the largest process, may be the one it takes.
 *
 * So each such process gets a ceiling on its private writable memory (Linux counts every
 * private writable mapping against RLIMIT_DATA since 4.7: malloc's heap and mappings, lavapipe's
 * device memory, the JIT's data; shared mappings such as blobs and a GPU's device memory are not
 * counted). Past it, allocations fail inside the process: the host driver reports
 * VK_ERROR_OUT_OF_*_MEMORY, or aborts or faults, which loses that guest's context (crash_guard.h,
 * or the process dies and its parent tells the guest). It also asks the kernel to choose such a
 * process before others when the whole host runs out (Linux: oom_score_adj).
 */
#ifndef PV_UTIL_HOST_MEMORY_H
#define PV_UTIL_HOST_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

/* What the default ceiling allows beyond the context's device-memory and blob quotas: the
 * process's own code and data, the driver's, and its compilers'. Measured under the default
 * (2026-12-07): client processes running the e2e programs peaked at 80 MB of private writable
 * memory on lavapipe, and at 107 MB on an NVIDIA H100 (driver 580.159.04) through
 * scripts/gpu-e2e, every program passing; the library's workers passed tests/virgl/gpu-run
 * there too. */
#define PV_HOST_MEMORY_HEADROOM (4ull << 30)

/* Set by the operator to mean "no ceiling". */
#define PV_HOST_MEMORY_UNLIMITED UINT64_MAX

/* How far the kernel's OOM killer leans towards such a process (Linux's scale -1000..1000):
 * half the host's memory, so a process serving a guest goes before a VMM or server of up to
 * that size, and one much larger still goes first. */
#define PV_HOST_MEMORY_OOM_SCORE_ADJ 500

/* The default ceiling for a context with these quotas (0 picks the PV_DEFAULT_* value):
 * device memory + blob bytes + PV_HOST_MEMORY_HEADROOM, saturating. */
uint64_t pv_host_memory_default(uint64_t max_device_memory, uint64_t max_blob_bytes);

/*
 * Applies the ceiling `bytes` (PV_HOST_MEMORY_UNLIMITED: none) and the OOM preference to the
 * calling process, logging what it did. `who` names the process in the log. Returns false when
 * the ceiling could not be applied (the process goes on without it). Address-sanitizer builds
 * get no ceiling: their shadow memory counts as terabytes of data, so every allocation would
 * fail.
 */
bool pv_host_memory_confine(uint64_t bytes, const char *who);

/*
 * A size as operators write it: decimal bytes with an optional K, M or G suffix (powers of
 * 1024), or "none" for PV_HOST_MEMORY_UNLIMITED when `allow_none`. 0, negative numbers,
 * overflows and trailing text are refused.
 */
bool pv_parse_size(const char *text, bool allow_none, uint64_t *out);

#endif
