/* SPDX-License-Identifier: MIT */
/*
 * Plug-in point for OUR host side (src/protocol generated tables + src/cs). The generated
 * command tests never include pv_protocol_gen.h (its MESA typedefs clash with Mesa's
 * vn_protocol_driver_defines.h); they reach our decoders through the generic table entry of
 * each command type and declare a layout twin of each pv_args_vkXxx struct, whose size is
 * checked against the table's args_size.
 */
#ifndef CONF_HOST_H
#define CONF_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "conf_runtime.h"

/* Decodes one encoded command (header included) with our decoder. Returns the decoded args
 * (valid until the next conf_host_decode) or NULL after reporting a failure. */
void *conf_host_decode(struct conf_ctx *c, int32_t type, const void *data, size_t size,
                       size_t args_size);
/* Encodes our reply for the args last decoded; returns the bytes (valid until the next call)
 * and their count, or NULL after reporting a failure. */
const void *conf_host_encode_reply(struct conf_ctx *c, int32_t type, const void *args,
                                   size_t *size);
/* Every strict prefix of the command must leave our decoder fatal, without crashing. */
void conf_host_truncations(struct conf_ctx *c, int32_t type, const void *data, size_t size);

#endif /* CONF_HOST_H */
