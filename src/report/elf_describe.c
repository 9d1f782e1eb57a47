/*
 * elf_describe.c - `inspect` of an ELF snapshot or vmcore: its header, every
 * program header and every note, read back with libelf; see elf_describe.h.
 */
#include "report/elf_describe.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "core/bytes.h"
#include "output/elf_out.h"

static struct mperr *elf_fail(const char *what)
{
	return mperr_io(EIO, "libelf: %s: %s", what, elf_errmsg(-1));
}

static const char *ptype_name(uint32_t t)
{
	switch (t) {
	case PT_NULL: return "NULL";
	case PT_LOAD: return "LOAD";
	case PT_NOTE: return "NOTE";
	default: return "other";
	}
}

static void describe_prstatus(FILE *out, const uint8_t *d, size_t len, bool big)
{
	if (len < 0x70 + 48 * 8) {
		fprintf(out, " (short: 0x%zx bytes)\n", len);
		return;
	}
	fprintf(out, " pr_pid %" PRIu32 " nip 0x%016" PRIx64 " lr 0x%016" PRIx64 " r1 0x%016"
		PRIx64 "\n", ld_u32(d + 0x20, big), ld_u64(d + 0x70 + 32 * 8, big),
		ld_u64(d + 0x70 + 36 * 8, big), ld_u64(d + 0x70 + 8, big));
}

static void describe_notes(FILE *out, Elf *e, const GElf_Phdr *ph, bool big)
{
	Elf_Data *d = elf_getdata_rawchunk(e, (int64_t)ph->p_offset, ph->p_filesz, ELF_T_NHDR);
	size_t off = 0, name_off, desc_off;
	GElf_Nhdr nh;

	if (!d) {
		fprintf(out, "    notes unreadable: %s\n", elf_errmsg(-1));
		return;
	}
	while ((off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const char *name = nh.n_namesz ? (const char *)d->d_buf + name_off : "";
		const uint8_t *desc = (const uint8_t *)d->d_buf + desc_off;

		fprintf(out, "    note %-10.*s type %" PRIu32 " size 0x%" PRIx32, (int)nh.n_namesz,
			name, nh.n_type, nh.n_descsz);
		if (!strcmp(name, "CORE") && nh.n_type == NT_PRSTATUS) {
			describe_prstatus(out, desc, nh.n_descsz, big);
		} else if (!strcmp(name, "VMCOREINFO")) {
			size_t rl = 0, pl = 0;
			const char *r = vmcoreinfo_value((const char *)desc, nh.n_descsz, "OSRELEASE", &rl);
			const char *p = vmcoreinfo_value((const char *)desc, nh.n_descsz, "PAGESIZE", &pl);

			fprintf(out, " OSRELEASE %.*s PAGESIZE %.*s\n", (int)rl, r ? r : "",
				(int)pl, p ? p : "");
		} else {
			fputc('\n', out);
		}
	}
}

static struct mperr *describe(FILE *out, Elf *e)
{
	GElf_Ehdr eh;
	size_t phnum;
	bool big;

	if (!gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum) < 0)
		return elf_fail("reading the ELF header");
	big = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	fprintf(out, "ELF %s %s, type %u, machine %u, e_flags 0x%" PRIx32 ", %zu program headers\n",
		eh.e_ident[EI_CLASS] == ELFCLASS64 ? "64-bit" : "32-bit",
		big ? "big-endian" : "little-endian", eh.e_type, eh.e_machine, eh.e_flags, phnum);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph))
			return elf_fail("reading a program header");
		fprintf(out, "  [%zu] %-5s offset 0x%" PRIx64 " vaddr 0x%016" PRIx64 " paddr 0x%"
			PRIx64 " filesz 0x%" PRIx64 " memsz 0x%" PRIx64 " flags 0x%" PRIx32
			" align 0x%" PRIx64 "\n", i, ptype_name(ph.p_type), ph.p_offset, ph.p_vaddr,
			ph.p_paddr, ph.p_filesz, ph.p_memsz, ph.p_flags, ph.p_align);
		if (ph.p_type == PT_NOTE)
			describe_notes(out, e, &ph, big);
	}
	return NULL;
}

struct mperr *vmcore_describe_fd(FILE *out, int fd, const char *name)
{
	struct mperr *err = NULL;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return mperr_in_file(elf_fail("elf_version"), name);
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF)
		err = mperr_input("not an ELF file%s%s", e ? "" : ": ", e ? "" : elf_errmsg(-1));
	else
		err = describe(out, e);
	if (e)
		elf_end(e);
	return mperr_in_file(err, name);
}

struct mperr *vmcore_describe(FILE *out, const char *path)
{
	struct mperr *err;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return mperr_in_file(mperr_io(errno, "open"), path);
	err = vmcore_describe_fd(out, fd, path);
	close(fd);
	return err;
}
