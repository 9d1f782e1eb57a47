"""The crashed kernel's fadump structures in the post-MPIPL image, and the PT_LOADs the
capture kernel's /proc/vmcore will show (mpipl.md §5), for both ABIs of Linux:

- up to 6.8: crash info header "FADMPINF" {magic, elfcorehdr_addr, crashing_cpu, regs,
  cpu mask}; the crashed kernel built the ELF core header at registration time, and its
  PT_LOADs carry in p_offset the physical address of their data (boot memory relocated).
- 6.9 and later (6.12): "FADMPSIG" {magic, u32 version (1), u32 crashing_cpu, u64
  vmcoreinfo_raddr, u64 vmcoreinfo_size, u32 pt_regs_sz, u32 cpu_mask_sz, regs, cpu mask}
  (arch/powerpc/include/asm/fadump-internal.h); no ELF core header in memory: the capture
  kernel builds it (fadump_populate_elfcorehdr): one PT_LOAD per boot memory region (data at
  the destination), then each memblock memory range above boot_mem_top minus the fadump
  reserved area [rgn[0].dest, + boot memory + sizeof(crash info header) + PAGE_ALIGN(
  sizeof(opal_fadump_mem_struct))) (get_fadump_area_size with no CPU state yet: it runs
  before the platform's fadump_process). That area's end is not page-aligned.

Which ABI is chosen from the magic (and its byte order) and the version, never guessed.
The kernel metadata (struct opal_fadump_mem_struct) is big-endian in both.
"""
import struct
from dataclasses import dataclass, field
from typing import List, Optional

from . import elfcore

OPAL_BASE = 0x30000000          # SKIBOOT_BASE
META_OFF = 0x1c08000            # MPIPL metadata, OPAL-base relative (mpipl.md §5)
HRMOR = 1 << 63
PAGE_OFFSET = 0xc000000000000000
FADUMP_MAX_MEM_REGS = 128
OPAL_FDM_SIZE = 16 + 24 * FADUMP_MAX_MEM_REGS   # struct opal_fadump_mem_struct
MAGIC_OLD = b"FADMPINF"
MAGIC_SIG = b"FADMPSIG"
SIG_FIXED = 40                  # the FADMPSIG header before regs: 8+4+4+8+8+4+4


@dataclass(frozen=True)
class Region:
    """One boot memory region of opal_fadump_mem_struct: copied from src to dest."""
    src: int
    dest: int
    size: int


@dataclass(frozen=True)
class Load:
    """A PT_LOAD as Linux shows it, and where its bytes are in the post image."""
    paddr: int
    size: int
    vaddr: int
    data: int


@dataclass(frozen=True)
class CrashInfo:
    """The crash info header (fadump_crash_info_header) of either ABI."""
    abi: str                    # "FADMPINF" or "FADMPSIG v1"
    order: str                  # the crashed kernel's byte order ("<" or ">")
    crashing_cpu: int
    size: int                   # sizeof(struct fadump_crash_info_header)
    elfcorehdr: Optional[int] = None             # FADMPINF only
    vmcoreinfo: Optional[int] = None             # FADMPSIG: relocated physical address
    vmcoreinfo_size: int = 0


@dataclass
class KernelDump:
    crashing_pir: int
    kernel_tag: int
    boot_mem_tag: int
    fadumphdr: int
    regions: List[Region]
    registered: int
    info: CrashInfo
    loads: List[Load] = field(default_factory=list)
    page_size: Optional[int] = None
    reserved_area: Optional[tuple] = None       # FADMPSIG: [start, end) the kernel keeps

    @property
    def elfcorehdr_desc(self):
        if self.info.elfcorehdr is not None:
            return "the crashed kernel's ELF core header at 0x%x" % self.info.elfcorehdr
        return ("the ELF core header the capture kernel builds (fadump reserved area "
                "0x%x..0x%x, page size 0x%x)" % (self.reserved_area + (self.page_size,)))


def page_align(n, page):
    return (n + page - 1) // page * page


def parse_crash_info(h):
    """The crash info header from its first bytes (at least 0x40). ValueError if unknown."""
    if len(h) < SIG_FIXED:
        raise ValueError("crash info header cut short")
    for order, flip in (("<", lambda m: m[::-1]), (">", lambda m: m)):
        magic = flip(h[:8])
        if magic == MAGIC_OLD:
            elfcorehdr, cpu = struct.unpack_from(order + "QI", h, 8)
            return CrashInfo("FADMPINF", order, cpu, 0, elfcorehdr=elfcorehdr)
        if magic == MAGIC_SIG:
            ver, cpu, vr, vs, prs, cms = struct.unpack_from(order + "IIQQII", h, 8)
            if ver != 1:
                raise ValueError("crash info header FADMPSIG version %d (known: 1)" % ver)
            return CrashInfo("FADMPSIG v1", order, cpu, SIG_FIXED + prs + cms,
                             vmcoreinfo=vr, vmcoreinfo_size=vs)
    raise ValueError("crash info header: magic %r is neither FADMPINF nor FADMPSIG" % h[:8])


def parse_fdm(buf):
    """(version, region_cnt, registered_regions, fadumphdr_addr, regions) of
    opal_fadump_mem_struct (big-endian, its first 16 + 24 * region_cnt bytes)."""
    ver, cnt, regd, fdh = struct.unpack_from(">B3xHHQ", buf, 0)
    if cnt == 0 or cnt > FADUMP_MAX_MEM_REGS or regd > cnt:
        raise ValueError("kernel metadata: %d regions, %d registered" % (cnt, regd))
    regions = [Region(*struct.unpack_from(">QQQ", buf, 16 + 24 * i)) for i in range(cnt)]
    return ver, cnt, regd, fdh, regions


