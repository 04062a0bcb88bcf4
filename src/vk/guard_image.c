/* SPDX-License-Identifier: MIT */
/*
 * Bounds checks of image commands (guard.h): creation parameters the host supports, binding to
 * memory, buffer<->image copies (the bytes a region covers in the buffer follow from the
 * format's texel block, pv_format_info), image copies, blits, resolves and clears.
 */
#include "vk/guard.h"

#include <stdlib.h>

#include "renderer/context.h"

/* ----- creation ----------------------------------------------------------------------------- */

static uint32_t
max_mips(VkExtent3D e)
{
   uint32_t m = e.width > e.height ? e.width : e.height;
   m = m > e.depth ? m : e.depth;
   uint32_t n = 0;
   while (m) {
      n++;
      m >>= 1;
   }
   return n;
}

/* llvmpipe samples a cube face as if it were as high as it is wide (its seamless cube filter
 * drops the height): a CUBE_COMPATIBLE image of 256x1 texels read about 150 KB past itself, and
 * the values went back to the caller (the twelfth reading, lavapipe 22.3 run, 25.0 read alike).
 * Vulkan asks for a square 2D image of 6 layers or more (VUID-VkImageCreateInfo-flags-08865,
 * -08866, -imageType-00954). */
static bool
cube_ok(const VkImageCreateInfo *ci)
{
   return !(ci->flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT) ||
          (ci->imageType == VK_IMAGE_TYPE_2D && ci->extent.width == ci->extent.height &&
           ci->arrayLayers >= 6);
}

static bool
shape_ok(const VkImageCreateInfo *ci)
{
   const VkExtent3D e = ci->extent;
   if (!e.width || !e.height || !e.depth || !ci->arrayLayers || !ci->mipLevels ||
       ci->mipLevels > max_mips(e) || !cube_ok(ci))
      return false;
   switch (ci->imageType) {
   case VK_IMAGE_TYPE_1D:
      return e.height == 1 && e.depth == 1;
   case VK_IMAGE_TYPE_2D:
      return e.depth == 1;
   case VK_IMAGE_TYPE_3D:
      return ci->arrayLayers == 1;
   default:
      return false;
   }
}

/* Whether the host takes the image with `tiling` (its limits for this format, type, usage and
 * flags). */
static bool
fits_tiling(const struct pv_vk_dispatch *vk, const struct pv_vk_device *d,
            const VkImageCreateInfo *ci, VkImageTiling tiling)
{
   VkImageFormatProperties p;
   if (vk->GetPhysicalDeviceImageFormatProperties(d->pd->host, ci->format, ci->imageType, tiling,
                                                  ci->usage, ci->flags, &p) != VK_SUCCESS)
      return false;
   return ci->extent.width <= p.maxExtent.width && ci->extent.height <= p.maxExtent.height &&
          ci->extent.depth <= p.maxExtent.depth && ci->mipLevels <= p.maxMipLevels &&
          ci->arrayLayers <= p.maxArrayLayers && (ci->samples & p.sampleCounts) &&
          !(ci->samples & (ci->samples - 1));
}

/* Whether the chain names DRM format modifiers (a list to choose from, or an explicit
 * layout). */
static bool
names_drm_modifiers(const void *pnext)
{
   return pv_vk_find_chained(pnext,
                             VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_LIST_CREATE_INFO_EXT) ||
          pv_vk_find_chained(pnext,
                             VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT);
}

/*
 * What the host supports for this format, type, tiling, usage and flags. DRM format modifier
 * tiling (the twelfth reading) needs the device's extension, as the modifier structs do:
 * lavapipe 22.3 does not offer it, ignored the tiling and laid out every mip the guest asked
 * for into arrays of 15 (2^31 texels wide and 32 mips: a heap write, glibc aborted), and
 * lavapipe 25 takes an explicit layout's pitches as they come (it is withheld on a CPU device:
 * physical_device.c). Its query needs the modifier, so such an image is held to what the host
 * takes with optimal or linear tiling, which every modifier's limits stay within.
 */
static bool
host_supports(struct pv_dispatch_ctx *c, VkDevice device, const VkImageCreateInfo *ci)
{
   struct pv_context *ctx = pv_venus_from(c);
   const struct pv_vk_device *d = pv_vk_device_from_host(ctx, device);
   const struct pv_vk_dispatch *vk = &pv_venus_host(ctx)->vk;
   if (!d || !vk->GetPhysicalDeviceImageFormatProperties)
      return false;
   bool drm = ci->tiling == VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT;
   if ((drm || names_drm_modifiers(ci->pNext)) &&
       !(pv_vk_device_features(c, device) & PV_FEATURE(PV_EXT_IMAGE_DRM_FORMAT_MODIFIER)))
      return false;
   if (drm)
      return fits_tiling(vk, d, ci, VK_IMAGE_TILING_OPTIMAL) ||
             fits_tiling(vk, d, ci, VK_IMAGE_TILING_LINEAR);
   return fits_tiling(vk, d, ci, ci->tiling);
}

