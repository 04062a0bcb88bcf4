/* SPDX-License-Identifier: MIT */
/* Test stand-in for Mesa 22.x src/virtio/vulkan/vn_instance.h; see vn_stub_transport.h. */
#ifndef PV_TEST_VN_INSTANCE_H
#define PV_TEST_VN_INSTANCE_H

#include "vn_stub_transport.h"

struct vn_instance {
   struct vn_stub_transport transport;
};

struct vn_instance_submit_command {
   struct vn_stub_submit_command base;
};

static inline struct vn_cs_encoder *
vn_instance_submit_command_init(struct vn_instance *instance,
                                struct vn_instance_submit_command *submit, void *cmd_data,
                                size_t cmd_size, size_t reply_size)
{
   return vn_stub_submit_command_init(&instance->transport, &submit->base, cmd_data, cmd_size,
                                      reply_size);
}

static inline void
vn_instance_submit_command(struct vn_instance *instance, struct vn_instance_submit_command *submit)
{
   vn_stub_submit_command(&instance->transport, &submit->base);
}

static inline struct vn_cs_decoder *
vn_instance_get_command_reply(struct vn_instance *instance,
                              struct vn_instance_submit_command *submit)
{
   return vn_stub_get_command_reply(&instance->transport, &submit->base);
}

static inline void
vn_instance_free_command_reply(struct vn_instance *instance,
                               struct vn_instance_submit_command *submit)
{
   vn_stub_free_command_reply(&instance->transport, &submit->base);
}

#endif /* PV_TEST_VN_INSTANCE_H */
