/* SPDX-License-Identifier: MIT */
/* Included by the generated per-command files: Mesa's guest encoders plus the test runtime. */
#ifndef CONF_CMD_H
#define CONF_CMD_H

#include "vn_protocol_driver.h"

#include "conf_runtime.h"

/* Checks one Mesa encoding: no overflow, size == vn_sizeof_vkXxx, multiple of 4. */
void conf_check_encoded(struct conf_ctx *c, const char *vname, const struct vn_cs_encoder *enc,
                        size_t size, size_t reply_size);

#ifdef CONF_WITH_HOST
#include "conf_host.h"
#endif

#endif /* CONF_CMD_H */
