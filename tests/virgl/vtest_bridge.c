/* SPDX-License-Identifier: MIT */
/*
 * A stand-in VMM for the end-to-end tests of libvirglrenderer.so.1: it speaks vtest to an
 * unmodified Mesa Venus guest driver on one side and calls the virglrenderer API on the other,
 * the way QEMU turns virtio-gpu commands into the same calls (qemu-venus.md §5): capsets, a
 * context per connection with context-init flags, HOST3D blobs created, exported and unreffed,
 * command buffers submitted, and virgl_renderer_poll from its loop. Linked against the library
 * by soname (NEEDED, like QEMU), so LD_LIBRARY_PATH or the build's rpath picks it.
 *
 * Sync objects (SYNC_*, syncs in SUBMIT_CMD2) are not bridged: a Venus guest uses them only to
 * export sync files, which lavapipe does not offer it. They are answered as failures and logged,
 * so a test sees if a guest ever needs them.
 *
 * usage: pv-virgl-vtest-bridge SOCKET_PATH   (serves until SIGTERM)
 */
/* accept4 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "virgl/virgl_abi.h"
#include "vtest/vtest_io.h"
#include "vtest/vtest_protocol.h"

#define MAX_CLIENTS 16
#define MAX_RES 4096

struct client {
   int sock; /* -1: free slot */
   uint32_t ctx_id;
   bool ctx;
   char name[64];
   uint32_t res[MAX_RES]; /* the blob resource ids this client owns, 0 = free */
};

static struct client clients[MAX_CLIENTS];
static uint32_t next_res_id = 1;
static volatile sig_atomic_t stop;
static int cookie;

static void
write_fence(void *c, uint32_t fence)
{
   (void)c, (void)fence;
}

static void
write_context_fence(void *c, uint32_t ctx, uint32_t ring, uint64_t fence)
{
   (void)c, (void)ctx, (void)ring, (void)fence;
}

static struct virgl_renderer_callbacks cbs = {
   .version = 3,
   .write_fence = write_fence,
   .write_context_fence = write_context_fence,
};

static int
reply(struct client *c, uint32_t cmd, const uint32_t *w, uint32_t n)
{
   return vtest_write_reply(c->sock, cmd, w, n);
}

/* A failed blob still gets an fd; one that cannot be mapped makes the guest fail cleanly. */
static int
reply_failed_blob(struct client *c)
{
   const uint32_t zero = 0;
   int fd = eventfd(0, EFD_CLOEXEC);
   int r = reply(c, VCMD_RESOURCE_CREATE_BLOB, &zero, 1) || fd < 0 || vtest_send_fd(c->sock, fd);
   if (fd >= 0)
      close(fd);
   return r ? -1 : 0;
}

static int
create_blob(struct client *c, const uint32_t *p)
{
   const uint64_t size = p[2] | (uint64_t)p[3] << 32, blob_id = p[4] | (uint64_t)p[5] << 32;
   uint32_t *slot = NULL;
   for (uint32_t i = 0; i < MAX_RES && !slot; i++)
      if (!c->res[i])
         slot = &c->res[i];
   if (!c->ctx || !slot || p[0] != VCMD_BLOB_TYPE_HOST3D) {
      fprintf(stderr, "bridge: '%s': blob type %u refused\n", c->name, p[0]);
      return reply_failed_blob(c);
   }
   const struct virgl_renderer_resource_create_blob_args args = {.res_handle = next_res_id,
                                                                 .ctx_id = c->ctx_id,
                                                                 .blob_mem =
                                                                    VIRGL_RENDERER_BLOB_MEM_HOST3D,
                                                                 .blob_flags = p[1],
                                                                 .blob_id = blob_id,
                                                                 .size = size};
   struct virgl_renderer_resource_info info;
   uint32_t fd_type;
   int fd = -1;
   if (virgl_renderer_resource_create_blob(&args) != 0 ||
       virgl_renderer_resource_get_info((int)args.res_handle, &info) != 0 ||
       virgl_renderer_resource_export_blob(args.res_handle, &fd_type, &fd) != 0) {
      virgl_renderer_resource_unref(args.res_handle);
      fprintf(stderr, "bridge: '%s': blob of %llu bytes (id %#llx) failed\n", c->name,
              (unsigned long long)size, (unsigned long long)blob_id);
      return reply_failed_blob(c);
   }
   virgl_renderer_ctx_attach_resource((int)c->ctx_id, (int)args.res_handle);
   *slot = next_res_id++;
   int r = reply(c, VCMD_RESOURCE_CREATE_BLOB, slot, 1) || vtest_send_fd(c->sock, fd);
   close(fd);
   return r ? -1 : 0;
}

static void
unref(struct client *c, uint32_t res_id)
{
   for (uint32_t i = 0; i < MAX_RES; i++) {
      if (res_id && c->res[i] == res_id) {
         virgl_renderer_ctx_detach_resource((int)c->ctx_id, (int)res_id);
         virgl_renderer_resource_unref(res_id);
         c->res[i] = 0;
      }
   }
}

