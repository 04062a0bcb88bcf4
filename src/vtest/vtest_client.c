/* SPDX-License-Identifier: MIT */
/*
 * One vtest client: message framing and a table of commands with their exact payload sizes.
 *
 * Error policy: Mesa 22.3.6 spins forever when its socket reaches EOF, so guest mistakes never
 * close the connection. A malformed message, an unknown id or an unsupported request marks the
 * client (and its renderer context) lost, the payload is drained, and the command still gets a
 * reply of the right shape saying "failed" — so the guest sees errors instead of hanging.
 * Only a broken socket (EOF, write error) or garbage before CREATE_RENDERER ends the client.
 */
#include "vtest/vtest_record.h"
#include "vtest/vtest_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/id_table.h"
#include "util/log.h"
#include "util/os.h"
#include "vtest/vtest_io.h"
#include "vtest/vtest_protocol.h"
#include "vtest/vtest_client_internal.h"
#include "vtest/vtest_sync.h"

void
vtest_client_set_lost(struct vtest_client *c, const char *fmt, ...)
{
   char why[256];
   va_list ap;
   va_start(ap, fmt);
   vsnprintf(why, sizeof(why), fmt, ap);
   va_end(ap);
   if (!c->lost)
      pv_warn("client '%s': %s; context marked lost", c->name, why);
   c->lost = true;
   if (c->ctx)
      pv_context_mark_lost(c->ctx, why);
}

static struct vtest_child_page *g_page;

void
vtest_client_share_state(struct vtest_child_page *page)
{
   g_page = page;
}

/* The command now being served (UINT32_MAX: none, or its reply has started). */
static void
publish_command(uint32_t cmd)
{
   if (g_page)
      atomic_store_explicit(&g_page->cmd_plus_one, cmd + 1u, memory_order_relaxed);
}

static int
reply_words(struct vtest_client *c, uint32_t cmd, const uint32_t *w, uint32_t n)
{
   /* From here on a reply is on its way: the parent must not send a second one. */
   publish_command(UINT32_MAX);
   return vtest_write_reply(c->sock, cmd, w, n) ? VTEST_DISCONNECT : VTEST_OK;
}

/* Sends `fd` after a reply, then closes it. */
static int
reply_fd(struct vtest_client *c, int fd)
{
   int r = vtest_send_fd(c->sock, fd);
   close(fd);
   return r ? VTEST_DISCONNECT : VTEST_OK;
}

/*
 * The fd that goes with a failed RESOURCE_CREATE_BLOB. The guest always expects one; an eventfd
 * cannot be mmap()ed, so the guest's mapping fails cleanly (an empty file would map and then
 * SIGBUS the guest on first touch).
 */
static int
send_unmappable_fd(struct vtest_client *c)
{
   struct pv_os_event ev;
   if (pv_os_event_init(&ev)) {
      pv_err("client '%s': cannot create a placeholder fd for a failed reply", c->name);
      return VTEST_DISCONNECT;
   }
   int r = vtest_send_fd(c->sock, ev.poll_fd);
   pv_os_event_fini(&ev);
   return r ? VTEST_DISCONNECT : VTEST_OK;
}

/* The "failed" form of each command's reply, for commands the guest waits on. */
int
vtest_client_reply_failure(struct vtest_client *c, uint32_t cmd)
{
   static const uint32_t zeros[2];
   switch (cmd) {
   case VCMD_PING_PROTOCOL_VERSION:
      return reply_words(c, cmd, NULL, 0);
   case VCMD_RESOURCE_BUSY_WAIT:
   case VCMD_PROTOCOL_VERSION:
   case VCMD_GET_CAPSET:
   case VCMD_SYNC_CREATE:
      return reply_words(c, cmd, zeros, 1);
   case VCMD_GET_PARAM:
   case VCMD_SYNC_READ:
      return reply_words(c, cmd, zeros, 2);
   case VCMD_RESOURCE_CREATE_BLOB:
      /* res_id 0 and an unmappable fd: the guest reports an allocation error. */
      if (reply_words(c, cmd, zeros, 1))
         return VTEST_DISCONNECT;
      return send_unmappable_fd(c);
   case VCMD_SYNC_WAIT: {
      /* Already signaled, so a guest waiting on a broken wait does not wait forever. */
      struct pv_os_event ev;
      if (pv_os_event_init(&ev))
         return VTEST_DISCONNECT;
      if (reply_words(c, cmd, NULL, 0)) {
         pv_os_event_fini(&ev); /* a guest gone before its answer must not leak an fd a time */
         return VTEST_DISCONNECT;
      }
      pv_os_event_signal(&ev);
      int r = vtest_send_fd(c->sock, ev.poll_fd);
      pv_os_event_fini(&ev);
      return r ? VTEST_DISCONNECT : VTEST_OK;
   }
   default:
      return VTEST_OK; /* commands without a reply */
   }
}

