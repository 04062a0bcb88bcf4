/* SPDX-License-Identifier: MIT */
/*
 * fuzz_hostile (issue 12): hostile *values* inside real guest streams, against the real host
 * driver. Unlike the other targets this one is linked with the Vulkan loader and runs lavapipe
 * (VK_ICD_FILENAMES defaults to it): a copy with a hostile offset is a memcpy in this process,
 * so ASan sees what the renderer lets through.
 *
 * Input: a wire format 0 Venus command stream as a Mesa 22.3.6 guest puts it on its ring
 * (tests/fuzz/record-seeds, then make-seeds: vkCreateInstance ... vkQueueSubmit ...
 * vkDestroyInstance of pv-compute, pv-transfer, pv-graphics). Per input: a fresh context, its
 * reply stream on a 1 MiB shared-memory resource 1 (as the guest set it), the stream through
 * pv_context_submit, and the context destroyed (every host object released, device idle).
 *
 * The custom mutator knows the command boundaries (it decodes the stream with the generated
 * codec against no-op handlers) and mostly rewrites *values*: a u32 or u64 field of a command
 * (never its type word) becomes an interesting value (0, 1, 2^31, 2^32-1, 2^63, UINT64_MAX =
 * VK_WHOLE_SIZE, ...), another value of the stream plus -1/0/+1 (sizes, offsets, counts and ids
 * of the same stream: size-1, size, size+1), or old value +/- small deltas; or a whole command is
 * dropped, duplicated or moved (use after destroy, double destroy). One mutation in eight is
 * libFuzzer's own byte-level one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "pearvisor/pearvisor.h"
#include "pv_protocol_gen.h"
#include "renderer/context.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

#define LVP_ICD "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"
#define REPLY_RES 1u
#define REPLY_SIZE ((uint64_t)1 << 20)

static struct pv_renderer *renderer;
/* The contexts reach the host through the keeping shim (below) unless PV_FUZZ_FRESH_DEVICE. */
static bool keeping;
static bool keep_init(void);
static void *watchdog(void *arg);

/*
 * lavapipe runs a compute dispatch as coroutines whose frames are page-aligned allocations, one
 * per invocation: an input's dispatches cycle hundreds of MiB through ASan's quarantine (256 MiB
 * by default), so every allocation touched fresh pages (page faults, and TLB shootdowns across
 * lavapipe's threads): 3.4 GiB resident and half the time of an input. 16 MiB still keeps what
 * an input freed last poisoned; ASAN_OPTIONS overrides it.
 */
const char *
__asan_default_options(void)
{
   return "quarantine_size_mb=16";
}

/* lavapipe (and the LLVM it loads) leaves a few small allocations behind per instance; the
 * loader dlcloses it, so LeakSanitizer could not even name the module. It stays loaded
 * (RTLD_NODELETE, in LLVMFuzzerInitialize) and only leaks whose stacks are in it are
 * suppressed, as in tests/unit/test_malformed.c. */
const char *
__lsan_default_suppressions(void)
{
   return "leak:libvulkan_lvp.so\nleak:libLLVM\n";
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
   (void)argc, (void)argv;
   setenv("VK_ICD_FILENAMES", LVP_ICD, 0);
   setenv("VK_DRIVER_FILES", getenv("VK_ICD_FILENAMES"), 0);
   pv_fuzz_quiet();
   if (!dlopen("libvulkan_lvp.so", RTLD_NOW | RTLD_NODELETE))
      abort();
   /* quotas small enough that a mutated size cannot make lavapipe take the machine's memory */
   static const struct pv_renderer_config config = {
      .struct_size = sizeof(struct pv_renderer_config),
      .host_icd = NULL,
      .wire_format = 0,
      .max_device_memory = 256u << 20,
      .max_objects = 1u << 16,
      .max_blob_bytes = 64u << 20,
   };
   renderer = pv_renderer_create(&config);
   if (!renderer)
      abort();
   keeping = keep_init();
   pthread_t t;
   if (pthread_create(&t, NULL, watchdog, NULL) || pthread_detach(t))
      abort();
   return 0;
}

/* ----- guard pages ------------------------------------------------------------------------ */

/* The renderer's own mmap/munmap calls (guest memory in src/vk/memory.c, blobs in
 * src/renderer/blob.c) are linked to these (-Wl,--wrap=mmap,--wrap=munmap in tests/fuzz/build;
 * lavapipe's are not): a shared file mapping gets GUARD bytes of PROT_NONE address space on each
 * side, so a host access past a guest allocation is a SEGV that libFuzzer reports, wherever the
 * kernel would otherwise have put a neighbour (ASan alone cannot see it: memfd mappings have no
 * redzones). */
