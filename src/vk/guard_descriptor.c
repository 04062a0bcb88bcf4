/* SPDX-License-Identifier: MIT */
/*
 * Bounds checks of descriptors (guard.h). With robustBufferAccess the host keeps shader
 * accesses inside each descriptor's range, so the range itself must lie inside its buffer:
 * checked when it is written. A dynamic offset moves the range at bind time; each set keeps the
 * smallest room its dynamic descriptors have left (dynamic_slack) and a bind may not move any
 * further. Image and texel-buffer views were checked when they were created.
 */
#include "vk/guard.h"

#include <stdlib.h>

#include "renderer/context.h"
#include "vk/lifetime.h"

static bool
is_dynamic(VkDescriptorType t)
{
   return t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC ||
          t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC;
}

static bool
is_buffer(VkDescriptorType t)
{
   return is_dynamic(t) || t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER ||
          t == VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
}

static void
slot_free_cb(uint64_t key, void *value, void *data)
{
   (void)key, (void)data;
   free(value);
}

static void
set_free(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_descriptor_set *s = obj->data;
   pv_id_table_foreach(&s->slots, slot_free_cb, NULL);
   pv_id_table_fini(&s->slots);
   pthread_mutex_destroy(&s->slots_lock);
   pv_vk_written_free(s->written);
   free(s);
   obj->data = NULL;
}

/* The set's state, made on first need (sets are made by the generated pass-through). */
struct pv_vk_descriptor_set *
pv_vk_descriptor_set_state(struct pv_dispatch_ctx *c, VkDescriptorSet set)
{
   struct pv_object *o = set ? pv_venus_object(c, VK_OBJECT_TYPE_DESCRIPTOR_SET,
                                               PV_FROM_HANDLE(set))
                             : NULL;
   return pv_vk_descriptor_set_of(o);
}

struct pv_vk_descriptor_set *
pv_vk_descriptor_set_of(struct pv_object *o)
{
   if (!o || o->type != VK_OBJECT_TYPE_DESCRIPTOR_SET)
      return o ? pv_vk_state_peek(o) : NULL;
   struct pv_vk_descriptor_set *s = pv_vk_state_peek(o);
   if (s)
      return s;
   struct pv_vk_descriptor_set *made = calloc(1, sizeof(*made));
   if (!made)
      return NULL;
   made->dynamic_slack = UINT64_MAX;
   pv_id_table_init(&made->slots);
   pthread_mutex_init(&made->slots_lock, NULL);
   s = pv_vk_state_publish(o, made, set_free);
   if (s != made) { /* another ring's command made it first */
      pv_id_table_fini(&made->slots);
      pthread_mutex_destroy(&made->slots_lock);
      free(made);
   }
   return s;
}

/*
 * A buffer descriptor's range (VK_WHOLE_SIZE: the rest of the buffer) inside the device's
 * maxUniformBufferRange or maxStorageBufferRange (VUID-VkWriteDescriptorSet-descriptorType-00332,
 * -00333). llvmpipe bounds a shader's storage access by the range's element count shifted
 * arithmetically in 32 bits (lp_bld_nir_soa.c ssbo_base_pointer), negative from 2^31 on, so any
 * index passed: a 2 GiB storage descriptor took a store 1 GiB past its buffer, and a larger one
 * a load 2 GiB before it (a helper's native runs on 22.3.6, 2026-12-07). Within the device's
 * limits (lavapipe: 128 MiB and 64 KiB) every offset stays below 2^31.
 */
static bool
range_in_limits(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_physdev *pd,
                VkDescriptorType t, const VkDescriptorBufferInfo *bi, uint64_t size)
{
   bool uniform =
      t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER || t == VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC;
   uint64_t range = bi->range == VK_WHOLE_SIZE ? size - bi->offset : bi->range;
   uint64_t limit = !pd       ? UINT64_MAX
                    : uniform ? pd->limits.maxUniformBufferRange
                              : pd->limits.maxStorageBufferRange;
   if (range <= limit)
      return true;
   pv_venus_refuse(c, "%s: a %s buffer descriptor of %llu bytes, past the device's %s", what,
                   uniform ? "uniform" : "storage", (unsigned long long)range,
                   uniform ? "maxUniformBufferRange" : "maxStorageBufferRange");
   return false;
}

