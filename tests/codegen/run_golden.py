#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generator golden tests: small XML in data/golden -> expected files; malformed XML in
data/malformed must fail with a message naming the problem.
usage: run_golden.py GEN_PY DATA_DIR [--update]"""
import os
import subprocess
import sys
import tempfile

MALFORMED = {
    'unknown_type.xml': 'member indexCount has unknown type VkNoSuchType',
    'missing_len.xml': 'len="indexTotal" naming no member',
    'truncated.xml': 'XML parse error',
}


def gen(gen_py, registry, data, out):
    return subprocess.run([sys.executable, gen_py, '--registry', registry, '--data', data,
                           '--out', out, '--split-structs', '1', '--split-commands', '1',
                           '--dialect', 'wire0', '--dialect', 'wire1'],
                          capture_output=True, text=True)


def golden(gen_py, data, update):
    g = os.path.join(data, 'golden')
    exp = os.path.join(g, 'expected')
    with tempfile.TemporaryDirectory() as out:
        r = gen(gen_py, os.path.join(g, 'mini.xml'), g, out)
        if r.returncode:
            print('golden generation failed:', r.stderr)
            return 1
        bad = 0
        for name in sorted(os.listdir(out)):
            got = open(os.path.join(out, name)).read()
            if update:
                open(os.path.join(exp, name), 'w').write(got)
            elif got != open(os.path.join(exp, name)).read():
                print('golden mismatch: %s' % name)
                bad += 1
        if sorted(os.listdir(out)) != sorted(os.listdir(exp)):
            print('golden file set differs')
            bad += 1
        return bad


def malformed(gen_py, data):
    bad = 0
    for name, msg in MALFORMED.items():
        with tempfile.TemporaryDirectory() as out:
            r = gen(gen_py, os.path.join(data, 'malformed', name), os.path.join(data, 'golden'), out)
        if r.returncode == 0 or msg not in r.stderr:
            print('%s: expected failure with "%s", got rc %d: %s' % (name, msg, r.returncode, r.stderr))
            bad += 1
    return bad


def main():
    gen_py, data = sys.argv[1], sys.argv[2]
    bad = golden(gen_py, data, '--update' in sys.argv) + malformed(gen_py, data)
    print('ok' if not bad else '%d failures' % bad)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
