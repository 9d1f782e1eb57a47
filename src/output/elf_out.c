/*
 * elf_out.c - see elf_out.h.
 *
 * Why the PT_LOAD bytes are not Elf_Data: libelf attaches data only to
 * sections, and a core file has none; sections would add a section header
 * table that /proc/vmcore does not have. So libelf writes the ELF header and
 * the program headers (byte order and layout checked by elf_update), and the
 * notes and segment bytes go in afterwards through a write combiner (few
 * large writes), which leaves zero pages as holes. elf_update() is called first because it truncates
 * the file to the size it knows about.
 */
#include "output/elf_out.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/fileio.h"
#include "core/progress.h"

static struct mperr *elf_fail(const char *what)
{
	return mperr_io(EIO, "libelf: %s: %s", what, elf_errmsg(-1));
}

static struct mperr *libelf_init(void)
{
	if (elf_version(EV_CURRENT) == EV_NONE)
		return elf_fail("elf_version");
	return NULL;
}

static struct mperr *put_ehdr(Elf *e, const struct elfcore_hdr *h)
{
	GElf_Ehdr eh;

	if (!gelf_newehdr(e, ELFCLASS64) || !gelf_getehdr(e, &eh))
		return elf_fail("gelf_newehdr");
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, h->ident, EI_NIDENT);
	eh.e_type = h->type;
	eh.e_machine = h->machine;
	eh.e_version = h->version;
	eh.e_entry = h->entry;
	eh.e_phoff = h->phoff;
	eh.e_shoff = h->shoff;
	eh.e_flags = h->flags;
	eh.e_ehsize = h->ehsize;
	eh.e_phentsize = h->phentsize;
	eh.e_phnum = h->phnum;
	eh.e_shentsize = h->shentsize;
	eh.e_shnum = h->shnum;
	eh.e_shstrndx = h->shstrndx;
	return gelf_update_ehdr(e, &eh) ? NULL : elf_fail("gelf_update_ehdr");
}

static struct mperr *put_phdrs(Elf *e, const struct elfcore_hdr *h)
{
	if (!gelf_newphdr(e, h->phnum))
		return elf_fail("gelf_newphdr");
	for (int i = 0; i < h->phnum; i++) {
		const struct elfcore_phdr *p = &h->ph[i];
		GElf_Phdr ph;

		memset(&ph, 0, sizeof(ph));
		ph.p_type = p->type;
		ph.p_flags = p->flags;
		ph.p_offset = p->offset;
		ph.p_vaddr = p->vaddr;
		ph.p_paddr = p->paddr;
		ph.p_filesz = p->filesz;
		ph.p_memsz = p->memsz;
		ph.p_align = p->align;
		if (!gelf_update_phdr(e, i, &ph))
			return elf_fail("gelf_update_phdr");
	}
	return NULL;
}

static struct mperr *write_headers(const struct elfout_image *img, int fd)
{
	struct mperr *err = libelf_init();
	Elf *e;

	if (err)
		return err;
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e)
		return elf_fail("elf_begin");
	/* our offsets, not libelf's: the layout is /proc/vmcore's */
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	err = put_ehdr(e, &img->eh);
	if (!err)
		err = put_phdrs(e, &img->eh);
	if (!err && elf_update(e, ELF_C_WRITE) < 0)
		err = elf_fail("elf_update");
	elf_end(e);
	return err;
}

struct sink {
	struct wcomb wc;
	const struct elfout_load *load;
	struct progress *pr;
};

static void release(void *ram, const uint8_t *data, uint64_t len)
{
	ram_release(ram, data, len);	/* peak RSS: one window of the input */
}

static struct mperr *write_piece(void *ctx, uint64_t gpa, const uint8_t *data, uint64_t len)
{
	struct sink *s = ctx;
	struct mperr *err = wc_add(&s->wc, data, len, s->load->foff + (gpa - s->load->gpa));

	progress_add(s->pr, len);
	return err;
}

struct mperr *elfout_write(const struct elfout_image *img, const struct overlay *ovl, int fd,
			   struct progress *pr)
{
	const struct ram_image *ram = ovl->base;
	struct mperr *err = write_headers(img, fd);
	struct sink *s = malloc(sizeof(*s));	/* the combiner holds 16 KiB of iovecs */
	uint64_t total = 0;

	if (!s) {
		mperr_free(err);
		return mperr_nomem();
	}
	wc_init(&s->wc, fd, release, (void *)ram);
	wc_set_source(&s->wc, ram->map, ram->map_len, ram->map_fd);
	s->pr = pr;
	if (!err && img->notes_len)
		err = wc_add(&s->wc, img->notes, img->notes_len, img->notes_foff);
	for (size_t i = 0; i < img->n_load; i++)
		total += img->load[i].len;
	progress_start(pr, "writing the vmcore", total);
	for (size_t i = 0; !err && i < img->n_load; i++) {
		s->load = &img->load[i];
		err = ovl_walk_data(ovl, img->load[i].gpa, img->load[i].len, write_piece, s);
	}
	if (!err)
		err = wc_flush(&s->wc);
	else
		mperr_free(wc_flush(&s->wc));
	progress_end(pr);
	free(s);
	return err;
}

/* --- reading, for inspect --- */

static const char *ptype_name(uint32_t t)
{
	switch (t) {
	case PT_NULL: return "NULL";
	case PT_LOAD: return "LOAD";
	case PT_NOTE: return "NOTE";
	default: return "other";
	}
}

const char *vmcoreinfo_value(const char *text, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);

	for (size_t o = 0; o < len;) {
		const char *line = text + o, *nl = memchr(line, '\n', len - o);
		size_t l = nl ? (size_t)(nl - line) : len - o;

		if (l > klen && !memcmp(line, key, klen) && line[klen] == '=') {
			*vlen = l - klen - 1;
			return line + klen + 1;
		}
		o += l + 1;
	}
	return NULL;
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
	struct mperr *err = libelf_init();
	Elf *e;

	if (err)
		return mperr_in_file(err, name);
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