/* SUBMIT_CMD2 with 6-dword batch headers (wire format 1 guests). */
static void
submit(struct client *c, uint32_t *p, uint32_t dwords)
{
   if (!dwords || !c->ctx)
      return;
   const uint32_t count = p[0];
   const uint64_t header_end = 1 + (uint64_t)count * VCMD_SUBMIT_CMD2_BATCH_DWORDS_WIRE1;
   if (header_end > dwords) {
      fprintf(stderr, "bridge: '%s': SUBMIT_CMD2 headers past the message\n", c->name);
      return;
   }
   for (uint32_t i = 0; i < count; i++) {
      const uint32_t *b = &p[1 + i * VCMD_SUBMIT_CMD2_BATCH_DWORDS_WIRE1];
      const uint32_t cmd_offset = b[1], cmd_size = b[2], sync_count = b[4];
      if ((uint64_t)cmd_offset + cmd_size > dwords || cmd_offset < header_end) {
         fprintf(stderr, "bridge: '%s': SUBMIT_CMD2 commands past the message\n", c->name);
         return;
      }
      if (sync_count)
         fprintf(stderr, "bridge: '%s': syncs are not bridged (%u ignored)\n", c->name, sync_count);
      if (cmd_size)
         virgl_renderer_submit_cmd(&p[cmd_offset], (int)c->ctx_id, (int)cmd_size);
   }
}

static int
context_init(struct client *c, uint32_t capset)
{
   if (c->ctx)
      return 0;
   if (virgl_renderer_context_create_with_flags(c->ctx_id, capset, (uint32_t)strlen(c->name),
                                                c->name) != 0) {
      fprintf(stderr, "bridge: '%s': context with capset %u refused\n", c->name, capset);
      return 0;
   }
   c->ctx = true;
   fprintf(stderr, "bridge: '%s': context %u created\n", c->name, c->ctx_id);
   return 0;
}

static int
get_capset(struct client *c, const uint32_t *p)
{
   uint32_t buf[1 + 64] = {0};
   uint32_t max_ver = 0, max_size = 0;
   virgl_renderer_get_cap_set(p[0], &max_ver, &max_size);
   if (max_size && max_size <= sizeof(buf) - 4 && p[1] <= max_ver) {
      virgl_renderer_fill_caps(p[0], p[1], &buf[1]);
      buf[0] = 1;
      return reply(c, VCMD_GET_CAPSET, buf, 1 + max_size / 4);
   }
   return reply(c, VCMD_GET_CAPSET, buf, 1);
}

/* The answers a failed sync command must have so the guest is not left waiting. */
static int
refuse_sync(struct client *c, uint32_t cmd)
{
   static const uint32_t zeros[2];
   fprintf(stderr, "bridge: '%s': sync command %u is not bridged\n", c->name, cmd);
   if (cmd == VCMD_SYNC_CREATE)
      return reply(c, cmd, zeros, 1);
   if (cmd == VCMD_SYNC_READ)
      return reply(c, cmd, zeros, 2);
   if (cmd == VCMD_SYNC_WAIT) {
      int fd = eventfd(1, EFD_CLOEXEC); /* already signalled */
      int r = reply(c, cmd, NULL, 0) || fd < 0 || vtest_send_fd(c->sock, fd);
      if (fd >= 0)
         close(fd);
      return r ? -1 : 0;
   }
   return 0;
}

static int
dispatch(struct client *c, uint32_t cmd, uint32_t *p, uint32_t dwords)
{
   static const uint32_t zeros[2];
   const uint32_t version = 3;
   switch (cmd) {
   case VCMD_PING_PROTOCOL_VERSION:
      return reply(c, cmd, NULL, 0);
   case VCMD_PROTOCOL_VERSION:
      return reply(c, cmd, &version, 1);
   case VCMD_RESOURCE_BUSY_WAIT:
      return reply(c, cmd, zeros, 1);
   case VCMD_GET_PARAM: {
      const uint32_t timelines[2] = {1, VTEST_MAX_TIMELINES};
      return reply(c, cmd, dwords && p[0] == VCMD_PARAM_MAX_TIMELINE_COUNT ? timelines : zeros, 2);
   }
   case VCMD_GET_CAPSET:
      return dwords >= 2 ? get_capset(c, p) : -1;
   case VCMD_CONTEXT_INIT:
      return dwords >= 1 ? context_init(c, p[0]) : -1;
   case VCMD_RESOURCE_CREATE_BLOB:
      return dwords >= 6 ? create_blob(c, p) : -1;
   case VCMD_RESOURCE_UNREF:
      if (dwords >= 1)
         unref(c, p[0]);
      return 0;
   case VCMD_SUBMIT_CMD2:
      submit(c, p, dwords);
      return 0;
   case VCMD_SYNC_CREATE:
   case VCMD_SYNC_UNREF:
   case VCMD_SYNC_READ:
   case VCMD_SYNC_WRITE:
   case VCMD_SYNC_WAIT:
      return refuse_sync(c, cmd);
   default:
      fprintf(stderr, "bridge: '%s': unknown vtest command %u\n", c->name, cmd);
      return -1;
   }
}