/* Checks one buffer descriptor; returns the room a dynamic offset has, or false. */
static bool
buffer_info_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_physdev *pd,
               VkDescriptorType t, const VkDescriptorBufferInfo *bi, uint64_t *slack)
{
   *slack = UINT64_MAX;
   if (bi->buffer == VK_NULL_HANDLE)
      return true; /* nullDescriptor: reads zeros */
   if (!pv_guard_buffer_range_whole(c, what, bi->buffer, bi->offset, bi->range))
      return false;
   struct pv_vk_buffer *b = pv_vk_buffer_get(c, bi->buffer);
   if (!range_in_limits(c, what, pd, t, bi, b->size))
      return false;
   *slack = bi->range == VK_WHOLE_SIZE ? 0 : b->size - bi->offset - bi->range;
   return true;
}

/* Slot keys: samplers of combined image samplers get their own key space. */
#define PV_SAMPLER_SLOT 0x80000000u

static struct pv_object *
named_or_null(struct pv_dispatch_ctx *c, int32_t type, uint64_t host)
{
   return host ? pv_venus_object(c, type, host) : NULL;
}

/* Records what every descriptor of the write names now (lifetime.h). */
static void
record_slots(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s,
             const VkWriteDescriptorSet *w)
{
   VkDescriptorType t = w->descriptorType;
   for (uint32_t j = 0; j < w->descriptorCount && !pv_cs_fatal(c->dec); j++) {
      uint32_t b = w->dstBinding, e = w->dstArrayElement + j;
      if (is_buffer(t) && w->pBufferInfo) {
         pv_vk_descriptor_slot_set(c, s, b, e, named_or_null(c, VK_OBJECT_TYPE_BUFFER,
                                                             PV_FROM_HANDLE(w->pBufferInfo[j].buffer)));
      } else if ((t == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER ||
                  t == VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER) &&
                 w->pTexelBufferView) {
         pv_vk_descriptor_slot_set(c, s, b, e,
                                   named_or_null(c, VK_OBJECT_TYPE_BUFFER_VIEW,
                                                 PV_FROM_HANDLE(w->pTexelBufferView[j])));
      } else if (w->pImageInfo && t != VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK) {
         const VkDescriptorImageInfo *ii = &w->pImageInfo[j];
         if (t != VK_DESCRIPTOR_TYPE_SAMPLER)
            pv_vk_descriptor_slot_set(c, s, b, e,
                                      named_or_null(c, VK_OBJECT_TYPE_IMAGE_VIEW,
                                                    PV_FROM_HANDLE(ii->imageView)));
         if (t == VK_DESCRIPTOR_TYPE_SAMPLER || t == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER)
            pv_vk_descriptor_slot_set(c, s, b | PV_SAMPLER_SLOT, e,
                                      named_or_null(c, VK_OBJECT_TYPE_SAMPLER,
                                                    PV_FROM_HANDLE(ii->sampler)));
      }
   }
}

static void
copy_slot(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *src,
          struct pv_vk_descriptor_set *dst, uint32_t sb, uint32_t se, uint32_t db, uint32_t de)
{
   pthread_mutex_lock(&src->slots_lock);
   const struct pv_vk_ref_entry *in = pv_id_table_get(&src->slots, ((uint64_t)sb << 32 | se) + 1);
   const struct pv_vk_ref_entry copy = in ? *in : (struct pv_vk_ref_entry){0};
   pthread_mutex_unlock(&src->slots_lock);
   const struct pv_vk_ref_entry *r = in ? &copy : NULL;
   struct pv_object *o = r ? pv_venus_find(c, r->id, r->type) : NULL;
   /* a stale source stays stale: its reference is kept as it was */
   if (r && (!o || o->serial != r->serial))
      pv_vk_descriptor_slot_set_dead(c, dst, db, de, r);
   else
      pv_vk_descriptor_slot_set(c, dst, db, de, o);
}

