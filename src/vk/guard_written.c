/* SPDX-License-Identifier: MIT */
/*
 * Descriptors never written (guard.h). A freshly allocated descriptor holds nothing the host
 * can follow: lavapipe's queue thread reads through a NULL image view when a shader samples a
 * combined image sampler no vkUpdateDescriptorSets wrote. Vulkan requires every descriptor a
 * bound pipeline statically uses to be valid (unless its binding is PARTIALLY_BOUND), so:
 *  - every set (and every command buffer's pushed set) has a written map, a bit per element of
 *    its layout's bindings (inline uniform blocks excepted: bytes, not references), set by
 *    writes, copies and pushes; a write or copy outside the set's layout is refused too (the
 *    host would write past the set). Bits only go from 0 to 1: a copy of a never-written
 *    element over a written one is refused, so a check that passed stays true.
 *  - each command buffer remembers per bind point the bound pipeline and sets; a draw or
 *    dispatch checks that every (set, binding, elements) the pipeline's shaders use
 *    (guard_shader.c) is bound, in the bound set's layout with a compatible type and fully
 *    written — only when a bind changed since the last check passed (`dirty`), so a draw
 *    with nothing new costs one test.
 * PARTIALLY_BOUND bindings are not checked (Vulkan allows them unwritten): SECURITY.md's
 * known gaps says what that leaves to the host.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "renderer/context.h"
#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/spirv_reflect.h"

/* ----- written maps -------------------------------------------------------------------------- */

void
pv_vk_written_free(struct pv_vk_written *w)
{
   if (!w)
      return;
   pv_vk_set_layout_unref(w->layout);
   free(w);
}

static void
written_reclaimed(struct pv_context *ctx, struct pv_reclaim_item *item)
{
   (void)ctx;
   pv_vk_written_free(
      (struct pv_vk_written *)((char *)item - offsetof(struct pv_vk_written, retired)));
}

void
pv_vk_written_retire(struct pv_context *ctx, struct pv_vk_written *w)
{
   if (!w)
      return;
   if (!ctx) {
      pv_vk_written_free(w);
      return;
   }
   w->retired.free = written_reclaimed;
   w->retired.quota = false;
   pv_reclaim_defer(&ctx->reclaim, &w->retired);
}

/* Elements of binding `i` this set has. */
static uint32_t
binding_count(const struct pv_vk_written *w, uint32_t i)
{
   const struct pv_vk_layout_binding *b = &w->layout->b[i];
   return b->variable ? w->variable : b->count;
}

struct pv_vk_written *
pv_vk_written_create(struct pv_vk_set_layout *l, uint32_t variable, bool compare)
{
   size_t words = (size_t)((l->bits + 63) / 64);
   struct pv_vk_written *w =
      calloc(1, sizeof(*w) + words * (compare ? 3 : 1) * sizeof(uint64_t));
   if (!w)
      return NULL;
   w->layout = pv_vk_set_layout_ref(l);
   w->variable = variable;
   w->words = (uint32_t)words;
   w->compare = compare;
   /* immutable samplers are written by the layout itself */
   for (uint32_t i = 0; i < l->count; i++)
      if (l->b[i].type == VK_DESCRIPTOR_TYPE_SAMPLER && l->b[i].immutable &&
          l->b[i].first_bit != UINT32_MAX)
         for (uint32_t e = 0; e < binding_count(w, i); e++)
            w->bits[(l->b[i].first_bit + e) / 64] |= 1ull << ((l->b[i].first_bit + e) % 64);
   return w;
}

static bool
bit_get(const struct pv_vk_written *w, uint32_t i, uint32_t e)
{
   uint64_t bit = (uint64_t)w->layout->b[i].first_bit + e;
   return (w->bits[bit / 64] >> (bit % 64)) & 1;
}