static void
client_close(struct client *c)
{
   for (uint32_t i = 0; i < MAX_RES; i++)
      unref(c, c->res[i]);
   if (c->ctx)
      virgl_renderer_context_destroy(c->ctx_id);
   fprintf(stderr, "bridge: '%s': disconnected\n", c->name);
   close(c->sock);
   c->sock = -1;
   c->ctx = false;
}

/* One message; -1 ends the client. */
static int
serve_one(struct client *c)
{
   uint32_t hdr[2];
   if (vtest_read_full(c->sock, hdr, sizeof(hdr)))
      return -1;
   /* CREATE_RENDERER counts its length in bytes, everything else in dwords */
   const uint64_t bytes = hdr[1] == VCMD_CREATE_RENDERER ? hdr[0] : (uint64_t)hdr[0] * 4;
   if (bytes > (uint64_t)VTEST_MAX_SUBMIT_DWORDS * 4)
      return -1;
   uint32_t *p = malloc(bytes + 4);
   if (!p || (bytes && vtest_read_full(c->sock, p, bytes))) {
      free(p);
      return -1;
   }
   int r = 0;
   if (hdr[1] == VCMD_CREATE_RENDERER) {
      size_t n = bytes < sizeof(c->name) - 1 ? bytes : sizeof(c->name) - 1;
      memcpy(c->name, p, n);
      c->name[n] = '\0';
   } else {
      r = dispatch(c, hdr[1], p, (uint32_t)(bytes / 4));
   }
   free(p);
   return r;
}

static int
listen_on(const char *path)
{
   struct sockaddr_un addr = {.sun_family = AF_UNIX};
   if (strlen(path) >= sizeof(addr.sun_path))
      return -1;
   strcpy(addr.sun_path, path);
   unlink(path);
   int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof(addr)) || listen(s, 16))
      return -1;
   return s;
}

static void
on_term(int sig)
{
   (void)sig;
   stop = 1;
}

static void
accept_client(int listener)
{
   int s = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
   if (s < 0)
      return;
   for (uint32_t i = 0; i < MAX_CLIENTS; i++) {
      if (clients[i].sock < 0) {
         memset(&clients[i], 0, sizeof(clients[i]));
         clients[i].sock = s;
         clients[i].ctx_id = i + 1;
         strcpy(clients[i].name, "guest");
         return;
      }
   }
   close(s);
}

int
main(int argc, char **argv)
{
   if (argc != 2) {
      fprintf(stderr, "usage: %s SOCKET_PATH\n", argv[0]);
      return 2;
   }
   signal(SIGPIPE, SIG_IGN);
   signal(SIGTERM, on_term);
   signal(SIGINT, on_term);
   for (uint32_t i = 0; i < MAX_CLIENTS; i++)
      clients[i].sock = -1;
   int listener = listen_on(argv[1]);
   /* as QEMU: capsets asked at device realize, before init */
   uint32_t ver, size;
   virgl_renderer_get_cap_set(VIRGL_RENDERER_CAPSET_VENUS, &ver, &size);
   if (listener < 0 || size == 0 ||
       virgl_renderer_init(&cookie, VIRGL_RENDERER_VENUS | VIRGL_RENDERER_RENDER_SERVER, &cbs)) {
      fprintf(stderr, "bridge: cannot start\n");
      return 1;
   }
   fprintf(stderr, "bridge: serving %s\n", argv[1]);
   while (!stop) {
      struct pollfd fds[1 + MAX_CLIENTS];
      fds[0] = (struct pollfd){.fd = listener, .events = POLLIN};
      for (uint32_t i = 0; i < MAX_CLIENTS; i++)
         fds[1 + i] = (struct pollfd){.fd = clients[i].sock, .events = POLLIN};
      int n = poll(fds, 1 + MAX_CLIENTS, 10); /* QEMU's fence timer is 10 ms too */
      virgl_renderer_poll();
      if (n <= 0)
         continue;
      if (fds[0].revents & POLLIN)
         accept_client(listener);
      for (uint32_t i = 0; i < MAX_CLIENTS; i++)
         if (clients[i].sock >= 0 && (fds[1 + i].revents & (POLLIN | POLLHUP | POLLERR)) &&
             serve_one(&clients[i]))
            client_close(&clients[i]);
   }
   for (uint32_t i = 0; i < MAX_CLIENTS; i++)
      if (clients[i].sock >= 0)
         client_close(&clients[i]);
   virgl_renderer_cleanup(&cookie);
   close(listener);
   unlink(argv[1]);
   fprintf(stderr, "bridge: stopped\n");
   return 0;
}