bool
pv_guard_image_create(struct pv_dispatch_ctx *c, const char *what, VkDevice device,
                      const VkImageCreateInfo *ci)
{
   struct pv_format_info f;
   if (ci && pv_format_info(ci->format, &f) && shape_ok(ci) && host_supports(c, device, ci))
      return true;
   pv_venus_refuse(c,
                   "%s: format %d, type %d, %ux%ux%u, %u mips, %u layers, "
                   "%d samples not supported by the host",
                   what, ci ? ci->format : 0, ci ? ci->imageType : 0, ci ? ci->extent.width : 0,
                   ci ? ci->extent.height : 0, ci ? ci->extent.depth : 0, ci ? ci->mipLevels : 0,
                   ci ? ci->arrayLayers : 0, ci ? ci->samples : 0);
   return false;
}

/*
 * lavapipe 22.3 answers a query chaining VkPhysicalDeviceExternalImageFormatInfo of a handle
 * type by writing VkExternalImageFormatProperties, which the output chain need not have: a
 * write through NULL (the twelfth reading, run natively; 25.0 checks it). The host is given one
 * of ours at the end of the output chain when the guest's has none, taken off before the
 * reply.
 */
void
pv_guard_GetPhysicalDeviceImageFormatProperties2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPhysicalDeviceImageFormatProperties2 *a = args;
   const VkPhysicalDeviceExternalImageFormatInfo *ext =
      a->pImageFormatInfo
         ? pv_vk_find_chained(a->pImageFormatInfo->pNext,
                              VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_IMAGE_FORMAT_INFO)
         : NULL;
   VkBaseOutStructure *last = (VkBaseOutStructure *)a->pImageFormatProperties;
   if (!ext || !ext->handleType || !last ||
       pv_vk_find_chained(last->pNext, VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES)) {
      pv_handle_vkGetPhysicalDeviceImageFormatProperties2(c, args);
      return;
   }
   while (last->pNext)
      last = last->pNext;
   VkExternalImageFormatProperties ours = {
      .sType = VK_STRUCTURE_TYPE_EXTERNAL_IMAGE_FORMAT_PROPERTIES,
   };
   last->pNext = (VkBaseOutStructure *)&ours;
   pv_handle_vkGetPhysicalDeviceImageFormatProperties2(c, args);
   last->pNext = NULL;
}

void
pv_vk_image_track(struct pv_dispatch_ctx *c, uint64_t id, const VkImageCreateInfo *ci)
{
   if (pv_cs_fatal(c->dec))
      return; /* not created (an id already in use, say): the id names another object */
   struct pv_object *o = pv_venus_find(c, id, VK_OBJECT_TYPE_IMAGE);
   if (o && o->data)
      return;
   struct pv_vk_image *im = o ? calloc(1, sizeof(*im)) : NULL;
   if (!im) {
      pv_venus_refuse(c, "vkCreateImage: no memory for the image's bounds state");
      return;
   }
   struct pv_format_info f = {0};
   pv_format_info(ci->format, &f);
   im->type = ci->imageType;
   im->format = ci->format;
   im->extent = ci->extent;
   im->mips = ci->mipLevels;
   im->layers = ci->arrayLayers;
   im->samples = ci->samples;
   im->sparse = (ci->flags & VK_IMAGE_CREATE_SPARSE_BINDING_BIT) != 0;
   im->mutable_format = (ci->flags & VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT) != 0;
   im->flags = ci->flags;
   bool disjoint = (ci->flags & VK_IMAGE_CREATE_DISJOINT_BIT) && f.plane_count > 1;
   im->planes_needed = disjoint ? (1u << f.plane_count) - 1 : 1;
   o->data = im;
   o->free_data = pv_vk_state_free;
}

/* The aspects an image of this format has: a plane bit per plane of a multi-planar format
 * (lavapipe picks planes[1] and [2] by those bits, NULL on a single-plane image), depth and
 * stencil as it has them, color otherwise. */
static VkImageAspectFlags
format_aspects(VkFormat format)
{
   struct pv_format_info f;
   if (!pv_format_info(format, &f))
      return 0;
   if (f.plane_count)
      return ((1u << f.plane_count) - 1u) * VK_IMAGE_ASPECT_PLANE_0_BIT;
   if (f.depth_bytes || f.stencil_bytes)
      return (f.depth_bytes ? VK_IMAGE_ASPECT_DEPTH_BIT : 0) |
             (f.stencil_bytes ? VK_IMAGE_ASPECT_STENCIL_BIT : 0);
   return VK_IMAGE_ASPECT_COLOR_BIT;
}

/* `mask` names aspects the image has: one of them, or (`several`) depth and stencil together. */
static bool
aspects_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
           VkImageAspectFlags mask, bool several)
{
   VkImageAspectFlags has = format_aspects(im->format);
   bool one = mask && !(mask & (mask - 1));
   const VkImageAspectFlags depth_stencil = VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT;
   if (mask && !(mask & ~has) && (one || (several && !(has & ~depth_stencil))))
      return true;
   pv_venus_refuse(c, "%s: aspects 0x%x of an image of format %d (aspects 0x%x)", what, mask,
                   (int)im->format, has);
   return false;
}

/* lavapipe reads the layout of the level and plane it is given from arrays of the texture
 * (VUIDs vkGetImageSubresourceLayout mipLevel-01716, arrayLayer-01717, aspectMask-00997). A
 * single-plane color image may also be asked for its one memory plane. */