/*
 * A view of several planes (a color view of a multi-planar format, sampled through a Y'CbCr
 * conversion) written to an image descriptor where the host gives each element one plane's room:
 * lavapipe 25 sizes a binding's elements by the planes of its immutable samplers' conversions (1
 * without) and writes a view's every plane from its element on, so a 3-plane view in the last
 * element wrote two descriptors, function pointers among them, past the set (lvp_descriptor_set.c;
 * read by a helper, 2026-12-07, not run: 22.3 has no multi-planar formats). Vulkan allows such a
 * view only in a combined image sampler whose immutable sampler's conversion matches it (VUIDs
 * VkWriteDescriptorSet-descriptorType-01946, 02738, 01948); the server does not follow
 * conversions, so on such a host every such write is refused (over-strict for the legal one).
 */
static bool
planes_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_physdev *pd,
          const VkWriteDescriptorSet *w)
{
   VkDescriptorType t = w->descriptorType;
   if (!pd || !pd->one_plane_per_descriptor || !w->pImageInfo ||
       (t != VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE && t != VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER &&
        t != VK_DESCRIPTOR_TYPE_STORAGE_IMAGE && t != VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT))
      return true;
   for (uint32_t j = 0; j < w->descriptorCount; j++) {
      struct pv_object *o =
         named_or_null(c, VK_OBJECT_TYPE_IMAGE_VIEW, PV_FROM_HANDLE(w->pImageInfo[j].imageView));
      const struct pv_vk_view *v = o ? o->data : NULL;
      if (v && v->planes > 1) {
         pv_venus_refuse(c,
                         "%s: a view of %u planes in an image descriptor (this host gives "
                         "an element one plane's room)",
                         what, v->planes);
         return false;
      }
   }
   return true;
}

static bool
writes_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_physdev *pd, uint32_t n,
          const VkWriteDescriptorSet *w, bool track)
{
   for (uint32_t i = 0; i < n; i++) {
      if (track) {
         struct pv_vk_descriptor_set *s = pv_vk_descriptor_set_state(c, w[i].dstSet);
         if (!s) {
            pv_venus_refuse(c, "%s: unknown descriptor set or no memory", what);
            return false;
         }
         if (!pv_vk_written_update(c, s, &w[i]))
            return false;
         record_slots(c, s, &w[i]);
      }
      if (!planes_ok(c, what, pd, &w[i]))
         return false;
      if (!is_buffer(w[i].descriptorType))
         continue;
      if (!w[i].pBufferInfo) {
         pv_venus_refuse(c, "%s: buffer descriptors without pBufferInfo", what);
         return false;
      }
      uint64_t min_slack = UINT64_MAX, slack;
      for (uint32_t j = 0; j < w[i].descriptorCount; j++) {
         if (!buffer_info_ok(c, what, pd, w[i].descriptorType, &w[i].pBufferInfo[j], &slack))
            return false;
         min_slack = slack < min_slack ? slack : min_slack;
      }
      if (!track || !is_dynamic(w[i].descriptorType))
         continue;
      struct pv_vk_descriptor_set *s = pv_vk_descriptor_set_state(c, w[i].dstSet);
      if (!s) {
         pv_venus_refuse(c, "%s: unknown descriptor set or no memory", what);
         return false;
      }
      s->dynamic_slack = min_slack < s->dynamic_slack ? min_slack : s->dynamic_slack;
      pv_vk_descriptor_set_room(c, w[i].dstSet, s);
   }
   return true;
}

