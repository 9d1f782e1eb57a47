/*
 * in_elf.c - QEMU dump-guest-memory ELF cores (snapshot-formats.md §6).
 * PT_LOAD segments are guest RAM at p_paddr; PT_NOTE segments carry the vCPU
 * registers (prstatus.c). Headers come through libelf; every offset, size and
 * count is checked against the file before it is used.
 */
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "input/prstatus.h"
#include "input/snap_reader.h"

#define EHDR64_SIZE 64u
#define PHDR64_SIZE 56u
#define SHDR64_SIZE 64u
#define SHDR_INFO_OFF 44u	/* Elf64_Shdr.sh_info */

struct elf_seg {
	uint64_t paddr, memsz;	/* guest-physical */
	uint64_t off, filesz;	/* in the file */
	size_t idx;		/* program header index */
};

struct elf_ctx {
	struct snapshot *s;
	const struct warn_sink *w;
	Elf *elf;
	bool big;
	size_t phnum;
	uint64_t phoff;
	struct elf_seg *load;	/* PT_LOAD segments, phdr order */
	size_t n_load;
	uint64_t ram_size;
	struct prstatus_counts notes;
	size_t n_note_segs;
};

static struct mperr *libelf_error(const char *what)
{
	return mperr_input("%s: %s", what, elf_errmsg(-1));
}

/* e_ident: a 64-bit ELF in either byte order; e_ehsize is not checked (QEMU 7.2 writes 8). */
static struct mperr *elf_check_ident(struct elf_ctx *c)
{
	const uint8_t *id = c->s->in.map;

	if (c->s->in.len < EHDR64_SIZE)
		return mperr_at(mperr_input("file too short for an ELF header: 0x%zx bytes, %u "
					    "needed", c->s->in.len, EHDR64_SIZE), 0);
	if (memcmp(id, ELFMAG, SELFMAG))
		return mperr_at(mperr_input("no ELF magic"), 0);
	if (id[EI_CLASS] != ELFCLASS64)
		return mperr_at(mperr_input("ELF class %u, expected 2 (64-bit, ppc64)",
					    id[EI_CLASS]), EI_CLASS);
	if (id[EI_DATA] != ELFDATA2LSB && id[EI_DATA] != ELFDATA2MSB)
		return mperr_at(mperr_input("ELF data encoding %u, expected 1 or 2", id[EI_DATA]),
				EI_DATA);
	c->big = id[EI_DATA] == ELFDATA2MSB;
	return NULL;
}

/*
 * The real program header count (e_phnum, or sh_info of section 0 when it
 * is PN_XNUM) and a check that the whole table lies inside the file: libelf
 * silently shortens a truncated table.
 */
static struct mperr *elf_count_phdrs(struct elf_ctx *c, const GElf_Ehdr *eh)
{
	const struct input *in = &c->s->in;
	uint64_t n = eh->e_phnum, tab_len, tab_end;
	size_t libelf_n;

	if (eh->e_phnum == PN_XNUM) {
		uint64_t info_end;

		if (__builtin_add_overflow(eh->e_shoff, SHDR_INFO_OFF + 4, &info_end) ||
		    eh->e_shoff == 0 || info_end > in->len)
			return mperr_at(mperr_input("e_phnum is PN_XNUM but section header 0 at 0x%"
						    PRIx64 " is not in the file (0x%zx bytes)",
						    eh->e_shoff, in->len), eh->e_shoff);
		n = ld_u32(in->map + eh->e_shoff + SHDR_INFO_OFF, c->big);
	}
	if (n && eh->e_phentsize != PHDR64_SIZE)
		return mperr_at(mperr_input("e_phentsize %u, expected %u", eh->e_phentsize,
					    PHDR64_SIZE), 0x36);
	tab_len = n * PHDR64_SIZE;	/* n < 2^32: no overflow */
	if (__builtin_add_overflow(eh->e_phoff, tab_len, &tab_end) || tab_end > in->len)
		return mperr_at(mperr_input("program header table (%" PRIu64 " entries at 0x%"
					    PRIx64 ") extends beyond the file (0x%zx bytes)", n,
					    eh->e_phoff, in->len), eh->e_phoff);
	if (n && eh->e_phoff < EHDR64_SIZE)
		return mperr_at(mperr_input("program header table at 0x%" PRIx64 " overlaps the "
					    "ELF header", eh->e_phoff), 0x20);
	if (elf_getphdrnum(c->elf, &libelf_n) < 0)
		return libelf_error("reading the program header count");
	if (libelf_n != n)
		return mperr_input("libelf sees %zu program headers, the header says %" PRIu64,
				   libelf_n, n);
	c->phnum = n;
	c->phoff = eh->e_phoff;
	return NULL;
}

/* [off, off+len) inside the file? */
static bool in_file(const struct input *in, uint64_t off, uint64_t len)
{
	uint64_t end;

	return !__builtin_add_overflow(off, len, &end) && end <= in->len;
}

