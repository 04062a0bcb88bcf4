# SPDX-License-Identifier: MIT
"""Parse a Vulkan registry (vk.xml syntax) once into plain Python objects.

Stable API (other generators build on it; extend, do not break):

    reg = Registry.load(path, api='vulkan', extra=[fragment_paths...])
    reg = Registry.from_string(xml_text, api='vulkan')   # tests
    reg.merge_file(path) / reg.merge_string(text)        # add a fragment in vk.xml syntax
    reg.finish()                                          # resolve + validate (load() calls it)

    reg.constants   {name: Constant(name, value:int|float|str, type)}   API constants
    reg.basetypes   {name: BaseType(name, c_type, wire)}   wire in 'u32','u64','i32','i64','f32','f64','u8','u16','i8','i16','ptr','opaque'
    reg.enums       {name: Enum(name, values{name:int}, bitwidth, is_bitmask, aliases{},
                           disabled{names only extensions not supported for the api add})}
                    e.enabled_values() -> set of ints: core and supported extensions only
    reg.bitmasks    {name: Bitmask(name, bits_enum, wide)}  VkFlags (u32) or VkFlags64 (u64)
    reg.handles     {name: Handle(name, dispatchable, parent, objtypeenum)}
    reg.structs     {name: Struct(name, members[Member], is_union, extends[], returned_only, stype, extended_by[])}
    reg.funcpointers{name: FuncPointer(name)}
    reg.commands    {name: Command(name, ret, params[Member], aliases[], success[], errors[])}
    reg.aliases     {alias: target}  for types and commands
    reg.extensions  {name: Extension(name, number, type, promoted_to, deprecated_by, obsoleted_by,
                                     supported, spec_version, types[], commands[], enum_values{})}
    reg.features    {name: Feature(name, number 'X.Y', types[], commands[])}
    reg.resolve(name)  follows aliases; reg.kind(name) -> 'base'|'enum'|'bitmask'|'handle'|
                       'struct'|'union'|'funcpointer'|'opaque'|None
    reg.wire_scalar(name) -> 'u32'|'u64'|'i32'|'f32'|... for scalar-like types (enums are i32)
    reg.command_origin(name) / reg.type_origin(name) -> ('core', '1.1') or ('ext', 'VK_KHR_x') or None
    reg.header_version  int, from VK_HEADER_VERSION

Member (also used for command params):
    name, type (resolved through aliases as `type`, original spelling in `type_as_written`),
    ptr (pointer depth), const (list[bool] per pointer level: const[0] = outermost pointee),
    is_const (pointee of the first level is const), array (list of dims, int or constant name),
    array_sizes (ints), len (list[str] per indirection level, e.g. ['count','null-terminated']),
    altlen (C expression or None), optional (list[bool]), values (fixed sType or None),
    noautovalidity (bool), bitfield (int or None), text (C declaration text).

Errors in the input raise RegistryError with a message naming the struct/command/member.
"""
import re
import xml.etree.ElementTree as ET

__all__ = ['RegistryError', 'Registry', 'Member', 'Struct', 'Command', 'Enum', 'Bitmask',
           'Handle', 'BaseType', 'Constant', 'Extension', 'Feature', 'FuncPointer']


class RegistryError(Exception):
    """Malformed or inconsistent registry input; the message names the culprit."""


# C scalar types that are not declared as registry types with a definition we parse.
C_SCALARS = {
    'void': 'opaque', 'char': 'u8', 'float': 'f32', 'double': 'f64',
    'uint8_t': 'u8', 'uint16_t': 'u16', 'uint32_t': 'u32', 'uint64_t': 'u64',
    'int8_t': 'i8', 'int16_t': 'i16', 'int32_t': 'i32', 'int64_t': 'i64',
    'int': 'i32', 'size_t': 'u64',
}
# Registry base types, as the Venus wire sees them (venus-wire.md §1.3).
BASETYPE_WIRE = {
    'VkBool32': 'u32', 'VkFlags': 'u32', 'VkSampleMask': 'u32', 'VkDeviceSize': 'u64',
    'VkDeviceAddress': 'u64', 'VkFlags64': 'u64', 'VkRemoteAddressNV': 'ptr',
}


class Constant:
    def __init__(self, name, value, ctype):
        self.name, self.value, self.type = name, value, ctype