static bool
subresource_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
               const VkImageSubresource *s)
{
   if (!s || s->mipLevel >= im->mips || s->arrayLayer >= im->layers) {
      pv_venus_refuse(c, "%s: mip %u / layer %u outside the image (%u mips, %u layers)", what,
                      s ? s->mipLevel : 0, s ? s->arrayLayer : 0, im->mips, im->layers);
      return false;
   }
   return (s->aspectMask == VK_IMAGE_ASPECT_MEMORY_PLANE_0_BIT_EXT &&
           format_aspects(im->format) == VK_IMAGE_ASPECT_COLOR_BIT) ||
          aspects_ok(c, what, im, s->aspectMask, false);
}

static bool
layout_query_ok(struct pv_dispatch_ctx *c, const char *what, VkImage image,
                const VkImageSubresource *s)
{
   struct pv_vk_image *im = pv_vk_image_get(c, image);
   if (im)
      return subresource_ok(c, what, im, s);
   pv_venus_refuse(c, "%s: unknown image", what);
   return false;
}

void
pv_guard_GetImageSubresourceLayout(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetImageSubresourceLayout *a = args;
   if (layout_query_ok(c, "vkGetImageSubresourceLayout", a->image, a->pSubresource))
      pv_handle_vkGetImageSubresourceLayout(c, args);
}

void
pv_guard_GetImageSubresourceLayout2KHR(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetImageSubresourceLayout2KHR *a = args;
   if (layout_query_ok(c, "vkGetImageSubresourceLayout2KHR", a->image,
                       a->pSubresource ? &a->pSubresource->imageSubresource : NULL))
      pv_handle_vkGetImageSubresourceLayout2KHR(c, args);
}

bool
pv_guard_device_image_subresource(struct pv_dispatch_ctx *c, VkDevice device,
                                  const VkDeviceImageSubresourceInfoKHR *info)
{
   const char *what = "vkGetDeviceImageSubresourceLayoutKHR";
   const VkImageCreateInfo *ci = info ? info->pCreateInfo : NULL;
   if (!pv_guard_image_create(c, what, device, ci))
      return false;
   struct pv_vk_image im = {.type = ci->imageType,
                            .format = ci->format,
                            .extent = ci->extent,
                            .mips = ci->mipLevels,
                            .layers = ci->arrayLayers};
   return subresource_ok(c, what, &im,
                         info->pSubresource ? &info->pSubresource->imageSubresource : NULL);
}

/* ----- binding memory ----------------------------------------------------------------------- */

/* The plane a bind's chain names; PV_NO_PLANE when it names none. */
#define PV_NO_PLANE 3u

static uint32_t
plane_of(const void *pnext)
{
   for (const VkBaseInStructure *p = pnext; p; p = p->pNext)
      if (p->sType == VK_STRUCTURE_TYPE_BIND_IMAGE_PLANE_MEMORY_INFO) {
         VkImageAspectFlagBits a = ((const VkBindImagePlaneMemoryInfo *)p)->planeAspect;
         return a == VK_IMAGE_ASPECT_PLANE_2_BIT ? 2 : a == VK_IMAGE_ASPECT_PLANE_1_BIT ? 1 : 0;
      }
   return PV_NO_PLANE;
}

static bool
image_requirements(struct pv_vk_device *d, VkImage image, uint32_t plane, bool disjoint,
                   VkMemoryRequirements *req)
{
   if (!disjoint) {
      d->vk.GetImageMemoryRequirements(d->host, image, req);
      return true;
   }
   if (!d->vk.GetImageMemoryRequirements2)
      return false;
   VkImagePlaneMemoryRequirementsInfo pi = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_PLANE_MEMORY_REQUIREMENTS_INFO,
      .planeAspect = (VkImageAspectFlagBits)(VK_IMAGE_ASPECT_PLANE_0_BIT << plane)};
   VkImageMemoryRequirementsInfo2 info = {.sType =
                                             VK_STRUCTURE_TYPE_IMAGE_MEMORY_REQUIREMENTS_INFO_2,
                                          .pNext = &pi,
                                          .image = image};
   VkMemoryRequirements2 r2 = {.sType = VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2};
   d->vk.GetImageMemoryRequirements2(d->host, &info, &r2);
   *req = r2.memoryRequirements;
   return true;
}

static bool
image_bind_ok(struct pv_dispatch_ctx *c, const char *what, VkDevice device, VkImage image,
              VkDeviceMemory memory, uint64_t offset, uint32_t plane)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   struct pv_vk_image *im = pv_vk_image_get(c, image);
   uint64_t mem_size = pv_vk_memory_size(c, memory);
   bool disjoint = im && im->planes_needed != 1;
   /* lavapipe 25 reads a disjoint image's plane from the bind's VkBindImagePlaneMemoryInfo,
    * NULL without one (read; VUID-VkBindImageMemoryInfo-image-07736, vkBindImageMemory-image-
    * 01608): a disjoint image is bound plane by plane, naming each */
   if (disjoint && plane == PV_NO_PLANE) {
      pv_venus_refuse(c, "%s: a disjoint image bound without naming its plane", what);
      return false;
   }
   plane = plane == PV_NO_PLANE ? 0 : plane;
   VkMemoryRequirements req;
   if (!d || !im || !mem_size || im->sparse || (im->planes_bound & (1u << plane)) ||
       !(im->planes_needed & (1u << plane)) || !d->vk.GetImageMemoryRequirements ||
       !image_requirements(d, image, plane, disjoint, &req)) {
      pv_venus_refuse(c,
                      "%s: unknown, sparse or already bound image (plane %u), or unknown "
                      "memory",
                      what, plane);
      return false;
   }
   return pv_guard_bind_fits(c, what, &req, offset, mem_size) &&
          pv_guard_bind_claim(c, what, &im->planes_claimed, 1u << plane);
}

