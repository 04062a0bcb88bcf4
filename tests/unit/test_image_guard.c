/* SPDX-License-Identifier: MIT */
/*
 * Image checks of src/vk/guard_image.c that a reading of lavapipe found missing (2026-12-07):
 * copies whose two sides cover different slice counts, aspects an image does not have, cube
 * views of layers that are not whole cubes, subresource layout queries outside the image, and
 * the create-info queries that make an image on the host without vkCreateImage's checks. As
 * test_cmd_scope does: hand-encoded wire-0 commands on a fresh context of a real renderer, the
 * objects put in its table with the state the real commands would have given them; a command
 * that passes reaches the generated pass-through, which finds no host entry point.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "wire0_commands.h"
#include "pearvisor/pearvisor.h"
#include "renderer/context.h"
#include "renderer/renderer.h"
#include "util/log.h"
#include "vk/guard.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* guest ids (their host handles are id + PV_TEST_HOST) */
enum {
   CMDBUF = 0x100,
   DEVICE = 0x600,
   SRC = 0x700,
   DST = 0x701,
   VIEW = 0x800,
   BUF = 0x900,
   MEM = 0x901
};

static struct pv_renderer *renderer;
static struct pv_vk_physdev pd;

/* A fresh context with a device and a recording primary command buffer. */
static struct pv_context *
fresh_context(void)
{
   struct pv_context *ctx = pv_context_create(renderer, PV_CAPSET_VENUS, "image-guard");
   assert_non_null(ctx);
   add_object(ctx, VK_OBJECT_TYPE_DEVICE, DEVICE);
   struct pv_vk_cmdbuf *cb =
      pv_vk_cmdbuf_of(add_object(ctx, VK_OBJECT_TYPE_COMMAND_BUFFER, CMDBUF));
   assert_non_null(cb);
   cb->scope = (struct pv_vk_cmd_scope){.state = PV_CMDBUF_RECORDING, .pass = PV_PASS_NONE};
   cb->pd = &pd;
   return ctx;
}

struct shape {
   VkImageType type;
   VkFormat format;
   VkExtent3D extent;
   uint32_t layers;
   VkImageCreateFlags flags;
};

/* An image as vkCreateImage tracks it, one mip; sparse, so no memory needs binding. */
static void
add_image(struct pv_context *ctx, uint64_t id, struct shape s)
{
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_IMAGE, id);
   struct pv_vk_image *im = calloc(1, sizeof(*im));
   assert_non_null(im);
   *im = (struct pv_vk_image){.type = s.type,
                              .format = s.format,
                              .extent = s.extent,
                              .mips = 1,
                              .layers = s.layers,
                              .samples = VK_SAMPLE_COUNT_1_BIT,
                              .sparse = true,
                              .flags = s.flags};
   o->data = im;
   o->free_data = pv_vk_state_free;
}

static const struct shape color_2d = {VK_IMAGE_TYPE_2D, VK_FORMAT_R8G8B8A8_UNORM, {8, 8, 1}, 1, 0};

static struct shape
layered(struct shape s, uint32_t layers, VkImageCreateFlags flags)
{
   s.layers = layers;
   s.flags = flags;
   return s;
}

static void
enc_layers(struct buf *b, VkImageAspectFlags aspect, uint32_t base, uint32_t count)
{
   w32(b, aspect), w32(b, 0), w32(b, base), w32(b, count);
}

static void
enc_xyz(struct buf *b, uint32_t x, uint32_t y, uint32_t z)
{
   w32(b, x), w32(b, y), w32(b, z);
}

struct side {
   VkImageAspectFlags aspect;
   uint32_t base, count;
};

