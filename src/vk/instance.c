/* SPDX-License-Identifier: MIT */
/*
 * VkInstance family: the global enumerations and the one host instance of a context.
 *
 * The guest's instance is not the host's: the guest driver creates its instance with no layers
 * or extensions of ours to honour (venus-wire.md 6.4), so we create the host instance the
 * renderer needs (API >= 1.1, the validation layer when asked for) and ignore the guest's
 * layer and extension lists and its pNext chain.
 */
#include <stdlib.h>
#include <string.h>

#include "renderer/host_driver.h"
#include "util/log.h"
#include "vk/pv_vk.h"

#define PV_VALIDATION_LAYER "VK_LAYER_KHRONOS_validation"

/* ----- global queries --------------------------------------------------------------------- */

static uint32_t
loader_api_version(struct pv_context *ctx)
{
   PFN_vkEnumerateInstanceVersion fn =
      (PFN_vkEnumerateInstanceVersion)pv_vk_instance_proc(ctx, NULL, "vkEnumerateInstanceVersion");
   uint32_t version = VK_API_VERSION_1_0; /* a 1.0 loader lacks the entry point */
   if (fn && fn(&version) != VK_SUCCESS)
      version = VK_API_VERSION_1_0;
   return version;
}

void
pv_vk_handle_EnumerateInstanceVersion(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEnumerateInstanceVersion *a = args;
   if (!a->pApiVersion) {
      pv_venus_fatal(c, "vkEnumerateInstanceVersion: pApiVersion missing");
      return;
   }
   struct pv_context *ctx = pv_venus_from(c);
   if (!pv_venus_host(ctx)->GetInstanceProcAddr) {
      a->ret = VK_ERROR_INITIALIZATION_FAILED;
      return;
   }
   *a->pApiVersion = pv_vk_cap_api_version(loader_api_version(ctx));
   a->ret = VK_SUCCESS;
}

/* The count/array idiom for a fixed list: copies what fits, VK_INCOMPLETE when not all did. */
static VkResult
fill_extensions(uint32_t *count, VkExtensionProperties *out, const VkExtensionProperties *list,
                uint32_t n)
{
   if (!out) {
      *count = n;
      return VK_SUCCESS;
   }
   uint32_t m = *count < n ? *count : n;
   memcpy(out, list, sizeof(*out) * m);
   *count = m;
   return m < n ? VK_INCOMPLETE : VK_SUCCESS;
}

void
pv_vk_handle_EnumerateInstanceExtensionProperties(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEnumerateInstanceExtensionProperties *a = args;
   if (!a->pPropertyCount) {
      pv_venus_fatal(c, "vkEnumerateInstanceExtensionProperties: pPropertyCount missing");
      return;
   }
   if (a->pLayerName) {
      a->ret = VK_ERROR_LAYER_NOT_PRESENT;
      return;
   }
   /* Only the dialect's private extensions, as the reference renderer answers: the guest
    * implements every real instance extension itself. */
   static const char *const names[] = {"VK_EXT_command_serialization", "VK_MESA_venus_protocol"};
   VkExtensionProperties list[2];
   uint32_t n = 0;
   struct pv_context *ctx = pv_venus_from(c);
   for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
      int64_t spec = pv_vk_table_spec_version(ctx, names[i]);
      if (spec < 0)
         continue;
      memset(&list[n], 0, sizeof(list[n]));
      strncpy(list[n].extensionName, names[i], sizeof(list[n].extensionName) - 1);
      list[n].specVersion = (uint32_t)spec;
      n++;
   }
   a->ret = fill_extensions(a->pPropertyCount, a->pProperties, list, n);
}

void
pv_vk_handle_EnumerateInstanceLayerProperties(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkEnumerateInstanceLayerProperties *a = args;
   if (!a->pPropertyCount) {
      pv_venus_fatal(c, "vkEnumerateInstanceLayerProperties: pPropertyCount missing");
      return;
   }
   *a->pPropertyCount = 0; /* layers are the host's business, never the guest's */
   a->ret = VK_SUCCESS;
}

/* ----- vkCreateInstance ------------------------------------------------------------------- */

static VKAPI_ATTR VkBool32 VKAPI_CALL
validation_cb(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
              VkDebugUtilsMessageTypeFlagsEXT types,
              const VkDebugUtilsMessengerCallbackDataEXT *data, void *user)
{
   (void)types;
   const char *name = user ? pv_venus_name(user) : "?";
   const char *msg = data && data->pMessage ? data->pMessage : "(no message)";
   /* The exact prefix is what the end-to-end tests grep the server log for; what the layer says
    * of the transform feedback workaround's own calls is known and logged as such. */
   if (pv_vk_xfb_own_call())
      pv_info("validation, of the transform feedback counter copy lavapipe gets: [%s] %s", name,
              msg);
   else if (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)
      pv_err("pearvisor: validation: [%s] %s", name, msg);
   else
      pv_warn("pearvisor: validation: [%s] %s", name, msg);
   return VK_FALSE;
}

