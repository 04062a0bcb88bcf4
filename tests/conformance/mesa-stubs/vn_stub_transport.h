/* SPDX-License-Identifier: MIT */
/*
 * Pretend transport behind the stand-ins for Mesa's vn_instance.h (22.x) and vn_ring.h (25.x).
 *
 * The generated vn_submit_vkXxx/vn_call_vkXxx helpers in Mesa's protocol headers need
 * <prefix>_submit_command_init/_submit_command/_get_command_reply/_free_command_reply. Here a
 * submitted command is appended to `sent`, and the reply decoder reads `reply` (set by the
 * test beforehand; NULL means "no reply", which the helpers treat as out of memory). The
 * conformance test mostly calls vn_encode_vkXxx directly; these exist so the headers compile
 * and so a test can drive a full vn_call_vkXxx when it wants to.
 */
#ifndef PV_TEST_VN_STUB_TRANSPORT_H
#define PV_TEST_VN_STUB_TRANSPORT_H

#include "vn_cs.h"

#define VN_TRACE_FUNC() ((void)0)

struct vn_stub_transport {
   struct vn_cs_encoder sent; /* dynamic; every submitted command, concatenated */
   const void *reply;         /* bytes handed to the reply decoder */
   size_t reply_size;
   size_t last_reply_size;    /* reply size the guest computed for its last command */
};

struct vn_stub_submit_command {
   struct vn_cs_encoder command;
   struct vn_cs_decoder reply;
   size_t reply_size;
};

static inline struct vn_cs_encoder *
vn_stub_submit_command_init(struct vn_stub_transport *t, struct vn_stub_submit_command *submit,
                            void *cmd_data, size_t cmd_size, size_t reply_size)
{
   vn_cs_encoder_init_fixed(&submit->command, cmd_data, cmd_size);
   submit->reply_size = reply_size;
   t->last_reply_size = reply_size;
   return &submit->command;
}

static inline void
vn_stub_submit_command(struct vn_stub_transport *t, struct vn_stub_submit_command *submit)
{
   vn_cs_encoder_write(&t->sent, submit->command.len, submit->command.buf, submit->command.len);
}

static inline struct vn_cs_decoder *
vn_stub_get_command_reply(struct vn_stub_transport *t, struct vn_stub_submit_command *submit)
{
   if (!t->reply)
      return NULL;
   vn_cs_decoder_init(&submit->reply, t->reply, t->reply_size);
   return &submit->reply;
}

static inline void
vn_stub_free_command_reply(struct vn_stub_transport *t, struct vn_stub_submit_command *submit)
{
   (void)t;
   (void)submit;
}

#endif /* PV_TEST_VN_STUB_TRANSPORT_H */
