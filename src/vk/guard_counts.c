/* SPDX-License-Identifier: MIT */
/*
 * Descriptor counts against the device's limits (guard.h, issue 12). A set layout's binding
 * numbers and sizes decide what the host driver allocates for it and for every set made from
 * it: lavapipe sizes its binding array by the largest binding number (a number of 0xffffff00
 * asked malloc for ~480 GB, fuzz input 1f4add07) and multiplies descriptor counts by its
 * descriptor size. Valid usage bounds what a pipeline
 * layout may use by the maxDescriptorSet* limits (the update-after-bind ones for
 * update-after-bind sets); a set layout beyond the larger of the two could never be used by
 * any pipeline, so it is refused before the host allocates for it. Pool sizes are bounded the
 * same way: a pool cannot usefully hold more than maxSets sets at those limits each, nor more
 * than the device's maxUpdateAfterBindDescriptorsInAllPools descriptors in all.
 */
#include "vk/guard.h"

#include "renderer/context.h"

/* Per descriptor type kind, the larger of the set limit and its update-after-bind one. */
enum desc_kind {
   K_SAMPLER, K_UNIFORM, K_UNIFORM_DYN, K_STORAGE, K_STORAGE_DYN, K_SAMPLED, K_STORAGE_IMAGE,
   K_INPUT, K_INLINE, K_OTHER, K_COUNT
};

/* What a pipeline layout may give one shader stage (maxPerStageDescriptor*). */
enum stage_kind { S_SAMPLER, S_UNIFORM, S_STORAGE, S_SAMPLED, S_STORAGE_IMAGE, S_INPUT, S_INLINE,
                  S_RESOURCES, S_COUNT };

struct desc_limits {
   uint64_t per_kind[K_COUNT];
   uint64_t per_stage[S_COUNT], per_stage_uab[S_COUNT]; /* and the update-after-bind ones */
   uint64_t inline_bytes; /* maxInlineUniformBlockSize: an inline block's count is in bytes */
   uint64_t all_pools;    /* maxUpdateAfterBindDescriptorsInAllPools */
};

static uint64_t
max64(uint64_t a, uint64_t b)
{
   return a > b ? a : b;
}

