# SPDX-License-Identifier: MIT
"""Writes the Generator's code into files: pv_protocol_gen.h (public: args structs, decoder
prototypes, host dispatch struct, tables), pv_protocol_gen_internal.h, pv_structs_N.c,
pv_commands_N.c, pv_tables.c."""
from .ctypes import c_decl
from .generator import FRAGMENT_EXT, STAMP


def _fragment_types(gen):
    reg, out = gen.reg, []
    ext = reg.extensions.get(FRAGMENT_EXT)
    if not ext:
        return out
    for t in ext.types:
        if t in reg.bitmasks:
            out.append('typedef VkFlags %s;' % t)
    for t in ext.types:
        s = reg.structs.get(t)
        if s:
            out.append('typedef struct %s {' % t)
            out += ['   %s;' % c_decl(m) for m in s.members]
            out += ['} %s;' % t, '']
    for t in ext.types:  # wire 1 spellings of renamed wire 0 structs (venus_mesa.xml)
        if t in reg.aliases and reg.resolve(t) in reg.structs:
            out += ['typedef %s %s;' % (reg.resolve(t), t)]
    return out


def header(gen):
    g = gen
    lines = [STAMP % g.registry_name, '#ifndef PV_PROTOCOL_GEN_H', '#define PV_PROTOCOL_GEN_H', '',
             '#include <vulkan/vulkan_core.h>', '', '#include "protocol/pv_protocol.h"', '',
             '/* Venus-only types (codegen/data/venus_mesa.xml) */'] + _fragment_types(g)
    lines.append('/* per-command arguments: real Vulkan types; handles are host handles after')
    lines.append(' * decoding, except out handles, which hold the guest ids */')
    for name, cc in sorted(g.commands.items(), key=lambda x: x[1].ident):
        lines += cc.args_struct()
        lines.append(cc.decode_proto())
        lines += [cc.decode_proto(v) for v in g.variants if name in v.commands]
        lines.append('void pv_encode_reply_%s(struct pv_cs_encoder *e, const struct pv_args_%s *a);'
                     % (name, name))
        if 'handler' in cc.funcs:
            lines.append('void pv_handle_%s(struct pv_dispatch_ctx *c, void *args);' % name)
        lines.append('')
    lines.append('/* struct decoders and reply encoders */')
    for n in sorted(g.structs):
        if n not in g.bad:
            lines += [p for p in g.structs[n].protos if 'pv_dec_' not in p and 'pv_enc_' not in p
                      and 'pv_ct_' not in p]
    lines += ['', '/* the host driver, as function pointers (filled by the renderer) */',
              'struct pv_vk_dispatch {']
    for name, cc in sorted(g.commands.items(), key=lambda x: x[1].ident):
        if 'handler' in cc.funcs:
            lines.append('   PFN_%s %s;' % (name, name[2:]))
    lines += ['};', '',
              '/* name and place of every pv_vk_dispatch member, for the renderer\'s loader */',
              'struct pv_vk_dispatch_entry {', '   const char *name;', '   size_t offset;',
              '   bool device_level; /* first parameter is a VkDevice, VkQueue or VkCommandBuffer */',
              '};',
              'extern const struct pv_vk_dispatch_entry pv_vk_dispatch_entries[];',
              'extern const size_t pv_vk_dispatch_entry_count;', '']
    for d in sorted(g.proto.dialects):
        lines.append('extern const struct pv_protocol_table pv_protocol_%s;' % d)
    lines += ['', '#endif', '']
    return '\n'.join(lines)


def _enum_checks(gen):
    """rules.enum_values: per enum type a decoder checks, the values the registry defines for
    it (core and supported extensions). A switch: the compiler turns it into range compares,
    bit tests or a table, a few instructions per value."""
    lines = ['/* enum values the registry defines (quirks.json rules.enum_values) */']
    for t in sorted(gen.proto.enum_checks):
        vals = sorted({v - (1 << 32) if v >= 1 << 31 else v
                       for v in gen.reg.enums[t].enabled_values()})
        lines += ['static inline bool', 'pv_enum_ok_%s(int32_t v)' % t, '{', '   switch (v) {']
        lines += ['   case %d:' % v for v in vals]
        lines += ['      return true;' if vals else '', '   default:', '      return false;',
                  '   }', '}', '']
    return lines


