/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the benchmark programs (bench/NAME.c): plain Vulkan set-up, timing, options
 * and the result lines bench/run parses.
 *
 * Every program prints, on stdout:
 *   INFO program=NAME device="DEVICE NAME" api=X.Y.Z driver=0xVERSION
 *   RESULT name=NAME metric=METRIC value=NUMBER unit=UNIT      (one or more)
 *   NAME: PASS                                                 (exit status 0)
 * or "NAME: FAIL: reason" with exit status 1. Results are only printed for work whose output
 * was checked (a benchmark that computes garbage fast is a failure, not a result).
 */
#ifndef PV_BENCH_H
#define PV_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#define B_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define B_CHECK(expr)                                                                              \
   do {                                                                                            \
      VkResult b_r_ = (expr);                                                                      \
      if (b_r_ != VK_SUCCESS)                                                                      \
         b_fail("%s:%d: %s returned %d", __FILE__, __LINE__, #expr, (int)b_r_);                    \
   } while (0)

struct b_ctx {
   VkInstance instance;
   VkPhysicalDevice phys;
   VkPhysicalDeviceProperties props;
   VkPhysicalDeviceMemoryProperties mem_props;
   uint32_t queue_family; /* graphics + compute */
   VkDevice device;
   VkQueue queue;
   VkCommandPool pool;
};

struct b_buffer {
   VkBuffer buffer;
   VkDeviceMemory memory;
   VkDeviceSize size;
   void *map; /* whole allocation mapped when host visible */
   bool coherent;
};

/* Command-line options: "--name value" pairs and flags; unknown options fail the program. */
struct b_opt {
   const char *name;
   double *value; /* NULL for a flag */
   bool *flag;
};
void b_parse(int argc, char **argv, const struct b_opt *opts, size_t n);

void b_start(const char *program); /* names the program for the report lines */
__attribute__((noreturn, format(printf, 1, 2))) void b_fail(const char *fmt, ...);
void b_result(const char *metric, double value, const char *unit);
void b_pass(void);

/* Instance, first physical device, device with one graphics+compute queue, a resettable pool. */
void b_init(struct b_ctx *c);
void b_info(const struct b_ctx *c);
void b_fini(struct b_ctx *c);

uint32_t b_memory_type(const struct b_ctx *c, uint32_t bits, VkMemoryPropertyFlags want);
/* Memory types tried in order; the first that exists is used. Fails when none does. */
void b_buffer_create(const struct b_ctx *c, struct b_buffer *b, VkDeviceSize size,
                     VkBufferUsageFlags usage, const VkMemoryPropertyFlags *prefs, size_t nprefs);
void b_buffer_destroy(const struct b_ctx *c, struct b_buffer *b);

VkShaderModule b_shader(const struct b_ctx *c, const uint32_t *code, size_t size);
/* A compute pipeline with `nbuf` storage buffers at bindings 0..nbuf-1 of set 0 and `push`
 * bytes of push constants; *set is allocated and written with `bufs` when nbuf > 0. */
struct b_kernel {
   VkShaderModule module;
   VkDescriptorSetLayout set_layout;
   VkPipelineLayout layout;
   VkPipeline pipeline;
   VkDescriptorPool dpool;
   VkDescriptorSet set;
};
void b_kernel_init(const struct b_ctx *c, struct b_kernel *k, const uint32_t *code, size_t size,
                   uint32_t push, const VkBuffer *bufs, uint32_t nbuf);
void b_kernel_fini(const struct b_ctx *c, struct b_kernel *k);

VkCommandBuffer b_cmd_begin(const struct b_ctx *c);
/* Ends, submits, waits, frees; returns the wall time from submit to fence signalled (ns). */
uint64_t b_cmd_submit_wait(const struct b_ctx *c, VkCommandBuffer cmd);

uint64_t b_now_ns(void);
double b_median(double *v, size_t n);      /* sorts v */
double b_percentile(double *v, size_t n, double p); /* sorts v; p in [0, 100] */

/* The stream workload, shared by bench-stream and bench-multi: records command buffers of
 * `groups` x (viewport, scissor, push constants, dispatch) and submits them through `depth`
 * command buffers in flight, for `seconds`. Returns commands per second. */
struct b_stream {
   struct b_kernel k;
   VkCommandBuffer cmds[8];
   VkFence fences[8];
   uint32_t depth;
};
void b_stream_init(const struct b_ctx *c, struct b_stream *s, uint32_t depth);
double b_stream_run(const struct b_ctx *c, struct b_stream *s, uint32_t groups, double seconds,
                    uint64_t *cmds_out);
void b_stream_fini(const struct b_ctx *c, struct b_stream *s);

#endif
