/*
 * tmpdir.h - scratch files that vanish by themselves: O_TMPFILE in $TMPDIR
 * (or /tmp), falling back to mkstemp + unlink.
 */
#ifndef MPIPLSIM_TMPDIR_H
#define MPIPLSIM_TMPDIR_H

const char *tmp_dir(void);
/* A read-write fd of a new, already unlinked file; -1 with errno on failure. */
int tmp_open_unlinked(void);

#endif