/* Records the plane's binding, or gives its claim back when the host refused it. */
static void
image_bound(struct pv_dispatch_ctx *c, VkImage image, VkDeviceMemory memory, uint32_t plane,
            bool bound)
{
   struct pv_vk_image *im = pv_vk_image_get(c, image);
   struct pv_object *m = pv_venus_object(c, VK_OBJECT_TYPE_DEVICE_MEMORY, PV_FROM_HANDLE(memory));
   if (!im)
      return;
   if (!bound) {
      pv_guard_bind_unclaim(&im->planes_claimed, 1u << plane);
      return;
   }
   if (!m)
      return; /* freed on another ring meanwhile: bound on the host, never usable here */
   im->memory[plane] = (struct pv_vk_ref){m->id, m->serial};
   uint32_t planes = __atomic_or_fetch(&im->planes_bound, 1u << plane, __ATOMIC_ACQ_REL);
   if (planes == im->planes_needed)
      __atomic_store_n(&im->bound, true, __ATOMIC_RELEASE);
}

void
pv_guard_BindImageMemory(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkBindImageMemory *a = args;
   if (!image_bind_ok(c, "vkBindImageMemory", a->device, a->image, a->memory, a->memoryOffset,
                      PV_NO_PLANE))
      return;
   pv_handle_vkBindImageMemory(c, args);
   image_bound(c, a->image, a->memory, 0, a->ret == VK_SUCCESS);
}

/* An image plane named twice in one call fails its second claim; on failure none is bound. */
void
pv_guard_BindImageMemory2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkBindImageMemory2 *a = args;
   uint32_t claimed = 0;
   while (claimed < a->bindInfoCount) {
      const VkBindImageMemoryInfo *b = &a->pBindInfos[claimed];
      if (!image_bind_ok(c, "vkBindImageMemory2", a->device, b->image, b->memory, b->memoryOffset,
                         plane_of(b->pNext)))
         break;
      claimed++;
   }
   if (claimed == a->bindInfoCount)
      pv_handle_vkBindImageMemory2(c, args);
   bool bound = claimed == a->bindInfoCount && a->ret == VK_SUCCESS;
   for (uint32_t i = 0; i < claimed; i++) {
      uint32_t plane = plane_of(a->pBindInfos[i].pNext);
      image_bound(c, a->pBindInfos[i].image, a->pBindInfos[i].memory,
                  plane == PV_NO_PLANE ? 0 : plane, bound);
   }
}

/* ----- image <-> image ---------------------------------------------------------------------- */

/* The destination extent of an image copy: texel blocks carry over between size-compatible
 * formats of different block extents (compressed <-> uncompressed). */
static VkExtent3D
dst_extent(const struct pv_vk_image *src, const struct pv_vk_image *dst, VkExtent3D e)
{
   struct pv_format_info fs, fd;
   if (!pv_format_info(src->format, &fs) || !pv_format_info(dst->format, &fd))
      return e;
   return (VkExtent3D){pv_div_up(e.width, fs.block_extent[0]) * fd.block_extent[0],
                       pv_div_up(e.height, fs.block_extent[1]) * fd.block_extent[1],
                       pv_div_up(e.depth, fs.block_extent[2]) * fd.block_extent[2]};
}

/* Clamps a block-rounded extent to the mip: a copy into a compressed image may end at the
 * mip's edge inside its last block (stored whole). Only by less than the destination's block:
 * an uncompressed destination is never clamped (this clamped any overshoot below 4 texels
 * before, so a copy could write 3 rows or slices past an uncompressed destination's mip). */
static VkExtent3D
clamp_to_mip(const struct pv_vk_image *im, uint32_t level, VkOffset3D o, VkExtent3D e)
{
   struct pv_format_info f;
   if (!pv_format_info(im->format, &f))
      return e;
   uint32_t dims[3] = {im->extent.width, im->extent.height, im->extent.depth};
   int32_t off[3] = {o.x, o.y, o.z};
   uint32_t *ext[3] = {&e.width, &e.height, &e.depth};
   for (int i = 0; i < 3; i++) {
      uint32_t m = pv_vk_mip_dim(dims[i], level);
      if (off[i] >= 0 && (uint32_t)off[i] <= m && *ext[i] > m - (uint32_t)off[i] &&
          *ext[i] - (m - (uint32_t)off[i]) < f.block_extent[i])
         *ext[i] = m - (uint32_t)off[i];
   }
   return e;
}

