#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the Venus protocol codec.

usage: gen.py --registry vk.xml --data codegen/data --out DIR [--dialect wire0 ...]
              [--split-structs N] [--split-commands N] [--list-outputs]
Writes pv_protocol_gen.h, pv_protocol_gen_internal.h, pv_tables.c, pv_structs_*.c,
pv_commands_*.c into DIR. Exits 1 with a message on malformed input."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pvgen import layout  # noqa: E402
from pvgen.generator import Generator  # noqa: E402
from pvgen.protocol import Protocol  # noqa: E402
from pvgen.registry import Registry, RegistryError  # noqa: E402


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--registry', required=True)
    ap.add_argument('--data', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--dialect', action='append')
    ap.add_argument('--split-structs', type=int, default=6)
    ap.add_argument('--split-commands', type=int, default=4)
    a = ap.parse_args(argv)
    dialects = a.dialect or ['wire0']
    try:
        extra = [os.path.join(a.data, 'venus_mesa.xml')]
        reg = Registry.load(a.registry, extra=[p for p in extra if os.path.exists(p)])
        proto = Protocol(reg, a.data, dialects)
        gen = Generator(reg, proto, os.path.basename(a.registry),
                        (a.split_structs, a.split_commands))
        gen.analyse()
        files = layout.all_files(gen)
    except (RegistryError, OSError, ValueError) as e:
        sys.stderr.write('gen.py: error: %s\n' % e)
        return 1
    os.makedirs(a.out, exist_ok=True)
    for name, text in files.items():
        path = os.path.join(a.out, name)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            with open(path, 'w') as f:
                f.write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
