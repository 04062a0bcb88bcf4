/* SPDX-License-Identifier: MIT */
/*
 * pv-shader-runner: runs one VkRunner-format shader test (piglit's *.vk_shader_test) with plain
 * Vulkan, offscreen, and prints one line:
 *   PIGLIT: <name>: pass
 *   PIGLIT: <name>: fail (<reason>)
 *   PIGLIT: <name>: skip (<reason>)
 * preceded by "PIGLIT-DEVICE: <deviceName>" once a device is chosen. Exit status: 0 pass,
 * 1 fail, 77 skip.
 *
 * Like VkRunner: the framebuffer is 250x250 B8G8R8A8_UNORM unless [require] names a format; the
 * device is the first one with a graphics queue and every [require]d feature, and only those
 * features are enabled; shaders are compiled with glslangValidator at run time; ubo/ssbo
 * bindings live in descriptor set 0; the default probe tolerance is 0.01. One deliberate
 * difference: a geometry (tessellation) shader stage implies the geometryShader
 * (tessellationShader) feature, because Vulkan only allows the stage with it enabled; a device
 * without it skips the test.
 *
 * usage: pv-shader-runner FILE.vk_shader_test
 * Environment: PV_PIGLIT_VALIDATE=1 enables the Khronos validation layer; any error it reports
 * fails the test.
 */
#include "compile.h"
#include "runner.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct runner r;

void
finish(enum result res, const char *fmt, ...)
{
   static const char *const names[] = {"pass", "fail", "skip"};
   char reason[1024] = "";
   if (fmt) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(reason, sizeof(reason), fmt, ap);
      va_end(ap);
   }
   if (res == PASS && r.validation_errors) {
      res = FAIL;
      snprintf(reason, sizeof(reason), "%u validation errors", r.validation_errors);
   }
   printf("PIGLIT: %s: %s%s%s%s\n", r.name, names[res], *reason ? " (" : "", reason,
          *reason ? ")" : "");
   fflush(stdout);
   exit(res == PASS ? 0 : res == SKIP ? 77 : 1);
}

static VKAPI_ATTR VkBool32 VKAPI_CALL
on_validation(VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT type,
              const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
   (void)type;
   (void)user;
   if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
      r.validation_errors++;
   fprintf(stderr, "validation: %s\n", data->pMessage);
   return VK_FALSE;
}

static void
create_instance(void)
{
   bool validate = getenv("PV_PIGLIT_VALIDATE") && strcmp(getenv("PV_PIGLIT_VALIDATE"), "1") == 0;
   const char *layer = "VK_LAYER_KHRONOS_validation";
   const char *ext = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
   VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                            .pApplicationName = "pv-shader-runner",
                            .apiVersion = VK_API_VERSION_1_0};
   VkDebugUtilsMessengerCreateInfoEXT mci = {
      .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
      .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT |
                         VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT,
      .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT,
      .pfnUserCallback = on_validation};
   VkInstanceCreateInfo ci = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                              .pNext = validate ? &mci : NULL,
                              .pApplicationInfo = &app,
                              .enabledLayerCount = validate,
                              .ppEnabledLayerNames = &layer,
                              .enabledExtensionCount = validate,
                              .ppEnabledExtensionNames = &ext};
   CHECK(vkCreateInstance(&ci, NULL, &r.instance));
   if (validate) {
      PFN_vkCreateDebugUtilsMessengerEXT create = (PFN_vkCreateDebugUtilsMessengerEXT)(void (*)(
         void))vkGetInstanceProcAddr(r.instance, "vkCreateDebugUtilsMessengerEXT");
      if (!create)
         finish(FAIL, "no vkCreateDebugUtilsMessengerEXT");
      CHECK(create(r.instance, &mci, NULL, &r.messenger));
   }
}

/* The first device with a graphics queue and every required feature; skips the test when
 * none has them. */