#define GUARD ((size_t)1 << 20)

void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __real_munmap(void *addr, size_t len);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int __wrap_munmap(void *addr, size_t len);

static size_t
page_round(size_t len)
{
   size_t page = (size_t)sysconf(_SC_PAGESIZE);
   return (len + page - 1) / page * page;
}

void *
__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
   if (addr || fd < 0 || !(flags & MAP_SHARED) || !len || len > SIZE_MAX / 2)
      return __real_mmap(addr, len, prot, flags, fd, off);
   size_t total = page_round(len) + 2 * GUARD;
   uint8_t *base = __real_mmap(NULL, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                               -1, 0);
   if (base == MAP_FAILED)
      return MAP_FAILED;
   void *mid = __real_mmap(base + GUARD, len, prot, flags | MAP_FIXED, fd, off);
   if (mid == MAP_FAILED)
      __real_munmap(base, total);
   return mid;
}

int
__wrap_munmap(void *addr, size_t len)
{
   /* every mapping the renderer unmaps is one of its shared file mappings (see above) */
   return __real_munmap((uint8_t *)addr - GUARD, page_round(len) + 2 * GUARD);
}

/* vkSetReplyCommandStreamMESA(resource 1, offset 0, 1 MiB), as the recorded guest sent it on
 * the context path before creating its ring. */
static void
set_reply(struct pv_context *ctx)
{
   uint32_t cmd[9] = {178, 0, 1, 0, REPLY_RES, 0, 0, (uint32_t)REPLY_SIZE, 0};
   pv_context_submit(ctx, cmd, sizeof(cmd));
}

static void list_commands(const uint8_t *data, size_t size);

/* ----- one host instance and device for every input ----------------------------------------- */

/*
 * Creating a VkInstance and a VkDevice on lavapipe is most of an input's time (the device: a
 * llvmpipe screen, its threads and shaders). Between inputs they are kept: each input still gets
 * a fresh context (object table, tracking, guard state), and the renderer still makes every host
 * call it would, but the contexts reach the loader through this shim (their GetInstanceProcAddr)
 * and vkCreateInstance/vkCreateDevice answer the kept objects; vkDestroyInstance keeps it and
 * vkDestroyDevice waits for the device to idle instead. A device is kept per physical device and
 * queue layout, extensions and features as the stream asked (a mutated request makes its own; a
 * request the host refuses is not kept). PV_FUZZ_FRESH_DEVICE=1 turns the shim off.
 */
#define KEEP_MAX 8

static PFN_vkGetInstanceProcAddr real_gipa;
static PFN_vkGetDeviceProcAddr real_gdpa;
static PFN_vkCreateInstance real_create_instance;
static PFN_vkCreateDevice real_create_device;
static PFN_vkDestroyDevice real_destroy_device;
static PFN_vkDeviceWaitIdle real_wait_idle;
static VkInstance kept_instance;
static struct kept_device {
   VkPhysicalDevice phys;
   uint64_t key;
   VkDevice device;
} kept[KEEP_MAX];
static unsigned nkept;

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
   const uint8_t *b = p;
   for (size_t i = 0; i < n; i++)
      h = (h ^ b[i]) * 0x100000001b3ull;
   return h;
}

/* What decides the device the stream gets: queues, extensions, features (pNext sTypes and the
 * feature structs' bytes past their header, bounded). */
static uint64_t
device_key(const VkDeviceCreateInfo *ci)
{
   uint64_t h = fnv(0xcbf29ce484222325ull, &ci->queueCreateInfoCount, sizeof(uint32_t));
   for (uint32_t i = 0; ci->pQueueCreateInfos && i < ci->queueCreateInfoCount; i++) {
      h = fnv(h, &ci->pQueueCreateInfos[i].queueFamilyIndex, sizeof(uint32_t));
      h = fnv(h, &ci->pQueueCreateInfos[i].queueCount, sizeof(uint32_t));
   }
   for (uint32_t i = 0; ci->ppEnabledExtensionNames && i < ci->enabledExtensionCount; i++)
      h = fnv(h, ci->ppEnabledExtensionNames[i], strlen(ci->ppEnabledExtensionNames[i]));
   if (ci->pEnabledFeatures)
      h = fnv(h, ci->pEnabledFeatures, sizeof(*ci->pEnabledFeatures));
   for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext) {
      h = fnv(h, &s->sType, sizeof(s->sType));
      if (s->sType == VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2)
         h = fnv(h, &((const VkPhysicalDeviceFeatures2 *)s)->features,
                 sizeof(VkPhysicalDeviceFeatures));
   }
   return h;
}

