/* SPDX-License-Identifier: MIT */
/* Client statistics slots (a seqlock each) and the server's registry of them (vtest_stats.h). */
#include "vtest/vtest_stats.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Static_assert(sizeof(struct vtest_stats_record) % sizeof(uint64_t) == 0,
               "the record is copied in 64-bit words");

/* A reader gives up on a slot whose writer stays inside a write this many looks (it died). */
#define VTEST_STATS_READ_TRIES 1000

uint64_t
vtest_stats_wall_ns(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_REALTIME, &ts);
   return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
vtest_stats_slot_write(struct vtest_stats_slot *slot, const struct vtest_stats_record *r)
{
   uint64_t words[VTEST_STATS_WORDS];
   memcpy(words, r, sizeof(words));
   uint64_t seq = atomic_load_explicit(&slot->seq, memory_order_relaxed);
   atomic_store_explicit(&slot->seq, seq + 1, memory_order_relaxed);
   atomic_thread_fence(memory_order_release);
   for (size_t i = 0; i < VTEST_STATS_WORDS; i++)
      atomic_store_explicit(&slot->words[i], words[i], memory_order_relaxed);
   atomic_store_explicit(&slot->seq, seq + 2, memory_order_release);
}

bool
vtest_stats_slot_read(const struct vtest_stats_slot *slot, struct vtest_stats_record *r)
{
   struct vtest_stats_slot *s = (struct vtest_stats_slot *)slot;
   uint64_t words[VTEST_STATS_WORDS];
   bool ok = false;
   for (int tries = 0; tries < VTEST_STATS_READ_TRIES && !ok; tries++) {
      uint64_t before = atomic_load_explicit(&s->seq, memory_order_acquire);
      for (size_t i = 0; i < VTEST_STATS_WORDS; i++)
         words[i] = atomic_load_explicit(&s->words[i], memory_order_relaxed);
      atomic_thread_fence(memory_order_acquire);
      uint64_t after = atomic_load_explicit(&s->seq, memory_order_relaxed);
      ok = !(before & 1) && before == after;
      if (!ok)
         sched_yield();
   }
   memcpy(r, words, sizeof(words));
   /* Strings from another process are never trusted to be terminated. */
   r->name[sizeof(r->name) - 1] = '\0';
   r->last_command_name[sizeof(r->last_command_name) - 1] = '\0';
   r->lost_reason[sizeof(r->lost_reason) - 1] = '\0';
   r->state[sizeof(r->state) - 1] = '\0';
   return ok;
}

static _Atomic uint64_t g_next_id = 1;

void
vtest_stats_slot_start(struct vtest_stats_slot *slot)
{
   struct vtest_stats_record r;
   memset(&r, 0, sizeof(r));
   r.id = atomic_fetch_add(&g_next_id, 1);
   r.start_ns = vtest_stats_wall_ns();
   r.connected = 1;
   r.last_command = -1;
   strcpy(r.name, "(connecting)");
   strcpy(r.state, "connecting");
   vtest_stats_slot_write(slot, &r);
}

struct tracked {
   struct vtest_stats_slot *slot;
   pid_t pid;
   char state[64]; /* shown instead of the record's when set (vtest_stats_mark) */
};

/* Under g_lock: clients are tracked and untracked by client threads with --threads. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tracked *g_live;
static size_t g_live_count, g_live_cap;
static struct vtest_stats_record g_departed[VTEST_STATS_DEPARTED];
static size_t g_departed_count, g_departed_next;

void
vtest_stats_track(struct vtest_stats_slot *slot, pid_t pid)
{
   if (!slot)
      return;
   pthread_mutex_lock(&g_lock);
   if (g_live_count == g_live_cap) {
      size_t cap = g_live_cap ? g_live_cap * 2 : 16;
      struct tracked *n = realloc(g_live, cap * sizeof(*n));
      if (n) {
         g_live = n;
         g_live_cap = cap;
      }
   }
   /* Out of memory: the client is served, only not shown. */
   if (g_live_count < g_live_cap)
      g_live[g_live_count++] = (struct tracked){.slot = slot, .pid = pid};
   pthread_mutex_unlock(&g_lock);
}

/* The record as shown now: uptime so far, the pid the server knows. */
static void
read_tracked(const struct tracked *t, struct vtest_stats_record *r, uint64_t now)
{
   vtest_stats_slot_read(t->slot, r);
   if (t->pid)
      r->pid = (uint64_t)t->pid;
   if (t->state[0])
      snprintf(r->state, sizeof(r->state), "%s", t->state);
   r->uptime_ms = now > r->start_ns ? (now - r->start_ns) / 1000000 : 0;
}

void
vtest_stats_mark(struct vtest_stats_slot *slot, const char *state)
{
   pthread_mutex_lock(&g_lock);
   for (size_t i = 0; i < g_live_count; i++)
      if (g_live[i].slot == slot)
         snprintf(g_live[i].state, sizeof(g_live[i].state), "%s", state ? state : "");
   pthread_mutex_unlock(&g_lock);
}

void
vtest_stats_untrack(struct vtest_stats_slot *slot, const char *state)
{
   if (!slot)
      return;
   uint64_t now = vtest_stats_wall_ns();
   pthread_mutex_lock(&g_lock);
   for (size_t i = 0; i < g_live_count; i++) {
      if (g_live[i].slot != slot)
         continue;
      struct vtest_stats_record *r = &g_departed[g_departed_next];
      read_tracked(&g_live[i], r, now);
      r->connected = 0;
      r->commands_per_s = 0;
      snprintf(r->state, sizeof(r->state), "%s", state);
      g_departed_next = (g_departed_next + 1) % VTEST_STATS_DEPARTED;
      if (g_departed_count < VTEST_STATS_DEPARTED)
         g_departed_count++;
      g_live[i] = g_live[--g_live_count];
      break;
   }
   pthread_mutex_unlock(&g_lock);
}

void
vtest_stats_forget_in_child(void)
{
   /* The parent was single-threaded at the fork: the lock is free. */
   free(g_live);
   g_live = NULL;
   g_live_count = g_live_cap = 0;
   g_departed_count = g_departed_next = 0;
}

size_t
vtest_stats_collect(struct vtest_stats_record **out)
{
   uint64_t now = vtest_stats_wall_ns();
   pthread_mutex_lock(&g_lock);
   size_t n = g_live_count + g_departed_count;
   *out = n ? calloc(n, sizeof(**out)) : NULL;
   if (!*out)
      n = 0;
   size_t k = 0;
   for (size_t i = 0; i < g_live_count && k < n; i++)
      read_tracked(&g_live[i], &(*out)[k++], now);
   /* the departed, oldest first */
   size_t first =
      (g_departed_next + VTEST_STATS_DEPARTED - g_departed_count) % VTEST_STATS_DEPARTED;
   for (size_t i = 0; i < g_departed_count && k < n; i++)
      (*out)[k++] = g_departed[(first + i) % VTEST_STATS_DEPARTED];
   pthread_mutex_unlock(&g_lock);
   return n;
}
