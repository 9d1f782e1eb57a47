/*
 * report.h - what `inspect` prints (text or one JSON document, simulation.md
 * §7), what --verbose explains, and what `compare` found. Reads a session;
 * writes only to the FILE it is given.
 */
#ifndef MPIPLSIM_REPORT_H
#define MPIPLSIM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "compare.h"
#include "session.h"

/* plan_err: why the plan failed (reported in the output), or NULL */
void report_inspect(FILE *out, const struct session *s, const struct mperr *plan_err, bool json);
void report_plan_verbose(FILE *out, const struct session *s);
/* compare: one line per difference and a summary line, or one JSON document */
void report_compare(FILE *out, const struct cmp_session *s, bool json);

#endif
