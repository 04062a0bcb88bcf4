/* SPDX-License-Identifier: MIT */
/*
 * Shaders against layouts (guard.h, spirv_reflect.h). A host compiler takes every
 * DescriptorSet/Binding a shader declares to exist in the pipeline layout with a matching type
 * and enough elements: lavapipe indexes its layout's arrays with them while compiling and
 * crashes (a wild read) when a mutated layout no longer matches. So:
 *  - vkCreateShaderModule validates the SPIR-V and keeps its reflection (module state);
 *  - vkCreateDescriptorSetLayout and vkCreatePipelineLayout keep their bindings and push ranges;
 *  - vkCreate{Compute,Graphics}Pipelines check every stage's used descriptors (set exists,
 *    binding exists and is visible to the stage, compatible type, array size within the count)
 *    and push constants (inside a range of the stage) before the host call, and keep what the
 *    pipeline uses for the draw-time check (guard_written.c).
 * Array sizes given by a specialization constant are taken from the stage's specialization
 * data (or the constant's default); one given by an expression of spec constants is checked
 * only for a binding that exists (refusing only what is provably outside the layout).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "util/log.h"
#include "vk/guard.h"
#include "vk/spirv_bound.h"
#include "vk/spirv_shared.h"
#include "vk/spirv_fold.h"
#include "vk/spirv_loops.h"
#include "vk/spirv_values.h"
#include "vk/spirv_var_size.h"
#include "vk/spirv_reflect.h"

/* ----- descriptor set layouts ---------------------------------------------------------------- */

void
pv_vk_set_layout_unref(struct pv_vk_set_layout *l)
{
   if (l && atomic_fetch_sub(&l->refs, 1) == 1)
      free(l);
}

struct pv_vk_set_layout *
pv_vk_set_layout_ref(struct pv_vk_set_layout *l)
{
   if (l)
      atomic_fetch_add(&l->refs, 1);
   return l;
}

static void
set_layout_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   pv_vk_set_layout_unref(obj->data);
   obj->data = NULL;
}

static int
binding_cmp(const void *a, const void *b)
{
   uint32_t x = ((const struct pv_vk_layout_binding *)a)->binding;
   uint32_t y = ((const struct pv_vk_layout_binding *)b)->binding;
   return x < y ? -1 : x > y;
}

static VkDescriptorBindingFlags
binding_flags(const VkDescriptorSetLayoutCreateInfo *ci, uint32_t i)
{
   for (const VkBaseInStructure *s = ci->pNext; s; s = s->pNext)
      if (s->sType == VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_BINDING_FLAGS_CREATE_INFO) {
         const VkDescriptorSetLayoutBindingFlagsCreateInfo *f = (const void *)s;
         return f->pBindingFlags && i < f->bindingCount ? f->pBindingFlags[i] : 0;
      }
   return 0;
}

/* The layout's bindings, sorted, with their bit ranges; NULL when out of memory. */
struct pv_vk_set_layout *
pv_vk_set_layout_create(const VkDescriptorSetLayoutCreateInfo *ci)
{
   uint32_t n = ci->pBindings ? ci->bindingCount : 0;
   struct pv_vk_set_layout *l = calloc(1, sizeof(*l) + (size_t)n * sizeof(l->b[0]));
   if (!l)
      return NULL;
   atomic_init(&l->refs, 1);
   l->count = n;
   l->update_after_bind =
      (ci->flags & VK_DESCRIPTOR_SET_LAYOUT_CREATE_UPDATE_AFTER_BIND_POOL_BIT) != 0;
   l->push = (ci->flags & VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR) != 0;
   for (uint32_t i = 0; i < n; i++) {
      const VkDescriptorSetLayoutBinding *b = &ci->pBindings[i];
      VkDescriptorBindingFlags f = binding_flags(ci, i);
      l->b[i] = (struct pv_vk_layout_binding){
         .binding = b->binding,
         .count = b->descriptorCount,
         .type = b->descriptorType,
         .stages = b->stageFlags,
         .partial = (f & VK_DESCRIPTOR_BINDING_PARTIALLY_BOUND_BIT) != 0,
         .variable = (f & VK_DESCRIPTOR_BINDING_VARIABLE_DESCRIPTOR_COUNT_BIT) != 0,
         .immutable = b->pImmutableSamplers != NULL,
         .mutable_types = b->descriptorType == VK_DESCRIPTOR_TYPE_MUTABLE_EXT
                             ? pv_vk_mutable_binding_types(ci, i)
                             : 0,
      };
   }
   qsort(l->b, n, sizeof(l->b[0]), binding_cmp);
   /* inline uniform blocks hold bytes, not descriptors the host follows: not tracked */
   for (uint32_t i = 0; i < n; i++) {
      bool tracked = l->b[i].type != VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK;
      l->b[i].first_bit = tracked && l->bits < UINT32_MAX ? (uint32_t)l->bits : UINT32_MAX;
      l->bits += tracked ? l->b[i].count : 0;
   }
   return l;
}

