"""capture-boot - boot the real fadump capture kernel on mpiplsim's post-MPIPL image and
compare the /proc/vmcore it presents with what mpiplsim predicted (mpipl.md §11,
simulation.md §5-§6).

QEMU runs the machine the post image describes (skiboot's device tree in it, located by
`mpiplsim inspect --json`: powernv8/9/10, chips x cores x threads, RAM; --machine and --smp
override) with guest RAM = a private (share=off) mapping of the post image, -bios = the
firmware image written by mpiplsim --firmware-out, the fixture's kernel without debug info,
and an initramfs whose /init (init.sh) prints the fadump state, /proc/vmcore's ELF and
program headers, its notes, and an md5 of every PT_LOAD and of every chunk of it. QEMU 7.2
writes no /ibm,opal/dump node, so it is added with compatible, fw-load-area and an empty
"mpipl-boot" to the tree QEMU wrote at 0x01000000, through the gdbstub, before the first
instruction.

The comparison walks the crashed kernel's fadump structures in the post image (fadump.py:
both ABIs, chosen from the crash info header's magic and version): the PT_LOADs Linux shows
and the physical address behind each. Each segment's md5 is compared with the same bytes of
the post image (and of mpiplsim's vmcore when given); in a segment that differs, each chunk
whose md5 differs is read from the paused guest (QMP pmemsave) and diffed byte by byte
against the post image, and every differing range is classified (regions.py): where the
capture boot itself writes is expected; anything else is unexplained and fails the run.

Only the Python standard library. Needs qemu-system-ppc64, gdb-multiarch, fdtput, fdtget,
powerpc64le-linux-gnu-objcopy, cpio, gzip, xz and mpiplsim (for inspect).

Exit: 0 accepted, 1 not accepted (reasons printed), 2 usage or missing tool, 3 the boot did
not finish in time.
"""
import argparse
import enum
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import List, Optional

from . import boot as qemu
from . import elfcore, fadump, machine, regions
from .results import assemble, diff_ranges, parse_results, squeeze

TOOLS = ["gdb-multiarch", "fdtput", "fdtget", "powerpc64le-linux-gnu-objcopy", "cpio", "gzip",
         "xz"]
HERE = os.path.dirname(os.path.abspath(__file__))


class State(enum.IntEnum):
    """What a finding means for the run; the exit status is the worst state found."""
    ACCEPTED = 0
    REJECTED = 1
    USAGE = 2
    TIMEOUT = 3


@dataclass(frozen=True)
class Finding:
    state: State
    text: str


@dataclass
class Report:
    findings: List[Finding] = field(default_factory=list)
    lines: List[str] = field(default_factory=list)

    def say(self, s=""):
        self.lines.append(s)
        print(s, flush=True)

    def bad(self, s, state=State.REJECTED):
        self.findings.append(Finding(state, s))
        self.say("  NOT ACCEPTED: " + s)

    @property
    def accepted(self):
        return not self.findings


def exit_status(findings):
    """0 when nothing was found; 3 when the boot ran out of time (whatever else); else 1
    (2 is for usage errors, decided before a report exists)."""
    states = {f.state for f in findings}
    if not states:
        return int(State.ACCEPTED)
    if State.TIMEOUT in states:
        return int(State.TIMEOUT)
    if State.USAGE in states:
        return int(State.USAGE)
    return int(State.REJECTED)


# --------------------------------------------------------------- inputs
class Image:
    def __init__(self, path):
        self.f = open(path, "rb")
        self.size = os.fstat(self.f.fileno()).st_size

    def read(self, gpa, n):
        if gpa < 0 or n < 0 or gpa + n > self.size:
            raise ValueError("0x%x+0x%x is outside the image (0x%x)" % (gpa, n, self.size))
        self.f.seek(gpa)
        return self.f.read(n)


