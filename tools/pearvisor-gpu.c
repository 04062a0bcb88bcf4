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
           "  --socket PATH[:W]  socket to listen on (default %s); repeat it to listen on\n"
           "                     several at once (at most 8). A :0 or :1 suffix sets that\n"
           "                     socket's Venus wire format, else --wire applies\n"
           "  --wire 0|1         wire format of sockets without a suffix (default 0): 0 for\n"
           "                     Mesa <= 23.0 guests (22.3.6), 1 for Mesa >= 23.1 (25.0.7).\n"
           "                     The vtest handshake cannot tell them apart\n"
           "  --icd PATH         host Vulkan ICD manifest (default: what the Vulkan loader finds)\n"
           "  --validate         enable the Khronos validation layer on the host calls\n"
           "  --threads          serve every client in this one process, a thread each:\n"
           "                     an idle client costs ~5 MiB instead of a process of its own,\n"
           "                     but a host driver crash ends every client (default: a\n"
           "                     process per client)\n"
           "  --no-driver-preload  let each client process load the host driver itself instead of\n"
           "                     sharing the copy the server loads before forking (more memory)\n"
           "  --user NAME        user the client processes run as when the server starts as\n"
           "                     root (default: %s if it exists, else %s)\n"
           "  --no-sandbox       run client processes without the sandbox: no user switch, no\n"
           "                     no_new_privs, no system-call filter (SECURITY.md)\n"
           "  --once             serve one client, then exit\n"
           "  --log-level LEVEL  error, warn, info (default) or debug\n"
           "per-client quotas (K, M, G suffixes; exceeding one fails the guest's call, never\n"
           "the host):\n"
           "  --max-device-memory BYTES  VkDeviceMemory (default %llu MiB)\n"
           "  --max-blob-bytes BYTES     shared-memory blobs (default %llu MiB)\n"
           "  --max-objects N            live Vulkan objects (default %llu)\n",
           VTEST_DEFAULT_SOCKET, VTEST_SANDBOX_DEFAULT_USER, VTEST_SANDBOX_FALLBACK_USER,
           PV_DEFAULT_MAX_DEVICE_MEMORY >> 20,
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

/* "0" or "1"; -1 otherwise. */
static int
parse_wire(const char *s)
{
   return !strcmp(s, "0") ? 0 : !strcmp(s, "1") ? 1 : -1;
}

/* PATH or PATH:W (the suffix only when it is exactly ":0" or ":1"); -1 for a bad value. Splits in
 * place: argv strings are ours to change. wire -1 means "the --wire default". */
static int
add_socket(struct vtest_server_options *o, char *arg, int *wires)
{
   if (o->socket_count == VTEST_MAX_SOCKETS) {
      fprintf(stderr, "at most %d sockets\n", VTEST_MAX_SOCKETS);
      return -1;
   }
   size_t len = strlen(arg);
   int wire = -1;
   if (len > 2 && arg[len - 2] == ':' && parse_wire(&arg[len - 1]) >= 0) {
      wire = parse_wire(&arg[len - 1]);
      arg[len - 2] = '\0';
   }
   wires[o->socket_count] = wire;
   o->sockets[o->socket_count++].path = arg;
   return 0;
}

static int
parse_serve_options(int argc, char **argv, struct vtest_server_options *o)
{
   int wires[VTEST_MAX_SOCKETS];
   int default_wire = 0;
   for (int i = 0; i < argc; i++) {
      const char *a = argv[i];
      const char *next = i + 1 < argc ? argv[i + 1] : NULL;
      if (!strcmp(a, "--socket") && next) {
         if (add_socket(o, argv[++i], wires))
            return -1;
      } else if (!strcmp(a, "--wire") && next) {
         default_wire = parse_wire(argv[++i]);
         if (default_wire < 0) {
            fprintf(stderr, "--wire takes 0 or 1, not '%s'\n", argv[i]);
            return -1;
         }
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
      } else if (!strcmp(a, "--no-driver-preload")) {
         o->no_driver_preload = true;
      } else if (!strcmp(a, "--threads")) {
         o->use_threads = true;
      } else if (!strcmp(a, "--user") && next) {
         o->sandbox.user = argv[++i];
      } else if (!strcmp(a, "--no-sandbox")) {
         o->sandbox.disabled = true;
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
   if (o->socket_count == 0) {
      o->sockets[0].path = VTEST_DEFAULT_SOCKET;
      wires[0] = -1;
      o->socket_count = 1;
   }
   for (unsigned s = 0; s < o->socket_count; s++)
      o->sockets[s].wire_format = (uint32_t)(wires[s] < 0 ? default_wire : wires[s]);
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
   struct vtest_server_options o = {0};
   if (parse_serve_options(argc, argv, &o)) {
      usage(stderr);
      return 2;
   }
   if (o.renderer.host_icd) {
      /* Both names: VK_DRIVER_FILES for current loaders, VK_ICD_FILENAMES for older ones. */
      setenv("VK_DRIVER_FILES", o.renderer.host_icd, 1);
      setenv("VK_ICD_FILENAMES", o.renderer.host_icd, 1);
   }
   for (unsigned s = 0; s < o.socket_count; s++) {
      struct pv_renderer_config config = o.renderer;
      config.wire_format = o.sockets[s].wire_format;
      printf("PearVisor GPU: serving Venus guests on vtest socket %s\n", o.sockets[s].path);
      printf("  renderer: %s\n", describe(&config));
   }
   printf("  host driver: %s\n", o.renderer.host_icd ? o.renderer.host_icd
                                                      : "Vulkan loader default");
   printf("Point a Venus guest at it, e.g. with a Mesa Venus ICD built by `make check`:\n"
          "  VK_ICD_FILENAMES=build/guest/mesa-22.3.6/icd.json VN_DEBUG=vtest vulkaninfo --summary\n"
          "  (Mesa 22.3.6 always connects to %s and needs wire 0; Mesa 25.0 reads\n"
          "  VTEST_SOCKET_NAME and needs wire 1)\n"
          "Stop with Ctrl-C.\n",
          VTEST_DEFAULT_SOCKET);
   fflush(stdout);
   return vtest_server_run(&o);
}

static const pv_handler_fn *
served_overrides(const char *dialect, void *data)
{
   const struct pv_dialect *d = pv_renderer_dialect_by_name(data, dialect);
   return d ? d->overrides : NULL;
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
   for (uint32_t wire = 0; wire <= 1; wire++) {
      const struct pv_renderer_config config = {.wire_format = wire};
      printf("renderer (--wire %u): %s\n", wire, describe(&config));
   }
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
