/* SPDX-License-Identifier: MIT */
/*
 * virgl_renderer_execute: typed requests from the VMM, each a virgl_renderer_hdr followed by its
 * members. virglrenderer 1.1.1 knows two, both version 0: SUPPORTED_STRUCTURES (which types the
 * library knows) and EXPORT_QUERY (how a resource would be shared as an image; libkrun's
 * rutabaga asks for every blob it creates). Anything else is refused with -EINVAL, as there.
 *
 * The VMM's struct is copied in and out with memcpy: nothing is assumed about its alignment,
 * and a size the header or the caller gets wrong is refused before a member past the header is
 * read.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "virgl/frontend.h"

#define PV_EXECUTE_TYPES_V0                                                                        \
   (VIRGL_RENDERER_STRUCTURE_TYPE_EXPORT_QUERY | VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES)

static int
supported_structures(void *args, uint32_t size)
{
   struct virgl_renderer_supported_structures q;
   if (size != sizeof(q))
      return -EINVAL;
   memcpy(&q, args, sizeof(q));
   if (q.hdr.size != sizeof(q))
      return -EINVAL;
   q.out_supported_structures_mask = q.in_stype_version == 0 ? PV_EXECUTE_TYPES_V0 : 0;
   memcpy(args, &q, sizeof(q));
   return 0;
}

/*
 * Every resource here is a blob without an image layout (HOST3D memory of a Venus context, or an
 * imported fd): asked only to describe it, the answer is one plane of unknown format and no
 * modifier, as virglrenderer answers for its untyped blobs; the fd itself comes from
 * virgl_renderer_resource_export_blob, so a query that asks for fds is refused, as there.
 */
static int
export_query(void *args, uint32_t size)
{
   struct virgl_renderer_export_query q;
   if (size != sizeof(q))
      return -EINVAL;
   memcpy(&q, args, sizeof(q));
   if (q.hdr.size != sizeof(q) || !vg_resource_exists(q.in_resource_id) || q.in_export_fds)
      return -EINVAL;
   q.out_num_fds = 1;
   q.out_fourcc = 0;
   q.out_fds[0] = -1;
   q.out_strides[0] = 0;
   q.out_offsets[0] = 0;
   q.out_modifier = PV_DRM_FORMAT_MOD_INVALID;
   memcpy(args, &q, sizeof(q));
   return 0;
}

int
virgl_renderer_execute(void *execute_args, uint32_t execute_size)
{
   struct virgl_renderer_hdr hdr;
   if (!execute_args || execute_size < sizeof(hdr))
      return -EINVAL;
   memcpy(&hdr, execute_args, sizeof(hdr));
   if (hdr.stype_version != 0)
      return -EINVAL;
   switch (hdr.stype) {
   case VIRGL_RENDERER_STRUCTURE_TYPE_SUPPORTED_STRUCTURES:
      return supported_structures(execute_args, execute_size);
   case VIRGL_RENDERER_STRUCTURE_TYPE_EXPORT_QUERY:
      return export_query(execute_args, execute_size);
   default:
      return -EINVAL;
   }
}