def md5_range(f, off, size, chunk):
    """(segment digest, [md5 of each chunk]) of [off, off+size) of file object f, as init.sh
    computes them: the segment's digest is the md5 of its chunks' hex md5s, concatenated."""
    chunks = []
    f.seek(off)
    done = 0
    while done < size:
        n = min(chunk, size - done)
        b = f.read(n)
        if len(b) != n:
            b += bytes(n - len(b))            # past the end of a sparse file
        chunks.append(hashlib.md5(b).hexdigest())
        done += n
    return segment_digest(chunks), chunks


def segment_digest(chunk_md5s):
    return hashlib.md5("".join(chunk_md5s).encode()).hexdigest()


def inspect_post(mpiplsim, post):
    """`mpiplsim inspect --json` of the post image (no CPU registers in raw RAM: the plan is
    not wanted here, --no-registers lets inspect finish it)."""
    r = subprocess.run([mpiplsim, "inspect", "--json", "--no-registers", post],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("mpiplsim inspect exited %d: %s" % (r.returncode, r.stderr.strip()))
    return json.loads(r.stdout)


@dataclass
class Vmcore:
    """mpiplsim's --vmcore of the same run."""
    f: object
    size: int
    head: bytes
    phdrs: List[elfcore.Phdr]
    notes: dict


def load_vmcore(path):
    f = open(path, "rb")
    head = f.read(0x400000)
    ph = elfcore.parse_phdrs(head)
    notes = {}
    for i, p in enumerate(ph):
        if p.type == elfcore.PT_NOTE:
            f.seek(p.offset)
            notes[i] = f.read(p.filesz)
    return Vmcore(f, os.fstat(f.fileno()).st_size, head, ph, notes)


@dataclass
class Expect:
    """What the post image says the capture boot will show."""
    img: Image
    kernel: fadump.KernelDump
    opal: tuple
    shape: machine.Shape
    vmcore: Optional[Vmcore]


# --------------------------------------------------------------- console checks
def excerpt(rep, console):
    rep.say("== console excerpt (skiboot MPIPL path, capture kernel fadump, /init)")
    pats = [r"OPAL \S+ starting", r"MPIPL", r"DUMP:", r"fadump", r"vmcore",
            r"^CB: ", r"^CB-STATE", r"Kernel panic"]
    for line in console.replace("\r", "").split("\n"):
        if line.startswith("CB-DMESG") or len(line) > 220:
            continue
        if any(re.search(p, line, re.I) for p in pats):
            rep.say("  | " + line)


def check_console(rep, console):
    text = squeeze(console)
    need = [("skiboot took the MPIPL boot path", r"RESET: Fast reboot disabled: MPIPL Boot"),
            ("skiboot read the MDRT (OPAL region)", r"DUMP: OPAL reserved region"),
            ("skiboot read the processor dump area", r"DUMP: Architected register dest addr"),
            ("the capture kernel found the dump", r"Firmware-assisted dump is active"),
            ("/init ran and finished", r"CB: DONE")]
    for what, p in need:
        if re.search(squeeze(p), text):
            rep.say("  ok: %s (%s)" % (what, p))
        else:
            rep.bad("%s: no line matching '%s'" % (what, p))


# --------------------------------------------------------------- comparison
def compare(a, rep, res, ex, q, work):
    chunk = a.chunk
    if res.vmcore is None:
        rep.bad("no /proc/vmcore in the capture kernel (or its size line was lost)")
        return
    vc = res.vmcore
    hdr = assemble(res.hdr, "ELF header")
    if len(hdr) != vc.phoff + elfcore.PHDR_SIZE * vc.phnum:
        rep.bad("ELF and program headers: %d bytes read, %d expected" % (
            len(hdr), vc.phoff + elfcore.PHDR_SIZE * vc.phnum))
        return
    theirs = elfcore.parse_phdrs(hdr)
    kd, ours = ex.kernel, ex.vmcore
    rep.say("== /proc/vmcore: 0x%x bytes, %d program headers; crash info header %s at 0x%x; "
            "expected PT_LOADs from %s" % (vc.size, vc.phnum, kd.info.abi, kd.fadumphdr,
                                           kd.elfcorehdr_desc))
    if ours is not None:
        same_hdr = hdr == ours.head[:len(hdr)]
        rep.say("  ELF header + program headers vs mpiplsim's vmcore: %s; size %s" % (
            "identical" if same_hdr else "DIFFERENT",
            "equal" if vc.size == ours.size else "0x%x vs 0x%x" % (vc.size, ours.size)))
        if not same_hdr or vc.size != ours.size:
            rep.bad("/proc/vmcore's headers or size differ from mpiplsim's vmcore")
    # ---- notes
    order = elfcore.parse_ehdr(hdr).order
    for i, ph in enumerate(theirs):
        if ph.type != elfcore.PT_NOTE:
            continue
        notes = assemble(res.notes_of(i), "notes")
        msg = "  PT_NOTE %d: 0x%x bytes read, %s" % (i, len(notes), ", ".join(
            "%s/%d" % (n.decode("latin-1"), t) for n, t, _ in elfcore.note_entries(notes, order)))
        if ours is not None:
            mine = ours.notes.get(i)
            if notes == mine:
                msg += "; identical to mpiplsim's vmcore"
            else:
                d = diff_ranges(notes, mine) if mine and len(mine) == len(notes) else None
                msg += "; DIFFERENT from mpiplsim's (%s)" % (
                    "first at +0x%x" % d[0][0] if d else "sizes 0x%x vs 0x%x" % (
                        len(notes), len(mine or b"")))
                rep.bad("PT_NOTE %d differs from mpiplsim's vmcore" % i)
        rep.say(msg)
    # ---- PT_LOAD ranges
    tl = [(i, p) for i, p in enumerate(theirs) if p.type == elfcore.PT_LOAD]
    kl = kd.loads
    ol = [p for p in ours.phdrs if p.type == elfcore.PT_LOAD] if ours is not None else None
    rep.say("== PT_LOAD ranges (/proc/vmcore | data in the post image%s)" % (
        " | mpiplsim's vmcore" if ours is not None else ""))
    if ol is not None and len(ol) != len(tl):
        rep.bad("PT_LOAD counts: /proc/vmcore %d, mpiplsim's vmcore %d" % (len(tl), len(ol)))
        for o in ol:
            rep.say("  mpiplsim's vmcore: paddr 0x%09x size 0x%08x off 0x%08x" % (
                o.paddr, o.memsz, o.offset))
        ol = ours = None                    # the data is still compared with the post image
    if len(tl) != len(kl):
        rep.bad("PT_LOAD counts: /proc/vmcore %d, expected %d" % (len(tl), len(kl)))
        for k in kl:
            rep.say("  expected: paddr 0x%09x size 0x%08x data at 0x%09x" % (k.paddr, k.size,
                                                                            k.data))
        return
    for n, ((i, t), k) in enumerate(zip(tl, kl)):
        o = ol[n] if ol is not None else None
        ok = (t.paddr, t.memsz, t.vaddr) == (k.paddr, k.size, k.vaddr) and \
            (o is None or (o.paddr, o.memsz, o.vaddr, o.offset) ==
             (t.paddr, t.memsz, t.vaddr, t.offset))
        rep.say("  [%d] paddr 0x%09x size 0x%08x vaddr 0x%016x | vmcore off 0x%08x | data at "
                "phys 0x%09x%s  %s" % (i, t.paddr, t.memsz, t.vaddr, t.offset, k.data,
                                       " | off 0x%08x" % o.offset if o else "",
                                       "same" if ok else "DIFFERENT"))
        if not ok:
            rep.bad("PT_LOAD %d range differs (expected paddr 0x%x size 0x%x)" % (
                i, k.paddr, k.size))
    # ---- segment and chunk md5s
    rep.say("== PT_LOAD data: md5 of /proc/vmcore (read in the capture kernel) vs the post-MPIPL "
            "image at the data's physical address%s" % (
                " vs mpiplsim's vmcore" if ours is not None else ""))
    diffs = []
    for n, ((i, t), k) in enumerate(zip(tl, kl)):
        got = res.seg.get(i)
        exp_seg, exp_chunks = md5_range(ex.img.f, k.data, k.size, chunk)
        mine = None
        if ours is not None:
            mine, _ = md5_range(ours.f, ol[n].offset, ol[n].filesz, chunk)
        if got is None:
            rep.bad("PT_LOAD %d: no md5 line from the guest" % i)
            continue
        rep.say("  [%d] phys 0x%09x..0x%09x  proc/vmcore %s  post image %s%s  %s" % (
            i, k.data, k.data + k.size, got.md5, exp_seg,
            "  mpiplsim vmcore %s" % mine if mine else "",
            "identical" if got.md5 == exp_seg else "DIFFERS"))
        if mine and mine != exp_seg:
            rep.bad("PT_LOAD %d: mpiplsim's vmcore does not hold the post image's bytes" % i)
        if got.md5 == exp_seg:
            continue
        before = len(diffs)
        for c, e in enumerate(exp_chunks):
            g = res.chunk.get((i, c))
            if g is None:
                rep.say("      chunk %d: its md5 line was lost on the console; read below" % c)
            if g != e:
                diffs.append((i, c, k.data + c * chunk, min(chunk, k.size - c * chunk), g))
        if len(diffs) == before:
            rep.bad("PT_LOAD %d: every chunk line equals the post image, the segment line "
                    "does not (the console lines disagree)" % i)
    if diffs:
        explain(a, rep, diffs, ex, q, work, res)


@dataclass
class Group:
    """Differing ranges that share one explanation (regions.Verdict.what)."""
    expected: bool
    ranges: list = field(default_factory=list)  # (start, end, capture boot, post image, steady)
    bytes: int = 0
    moving: int = 0                             # ranges that changed after the guest read them


def explain(a, rep, diffs, ex, q, work, res):
    """Byte ranges behind each differing chunk, from the paused guest's memory."""
    rsv = res.reserved()
    rep.say("== %d differing chunks of %d KiB: bytes read from the paused guest (QMP pmemsave) "
            "vs the post image" % (len(diffs), a.chunk >> 10))
    blocks = []
    for base, end in chip_regions(ex.shape):
        path = os.path.join(work, "tail-%x.bin" % end)
        q.cmd("pmemsave", val=end - 8, size=8, filename=path)
        with open(path, "rb") as f:
            last8 = f.read()
        os.unlink(path)
        chip = [c for b, s, c in ex.shape.memory if b <= end - 1 < b + s][0]
        blocks.append(regions.free_block(base, end, chip, last8, rsv))
    groups = {}
    for seg, c, phys, n, guest_md5 in diffs:
        path = os.path.join(work, "chunk-%x.bin" % phys)
        q.cmd("pmemsave", val=phys, size=n, filename=path)
        with open(path, "rb") as f:
            now = f.read()
        os.unlink(path)
        want = ex.img.read(phys, n)
        steady = hashlib.md5(now).hexdigest() == guest_md5
        for s, e in diff_ranges(now, want):
            v = regions.classify(phys + s, phys + e, ex.opal, rsv, blocks)
            g = groups.setdefault(v.what, Group(v.expected))
            g.ranges.append((phys + s, phys + e, now[s:e], want[s:e], steady))
            g.bytes += e - s
            g.moving += 0 if steady else 1
    bad = 0
    for key, g in sorted(groups.items(), key=lambda kv: kv[1].ranges[0][0]):
        r = g.ranges
        rep.say("  %s %d bytes in %d ranges 0x%x..0x%x, %s%s" % (
            "expected:   " if g.expected else "UNEXPLAINED:", g.bytes, len(r), r[0][0],
            r[-1][1], key, "; %d ranges changed again after the guest read them" % g.moving
            if g.moving else ""))
        if g.expected:
            # the relocated OPAL tables (SPIRA-H, processor dump area, MDST, MDDT): skiboot
            # rebuilds MDST/MDDT at the MPIPL boot; the rest must equal mpiplsim's values
            lo = ex.opal[0]
            for s, e, now, want, steady in r:
                if lo + 0x10000 <= s < lo + 0x12000:
                    rep.say("      in the OPAL tables 0x%09x..0x%09x: capture boot %s  post "
                            "image %s" % (s, e, now[:16].hex(), want[:16].hex()))
            continue
        bad += g.bytes
        for s, e, now, want, steady in r[:64]:
            rep.say("      0x%09x..0x%09x %5d bytes  capture boot %s  post image %s%s" % (
                s, e, e - s, now[:16].hex(), want[:16].hex(), "" if steady else "  (moving)"))
        if len(r) > 64:
            rep.say("      ... %d more" % (len(r) - 64))
    rep.say("  the memory regions (one per chip) and the free block that ends each:")
    for b in blocks:
        rep.say("      " + b.describe())
    rep.say("  the reserved ranges of the capture boot's device tree:")
    for (ra, rs), name in rsv:
        rep.say("      0x%09x..0x%09x %s" % (ra, ra + rs, name))
    if bad:
        rep.bad("%d differing bytes are not explained" % bad)


def chip_regions(shape):
    """skiboot's memory regions: one per memory node (mem_region.c), [(base, end)]."""
    return [(b, b + s) for b, s, _ in shape.memory]


# --------------------------------------------------------------- main
def find_mpiplsim():
    built = os.path.join(HERE, "..", "..", "build", "mpiplsim")
    return os.path.abspath(built) if os.access(built, os.X_OK) else "mpiplsim"


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="capture-boot", description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", required=True, help="dir with vmlinux.xz (and initramfs.cpio.gz)")
    ap.add_argument("--initramfs", help="busybox initramfs whose /init is replaced (default: the "
                    "fixture's; master/ and p10-2chip/ have none, give ../initramfs.cpio.gz)")
    ap.add_argument("--post", required=True, help="post-MPIPL RAM image (mpiplsim -o)")
    ap.add_argument("--firmware", required=True, help="patched skiboot (mpiplsim --firmware-out)")
    ap.add_argument("--vmcore", help="mpiplsim's --vmcore of the same run, to compare with")
    ap.add_argument("--out", help="work dir, kept (default: a temporary dir, removed)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds for the boot and /init")
    ap.add_argument("--chunk", type=int, default=1 << 20,
                    help="md5 chunk size (multiple of 64 KiB)")
    ap.add_argument("--machine", choices=machine.MACHINES,
                    help="QEMU machine (default: from the post image's device tree)")
    ap.add_argument("--smp", help="QEMU -smp, e.g. 4,cores=2,threads=1 (default: from the post "
                    "image's device tree: chips x cores x threads)")
    ap.add_argument("--mpiplsim", default=find_mpiplsim(),
                    help="mpiplsim binary for inspect (default: build/mpiplsim, else PATH)")
    ap.add_argument("--qemu", default="qemu-system-ppc64")
    a = ap.parse_args(argv)
    if a.chunk <= 0 or a.chunk % 0x10000:
        ap.error("--chunk must be a positive multiple of 65536")
    if a.smp is not None:
        try:
            machine.check_smp(a.smp)
        except ValueError as e:
            ap.error(str(e))
    return a


def expectations(a, rep):
    img = Image(a.post)
    info = inspect_post(a.mpiplsim, a.post)
    dt = info.get("device_tree") or {}
    if not dt.get("found"):
        raise ValueError("mpiplsim inspect found no device tree in the post image")
    shape = machine.shape_from(info, img.read(int(dt["gpa"], 16), int(dt["size"], 16)))
    if shape.ram_size != img.size:
        raise ValueError("post image of 0x%x bytes, its snapshot's RAM 0x%x" % (
            img.size, shape.ram_size))
    rep.say("== machine from the post image's device tree (mpiplsim inspect): " + shape.describe())
    kd = fadump.kernel_dump(img.read, shape.memory)
    rep.say("== crashed kernel: crash info header %s at 0x%x (%s), crashing PIR 0x%x, kernel "
            "tag 0x%x, %d boot memory regions" % (kd.info.abi, kd.fadumphdr,
                                                  "little-endian" if kd.info.order == "<"
                                                  else "big-endian", kd.crashing_pir,
                                                  kd.kernel_tag, len(kd.regions)))
    return Expect(img, kd, fadump.opal_region(img.read), shape,
                  load_vmcore(a.vmcore) if a.vmcore else None)


def main(argv=None):
    a = parse_args(argv)
    missing = [t for t in [a.qemu] + TOOLS if not shutil.which(t)]
    if not shutil.which(a.mpiplsim):
        missing.append(a.mpiplsim)
    if missing:
        print("capture-boot: missing tools: %s" % " ".join(missing), file=sys.stderr)
        return int(State.USAGE)
    a.initramfs = a.initramfs or os.path.join(a.fixture, "initramfs.cpio.gz")
    for p in (a.post, a.firmware, os.path.join(a.fixture, "vmlinux.xz"),
              a.initramfs) + ((a.vmcore,) if a.vmcore else ()):
        if not os.path.isfile(p):
            print("capture-boot: %s: no such file" % p, file=sys.stderr)
            return int(State.USAGE)
    work = a.out or tempfile.mkdtemp(prefix="capture-boot.")
    os.makedirs(work, exist_ok=True)
    timings = {}
    rep = Report()
    try:
        ex = expectations(a, rep)
        mach = a.machine or ex.shape.machine
        smp = a.smp or ex.shape.smp()
        rep.say("== QEMU -machine %s -smp %s%s" % (mach, smp, " (given)" if a.machine or a.smp
                                                    else ""))
        t = time.time()
        kernel = qemu.prepare_kernel(a.fixture, work)
        initrd = qemu.prepare_initrd(a.initramfs, work)
        timings["prepare"] = round(time.time() - t, 1)
        qemu.log("kernel and initramfs ready in %s s" % timings["prepare"])
        t = time.time()
        b = qemu.boot(a, work, kernel, initrd, mach, smp)
        timings.update(b.timings)
        try:
            console = b.console.buf
            excerpt(rep, console)
            rep.say("== acceptance")
            check_console(rep, console)
            if b.outcome is qemu.Outcome.DONE:
                res = parse_results(console)
                if res.bad_lines:
                    rep.say("  (%d result lines damaged on the console; their twin copies "
                            "used)" % res.bad_lines)
                compare(a, rep, res, ex, b.qmp, work)
            else:
                rep.bad("%s (timeout %d s)" % (b.outcome.value, a.timeout),
                        State.TIMEOUT if b.outcome is qemu.Outcome.TIMEOUT else State.REJECTED)
        finally:
            qemu.finish(b)
        timings["boot_total"] = round(time.time() - t, 1)
    except (OSError, ValueError, RuntimeError, subprocess.CalledProcessError) as e:
        rep.bad("%s" % e)
        timings.setdefault("boot_total", None)
    rep.say("== timings (s): " + ", ".join("%s %s" % kv for kv in timings.items()))
    rep.say("== %s" % ("ACCEPTED" if rep.accepted else "NOT ACCEPTED: " + "; ".join(
        f.text for f in rep.findings)))
    with open(os.path.join(work, "report.txt"), "w") as f:
        f.write("\n".join(rep.lines) + "\n")
    with open(os.path.join(work, "report.json"), "w") as f:
        json.dump({"accepted": rep.accepted, "failures": [f.text for f in rep.findings],
                   "states": [f.state.name for f in rep.findings], "timings": timings}, f,
                  indent=1)
    if not a.out:
        shutil.rmtree(work, ignore_errors=True)
    else:
        qemu.log("console log and report in %s" % work)
    return exit_status(rep.findings)