static bool
loader_has_extension(struct pv_context *ctx, const char *name)
{
   return pv_venus_loader_has_extension(
      (PFN_vkEnumerateInstanceExtensionProperties)pv_vk_instance_proc(
         ctx, NULL, "vkEnumerateInstanceExtensionProperties"),
      name);
}

static bool
loader_has_layer(struct pv_context *ctx, const char *name)
{
   PFN_vkEnumerateInstanceLayerProperties fn =
      (PFN_vkEnumerateInstanceLayerProperties)pv_vk_instance_proc(
         ctx, NULL, "vkEnumerateInstanceLayerProperties");
   uint32_t n = 0;
   if (!fn || fn(&n, NULL) != VK_SUCCESS || n == 0)
      return false;
   VkLayerProperties *props = calloc(n, sizeof(*props));
   bool found = false;
   if (props && fn(&n, props) >= 0) {
      for (uint32_t i = 0; i < n && !found; i++)
         found = !strcmp(props[i].layerName, name);
   }
   free(props);
   return found;
}

/* What we ask the host loader for, built on the stack of the create handler. */
struct instance_setup {
   VkApplicationInfo app;
   VkDebugUtilsMessengerCreateInfoEXT messenger;
   const char *layers[1];
   const char *exts[3];
   struct pv_host_driver_chain driver;
   VkInstanceCreateInfo info;
};

static void
instance_setup_init(struct pv_context *ctx, const VkInstanceCreateInfo *guest,
                    struct instance_setup *s)
{
   memset(s, 0, sizeof(*s));
   s->app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
   if (guest->pApplicationInfo) {
      s->app = *guest->pApplicationInfo;
      s->app.pNext = NULL;
   }
   /* At least 1.1 for the renderer's own calls, and the newest version we serve: Mesa host
    * drivers hide core entry points above the instance's apiVersion, and the generated
    * dispatch reaches device commands through loader trampolines that would then jump to
    * NULL. The guest's own version only limits what the guest uses. */
   uint32_t served = pv_vk_cap_api_version(loader_api_version(ctx));
   if (s->app.apiVersion < served)
      s->app.apiVersion = served;
   if (s->app.apiVersion < VK_API_VERSION_1_1)
      s->app.apiVersion = VK_API_VERSION_1_1;

