#!/usr/bin/env python3
"""make_printk_seed.py OUT: a little guest RAM (0x5000 bytes) for fuzz_printk: a
VMCOREINFO note at 0x1000 with the Linux 6.1 ppc64 printk layout, the pointer prb at
0x2000, the ring buffer at 0x2100 (4 descriptors at 0x3000, infos at 0x3100, a 256-byte
text ring at 0x4000) and two records, as tests/check_printk.c builds it."""
import struct, sys

VA = 0xc000000000000000
mem = bytearray(0x5000)
layout = """SIZE(printk_ringbuffer)=88
OFFSET(printk_ringbuffer.desc_ring)=0
OFFSET(printk_ringbuffer.text_data_ring)=48
OFFSET(prb_desc_ring.count_bits)=0
OFFSET(prb_desc_ring.descs)=8
OFFSET(prb_desc_ring.infos)=16
OFFSET(prb_desc_ring.head_id)=24
OFFSET(prb_desc_ring.tail_id)=32
SIZE(prb_desc)=24
OFFSET(prb_desc.state_var)=0
OFFSET(prb_desc.text_blk_lpos)=8
OFFSET(prb_data_blk_lpos.begin)=0
OFFSET(prb_data_blk_lpos.next)=8
SIZE(printk_info)=88
OFFSET(printk_info.seq)=0
OFFSET(printk_info.ts_nsec)=8
OFFSET(printk_info.text_len)=16
OFFSET(printk_info.caller_id)=20
OFFSET(prb_data_ring.size_bits)=0
OFFSET(prb_data_ring.data)=8
OFFSET(atomic_long_t.counter)=0
"""
text = ("OSRELEASE=6.1.0-seed\nSYMBOL(prb)=%016x\n" % (VA + 0x2000) + layout).encode()
mem[0x1000:0x100c] = struct.pack("<III", 11, len(text), 0)
mem[0x100c:0x1018] = b"VMCOREINFO\0\0"
mem[0x1018:0x1018 + len(text)] = text
struct.pack_into("<Q", mem, 0x2000, VA + 0x2100)
struct.pack_into("<IxxxxQQQQ", mem, 0x2100, 2, VA + 0x3000, VA + 0x3100, 6, 4)
struct.pack_into("<IxxxxQ", mem, 0x2100 + 48, 8, VA + 0x4000)
for slot, (state, rid, begin, nxt, ts, ln, txt) in enumerate(
        [(1, 4, 0, 16, 1000, 5, b"hello"), (2, 5, 16, 32, 1500000000, 4, b"a\nb\x01")]):
    struct.pack_into("<QQQ", mem, 0x3000 + 24 * slot, (state << 62) | rid, begin, nxt)
    struct.pack_into("<QQH", mem, 0x3100 + 88 * slot, rid, ts, ln)
    mem[0x4000 + begin + 8:0x4000 + begin + 8 + len(txt)] = txt
open(sys.argv[1], "wb").write(mem)