def vmcoreinfo_page_size(note, order):
    """PAGESIZE= of the VMCOREINFO note."""
    for name, _, desc in elfcore.note_entries(note, order):
        if name == b"VMCOREINFO":
            for line in desc.split(b"\n"):
                if line.startswith(b"PAGESIZE="):
                    return int(line[9:])
    raise ValueError("no PAGESIZE= in the VMCOREINFO note")


def memblock_ranges(memory):
    """The capture kernel's memblock memory ranges from the device tree's memory nodes
    [(base, size, chip)]: sorted, adjacent ranges of one chip (one NUMA node) merged."""
    out = []
    for base, size, chip in sorted(memory):
        if out and out[-1][1] == base and out[-1][2] == chip:
            out[-1][1] = base + size
        else:
            out.append([base, base + size, chip])
    return [(s, e) for s, e, _ in out]


def sig_loads(regions, memory, fdh_size, page_size):
    """PT_LOADs of fadump_populate_elfcorehdr (6.9+): ([Load], boot_mem_top, (ra_start, ra_end))."""
    boot, hole, last = 0, 0, 0
    for r in regions:
        boot += r.size
        hole += r.src - last
        last = r.src + r.size
    top = boot + hole                         # opal_fadump_get_config
    ra_start = regions[0].dest
    ra_end = ra_start + boot + fdh_size + page_align(OPAL_FDM_SIZE, page_size)
    loads, dest = [], regions[0].dest
    for r in regions:
        loads.append(Load(r.src, r.size, PAGE_OFFSET + r.src, dest))
        dest += r.size
    for ms, me in memblock_ranges(memory):
        if ms < top:
            if me <= top:
                continue
            ms = top
        parts = [(ms, me)]
        if ra_start < me and ra_end > ms:
            if ra_start <= ms and ra_end >= me:
                raise ValueError("memory 0x%x..0x%x lies inside the fadump reserved area: "
                                 "Linux adds an unfilled PT_LOAD then (not modelled)" % (ms, me))
            parts = [(a, b) for a, b in ((ms, ra_start), (ra_end, me)) if a < b]
        loads.extend(Load(a, b - a, PAGE_OFFSET + a, a) for a, b in parts)
    return loads, top, (ra_start, ra_end)


def kernel_dump(read, memory):
    """The walk MPIPL metadata -> kernel tag -> opal_fadump_mem_struct -> crash info header
    (-> the crashed kernel's ELF core header for FADMPINF), on read(gpa, n) of the post
    image; memory = [(base, size, chip)] of the device tree (FADMPSIG only)."""
    pir, tag, boot_mem = struct.unpack(">IQQ", read(OPAL_BASE + META_OFF, 20))
    if not tag:
        raise ValueError("MPIPL metadata: no kernel tag")
    cnt = min(struct.unpack(">H", read(tag + 4, 2))[0], FADUMP_MAX_MEM_REGS)
    _, cnt, regd, fdh, regions = parse_fdm(read(tag, 16 + 24 * cnt))
    info = parse_crash_info(read(fdh, 0x40))
    d = KernelDump(pir, tag, boot_mem, fdh, regions, regd, info)
    if info.elfcorehdr is not None:
        eh = read(info.elfcorehdr, elfcore.EHDR_SIZE)
        try:
            ehdr = elfcore.parse_ehdr(eh)
        except ValueError as e:
            raise ValueError("elfcorehdr 0x%x: %s" % (info.elfcorehdr, e))
        ph = elfcore.parse_phdrs(eh + read(info.elfcorehdr + elfcore.EHDR_SIZE,
                                           ehdr.headers_end - elfcore.EHDR_SIZE))
        d.loads = [Load(p.paddr, p.memsz, p.vaddr, p.offset) for p in ph
                   if p.type == elfcore.PT_LOAD]
        return d
    d.page_size = vmcoreinfo_page_size(read(info.vmcoreinfo, info.vmcoreinfo_size), info.order)
    d.loads, _, d.reserved_area = sig_loads(regions, memory, info.size, d.page_size)
    meta = d.reserved_area[1] - page_align(OPAL_FDM_SIZE, d.page_size)
    if meta != tag or fdh != regions[0].dest + sum(r.size for r in regions):
        raise ValueError("FADMPSIG layout: kernel metadata at 0x%x and crash info header at "
                         "0x%x, expected 0x%x and the end of the boot memory copy" % (
                             tag, fdh, meta))
    return d


def opal_region(read):
    """skiboot's live region = the MDST source of region 0x03 (mpipl.md §3), via SPIRA-H."""
    win = read(OPAL_BASE + 0x10000, 0x1000)
    i = win.find(b"\xd1\xf0SPIRAH")
    if i < 0 or i % 0x10:
        raise ValueError("no SPIRA-H in the post image")
    sp = OPAL_BASE + 0x10000 + i
    addr, alloc, act = struct.unpack(">QHH", read(sp + 0x40 + 3 * 0x20, 12))
    addr &= ~HRMOR
    addr = addr + OPAL_BASE if addr < OPAL_BASE else addr
    for k in range(act):
        a, region, _, _, size = struct.unpack(">QBBHI", read(addr + 16 * k, 16))
        if region == 0x03:
            return (a & ~HRMOR, size)
    raise ValueError("no OPAL (region 0x03) entry in the MDST")
