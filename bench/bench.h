/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the benchmark programs (bench/NAME.c) on top of the e2e programs' Vulkan helpers
 * (tests/e2e/programs/pv_common.h: pv_init, buffers, kernels, one-shot command buffers,
 * PV_CHECK, pv_fail, pv_now_ns): what only benchmarks need, i.e. options, the result lines
 * bench/run parses, percentiles and the stream workload.
 *
 * Every program prints, on stdout:
 *   INFO program=NAME device="DEVICE NAME" api=X.Y.Z driver=0xVERSION
 *   RESULT name=NAME metric=METRIC value=NUMBER unit=UNIT      (one or more)
 *   NAME: PASS                                                 (exit status 0)
 * or "NAME: FAIL: reason" (pv_fail, PV_CHECK) with exit status 1. Results are only printed for
 * work whose output was checked (a benchmark that computes garbage fast is a failure, not a
 * result).
 */
#ifndef PV_BENCH_H
#define PV_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#include "pv_common.h"

/* Command-line options: "--name value" pairs and flags; unknown options fail the program. */
struct b_opt {
   const char *name;
   double *value; /* NULL for a flag */
   bool *flag;
};
void b_parse(int argc, char **argv, const struct b_opt *opts, size_t n);

void b_start(const char *program); /* names the program for the report and FAIL lines */
void b_result(const char *metric, double value, const char *unit);
void b_pass(void);

/* pv_init as every benchmark has always set up: a Vulkan 1.1 instance and never the
 * validation layer (PV_E2E_VALIDATE is the e2e tests' switch; a layer would skew timings). */
void b_init(struct pv_ctx *c);
/* b_init with a device extension enabled where the device has it (c->optional_enabled). */
void b_init_with(struct pv_ctx *c, const char *optional_extension);
/* ... and with `device_pnext` chained into VkDeviceCreateInfo (feature structs), or NULL. */
void b_init_full(struct pv_ctx *c, const char *optional_extension, const void *device_pnext);
void b_info(const VkPhysicalDeviceProperties *props); /* the INFO line */

double b_median(double *v, size_t n);               /* sorts v */
double b_percentile(double *v, size_t n, double p); /* sorts v; p in [0, 100] */

/* The stream workload, shared by bench-stream and bench-multi: records command buffers of
 * `groups` x (viewport, scissor, push constants, dispatch) and submits them through `depth`
 * command buffers in flight, for `seconds`. Returns commands per second. */
struct b_stream {
   struct pv_compute k;
   VkCommandBuffer cmds[8];
   VkFence fences[8];
   VkCommandPool pools[8]; /* with pool_reset: a pool per command buffer, reset before reuse */
   bool pool_reset;
   uint32_t depth;
   /* with b_stream_churn: each command buffer fills a buffer made for it, destroyed once its
    * fence is waited, while the other command buffers run */
   bool churn;
   VkBuffer churn_buffers[8];
   VkDeviceMemory churn_memory[8];
   /* with churn_memory: the buffer's memory is freed and allocated again with it, and each use
    * writes a timestamp into a query pool made for it, destroyed at the same point */
   bool churn_memory_each;
   VkMemoryAllocateInfo churn_alloc;
   VkQueryPool churn_queries[8];
   VkDescriptorPool churn_pools[8];
   VkDescriptorSetLayout churn_set_layout;
   VkPipelineLayout churn_layout;
};
void b_stream_init(const struct pv_ctx *c, struct b_stream *s, uint32_t depth);
/* The same, each command buffer in a pool of its own that vkResetCommandPool resets before the
 * command buffer is recorded again (the per-frame pattern of many engines), when pool_reset. */
void b_stream_init_pools(const struct pv_ctx *c, struct b_stream *s, uint32_t depth,
                         bool pool_reset);
/* Each use of a command buffer also destroys the buffer its previous use filled and fills a new
 * one (vkCmdFillBuffer), and resets its own descriptor pool and binds a set from it that names
 * the new buffer (vkCmdBindDescriptorSets; both counted as commands): the per-frame transient
 * buffer and descriptor pool of many engines, destroyed and reset after its frame's fence while
 * the next frame runs. */
void b_stream_churn(const struct pv_ctx *c, struct b_stream *s);
/* The same, and the buffer's memory is freed (vkFreeMemory) and allocated again with it, and
 * each use resets and writes a timestamp query of a pool made for it (vkCreateQueryPool,
 * destroyed at the same point; both commands counted): transient allocations per frame. */
void b_stream_churn_memory(const struct pv_ctx *c, struct b_stream *s);
double b_stream_run(const struct pv_ctx *c, struct b_stream *s, uint32_t groups, double seconds,
                    uint64_t *cmds_out);
/* The same command buffers recorded for `seconds` and never submitted, then a queue wait: the
 * rate at which the renderer decodes commands and has the host driver record them, without
 * the device executing anything. Returns commands per second. */
double b_stream_record(const struct pv_ctx *c, struct b_stream *s, uint32_t groups,
                       double seconds);
void b_stream_fini(const struct pv_ctx *c, struct b_stream *s);

#endif
