#!/usr/bin/env python3
"""mkkdump.py RAW TEMPLATE OUT - a kdump-compressed file (makedumpfile format, as QEMU's
dump-guest-memory -z/-l/-s writes it) holding the guest RAM of the raw image RAW, every
page stored uncompressed (what QEMU does when a page does not compress, as random data
does). The disk_dump_header, kdump_sub_header and notes are TEMPLATE's (a kdump of the
same guest, flattened or not), so the registers and VMCOREINFO are the real ones. For
benchmarks of dense guests (snapshot-formats.md §7)."""
import os, struct, sys

def read_template(path):
    """The file as a dict offset -> bytes of its first blocks (flattened or not)."""
    with open(path, "rb") as f:
        head = f.read(4096)
        if not head.startswith(b"makedumpfile"):
            f.seek(0)
            return f.read(1 << 20)
        out = bytearray()
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            off, size = struct.unpack(">qq", rec)
            if off < 0:
                break
            data = f.read(size)
            if off < (1 << 20):
                end = off + len(data)
                if len(out) < end:
                    out += bytes(end - len(out))
                out[off:end] = data
        return bytes(out)

def main(raw, template, out):
    t = read_template(template)
    big = t[8:12] != struct.pack("<I", struct.unpack_from("<I", t, 8)[0]) or \
        struct.unpack_from("<I", t, 8)[0] > 0xffff
    e = ">" if big else "<"
    bs, sub_blocks, _ = struct.unpack_from(e + "III", t, 428)
    size = os.stat(raw).st_size
    n = size // bs
    bitmap_len = (n + 7) // 8
    bitmap_blocks = 2 * ((bitmap_len + bs - 1) // bs)
    hdr = bytearray(t[:(1 + sub_blocks) * bs])
    struct.pack_into(e + "I", hdr, 424, 0)                  # status: no compression
    struct.pack_into(e + "I", hdr, 436, bitmap_blocks)
    struct.pack_into(e + "I", hdr, 440, n)                  # max_mapnr
    struct.pack_into(e + "Q", hdr, bs + 96, n)              # max_mapnr_64
    half = bitmap_blocks // 2 * bs
    bitmap = (b"\xff" * (n // 8) + (bytes([(1 << (n % 8)) - 1]) if n % 8 else b"")).ljust(half, b"\0")
    desc_off = len(hdr) + 2 * half
    data_off = (desc_off + n * 24 + bs - 1) // bs * bs
    with open(out, "wb") as f:
        f.write(hdr)
        f.write(bitmap)
        f.write(bitmap)
        pd = struct.Struct(e + "qIIQ")
        f.write(b"".join(pd.pack(data_off + i * bs, bs, 0, 0) for i in range(n)))
        f.write(bytes(data_off - desc_off - n * 24))
        fd = os.open(raw, os.O_RDONLY)
        off = 0
        while off < size:
            buf = os.pread(fd, 1 << 22, off)
            f.write(buf)
            off += len(buf)

if __name__ == "__main__":
    main(*sys.argv[1:])