/* The slices a region covers on one side: a 3D image's depth, or the other's layers. lavapipe
 * gives the destination the source's count whatever the destination's own (handle_copy_image:
 * one box, its depth the source's), so the two must agree (vkCmdCopyImage VUIDs srcImage-01791,
 * dstImage-01792, VkImageCopy extent-00140; VkImageResolve layerCount-08803). */
static uint32_t
slices_of(const struct pv_vk_image *im, const VkImageSubresourceLayers *s, VkExtent3D e)
{
   return im->type == VK_IMAGE_TYPE_3D ? e.depth : s->layerCount;
}

static bool
slices_agree(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *si,
             const VkImageSubresourceLayers *ss, const struct pv_vk_image *di,
             const VkImageSubresourceLayers *ds, VkExtent3D extent)
{
   uint32_t from = slices_of(si, ss, extent), to = slices_of(di, ds, extent);
   if (from == to)
      return true;
   pv_venus_refuse(c, "%s: a region of %u slices of the source and %u of the destination", what,
                   from, to);
   return false;
}

/* One side's box: a 2D side of a copy with a 3D image is one slice deep per layer. */
static VkExtent3D
side_box(const struct pv_vk_image *side, const struct pv_vk_image *other, VkExtent3D e)
{
   if (side->type != VK_IMAGE_TYPE_3D && other->type == VK_IMAGE_TYPE_3D)
      e.depth = 1;
   return e;
}

/* The bytes a texel block of `aspect` takes, 0 for an aspect the format lacks. */
static uint32_t
aspect_bytes(const struct pv_vk_image *im, VkImageAspectFlags aspect)
{
   struct pv_format_info f;
   uint32_t bytes, blk[3];
   return pv_format_info(im->format, &f) && pv_guard_aspect_block(&f, aspect, &bytes, blk) ? bytes
                                                                                           : 0;
}

static bool
is_depth_stencil(const struct pv_vk_image *im)
{
   return format_aspects(im->format) & (VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT);
}

/*
 * The two formats of an image copy: texel blocks of one size, and depth/stencil copied only to
 * the same format, or (VK_KHR_maintenance8) one aspect to a color format of that aspect's
 * size (vkCmdCopyImage VUIDs srcImage-01548, 10171..10173 and VkImageCopy's aspect rules).
 * Lavapipe 22.3 gives up on texel blocks of different sizes; 25.0's maintenance8 path copies
 * depth/stencil to color texel by texel with the depth format's size: D32_SFLOAT_S8 depth into
 * R8 wrote 4 bytes a 1-byte texel, past the image, and other pairs reach abort() or
 * unreachable() (read by a helper in its lvp_execute.c, 2026-12-07; not run).
 */
static bool
copy_formats_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *si,
                VkImageAspectFlags sa, const struct pv_vk_image *di, VkImageAspectFlags da)
{
   bool sds = is_depth_stencil(si), dds = is_depth_stencil(di);
   uint32_t sb = aspect_bytes(si, sa), db = aspect_bytes(di, da);
   bool ok = sds && dds ? si->format == di->format && sa == da : sb && sb == db;
   if (ok)
      return true;
   pv_venus_refuse(c, "%s: formats %d (aspect 0x%x) and %d (aspect 0x%x) cannot copy to each other",
                   what, (int)si->format, sa, (int)di->format, da);
   return false;
}

static bool
image_pair_ok(struct pv_dispatch_ctx *c, const char *what, VkImage src, VkImage dst,
              const VkImageSubresourceLayers *ss, VkOffset3D so, const VkImageSubresourceLayers *ds,
              VkOffset3D dof, VkExtent3D extent, bool copy)
{
   struct pv_vk_image *si, *di;
   if (!pv_guard_image_bound(c, what, src, &si) || !pv_guard_image_bound(c, what, dst, &di) ||
       !aspects_ok(c, what, si, ss->aspectMask, true) ||
       !aspects_ok(c, what, di, ds->aspectMask, true) ||
       (copy && !copy_formats_ok(c, what, si, ss->aspectMask, di, ds->aspectMask)) ||
       !pv_guard_image_layers(c, what, si, ss) || !pv_guard_image_layers(c, what, di, ds) ||
       !slices_agree(c, what, si, ss, di, ds, extent) ||
       !pv_guard_flat_box(c, what, si, so, side_box(si, di, extent)) ||
       !pv_guard_image_box(c, what, si, ss->mipLevel, so, side_box(si, di, extent)))
      return false;
   VkExtent3D de = clamp_to_mip(di, ds->mipLevel, dof, dst_extent(si, di, extent));
   return pv_guard_flat_box(c, what, di, dof, side_box(di, si, de)) &&
          pv_guard_image_box(c, what, di, ds->mipLevel, dof, side_box(di, si, de));
}

void
pv_guard_CmdCopyImage(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyImage *a = args;
   for (uint32_t i = 0; i < a->regionCount; i++) {
      const VkImageCopy *r = &a->pRegions[i];
      if (!image_pair_ok(c, "vkCmdCopyImage", a->srcImage, a->dstImage, &r->srcSubresource,
                         r->srcOffset, &r->dstSubresource, r->dstOffset, r->extent, true))
         return;
   }
   pv_handle_vkCmdCopyImage(c, args);
}