/* vkCmdCopyImage SRC -> DST of one region at the origins. */
static void
enc_copy(struct buf *b, struct side s, struct side d, VkExtent3D e)
{
   w32(b, cmd("vkCmdCopyImage")), w32(b, 0), w64(b, CMDBUF);
   w64(b, SRC), w32(b, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   w64(b, DST), w32(b, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   w32(b, 1), w64(b, 1);
   enc_layers(b, s.aspect, s.base, s.count), enc_xyz(b, 0, 0, 0);
   enc_layers(b, d.aspect, d.base, d.count), enc_xyz(b, 0, 0, 0);
   enc_xyz(b, e.width, e.height, e.depth);
}

/* vkCmdBlitImage SRC -> DST of the whole 8x8 of one layer. */
static void
enc_blit(struct buf *b, VkImageAspectFlags src_aspect, VkImageAspectFlags dst_aspect)
{
   w32(b, cmd("vkCmdBlitImage")), w32(b, 0), w64(b, CMDBUF);
   w64(b, SRC), w32(b, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   w64(b, DST), w32(b, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   w32(b, 1), w64(b, 1);
   enc_layers(b, src_aspect, 0, 1), w64(b, 2), enc_xyz(b, 0, 0, 0), enc_xyz(b, 8, 8, 1);
   enc_layers(b, dst_aspect, 0, 1), w64(b, 2), enc_xyz(b, 0, 0, 0), enc_xyz(b, 8, 8, 1);
   w32(b, VK_FILTER_NEAREST);
}

/* lavapipe copies the source's slice count into the destination (one box for both): 6 layers
 * into a 1-layer image wrote 5 layers past it. A 2D array into a 3D image of as many slices
 * is legal (it was refused before, the 2D side's box then being as deep as the 3D extent). */
static void
copy_slices_agree(void **state)
{
   (void)state;
   const struct side color = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1};
   const struct side six = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 6},
                     four = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 4};
   const struct shape vol = {VK_IMAGE_TYPE_3D, VK_FORMAT_R8G8B8A8_UNORM, {8, 8, 4}, 1, 0};
   struct buf b = {0};
   struct pv_context *ctx = fresh_context();
   add_image(ctx, SRC, layered(color_2d, 6, 0)), add_image(ctx, DST, color_2d);
   enc_copy(&b, six, color, (VkExtent3D){8, 8, 1});
   REFUSED(ctx, &b, "vkCmdCopyImage: a region of 6 slices of the source and 1 of the destination");

   b.n = 0;
   enc_copy(&b, six, six, (VkExtent3D){8, 8, 1});
   ctx = fresh_context();
   add_image(ctx, SRC, layered(color_2d, 6, 0)), add_image(ctx, DST, layered(color_2d, 6, 0));
   PASSED(ctx, &b, "vkCmdCopyImage");

   b.n = 0;
   enc_copy(&b, six, color, (VkExtent3D){8, 8, 1});
   ctx = fresh_context();
   add_image(ctx, SRC, layered(color_2d, 6, 0)), add_image(ctx, DST, vol);
   REFUSED(ctx, &b, "vkCmdCopyImage: a region of 6 slices of the source and 1 of the destination");

   b.n = 0;
   enc_copy(&b, four, color, (VkExtent3D){8, 8, 4});
   ctx = fresh_context();
   add_image(ctx, SRC, layered(color_2d, 4, 0)), add_image(ctx, DST, vol);
   PASSED(ctx, &b, "vkCmdCopyImage");

   /* and the 3D side's depth is still checked against the image */
   b.n = 0;
   enc_copy(&b, (struct side){VK_IMAGE_ASPECT_COLOR_BIT, 0, 5}, color, (VkExtent3D){8, 8, 5});
   ctx = fresh_context();
   add_image(ctx, SRC, layered(color_2d, 5, 0)), add_image(ctx, DST, vol);
   REFUSED(ctx, &b, "vkCmdCopyImage: box (0,0,0)+(8,8,5) outside mip 0 (8x8x4)");
}

/* A vkCmdCopyImage or vkCmdResolveImage SRC -> DST of one region of one layer, from the
 * origin to `to`. */
static void
enc_region_to(struct buf *b, const char *name, VkOffset3D to, VkExtent3D e)
{
   w32(b, cmd(name)), w32(b, 0), w64(b, CMDBUF);
   w64(b, SRC), w32(b, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
   w64(b, DST), w32(b, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   w32(b, 1), w64(b, 1);
   enc_layers(b, VK_IMAGE_ASPECT_COLOR_BIT, 0, 1), enc_xyz(b, 0, 0, 0);
   enc_layers(b, VK_IMAGE_ASPECT_COLOR_BIT, 0, 1), enc_xyz(b, to.x, to.y, to.z);
   enc_xyz(b, e.width, e.height, e.depth);
}

/* The destination box may end inside the last block of a compressed destination's mip, never
 * past an uncompressed one (up to 3 texels, rows or slices past it passed before). */
static void
copy_not_past_destination(void **state)
{
   (void)state;
   const struct shape vol = {VK_IMAGE_TYPE_3D, VK_FORMAT_R8G8B8A8_UNORM, {8, 8, 4}, 1, 0};
   const struct shape words = {VK_IMAGE_TYPE_2D, VK_FORMAT_R32G32_UINT, {2, 2, 1}, 1, 0};
   const struct shape bc1 = {VK_IMAGE_TYPE_2D, VK_FORMAT_BC1_RGB_UNORM_BLOCK, {6, 6, 1}, 1, 0};
   struct buf b = {0};
   struct pv_context *ctx = fresh_context();
   add_image(ctx, SRC, vol), add_image(ctx, DST, vol);
   enc_region_to(&b, "vkCmdCopyImage", (VkOffset3D){0, 0, 2}, (VkExtent3D){8, 8, 3});
   REFUSED(ctx, &b, "vkCmdCopyImage: box (0,0,2)+(8,8,3) outside mip 0 (8x8x4)");

   b.n = 0;
   ctx = fresh_context();
   add_image(ctx, SRC, vol), add_image(ctx, DST, vol);
   enc_region_to(&b, "vkCmdCopyImage", (VkOffset3D){6, 0, 0}, (VkExtent3D){4, 8, 1});
   REFUSED(ctx, &b, "vkCmdCopyImage: box (6,0,0)+(4,8,1) outside mip 0 (8x8x4)");

   /* one 8-byte texel into the last BC1 block of a 6x6 image: 4x4 texels, 2 past the edge */
   b.n = 0;
   ctx = fresh_context();
   add_image(ctx, SRC, words), add_image(ctx, DST, bc1);
   enc_region_to(&b, "vkCmdCopyImage", (VkOffset3D){4, 4, 0}, (VkExtent3D){1, 1, 1});
   PASSED(ctx, &b, "vkCmdCopyImage");
}

/* lavapipe (Mesa 25) takes PLANE_1 of a single-plane image as planes[1], which is NULL. */
static void
copy_aspects_of_the_image(void **state)
{
   (void)state;
   const struct side color = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1};
   const struct shape ds = {VK_IMAGE_TYPE_2D, VK_FORMAT_D24_UNORM_S8_UINT, {8, 8, 1}, 1, 0};
   struct buf b = {0};
   struct pv_context *ctx = fresh_context();
   add_image(ctx, SRC, color_2d), add_image(ctx, DST, color_2d);
   enc_copy(&b, (struct side){VK_IMAGE_ASPECT_PLANE_1_BIT, 0, 1}, color, (VkExtent3D){8, 8, 1});
   REFUSED(ctx, &b, "vkCmdCopyImage: aspects 0x20 of an image of format 37 (aspects 0x1)");

   b.n = 0;
   enc_copy(&b, color, (struct side){VK_IMAGE_ASPECT_COLOR_BIT | VK_IMAGE_ASPECT_DEPTH_BIT, 0, 1},
            (VkExtent3D){8, 8, 1});
   ctx = fresh_context();
   add_image(ctx, SRC, color_2d), add_image(ctx, DST, color_2d);
   REFUSED(ctx, &b, "vkCmdCopyImage: aspects 0x3 of an image of format 37 (aspects 0x1)");

   const struct side both = {VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT, 0, 1};
   b.n = 0;
   enc_copy(&b, both, both, (VkExtent3D){8, 8, 1});
   ctx = fresh_context();
   add_image(ctx, SRC, ds), add_image(ctx, DST, ds);
   PASSED(ctx, &b, "vkCmdCopyImage");

   b.n = 0;
   enc_blit(&b, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_ASPECT_PLANE_2_BIT);
   ctx = fresh_context();
   add_image(ctx, SRC, color_2d), add_image(ctx, DST, color_2d);
   REFUSED(ctx, &b, "vkCmdBlitImage: aspects 0x40 of an image of format 37 (aspects 0x1)");

   b.n = 0;
   enc_blit(&b, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
   ctx = fresh_context();
   add_image(ctx, SRC, color_2d), add_image(ctx, DST, color_2d);
   PASSED(ctx, &b, "vkCmdBlitImage");
}

static void
enc_view_range(struct buf *b, VkImageViewType type, VkImageSubresourceRange r)
{
   w32(b, cmd("vkCreateImageView")), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO), w64(b, 0), w32(b, 0), w64(b, SRC);
   w32(b, type), w32(b, VK_FORMAT_R8G8B8A8_UNORM);
   w32(b, 0), w32(b, 0), w32(b, 0), w32(b, 0); /* identity swizzle */
   w32(b, r.aspectMask), w32(b, r.baseMipLevel), w32(b, r.levelCount);
   w32(b, r.baseArrayLayer), w32(b, r.layerCount);
   w64(b, 0), w64(b, 1), w64(b, VIEW); /* pAllocator, pView */
}

static void
enc_view(struct buf *b, VkImageViewType type, uint32_t base, uint32_t count)
{
   enc_view_range(b, type, (VkImageSubresourceRange){VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, base, count});
}

/* llvmpipe samples a cube face at face x layer stride from the view's first layer, unclamped:
 * a cube view of 1 layer at layer 5 of 6 read 5 layers past the image. */
static void
view_types_of_the_image(void **state)
{
   (void)state;
   static const struct {
      VkImageViewType type;
      uint32_t layers, base, count;
      VkImageCreateFlags flags;
      const char *refusal; /* NULL: passes */
   } cases[] = {
      {VK_IMAGE_VIEW_TYPE_CUBE, 6, 0, 6, VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT, NULL},
      {VK_IMAGE_VIEW_TYPE_CUBE, 6, 0, VK_REMAINING_ARRAY_LAYERS,
       VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT, NULL},
      {VK_IMAGE_VIEW_TYPE_CUBE_ARRAY, 12, 0, 12, VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT, NULL},
      {VK_IMAGE_VIEW_TYPE_2D_ARRAY, 6, 2, 3, 0, NULL},
      {VK_IMAGE_VIEW_TYPE_CUBE, 6, 5, 1, VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT,
       "vkCreateImageView: view type 3 of 1 layers: a cube view of layers that are not whole "
       "cubes"},
      {VK_IMAGE_VIEW_TYPE_CUBE_ARRAY, 1, 0, 1, VK_IMAGE_CREATE_CUBE_COMPATIBLE_BIT,
       "vkCreateImageView: view type 6 of 1 layers: a cube view of layers that are not whole "
       "cubes"},
      {VK_IMAGE_VIEW_TYPE_CUBE, 6, 0, 6, 0,
       "vkCreateImageView: view type 3 of 6 layers: a cube view of an image not made "
       "CUBE_COMPATIBLE"},
      {VK_IMAGE_VIEW_TYPE_3D, 1, 0, 1, 0,
       "vkCreateImageView: view type 2 of 1 layers: a 3D view of an image not 3D"},
      {VK_IMAGE_VIEW_TYPE_1D, 1, 0, 1, 0,
       "vkCreateImageView: view type 0 of 1 layers: a 1D view of an image not 1D"},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct buf b = {0};
      struct pv_context *ctx = fresh_context();
      add_image(ctx, SRC, layered(color_2d, cases[i].layers, cases[i].flags));
      enc_view(&b, cases[i].type, cases[i].base, cases[i].count);
      if (cases[i].refusal) {
         char want[200];
         snprintf(want, sizeof(want), "refused: %s", cases[i].refusal);
         expect(ctx, &b, want);
      } else {
         PASSED(ctx, &b, "vkCreateImageView");
      }
   }
}

/* A 2D or 2D array view of a 3D image made for it views slices of one mip, its layers counted
 * in that mip's slices (refused past slice 0 before, as layers of a 1-layer image). Past the
 * mip's slices, or over two mips, lavapipe would render and sample past the image. */
static void
views_of_3d_slices(void **state)
{
   (void)state;
   const uint32_t ALL = VK_REMAINING_ARRAY_LAYERS, ALL_MIPS = VK_REMAINING_MIP_LEVELS;
   static const char *const outside = "refused: vkCreateImageView: slices %u+%u of mips %u+%u "
                                      "outside the 3D image (4 slices, 2 mips)";
   const struct {
      VkImageViewType type;
      uint32_t mip, mips, base, count, layers; /* layers: what the view has when it passes */
      VkImageCreateFlags flags;
      bool refused;
   } cases[] = {
      {VK_IMAGE_VIEW_TYPE_2D, 0, 1, 3, 1, 1, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT, false},
      {VK_IMAGE_VIEW_TYPE_2D_ARRAY, 0, 1, 1, ALL, 3, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT,
       false},
      {VK_IMAGE_VIEW_TYPE_2D, 1, 1, 1, 1, 1, VK_IMAGE_CREATE_2D_VIEW_COMPATIBLE_BIT_EXT, false},
      {VK_IMAGE_VIEW_TYPE_2D_ARRAY, 1, ALL_MIPS, 0, ALL, 2, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT,
       false},
      {VK_IMAGE_VIEW_TYPE_3D, 1, 1, 0, 1, 2, 0, false},
      {VK_IMAGE_VIEW_TYPE_2D, 0, 1, 4, 1, 0, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT, true},
      {VK_IMAGE_VIEW_TYPE_2D_ARRAY, 0, 1, 2, 3, 0, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT, true},
      {VK_IMAGE_VIEW_TYPE_2D, 1, 1, 2, 1, 0, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT, true},
      {VK_IMAGE_VIEW_TYPE_2D_ARRAY, 0, 2, 0, 4, 0, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT, true},
      {VK_IMAGE_VIEW_TYPE_2D_ARRAY, 0, ALL_MIPS, 0, 1, 0, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT,
       true},
      {VK_IMAGE_VIEW_TYPE_2D, 0, 1, 0, 0, 0, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT, true},
      {VK_IMAGE_VIEW_TYPE_2D, 2, 1, 0, 1, 0, VK_IMAGE_CREATE_2D_ARRAY_COMPATIBLE_BIT, true},
   };
   const struct shape vol = {VK_IMAGE_TYPE_3D, VK_FORMAT_R8G8B8A8_UNORM, {8, 8, 4}, 1, 0};
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct pv_context *ctx = fresh_context();
      add_image(ctx, SRC, layered(vol, 1, cases[i].flags));
      struct pv_vk_image *im = pv_object_find(ctx, SRC, VK_OBJECT_TYPE_IMAGE)->data;
      im->mips = 2;
      const VkImageViewCreateInfo ci = {.viewType = cases[i].type,
                                        .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT,
                                                             cases[i].mip, cases[i].mips,
                                                             cases[i].base, cases[i].count}};
      struct buf b = {0};
      enc_view_range(&b, ci.viewType, ci.subresourceRange);
      if (cases[i].refused) {
         char want[200];
         snprintf(want, sizeof(want), outside, cases[i].base, cases[i].count, cases[i].mip,
                  cases[i].mips);
         expect(ctx, &b, want);
         continue;
      }
      assert_int_equal(pv_vk_view_layers(im, &ci), cases[i].layers);
      PASSED(ctx, &b, "vkCreateImageView");
   }
   /* a 2D view of a 3D image not made for it is still refused, for its type */
   struct pv_context *ctx = fresh_context();
   add_image(ctx, SRC, vol);
   struct buf b = {0};
   enc_view(&b, VK_IMAGE_VIEW_TYPE_2D, 1, 1);
   expect(ctx, &b,
          "refused: vkCreateImageView: view type 1 of 1 layers: a 2D view of an image neither 2D "
          "nor a 3D one made for it");
}

