/*
 * outfile.h - an output file that appears whole or not at all (STYLE.md §5):
 * written as TARGET.XXXXXX beside the file it replaces, renamed on success,
 * unlinked on failure or on SIGINT/SIGTERM/SIGHUP while it is open. A symlink
 * is followed (its target is replaced, the link stays); anything but a
 * regular file (device, FIFO, socket, directory) is never replaced. No output
 * may be an input or another output (outfile_check, before anything is read).
 */
#ifndef MPIPLSIM_OUTFILE_H
#define MPIPLSIM_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"

struct outfile {
	const char *path;	/* final name as the user gave it: the only name in messages */
	char *target;		/* the file replaced: path with its symlinks followed */
	char *tmp;		/* temporary name while open, beside target */
	int fd;
	int slot;		/* in the signal-cleanup table */
};

/* Where an output path leads: symlinks followed to the file that is replaced or created. */
struct out_target {
	char *path;		/* the file itself (malloc'd) */
	bool exists;
	mode_t mode;		/* of the existing file */
	dev_t dev;		/* of the file, or of its directory when it does not exist */
	ino_t ino;
};

/*
 * Follow path's symlinks; refuse (MPERR_USAGE) an existing file that is not a
 * regular file, and (MPERR_IO) a directory that does not exist. Errors name
 * path as given.
 */
struct mperr *outfile_target(const char *path, struct out_target *t);
void outfile_target_free(struct out_target *t);

/* A file named on the command line: what (for messages: "-o", "the snapshot") and path. */
struct named_path {
	const char *what;
	const char *path;	/* NULL: not given */
};

/*
 * Before anything is read: every output must be creatable or a regular file,
 * and none may be an input or another output (device and inode after
 * following symlinks, so hard links count). Usage errors; I/O for a missing
 * directory.
 */
struct mperr *outfile_check(const struct named_path *out, size_t n_out,
			    const struct named_path *in, size_t n_in);

struct mperr *outfile_open(struct outfile *f, const char *path);
/* Set the size, optionally fsync file and directory, rename into place. */
struct mperr *outfile_commit(struct outfile *f, uint64_t size, bool do_fsync);
/* Unlink the temporary file (safe to call after commit or twice). */
void outfile_abort(struct outfile *f);

/* Install the handlers that remove open temporary files on a fatal signal. */
void outfile_install_signal_cleanup(void);

#endif