static VkResult VKAPI_CALL
keep_create_instance(const VkInstanceCreateInfo *ci, const VkAllocationCallbacks *a,
                     VkInstance *out)
{
   if (!kept_instance) {
      VkResult r = real_create_instance(ci, a, &kept_instance);
      if (r != VK_SUCCESS)
         return r;
   }
   *out = kept_instance;
   return VK_SUCCESS;
}

static void VKAPI_CALL
keep_destroy_instance(VkInstance instance, const VkAllocationCallbacks *a)
{
   (void)instance, (void)a;
}

static VkResult VKAPI_CALL
keep_create_device(VkPhysicalDevice phys, const VkDeviceCreateInfo *ci,
                   const VkAllocationCallbacks *a, VkDevice *out)
{
   uint64_t key = device_key(ci);
   for (unsigned i = 0; i < nkept; i++)
      if (kept[i].phys == phys && kept[i].key == key) {
         *out = kept[i].device;
         return VK_SUCCESS;
      }
   VkResult r = real_create_device(phys, ci, a, out);
   if (r == VK_SUCCESS && nkept < KEEP_MAX)
      kept[nkept++] = (struct kept_device){phys, key, *out};
   return r;
}

static void VKAPI_CALL
keep_destroy_device(VkDevice device, const VkAllocationCallbacks *a)
{
   for (unsigned i = 0; i < nkept; i++)
      if (kept[i].device == device) {
         real_wait_idle(device);
         return;
      }
   real_destroy_device(device, a);
}

/*
 * What the kept objects answer never changes, so entry points and enumerations are looked up
 * once: the loader resolves a name through a chain of string compares (each one a libFuzzer
 * comparison hook), hundreds per context for the device's table, which was most of an input's
 * time once the device was kept. Only the kept instance's and devices' answers (and the global
 * ones) are cached: another handle may be reused after its destruction.
 */
#define PROC_SLOTS 65536u /* 8 kept devices x ~2,000 names (with suffixes), and room */
#define PROC_PROBES 64u
static struct proc_slot {
   const void *handle;
   char name[64];
   PFN_vkVoidFunction fn; /* NULL is an answer too: the renderer asks for names with "", KHR
                           * and EXT suffixes, and a miss walks the loader's whole name chain */
} procs[PROC_SLOTS];

static bool
is_kept(const void *handle)
{
   if (!handle || handle == (const void *)kept_instance)
      return true;
   for (unsigned i = 0; i < nkept; i++)
      if (handle == (const void *)kept[i].device)
         return true;
   return false;
}

/* The slot of (handle, name): its entry, or the empty one to fill; NULL: not cacheable. */
static struct proc_slot *
proc_slot(const void *handle, const char *name)
{
   size_t len = strlen(name);
   if (len >= sizeof(procs[0].name) || !is_kept(handle))
      return NULL;
   uint64_t h = fnv((uint64_t)(uintptr_t)handle, name, len);
   for (uint32_t i = 0; i < PROC_PROBES; i++) {
      struct proc_slot *p = &procs[(h + i) % PROC_SLOTS];
      if (!p->name[0] || (p->handle == handle && !memcmp(p->name, name, len + 1)))
         return p;
   }
   return NULL;
}

static PFN_vkVoidFunction
proc_remember(struct proc_slot *p, const void *handle, const char *name, PFN_vkVoidFunction fn)
{
   if (p) {
      p->handle = handle;
      memcpy(p->name, name, strlen(name) + 1);
      p->fn = fn;
   }
   return fn;
}

/* A two-call enumeration answered from what the host said once. */
struct enum_cache {
   const void *key;
   bool valid;
   VkResult result;
   uint32_t n;
   size_t size;
   void *items;
};

static VkResult
enum_answer(const struct enum_cache *e, uint32_t *count, void *out)
{
   if (e->result != VK_SUCCESS)
      return e->result;
   if (!out) {
      *count = e->n;
      return VK_SUCCESS;
   }
   uint32_t n = *count < e->n ? *count : e->n;
   memcpy(out, e->items, (size_t)n * e->size);
   *count = n;
   return n < e->n ? VK_INCOMPLETE : VK_SUCCESS;
}

static PFN_vkEnumerateInstanceVersion real_instance_version;
static PFN_vkEnumerateInstanceExtensionProperties real_instance_exts;
static PFN_vkEnumeratePhysicalDevices real_physdevs;
static PFN_vkEnumerateDeviceExtensionProperties real_device_exts;
static struct enum_cache version_cache, instance_ext_cache, physdev_cache, device_ext_cache[4];