static void
enc_subresource_layout(struct buf *b, VkImageAspectFlags aspect, uint32_t mip, uint32_t layer)
{
   w32(b, cmd("vkGetImageSubresourceLayout")), w32(b, 0), w64(b, DEVICE), w64(b, SRC);
   w64(b, 1), w32(b, aspect), w32(b, mip), w32(b, layer);
   w64(b, 1); /* pLayout: nothing of it is sent */
}

/* lavapipe returns the level's row stride and offset from per-level arrays of the texture: a
 * guest-chosen level read past them and answered with what it found. */
static void
subresource_layout_inside(void **state)
{
   (void)state;
   static const struct {
      VkImageAspectFlags aspect;
      uint32_t mip, layer;
      const char *refusal;
   } cases[] = {
      {VK_IMAGE_ASPECT_COLOR_BIT, 0, 3, NULL},
      {VK_IMAGE_ASPECT_MEMORY_PLANE_0_BIT_EXT, 0, 0, NULL},
      {VK_IMAGE_ASPECT_COLOR_BIT, 1, 0,
       "vkGetImageSubresourceLayout: mip 1 / layer 0 outside the image (1 mips, 4 layers)"},
      {VK_IMAGE_ASPECT_COLOR_BIT, 0xffffff, 0,
       "vkGetImageSubresourceLayout: mip 16777215 / layer 0 outside the image (1 mips, 4 "
       "layers)"},
      {VK_IMAGE_ASPECT_COLOR_BIT, 0, 4,
       "vkGetImageSubresourceLayout: mip 0 / layer 4 outside the image (1 mips, 4 layers)"},
      {VK_IMAGE_ASPECT_PLANE_1_BIT, 0, 0,
       "vkGetImageSubresourceLayout: aspects 0x20 of an image of format 37 (aspects 0x1)"},
      {VK_IMAGE_ASPECT_MEMORY_PLANE_1_BIT_EXT, 0, 0,
       "vkGetImageSubresourceLayout: aspects 0x100 of an image of format 37 (aspects 0x1)"},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct buf b = {0};
      struct pv_context *ctx = fresh_context();
      add_image(ctx, SRC, layered(color_2d, 4, 0));
      enc_subresource_layout(&b, cases[i].aspect, cases[i].mip, cases[i].layer);
      if (cases[i].refusal) {
         char want[200];
         snprintf(want, sizeof(want), "refused: %s", cases[i].refusal);
         expect(ctx, &b, want);
      } else {
         PASSED(ctx, &b, "vkGetImageSubresourceLayout");
      }
   }
}

