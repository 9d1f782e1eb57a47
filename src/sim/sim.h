/*
 * sim.h - what SBE + hostboot do at an MPIPL (simulation.md §3-§5): the
 * copy of every MDST source into the MDDT destinations, the MDRT, the
 * SPIRA-H result count and the thread register records. sim_plan() decides
 * (pure, validates, warns) by dispatching to one of two peer strategies, the
 * hostboot walk or the QEMU v2 emulation; sim_apply() turns the plan into
 * overlay writes.
 * Knows nothing about input formats or output files.
 */
#ifndef MPIPLSIM_SIM_H
#define MPIPLSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu_state.h"
#include "core/err.h"
#include "core/overlay.h"
#include "sim/plan.h"
#include "sim/sim_regs.h"
#include "tables/mpipl_tables.h"

struct mperr *sim_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
		       const struct sim_options *o, struct sim_plan *p, const struct warn_sink *w);
struct mperr *sim_apply(const struct mpipl_tables *t, const struct cpu_set *cpus,
			const struct sim_plan *p, struct overlay *ovl);

#endif