static VkResult VKAPI_CALL
keep_instance_version(uint32_t *v)
{
   if (!version_cache.valid) {
      version_cache.result = real_instance_version(&version_cache.n);
      version_cache.valid = true;
   }
   *v = version_cache.n;
   return version_cache.result;
}

static VkResult VKAPI_CALL
keep_instance_exts(const char *layer, uint32_t *count, VkExtensionProperties *out)
{
   struct enum_cache *e = &instance_ext_cache;
   if (layer)
      return real_instance_exts(layer, count, out);
   if (!e->valid) {
      e->size = sizeof(VkExtensionProperties);
      e->result = real_instance_exts(NULL, &e->n, NULL);
      e->items = e->result == VK_SUCCESS ? calloc(e->n + 1, e->size) : NULL;
      if (e->items)
         e->result = real_instance_exts(NULL, &e->n, e->items);
      e->valid = true;
   }
   return enum_answer(e, count, out);
}

static VkResult VKAPI_CALL
keep_physdevs(VkInstance instance, uint32_t *count, VkPhysicalDevice *out)
{
   struct enum_cache *e = &physdev_cache;
   if (instance != kept_instance)
      return real_physdevs(instance, count, out);
   if (!e->valid) {
      e->size = sizeof(VkPhysicalDevice);
      e->result = real_physdevs(instance, &e->n, NULL);
      e->items = e->result == VK_SUCCESS ? calloc(e->n + 1, e->size) : NULL;
      if (e->items)
         e->result = real_physdevs(instance, &e->n, e->items);
      e->valid = true;
   }
   return enum_answer(e, count, out);
}

static VkResult VKAPI_CALL
keep_device_exts(VkPhysicalDevice phys, const char *layer, uint32_t *count,
                 VkExtensionProperties *out)
{
   struct enum_cache *e = NULL;
   for (unsigned i = 0; !layer && !e && i < 4; i++)
      if (!device_ext_cache[i].valid || device_ext_cache[i].key == (const void *)phys)
         e = &device_ext_cache[i];
   if (!e)
      return real_device_exts(phys, layer, count, out);
   if (!e->valid) {
      e->key = phys;
      e->size = sizeof(VkExtensionProperties);
      e->result = real_device_exts(phys, NULL, &e->n, NULL);
      e->items = e->result == VK_SUCCESS ? calloc(e->n + 1, e->size) : NULL;
      if (e->items)
         e->result = real_device_exts(phys, NULL, &e->n, e->items);
      e->valid = true;
   }
   return enum_answer(e, count, out);
}

/*
 * Legal work that keeps a CPU driver busy for minutes: a draw of 4 G instances, a dispatch of
 * 1024 x 1 x 65535 workgroups (inside maxComputeWorkGroupCount). Vulkan allows it and the
 * renderer passes it on (SECURITY.md, "Host time for legal work": in the server the client's
 * process ends 750 ms after its guest hangs up), but here the kept device would never idle at
 * the input's end, so every such mutation was a libFuzzer timeout rather than a finding. The
 * shim records such a draw or dispatch as nothing: every check of the renderer still ran
 * before it (counts read from indirect buffers are not looked at). Budgets: ~100x the seeds'.
 */
#define DRAW_BUDGET ((uint64_t)1 << 22)     /* vertices or indices x instances */
#define DISPATCH_BUDGET ((uint64_t)1 << 18) /* workgroups */

static PFN_vkCmdDraw real_draw;
static PFN_vkCmdDrawIndexed real_draw_indexed;
static PFN_vkCmdDispatch real_dispatch;
static PFN_vkCmdDispatchBase real_dispatch_base;

static void VKAPI_CALL
budget_draw(VkCommandBuffer cb, uint32_t vertices, uint32_t instances, uint32_t first,
            uint32_t first_instance)
{
   if ((uint64_t)vertices * instances <= DRAW_BUDGET)
      real_draw(cb, vertices, instances, first, first_instance);
}

static void VKAPI_CALL
budget_draw_indexed(VkCommandBuffer cb, uint32_t indices, uint32_t instances, uint32_t first,
                    int32_t vertex_offset, uint32_t first_instance)
{
   if ((uint64_t)indices * instances <= DRAW_BUDGET)
      real_draw_indexed(cb, indices, instances, first, vertex_offset, first_instance);
}

static void VKAPI_CALL
budget_dispatch(VkCommandBuffer cb, uint32_t x, uint32_t y, uint32_t z)
{
   if ((uint64_t)x * y * z <= DISPATCH_BUDGET)
      real_dispatch(cb, x, y, z);
}

