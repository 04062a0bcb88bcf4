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
enum { CMDBUF = 0x100, DEVICE = 0x600, SRC = 0x700, DST = 0x701, VIEW = 0x800 };

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

/* vkCmdCopyImage SRC -> DST of one region of one layer, from the origin to `to`. */
static void
enc_copy_to(struct buf *b, VkOffset3D to, VkExtent3D e)
{
   w32(b, cmd("vkCmdCopyImage")), w32(b, 0), w64(b, CMDBUF);
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
   enc_copy_to(&b, (VkOffset3D){0, 0, 2}, (VkExtent3D){8, 8, 3});
   REFUSED(ctx, &b, "vkCmdCopyImage: box (0,0,2)+(8,8,3) outside mip 0 (8x8x4)");

   b.n = 0;
   ctx = fresh_context();
   add_image(ctx, SRC, vol), add_image(ctx, DST, vol);
   enc_copy_to(&b, (VkOffset3D){6, 0, 0}, (VkExtent3D){4, 8, 1});
   REFUSED(ctx, &b, "vkCmdCopyImage: box (6,0,0)+(4,8,1) outside mip 0 (8x8x4)");

   /* one 8-byte texel into the last BC1 block of a 6x6 image: 4x4 texels, 2 past the edge */
   b.n = 0;
   ctx = fresh_context();
   add_image(ctx, SRC, words), add_image(ctx, DST, bc1);
   enc_copy_to(&b, (VkOffset3D){4, 4, 0}, (VkExtent3D){1, 1, 1});
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
   };
   return cmocka_run_group_tests(tests, setup, teardown);
}