uint32_t
pv_vk_written_sampler_gap(const struct pv_vk_written *w)
{
   for (uint32_t i = 0; w && i < w->layout->count; i++) {
      const struct pv_vk_layout_binding *b = &w->layout->b[i];
      bool sampler = b->type == VK_DESCRIPTOR_TYPE_SAMPLER ||
                     b->type == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
      if (!sampler || b->immutable || b->first_bit == UINT32_MAX)
         continue;
      for (uint32_t e = 0; e < binding_count(w, i); e++)
         if (!bit_get(w, i, e))
            return b->binding;
   }
   return UINT32_MAX;
}

static void
bit_set(struct pv_vk_written *w, uint32_t i, uint32_t e)
{
   uint64_t bit = (uint64_t)w->layout->b[i].first_bit + e;
   w->bits[bit / 64] |= 1ull << (bit % 64);
}

/* ----- compare-enabled samplers (pv_vk.h compare_needs_dref) -------------------------------- */

enum { MAP_COMPARE = 1, MAP_PLAIN = 2 };

static bool
map_get(const struct pv_vk_written *w, int map, uint32_t i, uint32_t e)
{
   uint64_t bit = (uint64_t)w->layout->b[i].first_bit + e;
   return (w->bits[(size_t)map * w->words + bit / 64] >> (bit % 64)) & 1;
}

static void
map_put(struct pv_vk_written *w, int map, uint32_t i, uint32_t e, bool on)
{
   uint64_t bit = (uint64_t)w->layout->b[i].first_bit + e;
   uint64_t *word = &w->bits[(size_t)map * w->words + bit / 64];
   *word = on ? *word | 1ull << (bit % 64) : *word & ~(1ull << (bit % 64));
}

static bool
holds_samplers(VkDescriptorType t)
{
   return t == VK_DESCRIPTOR_TYPE_SAMPLER || t == VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
}

/* Element e of binding i now holds a sampler that compares (or not); refused into an element
 * a draw reads without a depth reference: a command buffer recorded with that draw would run
 * it with this sampler. */
static const char *
compare_put(struct pv_vk_written *w, uint32_t i, uint32_t e, bool compare)
{
   if (compare && map_get(w, MAP_PLAIN, i, e))
      return "a compare-enabled sampler into a descriptor a draw reads without a depth "
             "reference";
   map_put(w, MAP_COMPARE, i, e, compare);
   return NULL;
}

/* A draw reads elements [0, n) of binding i without a depth reference: none may hold a
 * compare-enabled sampler, and (`mark`, for sets) none may get one later. */
static const char *
plain_read(struct pv_vk_written *w, uint32_t i, uint32_t n, bool mark)
{
   const struct pv_vk_layout_binding *b = &w->layout->b[i];
   if (b->immutable_compare)
      return "an immutable compare-enabled sampler read without a depth reference (this host "
             "driver's shader compiler crashes on it)";
   if (b->first_bit == UINT32_MAX)
      return NULL;
   for (uint32_t e = 0; e < n; e++)
      if (map_get(w, MAP_COMPARE, i, e))
         return "a compare-enabled sampler read without a depth reference (this host "
                "driver's shader compiler crashes on it)";
   for (uint32_t e = 0; mark && e < n; e++)
      map_put(w, MAP_PLAIN, i, e, true);
   return NULL;
}

/* Elements [0, n) of binding i all written. */
static bool
all_written(const struct pv_vk_written *w, uint32_t i, uint32_t n)
{
   uint64_t first = w->layout->b[i].first_bit, end = first + n;
   for (uint64_t bit = first; bit < end;) {
      if (bit % 64 == 0 && end - bit >= 64) {
         if (w->bits[bit / 64] != UINT64_MAX)
            return false;
         bit += 64;
         continue;
      }
      if (!((w->bits[bit / 64] >> (bit % 64)) & 1))
         return false;
      bit++;
   }
   return true;
}

/* A position in a set's bindings that rolls over into the next binding the way descriptor
 * writes and copies do: consecutive binding numbers of one type, one set of stages, and all with
 * or all without immutable samplers (VUID-VkWriteDescriptorSet-descriptorCount-00317, -00318).
 * lavapipe 22.3 applies a push past its first binding through that binding's stages and slots:
 * 31 uniform buffers pushed from a compute binding of 1 into vertex and fragment bindings wrote
 * past the compute stage's array of 16 (SIGSEGV on its queue thread; tenth reading). */