int
vtest_client_reply_failure_on(int sock, uint32_t cmd)
{
   struct vtest_client c = {.sock = sock};
   snprintf(c.name, sizeof(c.name), "(dead client)");
   return vtest_client_reply_failure(&c, cmd);
}

static bool
require_context(struct vtest_client *c, const char *what)
{
   if (c->ctx)
      return true;
   vtest_client_set_lost(c, "%s before CONTEXT_INIT", what);
   return false;
}

static int
handle_ping(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)p;
   (void)len;
   return reply_words(c, VCMD_PING_PROTOCOL_VERSION, NULL, 0);
}

static int
handle_busy_wait(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)p;
   (void)len;
   /* Venus blobs are never "busy": synchronization happens inside the Venus protocol. The guest
    * only sends this as a probe right after PING. */
   const uint32_t busy = 0;
   return reply_words(c, VCMD_RESOURCE_BUSY_WAIT, &busy, 1);
}

static int
handle_protocol_version(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   uint32_t version = p[0] < VTEST_PROTOCOL_VERSION ? p[0] : VTEST_PROTOCOL_VERSION;
   /* Venus needs the blob and sync commands of version 3; older versions are not served. */
   if (version < 3) {
      vtest_client_set_lost(c, "protocol version %u is too old (need 3)", p[0]);
      version = 0;
   }
   return reply_words(c, VCMD_PROTOCOL_VERSION, &version, 1);
}

static int
handle_get_param(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   uint32_t r[2] = {0, 0};
   if (p[0] == VCMD_PARAM_MAX_TIMELINE_COUNT) {
      r[0] = 1;
      r[1] = VTEST_MAX_TIMELINES;
   }
   return reply_words(c, VCMD_GET_PARAM, r, 2);
}

static int
handle_get_capset(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   uint32_t buf[1 + 64] = {0};
   size_t size = pv_renderer_get_capset(c->renderer, p[0], p[1], &buf[1], sizeof(buf) - 4);
   if (size == 0 || size % 4 || size > sizeof(buf) - 4)
      return reply_words(c, VCMD_GET_CAPSET, buf, 1); /* valid = 0 */
   buf[0] = 1;
   return reply_words(c, VCMD_GET_CAPSET, buf, 1 + (uint32_t)(size / 4));
}

static int
handle_context_init(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   uint32_t capset = p[0];
   if (c->ctx) {
      if (capset != c->ctx_capset)
         vtest_client_set_lost(c, "CONTEXT_INIT with capset %u after capset %u", capset,
                               c->ctx_capset);
      return VTEST_OK;
   }
   c->ctx = pv_context_create(c->renderer, capset, c->name);
   if (!c->ctx) {
      vtest_client_set_lost(c, "cannot create a context for capset %u", capset);
      return VTEST_OK;
   }
   c->ctx_capset = capset;
   vtest_record_context(c->ctx, c->name); /* before anything reaches the context */
   vtest_record_flush_early(&c->early, c->ctx);
   vtest_watch_set_context(c->watch, c->ctx);
   pv_context_set_fence_callback(c->ctx, vtest_fence_retired, c);
   if (c->lost)
      pv_context_mark_lost(c->ctx, "the client broke the vtest protocol before CONTEXT_INIT");
   pv_info("client '%s': context created (capset %u, wire format %u)", c->name, capset,
           c->config->wire_format);
   return VTEST_OK;
}

