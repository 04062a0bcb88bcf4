/* SPDX-License-Identifier: MIT */
/*
 * pv-hostile: hostile values through the real Venus guest driver (pv_hostile.h says what a case
 * must see). Each case runs in a child process so that the guest driver aborting on the ring's
 * FATAL status (Mesa 25.0.7) or hanging on a dead server (Mesa 22.3.6 spins forever on EOF) is
 * observed and reported instead of ending or blocking the program.
 *
 *   pv-hostile list            the case names, one a line
 *   pv-hostile CASE [SECONDS]  runs one case (time limit default 30 s); prints one line
 *                              "pv-hostile: PASS: CASE: ..." (exit 0) or "...: FAIL: ..." (exit 1)
 */
#define _GNU_SOURCE
#include "pv_hostile.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

VkResult
pv_hostile_note(struct pv_hostile *h, const char *call, VkResult r)
{
   if (r == VK_SUCCESS)
      return r;
   printf("pv-hostile: %s: %s returned %s\n", h->name, call, pv_result_name(r));
   fflush(stdout);
   /* the first error, unless the loss comes later (an earlier error, e.g. a fence the guest
    * driver could not create in a lost context, is collateral) */
   if (h->err == VK_SUCCESS || r == VK_ERROR_DEVICE_LOST) {
      h->err = r;
      h->err_call = call;
   }
   /* told: nothing the case would do next can change the verdict (and its handles may be
    * VK_NULL_HANDLE now), only what the host did with the bytes so far */
   if (r == VK_ERROR_DEVICE_LOST && strcmp(h->name, "valid") != 0) {
      pv_hostile_check_canaries(h, "when the loss was reported");
      pv_hostile_verdict(h);
   }
   return r;
}

void
pv_hostile_verdict(struct pv_hostile *h)
{
   if (h->err == VK_ERROR_DEVICE_LOST) {
      pv_pass(&h->c, "%s: refused, context lost and told (%s returned VK_ERROR_DEVICE_LOST); "
                     "%u canary buffer(s) intact",
              h->name, h->err_call, h->ncanary);
      exit(0);
   }
   if (h->err == VK_SUCCESS && h->copy_dst) {
      const uint8_t *p = h->copy_dst->map;
      VkDeviceSize n = 0;
      for (VkDeviceSize o = 0; o < h->copy_dst->size; o++)
         n += p[o] == h->copied;
      if (n == h->copy_dst->size) {
         pv_pass(&h->c, "%s: the host kept the destroyed objects alive until their work ended "
                        "(the copy read the source's own bytes)",
                 h->name);
         exit(0);
      }
   }
   if (h->err == VK_SUCCESS)
      pv_fail("%s: accepted: every call succeeded, the hostile values were not refused (%s)",
              h->name, h->what);
   pv_fail("%s: no lost context: the first error was %s from %s", h->name,
           pv_result_name(h->err), h->err_call);
}