static void VKAPI_CALL
budget_dispatch_base(VkCommandBuffer cb, uint32_t bx, uint32_t by, uint32_t bz, uint32_t x,
                     uint32_t y, uint32_t z)
{
   if ((uint64_t)x * y * z <= DISPATCH_BUDGET)
      real_dispatch_base(cb, bx, by, bz, x, y, z);
}

/* The budgeted replacement of a draw or dispatch entry point, or NULL. The loader's
 * instance-level trampolines dispatch through the command buffer, so they serve every device. */
static PFN_vkVoidFunction
budgeted(const char *name)
{
   static const struct {
      const char *name;
      PFN_vkVoidFunction *real, budget;
   } cmds[] = {
      {"vkCmdDraw", (PFN_vkVoidFunction *)&real_draw, (PFN_vkVoidFunction)budget_draw},
      {"vkCmdDrawIndexed", (PFN_vkVoidFunction *)&real_draw_indexed,
       (PFN_vkVoidFunction)budget_draw_indexed},
      {"vkCmdDispatch", (PFN_vkVoidFunction *)&real_dispatch, (PFN_vkVoidFunction)budget_dispatch},
      {"vkCmdDispatchBase", (PFN_vkVoidFunction *)&real_dispatch_base,
       (PFN_vkVoidFunction)budget_dispatch_base},
   };
   for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
      if (strcmp(name, cmds[i].name) != 0)
         continue;
      if (!*cmds[i].real)
         *cmds[i].real = real_gipa(kept_instance, name);
      return *cmds[i].real ? cmds[i].budget : NULL;
   }
   return NULL;
}

static PFN_vkVoidFunction VKAPI_CALL keep_gdpa(VkDevice device, const char *name);

/* Our replacement for `name`, or NULL. */
static PFN_vkVoidFunction
keep_replacement(VkInstance instance, const char *name)
{
   if (!strcmp(name, "vkEnumerateInstanceVersion")) {
      real_instance_version = (PFN_vkEnumerateInstanceVersion)real_gipa(instance, name);
      return real_instance_version ? (PFN_vkVoidFunction)keep_instance_version : NULL;
   }
   if (!strcmp(name, "vkEnumerateInstanceExtensionProperties")) {
      real_instance_exts = (PFN_vkEnumerateInstanceExtensionProperties)real_gipa(instance, name);
      return real_instance_exts ? (PFN_vkVoidFunction)keep_instance_exts : NULL;
   }
   if (instance && instance == kept_instance && !strcmp(name, "vkEnumeratePhysicalDevices")) {
      real_physdevs = (PFN_vkEnumeratePhysicalDevices)real_gipa(instance, name);
      return (PFN_vkVoidFunction)keep_physdevs;
   }
   if (instance && instance == kept_instance &&
       !strcmp(name, "vkEnumerateDeviceExtensionProperties")) {
      real_device_exts = (PFN_vkEnumerateDeviceExtensionProperties)real_gipa(instance, name);
      return (PFN_vkVoidFunction)keep_device_exts;
   }
   return NULL;
}

static PFN_vkVoidFunction VKAPI_CALL
keep_gipa(VkInstance instance, const char *name)
{
   struct proc_slot *slot = proc_slot(instance, name);
   if (slot && slot->name[0])
      return slot->fn;
   PFN_vkVoidFunction fn = keep_replacement(instance, name);
   if (!fn && kept_instance)
      fn = budgeted(name);
   if (fn)
      return proc_remember(slot, instance, name, fn);
   if (!strcmp(name, "vkCreateInstance"))
      return (PFN_vkVoidFunction)keep_create_instance;
   if (!strcmp(name, "vkDestroyInstance"))
      return (PFN_vkVoidFunction)keep_destroy_instance;
   if (!strcmp(name, "vkCreateDevice"))
      return (PFN_vkVoidFunction)keep_create_device;
   if (!strcmp(name, "vkGetDeviceProcAddr"))
      return (PFN_vkVoidFunction)keep_gdpa;
   if (!strcmp(name, "vkGetInstanceProcAddr"))
      return (PFN_vkVoidFunction)keep_gipa;
   if (!strcmp(name, "vkDestroyDevice"))
      return (PFN_vkVoidFunction)keep_destroy_device;
   return proc_remember(slot, instance, name, real_gipa(instance, name));
}

static PFN_vkVoidFunction VKAPI_CALL
keep_gdpa(VkDevice device, const char *name)
{
   struct proc_slot *slot = proc_slot(device, name);
   if (slot && slot->name[0])
      return slot->fn;
   if (!strcmp(name, "vkDestroyDevice"))
      return (PFN_vkVoidFunction)keep_destroy_device;
   if (!strcmp(name, "vkGetDeviceProcAddr"))
      return (PFN_vkVoidFunction)keep_gdpa;
   PFN_vkVoidFunction fn = budgeted(name);
   return proc_remember(slot, device, name, fn ? fn : real_gdpa(device, name));
}