static int
handle_resource_create_blob(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   uint32_t type = p[0], flags = p[1];
   uint64_t size = vtest_u64(&p[2]), blob_id = vtest_u64(&p[4]);
   if (!require_context(c, "RESOURCE_CREATE_BLOB"))
      return vtest_client_reply_failure(c, VCMD_RESOURCE_CREATE_BLOB);
   /* GUEST blobs (memory the guest owns) and HOST3D blobs both end up as renderer-made shared
    * memory here: under vtest the "guest" is a process on this host that maps what we send. */
   if (type != VCMD_BLOB_TYPE_GUEST && type != VCMD_BLOB_TYPE_HOST3D) {
      vtest_client_set_lost(c, "blob type %u is not supported", type);
      return vtest_client_reply_failure(c, VCMD_RESOURCE_CREATE_BLOB);
   }
   if (type == VCMD_BLOB_TYPE_GUEST && blob_id != 0) {
      vtest_client_set_lost(c, "GUEST blob with blob id %#llx", (unsigned long long)blob_id);
      return vtest_client_reply_failure(c, VCMD_RESOURCE_CREATE_BLOB);
   }
   uint32_t res_id = c->next_res_id;
   while (res_id == 0 || pv_id_table_get(&c->resources, res_id))
      res_id++;
   struct pv_blob blob;
   int err = pv_context_create_blob(c->ctx, res_id, blob_id, size, flags, &blob);
   if (err) {
      pv_warn_limited("client '%s': blob (type %u, flags %#x, size %llu, id %#llx) failed: %s",
                      c->name, type, flags, (unsigned long long)size, (unsigned long long)blob_id,
                      strerror(-err));
      return vtest_client_reply_failure(c, VCMD_RESOURCE_CREATE_BLOB);
   }
   if (!pv_id_table_insert(&c->resources, res_id, (void *)1)) {
      close(blob.fd);
      pv_context_destroy_blob(c->ctx, res_id);
      return vtest_client_reply_failure(c, VCMD_RESOURCE_CREATE_BLOB);
   }
   c->next_res_id = res_id + 1;
   if (reply_words(c, VCMD_RESOURCE_CREATE_BLOB, &res_id, 1)) {
      close(blob.fd);
      return VTEST_DISCONNECT;
   }
   return reply_fd(c, blob.fd);
}

static int
handle_resource_unref(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   /* Unknown ids are ignored, as the reference server does: the guest may race its own frees. */
   if (c->ctx && pv_id_table_remove(&c->resources, p[0]))
      pv_context_destroy_blob(c->ctx, p[0]);
   return VTEST_OK;
}

static int
handle_sync_create(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   pthread_mutex_lock(&c->sync_lock);
   uint32_t id = vtest_sync_create(&c->syncs, vtest_u64(p));
   pthread_mutex_unlock(&c->sync_lock);
   if (!id) {
      vtest_client_set_lost(c, "too many syncs");
      return vtest_client_reply_failure(c, VCMD_SYNC_CREATE);
   }
   return reply_words(c, VCMD_SYNC_CREATE, &id, 1);
}

static int
handle_sync_unref(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   pthread_mutex_lock(&c->sync_lock);
   bool ok = vtest_sync_unref(&c->syncs, p[0]);
   pthread_mutex_unlock(&c->sync_lock);
   if (!ok)
      vtest_client_set_lost(c, "SYNC_UNREF of unknown sync %u", p[0]);
   return VTEST_OK;
}

static int
handle_sync_read(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   uint64_t value;
   pthread_mutex_lock(&c->sync_lock);
   bool ok = vtest_sync_read(&c->syncs, p[0], &value);
   pthread_mutex_unlock(&c->sync_lock);
   if (!ok) {
      vtest_client_set_lost(c, "SYNC_READ of unknown sync %u", p[0]);
      return vtest_client_reply_failure(c, VCMD_SYNC_READ);
   }
   uint32_t r[2] = {(uint32_t)value, (uint32_t)(value >> 32)};
   return reply_words(c, VCMD_SYNC_READ, r, 2);
}