struct cursor {
   const struct pv_vk_written *w;
   uint32_t i, e;
};

/* Moves past bindings the element is beyond; false when it leaves the layout. */
static bool
cursor_fix(struct cursor *c)
{
   const struct pv_vk_set_layout *l = c->w->layout;
   while (c->e >= binding_count(c->w, c->i)) {
      c->e -= binding_count(c->w, c->i);
      const struct pv_vk_layout_binding *now = &l->b[c->i], *next = now + 1;
      if (c->i + 1 >= l->count || next->binding != now->binding + 1 || next->type != now->type ||
          next->stages != now->stages || next->immutable != now->immutable ||
          next->mutable_types != now->mutable_types)
         return false;
      c->i++;
   }
   return true;
}

static bool
cursor_start(struct cursor *c, const struct pv_vk_written *w, uint32_t binding, uint32_t elem)
{
   const struct pv_vk_layout_binding *b = pv_vk_layout_binding_find(w->layout, binding);
   if (!b)
      return false;
   *c = (struct cursor){w, (uint32_t)(b - w->layout->b), elem};
   return true;
}

/* The inline uniform block data chained to a write, or NULL. */
static const VkWriteDescriptorSetInlineUniformBlock *
inline_data(const VkWriteDescriptorSet *wr)
{
   for (const VkBaseInStructure *s = wr->pNext; s; s = s->pNext)
      if (s->sType == VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET_INLINE_UNIFORM_BLOCK)
         return (const void *)s;
   return NULL;
}

/* Why the array the host reads for the write's type is missing (the decoder lets each of the
 * three be absent), or NULL: the host would read descriptorCount elements through NULL. */
static const char *
write_array_missing(const VkWriteDescriptorSet *wr)
{
   if (!wr->descriptorCount)
      return NULL;
   switch (wr->descriptorType) {
   case VK_DESCRIPTOR_TYPE_SAMPLER:
   case VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER:
   case VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE:
   case VK_DESCRIPTOR_TYPE_STORAGE_IMAGE:
   case VK_DESCRIPTOR_TYPE_INPUT_ATTACHMENT:
      return wr->pImageInfo ? NULL : "image descriptors without pImageInfo";
   case VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER:
   case VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER:
      return wr->pTexelBufferView ? NULL : "texel buffer descriptors without pTexelBufferView";
   case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER:
   case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER:
   case VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER_DYNAMIC:
   case VK_DESCRIPTOR_TYPE_STORAGE_BUFFER_DYNAMIC:
      return wr->pBufferInfo ? NULL : "buffer descriptors without pBufferInfo";
   case VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK: {
      const VkWriteDescriptorSetInlineUniformBlock *d = inline_data(wr);
      return d && d->pData && d->dataSize == wr->descriptorCount
                ? NULL
                : "inline uniform block bytes missing or not descriptorCount long";
   }
   default:
      return "a descriptor type we cannot check";
   }
}

/* Bytes [first, first + count) inside inline uniform block binding i: the host copies them at
 * that offset of the set's block. */
static bool
inline_fits(const struct pv_vk_written *w, uint32_t i, uint32_t first, uint32_t count)
{
   uint32_t size = binding_count(w, i);
   return first <= size && count <= size - first;
}