static bool
keep_init(void)
{
   const char *fresh = getenv("PV_FUZZ_FRESH_DEVICE");
   if (fresh && strcmp(fresh, "0") != 0)
      return false;
   real_gipa = vkGetInstanceProcAddr;
   real_create_instance = (PFN_vkCreateInstance)real_gipa(NULL, "vkCreateInstance");
   return real_create_instance != NULL;
}

/* The device-level entry points, once the kept instance exists. */
static void
keep_resolve(void)
{
   if (real_gdpa || !kept_instance)
      return;
   real_gdpa = (PFN_vkGetDeviceProcAddr)real_gipa(kept_instance, "vkGetDeviceProcAddr");
   real_create_device = (PFN_vkCreateDevice)real_gipa(kept_instance, "vkCreateDevice");
   real_destroy_device = (PFN_vkDestroyDevice)real_gipa(kept_instance, "vkDestroyDevice");
   real_wait_idle = (PFN_vkDeviceWaitIdle)real_gipa(kept_instance, "vkDeviceWaitIdle");
   if (!real_gdpa || !real_create_device || !real_destroy_device || !real_wait_idle)
      abort();
}

/* ----- the guest hangs up ------------------------------------------------------------------ */

/*
 * A stream may wait forever (vkWaitForFences with UINT64_MAX on a fence it never submitted):
 * legal, and the server ends such a wait only when the guest disconnects (pv_context_stop from
 * the transport). The watchdog plays that disconnect once an input has run WAIT_LIMIT_S, so such
 * an input ends as it would in the server instead of tripping libFuzzer's -timeout; a host call
 * that itself hangs still does.
 */
#define WAIT_LIMIT_S 3

static pthread_mutex_t watch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pv_context *watch_ctx;
static struct timespec watch_start;