void
pv_guard_CmdCopyImage2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdCopyImage2 *a = args;
   const VkCopyImageInfo2 *info = a->pCopyImageInfo;
   for (uint32_t i = 0; info && i < info->regionCount; i++) {
      const VkImageCopy2 *r = &info->pRegions[i];
      if (!image_pair_ok(c, "vkCmdCopyImage2", info->srcImage, info->dstImage, &r->srcSubresource,
                         r->srcOffset, &r->dstSubresource, r->dstOffset, r->extent, true))
         return;
   }
   if (info)
      pv_handle_vkCmdCopyImage2(c, args);
}

void
pv_guard_CmdResolveImage(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdResolveImage *a = args;
   for (uint32_t i = 0; i < a->regionCount; i++) {
      const VkImageResolve *r = &a->pRegions[i];
      if (!image_pair_ok(c, "vkCmdResolveImage", a->srcImage, a->dstImage, &r->srcSubresource,
                         r->srcOffset, &r->dstSubresource, r->dstOffset, r->extent, false))
         return;
   }
   pv_handle_vkCmdResolveImage(c, args);
}

void
pv_guard_CmdResolveImage2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdResolveImage2 *a = args;
   const VkResolveImageInfo2 *info = a->pResolveImageInfo;
   for (uint32_t i = 0; info && i < info->regionCount; i++) {
      const VkImageResolve2 *r = &info->pRegions[i];
      if (!image_pair_ok(c, "vkCmdResolveImage2", info->srcImage, info->dstImage,
                         &r->srcSubresource, r->srcOffset, &r->dstSubresource, r->dstOffset,
                         r->extent, false))
         return;
   }
   if (info)
      pv_handle_vkCmdResolveImage2(c, args);
}

/* A blit region is the box between two corners, given in either order. */
static bool
blit_corners_ok(struct pv_dispatch_ctx *c, const char *what, const struct pv_vk_image *im,
                const VkImageSubresourceLayers *sub, const VkOffset3D o[2])
{
   if (!pv_guard_image_layers(c, what, im, sub))
      return false;
   for (int i = 0; i < 2; i++)
      if (!pv_guard_image_box(c, what, im, sub->mipLevel, o[i], (VkExtent3D){0, 0, 0}))
         return false;
   return true;
}

static bool
blit_ok(struct pv_dispatch_ctx *c, const char *what, VkImage src, VkImage dst,
        const VkImageSubresourceLayers *ss, const VkOffset3D so[2],
        const VkImageSubresourceLayers *ds, const VkOffset3D dof[2])
{
   struct pv_vk_image *si, *di;
   return pv_guard_image_bound(c, what, src, &si) && pv_guard_image_bound(c, what, dst, &di) &&
          aspects_ok(c, what, si, ss->aspectMask, true) &&
          aspects_ok(c, what, di, ds->aspectMask, true) && blit_corners_ok(c, what, si, ss, so) &&
          blit_corners_ok(c, what, di, ds, dof);
}

void
pv_guard_CmdBlitImage(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBlitImage *a = args;
   for (uint32_t i = 0; i < a->regionCount; i++) {
      const VkImageBlit *r = &a->pRegions[i];
      if (!blit_ok(c, "vkCmdBlitImage", a->srcImage, a->dstImage, &r->srcSubresource,
                   r->srcOffsets, &r->dstSubresource, r->dstOffsets))
         return;
   }
   pv_handle_vkCmdBlitImage(c, args);
}

void
pv_guard_CmdBlitImage2(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdBlitImage2 *a = args;
   const VkBlitImageInfo2 *info = a->pBlitImageInfo;
   for (uint32_t i = 0; info && i < info->regionCount; i++) {
      const VkImageBlit2 *r = &info->pRegions[i];
      if (!blit_ok(c, "vkCmdBlitImage2", info->srcImage, info->dstImage, &r->srcSubresource,
                   r->srcOffsets, &r->dstSubresource, r->dstOffsets))
         return;
   }
   if (info)
      pv_handle_vkCmdBlitImage2(c, args);
}

/* ----- clears and views --------------------------------------------------------------------- */

static bool
ranges_ok(struct pv_dispatch_ctx *c, const char *what, VkImage image, uint32_t n,
          const VkImageSubresourceRange *r)
{
   struct pv_vk_image *im;
   if (!pv_guard_image_bound(c, what, image, &im))
      return false;
   for (uint32_t i = 0; i < n; i++)
      if (!pv_guard_image_range(c, what, im, &r[i]))
         return false;
   return true;
}

/*
 * What a clear may name. vkCmdClearColorImage: a color format neither compressed nor needing a
 * Y'CbCr conversion, color aspects (VUIDs image-00007, image-01545, aspectMask-02498): lavapipe
 * packs the color with the format's pack function, NULL for depth/stencil formats and the
 * unpack of compressed ones, and called through NULL on its queue thread (BC1..BC7, D16, D24S8,
 * D32S8, S8 in a helper's native run on 22.3.6, 2026-12-07; the same code in 25.0.7).
 * vkCmdClearDepthStencilImage: a depth/stencil format, depth and stencil aspects it has (VUIDs
 * image-00014, aspectMask-02824..02826): lavapipe filled a 16x16 BC1 image as a depth image,
 * rows of texels stepped by rows of blocks, 480 bytes past its 128.
 */