/* a * b, UINT64_MAX when it does not fit */
static uint64_t
sat_mul(uint64_t a, uint64_t b)
{
   uint64_t r;
   return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* The device's limits; false when unknown (no device, no query): then nothing is let through
 * that we cannot bound. */
static bool
desc_limits(struct pv_dispatch_ctx *c, VkDevice device, struct desc_limits *out)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (!d || !d->pd || !inst || !inst->GetPhysicalDeviceProperties2)
      return false;
   /* each struct only where the device's version has it core (1.1, 1.2, 1.3): absent ones
    * stay 0, which only lowers the caps */
   VkPhysicalDeviceMaintenance3Properties m3 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
   VkPhysicalDeviceDescriptorIndexingProperties di = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DESCRIPTOR_INDEXING_PROPERTIES};
   VkPhysicalDeviceInlineUniformBlockProperties iub = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_INLINE_UNIFORM_BLOCK_PROPERTIES};
   VkPhysicalDeviceProperties2 p = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
   uint32_t v = d->pd->api_version;
   void **tail = &p.pNext;
   if (v >= VK_API_VERSION_1_1)
      *tail = &m3, tail = &m3.pNext;
   if (v >= VK_API_VERSION_1_2)
      *tail = &di, tail = &di.pNext;
   if (v >= VK_API_VERSION_1_3)
      *tail = &iub;
   inst->GetPhysicalDeviceProperties2(d->pd->host, &p);
   const VkPhysicalDeviceLimits *l = &p.properties.limits;
   uint64_t *k = out->per_kind;
   k[K_SAMPLER] = max64(l->maxDescriptorSetSamplers, di.maxDescriptorSetUpdateAfterBindSamplers);
   k[K_UNIFORM] = max64(l->maxDescriptorSetUniformBuffers,
                        di.maxDescriptorSetUpdateAfterBindUniformBuffers);
   k[K_UNIFORM_DYN] = max64(l->maxDescriptorSetUniformBuffersDynamic,
                            di.maxDescriptorSetUpdateAfterBindUniformBuffersDynamic);
   k[K_STORAGE] = max64(l->maxDescriptorSetStorageBuffers,
                        di.maxDescriptorSetUpdateAfterBindStorageBuffers);
   k[K_STORAGE_DYN] = max64(l->maxDescriptorSetStorageBuffersDynamic,
                            di.maxDescriptorSetUpdateAfterBindStorageBuffersDynamic);
   k[K_SAMPLED] = max64(l->maxDescriptorSetSampledImages,
                        di.maxDescriptorSetUpdateAfterBindSampledImages);
   k[K_STORAGE_IMAGE] = max64(l->maxDescriptorSetStorageImages,
                              di.maxDescriptorSetUpdateAfterBindStorageImages);
   k[K_INPUT] = max64(l->maxDescriptorSetInputAttachments,
                      di.maxDescriptorSetUpdateAfterBindInputAttachments);
   k[K_INLINE] = max64(iub.maxDescriptorSetInlineUniformBlocks,
                       iub.maxDescriptorSetUpdateAfterBindInlineUniformBlocks);
   /* types with no limit of their own (acceleration structures, mutable): the largest one */
   uint64_t other = 0;
   for (int i = 0; i < K_OTHER; i++)
      other = max64(other, k[i]);
   k[K_OTHER] = other;
   uint64_t *ps = out->per_stage, *pu = out->per_stage_uab;
   ps[S_SAMPLER] = l->maxPerStageDescriptorSamplers;
   ps[S_UNIFORM] = l->maxPerStageDescriptorUniformBuffers;
   ps[S_STORAGE] = l->maxPerStageDescriptorStorageBuffers;
   ps[S_SAMPLED] = l->maxPerStageDescriptorSampledImages;
   ps[S_STORAGE_IMAGE] = l->maxPerStageDescriptorStorageImages;
   ps[S_INPUT] = l->maxPerStageDescriptorInputAttachments;
   ps[S_INLINE] = iub.maxPerStageDescriptorInlineUniformBlocks;
   ps[S_RESOURCES] = l->maxPerStageResources;
   pu[S_SAMPLER] = di.maxPerStageDescriptorUpdateAfterBindSamplers;
   pu[S_UNIFORM] = di.maxPerStageDescriptorUpdateAfterBindUniformBuffers;
   pu[S_STORAGE] = di.maxPerStageDescriptorUpdateAfterBindStorageBuffers;
   pu[S_SAMPLED] = di.maxPerStageDescriptorUpdateAfterBindSampledImages;
   pu[S_STORAGE_IMAGE] = di.maxPerStageDescriptorUpdateAfterBindStorageImages;
   pu[S_INPUT] = di.maxPerStageDescriptorUpdateAfterBindInputAttachments;
   pu[S_INLINE] = iub.maxPerStageDescriptorUpdateAfterBindInlineUniformBlocks;
   pu[S_RESOURCES] = di.maxPerStageUpdateAfterBindResources;
   for (int i = 0; i < S_COUNT; i++)
      pu[i] = max64(pu[i], ps[i]);
   out->inline_bytes = iub.maxInlineUniformBlockSize;
   out->all_pools = max64(di.maxUpdateAfterBindDescriptorsInAllPools, m3.maxPerSetDescriptors);
   return true;
}

static enum desc_kind
kind_of(VkDescriptorType t)
{
   switch (t) {
   case VK_DESCRIPTOR_TYPE_SAMPLER:
      return K_SAMPLER;
   case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER: /* also counted as a sampler: below */
   case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
   case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
      return K_SAMPLED;
   case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
   case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
      return K_STORAGE_IMAGE;
   case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
      return K_UNIFORM;
   case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
      return K_UNIFORM_DYN;
   case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
      return K_STORAGE;
   case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC:
      return K_STORAGE_DYN;
   case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT:
      return K_INPUT;
   case VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK:
      return K_INLINE;
   default:
      return K_OTHER;
   }
}

/* Adds `n` descriptors of type t to the per-kind totals; false past a limit. Inline uniform
 * blocks count one block of n bytes. */
