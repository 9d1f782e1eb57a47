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
#include "tables/crashed_kernel.h"
#include "output/session.h"

#define REPORT_SCHEMA_VERSION	2	/* of the schemas/ files; 2 added tool, kernel, warnings */

/* What a JSON document carries besides its results: the run's warnings, in order. */
struct report_meta {
	char **warnings;
	size_t n_warnings;
};

/* plan_err: why the plan failed (reported in the output), or NULL */
void report_inspect(FILE *out, const struct session *s, const struct mperr *plan_err, bool json,
		    const struct report_meta *m);
/* --verbose: each decision and why (report_verbose.c); -vv adds the tables and plan */
void report_plan_verbose(FILE *out, const struct session *s);
void report_explain(FILE *out, const struct session *s);
/* How the format of a snapshot was found: each probe asked and its evidence. */
void report_snapshot_verbose(FILE *out, const char *file, const struct snapshot *snap);
/* How the tables of one image were found (also for compare -v). */
void report_tables_verbose(FILE *out, const char *file, const struct mpipl_tables *t,
			   const struct table_override *ovr);
/* An error as one JSON object: kind, file, table, entry, offset (or null) and message. */
struct json_t;
struct json_t *report_error_json(const struct mperr *err);
/* compare: one line per difference and a summary line, or one JSON document */
void report_compare(FILE *out, const struct cmp_session *s, bool json,
		    const struct report_meta *m);
/* The kernel log, one line per record exactly as makedumpfile --dump-dmesg writes it. */
void report_dmesg(FILE *out, const struct printk_log *log);
/* run on a terminal without -q: one line, what was written, sizes, time */
void report_summary(FILE *out, const struct session *s);
/* run -v after writing a vmcore: which note holds the crash, and how gdb, drgn, crash reach it */
void report_vmcore_hint(FILE *out, const struct session *s);
/* inspect: the crashed kernel (note: its NT_PRSTATUS note in the vmcore, or -1) */
void report_kernel(FILE *out, const struct session *s, const struct crashed_kernel *k,
		   long note);

#endif
