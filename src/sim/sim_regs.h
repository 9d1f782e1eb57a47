/*
 * sim_regs.h - thread register records (simulation.md §4; mpipl.md §4
 * "Register profiles"): which registers a profile lists, the records' part
 * of a plan, and writing them with the processor dump area.
 */
#ifndef MPIPLSIM_SIM_REGS_H
#define MPIPLSIM_SIM_REGS_H

#include "core/cpu_state.h"
#include "core/overlay.h"
#include "sim/plan.h"
#include "tables/mpipl_tables.h"

struct mperr *sim_regs_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
			    const struct sim_options *o, struct sim_plan *p,
			    const struct warn_sink *w);
struct mperr *sim_regs_apply(const struct cpu_set *cpus, const struct sim_plan *p,
			     struct overlay *ovl);

const char *reg_name(struct reg_id r, char *buf, size_t len);
/* The registers profile p lists, in record order; returns how many (fills at most max). */
unsigned profile_regs(enum reg_profile p, struct reg_id *out, unsigned max);
/* Whether the snapshot holds r for this vCPU. */
bool reg_carried(const struct cpu_regs *c, struct reg_id r);
const char *profile_name(enum reg_profile p);
int profile_parse(const char *s);

#endif
