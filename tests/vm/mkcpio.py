#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes a Linux initramfs archive (cpio "newc", uncompressed) from a directory tree.

    mkcpio.py ROOT OUTPUT

Every entry is owned by root, with the mode and link target it has under ROOT. The kernel
unpacks concatenated archives in order, so tests/vm/run-vm appends a small per-run archive to
the cached guest image. Written here so the build needs no cpio package.
"""
import os
import stat
import sys


def header(name, st, size, ino):
    fields = [
        ino, st.st_mode, 0, 0, 1 if not stat.S_ISDIR(st.st_mode) else 2,
        int(st.st_mtime), size, 0, 0, 0, 0, len(name) + 1, 0,
    ]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def entry(out, name, st, data, ino):
    head = header(name, st, len(data), ino) + name.encode() + b"\0"
    out.write(head + pad(len(head)))
    out.write(data + pad(len(data)))


def walk(root):
    """Yields paths relative to ROOT, parents before children, in a stable order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        if rel != ".":
            yield rel
        for f in sorted(filenames + [d for d in dirnames
                                     if os.path.islink(os.path.join(dirpath, d))]):
            yield os.path.normpath(os.path.join(rel, f))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkcpio.py ROOT OUTPUT")
    root, output = sys.argv[1:]
    with open(output, "wb") as out:
        ino = 1
        for rel in walk(root):
            path = os.path.join(root, rel)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                data = os.readlink(path).encode()
            elif stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    data = f.read()
            elif stat.S_ISDIR(st.st_mode):
                data = b""
            else:
                sys.exit(f"mkcpio: {path}: not a file, link or directory")
            entry(out, rel, st, data, ino)
            ino += 1
        trailer = os.stat_result((0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0))
        entry(out, "TRAILER!!!", trailer, b"", 0)
        # The kernel reads archives in 512-byte blocks when several are concatenated.
        out.write(b"\0" * ((512 - out.tell() % 512) % 512))


if __name__ == "__main__":
    main()