static void
choose_device(void)
{
   bool required[PV_FEATURE_COUNT];
   memcpy(required, r.s.required, sizeof(required));
   if (r.s.source[PV_STAGE_GEOMETRY])
      required[pv_feature_index("geometryShader")] = true;
   if (r.s.source[PV_STAGE_TESS_CTRL] || r.s.source[PV_STAGE_TESS_EVAL])
      required[pv_feature_index("tessellationShader")] = true;

   VkPhysicalDevice devs[16];
   uint32_t n = ARRAY_SIZE(devs);
   VkResult res = vkEnumeratePhysicalDevices(r.instance, &n, devs);
   if (res != VK_SUCCESS && res != VK_INCOMPLETE)
      finish(FAIL, "vkEnumeratePhysicalDevices returned %d", (int)res);
   const char *missing = NULL;
   for (uint32_t d = 0; d < n; d++) {
      VkQueueFamilyProperties qf[16];
      uint32_t nq = ARRAY_SIZE(qf);
      vkGetPhysicalDeviceQueueFamilyProperties(devs[d], &nq, qf);
      uint32_t q;
      for (q = 0; q < nq && !(qf[q].queueFlags & VK_QUEUE_GRAPHICS_BIT); q++)
         ;
      if (q == nq)
         continue;
      VkPhysicalDeviceFeatures have;
      vkGetPhysicalDeviceFeatures(devs[d], &have);
      const VkBool32 *bits = (const VkBool32 *)&have;
      const char *lacks = NULL;
      for (unsigned f = 0; f < PV_FEATURE_COUNT && !lacks; f++) {
         if (required[f] && !bits[f])
            lacks = pv_feature_name(f);
      }
      if (lacks) {
         if (!missing) {
            VkPhysicalDeviceProperties props;
            vkGetPhysicalDeviceProperties(devs[d], &props);
            printf("PIGLIT-DEVICE: %s\n", props.deviceName);
            missing = lacks;
         }
         continue;
      }
      r.phys = devs[d];
      r.queue_family = q;
      break;
   }
   if (!r.phys && missing)
      finish(SKIP, "the device lacks the %s feature", missing);
   if (!r.phys)
      finish(FAIL, "no Vulkan device with a graphics queue");

   VkPhysicalDeviceProperties props;
   vkGetPhysicalDeviceProperties(r.phys, &props);
   printf("PIGLIT-DEVICE: %s\n", props.deviceName);
   vkGetPhysicalDeviceMemoryProperties(r.phys, &r.mem_props);
   VkFormatProperties fp;
   vkGetPhysicalDeviceFormatProperties(r.phys, r.s.format, &fp);
   if (!(fp.optimalTilingFeatures & VK_FORMAT_FEATURE_COLOR_ATTACHMENT_BIT))
      finish(SKIP, "the framebuffer format is not a colour attachment format on this device");

   VkPhysicalDeviceFeatures enable;
   memset(&enable, 0, sizeof(enable));
   VkBool32 *enable_bits = (VkBool32 *)&enable;
   for (unsigned f = 0; f < PV_FEATURE_COUNT; f++)
      enable_bits[f] = required[f];
   float priority = 1.0f;
   VkDeviceQueueCreateInfo qci = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                  .queueFamilyIndex = r.queue_family,
                                  .queueCount = 1,
                                  .pQueuePriorities = &priority};
   VkDeviceCreateInfo dci = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                             .queueCreateInfoCount = 1,
                             .pQueueCreateInfos = &qci,
                             .pEnabledFeatures = &enable};
   CHECK(vkCreateDevice(r.phys, &dci, NULL, &r.device));
   vkGetDeviceQueue(r.device, r.queue_family, 0, &r.queue);
}

static VkDeviceMemory
allocate(VkMemoryRequirements req, VkMemoryPropertyFlags flags)
{
   for (uint32_t i = 0; i < r.mem_props.memoryTypeCount; i++) {
      if ((req.memoryTypeBits & (1u << i)) &&
          (r.mem_props.memoryTypes[i].propertyFlags & flags) == flags) {
         VkMemoryAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                    .allocationSize = req.size,
                                    .memoryTypeIndex = i};
         VkDeviceMemory mem;
         CHECK(vkAllocateMemory(r.device, &ai, NULL, &mem));
         return mem;
      }
   }
   finish(FAIL, "no memory type with flags 0x%x", (unsigned)flags);
}

