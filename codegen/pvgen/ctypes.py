# SPDX-License-Identifier: MIT
"""Small helpers that turn registry members into C: declarations, len expressions, kinds."""
import re

from .registry import RegistryError


class Unsupported(Exception):
    """A type the wire rules do not cover; the struct/command is then not decodable."""


def elem_kind(reg, t):
    """'scalar' | 'handle' | 'struct' | 'union' | 'void' | 'char' | 'opaque'."""
    k = reg.kind(t)
    if t == 'void':
        return 'void'
    if t == 'char':
        return 'char'
    if k in ('struct', 'union', 'handle'):
        return k
    if k in ('enum', 'bitmask', 'base'):
        cls = reg.wire_scalar(t)
        if cls in ('opaque', 'ptr', None):
            return 'opaque'
        return 'scalar'
    return 'opaque'


def c_decl(m, name=None, drop_const_top=False):
    """C declaration of a member/param as a struct field (real Vulkan types)."""
    name = name or m.name
    t = m.type_as_written
    if m.ptr == 0:
        dims = ''.join('[%s]' % d for d in m.array)
        return '%s %s%s' % (t, name, dims)
    s = ('const ' if m.const and m.const[0] else '') + t
    for i in range(m.ptr):
        s += '*'
        if i + 1 < m.ptr and m.const[i + 1]:
            s += ' const'
    return '%s %s' % (s, name)


def objtype_value(reg, handle):
    h = reg.handles[handle]
    vals = reg.enums.get('VkObjectType')
    if h.objtypeenum and vals and h.objtypeenum in vals.values:
        return vals.values[h.objtypeenum]
    return 0


def _member_ref(base, name, siblings):
    """C expression for the current value of sibling `name` (dereferencing count pointers)."""
    m = siblings.get(name)
    if m is None:
        raise RegistryError('len references unknown member %s' % name)
    if m.ptr:
        return '(%s%s ? *%s%s : 0)' % (base, name, base, name)
    return '%s%s' % (base, name)


def len_expr(reg, m, base, siblings):
    """C expression (uint64) for the element count the registry says array m has."""
    if not m.len:
        raise Unsupported('%s has no len' % m.name)
    l = m.len[0]
    if l.startswith('latexmath'):
        if not m.altlen:
            raise Unsupported('%s: latexmath len without altlen' % m.name)
        expr = m.altlen

        def sub(mo):
            w = mo.group(0)
            return '(uint64_t)' + _member_ref(base, w, siblings) if w in siblings else w
        return '(%s)' % re.sub(r'[A-Za-z_][A-Za-z0-9_]*', sub, expr)
    if l.isdigit():
        return l
    if '->' in l:
        head, tail = l.split('->', 1)
        if head not in siblings:
            raise RegistryError('len %s references unknown member %s' % (l, head))
        return '(%s%s ? %s%s->%s : 0)' % (base, head, base, head, tail)
    if l == 'null-terminated':
        raise Unsupported('%s: null-terminated is not a count' % m.name)
    return _member_ref(base, l, siblings)


def len_target(m):
    """The sibling named by m's len (its count field), or None."""
    if not m.len:
        return None
    l = m.len[0]
    if l.startswith('latexmath') or l.isdigit() or l == 'null-terminated':
        return None
    return l.split('->')[0]
