/*
 * plan.h - the simulation plan: the copies in firmware order, the MDRT
 * entries, the processor dump area and the thread records to write
 * (simulation.md §3-§5). A container: the hostboot walk (sim_hostboot.c)
 * and the QEMU v2 emulation (sim_qemu_v2.c) fill it, sim_apply() writes it;
 * none of them owns it.
 */
#ifndef MPIPLSIM_PLAN_H
#define MPIPLSIM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tables/mpipl_tables.h"

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

/* A new piece at the end of p->piece, or NULL on no memory. */
struct copy_piece *sim_new_piece(struct sim_plan *p);
void sim_plan_free(struct sim_plan *p);

#endif