const struct pv_vk_layout_binding *
pv_vk_layout_binding_find(const struct pv_vk_set_layout *l, uint32_t binding)
{
   uint32_t lo = 0, hi = l ? l->count : 0;
   while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (l->b[mid].binding == binding)
         return &l->b[mid];
      if (l->b[mid].binding < binding)
         lo = mid + 1;
      else
         hi = mid;
   }
   return NULL;
}

/* Marks the bindings whose immutable samplers include a compare-enabled one. */
static void
mark_immutable_compare(struct pv_dispatch_ctx *c, const VkDescriptorSetLayoutCreateInfo *ci,
                       struct pv_vk_set_layout *l)
{
   for (uint32_t i = 0; ci->pBindings && i < ci->bindingCount; i++) {
      const VkDescriptorSetLayoutBinding *b = &ci->pBindings[i];
      struct pv_vk_layout_binding *lb =
         (struct pv_vk_layout_binding *)pv_vk_layout_binding_find(l, b->binding);
      for (uint32_t e = 0; lb && b->pImmutableSamplers && e < b->descriptorCount; e++)
         lb->immutable_compare |= pv_vk_sampler_compares(c, b->pImmutableSamplers[e]);
   }
}

/* Bits a set's written map may need: 2^32 would make first_bit overflow. */
#define PV_VK_MAX_SET_BITS ((uint64_t)1 << 31)

/* A push descriptor layout holds at most maxPushDescriptors descriptors
 * (VUID-VkDescriptorSetLayoutCreateInfo-flags-00281): a push writes them into the host's
 * per-command-buffer state, which lavapipe 22.3 keeps in fixed per-stage arrays. */
static bool
push_count_ok(struct pv_dispatch_ctx *c, VkDevice device, const VkDescriptorSetLayoutCreateInfo *ci)
{
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   const struct pv_vk_physdev *pd = d ? d->pd : NULL;
   uint64_t total = 0;
   for (uint32_t i = 0; ci->pBindings && i < ci->bindingCount; i++)
      total += ci->pBindings[i].descriptorCount;
   uint32_t max = pd ? pd->max_push_descriptors : 0;
   if (total <= max)
      return true;
   pv_venus_refuse(c,
                   "vkCreateDescriptorSetLayout: a push descriptor layout of %llu descriptors "
                   "(the device's maxPushDescriptors is %u)",
                   (unsigned long long)total, max);
   return false;
}

/* A push descriptor layout holds no dynamic buffers
 * (VUID-VkDescriptorSetLayoutCreateInfo-flags-00280) nor inline uniform blocks (-02208).
 * lavapipe 22.3 applies dynamic offsets to pushed buffers from an array it never filled, and copies
 * an inline block pushed without buffer infos from NULL (lvp_execute.c
 * handle_push_descriptor_set_generic, vk_cmd_enqueue.c; measured: SIGSEGV on its queue thread, and
 * on the recording thread). Refused on every host. */
static bool
push_layout_ok(struct pv_dispatch_ctx *c, VkDevice device,
               const VkDescriptorSetLayoutCreateInfo *ci)
{
   if (!ci || !(ci->flags & VK_DESCRIPTOR_SET_LAYOUT_CREATE_PUSH_DESCRIPTOR_BIT_KHR))
      return true;
   if (!push_count_ok(c, device, ci))
      return false;
   for (uint32_t i = 0; ci->pBindings && i < ci->bindingCount; i++) {
      VkDescriptorType t = ci->pBindings[i].descriptorType;
      if (t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
          t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC ||
          t == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) {
         pv_venus_refuse(c,
                         "vkCreateDescriptorSetLayout: a push descriptor layout with a "
                         "dynamic buffer or an inline uniform block (binding %u)",
                         ci->pBindings[i].binding);
         return false;
      }
   }
   return true;
}

void
pv_guard_CreateDescriptorSetLayout(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateDescriptorSetLayout *a = args;
   if (!push_layout_ok(c, a->device, a->pCreateInfo))
      return;
   const char *mutable_why =
      a->pCreateInfo
         ? pv_vk_mutable_layout_misfit(pv_vk_device_features(c, a->device), a->pCreateInfo)
         : NULL;
   if (mutable_why) {
      pv_venus_refuse(c, "vkCreateDescriptorSetLayout: %s", mutable_why);
      return;
   }
   /* the counts first: the written map below is sized by the binding numbers */
   if (!pv_guard_set_layout_counts(c, a->device, a->pCreateInfo))
      return;
   struct pv_vk_set_layout *l = a->pCreateInfo ? pv_vk_set_layout_create(a->pCreateInfo) : NULL;
   if (!l || l->bits > PV_VK_MAX_SET_BITS) {
      pv_vk_set_layout_unref(l);
      pv_venus_refuse(c, "vkCreateDescriptorSetLayout: %s",
                      l ? "more descriptors than a set's written map tracks" : "no memory");
      return;
   }
   mark_immutable_compare(c, a->pCreateInfo, l);
   pv_handle_vkCreateDescriptorSetLayout(c, args);
   struct pv_object *o =
      a->ret == VK_SUCCESS && a->pSetLayout && !pv_cs_fatal(c->dec)
         ? pv_venus_find(c, PV_FROM_HANDLE(*a->pSetLayout), VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT)
         : NULL;
   if (!o || o->data) {
      pv_vk_set_layout_unref(l);
      return;
   }
   o->data = l;
   o->free_data = set_layout_free;
}