static int
handle_sync_write(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   (void)len;
   pthread_mutex_lock(&c->sync_lock);
   bool ok = vtest_sync_write(&c->syncs, p[0], vtest_u64(&p[1]));
   vtest_sync_settle(&c->syncs);
   pthread_mutex_unlock(&c->sync_lock);
   if (!ok)
      vtest_client_set_lost(c, "SYNC_WRITE of unknown sync %u", p[0]);
   return VTEST_OK;
}

static int
handle_sync_wait(struct vtest_client *c, const uint32_t *p, uint32_t len)
{
   if ((len - 2) % 3) {
      vtest_client_set_lost(c, "SYNC_WAIT payload of %u dwords", len);
      return vtest_client_reply_failure(c, VCMD_SYNC_WAIT);
   }
   uint32_t count = (len - 2) / 3;
   if (count > VTEST_MAX_WAIT_ENTRIES) {
      vtest_client_set_lost(c, "SYNC_WAIT on %u syncs", count);
      return vtest_client_reply_failure(c, VCMD_SYNC_WAIT);
   }
   struct vtest_wait_entry entries[VTEST_MAX_WAIT_ENTRIES];
   for (uint32_t i = 0; i < count; i++) {
      entries[i].sync_id = p[2 + 3 * i];
      entries[i].value = vtest_u64(&p[3 + 3 * i]);
   }
   bool bad_id;
   pthread_mutex_lock(&c->sync_lock);
   int fd =
      vtest_sync_wait(&c->syncs, p[0] & VCMD_SYNC_WAIT_FLAG_ANY, p[1], entries, count, &bad_id);
   pthread_mutex_unlock(&c->sync_lock);
   if (fd < 0) {
      vtest_client_set_lost(c, bad_id ? "SYNC_WAIT on an unknown sync" : "SYNC_WAIT failed");
      return vtest_client_reply_failure(c, VCMD_SYNC_WAIT);
   }
   if (reply_words(c, VCMD_SYNC_WAIT, NULL, 0)) {
      close(fd);
      return VTEST_DISCONNECT;
   }
   return reply_fd(c, fd);
}

struct vtest_command {
   uint32_t id;
   const char *name;
   uint32_t min_dwords, max_dwords;
   int (*handle)(struct vtest_client *c, const uint32_t *payload, uint32_t dwords);
};

/* Exact payload sizes per command; a message of another size is refused before its handler. */
static const struct vtest_command commands[] = {
   {VCMD_RESOURCE_UNREF, "RESOURCE_UNREF", 1, 1, handle_resource_unref},
   {VCMD_RESOURCE_BUSY_WAIT, "RESOURCE_BUSY_WAIT", 2, 2, handle_busy_wait},
   {VCMD_PING_PROTOCOL_VERSION, "PING_PROTOCOL_VERSION", 0, 0, handle_ping},
   {VCMD_PROTOCOL_VERSION, "PROTOCOL_VERSION", 1, 1, handle_protocol_version},
   {VCMD_GET_PARAM, "GET_PARAM", 1, 1, handle_get_param},
   {VCMD_GET_CAPSET, "GET_CAPSET", 2, 2, handle_get_capset},
   {VCMD_CONTEXT_INIT, "CONTEXT_INIT", 1, 1, handle_context_init},
   {VCMD_RESOURCE_CREATE_BLOB, "RESOURCE_CREATE_BLOB", 6, 6, handle_resource_create_blob},
   {VCMD_SYNC_CREATE, "SYNC_CREATE", 2, 2, handle_sync_create},
   {VCMD_SYNC_UNREF, "SYNC_UNREF", 1, 1, handle_sync_unref},
   {VCMD_SYNC_READ, "SYNC_READ", 1, 1, handle_sync_read},
   {VCMD_SYNC_WRITE, "SYNC_WRITE", 3, 3, handle_sync_write},
   {VCMD_SYNC_WAIT, "SYNC_WAIT", 2, 2 + 3 * VTEST_MAX_WAIT_ENTRIES, handle_sync_wait},
   {VCMD_SUBMIT_CMD2, "SUBMIT_CMD2", 1, VTEST_MAX_SUBMIT_DWORDS, vtest_handle_submit_cmd2},
};

