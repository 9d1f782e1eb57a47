"""The result lines init.sh prints on the console, each twice: fixed-width fields, so a copy
in which the console repeated a character does not match and its twin is used."""
import re
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class VmcoreLine:
    size: int
    phoff: int
    phnum: int


@dataclass(frozen=True)
class SegLine:
    offset: int
    size: int
    md5: str


@dataclass
class GuestResults:
    vmcore: Optional[VmcoreLine] = None
    hdr: Dict[int, str] = field(default_factory=dict)             # line -> 16 hex digits
    notes: Dict[Tuple[int, int], str] = field(default_factory=dict)   # (phdr, line) -> hex
    seg: Dict[int, SegLine] = field(default_factory=dict)         # phdr -> md5 of the segment
    chunk: Dict[Tuple[int, int], str] = field(default_factory=dict)   # (phdr, chunk) -> md5
    rsv: Dict[int, Tuple[int, int]] = field(default_factory=dict)    # index -> (addr, size)
    rsv_name: Dict[int, str] = field(default_factory=dict)
    bad_lines: int = 0

    def reserved(self):
        """[((addr, size), name)] of the capture boot's reserved-ranges, in order."""
        return [(self.rsv[k], self.rsv_name.get(k, "?")) for k in sorted(self.rsv)]

    def notes_of(self, phdr):
        return {k[1]: v for k, v in self.notes.items() if k[0] == phdr}


PATTERNS = [
    ("vmcore", re.compile(r"CB-VMCORE size=([0-9a-f]{16}) phoff=([0-9a-f]{16}) phnum=(\d{4})"),
     lambda m: (None, VmcoreLine(int(m[1], 16), int(m[2], 16), int(m[3])))),
    ("rsv", re.compile(r"CB-RSV (\d{2}) ([0-9a-f]{16}) ([0-9a-f]{16}) (.*)"),
     lambda m: (int(m[1]), (int(m[2], 16), int(m[3], 16)))),
    ("hdr", re.compile(r"CB-HDR (\d{6}) ([0-9a-f]{16})"), lambda m: (int(m[1]), m[2])),
    ("notes", re.compile(r"CB-NOTE (\d{2}) (\d{6}) ((?:[0-9a-f]{2}){1,16})"),
     lambda m: ((int(m[1]), int(m[2])), m[3])),
    ("seg", re.compile(r"CB-SEG (\d{2}) off=([0-9a-f]{16}) size=([0-9a-f]{16}) md5=([0-9a-f]{32})"),
     lambda m: (int(m[1]), SegLine(int(m[2], 16), int(m[3], 16), m[4]))),
    ("chunk", re.compile(r"CB-CHUNK (\d{2}) (\d{6}) ([0-9a-f]{32})"),
     lambda m: ((int(m[1]), int(m[2])), m[3])),
]


def parse_results(text):
    """GuestResults from the console text. ValueError if two valid copies disagree."""
    res = GuestResults()

    def keep(table, key, val):
        if key in table and table[key] != val:
            raise ValueError("two valid copies of a result line disagree for %r" % (key,))
        table[key] = val
    for line in text.replace("\r", "").split("\n"):
        if not line.startswith("CB-") or line.startswith(("CB-STATE", "CB-DMESG")):
            continue
        for name, rx, conv in PATTERNS:
            m = rx.fullmatch(line)
            if not m:
                continue
            key, val = conv(m)
            if name == "vmcore":
                if res.vmcore is not None and res.vmcore != val:
                    raise ValueError("two valid copies of the CB-VMCORE line disagree")
                res.vmcore = val
            else:
                keep(getattr(res, name), key, val)
                if name == "rsv":
                    res.rsv_name.setdefault(key, m[4])
            break
        else:
            res.bad_lines += 1
    return res


def assemble(parts, what):
    """Bytes from numbered hex lines; a line both copies of which were damaged is an error."""
    if not parts:
        return b""
    n = max(parts) + 1
    missing = [i for i in range(n) if i not in parts]
    if missing:
        raise ValueError("%s: line %d lost on the console (both copies damaged)" % (
            what, missing[0]))
    return bytes.fromhex("".join(parts[i] for i in range(n)))


def diff_ranges(a, b, gap=16):
    """[start, end) ranges where a and b (of one length) differ; ranges closer than gap
    bytes are merged."""
    if len(a) != len(b):
        raise ValueError("diff_ranges: lengths %d and %d" % (len(a), len(b)))
    out = []
    i, n = 0, len(a)
    while i < n:
        if i % 4096 == 0 and a[i:i + 4096] == b[i:i + 4096]:
            i += 4096                       # equal block: skip it at C speed
            continue
        if a[i] == b[i]:
            i += 1
            continue
        j = i
        while j < n and a[j] != b[j]:
            j += 1
        if out and i - out[-1][1] <= gap:
            out[-1][1] = j
        else:
            out.append([i, j])
        i = j
    return [tuple(r) for r in out]


def squeeze(s):
    """The OPAL console sometimes repeats a character; compare text with runs collapsed."""
    return re.sub(r"(.)\1+", r"\1", s)