/* A VkImageCreateInfo of a 2D RGBA8 1x1 image of `mips` levels. */
static void
enc_image_info(struct buf *b, uint32_t mips)
{
   w32(b, VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO), w64(b, 0), w32(b, 0);
   w32(b, VK_IMAGE_TYPE_2D), w32(b, VK_FORMAT_R8G8B8A8_UNORM), enc_xyz(b, 1, 1, 1);
   w32(b, mips), w32(b, 1), w32(b, VK_SAMPLE_COUNT_1_BIT), w32(b, VK_IMAGE_TILING_OPTIMAL);
   w32(b, VK_IMAGE_USAGE_SAMPLED_BIT), w32(b, VK_SHARING_MODE_EXCLUSIVE), w32(b, 0), w64(b, 0);
   w32(b, VK_IMAGE_LAYOUT_UNDEFINED);
}

static void
enc_device_image_requirements(struct buf *b, const char *name, uint32_t mips)
{
   w32(b, cmd(name)), w32(b, 0), w64(b, DEVICE), w64(b, 1);
   w32(b, VK_STRUCTURE_TYPE_DEVICE_IMAGE_MEMORY_REQUIREMENTS), w64(b, 0), w64(b, 1);
   enc_image_info(b, mips);
   w32(b, 0); /* planeAspect */
}