static bool
copies_ok(struct pv_dispatch_ctx *c, uint32_t n, const VkCopyDescriptorSet *cp)
{
   for (uint32_t i = 0; i < n; i++) {
      struct pv_vk_descriptor_set *src = pv_vk_descriptor_set_state(c, cp[i].srcSet);
      struct pv_vk_descriptor_set *dst = pv_vk_descriptor_set_state(c, cp[i].dstSet);
      if (!src || !dst) {
         pv_venus_refuse(c, "vkUpdateDescriptorSets: unknown descriptor set in a copy");
         return false;
      }
      if (!pv_vk_written_copy(c, src, dst, &cp[i]))
         return false;
      if (src->dynamic_slack < dst->dynamic_slack)
         dst->dynamic_slack = src->dynamic_slack;
      pv_vk_descriptor_set_room(c, cp[i].dstSet, dst);
      for (uint32_t k = 0; k < cp[i].descriptorCount && !pv_cs_fatal(c->dec); k++) {
         uint32_t se = cp[i].srcArrayElement + k, de = cp[i].dstArrayElement + k;
         copy_slot(c, src, dst, cp[i].srcBinding, se, cp[i].dstBinding, de);
         copy_slot(c, src, dst, cp[i].srcBinding | PV_SAMPLER_SLOT, se,
                   cp[i].dstBinding | PV_SAMPLER_SLOT, de);
      }
   }
   return true;
}

void
pv_guard_UpdateDescriptorSets(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkUpdateDescriptorSets *a = args;
   struct pv_vk_set_writes w;
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   if (!writes_ok(c, "vkUpdateDescriptorSets", d ? d->pd : NULL, a->descriptorWriteCount,
                  a->pDescriptorWrites, true) ||
       !copies_ok(c, a->descriptorCopyCount, a->pDescriptorCopies) ||
       !pv_vk_sets_write_begin(c, a->device, a, &w))
      return;
   pv_handle_vkUpdateDescriptorSets(c, args);
   pv_vk_sets_write_end(pv_venus_from(c), &w);
}

/* The device's maxPushConstantsSize (0 when unknown: nothing fits). */
static uint32_t
push_limit(struct pv_dispatch_ctx *c, VkDevice device)
{
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   struct pv_vk_instance *inst = pv_vk_instance_get(ctx);
   if (!d || !d->pd || !inst || !inst->GetPhysicalDeviceProperties2)
      return 0;
   VkPhysicalDeviceProperties2 p = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
   inst->GetPhysicalDeviceProperties2(d->pd->host, &p);
   return p.properties.limits.maxPushConstantsSize;
}

/* Where the layout's push constant ranges end, or UINT64_MAX when one leaves the device's. */
static uint64_t
push_end(struct pv_dispatch_ctx *c, VkDevice device, const VkPipelineLayoutCreateInfo *ci)
{
   uint64_t end = 0, limit = ci->pushConstantRangeCount ? push_limit(c, device) : 0;
   for (uint32_t i = 0; i < ci->pushConstantRangeCount; i++) {
      const VkPushConstantRange *r = &ci->pPushConstantRanges[i];
      uint64_t e = (uint64_t)r->offset + r->size;
      if (e > limit)
         return UINT64_MAX;
      end = e > end ? e : end;
   }
   return end;
}

/* Its set layouts inside the device's per-stage limits: lavapipe before Mesa 23.1 keeps each
 * stage's buffers, images and samplers in fixed arrays of those sizes and wrote past them
 * (257 storage buffers for a stage of 32). */
static bool
stage_counts_ok(struct pv_dispatch_ctx *c, VkDevice device, const VkPipelineLayoutCreateInfo *ci)
{
   uint32_t n = ci->pSetLayouts ? ci->setLayoutCount : 0;
   if (!n)
      return true;
   const struct pv_vk_set_layout **sets = calloc(n, sizeof(*sets));
   if (!sets) {
      pv_venus_refuse(c, "vkCreatePipelineLayout: no memory");
      return false;
   }
   for (uint32_t i = 0; i < n; i++)
      sets[i] = pv_vk_set_layout_get(c, ci->pSetLayouts[i]);
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   bool ok = pv_guard_pipeline_layout_counts(c, device, sets, n,
                                             d && d->pd && d->pd->arrays_per_stage);
   free(sets);
   return ok;
}

