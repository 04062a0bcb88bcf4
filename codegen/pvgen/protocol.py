# SPDX-License-Identifier: MIT
"""Protocol data (our own files under codegen/data) joined with the registry model.

Protocol(reg, data_dir, dialects) gives:
  .dialects        {name: Dialect(name, ids{id: canonical command}, names{id: name as written},
                   removed{id: reason}, extensions{name:(number, spec)})}
  .code_name(c)    the name a canonical command's generated code carries: as the first dialect
                   (sorted) writes it, so a newer registry that promotes an EXT/KHR command to
                   core (vkCmdSetLineStippleEXT -> vkCmdSetLineStipple) does not rename wire 0's
                   generated API; quirks.json is keyed by these names too
  .quirks          the parsed quirks.json
  .wa1, .wa1_by_dialect, .variant_dialects
                   quirks.partial_count_not_encoded: shared, per dialect, dialects that differ
  .allowed_type(t) True when struct t may appear on the wire (core, an allow-listed extension
                   of any dialect, or our MESA fragment)
  .chain(s)        allowed structs that extend struct s (its pNext chain members)
"""
import json
import os

from .registry import RegistryError


class Dialect:
    def __init__(self, name):
        self.name = name
        self.ids = {}          # id -> canonical command name
        self.names = {}        # id -> the name the data file writes first (the table's .name)
        self.removed = {}      # id -> why the id is not in use (fatal, counted nowhere)
        self.extensions = {}   # name -> (number, spec_version)
        self.vk_xml_version = None


def _read_lines(path):
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line and not line.startswith('#'):
                yield n, line.split()


def load_dialect(reg, data_dir, name):
    d = Dialect(name)
    path = os.path.join(data_dir, name, 'command_ids.txt')
    for n, words in _read_lines(path):
        ident = int(words[0])
        if ident in d.ids or ident in d.removed:
            raise RegistryError('%s:%d: duplicate command id %d' % (path, n, ident))
        if words[1] == '-':
            if len(words) < 3:
                raise RegistryError('%s:%d: removed id %d needs a reason' % (path, n, ident))
            d.removed[ident] = ' '.join(words[2:])
            continue
        canon = reg.resolve(words[1])
        if canon not in reg.commands:
            raise RegistryError('%s:%d: command %s is not in the registry' % (path, n, words[1]))
        for alias in words[2:]:
            if reg.resolve(alias) != canon:
                raise RegistryError('%s:%d: %s is not an alias of %s in the registry'
                                    % (path, n, alias, words[1]))
        d.ids[ident] = canon
        d.names[ident] = words[1]
    expect = list(range(len(d.ids) + len(d.removed)))
    if sorted(list(d.ids) + list(d.removed)) != expect:
        raise RegistryError('%s: command ids are not contiguous from 0' % path)
    path = os.path.join(data_dir, name, 'extensions.txt')
    if os.path.exists(path):
        for n, words in _read_lines(path):
            if words[0] == 'vk_xml_version':
                d.vk_xml_version = words[1]
                continue
            d.extensions[words[0]] = (int(words[1]), int(words[2]))
    return d


