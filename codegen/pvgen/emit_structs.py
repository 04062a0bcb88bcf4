# SPDX-License-Identifier: MIT
"""Per-struct C: full decoder, partial decoder (outs), reply encoder, chain descriptors and
per-parent chain lookups (switch on sType)."""
from .ctypes import Unsupported, elem_kind, len_target
from .emit_members import MemberCode


def _body(lines, indent='   '):
    return [indent + x if x else x for x in lines]


class StructCode:
    """Generated code for one struct/union: .funcs[kind] -> list of C lines, .deps_*"""

    def __init__(self, gen, name):
        self.gen, self.name = gen, name
        self.reg = gen.reg
        self.s = self.reg.structs[name]
        self.mc = MemberCode(gen.reg, gen.proto, name)
        self.funcs = {}
        self.protos = []

    @property
    def has_chain(self):
        return self.s.member('pNext') is not None

    def stype_value(self):
        vals = self.reg.enums['VkStructureType'].values
        if self.s.stype not in vals:
            raise Unsupported('%s: sType %s has no value' % (self.name, self.s.stype))
        return vals[self.s.stype]

    def members(self):
        return [m for m in self.s.members if m.name not in ('sType', 'pNext')]

    def siblings(self):
        return {m.name: m for m in self.s.members}

    def inout_counts(self, variant=None):
        """Members that are the count of another member (encoded in partials, unless WA1)."""
        wa1 = variant.wa1 if variant else self.gen.proto.wa1
        out = set()
        for m in self.s.members:
            t = len_target(m)
            # A static array's len (memoryTypes[32] len="memoryTypeCount") only says how many
            # entries are valid; its wire count is the static size, so the count member is a
            # plain value that partials skip (found by the Mesa conformance test).
            if m.array:
                continue
            if t and '%s.%s' % (self.name, t) not in wa1:
                out.add(t)
        return out

    def _header(self, partial, variant=None):
        """sType check + chain decode lines."""
        out = []
        if self.s.stype:
            v = self.stype_value()
            out.append('pv_cs_check_stype(d, pv_cs_read_i32(d), %d, "%s");' % (v, self.name))
            out.append('v->sType = (VkStructureType)%d;' % v)
        if self.has_chain:
            sfx = variant.suffix if variant and self.name in variant.lookups else ''
            look = ('pv_chain_%s%s' % (self.name, sfx) if self.gen.chain_members(self.name)
                    else 'NULL')
            out.append('v->pNext = pv_protocol_decode_chain(d, %s, %s, "%s");'
                       % (look, 'true' if partial else 'false', self.name))
        return out

    # ----- decoders ----------------------------------------------------------------------------
    def gen_in(self):
        n, sib = self.name, self.siblings()
        if self.s.is_union:
            return self.gen_union()
        body = []
        for m in self.members():
            body += self.mc.dec_member(m, 'v->', sib, 'in')
        self.funcs['in'] = (
            ['void', 'pv_dec_%s_self(struct pv_cs_decoder *d, void *p)' % n, '{',
             '   %s *v = p;' % n, '   (void)v;'] + _body(body or ['(void)d;']) +
            ['}', '', 'void', 'pv_decode_%s(struct pv_cs_decoder *d, %s *v)' % (n, n), '{'] +
            _body(self._header(False) + ['pv_dec_%s_self(d, v);' % n]) + ['}', ''])
        self.protos += ['void pv_dec_%s_self(struct pv_cs_decoder *d, void *p);' % n,
                        'void pv_decode_%s(struct pv_cs_decoder *d, %s *v);' % (n, n)]

    def gen_union(self):
        """Unions: a u32 tag selecting the member (quirks.union_default_tags)."""
        n = self.name
        body = ['switch (pv_cs_read_u32(d)) {']
        for i, m in enumerate(self.s.members):
            body.append('case %d:' % i)
            body += _body(self.mc.dec_member(m, 'v->', self.siblings(), 'in'))
            body.append('   break;')
        body += ['default:', '   pv_cs_set_fatal(d, "%s: unknown union tag");' % n, '   break;', '}']
        self.funcs['in'] = (['void', 'pv_decode_%s(struct pv_cs_decoder *d, %s *v)' % (n, n), '{']
                            + _body(body) + ['}', ''])
        self.protos.append('void pv_decode_%s(struct pv_cs_decoder *d, %s *v);' % (n, n))

    def gen_partial(self, variant=None):
        """The partial decoder; with a Variant, that dialect's copy (names + suffix)."""
        n, sib, inout = self.name, self.siblings(), self.inout_counts(variant)
        sfx = variant.suffix if variant else ''
        if self.s.is_union:
            raise Unsupported('union %s in an output' % n)
        mc = MemberCode(self.gen.reg, self.gen.proto, n, variant)
        body = []
        for m in self.members():
            body += mc.dec_member(m, 'v->', sib, 'out', inout=m.name in inout)
        if variant is None:
            self.mc.deps_in |= mc.deps_in
            self.mc.deps_out |= mc.deps_out
            self.partial_deps = mc.deps_out  # structs the partial decoder calls
        self.funcs['partial' + sfx] = (
            ['void', 'pv_dec_%s_self_partial%s(struct pv_cs_decoder *d, void *p)' % (n, sfx), '{',
             '   %s *v = p;' % n, '   (void)v;'] + _body(body or ['(void)d;']) +
            ['}', '', 'void', 'pv_decode_%s_partial%s(struct pv_cs_decoder *d, %s *v)'
             % (n, sfx, n), '{']
            + _body(self._header(True, variant) + ['pv_dec_%s_self_partial%s(d, v);' % (n, sfx)])
            + ['}', ''])
        self.protos += ['void pv_dec_%s_self_partial%s(struct pv_cs_decoder *d, void *p);'
                        % (n, sfx),
                        'void pv_decode_%s_partial%s(struct pv_cs_decoder *d, %s *v);'
                        % (n, sfx, n)]

    # ----- reply encoder -----------------------------------------------------------------------
    def gen_encode(self):
        n, sib = self.name, self.siblings()
        if self.s.is_union:
            raise Unsupported('union %s in a reply' % n)
        body = []
        for m in self.members():
            body += self.mc.enc_member(m, 'v->', sib)
        head = []
        if self.s.stype:
            head.append('pv_cs_write_i32(e, (int32_t)v->sType);')
        if self.has_chain:
            look = 'pv_chain_%s' % n if self.gen.chain_members(n) else 'NULL'
            head.append('pv_protocol_encode_chain(e, %s, v->pNext);' % look)
        self.funcs['encode'] = (
            ['void', 'pv_enc_%s_self(struct pv_cs_encoder *e, const void *p)' % n, '{',
             '   const %s *v = p;' % n, '   (void)v;'] + _body(body or ['(void)e;']) +
            ['}', '', 'void', 'pv_encode_%s(struct pv_cs_encoder *e, const %s *v)' % (n, n), '{']
            + _body(head + ['pv_enc_%s_self(e, v);' % n]) + ['}', ''])
        self.protos += ['void pv_enc_%s_self(struct pv_cs_encoder *e, const void *p);' % n,
                        'void pv_encode_%s(struct pv_cs_encoder *e, const %s *v);' % (n, n)]

    # ----- chains ------------------------------------------------------------------------------
    def gen_descriptor(self, has_partial, has_encode, variant=None):
        n = self.name
        sfx = variant.suffix if variant else ''
        self.funcs['desc' + sfx] = [
            'const struct pv_chain_type pv_ct_%s%s = {' % (n, sfx),
            '   .stype = %d,' % self.stype_value(),
            '   .size = sizeof(%s),' % n,
            '   .decode_self = pv_dec_%s_self,' % n,
            '   .decode_self_partial = %s,' % ('pv_dec_%s_self_partial%s' % (n, sfx)
                                              if has_partial else 'NULL'),
            '   .encode_self = %s,' % ('pv_enc_%s_self' % n if has_encode else 'NULL'),
            '   .name = "%s",' % n, '};', '']
        self.protos.append('extern const struct pv_chain_type pv_ct_%s%s;' % (n, sfx))

    def gen_lookup(self, members, variant=None):
        n = self.name
        sfx = variant.suffix if variant else ''
        body = ['switch (stype) {']
        for c in members:
            body += ['case %d:' % self.gen.structs[c].stype_value(),
                     '   return &pv_ct_%s%s;' % (c, variant.of(c) if variant else '')]
        body += ['default:', '   return NULL;', '}']
        what = ' (%s: partial decoding)' % variant.dialect if variant else ''
        self.funcs['lookup' + sfx] = (
            ['/* pNext members of %s that the protocol tables know%s */' % (n, what),
             'static const struct pv_chain_type *', 'pv_chain_%s%s(int32_t stype)' % (n, sfx), '{']
            + _body(body) + ['}', ''])