/*
 * VK_NULL_HANDLE set layouts (allowed with graphicsPipelineLibrary, VUID
 * VkPipelineLayoutCreateInfo-graphicsPipelineLibrary-06753) where the host reads through them:
 * lavapipe before 25 walks the lower sets' layouts when binding or pushing a later set
 * (lvp_execute.c increment_dyn_info) and when compiling an inline uniform block of a later set
 * (lvp_lower_vulkan_resource.c): SIGSEGV in each of the three, natively on 22.3.6 (a helper's
 * probes, 2026-12-07). Refused there; 25.0 checks for NULL.
 */
static bool
null_sets_ok(struct pv_dispatch_ctx *c, VkDevice device, const VkPipelineLayoutCreateInfo *ci)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   if (!d || !d->pd || !d->pd->reads_null_set_layouts || !ci->pSetLayouts)
      return true;
   for (uint32_t i = 0; i < ci->setLayoutCount; i++)
      if (ci->pSetLayouts[i] == VK_NULL_HANDLE) {
         pv_venus_refuse(c,
                         "vkCreatePipelineLayout: set layout %u is VK_NULL_HANDLE (this host "
                         "reads through it when later sets are bound)",
                         i);
         return false;
      }
   return true;
}

/* One push descriptor set layout at most (VUID-VkPipelineLayoutCreateInfo-pSetLayouts-00293):
 * a command buffer keeps one pushed set per bind point (guard_written.c), as hosts do. */
static bool
one_push_set(struct pv_dispatch_ctx *c, const VkPipelineLayoutCreateInfo *ci)
{
   uint32_t pushes = 0;
   for (uint32_t i = 0; ci->pSetLayouts && i < ci->setLayoutCount; i++) {
      const struct pv_vk_set_layout *l =
         ci->pSetLayouts[i] ? pv_vk_set_layout_get(c, ci->pSetLayouts[i]) : NULL;
      pushes += l && l->push;
   }
   if (pushes <= 1)
      return true;
   pv_venus_refuse(c, "vkCreatePipelineLayout: %u push descriptor set layouts", pushes);
   return false;
}

void
pv_guard_CreatePipelineLayout(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreatePipelineLayout *a = args;
   uint64_t end = a->pCreateInfo ? push_end(c, a->device, a->pCreateInfo) : 0;
   if (end == UINT64_MAX) {
      pv_venus_refuse(c, "vkCreatePipelineLayout: a push constant range ends past the "
                         "device's maxPushConstantsSize");
      return;
   }
   if (a->pCreateInfo &&
       (!stage_counts_ok(c, a->device, a->pCreateInfo) ||
        !null_sets_ok(c, a->device, a->pCreateInfo) || !one_push_set(c, a->pCreateInfo)))
      return;
   pv_handle_vkCreatePipelineLayout(c, args);
   if (a->ret != VK_SUCCESS || !a->pPipelineLayout || !a->pCreateInfo || pv_cs_fatal(c->dec))
      return;
   struct pv_object *o =
      pv_venus_find(c, PV_FROM_HANDLE(*a->pPipelineLayout), VK_OBJECT_TYPE_PIPELINE_LAYOUT);
   struct pv_vk_pipeline_layout *l = o && !o->data ? calloc(1, sizeof(*l)) : NULL;
   if (l) {
      l->sets = a->pCreateInfo->setLayoutCount;
      l->push_end = (uint32_t)end;
      o->data = l;
      o->free_data = pv_vk_pipeline_layout_free;
   }
   if (!l || !pv_vk_pipeline_layout_fill(c, l, a->pCreateInfo))
      pv_venus_refuse(c, "vkCreatePipelineLayout: no memory for the layout's state");
}

