/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "protocol/pv_protocol.h"

static int
by_name(const void *key, const void *elem)
{
   return strcmp(key, ((const struct pv_protocol_extension *)elem)->name);
}

/*
 * Every physical device a guest enumerates has each of its host extensions looked up here
 * (~150 on lavapipe, ~200 on NVIDIA, per context): the generated tables are sorted by name, in
 * strcmp order, so a lookup is a binary search instead of a walk of the whole table.
 */
const struct pv_protocol_extension *
pv_protocol_extension_find(const struct pv_protocol_table *t, const char *name)
{
   if (!t || !t->extension_count)
      return NULL;
   return bsearch(name, t->extensions, t->extension_count, sizeof(t->extensions[0]), by_name);
}
