/*
 * sim_qemu_v2.h - --emulate qemu-v2: what the posted QEMU "pnv/mpipl" v2
 * series leaves in memory (mpipl.md §7). The other strategy that fills a
 * plan (plan.h), memory and registers both.
 */
#ifndef MPIPLSIM_SIM_QEMU_V2_H
#define MPIPLSIM_SIM_QEMU_V2_H

#include "core/cpu_state.h"
#include "sim/plan.h"
#include "tables/mpipl_tables.h"

struct mperr *sim_qemu_v2_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
			       const struct sim_options *o, struct sim_plan *p,
			       const struct warn_sink *w);

#endif