struct pv_vk_set_layout *
pv_vk_set_layout_get(struct pv_dispatch_ctx *c, VkDescriptorSetLayout h)
{
   struct pv_object *o =
      h ? pv_venus_object(c, VK_OBJECT_TYPE_DESCRIPTOR_SET_LAYOUT, PV_FROM_HANDLE(h)) : NULL;
   return o ? o->data : NULL;
}

/* ----- pipeline layouts ---------------------------------------------------------------------- */

void
pv_vk_pipeline_layout_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_pipeline_layout *l = obj->data;
   for (uint32_t i = 0; l->set_layouts && i < l->set_layout_count; i++)
      pv_vk_set_layout_unref(l->set_layouts[i]);
   free(l->set_layouts);
   free(l->push);
   free(l);
   obj->data = NULL;
}

bool
pv_vk_pipeline_layout_fill(struct pv_dispatch_ctx *c, struct pv_vk_pipeline_layout *l,
                           const VkPipelineLayoutCreateInfo *ci)
{
   uint32_t n = ci->pSetLayouts ? ci->setLayoutCount : 0;
   uint32_t np = ci->pPushConstantRanges ? ci->pushConstantRangeCount : 0;
   l->set_layouts = calloc(n ? n : 1, sizeof(*l->set_layouts));
   l->push = calloc(np ? np : 1, sizeof(*l->push));
   if (!l->set_layouts || !l->push)
      return false;
   /* a NULL set layout (independent sets) or one we do not know has no bindings */
   for (uint32_t i = 0; i < n; i++)
      l->set_layouts[i] = pv_vk_set_layout_ref(pv_vk_set_layout_get(c, ci->pSetLayouts[i]));
   l->set_layout_count = n;
   if (np)
      memcpy(l->push, ci->pPushConstantRanges, np * sizeof(*l->push));
   l->push_count = np;
   return true;
}

/* ----- shader modules ------------------------------------------------------------------------ */

static void
module_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   pv_spirv_module_free(obj->data);
   obj->data = NULL;
}

/* The SPIR-V environment of the device's API version (VK_KHR_spirv_1_4 on 1.1). */
static int
device_env(struct pv_dispatch_ctx *c, VkDevice device)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   if (!d || !d->pd)
      return pv_spirv_env(VK_API_VERSION_1_0, false);
   return pv_spirv_env(d->pd->api_version, pv_vk_physdev_offers(d->pd, "VK_KHR_spirv_1_4"));
}

/* Whether the module declares the capability to load and store through device addresses
 * (guard_address.c). Capabilities come first in a module, after the 5-word header; validation
 * (pv_spirv_reflect) makes every use of those pointers need it. */
#define PV_SPV_OP_CAPABILITY 17u
#define PV_SPV_CAP_PHYSICAL_STORAGE_BUFFER_ADDRESSES 5347u
static bool
declares_raw_pointers(const uint32_t *words, size_t count)
{
   if (count < 5 || words[0] != 0x07230203u)
      return true; /* not in the host's byte order: not scanned, so not taken */
   for (size_t i = 5; i < count;) {
      uint32_t len = words[i] >> 16, op = words[i] & 0xffffu;
      if (op != PV_SPV_OP_CAPABILITY || len < 2 || len > count - i)
         return false;
      if (words[i + 1] == PV_SPV_CAP_PHYSICAL_STORAGE_BUFFER_ADDRESSES)
         return true;
      i += len;
   }
   return false;
}

/* Validated and reflected SPIR-V of a create info, or NULL after refusing. */
static struct pv_spirv_module *
module_reflect(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
               const VkShaderModuleCreateInfo *ci)
{
   if (!ci || ci->codeSize % 4 || !ci->pCode) {
      /* the host reads codeSize bytes: a size not a multiple of 4 reads past the words we
       * decoded */
      pv_venus_refuse(c, "%s: codeSize %llu is not a whole number of words", what,
                      ci ? (unsigned long long)ci->codeSize : 0ull);
      return NULL;
   }
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   if (d && pv_vk_physdev_withholds_addresses(d->pd) &&
       declares_raw_pointers(ci->pCode, ci->codeSize / 4)) {
      pv_venus_refuse(c,
                      "%s: PhysicalStorageBufferAddresses (or SPIR-V not in the host's byte "
                      "order) where device addresses are withheld (a CPU device, or contexts "
                      "sharing the process)",
                      what);
      return NULL;
   }
   /* before validation and reflection: SPIRV-Cross builds a null constant element by element
    * (spirv_values.c), and so on */
   const char *why = pv_spirv_unvalidated_violation(ci->pCode, ci->codeSize / 4);
   if (why) {
      pv_venus_refuse(c, "%s: %s", what, why);
      return NULL;
   }
   char err[256];
   struct pv_spirv_module *m =
      pv_spirv_reflect(ci->pCode, ci->codeSize / 4, device_env(c, device), err, sizeof(err), &why);
   if (!m)
      pv_venus_refuse(c, "%s: invalid SPIR-V: %s", what, why);
   return m;
}

