/* lib_pipeline.h - run the library pipeline on a file, for tests */
#ifndef MPIPLSIM_TEST_PIPELINE_H
#define MPIPLSIM_TEST_PIPELINE_H

#include "tables/mpipl_tables.h"
#include "core/overlay.h"
#include "sim/sim.h"
#include "input/snapshot.h"

struct pipe {
	struct snapshot snap;
	struct cpu_set cpus;	/* two made-up vCPUs, PIR 4 first (CPU list order) */
	const struct cpu_set *used;	/* the snapshot's vCPUs if it has any, else cpus */
	struct mpipl_tables t;
	struct sim_plan plan;
	struct overlay ovl;
	char warnings[4096];
	int n_warnings;
	int stage;		/* how far it got: 1 opened, 2 tables, 3 planned, 4 applied */
};

/* Run as far as possible; returns the first error (caller frees), NULL if all went well. */
struct mperr *pipe_run(struct pipe *p, const char *path, const struct sim_options *o);
void pipe_close(struct pipe *p);
/* Fill a cpu_set with n vCPUs whose registers are derived from their PIR. */
void pipe_fake_cpus(struct cpu_set *set, const uint32_t *pirs, size_t n);

#endif