static double
seconds_since(const struct timespec *t)
{
   struct timespec now;
   clock_gettime(CLOCK_MONOTONIC, &now);
   return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void *
watchdog(void *arg)
{
   (void)arg;
   for (;;) {
      const struct timespec tick = {0, 100000000};
      nanosleep(&tick, NULL);
      pthread_mutex_lock(&watch_lock);
      if (watch_ctx && seconds_since(&watch_start) > WAIT_LIMIT_S) {
         pv_context_stop(watch_ctx);
         watch_ctx = NULL;
      }
      pthread_mutex_unlock(&watch_lock);
   }
   return NULL;
}

static void
watch(struct pv_context *ctx)
{
   pthread_mutex_lock(&watch_lock);
   watch_ctx = ctx;
   clock_gettime(CLOCK_MONOTONIC, &watch_start);
   pthread_mutex_unlock(&watch_lock);
}

/* Instance-level calls before the kept instance exists go to the loader; vkCreateDevice only
 * after it (the stream's vkCreateInstance made it). */
static PFN_vkVoidFunction VKAPI_CALL
shim_gipa(VkInstance instance, const char *name)
{
   keep_resolve();
   if (!strcmp(name, "vkCreateDevice") && !real_create_device)
      return real_gipa(instance, name);
   return keep_gipa(instance, name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
   const char *verbose = getenv("PV_FUZZ_VERBOSE");
   if (verbose && strcmp(verbose, "2") == 0)
      list_commands(data, size);
   struct pv_context *ctx = pv_context_create(renderer, PV_CAPSET_VENUS, "fuzz_hostile");
   if (!ctx)
      abort();
   if (keeping)
      ctx->host.GetInstanceProcAddr = shim_gipa;
   watch(ctx);
   struct pv_blob b;
   if (pv_context_create_blob(ctx, REPLY_RES, 0, REPLY_SIZE, PV_BLOB_FLAG_MAPPABLE, &b))
      abort();
   close(b.fd);
   set_reply(ctx);
   /* an exact-size heap copy, so ASan sees a read one byte past the stream */
   uint8_t *stream = malloc(size ? size : 1);
   if (!stream)
      abort();
   memcpy(stream, data, size);
   pv_context_submit(ctx, stream, size);
   if (getenv("PV_FUZZ_VERBOSE"))
      fprintf(stderr, "fuzz_hostile: %zu bytes, %s\n", size,
              pv_context_is_lost(ctx) ? "lost" : "not lost");
   watch(NULL);
   pv_context_destroy(ctx);
   free(stream);
   return 0;
}

/* ----- the value mutator -------------------------------------------------------------------- */

#define MAX_CMDS 8192

static const struct pv_protocol_table *table;
static pv_handler_fn *noop_overrides;
static struct pv_cs_arena arena;
static uint8_t reply_buf[64 << 10];

static bool
any_id(void *data, uint64_t id, int32_t objtype, uint64_t *host)
{
   (void)data, (void)objtype;
   *host = id;
   return true;
}

static bool
any_created(void *data, int32_t objtype, uint64_t id, uint64_t host)
{
   (void)data, (void)objtype, (void)id, (void)host;
   return true;
}

static void
no_destroy(void *data, int32_t objtype, uint64_t host)
{
   (void)data, (void)objtype, (void)host;
}

static void
noop_handler(struct pv_dispatch_ctx *ctx, void *args)
{
   (void)ctx, (void)args;
}

static const struct pv_cs_hooks hooks = {
   .lookup = any_id, .created = any_created, .destroyed = no_destroy};

static void
mutator_init(void)
{
   table = pv_protocol_table_get("wire0");
   noop_overrides = table ? calloc(table->count, sizeof(*noop_overrides)) : NULL;
   if (!noop_overrides)
      abort();
   for (uint32_t i = 0; i < table->count; i++)
      noop_overrides[i] = noop_handler;
   pv_cs_arena_init(&arena, (size_t)16 << 20);
}

/* Offsets where commands start (decoded with no-op handlers); the last entry is where decoding
 * stopped. Returns the number of whole commands. */
static size_t
command_starts(const uint8_t *data, size_t size, size_t *starts)
{
   struct pv_cs_status st = {0};
   struct pv_cs_decoder dec;
   pv_cs_decoder_init(&dec, data, size, &arena, &st, &hooks);
   struct pv_cs_encoder enc;
   struct pv_dispatch_ctx ctx = {
      .dec = &dec,
      .reply = &enc,
      .overrides = noop_overrides,
      .override_count = table->count,
   };
   size_t n = 0;
   starts[0] = 0;
   while (pv_cs_remaining(&dec) > 0 && n + 1 < MAX_CMDS) {
      pv_cs_encoder_init(&enc, reply_buf, sizeof(reply_buf), &st);
      if (!pv_protocol_execute_one(&ctx, table))
         break;
      starts[++n] = size - pv_cs_remaining(&dec);
   }
   pv_cs_arena_reset(&arena);
   return n;
}

/* PV_FUZZ_VERBOSE=2: each command's offset and name, for reading seeds and crash inputs */
static void
list_commands(const uint8_t *data, size_t size)
{
   static size_t starts[MAX_CMDS];
   if (!table)
      mutator_init();
   size_t n = command_starts(data, size, starts);
   for (size_t i = 0; i < n; i++) {
      uint32_t type;
      memcpy(&type, data + starts[i], 4);
      const char *name = type < table->count ? table->entries[type].name : NULL;
      fprintf(stderr, "fuzz_hostile: %6zu %s\n", starts[i], name ? name : "?");
   }
   fprintf(stderr, "fuzz_hostile: %zu commands decode, %zu of %zu bytes\n", n, starts[n], size);
}

static uint64_t
rnd(uint64_t *s)
{
   /* xorshift64*: deterministic per libFuzzer's seed */
   *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
   return *s * 2685821657736338717ull;
}

static const uint64_t interesting[] = {
   0, 1, 2, 3, 4, 7, 8, 16, 64, 255, 256, 4095, 4096, 65535, 65536, 0x7fffffff, 0x80000000,
   0xfffffffe, 0xffffffff, 0x100000000ull, 0x100000001ull, 0x7fffffffffffffffull,
   0x8000000000000000ull, 0xfffffffffffffffeull, 0xffffffffffffffffull /* VK_WHOLE_SIZE */,
};

/* A new value for a field that holds `old`. */
static uint64_t
new_value(uint64_t *s, uint64_t old, const uint8_t *data, size_t size)
{
   switch (rnd(s) % 4) {
   case 0:
   case 1:
      return interesting[rnd(s) % (sizeof(interesting) / sizeof(interesting[0]))];
   case 2: { /* a value of the same stream (a size, an offset, a count, an id) -1 / 0 / +1 */
      uint64_t v = 0;
      if (size >= 8) {
         size_t at = (rnd(s) % (size / 4 - 1)) * 4;
         memcpy(&v, data + at, rnd(s) & 1 ? 8 : 4);
      }
      return v + (rnd(s) % 3) - 1;
   }
   default: { /* near the old value */
      static const int64_t delta[] = {-(1 << 20), -4096, -256, -16, -4, -1, 1, 4, 16, 256, 4096,
                                      65536, 1 << 20, 4 << 20, 1ll << 32};
      if (rnd(s) % 4 == 0)
         return old << (1 + rnd(s) % 8);
      return old + (uint64_t)delta[rnd(s) % (sizeof(delta) / sizeof(delta[0]))];
   }
   }
}

/* Commands whose values decide what host memory the driver touches (issue 12): vkCmd*, binds,
 * allocations, creations with sizes, descriptor writes, query ranges, submissions and destroys.
 * Half of the field mutations go to one of these. */
static bool
is_hot(const uint8_t *data, size_t start)
{
   uint32_t type;
   memcpy(&type, data + start, 4);
   const char *n = type < table->count ? table->entries[type].name : NULL;
   if (!n)
      return false;
   static const char *const prefixes[] = {
      "vkCmd", "vkBind", "vkAllocateMemory", "vkCreateBuffer", "vkCreateImage",
      "vkUpdateDescriptorSets", "vkResetQueryPool", "vkGetQueryPoolResults", "vkQueueSubmit",
      "vkDestroy", "vkFree", "vkCreateQueryPool", "vkMapMemory"};
   for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
      if (strncmp(n, prefixes[i], strlen(prefixes[i])) == 0)
         return true;
   }
   return false;
}

static size_t
pick_command(const uint8_t *data, const size_t *starts, size_t ncmd, uint64_t *s)
{
   size_t c = rnd(s) % ncmd;
   if (rnd(s) & 1) {
      for (size_t tries = 0; tries < 64 && !is_hot(data, starts[c]); tries++)
         c = rnd(s) % ncmd;
   }
   return c;
}

/* Rewrites one u32 or u64 of a command, past its type word. */
static size_t
mutate_field(uint8_t *data, size_t size, const size_t *starts, size_t ncmd, uint64_t *s)
{
   size_t c = pick_command(data, starts, ncmd, s);
   size_t begin = starts[c] + 4, end = starts[c + 1]; /* the flags word is fair game */
   if (end <= begin + 3)
      return size;
   size_t words = (end - begin) / 4;
   size_t at = begin + (rnd(s) % words) * 4;
   bool wide = at + 8 <= end && (rnd(s) & 1);
   uint64_t old = 0;
   memcpy(&old, data + at, wide ? 8 : 4);
   uint64_t v = new_value(s, old, data, size);
   memcpy(data + at, &v, wide ? 8 : 4);
   return size;
}

/* Drops, duplicates or moves one whole command. */
static size_t
mutate_command(uint8_t *data, size_t size, size_t max_size, const size_t *starts, size_t ncmd,
               uint64_t *s)
{
   size_t c = pick_command(data, starts, ncmd, s), len = starts[c + 1] - starts[c];
   uint8_t *copy = malloc(len ? len : 1);
   if (!copy)
      return size;
   memcpy(copy, data + starts[c], len);
   size_t to = starts[rnd(s) % (ncmd + 1)];
   switch (rnd(s) % 3) {
   case 0: /* drop */
      memmove(data + starts[c], data + starts[c + 1], size - starts[c + 1]);
      size -= len;
      break;
   case 1: /* duplicate at `to` */
      if (size + len <= max_size) {
         memmove(data + to + len, data + to, size - to);
         memcpy(data + to, copy, len);
         size += len;
      }
      break;
   default: /* move to `to` */
      memmove(data + starts[c], data + starts[c + 1], size - starts[c + 1]);
      if (to > starts[c])
         to -= len;
      memmove(data + to + len, data + to, size - len - to);
      memcpy(data + to, copy, len);
      break;
   }
   free(copy);
   return size;
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
   static size_t *starts;
   if (!table) {
      mutator_init();
      starts = calloc(MAX_CMDS, sizeof(*starts));
      if (!starts)
         abort();
   }
   uint64_t s = ((uint64_t)seed << 32) ^ seed ^ 0x9e3779b97f4a7c15ull;
   size_t ncmd = size >= 8 ? command_starts(data, size, starts) : 0;
   if (ncmd == 0 || rnd(&s) % 8 == 0)
      return LLVMFuzzerMutate(data, size, max_size);
   unsigned n = 1 + (unsigned)(rnd(&s) % 3);
   for (unsigned i = 0; i < n; i++) {
      if (rnd(&s) % 8 == 0) {
         size = mutate_command(data, size, max_size, starts, ncmd, &s);
         ncmd = command_starts(data, size, starts);
         if (ncmd == 0)
            break;
      } else {
         size = mutate_field(data, size, starts, ncmd, &s);
      }
   }
   return size;
}
