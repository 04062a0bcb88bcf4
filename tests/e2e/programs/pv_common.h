/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for the end-to-end Vulkan test programs: instance, device and queue setup,
 * memory-type choice, buffers, one-shot command buffers, image barriers and the uniform
 * pass/fail reporting every program uses. The benchmark programs (bench/bench.h) build on the
 * same helpers, with their own report lines.
 *
 * Every program prints exactly one summary line on stdout:
 *   "<program>: PASS: <what was checked> (device: <deviceName>)"   exit status 0
 *   "<program>: FAIL: <reason>"                                      exit status 1
 *
 * Environment: PV_E2E_VALIDATE=1 enables the Khronos validation layer and VK_EXT_debug_utils;
 * any validation error turns the run into a failure (used by the native tests to prove the
 * programs themselves use Vulkan correctly).
 */
#ifndef PV_E2E_COMMON_H
#define PV_E2E_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#define PV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifdef __FILE_NAME__
#define PV_FILE __FILE_NAME__
#else
#define PV_FILE __FILE__
#endif

/* Aborts the program with a FAIL line naming the call and its VkResult unless it succeeded. */
#define PV_CHECK(expr)                                                                             \
   do {                                                                                            \
      VkResult pv_r_ = (expr);                                                                     \
      if (pv_r_ != VK_SUCCESS)                                                                     \
         pv_fail("%s:%d: %s returned %s", PV_FILE, __LINE__, #expr, pv_result_name(pv_r_));        \
   } while (0)

/* Aborts with a FAIL line unless the call returned exactly `want`. */
#define PV_EXPECT(expr, want)                                                                      \
   do {                                                                                            \
      VkResult pv_r_ = (expr);                                                                     \
      if (pv_r_ != (want))                                                                         \
         pv_fail("%s:%d: %s returned %s, expected %s", PV_FILE, __LINE__, #expr,                   \
                 pv_result_name(pv_r_), pv_result_name(want));                                     \
   } while (0)

struct pv_ctx {
   VkInstance instance;
   VkPhysicalDevice phys;
   VkPhysicalDeviceProperties props;
   VkPhysicalDeviceMemoryProperties mem_props;
   uint32_t queue_family; /* graphics + compute (and so transfer) */
   VkDevice device;
   VkQueue queue;
   VkCommandPool pool; /* for pv_cmd_begin; not thread safe */
   bool optional_enabled;     /* pv_init_options::optional_extension (or its fallback) is enabled */
   const char *optional_name; /* which one, or NULL */
   VkDebugUtilsMessengerEXT messenger;
};

struct pv_buffer {
   VkBuffer buffer;
   VkDeviceMemory memory;
   VkDeviceSize size;
   void *map;                   /* non-NULL when the memory is host visible (mapped whole) */
   VkMemoryPropertyFlags flags; /* of the memory type chosen (e.g. is the mapping coherent) */
};

/* Options for pv_init. device_pnext is chained into VkDeviceCreateInfo (feature structs). */
struct pv_init_options {
   const void *device_pnext;
   uint32_t min_api_version;      /* of the physical device; 0: 1.1 */
   uint32_t instance_api_version; /* VkApplicationInfo::apiVersion; 0: 1.3 */
   bool no_validation;            /* ignore PV_E2E_VALIDATE (benchmarks time drivers, not layers) */
   /* A device extension enabled when the device has it (pv_ctx::optional_enabled says whether):
    * the benchmarks time native-only paths where they exist and skip them through Venus. */
   const char *optional_extension;
   /* Enabled instead where the device lacks optional_extension (optional_enabled is then true
    * too; pv_ctx::optional_name says which). */
   const char *optional_fallback;
   /* A feature struct put first in the device's chain only when one of those is enabled. */
   VkBaseOutStructure *optional_pnext;
};

/* Names the program in FAIL lines before pv_init (which names it too): the benchmarks can fail
 * on their options first. */
void pv_set_program(const char *program);
const char *pv_program_name(void);

void pv_init(struct pv_ctx *c, const char *program, const struct pv_init_options *opts);
/* Waits for the device, destroys the pool, device and instance; fails if validation
 * reported errors. */
void pv_fini(struct pv_ctx *c);

__attribute__((noreturn, format(printf, 1, 2))) void pv_fail(const char *fmt, ...);
/* Prints the PASS line (after checking for validation errors). Does not exit. */
__attribute__((format(printf, 2, 3))) void pv_pass(const struct pv_ctx *c, const char *fmt, ...);
const char *pv_result_name(VkResult r);
/* An empty submission with a new fence, waited for up to 10 s: the first result that is not
 * VK_SUCCESS (a lost context's answer), or VK_SUCCESS. The fence is not destroyed. */
VkResult pv_fence_round_trip(struct pv_ctx *c);

/* A memory type in type_bits with all of `flags`; UINT32_MAX when there is none. */
uint32_t pv_find_memory_type(const struct pv_ctx *c, uint32_t type_bits,
                             VkMemoryPropertyFlags flags);
/* A buffer with its own allocation; host-visible memory is mapped into b->map. Fails the
 * program when no memory type has `flags`. */
void pv_buffer_create(const struct pv_ctx *c, struct pv_buffer *b, VkDeviceSize size,
                      VkBufferUsageFlags usage, VkMemoryPropertyFlags flags);
/* The same with memory types tried in order of preference: the first `prefs[i]` some type has
 * wins. Fails the program when none has any. */
void pv_buffer_create_pref(const struct pv_ctx *c, struct pv_buffer *b, VkDeviceSize size,
                           VkBufferUsageFlags usage, const VkMemoryPropertyFlags *prefs,
                           size_t nprefs);
void pv_buffer_destroy(const struct pv_ctx *c, struct pv_buffer *b);

/* Image with dedicated device-local memory; returns the memory in *mem. */
VkImage pv_image_create(const struct pv_ctx *c, const VkImageCreateInfo *info, VkDeviceMemory *mem);

VkShaderModule pv_shader_module(const struct pv_ctx *c, const uint32_t *code, size_t size);

/* One-shot command buffers from c->pool: begin, then end + submit + wait + free. Returns the
 * wall time from submit to fence signalled in ns (what the benchmarks time). */
VkCommandBuffer pv_cmd_begin(const struct pv_ctx *c);
uint64_t pv_cmd_submit_wait(const struct pv_ctx *c, VkCommandBuffer cmd);

void pv_image_barrier(VkCommandBuffer cmd, VkImage image, VkImageAspectFlags aspect,
                      VkImageLayout old_layout, VkImageLayout new_layout,
                      VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                      VkPipelineStageFlags dst_stage, VkAccessFlags dst_access);
/* A global memory barrier (e.g. transfer write -> host read). */
void pv_memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage,
                       VkAccessFlags src_access, VkPipelineStageFlags dst_stage,
                       VkAccessFlags dst_access);

