"""The machine to boot, from the post image: `mpiplsim inspect --json` finds skiboot's device
tree in it (device_tree.gpa/size, thread_pirs, memory, snapshot.ram_size); this module reads
that flattened tree for what inspect does not print yet: the machine (root compatible
"qemu,powernvN", else the CPUs' "ibm,powerN"), each core's chip (ibm,chip-id) and threads
(ibm,ppc-interrupt-server#s), and each memory node's chip.
"""
import re
import struct
from dataclasses import dataclass
from typing import Tuple

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END = 1, 2, 3, 4, 9
MACHINES = ("powernv8", "powernv9", "powernv10")


@dataclass(frozen=True)
class Core:
    chip: int
    pirs: Tuple[int, ...]       # its threads' PIRs (ibm,ppc-interrupt-server#s)


@dataclass(frozen=True)
class Shape:
    machine: str                # powernv8, powernv9, powernv10
    ram_size: int
    cores: Tuple[Core, ...]
    memory: Tuple[Tuple[int, int, int], ...]    # (base, size, chip) of each memory node

    @property
    def chips(self):
        return sorted({c.chip for c in self.cores})

    def smp(self):
        """QEMU's -smp for this shape: chips are sockets; every chip needs as many cores,
        every core as many threads (QEMU powernv has no other shape)."""
        per_chip = {ch: [c for c in self.cores if c.chip == ch] for ch in self.chips}
        ncores = {len(v) for v in per_chip.values()}
        nthreads = {len(c.pirs) for c in self.cores}
        if len(ncores) != 1 or len(nthreads) != 1:
            raise ValueError("chips of different core counts or cores of different thread "
                             "counts (%s): QEMU cannot make this machine; give --smp" %
                             self.describe())
        c, t = ncores.pop(), nthreads.pop()
        return "%d,cores=%d,threads=%d" % (len(per_chip) * c * t, c, t)

    def describe(self):
        return "%s, %d MiB, %s" % (self.machine, self.ram_size >> 20, "; ".join(
            "chip %d: %d cores (PIRs %s)" % (ch, len([c for c in self.cores if c.chip == ch]),
                                             " ".join("%#x" % p for c in self.cores
                                                      if c.chip == ch for p in c.pirs))
            for ch in self.chips))


def fdt_nodes(blob):
    """[(path, {property: bytes})] of a flattened device tree, in structure order."""
    if len(blob) < 40:
        raise ValueError("device tree cut short")
    magic, total, off_struct, off_strings, _, version = struct.unpack_from(">6I", blob, 0)
    if magic != FDT_MAGIC:
        raise ValueError("no device tree (magic 0x%x)" % magic)
    if total > len(blob) or version < 16:
        raise ValueError("device tree: totalsize 0x%x of 0x%x read, version %d" % (
            total, len(blob), version))
    strings = blob[off_strings:total]
    nodes, stack, i = [], [], off_struct
    while i + 4 <= total:
        tok = struct.unpack_from(">I", blob, i)[0]
        i += 4
        if tok == FDT_BEGIN_NODE:
            end = blob.index(b"\0", i)
            name = blob[i:end].decode("latin-1")
            i = (end + 4) & ~3
            stack.append(name)
            nodes.append(("/" + "/".join(n for n in stack if n), {}))
        elif tok == FDT_END_NODE:
            if not stack:
                raise ValueError("device tree: unbalanced end of node")
            stack.pop()
        elif tok == FDT_PROP:
            ln, noff = struct.unpack_from(">II", blob, i)
            i += 8
            if not nodes or i + ln > total or noff >= len(strings):
                raise ValueError("device tree: bad property at 0x%x" % i)
            pname = strings[noff:strings.index(b"\0", noff)].decode("latin-1")
            nodes[-1][1][pname] = blob[i:i + ln]
            i = (i + ln + 3) & ~3
        elif tok == FDT_NOP:
            continue
        elif tok == FDT_END:
            return nodes
        else:
            raise ValueError("device tree: token 0x%x at 0x%x" % (tok, i - 4))
    raise ValueError("device tree: no FDT_END")


def strings_of(prop):
    return [s.decode("latin-1") for s in prop.split(b"\0") if s]


def cells(prop):
    return list(struct.unpack(">%dI" % (len(prop) // 4), prop[:len(prop) // 4 * 4]))


def machine_of(nodes):
    root = dict(nodes).get("/", {})
    for c in strings_of(root.get("compatible", b"")):
        m = re.fullmatch(r"qemu,(powernv(?:8|9|10))", c)
        if m:
            return m.group(1)
    for path, props in nodes:
        if path.startswith("/cpus/") and props.get("device_type") == b"cpu\0":
            for c in strings_of(props.get("compatible", b"")):
                m = re.fullmatch(r"ibm,power(8|9|10)", c)
                if m:
                    return "powernv" + m.group(1)
    raise ValueError("device tree: neither root compatible qemu,powernvN nor a CPU ibm,powerN")


def shape_from(inspect, blob):
    """The Shape from `mpiplsim inspect --json` of the post image and the tree it located."""
    dt = inspect.get("device_tree") or {}
    if not dt.get("found"):
        raise ValueError("mpiplsim inspect found no device tree in the post image (%s)" %
                         dt.get("reason", "no reason given"))
    nodes = fdt_nodes(blob)
    cores, memory = [], []
    for path, props in nodes:
        chip = cells(props["ibm,chip-id"])[0] if "ibm,chip-id" in props else None
        if path.startswith("/cpus/") and props.get("device_type") == b"cpu\0":
            if chip is None or "ibm,ppc-interrupt-server#s" not in props:
                raise ValueError("device tree: %s has no ibm,chip-id or no threads" % path)
            cores.append(Core(chip, tuple(cells(props["ibm,ppc-interrupt-server#s"]))))
        elif props.get("device_type") == b"memory\0" and "reg" in props:
            reg = cells(props["reg"])
            for k in range(0, len(reg) - 3, 4):
                memory.append(((reg[k] << 32) | reg[k + 1], (reg[k + 2] << 32) | reg[k + 3],
                               chip if chip is not None else 0))
    pirs = sorted(p for c in cores for p in c.pirs)
    theirs = sorted(int(p, 16) for p in dt.get("thread_pirs", []))
    if pirs != theirs:
        raise ValueError("device tree threads %s, mpiplsim inspect says %s" % (
            [hex(p) for p in pirs], [hex(p) for p in theirs]))
    mem_inspect = sorted((int(m["base"], 16), int(m["size"], 16)) for m in dt.get("memory", []))
    if sorted((b, s) for b, s, _ in memory) != mem_inspect:
        raise ValueError("device tree memory nodes differ from mpiplsim inspect's")
    ram = int(inspect["snapshot"]["ram_size"], 16)
    return Shape(machine_of(nodes), ram, tuple(sorted(cores, key=lambda c: c.pirs)),
                 tuple(sorted(memory)))


SMP_RE = re.compile(r"\d+(,(sockets|cores|threads|maxcpus)=\d+)*")


def check_smp(text):
    if not SMP_RE.fullmatch(text):
        raise ValueError("--smp %r: expected N[,cores=C][,threads=T]..." % text)
    return text
