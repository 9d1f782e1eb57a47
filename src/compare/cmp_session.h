/*
 * cmp_session.h - `mpiplsim compare A B`: opens both snapshots, reads their
 * tables and compares them (compare.h computes on images already open).
 */
#ifndef MPIPLSIM_CMP_SESSION_H
#define MPIPLSIM_CMP_SESSION_H

#include <stdbool.h>

#include "compare/compare.h"
#include "input/snapshot.h"

/* `mpiplsim compare A B`: both snapshots, their tables and the result. */
struct cmp_session {
	const char *path[2];
	struct snapshot snap[2];
	struct mpipl_tables t[2];
	bool have_snap[2];
	struct cmp_result r;
};

struct mperr *cmp_session_run(struct cmp_session *s, const char *a, const char *b,
			      enum snap_format format, uint64_t opal_base,
			      const struct table_override *ovr, const struct warn_sink *w);
void cmp_session_close(struct cmp_session *s);

#endif
