#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Our tables against what the Mesa guests can encode: every command with a vn_encode_vk*
encoder in a guest's venus-protocol headers must be in its dialect's table and decodable,
unless quirks.json lists it as never sent; every command the guest driver calls must be
decodable; every struct with an encoder must have a decoder or be decoded by copy (except
NOT_DECODED).
Fails when the guest sources are absent (scripts/build-guest-mesa makes them).
usage: mesa_coverage.py GEN_DIR GUEST_DIR REGISTRY DATA_DIR"""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../codegen'))
from pvgen.registry import Registry  # noqa: E402

DIALECTS = {'wire0': '22.3.6', 'wire1': '25.0.7'}
# Structs Mesa has encoders for that no decodable command carries.
NOT_DECODED = {'VkMappedMemoryRange': 'only vkFlush/InvalidateMappedMemoryRanges, never sent'}


def table_entries(tables_c, dialect):
    body = tables_c.split('%s_entries[' % dialect)[1].split('};')[0]
    return {m.group(2): '.decode =' in m.group(3)
            for m in re.finditer(r'\[(\d+)\] = {\.name = "(vk\w+)"([^}]*)}', body)}


def main(gen, guest, registry, data):
    reg = Registry.load(registry, extra=[os.path.join(data, 'venus_mesa.xml')])
    never = json.load(open(os.path.join(data, 'quirks.json')))['never_sent']
    never = {reg.resolve(n) for n in never}
    tables = open(os.path.join(gen, 'pv_tables.c')).read()
    h = ''.join(open(os.path.join(gen, f)).read()
                for f in ('pv_protocol_gen.h', 'pv_protocol_gen_internal.h'))
    have = set(re.findall(r'pv_dec_(Vk\w+?)_self\(', h)) | set(re.findall(r'pv_decode_(Vk\w+)\(', h))
    # structs decoded by copy, inline (codegen emit_members.py `flat`)
    have |= set(re.findall(r'_Static_assert\(sizeof\((Vk\w+)\) == \d+, "\w+: decoded by copy"', h))
    bad, ran = 0, 0
    for dialect, version in sorted(DIALECTS.items()):
        src = os.path.join(guest, 'mesa-%s' % version, 'src', 'src', 'virtio')
        hdrs = glob.glob(os.path.join(src, 'venus-protocol', '*.h'))
        if not hdrs:
            # `make check` builds both guest drivers before the tests, so absence is a failure.
            print('%s: no Mesa %s sources under %s (run scripts/build-guest-mesa)'
                  % (dialect, version, guest))
            bad += 1
            continue
        ran += 1
        text = ''.join(open(f).read() for f in hdrs)
        enc = set(re.findall(r'void vn_encode_(vk\w+)\(struct vn_cs_encoder \*enc, VkCommandFlags',
                             text))
        drv = ''.join(open(f).read() for f in glob.glob(os.path.join(src, 'vulkan', '*.[ch]')))
        sent = set(re.findall(r'(?:vn_call|vn_async|vn_encode|VN_CMD_ENQUEUE\()_?(vk\w+)', drv))
        entries = {reg.resolve(n): ok for n, ok in table_entries(tables, dialect).items()}
        for c in sorted(enc):
            ok = entries.get(reg.resolve(c))
            if ok is None or (not ok and reg.resolve(c) not in never):
                print('%s: %s has a Mesa %s encoder but is %s' %
                      (dialect, c, version, 'not in the table' if ok is None else 'not decodable'))
                bad += 1
        for c in sorted(sent):
            if not entries.get(reg.resolve(c)):
                print('%s: Mesa %s sends %s, which is not decodable' % (dialect, version, c))
                bad += 1
        structs = set(re.findall(r'void\s+vn_encode_(Vk\w+?)(?:_self)?(?:_partial)?\(struct vn_cs_'
                                 r'encoder', text))
        structs = {s for s in structs if reg.resolve(s) in reg.structs}  # not enums, handles
        for s in sorted(structs):
            if reg.resolve(s) not in have and s not in NOT_DECODED:
                print('%s: Mesa %s encodes struct %s; no decoder' % (dialect, version, s))
                bad += 1
        print('%s: Mesa %s: %d command encoders, %d commands sent, %d structs with encoders'
              % (dialect, version, len(enc), len(sent), len(structs)))
    return 1 if bad or not ran else 0


if __name__ == '__main__':
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
