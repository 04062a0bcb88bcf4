#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One-off: extract the numbers of a Mesa guest's Venus protocol into our data files.

usage: extract_mesa_ids.py MESA_SRC DIALECT_DIR
    MESA_SRC     an unpacked Mesa tree (e.g. build/guest/mesa-25.0.7/src)
    DIALECT_DIR  codegen/data/wireN; writes command_ids.txt and extensions.txt there

It only copies facts (command-type ids with the names Mesa lists for them, extension numbers
and spec versions, the wire format and vk.xml version) out of the generated
src/virtio/venus-protocol/vn_protocol_driver_{defines,info}.h; no Mesa text is kept. Ids
without a name are written as removed ('ID -'); the reason is added by hand afterwards
(venus-wire.md §8). The data files are committed, so this is not part of the build."""
import os
import re
import sys


def main(src, out):
    proto = os.path.join(src, 'src/virtio/venus-protocol')
    defines = open(os.path.join(proto, 'vn_protocol_driver_defines.h')).read()
    info = open(os.path.join(proto, 'vn_protocol_driver_info.h')).read()
    ids = {}
    for name, value in re.findall(r'VK_COMMAND_TYPE_(vk\w+)_EXT = (\d+),', defines):
        ids.setdefault(int(value), []).append(name)
    wire = re.search(r'vn_info_wire_format_version\(void\)\s*{\s*return (\d+);', info).group(1)
    xml = re.search(r'vn_info_vk_xml_version\(void\)\s*{\s*return VK_MAKE_API_VERSION'
                    r'\(0, (\d+), (\d+), (\d+)\);', info).groups()
    exts = re.findall(r'{ "(VK_\w+)", (\d+), (\d+) }', info)
    with open(os.path.join(out, 'command_ids.txt'), 'w') as f:
        f.write('# Venus command-type ids (VkCommandTypeEXT) of wire dialect %s, as the Mesa guest\n'
                '# encodes them (extracted by codegen/tools/extract_mesa_ids.py).\n'
                '# Format: id name [alias ...]; "id - reason" marks an id that is not in use.\n'
                '# Ids are protocol data: never derive them from order.\n' % wire)
        for i in range(max(ids) + 1):
            f.write('%d %s\n' % (i, ' '.join(ids[i]) if i in ids else '-'))
    with open(os.path.join(out, 'extensions.txt'), 'w') as f:
        f.write('# Extensions the Mesa guest protocol of wire dialect %s can encode (extracted by\n'
                '# codegen/tools/extract_mesa_ids.py); the capset extension mask may only\n'
                '# advertise these. Format: name number spec_version.\n' % wire)
        f.write('# vk_xml_version %s.%s.%s\n' % xml)
        for name, number, spec in sorted(exts):
            f.write('%s %s %s\n' % (name, number, spec))


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
