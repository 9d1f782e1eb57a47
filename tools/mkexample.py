#!/usr/bin/env python3
"""mkexample.py - write examples/synthetic.raw.gz: a small raw guest-RAM image
(864 MiB, sparse, gzip'd) laid out like skiboot master's MPIPL tables
(mpipl.md §1-§5): SPIRA-H, MDST/MDDT with an OPAL and a kernel range, the
processor dump area and the MPIPL metadata. Synthetic, for the README's first run."""
import gzip, struct, sys

SIZE, BASE, HRMOR = 0x36000000, 0x30000000, 1 << 63
mem = {}

def put(addr, data):
    mem[addr] = data

spirah = BASE + 0x10000
hdr = bytes.fromhex("d1f0535049524148000000500000020000000020000000200001000000000000"
                    "00000030000000f0000000000000000000000010000000060000002000000018")
put(spirah, hdr)
def ntuple(i, addr, alloc, act, alloc_len, act_len):
    put(spirah + 0x40 + 0x20 * i, struct.pack(">QHHII", addr, alloc, act, alloc_len, act_len))
ntuple(0, 0x31200000, 1, 0, 0x800000, 0)
ntuple(3, 0x10c00, 64, 2, 16, 16)
ntuple(4, 0x11000, 64, 2, 16, 16)
ntuple(5, 0x31c00000, 1024, 1024, 32, 32)
ntuple(6, 0x10300, 1, 1, 0x30, 0x30)
entry = lambda a, r, s: struct.pack(">QBBHI", a | HRMOR, r, 0, 0, s)
put(BASE + 0x10c00, entry(BASE, 3, 0x1c38000) + entry(0, 0x80, 0x1000000))
put(BASE + 0x11000, entry(0x31c38000, 3, 0x1c38000) + entry(0x34c30000, 0x80, 0x1000000))
put(BASE + 0x10300 + 0x10, struct.pack(">Q", 0x33870000 | HRMOR))
put(BASE + 0x10300 + 0x1c, struct.pack(">I", 0x80000))
put(BASE + 0x1c08000, struct.pack(">IQQ", 4, 0, 0x1000000))
put(0, b"example kernel text ".ljust(4096, b"."))
put(BASE + 0x100000, b"example OPAL image ".ljust(4096, b"."))

with gzip.GzipFile(sys.argv[1], "wb", 9, mtime=0) as f:
    pos = 0
    zero = bytes(1 << 20)
    for addr in sorted(mem):
        while pos < addr:
            n = min(len(zero), addr - pos)
            f.write(zero[:n]); pos += n
        f.write(mem[addr]); pos += len(mem[addr])
    while pos < SIZE:
        n = min(len(zero), SIZE - pos)
        f.write(zero[:n]); pos += n