/* A rewrite of a module's code for the host (spirv_bound.h, spirv_shared.h). */
typedef const char *(*rewrite_fn)(const uint32_t *words, size_t count, uint32_t **out,
                                  size_t *out_count);

/* `ci` gets `fn`'s module when it made one, validated again, in the decoder's arena, which keeps
 * it until the command is done. False after refusing (`what`, `kind` say whose and which). */
static bool
rewrite(struct pv_dispatch_ctx *c, const char *what, const char *kind, VkDevice device,
        VkShaderModuleCreateInfo *ci, rewrite_fn fn)
{
   uint32_t *code = NULL;
   size_t n = 0;
   const char *why = fn(ci->pCode, ci->codeSize / 4, &code, &n);
   char err[256];
   if (!why && code && !pv_spirv_validate(code, n, device_env(c, device), err, sizeof(err)))
      why = err;
   if (!why && code) {
      uint32_t *kept = pv_cs_alloc(c->dec, n, sizeof(*kept));
      if (kept) {
         pv_dbg("%s: %s (%zu words, %zu after)", what, kind, ci->codeSize / 4, n);
         memcpy(kept, code, n * sizeof(*kept));
         ci->pCode = kept;
         ci->codeSize = n * sizeof(*kept);
      }
   }
   free(code);
   if (why)
      pv_venus_refuse(c, "%s: %s: %s", what, kind, why);
   return !why && !pv_cs_fatal(c->dec);
}

/* The code the host compiles for `ci` (ours: the decoder's copy of the guest's create info):
 * on a host that lists a strip geometry shader's primitives by OutputVertices
 * (pv_vk_physdev.bounds_gs_strips) its emits bounded, on one that does not bound Workgroup
 * memory (unbounded_shared) its indices there clamped. The checks read the guest's own
 * module. False after refusing. */
static bool
host_module(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
            VkShaderModuleCreateInfo *ci)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   const struct pv_vk_physdev *pd = d ? d->pd : NULL;
   if (pd && pd->bounds_gs_strips &&
       !rewrite(c, what, "a strip geometry shader compiled bounded", device, ci,
                pv_spirv_bound_strips))
      return false;
   if (pd && pd->unrolls_on_hint &&
       !rewrite(c, what, "loops without the Unroll hint", device, ci, pv_spirv_plain_loops))
      return false;
   return !pd || !pd->unbounded_shared ||
          rewrite(c, what, "Workgroup memory zeroed and its indices clamped", device, ci,
                  pv_spirv_guard_shared);
}

void
pv_guard_CreateShaderModule(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateShaderModule *a = args;
   struct pv_spirv_module *m = module_reflect(c, "vkCreateShaderModule", a->device, a->pCreateInfo);
   if (!m)
      return;
   VkShaderModuleCreateInfo host = *a->pCreateInfo;
   if (!host_module(c, "vkCreateShaderModule", a->device, &host)) {
      pv_spirv_module_free(m);
      return;
   }
   const VkShaderModuleCreateInfo *guest = a->pCreateInfo;
   a->pCreateInfo = &host;
   pv_handle_vkCreateShaderModule(c, args);
   a->pCreateInfo = guest;
   struct pv_object *o =
      a->ret == VK_SUCCESS && a->pShaderModule && !pv_cs_fatal(c->dec)
         ? pv_venus_find(c, PV_FROM_HANDLE(*a->pShaderModule), VK_OBJECT_TYPE_SHADER_MODULE)
         : NULL;
   if (!o || o->data) {
      pv_spirv_module_free(m);
      return;
   }
   o->data = m;
   o->free_data = module_free;
}

/* ----- pipeline stages ----------------------------------------------------------------------- */

/* A stage's specialization data: every map entry inside pData (the host copies entries out of
 * it), and the value of spec constant `id` if the stage sets it. */
static bool
spec_ok(const VkSpecializationInfo *si)
{
   for (uint32_t i = 0; si && si->pMapEntries && i < si->mapEntryCount; i++) {
      const VkSpecializationMapEntry *e = &si->pMapEntries[i];
      if ((uint64_t)e->offset + e->size > si->dataSize || (e->size && !si->pData))
         return false;
   }
   return true;
}

/* Mesa (vk_util.c vk_spec_info_to_nir_spirv, 22.3 and 25.0) gives an entry of a size other than
 * 1, 2, 4 or 8 the value 0 (VUID-VkSpecializationMapEntry-constantID-00776 rules such a size out
 * for a declared constant): a workgroup dimension of size 3 holding 8 passed our check and
 * reached lavapipe as 0, whose compute loop then wrote coroutine frames of 0 bytes (measured on
 * 22.3.6: "malloc(): corrupted top size"). pv_spirv_spec_raw reads entries that way. */
static bool
spec_value(const VkSpecializationInfo *si, uint32_t id, uint32_t *v)
{
   uint64_t x;
   if (!pv_spirv_spec_raw(si, id, &x))
      return false;
   *v = x > UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)x;
   return true;
}

