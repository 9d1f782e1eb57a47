"""Unit tests of tools/capture_boot's pure helpers (python3 -m unittest tests/test_capture_boot.py;
`make check-py`). Inputs are built here byte by byte; the numbers are those of the real guests
(../shared/fixtures: v7.0/6.1, linux-6.12, p10-2chip) where one is named."""
import hashlib
import io
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

from capture_boot import elfcore, fadump, machine, regions, results  # noqa: E402
from capture_boot.main import Finding, State, exit_status, md5_range  # noqa: E402


# --------------------------------------------------------------- builders
def elf(order, phdrs, machine_=21):
    """An ELF64 core header with program headers [(type, offset, vaddr, paddr, size)]."""
    ident = b"\x7fELF" + bytes([2, 1 if order == "<" else 2, 1]) + bytes(9)
    eh = ident + struct.pack(order + "HHIQQQIHHHHHH", 4, machine_, 1, 0, 64, 0, 0, 64, 56,
                             len(phdrs), 0, 0, 0)
    for t, off, va, pa, sz in phdrs:
        eh += struct.pack(order + "IIQQQQQQ", t, 7, off, va, pa, sz, sz, 0)
    return eh


def note(order, name, typ, desc):
    n = name + b"\0"
    pad = lambda b: b + bytes(-len(b) % 4)  # noqa: E731
    return struct.pack(order + "III", len(n), len(desc), typ) + pad(n) + pad(desc)


class FDT:
    """A minimal flattened device tree writer: nodes as (name, {prop: bytes}, [children])."""

    def __init__(self):
        self.strings = b""
        self.offs = {}

    def _str(self, s):
        if s not in self.offs:
            self.offs[s] = len(self.strings)
            self.strings += s.encode() + b"\0"
        return self.offs[s]

    def _node(self, name, props, children):
        b = struct.pack(">I", 1) + name.encode() + b"\0"
        b += bytes(-len(b) % 4)
        for k, v in props.items():
            b += struct.pack(">III", 3, len(v), self._str(k)) + v + bytes(-len(v) % 4)
        for c in children:
            b += self._node(*c)
        return b + struct.pack(">I", 2)

    def build(self, root):
        st = self._node(*root) + struct.pack(">I", 9)
        off_rsv = 40
        off_struct = off_rsv + 16
        off_strings = off_struct + len(st)
        total = off_strings + len(self.strings)
        return struct.pack(">10I", 0xD00DFEED, total, off_struct, off_strings, off_rsv, 17, 16,
                           0, len(self.strings), len(st)) + bytes(16) + st + self.strings


def u32s(*v):
    return struct.pack(">%dI" % len(v), *v)


def tree(compat, cores, memory, cpu_compat=b"ibm,power9\0"):
    """cores = [(chip, [pirs])], memory = [(base, size, chip)]."""
    cpus = [("PowerPC,X@%x" % p[0], {"device_type": b"cpu\0", "compatible": cpu_compat,
                                     "ibm,chip-id": u32s(chip),
                                     "ibm,ppc-interrupt-server#s": u32s(*p)}, [])
            for chip, p in cores]
    mems = [("memory@%x" % b, {"device_type": b"memory\0", "ibm,chip-id": u32s(chip),
                               "reg": u32s(b >> 32, b & 0xffffffff, s >> 32, s & 0xffffffff)},
             []) for b, s, chip in memory]
    root = ("", {"compatible": compat}, [("cpus", {}, cpus)] + mems)
    return FDT().build(root)


def inspect_json(cores, memory, ram):
    return {"snapshot": {"ram_size": hex(ram)},
            "device_tree": {"found": True, "gpa": "0x0", "size": "0x0",
                            "thread_pirs": [hex(p) for _, ps in cores for p in ps],
                            "memory": [{"base": hex(b), "size": hex(s)} for b, s, _ in memory]}}


class SparseImage:
    """read(gpa, n) over a dict of {gpa: bytes}; zeros elsewhere."""

    def __init__(self):
        self.parts = {}

    def put(self, gpa, data):
        self.parts[gpa] = data

    def read(self, gpa, n):
        out = bytearray(n)
        for a, d in self.parts.items():
            lo, hi = max(a, gpa), min(a + len(d), gpa + n)
            if lo < hi:
                out[lo - gpa:hi - gpa] = d[lo - a:hi - a]
        return bytes(out)


def metadata(img, pir, tag, boot):
    img.put(fadump.OPAL_BASE + fadump.META_OFF, struct.pack(">IQQ", pir, tag, boot))