/* Sets [first, first + count) exist in the layout: the host stores bound sets by index. */
static bool
sets_fit(struct pv_dispatch_ctx *c, const char *what, VkPipelineLayout layout, uint32_t first,
         uint64_t count)
{
   struct pv_object *o =
      pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE_LAYOUT, PV_FROM_HANDLE(layout));
   const struct pv_vk_pipeline_layout *l = o ? o->data : NULL;
   if (l && first <= l->sets && count <= l->sets - first)
      return true;
   pv_venus_refuse(c, "%s: sets %u+%llu outside the layout (%u sets)", what, first,
                   (unsigned long long)count, l ? l->sets : 0);
   return false;
}

/* Immutable samplers are compared by their presence only. */
bool
pv_vk_set_layouts_alike(const struct pv_vk_set_layout *a, const struct pv_vk_set_layout *b)
{
   if (a == b)
      return true;
   if (!a || !b || a->count != b->count || a->update_after_bind != b->update_after_bind ||
       a->push != b->push)
      return false;
   for (uint32_t i = 0; i < a->count; i++) {
      const struct pv_vk_layout_binding *x = &a->b[i], *y = &b->b[i];
      if (x->binding != y->binding || x->count != y->count || x->type != y->type ||
          x->stages != y->stages || x->partial != y->partial || x->variable != y->variable ||
          x->immutable != y->immutable || x->mutable_types != y->mutable_types)
         return false;
   }
   return true;
}

/*
 * Each bound set's layout is defined as the bind layout's set layout at its index
 * (VUID-vkCmdBindDescriptorSets-pDescriptorSets-00358). lavapipe 22.3 takes a set's first slot
 * from the bind layout's lower sets and its slots from the set's own layout: a set of 32
 * storage buffers bound at set 1 of a layout whose set 0 has 32 wrote sb[COMPUTE][32..63] past
 * an array of 32, and the next dispatch's queue thread died (a helper's native run,
 * 2026-12-07). lavapipe 25 reads each set's descriptors at the offsets its layout gives.
 */
static bool
sets_alike(struct pv_dispatch_ctx *c, const struct pv_args_vkCmdBindDescriptorSets *a)
{
   struct pv_object *o =
      pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE_LAYOUT, PV_FROM_HANDLE(a->layout));
   const struct pv_vk_pipeline_layout *l = o ? o->data : NULL;
   for (uint32_t i = 0; l && a->pDescriptorSets && i < a->descriptorSetCount; i++) {
      uint32_t n = a->firstSet + i; /* sets_fit kept it inside the layout */
      struct pv_vk_descriptor_set *s =
         a->pDescriptorSets[i] ? pv_vk_descriptor_set_state(c, a->pDescriptorSets[i]) : NULL;
      const struct pv_vk_set_layout *want = n < l->set_layout_count ? l->set_layouts[n] : NULL;
      if (!s || !s->written || pv_vk_set_layouts_alike(s->written->layout, want))
         continue;
      pv_venus_refuse(c,
                      "vkCmdBindDescriptorSets: set %u's layout is not the pipeline layout's "
                      "set layout %u",
                      i, n);
      return false;
   }
   return true;
}

/* The pushed bytes lie inside the layout's push constant ranges (NULL layout: no). */
static inline bool
push_range_ok(const struct pv_args_vkCmdPushConstants *a, const struct pv_vk_pipeline_layout *l)
{
   return l && a->size && !(a->offset % 4) && !(a->size % 4) && a->offset <= l->push_end &&
          a->size <= l->push_end - a->offset;
}

static __attribute__((noinline)) void
push_constants_looked_up(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdPushConstants *a = args;
   struct pv_object *o =
      pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE_LAYOUT, PV_FROM_HANDLE(a->layout));
   const struct pv_vk_pipeline_layout *l = o ? o->data : NULL;
   if (!push_range_ok(a, l)) {
      pv_venus_refuse(c, "vkCmdPushConstants: %u bytes at %u outside the layout's push "
                         "constants (%u bytes)",
                      a->size, a->offset, l ? l->push_end : 0);
      return;
   }
   /* only a host that reads unpushed constants through NULL needs the record (push_unready) */
   const struct pv_vk_physdev *pd = pv_vk_cmdbuf_physdev(c, a->commandBuffer);
   if (!pd || pd->reads_unpushed_constants)
      pv_vk_push_constants_noted(c, a->commandBuffer, a->stageFlags);
   pv_handle_vkCmdPushConstants(c, args);
}