/* A compute pipeline whose set 0 holds storage buffers at bindings 0..nbuf-1, with a
 * descriptor pool for its sets. pv_compute_init makes the one for the compute.comp kernel:
 * dst[i] = src[i] * mul + i + add, two storage buffers at bindings 0 (src) and 1 (dst), push
 * constants {count, mul, add}. */
#define PV_COMPUTE_MAX_BUFFERS 4
struct pv_compute {
   VkShaderModule module;
   VkDescriptorSetLayout set_layout;
   VkPipelineLayout layout;
   VkPipeline pipeline;
   VkDescriptorPool pool;
};

void pv_compute_init(const struct pv_ctx *c, struct pv_compute *k, const uint32_t *spv,
                     size_t spv_size, uint32_t max_sets);
/* Any kernel: `nbuf` buffers, `push_size` bytes of push constants, a pool for `max_sets` sets
 * (none when nbuf or max_sets is 0). */
void pv_compute_init_layout(const struct pv_ctx *c, struct pv_compute *k, const uint32_t *spv,
                            size_t spv_size, uint32_t nbuf, uint32_t push_size, uint32_t max_sets);
/* A set with whole buffers bufs[i] at binding i, for a kernel of pv_compute_init_layout. */
VkDescriptorSet pv_compute_set_buffers(const struct pv_ctx *c, const struct pv_compute *k,
                                       const VkBuffer *bufs, uint32_t nbuf);
VkDescriptorSet pv_compute_set(const struct pv_ctx *c, const struct pv_compute *k, VkBuffer src,
                               VkDeviceSize src_offset, VkBuffer dst, VkDeviceSize dst_offset,
                               VkDeviceSize range);
void pv_compute_dispatch(VkCommandBuffer cmd, const struct pv_compute *k, VkDescriptorSet set,
                         uint32_t count, uint32_t mul, uint32_t add);
void pv_compute_fini(const struct pv_ctx *c, struct pv_compute *k);

/* Monotonic clock in nanoseconds. */
uint64_t pv_now_ns(void);

#endif
