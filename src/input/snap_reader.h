/*
 * snap_reader.h - one snapshot format as the detector sees it (libkdumpfile
 * style ops): its name, a probe that says from the first bytes whether the
 * input is of this format and why (snapshot-formats.md §1), and the reader
 * that fills the builder (snap_build.h) from the mapped input s->in.
 */
#ifndef MPIPLSIM_SNAP_READER_H
#define MPIPLSIM_SNAP_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "input/snap_build.h"

struct snap_reader {
	enum snap_format format;
	const char *name;		/* as --format takes it */
	/* true if in looks like this format; why: the evidence either way, one phrase */
	bool (*probe)(const struct input *in, char *why, size_t len);
	struct mperr *(*read)(struct snapshot *s, const struct warn_sink *w);
};

/* Each in its own file: in_mig.c, in_elf.c, in_kdump.c, in_raw.c. */
extern const struct snap_reader snap_reader_mig, snap_reader_elf, snap_reader_kdump,
	snap_reader_raw;

#endif