def fdm(img, tag, regions_, fdh):
    img.put(tag, struct.pack(">B3xHHQ", 1, len(regions_), len(regions_), fdh) +
            b"".join(struct.pack(">QQQ", *r) for r in regions_))


# --------------------------------------------------------------- elfcore
class TestElf(unittest.TestCase):
    def test_byte_order(self):
        self.assertEqual(elfcore.byte_order(elf("<", [])[:16]), "<")
        self.assertEqual(elfcore.byte_order(elf(">", [])[:16]), ">")
        with self.assertRaises(ValueError):
            elfcore.byte_order(b"\x7fELF\x02\x03" + bytes(10))
        with self.assertRaises(ValueError):
            elfcore.byte_order(b"\x7fELF\x01\x01" + bytes(10))
        with self.assertRaises(ValueError):
            elfcore.byte_order(b"GISPMDAF" + bytes(8))

    def test_phdrs_both_orders(self):
        ph = [(4, 0x1000, 0, 0, 0x50), (1, 0x20000, 0xc000000000000000, 0, 0x30000000)]
        for order in "<>":
            got = elfcore.parse_phdrs(elf(order, ph))
            self.assertEqual(got[1], elfcore.Phdr(1, 7, 0x20000, 0xc000000000000000, 0,
                                                  0x30000000, 0x30000000))
            self.assertEqual(got[0].type, elfcore.PT_NOTE)
            self.assertEqual(elfcore.parse_ehdr(elf(order, ph)).headers_end, 64 + 2 * 56)

    def test_phdrs_cut_short(self):
        with self.assertRaises(ValueError):
            elfcore.parse_phdrs(elf("<", [(1, 0, 0, 0, 1)] * 3)[:64 + 56])

    def test_notes(self):
        for order in "<>":
            buf = note(order, b"CORE", 1, b"x" * 5) + note(order, b"VMCOREINFO", 0, b"A=1\n")
            self.assertEqual(elfcore.note_entries(buf, order),
                             [(b"CORE", 1, b"xxxxx"), (b"VMCOREINFO", 0, b"A=1\n")])
        with self.assertRaises(ValueError):
            elfcore.note_entries(struct.pack("<III", 5, 100, 1) + b"CORE\0\0\0\0", "<")


# --------------------------------------------------------------- fadump
SIG_612 = struct.pack("<QIIQQII", int.from_bytes(b"FADMPSIG", "big"), 1, 4, 0x64ee0000,
                      0x10024, 384, 256)


class TestCrashInfo(unittest.TestCase):
    def test_old_magic(self):
        h = struct.pack("<QQI", int.from_bytes(b"FADMPINF", "big"), 0x64c30000 + 0x2a8, 4)
        i = fadump.parse_crash_info(h + bytes(0x40))
        self.assertEqual((i.abi, i.order, i.elfcorehdr, i.crashing_cpu),
                         ("FADMPINF", "<", 0x64c302a8, 4))

    def test_sig_612(self):
        # the bytes of linux-6.12/crash.mig at 0x64c30000 (first 40)
        self.assertEqual(SIG_612[:8], b"GISPMDAF")
        i = fadump.parse_crash_info(SIG_612 + bytes(24))
        self.assertEqual((i.abi, i.order, i.crashing_cpu, i.vmcoreinfo, i.vmcoreinfo_size,
                          i.size, i.elfcorehdr), ("FADMPSIG v1", "<", 4, 0x64ee0000, 0x10024,
                                                  0x2a8, None))

    def test_sig_big_endian(self):
        h = struct.pack(">QIIQQII", int.from_bytes(b"FADMPSIG", "big"), 1, 8, 0x1000, 0x20,
                        100, 28)
        i = fadump.parse_crash_info(h + bytes(24))
        self.assertEqual((i.order, i.crashing_cpu, i.size), (">", 8, 168))

    def test_unknown(self):
        with self.assertRaises(ValueError):
            fadump.parse_crash_info(SIG_612[:8] + struct.pack("<I", 2) + SIG_612[12:] + bytes(24))
        with self.assertRaises(ValueError):
            fadump.parse_crash_info(b"FADMPXXX" + bytes(56))


