#!/usr/bin/env python3
"""Write tests/fuzz/regress/kernel_fadump/*: hostile variants of the
fadump-guest-sig seed (make_vmcore_seed.py) for issue 19, each of which must
be refused at once: the largest counts the processor dump area format allows,
and guest-kernel sizes whose sums wrap around 2^64."""
import os, struct

here = os.path.dirname(os.path.abspath(__file__))
seed = open(os.path.join(here, "seeds", "kernel_fadump", "fadump-guest-sig"), "rb").read()
HDR = 17
TAG, PDA, THR = 0x1000, 0x4000, 0x5000
out = os.path.join(here, "regress", "kernel_fadump")
os.makedirs(out, exist_ok=True)


def variant(name, edits):
    b = bytearray(seed)
    for off, data in edits:
        b[HDR + off:HDR + off + len(data)] = data
    open(os.path.join(out, name), "wb").write(bytes(b))


# act_size 0xffffffff, thread_size 1: 4G threads
variant("max-threads", [(PDA, struct.pack(">I", 1)), (PDA + 0x2c, struct.pack(">I", 0xffffffff))])
# 65536 threads of 0x10000 bytes each (past RAM) with 0xffffffff entries
variant("max-threads-entries", [(PDA, struct.pack(">I", 0x10000)),
                                (PDA + 0x2c, struct.pack(">I", 0xffff0000)),
                                (THR + 12, struct.pack(">II", 0xffffffff, 0x10))])
# 2 records, ecnt 65536 of stride 0: every entry read at one place
variant("entries-stride-0", [(THR + 12, struct.pack(">II", 0x10000, 0))])
# 2 records, ecnt 65536 of 16 bytes: the array runs past the record
variant("entries-past-record", [(THR + 12, struct.pack(">II", 0x10000, 0x10))])
# boot-memory region whose size wraps dest + size (fdm rgn[0] size)
variant("rgn-size-wraps", [(TAG + 0x10 + 16, struct.pack(">Q", 0xffffffffffffff00))])
# two regions: src + size of the second wraps
variant("rgn-src-wraps", [(TAG + 4, struct.pack(">HH", 2, 2)),
                          (TAG + 0x10 + 24, struct.pack(">QQQ", 0xfffffffffffff000, 0x9000, 0x2000))])
