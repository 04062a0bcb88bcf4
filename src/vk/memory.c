/* SPDX-License-Identifier: MIT */
/*
 * VkDeviceMemory family. The guest maps every HOST_VISIBLE allocation through a blob fd with
 * mmap(fd, 0, size) and never flushes (venus-wire.md 5.2), so such memory must be one coherent
 * memory the guest process can map. We allocate it ourselves: a page-rounded memfd, mapped here
 * and imported into the host driver with VK_EXT_external_memory_host; the blob export hands out
 * a dup of the same memfd (DESIGN.md decision 3). This works on lavapipe, whose own exports
 * cannot be mapped at offset 0, and on any host driver with that extension.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "renderer/capture.h"
#include "util/log.h"
#include "util/os.h"
#include "vk/lifetime.h"
#include "vk/pv_vk.h"

/* Host-visible memory from this size on asks for huge pages (pv_os_advise_huge_pages). */
#define PV_VK_HUGE_MIN ((uint64_t)2 << 20)

void
pv_vk_memory_free_data(struct pv_context *ctx, struct pv_object *obj)
{
   (void)ctx;
   struct pv_vk_memory *m = obj->data;
   if (m) {
      if (ctx && m->charged)
         pv_venus_uncharge(ctx, PV_QUOTA_DEVICE_MEMORY, m->charged);
      if (ctx && m->fd_charged)
         pv_venus_uncharge(ctx, PV_QUOTA_FDS, 1);
      if (ctx && m->map && obj->id) /* before the munmap below; the id may name new memory */
         pv_capture_memory_unmapped(ctx, obj->id, m->map);
      /* runs after the host vkFreeMemory: the driver no longer uses the mapping */
      if (m->map)
         munmap(m->map, m->size);
      if (m->fd >= 0)
         close(m->fd);
      free(m);
   }
   obj->data = NULL;
}

void
pv_vk_memory_forget(struct pv_context *ctx, const struct pv_object *obj)
{
   const struct pv_vk_memory *m = obj->data;
   if (m && m->map)
      pv_capture_memory_unmapped(ctx, obj->id, m->map);
}

/* ----- the pNext chain -------------------------------------------------------------------- */

struct chain_scan {
   bool resource_import; /* VkImportMemoryResourceInfoMESA: a virtio-gpu resource */
   bool fd_import;       /* VkImportMemoryFdInfoKHR: an fd number of the guest's process */
};

static void
scan_chain(const void *pnext, struct chain_scan *s)
{
   for (const VkBaseInStructure *p = pnext; p; p = p->pNext) {
      if ((int32_t)p->sType == PV_STYPE_IMPORT_MEMORY_RESOURCE_INFO_MESA)
         s->resource_import = true;
      else if (p->sType == VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR)
         s->fd_import = true;
   }
}

/* Does the host-pointer import keep this chain member? Export requests and dedicated
 * allocations are invalid together with a host-pointer import (VUID 02806), an opaque capture
 * address must be zero there (03332); the memfd is what makes this memory shareable anyway. */
static bool
keep_for_host_pointer(VkStructureType stype)
{
   switch (stype) {
   case VK_STRUCTURE_TYPE_EXPORT_MEMORY_ALLOCATE_INFO:
   case VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO:
   case VK_STRUCTURE_TYPE_MEMORY_OPAQUE_CAPTURE_ADDRESS_ALLOCATE_INFO:
      return false;
   default:
      return true;
   }
}

/* Relinks the decoded chain (arena memory, ours for this command) without the members the
 * host must not see, and puts `head` in front. */
static const void *
relink_chain(const void *pnext, VkBaseOutStructure *head)
{
   VkBaseOutStructure *tail = head;
   for (VkBaseOutStructure *p = (VkBaseOutStructure *)pnext; p;) {
      VkBaseOutStructure *next = p->pNext;
      if (keep_for_host_pointer(p->sType)) {
         tail->pNext = p;
         tail = p;
      }
      p = next;
   }
   tail->pNext = NULL;
   return head;
}

/* ----- allocation ------------------------------------------------------------------------- */