/* Marks a write's elements in `w`; NULL or why it leaves the set's layout. */
static const char *
mark_write(struct pv_dispatch_ctx *dc, struct pv_vk_written *w, const VkWriteDescriptorSet *wr)
{
   struct cursor c;
   const char *missing = write_array_missing(wr);
   if (missing)
      return missing;
   if (!cursor_start(&c, w, wr->dstBinding, wr->dstArrayElement))
      return "its binding is not in the set's layout";
   VkDescriptorType t = w->layout->b[c.i].type;
   if (!pv_vk_binding_takes(&w->layout->b[c.i], pv_spirv_type_bit(wr->descriptorType)))
      return t == VK_DESCRIPTOR_TYPE_MUTABLE_EXT
                ? "its descriptor type is not in the binding's list"
                : "its descriptor type is not the binding's";
   if (t == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK)
      return inline_fits(w, c.i, wr->dstArrayElement, wr->descriptorCount)
                ? NULL
                : "its bytes run past the inline uniform block";
   bool samplers = w->compare && holds_samplers(t);
   for (uint32_t k = 0; k < wr->descriptorCount; k++, c.e++) {
      if (!cursor_fix(&c))
         return "its elements run past the bindings it may fill (consecutive ones of one type, "
                "stages and sampler kind)";
      bit_set(w, c.i, c.e);
      const char *why =
         samplers && !w->layout->b[c.i].immutable
            ? compare_put(w, c.i, c.e, pv_vk_sampler_compares(dc, wr->pImageInfo[k].sampler))
            : NULL;
      if (why)
         return why;
   }
   return NULL;
}

bool
pv_vk_written_update(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *s,
                     const VkWriteDescriptorSet *w)
{
   const char *why = s->written ? mark_write(c, s->written, w) : "a set we did not see allocated";
   if (why)
      pv_venus_refuse(c, "vkUpdateDescriptorSets: write to binding %u element %u (%u): %s",
                      w->dstBinding, w->dstArrayElement, w->descriptorCount, why);
   return !why;
}

static const char *
copy_elements(struct pv_vk_written *src, struct pv_vk_written *dst, const VkCopyDescriptorSet *cp)
{
   struct cursor a, b;
   if (!cursor_start(&a, src, cp->srcBinding, cp->srcArrayElement) ||
       !cursor_start(&b, dst, cp->dstBinding, cp->dstArrayElement))
      return "a binding not in its set's layout";
   /* from a MUTABLE binding only into one of the same list: its elements' types are not kept */
   const struct pv_vk_layout_binding *sb = &src->layout->b[a.i], *db = &dst->layout->b[b.i];
   if (sb->type == VK_DESCRIPTOR_TYPE_MUTABLE_EXT
          ? db->type != sb->type || (sb->mutable_types & ~db->mutable_types)
          : !pv_vk_binding_takes(db, pv_spirv_type_bit(sb->type)))
      return "different descriptor types";
   if (src->layout->b[a.i].type == VK_DESCRIPTOR_TYPE_INLINE_UNIFORM_BLOCK)
      return inline_fits(src, a.i, cp->srcArrayElement, cp->descriptorCount) &&
                   inline_fits(dst, b.i, cp->dstArrayElement, cp->descriptorCount)
                ? NULL
                : "bytes past an inline uniform block";
   for (uint32_t k = 0; k < cp->descriptorCount; k++, a.e++, b.e++) {
      if (!cursor_fix(&a) || !cursor_fix(&b))
         return "elements past the bindings it may fill (consecutive ones of one type, stages "
                "and sampler kind)";
      if (bit_get(src, a.i, a.e))
         bit_set(dst, b.i, b.e);
      else if (bit_get(dst, b.i, b.e))
         return "a descriptor never written over a written one";
      if (!dst->compare || dst->layout->b[b.i].immutable)
         continue;
      bool compare = src->compare && (src->layout->b[a.i].immutable_compare ||
                                      map_get(src, MAP_COMPARE, a.i, a.e));
      const char *why = compare_put(dst, b.i, b.e, compare);
      if (why)
         return why;
   }
   return NULL;
}

bool
pv_vk_written_copy(struct pv_dispatch_ctx *c, struct pv_vk_descriptor_set *src,
                   struct pv_vk_descriptor_set *dst, const VkCopyDescriptorSet *cp)
{
   const char *why = !src->written || !dst->written ? "a set we did not see allocated"
                                                    : copy_elements(src->written, dst->written, cp);
   if (why)
      pv_venus_refuse(c, "vkUpdateDescriptorSets: copy of %u descriptors: %s", cp->descriptorCount,
                      why);
   return !why;
}

/* ----- allocation ---------------------------------------------------------------------------- */

