# SPDX-License-Identifier: MIT
"""C lines that decode/encode one member or parameter. Used for struct members and command
params alike: `base` is the C prefix of the owner ('v->' or 'a->'), `sib` its sibling map.

Modes: 'in' = full input decode; 'out' = partial decode of an out struct member
(quirks.json rules.out_partial); encode = full reply encoding."""
from .ctypes import Unsupported, elem_kind, len_expr, len_target, objtype_value


def _scalar_read(reg, t):
    cls = reg.wire_scalar(t)
    fn = 'pv_cs_read_%s(d)' % cls
    return '(%s)%s' % (t, fn) if reg.kind(t) == 'enum' else fn


def _what(owner, m):
    return '"%s.%s"' % (owner, m.name)


def _handle_required(m, level):
    """quirks.json rules.handle_required / pointer_required: a handle the registry does not let
    be VK_NULL_HANDLE must not decode id 0, a single pointer it does not let be NULL must be
    present. level 0: the member itself (optional's first entry); level 1: the elements of an
    array (optional's second entry, e.g. pSetLayouts="false,true" with graphics pipeline
    libraries). noautovalidity members may hold anything the driver ignores."""
    if m.noautovalidity:
        return False
    return not (len(m.optional) > level and m.optional[level])


def _count_check(m):
    """quirks.json rules.array_zero_is_null / array_required: a wire count of 0 may stand for
    NULL with a non-zero count field only where the registry lets the pointer be NULL
    (optional, first element) or lets drivers ignore it (noautovalidity)."""
    if m.noautovalidity or (m.optional and m.optional[0]):
        return 'pv_cs_check_count'
    return 'pv_cs_check_count_exact'


class Variant:
    """One dialect's own decoders, where its quirks change bytes (Protocol.variant_dialects,
    codegen/README.md "Dialects"): function names get `suffix`, WA1 follows `wa1`, and calls
    to the partial decoders of `structs` and the chain lookups of `lookups` go to their
    variants too. `commands`: commands whose decoder has a variant."""

    def __init__(self, dialect, wa1):
        self.dialect, self.suffix, self.wa1 = dialect, '_' + dialect, wa1
        self.structs, self.lookups, self.commands = set(), set(), set()

    def of(self, struct):
        """Suffix of struct's partial decoder in this variant."""
        return self.suffix if struct in self.structs else ''