void
pv_hostile_buffer(struct pv_hostile *h, struct pv_buffer *b, VkDeviceSize size,
                  VkBufferUsageFlags usage, uint8_t byte)
{
   pv_buffer_create(&h->c, b, size, usage | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                        VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                    VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
   memset(b->map, byte, size);
}

void
pv_hostile_canary(struct pv_hostile *h, struct pv_buffer *b, VkDeviceSize size,
                  VkBufferUsageFlags usage)
{
   if (h->ncanary == PV_HOSTILE_MAX_CANARIES)
      pv_fail("%s: too many canaries", h->name);
   pv_hostile_buffer(h, b, size, usage, PV_HOSTILE_CANARY);
   h->canary[h->ncanary++] = b;
}

void
pv_hostile_neighbours(struct pv_hostile *h)
{
   /* static: they live until the process ends, like the case's other objects */
   static struct pv_buffer n[2];
   static unsigned used;
   if (used < 2)
      pv_hostile_canary(h, &n[used++], PV_HOSTILE_SIZE, 0);
}

void
pv_hostile_secret(struct pv_hostile *h)
{
   static struct pv_buffer n[4];
   static unsigned used;
   if (used < 4)
      pv_hostile_buffer(h, &n[used++], PV_HOSTILE_SIZE, 0, PV_HOSTILE_SECRET);
}

void
pv_hostile_check_canaries(struct pv_hostile *h, const char *when)
{
   for (unsigned i = 0; i < h->ncanary; i++) {
      const uint8_t *p = h->canary[i]->map;
      VkDeviceSize changed = 0, secret = 0, first = 0;
      for (VkDeviceSize o = 0; o < h->canary[i]->size; o++) {
         if (p[o] == PV_HOSTILE_CANARY)
            continue;
         if (!changed++)
            first = o;
         secret += p[o] == PV_HOSTILE_SECRET;
      }
      if (changed)
         pv_fail("%s: canary buffer %u (%llu bytes): %llu bytes changed %s, the first at byte "
                 "%llu (0x%02x), %llu of them bytes of allocations the guest never named "
                 "(0x%02x): the host ran the hostile command",
                 h->name, i, (unsigned long long)h->canary[i]->size,
                 (unsigned long long)changed, when, (unsigned long long)first, p[first],
                 (unsigned long long)secret, PV_HOSTILE_SECRET);
   }
   if (h->copy_dst) {
      const uint8_t *p = h->copy_dst->map;
      for (VkDeviceSize o = 0; o < h->copy_dst->size; o++) {
         if (p[o] != PV_HOSTILE_CANARY && p[o] != h->copied)
            pv_fail("%s: the copy's destination got byte 0x%02x at %llu %s, neither its own "
                    "(0x%02x) nor the source's (0x%02x): the host read freed memory",
                    h->name, p[o], (unsigned long long)o, when, PV_HOSTILE_CANARY, h->copied);
      }
   }
   printf("pv-hostile: %s: %u canary buffer(s) intact %s\n", h->name, h->ncanary, when);
   fflush(stdout);
}

void
pv_hostile_submit(struct pv_hostile *h, VkCommandBuffer cmd)
{
   PV_HOSTILE_NOTE(h, vkEndCommandBuffer(cmd));
   pv_hostile_submit_ended(h, cmd);
}

void
pv_hostile_submit_ended(struct pv_hostile *h, VkCommandBuffer cmd)
{
   VkFenceCreateInfo fci = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
   VkFence fence = VK_NULL_HANDLE;
   PV_HOSTILE_NOTE(h, vkCreateFence(h->c.device, &fci, NULL, &fence));
   const VkSubmitInfo si = {
      .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
      .commandBufferCount = 1,
      .pCommandBuffers = &cmd,
   };
   PV_HOSTILE_NOTE(h, vkQueueSubmit(h->c.queue, 1, &si, fence));
   if (fence)
      PV_HOSTILE_NOTE(h, vkWaitForFences(h->c.device, 1, &fence, VK_TRUE, 3000000000ull));
   /* before anything that may make the guest driver abort: the bytes as they are now */
   pv_hostile_check_canaries(h, "after the submission");
   pv_hostile_sync(h);
   if (fence)
      PV_HOSTILE_NOTE(h, vkGetFenceStatus(h->c.device, fence));
}

void
pv_hostile_sync(struct pv_hostile *h)
{
   PV_HOSTILE_NOTE(h, vkQueueWaitIdle(h->c.queue));
   PV_HOSTILE_NOTE(h, vkDeviceWaitIdle(h->c.device));
   pv_hostile_check_canaries(h, "after the device went idle");
}

VkImage
pv_hostile_image(struct pv_hostile *h, VkDeviceMemory *mem, uint32_t extent, uint32_t mips,
                 uint32_t layers, VkSampleCountFlagBits samples, VkImageUsageFlags usage)
{
   return pv_hostile_image_of(h, mem, VK_FORMAT_R8G8B8A8_UNORM, extent, mips, layers, samples,
                              usage);
}

VkImage
pv_hostile_image_of(struct pv_hostile *h, VkDeviceMemory *mem, VkFormat format, uint32_t extent,
                    uint32_t mips, uint32_t layers, VkSampleCountFlagBits samples,
                    VkImageUsageFlags usage)
{
   const VkImageCreateInfo ici = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
      .imageType = VK_IMAGE_TYPE_2D,
      .format = format,
      .extent = {extent, extent, 1},
      .mipLevels = mips,
      .arrayLayers = layers,
      .samples = samples,
      .tiling = VK_IMAGE_TILING_OPTIMAL,
      .usage = usage | VK_IMAGE_USAGE_TRANSFER_SRC_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
      .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
      .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
   };
   return pv_image_create(&h->c, &ici, mem);
}