static const VkDescriptorSetVariableDescriptorCountAllocateInfo *
variable_info(const VkDescriptorSetAllocateInfo *ai)
{
   for (const VkBaseInStructure *s = ai->pNext; s; s = s->pNext)
      if (s->sType == VK_STRUCTURE_TYPE_DESCRIPTOR_SET_VARIABLE_DESCRIPTOR_COUNT_ALLOCATE_INFO)
         return (const void *)s;
   return NULL;
}

/* The variable-count binding's count for set i (0 without one), or UINT32_MAX when it is
 * more than the layout allows (the host would size the set by it). */
static uint32_t
variable_count(const VkDescriptorSetAllocateInfo *ai, const struct pv_vk_set_layout *l, uint32_t i)
{
   const VkDescriptorSetVariableDescriptorCountAllocateInfo *v = variable_info(ai);
   uint32_t n =
      v && v->pDescriptorCounts && i < v->descriptorSetCount ? v->pDescriptorCounts[i] : 0;
   const struct pv_vk_layout_binding *b = l->count ? &l->b[l->count - 1] : NULL;
   return !b || !b->variable ? 0 : n <= b->count ? n : UINT32_MAX;
}

void
pv_guard_AllocateDescriptorSets(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkAllocateDescriptorSets *a = args;
   const VkDescriptorSetAllocateInfo *ai = a->pAllocateInfo;
   uint32_t n = ai && ai->pSetLayouts ? ai->descriptorSetCount : 0;
   for (uint32_t i = 0; i < n; i++) {
      struct pv_vk_set_layout *l = pv_vk_set_layout_get(c, ai->pSetLayouts[i]);
      /* a push layout's sets are written by pushes only
       * (VUID-VkDescriptorSetAllocateInfo-pSetLayouts-00308) */
      if (!l || l->push || variable_count(ai, l, i) == UINT32_MAX) {
         pv_venus_refuse(c, "vkAllocateDescriptorSets: set %u: %s", i,
                         !l        ? "a set layout we do not know"
                         : l->push ? "a push descriptor set layout"
                                   : "variable descriptor count above the binding's");
         return;
      }
   }
   pv_handle_vkAllocateDescriptorSets(c, args);
   if (a->ret != VK_SUCCESS || !a->pDescriptorSets || pv_cs_fatal(c->dec))
      return;
   const struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), a->device);
   bool compare = d && d->pd && d->pd->compare_needs_dref;
   for (uint32_t i = 0; i < n; i++) {
      struct pv_vk_set_layout *l = pv_vk_set_layout_get(c, ai->pSetLayouts[i]);
      /* the decoder wrote the new sets' guest ids back */
      struct pv_vk_descriptor_set *s = pv_vk_descriptor_set_of(pv_object_find(
         pv_venus_from(c), PV_FROM_HANDLE(a->pDescriptorSets[i]), VK_OBJECT_TYPE_DESCRIPTOR_SET));
      if (s && !s->written)
         s->written = pv_vk_written_create(l, variable_count(ai, l, i), compare);
      if (!s || !s->written) {
         pv_venus_refuse(c, "vkAllocateDescriptorSets: no memory for a set's written map");
         return;
      }
   }
}

/* ----- what command buffers bind ------------------------------------------------------------- */

void
pv_vk_cmd_bound_reset(struct pv_context *ctx, struct pv_vk_cmd_bound *b)
{
   if (!b)
      return;
   for (unsigned i = 0; i < 4; i++)
      pv_vk_written_retire(ctx, atomic_exchange(&b->bp[i].push, NULL));
   memset(b, 0, sizeof(*b));
}

void
pv_vk_cmd_bound_free(struct pv_vk_cmd_bound *b)
{
   pv_vk_cmd_bound_reset(NULL, b); /* the command buffer left the table: no path holds it */
   free(b);
}

/* The command buffer's bound state, made on first need; NULL for no such command buffer or no
 * memory. */