static bool
add_count(const struct desc_limits *lim, uint64_t totals[K_COUNT], VkDescriptorType t,
          uint64_t n)
{
   enum desc_kind k = kind_of(t);
   if (k == K_INLINE) {
      if (n > lim->inline_bytes)
         return false;
      n = 1;
   }
   totals[k] += n; /* n < 2^32 per entry and at most 2^32 entries: no overflow in 64 bits */
   if (t == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER)
      totals[K_SAMPLER] += n;
   return totals[k] <= lim->per_kind[k] && totals[K_SAMPLER] <= lim->per_kind[K_SAMPLER];
}

bool
pv_guard_set_layout_counts(struct pv_dispatch_ctx *c, VkDevice device,
                           const VkDescriptorSetLayoutCreateInfo *ci)
{
   struct desc_limits lim;
   uint64_t totals[K_COUNT] = {0};
   if (!ci || ci->bindingCount == 0)
      return true;
   if (!desc_limits(c, device, &lim)) {
      pv_venus_refuse(c, "vkCreateDescriptorSetLayout: the device's descriptor limits are "
                         "unknown");
      return false;
   }
   for (uint32_t i = 0; i < ci->bindingCount; i++) {
      const VkDescriptorSetLayoutBinding *b = &ci->pBindings[i];
      /* binding numbers need not be dense, but hosts size their binding array by the largest
       * (lavapipe: 112 bytes per number, so 0xffffff00 asked for ~480 GB, fuzz input
       * 1f4add07): at most the largest per-set limit of any type */
      if (b->binding >= lim.per_kind[K_OTHER]) {
         pv_venus_refuse(c, "vkCreateDescriptorSetLayout: binding number %u at or past %llu, "
                            "the device's largest per-set descriptor limit",
                         b->binding, (unsigned long long)lim.per_kind[K_OTHER]);
         return false;
      }
      if (!add_count(&lim, totals, b->descriptorType, b->descriptorCount)) {
         pv_venus_refuse(c, "vkCreateDescriptorSetLayout: binding %u (%u descriptors of type "
                            "%d) exceeds the device's per-set limit for its type",
                         b->binding, b->descriptorCount, (int)b->descriptorType);
         return false;
      }
   }
   return true;
}

/* ----- what a pipeline layout gives each stage ------------------------------------------------ */

/* Adds n descriptors of type t visible to a stage to its totals (Vulkan's per-stage limits:
 * a combined image sampler is a sampler and a sampled image; maxPerStageResources counts
 * buffers, images and input attachments, not samplers nor inline blocks). */
static void
add_stage(uint64_t totals[S_COUNT], VkDescriptorType t, uint64_t n)
{
   enum stage_kind k;
   switch (kind_of(t)) {
   case K_SAMPLER:
      totals[S_SAMPLER] += n;
      return;
   case K_UNIFORM:
   case K_UNIFORM_DYN:
      k = S_UNIFORM;
      break;
   case K_STORAGE:
   case K_STORAGE_DYN:
      k = S_STORAGE;
      break;
   case K_SAMPLED:
      k = S_SAMPLED;
      break;
   case K_STORAGE_IMAGE:
      k = S_STORAGE_IMAGE;
      break;
   case K_INPUT:
      k = S_INPUT;
      break;
   case K_INLINE:
      totals[S_INLINE] += 1;
      return;
   default:
      return; /* acceleration structures, mutable: no per-stage limit of their own */
   }
   totals[k] += n;
   totals[S_RESOURCES] += n;
   if (t == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER)
      totals[S_SAMPLER] += n;
}

static const char *const stage_kind_names[S_COUNT] = {
   "samplers", "uniform buffers", "storage buffers", "sampled images", "storage images",
   "input attachments", "inline uniform blocks", "resources",
};

