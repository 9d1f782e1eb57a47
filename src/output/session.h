/*
 * session.h - one run of the pipeline (simulation.md §1): snapshot ->
 * tables -> plan -> overlay -> outputs. Shared by the run and inspect
 * commands; knows options but not argv, stdout or exit codes.
 */
#ifndef MPIPLSIM_SESSION_H
#define MPIPLSIM_SESSION_H

#include <stdbool.h>

#include "input/device_tree.h"
#include "tables/mpipl_tables.h"
#include "core/overlay.h"
#include "tables/crashed_kernel.h"
#include "core/progress.h"
#include "sim/sim.h"
#include "input/snapshot.h"

struct run_options {
	const char *snapshot;
	const char *output;		/* -o */
	const char *vmcore;		/* --vmcore */
	const char *cpu_state;		/* --cpu-state */
	const char *firmware;		/* --firmware: skiboot image to patch (read only) */
	const char *firmware_out;	/* --firmware-out: the patched copy */
	enum snap_format format;
	struct sim_options sim;
	uint64_t opal_base;
	struct table_override ovr;
	bool vmcore_pids_pir;
	bool fsync;
	bool quiet;
	int verbose;
	bool json;
	bool inspect;			/* plan only: no registers is no error (issue 14) */
};

/* An output written, for the summary line. */
struct session_output {
	const char *path;
	uint64_t size;			/* file size */
	uint64_t data;			/* bytes written (the rest are holes) */
};

struct session {
	const struct run_options *o;
	const struct warn_sink *w;
	struct snapshot snap;
	struct snapshot cpu_snap;	/* --cpu-state, if given */
	const struct cpu_set *cpus;	/* registers used: snap's or cpu_snap's */
	struct mpipl_tables t;
	struct dt_info dt;		/* a device tree in guest RAM, if any */
	char dt_reason[128];		/* why none was found */
	struct sim_plan plan;
	struct overlay ovl;
	struct progress pr;
	bool have_snap, have_cpu_snap, have_plan, have_ovl;
	bool regs_lacking;		/* inspect planned without the registers a run needs */
	struct crashed_kernel kernel;	/* what the snapshot says about the crashed kernel */
	long crash_note;		/* the crashing CPU's NT_PRSTATUS note in the vmcore, or -1 */
	unsigned n_cpu_notes;		/* NT_PRSTATUS notes in the vmcore */
	char pr_what[160];		/* "writing post.img, vmcore" */
	struct session_output written[3];	/* after session_write(): each output */
	unsigned n_written;
	int64_t start_ms, end_ms;	/* session_open() to the last output committed */
};

/* Open the snapshot(s) and read the tables. */
struct mperr *session_open(struct session *s, const struct run_options *o,
			   const struct warn_sink *w);
/* Plan the simulation (validates; writes nothing). */
struct mperr *session_plan(struct session *s);
/* Apply the plan to the overlay (session_write does it if not yet done). */
struct mperr *session_apply(struct session *s);
/*
 * inspect: which NT_PRSTATUS note of the vmcore --vmcore would write holds
 * the crashing CPU (s->crash_note); applies the plan first.
 */
struct mperr *session_find_crash_note(struct session *s);
/* Apply the plan to the overlay and write the requested outputs. */
struct mperr *session_write(struct session *s);
void session_close(struct session *s);

#endif
