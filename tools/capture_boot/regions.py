"""Why a byte the capture boot rewrote may differ from the post image (mpipl.md §11).

The capture boot itself writes: skiboot's own region (the MDST OPAL source, where skiboot
runs again), the ranges skiboot reserves for itself in this boot, and the bookkeeping of
skiboot's allocator in every memory region (one per chip's memory node): core/mem_region.c
keeps a header (struct free_hdr, 32 bytes: length, location, list links into skiboot's heap)
at the start of every free block and a tailer, the block's length in 8-byte longs
(big-endian), in its last 8 bytes. The free block of a chip's region runs to the end of that
region; when skiboot releases it to the OS, header and tailer stay behind in memory the OS
owns, and the capture boot's skiboot writes both again. Anything else is unexplained.
"""
import struct
from dataclasses import dataclass
from typing import Optional

PRESERVED = ("ibm,firmware-dump", "ibm,firmware-arch-registers")
FREE_HDR = 32


@dataclass(frozen=True)
class FreeBlock:
    """The free block that ends memory region [base, end) (chip), as its tailer says."""
    base: int
    end: int
    chip: int
    start: int
    longs: int
    after: Optional[str]        # what the block follows: a reserved range's name, the
                                # region's start, or None (nothing: the tailer is suspect)

    def describe(self):
        return "free block 0x%x..0x%x (%d longs) of chip %d's memory 0x%x..0x%x, %s" % (
            self.start, self.end, self.longs, self.chip, self.base, self.end,
            "after %s" % self.after if self.after else "that follows nothing known")


@dataclass(frozen=True)
class Verdict:
    what: str
    expected: bool


def free_block(base, end, chip, last8, rsv):
    """The FreeBlock of region [base, end) from its last 8 bytes in the capture boot."""
    longs = struct.unpack(">Q", last8)[0]
    start = end - 8 * longs
    after = None
    if base <= start < end:
        names = [name for (ra, rs), name in rsv if ra + rs == start]
        if names:
            after = "reserved range %s" % names[0]
        elif start == base:
            after = "the region's start"
    return FreeBlock(base, end, chip, start, longs, after)


def classify(s, e, opal, rsv, blocks):
    """Verdict for the differing range [s, e): opal = (base, size) of skiboot's region,
    rsv = [((addr, size), name)] of the capture boot's reserved-ranges, blocks = [FreeBlock]."""
    lo, size = opal
    for (ra, rs), name in rsv:
        if ra <= s and e <= ra + rs and name.startswith(PRESERVED):
            return Verdict("in %s 0x%x..0x%x: preserved data changed" % (name, ra, ra + rs), False)
    for (ra, rs), name in rsv:
        if ra <= s and e <= ra + rs:
            return Verdict("skiboot's reserved range %s 0x%x..0x%x%s: skiboot builds it again in "
                           "the capture boot" % (name, ra, ra + rs, ", inside its own region "
                                                 "(MDST OPAL source)" if lo <= ra and
                                                 ra + rs <= lo + size else ""), True)
    if lo <= s and e <= lo + size:
        return Verdict("skiboot's own region 0x%x..0x%x (MDST OPAL source): skiboot runs there "
                       "again in the capture boot" % (lo, lo + size), True)
    for b in blocks:
        if b.end - 8 <= s and e <= b.end:
            return Verdict("skiboot's allocator tailer at the end of chip %d's memory: %s" % (
                b.chip, b.describe()), b.after is not None)
        if b.after is not None and b.start <= s and e <= b.start + FREE_HDR:
            return Verdict("skiboot's allocator header (struct free_hdr) of the " + b.describe(),
                           True)
    return Verdict("outside every region the capture boot is known to rewrite", False)