/* A host-visible, coherent, mapped, zeroed buffer. */
static void
create_buffer(struct buffer *b, VkDeviceSize size, VkBufferUsageFlags usage)
{
   VkBufferCreateInfo bci = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                             .size = size,
                             .usage = usage,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
   CHECK(vkCreateBuffer(r.device, &bci, NULL, &b->buffer));
   VkMemoryRequirements req;
   vkGetBufferMemoryRequirements(r.device, b->buffer, &req);
   b->memory =
      allocate(req, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   CHECK(vkBindBufferMemory(r.device, b->buffer, b->memory, 0));
   CHECK(vkMapMemory(r.device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->map));
   memset(b->map, 0, size);
}

static void
create_framebuffer(void)
{
   VkImageCreateInfo ici = {.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
                            .imageType = VK_IMAGE_TYPE_2D,
                            .format = r.s.format,
                            .extent = {r.s.width, r.s.height, 1},
                            .mipLevels = 1,
                            .arrayLayers = 1,
                            .samples = VK_SAMPLE_COUNT_1_BIT,
                            .tiling = VK_IMAGE_TILING_OPTIMAL,
                            .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT |
                                     VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                            .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
                            .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
   CHECK(vkCreateImage(r.device, &ici, NULL, &r.image));
   VkMemoryRequirements req;
   vkGetImageMemoryRequirements(r.device, r.image, &req);
   r.image_memory = allocate(req, 0);
   CHECK(vkBindImageMemory(r.device, r.image, r.image_memory, 0));
   VkImageViewCreateInfo vci = {.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
                                .image = r.image,
                                .viewType = VK_IMAGE_VIEW_TYPE_2D,
                                .format = r.s.format,
                                .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1}};
   CHECK(vkCreateImageView(r.device, &vci, NULL, &r.view));

   VkAttachmentDescription att = {.format = r.s.format,
                                  .samples = VK_SAMPLE_COUNT_1_BIT,
                                  .loadOp = VK_ATTACHMENT_LOAD_OP_LOAD,
                                  .storeOp = VK_ATTACHMENT_STORE_OP_STORE,
                                  .stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE,
                                  .stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE,
                                  .initialLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL,
                                  .finalLayout = VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   VkAttachmentReference ref = {0, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL};
   VkSubpassDescription sub = {.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS,
                               .colorAttachmentCount = 1,
                               .pColorAttachments = &ref};
   VkRenderPassCreateInfo rci = {.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO,
                                 .attachmentCount = 1,
                                 .pAttachments = &att,
                                 .subpassCount = 1,
                                 .pSubpasses = &sub};
   CHECK(vkCreateRenderPass(r.device, &rci, NULL, &r.render_pass));
   VkFramebufferCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
                                  .renderPass = r.render_pass,
                                  .attachmentCount = 1,
                                  .pAttachments = &r.view,
                                  .width = r.s.width,
                                  .height = r.s.height,
                                  .layers = 1};
   CHECK(vkCreateFramebuffer(r.device, &fci, NULL, &r.framebuffer));
   create_buffer(&r.readback, (VkDeviceSize)r.s.width * r.s.height * 4,
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT);
   create_buffer(&r.vertices, VERTEX_BUFFER_SIZE, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
}

/* Descriptor set 0 with every ubo/ssbo the script names; the pipeline layout. */
static void
create_layout(void)
{
   VkDescriptorSetLayoutBinding b[PV_MAX_BUFFERS];
   VkDescriptorPoolSize sizes[2] = {{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 0},
                                    {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 0}};
   for (unsigned i = 0; i < r.s.n_buffers; i++) {
      const struct pv_buffer_decl *d = &r.s.buffers[i];
      if (d->set != 0)
         finish(FAIL, "descriptor set %u is not supported by this runner", d->set);
      b[i] =
         (VkDescriptorSetLayoutBinding){d->binding, d->type, 1, VK_SHADER_STAGE_ALL_GRAPHICS, NULL};
      sizes[d->type == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER].descriptorCount++;
      create_buffer(&r.buffers[i], (d->size + 15u) & ~15u,
                    d->type == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER
                       ? VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT
                       : VK_BUFFER_USAGE_STORAGE_BUFFER_BIT);
   }
   VkPipelineLayoutCreateInfo plci = {.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
   if (r.s.n_buffers) {
      VkDescriptorSetLayoutCreateInfo lci = {.sType =
                                                VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                             .bindingCount = r.s.n_buffers,
                                             .pBindings = b};
      CHECK(vkCreateDescriptorSetLayout(r.device, &lci, NULL, &r.set_layout));
      VkDescriptorPoolSize used[2];
      uint32_t n_used = 0;
      for (int i = 0; i < 2; i++) {
         if (sizes[i].descriptorCount)
            used[n_used++] = sizes[i];
      }
      VkDescriptorPoolCreateInfo pci = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                        .maxSets = 1,
                                        .poolSizeCount = n_used,
                                        .pPoolSizes = used};
      CHECK(vkCreateDescriptorPool(r.device, &pci, NULL, &r.descriptor_pool));
      VkDescriptorSetAllocateInfo ai = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                        .descriptorPool = r.descriptor_pool,
                                        .descriptorSetCount = 1,
                                        .pSetLayouts = &r.set_layout};
      CHECK(vkAllocateDescriptorSets(r.device, &ai, &r.set));
      for (unsigned i = 0; i < r.s.n_buffers; i++) {
         VkDescriptorBufferInfo info = {r.buffers[i].buffer, 0, VK_WHOLE_SIZE};
         VkWriteDescriptorSet w = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                   .dstSet = r.set,
                                   .dstBinding = r.s.buffers[i].binding,
                                   .descriptorCount = 1,
                                   .descriptorType = r.s.buffers[i].type,
                                   .pBufferInfo = &info};
         vkUpdateDescriptorSets(r.device, 1, &w, 0, NULL);
      }
      plci.setLayoutCount = 1;
      plci.pSetLayouts = &r.set_layout;
   }
   CHECK(vkCreatePipelineLayout(r.device, &plci, NULL, &r.layout));
}

