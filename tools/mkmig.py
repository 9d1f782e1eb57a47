#!/usr/bin/env python3
"""mkmig.py RAW MIG - write a QEMU migration stream (QEVM v3, snapshot-formats.md §2-§3)
holding the guest RAM of a raw image as QEMU 7.2 would send it from a stopped powernv
guest: one RAM block "pnv.ram", every page once (PAGE for data, ZERO for zero pages,
CONTINUE after the first), no device sections, an empty vmdescription. For benchmarks
of guests of any size; holes of the raw file are found with SEEK_DATA, never read."""
import os, struct, sys

PAGE, ZERO, MEM_SIZE, PAGE_F, EOS, CONT = 4096, 0x02, 0x04, 0x08, 0x10, 0x20

def data_pages(fd, size):
    off = 0
    while off < size:
        try:
            d = os.lseek(fd, off, os.SEEK_DATA)
        except OSError:
            return
        h = os.lseek(fd, d, os.SEEK_HOLE)
        for p in range(d // PAGE, (h + PAGE - 1) // PAGE):
            yield p
        off = h

def main(raw, out):
    fd = os.open(raw, os.O_RDONLY)
    size = os.fstat(fd).st_size
    name = b"pnv.ram"
    with open(out, "wb", buffering=1 << 20) as f:
        w = f.write
        w(b"QEVM" + struct.pack(">I", 3))
        w(b"\x07" + struct.pack(">I", 8) + b"powernv9")
        w(b"\x01" + struct.pack(">IB", 2, 3) + b"ram" + struct.pack(">II", 0, 4))
        w(struct.pack(">Q", size | MEM_SIZE) + bytes([len(name)]) + name + struct.pack(">Q", size))
        w(struct.pack(">Q", EOS) + b"\x7e" + struct.pack(">I", 2))
        w(b"\x03" + struct.pack(">I", 2))
        first = True
        data = set(data_pages(fd, size))
        zero_rec = struct.Struct(">QB")
        for p in range(size // PAGE):
            blk = b"" if not first else bytes([len(name)]) + name
            flag = 0 if first else CONT
            if p in data:
                buf = os.pread(fd, PAGE, p * PAGE)
                if buf.count(0) != PAGE:
                    w(struct.pack(">Q", p * PAGE | PAGE_F | flag) + blk + buf)
                    first = False
                    continue
            if first:
                w(struct.pack(">Q", p * PAGE | ZERO) + blk + b"\x00")
            else:
                w(zero_rec.pack(p * PAGE | ZERO | CONT, 0))
            first = False
        w(struct.pack(">Q", EOS) + b"\x7e" + struct.pack(">I", 2))
        desc = b'{"page_size": 4096, "devices": []}'
        w(b"\x00\x06" + struct.pack(">I", len(desc)) + desc)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
