#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the C of the Venus conformance test (tests/conformance/README.md).

For every command that Mesa's guest protocol headers can encode (every `vn_encode_vkXxx`), emit
C that builds sample calls, encodes them with Mesa, and (when host decoders are plugged in, see
--host, through tests/conformance/conf_host.c) decodes them with ours, compares, round-trips the reply and checks truncations.

Two sources, each used for what it knows best:
  - the Vulkan registry model (codegen/pvgen/registry.py): C types, members, len/altlen
    relations, enums/bitmasks (value pools), handles;
  - Mesa's generated headers: which commands exist, which members each encoder/decoder
    touches (`vn_encode_S_self`, `vn_encode_S_self_partial`, `vn_decode_S_self`), and which
    pNext structs each parent may chain (`vn_sizeof_S_pnext`, `..._pnext_partial`,
    `vn_decode_S_pnext`). The test thus exercises exactly what the real guest can send.

Usage: gen_samples.py --registry vk.xml [--extra frag.xml ...] --mesa DIR --wire NAME
                      --outdir DIR --parts N [--host]
Outputs: conf_<wire>_gen.h, conf_<wire>_structs_<i>.c, conf_<wire>_cmds_<i>.c,
         conf_<wire>_table.c.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'codegen'))
from pvgen.registry import Registry  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Policy: sample values the guest would never produce in a way that changes what it encodes.
# One entry per case, with the reason.
VALUE_POLICY = {
    ('VkBufferCreateInfo', 'sharingMode'): ('1', 'CONCURRENT: Mesa >= 23 omits '
                                            'pQueueFamilyIndices otherwise'),
    ('VkImageCreateInfo', 'sharingMode'): ('1', 'same as VkBufferCreateInfo'),
    ('VkPhysicalDeviceImageDrmFormatModifierInfoEXT', 'sharingMode'): ('1', 'same'),
    ('VkFramebufferCreateInfo', 'flags'): ('0', 'IMAGELESS makes Mesa >= 23 omit pAttachments'),
    ('vkCmdDrawMultiEXT', 'stride'): ('sizeof(VkMultiDrawInfoEXT)', 'Mesa walks pVertexInfo '
                                      'with this stride; the sample array is packed'),
    ('vkCmdDrawMultiIndexedEXT', 'stride'): ('sizeof(VkMultiDrawIndexedInfoEXT)', 'same'),
}
SAMPLE_ARRAY_MIN = 2  # arrays get 2 or 3 elements