static void
create_shaders(void)
{
   static const char passthrough[] = "#version 430\n"
                                     "layout(location = 0) in vec4 piglit_vertex;\n"
                                     "void main() { gl_Position = piglit_vertex; }\n";
   for (int st = 0; st < PV_STAGE_COUNT; st++) {
      const char *src = r.s.source[st];
      if (st == PV_STAGE_VERTEX && r.s.passthrough_vertex)
         src = passthrough;
      if (!src)
         continue;
      uint32_t *code;
      size_t size;
      char err[1024];
      if (!pv_compile_glsl((enum pv_stage)st, src, &code, &size, err, sizeof(err)))
         finish(FAIL, "%s", err);
      VkShaderModuleCreateInfo ci = {
         .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = size, .pCode = code};
      CHECK(vkCreateShaderModule(r.device, &ci, NULL, &r.modules[st]));
      free(code);
   }
}

int
main(int argc, char **argv)
{
   if (argc != 2) {
      fprintf(stderr, "usage: %s FILE.vk_shader_test\n", argv[0]);
      return 2;
   }
   /* The test's name: the file name without directory and extension, as piglit names it. */
   static char name[256];
   const char *base = strrchr(argv[1], '/');
   snprintf(name, sizeof(name), "%s", base ? base + 1 : argv[1]);
   char *dot = strstr(name, ".vk_shader_test");
   if (dot)
      *dot = '\0';
   r.name = name;

   char err[1024];
   if (!pv_script_load(&r.s, argv[1], err, sizeof(err)))
      finish(FAIL, "script error: %s", err);
   create_instance();
   choose_device();
   create_framebuffer();
   create_layout();
   create_shaders();
   char msg[1024];
   const char *failure = execute_script(msg, sizeof(msg));
   teardown();
   if (failure)
      finish(FAIL, "%s", failure);
   finish(PASS, "%s", "");
}
