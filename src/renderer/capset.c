/* SPDX-License-Identifier: MIT */
#include "renderer/capset.h"

#include <string.h>

void
pv_venus_capset_fill(struct pv_venus_capset *caps)
{
   memset(caps, 0, sizeof(*caps));
   /*
    * Wire format 0 is what Mesa 22.3.6 (Debian 12) requires. The protocol decoder is not part of
    * this build yet, so vk_xml_version stays 0: it tells the guest that no Vulkan version can be
    * decoded, and a guest refuses such a renderer right after the vtest handshake instead of
    * sending commands that nobody would execute.
    */
   caps->wire_format_version = 0;
   caps->vk_xml_version = 0;
   caps->vk_ext_command_serialization_spec_version = 0;
   caps->vk_mesa_venus_protocol_spec_version = 0;
   /* blob_id 0 resources are plain shared memory (pv_context_create_blob). */
   caps->supports_blob_id_0 = 1;
   /* Bit 0 makes the mask valid: an empty valid mask promises no extension at all. */
   caps->vk_extension_mask1[0] = 1u;
}
