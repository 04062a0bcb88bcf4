/* SPDX-License-Identifier: MIT */
/*
 * What graveyard.c keeps and release.c destroys: tombs of host handles the guest destroyed,
 * each with the queues' submission counts its handles wait for.
 */
#ifndef PV_VK_GRAVEYARD_INTERNAL_H
#define PV_VK_GRAVEYARD_INTERNAL_H

#include "vk/pv_vk.h"

struct pv_vk_grave {
   int32_t type;
   uint64_t handle;
   /* the object's state, freed after the handle (memory's mapping), or NULL */
   void *state;
   void (*free_state)(struct pv_context *ctx, struct pv_object *obj);
   /* the context's quota it holds, given back once it is released */
   uint64_t bytes;
   uint32_t fds;
};

struct pv_vk_tomb {
   struct pv_vk_tomb *next;
   uint32_t count, cap;
   struct pv_vk_grave *graves;
   uint64_t targets[]; /* per queue: the submissions that may use them */
};

/* Destroys the tomb's handles and frees their states and the tomb; adds what that gave back to
 * *out. Needs no context: release.c runs it on its own thread. */
void pv_vk_tomb_release(struct pv_vk_device *d, struct pv_vk_tomb *t, struct pv_vk_released *out);

/* The release thread (release.c). Hands a finished tomb to it; false when there is no thread
 * (the caller releases the tomb itself). */
bool pv_vk_release_later(struct pv_vk_device *d, struct pv_vk_tomb *t);
/* Waits until everything handed over is released. */
void pv_vk_release_settle(struct pv_vk_device *d);
/* Takes what was released since the last call (its quota to give back) and the signal of a host
 * crash on the thread (0: none). */
int pv_vk_release_take(struct pv_vk_device *d, struct pv_vk_released *out);

#endif