def _flat_structs(gen):
    """Structs the decoders copy whole (emit_members.MemberCode.flat): their C layout must be
    their wire layout, which the compiler checks here once for all."""
    lines = ['/* structs decoded by copy: C layout = wire layout */']
    for t, size in sorted(gen.proto.flat_structs.items()):
        lines.append('_Static_assert(sizeof(%s) == %d, "%s: decoded by copy");' % (t, size, t))
    return lines + ['']


def internal_header(gen):
    lines = [STAMP % gen.registry_name, '#ifndef PV_PROTOCOL_GEN_INTERNAL_H',
             '#define PV_PROTOCOL_GEN_INTERNAL_H', '', '#include "pv_protocol_gen.h"', '']
    lines += _enum_checks(gen)
    lines += _flat_structs(gen)
    for n in sorted(gen.structs):
        if n not in gen.bad:
            lines += [p for p in gen.structs[n].protos if 'pv_dec_' in p or 'pv_enc_' in p
                      or 'pv_ct_' in p]
    for name in sorted(gen.commands):
        lines.append('void pv_cmd_decode_%s(struct pv_cs_decoder *d, void *a);' % name)
        lines += ['void pv_cmd_decode_%s%s(struct pv_cs_decoder *d, void *a);' % (name, v.suffix)
                  for v in gen.variants if name in v.commands]
        lines.append('void pv_cmd_encode_%s(struct pv_cs_encoder *e, const void *a);' % name)
    lines += ['', '#endif', '']
    return '\n'.join(lines)


def _c_file(gen, chunks):
    lines = [STAMP % gen.registry_name, '#include "pv_protocol_gen_internal.h"', '']
    for c in chunks:
        lines += c
    return '\n'.join(lines) + '\n'


def _split(items, n):
    n = max(1, min(n, len(items)))
    size = (len(items) + n - 1) // n
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def struct_files(gen):
    names = sorted(n for n in gen.structs if n not in gen.bad)
    files = {}
    for i, part in enumerate(_split(names, gen.split[0])):
        chunks = []
        for n in part:
            f = gen.structs[n].funcs
            chunks += [f[k] for k in ('lookup', 'in', 'partial', 'encode', 'desc') if k in f]
            for v in gen.variants:  # this dialect's own partial decoding (Generator._variants)
                chunks += [f[k + v.suffix] for k in ('lookup', 'partial', 'desc')
                           if k + v.suffix in f]
        files['pv_structs_%d.c' % i] = _c_file(gen, chunks)
    return files


def command_files(gen):
    names = sorted(gen.commands, key=lambda n: gen.commands[n].ident)
    files = {}
    for i, part in enumerate(_split(names, gen.split[1])):
        chunks = []
        for n in part:
            f = gen.commands[n].funcs
            chunks += [f['decode']]
            chunks += [f['decode' + v.suffix] for v in gen.variants if n in v.commands]
            chunks += [f['encode']] + ([f['handler']] if 'handler' in f else [])
            chunks.append(['void', 'pv_cmd_decode_%s(struct pv_cs_decoder *d, void *a)' % n,
                           '{', '   pv_decode_%s(d, a);' % n, '}', ''])
            for v in gen.variants:
                if n in v.commands:
                    chunks.append(['void', 'pv_cmd_decode_%s%s(struct pv_cs_decoder *d, void *a)'
                                   % (n, v.suffix), '{', '   pv_decode_%s%s(d, a);'
                                   % (n, v.suffix), '}', ''])
            chunks.append(['void', 'pv_cmd_encode_%s(struct pv_cs_encoder *e, const void *a)'
                           % n, '{', '   pv_encode_reply_%s(e, a);' % n, '}', ''])
        files['pv_commands_%d.c' % i] = _c_file(gen, chunks)
    return files


def _c_str(s):
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\'')


def _device_level(cc):
    """Device-level commands are resolved per device (vkGetDeviceProcAddr)."""
    params = cc.cmd.params
    return bool(params) and params[0].type in ('VkDevice', 'VkQueue', 'VkCommandBuffer')


def _vk_version(text):
    """'1.3.228' -> the VK_MAKE_API_VERSION value; 0 when the data gives none."""
    if not text:
        return '0'
    major, minor, patch = (int(x) for x in text.split('.'))
    return '0x%08xu' % ((major << 22) | (minor << 12) | patch)