class TestLoads(unittest.TestCase):
    ONE_CHIP = [(0, 0x80000000, 0)]

    def test_612_one_chip(self):
        # linux-6.12: boot memory 0..0x30000000 -> 0x34c30000, header 0x2a8, 64 KiB pages
        loads, top, ra = fadump.sig_loads([fadump.Region(0, 0x34c30000, 0x30000000)],
                                          self.ONE_CHIP, 0x2a8, 0x10000)
        self.assertEqual(top, 0x30000000)
        self.assertEqual(ra, (0x34c30000, 0x64c402a8))
        self.assertEqual(loads, [
            fadump.Load(0, 0x30000000, 0xc000000000000000, 0x34c30000),
            fadump.Load(0x30000000, 0x4c30000, 0xc000000030000000, 0x30000000),
            fadump.Load(0x64c402a8, 0x1b3bfd58, 0xc000000064c402a8, 0x64c402a8)])

    def test_4k_pages_and_two_chips(self):
        mem = [(0x40000000, 0x40000000, 1), (0, 0x40000000, 0)]
        loads, _, ra = fadump.sig_loads([fadump.Region(0, 0x42390000, 0x30000000)], mem,
                                        0x2a8, 0x1000)
        self.assertEqual(ra, (0x42390000, 0x42390000 + 0x30000000 + 0x2a8 + 0x1000))
        self.assertEqual([(l.paddr, l.size, l.data) for l in loads], [
            (0, 0x30000000, 0x42390000), (0x30000000, 0x10000000, 0x30000000),
            (0x40000000, 0x2390000, 0x40000000), (0x723912a8, 0xdc6ed58, 0x723912a8)])

    def test_memblock_merge(self):
        self.assertEqual(fadump.memblock_ranges([(0x40000000, 0x40000000, 0), (0, 0x40000000, 0)]),
                         [(0, 0x80000000)])
        self.assertEqual(fadump.memblock_ranges([(0x40000000, 0x40000000, 1), (0, 0x40000000, 0)]),
                         [(0, 0x40000000), (0x40000000, 0x80000000)])

    def test_several_regions_and_hole(self):
        regs = [fadump.Region(0, 0x50000000, 0x10000000),
                fadump.Region(0x20000000, 0x60000000, 0x10000000)]
        loads, top, ra = fadump.sig_loads(regs, [(0, 0x10000000, 0), (0x20000000, 0x60000000, 0)],
                                          0x2a8, 0x10000)
        self.assertEqual(top, 0x30000000)     # boot memory + the hole before region 1
        self.assertEqual(loads[:2], [fadump.Load(0, 0x10000000, 0xc000000000000000, 0x50000000),
                                     fadump.Load(0x20000000, 0x10000000, 0xc000000020000000,
                                                 0x60000000)])
        self.assertEqual(ra, (0x50000000, 0x700102a8))
        self.assertEqual([(l.paddr, l.size) for l in loads[2:]],
                         [(0x30000000, 0x20000000), (0x700102a8, 0xffefd58)])

    def test_area_covers_memory(self):
        with self.assertRaises(ValueError):
            fadump.sig_loads([fadump.Region(0, 0x30000000, 0x10000000)],
                             [(0, 0x10000000, 0), (0x30000000, 0x1000000, 1)], 0x2a8, 0x10000)