void
pv_hostile_to_layout(VkCommandBuffer cmd, VkImage image, uint32_t mips, uint32_t layers,
                     VkImageLayout from, VkImageLayout to)
{
   const VkImageMemoryBarrier b = {
      .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
      .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
      .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
      .oldLayout = from,
      .newLayout = to,
      .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
      .image = image,
      .subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, mips, 0, layers},
   };
   vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
                        VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0, NULL, 1, &b);
}

static const struct pv_hostile_case *
find_case(const char *name)
{
   for (unsigned i = 0; i < pv_hostile_case_count; i++) {
      if (strcmp(pv_hostile_cases[i].name, name) == 0)
         return &pv_hostile_cases[i];
   }
   return NULL;
}

/* In the child: the case, then its verdict (the `valid` case prints its own). */
static void
run_child(const struct pv_hostile_case *k)
{
   static struct pv_hostile h;
   h.name = k->name;
   h.what = k->what;
   /* Mesa 25.0.7 keeps query results in guest memory ("query feedback") and applies a query
    * range to that buffer itself first, so a range past the pool crashes the guest before the
    * host sees it; without feedback it forwards the call as the application made it. (22.3.6
    * has no such option and ignores it.) */
   if (strncmp(k->name, "query-", 6) == 0)
      setenv("VN_PERF", "no_query_feedback", 0);
   /* Fence feedback makes the guest add a command buffer of the fence's device to the
    * submission, which is refused first: without it the fence itself reaches the check. */
   if (strcmp(k->name, "other-device-fence") == 0)
      setenv("VN_PERF", "no_fence_feedback", 0);
   /* the cond-* cases: VK_EXT_conditional_rendering and its feature (both guests offer it on
    * lavapipe; pv_init enables the extension only where the device has it) */
   bool cond = strncmp(k->name, "cond-", 5) == 0;
   VkPhysicalDeviceConditionalRenderingFeaturesEXT fcond = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_CONDITIONAL_RENDERING_FEATURES_EXT,
      .conditionalRendering = VK_TRUE,
   };
   /* `valid` reads a pipeline statistics query (its feature: every device here has it) */
   bool valid = strcmp(k->name, "valid") == 0;
   VkPhysicalDeviceFeatures2 fcore = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
      .pNext = cond ? &fcond : NULL,
      .features.pipelineStatisticsQuery = VK_TRUE,
   };
   VkPhysicalDeviceVulkan12Features f12 = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
      .pNext = valid  ? (void *)&fcore
               : cond ? (void *)&fcond
                      : NULL,
      .hostQueryReset = k->needs_host_query_reset,
   };
   /* the push-* cases push descriptors; setter-without-feature enables the newest
    * extended_dynamic_state the guest offers, and none of its features */
   const char *optional = cond ? VK_EXT_CONDITIONAL_RENDERING_EXTENSION_NAME : NULL;
   if (strncmp(k->name, "push-", 5) == 0)
      optional = VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME;
   bool setter = strcmp(k->name, "setter-without-feature") == 0;
   if (setter)
      optional = VK_EXT_EXTENDED_DYNAMIC_STATE_3_EXTENSION_NAME;
   /* mutable-unlisted: the extension and its feature where the device offers them */
   VkPhysicalDeviceMutableDescriptorTypeFeaturesEXT fmut = {
      .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MUTABLE_DESCRIPTOR_TYPE_FEATURES_EXT,
      .mutableDescriptorType = VK_TRUE,
   };
   bool mutable = strcmp(k->name, "mutable-unlisted") == 0;
   if (mutable)
      optional = VK_EXT_MUTABLE_DESCRIPTOR_TYPE_EXTENSION_NAME;
   const struct pv_init_options opts = {
      .device_pnext = &f12,
      .min_api_version = VK_API_VERSION_1_2,
      .optional_extension = optional,
      .optional_fallback = setter    ? VK_EXT_EXTENDED_DYNAMIC_STATE_2_EXTENSION_NAME
                           : mutable ? VK_VALVE_MUTABLE_DESCRIPTOR_TYPE_EXTENSION_NAME
                                     : NULL,
      .optional_pnext = mutable ? (VkBaseOutStructure *)&fmut : NULL};
   pv_init(&h.c, "pv-hostile", &opts);
   k->run(&h);
   if (valid)
      exit(0);
   pv_hostile_verdict(&h);
}