/* Push constants come every draw or dispatch in many streams: the passing case (the command
 * buffer the scope check found, the layout its second named object, bind state made) is a leaf
 * that ends in the handler; everything else takes push_constants_looked_up, which looks the
 * objects up (making the bind state on first need) and refuses what is out of range. */
void
pv_guard_CmdPushConstants(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdPushConstants *a = args;
   const struct pv_vk_cmdbuf *cb = pv_venus_checked(c, PV_FROM_HANDLE(a->commandBuffer));
   struct pv_object *o =
      pv_venus_named_is(c, 1, VK_OBJECT_TYPE_PIPELINE_LAYOUT, PV_FROM_HANDLE(a->layout));
   const struct pv_vk_pipeline_layout *l = o ? o->data : NULL;
   struct pv_vk_cmd_bound *b = cb ? __atomic_load_n(&cb->bound, __ATOMIC_ACQUIRE) : NULL;
   if (__builtin_expect(!b || !cb->pd || !push_range_ok(a, l), 0)) {
      push_constants_looked_up(c, args);
      return;
   }
   if (cb->pd->reads_unpushed_constants)
      pv_vk_bound_pushed(b, a->stageFlags);
   pv_handle_vkCmdPushConstants(c, args);
}

void
pv_guard_CmdPushDescriptorSetKHR(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdPushDescriptorSetKHR *a = args;
   const struct pv_vk_cmdbuf *cb = pv_vk_cmdbuf_checked(c, a->commandBuffer);
   if (sets_fit(c, "vkCmdPushDescriptorSetKHR", a->layout, a->set, 1) &&
       writes_ok(c, "vkCmdPushDescriptorSetKHR", cb ? cb->pd : NULL, a->descriptorWriteCount,
                 a->pDescriptorWrites, false) &&
       pv_vk_push_written(c, a->commandBuffer, a->pipelineBindPoint, a->layout, a->set,
                          a->descriptorWriteCount, a->pDescriptorWrites))
      pv_handle_vkCmdPushDescriptorSetKHR(c, args);
}

/* Remembers the bound sets for the draw-time check (guard_written.c). */
static void
bind_sets(struct pv_dispatch_ctx *c, const struct pv_args_vkCmdBindDescriptorSets *a)
{
   unsigned bind = a->pipelineBindPoint == VK_PIPELINE_BIND_POINT_GRAPHICS  ? PV_BIND_GRAPHICS
                   : a->pipelineBindPoint == VK_PIPELINE_BIND_POINT_COMPUTE ? PV_BIND_COMPUTE
                                                                            : PV_BIND_RAY_TRACING;
   struct pv_vk_bind_state *s = pv_vk_bind_state_of(c, a->commandBuffer, bind);
   if (!s)
      return; /* no memory: the draw finds the sets unbound and is refused */
   for (uint32_t i = 0; a->pDescriptorSets && i < a->descriptorSetCount; i++) {
      uint32_t n = a->firstSet + i;
      if (n >= PV_VK_MAX_SETS)
         break;
      struct pv_object *o =
         a->pDescriptorSets[i] ? pv_venus_object(c, VK_OBJECT_TYPE_DESCRIPTOR_SET,
                                                 PV_FROM_HANDLE(a->pDescriptorSets[i]))
                               : NULL;
      struct pv_vk_ref r = o ? (struct pv_vk_ref){o->id, o->serial} : (struct pv_vk_ref){0, 0};
      bool had = s->bound >> n & 1;
      bool same = o ? had && s->sets[n].id == r.id && s->sets[n].serial == r.serial : !had;
      if (atomic_load_explicit(&s->push, memory_order_relaxed) && s->push_set == n) {
         pv_vk_written_retire(pv_venus_from(c), atomic_exchange(&s->push, NULL));
         same = false;
      }
      if (same)
         continue; /* the same set again (or none again): a passed check still holds */
      s->bound = o ? s->bound | 1u << n : s->bound & ~(1u << n);
      s->sets[n] = r;
      s->dirty = true;
   }
}

