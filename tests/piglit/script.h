/* SPDX-License-Identifier: MIT */
/*
 * The subset of VkRunner's shader_test format (as piglit's tests/vulkan/ shader tests use it)
 * that pv-shader-runner understands, parsed into a list of commands.
 *
 * Sections: [require] (VkPhysicalDeviceFeatures member names, `framebuffer FORMAT`),
 * [vertex shader passthrough], [vertex|tessellation control|tessellation evaluation|geometry|
 * fragment shader] (GLSL, one source per stage), [test].
 * [test] commands: clear color R G B A; clear; draw rect [ortho] X Y W H;
 * draw arrays [instanced] TOPOLOGY FIRST COUNT [INSTANCES]; ubo|ssbo [SET:]BINDING subdata TYPE
 * OFFSET VALUES...; tolerance T [T T T] [%]; probe all rgb|rgba R G B [A];
 * [relative] probe [rect] rgb|rgba (X, Y[, W, H]) (R, G, B[, A]).
 * Anything else is a script error: the runner reports it instead of guessing.
 */
#ifndef PV_PIGLIT_SCRIPT_H
#define PV_PIGLIT_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

enum pv_stage {
   PV_STAGE_VERTEX,
   PV_STAGE_TESS_CTRL,
   PV_STAGE_TESS_EVAL,
   PV_STAGE_GEOMETRY,
   PV_STAGE_FRAGMENT,
   PV_STAGE_COUNT,
};

enum pv_op {
   PV_OP_CLEAR_COLOR,
   PV_OP_CLEAR,
   PV_OP_DRAW_RECT,
   PV_OP_DRAW_ARRAYS,
   PV_OP_BUFFER_SUBDATA,
   PV_OP_PROBE,
};

struct pv_command {
   enum pv_op op;
   int line;
   union {
      float color[4]; /* clear color */
      struct {
         float x, y, w, h; /* normalised device coordinates */
      } rect;
      struct {
         VkPrimitiveTopology topology;
         uint32_t first, count, instances;
      } draw;
      struct {
         unsigned buffer; /* index into pv_script.buffers */
         uint32_t offset, size;
         uint8_t data[64];
      } subdata;
      struct {
         int x, y, w, h; /* pixels, origin top left */
         int n_components;
         double color[4];
         double tolerance[4];
         bool percent;
      } probe;
   } u;
};

/* A uniform or storage buffer named by a ubo/ssbo command; size: the largest extent written. */
struct pv_buffer_decl {
   uint32_t set, binding;
   VkDescriptorType type;
   uint32_t size;
};

#define PV_MAX_BUFFERS 16
#define PV_FEATURE_COUNT (sizeof(VkPhysicalDeviceFeatures) / sizeof(VkBool32))

struct pv_script {
   char *source[PV_STAGE_COUNT]; /* GLSL, NULL when the stage is absent */
   bool passthrough_vertex;
   bool required[PV_FEATURE_COUNT]; /* indexed like the VkBool32 members of VkPhysicalDeviceFeatures
                                     */
   VkFormat format;
   uint32_t width, height;
   struct pv_buffer_decl buffers[PV_MAX_BUFFERS];
   unsigned n_buffers;
   struct pv_command *commands;
   size_t n_commands;
};

/* Parses PATH; on error returns false with a message in err. */
bool pv_script_load(struct pv_script *s, const char *path, char *err, size_t err_size);
void pv_script_free(struct pv_script *s);

/* Name of feature index i of VkPhysicalDeviceFeatures; -1 from the lookup when unknown. */
const char *pv_feature_name(unsigned i);
int pv_feature_index(const char *name);

#endif
