#!/usr/bin/env python3
"""hostile_inputs.py FIXTURES OUTDIR [VMCORE] - crafted snapshots for tests/hostile.sh (issue 19).
hostile_inputs.py --fuzz-regress tests/fuzz/regress - the same cases as fuzz regression inputs.

Every place a snapshot carries a string gets bytes a terminal would obey (ESC sequences, a
newline, a byte >= 0x80, a backslash): RAM block names (a copy of the real crash.mig, same
lengths), section idstrs, vmstate field and subsection names, capability and configuration
names, the vmdescription JSON itself (small synthetic streams, snapshot-formats.md §2-§3),
device tree node and property names (a copy of the real crash.raw), VMCOREINFO text (a copy of
a vmcore the test wrote). Files are named after the case; tests/hostile.sh runs them.
"""
import json, os, shutil, struct, sys

# 7 bytes each, the length of "pnv.ram" and of "PowerPC"
EVIL7 = b"\x1b[2J\n\xff\\"
RED7 = b"\x1b[31mXX"
EVIL = b"\x1b]0;owned\x07\x1b[31m\nX\xff\\"  # any length (u8-length names)


def be32(v):
    return struct.pack(">I", v)


def be64(v):
    return struct.pack(">Q", v)


def name(b):
    return bytes([len(b)]) + b


def vmdesc(devices, extra=None):
    d = {"page_size": 4096, "devices": devices}
    if extra:
        d.update(extra)
    js = json.dumps(d).encode()
    return b"\x06" + be32(len(js)) + js


def stream(block=b"pnv.ram", size=0x10000, body=b"", desc=None, caps=None, pages=True):
    """Header, configuration, the ram START section (block list, pages), body, EOF, JSON."""
    s = b"QEVM" + be32(3)
    s += b"\x07" + be32(8) + b"powernv9"
    if caps is not None:
        s += b"\x05" + name(b"configuration/capabilities") + be32(1) + be32(len(caps))
        s += b"".join(name(c) for c in caps)
    s += b"\x01" + be32(2) + name(b"ram") + be32(0) + be32(4)
    s += be64(size | 0x04) + name(block) + be64(size)
    if pages:
        s += be64(0 | 0x02) + name(block) + b"\x00"
        for a in range(0x1000, size, 0x1000):
            s += be64(a | 0x02 | 0x20) + b"\x00"
    s += be64(0x10) + b"\x7e" + be32(2)
    s += body
    s += b"\x00"
    return s + (desc if desc is not None else vmdesc([]))


def full_section(idstr, data, sec_id=3, instance=0, version=1):
    return b"\x04" + be32(sec_id) + name(idstr) + be32(instance) + be32(version) + data + \
        b"\x7e" + be32(sec_id)


def write(out, fn, data):
    with open(os.path.join(out, fn), "wb") as f:
        f.write(data)


