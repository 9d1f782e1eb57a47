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
#include "core/progress.h"
#include "sim/sim.h"
#include "tables/kernel_fadump.h"
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
	struct kernel_fadump kf;	/* session_kernel(): the crashed kernel's structures */
	char kf_reason[256];		/* why they are unusable, "" if kf holds them */
	bool have_snap, have_cpu_snap, have_plan, have_ovl, have_kf;
};

/* Open the snapshot(s) and read the tables. */
struct mperr *session_open(struct session *s, const struct run_options *o,
			   const struct warn_sink *w);
/*
 * inspect: read the crashed kernel's fadump structures (kernel tag -> crash
 * info header, kernel_fadump.h) from the snapshot as it is; they lie above
 * boot memory, where the MPIPL copy does not write. Never fails: kf_reason
 * says why there are none.
 */
void session_kernel(struct session *s);
/* Plan the simulation (validates; writes nothing). */
struct mperr *session_plan(struct session *s);
/* Apply the plan to the overlay and write the requested outputs. */
struct mperr *session_write(struct session *s);
void session_close(struct session *s);

#endif