def tables_file(gen):
    lines = [STAMP % gen.registry_name, '#include <stddef.h>', '#include <string.h>', '',
             '#include "pv_protocol_gen_internal.h"', '']
    for dname, d in sorted(gen.proto.dialects.items()):
        var = gen.variant(dname)
        count = len(d.ids) + len(d.removed)
        lines.append('static const struct pv_command_entry %s_entries[%d] = {' % (dname, count))
        for ident in sorted(list(d.ids) + list(d.removed)):
            if ident in d.removed:  # no .name: fatal with its reason, counted nowhere
                lines.append('   [%d] = {.not_decodable = %s},' % (ident, _c_str(d.removed[ident])))
                continue
            name = gen.proto.code_name(d.ids[ident])
            e = ['.name = "%s"' % d.names[ident]]
            if name in gen.proto.never_sent:
                e.append('.never_sent = %s' % _c_str(gen.proto.never_sent[name]))
            elif name in gen.commands:
                cc = gen.commands[name]
                if cc.cmd.ret == 'VkResult':
                    e.append('.result_offset = offsetof(struct pv_args_%s, ret) + 1' % name)
                e += ['.args_size = sizeof(struct pv_args_%s)' % name,
                      '.decode = pv_cmd_decode_%s%s' % (name, var.suffix if var and name
                                                         in var.commands else ''),
                      '.encode_reply = pv_cmd_encode_%s' % name]
                if 'handler' in cc.funcs:
                    e.append('.default_handler = pv_handle_%s' % name)
                else:
                    e.append('.no_handler = %s' % _c_str(cc.handler_reason))
            else:
                e.append('.not_decodable = %s' % _c_str(gen.cmd_bad.get(name, 'unknown')))
            lines.append('   [%d] = {%s},' % (ident, ', '.join(e)))
        # by name, in strcmp order (ASCII): pv_protocol_extension_find searches it
        exts = sorted(d.extensions.items(), key=lambda x: x[0].encode())
        lines += ['};', '', 'static const struct pv_protocol_extension %s_extensions[%d] = {'
                  % (dname, max(1, len(exts)))]
        lines += ['   {"%s", %d, %d},' % (n, num, spec) for n, (num, spec) in exts]
        # the named entries by name, in strcmp order: pv_protocol_command_find searches it
        named = sorted(d.ids, key=lambda i: d.names[i].encode())
        lines += ['};', '', 'static const uint16_t %s_by_name[%d] = {' % (dname, max(1, len(named)))]
        lines += ['   %d, /* %s */' % (i, d.names[i]) for i in named]
        lines += ['};', '', 'const struct pv_protocol_table pv_protocol_%s = {' % dname,
                  '   .name = "%s",' % dname, '   .count = %d,' % count,
                  '   .entries = %s_entries,' % dname,
                  '   .vk_xml_version = %s,' % _vk_version(d.vk_xml_version),
                  '   .extensions = %s_extensions,' % dname,
                  '   .extension_count = %d,' % len(exts),
                  '   .by_name = %s_by_name,' % dname,
                  '   .named_count = %d,' % len(named), '};', '']
    lines.append('const struct pv_vk_dispatch_entry pv_vk_dispatch_entries[] = {')
    disp = [n for n, cc in sorted(gen.commands.items(), key=lambda x: x[1].ident)
            if 'handler' in cc.funcs]
    lines += ['   {"%s", offsetof(struct pv_vk_dispatch, %s), %s},'
              % (n, n[2:], 'true' if _device_level(gen.commands[n]) else 'false') for n in disp]
    lines += ['   {NULL, 0, false},', '};', 'const size_t pv_vk_dispatch_entry_count = %d;' % len(disp), '']
    names = sorted(gen.proto.dialects)
    lines.append('const char *const pv_protocol_dialects[] = {%s};' %
                 ', '.join(['"%s"' % n for n in names] + ['NULL']))
    lines += ['', 'const struct pv_protocol_table *', 'pv_protocol_table_get(const char *name)', '{']
    for n in names:
        lines += ['   if (!strcmp(name, "%s"))' % n, '      return &pv_protocol_%s;' % n]
    lines += ['   return NULL;', '}', '']
    return '\n'.join(lines)


def all_files(gen):
    files = {'pv_protocol_gen.h': header(gen), 'pv_protocol_gen_internal.h': internal_header(gen),
             'pv_tables.c': tables_file(gen)}
    files.update(struct_files(gen))
    files.update(command_files(gen))
    return files