/* lavapipe's create-info queries lay the image out as vkCreateImage does: llvmpipe writes one
 * entry a level into arrays of 15, and 0 mips became 255 levels (an 8-bit last level). They
 * get vkCreateImage's checks. (A supported image passes on to the host's limits, which need a
 * host driver: the e2e suites do that.) */
static void
device_image_requirements_checked(void **state)
{
   (void)state;
   const char *names[] = {"vkGetDeviceImageMemoryRequirements",
                          "vkGetDeviceImageSparseMemoryRequirements"};
   for (size_t n = 0; n < 2; n++) {
      for (uint32_t mips = 0; mips < 32; mips += 16) {
         struct buf b = {0};
         enc_device_image_requirements(&b, names[n], mips);
         if (n == 1) /* pSparseMemoryRequirementCount, pSparseMemoryRequirements */
            w64(&b, 1), w32(&b, 0), w64(&b, 0);
         else
            w64(&b, 1), w32(&b, VK_STRUCTURE_TYPE_MEMORY_REQUIREMENTS_2), w64(&b, 0);
         char want[300];
         snprintf(want, sizeof(want),
                  "refused: %s: format 37, type 1, 1x1x1, %u mips, 1 layers, 1 samples not "
                  "supported by the host",
                  names[n], mips);
         expect(fresh_context(), &b, want);
      }
   }
}

