/* SPDX-License-Identifier: MIT */
/* The `pearvisor-gpu` command: serve (the vtest server) and info. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pearvisor/pearvisor.h"
#include "protocol/pv_protocol_stats.h"
#include "renderer/renderer.h"
#include "util/log.h"
#include "vtest/vtest_protocol.h"
#include "vtest/vtest_server.h"

static void
usage(FILE *f)
{
   fprintf(f,
           "usage: pearvisor-gpu <command> [options]\n"
           "\n"
           "commands:\n"
           "  serve     serve Venus guests on a vtest socket\n"
           "  info      print what this build of the renderer offers\n"
           "  protocol --stats  per wire dialect: commands, decodable, with a handler\n"
           "\n"
           "serve options:\n"
           "  --socket PATH      socket to listen on (default %s)\n"
           "  --icd PATH         host Vulkan ICD manifest (default: what the Vulkan loader finds)\n"
           "  --validate         enable the Khronos validation layer on the host calls\n"
           "  --threads          serve clients in threads instead of processes (debugging)\n"
           "  --once             serve one client, then exit\n"
           "  --log-level LEVEL  error, warn, info (default) or debug\n"
           "per-client quotas (K, M, G suffixes; exceeding one fails the guest's call, never\n"
           "the host):\n"
           "  --max-device-memory BYTES  VkDeviceMemory (default %llu MiB)\n"
           "  --max-blob-bytes BYTES     shared-memory blobs (default %llu MiB)\n"
           "  --max-objects N            live Vulkan objects (default %llu)\n",
           VTEST_DEFAULT_SOCKET, PV_DEFAULT_MAX_DEVICE_MEMORY >> 20,
           PV_DEFAULT_MAX_BLOB_BYTES >> 20, PV_DEFAULT_MAX_OBJECTS);
}

/* "64M" -> 64 << 20; false on garbage, 0 or overflow. */
static bool
parse_size(const char *text, uint64_t *out)
{
   char *end;
   errno = 0;
   unsigned long long v = strtoull(text, &end, 10);
   unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
   if (shift)
      end++;
   if (errno || end == text || *end || v == 0 || v > (UINT64_MAX >> shift))
      return false;
   *out = (uint64_t)v << shift;
   return true;
}

static bool
parse_quota(const char *a, const char *value, struct pv_renderer_config *r)
{
   uint64_t *dst = !strcmp(a, "--max-device-memory") ? &r->max_device_memory
                   : !strcmp(a, "--max-blob-bytes")  ? &r->max_blob_bytes
                   : !strcmp(a, "--max-objects")     ? &r->max_objects
                                                     : NULL;
   return dst && value && parse_size(value, dst);
}

static int
parse_serve_options(int argc, char **argv, struct vtest_server_options *o)
{
   for (int i = 0; i < argc; i++) {
      const char *a = argv[i];
      const char *next = i + 1 < argc ? argv[i + 1] : NULL;
      if (!strcmp(a, "--socket") && next) {
         o->socket_path = argv[++i];
      } else if (!strcmp(a, "--icd") && next) {
         o->renderer.host_icd = argv[++i];
      } else if (!strncmp(a, "--max-", 6)) {
         if (!parse_quota(a, next, &o->renderer)) {
            fprintf(stderr, "bad or missing value for %s\n", a);
            return -1;
         }
         i++;
      } else if (!strcmp(a, "--validate")) {
         o->renderer.validate = true;
      } else if (!strcmp(a, "--threads")) {
         o->use_threads = true;
      } else if (!strcmp(a, "--once")) {
         o->single_client = true;
      } else if (!strcmp(a, "--log-level") && next) {
         int level = pv_log_level_from_name(argv[++i]);
         if (level < 0) {
            fprintf(stderr, "unknown log level '%s'\n", argv[i]);
            return -1;
         }
         pv_log_set_level((enum pv_log_level)level);
      } else {
         fprintf(stderr, "unknown or incomplete option '%s'\n", a);
         return -1;
      }
   }
   return 0;
}

static const char *
describe(const struct pv_renderer_config *config)
{
   static char line[512];
   struct pv_renderer *r = pv_renderer_create(config);
   snprintf(line, sizeof(line), "%s", r ? pv_renderer_describe(r) : "renderer unavailable");
   pv_renderer_destroy(r);
   return line;
}

static int
cmd_serve(int argc, char **argv)
{
   struct vtest_server_options o = {.socket_path = VTEST_DEFAULT_SOCKET};
   if (parse_serve_options(argc, argv, &o)) {
      usage(stderr);
      return 2;
   }
   if (o.renderer.host_icd) {
      /* Both names: VK_DRIVER_FILES for current loaders, VK_ICD_FILENAMES for older ones. */
      setenv("VK_DRIVER_FILES", o.renderer.host_icd, 1);
      setenv("VK_ICD_FILENAMES", o.renderer.host_icd, 1);
   }
   printf("PearVisor GPU: serving Venus guests on vtest socket %s\n", o.socket_path);
   printf("  renderer: %s\n", describe(&o.renderer));
   printf("  host driver: %s\n", o.renderer.host_icd ? o.renderer.host_icd
                                                      : "Vulkan loader default");
   printf("Point a Venus guest at it, e.g. with a Mesa Venus ICD built by `make check`:\n"
          "  VK_ICD_FILENAMES=build/guest/mesa-22.3.6/icd.json VN_DEBUG=vtest vulkaninfo --summary\n"
          "  (Mesa 22.3.6 always connects to %s; newer Mesa reads VTEST_SOCKET_NAME)\n"
          "Stop with Ctrl-C.\n",
          VTEST_DEFAULT_SOCKET);
   fflush(stdout);
   return vtest_server_run(&o);
}

static const pv_handler_fn *
served_overrides(const char *dialect, void *data)
{
   const struct pv_dialect *d = pv_renderer_dialect(data, PV_CAPSET_VENUS);
   return d && !strcmp(d->table->name, dialect) ? d->overrides : NULL;
}

static int
cmd_protocol_stats(void)
{
   struct pv_renderer *r = pv_renderer_create(NULL);
   if (!r)
      return 1;
   /* make check's conformance run writes <dialect>.verified into the build dir, where this
    * binary lives */
   char dir[4096];
   ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
   const char *verified_dir = NULL;
   if (n > 0) {
      dir[n] = '\0';
      char *slash = strrchr(dir, '/');
      if (slash) {
         *slash = '\0';
         verified_dir = dir;
      }
   }
   pv_protocol_print_stats(stdout, served_overrides, r, verified_dir);
   pv_renderer_destroy(r);
   return 0;
}

static int
cmd_info(void)
{
   struct pv_renderer_config config = {0};
   printf("renderer: %s\n", describe(&config));
   return 0;
}

int
main(int argc, char **argv)
{
   if (argc < 2) {
      usage(stderr);
      return 2;
   }
   if (!strcmp(argv[1], "serve"))
      return cmd_serve(argc - 2, argv + 2);
   if (!strcmp(argv[1], "info"))
      return cmd_info();
   if (!strcmp(argv[1], "protocol") && argc == 3 && !strcmp(argv[2], "--stats"))
      return cmd_protocol_stats();
   if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
      usage(stdout);
      return 0;
   }
   fprintf(stderr, "unknown command '%s'\n", argv[1]);
   usage(stderr);
   return 2;
}