/* The resource's element count for this stage: PV_SPIRV_COUNT_* kept. */
static uint32_t
resource_count(const struct pv_spirv_resource *r, const VkSpecializationInfo *si)
{
   uint32_t v = r->count;
   if (r->has_spec)
      spec_value(si, r->spec_id, &v);
   return v;
}

struct uses {
   struct pv_vk_use *v;
   uint32_t count, cap;
};

static bool
uses_add(struct uses *u, struct pv_vk_use use)
{
   for (uint32_t i = 0; i < u->count; i++)
      if (u->v[i].set == use.set && u->v[i].binding == use.binding) {
         if (use.count > u->v[i].count)
            u->v[i].count = use.count;
         u->v[i].types &= use.types;
         u->v[i].plain |= use.plain;
         return true;
      }
   if (u->count == u->cap) {
      uint32_t cap = u->cap ? u->cap * 2 : 8;
      struct pv_vk_use *v = realloc(u->v, cap * sizeof(*v));
      if (!v)
         return false;
      u->v = v;
      u->cap = cap;
   }
   u->v[u->count++] = use;
   return true;
}

/* Why one used descriptor does not fit the layout, or NULL. */
static const char *
resource_misfit(const struct pv_vk_pipeline_layout *l, const struct pv_spirv_resource *r,
                uint32_t count, VkShaderStageFlagBits stage)
{
   if (r->set >= l->set_layout_count || r->set >= PV_VK_MAX_SETS || !l->set_layouts[r->set])
      return "its set is not in the pipeline layout";
   const struct pv_vk_layout_binding *b =
      pv_vk_layout_binding_find(l->set_layouts[r->set], r->binding);
   if (!b || !b->count)
      return "its binding is not in the set layout";
   if (!(b->stages & stage))
      return "the binding is not visible to the stage";
   if (!pv_vk_binding_takes(b, r->types))
      return "the binding's descriptor type does not match the shader's";
   if (count != PV_SPIRV_COUNT_RUNTIME && count != PV_SPIRV_COUNT_UNKNOWN && count > b->count)
      return "the shader's array is larger than the binding";
   return NULL;
}

static bool
push_fits(const struct pv_vk_pipeline_layout *l, uint32_t end, VkShaderStageFlagBits stage)
{
   uint64_t covered = 0;
   for (uint32_t i = 0; i < l->push_count; i++)
      if (l->push[i].stageFlags & stage) {
         uint64_t e = (uint64_t)l->push[i].offset + l->push[i].size;
         covered = e > covered ? e : covered;
      }
   return end <= covered;
}

