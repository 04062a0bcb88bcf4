/* SPDX-License-Identifier: MIT */
#ifndef PV_PROTOCOL_STATS_H
#define PV_PROTOCOL_STATS_H

#include <stdio.h>

/* Per dialect: commands in the table, decodable, with a handler, never sent. */
void pv_protocol_print_stats(FILE *f);

#endif
