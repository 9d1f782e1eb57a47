/*
 * cpu_state.h - the architected registers of each vCPU at the snapshot moment,
 * as far as the snapshot carries them (simulation.md §4). Readers fill it;
 * nothing here is invented: a register a format lacks is marked absent.
 */
#ifndef MPIPLSIM_CPU_STATE_H
#define MPIPLSIM_CPU_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* SPR numbers (Linux asm/reg.h SPRN_*; mpipl.md §4) */
enum {
	SPRN_XER = 1, SPRN_LR = 8, SPRN_CTR = 9, SPRN_DSISR = 18, SPRN_DAR = 19,
	SPRN_DEC = 22, SPRN_SRR0 = 26, SPRN_SRR1 = 27, SPRN_CFAR = 28,
	SPRN_SPRG0 = 272, SPRN_SPRG1 = 273, SPRN_SPRG2 = 274, SPRN_SPRG3 = 275,
	SPRN_PVR = 287, SPRN_HSPRG0 = 304, SPRN_HSPRG1 = 305, SPRN_HSRR0 = 314,
	SPRN_HSRR1 = 315, SPRN_LPCR = 318, SPRN_PIR = 1023,
	CPU_NR_SPRS = 1024,
};

/* which of the non-SPR registers the snapshot carries */
enum { CPU_HAS_GPR = 1, CPU_HAS_NIP = 2, CPU_HAS_MSR = 4, CPU_HAS_CR = 8 };

struct cpu_regs {
	uint32_t index;		/* position in the snapshot (QEMU cpu_index order) */
	uint32_t pir;
	bool pir_known;		/* false: pir is a guess, see cpu_set.pir_source */
	unsigned have;		/* CPU_HAS_* */
	uint64_t gpr[32];
	uint64_t nip, msr, cr;	/* cr: the 32-bit CR value */
	uint64_t spr[CPU_NR_SPRS];
	uint64_t spr_have[CPU_NR_SPRS / 64];	/* bitmap of carried SPRs */
};

struct cpu_set {
	struct cpu_regs *cpu;	/* in snapshot order */
	size_t n, cap;		/* cap: room in cpu (cpu_set_add grows it by half) */
	char pir_source[160];	/* how PIRs were obtained, for inspect */
};

static inline bool cpu_has_spr(const struct cpu_regs *r, unsigned n)
{
	return n < CPU_NR_SPRS && (r->spr_have[n / 64] >> (n % 64) & 1);
}

static inline void cpu_set_spr(struct cpu_regs *r, unsigned n, uint64_t v)
{
	if (n >= CPU_NR_SPRS)
		return;
	r->spr[n] = v;
	r->spr_have[n / 64] |= 1ULL << (n % 64);
}

/* Append a zeroed cpu_regs (index = position) and return it, or NULL on no memory. */
struct cpu_regs *cpu_set_add(struct cpu_set *set);
void cpu_set_free(struct cpu_set *set);
/* Indices into set->cpu sorted by PIR (caller frees), or NULL on no memory. */
size_t *cpu_set_pir_order(const struct cpu_set *set);
/* Error if two CPUs share a PIR. */
struct mperr *cpu_set_check(const struct cpu_set *set);

#endif