static struct mperr *elf_take_load(struct elf_ctx *c, const GElf_Phdr *ph, size_t i)
{
	struct elf_seg *sg = &c->load[c->n_load];
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return mperr_input("PT_LOAD p_filesz 0x%" PRIx64 " exceeds p_memsz 0x%" PRIx64,
				   ph->p_filesz, ph->p_memsz);
	if (!in_file(&c->s->in, ph->p_offset, ph->p_filesz))
		return mperr_at(mperr_input("PT_LOAD data 0x%" PRIx64 "+0x%" PRIx64 " beyond the "
					    "file (0x%zx bytes)", ph->p_offset, ph->p_filesz,
					    c->s->in.len), ph->p_offset);
	if (__builtin_add_overflow(ph->p_paddr, ph->p_memsz, &end))
		return mperr_input("PT_LOAD p_paddr 0x%" PRIx64 " + p_memsz 0x%" PRIx64
				   " overflows", ph->p_paddr, ph->p_memsz);
	*sg = (struct elf_seg){ ph->p_paddr, ph->p_memsz, ph->p_offset, ph->p_filesz, i };
	c->n_load++;
	if (end > c->ram_size)
		c->ram_size = end;
	return NULL;
}

static struct mperr *elf_take_note(struct elf_ctx *c, const GElf_Phdr *ph)
{
	struct prstatus_counts cnt;
	struct mperr *err;

	if (!in_file(&c->s->in, ph->p_offset, ph->p_filesz))
		return mperr_at(mperr_input("PT_NOTE data 0x%" PRIx64 "+0x%" PRIx64 " beyond the "
					    "file (0x%zx bytes)", ph->p_offset, ph->p_filesz,
					    c->s->in.len), ph->p_offset);
	err = prstatus_parse_notes(c->s->in.map + ph->p_offset, ph->p_filesz, ph->p_offset,
				   c->big, &c->s->cpus, &cnt, c->w);
	if (err)
		return err;
	c->notes.notes += cnt.notes;
	c->notes.prstatus += cnt.prstatus;
	c->notes.fpreg += cnt.fpreg;
	c->notes.vmx += cnt.vmx;
	c->notes.vsx += cnt.vsx;
	c->notes.spe += cnt.spe;
	c->notes.other += cnt.other;
	c->n_note_segs++;
	return NULL;
}

/* First pass: check every program header, note PT_LOADs, parse PT_NOTEs. */
static struct mperr *elf_scan_phdrs(struct elf_ctx *c)
{
	c->load = calloc(c->phnum ? c->phnum : 1, sizeof(*c->load));
	if (!c->load)
		return mperr_nomem();
	for (size_t i = 0; i < c->phnum; i++) {
		struct mperr *err = NULL;
		GElf_Phdr ph;

		if (!gelf_getphdr(c->elf, (int)i, &ph))
			err = libelf_error("reading the program header");
		else if (ph.p_type == PT_LOAD)
			err = elf_take_load(c, &ph, i);
		else if (ph.p_type == PT_NOTE)
			err = elf_take_note(c, &ph);
		if (err)
			return mperr_at(mperr_in_entry(err, "program header", (long)i),
					c->phoff + i * PHDR64_SIZE);
	}
	if (!c->n_load)
		return mperr_at(mperr_input("no PT_LOAD segment: the dump holds no memory"),
				c->phoff);
	return NULL;
}

static int by_paddr(const void *a, const void *b)
{
	const struct elf_seg *x = a, *y = b;

	if (x->paddr != y->paddr)
		return x->paddr < y->paddr ? -1 : 1;
	return x->idx < y->idx ? -1 : 1;
}

/* Two PT_LOADs may not describe the same guest-physical bytes. */
static struct mperr *elf_check_overlap(const struct elf_ctx *c)
{
	struct elf_seg *v = malloc(c->n_load * sizeof(*v));
	const struct elf_seg *reach = NULL;	/* the segment that reaches furthest so far */
	struct mperr *err = NULL;

	if (!v)
		return mperr_nomem();
	memcpy(v, c->load, c->n_load * sizeof(*v));
	qsort(v, c->n_load, sizeof(*v), by_paddr);
	for (size_t i = 0; i < c->n_load && !err; i++) {
		if (!v[i].memsz)
			continue;
		if (reach && v[i].paddr < reach->paddr + reach->memsz) {
			const struct elf_seg *lo = reach->idx < v[i].idx ? reach : &v[i];
			const struct elf_seg *hi = lo == reach ? &v[i] : reach;

			err = mperr_input("PT_LOAD segments %zu (0x%" PRIx64 "+0x%" PRIx64 ") and %zu "
					  "(0x%" PRIx64 "+0x%" PRIx64 ") overlap in guest-physical "
					  "memory", lo->idx, lo->paddr, lo->memsz, hi->idx,
					  hi->paddr, hi->memsz);
			err = mperr_at(mperr_in_entry(err, "program header", (long)hi->idx),
				       c->phoff + hi->idx * PHDR64_SIZE);
		}
		if (!reach || v[i].paddr + v[i].memsz > reach->paddr + reach->memsz)
			reach = &v[i];
	}
	free(v);
	return err;
}