class TestKernelDump(unittest.TestCase):
    def test_612(self):
        img = SparseImage()
        metadata(img, 4, 0x64c302a8, 0x30000000)
        fdm(img, 0x64c302a8, [(0, 0x34c30000, 0x30000000)], 0x64c30000)
        img.put(0x64c30000, SIG_612)
        img.put(0x64ee0000, note("<", b"VMCOREINFO", 0, b"OSRELEASE=6.12\nPAGESIZE=65536\n"))
        d = fadump.kernel_dump(img.read, [(0, 0x80000000, 0)])
        self.assertEqual((d.crashing_pir, d.kernel_tag, d.page_size, d.reserved_area),
                         (4, 0x64c302a8, 0x10000, (0x34c30000, 0x64c402a8)))
        self.assertEqual(d.loads[2].paddr, 0x64c402a8)
        # the page size (from VMCOREINFO) moves the end of the reserved area
        img.put(0x64ee0000, note("<", b"VMCOREINFO", 0, b"PAGESIZE=4096\n"))
        d = fadump.kernel_dump(img.read, [(0, 0x80000000, 0)])
        self.assertEqual(d.loads[2], fadump.Load(0x64c312a8, 0x1b3ced58, 0xc000000064c312a8,
                                                 0x64c312a8))
        # the metadata must sit in the last pages of the reserved area, after the header
        fdm(img, 0x64c302a8, [(0, 0x34c30000, 0x30000000)], 0x64c20000)
        img.put(0x64c20000, SIG_612)
        with self.assertRaises(ValueError):
            fadump.kernel_dump(img.read, [(0, 0x80000000, 0)])
        fdm(img, 0x64c302a8, [(0, 0x34c30000, 0x30000000)], 0x64c30000)
        img.put(0x64ee0000, note("<", b"VMCOREINFO", 0, b"OSRELEASE=6.12\n"))
        with self.assertRaisesRegex(ValueError, "PAGESIZE"):
            fadump.kernel_dump(img.read, [(0, 0x80000000, 0)])

    def test_61(self):
        # v7.0/6.1: kernel tag 0x64c40000, crash info header 0x64c30000, elfcorehdr after it
        img = SparseImage()
        metadata(img, 4, 0x64c40000, 0x30000000)
        fdm(img, 0x64c40000, [(0, 0x34c30000, 0x30000000)], 0x64c30000)
        img.put(0x64c30000, struct.pack("<QQI", int.from_bytes(b"FADMPINF", "big"), 0x64c31000, 4))
        img.put(0x64c31000, elf("<", [(4, 0x64c32000, 0, 0x64c32000, 0x100),
                                      (1, 0x34c30000, 0xc000000000000000, 0, 0x30000000),
                                      (1, 0x30000000, 0xc000000030000000, 0x30000000,
                                       0x4c30000)]))
        d = fadump.kernel_dump(img.read, [])
        self.assertEqual(d.info.abi, "FADMPINF")
        self.assertEqual(d.loads, [fadump.Load(0, 0x30000000, 0xc000000000000000, 0x34c30000),
                                   fadump.Load(0x30000000, 0x4c30000, 0xc000000030000000,
                                               0x30000000)])

    def test_bad_metadata(self):
        img = SparseImage()
        metadata(img, 4, 0, 0x30000000)
        with self.assertRaises(ValueError):
            fadump.kernel_dump(img.read, [])
        metadata(img, 4, 0x1000, 0x30000000)
        img.put(0x1000, struct.pack(">B3xHHQ", 1, 200, 1, 0))
        with self.assertRaises(ValueError):
            fadump.kernel_dump(img.read, [])


# --------------------------------------------------------------- machine
class TestMachine(unittest.TestCase):
    def shape(self, compat, cores, memory, ram=0x80000000, **kw):
        return machine.shape_from(inspect_json(cores, memory, ram),
                                  tree(compat, cores, memory, **kw))

    def test_v70(self):
        s = self.shape(b"qemu,powernv9\0ibm,powernv\0", [(0, [0]), (0, [4])],
                       [(0, 0x80000000, 0)])
        self.assertEqual((s.machine, s.smp(), s.chips), ("powernv9", "2,cores=2,threads=1", [0]))

    def test_p10_two_chips(self):
        s = self.shape(b"qemu,powernv10\0ibm,powernv\0", [(0, [0]), (1, [0x100])],
                       [(0, 0x40000000, 0), (0x40000000, 0x40000000, 1)])
        self.assertEqual((s.machine, s.smp()), ("powernv10", "2,cores=1,threads=1"))
        self.assertEqual(s.memory, ((0, 0x40000000, 0), (0x40000000, 0x40000000, 1)))

    def test_two_chips_two_cores_smt2(self):
        s = self.shape(b"qemu,powernv10\0", [(0, [0, 1]), (0, [4, 5]), (1, [0x100, 0x101]),
                                             (1, [0x104, 0x105])],
                       [(0, 0x60000000, 0), (0x60000000, 0x60000000, 1)], ram=0xc0000000)
        self.assertEqual(s.smp(), "8,cores=2,threads=2")

    def test_cpu_compatible_fallback(self):
        s = self.shape(b"ibm,powernv\0", [(0, [0]), (0, [8])], [(0, 0x80000000, 0)],
                       cpu_compat=b"IBM,POWER8\0ibm,power8\0")
        self.assertEqual(s.machine, "powernv8")

    def test_uneven(self):
        s = self.shape(b"qemu,powernv9\0", [(0, [0]), (0, [4]), (1, [0x100])],
                       [(0, 0x80000000, 0)])
        with self.assertRaises(ValueError):
            s.smp()

    def test_disagrees_with_inspect(self):
        cores, mem = [(0, [0]), (0, [4])], [(0, 0x80000000, 0)]
        j = inspect_json(cores, mem, 0x80000000)
        j["device_tree"]["thread_pirs"] = ["0x0"]
        with self.assertRaises(ValueError):
            machine.shape_from(j, tree(b"qemu,powernv9\0", cores, mem))
        j = inspect_json(cores, mem, 0x80000000)
        j["device_tree"]["found"] = False
        with self.assertRaises(ValueError):
            machine.shape_from(j, tree(b"qemu,powernv9\0", cores, mem))

    def test_bad_trees(self):
        with self.assertRaises(ValueError):
            machine.fdt_nodes(b"\0" * 64)
        t = tree(b"qemu,powernv9\0", [(0, [0])], [(0, 0x1000, 0)])
        with self.assertRaises(ValueError):
            machine.fdt_nodes(t[:-40])
        with self.assertRaises(ValueError):
            machine.machine_of(machine.fdt_nodes(tree(b"x\0", [(0, [0])], [], cpu_compat=b"y\0")))

    def test_check_smp(self):
        self.assertEqual(machine.check_smp("4,cores=2,threads=1"), "4,cores=2,threads=1")
        for bad in ("", "two", "4,cores=", "4;rm"):
            with self.assertRaises(ValueError):
                machine.check_smp(bad)


