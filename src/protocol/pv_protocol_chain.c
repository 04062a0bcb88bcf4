/* SPDX-License-Identifier: MIT */
/* pNext chain walkers shared by every generated struct decoder/encoder. */
#include "protocol/pv_protocol.h"

#include <stdio.h>

/* Every chain struct begins like VkBaseOutStructure; we only touch these two fields. */
struct pv_chain_node {
   int32_t stype;
   struct pv_chain_node *next;
};

void *
pv_protocol_decode_chain(struct pv_cs_decoder *d, pv_chain_lookup_fn lookup, bool partial,
                         const char *parent)
{
   struct pv_chain_node *nodes[PV_CHAIN_MAX];
   const struct pv_chain_type *types[PV_CHAIN_MAX];
   uint32_t n = 0;
   char msg[128];

   while (pv_cs_read_count(d) && !pv_cs_fatal(d)) {
      int32_t stype = pv_cs_read_i32(d);
      const struct pv_chain_type *t = lookup ? lookup(stype) : NULL;
      void (*dec)(struct pv_cs_decoder *, void *) =
         t ? (partial ? t->decode_self_partial : t->decode_self) : NULL;
      if (!dec || n == PV_CHAIN_MAX) {
         /* the struct's size is not on the wire, so it cannot be skipped (§1.5) */
         snprintf(msg, sizeof(msg), "%s: %s sType %d in pNext", parent,
                  n == PV_CHAIN_MAX ? "too long a chain at" : "unknown", stype);
         pv_cs_set_fatal(d, msg);
         return NULL;
      }
      struct pv_chain_node *node = pv_cs_alloc(d, 1, t->size);
      if (!node)
         return NULL;
      node->stype = stype;
      if (n)
         nodes[n - 1]->next = node;
      types[n] = t;
      nodes[n++] = node;
   }
   for (uint32_t i = n; i-- > 0;) {
      void (*dec)(struct pv_cs_decoder *, void *) =
         partial ? types[i]->decode_self_partial : types[i]->decode_self;
      dec(d, nodes[i]);
   }
   return n && !pv_cs_fatal(d) ? nodes[0] : NULL;
}

void
pv_protocol_encode_chain(struct pv_cs_encoder *e, pv_chain_lookup_fn lookup, const void *pnext)
{
   const struct pv_chain_node *nodes[PV_CHAIN_MAX];
   const struct pv_chain_type *types[PV_CHAIN_MAX];
   uint32_t n = 0;
   for (const struct pv_chain_node *c = pnext; c; c = c->next) {
      const struct pv_chain_type *t = lookup ? lookup(c->stype) : NULL;
      if (!t || !t->encode_self)
         continue;
      if (n == PV_CHAIN_MAX) {
         /* cannot come from a decoded chain (the decoder stops at the same limit) */
         pv_cs_status_fatal(e->status, "reply chain longer than %d structs", PV_CHAIN_MAX);
         return;
      }
      pv_cs_write_u64(e, 1);
      pv_cs_write_i32(e, c->stype);
      types[n] = t;
      nodes[n++] = c;
   }
   pv_cs_write_u64(e, 0);
   for (uint32_t i = n; i-- > 0;)
      types[i]->encode_self(e, nodes[i]);
}
