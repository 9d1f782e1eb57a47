#!/usr/bin/env python3
"""mkdense.py RAW OUT [SIZE_GIB] - a dense guest for benchmarks: the raw image RAW with
every 4 KiB page of zeros (holes included) replaced by pseudo-random bytes (fixed seed,
so every run makes the same file), so that the firmware and kernel tables of the real
fixture survive and every page holds data. With SIZE_GIB the guest is made that large:
pages past the end of RAW are random too."""
import os, random, sys

PAGE = 4096
CHUNK = 1 << 22

def main(src, out, size_gib=None):
    rnd = random.Random(0x16)
    zero = bytes(PAGE)
    fd = os.open(src, os.O_RDONLY)
    size = os.fstat(fd).st_size
    total = int(size_gib) << 30 if size_gib else size
    with open(out, "wb", buffering=0) as f:
        off = 0
        while off < total:
            n = min(CHUNK, total - off)
            buf = bytearray(os.pread(fd, n, off) if off < size else b"")
            if len(buf) < n:
                buf += bytes(n - len(buf))
            for p in range(0, n, PAGE):
                if buf[p:p + PAGE] == zero:
                    buf[p:p + PAGE] = rnd.randbytes(PAGE)
            f.write(buf)
            off += n

if __name__ == "__main__":
    main(*sys.argv[1:])
