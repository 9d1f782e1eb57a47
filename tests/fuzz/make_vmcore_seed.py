#!/usr/bin/env python3
"""Write tests/fuzz/seeds/kernel_fadump/*: a complete little fadump guest for
fuzz_kernel_fadump (layouts as in mpipl.md §4-§5): opal_fadump_mem_struct
(BE), crash info header and ELF core header (LE, FADMPINF), a VMCOREINFO
note, a processor dump area and two thread records. Independent of the C code."""
import os, struct

RAM = 0x20000
ram = bytearray(RAM)
TAG, FDH, VMCI, PDA, THR = 0x1000, 0x2000, 0x3000, 0x4000, 0x5000
ELFH = FDH + 0x198

def put(off, b):
    ram[off:off + len(b)] = b

# opal_fadump_mem_struct: version, region_cnt 1, registered 1, fadumphdr, rgn[0]
put(TAG, struct.pack(">B3xHHQ", 1, 1, 1, FDH) + struct.pack(">QQQ", 0, 0x8000, 0x8000))
# crash info header FADMPINF: magic (LE of 0x4641444d50494e46), elfcorehdr, crashing cpu 4
put(FDH, struct.pack("<QQI4x", 0x4641444d50494e46, ELFH, 4))
put(FDH + 0x18, struct.pack("<48Q", *range(0x100, 0x100 + 48)))
# VMCOREINFO note
desc = b"OSRELEASE=6.1.0\nPAGESIZE=4096\n"
put(VMCI, struct.pack("<III", 11, len(desc), 0) + b"VMCOREINFO\0\0" + desc)
# ELF core header: 2 PT_NOTE + 2 PT_LOAD
ph = [(4, 0, 0, 0, 0, 0, 0, 0), (4, 0, VMCI, 0, VMCI, 0x100, 0x100, 0),
      (1, 7, 0x8000, 0xc000000000000000, 0, 0x8000, 0x8000, 0),
      (1, 7, 0x10000, 0xc000000000010000, 0x10000, 0x10000, 0x10000, 0)]
put(ELFH, b"\x7fELF\x02\x01\x01" + bytes(9) +
    struct.pack("<HHIQQQIHHHHHH", 4, 21, 1, 0, 64, 0, 2, 64, 56, len(ph), 0, 0, 0))
for i, p in enumerate(ph):
    put(ELFH + 64 + 56 * i, struct.pack("<IIQQQQQQ", *p))
# processor dump area and two thread records (PIR 0 and 4), 2 registers each
tsz = 0x18 + 2 * 0x10
put(PDA, struct.pack(">IB11xQ4xIQ4xI", tsz, 1, THR | 1 << 63, 0x80000, THR | 1 << 63, 2 * tsz))
for i, pir in enumerate((0, 4)):
    put(THR + i * tsz, struct.pack(">IB3xIIII", pir, 0, 0x10, 2, 0x10, 0x10) +
        struct.pack(">IIQ", 1, 1, 0x1234 + pir) + struct.pack(">IIQ", 2, 0x7d0, 0xc000 + pir))
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "kernel_fadump")
os.makedirs(out, exist_ok=True)
hdr = struct.pack(">QQB", TAG, PDA, 0)
# the target reads RAM past the input as zero: the zero tail is left out (faster runs)
open(os.path.join(out, "fadump-guest"), "wb").write(hdr + bytes(ram).rstrip(b"\0"))
open(os.path.join(out, "fadump-guest-pir"), "wb").write(struct.pack(">QQB", TAG, PDA, 1) +
                                                        bytes(ram).rstrip(b"\0"))
# the 6.9+ layout: FADMPSIG, version 1, crashing PIR 4, vmcoreinfo raddr/size, pt_regs_sz, cpu_mask_sz
sig = bytearray(ram)
sig[FDH:FDH + 0x28] = struct.pack("<QIIQQII", 0x4641444d50534947, 1, 4, VMCI, 0x100, 0x180, 0x100)
sig[FDH + 0x28:FDH + 0x28 + 0x180] = struct.pack("<48Q", *range(0x100, 0x100 + 48))
open(os.path.join(out, "fadump-guest-sig"), "wb").write(hdr + bytes(sig).rstrip(b"\0"))