class BaseType:
    def __init__(self, name, c_type, wire):
        self.name, self.c_type, self.wire = name, c_type, wire


class Enum:
    def __init__(self, name, is_bitmask=False, bitwidth=32):
        self.name, self.is_bitmask, self.bitwidth = name, is_bitmask, bitwidth
        self.values = {}
        self.aliases = {}
        self.disabled = set()

    def enabled_values(self):
        """The values core and extensions supported for the api define (not those only a
        disabled extension reserves)."""
        return {v for n, v in self.values.items() if n not in self.disabled}


class Bitmask:
    def __init__(self, name, bits_enum, wide):
        self.name, self.bits_enum, self.wide = name, bits_enum, wide


class Handle:
    def __init__(self, name, dispatchable, parent, objtypeenum):
        self.name, self.dispatchable = name, dispatchable
        self.parent, self.objtypeenum = parent, objtypeenum


class FuncPointer:
    def __init__(self, name):
        self.name = name


class Member:
    """One struct member or command parameter."""

    def __init__(self):
        self.name = None
        self.type = None
        self.type_as_written = None
        self.ptr = 0
        self.const = []
        self.is_const = False
        self.array = []
        self.array_sizes = []
        self.len = []
        self.altlen = None
        self.optional = []
        self.values = None
        self.noautovalidity = False
        self.bitfield = None
        self.text = ''
        self.selector = None

    def __repr__(self):
        return 'Member(%s %s%s%s)' % (self.type, '*' * self.ptr, self.name,
                                      ''.join('[%s]' % d for d in self.array))


class Struct:
    def __init__(self, name, is_union=False):
        self.name, self.is_union = name, is_union
        self.members = []
        self.extends = []
        self.extended_by = []
        self.returned_only = False
        self.stype = None

    def member(self, name):
        """The member called `name`, or None."""
        for m in self.members:
            if m.name == name:
                return m
        return None


class Command:
    def __init__(self, name):
        self.name = name
        self.ret = 'void'
        self.params = []
        self.aliases = []
        self.success = []
        self.errors = []

    def param(self, name):
        for p in self.params:
            if p.name == name:
                return p
        return None


class Extension:
    def __init__(self, name):
        self.name = name
        self.number = 0
        self.type = None
        self.promoted_to = None
        self.deprecated_by = None
        self.obsoleted_by = None
        self.supported = ''
        self.spec_version = None
        self.types = []
        self.commands = []
        self.enum_values = {}


class Feature:
    def __init__(self, name, number):
        self.name, self.number = name, number
        self.types = []
        self.commands = []


def _api_ok(elem, api):
    """Keep elements with no api= or with our api in the comma-separated list."""
    a = elem.get('api')
    return a is None or api in a.split(',')


def _int_value(text):
    t = text.strip().rstrip('ULF').rstrip('U')
    if t.startswith('(') and t.endswith(')'):
        t = t[1:-1].strip()
    if t.startswith('~'):
        return ~_int_value(t[1:])
    t = t.rstrip('ULLul')
    return int(t, 0)