class MemberCode:
    def __init__(self, reg, proto, owner, variant=None):
        self.reg, self.proto, self.owner = reg, proto, owner
        self.variant = variant
        self.deps_in, self.deps_out = set(), set()
        s = reg.structs.get(owner)
        # returned-only structs are outputs: what the guest puts in them never reaches the
        # host driver as an input, so their values are not checked
        self.checks = not (s is not None and s.returned_only)

    def _null_ok(self, m, level):
        """True when member m (level 0) or its elements (level 1) may be VK_NULL_HANDLE (id
        0), or pointer m may be absent: the registry allows it, or quirks.json null_allowed
        says why."""
        if not self.checks or not _handle_required(m, level):
            return True
        return '%s.%s' % (self.owner, m.name) in self.proto.null_allowed

    def _enum_checked(self, t, m):
        """An enum value the registry does not define for its type is fatal (rules.enum_values),
        unless quirks.json enum_unchecked names the member."""
        if not self.checks or self.reg.kind(t) != 'enum' or self.reg.wire_scalar(t) != 'i32':
            return None
        if '%s.%s' % (self.owner, m.name) in self.proto.enum_unchecked:
            return None
        t = self.reg.resolve(t)
        self.proto.enum_checks.add(t)
        return t

    # ----- one element (scalar, handle, struct, union) at lvalue `lv` ---------------------
    def dec_elem(self, t, lv, mode, raw_ids=False, m=None, level=0):
        """m: the member or parameter lv belongs to (level 1: lv is one of its elements),
        for the value rules; None for none (static arrays, unions' own code)."""
        k = elem_kind(self.reg, t)
        if k in ('scalar', 'char'):
            if k == 'char':
                return ['%s = (char)pv_cs_read_u8(d);' % lv]
            out = ['%s = %s;' % (lv, _scalar_read(self.reg, t))]
            et = self._enum_checked(t, m) if m is not None and mode == 'in' else None
            if et:
                out.append('if (!pv_enum_ok_%s((int32_t)%s))' % (et, lv))
                out.append('   pv_cs_bad_enum(d, (int32_t)%s, %s);' % (lv, _what(self.owner, m)))
            return out
        if k == 'handle':
            if raw_ids or mode == 'out':
                return ['%s = PV_TO_HANDLE(%s, pv_cs_read_raw_id(d));' % (lv, t)]
            if m is not None and not self._null_ok(m, level):  # rules.handle_required
                return ['%s = PV_TO_HANDLE(%s, pv_cs_read_id_required(d, %d, %s));'
                        % (lv, t, objtype_value(self.reg, t), _what(self.owner, m))]
            return ['%s = PV_TO_HANDLE(%s, pv_cs_read_id(d, %d));'
                    % (lv, t, objtype_value(self.reg, t))]
        if k == 'struct' and mode == 'in' and self.flat(t):
            return self.flat_read(t, lv)
        if k == 'struct':
            (self.deps_out if mode == 'out' else self.deps_in).add(t)
            suffix = '_partial' if mode == 'out' else ''
            if mode == 'out' and self.variant:
                suffix += self.variant.of(t)
            return ['pv_decode_%s%s(d, &%s);' % (t, suffix, lv)]
        if k == 'union':
            if mode == 'out':
                raise Unsupported('union %s in an output' % t)
            self.deps_in.add(t)
            return ['pv_decode_%s(d, &%s);' % (t, lv)]
        raise Unsupported('type %s has no wire encoding' % t)

    def enc_elem(self, t, rv):
        k = elem_kind(self.reg, t)
        if k == 'char':
            return ['pv_cs_write_u8(e, (uint8_t)%s);' % rv]
        if k == 'scalar':
            return ['pv_cs_write_%s(e, %s);' % (self.reg.wire_scalar(t), rv)]
        if k == 'handle':
            return ['pv_cs_write_u64(e, PV_FROM_HANDLE(%s));' % rv]
        if k == 'struct':
            self.deps_out.add(t)
            return ['pv_encode_%s(e, &%s);' % (t, rv)]
        raise Unsupported('type %s cannot be encoded in a reply' % t)

    def packed(self, t):
        """Scalar element types whose C layout equals the packed wire layout."""
        k = elem_kind(self.reg, t)
        if k == 'char':
            return True
        if k != 'scalar':
            return False
        return self.reg.wire_scalar(t) in ('u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32',
                                           'u64', 'i64', 'f64')

    def flat(self, t):
        """(size, alignment) of a struct whose C layout is its wire layout and whose members are
        values the decoder takes as they come (4- and 8-byte numbers and flags, structs of them:
        no enum, handle, pointer, array, bitfield or chain), else None. Such structs decode by a
        bounds check and a copy (VkViewport, VkRect2D, VkBufferCopy). The wire puts members one
        after the other in 4- or 8-byte slots; C pads a member to its alignment, so the two agree
        where no member and no struct end needs padding. The generated code asserts the size."""
        s = self.reg.structs.get(self.reg.resolve(t))
        if s is None or s.is_union or s.stype or s.member('pNext') is not None:
            return None
        off, align = 0, 1
        for m in s.members:
            if m.ptr or m.array or m.bitfield is not None:
                return None
            k = elem_kind(self.reg, m.type)
            if k == 'struct':
                sub = self.flat(m.type)
                if sub is None:
                    return None
                size, malign = sub
            elif k == 'scalar' and self.reg.kind(m.type) != 'enum':
                size = {'u32': 4, 'i32': 4, 'f32': 4, 'u64': 8, 'i64': 8,
                        'f64': 8}.get(self.reg.wire_scalar(m.type))
                if size is None:
                    return None
                malign = size
            else:
                return None
            if off % malign:
                return None
            off, align = off + size, max(align, malign)
        if off == 0 or off % align:
            return None
        return off, align

    def note_flat(self, t):
        """Records flat struct t and the flat structs in it (Protocol.flat_structs: their
        layouts are asserted in pv_protocol_gen_internal.h)."""
        self.proto.flat_structs[t] = self.flat(t)[0]
        for m in self.reg.structs[self.reg.resolve(t)].members:
            if elem_kind(self.reg, m.type) == 'struct':
                self.note_flat(m.type)

    def flat_read(self, t, lv):
        """One flat struct at lvalue lv: one statement (it may be a loop's body)."""
        self.note_flat(t)
        return ['PV_CS_READ_FLAT(d, %s, %d);' % (lv, self.flat(t)[0])]

    # ----- static arrays (rules.static_array_count) -----------------------------------------
    def dec_static(self, m, base, mode):
        if len(m.array) != 1:
            raise Unsupported('%s: multi-dimensional array' % m.name)
        n, lv = m.array[0], base + m.name
        k = elem_kind(self.reg, m.type)
        if mode == 'out' and k in ('scalar', 'char'):
            return []  # plain values are skipped in partials
        out = ['pv_cs_check_static(d, pv_cs_read_count(d), %s, %s);' % (n, _what(self.owner, m))]
        if self.packed(m.type):
            out.append('pv_cs_read_array(d, %s, %s, sizeof(%s[0]));' % (lv, n, lv))
            if k == 'char':
                out.append('%s[%s - 1] = 0;' % (lv, n))
            if mode == 'in':
                out += self.enum_array_check(m, lv, n)
            return out
        body = self.dec_elem(m.type, '%s[i]' % lv, mode, m=m, level=1)
        return out + ['for (uint32_t i = 0; i < %s; i++)' % n] + ['   ' + x for x in body]

    def enc_static(self, m, base):
        if len(m.array) != 1:
            raise Unsupported('%s: multi-dimensional array' % m.name)
        n, rv = m.array[0], base + m.name
        out = ['pv_cs_write_count(e, %s);' % n]
        if self.packed(m.type):
            return out + ['pv_cs_write_array(e, %s, %s, sizeof(%s[0]));' % (rv, n, rv)]
        body = self.enc_elem(m.type, '%s[i]' % rv)
        return out + ['for (uint32_t i = 0; i < %s; i++)' % n] + ['   ' + x for x in body]

    # ----- pointers ------------------------------------------------------------------------
    def dec_member(self, m, base, sib, mode, out_param=False, inout=False):
        """Lines decoding member m. out_param: top-level non-const pointer parameter."""
        if m.ptr == 0:
            if m.array:
                return self.dec_static(m, base, mode)
            if mode == 'out' and not inout and elem_kind(self.reg, m.type) in ('scalar', 'char'):
                return []
            return self.dec_elem(m.type, base + m.name, mode, m=m)
        if m.type == 'VkAllocationCallbacks':
            return ['pv_cs_expect_absent(d, "%s");' % m.name]  # rules.allocator_absent
        sub = 'out' if (out_param or mode == 'out') else 'in'
        k = elem_kind(self.reg, m.type)
        if m.ptr == 2:
            return self.dec_string_array(m, base, sib, mode)
        if k == 'char' and m.len and m.len[0] == 'null-terminated':
            if mode == 'out':
                return ['pv_cs_read_blob(d, pv_cs_read_count(d)); /* string in an output */']
            return ['%s%s = pv_cs_read_string(d);' % (base, m.name)]
        if m.len:
            return self.dec_array(m, base, sib, sub, out_param)
        if k == 'void':
            raise Unsupported('%s: void pointer without a length' % m.name)
        return self.dec_single(m, base, sub, out_param, inout)

    def dec_single(self, m, base, mode, out_param, inout):
        lv = base + m.name
        tmp = '%s_p' % m.name
        k = elem_kind(self.reg, m.type)
        out = ['if (pv_cs_read_count(d)) {',
               '   %s *%s = pv_cs_alloc(d, 1, sizeof(*%s));' % (m.type, tmp, tmp),
               '   if (%s) {' % tmp]
        if out_param and k in ('scalar', 'char') and not inout:
            body = []  # pure out scalar: presence only (venus-wire.md 1.7)
        else:
            body = self.dec_elem(m.type, '*%s' % tmp, mode, raw_ids=out_param, m=m, level=1)
        out += ['      ' + x for x in body]
        out += ['   }', '   %s = %s;' % (lv, tmp), '}']
        if not self._null_ok(m, 0):  # rules.pointer_required
            out[-1:] = ['} else {', '   pv_cs_absent(d, %s);' % _what(self.owner, m), '}']
        return out

    def dec_array(self, m, base, sib, mode, out_param):
        lv = base + m.name
        k = elem_kind(self.reg, m.type)
        expect = len_expr(self.reg, m, base, sib)
        tgt = len_target(m)
        # quirks.partial_count_not_encoded: partials only, as the dialect has it
        wa1set = self.variant.wa1 if self.variant else self.proto.wa1
        wa1 = mode == 'out' and bool(tgt) and '%s.%s' % (self.owner, tgt) in wa1set
        out = ['{', '   uint64_t n = pv_cs_read_count(d);']
        if not wa1:
            out.append('   %s(d, n, (uint64_t)%s, %s);'
                       % (_count_check(m), expect, _what(self.owner, m)))
        if k == 'void':  # rules.blob
            if mode == 'out':
                out.append('   %s = pv_cs_alloc(d, n, 1);' % lv)
            else:
                out.append('   %s = pv_cs_read_blob(d, n);' % lv)
        else:
            et = m.type
            # Every element read from the stream takes at least 4 bytes of it; an output
            # struct's partial decode may take none (non-extensible structs).
            reads_each = not (mode == 'out' and k in ('scalar', 'char', 'struct'))
            if reads_each and not self.packed(et):
                out.append('   pv_cs_check_elements(d, n);')
            out.append('   %s *arr = pv_cs_alloc(d, n, sizeof(*arr));' % et)
            if mode == 'out' and k in ('scalar', 'char'):
                pass  # capacity only
            elif self.packed(et):
                out.append('   if (arr)')
                out.append('      pv_cs_read_array(d, arr, n, sizeof(*arr));')
                if mode == 'in' and not out_param:
                    out += ['   ' + x for x in self.enum_array_check(m, 'arr', 'n', True)]
            elif mode == 'in' and not out_param and self.flat(et):
                self.note_flat(et)
                out.append('   if (arr) /* allocated: n * size fits */')
                out.append('      pv_cs_read_flat(d, arr, (size_t)n * sizeof(*arr));')
            else:
                body = self.dec_elem(et, 'arr[i]', mode, raw_ids=out_param, m=m, level=1)
                # A count the stream cannot hold is fatal before the loop (check_elements);
                # output structs stop at a fatal read instead: the rest would only write
                # zeros, costing memory and time for a huge guest count.
                stop = ' && !pv_cs_fatal(d)' if not reads_each else ''
                out.append('   for (uint64_t i = 0; arr && i < n%s; i++)' % stop)
                out += ['      ' + x for x in body]
            out.append('   %s = arr;' % lv)
        if wa1:  # quirks.partial_count_not_encoded: capacity comes from the array size
            out.append('   %s%s = (uint32_t)n;' % (base, tgt))
        out.append('}')
        return out

    def enum_array_check(self, m, arr, n, pointer=False):
        """rules.enum_values for a packed array of enums (pDynamicStates, formats); pointer:
        arr may be NULL (an arena array), else it is a static array."""
        et = self._enum_checked(m.type, m)
        if not et:
            return []
        cond = '%s && ' % arr if pointer else ''
        return ['for (uint64_t i = 0; %si < (uint64_t)(%s); i++) {' % (cond, n),
                '   if (!pv_enum_ok_%s((int32_t)%s[i])) {' % (et, arr),
                '      pv_cs_bad_enum(d, (int32_t)%s[i], %s);' % (arr, _what(self.owner, m)),
                '      break;', '   }', '}']

    def dec_string_array(self, m, base, sib, mode):
        if not (m.type == 'char' and len(m.len) == 2 and m.len[1] == 'null-terminated'):
            raise Unsupported('%s: pointer to pointer' % m.name)
        if mode == 'out':
            raise Unsupported('%s: string array in an output' % m.name)
        expect = len_expr(self.reg, m, base, sib)
        return ['{', '   uint64_t n = pv_cs_read_count(d);',
                '   %s(d, n, (uint64_t)%s, %s);' % (_count_check(m), expect, _what(self.owner, m)),
                '   pv_cs_check_elements(d, n);',
                '   const char **arr = pv_cs_alloc(d, n, sizeof(*arr));',
                '   for (uint64_t i = 0; arr && i < n; i++)',
                '      arr[i] = pv_cs_read_string(d);',
                '   %s%s = arr;' % (base, m.name), '}']

    # ----- reply encoding --------------------------------------------------------------------
    def enc_member(self, m, base, sib, inout=False):
        if m.ptr == 0:
            if m.array:
                return self.enc_static(m, base)
            return self.enc_elem(m.type, base + m.name)
        if m.type == 'VkAllocationCallbacks':
            return ['pv_cs_write_u64(e, 0);']
        rv = base + m.name
        k = elem_kind(self.reg, m.type)
        if m.ptr == 2:
            raise Unsupported('%s: string array in a reply' % m.name)
        if k == 'char' and m.len and m.len[0] == 'null-terminated':
            return ['pv_cs_write_string(e, %s);' % rv]
        if m.len:
            n = len_expr(self.reg, m, base, sib)
            if k == 'void':
                return ['pv_cs_write_blob(e, %s, (uint64_t)%s);' % (rv, n)]
            out = ['if (%s) {' % rv, '   uint64_t n = (uint64_t)%s;' % n,
                   '   pv_cs_write_count(e, n);']
            if self.packed(m.type):
                out.append('   pv_cs_write_array(e, %s, n, sizeof(*%s));' % (rv, rv))
            else:
                out.append('   for (uint64_t i = 0; i < n; i++)')
                out += ['      ' + x for x in self.enc_elem(m.type, '%s[i]' % rv)]
            return out + ['} else {', '   pv_cs_write_count(e, 0);', '}']
        if k == 'void':
            raise Unsupported('%s: void pointer without a length' % m.name)
        return (['pv_cs_write_u64(e, %s ? 1 : 0);' % rv, 'if (%s) {' % rv] +
                ['   ' + x for x in self.enc_elem(m.type, '(*%s)' % rv)] + ['}'])
