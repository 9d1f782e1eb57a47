/*
 * snapshot.h - a snapshot of one stopped guest: its RAM and its vCPUs.
 * Detects the format by content (snapshot-formats.md §1) unless forced: the
 * detector asks each reader's probe (snap_reader.h) in turn and hands the
 * mapped input to the first that matches; readers fill the builder
 * (snap_build.h). Nothing here sees MPIPL tables.
 */
#ifndef MPIPLSIM_SNAPSHOT_H
#define MPIPLSIM_SNAPSHOT_H

#include "core/err.h"
#include "input/snap_build.h"

const char *snap_format_name(enum snap_format f);
/* "raw", "mig", "elf", "kdump" -> format; -1 if unknown */
int snap_format_parse(const char *s);

/*
 * Open and read path. A file no probe recognises (an empty or text file, one
 * too small for any format) is an MPERR_INPUT error with hint
 * MPERR_HINT_FORMAT naming each format tried and why it declined; a
 * directory, device or FIFO is an MPERR_INPUT error too.
 */
struct mperr *snapshot_open(struct snapshot *s, const char *path, enum snap_format format,
			    const struct warn_sink *w);
void snapshot_close(struct snapshot *s);

#endif