static const struct vtest_command *
find_command(uint32_t id)
{
   for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
      if (commands[i].id == id)
         return &commands[i];
   }
   return NULL;
}

static bool
reserve_payload(struct vtest_client *c, uint32_t dwords)
{
   if (dwords <= c->payload_cap)
      return true;
   size_t cap = c->payload_cap ? c->payload_cap : 256;
   while (cap < dwords)
      cap *= 2;
   uint32_t *p = realloc(c->payload, cap * 4);
   if (!p)
      return false;
   c->payload = p;
   c->payload_cap = cap;
   return true;
}

/* Reads and runs one message. Returns VTEST_DISCONNECT when the client is gone. */
static int
serve_one(struct vtest_client *c)
{
   uint32_t hdr[VTEST_HDR_DWORDS];
   if (vtest_read_full(c->sock, hdr, sizeof(hdr)))
      return VTEST_DISCONNECT;
   uint32_t len = hdr[VTEST_HDR_LEN], id = hdr[VTEST_HDR_CMD];
   const struct vtest_command *cmd = find_command(id);
   if (!cmd || len < cmd->min_dwords || len > cmd->max_dwords)
      vtest_record_message(&c->early, c->ctx, hdr, NULL, 0); /* its payload is skipped */
   if (!cmd) {
      vtest_client_set_lost(c, "unknown command %u (%u dwords)", id, len);
      return vtest_skip(c->sock, (uint64_t)len * 4) ? VTEST_DISCONNECT : VTEST_OK;
   }
   if (len < cmd->min_dwords || len > cmd->max_dwords) {
      vtest_client_set_lost(c, "%s with a %u-dword payload", cmd->name, len);
      if (vtest_skip(c->sock, (uint64_t)len * 4))
         return VTEST_DISCONNECT;
      return vtest_client_reply_failure(c, id);
   }
   if (!reserve_payload(c, len)) {
      vtest_client_set_lost(c, "out of memory for a %u-dword %s", len, cmd->name);
      if (vtest_skip(c->sock, (uint64_t)len * 4))
         return VTEST_DISCONNECT;
      return vtest_client_reply_failure(c, id);
   }
   if (vtest_read_full(c->sock, c->payload, (size_t)len * 4))
      return VTEST_DISCONNECT;
   pv_dbg("client '%s': %s (%u dwords)", c->name, cmd->name, len);
   c->last_cmd = id;
   publish_command(id);
   int r = cmd->handle(c, c->payload, len);
   publish_command(UINT32_MAX);
   /* After the handler: a replay finds it after the records it made (the streams and fences of
    * a SUBMIT_CMD2 before the syncs it sets). */
   vtest_record_message(&c->early, c->ctx, hdr, c->payload, (size_t)len * 4);
   return r;
}

/* CREATE_RENDERER must come first; its length is in bytes. */
static int
read_create_renderer(struct vtest_client *c)
{
   uint32_t hdr[VTEST_HDR_DWORDS];
   if (vtest_read_full(c->sock, hdr, sizeof(hdr)))
      return VTEST_DISCONNECT;
   uint32_t len = hdr[VTEST_HDR_LEN];
   if (hdr[VTEST_HDR_CMD] != VCMD_CREATE_RENDERER || len > VTEST_MAX_NAME_BYTES) {
      pv_warn("client did not start with CREATE_RENDERER (command %u, length %u); closing",
              hdr[VTEST_HDR_CMD], len);
      return VTEST_DISCONNECT;
   }
   char name[sizeof(c->name)];
   size_t keep = len < sizeof(name) ? len : sizeof(name) - 1;
   if (vtest_read_full(c->sock, name, keep) || vtest_skip(c->sock, len - keep))
      return VTEST_DISCONNECT;
   vtest_record_message(&c->early, NULL, hdr, name, keep);
   name[keep] = '\0';
   /* Keep the name printable: it ends up in logs. */
   for (char *s = name; *s; s++) {
      if (*s < 0x20 || *s > 0x7e)
         *s = '?';
   }
   snprintf(c->name, sizeof(c->name), "%s", name[0] ? name : "(unnamed)");
   pv_info("client '%s' connected", c->name);
   vtest_client_stats_named(&c->stats, c->name, c->config->wire_format);
   return VTEST_OK;
}

