/* SPDX-License-Identifier: MIT */
/* A table's extensions and commands by name. */
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

struct command_key {
   const struct pv_protocol_table *t;
   const char *name;
};

static int
command_by_name(const void *key, const void *elem)
{
   const struct command_key *k = key;
   return strcmp(k->name, k->t->entries[*(const uint16_t *)elem].name);
}

/*
 * A renderer installs its handlers, checks and hooks by command name, a few hundred per dialect
 * and per renderer, and a vtest client process makes its own renderer: a walk of the table per
 * name cost ~9 M instructions of every client's start (callgrind); a binary search ~0.3 M.
 */
int32_t
pv_protocol_command_find(const struct pv_protocol_table *t, const char *name)
{
   if (!t || !t->named_count || !name)
      return -1;
   const struct command_key key = {t, name};
   const uint16_t *i =
      bsearch(&key, t->by_name, t->named_count, sizeof(t->by_name[0]), command_by_name);
   return i ? (int32_t)*i : -1;
}
