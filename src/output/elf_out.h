/*
 * elf_out.h - write an Elf64 core file whose layout is already decided
 * (every offset ours, ELF_F_LAYOUT): the ELF and program headers through
 * libelf, then the notes and each PT_LOAD's bytes from the post-MPIPL view,
 * sparse (zero pages stay holes). Writing only: report/elf_describe.h reads
 * ELF files back for `inspect`. Knows nothing about fadump.
 */
#ifndef MPIPLSIM_ELF_OUT_H
#define MPIPLSIM_ELF_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/elfcore.h"
#include "core/err.h"
#include "core/overlay.h"

struct progress;

/* Bytes [gpa, gpa + len) of the view go to file offset foff. */
struct elfout_load {
	uint64_t gpa, len, foff;
};

struct elfout_image {
	struct elfcore_hdr eh;		/* final header and program headers */
	const uint8_t *notes;		/* the note segment's bytes */
	size_t notes_len;
	uint64_t notes_foff;
	struct elfout_load *load;
	size_t n_load;
	uint64_t size;			/* file size; the caller commits with it */
};

/* Write img into fd (empty, opened for writing). Bytes not written read as zero. */
struct mperr *elfout_write(const struct elfout_image *img, const struct overlay *ovl, int fd,
			   struct progress *pr);

/* The value of "KEY=value" in VMCOREINFO text (*vlen bytes, not terminated), or NULL. */
const char *vmcoreinfo_value(const char *text, size_t len, const char *key, size_t *vlen);

#endif