def log(msg):
    print('gen_samples: ' + msg, file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Mesa header facts

def _strip_comments(text):
    return re.sub(r'/\*.*?\*/', '', text, flags=re.S)


class MesaProtocol:
    """What Mesa's generated guest headers encode/decode, read from the headers themselves."""

    FUNC_RE = re.compile(r'^(?:static inline [^\n]*\n)?(?:static inline [^\n(]*?)?'
                         r'\b(vn_\w+)\(([^)]*)\)\s*\n\{\n(.*?)\n\}\n', re.S | re.M)

    def __init__(self, directory):
        self.funcs = {}
        for name in sorted(os.listdir(directory)):
            if not name.endswith('.h'):
                continue
            with open(os.path.join(directory, name)) as f:
                text = f.read()
            for m in self.FUNC_RE.finditer(text):
                self.funcs[m.group(1)] = (m.group(2), m.group(3))
        self.commands = []
        for fn, (args, _) in self.funcs.items():
            m = re.fullmatch(r'vn_encode_(vk\w+)', fn)
            if m and args.startswith('struct vn_cs_encoder *enc, VkCommandFlagsEXT cmd_flags'):
                self.commands.append(m.group(1))
        self.commands.sort()

    def body(self, fn):
        f = self.funcs.get(fn)
        return f[1] if f else None

    def members(self, fn):
        """Members `val->x` a struct function touches (comments removed), or None."""
        b = self.body(fn)
        if b is None:
            return None
        return set(re.findall(r'val->(\w+)', _strip_comments(b)))

    def chain(self, struct, kind):
        """pNext structs of `struct`: kind 'in' (encode), 'partial', 'reply' (decode)."""
        fn = {'in': 'vn_sizeof_%s_pnext', 'partial': 'vn_sizeof_%s_pnext_partial',
              'reply': 'vn_decode_%s_pnext'}[kind] % struct
        b = self.body(fn)
        if b is None:
            return []
        out = []
        for t in re.findall(r'vn_(?:sizeof|decode)_(\w+?)_self(?:_partial)?\(', b):
            if t != struct and t not in out:
                out.append(t)
        return out

    def params_touched(self, fn):
        b = self.body(fn)
        return set(re.findall(r'\b(\w+)\b', _strip_comments(b))) if b else set()


# ---------------------------------------------------------------------------------------------
# Type shapes

class Shape:
    """How one member/param travels, derived from the registry Member."""

    def __init__(self, reg, m):
        self.m = m
        self.name = m.name
        self.t = m.type
        self.kind = reg.kind(m.type)
        self.static = m.array_sizes[:]
        self.len = m.len[0] if m.len else None
        self.altlen = m.altlen
        self.out_ptr = m.ptr >= 1 and not (m.const and m.const[0])
        if m.ptr == 0:
            self.what = 'value'
        elif m.type == 'char' and m.ptr == 1 and self.len == 'null-terminated':
            self.what = 'string'
        elif m.type == 'char' and m.ptr == 2 and len(m.len) == 2:
            self.what = 'string_array'
        elif m.type == 'void' and m.ptr == 1 and self.len:
            self.what = 'blob'
        elif m.type == 'void':
            self.what = 'opaque_ptr'
        elif m.ptr == 1 and self.len:
            self.what = 'array'
        elif m.ptr == 1:
            self.what = 'pointer'
        else:
            self.what = 'unsupported'


class Gen:
    def __init__(self, reg, mesa, wire, host):
        self.reg = reg
        self.mesa = mesa
        self.wire = wire
        self.host = host
        self.enum_tables = {}
        self.structs_needed = set()
        self.unsupported = {}
        self.chain_tables = {}

    # ----- helpers ---------------------------------------------------------------------------
    def struct(self, name):
        return self.reg.structs.get(self.reg.resolve(name))

    def scalar_fill(self, owner, m, lval):
        """C statement filling scalar lvalue `lval` of member m (registry Member)."""
        pol = VALUE_POLICY.get((owner, m.name))
        if pol:
            return '%s = %s; /* policy: %s */' % (lval, pol[0], pol[1])
        t = self.reg.resolve(m.type)
        k = self.reg.kind(t)
        if t == 'VkBool32':
            return '%s = conf_u32(c) & 1;' % lval
        if k == 'enum':
            tab = self.enum_table(t)
            if tab is None:
                return '%s = (%s)conf_u32(c);' % (lval, t)
            return '%s = (%s)%s[conf_u32(c) %% %s_n];' % (lval, t, tab, tab)
        if k == 'bitmask':
            bm = self.reg.bitmasks[t]
            mask = 0
            if bm.bits_enum and bm.bits_enum in self.reg.enums:
                for v in self.reg.enums[bm.bits_enum].values.values():
                    mask |= v
            mask &= (1 << (64 if bm.wide else 32)) - 1
            if bm.wide:
                return '%s = conf_u64(c) & 0x%xull;' % (lval, mask)
            return '%s = conf_u32(c) & 0x%xu;' % (lval, mask)
        if k == 'handle':
            return '%s = (%s)(uintptr_t)conf_id(c);' % (lval, t)
        w = self.reg.wire_scalar(t)
        if w in ('f32', 'f64'):
            return '%s = conf_f32(c);' % lval
        if w in ('u64', 'i64'):
            return '%s = (%s)conf_u64(c);' % (lval, t)
        if w in ('u32', 'i32', 'u16', 'i16', 'u8', 'i8'):
            return '%s = (%s)conf_u32(c);' % (lval, t)
        return None

    def enum_table(self, t):
        e = self.reg.enums.get(t)
        if e is None or not e.values:
            return None
        # values of supported extensions only: the decoder refuses the ones only a disabled
        # extension reserves (quirks.json rules.enum_values)
        vals = sorted({v for n, v in e.values.items() if not n.endswith('_MAX_ENUM')
                       and n not in e.disabled and -2**31 <= v < 2**31})
        if not vals:
            return None
        name = 'conf_enum_' + t
        self.enum_tables[name] = vals
        return name

    def is_scalar_kind(self, t):
        k = self.reg.kind(t)
        return k in ('enum', 'bitmask', 'handle', 'base')

    def stype_value(self, s):
        e = self.reg.enums['VkStructureType']
        name = s.stype
        while name not in e.values and name in e.aliases:
            name = e.aliases[name]
        return e.values[name]

    # ----- struct model ----------------------------------------------------------------------
    def struct_sets(self, sname):
        """Member sets per mode, from Mesa."""
        def fn(pattern):
            # structs without sType have no _self function: Mesa encodes their members in
            # the struct's own function (VkAttachmentDescription, VkSparseBufferMemoryBindInfo)
            m = self.mesa.members(pattern % (sname, '_self'))
            return m if m is not None else self.mesa.members(pattern % (sname, ''))
        return {
            'in': fn('vn_encode_%s%s'),
            'partial': fn('vn_encode_%s%s_partial'),
            'reply': fn('vn_decode_%s%s'),
        }

    def collect(self, sname, seen):
        """Structs reachable from sname (members, chains); records unsupported shapes.
        Names keep Mesa's spelling (an alias of the registry's canonical name is fine)."""
        if sname not in self.reg.structs and sname not in self.reg.aliases:
            sname = self.reg.resolve(sname)
        if sname in seen:
            return
        s = self.struct(sname)
        if s is None:
            self.unsupported[sname] = 'not in the registry model'
            return
        seen.add(sname)
        for m in s.members:
            if m.name in ('sType', 'pNext'):
                continue
            sh = Shape(self.reg, m)
            if sh.what == 'unsupported':
                self.unsupported.setdefault(sname, 'member %s has an unsupported shape' % m.name)
            if sh.kind in ('struct', 'union'):
                self.collect(sh.t, seen)
        for kind in ('in', 'partial', 'reply'):
            for t in self.mesa.chain(sname, kind):
                self.collect(t, seen)

    # ----- emit struct functions -------------------------------------------------------------
    def emit_struct(self, sname):
        s = self.struct(sname)
        sets = self.struct_sets(sname)
        out = []
        has_stype = s.member('sType') is not None
        members = [m for m in s.members if m.name not in ('sType', 'pNext')]
        lenmembers = {}
        for m in members:
            sh = Shape(self.reg, m)
            if sh.altlen:
                for ident in re.findall(r'[A-Za-z_]\w*', sh.altlen):
                    if s.member(ident):
                        lenmembers.setdefault(ident, []).append(m.name)
            elif sh.len and sh.len != 'null-terminated' and re.fullmatch(r'\w+', sh.len):
                lenmembers.setdefault(sh.len, []).append(m.name)

        def count_expr(sh, v):
            if sh.altlen:
                return re.sub(r'\b([A-Za-z_]\w*)\b', lambda mm: '%s->%s' % (v, mm.group(1))
                              if s.member(mm.group(1)) else mm.group(1), sh.altlen)
            return '%s->%s' % (v, sh.len)

        # --- fill (mode: CONF_IN full input, CONF_PARTIAL guest out-struct, CONF_HOST host output)
        out.append('void\nconf_fill_%s(struct conf_ctx *c, %s *v, int mode, int variant)\n{' %
                   (sname, sname))
        out.append('   (void)c; (void)v; (void)mode; (void)variant;')
        out.append('   const bool self_only = (mode & CONF_SELF) != 0;')
        out.append('   (void)self_only;')
        out.append('   mode &= ~CONF_SELF;')
        if has_stype:
            out.append('   if (mode != CONF_HOST) {')
            out.append('      v->sType = (VkStructureType)%d;' % self.stype_value(s))
            out.append('      v->pNext = conf_build_chain(c, mode == CONF_IN ? conf_chain_in_%s '
                       ': conf_chain_partial_%s, variant);' % (sname, sname))
            out.append('   } else if (!self_only) {')
            out.append('      conf_host_fill_chain(c, v->pNext);')
            out.append('   }')
            self.chain_tables['conf_chain_in_%s' % sname] = self.mesa.chain(sname, 'in')
            self.chain_tables['conf_chain_partial_%s' % sname] = self.mesa.chain(sname, 'partial')
        def inout_array(a):
            """Pointer array the guest sizes (partial) and the host fills (reply)."""
            ash = Shape(self.reg, s.member(a))
            return (ash.what in ('array', 'blob') and not ash.altlen
                    and all(x is not None and a in x for x in (sets['partial'], sets['reply'])))

        # pass 1: scalars and counts
        for mode, mset in (('CONF_IN', sets['in']), ('CONF_PARTIAL', sets['partial']),
                           ('CONF_HOST', sets['reply'])):
            body = []
            for m in members:
                sh = Shape(self.reg, m)
                if mset is None:
                    break
                is_len = m.name in lenmembers
                if mode == 'CONF_HOST' and is_len:
                    # keep capacities as the guest allocated them, except for in/out counts:
                    # one element fewer, or a count query's answer (c->reply_mode)
                    arrs = [a for a in lenmembers[m.name] if inout_array(a)]
                    if arrs and m.name in mset and sh.what == 'value' and not sh.static:
                        a0 = 'v->' + arrs[0]
                        body.append('if (c->reply_mode == CONF_REPLY_FEWER && %s && v->%s > 1)'
                                    % (a0, m.name))
                        body.append('   v->%s -= 1;' % m.name)
                        body.append('else if (c->reply_mode == CONF_REPLY_QUERY && !%s)' % a0)
                        body.append('   v->%s = CONF_QUERY_COUNT;' % m.name)
                    continue
                if sh.what == 'value' and not sh.static and self.is_scalar_kind(sh.t):
                    if sh.kind == 'handle' and mode != 'CONF_IN' and m.name not in mset:
                        continue
                    if m.name not in mset and not is_len:
                        continue
                    if is_len:
                        arrs = [Shape(self.reg, s.member(a)) for a in lenmembers[m.name]]
                        if any(a.what == 'blob' for a in arrs):
                            body.append('v->%s = (%s)(4 * conf_count(c) + 2);' % (m.name, sh.t))
                        elif any(a.altlen and '/ 4' in a.altlen for a in arrs):
                            body.append('v->%s = (%s)(4 * conf_count(c));' % (m.name, sh.t))
                        elif any(a.altlen for a in arrs):
                            body.append(self.scalar_fill(sname, m, 'v->' + m.name))
                        else:
                            body.append('v->%s = (%s)conf_count(c);' % (m.name, sh.t))
                    elif mode == 'CONF_PARTIAL' and sh.kind != 'handle':
                        continue
                    else:
                        st = self.scalar_fill(sname, m, 'v->' + m.name)
                        if st:
                            body.append(st)
                elif sh.what == 'value' and sh.static and m.name in mset:
                    n = sh.static[0]
                    if len(sh.static) > 1:
                        body.append('conf_bytes(c, v->%s, sizeof(v->%s));' % (m.name, m.name))
                    elif sh.t == 'char':
                        # host-written strings also come empty and as long as they fit
                        body.append('conf_%sstring_into(c, v->%s, %d);'
                                    % ('host_' if mode == 'CONF_HOST' else '', m.name, n))
                    elif sh.kind in ('struct',):
                        body.append('for (uint32_t i = 0; i < %d; i++)' % n)
                        body.append('   conf_fill_%s(c, &v->%s[i], mode, c->nested_variant);'
                                    % (sh.t, m.name))
                    elif sh.kind == 'union':
                        body.append('conf_bytes(c, v->%s, sizeof(v->%s));' % (m.name, m.name))
                    elif mode == 'CONF_PARTIAL' and sh.kind != 'handle':
                        continue
                    else:
                        body.append('for (uint32_t i = 0; i < %d; i++) {' % n)
                        body.append('   ' + self.scalar_fill(sname, m, 'v->%s[i]' % m.name))
                        body.append('}')
                elif sh.what == 'value' and sh.kind == 'struct' and m.name in mset:
                    body.append('conf_fill_%s(c, &v->%s, mode, c->nested_variant);' % (sh.t, m.name))
                elif sh.what == 'value' and sh.kind == 'union' and m.name in mset:
                    if mode != 'CONF_PARTIAL':
                        body.append('conf_bytes(c, &v->%s, sizeof(v->%s));' % (m.name, m.name))
            if body:
                out.append('   if (mode == %s) {' % mode)
                out.extend('      ' + b for b in body)
                out.append('   }')
        # pass 2: pointers (guest side allocates; host side fills in place)
        for m in members:
            sh = Shape(self.reg, m)
            used = any(x is not None and m.name in x for x in sets.values())
            if not used or sh.what == 'value':
                continue
            v = 'v->' + m.name
            cnt = count_expr(sh, 'v') if sh.len and sh.len != 'null-terminated' else None
            conds = []
            if sets['in'] is not None and m.name in sets['in']:
                conds.append('mode == CONF_IN')
            if sets['partial'] is not None and m.name in sets['partial']:
                if inout_array(m.name):  # a count query passes NULL
                    conds.append('(mode == CONF_PARTIAL && c->reply_mode != CONF_REPLY_QUERY)')
                else:
                    conds.append('mode == CONF_PARTIAL')
            host_ok = sets['reply'] is not None and m.name in sets['reply']
            guest_cond = ' || '.join(conds) or '0'
            if sh.what == 'string':
                out.append('   if (%s)\n      %s = conf_string(c);' % (guest_cond, v))
                if host_ok:
                    out.append('   /* host output strings are not modelled */')
            elif sh.what == 'string_array':
                out.append('   if (%s) {' % guest_cond)
                out.append('      const char **a = conf_alloc(c, (%s) * sizeof(*a));' % cnt)
                out.append('      for (uint32_t i = 0; i < (uint32_t)(%s); i++)' % cnt)
                out.append('         a[i] = conf_string(c);')
                out.append('      %s = a;\n   }' % v)
            elif sh.what == 'blob':
                out.append('   if (%s) {' % guest_cond)
                out.append('      void *b = conf_alloc(c, (size_t)(%s) + 1);' % cnt)
                out.append('      if (mode == CONF_IN)')
                out.append('         conf_bytes(c, b, (size_t)(%s));' % cnt)
                out.append('      %s = b;\n   }' % v)
                if host_ok:
                    out.append('   if (mode == CONF_HOST && %s)' % v)
                    out.append('      conf_bytes(c, (void *)%s, (size_t)(%s));' % (v, cnt))
            elif sh.what in ('array', 'pointer'):
                n = cnt if sh.what == 'array' else '1'
                et = sh.t
                out.append('   if (%s) {' % guest_cond)
                out.append('      %s *a = conf_alloc(c, ((size_t)(%s) + 1) * sizeof(*a));'
                           % (et, n))
                out.append('      for (uint32_t i = 0; i < (uint32_t)(%s); i++) {' % n)
                if sh.kind == 'struct':
                    out.append('         conf_fill_%s(c, &a[i], mode, c->nested_variant);' % et)
                elif sh.kind == 'union':
                    out.append('         if (mode == CONF_IN)')
                    out.append('            conf_bytes(c, &a[i], sizeof(a[i]));')
                else:
                    out.append('         if (mode == CONF_IN%s)' %
                               (' || mode == CONF_PARTIAL' if sh.kind == 'handle' else ''))
                    out.append('            ' + (self.scalar_fill(sname, m, 'a[i]') or ';'))
                out.append('      }')
                out.append('      %s = a;' % v)
                out.append('   }')
                if host_ok:
                    out.append('   if (mode == CONF_HOST && %s) {' % v)
                    out.append('      %s *a = (%s *)%s;' % (et, et, v))
                    out.append('      for (uint32_t i = 0; i < (uint32_t)(%s); i++) {' % n)
                    if sh.kind == 'struct':
                        out.append('         conf_fill_%s(c, &a[i], CONF_HOST, 0);' % et)
                    elif sh.kind == 'union':
                        out.append('         conf_bytes(c, &a[i], sizeof(a[i]));')
                    elif sh.kind != 'handle':
                        out.append('         ' + (self.scalar_fill(sname, m, 'a[i]') or ';'))
                    out.append('      }')
                    out.append('   }')
            elif sh.what == 'opaque_ptr':
                out.append('   /* %s: opaque pointer, not on the wire */' % m.name)
        out.append('}\n')

        # --- compare
        out.append('void\nconf_cmp_%s(struct conf_ctx *c, const char *path, const %s *a, '
                   'const %s *b, int mode)\n{' % (sname, sname, sname))
        out.append('   char p[CONF_PATH_MAX];')
        out.append('   (void)p; (void)c; (void)path; (void)a; (void)b; (void)mode;')
        out.append('   const bool self_only = (mode & CONF_SELF) != 0;')
        out.append('   (void)self_only;')
        out.append('   mode &= ~CONF_SELF;')
        if has_stype:
            out.append('   if (!self_only) {')
            out.append('      conf_cmp_i32(c, path, "sType", a->sType, b->sType);')
            out.append('      conf_cmp_chain(c, path, a->pNext, b->pNext, mode);')
            out.append('   }')
        for mode, mset in (('CONF_IN', sets['in']), ('CONF_PARTIAL', sets['partial']),
                           ('CONF_HOST', sets['reply'])):
            if mset is None:
                continue
            body = []
            for m in members:
                if m.name not in mset:
                    continue
                sh = Shape(self.reg, m)
                body.extend(self.cmp_member(sname, s, m, sh, count_expr))
            if body:
                out.append('   if (mode == %s) {' % mode)
                out.extend('      ' + b for b in body)
                out.append('   }')
        out.append('}\n')
        return out

    def cmp_scalar(self, t, path_expr, name, a, b):
        k = self.reg.kind(t)
        w = self.reg.wire_scalar(t)
        if k == 'handle':
            return 'conf_cmp_u64(c, %s, %s, (uint64_t)(uintptr_t)%s, (uint64_t)(uintptr_t)%s);' % (
                path_expr, name, a, b)
        if w in ('f32', 'f64'):
            return 'conf_cmp_f32(c, %s, %s, %s, %s);' % (path_expr, name, a, b)
        if w in ('u64', 'i64'):
            return 'conf_cmp_u64(c, %s, %s, (uint64_t)%s, (uint64_t)%s);' % (path_expr, name, a, b)
        return 'conf_cmp_i32(c, %s, %s, (int32_t)%s, (int32_t)%s);' % (path_expr, name, a, b)

    def cmp_member(self, sname, s, m, sh, count_expr):
        n = '"%s"' % m.name
        A, B = 'a->' + m.name, 'b->' + m.name
        r = []
        if sh.what == 'value' and not sh.static:
            if sh.kind == 'struct':
                r.append('conf_path(p, path, %s, -1);' % n)
                r.append('conf_cmp_%s(c, p, &%s, &%s, mode);' % (sh.t, A, B))
            elif sh.kind == 'union':
                r.append('conf_cmp_bytes(c, path, %s, &%s, &%s, sizeof(%s));' % (n, A, B, A))
            else:
                r.append(self.cmp_scalar(sh.t, 'path', n, A, B))
        elif sh.what == 'value':
            if sh.kind == 'struct' and len(sh.static) == 1:
                r.append('for (uint32_t i = 0; i < %d; i++) {' % sh.static[0])
                r.append('   conf_path(p, path, %s, (int)i);' % n)
                r.append('   conf_cmp_%s(c, p, &%s[i], &%s[i], mode);' % (sh.t, A, B))
                r.append('}')
            elif sh.kind == 'handle':
                r.append('for (uint32_t i = 0; i < %d; i++) {' % sh.static[0])
                r.append('   conf_path(p, path, %s, (int)i);' % n)
                r.append('   ' + self.cmp_scalar(sh.t, 'p', '""', A + '[i]', B + '[i]'))
                r.append('}')
            else:
                r.append('conf_cmp_bytes(c, path, %s, %s, %s, sizeof(%s));' % (n, A, B, A))
        elif sh.what == 'string':
            r.append('conf_cmp_string(c, path, %s, %s, %s);' % (n, A, B))
        elif sh.what == 'string_array':
            cnt = count_expr(sh, 'a')
            r.append('if (conf_cmp_ptr(c, path, %s, %s, %s))' % (n, A, B))
            r.append('   for (uint32_t i = 0; i < (uint32_t)(%s); i++) {' % cnt)
            r.append('      conf_path(p, path, %s, (int)i);' % n)
            r.append('      conf_cmp_string(c, p, "", %s[i], %s[i]);' % (A, B))
            r.append('   }')
        elif sh.what == 'blob':
            cnt = count_expr(sh, 'a')
            r.append('if (mode != CONF_PARTIAL && conf_cmp_ptr(c, path, %s, %s, %s))' % (n, A, B))
            r.append('   conf_cmp_bytes(c, path, %s, %s, %s, (size_t)(%s));' % (n, A, B, cnt))
        elif sh.what in ('array', 'pointer'):
            cnt = count_expr(sh, 'a') if sh.what == 'array' else '1'
            r.append('if (conf_cmp_ptr(c, path, %s, %s, %s)) {' % (n, A, B))
            r.append('   for (uint32_t i = 0; i < (uint32_t)(%s); i++) {' % cnt)
            r.append('      conf_path(p, path, %s, (int)i);' % n)
            if sh.kind == 'struct':
                r.append('      conf_cmp_%s(c, p, &%s[i], &%s[i], mode);' % (sh.t, A, B))
            elif sh.kind == 'union':
                r.append('      conf_cmp_bytes(c, p, "", &%s[i], &%s[i], sizeof(%s[i]));'
                         % (A, B, A))
            else:
                r.append('      if (mode != CONF_PARTIAL || %d)' % (sh.kind == 'handle'))
                r.append('         ' + self.cmp_scalar(sh.t, 'p', '""', A + '[i]', B + '[i]'))
            r.append('   }')
            r.append('}')
        return r

    # ----- host round trip -------------------------------------------------------------------
    def param_count(self, p, sh, shapes, pnames, side):
        """C count expression for array param p, evaluated on `side` ('' guest, 'h->' host)."""
        cnt = sh.altlen or sh.len
        if '->' in cnt:
            return side + cnt
        if cnt in pnames and shapes[cnt].what == 'pointer' and shapes[cnt].kind != 'struct':
            return '(*%s%s)' % (side, cnt)
        return side + cnt

    def cmp_param(self, p, sh, shapes, pnames, A, B, mode):
        """Compare guest param A with host B in `mode` (C constant name)."""
        r = []
        n = '"%s"' % p.name
        cnt = None
        if sh.len and sh.len != 'null-terminated':
            cnt = self.param_count(p, sh, shapes, pnames, '')
        if sh.static:
            r.append('conf_cmp_bytes(c, "args", %s, %s, %s, sizeof(%s));' % (n, A, B, A))
        elif sh.what == 'value':
            if sh.kind == 'struct':
                r.append('conf_cmp_%s(c, "args.%s", &%s, &%s, %s);' % (sh.t, p.name, A, B, mode))
            elif sh.kind == 'union':
                r.append('conf_cmp_bytes(c, "args", %s, &%s, &%s, sizeof(%s));' % (n, A, B, A))
            else:
                r.append(self.cmp_scalar(sh.t, '"args"', n, A, B))
        elif sh.what == 'string':
            r.append('conf_cmp_string(c, "args", %s, %s, %s);' % (n, A, B))
        elif sh.what == 'blob':
            r.append('if (conf_cmp_ptr(c, "args", %s, %s, %s) && %s != CONF_PARTIAL)' %
                     (n, A, B, mode))
            r.append('   conf_cmp_bytes(c, "args", %s, %s, %s, (size_t)(%s));' % (n, A, B, cnt))
        elif sh.what in ('array', 'pointer'):
            cnt = cnt or '1'
            r.append('if (conf_cmp_ptr(c, "args", %s, %s, %s)) {' % (n, A, B))
            r.append('   char p[CONF_PATH_MAX];')
            r.append('   for (uint32_t i = 0; i < (uint32_t)(%s); i++) {' % cnt)
            r.append('      conf_path(p, "args", %s, (int)i);' % n)
            if sh.kind == 'struct':
                r.append('      conf_cmp_%s(c, p, &%s[i], &%s[i], %s);' % (sh.t, A, B, mode))
            elif sh.kind == 'union':
                r.append('      conf_cmp_bytes(c, p, "", &%s[i], &%s[i], sizeof(%s[i]));'
                         % (A, B, A))
            else:
                r.append('      if (%s != CONF_PARTIAL || %d)' % (mode, sh.kind == 'handle'))
                r.append('         ' + self.cmp_scalar(sh.t, 'p', '""', A + '[i]', B + '[i]'))
            r.append('   }')
            r.append('}')
        return r

    def emit_host(self, name, cmd, shapes, call_args, len_users):
        params = cmd.params
        pnames = {p.name for p in params}
        replied = self.mesa.params_touched('vn_decode_%s_reply' % name)
        L = ['   {']
        L.append('      const int32_t cf_type = VK_COMMAND_TYPE_%s_EXT;' % name)
        L.append('      struct conf_args_%s *h = conf_host_decode(c, cf_type, cf_enc.buf, '
                 'cf_enc.len, sizeof(*h));' % name)
        L.append('      if (h) {')
        body = []
        # request: inputs fully, outputs partially
        for p in params:
            sh = shapes[p.name]
            if sh.t == 'VkAllocationCallbacks':
                continue
            mode = 'CONF_PARTIAL' if sh.out_ptr else 'CONF_IN'
            A = ('_s_' + p.name) if sh.static else p.name
            body.extend(self.cmp_param(p, sh, shapes, pnames, A, 'h->' + p.name, mode))
        # the host driver's answer
        for p in params:
            sh = shapes[p.name]
            if not sh.out_ptr or p.name not in replied:
                continue
            B = 'h->' + p.name
            if sh.what == 'pointer' and p.name in len_users and sh.kind != 'struct':
                # in/out count: all the capacity, one element fewer, or a count query's answer
                body.append('if (%s && c->reply_mode == CONF_REPLY_FEWER && *%s > 1)' % (B, B))
                body.append('   *%s -= 1;' % B)
                body.append('else if (%s && c->reply_mode == CONF_REPLY_QUERY)' % B)
                body.append('   *%s = CONF_QUERY_COUNT;' % B)
                continue
            cnt = '1'
            if sh.len and sh.len != 'null-terminated':
                cnt = self.param_count(p, sh, shapes, pnames, 'h->')
            if sh.what == 'blob':
                body.append('if (%s)' % B)
                body.append('   conf_bytes(c, %s, (size_t)(%s));' % (B, cnt))
            elif sh.what in ('array', 'pointer'):
                body.append('if (%s) {' % B)
                body.append('   for (uint32_t i = 0; i < (uint32_t)(%s); i++) {' % cnt)
                if sh.kind == 'struct':
                    body.append('      conf_fill_%s(c, &%s[i], CONF_HOST, 0);' % (sh.t, B))
                elif sh.kind == 'union':
                    body.append('      conf_bytes(c, &%s[i], sizeof(%s[i]));' % (B, B))
                elif sh.kind != 'handle':
                    body.append('      ' + (self.scalar_fill(name, p, B + '[i]') or ';'))
                body.append('   }')
                body.append('}')
        if cmd.ret != 'void':
            w = self.reg.wire_scalar(cmd.ret)
            body.append('h->ret = (%s)%s;' % (cmd.ret, 'conf_u64(c)' if w in ('u64', 'i64')
                                               else 'conf_u32(c)'))
        body.append('size_t cf_rlen = 0;')
        body.append('const void *cf_reply = conf_host_encode_reply(c, cf_type, h, &cf_rlen);')
        body.append('if (cf_reply) {')
        # Mesa sizes the reply before the call, for every element it has room for; a host
        # that writes fewer sends less (the guest reads what the decoder asks for).
        body.append('   if (c->reply_mode == CONF_REPLY_FEWER ? cf_rlen > cf_reply_size '
                    ': cf_rlen != cf_reply_size)')
        body.append('      conf_fail(c, "our reply has %zu bytes, Mesa expects %s%zu", cf_rlen, '
                    'c->reply_mode == CONF_REPLY_FEWER ? "at most " : "", cf_reply_size);')
        body.append('   struct vn_cs_decoder cf_rd;')
        body.append('   vn_cs_decoder_init(&cf_rd, cf_reply, cf_rlen);')
        dec = 'vn_decode_%s_reply(&cf_rd%s)' % (name, ', ' + call_args if call_args else '')
        if cmd.ret != 'void':
            body.append('   const %s cf_ret = %s;' % (cmd.ret, dec))
            body.append('   ' + self.cmp_scalar(cmd.ret, '"reply"', '"ret"', 'cf_ret', 'h->ret'))
        else:
            body.append('   %s;' % dec)
        body.append('   if (cf_rd.fatal)')
        body.append('      conf_fail(c, "Mesa\'s reply decoder rejected our reply");')
        body.append('   else if (vn_cs_decoder_remaining(&cf_rd))')
        body.append('      conf_fail(c, "Mesa\'s reply decoder left %zu bytes", '
                    'vn_cs_decoder_remaining(&cf_rd));')
        for p in params:
            sh = shapes[p.name]
            if not sh.out_ptr or p.name not in replied:
                continue
            body.extend('   ' + x for x in self.cmp_param(p, sh, shapes, pnames, p.name,
                                                          'h->' + p.name, 'CONF_HOST'))
        body.append('}')
        L.extend('         ' + b for b in body)
        L.append('      }')
        L.append('      conf_host_truncations(c, cf_type, cf_enc.buf, cf_enc.len);')
        L.append('   }')
        return L

    # ----- commands ----------------------------------------------------------------------------
    def command_model(self, name):
        cmd = self.reg.commands.get(self.reg.resolve(name))
        if cmd is None:
            return None, 'not in the registry model'
        args = self.mesa.funcs['vn_encode_' + name][0]
        mesa_params = [a.strip() for a in args.split(',')[2:]]
        mesa_names = [re.findall(r'(\w+)(?:\[\d+\])?$', p)[0] for p in mesa_params]
        if mesa_names != [p.name for p in cmd.params]:
            return None, 'params differ: mesa %s registry %s' % (
                mesa_names, [p.name for p in cmd.params])
        # keep Mesa's spelling of aliased types (e.g. ...MESA vs ...100000MESA)
        for p, decl in zip(cmd.params, mesa_params):
            words = [w for w in re.findall(r'\b(Vk\w+)\b', decl)]
            if words and words[0] != p.type and self.reg.resolve(words[0]) == p.type:
                p.text = re.sub(r'\b%s\b' % p.type_as_written, words[0], p.text)
                p.type = words[0]
        return cmd, None

    def emit_command(self, name, cmd):
        reg = self.reg
        params = cmd.params
        pnames = {p.name for p in params}
        shapes = {p.name: Shape(reg, p) for p in params}
        replied = self.mesa.params_touched('vn_decode_%s_reply' % name)
        len_users = {}
        for p in params:
            sh = shapes[p.name]
            if sh.len and sh.len != 'null-terminated':
                base = re.split(r'->', sh.len)[0]
                if base in pnames:
                    len_users.setdefault(base, []).append(p.name)
        # variants: per struct param, one per chain struct (+ none, + all chained)
        variants = [('-1', 'no chain')]
        for p in params:
            sh = shapes[p.name]
            if sh.kind != 'struct' or sh.what not in ('pointer', 'array', 'value'):
                continue
            kind = 'partial' if sh.out_ptr else 'in'
            for i, t in enumerate(self.mesa.chain(sh.t, kind)):
                variants.append(('%d /* %s */' % (i, p.name), '%s+%s' % (p.name, t)))
        has_chain = len(variants) > 1
        if has_chain:
            variants.append(('-2', 'all chained'))
        # host answers below capacity and count queries (in/out counts of params and of
        # out structs, chained ones included)
        reply_modes = any(shapes[p.name].out_ptr and shapes[p.name].t != 'VkAllocationCallbacks'
                          and shapes[p.name].kind in ('struct', 'base', 'handle', 'enum')
                          or p.name in len_users and shapes[p.name].what == 'pointer'
                          for p in params)
        if reply_modes:
            v = '-2' if has_chain else '-1'
            variants.append((v, 'fewer than capacity', 'CONF_REPLY_FEWER'))
            variants.append((v, 'count query', 'CONF_REPLY_QUERY'))
        L = []
        L.append('#ifdef CONF_WITH_HOST')
        L.append('struct conf_args_%s {' % name)
        for p in params:
            L.append('   %s;' % re.sub(r'\s+', ' ', p.text.strip()))
        if cmd.ret != 'void':
            L.append('   %s ret;' % cmd.ret)
        if not params and cmd.ret == 'void':
            L.append('   char unused;')
        L.append('};')
        L.append('#endif')
        L.append('static void\nconf_sample_%s(struct conf_ctx *c, const char *vname, int variant, '
                 'int vparam)\n{' % name)
        L.append('   (void)variant; (void)vparam;')
        # declarations of guest-side params
        for p in params:
            sh = shapes[p.name]
            decl = p.text.split('[')[0].strip()
            decl = re.sub(r'\s+', ' ', decl)
            if sh.static:
                L.append('   %s %s[%d];' % (p.type, '_s_' + p.name, sh.static[0]))
                continue
            L.append('   %s = 0;' % decl if p.ptr else '   %s;' % decl)
            if not p.ptr and not sh.static:
                L.append('   memset(&%s, 0, sizeof(%s));' % (p.name, p.name))
        # pass 1: scalar by-value params and count params
        for idx, p in enumerate(params):
            sh = shapes[p.name]
            pv = '(vparam == %d || variant == -2 ? variant : -1)' % idx
            if sh.t == 'VkAllocationCallbacks':
                continue
            if sh.what == 'value' and not sh.static:
                if p.name in len_users:
                    users = [shapes[u] for u in len_users[p.name]]
                    if any(u.what == 'blob' for u in users):
                        L.append('   %s = (%s)(4 * conf_count(c) + 2);' % (p.name, p.type))
                    else:
                        L.append('   %s = (%s)conf_count(c);' % (p.name, p.type))
                elif sh.kind == 'struct':
                    L.append('   conf_fill_%s(c, &%s, CONF_IN, %s);' % (sh.t, p.name, pv))
                elif sh.kind == 'union':
                    L.append('   conf_bytes(c, &%s, sizeof(%s));' % (p.name, p.name))
                else:
                    L.append('   ' + (self.scalar_fill(name, p, p.name) or ';'))
            elif sh.static:
                L.append('   for (uint32_t i = 0; i < %d; i++)' % sh.static[0])
                L.append('      ' + self.scalar_fill(name, p, '_s_%s[i]' % p.name))
        # pass 2: pointers
        for idx, p in enumerate(params):
            sh = shapes[p.name]
            pv = '(vparam == %d || variant == -2 ? variant : -1)' % idx
            if sh.t == 'VkAllocationCallbacks' or sh.what == 'value' or sh.static:
                continue
            mode = 'CONF_PARTIAL' if sh.out_ptr else 'CONF_IN'
            if sh.what == 'pointer' and p.name in len_users and sh.kind != 'struct':
                # in/out count (uint32_t*, size_t*)
                users = [shapes[u] for u in len_users[p.name]]
                L.append('   %s = conf_alloc(c, sizeof(*%s));' % (p.name, p.name))
                if any(u.what == 'blob' for u in users):
                    L.append('   *%s = (%s)(4 * conf_count(c) + 2);' % (p.name, p.type))
                else:
                    L.append('   *%s = (%s)conf_count(c);' % (p.name, p.type))
        for idx, p in enumerate(params):
            sh = shapes[p.name]
            pv = '(vparam == %d || variant == -2 ? variant : -1)' % idx
            if sh.t == 'VkAllocationCallbacks' or sh.what == 'value' or sh.static:
                continue
            if sh.what == 'pointer' and p.name in len_users and sh.kind != 'struct':
                continue
            mode = 'CONF_PARTIAL' if sh.out_ptr else 'CONF_IN'
            if sh.len and sh.len != 'null-terminated':
                cnt = sh.len
                if sh.altlen:
                    cnt = sh.altlen
                if '->' in cnt:
                    base, fld = cnt.split('->')
                    bsh = shapes[base]
                    bs = self.struct(bsh.t)
                    is_len = any(mm.len and mm.len[0] == fld for mm in bs.members)
                    if not is_len:
                        L.append('   ((%s *)%s)->%s = conf_count(c);' % (bsh.t, base, fld))
                elif cnt in pnames and shapes[cnt].what == 'pointer' \
                        and shapes[cnt].kind != 'struct':
                    cnt = '(*%s)' % cnt
                    if sh.out_ptr and sh.what in ('array', 'blob'):
                        # count query: the guest passes NULL and learns the count only
                        L.append('   if (c->reply_mode != CONF_REPLY_QUERY)')
            else:
                cnt = '1'
            et = p.type
            if sh.what == 'string':
                L.append('   %s = conf_string(c);' % p.name)
            elif sh.what == 'blob':
                L.append('   {')
                L.append('      uint8_t *b = conf_alloc(c, (size_t)(%s) + 1);' % cnt)
                if not sh.out_ptr:
                    L.append('      conf_bytes(c, b, (size_t)(%s));' % cnt)
                L.append('      %s = b;' % p.name)
                L.append('   }')
            elif sh.what in ('array', 'pointer'):
                L.append('   {')
                L.append('      %s *a = conf_alloc(c, ((size_t)(%s) + 1) * sizeof(*a));' % (et, cnt))
                L.append('      for (uint32_t i = 0; i < (uint32_t)(%s); i++) {' % cnt)
                if sh.kind == 'struct':
                    L.append('         conf_fill_%s(c, &a[i], %s, %s);' % (et, mode, pv))
                elif sh.kind == 'union':
                    L.append('         conf_bytes(c, &a[i], sizeof(a[i]));')
                elif sh.out_ptr and sh.kind != 'handle':
                    L.append('         (void)a;')
                else:
                    L.append('         ' + (self.scalar_fill(name, p, 'a[i]') or ';'))
                L.append('      }')
                L.append('      %s = a;' % p.name)
                L.append('   }')
            else:
                L.append('   /* %s: %s not modelled */' % (p.name, sh.what))
        call_args = ', '.join(p.name if not shapes[p.name].static else '_s_' + p.name
                              for p in params)
        L.append('')
        L.append('   struct vn_cs_encoder cf_enc;')
        L.append('   vn_cs_encoder_init_dynamic(&cf_enc);')
        L.append('   const size_t cf_size = vn_sizeof_%s(%s);' % (name, call_args))
        L.append('   vn_encode_%s(&cf_enc, VK_COMMAND_GENERATE_REPLY_BIT_EXT%s);' %
                 (name, ', ' + call_args if call_args else ''))
        L.append('   const size_t cf_reply_size = vn_sizeof_%s_reply(%s);' % (name, call_args))
        L.append('   conf_check_encoded(c, vname, &cf_enc, cf_size, cf_reply_size);')
        L.append('#ifdef CONF_WITH_HOST')
        L.extend(self.emit_host(name, cmd, shapes, call_args, len_users))
        L.append('#endif')
        L.append('   vn_cs_encoder_fini(&cf_enc);')
        L.append('}\n')
        L.append('void\nconf_cmd_%s(struct conf_ctx *c)\n{' % name)
        for vi, (vexpr, vname, *rmode) in enumerate(variants):
            if vexpr.startswith('-'):
                L.append('   conf_begin_variant(c, "%s", %s);' % (vname, vexpr))
                if rmode:
                    L.append('   c->reply_mode = %s;' % rmode[0])
                L.append('   conf_sample_%s(c, "%s", %s, -1);' % (name, vname, vexpr))
            else:
                pidx = [p.name for p in params].index(vname.split('+')[0])
                num = vexpr.split()[0]
                L.append('   conf_begin_variant(c, "%s", %s);' % (vname, num))
                L.append('   conf_sample_%s(c, "%s", %s, %d);' % (name, vname, num, pidx))
        L.append('}\n')
        return L


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--registry', required=True)
    ap.add_argument('--extra', action='append', default=[])
    ap.add_argument('--mesa', required=True)
    ap.add_argument('--wire', required=True)
    ap.add_argument('--outdir', required=True)
    ap.add_argument('--parts', type=int, default=4)
    ap.add_argument('--host', action='store_true')
    args = ap.parse_args()

    if not os.path.isfile(os.path.join(args.mesa, 'vn_protocol_driver.h')):
        sys.exit('gen_samples: Mesa protocol headers not found in %s' % args.mesa)
    reg = Registry.load(args.registry, extra=args.extra)
    mesa = MesaProtocol(args.mesa)
    g = Gen(reg, mesa, args.wire, args.host)

    cmds, skipped = [], {}
    seen = set()
    for name in mesa.commands:
        cmd, why = g.command_model(name)
        if cmd is None:
            skipped[name] = why
            continue
        for p in cmd.params:
            k = reg.kind(p.type)
            if k in ('struct', 'union') and p.type != 'VkAllocationCallbacks':
                g.collect(p.type, seen)
        cmds.append((name, cmd))
    # commands touching unsupported structs are reported, not generated
    def closure(t, acc):
        t = reg.resolve(t)
        if t in acc or t not in reg.structs:
            return
        acc.add(t)
        for m in reg.structs[t].members:
            if reg.kind(m.type) in ('struct', 'union') and m.name != 'pNext':
                closure(m.type, acc)
        for kind in ('in', 'partial', 'reply'):
            for x in mesa.chain(t, kind):
                closure(x, acc)
    final = []
    for name, cmd in cmds:
        acc = set()
        for p in cmd.params:
            if reg.kind(p.type) in ('struct', 'union') and p.type != 'VkAllocationCallbacks':
                closure(p.type, acc)
        bad = sorted(acc & set(g.unsupported))
        if bad:
            skipped[name] = 'uses %s (%s)' % (bad[0], g.unsupported[bad[0]])
        else:
            final.append((name, cmd))
    structs = sorted(x for x in seen if g.struct(x).is_union is False
                     and x not in g.unsupported and x != 'VkAllocationCallbacks')
    os.makedirs(args.outdir, exist_ok=True)
    w = args.wire
    hdr = 'conf_%s_gen.h' % w
    stamp = '/* Generated by tests/conformance/gen_samples.py (%s); do not edit. */\n' % args.wire

    # structs
    parts = [[] for _ in range(args.parts)]
    for i, s in enumerate(structs):
        parts[i % args.parts].extend(g.emit_struct(s))
    for i, body in enumerate(parts):
        with open(os.path.join(args.outdir, 'conf_%s_structs_%d.c' % (w, i)), 'w') as f:
            f.write(stamp + '#include "%s"\n\n' % hdr + '\n'.join(body) + '\n')
    # commands
    parts = [[] for _ in range(args.parts)]
    for i, (name, cmd) in enumerate(final):
        parts[i % args.parts].extend(g.emit_command(name, cmd))
    for i, body in enumerate(parts):
        with open(os.path.join(args.outdir, 'conf_%s_cmds_%d.c' % (w, i)), 'w') as f:
            f.write(stamp + '#include "conf_cmd.h"\n#include "%s"\n\n' % hdr +
                    '\n'.join(body) + '\n')
    # header
    H = [stamp, '#ifndef CONF_GEN_H', '#define CONF_GEN_H', '#include "conf_runtime.h"', '']
    for s in structs:
        H.append('void conf_fill_%s(struct conf_ctx *c, %s *v, int mode, int variant);' % (s, s))
        H.append('void conf_cmp_%s(struct conf_ctx *c, const char *path, const %s *a, '
                 'const %s *b, int mode);' % (s, s, s))
    for name, _ in final:
        H.append('void conf_cmd_%s(struct conf_ctx *c);' % name)
    for t in sorted(g.enum_tables):
        H.append('extern const int32_t %s[];\nextern const uint32_t %s_n;' % (t, t))
    H.append('#endif')
    # table: enums, chains, dispatchers, command list
    T = [stamp, '#include "%s"' % hdr, '']
    for t, vals in sorted(g.enum_tables.items()):
        T.append('const int32_t %s[] = {%s};' % (t, ', '.join(str(v) for v in vals)))
        T.append('const uint32_t %s_n = %d;' % (t, len(vals)))
    chain_structs = set()
    for t, lst in sorted(g.chain_tables.items()):
        ok = [x for x in lst if x in structs]
        chain_structs.update(ok)
        T.append('const int32_t %s[] = {%s0};' % (t, ''.join('%d, ' % g.stype_value(g.struct(x))
                                                             for x in ok)))
    T.append('\nvoid *\nconf_alloc_fill_any(struct conf_ctx *c, int32_t stype, int mode)\n{')
    T.append('   switch (stype) {')
    for x in sorted(chain_structs):
        T.append('   case %d: {' % g.stype_value(g.struct(x)))
        T.append('      %s *v = conf_alloc(c, sizeof(*v));' % x)
        T.append('      conf_fill_%s(c, v, mode, -1);' % x)
        T.append('      return v;\n   }')
    T.append('   default:\n      return NULL;\n   }\n}\n')
    T.append('void\nconf_fill_any_host(struct conf_ctx *c, void *s)\n{')
    T.append('   switch ((int32_t)((VkBaseOutStructure *)s)->sType) {')
    for x in sorted(chain_structs):
        T.append('   case %d: {' % g.stype_value(g.struct(x)))
        T.append('      VkBaseOutStructure *base = s, *next = base->pNext;')
        T.append('      conf_fill_%s(c, s, CONF_HOST | CONF_SELF, -1);' % x)
        T.append('      base->pNext = next;\n      break;\n   }')
    T.append('   default:\n      break;\n   }\n}\n')
    T.append('bool\nconf_cmp_any(struct conf_ctx *c, const char *path, const void *a, '
             'const void *b, int mode)\n{')
    T.append('   switch ((int32_t)((const VkBaseInStructure *)a)->sType) {')
    for x in sorted(chain_structs):
        T.append('   case %d:' % g.stype_value(g.struct(x)))
        T.append('      conf_cmp_%s(c, path, a, b, mode | CONF_SELF);\n      return true;' % x)
    T.append('   default:\n      return false;\n   }\n}\n')
    T.append('const struct conf_command conf_commands[] = {')
    for name, _ in final:
        T.append('   {"%s", conf_cmd_%s, NULL},' % (name, name))
    for name, why in sorted(skipped.items()):
        T.append('   {"%s", NULL, "%s"},' % (name, why.replace('"', "'")))
    T.append('};')
    T.append('const uint32_t conf_command_count = %d;' % (len(final) + len(skipped)))
    T.append('const char conf_wire_name[] = "%s";' % args.wire)
    for t in sorted(g.chain_tables):
        H.insert(-1, 'extern const int32_t %s[];' % t)
    with open(os.path.join(args.outdir, hdr), 'w') as f:
        f.write('\n'.join(H) + '\n')
    with open(os.path.join(args.outdir, 'conf_%s_table.c' % w), 'w') as f:
        f.write('\n'.join(T) + '\n')
    log('%s: %d commands generated, %d not modelled, %d structs' %
        (args.wire, len(final), len(skipped), len(structs)))
    for name, why in sorted(skipped.items()):
        log('  not modelled: %s: %s' % (name, why))


if __name__ == '__main__':
    main()
