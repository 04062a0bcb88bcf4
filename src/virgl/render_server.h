/* SPDX-License-Identifier: MIT */
/* The render server (render_server.c) and its client in the library (server_client.c). */
#ifndef PV_VIRGL_RENDER_SERVER_H
#define PV_VIRGL_RENDER_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

/* Serves PVS_* requests on `sock` until the VMM closes it (then returns -1 after ending every
 * worker it started), or returns in a newly forked worker with that worker's socket, and the
 * server's pid in *server (the worker ends if its parent is no longer that). */
int pvw_render_server(int sock, pid_t *server);

/* The library's side. `fd` is what get_server_fd gave, the library's from now on: if a
 * PearVisor render server answers on it, workers are asked of it from now on (true); otherwise
 * it is closed (false). */
bool vg_server_attach(int fd);
/* Lets the server go (cleanup): its socket is closed, so it ends; workers are the library's own
 * again until the next init attaches another. */
void vg_server_detach(void);
/* Whether workers come from a render server. */
bool vg_server_active(void);
/* A new worker waiting for PVW_INIT on *sock; *worker identifies it to the server. */
bool vg_server_new_worker(int *sock, pid_t *worker);
/* Asks the server to kill a worker it started (it reaps it). */
void vg_server_kill(pid_t worker);
/* How a worker the server started ended: 0 with its wait status in *status, -EAGAIN while it
 * runs, -ESRCH when the server does not know it (any more), -EIO when it does not answer. */
int vg_server_worker_status(pid_t worker, int *status);

#endif