static const VkShaderModuleCreateInfo *
inline_module(const void *pnext)
{
   return pv_vk_chain_find(pnext, VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
}

/* Interface locations inside the device's limits for the stage (spirv_io.c says why); the
 * module's unused variables inside the most any stage may use. */
static const char *
io_misfit(struct pv_dispatch_ctx *c, VkDevice device, const struct pv_spirv_module *m,
          const struct pv_spirv_entry *e)
{
   if (e->in_end > pv_vk_stage_locations(c, device, e->stage, false))
      return "its inputs use locations past the device's limit for the stage";
   if (e->out_end > pv_vk_stage_locations(c, device, e->stage, true))
      return "its outputs use locations past the device's limit for the stage";
   if (m->io_first_end > pv_vk_stage_locations(c, device, 0, false))
      return "the module declares an input or output location past the device's limits";
   return NULL;
}

/* A geometry shader's input primitive has at most 6 vertices (triangles with adjacency): the
 * spec's per-vertex input arrays hold exactly the primitive's count; this bound is looser. */
#define PV_GS_MAX_INPUT_VERTICES 6u
/* glslang sizes tessellation inputs by gl_MaxPatchVertices, 32, also where a device's
 * maxTessellationPatchSize is smaller. */
#define PV_TESS_DECLARED_VERTICES 32u

/*
 * Per-vertex inputs no longer than a primitive or patch has vertices, and clip and cull
 * distances inside the device's limits (VUID-VkPipelineShaderStageCreateInfo-maxClipDistances-
 * 00708, -maxCullDistances-00709, -maxCombinedClipAndCullDistances-00710; the tessellation
 * patch size: patchControlPoints-01214). lavapipe 22.3 lowers per-vertex input arrays element
 * by element, each with a variable and names of its own: a geometry shader's input of
 * 16,777,217 elements (one fuzzed word) grew without end, about 3.3 KB and more time per
 * element (natively: 7 GB after 27 s); and it assigns clip and cull distances into a fixed
 * array on its stack (gl_ClipDistance[512]: "stack smashing detected", natively). The tenth
 * reading; SPIRV-Tools accepts both.
 */
static const char *
extents_misfit(struct pv_dispatch_ctx *c, VkDevice device, const struct pv_spirv_entry *e)
{
   static const VkPhysicalDeviceLimits unknown; /* nothing fits, as for locations */
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   const VkPhysicalDeviceLimits *l = d && d->pd ? &d->pd->limits : &unknown;
   uint32_t patch = l->maxTessellationPatchSize > PV_TESS_DECLARED_VERTICES
                       ? l->maxTessellationPatchSize
                       : PV_TESS_DECLARED_VERTICES;
   if (e->stage == VK_SHADER_STAGE_GEOMETRY_BIT && e->io.in_vertices > PV_GS_MAX_INPUT_VERTICES)
      return "a per-vertex input longer than any input primitive has vertices";
   if ((e->stage &
        (VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT | VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT)) &&
       e->io.in_vertices > patch)
      return "a per-vertex input longer than the device's patches (maxTessellationPatchSize)";
   if (e->io.clip > l->maxClipDistances)
      return "ClipDistance past the device's maxClipDistances";
   if (e->io.cull > l->maxCullDistances)
      return "CullDistance past the device's maxCullDistances";
   if ((uint64_t)e->io.clip + e->io.cull > l->maxCombinedClipAndCullDistances)
      return "ClipDistance and CullDistance past the device's maxCombinedClipAndCullDistances";
   /* VUID-VkPipelineShaderStageCreateInfo-maxSampleMaskWords-00711; lavapipe assigns an output
    * SampleMask's words into the same 96-slot array on its stack (the eleventh reading) */
   if (e->io.sample_mask > l->maxSampleMaskWords)
      return "a SampleMask array past the device's maxSampleMaskWords";
   return NULL;
}

/* The compute workgroup size after specialization, against the device's limits. */
static const char *
workgroup_misfit(struct pv_dispatch_ctx *c, VkDevice device, const struct pv_spirv_entry *e,
                 const VkSpecializationInfo *si)
{
   uint32_t size[3];
   for (int i = 0; i < 3; i++) {
      size[i] = e->local[i];
      if (e->local_spec[i] != PV_SPIRV_NO_SPEC)
         spec_value(si, e->local_spec[i], &size[i]);
   }
   return pv_vk_workgroup_violation(c, device, size);
}

/* The stage after specialization: no constant whose folding traps a Mesa host (on every host:
 * the result is undefined in SPIR-V anyway), a compute stage's Workgroup memory against the
 * device's limit, and on a host that keeps Private and Function arrays on its stacks
 * (stacks_private_arrays) each invocation's against ours. */
/* What a call tree may inline to on a host that inlines every call (spirv_var_size.c): the
 * largest shaders of the e2e, piglit, ffmpeg and llama.cpp workloads are tens of thousands of
 * words. */
#define PV_VK_INLINED_WORDS_MAX (1ull << 20)

static const char *
memory_misfit(struct pv_dispatch_ctx *c, VkDevice device, const struct pv_spirv_module *m,
              const struct pv_spirv_entry *e, const VkSpecializationInfo *si)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   bool compute = e->stage == VK_SHADER_STAGE_COMPUTE_BIT;
   bool stacks = d && d->pd && d->pd->stacks_private_arrays;
   struct pv_spirv_var_bytes bytes;
   const char *why = NULL;
   if (!pv_spirv_var_bytes_of(m->vars, e->name, e->model, si, compute, stacks, &bytes, &why))
      return why;
   why = compute ? pv_vk_shared_violation(c, device, bytes.workgroup) : NULL;
   if (!why && stacks &&
       pv_spirv_inlined_words(m->vars, e->name, e->model) > PV_VK_INLINED_WORDS_MAX)
      why = "more than 2^20 words of SPIR-V once every call is inlined (this host inlines them "
            "all)";
   return why ? why : pv_vk_private_violation(c, device, bytes.invocation);
}

/* What the check of the whole stage array needs of its stages (stages_together_ok): whether it
 * has tessellation stages, and the largest modes of its geometry stages. */
struct stage_facts {
   bool geometry, tessellation;
   uint32_t output_vertices, invocations, out_end;
   /* a tessellation control stage, and the OutputVertices the control and the evaluation stage
    * declare (0: none) */
   bool control;
   uint32_t tess_vertices[2];
};

static void
facts_add(struct stage_facts *f, const struct pv_spirv_entry *e)
{
   bool control = e->stage == VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT;
   if (control || e->stage == VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT) {
      f->tessellation = true;
      f->control |= control;
      f->tess_vertices[control ? 0 : 1] = e->has_output_vertices ? e->output_vertices : 0;
   }
   if (e->stage != VK_SHADER_STAGE_GEOMETRY_BIT)
      return;
   f->geometry = true;
   /* the host's: a strip is compiled with its slack on lavapipe, the one host that counts it
    * (host_module); OutputVertices was checked against the device's limit */
   uint32_t vertices = e->output_vertices + pv_spirv_strip_slack(e->output_primitive);
   f->output_vertices = vertices > f->output_vertices ? vertices : f->output_vertices;
   f->invocations = e->invocations > f->invocations ? e->invocations : f->invocations;
   f->out_end = e->out_end > f->out_end ? e->out_end : f->out_end;
}