/* Copies the child's stderr to ours until it closes or the deadline passes; remembers whether
 * the guest driver said it aborts on the ring's FATAL status. */
static bool
pump_stderr(int fd, double deadline, bool *fatal)
{
   char buf[4096], tail[8192] = "";
   size_t tlen = 0;
   for (;;) {
      struct timespec now;
      clock_gettime(CLOCK_MONOTONIC, &now);
      double left = deadline - (now.tv_sec + now.tv_nsec / 1e9);
      if (left <= 0)
         return false;
      struct pollfd p = {.fd = fd, .events = POLLIN};
      int n = poll(&p, 1, (int)(left * 1000) + 1);
      if (n < 0 && errno == EINTR)
         continue;
      if (n <= 0)
         continue;
      ssize_t r = read(fd, buf, sizeof(buf));
      if (r < 0 && errno == EINTR)
         continue;
      if (r <= 0)
         return true;
      fwrite(buf, 1, (size_t)r, stderr);
      /* keep the recent text to look for the message across read boundaries */
      if (tlen + (size_t)r >= sizeof(tail)) {
         tlen = 0;
      }
      memcpy(tail + tlen, buf, (size_t)r);
      tlen += (size_t)r;
      tail[tlen] = '\0';
      if (strcasestr(tail, "fatal"))
         *fatal = true;
   }
}

static int
run_case(const struct pv_hostile_case *k, unsigned seconds)
{
   int pipefd[2];
   if (pipe(pipefd))
      pv_fail("pipe: %s", strerror(errno));
   fflush(stdout);
   pid_t pid = fork();
   if (pid < 0)
      pv_fail("fork: %s", strerror(errno));
   if (pid == 0) {
      close(pipefd[0]);
      dup2(pipefd[1], 2);
      close(pipefd[1]);
      setvbuf(stdout, NULL, _IOLBF, 0);
      run_child(k);
      exit(0);
   }
   close(pipefd[1]);
   struct timespec t0;
   clock_gettime(CLOCK_MONOTONIC, &t0);
   bool fatal = false;
   bool closed = pump_stderr(pipefd[0], t0.tv_sec + t0.tv_nsec / 1e9 + seconds, &fatal);
   close(pipefd[0]);
   int status = 0;
   if (!closed) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      pv_fail("%s: hung: no answer within %u s (the guest was never told)", k->name, seconds);
   }
   waitpid(pid, &status, 0);
   if (WIFEXITED(status))
      return WEXITSTATUS(status);
   int sig = WTERMSIG(status);
   if (sig == SIGABRT && fatal) {
      printf("pv-hostile: PASS: %s: refused, context lost and told (the guest driver aborted on "
             "the ring's FATAL status)\n",
             k->name);
      return 0;
   }
   pv_fail("%s: the guest process died from signal %d%s", k->name, sig,
           sig == SIGABRT ? " without a ring FATAL message" : "");
}

int
main(int argc, char **argv)
{
   pv_set_program("pv-hostile");
   if (argc < 2) {
      fprintf(stderr, "usage: %s list | CASE [SECONDS]\n", argv[0]);
      return 2;
   }
   if (strcmp(argv[1], "list") == 0) {
      for (unsigned i = 0; i < pv_hostile_case_count; i++)
         printf("%s\n", pv_hostile_cases[i].name);
      return 0;
   }
   const struct pv_hostile_case *k = find_case(argv[1]);
   if (!k) {
      fprintf(stderr, "pv-hostile: unknown case '%s' (pv-hostile list)\n", argv[1]);
      return 2;
   }
   unsigned seconds = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 30;
   return run_case(k, seconds ? seconds : 30);
}