static struct pv_vk_cmd_bound *
bound_of(struct pv_dispatch_ctx *c, VkCommandBuffer cmd)
{
   struct pv_vk_cmdbuf *cb = pv_venus_checked(c, PV_FROM_HANDLE(cmd));
   if (!cb) {
      struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_COMMAND_BUFFER, PV_FROM_HANDLE(cmd));
      cb = o ? pv_vk_cmdbuf_of(o) : NULL;
   }
   if (!cb)
      return NULL;
   struct pv_vk_cmd_bound *b = __atomic_load_n(&cb->bound, __ATOMIC_ACQUIRE);
   if (!b) {
      /* made on first need: another ring recording the same buffer may make it at once */
      struct pv_vk_cmd_bound *made = calloc(1, sizeof(*made)), *none = NULL;
      if (!made)
         return NULL;
      if (__atomic_compare_exchange_n(&cb->bound, &none, made, false, __ATOMIC_ACQ_REL,
                                      __ATOMIC_ACQUIRE)) {
         b = made;
      } else {
         free(made);
         b = none; /* the other's */
      }
   }
   return b;
}

struct pv_vk_bind_state *
pv_vk_bind_state_of(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, unsigned bind)
{
   struct pv_vk_cmd_bound *b = bind < 4 ? bound_of(c, cmd) : NULL;
   return b ? &b->bp[bind] : NULL;
}

static unsigned
bind_of(VkPipelineBindPoint p)
{
   return p == VK_PIPELINE_BIND_POINT_GRAPHICS          ? PV_BIND_GRAPHICS
          : p == VK_PIPELINE_BIND_POINT_COMPUTE         ? PV_BIND_COMPUTE
          : p == VK_PIPELINE_BIND_POINT_RAY_TRACING_KHR ? PV_BIND_RAY_TRACING
                                                        : PV_BIND_NONE;
}

bool
pv_vk_push_written(struct pv_dispatch_ctx *c, VkCommandBuffer cmd, VkPipelineBindPoint bp,
                   VkPipelineLayout layout, uint32_t set, uint32_t count,
                   const VkWriteDescriptorSet *w)
{
   struct pv_object *o = pv_venus_object(c, VK_OBJECT_TYPE_PIPELINE_LAYOUT, PV_FROM_HANDLE(layout));
   const struct pv_vk_pipeline_layout *pl = o ? o->data : NULL;
   struct pv_vk_set_layout *l =
      pl && pl->set_layouts && set < pl->set_layout_count ? pl->set_layouts[set] : NULL;
   struct pv_vk_bind_state *s = pv_vk_bind_state_of(c, cmd, bind_of(bp));
   /* lavapipe 22.3 applies a push to a set layout made without PUSH_DESCRIPTOR with dynamic
    * offsets read through a pointer it never set (VUID-vkCmdPushDescriptorSetKHR-set-00365) */
   const char *why = !l         ? "the layout has no set layout there"
                     : !l->push ? "its set layout was not created for push descriptors"
                     : !s       ? "no memory"
                                : NULL;
   struct pv_vk_written *push = s ? atomic_load(&s->push) : NULL;
   if (!why && set < PV_VK_MAX_SETS) {
      if (!push || s->push_set != set || push->layout != l) {
         const struct pv_vk_physdev *pd = pv_vk_cmdbuf_physdev(c, cmd);
         push = pv_vk_written_create(l, 0, pd && pd->compare_needs_dref);
         pv_vk_written_retire(pv_venus_from(c), atomic_exchange(&s->push, push));
         s->push_set = set;
      }
      s->bound &= ~(1u << set);
      s->dirty = true;
      why = push ? NULL : "no memory";
   }
   for (uint32_t i = 0; !why && set < PV_VK_MAX_SETS && i < count; i++)
      why = mark_write(c, push, &w[i]);
   if (why)
      pv_venus_refuse(c, "vkCmdPushDescriptorSetKHR: set %u: %s", set, why);
   return !why;
}

/* ----- the draw/dispatch check --------------------------------------------------------------- */

