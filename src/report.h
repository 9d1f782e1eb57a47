/*
 * report.h - what `inspect` prints (text or one JSON document, simulation.md
 * §7) and what --verbose explains. Reads a session; writes only to the FILE
 * it is given.
 */
#ifndef MPIPLSIM_REPORT_H
#define MPIPLSIM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "session.h"

/* plan_err: why the plan failed (reported in the output), or NULL */
void report_inspect(FILE *out, const struct session *s, const struct mperr *plan_err, bool json);
void report_plan_verbose(FILE *out, const struct session *s);

#endif