static bool
clear_aspects_ok(struct pv_dispatch_ctx *c, const char *what, VkImage image, uint32_t n,
                 const VkImageSubresourceRange *r, bool depth_stencil)
{
   struct pv_vk_image *im;
   struct pv_format_info f;
   if (!pv_guard_image_bound(c, what, image, &im))
      return false;
   bool plain = pv_format_info(im->format, &f) && !f.plane_count && f.block_extent[0] == 1 &&
                f.block_extent[1] == 1 && f.block_extent[2] == 1;
   VkImageAspectFlags has = format_aspects(im->format);
   VkImageAspectFlags may = depth_stencil ? VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT
                                          : VK_IMAGE_ASPECT_COLOR_BIT;
   bool ok = plain && (has & may) && !(has & ~may);
   for (uint32_t i = 0; ok && i < n; i++)
      ok = r[i].aspectMask && !(r[i].aspectMask & ~(has & may));
   if (ok)
      return true;
   pv_venus_refuse(c,
                   "%s: an image of format %d (aspects 0x%x) or ranges of aspects it does not "
                   "clear",
                   what, (int)im->format, has);
   return false;
}

void
pv_guard_CmdClearColorImage(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdClearColorImage *a = args;
   if (ranges_ok(c, "vkCmdClearColorImage", a->image, a->rangeCount, a->pRanges) &&
       clear_aspects_ok(c, "vkCmdClearColorImage", a->image, a->rangeCount, a->pRanges, false))
      pv_handle_vkCmdClearColorImage(c, args);
}

void
pv_guard_CmdClearDepthStencilImage(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCmdClearDepthStencilImage *a = args;
   if (ranges_ok(c, "vkCmdClearDepthStencilImage", a->image, a->rangeCount, a->pRanges) &&
       clear_aspects_ok(c, "vkCmdClearDepthStencilImage", a->image, a->rangeCount, a->pRanges,
                        true))
      pv_handle_vkCmdClearDepthStencilImage(c, args);
}

/* Why a view's format cannot view the image's texels, or NULL. Lavapipe 22.3 takes any format
 * it is given: VK_FORMAT_UNDEFINED on a depth image became a NULL format description read when
 * the view was used as an attachment (fuzz input 7b98d909). Vulkan allows another format only
 * on a MUTABLE_FORMAT image, of the same texel block size (compatible classes, or an
 * uncompressed view of a compressed block), a plane's format on a multi-planar image, and no
 * reinterpretation of depth/stencil (VkImageViewCreateInfo VUIDs 01762, 01761, 04714, 01586). */
static const char *
view_format_violation(const struct pv_vk_image *im, VkFormat view)
{
   struct pv_format_info fi, fv;
   if (view == VK_FORMAT_UNDEFINED)
      return "VK_FORMAT_UNDEFINED";
   if (view == im->format)
      return NULL;
   if (!im->mutable_format)
      return "another format than a non-mutable image's";
   if (!pv_format_info(im->format, &fi) || !pv_format_info(view, &fv))
      return "a format we do not know";
   if (fi.plane_count)
      return NULL; /* a plane's format: the host checks it against the plane */
   if (fi.depth_bytes || fi.stencil_bytes || fv.depth_bytes || fv.stencil_bytes)
      return "a reinterpreted depth/stencil format";
   if (fi.block_bytes != fv.block_bytes)
      return "a format of another texel block size";
   /* A compressed view only of an image of the same block shape: Vulkan keeps a view in its
    * image format's compatibility class (VUID 01761), and lavapipe cleared an ETC2 or ASTC view
    * of an R32G32/R32G32B32A32 image, made a color attachment, with that format's pack
    * function, NULL, on its queue thread (a helper's native run on 22.3.6, 2026-12-07). */
   bool view_blocks = fv.block_extent[0] != 1 || fv.block_extent[1] != 1 || fv.block_extent[2] != 1;
   bool same_shape = fi.block_extent[0] == fv.block_extent[0] &&
                     fi.block_extent[1] == fv.block_extent[1] &&
                     fi.block_extent[2] == fv.block_extent[2];
   return !view_blocks || same_shape ? NULL : "a compressed view of an image of other blocks";
}

/* Why a view of this type cannot view the image's `layers` layers, or NULL. llvmpipe samples a
 * cube face at face * layer stride from the view's first layer without a clamp, and a cube
 * array's layer as up to (layers - 6), so a cube view of fewer layers than its faces reads past
 * the image; a 3D view of a 2D image is a depth the image does not have (VkImageViewCreateInfo
 * VUIDs viewType-02960/02961, image-01003, subResourceRange-01021 and the view type table). */