def synthetic(out):
    dev = lambda n, fields, subs=None: dict(
        name=n, instance_id=0, vmsd_name=n, version=1, fields=fields,
        **({"subsections": subs} if subs else {}))
    # ram block listed twice, its name crafted
    s = b"QEVM" + be32(3) + b"\x07" + be32(8) + b"powernv9"
    s += b"\x01" + be32(2) + name(b"ram") + be32(0) + be32(4)
    s += be64(0x2000 | 0x04) + name(EVIL) + be64(0x1000) + name(EVIL) + be64(0x1000)
    write(out, "mig-block-twice.mig", s + b"\x00" + vmdesc([]))
    # a page record naming an unknown (crafted) block
    s = stream(pages=False)
    s = s.replace(be64(0x10) + b"\x7e", be64(0x02) + name(EVIL) + b"\x00" + be64(0x10) + b"\x7e", 1)
    write(out, "mig-page-unknown-block.mig", s)
    # a device section whose idstr the vmdescription does not list
    write(out, "mig-section-idstr.mig", stream(body=full_section(EVIL, b"")))
    # a vmstate field whose data does not fit: its name is quoted
    fname = EVIL.decode("latin-1")
    d = vmdesc([dev("dev", [dict(name=fname, type="uint32", size=4, array_len=1000)])])
    write(out, "mig-field-name.mig", stream(body=full_section(b"dev", b"\0" * 8), desc=d))
    # size * count that overflows 64 bits (vmdesc.c: the message must not print the wrapped total)
    d = vmdesc([dev("dev", [dict(name="big", type="uint64", size=2 ** 62, array_len=8)])])
    write(out, "mig-field-overflow.mig", stream(body=full_section(b"dev", b"\0" * 8), desc=d))
    # subsection: the stream's name and the description's vmsd_name, both crafted, differ
    sub = dict(vmsd_name=fname, version=1, fields=[])
    d = vmdesc([dev("dev", [dict(name="a", type="uint8", size=1)], [sub])])
    data = b"\x01" + b"\x05" + name(EVIL[::-1]) + be32(1)
    write(out, "mig-subsection-name.mig", stream(body=full_section(b"dev", data), desc=d))
    # cpu field of the wrong size, its name crafted in the description (cpu_field message)
    d = vmdesc([dict(name="cpu", instance_id=0, version=1, fields=[
        dict(name="env.gpr", type="uint64", size=4, array_len=2)])])
    write(out, "mig-cpu-field.mig", stream(body=full_section(b"cpu", b"\0" * 8), desc=d))
    # unknown capability (a warning) and unknown configuration subsection (an error)
    s = stream(caps=[EVIL])
    s = s.replace(b"\x01" + be32(2) + name(b"ram"),
                  b"\x05" + name(EVIL) + be32(1) + b"\x01" + be32(2) + name(b"ram"), 1)
    write(out, "mig-config-sub.mig", s)
    write(out, "mig-capability.mig", stream(caps=[EVIL]))
    # the vmdescription as JSON jansson rejects, quoting a newline, an ESC, a byte 0xff
    good = json.dumps({"page_size": 4096, "devices": [{"name": "x", "instance_id": 0}]}).encode()
    for tag, bad in (("newline", good.replace(b"]", b"\n", 1)),
                     ("esc", good.replace(b"]", b"\x1b[2J", 1)),
                     ("ff", good.replace(b'"x"', b'"\xff\x1b"', 1)),
                     ("ctrl-in-string", good.replace(b'"x"', b'"\n\x1b[31m"', 1)),
                     ("escape-newline", good.replace(b'"x"', b'"\\\n\x1b[2J"', 1))):
        write(out, "mig-json-%s.mig" % tag, stream(desc=b"\x06" + be32(len(bad)) + bad))
    # a device name that is not UTF-8 inside valid JSON escapes: reaches messages raw
    d = vmdesc([dict(name="\x1b[31m\n", instance_id=0, version=1, fields=[
        dict(name="f", type="uint8", size=1)])])
    write(out, "mig-section-json-name.mig",
          stream(body=full_section(b"\x1b[31m\n", b"\0\0"), desc=d))


def many_blocks(out, n=4000, records=100000):
    """n RAM blocks with 255-byte names alike but for their end, then page records that
    each name the last one: look-ups must not cost n name comparisons each."""
    ids = [b"b" * 250 + b"%05d" % i for i in range(n)]
    s = b"QEVM" + be32(3) + b"\x07" + be32(8) + b"powernv9"
    s += b"\x01" + be32(2) + name(b"ram") + be32(0) + be32(4)
    s += be64(n * 0x1000 | 0x04) + b"".join(name(i) + be64(0x1000) for i in ids)
    s += b"".join(be64(0x02) + name(ids[-1]) + b"\x00" for _ in range(records))
    s += be64(0x10) + b"\x7e" + be32(2) + b"\x00" + vmdesc([])
    write(out, "mig-many-blocks.mig", s)


def patch_mig(fx, out):
    """The real stream with its RAM block renamed (every record that names it)."""
    with open(os.path.join(fx, "crash.mig"), "rb") as f:
        data = f.read()
    for tag, new in (("red", RED7), ("evil", EVIL7)):
        patched = data.replace(b"\x07pnv.ram", b"\x07" + new)
        if tag == "evil":  # and the machine name, 8 bytes
            patched = patched.replace(b"\x08powernv9", b"\x08" + EVIL7 + b"\0", 1)
        assert patched != data
        write(out, "real-block-%s.mig" % tag, patched)


def patch_raw_fdt(fx, out, gpa=0x3076f588):
    """The real raw image with device tree node and property names crafted (same lengths)."""
    dst = os.path.join(out, "real-fdt.raw")
    os.system("cp --sparse=always '%s' '%s'" % (os.path.join(fx, "crash.raw"), dst))
    fd = os.open(dst, os.O_RDWR)
    h = os.pread(fd, 40, gpa)
    magic, tot, off_st, off_str, _, _, _, _, sz_str, sz_st = struct.unpack(">10I", h)
    assert magic == 0xd00dfeed, hex(magic)
    blob = bytearray(os.pread(fd, tot, gpa))
    n = 0
    # node names in the structure block: "PowerPC,POWER9@..." -> ESC[31mPC,POWER9@...
    i = blob.find(b"PowerPC", off_st)
    while 0 <= i < off_st + sz_st:
        blob[i:i + 7] = RED7
        n += 1
        i = blob.find(b"PowerPC", i + 7)
    # a property name in the strings block (not one the reader looks up)
    i = blob.find(b"clock-frequency\0", off_str)
    assert 0 <= i < off_str + sz_str
    blob[i:i + 15] = EVIL7 + b"frequenc"
    assert n > 0
    os.pwrite(fd, bytes(blob), gpa)
    os.close(fd)


