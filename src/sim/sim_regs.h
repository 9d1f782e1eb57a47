/* sim_regs.h - the register half of sim.h, private to sim.c and sim_regs.c */
#ifndef MPIPLSIM_SIM_REGS_H
#define MPIPLSIM_SIM_REGS_H

#include "sim/sim.h"

struct mperr *sim_regs_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
			    const struct sim_options *o, struct sim_plan *p,
			    const struct warn_sink *w);
struct mperr *sim_regs_apply(const struct cpu_set *cpus, const struct sim_plan *p,
			     struct overlay *ovl);

/* --emulate qemu-v2 (sim_qemu_v2.c) */
struct mperr *sim_qemu_v2_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
			       const struct sim_options *o, struct sim_plan *p,
			       const struct warn_sink *w);
/* A new piece at the end of p->piece, or NULL on no memory. */
struct copy_piece *sim_new_piece(struct sim_plan *p);

#endif
