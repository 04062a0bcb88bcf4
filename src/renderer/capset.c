/* SPDX-License-Identifier: MIT */
#include "renderer/capset.h"

#include <string.h>

/* Spec version of extension `name` in the dialect's table, or 0 when it has none. */
static uint32_t
table_spec_version(const struct pv_protocol_table *table, const char *name)
{
   const struct pv_protocol_extension *e = pv_protocol_extension_find(table, name);
   return e ? e->spec_version : 0;
}

void
pv_venus_capset_fill(struct pv_venus_capset *caps, const struct pv_protocol_table *table,
                     uint32_t wire_format)
{
   memset(caps, 0, sizeof(*caps));
   /* The values below decide what the guest puts on the wire, so they come from the tables our
    * decoder was generated for (venus-wire.md §6.1, §8). */
   caps->wire_format_version = wire_format;
   caps->vk_xml_version = table->vk_xml_version;
   if (wire_format == 0) {
      /* Mesa 22.3.6 (Debian 12): 100000 = the pre-release protocol, after which the guest asks
       * for the experimental features. */
      caps->vk_ext_command_serialization_spec_version = 0;
      caps->vk_mesa_venus_protocol_spec_version = 100000;
   } else {
      /* Released protocol: spec >= 2 makes the guest chain VkRingPriorityInfoMESA into ring
       * creation, which we decode; higher versions add commands the table would have to know. */
      caps->vk_ext_command_serialization_spec_version =
         table_spec_version(table, "VK_EXT_command_serialization");
      caps->vk_mesa_venus_protocol_spec_version =
         table_spec_version(table, "VK_MESA_venus_protocol");
   }
   /* blob_id 0 resources are plain shared memory (pv_context_create_blob); Mesa 25 asserts it. */
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
   /* Queue timelines: SUBMIT_CMD2 ring_idx > 0 retires with the bound queue (timeline.c). */
   caps->supports_multiple_timelines = 1;
}
