/* SPDX-License-Identifier: MIT */
/*
 * Notices a vtest client hanging up whatever the thread serving it is doing (reading, writing,
 * or stuck inside a host wait the guest asked for), and stops the client's context so that
 * thread is free within a second (issue 12). In a process per client it also ends the process
 * if teardown is still running PV_WATCH_GRACE_MS after the hang-up: a host call that never
 * returns must not keep the process, and the kernel releases everything it holds.
 */
#ifndef PV_VTEST_WATCH_H
#define PV_VTEST_WATCH_H

#include <pthread.h>
#include <stdbool.h>

#include "pearvisor/pearvisor.h"
#include "util/os.h"

/* From the hang-up to the forced exit of a client process whose teardown does not finish. */
#define PV_WATCH_GRACE_MS 750

struct vtest_watch {
   int sock;
   bool exit_when_stuck;
   pthread_t thread;
   bool running;
   struct pv_os_event done; /* the serving thread finished with the client */
   pthread_mutex_t lock;
   struct pv_context *ctx; /* under lock; what to stop */
   bool gone;              /* under lock: the client hung up */
   /* Called every VTEST_WATCH_TICK_MS with the context, under lock (vtest_client_stats.h). */
   void (*tick)(void *data, struct pv_context *ctx);
   void *tick_data;
};

/* How often the watcher publishes the client's statistics. */
#define VTEST_WATCH_TICK_MS 250

/* Starts watching `sock`. exit_when_stuck: this process serves only this client. False when no
 * watcher could be started (the client is then served without one). */
bool vtest_watch_start(struct vtest_watch *w, int sock, bool exit_when_stuck);
/* The context to stop on hang-up (NULL before destroying it). Stops it at once if the client has
 * already gone. */
void vtest_watch_set_context(struct vtest_watch *w, struct pv_context *ctx);
/* What to call every VTEST_WATCH_TICK_MS while a context is set (NULL: nothing). */
void vtest_watch_set_tick(struct vtest_watch *w, void (*tick)(void *data, struct pv_context *ctx),
                          void *data);
/* Whether the client has hung up. */
bool vtest_watch_gone(struct vtest_watch *w);
/* The client is fully served: ends the watcher. */
void vtest_watch_finish(struct vtest_watch *w);

/* Process-wide: this process serves one client (a forked child), so it may exit on its own. */
void vtest_watch_set_single_client_process(bool on);
bool vtest_watch_single_client_process(void);

#endif