   s->info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
   s->info.pApplicationInfo = &s->app;
   s->info.ppEnabledLayerNames = s->layers;
   s->info.ppEnabledExtensionNames = s->exts;
   if (pv_venus_config(ctx)->validate) {
      s->layers[s->info.enabledLayerCount++] = PV_VALIDATION_LAYER;
      s->exts[s->info.enabledExtensionCount++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;
      s->messenger.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
      s->messenger.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT |
                                     VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
      s->messenger.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT;
      s->messenger.pfnUserCallback = validation_cb;
      s->messenger.pUserData = ctx;
      /* chained too, so instance creation and destruction are checked as well */
      s->info.pNext = &s->messenger;
   }
   /* Exactly the configured host driver (pv_renderer_config.host_icd), where the loader can. */
   const char *driver_ext = pv_host_driver_chain(pv_venus_host_driver(ctx), &s->driver, &s->info);
   if (driver_ext)
      s->exts[s->info.enabledExtensionCount++] = driver_ext;
   /* MoltenVK and other portability drivers only enumerate with this. */
   if (loader_has_extension(ctx, VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME)) {
      s->exts[s->info.enabledExtensionCount++] = VK_KHR_PORTABILITY_ENUMERATION_EXTENSION_NAME;
      s->info.flags |= VK_INSTANCE_CREATE_ENUMERATE_PORTABILITY_BIT_KHR;
   }
}

#define LOAD_INSTANCE(inst, ctx, instance, name)                                                   \
   ((inst)->name = (PFN_vk##name)pv_vk_instance_proc((ctx), (instance), "vk" #name))

static bool
load_instance_procs(struct pv_context *ctx, VkInstance instance, struct pv_vk_instance *inst)
{
   LOAD_INSTANCE(inst, ctx, instance, DestroyInstance);
   LOAD_INSTANCE(inst, ctx, instance, EnumeratePhysicalDevices);
   LOAD_INSTANCE(inst, ctx, instance, EnumeratePhysicalDeviceGroups);
   LOAD_INSTANCE(inst, ctx, instance, EnumerateDeviceExtensionProperties);
   LOAD_INSTANCE(inst, ctx, instance, GetPhysicalDeviceProperties2);
   LOAD_INSTANCE(inst, ctx, instance, GetPhysicalDeviceMemoryProperties);
   LOAD_INSTANCE(inst, ctx, instance, GetPhysicalDeviceQueueFamilyProperties);
   LOAD_INSTANCE(inst, ctx, instance, CreateDevice);
   LOAD_INSTANCE(inst, ctx, instance, GetDeviceProcAddr);
   LOAD_INSTANCE(inst, ctx, instance, DestroyDebugUtilsMessengerEXT);
   return inst->DestroyInstance && inst->EnumeratePhysicalDevices &&
          inst->EnumerateDeviceExtensionProperties && inst->GetPhysicalDeviceProperties2 &&
          inst->GetPhysicalDeviceMemoryProperties && inst->GetPhysicalDeviceQueueFamilyProperties &&
          inst->CreateDevice && inst->GetDeviceProcAddr;
}

/* Fills the generated pass-through table; entries the host lacks stay NULL and the generated
 * handler makes their use fatal. */
static void
load_dispatch(struct pv_context *ctx, VkInstance instance, struct pv_vk_dispatch *vk)
{
   memset(vk, 0, sizeof(*vk));
   for (size_t i = 0; i < pv_vk_dispatch_entry_count; i++) {
      PFN_vkVoidFunction fn = pv_vk_instance_proc(ctx, instance, pv_vk_dispatch_entries[i].name);
      memcpy((char *)vk + pv_vk_dispatch_entries[i].offset, &fn, sizeof(fn));
   }
}

static void
instance_free_data(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_instance *inst = obj->data;
   if (inst) {
      free(inst->phys);
      free(inst->phys_ids);
      free(inst->status);
      pthread_mutex_destroy(&inst->status_lock);
      free(inst);
   }
   obj->data = NULL;
}

static VkResult
create_messenger(struct pv_context *ctx, VkInstance instance, struct pv_vk_instance *inst,
                 const VkDebugUtilsMessengerCreateInfoEXT *info)
{
   PFN_vkCreateDebugUtilsMessengerEXT create =
      (PFN_vkCreateDebugUtilsMessengerEXT)pv_vk_instance_proc(ctx, instance,
                                                              "vkCreateDebugUtilsMessengerEXT");
   if (!create || !inst->DestroyDebugUtilsMessengerEXT)
      return VK_ERROR_EXTENSION_NOT_PRESENT;
   VkDebugUtilsMessengerCreateInfoEXT standalone = *info;
   standalone.pNext = NULL;
   return create(instance, &standalone, NULL, &inst->messenger);
}

/* Creates the host instance and its family state; a VkResult for the guest. */
static VkResult
create_host_instance(struct pv_context *ctx, const VkInstanceCreateInfo *guest, VkInstance *out,
                     struct pv_vk_instance **out_inst)
{
   PFN_vkCreateInstance create =
      (PFN_vkCreateInstance)pv_vk_instance_proc(ctx, NULL, "vkCreateInstance");
   if (!create || loader_api_version(ctx) < VK_API_VERSION_1_1) {
      pv_err("vkCreateInstance: the host Vulkan loader offers no Vulkan 1.1");
      return VK_ERROR_INITIALIZATION_FAILED;
   }
   struct instance_setup s;
   instance_setup_init(ctx, guest, &s);
   if (pv_venus_config(ctx)->validate && !loader_has_layer(ctx, PV_VALIDATION_LAYER)) {
      pv_err("vkCreateInstance: validation requested but %s is not installed", PV_VALIDATION_LAYER);
      return VK_ERROR_LAYER_NOT_PRESENT;
   }
   struct pv_vk_instance *inst = calloc(1, sizeof(*inst));
   if (!inst)
      return VK_ERROR_OUT_OF_HOST_MEMORY;
   inst->api_version = s.app.apiVersion;
   pthread_mutex_init(&inst->status_lock, NULL);
   VkInstance instance = VK_NULL_HANDLE;
   pv_vk_loader_lock();
   VkResult r = create(&s.info, NULL, &instance);
   pv_vk_loader_unlock();
   if (r < 0) {
      pv_err_limited("vkCreateInstance: host driver failed (%d)", r);
      free(inst);
      return r;
   }
   r = load_instance_procs(ctx, instance, inst) ? VK_SUCCESS : VK_ERROR_INITIALIZATION_FAILED;
   if (r == VK_SUCCESS && pv_venus_config(ctx)->validate)
      r = create_messenger(ctx, instance, inst, &s.messenger);
   if (r != VK_SUCCESS) {
      pv_err_limited("vkCreateInstance: host instance unusable (%d)", r);
      PFN_vkDestroyInstance destroy = inst->DestroyInstance;
      pv_vk_loader_lock();
      if (destroy)
         destroy(instance, NULL);
      pv_vk_loader_unlock();
      free(inst);
      return r;
   }
   *out = instance;
   *out_inst = inst;
   return VK_SUCCESS;
}

static void
destroy_host_messenger(pv_host_fn fn, uint64_t instance, uint64_t messenger)
{
   ((PFN_vkDestroyDebugUtilsMessengerEXT)fn)(
      PV_TO_HANDLE(VkInstance, instance), PV_TO_HANDLE(VkDebugUtilsMessengerEXT, messenger), NULL);
}

static void
destroy_host_instance_now(pv_host_fn fn, uint64_t parent, uint64_t instance)
{
   (void)parent;
   pv_vk_loader_lock();
   ((PFN_vkDestroyInstance)fn)(PV_TO_HANDLE(VkInstance, instance), NULL);
   pv_vk_loader_unlock();
}

void
pv_vk_instance_destroy_host(struct pv_context *ctx, struct pv_vk_instance *inst,
                            VkInstance instance)
{
   /* After its devices, whose host destroys may wait for other rings' commands (reclaim.h);
    * levels 2: a device another ring destroys now hands its own destroy over once more. */
   if (inst->messenger != VK_NULL_HANDLE)
      pv_venus_host_destroy_last(ctx, destroy_host_messenger,
                                 (pv_host_fn)inst->DestroyDebugUtilsMessengerEXT,
                                 PV_FROM_HANDLE(instance), PV_FROM_HANDLE(inst->messenger), 2);
   inst->messenger = VK_NULL_HANDLE;
   pv_venus_host_destroy_last(ctx, destroy_host_instance_now, (pv_host_fn)inst->DestroyInstance, 0,
                              PV_FROM_HANDLE(instance), 2);
}

/* One nobody else knows yet (its create failed later on). */
static void
destroy_host_instance(struct pv_vk_instance *inst, VkInstance instance)
{
   if (inst->messenger != VK_NULL_HANDLE)
      destroy_host_messenger((pv_host_fn)inst->DestroyDebugUtilsMessengerEXT,
                             PV_FROM_HANDLE(instance), PV_FROM_HANDLE(inst->messenger));
   destroy_host_instance_now((pv_host_fn)inst->DestroyInstance, 0, PV_FROM_HANDLE(instance));
   free(inst);
}

void
pv_vk_handle_CreateInstance(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateInstance *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_host *host = pv_venus_host(ctx);
   if (!a->pCreateInfo || !a->pInstance || PV_FROM_HANDLE(*a->pInstance) == 0) {
      pv_venus_fatal(c, "vkCreateInstance: missing create info or instance id");
      return;
   }
   if (host->instance) {
      pv_venus_fatal(c, "vkCreateInstance: the context already has an instance");
      return;
   }
   if (!host->GetInstanceProcAddr) {
      a->ret = VK_ERROR_INITIALIZATION_FAILED;
      return;
   }
   uint64_t id = PV_FROM_HANDLE(*a->pInstance);
   VkInstance instance;
   struct pv_vk_instance *inst;
   a->ret = create_host_instance(ctx, a->pCreateInfo, &instance, &inst);
   if (a->ret != VK_SUCCESS)
      return;
   struct pv_object *obj =
      pv_object_add(ctx, VK_OBJECT_TYPE_INSTANCE, id, PV_FROM_HANDLE(instance), 0);
   if (!obj) {
      destroy_host_instance(inst, instance);
      pv_venus_fatal(c, "vkCreateInstance: id 0x%llx already in use", (unsigned long long)id);
      return;
   }
   obj->data = inst;
   obj->free_data = instance_free_data;
   load_dispatch(ctx, instance, &host->vk);
   host->instance_api_version = loader_api_version(ctx);
   host->instance_id = id;
   host->instance = instance;
   /* *a->pInstance still holds the guest id: the reply echoes it */
}

void
pv_vk_handle_DestroyInstance(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkDestroyInstance *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   if (a->instance == VK_NULL_HANDLE)
      return; /* a valid no-op in Vulkan */
   if (a->instance != pv_venus_host(ctx)->instance) {
      pv_venus_fatal(c, "vkDestroyInstance: not this context's instance");
      return;
   }
   /* Everything the guest left behind goes with it, as vkDestroyInstance implies. */
   pv_vk_instance_teardown(ctx);
}
