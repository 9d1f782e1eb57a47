/*
 * report.h - what `inspect` prints (text or one JSON document, simulation.md
 * §7), what --verbose explains, and what `compare` found. Reads a session;
 * writes only to the FILE it is given.
 */
#ifndef MPIPLSIM_REPORT_H
#define MPIPLSIM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "compare/cmp_session.h"
#include "output/session.h"

/* plan_err: why the plan failed (reported in the output), or NULL */
void report_inspect(FILE *out, const struct session *s, const struct mperr *plan_err, bool json);
/* --verbose: each decision and why (report_verbose.c); -vv adds the tables and plan */
void report_plan_verbose(FILE *out, const struct session *s);
void report_explain(FILE *out, const struct session *s);
/* How the format of a snapshot was found: each probe asked and its evidence. */
void report_snapshot_verbose(FILE *out, const char *file, const struct snapshot *snap);
/* How the tables of one image were found (also for compare -v). */
void report_tables_verbose(FILE *out, const char *file, const struct mpipl_tables *t,
			   const struct table_override *ovr);
/* compare: one line per difference and a summary line, or one JSON document */
void report_compare(FILE *out, const struct cmp_session *s, bool json);

#endif