# --------------------------------------------------------------- results
class TestResults(unittest.TestCase):
    LINES = ["CB-VMCORE size=0000000050000000 phoff=0000000000000040 phnum=0004",
             "CB-RSV 00 0000000030000000 0000000000600000 ibm,firmware-code@30000000",
             "CB-HDR 000000 7f454c4602010100",
             "CB-NOTE 00 000000 0500000088010000",
             "CB-SEG 02 off=0000000034c502a8 size=000000001b3bfd58 md5=" + "a" * 32,
             "CB-CHUNK 02 000001 " + "b" * 32]

    def test_twice_with_a_damaged_copy(self):
        text = "\r\n".join(l for line in self.LINES for l in (line, line))
        text = text.replace("CB-CHUNK 02 000001 bbb", "CB-CHUNK 02 000001 bbbb", 1)
        r = results.parse_results(text + "\nCB-STATE: x\nCB-DMESG: y\n")
        self.assertEqual(r.vmcore, results.VmcoreLine(0x50000000, 0x40, 4))
        self.assertEqual(r.reserved(), [((0x30000000, 0x600000), "ibm,firmware-code@30000000")])
        self.assertEqual(r.seg[2], results.SegLine(0x34c502a8, 0x1b3bfd58, "a" * 32))
        self.assertEqual(r.chunk, {(2, 1): "b" * 32})
        self.assertEqual(r.notes_of(0), {0: "0500000088010000"})
        self.assertEqual(r.bad_lines, 1)
        self.assertEqual(results.assemble(r.hdr, "hdr"), bytes.fromhex("7f454c4602010100"))

    def test_disagreeing_copies(self):
        with self.assertRaises(ValueError):
            results.parse_results("CB-HDR 000000 7f454c4602010100\nCB-HDR 000000 7f454c4602010101")

    def test_assemble_lost_line(self):
        with self.assertRaises(ValueError):
            results.assemble({0: "00", 2: "11"}, "notes")
        self.assertEqual(results.assemble({}, "x"), b"")

    def test_diff_ranges(self):
        a = bytes(100)
        b = bytearray(a)
        b[3] = 1
        b[10] = 1
        b[60:62] = b"\1\1"
        self.assertEqual(results.diff_ranges(a, bytes(b)), [(3, 11), (60, 62)])
        self.assertEqual(results.diff_ranges(a, bytes(b), gap=2), [(3, 4), (10, 11), (60, 62)])
        self.assertEqual(results.diff_ranges(a, a), [])
        # ranges across and after equal 4 KiB blocks, merged across a block boundary
        a = bytes(3 * 4096)
        b = bytearray(a)
        b[4090:4100] = b"\1" * 10
        b[3 * 4096 - 1] = 1
        self.assertEqual(results.diff_ranges(a, bytes(b)), [(4090, 4100), (12287, 12288)])
        b[4110] = 1
        self.assertEqual(results.diff_ranges(a, bytes(b)), [(4090, 4111), (12287, 12288)])
        with self.assertRaises(ValueError):
            results.diff_ranges(a, a[:-1])

    def test_squeeze(self):
        self.assertEqual(results.squeeze("CB:: DONNE"), "CB: DONE")