static const char *
view_type_violation(const struct pv_vk_image *im, VkImageViewType type, uint32_t layers)
{
   const VkImageCreateFlags as_2d =
      VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT | VK_IMAGE_CREATE_2D_VIEW_COMPATIBLE_BIT_EXT;
   switch (type) {
   case VK_IMAGE_VIEW_TYPE_1D:
   case VK_IMAGE_VIEW_TYPE_1D_ARRAY:
      return im->type == VK_IMAGE_TYPE_1D ? NULL : "a 1D view of an image not 1D";
   case VK_IMAGE_VIEW_TYPE_2D:
   case VK_IMAGE_VIEW_TYPE_2D_ARRAY:
      return im->type == VK_IMAGE_TYPE_2D || (im->type == VK_IMAGE_TYPE_3D && (im->flags & as_2d))
                ? NULL
                : "a 2D view of an image neither 2D nor a 3D one made for it";
   case VK_IMAGE_VIEW_TYPE_3D:
      return im->type == VK_IMAGE_TYPE_3D ? NULL : "a 3D view of an image not 3D";
   case VK_IMAGE_VIEW_TYPE_CUBE:
   case VK_IMAGE_VIEW_TYPE_CUBE_ARRAY:
      if (im->type != VK_IMAGE_TYPE_2D || !(im->flags & VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT))
         return "a cube view of an image not made CUBE_COMPATIBLE";
      if (type == VK_IMAGE_VIEW_TYPE_CUBE ? layers != 6 : layers % 6 != 0)
         return "a cube view of layers that are not whole cubes";
      return NULL;
   default:
      return "an unknown view type";
   }
}

/* A 2D or 2D array view of a 3D image (made 2D_ARRAY_COMPATIBLE or 2D_VIEW_COMPATIBLE) views
 * depth slices of one mip: Mesa's runtime counts its layers in slices of that mip
 * (vk_image_view_init: VK_REMAINING_ARRAY_LAYERS is the mip's depth less the first slice), and
 * lavapipe renders and samples from the first slice on (VkImageViewCreateInfo VUIDs image-04970,
 * 02724, subresourceRange-02725). */
static bool
views_slices(const struct pv_vk_image *im, VkImageViewType type)
{
   return im->type == VK_IMAGE_TYPE_3D &&
          (type == VK_IMAGE_VIEW_TYPE_2D || type == VK_IMAGE_VIEW_TYPE_2D_ARRAY);
}

static bool
slice_range_ok(struct pv_dispatch_ctx *c, const struct pv_vk_image *im,
               const VkImageSubresourceRange *r)
{
   uint32_t level = r->baseMipLevel, first = r->baseArrayLayer;
   bool one_mip =
      level < im->mips &&
      (r->levelCount == 1 || (r->levelCount == VK_REMAINING_MIP_LEVELS && level + 1 == im->mips));
   uint32_t depth = one_mip ? pv_vk_mip_dim(im->extent.depth, level) : 0;
   uint32_t n =
      r->layerCount == VK_REMAINING_ARRAY_LAYERS && first < depth ? depth - first : r->layerCount;
   if (first < depth && n > 0 && n <= depth - first)
      return true;
   pv_venus_refuse(c,
                   "vkCreateImageView: slices %u+%u of mips %u+%u outside the 3D image "
                   "(%u slices, %u mips)",
                   first, r->layerCount, level, r->levelCount, im->extent.depth, im->mips);
   return false;
}

uint32_t
pv_vk_view_layers(const struct pv_vk_image *im, const VkImageViewCreateInfo *ci)
{
   const VkImageSubresourceRange *r = &ci->subresourceRange;
   uint32_t all = im->layers;
   if (im->type == VK_IMAGE_TYPE_3D) {
      all = pv_vk_mip_dim(im->extent.depth, r->baseMipLevel);
      if (!views_slices(im, ci->viewType))
         return all;
   }
   return r->layerCount == VK_REMAINING_ARRAY_LAYERS ? all - r->baseArrayLayer : r->layerCount;
}

void
pv_guard_CreateImageView(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkCreateImageView *a = args;
   const VkImageViewCreateInfo *ci = a->pCreateInfo;
   struct pv_vk_image *im = ci ? pv_vk_image_get(c, ci->image) : NULL;
   if (!im) {
      pv_venus_refuse(c, "vkCreateImageView: unknown image");
      return;
   }
   const VkImageSubresourceRange *r = &ci->subresourceRange;
   if (views_slices(im, ci->viewType) ? !slice_range_ok(c, im, r)
                                      : !pv_guard_image_range(c, "vkCreateImageView", im, r))
      return;
   const char *why = view_format_violation(im, ci->format);
   if (why) {
      pv_venus_refuse(c, "vkCreateImageView: format %d: %s", (int)ci->format, why);
      return;
   }
   uint32_t layers = pv_vk_view_layers(im, ci);
   why = view_type_violation(im, ci->viewType, layers);
   if (why) {
      pv_venus_refuse(c, "vkCreateImageView: view type %d of %u layers: %s", (int)ci->viewType,
                      layers, why);
      return;
   }
   pv_handle_vkCreateImageView(c, args);
   if (a->ret == VK_SUCCESS && a->pView && !pv_cs_fatal(c->dec)) {
      pv_vk_view_track(c, VK_OBJECT_TYPE_IMAGE_VIEW, PV_FROM_HANDLE(*a->pView),
                       VK_OBJECT_TYPE_IMAGE, PV_FROM_HANDLE(ci->image));
      pv_vk_image_view_track(c, ci, im, *a->pView);
   }
}