class Protocol:
    def __init__(self, reg, data_dir, dialects):
        self.reg = reg
        with open(os.path.join(data_dir, 'quirks.json')) as f:
            self.quirks = json.load(f)
        self.dialects = {n: load_dialect(reg, data_dir, n) for n in dialects}
        self.allowed_exts = set()
        for d in self.dialects.values():
            self.allowed_exts.update(d.extensions)
        self._load_wa1(data_dir)
        self.never_sent = self.quirks.get('never_sent', {})
        self.no_default = self.quirks.get('no_default_handler', {})
        self.union_tags = {k: v['tag'] for k, v in self.quirks.get('union_default_tags', {}).items()}
        self.null_allowed = self._member_table('null_allowed', ('handle', 'pointer'))
        self.enum_unchecked = self._member_table('enum_unchecked', ('enum',))
        self.enum_checks = set()  # enum types some decoder checks (filled by the emitters)
        self.flat_structs = {}  # structs decoded by copy: name -> wire size (emit_members.flat)
        self._check_ids_agree()

    def _load_wa1(self, data_dir):
        """quirks.partial_count_not_encoded: {"Struct.count": {"dialects": [...], "reason"}}.
        wa1_by_dialect[d]: the entries active in dialect d; wa1: those active in every loaded
        dialect (the shared code); variant_dialects: dialects whose set differs from wa1 and
        so get their own decoders for what that changes (codegen/README.md, Dialects)."""
        self.wa1_by_dialect = {d: set() for d in self.dialects}
        for key, q in self.quirks.get('partial_count_not_encoded', {}).items():
            if not isinstance(q, dict) or not q.get('dialects') or not q.get('reason'):
                raise RegistryError('quirks.json: partial_count_not_encoded %s needs '
                                    '{"dialects": [...], "reason": "..."}' % key)
            owner, _, member = key.partition('.')
            s = self.reg.structs.get(owner)
            if s is None or s.member(member) is None:
                raise RegistryError('quirks.json: partial_count_not_encoded %s names no '
                                    'struct member' % key)
            for d in q['dialects']:
                if not os.path.exists(os.path.join(data_dir, d, 'command_ids.txt')):
                    raise RegistryError('quirks.json: partial_count_not_encoded %s: unknown '
                                        'dialect %s' % (key, d))
                if d in self.wa1_by_dialect:
                    self.wa1_by_dialect[d].add(key)
        sets = list(self.wa1_by_dialect.values())
        self.wa1 = set.intersection(*sets) if sets else set()
        self.variant_dialects = sorted(d for d, v in self.wa1_by_dialect.items() if v != self.wa1)

    def _member_table(self, key, kinds):
        """quirks.json {"Owner.member": "reason"}: exceptions to a value rule (rules.
        handle_required / pointer_required, rules.enum_values). Each must name a struct member
        or command parameter of one of those kinds ('pointer': any pointer) and give a
        reason."""
        table = self.quirks.get(key, {})
        for k, reason in table.items():
            if k.startswith('_'):
                continue
            owner, _, name = k.partition('.')
            o = self.reg.structs.get(owner) or self.reg.commands.get(self.reg.resolve(owner))
            mems = (o.members if hasattr(o, 'members') else o.params) if o else []
            m = next((x for x in mems if x.name == name), None)
            kind = 'pointer' if m is not None and m.ptr else self.reg.kind(m.type) if m else None
            if kind not in kinds or not reason:
                raise RegistryError('quirks.json: %s %s needs a %s member or parameter and a '
                                    'reason' % (key, k, ' or '.join(kinds)))
        return {k for k in table if not k.startswith('_')}

    def _check_ids_agree(self):
        """One generated reply encoder per command echoes one id: dialects must agree."""
        seen, self._code_names = {}, {}
        for dname in sorted(self.dialects):
            d = self.dialects[dname]
            for ident, name in d.ids.items():
                if seen.setdefault(name, ident) != ident:
                    raise RegistryError('command %s has id %d in one dialect and %d in another'
                                        % (name, seen[name], ident))
                self._code_names.setdefault(name, d.names[ident])
        self.command_ids = seen

    def code_name(self, canonical):
        return self._code_names[canonical]

    def allowed_type(self, name):
        origin = self.reg.type_origin(name)
        if origin is None:
            return True  # types with no require block (base types, platform-free helpers)
        kind, where = origin
        if kind == 'core':
            return True
        if kind == 'ext':
            return where in self.allowed_exts or self._is_fragment_ext(where)
        return False

    def _is_fragment_ext(self, ext):
        e = self.reg.extensions.get(ext)
        return e is not None and e.name == 'VK_MESA_venus_protocol'

    def chain(self, struct_name):
        s = self.reg.structs[struct_name]
        return [c for c in s.extended_by if self.allowed_type(c)]