static bool
stage_check(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
            const struct pv_vk_pipeline_layout *l, uint32_t i,
            const VkPipelineShaderStageCreateInfo *st, struct uses *u, struct stage_facts *f)
{
   if (!spec_ok(st->pSpecializationInfo)) {
      pv_venus_refuse(c, "%s: stage %u: a specialization map entry outside its data", what, i);
      return false;
   }
   const char *missing = pv_vk_stage_feature_missing(c, device, st->stage);
   if (missing) {
      pv_venus_refuse(c, "%s: stage %u: %s", what, i, missing);
      return false;
   }
   const VkShaderModuleCreateInfo *inl = st->module ? NULL : inline_module(st->pNext);
   struct pv_spirv_module *own = inl ? module_reflect(c, what, device, inl) : NULL;
   /* the chain is the decoder's copy of the guest's, in its arena: ours to point elsewhere */
   if (own && !host_module(c, what, device, (VkShaderModuleCreateInfo *)inl)) {
      pv_spirv_module_free(own);
      return false;
   }
   struct pv_object *o =
      st->module ? pv_venus_object(c, VK_OBJECT_TYPE_SHADER_MODULE, PV_FROM_HANDLE(st->module))
                 : NULL;
   const struct pv_spirv_module *m = own ? own : o ? o->data : NULL;
   if (!m) {
      if (!pv_cs_fatal(c->dec))
         pv_venus_refuse(c, "%s: stage %u: no shader module we validated", what, i);
      return false;
   }
   const struct pv_spirv_entry *e = pv_spirv_entry_find(m, st->pName, st->stage);
   const char *why = !e ? "no entry point of that name for the stage"
                     : e->push_end && !push_fits(l, e->push_end, st->stage)
                        ? "its push constants are outside the layout's ranges for the stage"
                        : io_misfit(c, device, m, e);
   if (!why)
      why = extents_misfit(c, device, e);
   if (!why && e->stage == VK_SHADER_STAGE_COMPUTE_BIT)
      why = workgroup_misfit(c, device, e, st->pSpecializationInfo);
   if (!why)
      why = memory_misfit(c, device, m, e, st->pSpecializationInfo);
   /* which of two values the host takes is its own choice (Mesa's the first) */
   if (!why && e->conflicting_modes)
      why = "OutputVertices or Invocations declared twice with different values";
   if (!why && e->has_output_vertices &&
       (e->stage &
        (VK_SHADER_STAGE_TESSELLATION_CONTROL_BIT | VK_SHADER_STAGE_TESSELLATION_EVALUATION_BIT)))
      why = pv_vk_patch_size_violation(c, device, e->output_vertices);
   if (!why && e->stage == VK_SHADER_STAGE_GEOMETRY_BIT)
      why = pv_vk_geometry_violation(c, device, e);
   if (!why)
      facts_add(f, e);
   if (!why && e->push_end &&
       !uses_add(u, (struct pv_vk_use){PV_VK_USE_PUSH, st->stage, 0, 0, false}))
      why = "no memory";
   for (uint32_t k = 0; !why && k < e->count; k++) {
      const struct pv_spirv_resource *r = &e->res[k];
      uint32_t n = resource_count(r, st->pSpecializationInfo);
      why = resource_misfit(l, r, n, st->stage);
      if (why)
         pv_venus_refuse(c, "%s: stage %u (0x%x) uses set %u binding %u (%u elements): %s", what, i,
                         (unsigned)st->stage, r->set, r->binding, n, why);
      else if (!uses_add(
                  u, (struct pv_vk_use){
                        r->set, r->binding,
                        n == PV_SPIRV_COUNT_RUNTIME || n == PV_SPIRV_COUNT_UNKNOWN ? UINT32_MAX : n,
                        r->types, r->plain}))
         why = "no memory";
      if (why)
         break;
   }
   if (!why)
      why = pv_vk_inline_uniforms_violation(c, device, l, e);
   if (why && !c->refused)
      pv_venus_refuse(c, "%s: stage %u (0x%x, \"%s\"): %s", what, i, (unsigned)st->stage,
                      st->pName ? st->pName : "", why);
   pv_spirv_module_free(own);
   return !why;
}

/* Whether library i of the array is one of those before it. */
static bool
linked_twice(const VkPipelineLibraryCreateInfoKHR *li, uint32_t i)
{
   for (uint32_t j = 0; j < i; j++)
      if (li->pLibraries[j] == li->pLibraries[i])
         return true;
   return false;
}

#define PV_ALL_SUBSETS 0xfu /* the four VkGraphicsPipelineLibraryFlagBitsEXT */

uint8_t
pv_vk_own_subsets(const void *pnext, uint64_t flags)
{
   const VkGraphicsPipelineLibraryCreateInfoEXT *gl =
      pv_vk_chain_find(pnext, VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_LIBRARY_CREATE_INFO_EXT);
   if (gl)
      return (uint8_t)(gl->flags & PV_ALL_SUBSETS);
   /* Vulkan counts such a library as defining nothing; lavapipe gives it all four subsets
    * (lvp_pipeline.c), and merges it as such */
   return (flags & VK_PIPELINE_CREATE_LIBRARY_BIT_KHR) ? PV_ALL_SUBSETS : 0;
}

static const struct pv_vk_pipeline *
library_of(struct pv_dispatch_ctx *c, VkPipeline pipeline)
{
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE, PV_FROM_HANDLE(pipeline));
   const struct pv_vk_pipeline *p = o ? o->data : NULL;
   return p && p->library ? p : NULL;
}