/* A box in a 2D image is one slice at z 0. lavapipe resolves into slice offset.z +
 * baseArrayLayer with the layer count as the depth: a resolve at z 1 of depth 0 (the box check
 * let it through) wrote a whole layer past the destination. A 1D image's box is one row at
 * y 0. */
static void
boxes_flat_in_2d(void **state)
{
   (void)state;
   const struct shape line = {VK_IMAGE_TYPE_1D, VK_FORMAT_R8G8B8A8_UNORM, {8, 1, 1}, 1, 0};
   const char *names[] = {"vkCmdResolveImage", "vkCmdCopyImage"};
   for (size_t n = 0; n < 2; n++) {
      struct buf b = {0};
      struct pv_context *ctx = fresh_context();
      add_image(ctx, SRC, color_2d), add_image(ctx, DST, color_2d);
      enc_region_to(&b, names[n], (VkOffset3D){0, 0, 1}, (VkExtent3D){8, 8, 0});
      char want[200];
      snprintf(want, sizeof(want), "refused: %s: box (0,0,0)+(8,8,0) is not flat in a 2D image",
               names[n]);
      expect(ctx, &b, want);

      b.n = 0;
      ctx = fresh_context();
      add_image(ctx, SRC, color_2d), add_image(ctx, DST, color_2d);
      enc_region_to(&b, names[n], (VkOffset3D){0, 0, 1}, (VkExtent3D){8, 8, 1});
      snprintf(want, sizeof(want), "refused: %s: box (0,0,1)+(8,8,1) is not flat in a 2D image",
               names[n]);
      expect(ctx, &b, want);

      b.n = 0;
      ctx = fresh_context();
      add_image(ctx, SRC, color_2d), add_image(ctx, DST, color_2d);
      enc_region_to(&b, names[n], (VkOffset3D){0, 0, 0}, (VkExtent3D){8, 8, 1});
      snprintf(want, sizeof(want), "host driver lacks %s", names[n]);
      expect(ctx, &b, want);
   }
   struct buf b = {0};
   struct pv_context *ctx = fresh_context();
   add_image(ctx, SRC, line), add_image(ctx, DST, line);
   enc_region_to(&b, "vkCmdCopyImage", (VkOffset3D){0, 0, 0}, (VkExtent3D){8, 2, 1});
   REFUSED(ctx, &b, "vkCmdCopyImage: box (0,0,0)+(8,2,1) is not flat in a 1D image");
}

/* vkCmdCopyImage of one layer between two 8x8 images, of the aspects given. */
static void
enc_copy_aspects(struct buf *b, VkImageAspectFlags src, VkImageAspectFlags dst)
{
   enc_copy(b, (struct side){src, 0, 1}, (struct side){dst, 0, 1}, (VkExtent3D){8, 8, 1});
}

/* Texel blocks of one size; depth/stencil only to its own format, or one aspect to a color
 * format of its size (maintenance8). Lavapipe 25's maintenance8 path wrote 4 bytes a texel
 * into an R8 image from a D32_SFLOAT_S8 depth aspect. */
static void
copy_formats_agree(void **state)
{
   (void)state;
   const VkImageAspectFlags C = VK_IMAGE_ASPECT_COLOR_BIT, D = VK_IMAGE_ASPECT_DEPTH_BIT,
                            S = VK_IMAGE_ASPECT_STENCIL_BIT;
   static const struct {
      VkFormat src, dst;
      VkImageAspectFlags sa, da;
      bool ok;
   } cases[] = {
      {VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R32_UINT, C, C, true},
      {VK_FORMAT_BC1_RGB_UNORM_BLOCK, VK_FORMAT_R32G32_UINT, C, C, true},
      {VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_R8_UNORM, C, C, false},
      {VK_FORMAT_D32_SFLOAT_S8_UINT, VK_FORMAT_R8_UNORM, D, C, false},
      {VK_FORMAT_R8_UNORM, VK_FORMAT_D32_SFLOAT_S8_UINT, C, D, false},
      {VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_R16_UNORM, D, C, false},
      {VK_FORMAT_D32_SFLOAT, VK_FORMAT_R32_SFLOAT, D, C, true},
      {VK_FORMAT_D32_SFLOAT_S8_UINT, VK_FORMAT_R8_UINT, S, C, true},
      {VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_D24_UNORM_S8_UINT, D | S, D | S, true},
      {VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_D32_SFLOAT_S8_UINT, D, D, false},
      {VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_D24_UNORM_S8_UINT, D, S, false},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct buf b = {0};
      struct pv_context *ctx = fresh_context();
      add_image(ctx, SRC, (struct shape){VK_IMAGE_TYPE_2D, cases[i].src, {8, 8, 1}, 1, 0});
      add_image(ctx, DST, (struct shape){VK_IMAGE_TYPE_2D, cases[i].dst, {8, 8, 1}, 1, 0});
      enc_copy_aspects(&b, cases[i].sa, cases[i].da);
      char want[200];
      if (cases[i].ok)
         snprintf(want, sizeof(want), "host driver lacks vkCmdCopyImage");
      else
         snprintf(want, sizeof(want),
                  "refused: vkCmdCopyImage: formats %d (aspect 0x%x) and %d (aspect 0x%x) "
                  "cannot copy to each other",
                  (int)cases[i].src, cases[i].sa, (int)cases[i].dst, cases[i].da);
      expect(ctx, &b, want);
   }
}

