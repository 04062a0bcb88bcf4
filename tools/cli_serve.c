/* SPDX-License-Identifier: MIT */
/* `pearvisor-gpu serve`: options into vtest_server_options, then the vtest server. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "pearvisor/pearvisor.h"
#include "pearvisor/version.h"
#include "cli.h"
#include "util/host_memory.h"
#include "util/os.h"
#include "vtest/control.h"
#include "vtest/vtest_protocol.h"
#include "vtest/vtest_record.h"
#include "vtest/vtest_server.h"

/* The second default socket, for Mesa >= 23.1 guests (wire format 1): Mesa 22.3.6 cannot be
 * pointed anywhere but VTEST_DEFAULT_SOCKET, so the old dialect keeps that path. */
#define PV_WIRE1_SOCKET "/tmp/.virgl_test_wire1"

static void
serve_usage(FILE *f)
{
   char control_path[108];
   vtest_control_default_path(control_path, sizeof(control_path));
   fprintf(
      f,
      "usage: pearvisor-gpu serve [options]\n"
      "\n"
      "Serves Venus guests (Mesa's Venus driver with VN_DEBUG=vtest) on vtest sockets.\n"
      "\n"
      "  -s, --socket=PATH[:W]   socket to listen on; repeat it to listen on several at\n"
      "                          once (at most %d). A :0 or :1 suffix sets that socket's\n"
      "                          Venus wire format, else --wire applies. Default: both\n"
      "                          %s (wire 0: Mesa <= 23.0 guests always use it)\n"
      "                          and %s (wire 1: Mesa >= 23.1 guests, given\n"
      "                          VTEST_SOCKET_NAME); with --wire, only %s\n"
      "      --wire=0|1          wire format of sockets without a suffix (default 0): 0 for\n"
      "                          Mesa <= 23.0 guests (22.3.6), 1 for Mesa >= 23.1 (25.0.7).\n"
      "                          The vtest handshake cannot tell them apart\n"
      "      --icd=PATH          host Vulkan ICD manifest (default: what the Vulkan loader\n"
      "                          finds)\n"
      "      --gpu=WHICH         the one host GPU guests see: an index in the host's\n"
      "                          order, a deviceUUID or part of the device name (see\n"
      "                          `pearvisor-gpu info`; default: all)\n"
      "      --validate          enable the Khronos validation layer on the host calls\n"
      "      --threads           serve every client in this one process, a thread each: an\n"
      "                          idle client costs ~5 MiB instead of a process of its own,\n"
      "                          but a host driver crash ends every client (default: a\n"
      "                          process per client)\n"
      "      --no-driver-preload let each client process load the host driver itself\n"
      "                          instead of sharing the copy the server loads before forking\n"
      "      --once              serve one client, then exit\n"
      "      --user=NAME         user the client processes run as when the server starts as\n"
      "                          root (default: %s if it exists, else %s)\n"
      "      --no-sandbox        run client processes without the sandbox: no user switch,\n"
      "                          no no_new_privs, no system-call filter (SECURITY.md)\n"
      "      --max-clients=N     clients served at once; more are refused (default %u)\n"
      "      --log-level=LEVEL   error, warn, info (default) or debug\n"
      "      --control=PATH      control socket for `pearvisor-gpu stats` (default\n"
      "                          %s; mode 0600 in a directory of mode 0700)\n"
      "      --no-control        no control socket\n"
      "      --record=DIR        record every client context into a capture file of its\n"
      "                          own in DIR (created 0700; files 0600: they hold the\n"
      "                          guest's data); replay one with `pearvisor-gpu replay`\n"
      "      --record-max=BYTES  size cap of each capture (default %llu MiB): recording\n"
      "                          stops there with a warning\n"
      "  -h, --help              this text\n"
      "Socket activation: started with inherited listening sockets (systemd's LISTEN_FDS;\n"
      "FileDescriptorName=wire0 or wire1 sets a socket's wire format), it serves those\n"
      "instead and leaves their files alone.\n"
      "per-client quotas (K, M, G suffixes; exceeding one fails the guest's call, never the\n"
      "host):\n"
      "      --max-device-memory=BYTES  VkDeviceMemory (default %llu MiB)\n"
      "      --max-blob-bytes=BYTES     shared-memory blobs and ring copies (default %llu MiB)\n"
      "      --max-objects=N            live Vulkan objects (default %llu)\n"
      "      --max-rings=N              rings, a host thread each (default %llu)\n"
      "      --max-host-memory=BYTES    private memory of each client process, the host\n"
      "                                 driver's included: past it the driver's allocations\n"
      "                                 fail and the guest's context is lost (default: the\n"
      "                                 device-memory and blob quotas + %llu MiB; 'none':\n"
      "                                 no ceiling; with --threads or --once: the serving\n"
      "                                 process's, only when given)\n"
      "\n" PV_CLI_EXIT_CODES,
      VTEST_MAX_SOCKETS, VTEST_DEFAULT_SOCKET, PV_WIRE1_SOCKET, VTEST_DEFAULT_SOCKET,
      VTEST_SANDBOX_DEFAULT_USER, VTEST_SANDBOX_FALLBACK_USER, VTEST_DEFAULT_MAX_CLIENTS,
      control_path, VTEST_RECORD_DEFAULT_MAX >> 20, PV_DEFAULT_MAX_DEVICE_MEMORY >> 20,
      PV_DEFAULT_MAX_BLOB_BYTES >> 20, PV_DEFAULT_MAX_OBJECTS, PV_DEFAULT_MAX_RINGS,
      PV_HOST_MEMORY_HEADROOM >> 20);
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
      fprintf(stderr, "pearvisor-gpu serve: at most %d sockets\n", VTEST_MAX_SOCKETS);
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

enum serve_opt {
   OPT_WIRE = 256,
   OPT_ICD,
   OPT_GPU,
   OPT_VALIDATE,
   OPT_THREADS,
   OPT_NO_DRIVER_PRELOAD,
   OPT_ONCE,
   OPT_LOG_LEVEL,
   OPT_MAX_DEVICE_MEMORY,
   OPT_MAX_BLOB_BYTES,
   OPT_MAX_OBJECTS,
   OPT_MAX_RINGS,
   OPT_MAX_CLIENTS,
   OPT_MAX_HOST_MEMORY,
   OPT_USER,
   OPT_NO_SANDBOX,
   OPT_CONTROL,
   OPT_NO_CONTROL,
   OPT_RECORD,
   OPT_RECORD_MAX,
};

static const struct option serve_opts[] = {
   {"socket", required_argument, NULL, 's'},
   {"wire", required_argument, NULL, OPT_WIRE},
   {"icd", required_argument, NULL, OPT_ICD},
   {"gpu", required_argument, NULL, OPT_GPU},
   {"validate", no_argument, NULL, OPT_VALIDATE},
   {"threads", no_argument, NULL, OPT_THREADS},
   {"no-driver-preload", no_argument, NULL, OPT_NO_DRIVER_PRELOAD},
   {"once", no_argument, NULL, OPT_ONCE},
   {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
   {"max-device-memory", required_argument, NULL, OPT_MAX_DEVICE_MEMORY},
   {"max-blob-bytes", required_argument, NULL, OPT_MAX_BLOB_BYTES},
   {"max-objects", required_argument, NULL, OPT_MAX_OBJECTS},
   {"max-rings", required_argument, NULL, OPT_MAX_RINGS},
   {"max-clients", required_argument, NULL, OPT_MAX_CLIENTS},
   {"max-host-memory", required_argument, NULL, OPT_MAX_HOST_MEMORY},
   {"user", required_argument, NULL, OPT_USER},
   {"no-sandbox", no_argument, NULL, OPT_NO_SANDBOX},
   {"control", required_argument, NULL, OPT_CONTROL},
   {"no-control", no_argument, NULL, OPT_NO_CONTROL},
   {"record", required_argument, NULL, OPT_RECORD},
   {"record-max", required_argument, NULL, OPT_RECORD_MAX},
   {"help", no_argument, NULL, 'h'},
   {0},
};

/* The quota an option sets, or NULL. */
static uint64_t *
quota_of(int opt, struct pv_renderer_config *r)
{
   switch (opt) {
   case OPT_MAX_DEVICE_MEMORY:
      return &r->max_device_memory;
   case OPT_MAX_BLOB_BYTES:
      return &r->max_blob_bytes;
   case OPT_MAX_OBJECTS:
      return &r->max_objects;
   case OPT_MAX_RINGS:
      return &r->max_rings;
   default:
      return NULL;
   }
}

/* One option; 0, or -1 after saying what is wrong. */
static int
apply_option(int c, struct vtest_server_options *o, int *wires, int *default_wire)
{
   uint64_t *quota = quota_of(c, &o->renderer);
   if (quota) {
      if (pv_cli_parse_size(optarg, quota))
         return 0;
      fprintf(stderr, "pearvisor-gpu serve: bad size '%s'\n", optarg);
      return -1;
   }
   switch (c) {
   case 's':
      return add_socket(o, optarg, wires);
   case OPT_WIRE:
      *default_wire = parse_wire(optarg);
      if (*default_wire >= 0)
         return 0;
      fprintf(stderr, "pearvisor-gpu serve: --wire takes 0 or 1, not '%s'\n", optarg);
      return -1;
   case OPT_ICD:
      o->renderer.host_icd = optarg;
      return 0;
   case OPT_GPU:
      o->renderer.gpu = optarg;
      return 0;
   case OPT_VALIDATE:
      o->renderer.validate = true;
      return 0;
   case OPT_THREADS:
      o->use_threads = true;
      return 0;
   case OPT_NO_DRIVER_PRELOAD:
      o->no_driver_preload = true;
      return 0;
   case OPT_ONCE:
      o->single_client = true;
      return 0;
   case OPT_USER:
      o->sandbox.user = optarg;
      return 0;
   case OPT_NO_SANDBOX:
      o->sandbox.disabled = true;
      return 0;
   case OPT_CONTROL:
      o->control_path = optarg;
      return 0;
   case OPT_NO_CONTROL:
      o->no_control = true;
      return 0;
   case OPT_RECORD:
      o->record_dir = optarg;
      return 0;
   case OPT_MAX_HOST_MEMORY:
      if (pv_parse_size(optarg, true, &o->max_host_memory))
         return 0;
      fprintf(stderr, "pearvisor-gpu serve: bad size '%s' (or 'none')\n", optarg);
      return -1;
   case OPT_RECORD_MAX:
      if (pv_cli_parse_size(optarg, &o->record_max))
         return 0;
      fprintf(stderr, "pearvisor-gpu serve: bad size '%s'\n", optarg);
      return -1;
   case OPT_MAX_CLIENTS: {
      uint64_t n;
      if (pv_cli_parse_size(optarg, &n) && n > 0 && n <= UINT32_MAX) {
         o->max_clients = (unsigned)n;
         return 0;
      }
      fprintf(stderr, "pearvisor-gpu serve: bad value for --max-clients '%s'\n", optarg);
      return -1;
   }
   case OPT_LOG_LEVEL:
      if (pv_cli_set_log_level(optarg))
         return 0;
      fprintf(stderr, "pearvisor-gpu serve: unknown log level '%s'\n", optarg);
      return -1;
   default:
      return -1; /* getopt_long has said what is wrong */
   }
}

/* 0, 1 (--help given) or -1 (bad command line). */
static int
parse_serve_options(int argc, char **argv, struct vtest_server_options *o)
{
   int wires[VTEST_MAX_SOCKETS];
   int default_wire = -1; /* -1: not given */
   int c;
   while ((c = getopt_long(argc, argv, "s:h", serve_opts, NULL)) != -1) {
      if (c == 'h')
         return 1;
      if (apply_option(c, o, wires, &default_wire))
         return -1;
   }
   if (optind < argc) {
      fprintf(stderr, "pearvisor-gpu serve: unexpected argument '%s'\n", argv[optind]);
      return -1;
   }
   if (o->socket_count == 0 && default_wire < 0) {
      /* Both dialects out of the box: old guests on the path they cannot change, current ones
       * on a second socket they are pointed at. */
      o->sockets[0] = (struct vtest_socket_option){.path = VTEST_DEFAULT_SOCKET, .wire_format = 0};
      o->sockets[1] = (struct vtest_socket_option){.path = PV_WIRE1_SOCKET, .wire_format = 1};
      o->socket_count = 2;
      return 0;
   }
   if (o->socket_count == 0) {
      o->sockets[0].path = VTEST_DEFAULT_SOCKET;
      wires[0] = -1;
      o->socket_count = 1;
   }
   for (unsigned s = 0; s < o->socket_count; s++)
      o->sockets[s].wire_format = (uint32_t)(wires[s] >= 0 ? wires[s] : default_wire > 0 ? 1 : 0);
   return 0;
}

static const char *
describe(const struct pv_renderer_config *config)
{
   static char line[512];
   /* Without the host driver: loading it here would preload it into every client process even
    * with --no-driver-preload (the driver is never unloaded). */
   struct pv_renderer_config what = *config;
   what.host_icd = NULL;
   what.gpu = NULL;
   struct pv_renderer *r = pv_renderer_create(&what);
   snprintf(line, sizeof(line), "%s", r ? pv_renderer_describe(r) : "renderer unavailable");
   pv_renderer_destroy(r);
   return line;
}

static void
print_banner(const struct vtest_server_options *o)
{
   for (unsigned s = 0; s < o->socket_count; s++) {
      struct pv_renderer_config config = o->renderer;
      config.wire_format = o->sockets[s].wire_format;
      printf("PearVisor GPU %s: serving Venus guests on vtest socket %s\n", PV_VERSION_STRING,
             o->sockets[s].path);
      printf("  renderer: %s\n", describe(&config));
   }
   printf("  host driver: %s\n",
          o->renderer.host_icd ? o->renderer.host_icd : "Vulkan loader default");
   char huge[256];
   printf("  host-visible memory: %s\n", pv_os_shmem_huge_pages_text(huge, sizeof(huge)));
   printf(
      "Point a Venus guest at it, e.g. with a Mesa Venus ICD built by `make check`:\n"
      "  VK_ICD_FILENAMES=build/guest/mesa-22.3.6/icd.json VN_DEBUG=vtest vulkaninfo --summary\n");
   for (unsigned s = 0; s < o->socket_count; s++) {
      if (o->sockets[s].wire_format == 1)
         printf("Mesa >= 23.1 guests (wire format 1): VTEST_SOCKET_NAME=%s\n", o->sockets[s].path);
      else if (!strcmp(o->sockets[s].path, VTEST_DEFAULT_SOCKET))
         printf("Mesa <= 23.0 guests (wire format 0): %s, their fixed path\n", o->sockets[s].path);
      else
         printf("Mesa <= 23.0 guests (wire format 0) connect only to %s, not to %s\n",
                VTEST_DEFAULT_SOCKET, o->sockets[s].path);
   }
   if (!o->no_control && !o->single_client) {
      char control[108];
      vtest_control_default_path(control, sizeof(control));
      printf("Live statistics: pearvisor-gpu stats%s%s (control socket %s)\n",
             o->control_path ? " --control " : "", o->control_path ? o->control_path : "",
             o->control_path ? o->control_path : control);
   }
   printf("Stop with Ctrl-C.\n");
   fflush(stdout);
}

int
pv_cli_serve(int argc, char **argv)
{
   struct vtest_server_options o = {.renderer = PV_RENDERER_CONFIG_INIT};
   int parsed = parse_serve_options(argc, argv, &o);
   if (parsed) {
      if (parsed > 0) {
         serve_usage(stdout);
         return PV_EXIT_OK;
      }
      fprintf(stderr, "Try 'pearvisor-gpu serve --help'.\n");
      return PV_EXIT_USAGE;
   }
   if (o.renderer.host_icd) {
      /* The library loads host_icd itself; the environment tells the driver preload (and a
       * loader without per-instance driver choice) the same. Both names: VK_DRIVER_FILES for
       * current loaders, VK_ICD_FILENAMES for older ones. */
      setenv("VK_DRIVER_FILES", o.renderer.host_icd, 1);
      setenv("VK_ICD_FILENAMES", o.renderer.host_icd, 1);
   }
   print_banner(&o);
   return vtest_server_run(&o);
}