uint8_t
pv_vk_linked_subsets(struct pv_dispatch_ctx *c, const void *pnext)
{
   const VkPipelineLibraryCreateInfoKHR *li =
      pv_vk_chain_find(pnext, VK_STRUCTURE_TYPE_PIPELINE_LIBRARY_CREATE_INFO_KHR);
   uint8_t all = 0;
   for (uint32_t i = 0; li && li->pLibraries && i < li->libraryCount; i++) {
      const struct pv_vk_pipeline *p = library_of(c, li->pLibraries[i]);
      all |= p ? p->subsets : 0;
   }
   return all;
}

/*
 * What the libraries a pipeline links (VK_KHR_pipeline_library) use. Every state subset is
 * defined once: by the create info or by one library (VUID VkGraphicsPipelineCreateInfo-
 * pLibraries-06611; a library linked twice defines its subsets twice). lavapipe's link adds each
 * merged library's push constant size, into a 16-bit size over a 512-byte array that draws copy
 * from (lvp_pipeline.c merge_layouts): four pre-rasterization libraries of 128 bytes each made
 * 640, and the shader read the host's own field past the array (a helper's native run on
 * 22.3.6, 2026-12-07). With each subset once, the sum stays within twice maxPushConstantsSize.
 */
static bool
library_uses(struct pv_dispatch_ctx *c, const char *what, const void *pnext, uint8_t own,
             struct uses *u)
{
   uint8_t defined = own;
   for (const VkBaseInStructure *s = pnext; s; s = s->pNext) {
      if (s->sType != VK_STRUCTURE_TYPE_PIPELINE_LIBRARY_CREATE_INFO_KHR)
         continue;
      const VkPipelineLibraryCreateInfoKHR *li = (const void *)s;
      for (uint32_t i = 0; li->pLibraries && i < li->libraryCount; i++) {
         if (linked_twice(li, i)) {
            pv_venus_refuse(c, "%s: library %u is linked twice", what, i);
            return false;
         }
         const struct pv_vk_pipeline *p = library_of(c, li->pLibraries[i]);
         if (!p) {
            pv_venus_refuse(c, "%s: library %u is not a pipeline library", what, i);
            return false;
         }
         if (defined & p->subsets) {
            pv_venus_refuse(c, "%s: library %u defines state (subsets 0x%x) defined already", what,
                            i, p->subsets & defined);
            return false;
         }
         defined |= p->subsets;
         for (uint32_t k = 0; k < p->use_count; k++)
            if (!uses_add(u, p->uses[k])) {
               pv_venus_refuse(c, "%s: no memory", what);
               return false;
            }
      }
   }
   return true;
}

/* The patch size a graphics create info draws with: its tessellation state's, 1 when dynamic
 * (any size may come) or absent (a library's state; guard_limits.c refuses a state missing
 * where the host reads it). */
static uint32_t
patch_size_of(const VkGraphicsPipelineCreateInfo *g)
{
   if (!g || !g->pTessellationState ||
       pv_vk_has_dynamic_state(g, VK_DYNAMIC_STATE_PATCH_CONTROL_POINTS_EXT))
      return 1;
   uint32_t n = g->pTessellationState->patchControlPoints;
   return n ? n : 1;
}

/* What the whole stage array must hold to: the geometry stage's output buffer, with the
 * tessellation of the same create info (a pipeline library of pre-rasterization shaders holds
 * all of them, so the stage array does), and the tessellation stages' patch sizes. */
static bool
stages_together_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                   const struct stage_facts *f, const VkGraphicsPipelineCreateInfo *g)
{
   const char *why =
      f->geometry
         ? pv_vk_geometry_output_violation(c, device, f->output_vertices, f->invocations,
                                           f->out_end, f->tessellation ? patch_size_of(g) : 0)
         : NULL;
   if (!why && f->control)
      why = pv_vk_tess_vertices_violation(c, device, f->tess_vertices[0], f->tess_vertices[1]);
   if (why)
      pv_venus_refuse(c, "%s: %s", what, why);
   return !why;
}

bool
pv_vk_stages_check(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                   VkPipelineLayout layout, uint32_t count,
                   const VkPipelineShaderStageCreateInfo *stages, const void *pnext,
                   const VkGraphicsPipelineCreateInfo *graphics, struct pv_vk_use **out,
                   uint32_t *out_count)
{
   struct uses u = {0};
   struct stage_facts f = {0};
   *out = NULL;
   *out_count = 0;
   if (!library_uses(c, what, pnext, pv_vk_own_subsets(pnext, 0), &u))
      goto fail;
   if (count && stages) {
      struct pv_object *o =
         layout ? pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE_LAYOUT, PV_FROM_HANDLE(layout)) : NULL;
      const struct pv_vk_pipeline_layout *l = o ? o->data : NULL;
      if (!l || !l->set_layouts) {
         pv_venus_refuse(c, "%s: shader stages without a pipeline layout we know", what);
         goto fail;
      }
      for (uint32_t i = 0; i < count; i++)
         if (!stage_check(c, what, device, l, i, &stages[i], &u, &f))
            goto fail;
      if (!stages_together_ok(c, what, device, &f, graphics))
         goto fail;
   }
   *out = u.v;
   *out_count = u.count;
   return true;
fail:
   free(u.v);
   return false;
}
