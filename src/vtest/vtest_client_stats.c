/* SPDX-License-Identifier: MIT */
/* The writer of one client's statistics slot (vtest_client_stats.h). */
#include "vtest/vtest_client_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/os.h"

/* commands_per_s covers at least this long, so a rate is never from a few ms of work. */
#define VTEST_STATS_RATE_WINDOW_NS 1000000000ull

void
vtest_client_stats_begin(struct vtest_client_stats *s, struct vtest_stats_slot *shared)
{
   memset(s, 0, sizeof(*s));
   s->slot = shared;
   if (!s->slot) {
      s->slot = calloc(1, sizeof(*s->slot));
      if (!s->slot)
         return; /* served, only not shown */
      s->owned = true;
      vtest_stats_slot_start(s->slot);
      vtest_stats_track(s->slot, 0);
   }
   vtest_stats_slot_read(s->slot, &s->rec);
   s->rec.pid = (uint64_t)getpid();
   vtest_stats_slot_write(s->slot, &s->rec);
}

void
vtest_client_stats_named(struct vtest_client_stats *s, const char *name, uint32_t wire)
{
   if (!s->slot)
      return;
   snprintf(s->rec.name, sizeof(s->rec.name), "%s", name);
   snprintf(s->rec.state, sizeof(s->rec.state), "serving");
   s->rec.wire_format = wire;
   vtest_stats_slot_write(s->slot, &s->rec);
}

static void
update_rate(struct vtest_client_stats *s)
{
   uint64_t now = pv_os_time_ns();
   if (!s->rate_start_ns) {
      s->rate_start_ns = now;
      s->rate_start_commands = s->rec.commands;
      return;
   }
   uint64_t dt = now - s->rate_start_ns;
   if (dt < VTEST_STATS_RATE_WINDOW_NS)
      return;
   /* A ring's counts join the context's total a moment after it is gone: never negative. */
   uint64_t done =
      s->rec.commands > s->rate_start_commands ? s->rec.commands - s->rate_start_commands : 0;
   s->rec.commands_per_s = (uint64_t)((double)done * 1e9 / (double)dt + 0.5);
   s->rate_start_ns = now;
   s->rate_start_commands = s->rec.commands;
}

static void
copy_context(struct vtest_stats_record *r, struct pv_context *ctx)
{
   struct pv_context_stats st = {.struct_size = sizeof(st)};
   if (pv_context_get_stats(ctx, &st) != 0)
      return;
   r->wire_format = st.wire_format;
   r->commands = st.commands;
   r->bytes_in = st.bytes_in;
   r->replies = st.replies;
   r->ring_wakeups = st.ring_wakeups;
   r->ring_idle = st.ring_idle;
   r->queue_drains = st.queue_drains;
   r->recorded_calls = st.recorded_calls;
   r->destroys_deferred = st.destroys_deferred;
   r->kept_objects = st.kept_objects;
   r->kept_device_memory = st.kept_device_memory;
   r->rings = st.rings;
   r->objects = st.objects;
   memcpy(r->objects_by_type, st.objects_by_type, sizeof(r->objects_by_type));
   r->device_memory = st.device_memory;
   r->device_memory_max = st.device_memory_max;
   r->blob_bytes = st.blob_bytes;
   r->blob_bytes_max = st.blob_bytes_max;
   r->last_command = st.last_command;
   snprintf(r->last_command_name, sizeof(r->last_command_name), "%s", st.last_command_name);
   r->lost = st.lost;
   snprintf(r->lost_reason, sizeof(r->lost_reason), "%s", st.lost_reason);
}

void
vtest_client_stats_publish(struct vtest_client_stats *s, struct pv_context *ctx)
{
   if (!s->slot)
      return;
   if (ctx)
      copy_context(&s->rec, ctx);
   update_rate(s);
   vtest_stats_slot_write(s->slot, &s->rec);
}

void
vtest_client_stats_end(struct vtest_client_stats *s, struct pv_context *ctx, const char *state)
{
   if (!s->slot)
      return;
   if (ctx)
      copy_context(&s->rec, ctx);
   s->rec.commands_per_s = 0;
   s->rec.connected = 0;
   snprintf(s->rec.state, sizeof(s->rec.state), "%s", state);
   vtest_stats_slot_write(s->slot, &s->rec);
   if (s->owned) {
      vtest_stats_untrack(s->slot, state);
      free(s->slot);
   }
   s->slot = NULL;
}