struct seg_walk {
	struct snapshot *s;
	const struct elf_seg *sg;
};

/* A data extent of a segment's file range (holes of a sparse file are skipped). */
static struct mperr *elf_add_extent(void *ctx, uint64_t off, uint64_t len)
{
	struct seg_walk *sw = ctx;

	return ram_add(&sw->s->ram, sw->sg->paddr + (off - sw->sg->off), len, sw->s->in.map + off);
}

static struct mperr *elf_add_ram(struct elf_ctx *c)
{
	struct snapshot *s = c->s;

	ram_init(&s->ram, c->ram_size);
	for (size_t i = 0; i < c->n_load; i++) {
		const struct elf_seg *sg = &c->load[i];
		struct seg_walk sw = { s, sg };
		struct mperr *err;
		char name[32];

		snprintf(name, sizeof(name), "PT_LOAD %zu", sg->idx);
		err = snap_add_block(s, name, sg->paddr, sg->memsz, 1);
		if (!err && sg->filesz)	/* p_memsz beyond p_filesz reads as zero */
			err = input_walk_data(&s->in, sg->off, sg->filesz, elf_add_extent, &sw);
		if (err)
			return mperr_at(mperr_in_entry(err, "program header", (long)sg->idx),
					sg->off);
	}
	return ram_finish(&s->ram);
}

static struct mperr *elf_describe(struct elf_ctx *c)
{
	struct snapshot *s = c->s;
	const struct prstatus_counts *n = &c->notes;

	snprintf(s->format_detail, sizeof(s->format_detail),
		 "ELF core (dump-guest-memory), %s-endian, %zu PT_LOAD, %zu CPUs%s",
		 c->big ? "big" : "little", c->n_load, s->cpus.n, s->in.gzipped ? ", gzip" : "");
	if (!n->prstatus)
		return snap_add_note(s, "no NT_PRSTATUS note: the ELF carries no CPU registers");
	return snap_add_note(s, "ELF notes: %zu in %zu PT_NOTE: %zu NT_PRSTATUS (GPRs, NIP, MSR, "
			     "CR, CTR, LR, XER used), %zu NT_PRFPREG, %zu NT_PPC_VMX, %zu "
			     "NT_PPC_VSX, %zu NT_PPC_SPE (not used), %zu other", n->notes,
			     c->n_note_segs, n->prstatus, n->fpreg, n->vmx, n->vsx, n->spe,
			     n->other);
}

static struct mperr *elf_read_all(struct elf_ctx *c)
{
	struct snapshot *s = c->s;
	struct mperr *err;
	GElf_Ehdr eh;

	err = elf_check_ident(c);
	if (err)
		return err;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return libelf_error("libelf initialisation");
	/* libelf only reads the image: it copies what it converts (ELF_C_READ_MEMORY) */
	c->elf = elf_memory((char *)(uintptr_t)s->in.map, s->in.len);
	if (!c->elf)
		return libelf_error("opening the ELF image");
	if (elf_kind(c->elf) != ELF_K_ELF || !gelf_getehdr(c->elf, &eh))
		return mperr_at(libelf_error("reading the ELF header"), 0);
	if (eh.e_type != ET_CORE)
		return mperr_at(mperr_input("e_type %u, expected %u (ET_CORE)", eh.e_type, ET_CORE),
				0x10);
	if (eh.e_machine != EM_PPC64)
		return mperr_at(mperr_input("e_machine %u, expected %u (EM_PPC64)", eh.e_machine,
					    EM_PPC64), 0x12);
	err = elf_count_phdrs(c, &eh);
	if (!err)
		err = elf_scan_phdrs(c);
	if (!err)
		err = elf_check_overlap(c);
	if (!err)
		err = elf_add_ram(c);
	if (!err)
		err = prstatus_find_pirs(s, c->w);
	if (!err)
		err = elf_describe(c);
	return err;
}

static struct mperr *elf_read(struct snapshot *s, const struct warn_sink *w)
{
	struct elf_ctx c = { .s = s, .w = w };
	struct mperr *err = elf_read_all(&c);

	if (c.elf)
		elf_end(c.elf);
	free(c.load);
	return err;
}

static bool elf_probe(const struct input *in, char *why, size_t len)
{
	if (in->len >= SELFMAG && !memcmp(in->map, ELFMAG, SELFMAG)) {
		snprintf(why, len, "ELF magic 7f 45 4c 46 at offset 0");
		return true;
	}
	snprintf(why, len, "no ELF magic");
	return false;
}

const struct snap_reader snap_reader_elf = { SNAP_ELF, "elf", elf_probe, elf_read };
