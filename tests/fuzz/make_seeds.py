#!/usr/bin/env python3
"""Make small fuzz seeds from the real fixtures (run from the repository root after
`make fixtures`): an ELF core and a kdump (random-access and flattened) that keep the
fixture's headers and notes but hold 64 KiB of RAM with the guest's device tree at 0x1000."""
import struct, sys, zlib

fx = sys.argv[1] if len(sys.argv) > 1 else 'build/fixtures'
out = sys.argv[2] if len(sys.argv) > 2 else 'tests/fuzz/seeds'
raw = open(fx + '/crash.raw', 'rb')
raw.seek(0x3076f588)                        # skiboot's device tree in the fixture
dtb = raw.read(0x6d25)
ram = bytearray(0x10000)
ram[0x1000:0x1000 + len(dtb)] = dtb
ram[0x9000:0xa000] = bytes((i * 7 + 3) & 0xff for i in range(0x1000))  # incompressible-ish

# ELF: fixture headers and notes, one PT_LOAD of 64 KiB
elf = bytearray(open(fx + '/crash.elf', 'rb').read(0xf50))
ph = 0xc0 + 56                              # phdr[1], the PT_LOAD
struct.pack_into('<QQQQQ', elf, ph + 8, 0xf50, 0, 0, len(ram), len(ram))
open(out + '/elf/small.elf', 'wb').write(bytes(elf) + bytes(ram))

# kdump: re-assemble the fixture's first blocks, then shrink to 16 pages
flat = open(fx + '/crash.kdump', 'rb').read(0x10000)
ra = bytearray(0x2000)
pos = 4096
while True:
    off, size = struct.unpack_from('>QQ', flat, pos)
    if off >= 0x2000:
        break
    ra[off:off + size] = flat[pos + 16:pos + 16 + size]
    pos += 16 + size
bs, npages = 4096, len(ram) // 4096
struct.pack_into('<I', ra, 436, 2)          # bitmap_blocks
struct.pack_into('<I', ra, 440, npages)     # max_mapnr
struct.pack_into('<Q', ra, 4096 + 96, npages)
bitmap = bytearray(bs)
bitmap[0:2] = b'\xff\xff'
ra += bitmap + bitmap
desc_off = len(ra)
data_off = desc_off + npages * 24
descs, data = bytearray(), bytearray(bs)    # shared zero page first
for pfn in range(npages):
    page = bytes(ram[pfn * bs:(pfn + 1) * bs])
    if not any(page):
        descs += struct.pack('<QIIQ', data_off, bs, 0, 0)
        continue
    z = zlib.compress(page)
    if len(z) < bs:
        descs += struct.pack('<QIIQ', data_off + len(data), len(z), 1, 0)
        data += z
    else:
        descs += struct.pack('<QIIQ', data_off + len(data), bs, 0, 0)
        data += page
kd = bytes(ra + descs + data)
open(out + '/kdump/small.kdump', 'wb').write(kd)
recs = bytearray(b'makedumpfile'.ljust(16, b'\0') + struct.pack('>QQ', 1, 1)).ljust(4096, b'\0')
for off in range(0, len(kd), 0x3000):
    chunk = kd[off:off + 0x3000]
    recs += struct.pack('>QQ', off, len(chunk)) + chunk
recs += struct.pack('>QQ', 2**64 - 1, 2**64 - 1)
open(out + '/kdump/small-flat.kdump', 'wb').write(bytes(recs))
