#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Reads and damages capture files (docs/CAPTURE.md) for test-capture-replay.

usage: capture_edit.py summary FILE              record counts by type, one 'TYPE N' a line
       capture_edit.py readback FILE OUT LOG     OUT: FILE with the GPU output of one run
                                                 flipped; LOG: `replay --log-level debug`
                                                 of FILE (its "GPU output compared" lines)
       capture_edit.py vtest FILE                vtest messages (TRANSPORT records) by
                                                 command, one 'NAME N' a line
       capture_edit.py badlength FILE OUT        OUT: FILE with a middle record's length too big
       capture_edit.py badtype FILE OUT          OUT: FILE with a middle record's type unknown
"""
import re
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


GPU_LINE = re.compile(r'GPU output compared: (\d+) bytes in run \[(\d+), \+(\d+)\) of '
                      r'allocation 0x([0-9a-f]+) \(memory record at offset (\d+)\)')


def readback_bytes(data, log):
    """Offsets of the bytes to flip: GPU output, as the replay itself found it. `log` is a
    `replay --log-level debug` output of this capture; its "GPU output compared" lines name the
    runs where both the capture and the replay changed bytes since the previous snapshot (only
    such a byte is compared as GPU output: docs/CAPTURE.md). In the run with the most, every
    byte the capture changed there is flipped: a read-back run (kind 1 or 2) or, for a guest
    that polls fence feedback instead of waiting on the host (Mesa 22.3.6), a restore run
    (kind 0) where the GPU's output shows up before the next submission. The previous contents
    are rebuilt from every MEMORY record before, as replay keeps them."""
    found = [tuple(int(g, 16) if i == 3 else int(g) for i, g in enumerate(m.groups()))
             for m in GPU_LINE.finditer(log)]
    if not found:
        return []
    _gpu, want_off, want_len, want_mid, want_rec = max(found, key=lambda f: f[0])
    contents = {}
    for off, rtype, _length, _path in records(data):
        if rtype != 8:
            continue
        p = off + 32
        _kind, allocs = struct.unpack_from('<II', data, p)
        p += 8
        for _ in range(allocs):
            mid, size, runs = struct.unpack_from('<QQI', data, p)
            p += 20
            mem = contents.get(mid)
            if mem is None or len(mem) != size:
                mem = contents[mid] = bytearray(size)
            for _ in range(runs):
                roff, rlen = struct.unpack_from('<QQ', data, p)
                p += 16
                run = data[p:p + rlen]
                if (off, mid, roff, rlen) == (want_rec, want_mid, want_off, want_len):
                    return [p + i for i in range(rlen) if run[i] != mem[roff + i]]
                mem[roff:roff + rlen] = run
                p += (rlen + 3) & ~3
    return []


VTEST = {3: 'RESOURCE_UNREF', 7: 'RESOURCE_BUSY_WAIT',
         8: 'CREATE_RENDERER', 10: 'PING_PROTOCOL_VERSION', 11: 'PROTOCOL_VERSION',
         15: 'GET_PARAM', 16: 'GET_CAPSET', 17: 'CONTEXT_INIT', 18: 'RESOURCE_CREATE_BLOB',
         19: 'SYNC_CREATE', 20: 'SYNC_UNREF', 21: 'SYNC_READ', 22: 'SYNC_WRITE', 23: 'SYNC_WAIT',
         24: 'SUBMIT_CMD2'}


def vtest_messages(data):
    """The vtest command of every TRANSPORT record (protocol 1), in file order."""
    out = []
    for off, rtype, _length, _path in records(data):
        if rtype == 14:
            protocol, size = struct.unpack_from('<IQ', data, off + 32)
            if protocol == 1 and size >= 8:
                cmd = struct.unpack_from('<I', data, off + 32 + 12 + 4)[0]
                out.append(VTEST.get(cmd, str(cmd)))
    return out


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    data = bytearray(open(path, 'rb').read())
    recs = list(records(data))
    if cmd == 'vtest':
        counts = {}
        for name in vtest_messages(data):
            counts[name] = counts.get(name, 0) + 1
        for name, n in sorted(counts.items()):
            print(name, n)
        return
    if cmd == 'summary':
        counts = {}
        for _off, rtype, _length, _path in recs:
            counts[NAMES.get(rtype, '?')] = counts.get(NAMES.get(rtype, '?'), 0) + 1
        for name, n in sorted(counts.items()):
            print(name, n)
        return
    if cmd == 'readback':
        spots = readback_bytes(data, open(sys.argv[4]).read())
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