/* A Mesa guest that reads the capset and hangs up without running anything (Mesa 25 still sends
 * CONTEXT_INIT first) did not like the wire format it found: the vtest handshake cannot tell the
 * dialects apart, so the socket chose the wrong one. Say which socket it needs. */
static void
explain_early_hangup(const struct vtest_client *c)
{
   if (c->last_cmd != VCMD_GET_CAPSET && c->last_cmd != VCMD_CONTEXT_INIT)
      return;
   uint32_t wire = c->config ? c->config->wire_format : 0;
   pv_warn("client '%s' hung up right after reading the Venus capset (wire format %u), as a guest "
           "of the other dialect does: Mesa >= 23.1 guests need a wire-1 socket (serve "
           "--socket PATH:1, then VTEST_SOCKET_NAME=PATH in the guest's environment), Mesa <= 23.0 "
           "guests (always %s) a wire-0 one",
           c->name, wire, VTEST_DEFAULT_SOCKET);
}

/* The watcher's tick (vtest_watch.h): under its lock, so ctx lives. */
static void
stats_tick(void *data, struct pv_context *ctx)
{
   struct vtest_client *c = data;
   vtest_client_stats_publish(&c->stats, ctx);
}

int
vtest_client_serve(int sock, const struct pv_renderer_config *config)
{
   struct vtest_watch watch;
   struct vtest_client c = {.sock = sock, .config = config, .next_res_id = 1, .watch = &watch};
   snprintf(c.name, sizeof(c.name), "(connecting)");
   vtest_client_stats_begin(&c.stats, g_page ? &g_page->stats : NULL);
   vtest_watch_start(&watch, sock, vtest_watch_single_client_process());
   vtest_watch_set_tick(&watch, stats_tick, &c);
   vtest_sync_table_init(&c.syncs);
   /* Each pending wait keeps an fd: part of the client's fd budget (--threads shares one table). */
   if (config->max_fds && config->max_fds < c.syncs.max_waits)
      c.syncs.max_waits = (uint32_t)config->max_fds;
   pthread_mutex_init(&c.sync_lock, NULL);
   pv_id_table_init(&c.resources);
   int ret = 0;
   c.renderer = pv_renderer_create(config);
   if (!c.renderer) {
      ret = -1;
   } else if (read_create_renderer(&c) == VTEST_OK) {
      while (serve_one(&c) == VTEST_OK)
         ;
      explain_early_hangup(&c);
      pv_info("client '%s' disconnected%s", c.name, c.lost ? " (its context was lost)" : "");
   }
   if (c.ctx)
      vtest_watch_set_context(&watch, NULL); /* no tick publishes from here on */
   vtest_client_stats_end(&c.stats, c.ctx, ret ? "server failure" : "hung up");
   if (c.ctx) {
      pv_context_destroy(c.ctx);
      pv_info("client '%s': context destroyed, every host object released", c.name);
   }
   pv_renderer_destroy(c.renderer);
   vtest_timelines_fini(&c);
   vtest_sync_table_fini(&c.syncs);
   pthread_mutex_destroy(&c.sync_lock);
   pv_id_table_fini(&c.resources);
   free(c.payload);
   vtest_record_early_fini(&c.early);
   vtest_watch_finish(&watch);
   close(sock);
   return ret;
}
