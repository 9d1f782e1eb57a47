/*
 * outfile.h - an output file that appears whole or not at all (STYLE.md §5):
 * written as NAME.XXXXXX beside the target, renamed on success, unlinked on
 * failure or on SIGINT/SIGTERM/SIGHUP while it is open.
 */
#ifndef MPIPLSIM_OUTFILE_H
#define MPIPLSIM_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct outfile {
	const char *path;	/* final name */
	char *tmp;		/* temporary name while open */
	int fd;
	int slot;		/* in the signal-cleanup table */
};

struct mperr *outfile_open(struct outfile *f, const char *path);
/* Set the size, optionally fsync file and directory, rename into place. */
struct mperr *outfile_commit(struct outfile *f, uint64_t size, bool do_fsync);
/* Unlink the temporary file (safe to call after commit or twice). */
void outfile_abort(struct outfile *f);

/* Install the handlers that remove open temporary files on a fatal signal. */
void outfile_install_signal_cleanup(void);

#endif
