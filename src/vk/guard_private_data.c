/* SPDX-License-Identifier: MIT */
/*
 * vkSetPrivateData and vkGetPrivateData (guard.h) name their object by a bare 64-bit handle and
 * an object type, which the generated decoder leaves as the guest sent it. The host driver casts
 * that handle to its own object and reads and writes through it (Mesa's runtime: the object's
 * private-data array, grown on demand), so a guest value passed on would be a host address to
 * read or write. The guest's id is looked up as the type it names, must be the command's device
 * or an object of that device (VUID-vkSetPrivateData-objectHandle-04016) not being destroyed, and
 * is replaced by our host handle.
 */
#include "renderer/context.h"
#include "vk/guard.h"

static bool
host_object(struct pv_dispatch_ctx *c, const char *what, VkDevice device, VkObjectType type,
            uint64_t *handle)
{
   struct pv_vk_device *d = pv_vk_device_from_host(pv_venus_from(c), device);
   struct pv_object *o =
      d && type != VK_OBJECT_TYPE_UNKNOWN ? pv_venus_find(c, *handle, (int32_t)type) : NULL;
   bool of_device = o && (type == VK_OBJECT_TYPE_DEVICE ? o->host == (uint64_t)(uintptr_t)device
                                                        : o->vk == &d->vk);
   if (!of_device || atomic_load(&o->claimed)) {
      pv_venus_refuse(c, "%s: object 0x%llx of type %d is not an object of the device", what,
                      (unsigned long long)*handle, (int)type);
      return false;
   }
   *handle = o->host;
   return true;
}

void
pv_guard_SetPrivateData(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkSetPrivateData *a = args;
   if (host_object(c, "vkSetPrivateData", a->device, a->objectType, &a->objectHandle))
      pv_handle_vkSetPrivateData(c, args);
}

void
pv_guard_GetPrivateData(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkGetPrivateData *a = args;
   if (host_object(c, "vkGetPrivateData", a->device, a->objectType, &a->objectHandle))
      pv_handle_vkGetPrivateData(c, args);
}