static const char *
use_unready(struct pv_dispatch_ctx *c, struct pv_vk_bind_state *s, const struct pv_vk_pipeline *p,
            const struct pv_vk_use *u)
{
   struct pv_vk_written *const push = atomic_load_explicit(&s->push, memory_order_acquire);
   struct pv_vk_written *w = NULL;
   if (push && s->push_set == u->set) {
      w = push;
   } else if (u->set < PV_VK_MAX_SETS && (s->bound >> u->set & 1)) {
      struct pv_object *o = pv_venus_find(c, s->sets[u->set].id, VK_OBJECT_TYPE_DESCRIPTOR_SET);
      struct pv_vk_descriptor_set *ds =
         o && o->serial == s->sets[u->set].serial ? o->data : NULL;
      w = ds ? ds->written : NULL;
      if (!w)
         return "the set bound there is gone";
   } else {
      return "no descriptor set bound there";
   }
   if (u->set < p->layout_sets && p->layouts[u->set] &&
       !pv_vk_set_layouts_alike(w->layout, p->layouts[u->set]))
      return "the bound set's layout is not the pipeline layout's";
   const struct pv_vk_layout_binding *b = pv_vk_layout_binding_find(w->layout, u->binding);
   if (!b)
      return "the bound set's layout has no such binding";
   if (!pv_vk_binding_takes(b, u->types))
      return "the bound set's binding has another descriptor type";
   uint32_t cnt = binding_count(w, (uint32_t)(b - w->layout->b));
   uint32_t n = u->count == UINT32_MAX ? cnt : u->count;
   if (n > cnt)
      return "the bound set's binding has fewer elements than the shader's array";
   const char *why = u->plain && w->compare && holds_samplers(b->type)
                        ? plain_read(w, (uint32_t)(b - w->layout->b), n, w != push)
                        : NULL;
   if (why)
      return why;
   if (b->partial || b->first_bit == UINT32_MAX)
      return NULL; /* allowed unwritten / bytes only */
   return all_written(w, (uint32_t)(b - w->layout->b), n)
             ? NULL
             : "a descriptor it uses was never written";
}

void
pv_vk_push_constants_noted(struct pv_dispatch_ctx *c, VkCommandBuffer cmd,
                           VkShaderStageFlags stages)
{
   struct pv_vk_cmd_bound *b = bound_of(c, cmd); /* one lookup for every bind point */
   if (b)
      pv_vk_bound_pushed(b, stages);
}

/* A stage reads push constants: on a host that reads them through a buffer it sets up only
 * once a value was pushed (lavapipe before Mesa 25: a NULL read in the shader otherwise), some
 * vkCmdPushConstants for the stage must have come first. Vulkan requires it without
 * maintenance4; with it, unpushed values are only undefined, so other hosts are not asked. */
static const char *
push_unready(const struct pv_vk_physdev *pd, const struct pv_vk_bind_state *s,
             const struct pv_vk_use *u)
{
   return pd && pd->reads_unpushed_constants && !(s->pushed & u->binding)
             ? "it reads push constants no vkCmdPushConstants gave its stage (this host "
               "driver reads them through a buffer it never set up)"
             : NULL;
}

bool
pv_vk_descriptors_ready(struct pv_dispatch_ctx *c, const struct pv_vk_physdev *pd,
                        struct pv_vk_bind_state *s, const char *what)
{
   struct pv_object *o = pv_venus_find(c, s->pipeline.id, VK_OBJECT_TYPE_PIPELINE);
   const struct pv_vk_pipeline *p = o && o->serial == s->pipeline.serial ? o->data : NULL;
   if (!p) {
      pv_venus_refuse(c, "%s: the bound pipeline is gone", what);
      return false;
   }
   for (uint32_t i = 0; i < p->use_count; i++) {
      const char *why = p->uses[i].set == PV_VK_USE_PUSH ? push_unready(pd, s, &p->uses[i])
                                                         : use_unready(c, s, p, &p->uses[i]);
      if (why && p->uses[i].set == PV_VK_USE_PUSH) {
         pv_venus_refuse(c, "%s: stage 0x%x: %s", what, p->uses[i].binding, why);
         return false;
      }
      if (why) {
         pv_venus_refuse(c, "%s: set %u binding %u: %s", what, p->uses[i].set, p->uses[i].binding,
                         why);
         return false;
      }
   }
   s->dirty = false;
   return true;
}
