/*
 * sim.h - what SBE + hostboot do at an MPIPL (simulation.md §3-§5): the
 * copy of every MDST source into the MDDT destinations, the MDRT, the
 * SPIRA-H result count and the thread register records. sim_plan() decides
 * (pure, validates, warns); sim_apply() turns the plan into overlay writes.
 * Knows nothing about input formats or output files.
 */
#ifndef MPIPLSIM_SIM_H
#define MPIPLSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/cpu_state.h"
#include "core/err.h"
#include "tables/mpipl_tables.h"
#include "core/overlay.h"

enum reg_profile { PROFILE_HOSTBOOT, PROFILE_QEMU_V2, PROFILE_LINUX_MIN };

enum sim_mode { MODE_HOSTBOOT, MODE_QEMU_V2 };

struct sim_options {
	enum sim_mode mode;		/* --emulate qemu-v2: the posted QEMU series, bugs included */
	enum reg_profile profile;
	bool no_registers;
};

/* One step of the byte-stream walk: one MDRT entry if it fits (mpipl.md §3). */
struct copy_piece {
	uint64_t src, dst;	/* gpa */
	uint32_t len;
	unsigned mdst, mddt;	/* entries the piece starts in */
	uint8_t region, type;	/* of the source */
	bool recorded;		/* got an MDRT entry */
};

/* Register entry of a thread record: type 1 GPR, 2 SPR (mpipl.md §4). */
struct reg_id {
	uint32_t type, num;
};

/* One MDRT entry as it is written (mpipl.md §3; addresses as stored). */
struct mdrt_rec {
	uint64_t src, dst;
	uint8_t region, type;
	uint32_t size;
};

#define SIM_MAX_REGS 64
#define QEMU_V2_PDA_GPA UINT64_C(0x10300)	/* unrelocated area address, mpipl.md §7 item 12 */

struct sim_plan {
	enum sim_mode mode;
	struct copy_piece *piece;	/* copies, in the order the firmware does them */
	unsigned n_pieces, cap_pieces, n_recorded;
	uint64_t bytes_copied;
	uint64_t bytes_unpreserved;	/* source bytes the walk never reached */
	struct mdrt_rec *mdrt;		/* MDRT entries to write at mdrt_gpa */
	unsigned n_mdrt;
	uint64_t mdrt_gpa;
	bool write_mdrt_count;		/* SPIRA-H ntuple 5 act_cnt (hostboot only) */
	/* processor dump area: the one the firmware read, and where it writes it */
	struct proc_dump_area pda;
	uint64_t pda_write_gpa;
	bool write_cpu;			/* false: QEMU v2 with too small an area writes nothing */
	/* register part */
	bool registers;
	struct reg_id reg[SIM_MAX_REGS];
	unsigned n_regs;
	uint8_t core_state;
	uint32_t thread_size;
	size_t n_threads;
	size_t *order;			/* cpu indices in record order */
	bool qemu_v2;			/* header offset 0, area at 0x10300 (mpipl.md §7) */
};

struct mperr *sim_plan(const struct mpipl_tables *t, const struct cpu_set *cpus,
		       const struct sim_options *o, struct sim_plan *p, const struct warn_sink *w);
struct mperr *sim_apply(const struct mpipl_tables *t, const struct cpu_set *cpus,
			const struct sim_plan *p, struct overlay *ovl);
void sim_plan_free(struct sim_plan *p);

const char *reg_name(struct reg_id r, char *buf, size_t len);
/* The registers profile p lists, in record order; returns how many (fills at most max). */
unsigned profile_regs(enum reg_profile p, struct reg_id *out, unsigned max);
/* Whether the snapshot holds r for this vCPU. */
bool reg_carried(const struct cpu_regs *c, struct reg_id r);
const char *profile_name(enum reg_profile p);
int profile_parse(const char *s);

#endif
