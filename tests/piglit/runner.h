/* SPDX-License-Identifier: MIT */
/* State shared by the parts of pv-shader-runner (setup in pv-shader-runner.c, execution in
 * execute.c). One test per process: the state is a single global. */
#ifndef PV_PIGLIT_RUNNER_H
#define PV_PIGLIT_RUNNER_H

#include "script.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VERTEX_BUFFER_SIZE 4096u

enum result { PASS, FAIL, SKIP };

struct buffer {
   VkBuffer buffer;
   VkDeviceMemory memory;
   void *map;
};

struct pipeline {
   VkPrimitiveTopology topology;
   bool rect;
   VkPipeline pipeline;
};

struct runner {
   const char *name;
   struct pv_script s;
   VkInstance instance;
   VkDebugUtilsMessengerEXT messenger;
   unsigned validation_errors;
   VkPhysicalDevice phys;
   VkPhysicalDeviceMemoryProperties mem_props;
   uint32_t queue_family;
   VkDevice device;
   VkQueue queue;
   VkImage image;
   VkDeviceMemory image_memory;
   VkImageView view;
   VkRenderPass render_pass;
   VkFramebuffer framebuffer;
   struct buffer readback, vertices, buffers[PV_MAX_BUFFERS];
   VkDescriptorSetLayout set_layout;
   VkDescriptorPool descriptor_pool;
   VkDescriptorSet set;
   VkPipelineLayout layout;
   VkShaderModule modules[PV_STAGE_COUNT];
   struct pipeline pipelines[16];
   unsigned n_pipelines;
   VkCommandPool pool;
   VkCommandBuffer cmd;
   VkFence fence;
   bool recording, in_render_pass, image_ready;
   uint32_t vertices_used;
   float clear_color[4];
};

extern struct runner r;

/* Prints the result line and exits (no teardown: the process exit releases everything).
 * A pass turns into a fail when the validation layer reported errors. */
__attribute__((noreturn, format(printf, 2, 3))) void finish(enum result res, const char *fmt, ...);

#define CHECK(expr)                                                                                \
   do {                                                                                            \
      VkResult check_r_ = (expr);                                                                  \
      if (check_r_ != VK_SUCCESS)                                                                  \
         finish(FAIL, "%s:%d: %s returned VkResult %d", __FILE__, __LINE__, #expr, (int)check_r_); \
   } while (0)

/* execute.c: runs the [test] commands; returns the first failure's message or NULL. */
const char *execute_script(char *msg, size_t msg_size);
/* execute.c: waits for the device and destroys everything. */
void teardown(void);

#endif