/* Why the set layouts give `stage` more than the device allows it, or NULL. */
static const char *
stage_misfit(const struct desc_limits *lim, const struct pv_vk_set_layout *const *sets,
             uint32_t n, VkShaderStageFlags stage, bool uab)
{
   uint64_t totals[S_COUNT] = {0};
   for (uint32_t s = 0; s < n; s++)
      for (uint32_t i = 0; sets[s] && i < sets[s]->count; i++)
         if (sets[s]->b[i].stages & stage)
            add_stage(totals, sets[s]->b[i].type, sets[s]->b[i].count);
   const uint64_t *cap = uab ? lim->per_stage_uab : lim->per_stage;
   for (int k = 0; k < S_COUNT; k++)
      if (totals[k] > cap[k])
         return stage_kind_names[k];
   return NULL;
}

bool
pv_guard_pipeline_layout_counts(struct pv_dispatch_ctx *c, VkDevice device,
                                const struct pv_vk_set_layout *const *sets, uint32_t n,
                                bool arrays_per_stage)
{
   struct desc_limits lim;
   VkShaderStageFlags stages = 0;
   bool uab = false;
   for (uint32_t s = 0; s < n; s++)
      for (uint32_t i = 0; sets[s] && i < sets[s]->count; i++) {
         stages |= sets[s]->b[i].stages;
         uab |= sets[s]->update_after_bind;
      }
   if (!stages)
      return true;
   if (!desc_limits(c, device, &lim)) {
      pv_venus_refuse(c, "vkCreatePipelineLayout: the device's descriptor limits are unknown");
      return false;
   }
   /* a host whose per-stage state arrays are sized by the plain limits overflows them with
    * more, whatever it advertises for update-after-bind sets */
   uab = uab && !arrays_per_stage;
   for (uint32_t bit = 0; bit < 32; bit++) {
      const char *kind = stages >> bit & 1 ? stage_misfit(&lim, sets, n, 1u << bit, uab) : NULL;
      if (kind) {
         pv_venus_refuse(c, "vkCreatePipelineLayout: its set layouts give stage 0x%x more %s "
                            "than the device's per-stage limit",
                         1u << bit, kind);
         return false;
      }
   }
   return true;
}

/* A pool's sizes: per type at most maxSets sets at the per-set limit, and no more than the
 * device's maxUpdateAfterBindDescriptorsInAllPools descriptors in all. */
bool
pv_guard_pool_counts(struct pv_dispatch_ctx *c, VkDevice device,
                     const VkDescriptorPoolCreateInfo *ci)
{
   struct desc_limits lim;
   uint64_t totals[K_COUNT] = {0}, all = 0;
   if (!ci || ci->poolSizeCount == 0)
      return true;
   if (!desc_limits(c, device, &lim)) {
      pv_venus_refuse(c, "vkCreateDescriptorPool: the device's descriptor limits are unknown");
      return false;
   }
   for (uint32_t i = 0; i < ci->poolSizeCount; i++) {
      const VkDescriptorPoolSize *s = &ci->pPoolSizes[i];
      enum desc_kind k = kind_of(s->type);
      uint64_t cap = sat_mul(ci->maxSets, lim.per_kind[k]);
      if (k == K_INLINE) /* counts are bytes: blocks of at most maxInlineUniformBlockSize */
         cap = sat_mul(cap, lim.inline_bytes);
      totals[k] += s->descriptorCount; /* < 2^32 entries of < 2^32 each: fits */
      all += k == K_INLINE ? 0 : s->descriptorCount;
      if (totals[k] > cap || all > lim.all_pools) {
         pv_venus_refuse(c, "vkCreateDescriptorPool: %llu descriptors of type %d (%llu in "
                            "all) exceed maxSets %u at the device's per-set limits or its "
                            "%llu descriptors in all pools",
                         (unsigned long long)totals[k], (int)s->type, (unsigned long long)all,
                         ci->maxSets, (unsigned long long)lim.all_pools);
         return false;
      }
   }
   return true;
}

void
pv_guard_CreateDescriptorPool(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateDescriptorPool *a = args;
   const char *mutable_why =
      a->pCreateInfo
         ? pv_vk_mutable_pool_misfit(pv_vk_device_features(c, a->device), a->pCreateInfo)
         : NULL;
   if (mutable_why)
      pv_venus_refuse(c, "vkCreateDescriptorPool: %s", mutable_why);
   else if (pv_guard_pool_counts(c, a->device, a->pCreateInfo))
      pv_handle_vkCreateDescriptorPool(c, args);
}
