#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads and damages capture files (docs/CAPTURE.md) for test-capture-replay.

usage: capture_edit.py summary FILE              record counts by type, one 'TYPE N' a line
       capture_edit.py readback FILE OUT [MIN]   OUT: FILE with 64 bytes of the last large
                                                 memory run (GPU output, at least MIN bytes,
                                                 default 64 KiB) flipped
       capture_edit.py badlength FILE OUT        OUT: FILE with a middle record's length too big
       capture_edit.py badtype FILE OUT          OUT: FILE with a middle record's type unknown
"""
import struct
import sys

NAMES = {1: 'CONTEXT', 2: 'BLOB_CREATE', 3: 'BLOB_DESTROY', 4: 'SUBMIT', 5: 'RING_BATCH',
         6: 'NESTED', 7: 'REPLY', 8: 'MEMORY', 9: 'FENCE', 10: 'LOST', 11: 'STOP', 12: 'END',
         13: 'CAPPED', 14: 'TRANSPORT'}


def records(data):
    assert data[:8] == b'PVCAPTUR', 'not a capture'
    off = 32
    while off < len(data):
        rtype, _flags, length, _time, path = struct.unpack_from('<IIQQQ', data, off)
        yield off, rtype, length, path
        off += 32 + length


def readback_bytes(data, min_run=65536):
    """Offsets of 64 bytes spread over the largest run of the last MEMORY record that has a run
    of at least 64 KiB: GPU output (a rendered image, a compute result; small runs are often
    guest-written feedback, which replay cannot verify). Spread out, some of them surely
    changed when the GPU wrote the run."""
    found = None
    for off, rtype, _length, _path in records(data):
        if rtype != 8:
            continue
        p = off + 32
        _kind, allocs = struct.unpack_from('<II', data, p)
        p += 8
        best = None
        for _ in range(allocs):
            _mid, _size, runs = struct.unpack_from('<QQI', data, p)
            p += 20
            for _ in range(runs):
                _roff, rlen = struct.unpack_from('<QQ', data, p)
                p += 16
                if rlen >= min_run and (best is None or rlen > best[1]):
                    best = (p, rlen)
                p += (rlen + 3) & ~3
        if best:
            found = best
    if not found:
        return []
    start, rlen = found
    # varied offsets in each slot: not always the same channel of the same pixel
    return [start + i * (rlen // 64) + (i * 13) % 61 for i in range(64)]


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    data = bytearray(open(path, 'rb').read())
    recs = list(records(data))
    if cmd == 'summary':
        counts = {}
        for _off, rtype, _length, _path in recs:
            counts[NAMES.get(rtype, '?')] = counts.get(NAMES.get(rtype, '?'), 0) + 1
        for name, n in sorted(counts.items()):
            print(name, n)
        return
    if cmd == 'readback':
        spots = readback_bytes(data, int(sys.argv[4]) if len(sys.argv) > 4 else 65536)
        if not spots:
            sys.exit('no read-back in ' + path)
        for at in spots:
            data[at] ^= 0x5a  # never a value's complement (0x00 <-> 0xff) alone
    elif cmd == 'badlength':
        off = recs[len(recs) // 2][0]
        struct.pack_into('<Q', data, off + 8, len(data))
    elif cmd == 'badtype':
        off = recs[len(recs) // 2][0]
        struct.pack_into('<I', data, off, 999)
    else:
        sys.exit('unknown command ' + cmd)
    open(sys.argv[3], 'wb').write(data)


main()
