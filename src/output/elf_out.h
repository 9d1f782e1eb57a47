/*
 * elf_out.h - write an Elf64 core file whose layout is already decided
 * (every offset ours, ELF_F_LAYOUT): the ELF and program headers through
 * libelf, then the notes and each PT_LOAD's bytes from the post-MPIPL view,
 * sparse (zero pages stay holes). And the reverse for `inspect`: list the
 * segments and notes of an ELF core file. Knows nothing about fadump.
 */
#ifndef MPIPLSIM_ELF_OUT_H
#define MPIPLSIM_ELF_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/elfcore.h"
#include "core/err.h"
#include "core/overlay.h"
#include "tables/vmcoreinfo.h"	/* vmcoreinfo_value() */

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

/*
 * Write img into fd (empty, opened for writing). Bytes not written read as
 * zero. The segments' data stretches are added to pr (elfout_data_bytes()).
 */
struct mperr *elfout_write(const struct elfout_image *img, const struct overlay *ovl, int fd,
			   struct progress *pr);
/* The bytes elfout_write() reads and adds to its progress: the segments' data stretches. */
uint64_t elfout_data_bytes(const struct elfout_image *img, const struct overlay *ovl);

/*
 * List the ELF header, every program header and every note of the ELF file
 * at path (NT_PRSTATUS: pr_pid, NIP, LR, R1; VMCOREINFO: OSRELEASE, PAGESIZE).
 */
struct mperr *vmcore_describe(FILE *out, const char *path);
/* The same on an open file (e.g. a snapshot's mapped input, gzip already inflated). */
struct mperr *vmcore_describe_fd(FILE *out, int fd, const char *name);

#endif