static void
enc_clear_color(struct buf *b, VkImageAspectFlags aspect)
{
   w32(b, cmd("vkCmdClearColorImage")), w32(b, 0), w64(b, CMDBUF), w64(b, SRC);
   w32(b, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   w64(b, 1), w32(b, 2), w64(b, 4), w32(b, 1), w32(b, 2), w32(b, 3), w32(b, 4); /* uint32 */
   w32(b, 1), w64(b, 1), w32(b, aspect), w32(b, 0), w32(b, 1), w32(b, 0), w32(b, 1);
}

static void
enc_clear_depth_stencil(struct buf *b, VkImageAspectFlags aspect)
{
   w32(b, cmd("vkCmdClearDepthStencilImage")), w32(b, 0), w64(b, CMDBUF), w64(b, SRC);
   w32(b, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL);
   w64(b, 1), w32(b, 0x3f800000), w32(b, 0); /* depth 1.0, stencil 0 */
   w32(b, 1), w64(b, 1), w32(b, aspect), w32(b, 0), w32(b, 1), w32(b, 0), w32(b, 1);
}

/* A color clear only of a plain color format (lavapipe called a NULL pack or unpack function
 * of BC and depth/stencil formats on its queue thread), a depth/stencil clear only of depth and
 * stencil aspects the format has (lavapipe filled a BC1 image as depth, past its end). */
static void
clears_of_their_formats(void **state)
{
   (void)state;
   static const struct {
      bool depth_stencil;
      VkFormat format;
      VkImageAspectFlags aspect;
      bool ok;
   } cases[] = {
      {false, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_ASPECT_COLOR_BIT, true},
      {false, VK_FORMAT_BC1_RGB_UNORM_BLOCK, VK_IMAGE_ASPECT_COLOR_BIT, false},
      {false, VK_FORMAT_D24_UNORM_S8_UINT, VK_IMAGE_ASPECT_COLOR_BIT, false},
      {false, VK_FORMAT_G8_B8R8_2PLANE_420_UNORM, VK_IMAGE_ASPECT_COLOR_BIT, false},
      {true, VK_FORMAT_D24_UNORM_S8_UINT, VK_IMAGE_ASPECT_DEPTH_BIT, true},
      {true, VK_FORMAT_D24_UNORM_S8_UINT, VK_IMAGE_ASPECT_DEPTH_BIT | VK_IMAGE_ASPECT_STENCIL_BIT,
       true},
      {true, VK_FORMAT_D16_UNORM, VK_IMAGE_ASPECT_STENCIL_BIT, false},
      {true, VK_FORMAT_D24_UNORM_S8_UINT, VK_IMAGE_ASPECT_COLOR_BIT, false},
      {true, VK_FORMAT_BC1_RGB_UNORM_BLOCK, VK_IMAGE_ASPECT_DEPTH_BIT, false},
      {true, VK_FORMAT_R8G8B8A8_UNORM, VK_IMAGE_ASPECT_COLOR_BIT, false},
   };
   for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      const char *name =
         cases[i].depth_stencil ? "vkCmdClearDepthStencilImage" : "vkCmdClearColorImage";
      struct buf b = {0};
      struct pv_context *ctx = fresh_context();
      add_image(ctx, SRC, (struct shape){VK_IMAGE_TYPE_2D, cases[i].format, {8, 8, 1}, 1, 0});
      if (cases[i].depth_stencil)
         enc_clear_depth_stencil(&b, cases[i].aspect);
      else
         enc_clear_color(&b, cases[i].aspect);
      char want[200];
      if (cases[i].ok)
         snprintf(want, sizeof(want), "host driver lacks %s", name);
      else
         snprintf(want, sizeof(want), "refused: %s: an image of format %d", name,
                  (int)cases[i].format);
      expect(ctx, &b, want);
   }
}

/* ----- buffer -> image rows past an int (guard_image_buffer.c) ------------------------------ */