/*
 * Lavapipe before Mesa 23.1 copies the sampler of every sampler and combined image sampler
 * descriptor of a set as the set is bound, written or not: a never-written one is a NULL read
 * on its queue thread (fuzz input 004ca3d9: a render pass instance that bound a set with an
 * unwritten combined image sampler and drew nothing). Binding such a set is valid Vulkan, but
 * that host crashes on it natively too; on that host it is refused, elsewhere it passes.
 */
static bool
samplers_written(struct pv_dispatch_ctx *c, const struct pv_args_vkCmdBindDescriptorSets *a)
{
   const struct pv_vk_physdev *pd = pv_vk_cmdbuf_physdev(c, a->commandBuffer);
   for (uint32_t i = 0; pd && pd->reads_samplers_at_bind && a->pDescriptorSets &&
                        i < a->descriptorSetCount;
        i++) {
      struct pv_vk_descriptor_set *s =
         a->pDescriptorSets[i] ? pv_vk_descriptor_set_state(c, a->pDescriptorSets[i]) : NULL;
      if (!s || s->samplers_complete)
         continue;
      uint32_t gap = pv_vk_written_sampler_gap(s->written);
      s->samplers_complete = gap == UINT32_MAX && s->written;
      if (gap != UINT32_MAX) {
         pv_venus_refuse(c, "vkCmdBindDescriptorSets: set %u has a sampler never written at "
                            "binding %u (this host driver reads every sampler of a set it binds)",
                         a->firstSet + i, gap);
         return false;
      }
   }
   return true;
}

/* Each set of the bind remembers the largest dynamic offset it was bound with (checked against
 * the room it has now; a later write that leaves less makes this bind stale,
 * pv_vk_descriptor_set_room). */
static void
bound_offsets(struct pv_dispatch_ctx *c, const struct pv_args_vkCmdBindDescriptorSets *a)
{
   uint64_t most = 0;
   for (uint32_t i = 0; i < a->dynamicOffsetCount; i++)
      most = a->pDynamicOffsets[i] > most ? a->pDynamicOffsets[i] : most;
   for (uint32_t i = 0; most && i < a->descriptorSetCount; i++) {
      struct pv_vk_descriptor_set *s = pv_vk_descriptor_set_state(c, a->pDescriptorSets[i]);
      uint64_t had = s ? atomic_load(&s->max_bound) : most;
      while (had < most && !atomic_compare_exchange_weak(&s->max_bound, &had, most))
         ;
   }
}

void
pv_guard_CmdBindDescriptorSets(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBindDescriptorSets *a = args;
   if (!sets_fit(c, "vkCmdBindDescriptorSets", a->layout, a->firstSet, a->descriptorSetCount) ||
       !sets_alike(c, a))
      return;
   uint64_t room = UINT64_MAX;
   for (uint32_t i = 0; a->dynamicOffsetCount && i < a->descriptorSetCount; i++) {
      struct pv_vk_descriptor_set *s = pv_vk_descriptor_set_state(c, a->pDescriptorSets[i]);
      if (s && s->dynamic_slack < room)
         room = s->dynamic_slack;
   }
   for (uint32_t i = 0; i < a->dynamicOffsetCount; i++)
      if (a->pDynamicOffsets[i] > room) {
         pv_venus_refuse(c, "vkCmdBindDescriptorSets: dynamic offset %u moves a range past its "
                           "buffer (room %llu)",
                        a->pDynamicOffsets[i], (unsigned long long)room);
         return;
      }
   if (!samplers_written(c, a))
      return;
   bound_offsets(c, a);
   bind_sets(c, a);
   pv_vk_sets_bound(c, a->commandBuffer, a->descriptorSetCount, a->pDescriptorSets);
   pv_handle_vkCmdBindDescriptorSets(c, args);
}