class Registry:
    """The whole model; see the module docstring for the attribute list."""

    def __init__(self, api='vulkan'):
        self.api = api
        self.constants = {}
        self.basetypes = {}
        self.enums = {}
        self.bitmasks = {}
        self.handles = {}
        self.structs = {}
        self.funcpointers = {}
        self.opaque = set()
        self.commands = {}
        self.aliases = {}
        self.extensions = {}
        self.features = {}
        self.header_version = None
        self._origin_type = {}
        self._origin_cmd = {}

    # ----- loading -----------------------------------------------------------------------------
    @classmethod
    def load(cls, path, api='vulkan', extra=()):
        """Parse vk.xml at `path`, merge `extra` fragments, resolve and validate."""
        reg = cls(api)
        reg.merge_file(path)
        for p in extra:
            reg.merge_file(p)
        reg.finish()
        return reg

    @classmethod
    def from_string(cls, text, api='vulkan', extra_texts=()):
        reg = cls(api)
        reg.merge_string(text)
        for t in extra_texts:
            reg.merge_string(t)
        reg.finish()
        return reg

    def merge_file(self, path):
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            raise RegistryError('%s: XML parse error: %s' % (path, e))
        self._merge(root)

    def merge_string(self, text):
        try:
            root = ET.fromstring(text)
        except ET.ParseError as e:
            raise RegistryError('XML parse error: %s' % e)
        self._merge(root)

    def _merge(self, root):
        for types in root.findall('types'):
            for t in types.findall('type'):
                if _api_ok(t, self.api):
                    self._parse_type(t)
        for enums in root.findall('enums'):
            self._parse_enums(enums)
        for cmds in root.findall('commands'):
            for c in cmds.findall('command'):
                if _api_ok(c, self.api):
                    self._parse_command(c)
        for f in root.findall('feature'):
            if _api_ok(f, self.api):
                self._parse_feature(f)
        for exts in root.findall('extensions'):
            for e in exts.findall('extension'):
                self._parse_extension(e)

    # ----- types -------------------------------------------------------------------------------
    def _parse_type(self, t):
        cat = t.get('category')
        name = t.get('name') or (t.findtext('name') or '').strip()
        if t.get('alias'):
            self.aliases[name] = t.get('alias')
            return
        if cat in ('struct', 'union'):
            self._parse_struct(t, name, cat == 'union')
        elif cat == 'handle':
            disp = (t.findtext('type') or '').strip() == 'VK_DEFINE_HANDLE'
            self.handles[name] = Handle(name, disp, t.get('parent'), t.get('objtypeenum'))
        elif cat == 'enum':
            self.enums.setdefault(name, Enum(name))
        elif cat == 'bitmask':
            base = (t.findtext('type') or '').strip()
            bits = t.get('requires') or t.get('bitvalues')
            self.bitmasks[name] = Bitmask(name, bits, base == 'VkFlags64')
        elif cat == 'basetype':
            self._parse_basetype(t, name)
        elif cat == 'funcpointer':
            self.funcpointers[name] = FuncPointer(name)
        elif cat == 'define':
            if name == 'VK_HEADER_VERSION':
                m = re.search(r'VK_HEADER_VERSION\s+(\d+)', ''.join(t.itertext()))
                if m:
                    self.header_version = int(m.group(1))
        elif cat is None and t.get('requires') and name:
            self.opaque.add(name)  # platform types (Display, HANDLE, ...)

    def _parse_basetype(self, t, name):
        under = (t.findtext('type') or '').strip()
        text = ''.join(t.itertext())
        if name in BASETYPE_WIRE:
            wire = BASETYPE_WIRE[name]
        elif under in C_SCALARS and '*' not in text:
            wire = C_SCALARS[under]
        else:
            wire = 'opaque'  # struct-typedef'd platform objects (ANativeWindow, ...)
        self.basetypes[name] = BaseType(name, under, wire)

    def _parse_struct(self, t, name, is_union):
        s = Struct(name, is_union)
        s.returned_only = t.get('returnedonly') == 'true'
        s.extends = [x for x in (t.get('structextends') or '').split(',') if x]
        for m in t.findall('member'):
            if not _api_ok(m, self.api):
                continue
            mem = self._parse_member(m, 'struct %s' % name)
            s.members.append(mem)
            if mem.name == 'sType' and mem.values:
                s.stype = mem.values
        self.structs[name] = s

    def _parse_member(self, m, where):
        mem = Member()
        tname = m.find('type')
        nname = m.find('name')
        if tname is None or nname is None:
            raise RegistryError('%s: member without <type> or <name>' % where)
        mem.name = nname.text.strip()
        mem.type_as_written = tname.text.strip()
        mem.type = mem.type_as_written
        pre = (m.text or '')
        post = (tname.tail or '')
        after = (nname.tail or '')
        mem.text = ''.join(x for x in m.itertext() if x not in
                           [c.text for c in m.findall('comment')]).strip()
        stars = post.count('*')
        mem.ptr = stars
        # const per level: "const T* const*" -> [True, True]
        consts = []
        if stars:
            consts.append('const' in pre)
            parts = post.split('*')
            for i in range(1, stars):
                consts.append('const' in parts[i])
        mem.const = consts
        mem.is_const = bool(consts and consts[0]) or ('const' in pre and stars == 0)
        for e in m.findall('enum'):
            mem.array.append(e.text.strip())
        arr_text = after
        for e in m.findall('enum'):
            arr_text += '[%s]' % e.text.strip() + (e.tail or '')
        for d in re.findall(r'\[\s*([A-Za-z0-9_]+)\s*\]', arr_text):
            if d not in mem.array:
                mem.array.append(d)
        bf = re.search(r':\s*(\d+)', after)
        if bf:
            mem.bitfield = int(bf.group(1))
        if m.get('len'):
            mem.len = [x.strip() for x in _split_len(m.get('len'))]
        mem.altlen = m.get('altlen')
        if m.get('optional'):
            mem.optional = [x == 'true' for x in m.get('optional').split(',')]
        mem.values = m.get('values')
        mem.noautovalidity = m.get('noautovalidity') == 'true'
        mem.selector = m.get('selector')
        return mem

    # ----- enums -------------------------------------------------------------------------------
    def _parse_enums(self, enums):
        name = enums.get('name')
        etype = enums.get('type')
        if name == 'API Constants' or etype is None and name != 'API Constants' and False:
            pass
        if etype in ('enum', 'bitmask'):
            e = self.enums.setdefault(name, Enum(name))
            e.is_bitmask = etype == 'bitmask'
            e.bitwidth = int(enums.get('bitwidth', '32'))
            for v in enums.findall('enum'):
                if _api_ok(v, self.api):
                    self._enum_value(e, v, None)
            return
        for v in enums.findall('enum'):
            if not _api_ok(v, self.api):
                continue
            if v.get('alias'):
                self.aliases[v.get('name')] = v.get('alias')
                continue
            val = v.get('value')
            try:
                value = _int_value(val)
            except ValueError:
                try:
                    value = float(val.rstrip('Ff'))
                except ValueError:
                    value = val
            self.constants[v.get('name')] = Constant(v.get('name'), value, v.get('type'))

    def _enum_value(self, e, v, extnumber, disabled=False):
        n = v.get('name')
        if disabled and n not in e.values and n not in e.aliases:
            e.disabled.add(n)
        elif not disabled:
            e.disabled.discard(n)
        if v.get('alias'):
            e.aliases[n] = v.get('alias')
        elif v.get('value') is not None:
            e.values[n] = _int_value(v.get('value'))
        elif v.get('bitpos') is not None:
            e.values[n] = 1 << int(v.get('bitpos'))
        elif v.get('offset') is not None:
            num = int(v.get('extnumber') or extnumber or 0)
            val = 1000000000 + (num - 1) * 1000 + int(v.get('offset'))
            e.values[n] = -val if v.get('dir') == '-' else val

    # ----- commands ----------------------------------------------------------------------------
    def _parse_command(self, c):
        if c.get('alias'):
            self.aliases[c.get('name')] = c.get('alias')
            return
        proto = c.find('proto')
        name = proto.findtext('name').strip()
        cmd = Command(name)
        cmd.ret = proto.findtext('type').strip()
        cmd.success = [x for x in (c.get('successcodes') or '').split(',') if x]
        cmd.errors = [x for x in (c.get('errorcodes') or '').split(',') if x]
        for p in c.findall('param'):
            if _api_ok(p, self.api):
                cmd.params.append(self._parse_member(p, 'command %s' % name))
        self.commands[name] = cmd

    # ----- features / extensions ---------------------------------------------------------------
    def _require_blocks(self, elem, extnumber, origin):
        types, cmds = [], []
        for req in elem.findall('require'):
            if not _api_ok(req, self.api):
                continue
            for t in req.findall('type'):
                types.append(t.get('name'))
            for c in req.findall('command'):
                cmds.append(c.get('name'))
            for v in req.findall('enum'):
                ext = v.get('extends')
                if ext:
                    e = self.enums.setdefault(ext, Enum(ext))
                    self._enum_value(e, v, extnumber, disabled=origin[0] == 'disabled')
                elif v.get('value') is not None and origin[0] == 'ext':
                    pass  # extension name/spec-version constants, read separately
        for t in types:
            self._origin_type.setdefault(t, origin)
        for c in cmds:
            self._origin_cmd.setdefault(c, origin)
        return types, cmds

    def _parse_feature(self, f):
        feat = Feature(f.get('name'), f.get('number'))
        feat.types, feat.commands = self._require_blocks(f, None, ('core', feat.number))
        self.features[feat.name] = feat

    def _parse_extension(self, e):
        ext = Extension(e.get('name'))
        ext.number = int(e.get('number', '0'))
        ext.type = e.get('type')
        ext.promoted_to = e.get('promotedto')
        ext.deprecated_by = e.get('deprecatedby')
        ext.obsoleted_by = e.get('obsoletedby')
        ext.supported = e.get('supported', '')
        for req in e.findall('require'):
            for v in req.findall('enum'):
                if v.get('name', '').endswith('_SPEC_VERSION') and v.get('value'):
                    try:
                        ext.spec_version = int(v.get('value'))
                    except ValueError:
                        pass
        enabled = self.api in ext.supported.split(',')
        origin = ('ext', ext.name) if enabled else ('disabled', ext.name)
        ext.types, ext.commands = self._require_blocks(e, ext.number, origin)
        self.extensions[ext.name] = ext

    # ----- queries -----------------------------------------------------------------------------
    def resolve(self, name):
        """Follow type/command aliases to the canonical name."""
        seen = 0
        while name in self.aliases and seen < 16:
            name = self.aliases[name]
            seen += 1
        return name

    def kind(self, name):
        name = self.resolve(name)
        if name in self.structs:
            return 'union' if self.structs[name].is_union else 'struct'
        if name in self.handles:
            return 'handle'
        if name in self.enums:
            return 'enum'
        if name in self.bitmasks:
            return 'bitmask'
        if name in self.basetypes:
            return 'base'
        if name in self.funcpointers:
            return 'funcpointer'
        if name in C_SCALARS:
            return 'base'
        if name in self.opaque:
            return 'opaque'
        return None

    def wire_scalar(self, name):
        """Wire scalar class of an enum/bitmask/base type, or None for non-scalars."""
        name = self.resolve(name)
        k = self.kind(name)
        if k == 'enum':
            return 'i32'
        if k == 'bitmask':
            return 'u64' if self.bitmasks[name].wide else 'u32'
        if name in self.basetypes:
            return self.basetypes[name].wire
        if name in C_SCALARS:
            return C_SCALARS[name]
        return None

    def type_origin(self, name):
        return self._origin_type.get(name)

    def command_origin(self, name):
        return self._origin_cmd.get(name)

    def constant_value(self, name):
        """Integer value of an array dimension (literal or API constant)."""
        if re.fullmatch(r'\d+', name):
            return int(name)
        c = self.constants.get(self.resolve(name))
        if c is None or not isinstance(c.value, int):
            raise RegistryError('unknown array size constant %s' % name)
        return c.value

    # ----- resolve + validate ------------------------------------------------------------------
    def finish(self):
        """Resolve aliases/array sizes, link structextends, validate references."""
        for s in self.structs.values():
            for m in s.members:
                self._finish_member(m, 'struct %s' % s.name, s.members)
            for parent in s.extends:
                p = self.structs.get(self.resolve(parent))
                if p is None:
                    raise RegistryError('struct %s: structextends names unknown struct %s'
                                        % (s.name, parent))
                if s.name not in p.extended_by:
                    p.extended_by.append(s.name)
        for c in self.commands.values():
            if self.kind(c.ret) is None and c.ret != 'void':
                raise RegistryError('command %s: unknown return type %s' % (c.name, c.ret))
            for p in c.params:
                self._finish_member(p, 'command %s' % c.name, c.params)
        for alias, target in self.aliases.items():
            if target in self.commands:
                self.commands[target].aliases.append(alias)
        return self

    def _finish_member(self, m, where, siblings):
        m.type = self.resolve(m.type_as_written)
        if self.kind(m.type) is None:
            raise RegistryError('%s: member %s has unknown type %s' % (where, m.name, m.type))
        m.array_sizes = []
        for d in m.array:
            try:
                m.array_sizes.append(self.constant_value(d))
            except RegistryError as e:
                raise RegistryError('%s: member %s: %s' % (where, m.name, e))
        names = {s.name for s in siblings}
        for l in m.len[:1]:
            if l in ('null-terminated', '1') or l.startswith('latexmath') or l.isdigit():
                continue
            base = re.split(r'->|\.', l)[0]
            if base not in names:
                raise RegistryError('%s: member %s has len="%s" naming no member'
                                    % (where, m.name, l))


def _split_len(text):
    """Split a len attribute on commas, but not inside latexmath brackets."""
    if text.startswith('latexmath'):
        # "latexmath:[...],null-terminated" is possible; split after the closing bracket
        end = text.find(']')
        rest = text[end + 1:]
        head = [text[:end + 1]]
        return head + [x for x in rest.split(',') if x]
    return text.split(',')
