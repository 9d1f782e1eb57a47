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

static void release(const void *ram, const uint8_t *data, uint64_t len)
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

	if (!s) {
		mperr_free(err);
		return mperr_nomem();
	}
	wc_init(&s->wc, fd, release, ram);
	wc_set_source(&s->wc, ram->map, ram->map_len, ram->map_fd);
	s->pr = pr;
	if (!err && img->notes_len)
		err = wc_add(&s->wc, img->notes, img->notes_len, img->notes_foff);
	for (size_t i = 0; !err && i < img->n_load; i++) {
		s->load = &img->load[i];
		err = ovl_walk_data(ovl, img->load[i].gpa, img->load[i].len, write_piece, s);
	}
	if (!err)
		err = wc_flush(&s->wc);
	else
		mperr_free(wc_flush(&s->wc));
	free(s);
	return err;
}

uint64_t elfout_data_bytes(const struct elfout_image *img, const struct overlay *ovl)
{
	uint64_t n = 0;

	for (size_t i = 0; i < img->n_load; i++)
		n += ovl_data_bytes(ovl, img->load[i].gpa, img->load[i].len);
	return n;
}