# --------------------------------------------------------------- regions
class TestRegions(unittest.TestCase):
    # the 2 chips x 2 cores P10 guest of issue 17 (3 GiB): chip 0 0..0x60000000
    RSV = [((0x30000000, 0x600000), "ibm,firmware-code@30000000"),
           ((0x32450000, 0x2450000), "ibm,firmware-dump@32450000"),
           ((0x349a0000, 0x19e2000), "ibm,firmware-allocs-memory@349a0000"),
           ((0x60000000, 0x10000), "ibm,firmware-allocs-memory@60000000")]
    OPAL = (0x30000000, 0x2450000)

    def blocks(self):
        b0 = regions.free_block(0, 0x60000000, 0, struct.pack(">Q", (0x60000000 - 0x36382000) // 8),
                                self.RSV)
        b1 = regions.free_block(0x60000000, 0xc0000000, 1,
                                struct.pack(">Q", (0xc0000000 - 0x60010000) // 8), self.RSV)
        return [b0, b1]

    def test_free_blocks(self):
        b0, b1 = self.blocks()
        self.assertEqual((b0.start, b0.after),
                         (0x36382000, "reserved range ibm,firmware-allocs-memory@349a0000"))
        self.assertEqual((b1.start, b1.after),
                         (0x60010000, "reserved range ibm,firmware-allocs-memory@60000000"))
        b = regions.free_block(0x60000000, 0xc0000000, 1, struct.pack(">Q", 0x60000000 // 8), [])
        self.assertEqual(b.after, "the region's start")
        b = regions.free_block(0, 0x60000000, 0, struct.pack(">Q", 1 << 40), self.RSV)
        self.assertIsNone(b.after)

    def test_classify_issue_bytes(self):
        bl = self.blocks()
        v = regions.classify(0x3638201e, 0x3638201f, self.OPAL, self.RSV, bl)
        self.assertTrue(v.expected)
        self.assertIn("free_hdr", v.what)
        v = regions.classify(0x5ffffffc, 0x60000000, self.OPAL, self.RSV, bl)
        self.assertTrue(v.expected)
        self.assertIn("chip 0", v.what)
        v = regions.classify(0xbffffffc, 0xc0000000, self.OPAL, self.RSV, bl)
        self.assertTrue(v.expected)
        self.assertIn("chip 1", v.what)

    def test_classify_others(self):
        bl = self.blocks()
        self.assertFalse(regions.classify(0x32450010, 0x32450020, self.OPAL, self.RSV, bl).expected)
        self.assertTrue(regions.classify(0x30000100, 0x30000110, self.OPAL, self.RSV, bl).expected)
        self.assertTrue(regions.classify(0x31000000, 0x31000008, self.OPAL, self.RSV, bl).expected)
        self.assertFalse(regions.classify(0x36382020, 0x36382028, self.OPAL, self.RSV, bl).expected)
        self.assertFalse(regions.classify(0x50000000, 0x50000001, self.OPAL, self.RSV, bl).expected)
        # a tailer whose block follows nothing known is reported, not excused
        odd = [regions.free_block(0, 0x60000000, 0, struct.pack(">Q", 1 << 40), self.RSV)]
        self.assertFalse(regions.classify(0x5ffffff8, 0x60000000, self.OPAL, self.RSV,
                                          odd).expected)


class TestMd5(unittest.TestCase):
    def test_chunks_and_segment(self):
        f = io.BytesIO(b"xx" + b"aaab" + b"b")
        seg, chunks = md5_range(f, 2, 5, 2)
        md5 = lambda b: hashlib.md5(b).hexdigest()  # noqa: E731
        self.assertEqual(chunks, [md5(b"aa"), md5(b"ab"), md5(b"b")])
        self.assertEqual(seg, md5("".join(chunks).encode()))
        # past the end of a sparse file: zeros
        self.assertEqual(md5_range(io.BytesIO(b""), 0, 3, 2)[1], [md5(bytes(2)), md5(bytes(1))])


class TestExitStatus(unittest.TestCase):
    def test_states(self):
        self.assertEqual(exit_status([]), 0)
        self.assertEqual(exit_status([Finding(State.REJECTED, "x")]), 1)
        self.assertEqual(exit_status([Finding(State.REJECTED, "x"),
                                      Finding(State.TIMEOUT, "did finish")]), 3)
        # the text does not matter, only the state
        self.assertEqual(exit_status([Finding(State.REJECTED, "did not finish")]), 1)


if __name__ == "__main__":
    unittest.main()