def patch_vmcore(vmcore, out):
    """A vmcore with its VMCOREINFO OSRELEASE value crafted (same length)."""
    dst = os.path.join(out, "vmcore-osrelease.elf")
    os.system("cp --sparse=always '%s' '%s'" % (vmcore, dst))
    fd = os.open(dst, os.O_RDWR)
    head = os.pread(fd, 1 << 20, 0)
    i = head.find(b"OSRELEASE=")
    assert i > 0
    j = head.index(b"\n", i)
    val = (b"\x1b]0;\x07\x1b[31m\xff\\" * 4)[:j - i - 10]
    os.pwrite(fd, val, i + 10)
    os.close(fd)


def fuzz_regress(root):
    """Entries for tests/fuzz/regress/<target>/ (make fuzz-regress replays them)."""
    mig = os.path.join(root, "mig")
    tmp = os.path.join(root, ".tmp")
    os.makedirs(tmp, exist_ok=True)
    synthetic(tmp)
    for fn in sorted(os.listdir(tmp)):
        os.makedirs(mig, exist_ok=True)
        shutil.move(os.path.join(tmp, fn), os.path.join(mig, "hostile-" + fn[4:-4]))
    os.rmdir(tmp)
    # vmdesc target: JSON, NUL, the bytes of device "cpu" instance 0 version 5
    vd = os.path.join(root, "vmdesc")
    os.makedirs(vd, exist_ok=True)
    cpu = lambda fields, subs=None: json.dumps({"devices": [dict(
        name="cpu", instance_id=0, version=5, fields=fields,
        **({"subsections": subs} if subs else {}))]}).encode()
    fname = EVIL.decode("latin-1")
    cases = {
        "size-times-count-overflow": cpu([dict(name="big", size=2 ** 62, array_len=8)]),
        "crafted-field-name": cpu([dict(name=fname, size=4, array_len=1000)]),
        "crafted-subsection-name": cpu([dict(name="a", size=1)],
                                       [dict(vmsd_name=fname, version=1, fields=[])]),
        "json-error-quotes-newline": b'{"devices": [{"name": "\\\n"}]}',
        # the device last of many: one look-up walks them all, from the stream's budget
        "many-devices": json.dumps({"devices": [dict(name="d%d" % i, instance_id=0, fields=[])
                                                for i in range(500)] + [dict(
            name="cpu", instance_id=0, version=5, fields=[])]}).encode(),
    }
    data = b"\x01\x05" + name(EVIL[::-1]) + be32(1)
    for tag, js in cases.items():
        with open(os.path.join(vd, "hostile-" + tag + ".bin"), "wb") as f:
            f.write(js + b"\0" + data)
    # fdt target: QEMU's tree with node and property names crafted (same lengths)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "fuzz", "seeds", "fdt", "qemu.dtb"), "rb") as f:
        blob = bytearray(f.read())
    for old in (b"PowerPC", b"clock-frequency"):
        i = blob.find(old)
        assert i > 0, old
        while i > 0:
            blob[i:i + len(old)] = (RED7 + EVIL7 * 3)[:len(old)]
            i = blob.find(old, i + 1)
    fd = os.path.join(root, "fdt")
    os.makedirs(fd, exist_ok=True)
    with open(os.path.join(fd, "hostile-crafted-names.dtb"), "wb") as f:
        f.write(bytes(blob))


def main():
    if sys.argv[1] == "--fuzz-regress":
        fuzz_regress(sys.argv[2])
        return
    fx, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    synthetic(out)
    many_blocks(out)
    if os.path.exists(os.path.join(fx, "crash.mig")):
        patch_mig(fx, out)
    if os.path.exists(os.path.join(fx, "crash.raw")):
        patch_raw_fdt(fx, out)
    if len(sys.argv) > 3:
        patch_vmcore(sys.argv[3], out)


if __name__ == "__main__":
    main()
