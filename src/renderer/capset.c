/* SPDX-License-Identifier: MIT */
#include "renderer/capset.h"

#include <string.h>

void
pv_venus_capset_fill(struct pv_venus_capset *caps, const struct pv_protocol_table *table)
{
   memset(caps, 0, sizeof(*caps));
   /* Wire format 0 is what Mesa 22.3.6 (Debian 12) requires; the values below decide what the
    * guest puts on the wire, so they come from the tables our decoder was generated for. */
   caps->wire_format_version = 0;
   caps->vk_xml_version = table->vk_xml_version;
   caps->vk_ext_command_serialization_spec_version = 0;
   /* 100000 = the pre-release protocol: 22.3.6 then asks for the experimental features. */
   caps->vk_mesa_venus_protocol_spec_version = 100000;
   /* blob_id 0 resources are plain shared memory (pv_context_create_blob). */
   caps->supports_blob_id_0 = 1;
   /* Bit 0 makes the mask valid; then one bit per extension number the tables decode. */
   caps->vk_extension_mask1[0] = 1u;
   for (uint32_t i = 0; i < table->extension_count; i++) {
      uint32_t n = table->extensions[i].number;
      if (n < 32 * 32)
         caps->vk_extension_mask1[n / 32] |= 1u << (n % 32);
   }
   /* Blocking vkWaitForFences/vkWaitSemaphores run on the ring thread (they never stall the
    * transport thread), which enables the guest's fence feedback. */
   caps->allow_vk_wait_syncs = 1;
   caps->supports_multiple_timelines = 1;
}
