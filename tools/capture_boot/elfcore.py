"""ELF64 core file headers, byte order from e_ident[EI_DATA] (never assumed)."""
import struct
from dataclasses import dataclass

PT_LOAD, PT_NOTE = 1, 4
EHDR_SIZE, PHDR_SIZE = 64, 56
ELFDATA2LSB, ELFDATA2MSB = 1, 2


@dataclass(frozen=True)
class Phdr:
    type: int
    flags: int
    offset: int
    vaddr: int
    paddr: int
    filesz: int
    memsz: int


@dataclass(frozen=True)
class Ehdr:
    order: str          # struct byte order: "<" or ">"
    type: int
    machine: int
    phoff: int
    phnum: int

    @property
    def headers_end(self):
        """Bytes from the start of the file to the end of the program headers."""
        return self.phoff + PHDR_SIZE * self.phnum


def byte_order(ident):
    """"<" or ">" from e_ident; ValueError for anything that is not an ELF64 header."""
    if len(ident) < 16 or ident[:4] != b"\x7fELF":
        raise ValueError("no ELF header")
    if ident[4] != 2:
        raise ValueError("not ELF64 (EI_CLASS %d)" % ident[4])
    if ident[5] == ELFDATA2LSB:
        return "<"
    if ident[5] == ELFDATA2MSB:
        return ">"
    raise ValueError("unknown ELF byte order (EI_DATA %d)" % ident[5])


def parse_ehdr(buf):
    order = byte_order(buf[:16])
    if len(buf) < EHDR_SIZE:
        raise ValueError("ELF header cut short (%d bytes)" % len(buf))
    etype, machine = struct.unpack_from(order + "HH", buf, 16)
    phoff = struct.unpack_from(order + "Q", buf, 32)[0]
    phentsize, phnum = struct.unpack_from(order + "HH", buf, 54)
    if phnum and phentsize != PHDR_SIZE:
        raise ValueError("e_phentsize %d, not %d" % (phentsize, PHDR_SIZE))
    return Ehdr(order, etype, machine, phoff, phnum)


def parse_phdrs(buf):
    """The program headers of the ELF64 file whose first bytes are buf."""
    eh = parse_ehdr(buf)
    if eh.headers_end > len(buf):
        raise ValueError("program headers end at 0x%x, past the 0x%x bytes read" % (
            eh.headers_end, len(buf)))
    out = []
    for i in range(eh.phnum):
        t, fl, off, va, pa, fs, ms, _ = struct.unpack_from(eh.order + "IIQQQQQQ", buf,
                                                          eh.phoff + PHDR_SIZE * i)
        out.append(Phdr(t, fl, off, va, pa, fs, ms))
    return out


def note_entries(buf, order):
    """(name, type, desc) of each ELF note in buf (4-byte aligned name and desc)."""
    out, i = [], 0
    while i + 12 <= len(buf):
        nsz, dsz, typ = struct.unpack_from(order + "III", buf, i)
        i += 12
        name = buf[i:i + nsz].rstrip(b"\0")
        i += (nsz + 3) & ~3
        if i + dsz > len(buf):
            raise ValueError("note %r runs past the buffer" % name)
        out.append((name, typ, buf[i:i + dsz]))
        i += (dsz + 3) & ~3
    return out