static bool
is_host_visible(const struct pv_vk_physdev *pd, uint32_t type)
{
   return (pd->mem.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0;
}

struct pv_vk_memory *
pv_vk_memory_shm(uint64_t size, uint64_t align)
{
   long page = sysconf(_SC_PAGESIZE);
   if (align < 4096)
      align = 4096;
   if (page > 0 && (uint64_t)page > align)
      align = (uint64_t)page;
   if (size == 0 || size > UINT64_MAX - align || size + align - 1 > (uint64_t)SIZE_MAX)
      return NULL;
   uint64_t rounded = (size + align - 1) & ~(align - 1);
   struct pv_vk_memory *m = calloc(1, sizeof(*m));
   if (!m)
      return NULL;
   m->size = rounded;
   m->fd = pv_os_create_shm("pearvisor-devmem", rounded);
   if (m->fd >= 0)
      m->map = mmap(NULL, rounded, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
   /* Before the host driver's import faults the pages in: they are allocated huge then. */
   if (m->map != MAP_FAILED && m->map && rounded >= PV_VK_HUGE_MIN)
      pv_os_advise_huge_pages(m->map, rounded);
   if (m->fd < 0 || m->map == MAP_FAILED) {
      if (m->map == MAP_FAILED)
         m->map = NULL;
      struct pv_object tmp = {.data = m};
      pv_vk_memory_free_data(NULL, &tmp);
      return NULL;
   }
   return m;
}

/* A mapped memfd of at least `size` bytes whose mapping the device can import as memory type
 * `type`; NULL when that is not possible (then the allocation is not exportable). */
static struct pv_vk_memory *
memfd_backing(struct pv_vk_device *d, uint64_t size, uint32_t type)
{
   struct pv_vk_memory *m = pv_vk_memory_shm(size, d->host_ptr_align);
   if (!m)
      return NULL;
   VkMemoryHostPointerPropertiesEXT props = {
      .sType = VK_STRUCTURE_TYPE_MEMORY_HOST_POINTER_PROPERTIES_EXT};
   if (d->GetMemoryHostPointerPropertiesEXT(d->host,
                                            VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
                                            m->map, &props) != VK_SUCCESS ||
       !(props.memoryTypeBits & (1u << type))) {
      struct pv_object tmp = {.data = m};
      pv_vk_memory_free_data(NULL, &tmp);
      return NULL;
   }
   return m;
}

/* Allocates with the guest's info, backed by `m` when given. */
static VkResult
host_allocate(struct pv_vk_device *d, const VkMemoryAllocateInfo *guest, struct pv_vk_memory *m,
              VkDeviceMemory *out)
{
   if (!m)
      return d->AllocateMemory(d->host, guest, NULL, out);
   VkImportMemoryHostPointerInfoEXT import = {
      .sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_HOST_POINTER_INFO_EXT,
      .handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_HOST_ALLOCATION_BIT_EXT,
      .pHostPointer = m->map,
   };
   VkMemoryAllocateInfo info = *guest;
   info.allocationSize = m->size; /* a multiple of the import alignment (VUID 01745) */
   info.pNext = relink_chain(guest->pNext, (VkBaseOutStructure *)&import);
   return d->AllocateMemory(d->host, &info, NULL, out);
}

void
pv_vk_handle_AllocateMemory(struct pv_dispatch_ctx *c, void *args)
{
   struct pv_args_vkAllocateMemory *a = args;
   struct pv_context *ctx = pv_venus_from(c);
   struct pv_vk_device *d = pv_vk_device_from_host(ctx, a->device);
   const VkMemoryAllocateInfo *info = a->pAllocateInfo;
   if (!d || !info || !a->pMemory || PV_FROM_HANDLE(*a->pMemory) == 0) {
      pv_venus_fatal(c, "vkAllocateMemory: missing device, allocate info or id");
      return;
   }
   uint64_t id = PV_FROM_HANDLE(*a->pMemory);
   struct chain_scan scan = {0};
   scan_chain(info->pNext, &scan);
   if (scan.resource_import || scan.fd_import) {
      /* no virtio-gpu resources on vtest; guest fd numbers mean nothing here */
      a->ret = VK_ERROR_INVALID_EXTERNAL_HANDLE;
      return;
   }
   if (info->memoryTypeIndex >= d->pd->mem.memoryTypeCount) {
      a->ret = VK_ERROR_OUT_OF_DEVICE_MEMORY; /* invalid usage the host need not survive */
      return;
   }
   /* no larger than its heap (VUID-vkAllocateMemory-pAllocateInfo-01713): lavapipe's heap is
    * 2 GiB, and buffers past 2^31 bytes are where its 32-bit shader addressing wraps (a texel
    * view or storage descriptor of a 2 GiB + 1 MiB buffer reached 2 GiB before it) */
   uint32_t heap = d->pd->mem.memoryTypes[info->memoryTypeIndex].heapIndex;
   if (heap >= d->pd->mem.memoryHeapCount ||
       info->allocationSize > d->pd->mem.memoryHeaps[heap].size) {
      a->ret = VK_ERROR_OUT_OF_DEVICE_MEMORY;
      return;
   }
   if (!pv_vk_charge(ctx, d, PV_QUOTA_DEVICE_MEMORY, info->allocationSize)) {
      a->ret = VK_ERROR_OUT_OF_DEVICE_MEMORY;
      return;
   }
   struct pv_vk_memory *m = NULL;
   if (d->memory_host && is_host_visible(d->pd, info->memoryTypeIndex)) {
      /* The memfd stays open for the blob export: one fd of the context's fd quota. */
      if (!pv_vk_charge(ctx, d, PV_QUOTA_FDS, 1)) {
         pv_venus_uncharge(ctx, PV_QUOTA_DEVICE_MEMORY, info->allocationSize);
         a->ret = VK_ERROR_OUT_OF_DEVICE_MEMORY;
         return;
      }
      m = memfd_backing(d, info->allocationSize, info->memoryTypeIndex);
      if (m) {
         m->fd_charged = true;
      } else {
         pv_venus_uncharge(ctx, PV_QUOTA_FDS, 1);
         pv_warn_limited("vkAllocateMemory: no importable memfd for %llu bytes of type %u; the "
                         "guest will not be able to map it",
                         (unsigned long long)info->allocationSize, info->memoryTypeIndex);
      }
   }
   VkDeviceMemory host = VK_NULL_HANDLE;
   a->ret = host_allocate(d, info, m, &host);
   if (a->ret >= 0 && !m) {
      /* not memfd-backed: still needs state to give the quota back */
      m = calloc(1, sizeof(*m));
      if (m) {
         m->fd = -1;
      } else {
         d->FreeMemory(d->host, host, NULL);
         a->ret = VK_ERROR_OUT_OF_HOST_MEMORY;
      }
   }
   if (a->ret < 0) {
      struct pv_object tmp = {.data = m};
      pv_vk_memory_free_data(ctx, &tmp);
      pv_venus_uncharge(ctx, PV_QUOTA_DEVICE_MEMORY, info->allocationSize);
      return;
   }
   struct pv_object *obj =
      pv_object_add(ctx, VK_OBJECT_TYPE_DEVICE_MEMORY, id, PV_FROM_HANDLE(host), d->id);
   if (!obj) {
      d->FreeMemory(d->host, host, NULL);
      struct pv_object tmp = {.data = m};
      pv_vk_memory_free_data(ctx, &tmp);
      pv_venus_uncharge(ctx, PV_QUOTA_DEVICE_MEMORY, info->allocationSize);
      pv_venus_fatal(c, "vkAllocateMemory: id 0x%llx already in use", (unsigned long long)id);
      return;
   }
   m->charged = info->allocationSize;
   m->alloc_size = info->allocationSize;
   obj->data = m;
   obj->free_data = pv_vk_memory_free_data;
   /* A recorded or replayed context tracks what the guest shares through this mapping. */
   pv_capture_memory_mapped(ctx, id, m->map, m->size);
   /* *a->pMemory still holds the guest id: the reply echoes it */
}

/* ----- blob export ------------------------------------------------------------------------ */

int
pv_vk_memory_export_blob(struct pv_context *ctx, uint64_t memory_id, uint64_t size, uint32_t flags,
                         struct pv_blob *out)
{
   struct pv_object *obj = pv_object_find(ctx, memory_id, VK_OBJECT_TYPE_DEVICE_MEMORY);
   if (!obj)
      return -ENOENT;
   struct pv_vk_memory *m = obj->data;
   /* Only memfd-backed (host-visible) memory has an fd to give; a memfd is not a dma-buf, so
    * it cannot cross devices. */
   if (!m || m->fd < 0 || (flags & PV_BLOB_FLAG_CROSS_DEVICE))
      return -EINVAL;
   if (size == 0 || size > m->size || m->exported)
      return -EINVAL;
   int fd = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
   if (fd < 0)
      return -errno;
   m->exported = true; /* one export per VkDeviceMemory, as with the reference */
   out->fd = fd;
   out->fd_type = PV_BLOB_FD_SHM;
   out->size = size;
   return 0;
}
