/*
 * sim_hostboot.h - what hostboot does with the tables (simulation.md §3;
 * mpipl.md §3): the copy walk over MDST/MDDT and the MDRT it records. One
 * of two strategies that fill a plan (plan.h); registers are sim_regs.h's.
 */
#ifndef MPIPLSIM_SIM_HOSTBOOT_H
#define MPIPLSIM_SIM_HOSTBOOT_H

#include "sim/plan.h"
#include "tables/mpipl_tables.h"

struct mperr *sim_hostboot_plan(const struct mpipl_tables *t, struct sim_plan *p,
				const struct warn_sink *w);

#endif
