/*
 * err.h - errors as values (STYLE.md §2).
 * Functions that can fail return a struct mperr *, NULL meaning success. The
 * innermost function states the fact; callers add file, table, entry, offset.
 * Out of memory is a static error, so reporting it never allocates.
 */
#ifndef MPIPLSIM_ERR_H
#define MPIPLSIM_ERR_H

#include <stdint.h>
#include <stdio.h>

/* Values are the exit status (simulation.md §7). */
enum mperr_kind { MPERR_INPUT = 1, MPERR_USAGE = 2, MPERR_IO = 3 };

/*
 * What the user could give to get past an error. Layers below main name no
 * command-line option; main.c words the hint (STYLE.md §1).
 */
enum mperr_hint {
	MPERR_HINT_NONE,
	MPERR_HINT_REGISTERS,	/* no CPU registers: another snapshot, or none on purpose */
	MPERR_HINT_OPAL_BASE,	/* no SPIRA-H: another OPAL base, or the table addresses */
	MPERR_HINT_TABLE_ADDRS,	/* no SPIRA-H and not every table address given */
	MPERR_HINT_FORMAT,	/* no format recognised: force one */
};

struct mperr {
	enum mperr_kind kind;
	int errnum;		/* errno for MPERR_IO, else 0 */
	const char *file;	/* input or output file the error is about, or NULL */
	const char *table;	/* "MDST", "SPIRA-H", ... or NULL */
	long entry;		/* table entry index, -1 if none */
	int has_off;		/* off is meaningful */
	uint64_t off;		/* file offset or guest address the fact is about */
	char msg[256];		/* the fact itself, without context */
	enum mperr_hint hint;
};

struct mperr *mperr_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct mperr *mperr_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* errno-carrying I/O error; the message gets ": strerror(errnum)" appended */
struct mperr *mperr_io(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct mperr *mperr_nomem(void);

/* Context added by callers; each returns err so it can be used in a return. */
struct mperr *mperr_in_file(struct mperr *err, const char *file);
struct mperr *mperr_in_table(struct mperr *err, const char *table);
struct mperr *mperr_in_entry(struct mperr *err, const char *table, long entry);
struct mperr *mperr_at(struct mperr *err, uint64_t off);
struct mperr *mperr_hint(struct mperr *err, enum mperr_hint hint);
/* Prefix the message with "what: " (outer: inner context) */
struct mperr *mperr_prefix(struct mperr *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "file: TABLE entry N: message" into buf */
void mperr_format(const struct mperr *err, char *buf, size_t len);
void mperr_free(struct mperr *err);

/* Warnings never change the outputs (simulation.md §7); they go to a sink. */
struct warn_sink {
	void (*fn)(void *ctx, const char *msg);
	void *ctx;
};
void warnf(const struct warn_sink *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
