/* SPDX-License-Identifier: MIT */
/* The generated public header must compile on its own (nothing included before it). */
#include "pv_protocol_gen.h"

int
main(void)
{
   return sizeof(struct pv_args_vkCreateBuffer) > 0 ? 0 : 1;
}