/* What the host got: the regions of the last vkCmdCopyBufferToImage. */
static VkBufferImageCopy host_regions[8];
static uint32_t host_region_count;

static void VKAPI_CALL
host_copy_buffer_to_image(VkCommandBuffer cmd, VkBuffer buf, VkImage image, VkImageLayout layout,
                          uint32_t n, const VkBufferImageCopy *r)
{
   (void)cmd, (void)buf, (void)image, (void)layout;
   host_region_count = n;
   memcpy(host_regions, r, (n < 8 ? n : 8) * sizeof(*r));
}

/* A buffer of `size` bytes bound to live memory. */
static void
add_buffer(struct pv_context *ctx, uint64_t size)
{
   struct pv_object *m = add_object(ctx, VK_OBJECT_TYPE_DEVICE_MEMORY, MEM);
   struct pv_object *o = add_object(ctx, VK_OBJECT_TYPE_BUFFER, BUF);
   struct pv_vk_buffer *b = calloc(1, sizeof(*b));
   assert_non_null(b);
   *b = (struct pv_vk_buffer){.size = size, .bound = true, .memory = {m->id, m->serial}};
   o->data = b;
   o->free_data = pv_vk_state_free;
}

/* Copies `rows` rows of 4 RGBA8 texels with a row length of `row_length` texels into DST. */
static void
copy_rows(uint32_t row_length, uint32_t rows, bool host_splits)
{
   static struct pv_vk_dispatch vk = {.CmdCopyBufferToImage = host_copy_buffer_to_image};
   struct pv_context *ctx = fresh_context();
   pv_object_find(ctx, CMDBUF, VK_OBJECT_TYPE_COMMAND_BUFFER)->vk = &vk;
   add_buffer(ctx, UINT64_C(5) << 30);
   add_image(ctx, DST, (struct shape){VK_IMAGE_TYPE_2D, VK_FORMAT_R8G8B8A8_UINT, {4, 8, 1}, 1, 0});
   pd.copies_int_width = host_splits;
   struct buf b = {0};
   w32(&b, cmd("vkCmdCopyBufferToImage")), w32(&b, 0), w64(&b, CMDBUF), w64(&b, BUF), w64(&b, DST);
   w32(&b, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL), w32(&b, 1), w64(&b, 1);
   w64(&b, 4096), w32(&b, row_length), w32(&b, 0);
   enc_layers(&b, VK_IMAGE_ASPECT_COLOR_BIT, 0, 1), enc_xyz(&b, 0, 1, 0), enc_xyz(&b, 4, rows, 1);
   host_region_count = 0;
   pv_context_submit(ctx, b.b, b.n);
   assert_false(pv_context_is_lost(ctx));
   pv_context_destroy(ctx);
   pd.copies_int_width = false;
}

/* lavapipe steps a buffer-to-image region's rows by its pitch as an int: a pitch of 2^31 bytes
 * or more read the second row 4 GiB below the first. There such a region reaches the host a
 * block row a region (its slices kept by bufferImageHeight); elsewhere, or with a smaller
 * pitch, as it came. */
static void
buffer_rows_past_int(void **state)
{
   (void)state;
   const uint32_t wide = 0x20000400; /* texels: a pitch of 2^31 + 4096 bytes */
   copy_rows(wide, 2, true);
   assert_int_equal(host_region_count, 2);
   for (uint32_t k = 0; k < 2; k++) {
      assert_int_equal(host_regions[k].bufferOffset, 4096 + k * ((uint64_t)wide * 4));
      assert_int_equal(host_regions[k].bufferRowLength, wide);
      assert_int_equal(host_regions[k].bufferImageHeight, 2);
      assert_int_equal(host_regions[k].imageOffset.y, 1 + k);
      assert_int_equal(host_regions[k].imageExtent.height, 1);
      assert_int_equal(host_regions[k].imageExtent.width, 4);
   }
   copy_rows(wide, 2, false); /* another host */
   assert_int_equal(host_region_count, 1);
   assert_int_equal(host_regions[0].imageExtent.height, 2);
   copy_rows(1024, 3, true); /* a pitch that fits */
   assert_int_equal(host_region_count, 1);
   assert_int_equal(host_regions[0].imageExtent.height, 3);
}

int
main(void)
{
   pv_log_set_level(PV_LOG_ERROR);
   const struct CMUnitTest tests[] = {
      cmocka_unit_test(copy_slices_agree),
      cmocka_unit_test(copy_not_past_destination),
      cmocka_unit_test(copy_aspects_of_the_image),
      cmocka_unit_test(view_types_of_the_image),
      cmocka_unit_test(views_of_3d_slices),
      cmocka_unit_test(subresource_layout_inside),
      cmocka_unit_test(device_image_requirements_checked),
      cmocka_unit_test(boxes_flat_in_2d),
      cmocka_unit_test(copy_formats_agree),
      cmocka_unit_test(clears_of_their_formats),
      cmocka_unit_test(buffer_rows_past_int),
   };
   return cmocka_run_group_tests(tests, setup, teardown);
}
