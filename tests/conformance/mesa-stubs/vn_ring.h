/* SPDX-License-Identifier: MIT */
/* Test stand-in for Mesa 25.x src/virtio/vulkan/vn_ring.h; see vn_stub_transport.h. */
#ifndef PV_TEST_VN_RING_H
#define PV_TEST_VN_RING_H

#include "vn_stub_transport.h"

struct vn_ring {
   struct vn_stub_transport transport;
};

struct vn_ring_submit_command {
   struct vn_stub_submit_command base;
};

static inline struct vn_cs_encoder *
vn_ring_submit_command_init(struct vn_ring *ring, struct vn_ring_submit_command *submit,
                            void *cmd_data, size_t cmd_size, size_t reply_size)
{
   return vn_stub_submit_command_init(&ring->transport, &submit->base, cmd_data, cmd_size,
                                      reply_size);
}

static inline void
vn_ring_submit_command(struct vn_ring *ring, struct vn_ring_submit_command *submit)
{
   vn_stub_submit_command(&ring->transport, &submit->base);
}

static inline struct vn_cs_decoder *
vn_ring_get_command_reply(struct vn_ring *ring, struct vn_ring_submit_command *submit)
{
   return vn_stub_get_command_reply(&ring->transport, &submit->base);
}

static inline void
vn_ring_free_command_reply(struct vn_ring *ring, struct vn_ring_submit_command *submit)
{
   vn_stub_free_command_reply(&ring->transport, &submit->base);
}

#endif /* PV_TEST_VN_RING_H */
